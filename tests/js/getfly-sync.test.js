// Getfly CRM end to end: the wasm module syncs from the local Getfly simulator over loopback
// HTTP; webhooks from the simulator are verified and classified by the same module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { createGetflySimulator, GETFLY_HOST, GETFLY_DEFAULT_API_KEY, GETFLY_DEFAULT_WEBHOOK_SECRET } from '../../web/sandbox/getfly.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();
const SECRETS = { domain: 'https://demo.getflycrm.com/#/dashboard', apiKey: GETFLY_DEFAULT_API_KEY };

function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; } };
  return c;
}

// The simulator runs on the job's clock, so its rate window sees the job's pacing.
async function withSim(options, fn, secrets = SECRETS) {
  const clock = virtualClock();
  const sim = createGetflySimulator({ seed: 3, now: clock.now, ...options });
  const { url } = await sim.listen(0);
  const transport = createLocalTransport(sl, { secrets, hostMap: { [GETFLY_HOST]: url } });
  const sync = (entity, extra = {}) => runSync(sl.createSync({ platform: 'getfly', entity, ...extra }), transport, { clock });
  try {
    return await fn(sim, sync, clock);
  } finally {
    await sim.close();
  }
}

function assertSameIds(records, truth, label) {
  const ids = records.filter((r) => !r.deleted).map((r) => r.externalId);
  assert.equal(ids.length, new Set(ids).size, `${label}: duplicates`);
  assert.deepEqual([...ids].sort(), truth.map((r) => String(r.id)).sort(), `${label}: records differ from the simulator's truth`);
}

test('every entity matches the simulator and the schema, paged by id', async () => {
  await withSim({ counts: { products: 230, customers: 120, orders: 150 } }, async (sim, sync) => {
    for (const entity of ['locations', 'products', 'orders', 'customers']) {
      const { records, progress } = await sync(entity);
      assertValidRecords(records);
      assertSameIds(records, sim.truth(entity), entity);
      assert.equal(progress.phase, 'done');
    }
    const routes = Object.keys(sim.stats().byRoute);
    assert.deepEqual(routes.sort(), ['GET /api/v6.1/accounts', 'GET /api/v6.1/product/inventories', 'GET /api/v6.1/products', 'GET /api/v6.1/sale_orders', 'GET /api/v6.1/warehouses']);
    assert.equal(sim.stats().byRoute['GET /api/v6.1/products'][200], 3, '230 products: 3 pages of 100, no trailing empty page');
    // Stock: one inventories walk per products page (~1.6 rows per product: 2 pages each for
    // a full page of 100), the warehouse names read once.
    const inventoryPages = sim.stats().byRoute['GET /api/v6.1/product/inventories'][200];
    assert.ok(inventoryPages >= 3 && inventoryPages <= 6, `inventory pages: ${inventoryPages}`);
    assert.equal(sim.stats().byRoute['GET /api/v6.1/warehouses'][200], 2, 'locations sync + the products job setup');
  });
});

test('product stock per warehouse comes from /product/inventories, ids of the location records', async () => {
  await withSim({ counts: { products: 150 } }, async (sim, sync) => {
    const locations = (await sync('locations')).records;
    const products = (await sync('products')).records;
    const idByName = new Map(locations.map((l) => [l.name, l.externalId]));
    const rows = sim.inventories();
    const services = new Set(sim.truth('products').filter((p) => p.services).map((p) => String(p.id)));
    let withStock = 0;
    for (const p of products) {
      const v = p.variants[0];
      const mine = rows.filter((r) => String(r.product_id) === p.externalId);
      assert.deepEqual(
        v.stock.map((s) => [s.locationId, s.onHand, s.available]).sort(),
        mine.map((r) => [idByName.get(r.warehouse_name), r.quantity, r.quantity]).sort(),
        `product ${p.externalId}`,
      );
      assert.equal(v.totalStock, mine.reduce((n, r) => n + r.quantity, 0), `total of ${p.externalId}`);
      if (services.has(p.externalId)) assert.deepEqual(v.stock, [], 'a service holds no stock');
      if (v.stock.length > 1) withStock++;
    }
    assert.ok(withStock > 10, 'several products stocked in both warehouses');
  });
});

test('values: discounts, VAT, statuses and phones', async () => {
  await withSim({}, async (sim, sync) => {
    const orders = (await sync('orders')).records;
    const truth = new Map(sim.truth('orders').map((o) => [String(o.id), o]));
    const statuses = new Set();
    for (const o of orders) {
      const src = truth.get(o.externalId);
      assert.equal(o.total, src.real_amount);
      assert.equal(o.tax, src.vat_amount);
      assert.equal(o.discount, src.discount_amount, 'discount_amount is money');
      assert.equal(o.lines.length, src.order_details.length);
      assert.equal(o.subtotal, src.order_details.reduce((s, d) => s + d.amount, 0));
      statuses.add(o.status);
    }
    for (const s of ['pending', 'confirmed', 'completed', 'cancelled']) assert.ok(statuses.has(s), `status ${s}`);
    const products = (await sync('products')).records;
    assert.ok(products.every((p) => p.variants.length === 1 && p.variants[0].externalId === p.externalId), 'one sellable item each');
    assert.ok(products.some((p) => p.taxRate === 8 || p.taxRate === 10), 'product_vat is the tax rate');
    const customers = (await sync('customers')).records;
    const phones = customers.map((c) => c.phone).filter(Boolean);
    assert.ok(phones.filter((p) => /^\+84\d{9,10}$/.test(p)).length / phones.length > 0.8);
    assert.ok(customers.some((c) => c.totalSpent > 0), 'total_revenue');
  });
});

test('an incremental products run reuses the warehouse names for an hour; the edited products still carry their stock', async () => {
  await withSim({ counts: { products: 120 } }, async (sim, sync, clock) => {
    const idByName = new Map((await sync('locations')).records.map((l) => [l.name, l.externalId]));
    const warehouses = () => sim.stats().byRoute['GET /api/v6.1/warehouses'][200];
    let { checkpoint } = await sync('products');
    assert.equal(warehouses(), 2, 'the locations sync and the products job setup');
    for (const [minutes, asks] of [[20, 0], [30, 0], [15, 1]]) {
      clock.sleep(minutes * 60_000);
      const edited = sim.truth('products')[minutes];
      sim.touch('products', edited.id); // its price and its stock move
      const before = warehouses();
      const inc = await sync('products', { checkpoint });
      assert.equal(inc.progress.mode, 'incremental');
      assert.equal(warehouses() - before, asks, `after ${minutes} more minutes`);
      const got = inc.records.find((r) => r.externalId === String(edited.id));
      const mine = sim.inventories().filter((r) => r.product_id === edited.id);
      assert.deepEqual(got.variants[0].stock.map((s) => [s.locationId, s.onHand]).sort(), mine.map((r) => [idByName.get(r.warehouse_name), r.quantity]).sort());
      checkpoint = inc.checkpoint;
    }
  });
});

test('incremental runs filter by updated_at and keep one filter while paging', async () => {
  await withSim({ counts: { products: 20, customers: 20, orders: 250 } }, async (sim, sync, clock) => {
    let first = 0;
    const seen = new Map();
    const job = sl.createSync({ platform: 'getfly', entity: 'orders' });
    const transport = createLocalTransport(sl, { secrets: SECRETS, hostMap: { [GETFLY_HOST]: sim.url } });
    const { checkpoint } = await runSync(job, transport, {
      clock,
      onRecords: async (records) => {
        for (const r of records) seen.set(r.externalId, r);
        // Between pages the shop approves an order that was already read and adds one.
        if (++first === 1) {
          sim.touch('orders', sim.truth('orders')[0].id);
          sim.create('orders');
        }
      },
    });
    assert.equal(seen.size, sim.truth('orders').length, 'an insert during the sweep lands on a later page');
    clock.sleep(60_000);
    sim.touch('orders', sim.truth('orders')[10].id);
    const inc = await sync('orders', { checkpoint });
    assert.equal(inc.progress.mode, 'incremental');
    assert.ok(inc.records.some((r) => r.externalId === String(sim.truth('orders')[10].id)));
    // The 5-minute overlap re-reads the few orders touched just before the first run ended.
    assert.ok(inc.records.length < 25 && inc.progress.requests === 1, `incremental read ${inc.records.length} in ${inc.progress.requests} requests`);
  });
});

test('429 bursts are waited out (Retry-After); a wrong key or domain fails clearly', async () => {
  await withSim({ rateLimit: { limit: 1, windowMs: 2000 } }, async (sim, sync, clock) => {
    const { records, progress } = await sync('customers');
    assert.equal(records.length, sim.truth('customers').length);
    assert.ok(sim.stats().rateLimited === 0 || progress.retries > 0);
  });
  await withSim({ rateLimit: { limit: 1, windowMs: 5000 }, counts: { customers: 250 } }, async (sim, sync, clock) => {
    const { records, progress } = await sync('customers');
    assert.equal(records.length, 250);
    assert.ok(sim.stats().rateLimited > 0 && progress.retries > 0, 'the limit was hit and backed off');
    assert.ok(clock.waited.some((ms) => ms >= 1000), 'waited per Retry-After');
  });
  await withSim({}, async (_sim, sync) => {
    await assert.rejects(sync('products'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.field === 'apiKey' && /API Key/.test(e.message));
  }, { ...SECRETS, apiKey: 'wrong' });
  await withSim({}, async (_sim, sync) => {
    await assert.rejects(sync('products'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.field === 'domain' && /getflycrm\.com/.test(e.message));
  }, { ...SECRETS, domain: 'crm.example.com' });
});

test('webhooks: form bodies with secret_key, ids only; deletions become tombstones', async () => {
  await withSim({}, async (sim) => {
    sim.create('orders');
    sim.touch('customers', sim.truth('customers')[2].id);
    const gone = sim.truth('customers')[4].id;
    sim.remove('customers', gone);
    const hooks = sim.webhooks();
    assert.deepEqual(hooks.map((h) => h.event), ['order.created', 'customer.updated', 'customer.deleted']);
    const events = hooks.map((h) => sl.inspectWebhook('getfly', h.headers, h.body, GETFLY_DEFAULT_WEBHOOK_SECRET));
    assert.deepEqual(events.map((e) => e.entity), ['orders', 'customers', 'customers']);
    assert.ok(events.every((e) => e.signatureChecked && e.storeKey === 'demo.getflycrm.com' && e.eventId));
    assert.equal(events[2].deletion, true);
    assert.throws(() => sl.inspectWebhook('getfly', hooks[0].headers, hooks[0].body, 'another-secret'), (e) => e.code === 'forbidden');
    const out = sl.normalize('getfly', 'customers', hooks[2].body);
    assert.deepEqual(out.records.map((r) => [r.externalId, r.deleted]), [[String(gone), true]]);
    assert.equal(sl.normalize('getfly', 'orders', hooks[0].body).records.length, 0, 'ids only: a sync fetches the order');
  });
});
