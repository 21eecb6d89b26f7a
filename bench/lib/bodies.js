// Realistic, full-size page bodies for every platform that has a simulator, captured the
// way production gets them: a real sync job (the connector's own requests, its own page size
// and include flags) runs against the platform's simulator, and the transport keeps a copy of
// every page body. Nothing here knows a platform: a simulator added to web/sandbox/index.js
// and a connector marked "available" are picked up automatically.
import { SANDBOXES, startSandbox } from '../../web/sandbox/index.js';
import { createLocalTransport, runSync } from '../../wasm/js/node.js';

export const BENCH_ENTITIES = ['products', 'orders', 'customers'];

// A virtual clock: rate-limit waits pass instantly (capture is not what is measured).
function virtualClock() {
  let t = Date.now();
  return { now: () => t, sleep: async (ms) => { t += ms; } };
}

/** Platforms with both a connector and a simulator, in the order sl.platforms() lists them. */
export function benchPlatforms(sl) {
  return sl.platforms().filter((p) => p.status === 'available' && SANDBOXES[p.id]).map((p) => p);
}

/**
 * → [{platform, entity, bodies: [text...], rows}] with up to `pages` full pages per entity.
 * `counts` asks simulators for enough rows (simulators ignore options they do not know).
 */
export async function captureBodies(sl, { pages = 4, seed = 7 } = {}) {
  const out = [];
  for (const p of benchPlatforms(sl)) {
    const rows = 250 * pages + 50; // enough for `pages` full pages at the largest page size (Sapo: 250)
    // The simulator reads the same virtual clock, so its rate limit sees the skipped waits.
    const clock = virtualClock();
    const env = await startSandbox(p.id, {
      seed,
      now: clock.now,
      counts: { products: rows, orders: rows, customers: rows, invoices: 10, branches: 3 },
    });
    try {
      for (const entity of BENCH_ENTITIES.filter((e) => p.entities.includes(e))) {
        const inner = createLocalTransport(sl, { secrets: env.secrets, hostMap: env.hostMap });
        const bodies = [];
        // List pages only: follow-ups (Odoo's stock.quant and order-line reads, the Shopify
        // family's inventory levels, MISA's invoice details) are 'page' requests too. The list
        // body of a page is the one, among the bodies fetched since the last page's records,
        // whose own records are the page's records (most ids in common).
        let since = [];
        const transport = async (request, ctx) => {
          const res = await inner(request, ctx);
          if (request.purpose === 'page' && res.status === 200) since.push(res.body);
          return res;
        };
        const liveIds = (records) => new Set(records.filter((r) => !r.deleted).map((r) => r.externalId));
        const onRecords = (records) => {
          const want = liveIds(records);
          let best = null, bestCommon = 0;
          for (const b of since) {
            let common = 0;
            for (const id of liveIds(sl.normalize(p.id, entity, b).records)) if (want.has(id)) common++;
            if (common > bestCommon) [best, bestCommon] = [b, common];
          }
          if (best !== null) bodies.push(best);
          since = [];
        };
        const job = sl.createSync({ platform: p.id, entity, seed: 1, maxPages: pages + 1 });
        await runSync(job, transport, { clock, onRecords });
        job.dispose();
        // Full pages only: the largest row count seen is the platform's page size.
        const counted = bodies.map((b) => ({ b, n: sl.normalize(p.id, entity, b).records.length }));
        const max = Math.max(...counted.map((c) => c.n));
        const full = counted.filter((c) => c.n === max).slice(0, pages).map((c) => c.b);
        out.push({ platform: p.id, entity, bodies: full, rowsPerPage: max });
      }
    } finally {
      await env.close();
    }
  }
  return out;
}
