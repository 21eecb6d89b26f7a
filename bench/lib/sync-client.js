// One measured sync, in its own process: a full sync of `n` rows of `entity` through the
// sandbox transport (secrets filled in-process, real loopback HTTP) against a simulator
// process, on the scaled clock; then `changes` rows are edited and an incremental run made.
// Usage: node sync-client.js '<json spec>'  → prints one JSON line of results.
import { readFileSync } from 'node:fs';
import { createStoreLink, createLocalTransport, runSync } from '../../wasm/js/node.js';

const spec = JSON.parse(process.argv[2]);
const { mode, epochReal, epochVirtual, scale, latencyMs } = spec.clock;
// See sim-server.js for the two clocks. Event mode: the client's own processing time counts
// one to one, waits are skipped (but counted), and each request costs `latencyMs` of modeled
// platform latency instead of the simulator's CPU time.
const ev = { v: epochVirtual, mark: performance.now() };
const tick = () => {
  const t = performance.now();
  ev.v += t - ev.mark;
  ev.mark = t;
};
const clock =
  mode === 'event'
    ? {
        now: () => (tick(), ev.v),
        sleep: (ms) => (tick(), (ev.v += ms), new Promise((resolve) => setImmediate(resolve))),
      }
    : {
        now: () => epochVirtual + scale * (Date.now() - epochReal),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / scale)),
      };
const stamp = (headers) => [...(headers ?? []), ['X-Bench-Now', String(Math.round(clock.now()))]];
const afterResponse = () => {
  if (mode !== 'event') return;
  ev.mark = performance.now(); // the simulator's time is not the platform's
  ev.v += latencyMs;
};

/** Peak resident set of this process (Linux VmHWM), or the largest sample seen. */
let sampledPeak = 0;
const sample = () => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 50);
function peakRss() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  sample();
  return sampledPeak;
}

const sl = await createStoreLink();
const base = createLocalTransport(sl, { secrets: spec.secrets, hostMap: spec.hostMap });
const log = []; // {t (virtual ms at send), purpose, status, realMs, url}
const traceUrl = (request) => (process.env.BENCH_SYNC_TRACE ? `${request.url.replace(/^.*\/\/[^/]*/, '')}?${(request.query ?? []).map(([k, v]) => `${k}=${String(v).length > 60 ? `${String(v).slice(0, 60)}…(${String(v).split(',').length})` : v}`).join('&')}` : undefined);
const transport = async (request, ctx) => {
  const t = clock.now();
  const r0 = performance.now();
  let res;
  try {
    res = await base({ ...request, headers: stamp(request.headers) }, ctx);
  } catch (e) {
    log.push({ t, purpose: request.purpose, status: 0, realMs: performance.now() - r0 });
    afterResponse();
    throw e;
  }
  log.push({ t, purpose: request.purpose, status: res.status, realMs: performance.now() - r0, url: traceUrl(request), path: request.url.replace(/^.*\/\/[^/]*/, '') });
  afterResponse();
  return res;
};

let peakUsed = 0;
const watchHeap = () => {
  peakUsed = Math.max(peakUsed, sl.memory().usedBytes);
};

// --- the full sync ------------------------------------------------------------------------
const sampleEvery = Math.max(1, Math.floor(spec.n / Math.max(1, spec.changes)));
const toChange = [];
let records = 0;
const rss0 = process.memoryUsage.rss();
const heap0 = sl.memory();
const v0 = clock.now();
const r0 = performance.now();
const job = sl.createSync({ platform: spec.platform, entity: spec.entity, seed: 1 });
const full = await runSync(job, transport, {
  clock,
  onRecords: async (batch) => {
    // A real caller stores them; the bench only counts (and keeps every k-th id to edit later).
    for (const r of batch) if (!r.deleted && records++ % sampleEvery === 0 && toChange.length < spec.changes) toChange.push(r.externalId);
    watchHeap();
  },
});
const fullVirtualMs = clock.now() - v0;
const fullRealMs = performance.now() - r0;
job.dispose();
const memory = { rssBefore: rss0, peakRss: peakRss(), wasmHeapBefore: heap0.heapBytes, wasmHeap: sl.memory().heapBytes, wasmPeakUsed: peakUsed };
const fullLog = log.splice(0);

// --- incremental: `changes` rows edited on the platform, then a run from the checkpoint --------
const control = async (path, body) => {
  const res = await fetch(`${spec.url}/__sandbox/${path}`, { method: 'POST', headers: Object.fromEntries(stamp([['content-type', 'application/json']])), body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
let incremental = null;
if (spec.changes > 0) {
  await clock.sleep(60_000); // a minute later (virtual)
  for (const id of toChange) await control('touch', { entity: spec.simEntity, id });
  // What reading the changed products' per-location stock takes (for the minimum), from the
  // simulator's data, outside the measured run.
  const stock = spec.simEntity === 'products' ? await (await fetch(`${spec.url}/__bench/stock?products=${toChange.join(',')}`)).json() : null;
  const inc = sl.createSync({ platform: spec.platform, entity: spec.entity, checkpoint: full.checkpoint, seed: 2 });
  let got = 0;
  const result = await runSync(inc, transport, { clock, onRecords: async (batch) => { got += batch.length; } });
  inc.dispose();
  const incLog = log.splice(0);
  // BENCH_SYNC_TRACE=1: what the incremental run asked for, on stderr.
  if (process.env.BENCH_SYNC_TRACE) for (const e of incLog) process.stderr.write(`  ${spec.platform} incremental: ${e.status} ${e.url}\n`);
  incremental = {
    changed: toChange.length,
    records: got,
    mode: result.progress.mode,
    requests: incLog.length,
    pageRequests: incLog.filter((e) => e.purpose === 'page').length,
    authRequests: incLog.filter((e) => e.purpose === 'auth').length,
    listPages: result.progress.pages,
    failed: incLog.filter((e) => e.status === 0 || e.status >= 400).length,
    paths: incLog.map((e) => e.path),
    stock,
  };
}
clearInterval(sampler);

const pages = fullLog.filter((e) => e.purpose === 'page');
process.stdout.write(`${JSON.stringify({
  platform: spec.platform,
  entity: spec.entity,
  n: spec.n,
  scale,
  clockMode: mode,
  records,
  fetched: full.progress.fetched,
  requests: fullLog.length,
  authRequests: fullLog.filter((e) => e.purpose === 'auth').length,
  pageRequests: pages.length,
  failed: fullLog.filter((e) => e.status === 0 || e.status >= 400).length,
  retries: full.progress.retries,
  waitedMs: full.progress.waitedMs,
  fullVirtualMs,
  fullRealMs,
  sendTimes: pages.map((e) => e.t),
  realLatencyMs: pages.map((e) => Math.round(e.realMs)),
  memory,
  incremental,
})}\n`);
process.exit(0);
