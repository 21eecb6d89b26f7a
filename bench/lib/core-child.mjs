// The wasm side of the wasm ÷ native comparison, in its own process like the native bench
// (bench/normalize_bench.cpp --serve) and with the same line protocol: every stdin line is a
// budget in ms, answered by one JSON line of per-pass medians for that slice. Its own process,
// because in the main bench process the garbage the plain-JS baseline and sl.normalize leave
// behind is collected by V8's background threads, whose CPU time process.cpuUsage() would
// charge to whatever wasm sample runs next.
//
//   node bench/lib/core-child.mjs <platform> <entity> <body.json>...
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { interleaved } from './measure.js';

const [platform, entity, ...files] = process.argv.slice(2);
const dist = new URL('../../wasm/dist/', import.meta.url);
const factory = (await import(new URL('storelink-core.mjs', dist).href)).default;
const m = await factory({ wasmBinary: readFileSync(new URL('storelink-core.wasm', dist)), print() {}, printErr() {} });
const bodies = files.map((f) => readFileSync(f));
const bytes = bodies.reduce((s, b) => s + b.length, 0);
// The same call the native bench times: UTF-8 bytes in, JSON text bytes out (its length back).
const call = (b) => {
  m.inputBuffer(b.length).set(b);
  return m.normalizeInput(platform, entity, b.length, '');
};
const pass = () => {
  let sink = 0;
  for (const b of bodies) sink += call(b);
  return sink;
};
for (let i = 0; i < 20; i++) pass();  // warm-up: lets V8 tier the hot functions up

for await (const line of createInterface({ input: process.stdin })) {
  const { cpu, wall, samples } = interleaved({ pass }, { budgetMs: Number(line), warmup: 0, minRounds: 5 }).pass;
  process.stdout.write(`${JSON.stringify({ platform, entity, bytes, samples, cpuMedian: cpu, wallMedian: wall })}\n`);
}
