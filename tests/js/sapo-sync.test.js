// Sapo end to end: the wasm module in Node syncs from the local Sapo simulator over real
// loopback HTTP (the shared family checks in helpers/family-sync.js, then Sapo's own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync, createLocalTransport } from 'storelink';
import { familySuite, withSim, sl, idsOf, assertSameIds } from './helpers/family-sync.js';
import { SAPO_DEFAULT_ACCESS_TOKEN } from '../../web/sandbox/sapo.js';

familySuite('sapo', {
  productName: 'name',
  bigCatalogue: 800,
  bigOrders: 500,
  pacingProducts: 1000,
  bucket: 40,
  orderUpdateTopic: 'orders/updated',
  productDeleteTopic: 'products/delete',
  ordersPermission: 'Đơn hàng',
  pageSize: 250,
  stock: { path: 'inventory_levels', idsParam: 'inventory_item_ids', maxIds: 250, locations: false },
  credentialLabel: 'API Secret',
});

test('sapo: orders are swept per status (status=any answers nothing) and all arrive', async () => {
  await withSim('sapo', {}, async (sim, transport, clock) => {
    const asked = [];
    const logging = async (request, o) => {
      asked.push(Object.fromEntries(request.query));
      return transport(request, o);
    };
    const { records } = await runSync(sl.createSync({ platform: 'sapo', entity: 'orders' }), logging, { clock });
    assert.deepEqual([...new Set(asked.map((q) => q.status))], ['open', 'closed', 'cancelled']);
    assert.ok(asked.every((q) => q.limit === '250' && q.order === 'modified_on asc'));
    const truth = sim.truth('orders');
    assert.ok(truth.some((o) => o.status === 'closed') && truth.some((o) => o.status === 'cancelled'));
    assertSameIds(idsOf(records), truth, 'orders of every status');
  });
});

test('sapo: the store name typed in the form is normalized; OAuth tokens use X-Sapo-Access-Token', async () => {
  const out = sl.checkCredentials('sapo', { store: 'https://DemoShop.mysapo.net/admin', apiKey: ' abc ', apiSecret: 'def' });
  assert.deepEqual(out, { values: { store: 'demoshop', apiKey: 'abc', apiSecret: 'def' }, errors: [] });
  const bad = sl.checkCredentials('sapo', { store: 'www.shop.vn', apiKey: 'a b' });
  assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['apiKey', 'apiSecret', 'store']);
  assert.match(bad.errors.find((e) => e.field === 'store').message, /mysapo\.net/);

  await withSim('sapo', {}, async (sim, _transport, clock, env) => {
    const transport = createLocalTransport(sl, { secrets: { store: 'demoshop', accessToken: SAPO_DEFAULT_ACCESS_TOKEN }, hostMap: env.hostMap });
    const { records } = await runSync(sl.createSync({ platform: 'sapo', entity: 'customers', settings: { auth: 'token' } }), transport, { clock });
    assertSameIds(idsOf(records), sim.truth('customers'), 'customers with an OAuth token');
  });
});

test('sapo: per-location stock comes from inventory_levels keyed by inventory_item_id', async () => {
  await withSim('sapo', {}, async (sim, _t, _c, env) => {
    const auth = { Authorization: `Basic ${Buffer.from(`${env.secrets.apiKey}:${env.secrets.apiSecret}`).toString('base64')}` };
    const products = await (await fetch(`${env.url}/admin/products.json?limit=5`, { headers: auth })).json();
    const items = products.products.flatMap((x) => x.variants.map((v) => v.inventory_item_id));
    const levels = await (await fetch(`${env.url}/admin/inventory_levels.json?limit=250&inventory_item_ids=${items.join(',')}`, { headers: auth })).json();
    assert.ok(levels.inventory_levels.length > 0);
    const body = JSON.stringify({ ...products, inventory_levels: levels.inventory_levels });
    const { records } = sl.normalize('sapo', 'products', body);
    for (const r of records) {
      for (const v of r.variants) {
        const src = products.products.find((x) => String(x.id) === r.externalId).variants.find((x) => String(x.id) === v.externalId);
        if (!src.inventory_management) continue;
        assert.ok(v.stock.length > 0, `${v.externalId} has per-location stock`);
        assert.equal(v.totalStock, src.inventory_quantity, 'Σ available per location = inventory_quantity');
      }
    }
  });
});
