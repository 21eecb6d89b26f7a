// The registry of platform simulators: how the CLI, the server (sandbox mode) and the tests
// start a platform's simulator and learn the credentials and host mapping that reach it.
//
//   const env = await startSandbox('kiotviet');   // { sim, url, secrets, hostMap, close() }
//
// Each entry: start(options) → { sim, url, secrets, hostMap }. `secrets` are the credential
// fields exactly as sl.platforms() names them; `hostMap` maps every real API host of the
// platform to the simulator's loopback origin. `entities` (optional) maps StoreLink entity
// names to the simulator's where they differ; tests/js/faults.test.js uses it with the
// simulator's truth/touch/create/remove/expireTokens controls and its handle(req, res).
import * as kiotviet from './kiotviet.js';

export const SANDBOXES = {
  kiotviet: {
    entities: { products: 'products', orders: 'orders', customers: 'customers', locations: 'branches' },
    async start(options = {}) {
      const sim = kiotviet.createKiotVietSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      return {
        sim,
        url,
        secrets: {
          retailer: kiotviet.KIOTVIET_DEFAULT_RETAILER,
          clientId: kiotviet.KIOTVIET_DEFAULT_CLIENT_ID,
          clientSecret: kiotviet.KIOTVIET_DEFAULT_CLIENT_SECRET,
        },
        hostMap: { 'public.kiotapi.com': url, 'id.kiotviet.vn': url },
      };
    },
  },
};

export async function startSandbox(platform, options = {}) {
  const entry = SANDBOXES[platform];
  if (!entry) throw new Error(`no sandbox for platform ${platform}`);
  const env = await entry.start(options);
  return { ...env, platform, close: () => env.sim.close() };
}
