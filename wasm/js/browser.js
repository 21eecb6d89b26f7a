// Browser / worker entry point: the glue fetches the .wasm next to itself.
import factory from '../dist/storelink-core.mjs';
import { StoreLink } from './core.js';

export { StoreLink, SyncJob } from './core.js';
export { SyncError } from './errors.js';
export { errorMessage, localizePlatforms, missingTexts, LANGUAGES } from './i18n/index.js';
export { runSync, realClock } from './driver.js';
export { sweepDeletions } from './sweep.js';
export { createLocalTransport, createProxyTransport, mapHost } from './transport.js';

export async function createStoreLink(options = {}) {
  const wasmUrl = options.wasmUrl ?? new URL('../dist/storelink-core.wasm', import.meta.url).href;
  const module = await factory({
    locateFile: (file) => (file.endsWith('.wasm') ? wasmUrl : file),
    ...(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {}),
  });
  return new StoreLink(module);
}
