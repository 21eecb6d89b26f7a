// Unit tests of the dashboard's non-visual parts: the worker protocol (message ids, AbortSignal,
// events) and the credential checks derived from platforms() data. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStoreLink } from 'storelink';
import { createWorkerClient } from '../../web/dashboard/src/worker/client.js';
import { checkCredentials, hostMatches, bareHost, userFields } from '../../web/dashboard/src/worker/checks.js';

/** A fake Worker: the page side talks to `handle` as if it ran in the worker. */
function fakeWorker(handle) {
  const page = new EventTarget();
  const posted = [];
  const reply = (data) => queueMicrotask(() => page.dispatchEvent(Object.assign(new Event('message'), { data })));
  page.postMessage = (msg) => {
    posted.push(msg);
    handle(msg, reply);
  };
  page.terminate = () => {};
  page.posted = posted;
  return page;
}

test('worker protocol: results and events are routed by message id; errors keep their fields', async () => {
  const w = fakeWorker((msg, reply) => {
    if (msg.type !== 'call') return;
    if (msg.method === 'echo') {
      reply({ id: msg.id, type: 'event', event: { kind: 'progress', n: 1 } });
      reply({ id: msg.id, type: 'result', value: msg.args });
    } else reply({ id: msg.id, type: 'error', error: { code: 'invalid_input', message: 'Sai.', field: 'apiKey' } });
  });
  const client = createWorkerClient(w);
  const events = [];
  const [a, b] = await Promise.all([client.call('echo', { x: 1 }, { onEvent: (e) => events.push(e) }), client.call('echo', { x: 2 })]);
  assert.deepEqual([a, b], [{ x: 1 }, { x: 2 }]);
  assert.deepEqual(events, [{ kind: 'progress', n: 1 }]);
  assert.notEqual(w.posted[0].id, w.posted[1].id);
  await assert.rejects(client.call('boom'), (e) => e.code === 'invalid_input' && e.field === 'apiKey' && e.message === 'Sai.');
});

test('worker protocol: aborting the signal sends an abort for that call id only', async () => {
  const pending = new Map();
  const w = fakeWorker((msg, reply) => {
    if (msg.type === 'call') pending.set(msg.id, reply);
    if (msg.type === 'abort') pending.get(msg.id)({ id: msg.id, type: 'error', error: { code: 'cancelled', message: 'Đã hủy.' } });
  });
  const client = createWorkerClient(w);
  const ac = new AbortController();
  const p1 = client.call('sync', {}, { signal: ac.signal });
  const p2 = client.call('sync', {});
  ac.abort('user');
  await assert.rejects(p1, (e) => e.code === 'cancelled');
  const aborts = w.posted.filter((m) => m.type === 'abort');
  assert.equal(aborts.length, 1);
  assert.equal(aborts[0].id, w.posted[0].id);
  pending.get(w.posted[1].id)({ id: w.posted[1].id, type: 'result', value: 'ok' });
  assert.equal(await p2, 'ok');
  // An already-aborted signal never reaches the worker.
  const before = w.posted.length;
  await assert.rejects(client.call('sync', {}, { signal: AbortSignal.abort() }), (e) => e.code === 'cancelled');
  assert.equal(w.posted.length, before);
});

test('credential checks with the real module: every typed field required (optional ones not), secrets without spaces', async () => {
  const sl = await createStoreLink();
  for (const p of sl.platforms()) {
    const empty = checkCredentials(sl, p.id, {});
    assert.equal(empty.ok, false, p.id);
    assert.deepEqual(empty.errors.map((e) => e.field), userFields(p).filter((f) => !f.optional).map((f) => f.key), p.id);
    for (const e of empty.errors) assert.match(e.message, /^Vui lòng nhập /);
  }
  // Haravan's webhook authentication string may stay empty; given, it is kept.
  assert.equal(checkCredentials(sl, 'haravan', { shop: 'ten-shop', accessToken: 'tok' }).ok, true);
  assert.equal(checkCredentials(sl, 'haravan', { shop: 'ten-shop', accessToken: 'tok', webhookSecret: 'abc' }).values.webhookSecret, 'abc');
  const kv = sl.platforms().find((p) => p.id === 'kiotviet');
  const ok = checkCredentials(sl, 'kiotviet', { retailer: ' demoshop ', clientId: 'abc', clientSecret: 'def' });
  assert.equal(ok.ok, true);
  assert.equal(ok.values.retailer, 'demoshop');
  const spaced = checkCredentials(sl, 'kiotviet', { retailer: 'demoshop', clientId: 'abc', clientSecret: 'de f' });
  assert.deepEqual(spaced.errors.map((e) => e.field), ['clientSecret']);
  assert.ok(spaced.errors[0].message.includes(kv.credentials.find((f) => f.key === 'clientSecret').label));
});

test('credential checks: host-shaped fields follow apiHostPatterns and the host the module builds', () => {
  assert.equal(hostMatches('ten-shop.myharavan.com', '*.myharavan.com'), true);
  assert.equal(hostMatches('myharavan.com', '*.myharavan.com'), false);
  assert.equal(hostMatches('ten_shop.myharavan.com', '*.myharavan.com'), false);
  assert.equal(bareHost(' https://Ten-Shop.myharavan.com/admin?x=1 '), 'ten-shop.myharavan.com');

  // A platform as data: a shop-domain field (by example) and a subdomain used in the URL host.
  const platform = {
    id: 'demo', entities: ['products'], apiHosts: [], apiHostPatterns: ['*.myharavan.com', '*.mysapo.net'],
    credentials: [
      { key: 'shop', label: 'Tên cửa hàng', example: 'ten-shop.myharavan.com', secret: false },
      { key: 'store', label: 'Tên gian hàng', example: 'tencuahang', secret: false },
      { key: 'token', label: 'Access Token', example: '', secret: true },
      { key: 'accessToken', label: 'OAuth token', example: '', secret: true, source: 'oauth' },
    ],
  };
  const request = { method: 'GET', url: 'https://{{secret.store}}.mysapo.net/admin/products.json', query: [], headers: [['X', '{{secret.token}}']], body: '' };
  const sl = {
    platforms: () => [platform],
    createSync: () => ({ next: () => ({ kind: 'request', id: 1, request }), dispose() {} }),
    fillSecrets: (r, secrets) => ({ ...r, url: r.url.replace('{{secret.store}}', secrets.store) }),
    buildUrl: (r) => r.url,
  };
  const good = checkCredentials(sl, 'demo', { shop: 'https://Ten-Shop.myharavan.com/', store: 'tencuahang', token: 'x' });
  assert.deepEqual(good.errors, []);
  assert.equal(good.values.shop, 'ten-shop.myharavan.com');
  assert.equal('accessToken' in good.values, false, 'OAuth-filled fields are not asked for');
  const bare = checkCredentials(sl, 'demo', { shop: 'ten-shop', store: 'tencuahang', token: 'x' });
  assert.deepEqual(bare.errors, [], 'a bare subdomain is accepted');
  const bad = checkCredentials(sl, 'demo', { shop: 'tên shop', store: 'cửa hàng', token: 'x' });
  assert.deepEqual(bad.errors.map((e) => e.field), ['shop', 'store']);
  assert.match(bad.errors[0].message, /Tên cửa hàng không hợp lệ/);
  assert.match(bad.errors[1].message, /Tên gian hàng không hợp lệ/);

  // The module's own rules come first and its normalized values are kept.
  sl.checkCredentials = (id, values) => ({ values: { ...values, store: 'tencuahang' }, errors: values.token === 'bad' ? [{ field: 'token', code: 'invalid_input', message: 'Token sai định dạng.' }] : [] });
  const viaModule = checkCredentials(sl, 'demo', { shop: 'ten-shop', store: 'https://tencuahang.mysapo.net/admin', token: 'bad' });
  assert.equal(viaModule.values.store, 'tencuahang');
  assert.deepEqual(viaModule.errors.map((e) => [e.field, e.message]), [['token', 'Token sai định dạng.']]);
});

test('language switch: platform texts and error messages follow it; Vietnamese keeps the original messages', async () => {
  // The page's modules in Node: just enough browser for boot() (no live stream, a fake server).
  globalThis.document ??= { documentElement: {} };
  globalThis.location ??= { href: 'http://page.test/', hash: '' };
  globalThis.EventSource ??= class { addEventListener() {} close() {} };
  const realFetch = globalThis.fetch;
  const answers = { '/api/health': { mode: 'sandbox' }, '/api/platforms': { platforms: [{ id: 'kiotviet', sandbox: true }] }, '/api/connections': { connections: [] } };
  globalThis.fetch = async (url) => new Response(JSON.stringify(answers[new URL(url).pathname] ?? {}), { status: 200 });
  try {
    const sl = await createStoreLink();
    const { boot, setLanguage, errorText } = await import('../../web/dashboard/src/actions.js');
    const { ApiError } = await import('../../web/dashboard/src/api.js');
    const { state } = await import('../../web/dashboard/src/store.js');
    const { getLang } = await import('../../web/dashboard/src/i18n.js');
    setLanguage('vi');
    // What the worker's `platforms` call answers (storelink.worker.js).
    await boot({ call: async () => ({ version: sl.version(), platforms: { vi: sl.platforms(), en: sl.platforms({ lang: 'en' }) } }) });
    const kvVi = state.platforms.find((p) => p.id === 'kiotviet');
    assert.equal(kvVi.description, sl.platforms()[0].description);
    assert.equal(kvVi.sandbox, true, "the server's sandbox flag survives");

    const moduleError = checkCredentials(sl, 'kiotviet', { retailer: 'shop', clientId: 'a b', clientSecret: '' }).errors;
    const serverError = new ApiError({ code: 'conflict', message: 'Đang đồng bộ dữ liệu này.', detail: 'run r1 is running' }, 409);
    const syncError = { code: 'rate_limited', message: 'KiotViet đang giới hạn số lượt gọi API; đã chờ và thử lại nhiều lần không thành công.' };
    // Vietnamese: exactly the errors' own messages.
    assert.deepEqual(moduleError.map((e) => errorText(e, kvVi)), moduleError.map((e) => e.message));
    assert.equal(errorText(serverError, kvVi), 'Đang đồng bộ dữ liệu này.');
    assert.equal(errorText(syncError, kvVi), syncError.message);
    assert.equal(errorText({ code: 'network', message: 'x' }), 'Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại.');

    setLanguage('en');
    assert.equal(getLang(), 'en');
    const kvEn = state.platforms.find((p) => p.id === 'kiotviet');
    assert.equal(kvEn.description, 'Popular sales-management software for retail shops.');
    assert.equal(kvEn.credentials[0].label, 'Shop name');
    assert.equal(kvEn.sandbox, true);
    assert.deepEqual(moduleError.map((e) => errorText(e, kvEn)), ['The Client ID must not contain spaces — copy it again.', 'Enter the Secret Key.']);
    assert.equal(errorText(serverError, kvEn), 'This data is already syncing.');
    assert.match(errorText(syncError, kvEn), /^KiotViet is limiting API calls/);
    assert.equal(errorText({ code: 'network', message: 'x' }), 'Cannot reach the server. Check the network and try again.');
    assert.equal(errorText(new ApiError({ code: 'unauthorized', message: 'Cần đăng nhập (token không hợp lệ).' }, 401)), "This page's access token is not valid. Open the page from the StoreLink server again.");

    setLanguage('vi');
    assert.equal(state.platforms.find((p) => p.id === 'kiotviet').credentials[0].label, 'Tên gian hàng');
  } finally {
    globalThis.fetch = realFetch;
  }
});
