// MISA eShop end to end: the signed login is filled in-process the way the proxy fills it
// (the SecretKey never enters a request descriptor), then products, invoices, customers and
// branches sync from the local mShopKeeper OpenPlatform simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import { createMisaSimulator, MISA_HOST, MISA_DEFAULT_APP_ID, MISA_DEFAULT_DOMAIN, MISA_DEFAULT_SECRET_KEY } from '../../web/sandbox/misa.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();
const SECRETS = { domain: `https://${MISA_DEFAULT_DOMAIN}/`, appId: MISA_DEFAULT_APP_ID, secretKey: MISA_DEFAULT_SECRET_KEY };

function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; } };
  return c;
}

// The simulator checks LoginTime against its clock: it runs on the job's clock.
async function withSim(options, fn, secrets = SECRETS) {
  const clock = virtualClock();
  const sim = createMisaSimulator({ seed: 5, now: clock.now, ...options });
  const { url } = await sim.listen(0);
  const seen = [];
  const local = createLocalTransport(sl, { secrets, hostMap: { [MISA_HOST]: url } });
  const transport = async (request, o) => {
    seen.push(request);
    return local(request, o);
  };
  const sync = (entity, extra = {}) => runSync(sl.createSync({ platform: 'misa', entity, ...extra }), transport, { clock });
  try {
    return await fn(sim, sync, { clock, seen, transport });
  } finally {
    await sim.close();
  }
}

test('every entity matches the simulator and the schema; the secret never leaves the transport', async () => {
  await withSim({}, async (sim, sync, { seen }) => {
    const truthIds = {
      products: sim.truth('products').map((p) => p.Id),
      orders: sim.truth('orders').map((i) => i.InvoiceId),
      customers: sim.truth('customers').map((c) => c.Id),
      locations: sim.truth('locations').map((b) => b.Id),
    };
    for (const entity of ['locations', 'products', 'orders', 'customers']) {
      const { records, progress } = await sync(entity);
      assertValidRecords(records);
      const ids = records.map((r) => r.externalId);
      assert.equal(ids.length, new Set(ids).size, `${entity}: duplicates`);
      assert.deepEqual(ids.sort(), [...truthIds[entity]].sort(), `${entity} vs truth`);
      assert.equal(progress.phase, 'done');
    }
    assert.equal(sim.stats().logins, 4, 'one login per job, no failures');
    for (const r of seen) assert.ok(!JSON.stringify(r).includes(MISA_DEFAULT_SECRET_KEY), 'descriptors carry placeholders only');
    assert.ok(seen.some((r) => r.body.includes('{{hmac_sha256_hex:secret.secretKey:')));
  });
});

test('models with ListDetail are products with variants; invoices carry their detail lines', async () => {
  await withSim({}, async (sim, sync) => {
    const products = (await sync('products')).records;
    const truth = new Map(sim.truth('products').map((m) => [m.Id, m]));
    let models = 0;
    for (const p of products) {
      const src = truth.get(p.externalId);
      if (src.ListDetail.length) {
        models++;
        assert.deepEqual(p.variants.map((v) => v.externalId), src.ListDetail.map((c) => c.Id));
        const child = src.ListDetail[0];
        assert.equal(p.variants[0].options['Màu sắc'], child.Color);
        const expected = child.Inventories.reduce((s, i) => s + i.OnHand - i.Ordered, 0);
        assert.equal(p.variants[0].totalStock, child.Inventories.length ? expected : null, 'available = OnHand − Ordered');
      } else {
        assert.equal(p.variants.length, 1);
        assert.equal(p.variants[0].externalId, p.externalId);
      }
    }
    assert.ok(models > 5, `${models} models with variants`);

    const orders = (await sync('orders')).records;
    const invoices = new Map(sim.truth('orders').map((i) => [i.InvoiceId, i]));
    for (const o of orders) {
      const src = invoices.get(o.externalId);
      assert.equal(o.code, src.InvoiceNumber);
      assert.equal(o.total, src.TotalAmount);
      assert.equal(o.lines.length, src.detail.InvocieDetails.length, `${src.InvoiceNumber}: lines from detailbyrefid`);
      assert.equal(o.shippingFee, src.detail.DeliveryAmount);
      assert.equal(o.locationId, src.BranchId);
    }
  });
});

test('an expired token means one new login; LastSyncDate increments start from the last run', async () => {
  await withSim({}, async (sim, sync, { clock }) => {
    const first = await sync('customers');
    clock.sleep(3600_000 + 1000);  // past the token's hour: the next job logs in again
    const victim = sim.truth('customers')[7].Id;
    sim.touch('customers', victim);
    sim.create('customers');
    const inc = await sync('customers', { checkpoint: first.checkpoint });
    assert.equal(inc.progress.mode, 'incremental');
    assert.equal(inc.records.length, 2, 'only what changed since the last run started (LastSyncDate)');
    assert.ok(inc.records.some((r) => r.externalId === victim));
    assert.equal(sim.stats().logins, 2);

    const orders = await sync('orders');
    sim.expireTokens();  // mid-flight expiry: 401 → log in again once
    clock.sleep(60_000);
    sim.create('orders');
    const newer = await sync('orders', { checkpoint: orders.checkpoint });
    assert.ok(newer.records.some((r) => r.code === sim.truth('orders').at(-1).InvoiceNumber), 'the new invoice arrives');
    assert.ok(newer.records.length <= 3);
  });
});

test('wrong secret, a switched-off connection, and ErrorType 102', async () => {
  await withSim({}, async (sim, sync) => {
    await assert.rejects(sync('products'), (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /Secret key/.test(e.message));
    assert.equal(sim.stats().counters.badSignatures, 1);
  }, { ...SECRETS, secretKey: 'a'.repeat(64) });
  await withSim({}, async (sim, sync) => {
    sim.setOpenPlatform(false);
    await assert.rejects(sync('products'), (e) => e instanceof SyncError && e.code === 'forbidden' && /Kết nối ứng dụng/.test(e.message));
  });
  // Two identical requests at once: the simulator refuses the second, like MISA.
  await withSim({ latencyMs: 50 }, async (sim, _sync, { transport }) => {
    const job = sl.createSync({ platform: 'misa', entity: 'locations' });
    const login = job.next(Date.now());
    job.receive(login.id, await transport(login.request), Date.now());
    const page = job.next(Date.now()).request;
    const [a, b] = await Promise.all([transport(page), transport(page)]);
    const types = [JSON.parse(a.body).ErrorType, JSON.parse(b.body).ErrorType].sort();
    assert.deepEqual(types, [0, 102]);
    job.dispose();
  });
});

test('survives 5xx and truncated bodies across pages and detail follow-ups', async () => {
  await withSim({ faults: { rate5xx: 0.1, rateTruncated: 0.1 } }, async (sim, sync) => {
    const { records, progress } = await sync('orders', { seed: 9 });
    assert.equal(records.length, sim.truth('orders').length);
    assert.ok(records.every((o) => o.lines.length > 0), 'every invoice got its detail');
    assert.ok(progress.retries > 0 && sim.stats().faultsInjected > 0);
  });
});
