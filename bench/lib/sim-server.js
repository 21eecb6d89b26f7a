// Runs one platform simulator in its own process (so the client's peak RSS is the client's
// alone), on a clock shared with the client. Two clocks (spec.clock.mode):
//   "event":  discrete-event time. The client stamps every request with its virtual time
//             (header x-bench-now) and the simulator reads that; waits cost no real time and
//             the simulator's own CPU time does not count, only a modeled platform latency.
//   "scaled": virtual now = epochVirtual + scale · (Date.now() − epochReal) in both processes.
// Usage: node sim-server.js '<json: {platform, options, clock}>'
// Prints one JSON line {url, secrets, hostMap, readyMs} once listening; exits on stdin close.
import http from 'node:http';
import { startSandbox } from '../../web/sandbox/index.js';

const spec = JSON.parse(process.argv[2]);
const { mode, epochReal, epochVirtual, scale } = spec.clock;
let stamped = epochVirtual;
const now = mode === 'event' ? () => stamped : () => epochVirtual + scale * (Date.now() - epochReal);
const t0 = performance.now();
const env = await startSandbox(spec.platform, { ...spec.options, now });
/**
 * GET /__bench/stock?products=1,2: what the per-location stock of those products takes to read,
 * from the simulator's own data (not counted, no rate limit): {variants: stocked variants (or
 * Getfly products), levels: stock rows}. null when the platform keeps no per-location stock.
 */
function stockOf(ids) {
  const want = new Set(ids.map(Number));
  if (typeof env.sim.stockTruth === 'function') {
    const rows = env.sim.stockTruth().filter((l) => want.has(Number(l.productId)));
    return { variants: new Set(rows.map((l) => l.variantId)).size, levels: rows.length };
  }
  if (typeof env.sim.inventories === 'function') {
    const rows = env.sim.inventories().filter((r) => want.has(Number(r.product_id)));
    return { variants: new Set(rows.map((r) => r.product_id)).size, levels: rows.length };
  }
  return null;
}

// A front door: /__bench/stock, and in event mode the client's clock from each request, then
// the simulator.
const front = http.createServer((req, res) => {
  if (req.url.startsWith('/__bench/stock')) {
    const ids = new URL(req.url, 'http://x').searchParams.get('products')?.split(',').filter(Boolean) ?? [];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stockOf(ids)));
    return;
  }
  const t = Number(req.headers['x-bench-now']);
  if (mode === 'event' && Number.isFinite(t)) stamped = Math.max(stamped, t);
  env.sim.handle(req, res);
});
await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${front.address().port}`;
const hostMap = Object.fromEntries(Object.entries(env.hostMap).map(([host, target]) => [host, target === env.url ? url : target]));
process.stdout.write(`${JSON.stringify({ url, secrets: env.secrets, hostMap, readyMs: performance.now() - t0 })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  front.closeAllConnections();
  front.close();
  await env.close();
  process.exit(0);
});
