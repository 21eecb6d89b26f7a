// The Sapo and Haravan simulators themselves, over real HTTP: paths, auth, envelopes, limits,
// the leaky bucket and its header, quirks, determinism, controls and webhook signatures.
// Facts: /work/shared/platforms/sapo.md and haravan.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createSapoSimulator, SAPO_DEFAULT_API_KEY, SAPO_DEFAULT_API_SECRET } from '../../web/sandbox/sapo.js';
import { createHaravanSimulator, HARAVAN_DEFAULT_ACCESS_TOKEN, HARAVAN_DEFAULT_WEBHOOK_SECRET } from '../../web/sandbox/haravan.js';
import { createLeakyBucket } from '../../web/sandbox/common.js';

const T0 = Date.parse('2026-05-04T03:00:00Z');
const SAPO_AUTH = { Authorization: `Basic ${Buffer.from(`${SAPO_DEFAULT_API_KEY}:${SAPO_DEFAULT_API_SECRET}`).toString('base64')}` };
const HRV_AUTH = { Authorization: `Bearer ${HARAVAN_DEFAULT_ACCESS_TOKEN}` };

function clock(start = T0) {
  let t = start;
  const now = () => t;
  now.advance = (ms) => { t += ms; };
  return now;
}

async function start(create, options = {}) {
  const now = options.now ?? clock();
  const sim = create({ seed: 9, now, ...options });
  const { url } = await sim.listen();
  const get = async (path, headers) => {
    const res = await fetch(url + path, { headers });
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: res.status, headers: res.headers, text, body };
  };
  return { sim, url, get, now };
}

test('sapo: paths, auth, envelopes and formats', async () => {
  const { sim, get } = await start(createSapoSimulator);
  try {
    assert.equal((await get('/admin/products.json')).status, 401);
    const wrong = await get('/admin/products.json', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.errors, /Invalid API key/);
    const r = await get('/admin/products.json?limit=3', SAPO_AUTH);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-sapo-api-call-limit'), r.headers.get('x-bizweb-api-call-limit'));
    assert.match(r.headers.get('x-sapo-api-call-limit'), /^\d+\/40$/);
    assert.deepEqual(Object.keys(r.body), ['products']); // no total in Sapo lists
    const p = r.body.products[0];
    assert.ok('name' in p && !('title' in p));
    assert.match(p.modified_on, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/); // whole seconds
    assert.match(r.text, /"price":\d+\.0[,}]/); // money written 150000.0
    for (const v of p.variants) assert.notEqual(v.inventory_item_id, v.id);
    assert.equal((await get('/admin/products.json?limit=251', SAPO_AUTH)).status, 400);
    assert.equal((await get('/admin/orders.json?status=any', SAPO_AUTH)).body.orders.length, 0); // B.9.1
    const open = (await get('/admin/orders.json?limit=250', SAPO_AUTH)).body.orders;
    assert.ok(open.length > 0 && open.every((o) => o.status === 'open')); // default = open only
    assert.equal((await get('/admin/shop.json', SAPO_AUTH)).status, 403); // B.9.12
    assert.equal((await get('/admin/store.json', SAPO_AUTH)).body.shop.currency, 'VND');
    const count = (await get('/admin/customers/count.json', SAPO_AUTH)).body.count;
    assert.equal(count, sim.truth('customers').length);
    const one = await get(`/admin/customers/${sim.truth('customers')[0].id}.json`, SAPO_AUTH);
    assert.ok(one.body.customer);
    assert.deepEqual((await get('/admin/customers/1.json', SAPO_AUTH)).body, { errors: 'Not Found' });
  } finally {
    await sim.close();
  }
});

test('haravan: paths, bearer auth, 4-decimal money, quirks', async () => {
  const { sim, get } = await start(createHaravanSimulator);
  try {
    assert.equal((await get('/com/products.json')).status, 401);
    const r = await get('/com/products.json?limit=50', HRV_AUTH);
    assert.match(r.headers.get('x-haravan-api-call-limit'), /^\d+\/80$/);
    assert.match(r.text, /"price":\d+\.0000/);
    assert.ok(r.body.products.every((p) => 'title' in p && p.images.every((i) => !i.created_at.endsWith('Z'))));
    assert.ok(r.body.products.some((p) => p.images.some((i) => i.src.startsWith('//'))), 'protocol-relative images');
    assert.equal((await get('/com/products.json?limit=51', HRV_AUTH)).status, 400);
    const any = (await get('/com/orders.json?status=any&limit=50&order=updated_at%20asc', HRV_AUTH)).body.orders;
    assert.equal(any.length, 50);
    for (let i = 1; i < any.length; i++) assert.ok(any[i - 1].updated_at <= any[i].updated_at);
    assert.ok(any.every((o) => typeof o.order_number === 'string'));
    const customers = (await get('/com/customers.json?limit=50', HRV_AUTH)).body.customers;
    assert.ok(customers.some((c) => c.state === 'Disabled'));
    assert.ok(customers.every((c) => c.gender === null || c.gender === 0 || c.gender === 1));
    assert.ok(customers.some((c) => /T17:00:00Z$/.test(c.birthday ?? '')));
    const stock = (await get('/com/inventory_locations.json?limit=250', HRV_AUTH)).body.inventory_locations;
    assert.ok(stock.length > 0 && 'loc_id' in stock[0] && 'qty_available' in stock[0]);
    sim.setPermissions({ locations: 'none' });
    const denied = await get('/com/locations.json', HRV_AUTH);
    assert.equal(denied.status, 403);
    assert.match(denied.body.errors, /com\.read_shop/);
  } finally {
    await sim.close();
  }
});

test('leaky bucket: header counts up, 429 + Retry-After when full, drains with time (and timeScale)', async () => {
  const now = clock();
  const { sim, get } = await start(createSapoSimulator, { now, counts: { products: 5, orders: 5, customers: 5 } });
  try {
    let last;
    for (let i = 1; i <= 40; i++) {
      last = await get('/admin/locations.json', SAPO_AUTH);
      assert.equal(last.headers.get('x-sapo-api-call-limit'), `${i}/40`);
    }
    const full = await get('/admin/locations.json', SAPO_AUTH);
    assert.equal(full.status, 429);
    assert.equal(full.headers.get('retry-after'), '0.5');
    assert.equal(full.headers.get('x-sapo-api-call-limit'), '40/40');
    now.advance(500);
    assert.equal((await get('/admin/locations.json', SAPO_AUTH)).status, 200);
    assert.equal(sim.stats().rateLimited, 1);
  } finally {
    await sim.close();
  }
  let t = 0;
  const fast = createLeakyBucket({ capacity: 80, leakPerSecond: 4, now: () => t, timeScale: 10 });
  for (let i = 0; i < 80; i++) fast.hit('s');
  assert.equal(fast.hit('s').allowed, false);
  t = 25; // 25 ms × 4/s × 10 = one call drained
  assert.equal(fast.hit('s').allowed, true);
});

test('deterministic data, mutations move modified times, deletions only in events', async () => {
  const a = await start(createHaravanSimulator);
  const b = await start(createHaravanSimulator);
  try {
    const pa = await a.get('/com/products.json?limit=50&page=2', HRV_AUTH);
    const pb = await b.get('/com/products.json?limit=50&page=2', HRV_AUTH);
    assert.equal(pa.text, pb.text, 'same seed, same bytes');
    const victim = a.sim.truth('products')[0];
    a.now.advance(60_000);
    const touched = a.sim.touch('products', a.sim.truth('products')[1].id);
    assert.ok(touched.updated_at > victim.updated_at);
    a.sim.remove('products', victim.id);
    const since = (await a.get(`/com/products.json?limit=50&updated_at_min=${encodeURIComponent(touched.updated_at)}`, HRV_AUTH)).body.products;
    assert.deepEqual(since.map((p) => p.id), [touched.id]);
    const events = (await a.get('/com/events.json?filter=Product&verb=destroy', HRV_AUTH)).body.events;
    assert.deepEqual(events.map((e) => e.subject_id), [victim.id]);
    assert.match(events[0].created_at, /\+07:00$/);
    assert.equal((await a.get('/com/products/count.json', HRV_AUTH)).body.count, a.sim.truth('products').length);
  } finally {
    await a.sim.close();
    await b.sim.close();
  }
});

test('webhooks are signed like the platforms: base64 HMAC-SHA256 of the raw body', async () => {
  const { sim } = await start(createHaravanSimulator);
  const received = [];
  const { createServer } = await import('node:http');
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const order = sim.truth('orders')[0];
    const status = await sim.deliver(`http://127.0.0.1:${receiver.address().port}/hook`, 'orders/updated', order.id);
    assert.equal(status, 200);
    const [hit] = received;
    const expected = createHmac('sha256', HARAVAN_DEFAULT_WEBHOOK_SECRET).update(hit.body).digest('base64');
    assert.equal(hit.headers['x-haravan-hmacsha256'], expected);
    assert.equal(hit.headers['x-haravan-topic'], 'orders/updated');
    assert.equal(JSON.parse(hit.body).id, order.id); // the bare order, not {"order": …}
    const sapo = createSapoSimulator({ seed: 1, now: clock() });
    const del = sapo.webhook('products/delete', 123);
    assert.equal(del.body, '{"id":123}');
    assert.equal(del.headers['X-Sapo-Hmac-Sha256'], createHmac('sha256', SAPO_DEFAULT_API_SECRET).update(del.body).digest('base64'));
  } finally {
    await new Promise((r) => receiver.close(r));
    await sim.close();
  }
});

test('controls over HTTP', async () => {
  const { sim, url } = await start(createSapoSimulator);
  try {
    const post = (path, body) => fetch(`${url}/__sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    const info = await (await fetch(`${url}/__sandbox/info`)).json();
    assert.equal(info.platform, 'sapo');
    const created = await post('create', { entity: 'customer' });
    assert.ok(sim.truth('customers').some((c) => c.id === created.id));
    assert.equal((await post('fail-next', [{ status: 503 }])).pending, 1);
    assert.equal((await fetch(`${url}/admin/locations.json`, { headers: SAPO_AUTH })).status, 503);
    const hook = await post('webhook', { topic: 'customers/update', id: created.id });
    assert.ok(hook.headers['X-Sapo-Hmac-Sha256']);
    await post('expire-tokens', {});
    assert.equal((await fetch(`${url}/admin/locations.json`, { headers: SAPO_AUTH })).status, 401);
    await post('reset', {});
    assert.equal((await fetch(`${url}/admin/locations.json`, { headers: SAPO_AUTH })).status, 200);
  } finally {
    await sim.close();
  }
});
