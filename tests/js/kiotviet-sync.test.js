// KiotViet end to end: the wasm module in Node syncs from the local KiotViet simulator over
// real loopback HTTP, with secrets filled the way the proxy fills them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink, createLocalTransport, runSync, SyncError } from 'storelink';
import {
  createKiotVietSimulator,
  KIOTVIET_DEFAULT_CLIENT_ID,
  KIOTVIET_DEFAULT_CLIENT_SECRET,
  KIOTVIET_DEFAULT_RETAILER,
} from '../../web/sandbox/kiotviet.js';
import { assertValidRecords } from './helpers/schema.js';

const sl = await createStoreLink();
const SECRETS = { retailer: KIOTVIET_DEFAULT_RETAILER, clientId: KIOTVIET_DEFAULT_CLIENT_ID, clientSecret: KIOTVIET_DEFAULT_CLIENT_SECRET };
const SIM_ENTITY = { products: 'products', orders: 'orders', customers: 'customers', locations: 'branches' };

// A virtual clock: waits (rate limits, backoff) pass instantly but are still measured.
function virtualClock() {
  let t = Date.now();
  const c = { waited: [], now: () => t, sleep: async (ms) => { c.waited.push(ms); t += ms; } };
  return c;
}

async function withSim(options, fn) {
  const sim = createKiotVietSimulator({ seed: 11, ...options });
  const { url } = await sim.listen(0);
  const transport = createLocalTransport(sl, { secrets: SECRETS, hostMap: { 'public.kiotapi.com': url, 'id.kiotviet.vn': url } });
  try {
    return await fn(sim, transport);
  } finally {
    await sim.close();
  }
}

function idsOf(records, { deleted = false } = {}) {
  return records.filter((r) => r.deleted === deleted).map((r) => r.externalId);
}

function assertSameIds(got, truth, label) {
  assert.equal(got.length, new Set(got).size, `${label}: duplicates`);
  assert.deepEqual([...got].sort(), truth.map((r) => String(r.id)).sort(), `${label}: records differ from the simulator's truth`);
}

test('full sync of every entity matches the simulator and the schema', async () => {
  await withSim({}, async (sim, transport) => {
    for (const entity of ['locations', 'products', 'orders', 'customers']) {
      const job = sl.createSync({ platform: 'kiotviet', entity });
      const { records, progress } = await runSync(job, transport, { clock: virtualClock() });
      assertValidRecords(records);
      assertSameIds(idsOf(records), sim.truth(SIM_ENTITY[entity]), entity);
      assert.equal(progress.phase, 'done');
      assert.equal(progress.fetched, records.length);
      job.dispose();
    }
  });
});

test('invoicesAsOrders: counter sales (invoices without an order) are orders too, with their own ids and statuses', async () => {
  await withSim({}, async (sim, transport) => {
    const job = sl.createSync({ platform: 'kiotviet', entity: 'orders', settings: { invoicesAsOrders: true } });
    const { records } = await runSync(job, transport, { clock: virtualClock() });
    job.dispose();
    assertValidRecords(records);
    const invoices = sim.truth('invoices');
    assert.deepEqual(idsOf(records).sort(), invoices.map((i) => `invoice-${i.id}`).sort(), 'every invoice, once');
    const byId = new Map(invoices.map((i) => [`invoice-${i.id}`, i]));
    const counter = records.filter((r) => byId.get(r.externalId).orderCode === '');
    assert.ok(counter.length > 10, 'counter (POS) sales, which no order slip lists');
    const STATUS = { 1: 'completed', 2: 'cancelled', 3: 'processing', 5: 'returned' };
    for (const r of records) {
      const src = byId.get(r.externalId);
      assert.equal(r.code, src.code);
      assert.equal(r.status, STATUS[src.status], `${r.code} status ${src.status}`);
      assert.equal(r.total, src.total);
      assert.equal(r.lines.length, src.invoiceDetails.length);
    }
    assert.ok(Object.keys(sim.stats().byRoute).some((k) => k.includes('/invoices')), 'read from /invoices');
  });
});

test('normalized values follow the simulator rows (stock, status, phones, times)', async () => {
  await withSim({}, async (sim, transport) => {
    const truth = new Map(sim.truth('products').map((p) => [String(p.id), p]));
    const { records } = await runSync(sl.createSync({ platform: 'kiotviet', entity: 'products' }), transport, { clock: virtualClock() });
    let checked = 0;
    for (const r of records) {
      const src = truth.get(r.externalId);
      const inv = src.inventories ?? [];
      if (!inv.length) continue;
      const expected = inv.reduce((s, i) => s + (i.onHand - (i.reserved ?? 0)), 0);
      assert.ok(Math.abs(r.totalStock - expected) < 1e-9, `${r.externalId}: totalStock ${r.totalStock} vs ${expected}`);
      assert.equal(r.parentExternalId, src.masterProductId != null ? String(src.masterProductId) : src.masterUnitId != null ? String(src.masterUnitId) : null);
      assert.match(r.updatedAt, /Z$/);
      checked++;
    }
    assert.ok(checked > 100);

    const customers = await runSync(sl.createSync({ platform: 'kiotviet', entity: 'customers' }), transport, { clock: virtualClock() });
    const phones = customers.records.map((c) => c.phone).filter(Boolean);
    assert.ok(phones.length > 50);
    assert.ok(phones.filter((p) => /^\+84\d{9,10}$/.test(p)).length / phones.length > 0.9, 'most phones become E.164');

    const orders = await runSync(sl.createSync({ platform: 'kiotviet', entity: 'orders' }), transport, { clock: virtualClock() });
    const statuses = new Set(orders.records.map((o) => o.status));
    for (const s of ['pending', 'confirmed', 'shipping', 'completed', 'cancelled']) assert.ok(statuses.has(s), `status ${s} appears`);
    assert.ok(orders.records.some((o) => o.customer === null), 'walk-in orders have no customer');
  });
});

test('resumes from a checkpoint mid-way with no duplicate and no gap', async () => {
  await withSim({}, async (sim, transport) => {
    const seen = [];
    let saved = null;
    const ac = new AbortController();
    const first = sl.createSync({ platform: 'kiotviet', entity: 'orders' });
    await assert.rejects(
      runSync(first, transport, {
        clock: virtualClock(),
        signal: ac.signal,
        onRecords: async (records, checkpoint) => {
          seen.push(...records);
          saved = checkpoint; // persisted after the records, like the dashboard does
          if (seen.length >= 150) ac.abort();
        },
      }),
      (e) => e instanceof SyncError && e.code === 'cancelled',
    );
    assert.ok(seen.length >= 150 && seen.length < 300);
    // A new job (a reload) from what was saved.
    const second = sl.createSync({ platform: 'kiotviet', entity: 'orders', checkpoint: saved });
    await runSync(second, transport, { clock: virtualClock(), onRecords: async (records) => seen.push(...records) });
    assertSameIds(idsOf(seen), sim.truth('orders'), 'orders across resume');
  });
});

test('survives injected 429s, 5xx and truncated bodies', async () => {
  await withSim({ faults: { rate429: 0.15, rate5xx: 0.15, rateTruncated: 0.1 } }, async (sim, transport) => {
    const clock = virtualClock();
    const job = sl.createSync({ platform: 'kiotviet', entity: 'products', seed: 3 });
    const { records, progress } = await runSync(job, transport, { clock });
    assertSameIds(idsOf(records), sim.truth('products'), 'products under faults');
    assert.ok(sim.stats().faultsInjected > 0, 'faults were injected');
    assert.ok(progress.retries > 0);
    assert.ok(clock.waited.length > 0, 'backoff waits happened');
  });
});

test('changes made while paging are not lost, and the incremental run picks up the rest', async () => {
  await withSim({}, async (sim, transport) => {
    const latest = new Map();
    const apply = (records) => {
      for (const r of records) {
        if (r.deleted) latest.delete(r.externalId);
        else latest.set(r.externalId, r);
      }
    };
    let page = 0;
    const first = sl.createSync({ platform: 'kiotviet', entity: 'products' });
    const truth0 = sim.truth('products');
    const { checkpoint } = await runSync(first, transport, {
      clock: virtualClock(),
      onRecords: async (records, cp) => {
        apply(records);
        page++;
        if (JSON.parse(cp).state === 'done') return; // edits after the last page belong to the next run
        // Between pages, the shop edits products (ahead of and behind the cursor) and adds one.
        sim.touch('products', truth0[(page * 37) % truth0.length].id);
        sim.touch('products', truth0[(page * 91) % truth0.length].id);
        sim.create('products');
      },
    });
    // The sweep saw everything that existed at its end, edits included.
    for (const p of sim.truth('products')) assert.ok(latest.has(String(p.id)), `product ${p.id} missing after the full run`);

    // Later: edits and deletions, then an incremental run from the saved checkpoint.
    const victim = sim.truth('products')[5].id;
    sim.touch('products', sim.truth('products')[7].id);
    sim.remove('products', victim);
    const inc = sl.createSync({ platform: 'kiotviet', entity: 'products', checkpoint });
    const result = await runSync(inc, transport, { clock: virtualClock(), onRecords: async (r) => apply(r) });
    assert.equal(result.progress.mode, 'incremental');
    assert.ok(!latest.has(String(victim)), 'deletion applied as a tombstone');
    assert.ok(result.progress.deleted >= 1);
    assert.ok(result.progress.requests <= 3, `incremental used ${result.progress.requests} requests`);
    assert.deepEqual([...latest.keys()].sort(), sim.truth('products').map((p) => String(p.id)).sort());
    for (const p of sim.truth('products')) {
      const got = latest.get(String(p.id));
      assert.equal(got.variants[0].price, p.basePrice ?? null, `price of ${p.id} is current`);
      assert.equal(got.variants[0].name, p.fullName ?? p.name, `name of ${p.id} is current`);
    }
  });
});

test('an expired token is refreshed once; wrong credentials fail with a readable error', async () => {
  await withSim({}, async (sim, transport) => {
    const all = [];
    let pages = 0;
    await runSync(sl.createSync({ platform: 'kiotviet', entity: 'customers' }), transport, {
      clock: virtualClock(),
      onRecords: async (records) => {
        all.push(...records);
        if (++pages === 1) sim.expireTokens();
      },
    });
    assert.equal(sim.stats().tokensIssued, 2);
    assertSameIds(idsOf(all), sim.truth('customers'), 'customers across a token expiry');
  });
  await withSim({ clientSecret: 'something-else' }, async (_sim, transport) => {
    await assert.rejects(
      runSync(sl.createSync({ platform: 'kiotviet', entity: 'products' }), transport, { clock: virtualClock() }),
      (e) => e instanceof SyncError && e.code === 'invalid_credentials' && /Mã bảo mật/.test(e.message),
    );
  });
});
