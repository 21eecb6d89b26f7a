// Normalize throughput: wasm in Node vs the same C++ native vs plain JS, on full-size pages
// captured from every platform's simulator (see lib/bodies.js), measured in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createStoreLink } from '../wasm/js/node.js';
import { captureBodies } from './lib/bodies.js';
import { interleaved, median } from './lib/measure.js';

const NATIVE_ROUNDS = 3;

const root = new URL('..', import.meta.url).pathname;
const utf8 = new TextDecoder();
const distUrl = new URL('../wasm/dist/', import.meta.url);

/** The plain-JS baseline of a platform (bench/js/<id>.js), or null when nobody wrote one yet. */
async function jsBaseline(platform) {
  const file = new URL(`./js/${platform}.js`, import.meta.url);
  if (!existsSync(file)) return null;
  return (await import(file.href)).normalize;
}

/**
 * The bare wasm call, the same work as the native bench (UTF-8 bytes in → JSON text bytes
 * out): a second instance of the module, driven without the JS wrapper's JSON.parse.
 */
async function rawWasm() {
  const factory = (await import(new URL('storelink-core.mjs', distUrl).href)).default;
  const m = await factory({ wasmBinary: await readFile(new URL('storelink-core.wasm', distUrl)), print() {}, printErr() {} });
  if (typeof m.normalizeInput === 'function') {
    return (platform, entity, bytes) => {
      m.inputBuffer(bytes.length).set(bytes);
      return m.normalizeInput(platform, entity, bytes.length, '');
    };
  }
  return (platform, entity, bytes) => m.normalize(platform, entity, bytes, '{}').length; // before the byte boundary
}

export async function runNormalize({ budgetMs = 2500, nativeBin, pages = 4, only } = {}) {
  const sl = await createStoreLink();
  const raw = await rawWasm();
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
      wasmCore: () => { for (const b of bytes) raw(platform, entity, b); },
    };
    if (js) fns.js = () => { for (const b of bodies) js(entity, b); };
    // Bodies as bytes (what a transport holds before anyone decodes them): wasm takes the
    // UTF-8 as it is; plain JS decodes it first, as res.json() / res.text() would.
    fns.wasmBytes = () => { for (const b of bytes) sl.normalize(platform, entity, b); };
    if (js) fns.jsBytes = () => { for (const b of bytes) js(entity, utf8.decode(b)); };
    // Native runs in its own process, so it cannot be interleaved sample by sample: the budget
    // is split into rounds, each timing wasm/JS then native right after, and wasm ÷ native is
    // the median of the rounds' own ratios (a load change between two long blocks used to
    // move it by ±30 %: bench/RESULTS.md round three (b)).
    let files = null;
    if (nativeBin && existsSync(nativeBin)) {
      files = bodies.map((b, i) => {
        const f = path.join(bodyDir, `${platform}-${entity}-${i}.json`);
        writeFileSync(f, b);
        return f;
      });
    }
    const rounds = [];
    for (let k = 0; k < NATIVE_ROUNDS; k++) {
      const t = interleaved(fns, { budgetMs: budgetMs / NATIVE_ROUNDS, minRounds: 4 });
      let native = null;
      if (files) {
        const out = JSON.parse(execFileSync(nativeBin, ['--ms', String(Math.round(budgetMs / 2 / NATIVE_ROUNDS)), platform, entity, ...files], { encoding: 'utf8' }));
        assert.equal(out.records, records, `native bench counted ${out.records} records, wasm ${records}`);
        native = { cpu: out.cpuMedian, wall: out.wallMedian, samples: out.samples };
      }
      rounds.push({ t, native });
    }
    const t = Object.fromEntries(Object.keys(fns).map((n) => [n, {
      cpu: median(rounds.map((r) => r.t[n].cpu)), wall: median(rounds.map((r) => r.t[n].wall)), samples: rounds.reduce((a, r) => a + r.t[n].samples, 0),
    }]));
    const native = files ? {
      cpu: median(rounds.map((r) => r.native.cpu)), wall: median(rounds.map((r) => r.native.wall)), samples: rounds.reduce((a, r) => a + r.native.samples, 0),
      // Paired in time: each round's native ÷ that round's wasm.
      coreRatio: median(rounds.map((r) => r.native.cpu / r.t.wasmCore.cpu)),
      e2eRatio: median(rounds.map((r) => r.native.cpu / r.t.wasm.cpu)),
    } : null;
    rows.push({ platform, entity, pages: bodies.length, rowsPerPage: set.rowsPerPage, bytes: totalBytes, records, ...t, native, jsChecked: !!js });
  }
  return rows;
}
