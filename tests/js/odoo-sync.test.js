// Odoo end to end: the wasm module syncs from the local Odoo simulator (versions 14 → 19) over
// loopback HTTP, secrets filled the way the proxy fills them (the server URL included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { createOdooSimulator, ODOO_HOST, ODOO_DEFAULT_DB, ODOO_DEFAULT_LOGIN, ODOO_DEFAULT_API_KEY, ODOO_DEFAULT_PASSWORD } from '../../web/sandbox/odoo.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();
const SECRETS = { url: `https://${ODOO_HOST}/odoo/action-sales`, database: ODOO_DEFAULT_DB, login: ODOO_DEFAULT_LOGIN, apiKey: ODOO_DEFAULT_API_KEY };

function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; } };
  return c;
}

async function withSim(options, fn, secrets = SECRETS) {
  const sim = createOdooSimulator({ seed: 7, counts: { products: 45, customers: 40, orders: 60 }, ...options });
  const { url } = await sim.listen(0);
  const transport = createLocalTransport(sl, { secrets, hostMap: { [ODOO_HOST]: url } });
  try {
    return await fn(sim, transport);
  } finally {
    await sim.close();
  }
}

const sync = (transport, entity, extra = {}) =>
  runSync(sl.createSync({ platform: 'odoo', entity, ...extra }), transport, { clock: virtualClock() });

function assertSameIds(records, truth, label) {
  const ids = records.filter((r) => !r.deleted).map((r) => r.externalId);
  assert.equal(ids.length, new Set(ids).size, `${label}: duplicates`);
  assert.deepEqual([...ids].sort(), truth.map((r) => String(r.id)).sort(), `${label}: records differ from the simulator's truth`);
}

test('every entity, on every version 14 → 19, matches the simulator and the schema', async () => {
  for (const version of [14, 16, 17, 18, 19]) {
    await withSim({ version }, async (sim, transport) => {
      for (const entity of ['locations', 'products', 'orders', 'customers']) {
        const { records, progress } = await sync(transport, entity);
        assertValidRecords(records);
        assertSameIds(records, sim.truth(entity), `v${version} ${entity}`);
        assert.equal(progress.phase, 'done');
      }
      const stats = sim.stats();
      // No request ever asked for a field this version lacks: no ValueError anywhere.
      assert.equal(JSON.stringify(stats.byRoute).includes('json/2'), version >= 19, `v${version}: JSON-2 only on 19+`);
    });
  }
});

test('values follow the server: stock, options, statuses, lines, partners', async () => {
  await withSim({ version: 17 }, async (sim, transport) => {
    const products = (await sync(transport, 'products')).records;
    const truth = new Map(sim.truth('products').map((p) => [String(p.id), p]));
    let withOptions = 0;
    let withStock = 0;
    for (const p of products) {
      const src = truth.get(p.externalId);
      assert.equal(p.parentExternalId, String(src.product_tmpl_id[0]), 'the template is the parent');
      assert.equal(p.variants[0].price, src.lst_price);
      assert.equal(p.variants[0].sku, src.default_code || null);
      if (src.detailed_type === 'product') assert.equal(p.totalStock, src.free_qty);
      else assert.equal(p.totalStock, null, `${src.display_name}: untracked goods have no stock`);
      if (Object.keys(p.variants[0].options).length) withOptions++;
      if (p.variants[0].stock.length) {
        withStock++;
        const sum = p.variants[0].stock.reduce((s, x) => s + x.available, 0);
        assert.equal(sum, src.free_qty, 'per-warehouse stock adds up to free_qty');
        for (const s of p.variants[0].stock) assert.ok(['1', '2'].includes(s.locationId), 'stock is keyed by warehouse');
      }
    }
    assert.ok(withOptions > 10 && withStock > 10, `${withOptions} with options, ${withStock} with stock`);

    const orders = (await sync(transport, 'orders')).records;
    const states = new Map(sim.truth('orders').map((o) => [String(o.id), o]));
    const seen = new Set();
    for (const o of orders) {
      const src = states.get(o.externalId);
      const expected = { draft: 'pending', sent: 'pending', cancel: 'cancelled', sale: src.locked ? 'completed' : 'confirmed' }[src.state];
      assert.equal(o.status, expected, `${src.name} ${src.state}${src.locked ? '+locked' : ''}`);
      seen.add(o.status);
      assert.equal(o.total, src.amount_total);
      const productLines = sim.rows('sale.order.line').filter((l) => l.order_id === src.id && !l.display_type && !l.is_delivery);
      assert.equal(o.lines.length, productLines.length, `${src.name}: section/note/delivery lines are not products`);
      assert.ok(Math.abs(o.subtotal + o.shippingFee - src.amount_untaxed) < 1e-6, `${src.name}: lines + shipping = untaxed`);
      assert.equal(o.customer.externalId, String(src.partner_id[0]));
    }
    for (const s of ['pending', 'confirmed', 'completed', 'cancelled']) assert.ok(seen.has(s), `status ${s} appears`);
    assert.ok(orders.some((o) => o.shippingFee > 0), 'delivery lines become shippingFee');

    const customers = (await sync(transport, 'customers')).records;
    const phones = customers.map((c) => c.phone).filter(Boolean);
    assert.ok(phones.filter((p) => /^\+84\d{9,10}$/.test(p)).length / phones.length > 0.8, 'phones become E.164');
    assert.ok(customers.some((c) => c.address?.province), 'addresses carry the province');
  });
});

test('an incremental run reads only what changed (write_date >=), including archived records', async () => {
  await withSim({ version: 18 }, async (sim, transport) => {
    const first = await sync(transport, 'products');
    const victim = sim.truth('products')[3].id;
    const touched = sim.truth('products')[8].id;
    await new Promise((r) => setTimeout(r, 1100));  // write_date has whole seconds
    sim.touch('products', touched);
    sim.remove('products', victim);  // archived: active = false
    const created = sim.create('products').id;
    const inc = await sync(transport, 'products', { checkpoint: first.checkpoint });
    assert.equal(inc.progress.mode, 'incremental');
    const ids = inc.records.map((r) => r.externalId);
    for (const id of [victim, touched, created]) assert.ok(ids.includes(String(id)), `product ${id} in the incremental run`);
    assert.ok(inc.records.length <= 10, `incremental read ${inc.records.length} records`);
    assert.equal(inc.records.find((r) => r.externalId === String(victim)).active, false);
  });
});

test('19: an API key goes through JSON-2; a password falls back to JSON-RPC', async () => {
  await withSim({ version: 19 }, async (sim, transport) => {
    const { records } = await sync(transport, 'customers');
    assert.ok(records.length > 0);
    const routes = Object.keys(sim.stats().byRoute);
    assert.ok(routes.some((r) => r.startsWith('POST /json/2/res.partner/search_read')));
    assert.ok(!routes.some((r) => r.includes('execute_kw')), 'no deprecated RPC with a key');
  });
  await withSim({ version: 19 }, async (sim, transport) => {
    const { records } = await sync(transport, 'customers');
    assert.ok(records.length > 0);
    const routes = Object.keys(sim.stats().byRoute);
    assert.ok(routes.some((r) => r.includes('common.authenticate')) && routes.some((r) => r.includes('execute_kw res.partner.search_read')));
  }, { ...SECRETS, apiKey: ODOO_DEFAULT_PASSWORD });
});

test('bad credentials, a wrong database and a wrong address fail with readable errors', async () => {
  await withSim({}, async (sim, transport) => {
    await assert.rejects(sync(transport, 'products'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /khóa API/.test(e.message) && /Custom/.test(e.message));
    assert.equal(sim.stats().loginFailures, 1, 'authenticate returned false once; no retry storm');
  }, { ...SECRETS, apiKey: 'wrong-key' });
  await withSim({}, async (_sim, transport) => {
    await assert.rejects(sync(transport, 'orders'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.field === 'database');
  }, { ...SECRETS, database: 'nope' });
  await withSim({}, async (_sim, transport) => {
    await assert.rejects(sync(transport, 'orders'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.field === 'url');
  }, { ...SECRETS, url: 'https://odoo công ty' });
  await withSim({ externalApi: false }, async (_sim, transport) => {
    await assert.rejects(sync(transport, 'orders'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /gói Tùy chỉnh/.test(e.message));
  });
});

test('survives 429s, gateway errors and truncated bodies', async () => {
  await withSim({ faults: { rate429: 0.15, rate5xx: 0.15, rateTruncated: 0.1 } }, async (sim, transport) => {
    const { records, progress } = await sync(transport, 'orders', { seed: 5 });
    assertSameIds(records, sim.truth('orders'), 'orders under faults');
    assert.ok(sim.stats().faultsInjected > 0 && progress.retries > 0);
    assert.ok(records.every((o) => o.lines.length > 0 || sim.rows('sale.order.line').every((l) => l.order_id !== Number(o.externalId) || l.display_type || l.is_delivery)), 'follow-ups completed every order');
  });
});
