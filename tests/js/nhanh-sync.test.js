// Nhanh.vn end to end: the wasm module in Node syncs from the local Nhanh simulator over real
// loopback HTTP, secrets filled (and the OAuth token kept) the way the proxy does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { createNhanhSimulator } from '../../web/sandbox/nhanh.js';
import { startSandbox } from '../../web/sandbox/index.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();

// A virtual clock shared by the client and the simulator: waits (pacing, ERR_429 locks) pass
// instantly but the simulator's rate limiter sees them.
function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; }, advance: (ms) => { t += ms; } };
  return c;
}

async function withSim(options, fn) {
  const clock = options.clock ?? virtualClock();
  const sim = createNhanhSimulator({ seed: 5, now: clock.now, ...options, clock: undefined });
  const { url } = await sim.listen(0);
  const i = sim.info();
  const secrets = { account: i.account, accessToken: i.accessToken, businessId: i.businessId, appId: i.appId, secretKey: i.secretKey };
  const hostMap = { 'pos.open.nhanh.vn': url, 'nhanh.vn': url };
  const transport = createLocalTransport(sl, { secrets, hostMap });
  try {
    return await fn({ sim, url, transport, clock, secrets, hostMap });
  } finally {
    await sim.close();
  }
}

const live = (records) => records.filter((r) => !r.deleted);
const idSet = (records) => new Set(live(records).map((r) => r.externalId));

test('full sync of every entity matches the simulator and the schema', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    for (const [entity, simEntity] of [['locations', 'depots'], ['products', 'products'], ['orders', 'orders'], ['customers', 'customers']]) {
      const job = sl.createSync({ platform: 'nhanh', entity });
      const { records, progress } = await runSync(job, transport, { clock });
      assertValidRecords(records);
      const truth = sim.truth(simEntity).map((r) => String(r.info?.id ?? r.id));
      assert.deepEqual([...idSet(records)].sort(), truth.sort(), `${entity}: the simulator's records`);
      assert.equal(progress.phase, 'done');
      job.dispose();
    }
    // Stopped products (status 3, hidden by default) come too, as inactive; parents have no variants.
    const { records } = await runSync(sl.createSync({ platform: 'nhanh', entity: 'products' }), transport, { clock });
    const truth = new Map(sim.truth('products').map((p) => [String(p.id), p]));
    const stopped = records.filter((r) => truth.get(r.externalId).status === 3);
    assert.ok(stopped.length > 0 && stopped.every((r) => r.active === false));
    for (const r of records) {
      const src = truth.get(r.externalId);
      if (src.parentId === -2) assert.deepEqual(r.variants, []);
      else {
        assert.equal(r.variants[0].totalStock, src.inventory.available);
        assert.equal(r.parentExternalId, src.parentId > 0 ? String(src.parentId) : null);
      }
    }
    // Every v3 status code is in the simulator's data; each maps to a unified status.
    const orders = await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders' }), transport, { clock });
    const codes = new Set(orders.records.map((o) => o.platformStatus));
    for (const c of ['54', '55', '56', '57', '40', '42', '43', '73', '59', '60', '58', '61', '63', '64', '68', '71', '72', '74']) assert.ok(codes.has(c), `status ${c}`);
    assert.ok(orders.records.every((o) => o.status !== null));
  });
});

test('tax sync on: product tax rates and order VAT; off: null, same totals', async () => {
  await withSim({}, async ({ transport, clock }) => {
    const run = async (entity, taxSync) =>
      (await runSync(sl.createSync({ platform: 'nhanh', entity, settings: { taxSync } }), transport, { clock })).records;
    const [pOn, pOff] = [await run('products', true), await run('products', false)];
    assert.ok(pOn.some((p) => p.taxRate > 0), 'some products carry VAT');
    assert.ok(pOff.every((p) => p.taxRate === null));
    const [oOn, oOff] = [await run('orders', true), await run('orders', false)];
    const off = new Map(oOff.map((o) => [o.externalId, o]));
    assert.ok(oOn.every((o) => typeof o.tax === 'number'));
    assert.ok(oOn.some((o) => o.tax > 0));
    assert.ok(oOff.every((o) => o.tax === null));
    for (const o of oOn) {
      const g = off.get(o.externalId);
      assert.equal(o.total, g.total, `${o.externalId}: the buyer owes the same either way`);
      // On: net lines + VAT; off: VAT folded into the lines.
      assert.ok(Math.abs(o.subtotal + o.tax - g.subtotal) <= o.lines.length, `${o.externalId}: ${o.subtotal} + ${o.tax} vs ${g.subtotal}`);
    }
    assertValidRecords(oOn);
  });
});

test('incremental runs: edits, stock-only changes and deleted orders', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    const products = await runSync(sl.createSync({ platform: 'nhanh', entity: 'products' }), transport, { clock });
    const orders = await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders' }), transport, { clock });
    clock.advance(3_600_000);
    const items = sim.truth('products').filter((p) => p.parentId !== -2 && p.status !== 3);
    sim.setStock(items[3].id, 77); // stock moves, updatedAt does not
    sim.touch('products', items[9].id);
    const allOrders = sim.truth('orders');
    sim.touch('orders', allOrders[5].info.id);
    sim.remove('orders', allOrders[6].info.id);
    clock.advance(60_000);

    const incP = await runSync(sl.createSync({ platform: 'nhanh', entity: 'products', checkpoint: products.checkpoint }), transport, { clock });
    assert.equal(incP.progress.mode, 'incremental');
    const byId = new Map(incP.records.map((r) => [r.externalId, r]));
    assert.equal(byId.get(String(items[3].id))?.variants[0].stock[0].available, 77);
    assert.ok(byId.has(String(items[9].id)));
    assert.ok(incP.records.length <= 3, `incremental products re-read ${incP.records.length}`);

    const incO = await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders', checkpoint: orders.checkpoint }), transport, { clock });
    assert.ok(idSet(incO.records).has(String(allOrders[5].info.id)));
    assert.ok(incO.records.some((r) => r.deleted && r.externalId === String(allOrders[6].info.id)), 'tombstone from order/deleted');
    assert.ok(incO.progress.requests <= 4, `incremental orders used ${incO.progress.requests} requests`);
    assertValidRecords(incO.records);
  });
});

test('ERR_429 locks are waited out, never hammered', async () => {
  await withSim({ rateLimit: { limit: 6, windowMs: 30_000, lockSeconds: 10 } }, async ({ sim, transport, clock }) => {
    const log = [];
    const watched = async (req, init) => {
      const at = clock.now();
      const res = await transport(req, init);
      const body = JSON.parse(res.body);
      log.push({ at, locked: body.errorCode === 'ERR_429' ? body.data.lockedSeconds : 0 });
      return res;
    };
    const { records, progress } = await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders' }), watched, { clock });
    assert.equal(idSet(records).size, sim.truth('orders').length);
    const locks = log.filter((l) => l.locked);
    assert.ok(locks.length > 0, 'the tight limit was hit');
    assert.equal(progress.retries, locks.length);
    for (let i = 0; i + 1 < log.length; i++) {
      if (log[i].locked) assert.ok(log[i + 1].at - log[i].at >= log[i].locked * 1000, `request ${i + 1} came during the lock`);
    }
    assert.ok(clock.waited.some((ms) => ms >= 10_000));
  });
});

test('survives injected 5xx, truncated bodies and slow answers', async () => {
  await withSim({ faults: { rate5xx: 0.15, rateTruncated: 0.1 } }, async ({ sim, transport, clock }) => {
    const { records, progress } = await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders', seed: 9 }), transport, { clock });
    assert.equal(idSet(records).size, sim.truth('orders').length);
    assert.ok(sim.stats().faultsInjected > 0);
    assert.ok(progress.retries > 0);
  });
});

test('connect flow: consent page → accessCode → token kept by the proxy → syncing with it', async () => {
  await withSim({ readyToken: null }, async ({ sim, url, clock, hostMap, secrets }) => {
    // The dashboard's server keeps appId/secretKey; the shop owner only sees Nhanh's pages.
    const appSecrets = { appId: secrets.appId, secretKey: secrets.secretKey };
    const transport = createLocalTransport(sl, { secrets: appSecrets, hostMap });
    const returnLink = 'https://app.storelink.vn/connect/nhanh/return?connection=c-42';
    const { url: consent } = sl.connect('nhanh', 'consentUrl', { appId: secrets.appId, returnLink });
    assert.match(consent, /^https:\/\/nhanh\.vn\/oauth\?appId=\d+&returnLink=https%3A%2F%2F/);

    const page = await fetch(consent.replace('https://nhanh.vn', url));
    assert.match(await page.text(), /Đồng ý/);
    const form = new URLSearchParams({ appId: secrets.appId, returnLink, account: secrets.account });
    const approved = await fetch(`${url}/oauth`, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(approved.status, 302);
    const back = new URL(approved.headers.get('location'));
    assert.equal(back.origin + back.pathname, 'https://app.storelink.vn/connect/nhanh/return');
    const accessCode = back.searchParams.get('accessCode');
    assert.ok(accessCode);

    const { request } = sl.connect('nhanh', 'tokenRequest', { accessCode });
    const res = await transport(request, {});
    assert.equal(res.body.includes('nhv3_'), false, 'the token never reaches the page');
    const grant = sl.connect('nhanh', 'tokenResult', { body: res.body });
    assert.equal(grant.businessId, secrets.businessId);
    assert.equal(grant.accessTokenKept, true);
    assert.equal(grant.allDepots, true);
    assert.ok(Date.parse(grant.expiredAt) > clock.now() + 300 * 86_400_000);
    // The code is single-use.
    const reused = (await transport(request, {})).body;
    assert.throws(() => sl.connect('nhanh', 'tokenResult', { body: reused }),
      (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /10 phút/.test(e.message));
  });

  await withSim({ readyToken: null }, async ({ sim, url, clock, hostMap, secrets }) => {
    const transport = createLocalTransport(sl, { secrets: { appId: secrets.appId, secretKey: secrets.secretKey, businessId: secrets.businessId }, hostMap });
    const { accessCode } = sim.approve({ returnLink: 'https://app.storelink.vn/r', account: secrets.account });
    const res = await transport(sl.connect('nhanh', 'tokenRequest', { accessCode }).request, {});
    sl.connect('nhanh', 'tokenResult', { body: res.body });
    // The same transport now holds the token: a sync works, and the check request verifies it.
    const { records } = await runSync(sl.createSync({ platform: 'nhanh', entity: 'locations' }), transport, { clock });
    assert.equal(records.length, 3);
    const check = await transport(sl.connect('nhanh', 'checkTokenRequest', {}).request, {});
    assert.equal(sl.connect('nhanh', 'tokenResult', { body: check.body }).businessId, secrets.businessId);
  });
});

test('connect flow errors: Open API not enabled, non-Director account', async () => {
  await withSim({ readyToken: null, openApiEnabled: false }, async ({ sim, hostMap, secrets }) => {
    const transport = createLocalTransport(sl, { secrets: { appId: secrets.appId, secretKey: secrets.secretKey }, hostMap });
    const { accessCode } = sim.approve({ returnLink: 'https://app.storelink.vn/r' });
    const res = await transport(sl.connect('nhanh', 'tokenRequest', { accessCode }).request, {});
    assert.throws(() => sl.connect('nhanh', 'tokenResult', { body: res.body }),
      (e) => e.code === 'forbidden' && e.platformCode === 'ERR_BUSINESS_NOT_ENABLE_API' && /Cho phép kết nối Open API/.test(e.message));
    assert.throws(() => sim.approve({ returnLink: 'https://app.storelink.vn/r', account: 'nhanvien@shop.vn' }), /Giám đốc/);
  });
  // A revoked token fails the sync with a reconnect message, without retry loops.
  await withSim({}, async ({ sim, transport, clock }) => {
    sim.revokeTokens();
    await assert.rejects(runSync(sl.createSync({ platform: 'nhanh', entity: 'products' }), transport, { clock }),
      (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /kết nối lại/.test(e.message) && e.progress.requests === 1);
  });
});

async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/webhooks/nhanh`, got, close: () => new Promise((r) => server.close(r)) };
}

test('webhooks v3: verify token, topics, and order bodies normalized like order/list', async () => {
  await withSim({}, async ({ sim, transport, clock }) => {
    const rx = await receiver();
    try {
      const verify = sim.info().verifyToken;
      const order = sim.truth('orders').find((o) => o.products.length > 1) ?? sim.truth('orders')[0];
      const product = sim.truth('products').find((p) => p.parentId > 0);
      await sim.emitWebhook({ url: rx.url, event: 'orderUpdate', id: order.info.id });
      await sim.emitWebhook({ url: rx.url, event: 'productUpdate', id: product.id });
      await sim.emitWebhook({ url: rx.url, event: 'inventoryChange', id: product.id });
      await sim.emitWebhook({ url: rx.url, event: 'orderDelete', id: [order.info.id] });
      await sim.emitWebhook({ url: rx.url, event: 'appUninstalled' });
      await sim.emitWebhook({ url: rx.url, event: 'webhooksEnabled', verifyToken: 'not-the-right-one-123' });
      assert.equal(rx.got.length, 6);

      const events = rx.got.map((d) => {
        try {
          return sl.inspectWebhook('nhanh', d.headers, d.body, verify);
        } catch (e) {
          return e;
        }
      });
      assert.deepEqual(events.slice(0, 5).map((e) => [e.topic, e.entity, e.deletion, e.signatureChecked]), [
        ['orderUpdate', 'orders', false, true], ['productUpdate', 'products', false, true], ['inventoryChange', 'products', false, true],
        ['orderDelete', 'orders', true, true], ['appUninstalled', null, false, true],
      ]);
      assert.ok(events.every((e, i) => i === 5 || e.storeKey === sim.info().businessId || e.topic === 'appUninstalled'));
      assert.ok(events[5] instanceof SyncError && events[5].code === 'forbidden');

      // Same record from the webhook (webhook shape) as from order/list (list shape).
      const settings = { taxSync: true };
      const fromHook = sl.normalize('nhanh', 'orders', rx.got[0].body, { settings }).records[0];
      const fromList = (await runSync(sl.createSync({ platform: 'nhanh', entity: 'orders', settings }), transport, { clock })).records
        .find((r) => r.externalId === String(order.info.id));
      for (const k of ['status', 'customer', 'lines', 'subtotal', 'discount', 'shippingFee', 'tax', 'total', 'locationId', 'note', 'createdAt', 'updatedAt']) {
        assert.deepEqual(fromHook[k], fromList[k], k);
      }
      assertValidRecords([fromHook]);
      const p = sl.normalize('nhanh', 'products', rx.got[1].body, { settings });
      assert.equal(p.records[0].externalId, String(product.id));
      assert.equal(sl.normalize('nhanh', 'products', rx.got[2].body).records.length, 0); // stock only
      // Its follow-up: re-read those products by id, stock included.
      sim.setStock(product.id, 123);
      const { requests } = sl.connect('nhanh', 'productsRequest', { body: rx.got[2].body });
      const fresh = sl.normalize('nhanh', 'products', (await transport(requests[0], {})).body, { settings });
      assert.equal(fresh.records[0].externalId, String(product.id));
      assert.equal(fresh.records[0].variants[0].stock[0].available, 123);
      assert.deepEqual(sl.normalize('nhanh', 'orders', rx.got[3].body).removedIds, [String(order.info.id)]);
    } finally {
      await rx.close();
    }
  });
});

test('the sandbox registry names secrets after the credential fields', async () => {
  const env = await startSandbox('nhanh');
  try {
    const keys = sl.platforms().find((p) => p.id === 'nhanh').credentials.map((c) => c.key).sort();
    assert.deepEqual(Object.keys(env.secrets).sort(), keys);
    assert.ok(env.hostMap['pos.open.nhanh.vn'] && env.hostMap['nhanh.vn']);
    const transport = createLocalTransport(sl, env);
    const { records } = await runSync(sl.createSync({ platform: 'nhanh', entity: 'locations' }), transport);
    assert.equal(records.length, 3);
  } finally {
    await env.close();
  }
});
