// Node entry point. The module is built for web/worker (see CMakeLists.txt), so Node reads the
// .wasm itself and hands it over as wasmBinary.
import { readFile } from 'node:fs/promises';
import { StoreLink } from './core.js';

export { StoreLink, SyncJob } from './core.js';
export { SyncError } from './errors.js';
export { errorMessage, localizePlatforms, missingTexts, LANGUAGES } from './i18n/index.js';
export { runSync, realClock } from './driver.js';
export { sweepDeletions } from './sweep.js';
export { createLocalTransport, createProxyTransport, mapHost } from './transport.js';

const distUrl = new URL('../dist/', import.meta.url);

export async function createStoreLink(options = {}) {
  // Cold start: the glue's import, the .wasm read and its compilation overlap (compilation
  // runs on V8's background threads while the glue is parsed).
  const compiled = (async () => {
    const bytes = options.wasmBinary ?? (await readFile(new URL('storelink-core.wasm', distUrl)));
    return WebAssembly.compile(bytes);
  })();
  compiled.catch(() => {}); // reported below, once
  let factory;
  try {
    factory = (await import(new URL('storelink-core.mjs', distUrl).href)).default;
  } catch (e) {
    throw new Error('storelink: the wasm module is not built yet — run `npm run build` first', { cause: e });
  }
  const wasmModule = await compiled;
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const module = await Promise.race([
    factory({
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => receiveInstance(instance, wasmModule), fail);
        return {}; // exports arrive through receiveInstance
      },
      print: () => {},
      printErr: () => {},
    }),
    failed,
  ]);
  return new StoreLink(module);
}
