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
let url = env.url;
let hostMap = env.hostMap;
let front = null;
if (mode === 'event') {
  // A front door that takes the client's clock from each request, then hands it over.
  front = http.createServer((req, res) => {
    const t = Number(req.headers['x-bench-now']);
    if (Number.isFinite(t)) stamped = Math.max(stamped, t);
    env.sim.handle(req, res);
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${front.address().port}`;
  hostMap = Object.fromEntries(Object.entries(env.hostMap).map(([host, target]) => [host, target === env.url ? url : target]));
}
process.stdout.write(`${JSON.stringify({ url, secrets: env.secrets, hostMap, readyMs: performance.now() - t0 })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  front?.closeAllConnections();
  front?.close();
  await env.close();
  process.exit(0);
});
