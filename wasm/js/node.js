// Node entry point. The module is built for web/worker (see CMakeLists.txt), so Node reads the
// .wasm itself and hands it over as wasmBinary.
import { readFile } from 'node:fs/promises';
import { StoreLink } from './core.js';

export { StoreLink, SyncJob } from './core.js';
export { SyncError } from './errors.js';
export { runSync, realClock } from './driver.js';
export { createLocalTransport, createProxyTransport, mapHost } from './transport.js';

const distUrl = new URL('../dist/', import.meta.url);

export async function createStoreLink(options = {}) {
  let factory;
  try {
    factory = (await import(new URL('storelink-core.mjs', distUrl).href)).default;
  } catch (e) {
    throw new Error('storelink: the wasm module is not built yet — run `npm run build` first', { cause: e });
  }
  const wasmBinary = options.wasmBinary ?? (await readFile(new URL('storelink-core.wasm', distUrl)));
  const module = await factory({ wasmBinary, print: () => {}, printErr: () => {} });
  return new StoreLink(module);
}
