// Size on the wire (.wasm + JS glue, raw and gzip) and cold start in Node: a fresh process,
// timed from just before `import('storelink')` to the first normalize result.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { median } from './lib/measure.js';

const root = new URL('..', import.meta.url);

export function runSize() {
  const files = [];
  const add = (dir, name, kind) => {
    const buf = readFileSync(new URL(`${dir}/${name}`, root));
    files.push({ file: `${dir}/${name}`, kind, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
  };
  add('wasm/dist', 'storelink-core.wasm', 'wasm');
  add('wasm/dist', 'storelink-core.mjs', 'glue');
  // The package's own JS that a browser loads with the module (the Node entry differs only in the loader).
  for (const f of readdirSync(new URL('wasm/js/', root)).filter((f) => f.endsWith('.js') && !['cli.js', 'node.js'].includes(f))) add('wasm/js', f, 'js');
  const sum = (k, pred) => files.filter(pred).reduce((s, f) => s + f[k], 0);
  return {
    files,
    wasmGlue: { raw: sum('raw', (f) => f.kind !== 'js'), gzip: sum('gzip', (f) => f.kind !== 'js') },
    withJs: { raw: sum('raw', () => true), gzip: sum('gzip', () => true) },
  };
}

// Runs in the child: the clock starts before the package is imported.
const CHILD = `
const c0 = process.cpuUsage();
const t0 = performance.now();
const { createStoreLink } = await import('storelink');
const t1 = performance.now();
const sl = await createStoreLink();
const t2 = performance.now();
const out = sl.normalize('kiotviet', 'products', process.argv[1]);
const t3 = performance.now();
if (out.records.length !== 1) throw new Error('cold start: unexpected result');
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ importMs: t1 - t0, instantiateMs: t2 - t1, firstNormalizeMs: t3 - t2, totalMs: t3 - t0, cpuMs: (c.user + c.system) / 1000 }));
`;

export function runColdStart({ runs = 7 } = {}) {
  const product = JSON.stringify({ total: 1, pageSize: 100, data: [{ id: 1, code: 'SP1', name: 'Áo thun', basePrice: 150000, modifiedDate: '2025-03-19T17:58:36.4470000' }] });
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, product], { cwd: new URL('.', root).pathname, encoding: 'utf8' });
    samples.push(JSON.parse(out));
  }
  const pick = (k) => median(samples.map((s) => s[k]));
  return { runs, importMs: pick('importMs'), instantiateMs: pick('instantiateMs'), firstNormalizeMs: pick('firstNormalizeMs'), totalMs: pick('totalMs'), cpuMs: pick('cpuMs'), minTotalMs: Math.min(...samples.map((s) => s.totalMs)) };
}
