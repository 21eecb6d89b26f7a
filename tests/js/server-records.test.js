// Server part 4 (records): idempotent upsert, newest-wins, tombstones, filters, Vietnamese
// search with and without diacritics, stable cursor paging, counts, CSV/NDJSON export —
// against SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer, kiotvietCredentials } from './helpers/server.js';

const product = (id, name, updatedAt, extra = {}) => ({
  type: 'product', platform: 'kiotviet', externalId: String(id), createdAt: '2024-01-01T00:00:00Z', updatedAt, deleted: false,
  name, sku: `SP${String(id).padStart(5, '0')}`, barcode: null, description: null, category: null, brand: null, active: true,
  images: [], taxRate: null, parentExternalId: null, variants: [], totalStock: 5, ...extra,
});
const customer = (id, name, phone, updatedAt) => ({
  type: 'customer', platform: 'kiotviet', externalId: String(id), createdAt: null, updatedAt, deleted: false,
  name, phone, email: null, gender: null, birthday: null, address: null, totalSpent: 100000, orderCount: 1, groups: [],
});

for (const backend of BACKENDS) {
  describe(`records (${backend})`, () => {
    let t;
    let api;
    let conn;
    before(async () => {
      t = await startServer(backend);
      api = t.api();
      conn = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) })).body.connection;
    });
    after(() => t?.close());

    test('batched upsert is idempotent and an older updatedAt never overwrites a newer one', async () => {
      const batch = [product(1, 'Áo thun nam', '2024-05-01T10:00:00Z'), product(2, 'Quần jean', '2024-05-01T10:00:00.5Z')];
      let r = await api.post('/api/records', { connectionId: conn.id, records: batch });
      assert.deepEqual(r.body, { received: 2, applied: 2, skipped: 0, deleted: 0 });
      r = await api.post('/api/records', { connectionId: conn.id, records: batch });
      assert.equal(r.body.applied, 2, 'same version re-applied (no change)');
      const total = (await api.get('/api/records?type=product')).body.total;
      assert.equal(total, 2);

      // Older copy (whole seconds vs fractional seconds compare by time, not text).
      r = await api.post('/api/records', { connectionId: conn.id, records: [product(2, 'Quần jean CŨ', '2024-05-01T10:00:00Z')] });
      assert.deepEqual(r.body, { received: 1, applied: 0, skipped: 1, deleted: 0 });
      r = await api.post('/api/records', { connectionId: conn.id, records: [product(1, 'Áo thun nam (mới)', '2024-05-02T00:00:00Z')] });
      assert.equal(r.body.applied, 1);
      const list = (await api.get('/api/records?type=product')).body.records;
      assert.deepEqual(list.map((x) => x.name).sort(), ['Quần jean', 'Áo thun nam (mới)'].sort());
      // Within one batch the newest version wins whatever the order.
      r = await api.post('/api/records', { connectionId: conn.id, records: [product(3, 'v2', '2024-06-02T00:00:00Z'), product(3, 'v1', '2024-06-01T00:00:00Z')] });
      assert.equal((await api.get('/api/records?q=SP00003')).body.records[0].name, 'v2');
    });

    test('tombstones mark deletion, keep the last data, and are not resurrected by a stale copy', async () => {
      let r = await api.post('/api/records', { connectionId: conn.id, records: [{ type: 'product', platform: 'kiotviet', externalId: '3', deleted: true, updatedAt: null, createdAt: null }] });
      assert.equal(r.body.deleted, 1);
      assert.equal((await api.get('/api/records?q=SP00003')).body.total, 0, 'hidden by default');
      const dead = (await api.get('/api/records?deleted=true')).body.records;
      assert.equal(dead.length, 1);
      assert.equal(dead[0].deleted, true);
      assert.equal(dead[0].name, 'v2', 'last known data kept');
      r = await api.post('/api/records', { connectionId: conn.id, records: [product(3, 'v2', '2024-06-02T00:00:00Z')] });
      assert.equal(r.body.skipped, 1, 'an old copy does not bring it back');
      assert.equal((await api.get('/api/records?deleted=any&q=SP00003')).body.records[0].deleted, true);
    });

    test('validation: platform, type, externalId, size', async () => {
      let r = await api.post('/api/records', { connectionId: conn.id, records: [{ ...product(9, 'x', null), platform: 'sapo' }] });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.field, 'records[0]');
      r = await api.post('/api/records', { connectionId: conn.id, records: [{ ...product(9, 'x', null), externalId: '' }] });
      assert.equal(r.status, 400);
      r = await api.post('/api/records', { connectionId: conn.id, records: [{ ...product(9, 'x', null), type: 'invoice' }] });
      assert.equal(r.status, 400);
      r = await api.post('/api/records', { connectionId: 'cn_nope', records: [] });
      assert.equal(r.status, 404);
      r = await api.post('/api/records', { connectionId: conn.id, records: Array.from({ length: 5001 }, (_, i) => product(i + 100, 'x', null)) });
      assert.equal(r.status, 413);
      r = await api.get('/api/records?limit=0');
      assert.equal(r.status, 400);
      r = await api.get('/api/records?type=invoice');
      assert.equal(r.status, 400);
      r = await api.get('/api/records?cursor=zzz');
      assert.equal(r.status, 400);
    });

    test('Vietnamese search with or without diacritics, phones local or E.164', async () => {
      await api.post('/api/records', {
        connectionId: conn.id,
        records: [
          customer(501, 'Nguyễn Thị Ánh', '+84901234567', '2024-01-01T00:00:00Z'),
          customer(502, 'TRẦN VĂN ĐỨC', '+84912000111', '2024-01-01T00:00:00Z'),
          customer(503, 'Chị Hằng (Zalo)', null, '2024-01-01T00:00:00Z'),
          customer(504, '100%_done', null, '2024-01-01T00:00:00Z'),
        ],
      });
      const names = async (q) => (await api.get(`/api/records?type=customer&q=${encodeURIComponent(q)}`)).body.records.map((r) => r.name).sort();
      assert.deepEqual(await names('nguyen thi anh'), ['Nguyễn Thị Ánh']);
      assert.deepEqual(await names('Nguyễn'), ['Nguyễn Thị Ánh']);
      assert.deepEqual(await names('duc'), ['TRẦN VĂN ĐỨC']);
      assert.deepEqual(await names('Đức'), ['TRẦN VĂN ĐỨC']);
      assert.deepEqual(await names('hang'), ['Chị Hằng (Zalo)']);
      assert.deepEqual(await names('0901234567'), ['Nguyễn Thị Ánh']);
      assert.deepEqual(await names('+8491200'), ['TRẦN VĂN ĐỨC']);
      assert.deepEqual(await names('%_'), ['100%_done'], 'LIKE wildcards are literal');
      assert.deepEqual(await names('xyz không có'), []);
      // Words are matched separately, in any order: "nguyen anh" skips the middle name.
      assert.deepEqual(await names('nguyen anh'), ['Nguyễn Thị Ánh']);
      assert.deepEqual(await names('duc  tran'), ['TRẦN VĂN ĐỨC']);
      assert.deepEqual(await names('anh 0912000111'), [], 'every word must match the same record');
    });

    test('filters, counts, and stable cursor paging while records keep arriving', async () => {
      const many = Array.from({ length: 45 }, (_, i) => product(1000 + i, `Sản phẩm ${i}`, '2024-07-01T00:00:00Z'));
      await api.post('/api/records', { connectionId: conn.id, records: many });
      const seen = [];
      let cursor = null;
      let pages = 0;
      let total = null;
      do {
        const r = await api.get(`/api/records?type=product&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        total ??= r.body.total;
        seen.push(...r.body.records.map((x) => x.externalId));
        cursor = r.body.nextCursor;
        if (pages++ === 1) {
          // Inserts and updates between pages neither repeat nor skip rows already paged.
          await api.post('/api/records', { connectionId: conn.id, records: [product(2000, 'mới', '2024-07-02T00:00:00Z'), product(1044, 'Sản phẩm 44 sửa', '2024-07-03T00:00:00Z')] });
        }
      } while (cursor);
      assert.equal(seen.length, new Set(seen).size, 'no duplicates across pages');
      assert.equal(seen.length, total);
      const counts = (await api.get('/api/records/counts')).body.counts;
      const products = counts.find((c) => c.type === 'product' && c.connectionId === conn.id);
      assert.equal(products.live, total + 1);
      assert.equal(products.deleted, 1);
      assert.equal((await api.get(`/api/records?type=customer&connectionId=${conn.id}&platform=kiotviet`)).body.total, 4);
      assert.equal((await api.get('/api/records?platform=sapo')).body.total, 0);
    });

    test('order status filter', async () => {
      const order = (id, status) => ({ type: 'order', platform: 'kiotviet', externalId: String(id), createdAt: null, updatedAt: '2024-01-01T00:00:00Z', deleted: false, code: `DH${id}`, status, platformStatus: null, paymentStatus: null, customer: null, lines: [], subtotal: null, discount: null, shippingFee: null, tax: null, total: 10, currency: 'VND', shippingAddress: null, locationId: null, note: null });
      await api.post('/api/records', { connectionId: conn.id, records: [order(1, 'pending'), order(2, 'completed'), order(3, 'completed')] });
      assert.equal((await api.get('/api/records?type=order&status=completed')).body.total, 2);
      assert.equal((await api.get('/api/records?type=order&status=cancelled')).body.total, 0);
    });

    test('CSV and NDJSON exports', async () => {
      await api.post('/api/records', { connectionId: conn.id, records: [customer(600, '=HYPERLINK("http://x")', null, '2024-01-01T00:00:00Z'), customer(601, 'Lê "Tí", Q.1', null, '2024-01-01T00:00:00Z')] });
      const csv = await api.get('/api/records/export?format=csv&type=customer', { raw: true });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type'), /text\/csv/);
      assert.match(csv.headers.get('content-disposition'), /attachment; filename="storelink-customer-/);
      const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
      assert.equal(lines[0].split(',')[0], 'type');
      assert.equal(lines.length, 1 + 6);
      assert.ok(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"")"`)), 'formula neutralized and quoted');
      assert.ok(lines.some((l) => l.includes('"Lê ""Tí"", Q.1"')));
      const nd = await api.get('/api/records/export?format=ndjson&type=customer&q=nguyen', { raw: true });
      const rows = nd.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((r) => r.name), ['Nguyễn Thị Ánh']);
      assert.equal(rows[0].type, 'customer');
      assert.equal(rows[0].id, undefined, 'exports are plain unified records');
      assert.equal((await api.get('/api/records/export?format=xml')).status, 400);
    });
  });
}
