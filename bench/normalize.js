// Normalize throughput: wasm in Node vs the same C++ native vs plain JS, on full-size pages
// captured from every platform's simulator (see lib/bodies.js), measured in the same run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createStoreLink } from '../wasm/js/node.js';
import { captureBodies } from './lib/bodies.js';
import { interleaved, median } from './lib/measure.js';

const root = new URL('..', import.meta.url).pathname;
const utf8 = new TextDecoder();

/** The plain-JS baseline of a platform (bench/js/<id>.js), or null when nobody wrote one yet. */
async function jsBaseline(platform) {
  const file = new URL(`./js/${platform}.js`, import.meta.url);
  if (!existsSync(file)) return null;
  return (await import(file.href)).normalize;
}

/**
 * A bench process that stays up (bench/lib/core-child.mjs, or the native bench with --serve):
 * `slice(ms)` has it time passes over its bodies for ms and resolves with its JSON line.
 */
function sliceServer(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  let exited = null;
  child.on('exit', (code) => {
    exited = code;
    for (const w of waiting.splice(0)) w.reject(new Error(`${cmd} exited with ${code}`));
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  return {
    slice: (ms) => new Promise((resolve, reject) => {
      if (exited !== null) return reject(new Error(`${cmd} exited with ${exited}`));
      waiting.push({ resolve, reject });
      child.stdin.write(`${Math.round(ms)}\n`);
    }),
    close: () => new Promise((resolve) => {
      if (exited !== null) return resolve();
      child.once('exit', resolve);
      child.stdin.end();
    }),
  };
}

// wasm ÷ native: both sides in their own process, in short slices taken in turn (the order
// flipped every pair), and the ratio is the median of the pairs' own ratios. The machine is
// shared: a load change moves both halves of a pair, not one side of the comparison.
const PAIRS = 12;
async function wasmVsNative({ nativeBin, platform, entity, files, records, budgetMs }) {
  const wasm = sliceServer(process.execPath, [fileURLToPath(new URL('./lib/core-child.mjs', import.meta.url)), platform, entity, ...files]);
  const native = sliceServer(nativeBin, ['--serve', platform, entity, ...files]);
  try {
    const ms = budgetMs / 2 / PAIRS;
    await wasm.slice(ms); // warm both before the pairs that count
    const first = await native.slice(ms);
    assert.equal(first.records, records, `native bench counted ${first.records} records, wasm ${records}`);
    const pairs = [];
    for (let k = 0; k < PAIRS; k++) {
      const order = k % 2 ? [native, wasm] : [wasm, native];
      const [a, b] = [await order[0].slice(ms), await order[1].slice(ms)];
      pairs.push(k % 2 ? { native: a, wasm: b } : { wasm: a, native: b });
    }
    if (process.env.BENCH_PAIRS_DEBUG) console.error(platform, entity, pairs.map((p) => `${(p.wasm.cpuMedian * 1e6).toFixed(0)}/${(p.native.cpuMedian * 1e6).toFixed(0)}`).join(" "));
    const side = (name) => ({
      cpu: median(pairs.map((p) => p[name].cpuMedian)),
      wall: median(pairs.map((p) => p[name].wallMedian)),
      samples: pairs.reduce((n, p) => n + p[name].samples, 0),
    });
    return { wasmCore: side('wasm'), native: { ...side('native'), coreRatio: median(pairs.map((p) => p.native.cpuMedian / p.wasm.cpuMedian)) } };
  } finally {
    await Promise.all([wasm.close(), native.close()]);
  }
}

export async function runNormalize({ budgetMs = 2500, nativeBin, pages = 4, only } = {}) {
  const sl = await createStoreLink();
  const sets = await captureBodies(sl, { pages });
  const bodyDir = path.join(root, 'build/bench/bodies');
  rmSync(bodyDir, { recursive: true, force: true });
  mkdirSync(bodyDir, { recursive: true });
  const rows = [];
  for (const set of only ? sets.filter((x) => only.includes(x.platform)) : sets) {
    const { platform, entity, bodies } = set;
    const bytes = bodies.map((b) => Buffer.from(b, 'utf8'));
    const totalBytes = bytes.reduce((s, b) => s + b.length, 0);
    const expected = bodies.map((b) => sl.normalize(platform, entity, b));
    const records = expected.reduce((s, out) => s + out.records.length, 0);
    for (const out of expected) assert.deepEqual(out.errors, [], `${platform} ${entity}: the bench bodies normalize cleanly`);

    const js = await jsBaseline(platform);
    if (js) {
      // Not a strawman and not a different mapping: the baseline must produce what wasm produces.
      bodies.forEach((b, i) => assert.deepStrictEqual(js(entity, b), expected[i], `bench/js/${platform}.js differs from sl.normalize on ${entity} page ${i}`));
    }
    const fns = {
      wasm: () => { for (const b of bodies) sl.normalize(platform, entity, b); },
    };
    if (js) fns.js = () => { for (const b of bodies) js(entity, b); };
    // Bodies as bytes (what a transport holds before anyone decodes them): wasm takes the
    // UTF-8 as it is; plain JS decodes it first, as res.json() / res.text() would.
    fns.wasmBytes = () => { for (const b of bytes) sl.normalize(platform, entity, b); };
    if (js) fns.jsBytes = () => { for (const b of bytes) js(entity, utf8.decode(b)); };
    // sl.normalize, the plain-JS baseline and their byte variants, sample by sample in this
    // process; then the bare wasm call against native, both in their own processes.
    const t = interleaved(fns, { budgetMs, minRounds: 4 });
    let vsNative = { wasmCore: null, native: null };
    if (nativeBin && existsSync(nativeBin)) {
      const files = bodies.map((b, i) => {
        const f = path.join(bodyDir, `${platform}-${entity}-${i}.json`);
        writeFileSync(f, b);
        return f;
      });
      vsNative = await wasmVsNative({ nativeBin, platform, entity, files, records, budgetMs });
    }
    const { wasmCore, native } = vsNative;
    rows.push({ platform, entity, pages: bodies.length, rowsPerPage: set.rowsPerPage, bytes: totalBytes, records, ...t, wasmCore, native, jsChecked: !!js });
  }
  return rows;
}
