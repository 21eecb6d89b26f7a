// The incremental part of `npm run bench` alone, for a few platforms: a full sync of N rows,
// 100 of them edited, then an incremental run from the checkpoint, counted against the
// minimum of bench/sync.js (CEILINGS). Nothing is written to RESULTS.md.
//   node bench/incremental.js [platforms, default sapo,haravan,getfly] [N, default 2000]
// BENCH_SYNC_TRACE=1 lists every request of the incremental runs on stderr. The request
// counts do not depend on N beyond a page or two of overlap; the bench proper uses its larger N.
import { prepareSyncBench, runSyncBench } from './sync.js';

const [only = 'sapo,haravan,getfly', nArg = '2000'] = process.argv.slice(2);
const want = only.split(',');
const n = Number(nArg);
const prepared = await prepareSyncBench({ sizes: [], sizesFor: Object.fromEntries(want.map((p) => [p, [n]])), clockMode: 'event', latencyMs: 200 });
prepared.plan = prepared.plan.filter((x) => !x.skipped && want.includes(x.platform));
const rows = await runSyncBench(prepared, { log: (m) => console.error(m) });
for (const r of rows) {
  const i = r.incremental;
  const verdict = i.requests <= i.minimum + 2 ? 'PASS' : 'FAIL';
  console.log(`${r.platform} N=${r.n}: incremental after ${i.changed} changes: ${i.requests} requests (${i.listPages} list pages), ` +
    `minimum ${i.minimum} (${i.minimumAuth ? '1 token + ' : ''}${i.minimumPages} pages${i.minimumStock ? ` + ${i.minimumStock} stock for ${i.stock.levels} levels of ${i.stock.variants}` : ''}${i.minimumDeletions ? ` + ${i.minimumDeletions} deletions feed` : ''}) → ${verdict}; ` +
    `records ${i.records}, failed ${i.failed}; full sync ${r.requests} requests`);
}
process.exit(0);
