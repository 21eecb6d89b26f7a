// Vite 7 build of the "Quản lý liên kết" page. Plain ES modules + Preact (via htm, no JSX
// plugin). The wasm module runs in a module worker; `storelink` resolves to the package's
// browser entry in this repository, so the page always runs the core built next to it, and
// `storelink/i18n` to its texts (no wasm: the page itself imports them).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const apiTarget = process.env.STORELINK_API ?? 'http://127.0.0.1:8080';

// DEV ONLY (`vite` serve, never `vite build`): hand the page the demo store's token that the
// sandbox server uses (STORELINK_DEV_TOKEN), as the embedding admin shell would in production.
const devToken = {
  name: 'storelink-dev-token',
  apply: 'serve',
  transformIndexHtml() {
    const token = process.env.STORELINK_DEV_TOKEN;
    return token ? [{ tag: 'meta', attrs: { name: 'storelink-token', content: token }, injectTo: 'head' }] : [];
  },
};

export default defineConfig({
  root: here('.'),
  plugins: [devToken],
  base: './',
  resolve: {
    alias: [
      { find: /^storelink$/, replacement: here('../../wasm/js/browser.js') },
      { find: /^storelink\/i18n$/, replacement: here('../../wasm/js/i18n/index.js') },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0, // keep the .wasm a file of its own (streaming compile, cacheable)
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite web/dashboard` during development: the page talks to a running server.
    proxy: { '/api': apiTarget, '/webhooks': apiTarget, '/sandbox': apiTarget },
    fs: { allow: [here('../..')] },
  },
});
