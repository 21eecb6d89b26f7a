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
import * as sapo from './sapo.js';
import * as haravan from './haravan.js';
import * as nhanh from './nhanh.js';
import * as pancake from './pancake.js';
import * as odoo from './odoo.js';
import * as getfly from './getfly.js';
import * as misa from './misa.js';

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
  sapo: {
    async start(options = {}) {
      const sim = sapo.createSapoSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      const { store, apiKey, apiSecret } = sim.info().credentials;
      // Only the sandbox shop's own host is mapped: another *.mysapo.net would be a real shop.
      return { sim, url, secrets: { store, apiKey, apiSecret }, hostMap: { [`${store}.mysapo.net`]: url } };
    },
  },
  haravan: {
    async start(options = {}) {
      const sim = haravan.createHaravanSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      const { shop, accessToken } = sim.info().credentials;
      // The webhook authentication string the shop copies from its admin (haravan.md A.5.1).
      return { sim, url, secrets: { shop, accessToken, webhookSecret: sim.info().webhookSecret }, hostMap: { 'apis.haravan.com': url } };
    },
  },
  nhanh: {
    entities: { locations: 'depots' },
    truthId: (row) => row.info?.id ?? row.id, // orders come as {info: {id}, ...}
    // A ready token comes with the secrets so headless syncs skip the consent page; the
    // consent flow itself is served too (nhanh.vn/oauth → returnLink?accessCode=…).
    async start(options = {}) {
      const sim = nhanh.createNhanhSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      const i = sim.info();
      return {
        sim,
        url,
        secrets: { account: i.account, accessToken: i.accessToken, businessId: i.businessId, appId: i.appId, secretKey: i.secretKey },
        hostMap: { 'pos.open.nhanh.vn': url, 'nhanh.vn': url },
      };
    },
  },
  pancake: {
    // Orders and warehouses are covered. Products and customers have no updated-since filter,
    // no documented sort and no id filter (pc.md §1.3): they are re-paged whole by page number,
    // so a record deleted while a run pages shifts an unread one onto a page already read, and
    // that run misses it (the next finds it); webhooks carry their changes in between.
    faultSuite: {
      products: 're-paged whole by page number (no filter, sort or keyset in pc.md): a deletion mid-run makes that run miss a record',
      customers: 're-paged whole by page number (no filter, sort or keyset in pc.md): a deletion mid-run makes that run miss a record',
    },
    async start(options = {}) {
      const sim = pancake.createPancakeSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      return {
        sim,
        url,
        secrets: { apiKey: pancake.PANCAKE_DEFAULT_API_KEY, shopId: pancake.PANCAKE_DEFAULT_SHOP_ID },
        hostMap: { 'pos.pages.fm': url, 'pos.pancake.vn': url },
      };
    },
  },
  odoo: {
    async start(options = {}) {
      const sim = odoo.createOdooSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      const host = odoo.ODOO_HOST;  // a shop's own server; any name works, the proxy checks it
      return {
        sim,
        url,
        secrets: { url: `https://${host}`, database: odoo.ODOO_DEFAULT_DB, login: odoo.ODOO_DEFAULT_LOGIN, apiKey: odoo.ODOO_DEFAULT_API_KEY },
        hostMap: { [host]: url },
      };
    },
  },
  getfly: {
    async start(options = {}) {
      const sim = getfly.createGetflySimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      return {
        sim,
        url,
        secrets: { domain: getfly.GETFLY_HOST, apiKey: getfly.GETFLY_DEFAULT_API_KEY },
        hostMap: { [getfly.GETFLY_HOST]: url },
      };
    },
  },
  misa: {
    // Products, customers and branches are covered. Orders are sales invoices, listed only by
    // invoice date (pagingbycustomer FromDate/ToDate) and carrying no modification time;
    // misa.md does not say whether or how an invoice changes after the sale (PaymentStatus,
    // DebitAmount suggest it does). Edits cannot be modelled faithfully, and any would be
    // invisible to an incremental sync.
    faultSuite: { orders: 'sales invoices list by invoice date only: whether and how an invoice changes later is unknown (misa.md), and no incremental sync could see it' },
    entities: { locations: 'branches' },
    truthId: (row) => row.Id ?? row.InvoiceId,
    async start(options = {}) {
      const sim = misa.createMisaSimulator(options);
      const { url } = await sim.listen(options.port ?? 0);
      return {
        sim,
        url,
        secrets: { domain: misa.MISA_DEFAULT_DOMAIN, appId: misa.MISA_DEFAULT_APP_ID, secretKey: misa.MISA_DEFAULT_SECRET_KEY },
        hostMap: { [misa.MISA_HOST]: url },
      };
    },
  },
};

/**
 * One knob for every simulator's rate limits: `rateSpeedup: N` runs them N times faster —
 * windows N times shorter, buckets leaking N times faster, lockouts N times shorter — so a
 * 100,000-product sync on the real-time clock takes seconds while keeping each platform's
 * ratios (burst ÷ rate, lock ÷ window). Each simulator's own option, translated here:
 */
const SPEEDUP = {
  kiotviet: (n, o) => ({ rateLimit: { limit: 5000, windowMs: 3_600_000 / n, ...o.rateLimit } }),
  sapo: (n) => ({ timeScale: n }),
  haravan: (n) => ({ timeScale: n }),
  nhanh: (n) => ({ timeScale: 1 / n }),
  pancake: (n) => ({ timeScale: 1 / n }),
  getfly: (n, o) => ({ rateLimit: { limit: 10, windowMs: 1000 / n, ...o.rateLimit } }),
  // Odoo and MISA publish no rate limit (odoo.md, misa.md): their simulators enforce none.
  odoo: () => ({}),
  misa: () => ({}),
};

export function speedupOptions(platform, options = {}) {
  const n = options.rateSpeedup;
  if (n == null || n === 1) return options;
  if (!(n > 0)) throw new Error('rateSpeedup must be > 0');
  const { rateSpeedup: _n, ...rest } = options;
  return { ...rest, ...(SPEEDUP[platform]?.(n, rest) ?? {}) };
}

export async function startSandbox(platform, options = {}) {
  const entry = SANDBOXES[platform];
  if (!entry) throw new Error(`no sandbox for platform ${platform}`);
  const env = await entry.start(speedupOptions(platform, options));
  return { ...env, platform, close: () => env.sim.close() };
}
