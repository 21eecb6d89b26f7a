// Exercises the KiotViet simulator over real HTTP (node --test tests/js/).
// Facts under test come from /work/shared/platforms/kiotviet.md.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createKiotVietSimulator, formatKvDate, parseKvDate, toSqlDatetime,
  KIOTVIET_DEFAULT_CLIENT_ID, KIOTVIET_DEFAULT_CLIENT_SECRET, KIOTVIET_DEFAULT_RETAILER,
} from '../../web/sandbox/kiotviet.js';
import { createRateLimiter, createFaultInjector, parseDateTime, vnPhone, createRng } from '../../web/sandbox/common.js';
import { parseArgs } from '../../web/sandbox/cli.js';

const T0 = Date.parse('2025-06-01T03:00:00.000Z'); // 10:00 in Vietnam
const MINUTE = 60_000;

/** A controllable clock: now() plus advance(ms). */
function makeClock(start = T0) {
  let t = start;
  const now = () => t;
  now.advance = (ms) => {
    t += ms;
  };
  return now;
}

async function startSim(options = {}) {
  const sim = createKiotVietSimulator(options);
  const { url } = await sim.listen();
  return { sim, url };
}

async function requestToken(url, fields = {}, { contentType = 'application/x-www-form-urlencoded' } = {}) {
  const form = new URLSearchParams({
    scopes: 'PublicApi.Access',
    grant_type: 'client_credentials',
    client_id: KIOTVIET_DEFAULT_CLIENT_ID,
    client_secret: KIOTVIET_DEFAULT_CLIENT_SECRET,
    ...fields,
  });
  const res = await fetch(`${url}/connect/token`, { method: 'POST', headers: { 'content-type': contentType }, body: form.toString() });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function token(url) {
  const { status, body } = await requestToken(url);
  assert.equal(status, 200);
  return body.access_token;
}

/** GET helper: returns status, headers, raw text and parsed JSON (undefined if unparsable). */
async function get(url, path, { accessToken, retailer = KIOTVIET_DEFAULT_RETAILER, headers = {} } = {}) {
  const h = { ...headers };
  if (accessToken) h.Authorization = `Bearer ${accessToken}`;
  if (retailer !== null) h.Retailer = retailer;
  const res = await fetch(url + path, { headers: h });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Reads every page with the documented loop (currentItem += pageSize until empty). */
async function readAll(url, accessToken, resource, query = '', pageSize = 37) {
  const items = [];
  let total;
  for (let currentItem = 0; ; currentItem += pageSize) {
    const r = await get(url, `/${resource}?pageSize=${pageSize}&currentItem=${currentItem}${query}`, { accessToken });
    assert.equal(r.status, 200, r.text);
    total ??= r.body.total;
    assert.equal(r.body.total, total, 'total must not change between pages');
    if (r.body.data.length === 0) break;
    items.push(...r.body.data);
  }
  return { items, total };
}

function findNulls(value, path = '$', out = []) {
  if (value === null) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => findNulls(v, `${path}[${i}]`, out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) findNulls(v, `${path}.${k}`, out);
  return out;
}

// ---------------------------------------------------------------------------

describe('token endpoint', () => {
  let sim;
  let url;
  before(async () => ({ sim, url } = await startSim({ now: makeClock() })));
  after(() => sim.close());

  test('valid client credentials return a Bearer JWT with the documented fields', async () => {
    const { status, body } = await requestToken(url);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 86400);
    const parts = body.access_token.split('.');
    assert.equal(parts.length, 3);
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    assert.equal(claims.client_RetailerCode, 'demoshop');
    assert.equal(claims.client_RetailerId, String(sim.info().retailerId));
    assert.equal(claims.exp - claims.iat, 86400);
    assert.equal(claims.exp, Math.floor(T0 / 1000) + 86400);
  });

  test('wrong client, grant or scope give OAuth2 errors with HTTP 400', async () => {
    const issuedBefore = sim.stats().tokensIssued;
    assert.deepEqual(await requestToken(url, { client_secret: 'A'.repeat(40) }), { status: 400, body: { error: 'invalid_client' } });
    assert.deepEqual(await requestToken(url, { client_id: '00000000-0000-4000-8000-000000000000' }), { status: 400, body: { error: 'invalid_client' } });
    assert.deepEqual(await requestToken(url, { grant_type: 'password' }), { status: 400, body: { error: 'unsupported_grant_type' } });
    assert.deepEqual(await requestToken(url, { scopes: 'PublicApi.Write' }), { status: 400, body: { error: 'invalid_scope' } });
    assert.deepEqual(await requestToken(url, { scopes: '' }), { status: 400, body: { error: 'invalid_scope' } });
    assert.deepEqual(await requestToken(url, {}, { contentType: 'application/json' }), { status: 400, body: { error: 'invalid_request' } });
    const res = await fetch(`${url}/connect/token`);
    assert.equal(res.status, 405);
    assert.equal(sim.stats().tokensIssued, issuedBefore, 'no token for a failed request');
  });
});

describe('resource authentication', () => {
  let sim;
  let url;
  let clock;
  before(async () => {
    clock = makeClock();
    ({ sim, url } = await startSim({ now: clock, tokenTtlSeconds: 3600, counts: { products: 30, customers: 10, orders: 10, invoices: 5 } }));
  });
  after(() => sim.close());

  test('missing or unknown token → 401 TokenException', async () => {
    for (const accessToken of [undefined, 'not-a-token']) {
      const r = await get(url, '/products', { accessToken });
      assert.equal(r.status, 401);
      assert.equal(r.body.responseStatus.errorCode, 'TokenException');
      assert.ok(Array.isArray(r.body.responseStatus.errors));
    }
  });

  test('missing or wrong Retailer header → 401 that is not a TokenException', async () => {
    const accessToken = await token(url);
    for (const retailer of [null, 'othershop']) {
      const r = await get(url, '/products', { accessToken, retailer });
      assert.equal(r.status, 401);
      assert.notEqual(r.body.responseStatus.errorCode, 'TokenException');
    }
    assert.equal((await get(url, '/products', { accessToken, retailer: 'DemoShop' })).status, 200);
  });

  test('tokens expire by the clock and by expireTokens()', async () => {
    const accessToken = await token(url);
    assert.equal((await get(url, '/branches', { accessToken })).status, 200);
    clock.advance(3600 * 1000);
    const expired = await get(url, '/branches', { accessToken });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.responseStatus.errorCode, 'TokenException');

    const fresh = await token(url);
    assert.equal((await get(url, '/branches', { accessToken: fresh })).status, 200);
    sim.expireTokens();
    assert.equal((await get(url, '/branches', { accessToken: fresh })).status, 401);
  });
});

describe('listing, paging and filters', () => {
  let sim;
  let url;
  let accessToken;
  before(async () => {
    ({ sim, url } = await startSim({ seed: 3, now: makeClock() }));
    accessToken = await token(url);
  });
  after(() => sim.close());

  test('pageSize defaults to 20, allows 100, rejects 101 with a responseStatus body', async () => {
    const def = await get(url, '/products', { accessToken });
    assert.equal(def.body.pageSize, 20);
    assert.equal(def.body.data.length, 20);
    const max = await get(url, '/products?pageSize=100', { accessToken });
    assert.equal(max.status, 200);
    assert.equal(max.body.data.length, 100);
    const over = await get(url, '/products?pageSize=101', { accessToken });
    assert.equal(over.status, 400);
    assert.equal(typeof over.body.responseStatus.errorCode, 'string');
    assert.equal(typeof over.body.responseStatus.message, 'string');
  });

  for (const resource of ['products', 'customers', 'orders', 'invoices', 'branches']) {
    test(`${resource}: paging covers every record exactly once, in both directions`, async () => {
      const truthIds = sim.truth(resource).map((r) => r.id).sort((a, b) => a - b);
      for (const dir of ['Asc', 'Desc']) {
        const { items, total } = await readAll(url, accessToken, resource, `&orderBy=modifiedDate&orderDirection=${dir}`);
        const ids = items.map((r) => r.id);
        assert.equal(total, truthIds.length);
        assert.equal(new Set(ids).size, ids.length, 'no record may appear twice');
        assert.deepEqual([...ids].sort((a, b) => a - b), truthIds);
        // Sorted by modifiedDate (createdDate when absent), ties broken by id.
        const key = (r) => `${r.modifiedDate ?? r.createdDate}|${String(r.id).padStart(16, '0')}`;
        const keys = items.map(key);
        const sorted = [...keys].sort();
        assert.deepEqual(keys, dir === 'Asc' ? sorted : sorted.reverse());
      }
    });
  }

  test('orderBy is case-insensitive and name/code/createdDate sorts work', async () => {
    const a = await get(url, '/customers?orderBy=MODIFIEDDATE&pageSize=50', { accessToken });
    const b = await get(url, '/customers?orderBy=modifiedDate&pageSize=50', { accessToken });
    assert.deepEqual(a.body, b.body);
    const byCode = await get(url, '/orders?orderBy=code&pageSize=100', { accessToken });
    const codes = byCode.body.data.map((o) => o.code);
    assert.deepEqual(codes, [...codes].sort());
    const byCreated = await get(url, '/products?orderBy=createdDate&orderDirection=Desc&pageSize=100', { accessToken });
    const created = byCreated.body.data.map((p) => p.createdDate);
    assert.deepEqual(created, [...created].sort().reverse());
  });

  test('lastModifiedFrom is inclusive, read as Vietnam local time, any fraction length', async () => {
    const bulk = sim.info().bulkImportModifiedDate; // ~20% of products share this exact value
    const products = sim.truth('products');
    const atBulk = products.filter((p) => p.modifiedDate === bulk).length;
    assert.ok(atBulk >= products.length * 0.18, `bulk import rows: ${atBulk}`);
    const expectFrom = products.filter((p) => p.modifiedDate >= bulk).length; // fixed-width strings sort as times
    const totalFor = async (value) => (await get(url, `/products?pageSize=1&lastModifiedFrom=${encodeURIComponent(value)}`, { accessToken })).body.total;

    assert.equal(await totalFor(bulk), expectFrom); // 7 digits
    assert.equal(await totalFor(bulk.slice(0, 23)), expectFrom); // 3 digits
    assert.equal(await totalFor(`${bulk.slice(0, 23)}+07:00`), expectFrom);
    assert.equal(await totalFor(new Date(parseKvDate(bulk)).toISOString()), expectFrom); // Z
    // One tick later excludes the whole bulk group — also when the tick is sub-millisecond.
    assert.equal(await totalFor(formatKvDate(parseKvDate(bulk) + 1)), expectFrom - atBulk);
    assert.equal(await totalFor(`${bulk.slice(0, 23)}0001`), expectFrom - atBulk);
    // A local time without offset is 7 hours ahead of UTC.
    assert.equal(await totalFor('2025-05-01T07:00:00'), await totalFor('2025-05-01T00:00:00Z'));

    const page = await get(url, `/products?pageSize=100&orderBy=modifiedDate&lastModifiedFrom=${bulk}`, { accessToken });
    assert.ok(page.body.data.every((p) => p.modifiedDate >= bulk));
    assert.equal(page.body.data[0].modifiedDate, bulk);

    const bad = await get(url, '/products?lastModifiedFrom=yesterday', { accessToken });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.responseStatus);
  });

  test('include flags decide which nested parts are served', async () => {
    const plain = await get(url, '/products?pageSize=100', { accessToken });
    assert.ok(plain.body.data.every((p) => !('inventories' in p) && !('priceBooks' in p)));
    const full = await get(url, '/products?pageSize=100&includeInventory=true&includePricebook=true', { accessToken });
    assert.ok(full.body.data.some((p) => Array.isArray(p.inventories)));
    assert.ok(full.body.data.some((p) => Array.isArray(p.priceBooks)));

    const orders = await get(url, '/orders?pageSize=100', { accessToken });
    assert.ok(orders.body.data.every((o) => !('payments' in o) && !('orderDelivery' in o)));
    const ordersFull = await get(url, '/orders?pageSize=100&includePayment=true&includeOrderDelivery=true', { accessToken });
    assert.ok(ordersFull.body.data.every((o) => Array.isArray(o.payments)));
    assert.ok(ordersFull.body.data.some((o) => o.orderDelivery && / - /.test(o.orderDelivery.locationName)));

    const customers = await get(url, '/customers?pageSize=100', { accessToken });
    assert.ok(customers.body.data.every((c) => !('totalInvoiced' in c) && !('totalRevenue' in c)));
    const withTotal = await get(url, '/customers?pageSize=100&includeTotal=true', { accessToken });
    assert.ok(withTotal.body.data.every((c) => typeof c.totalInvoiced === 'number' && typeof c.totalRevenue === 'number'));

    assert.equal((await get(url, '/products?includeInventory=1', { accessToken })).status, 400);
  });

  test('orders status filter takes an int list; isActive filters products', async () => {
    const truth = sim.truth('orders');
    for (const query of ['status=1,3', 'status=1&status=3', 'status[]=1&status[]=3']) {
      const { items, total } = await readAll(url, accessToken, 'orders', `&${query}`, 100);
      assert.equal(total, truth.filter((o) => o.status === 1 || o.status === 3).length, query);
      assert.ok(items.every((o) => o.status === 1 || o.status === 3));
    }
    const inactive = await get(url, '/products?isActive=false&pageSize=100', { accessToken });
    assert.equal(inactive.body.total, sim.truth('products').filter((p) => !p.isActive).length);
    assert.ok(inactive.body.data.every((p) => p.isActive === false));
  });

  test('single records by id and by code', async () => {
    const order = sim.truth('orders')[7];
    const byId = await get(url, `/orders/${order.id}`, { accessToken });
    assert.deepEqual(byId.body, order);
    const byCode = await get(url, `/orders/code/${order.code}`, { accessToken });
    assert.deepEqual(byCode.body, order);
    assert.equal((await get(url, '/orders/1', { accessToken })).status, 404);
  });
});

describe('record shapes', () => {
  let sim;
  let url;
  let accessToken;
  const bodies = {};
  before(async () => {
    ({ sim, url } = await startSim({ seed: 11, now: makeClock() }));
    accessToken = await token(url);
    const includes = {
      products: '&includeInventory=true&includePricebook=true&includeMaterial=true&includeRemoveIds=true',
      customers: '&includeTotal=true&includeRemoveIds=true',
      orders: '&includePayment=true&includeOrderDelivery=true',
      invoices: '&includePayment=true&includeInvoiceDelivery=true',
      branches: '&includeRemoveIds=true',
    };
    for (const [resource, query] of Object.entries(includes)) {
      const texts = [];
      for (let currentItem = 0; ; currentItem += 100) {
        const r = await get(url, `/${resource}?pageSize=100&currentItem=${currentItem}${query}`, { accessToken });
        assert.equal(r.status, 200);
        texts.push(r.text);
        if (r.body.data.length === 0) break;
      }
      bodies[resource] = texts;
    }
  });
  after(() => sim.close());
  const all = (resource) => bodies[resource].flatMap((t) => JSON.parse(t).data);

  test('no null anywhere: absent keys instead', () => {
    for (const [resource, texts] of Object.entries(bodies)) {
      for (const text of texts) assert.deepEqual(findNulls(JSON.parse(text)), [], resource);
    }
    for (const resource of ['products', 'customers', 'orders', 'invoices', 'branches']) {
      assert.deepEqual(findNulls(sim.truth(resource)), [], `truth(${resource})`);
    }
    const orders = all('orders');
    const walkIn = orders.filter((o) => !('customerId' in o));
    assert.ok(walkIn.length > 0, 'some walk-in orders');
    assert.ok(walkIn.every((o) => o.customerName === '' && !('customerCode' in o)));
    assert.ok(all('customers').some((c) => !('contactNumber' in c)), 'some customers without phone');
  });

  test('datetimes are local, 7 fraction digits, on the SQL datetime grid', () => {
    const re = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/;
    for (const resource of ['products', 'customers', 'orders', 'invoices', 'branches']) {
      for (const r of all(resource)) {
        assert.match(r.createdDate, re);
        if (r.modifiedDate) {
          assert.match(r.modifiedDate, re);
          assert.ok(r.modifiedDate >= r.createdDate, `${resource} ${r.id} modified before created`);
          assert.ok(parseKvDate(r.modifiedDate) <= T0, 'nothing modified in the future');
        }
        assert.match(r.createdDate, /[037]0000$/);
      }
    }
    assert.ok(all('branches').some((b) => !('modifiedDate' in b)), 'head branch never modified');
  });

  test('products: variants, units, stock, money and large ids look like KiotViet', () => {
    const products = all('products');
    const byId = new Map(products.map((p) => [p.id, p]));
    const siblings = products.filter((p) => 'masterProductId' in p);
    assert.ok(siblings.length > 0);
    for (const s of siblings) {
      const master = byId.get(s.masterProductId);
      assert.ok(master, 'master row exists');
      assert.ok(!('masterProductId' in master), 'master has no masterProductId');
      assert.equal(master.name, s.name);
      assert.equal(s.hasVariants, true);
      assert.ok(s.attributes.length > 0);
    }
    const unitRows = products.filter((p) => 'masterUnitId' in p);
    assert.ok(unitRows.length > 0);
    for (const u of unitRows) {
      assert.ok(u.conversionValue > 1);
      assert.ok(u.units.some((x) => x.id === u.masterUnitId && x.conversionValue === 1));
    }
    const inventories = products.flatMap((p) => p.inventories ?? []);
    assert.ok(inventories.some((i) => i.onHand < 0), 'negative stock');
    assert.ok(inventories.some((i) => !Number.isInteger(i.onHand)), 'fractional stock');
    assert.ok(inventories.some((i) => i.reserved > 0), 'reserved by open orders');
    assert.ok(products.every((p) => Array.isArray(p.images) && p.images.every((u) => typeof u === 'string' && u.startsWith('https://'))));
    assert.ok(products.some((p) => p.id > 2 ** 31) && products.some((p) => p.id < 2 ** 31), 'ids straddle 2^31');
    const raw = bodies.products.join('\n');
    assert.match(raw, /"basePrice":\d+\.000000[,}]/);
    assert.match(raw, /"cost":-?\d+\.\d{10}[,}]/);
    assert.match(raw, /^\{"removeId":\[\],"total":/);
    assert.match(bodies.branches[0], /^\{"removedIds":\[\],"total":/);
  });

  test('orders: status codes with Vietnamese statusValue, consistent payments', () => {
    const names = { 1: 'Phiếu tạm', 2: 'Đang giao hàng', 3: 'Hoàn thành', 4: 'Đã hủy', 5: 'Đã xác nhận' };
    const orders = all('orders');
    assert.deepEqual([...new Set(orders.map((o) => o.status))].sort(), [1, 2, 3, 4, 5]);
    for (const o of orders) {
      assert.equal(o.statusValue, names[o.status]);
      assert.ok(o.orderDetails.length > 0);
      const paid = o.payments.reduce((s, p) => s + p.amount, 0);
      assert.ok(Math.abs(paid - o.totalPayment) < 0.001, `order ${o.code} payments`);
    }
    assert.ok(orders.some((o) => o.orderDelivery && 'wardName' in o.orderDelivery));
    const invoices = all('invoices');
    assert.ok(invoices.some((i) => i.orderCode === '') && invoices.some((i) => i.orderCode.startsWith('DH')));
    assert.ok(invoices.some((i) => i.id > 2 ** 32), 'invoice ids beyond uint32');
  });

  test('customers: phones come in the real mix of formats', () => {
    const phones = all('customers').map((c) => c.contactNumber);
    assert.ok(phones.some((p) => /^0\d{9}$/.test(p ?? '')), 'plain 10-digit');
    assert.ok(phones.some((p) => p !== undefined && !/^0\d{9}$/.test(p)), 'other formats');
    // The generator itself, over many draws, yields every documented variety.
    const rng = createRng(5, 'phones');
    const sample = Array.from({ length: 2000 }, () => vnPhone(rng));
    assert.ok(sample.includes(undefined) && sample.includes(''));
    assert.ok(sample.some((p) => /^\+84 \d{3} \d{3} \d{3}$/.test(p ?? '')));
    assert.ok(sample.some((p) => /^0\d{3} \d{3} \d{3}$/.test(p ?? '')));
    assert.ok(sample.some((p) => /^01\d{9}$/.test(p ?? '')), 'legacy 11-digit');
    const customers = all('customers');
    assert.ok(customers.some((c) => /^.+ - .+$/.test(c.locationName ?? '')));
    assert.ok(customers.some((c) => typeof c.gender === 'boolean') && customers.some((c) => !('gender' in c)));
    assert.ok(customers.some((c) => /[ăâđêôơưáàảãạ]/i.test(c.name)), 'Vietnamese diacritics');
  });
});

describe('changes: touch, create, remove', () => {
  let sim;
  let url;
  let clock;
  let accessToken;
  let initialProducts;
  let initialOrders;
  before(async () => {
    clock = makeClock();
    ({ sim, url } = await startSim({ seed: 5, now: clock }));
    accessToken = await token(url);
    initialProducts = sim.truth('products');
    initialOrders = sim.truth('orders');
  });
  after(() => sim.close());

  test('touch moves a record to the end under orderBy=modifiedDate and changes it visibly', async () => {
    clock.advance(5 * MINUTE);
    const target = sim.truth('products')[0];
    const touched = sim.touch('products', target.id);
    assert.notEqual(touched.basePrice, target.basePrice);
    assert.equal(touched.modifiedDate, formatKvDate(toSqlDatetime(clock())));
    const first = await get(url, '/products?orderBy=modifiedDate&pageSize=1', { accessToken });
    const last = await get(url, `/products?orderBy=modifiedDate&pageSize=1&currentItem=${first.body.total - 1}`, { accessToken });
    assert.equal(last.body.data[0].id, target.id);
    assert.equal(last.body.data[0].basePrice, touched.basePrice);
    const since = await get(url, `/products?lastModifiedFrom=${touched.modifiedDate}`, { accessToken });
    assert.deepEqual(since.body.data.map((p) => p.id), [target.id]);
  });

  test('create adds a record that incremental reads pick up', async () => {
    clock.advance(MINUTE);
    const before = sim.truth('customers').length;
    const created = sim.create('customers', { name: 'Nguyễn Thị Ánh' });
    assert.equal(sim.truth('customers').length, before + 1);
    assert.ok(created.id > Math.max(...sim.truth('customers').filter((c) => c.id !== created.id).map((c) => c.id)));
    const since = await get(url, `/customers?lastModifiedFrom=${created.modifiedDate}`, { accessToken });
    assert.deepEqual(since.body.data.map((c) => c.name), ['Nguyễn Thị Ánh']);
    const order = sim.create('orders');
    assert.equal(order.status, 1);
    assert.equal(order.statusValue, 'Phiếu tạm');
  });

  test('remove reports ids in removeId/removedIds from lastModifiedFrom on', async () => {
    clock.advance(MINUTE);
    const before = formatKvDate(clock() - 1000);
    const product = sim.truth('products')[3];
    const customer = sim.truth('customers')[2];
    const branch = sim.truth('branches')[1];
    sim.remove('products', product.id);
    sim.remove('customers', customer.id);
    sim.remove('branches', branch.id);
    const p = await get(url, `/products?includeRemoveIds=true&lastModifiedFrom=${before}&pageSize=100`, { accessToken });
    assert.deepEqual(p.body.removeId, [product.id]);
    assert.ok(!p.body.data.some((x) => x.id === product.id));
    const c = await get(url, `/customers?includeRemoveIds=true&lastModifiedFrom=${before}`, { accessToken });
    assert.deepEqual(c.body.removeId, [customer.id]);
    const b = await get(url, `/branches?includeRemoveIds=true&lastModifiedFrom=${before}`, { accessToken });
    assert.deepEqual(b.body.removedIds, [branch.id]);
    assert.ok(!('removeId' in b.body));
    assert.ok(!sim.truth('products').some((x) => x.id === product.id));

    clock.advance(MINUTE);
    const later = await get(url, `/products?includeRemoveIds=true&lastModifiedFrom=${formatKvDate(clock())}`, { accessToken });
    assert.deepEqual(later.body.removeId, []);
    const without = await get(url, `/products?lastModifiedFrom=${before}`, { accessToken });
    assert.ok(!('removeId' in without.body));
  });

  test('removing an order cancels it (status 4) and bumps modifiedDate', async () => {
    clock.advance(MINUTE);
    const order = sim.truth('orders').find((o) => o.status === 1);
    const result = sim.remove('orders', order.id);
    assert.equal(result.record.status, 4);
    assert.equal(result.record.statusValue, 'Đã hủy');
    const since = await get(url, `/orders?lastModifiedFrom=${formatKvDate(clock())}`, { accessToken });
    assert.deepEqual(since.body.data.map((o) => o.id), [order.id]);
  });

  test('reset() restores the initial world even after the clock moved', () => {
    assert.notDeepEqual(sim.truth('products'), initialProducts);
    sim.reset();
    assert.deepEqual(sim.truth('products'), initialProducts);
    assert.deepEqual(sim.truth('orders'), initialOrders);
  });
});

describe('rate limit', () => {
  test('GETs beyond the window limit get 429 with a responseStatus body and no Retry-After', async () => {
    const clock = makeClock();
    const { sim, url } = await startSim({ now: clock, rateLimit: { limit: 3, windowMs: 10_000 }, counts: { products: 10, customers: 5, orders: 5, invoices: 3 } });
    try {
      const accessToken = await token(url); // POST: not counted
      for (let i = 0; i < 3; i++) {
        assert.equal((await get(url, '/branches', { accessToken })).status, 200);
        clock.advance(1000);
      }
      const limited = await get(url, '/products', { accessToken });
      assert.equal(limited.status, 429);
      assert.equal(typeof limited.body.responseStatus.errorCode, 'string');
      assert.equal(limited.headers.get('retry-after'), null);
      assert.equal(sim.stats().rateLimited, 1);
      clock.advance(7000); // the first hit (t=0) leaves the 10 s window
      assert.equal((await get(url, '/products', { accessToken })).status, 200);
      assert.equal((await get(url, '/products', { accessToken })).status, 429);
    } finally {
      await sim.close();
    }
  });

  test('retryAfterHeader: true adds Retry-After in seconds', async () => {
    const clock = makeClock();
    const { sim, url } = await startSim({ now: clock, retryAfterHeader: true, rateLimit: { limit: 1, windowMs: 30_000 }, counts: { products: 5, customers: 2, orders: 2, invoices: 1 } });
    try {
      const accessToken = await token(url);
      assert.equal((await get(url, '/branches', { accessToken })).status, 200);
      clock.advance(10_000);
      const limited = await get(url, '/branches', { accessToken });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '20');
    } finally {
      await sim.close();
    }
  });

  test('the limiter is a sliding window', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 100, now: () => t });
    assert.equal(limiter.hit('a').allowed, true);
    t = 60;
    assert.equal(limiter.hit('a').allowed, true);
    t = 99;
    assert.deepEqual(limiter.hit('a'), { allowed: false, remaining: 0, retryAfterMs: 1 });
    assert.equal(limiter.hit('b').allowed, true, 'keys are independent');
    t = 100;
    assert.equal(limiter.hit('a').allowed, true);
    assert.equal(limiter.hit('a').allowed, false);
  });
});

describe('fault injection', () => {
  const small = { products: 10, customers: 5, orders: 5, invoices: 3 };

  async function outcomes(seed) {
    const { sim, url } = await startSim({ seed, counts: small, now: makeClock() });
    try {
      const accessToken = await token(url);
      sim.setFaults({ rate429: 0.1, rate5xx: 0.2, rateTruncated: 0.1 });
      const seen = [];
      for (let i = 0; i < 60; i++) {
        const r = await get(url, '/branches', { accessToken });
        seen.push(r.status === 200 && r.body === undefined ? 'truncated' : r.status);
      }
      return seen;
    } finally {
      await sim.close();
    }
  }

  test('random faults are deterministic per seed and cover every kind', async () => {
    const a = await outcomes(42);
    const b = await outcomes(42);
    assert.deepEqual(a, b);
    for (const kind of [200, 429, 'truncated']) assert.ok(a.includes(kind), `missing ${kind}`);
    assert.ok(a.some((s) => s === 500 || s === 502 || s === 503), 'missing 5xx');
    assert.notDeepEqual(await outcomes(43), a);
  });

  test('failNext scripts the next responses, then normal service resumes', async () => {
    const { sim, url } = await startSim({ counts: small, now: makeClock() });
    try {
      const accessToken = await token(url);
      sim.failNext([{ status: 503 }, { status: 429, headers: { 'Retry-After': '7' } }, { truncated: true }, { status: 500, body: { responseStatus: { errorCode: 'X', message: 'y', errors: [] } } }]);
      const r1 = await get(url, '/products', { accessToken });
      assert.equal(r1.status, 503);
      assert.match(r1.headers.get('content-type'), /text\/html/);
      const r2 = await get(url, '/products', { accessToken });
      assert.equal(r2.status, 429);
      assert.equal(r2.headers.get('retry-after'), '7');
      const r3 = await get(url, '/products', { accessToken });
      assert.equal(r3.status, 200);
      assert.equal(r3.body, undefined, 'truncated JSON must not parse');
      assert.ok(r3.text.startsWith('{"total":'));
      const r4 = await get(url, '/products', { accessToken });
      assert.deepEqual(r4.body, { responseStatus: { errorCode: 'X', message: 'y', errors: [] } });
      assert.equal((await get(url, '/products', { accessToken })).status, 200);
      assert.equal(sim.stats().faultsInjected, 4);
    } finally {
      await sim.close();
    }
  });

  test('the injector draws the same stream whether or not faults are scripted', () => {
    const rates = { rate5xx: 0.5 };
    const plain = createFaultInjector({ seed: 9, rates });
    const scripted = createFaultInjector({ seed: 9, rates });
    scripted.failNext([{ status: 418 }]);
    const p = Array.from({ length: 20 }, () => plain.next()?.status ?? 200);
    const s = Array.from({ length: 20 }, () => scripted.next()?.status ?? 200);
    assert.equal(s[0], 418);
    assert.deepEqual(s.slice(1), p.slice(1));
    assert.throws(() => plain.set({ rate429: 0.8, rate5xx: 0.5 }), /add up/);
  });
});

describe('HTTP control endpoints and determinism', () => {
  test('/__sandbox/* mirrors the in-process controls without auth', async () => {
    const clock = makeClock();
    const { sim, url } = await startSim({ seed: 8, now: clock, counts: { products: 40, customers: 10, orders: 10, invoices: 5 } });
    try {
      const post = async (action, body) => {
        const res = await fetch(`${url}/__sandbox/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
        return { status: res.status, body: await res.json() };
      };
      const truth = await (await fetch(`${url}/__sandbox/truth/products`)).json();
      assert.deepEqual(truth, sim.truth('products'));
      const info = await (await fetch(`${url}/__sandbox/info`)).json();
      assert.equal(info.clientSecret, KIOTVIET_DEFAULT_CLIENT_SECRET);

      clock.advance(MINUTE);
      const touched = await post('touch', { entity: 'products', id: truth[0].id });
      assert.equal(touched.status, 200);
      assert.equal(touched.body.modifiedDate, formatKvDate(toSqlDatetime(clock())));
      assert.equal((await post('touch', { entity: 'products', id: 1 })).status, 404);
      assert.equal((await post('touch', { entity: 'widgets', id: 1 })).status, 400);
      assert.equal((await post('remove', { entity: 'product', id: truth[1].id })).body.removed, true);
      assert.equal((await post('create', { entity: 'branches' })).status, 200);

      const accessToken = await token(url);
      assert.equal((await post('fail-next', [{ status: 502 }])).body.pending, 1);
      assert.equal((await get(url, '/products', { accessToken })).status, 502);
      await post('expire-tokens');
      assert.equal((await get(url, '/products', { accessToken })).status, 401);

      const stats = await (await fetch(`${url}/__sandbox/stats`)).json();
      assert.equal(stats.byRoute['GET /products']['502'], 1);
      assert.equal(stats.byRoute['GET /products']['401'], 1);
      assert.equal(stats.byRoute['POST /connect/token']['200'], 1);
      assert.equal(stats.total, 3, 'control calls are not counted');

      assert.equal((await post('reset')).status, 200);
      assert.deepEqual(sim.truth('products'), truth);
    } finally {
      await sim.close();
    }
  });

  test('same seed and clock → byte-identical responses; another seed differs', async () => {
    const texts = [];
    for (const seed of [21, 21, 22]) {
      const { sim, url } = await startSim({ seed, now: makeClock() });
      try {
        const accessToken = await token(url);
        const r = await get(url, '/orders?pageSize=50&includePayment=true&includeOrderDelivery=true', { accessToken });
        texts.push(r.text);
      } finally {
        await sim.close();
      }
    }
    assert.equal(texts[0], texts[1]);
    assert.notEqual(texts[0], texts[2]);
  });
});

describe('helpers', () => {
  test('parseDateTime reads local time, offsets and long fractions', () => {
    const local = parseDateTime('2025-03-19T17:58:36.4470000');
    assert.equal(local, Date.parse('2025-03-19T10:58:36.447Z'));
    assert.equal(parseDateTime('2025-03-19T17:58:36.447'), local);
    assert.equal(parseDateTime('2025-03-19T10:58:36.447Z'), local);
    assert.equal(parseDateTime('2025-03-19T17:58:36.447+07:00'), local);
    assert.equal(parseDateTime('2025-03-19T17:58:36.4470001'), local + 1, 'sub-ms rounds up for inclusive bounds');
    assert.equal(parseDateTime('2025-03-19'), Date.parse('2025-03-18T17:00:00Z'));
    assert.ok(Number.isNaN(parseDateTime('2025-02-30T00:00:00')));
    assert.ok(Number.isNaN(parseDateTime('soon')));
    assert.equal(formatKvDate(local), '2025-03-19T17:58:36.4470000');
  });

  test('cli arguments', () => {
    assert.deepEqual(parseArgs(['kiotviet', '--port', '8080', '--seed=7']), { platform: 'kiotviet', port: 8080, seed: 7 });
    assert.throws(() => parseArgs(['shopee']), /unknown platform/);
    assert.throws(() => parseArgs(['kiotviet', '--port']), /integer/);
  });
});
