// Sync at the rate-limit ceiling, memory vs N, and incremental cost. Each run: a simulator
// process (rate limit on) and a client process (the measured one), both on a clock that runs
// `scale` times faster than real time, so the platform's window and the engine's pacing keep
// their ratio while an hour passes in minutes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createStoreLink } from '../wasm/js/node.js';
import { benchPlatforms } from './lib/bodies.js';

const here = new URL('.', import.meta.url).pathname;

// Request ceilings, for the platforms whose simulators enforce one (Odoo and MISA publish
// none, their simulators enforce none). `limit` per `windowMs` is the sustained rate the
// platform allows; `simOptions` the simulator's rate-limit options (its documented default
// where it has one); `pageSize` the connector's page size (the minimum requests for N rows).
// A platform added later gets its row here.
export const CEILINGS = {
  kiotviet: { limit: 5000, windowMs: 3_600_000, pageSize: 100, entity: 'products', simEntity: 'products', simOptions: { rateLimit: { limit: 5000, windowMs: 3_600_000 } }, source: 'kiotviet.md §A.6: 5,000 GET per hour per retailer' },
  sapo: { limit: 2, windowMs: 1000, pageSize: 250, entity: 'products', simEntity: 'products', simOptions: {}, source: 'sapo.md §B.6: leaky bucket of 40, leaking 2 requests/s',
    stock: { rowsPerRequest: 250, source: 'sapo.md §B.3/§B.4: per-location stock only from inventory_levels (the variant holds the total available), ≤ 250 rows per answer' } },
  haravan: { limit: 4, windowMs: 1000, pageSize: 50, entity: 'products', simEntity: 'products', simOptions: {}, source: 'haravan.md §A.4.1: leaky bucket of 80, leaking 4 requests/s',
    stock: { idsPerRequest: 50, rowsPerRequest: 250, source: 'haravan.md §A.2.2/§A.7: per-location stock only from inventory_locations, ≤ 50 variant_ids and ≤ 250 rows per request' },
    deletions: { requests: 1, path: '/com/events.json', source: 'haravan.md (H-EVT): lists carry no tombstones; deleted products only from events.json?filter=Product&verb=destroy' } },
  nhanh: { limit: 150, windowMs: 30_000, pageSize: 100, entity: 'products', simEntity: 'products', simOptions: {}, source: 'nhanh.md: 150 requests / 30 s per app + business + URL' },
  // Pancake: the hour binds any sync longer than its burst (10,000/h = 2.78/s < 1000/min).
  // Products have no documented updated-since filter (pancake.md §1.3), so an incremental
  // products run re-pages the whole list: `fullRepage` makes that the minimum.
  pancake: { limit: 10_000, windowMs: 3_600_000, pageSize: 100, entity: 'products', simEntity: 'products', simOptions: {}, fullRepage: true, source: 'pancake.md §1.7: "1000 requests/minute, 10000/hour" (UNCONFIRMED; the simulator enforces both)' },
  getfly: { limit: 5, windowMs: 1000, pageSize: 100, entity: 'products', simEntity: 'products', simOptions: {},
    stock: { rowsPerRequest: 100, source: 'getfly.md §3.3/§3.4: products carry no stock, per-warehouse rows only from product/inventories; `limit` ≤ 100 (§3.2: maximum UNCONFIRMED, a third-party client’s 1–100)' }, source: 'getfly.md §3.5: undocumented; 429s in practice, "aim for ≤ 2–5 requests/s" (UNCONFIRMED): the upper end is taken as the ceiling; the simulator allows ~10/s' },
};

/**
 * The event clock's modeled platform latency for a platform: the configured figure, but at
 * most half the ceiling's request interval. The engine sends one request at a time, so a
 * latency longer than the interval would cap the rate below the ceiling whatever the engine
 * does; half the interval leaves the pacing, not the latency, as what is measured.
 */
export const modeledLatencyMs = (ceiling, latencyMs) => Math.min(latencyMs, ceiling.windowMs / ceiling.limit / 2);

async function startSim(platform, options, clock) {
  const child = spawn(process.execPath, [`${here}lib/sim-server.js`, JSON.stringify({ platform, options, clock })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { ...JSON.parse(line), stop: async () => { child.stdin.end(); await once(child, 'exit'); } };
}

async function runClient(spec) {
  const child = spawn(process.execPath, [`${here}lib/sync-client.js`, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`sync client exited with ${code}`);
  return JSON.parse(out);
}

/** Requests per ms over sendTimes[from..]: (count − 1) / span. */
function rate(times, from = 0) {
  const t = times.slice(from);
  return t.length > 1 ? (t.length - 1) / (t[t.length - 1] - t[0]) : NaN;
}

/**
 * Starts every simulator the sync bench needs (generating 100,000 rows takes a while), so the
 * caller can overlap that with other work. → a handle to pass to runSyncBench.
 */
export async function prepareSyncBench({ sizes = [100_000, 10_000], sizesFor = {}, clockMode = 'event', scale = 6, latencyMs = 200 } = {}) {
  const sl = await createStoreLink();
  const plan = [];
  for (const p of benchPlatforms(sl)) {
    const ceiling = CEILINGS[p.id];
    if (!ceiling) {
      plan.push({ platform: p.id, skipped: 'no documented ceiling in bench/sync.js CEILINGS' });
      continue;
    }
    for (const n of sizesFor[p.id] ?? sizes) {
      const clock = { mode: clockMode, epochReal: Date.now(), epochVirtual: Date.now(), scale, latencyMs: modeledLatencyMs(ceiling, latencyMs) };
      const sim = startSim(p.id, {
        seed: 9,
        counts: { [ceiling.simEntity]: n, products: ceiling.simEntity === 'products' ? n : 0, customers: 0, orders: 0, invoices: 0, branches: 2 },
        ...ceiling.simOptions,
      }, clock);
      sim.catch(() => {});
      plan.push({ platform: p.id, ceiling, n, clock, sim, first: n === (sizesFor[p.id] ?? sizes)[0] });
    }
  }
  return { plan, clockMode, scale, latencyMs };
}

export async function runSyncBench(prepared, { changes = 100, log = () => {} } = {}) {
  const { clockMode, scale, latencyMs } = prepared;
  const rows = [];
  for (const item of prepared.plan) {
    if (item.skipped) {
      rows.push(item);
      continue;
    }
    const { platform, ceiling, n, clock, first } = item;
    const p = { id: platform };
    {
      log(`  ${p.id}: waiting for the simulator's ${n.toLocaleString('en-US')} ${ceiling.entity}…`);
      const sim = await item.sim;
      try {
        // The clock starts when the simulator is ready; its data is anchored at its start.
        log(`  ${p.id}: full sync of ${n.toLocaleString('en-US')} (${clockMode === 'event' ? `event clock, ${clock.latencyMs} ms modeled latency` : `clock ×${scale}`})…`);
        const r = await runClient({ platform: p.id, entity: ceiling.entity, simEntity: ceiling.simEntity, n, changes: first ? changes : 0, url: sim.url, secrets: sim.secrets, hostMap: sim.hostMap, clock });
        const ceilingPerMs = ceiling.limit / ceiling.windowMs;
        const times = r.sendTimes;
        const paced = r.waitedMs > 0.1 * r.fullVirtualMs; // did the limit shape the run at all?
        const half = Math.floor(times.length / 2);
        const latency = [...r.realLatencyMs].sort((a, b) => a - b);
        rows.push({
          platform: p.id,
          entity: ceiling.entity,
          n,
          scale,
          clockMode,
          latencyMs: clock.latencyMs,
          ceiling,
          records: r.records,
          requests: r.requests,
          pageRequests: r.pageRequests,
          minPageRequests: Math.ceil(n / ceiling.pageSize),
          failed: r.failed,
          retries: r.retries,
          virtualMinutes: r.fullVirtualMs / 60_000,
          realSeconds: r.fullRealMs / 1000,
          wholeRunFraction: rate(times) / ceilingPerMs,
          // The steady state, once the initial burst allowance is spent: the second half of the run.
          sustainedFraction: paced ? rate(times, half) / ceilingPerMs : NaN,
          paced,
          latencyMedianMs: latency[latency.length >> 1],
          latencyP95Ms: latency[Math.floor(latency.length * 0.95)],
          intervalRealMs: ceiling.windowMs / ceiling.limit / (clockMode === 'event' ? 1 : scale),
          memory: r.memory,
          // The fewest requests that can read `changed` rows: their pages, plus the token
          // exchange when the platform needs one per run (the full run shows whether it does).
          // (A platform with no updated-since filter for the entity: every page of the list.)
          // Where a product's per-location stock is only on a separate endpoint (`stock`, with
          // the platform fact that caps it), the fewest requests that endpoint needs for the
          // changed products' levels, counted from the simulator's own data: ids per request
          // and rows per answer as documented, every id in as few requests as those allow.
          incremental: r.incremental && (() => {
            const pages = Math.ceil((ceiling.fullRepage ? n : r.incremental.changed) / ceiling.pageSize);
            const auth = r.authRequests > 0 ? 1 : 0;
            const st = ceiling.stock && r.incremental.stock;
            const stock = st && st.levels > 0
              ? Math.max(ceiling.stock.idsPerRequest ? Math.ceil(st.variants / ceiling.stock.idsPerRequest) : 1, Math.ceil(st.levels / ceiling.stock.rowsPerRequest))
              : 0;
            // Deletions: where the list carries none (`deletions`), one request of the platform's
            // deleted feed — when the connector reads one (the trace shows it), else nothing.
            const deletions = ceiling.deletions && r.incremental.paths?.includes(ceiling.deletions.path) ? ceiling.deletions.requests : 0;
            return { ...r.incremental, minimum: auth + pages + stock + deletions, minimumAuth: auth, minimumPages: pages, minimumStock: stock, minimumDeletions: deletions, fullRepage: !!ceiling.fullRepage };
          })(),
        });
      } finally {
        await sim.stop();
      }
    }
  }
  return rows;
}
