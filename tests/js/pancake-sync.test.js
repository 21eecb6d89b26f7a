// Pancake POS end to end: the wasm module in Node syncs from the local Pancake simulator over
// real loopback HTTP; the simulator also POSTs webhooks with x-store-id to a local receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { createPancakeSimulator, PANCAKE_DEFAULT_API_KEY, PANCAKE_DEFAULT_SHOP_ID } from '../../web/sandbox/pancake.js';
import { startSandbox } from '../../web/sandbox/index.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();
const SECRETS = { apiKey: PANCAKE_DEFAULT_API_KEY, shopId: PANCAKE_DEFAULT_SHOP_ID };

function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; }, advance: (ms) => { t += ms; } };
  return c;
}

async function withSim(options, fn, secrets = SECRETS) {
  const clock = virtualClock();
  const sim = createPancakeSimulator({ seed: 4, now: clock.now, ...options });
  const { url } = await sim.listen(0);
  const transport = createLocalTransport(sl, { secrets, hostMap: { 'pos.pages.fm': url, 'pos.pancake.vn': url } });
  try {
    return await fn({ sim, url, transport, clock });
  } finally {
    await sim.close();
  }
}

const ids = (records) => new Set(records.filter((r) => !r.deleted).map((r) => r.externalId));

test('full sync of every entity matches the simulator and the schema', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    for (const [entity, simEntity] of [['locations', 'warehouses'], ['products', 'products'], ['orders', 'orders'], ['customers', 'customers']]) {
      const job = sl.createSync({ platform: 'pancake', entity });
      const { records, progress } = await runSync(job, transport, { clock });
      assertValidRecords(records);
      assert.deepEqual([...ids(records)].sort(), sim.truth(simEntity).map((r) => String(r.id)).sort(), entity);
      assert.equal(progress.phase, 'done');
      job.dispose();
    }
    // Removed orders (status 7) are listed with include_removed=1 and come back cancelled.
    const truth = sim.truth('orders');
    const { records } = await runSync(sl.createSync({ platform: 'pancake', entity: 'orders' }), transport, { clock });
    const byId = new Map(records.map((r) => [r.externalId, r]));
    const removed = truth.find((o) => o.status === 7);
    assert.equal(byId.get(String(removed.id)).status, 'cancelled');
    assert.deepEqual(new Set(records.map((r) => r.status)), new Set(['pending', 'confirmed', 'processing', 'shipping', 'completed', 'returned', 'cancelled']));
    // What the buyer owes = cod + prepaid = total_price_after_sub_discount, which (as in real
    // bodies) already counts the shipping fee: never the fee twice.
    for (const o of truth) {
      assert.equal(byId.get(String(o.id)).total, o.cod + o.prepaid, `order ${o.id}`);
      assert.equal(byId.get(String(o.id)).total, o.total_price_after_sub_discount, `order ${o.id}`);
    }
    // Stock per warehouse: available = remain_quantity, on hand = actual_remain_quantity.
    const products = (await runSync(sl.createSync({ platform: 'pancake', entity: 'products' }), transport, { clock })).records;
    const v = sim.truth('products')[0].variations[0];
    const got = products.find((p) => p.externalId === v.product_id).variants.find((x) => x.externalId === v.id);
    assert.equal(got.totalStock, v.remain_quantity);
    assert.deepEqual(got.stock.map((s) => s.onHand), v.variations_warehouses.map((w) => w.actual_remain_quantity));
  });
});

test('connect: the API key lists the shops; a wrong key is a readable error', async () => {
  await withSim({}, async ({ transport }) => {
    const { request } = sl.connect('pancake', 'shopsRequest');
    const res = await transport(request, {});
    const { shops } = sl.connect('pancake', 'shopsResult', { body: res.body, status: res.status });
    assert.deepEqual(shops.map((s) => s.id), [PANCAKE_DEFAULT_SHOP_ID]);
    const hook = sl.connect('pancake', 'webhookSettings', { baseUrl: 'https://sync.storelink.vn', shopId: shops[0].id });
    assert.deepEqual(hook, { url: 'https://sync.storelink.vn/webhooks/pancakepos', headers: { 'x-store-id': PANCAKE_DEFAULT_SHOP_ID }, data: ['orders', 'customers', 'stock'] });
  });
  await withSim({}, async ({ transport, clock }) => {
    const res = await transport(sl.connect('pancake', 'shopsRequest').request, {});
    assert.equal(res.status, 401);
    assert.throws(() => sl.connect('pancake', 'shopsResult', { body: res.body, status: res.status }), (e) => e.code === 'invalid_credentials' && /API KEY/.test(e.message));
    await assert.rejects(runSync(sl.createSync({ platform: 'pancake', entity: 'orders' }), transport, { clock }),
      (e) => e instanceof SyncError && e.code === 'invalid_credentials' && e.progress.requests === 1);
  }, { apiKey: 'wrong-key', shopId: PANCAKE_DEFAULT_SHOP_ID });
});

test('incremental orders read only what changed, by update time', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    const full = await runSync(sl.createSync({ platform: 'pancake', entity: 'orders' }), transport, { clock });
    clock.advance(3_600_000);
    const truth = sim.truth('orders');
    const moved = sim.touch('orders', truth.find((o) => o.status === 0).id);
    const gone = sim.remove('orders', truth.find((o) => o.status === 3).id);
    const made = sim.create('orders');
    clock.advance(60_000);
    const seen = [];
    const watched = async (req, init) => {
      seen.push(new URL(sl.buildUrl(req)).searchParams);
      return transport(req, init);
    };
    const inc = await runSync(sl.createSync({ platform: 'pancake', entity: 'orders', checkpoint: full.checkpoint }), watched, { clock });
    assert.equal(inc.progress.mode, 'incremental');
    const byId = new Map(inc.records.map((r) => [r.externalId, r]));
    assert.equal(byId.get(String(moved.id)).status, 'confirmed');
    assert.equal(byId.get(String(gone.id)).status, 'cancelled');
    assert.ok(byId.has(String(made.id)));
    assert.ok(inc.records.length <= 5, `re-read ${inc.records.length}`);
    assert.equal(seen[0].get('updateStatus'), 'updated_at');
    assert.equal(seen[0].get('option_sort'), 'last_updated_order_asc');
    assert.match(seen[0].get('startDateTime'), /^\d{10}$/);
  });
});

test('survives injected 429s, 5xx and truncated bodies', async () => {
  await withSim({ faults: { rate429: 0.1, rate5xx: 0.15, rateTruncated: 0.1 }, counts: { orders: 900 } }, async ({ sim, transport, clock }) => {
    const { records, progress } = await runSync(sl.createSync({ platform: 'pancake', entity: 'orders', seed: 5 }), transport, { clock });
    assert.equal(ids(records).size, sim.truth('orders').length);
    assert.ok(sim.stats().faultsInjected > 0);
    assert.ok(progress.retries > 0);
  });
});

test('the filter_status quirk: a JSON array gives HTTP 500, repeated brackets work', async () => {
  await withSim({}, async ({ url }) => {
    const base = `${url}/api/v1/shops/${PANCAKE_DEFAULT_SHOP_ID}/orders?api_key=${PANCAKE_DEFAULT_API_KEY}`;
    assert.equal((await fetch(`${base}&filter_status=${encodeURIComponent('[1,2]')}`)).status, 500);
    const ok = await (await fetch(`${base}&filter_status[]=1&filter_status[]=2&page_size=200`)).json();
    assert.ok(ok.data.length > 0 && ok.data.every((o) => [1, 2].includes(o.status)));
  });
});

test('webhooks: raw objects with x-store-id, normalized like the list', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    const got = [];
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${server.address().port}/webhooks/pancakepos`;
    try {
      const order = sim.truth('orders').find((o) => o.customer && o.items.length > 1) ?? sim.truth('orders')[0];
      const customer = sim.truth('customers')[0];
      const product = sim.truth('products')[0];
      await sim.emitWebhook({ url, entity: 'orders', id: order.id, headers: { 'x-webhook-secret': 's3cr3t-hook' } });
      await sim.emitWebhook({ url, entity: 'customers', id: customer.id });
      await sim.emitWebhook({ url, entity: 'products', id: product.id });
      await sim.emitWebhook({ url, entity: 'variation', id: product.variations[0].id });
      assert.equal(got.length, 4);
      const ev = sl.inspectWebhook('pancake', got[0].headers, got[0].body, 's3cr3t-hook');
      assert.deepEqual([ev.entity, ev.storeKey, ev.signatureChecked], ['orders', PANCAKE_DEFAULT_SHOP_ID, true]);
      assert.throws(() => sl.inspectWebhook('pancake', got[1].headers, got[1].body, 's3cr3t-hook'), (e) => e.code === 'forbidden');
      assert.deepEqual(got.slice(1).map((d) => sl.inspectWebhook('pancake', d.headers, d.body).entity), ['customers', 'products', 'products']);

      const fromHook = sl.normalize('pancake', 'orders', got[0].body).records[0];
      const fromList = (await runSync(sl.createSync({ platform: 'pancake', entity: 'orders' }), transport, { clock })).records
        .find((r) => r.externalId === String(order.id));
      assert.deepEqual(fromHook, fromList);
      assertValidRecords([fromHook, ...sl.normalize('pancake', 'customers', got[1].body).records, ...sl.normalize('pancake', 'products', got[2].body).records]);
      assert.equal(sl.normalize('pancake', 'products', got[3].body).records.length, 0); // a lone variation
      // Its follow-up: the whole product, by id.
      const { request } = sl.connect('pancake', 'productRequest', { body: got[3].body });
      const whole = sl.normalize('pancake', 'products', (await transport(request, {})).body);
      assert.equal(whole.records[0].externalId, product.id);
      assert.equal(whole.records[0].variants.length, product.variations.length);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

test('the sandbox registry names secrets after the credential fields', async () => {
  const env = await startSandbox('pancake');
  try {
    const keys = sl.platforms().find((p) => p.id === 'pancake').credentials.map((c) => c.key).sort();
    assert.deepEqual(Object.keys(env.secrets).sort(), keys);
    const { records } = await runSync(sl.createSync({ platform: 'pancake', entity: 'locations' }), createLocalTransport(sl, env));
    assert.equal(records.length, 2);
  } finally {
    await env.close();
  }
});
