// Normalize throughput: wasm in Node vs the same C++ native vs plain JS, on full-size pages
// captured from every platform's simulator (see lib/bodies.js), measured in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createStoreLink } from '../wasm/js/node.js';
import { captureBodies } from './lib/bodies.js';
import { interleaved } from './lib/measure.js';

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
    const t = interleaved(fns, { budgetMs });

    let native = null;
    if (nativeBin && existsSync(nativeBin)) {
      const files = bodies.map((b, i) => {
        const f = path.join(bodyDir, `${platform}-${entity}-${i}.json`);
        writeFileSync(f, b);
        return f;
      });
      const out = JSON.parse(execFileSync(nativeBin, ['--ms', String(Math.round(budgetMs / 2)), platform, entity, ...files], { encoding: 'utf8' }));
      assert.equal(out.records, records, `native bench counted ${out.records} records, wasm ${records}`);
      native = { cpu: out.cpuMedian, wall: out.wallMedian, samples: out.samples };
    }
    rows.push({ platform, entity, pages: bodies.length, rowsPerPage: set.rowsPerPage, bytes: totalBytes, records, ...t, native, jsChecked: !!js });
  }
  return rows;
}
