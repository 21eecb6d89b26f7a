// The npm package surface, through the real wasm module in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createStoreLink, SyncError, runSync, sweepDeletions } from 'storelink';
import { assertValidRecords } from './helpers/schema.js';

const fixture = (name) => readFileSync(new URL(`../fixtures/kiotviet/${name}`, import.meta.url), 'utf8');
const sl = await createStoreLink();

test('platforms(): all eight, KiotViet available with its connect form', () => {
  const all = sl.platforms();
  assert.deepEqual(all.map((p) => p.id), ['kiotviet', 'sapo', 'haravan', 'nhanh', 'pancake', 'odoo', 'getfly', 'misa']);
  const kv = all.find((p) => p.id === 'kiotviet');
  assert.equal(kv.status, 'available');
  assert.deepEqual(kv.entities, ['products', 'orders', 'customers', 'locations']);
  assert.deepEqual(kv.credentials.map((c) => [c.key, c.secret]), [['retailer', false], ['clientId', true], ['clientSecret', true]]);
  assert.equal(kv.credentials[0].label, 'Tên gian hàng');
  assert.match(kv.credentials[1].help, /Thiết lập kết nối API/);
  assert.deepEqual(kv.apiHosts, ['public.kiotapi.com', 'id.kiotviet.vn']);
});

test('platforms(): each entity says how its deletions arrive (feed or sweep)', () => {
  const by = Object.fromEntries(sl.platforms().map((p) => [p.id, p.deletions]));
  // KiotViet lists removed ids (includeRemoveIds) for products, customers and branches, not orders.
  assert.deepEqual(by.kiotviet, { products: 'feed', orders: 'sweep', customers: 'feed', locations: 'feed' });
  // Shopify-style lists just stop returning a deleted row.
  assert.equal(by.sapo.products, 'sweep');
  assert.equal(by.haravan.customers, 'sweep');
  // Nhanh.vn: order/deleted for orders; products and customers have no list of deleted ids.
  assert.deepEqual(by.nhanh, { products: 'sweep', orders: 'feed', customers: 'sweep', locations: 'sweep' });
  for (const p of sl.platforms()) for (const e of p.entities) assert.ok(['feed', 'sweep'].includes(p.deletions[e]), `${p.id}/${e}`);
});

test('sweepDeletions(): unseen and untouched since the sweep began → gone; implausible sweeps refused', () => {
  const startedAtMs = 1_000_000;
  const stored = [
    { externalId: 'a', storedAtMs: 10 }, // seen
    { externalId: 'b', storedAtMs: 10 }, // not seen → gone
    { externalId: 'c', storedAtMs: startedAtMs + 5 }, // written during the sweep (a webhook) → kept
    { externalId: 'd', storedAtMs: startedAtMs }, // written as it began → kept
  ];
  assert.deepEqual(sweepDeletions({ stored, seen: ['a'], startedAtMs }), { removedIds: ['b'], refused: null });
  // An outage answering empty lists must not empty the shop.
  const many = Array.from({ length: 100 }, (_, i) => ({ externalId: String(i), storedAtMs: 1 }));
  const out = sweepDeletions({ stored: many, seen: new Set(['1', '2']), startedAtMs });
  assert.deepEqual(out.removedIds, []);
  assert.deepEqual(out.refused, { reason: 'too_many', wouldRemove: 98, live: 100 });
  // A small shop may delete most of its few products.
  assert.equal(sweepDeletions({ stored: many.slice(0, 10), seen: [], startedAtMs }).removedIds.length, 10);
  assert.throws(() => sweepDeletions({ stored, seen: [], startedAtMs: null }), (e) => e instanceof SyncError && e.code === 'invalid_input' && e.field === 'startedAtMs');
});

test('normalize(): every fixture yields schema-valid records', () => {
  const cases = [
    ['products', 'products_page.json', 3 + 1],
    ['orders', 'orders_page.json', 2],
    ['customers', 'customers_page.json', 3 + 1],
    ['customers', 'customer_single.json', 1],
    ['products', 'webhook_product_update.json', 1],
    ['products', 'webhook_product_delete.json', 2],
  ];
  for (const [entity, file, count] of cases) {
    const out = sl.normalize('kiotviet', entity, fixture(file));
    assert.deepEqual(out.errors, [], file);
    assert.equal(out.records.length, count, file);
    assertValidRecords(out.records);
  }
  const withRaw = sl.normalize('kiotviet', 'orders', fixture('orders_page.json'), { raw: true });
  assertValidRecords(withRaw.records);
  assert.equal(withRaw.records[0].raw.code, 'DH000123');
});

test('normalize(): Uint8Array bodies and Vietnamese text survive the boundary', () => {
  const bytes = new TextEncoder().encode(fixture('customers_page.json'));
  const out = sl.normalize('kiotviet', 'customers', bytes);
  assert.equal(out.records[1].name, 'Đỗ Thị Ánh');
  assert.equal(out.records[1].externalId, '9007199254740993');
  assert.equal(out.records[1].phone, '+84362345678');
});

test('normalize(): bad input gives typed errors, never a throw or a number', () => {
  for (const body of ['', '{', fixture('truncated_products.json'), '\u0000\u0001']) {
    const out = sl.normalize('kiotviet', 'products', body);
    assert.equal(out.records.length, 0);
    assert.equal(out.errors[0].code, 'invalid_json');
    assert.equal(typeof out.errors[0].message, 'string');
  }
  const env = sl.normalize('kiotviet', 'products', fixture('error_token.json'));
  assert.equal(env.errors[0].platformCode, 'TokenException');
  assert.equal(sl.normalize('nowhere', 'products', '{}').errors[0].field, 'platform');
  // A listed platform whose connector is not built yet (none once every connector lands).
  for (const planned of sl.platforms().filter((x) => x.status === 'coming_soon')) {
    assert.equal(sl.normalize(planned.id, 'products', '{}').errors[0].code, 'unsupported');
  }
  assert.equal(sl.normalize('kiotviet', 'products', '{}', null).errors[0].code, 'unexpected_shape');
});

test('createSync(): invalid options throw SyncError with a field', () => {
  assert.throws(() => sl.createSync({ platform: 'kiotviet', entity: 'stuff' }), (e) => e instanceof SyncError && e.field === 'entity');
  assert.throws(
    () => sl.createSync({ platform: 'kiotviet', entity: 'products', checkpoint: '{"v":1}' }),
    (e) => e instanceof SyncError && e.code === 'invalid_input' && e.field === 'checkpoint',
  );
  for (const planned of sl.platforms().filter((x) => x.status === 'coming_soon')) {
    assert.throws(() => sl.createSync({ platform: planned.id, entity: 'products' }), (e) => e.code === 'unsupported');
  }
  assert.throws(() => sl.createSync({ platform: 'nowhere', entity: 'products' }), (e) => e.code === 'invalid_input' && e.field === 'platform');
});

test('fillSecrets/keepSecrets: the proxy primitives', () => {
  const job = sl.createSync({ platform: 'kiotviet', entity: 'customers' });
  const step = job.next(Date.now());
  assert.equal(step.kind, 'request');
  assert.equal(step.request.url, 'https://id.kiotviet.vn/connect/token');
  assert.doesNotMatch(JSON.stringify(step.request), /s3cr&t/);
  const filled = sl.fillSecrets(step.request, { clientId: 'id', clientSecret: 's3cr&t' });
  assert.match(filled.body, /client_secret=s3cr%26t/);
  assert.match(filled.body, /scopes=PublicApi\.Access/);
  const kept = sl.keepSecrets(step.request, '{"access_token":"eyJ.tok","expires_in":3600}');
  assert.deepEqual(kept.captured, { accessToken: 'eyJ.tok' });
  assert.doesNotMatch(kept.body, /eyJ/);
  assert.throws(() => sl.fillSecrets(step.request, {}), (e) => e.code === 'invalid_credentials');
  job.dispose();
});

test('runSync(): drives a job over a JS transport, with a 429 and a 5xx on the way', async () => {
  const rows = Array.from({ length: 230 }, (_, i) => ({
    id: 500 + i,
    code: `SP${i}`,
    name: `Sản phẩm ${i}`,
    createdDate: '2024-01-01T08:00:00.0000000',
    modifiedDate: `2024-05-0${1 + Math.floor(i / 100)}T10:${String(i % 60).padStart(2, '0')}:00.0000000`,
  }));
  let calls = 0;
  const transport = async (req) => {
    calls++;
    if (req.purpose === 'auth') return { status: 200, headers: {}, body: '{"access_token":"{{secret.accessToken}}","expires_in":86400}' };
    if (calls === 3) return { status: 429, headers: { 'retry-after': '1' }, body: '' };
    if (calls === 5) return { status: 503, headers: {}, body: 'busy' };
    const q = Object.fromEntries(req.query);
    const from = q.lastModifiedFrom ?? '';
    const sorted = rows.filter((r) => r.modifiedDate.slice(0, 23) >= from).sort((a, b) => (a.modifiedDate < b.modifiedDate ? -1 : a.modifiedDate > b.modifiedDate ? 1 : a.id - b.id));
    const start = Number(q.currentItem);
    return { status: 200, headers: {}, body: JSON.stringify({ total: sorted.length, pageSize: 100, data: sorted.slice(start, start + Number(q.pageSize)) }) };
  };
  let t = 1_750_000_000_000;
  const waits = [];
  const clock = { now: () => t, sleep: async (ms) => { waits.push(ms); t += ms; } };
  const job = sl.createSync({ platform: 'kiotviet', entity: 'products', seed: 7 });
  const progress = [];
  const { records, checkpoint } = await runSync(job, transport, { clock, onProgress: (p) => progress.push(p) });
  assert.equal(records.length, 230);
  assert.equal(new Set(records.map((r) => r.externalId)).size, 230);
  assertValidRecords(records);
  assert.ok(waits.includes(1000), 'Retry-After: 1 → a 1 s wait');
  assert.equal(progress.at(-1).phase, 'done');
  assert.equal(progress.at(-1).retries, 2);
  assert.match(checkpoint, /"state":"done"/);
  job.dispose();
});

test('runSync(): an aborted signal cancels with a resumable checkpoint', async () => {
  const job = sl.createSync({ platform: 'kiotviet', entity: 'orders' });
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(runSync(job, async () => ({ status: 500 }), { signal: ac.signal }), (e) => e.code === 'cancelled' && typeof e.checkpoint === 'string');
});
