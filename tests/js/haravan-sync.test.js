// Haravan end to end: the wasm module in Node syncs from the local Haravan simulator over real
// loopback HTTP (the shared family checks in helpers/family-sync.js, then Haravan's own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync } from 'storelink';
import { familySuite, withSim, sl, applier } from './helpers/family-sync.js';

familySuite('haravan', {
  productName: 'title',
  bigCatalogue: 260,
  bigOrders: 300,
  pacingProducts: 300,
  bucket: 80,
  orderUpdateTopic: 'orders/updated',
  productDeleteTopic: 'products/deleted',
  ordersPermission: 'Đơn hàng',
  pageSize: 50,
  stock: { path: 'inventory_locations', idsParam: 'variant_ids', maxIds: 50, locations: true },
  credentialLabel: 'Access Token',
});

test('haravan: deleted products arrive as tombstones from the events API on the next run', async () => {
  await withSim('haravan', {}, async (sim, transport, clock) => {
    const store = applier();
    const asked = [];
    const logging = async (request, o) => {
      asked.push(request.url);
      return transport(request, o);
    };
    const full = await runSync(sl.createSync({ platform: 'haravan', entity: 'products' }), logging, { clock, onRecords: async (r) => store.apply(r) });
    assert.ok(asked.every((u) => !u.endsWith('/events.json')), 'no events sweep on a full run');
    clock.advance(3_600_000);
    const [a, b] = sim.truth('products');
    sim.remove('products', a.id);
    sim.remove('products', b.id);
    sim.touch('products', sim.truth('products')[5].id);
    clock.advance(60_000);
    asked.length = 0;
    const inc = await runSync(sl.createSync({ platform: 'haravan', entity: 'products', checkpoint: full.checkpoint }), logging, {
      clock, onRecords: async (r) => store.apply(r),
    });
    assert.equal(inc.progress.deleted, 2);
    assert.ok(asked.some((u) => u.endsWith('/events.json')));
    assert.deepEqual([...store.latest.keys()].sort(), sim.truth('products').map((x) => String(x.id)).sort());
  });
});

test('haravan: orders ask status=any and updated_at ordering, limit ≤ 50', async () => {
  await withSim('haravan', {}, async (sim, transport, clock) => {
    const asked = [];
    const logging = async (request, o) => {
      asked.push(Object.fromEntries(request.query));
      return transport(request, o);
    };
    const { records } = await runSync(sl.createSync({ platform: 'haravan', entity: 'orders' }), logging, { clock });
    assert.ok(asked.every((q) => q.status === 'any' && q.order === 'updated_at asc' && Number(q.limit) <= 50));
    assert.equal(records.length, sim.truth('orders').length);
    const cred = sl.checkCredentials('haravan', { shop: 'Ten-Shop.myharavan.com', accessToken: 'Bearer abc' });
    assert.deepEqual(cred.values, { shop: 'ten-shop', accessToken: 'abc' });
  });
});
