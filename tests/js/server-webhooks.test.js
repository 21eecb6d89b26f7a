// Server part 5 (webhooks), against SQLite and PostgreSQL: signatures verified with the module,
// durable before the 2xx, processed after (and after a crash), duplicates applied once,
// refusals with clear codes — and KiotViet always answered 200 (it stops delivering after
// 400/401/403/404/405), its refusals recorded instead.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { sameSecret } from '../../web/server/app.js';
import { BACKENDS, startServer, kiotvietCredentials, kiotvietSignature, eventually } from './helpers/server.js';
import { PANCAKE_DEFAULT_SHOP_ID } from '../../web/sandbox/pancake.js';

/** The secret with its last character changed (never to itself: a random secret may end in 'x'). */
const offByOne = (secret) => `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;

const fixture = (name) => readFileSync(new URL(`../fixtures/kiotviet/${name}.json`, import.meta.url), 'utf8');
const UPDATE = fixture('webhook_product_update');
const DELETE = fixture('webhook_product_delete');
const SECRET = Buffer.from('bi-mat-webhook-2024').toString('base64'); // registered base64, as KiotViet's docs ask

for (const backend of BACKENDS) {
  describe(`webhooks (${backend})`, () => {
    let t;
    let api;
    let conn;
    const deliver = (body, { secret = SECRET, query = `?connection=${conn.id}`, headers = {} } = {}) =>
      api.post(`/webhooks/kiotviet${query}`, body, {
        auth: false,
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-hub-signature': kiotvietSignature(body, secret) } : {}), ...headers },
      });
    const events = async (q = '') => (await api.get(`/api/events${q}`)).body.events;

    before(async () => {
      t = await startServer(backend, { webhookBodyLimit: 64 * 1024, haravanVerifyToken: 'verify-me' });
      api = t.api();
      conn = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server, { webhookSecret: SECRET }) })).body.connection;
      assert.ok(conn.secretsSet.includes('webhookSecret'));
    });
    after(() => t?.close());

    test('a signed delivery is stored before the 2xx, then normalized and upserted', async () => {
      const r = await deliver(UPDATE);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { ok: true, eventId: 'd42dcce1-3919-4303-b829-d473a163845f', duplicate: false });
      const row = await t.server.db.get('SELECT status, body FROM events WHERE event_id = ?', ['d42dcce1-3919-4303-b829-d473a163845f']);
      assert.ok(row, 'durable when the 2xx was sent');
      assert.equal(row.body, UPDATE, 'the raw body, byte for byte');
      const ev = await eventually(async () => (await events()).find((e) => e.eventId === 'd42dcce1-3919-4303-b829-d473a163845f' && e.status === 'processed'), { message: 'processed' });
      assert.equal(ev.signatureChecked, true);
      assert.equal(ev.topic, 'product.update');
      assert.equal(ev.applied, 1);
      const rec = (await api.get('/api/records?q=SP000123')).body.records[0];
      assert.equal(rec.externalId, '26254255');
      assert.equal(rec.name, 'Cà phê sữa đá');
      assert.equal(rec.connectionId, conn.id);
      const c = (await api.get(`/api/connections/${conn.id}`)).body.connection;
      assert.equal(c.storeKey, '744514', 'the retailer id is learned from the signed delivery');
      assert.ok(c.lastWebhookAt);
      const full = (await api.get(`/api/events/${ev.id}`)).body.event;
      assert.equal(full.body, UPDATE);
    });

    test('a redelivery (same event id) is applied once', async () => {
      const r = await deliver(UPDATE);
      assert.equal(r.status, 200);
      assert.equal(r.body.duplicate, true);
      assert.equal((await events()).filter((e) => e.eventId === 'd42dcce1-3919-4303-b829-d473a163845f').length, 1);
    });

    test('routing by the store key the delivery carries; deletions become tombstones', async () => {
      const r = await deliver(DELETE, { query: '' });
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, true);
      await eventually(async () => (await events()).find((e) => e.eventId === '0b7f' && e.status === 'processed'), { message: 'delete processed' });
      const dead = (await api.get('/api/records?deleted=true')).body.records.map((x) => x.externalId).sort();
      assert.deepEqual(dead, ['26254255', '26254256']);
    });

    test('KiotViet refusals answer 200 and are recorded: bad signature, unknown store, malformed, oversized', async () => {
      const forged = UPDATE.replace('Cà phê sữa đá"', 'Hàng giả"').replace('d42dcce1', 'ffffffff');
      let r = await deliver(forged, { secret: 'not-the-secret' });
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, false);
      assert.equal(r.body.rejected.code, 'forbidden');
      r = await deliver(forged, { secret: null });
      assert.equal(r.body.rejected.code, 'forbidden', 'a missing signature is refused when a secret is set');
      const rejected = await events('?status=rejected');
      assert.equal(rejected.length, 2);
      assert.equal(rejected[0].connectionId, conn.id);
      assert.equal((await api.get('/api/records?q=hang gia')).body.total, 0, 'nothing applied');

      r = await deliver(UPDATE.replace('product.update.744514', 'product.update.999999').replace('d42dcce1', 'eeeeeeee'), { query: '' });
      assert.equal(r.status, 200);
      assert.equal(r.body.rejected.code, 'unknown_store');
      r = await deliver('{"Id": "x", "Notifications": "nope"', { query: '' });
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, false);
      r = await deliver(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
      assert.equal(r.status, 200);
      assert.equal(r.body.rejected.code, 'payload_too_large');
      r = await api.post('/webhooks/kiotviet', '', { auth: false, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, false);
    });

    test('other platforms get clear error codes', async () => {
      let r = await api.post('/webhooks/shopee', '{}', { auth: false });
      assert.equal(r.status, 404);
      // A real-shaped Pancake POS order delivery, for a store id no connection has.
      const pancakeOrder = readFileSync(new URL('../fixtures/pancake/webhook_order.json', import.meta.url), 'utf8');
      r = await api.post('/webhooks/pancakepos', pancakeOrder, { auth: false, headers: { 'x-store-id': 'unknown-shop' } });
      assert.equal(r.status, 404, 'unknown Pancake POS store id');
      r = await api.post('/webhooks/haravan', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), { auth: false, headers: { 'x-haravan-org-id': '1', 'x-haravan-topic': 'orders/updated' } });
      assert.equal(r.status, 413);
      assert.equal(r.body.error.code, 'payload_too_large');
      r = await api.post('/webhooks/sapo', 'not json', { auth: false, headers: { 'content-type': 'text/plain' } });
      assert.ok([400, 404].includes(r.status), `malformed Sapo delivery refused (${r.status})`);
    });

    test("Haravan's hub.challenge handshake", async () => {
      let r = await api.get('/webhooks/haravan?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=abc123', { auth: false, raw: true });
      assert.equal(r.status, 200);
      assert.equal(r.text, 'abc123');
      r = await api.get('/webhooks/haravan?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=abc123', { auth: false });
      assert.equal(r.status, 403);
      // The token is in the URL: the request log line redacts it.
      const logged = t.logs.lines.filter((l) => l.includes('hub.verify_token'));
      assert.ok(logged.length >= 2);
      for (const l of logged) assert.ok(!l.includes('verify-me') && l.includes('hub.verify_token=[redacted]'), l);
    });

    test('the verify-token comparison is constant-time (sha-256 digests, crypto.timingSafeEqual)', () => {
      assert.equal(sameSecret('verify-me', 'verify-me'), true);
      for (const given of ['verify-mE', 'verify-m', 'verify-me ', '', undefined, ['verify-me']]) assert.equal(sameSecret(given, 'verify-me'), false, String(given));
    });

    test('Getfly: delivered to /webhooks/getfly, secret_key checked, and kept out of the stored copy', async () => {
      const id = 'cn_getfly_hook';
      const secret = 'gf-secret-key-2026';
      await t.server.repo.connections.insert({
        id, storeId: t.server.demo.store.id, platform: 'getfly', name: 'Getfly', status: 'active', settings: {}, account: { domain: 'hoamai.getflycrm.com' },
        secretsEnc: t.server.vault.seal({ apiKey: 'k', webhookSecret: secret }, id), secretsSet: ['apiKey', 'webhookSecret'],
      });
      const form = (key, uid) => new URLSearchParams({ event: 'customer.deleted', secret_key: key, 'data[account_id]': '6001', domain: 'hoamai.getflycrm.com', uid }).toString();
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      let r = await api.post(`/webhooks/getfly?connection=${id}`, form('guess', 'gf-0'), { auth: false, headers });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'forbidden');
      r = await api.post(`/webhooks/getfly?connection=${id}`, form(secret, 'gf-1'), { auth: false, headers });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { ok: true, eventId: 'gf-1', duplicate: false });
      const ev = await eventually(async () => (await events()).find((e) => e.eventId === 'gf-1' && e.status === 'processed'), { message: 'getfly processed' });
      const stored = (await api.get(`/api/events/${ev.id}`)).body.event.body;
      assert.ok(!stored.includes(secret), 'the secret is not in the stored body');
      assert.match(stored, /secret_key=%5Bredacted%5D|secret_key=\[redacted\]/);
      assert.ok((await api.get(`/api/records?deleted=true&connectionId=${id}`)).body.records.some((x) => x.platform === 'getfly' && x.externalId === '6001'));
    });

    test('Sapo: without a separate webhook secret, deliveries are checked against the app secret', async () => {
      const id = 'cn_sapo_hook';
      const appSecret = 'sapo-app-secret-2026';
      await t.server.repo.connections.insert({
        id, storeId: t.server.demo.store.id, platform: 'sapo', name: 'Sapo', status: 'active', settings: {}, account: { store: 'hoamai' },
        secretsEnc: t.server.vault.seal({ store: 'hoamai', apiKey: 'k', apiSecret: appSecret }, id), secretsSet: ['apiKey', 'apiSecret'],
      });
      const body = JSON.stringify({ id: 9001, name: 'Áo', variants: [{ id: 19001, sku: 'SKU1', price: 1000 }] });
      const deliver = (signature) => api.post(`/webhooks/sapo?connection=${id}`, body, {
        auth: false,
        headers: { 'content-type': 'application/json', 'x-sapo-topic': 'products/update', 'x-sapo-shop-domain': 'hoamai.mysapo.net', ...(signature ? { 'x-sapo-hmac-sha256': signature } : {}) },
      });
      for (const forged of [null, createHmac('sha256', 'forged').update(body).digest('base64')]) {
        const r = await deliver(forged);
        assert.equal(r.status, 401, `forged: ${forged}`);
      }
      const r = await deliver(createHmac('sha256', appSecret).update(body).digest('base64'));
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, true);
    });

    test('a disconnected connection accepts no webhook', async () => {
      await api.delete(`/api/connections/${conn.id}`);
      const r = await deliver(UPDATE.replace('d42dcce1', 'dddddddd'));
      assert.equal(r.status, 200);
      assert.equal(r.body.rejected.code, 'unknown_store');
      await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server, { webhookSecret: SECRET }) });
    });

    test('events stored but not processed before a crash are processed on restart', async () => {
      const crashy = await startServer(backend, { processWebhooks: false });
      const a = crashy.api();
      const c = (await a.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(crashy.server, { webhookSecret: SECRET }) })).body.connection;
      const body = UPDATE.replace('d42dcce1', 'cccccccc');
      const r = await a.post(`/webhooks/kiotviet?connection=${c.id}`, body, { auth: false, headers: { 'content-type': 'application/json', 'x-hub-signature': kiotvietSignature(body, SECRET) } });
      assert.equal(r.status, 200);
      assert.equal((await a.get('/api/events')).body.events[0].status, 'received');
      assert.equal((await a.get('/api/records?q=SP000123')).body.total, 0);
      await crashy.close({ keepData: true });

      const again = await startServer(backend, { reuse: { db: crashy.db, vaultKey: crashy.vaultKey } });
      try {
        const b = again.api();
        assert.equal((await b.get('/api/events')).body.events[0].status, 'processed');
        assert.equal((await b.get('/api/records?q=SP000123')).body.total, 1);
      } finally {
        await again.close();
      }
    });
  });
}

// Pancake POS signs nothing (pancake.md §1.8): the shop pastes a secret header StoreLink generated
// into its webhook settings, and a delivery without it (or with an old one) is refused.
const PANCAKE_ORDER = readFileSync(new URL('../fixtures/pancake/webhook_order.json', import.meta.url), 'utf8');
const secretOf = (conn) => conn.webhookHeaders?.find((h) => h.name === 'x-webhook-secret')?.value ?? null;

for (const backend of BACKENDS) {
  describe(`Pancake POS webhook secret (${backend})`, () => {
    let t;
    let api;
    let conn;
    let n = 0;
    // A distinct order each time (the dedupe key of a Pancake delivery is the body's hash).
    const order = () => PANCAKE_ORDER.replace(/"updated_at":\s*"[^"]*"/, `"updated_at": "2026-02-01T00:00:${String(++n).padStart(2, '0')}"`);
    const deliver = (headers, { query = `?connection=${conn.id}`, body = order() } = {}) =>
      api.post(`/webhooks/pancakepos${query}`, body, { auth: false, headers: { 'content-type': 'application/json', 'x-store-id': PANCAKE_DEFAULT_SHOP_ID, ...headers } });
    const rejections = async (id) => (await api.get(`/api/events?status=rejected&connectionId=${id}&limit=500`)).body.events;
    const view = async (id) => (await api.get(`/api/connections/${id}`)).body.connection;

    before(async () => {
      t = await startServer(backend, { sandboxes: ['kiotviet', 'pancake', 'haravan'], sandboxOptions: { kiotviet: { counts: { products: 10, customers: 10, orders: 10, invoices: 4 } }, pancake: { counts: { products: 6, customers: 6, orders: 6 } }, haravan: { counts: { products: 4, customers: 4, orders: 4 } } } });
      api = t.api();
      const r = await api.post('/api/connections', { platform: 'pancake', credentials: { ...t.server.sandboxes.pancake.secrets } });
      assert.equal(r.status, 201, r.text);
      conn = r.body.connection;
    });
    after(() => t?.close());

    test('a new connection gets a random secret, shown only as the header to paste', async () => {
      assert.equal(conn.status, 'waiting_webhook');
      assert.deepEqual(conn.webhookHeaders.map((h) => h.name), ['x-store-id', 'x-webhook-secret']);
      assert.equal(conn.webhookHeaders[0].value, PANCAKE_DEFAULT_SHOP_ID);
      const secret = secretOf(conn);
      assert.match(secret, /^[A-Za-z0-9_-]{24,}$/, 'base64url, at least 24 characters');
      assert.ok(conn.secretsSet.includes('webhookSecret'));
      assert.ok(!JSON.stringify(conn.account).includes(secret));
      assert.deepEqual(conn.warnings, []);
      // Never cached on the way (the view carries the secret).
      const r = await api.get(`/api/connections/${conn.id}`);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      // Another connection, another secret.
      const other = (await api.post('/api/connections', { platform: 'pancake', credentials: { ...t.server.sandboxes.pancake.secrets } })).body.connection;
      assert.notEqual(secretOf(other), secret);
      await api.delete(`/api/connections/${other.id}`);
      assert.equal((await view(other.id)).webhookHeaders, null, 'nothing to paste once disconnected');
    });

    test('without the secret header, or with a wrong one: refused (forbidden) and recorded; with it: accepted', async () => {
      const secret = secretOf(conn);
      const attempts = [
        ['no secret header', {}, undefined],
        ['wrong secret', { 'x-webhook-secret': offByOne(secret) }, undefined],
        ['empty secret', { 'x-webhook-secret': '' }, undefined],
        ['no secret, routed by x-store-id', {}, ''],
        ['the secret in another header', { 'x-api-key': secret }, undefined],
      ];
      for (const [label, headers, query] of attempts) {
        const r = await deliver(headers, query === undefined ? {} : { query });
        assert.equal(r.status, 401, `${label}: ${r.text}`);
        assert.equal(r.body.error.code, 'forbidden', label);
      }
      const rejected = await rejections(conn.id);
      assert.equal(rejected.length, attempts.length, 'every refusal is recorded on the connection');
      assert.ok(rejected.every((e) => e.platform === 'pancake' && e.error?.code === 'forbidden'));
      for (const e of rejected) assert.ok(!JSON.stringify((await api.get(`/api/events/${e.id}`)).body.event).includes(secret), 'the stored rejection holds no secret');
      assert.equal((await view(conn.id)).status, 'waiting_webhook', 'a refused delivery does not activate the connection');

      let r = await deliver({ 'x-webhook-secret': secret });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.ok, true);
      r = await deliver({ 'x-webhook-secret': secret }, { query: '' });
      assert.equal(r.status, 200, `routed by x-store-id: ${r.text}`);
      const c = await view(conn.id);
      assert.equal(c.status, 'active');
      assert.ok(c.lastWebhookAt);
      const ok = await eventually(async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events, { message: 'processed' });
      assert.ok(ok.length >= 1 && ok.every((e) => e.signatureChecked === true));
    });

    test('a variation (stock) delivery is followed by a read of its whole product, stored with the new stock', async () => {
      const sim = t.server.sandboxes.pancake.sim;
      const product = sim.truth('products').find((p) => p.variations?.length);
      const variation = product.variations[0];
      sim.setStock(variation.id, variation.remain_quantity + 11);
      const body = JSON.stringify(sim.webhookBody('variation', variation.id));
      const before = sim.stats().byRoute?.['GET /shops/{id}/products/{id}']?.[200] ?? null;
      const r = await deliver({ 'x-webhook-secret': secretOf(conn) }, { body });
      assert.equal(r.status, 200, r.text);
      const ev = await eventually(async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events.find((e) => e.topic === 'variation'), { message: 'processed' });
      assert.equal(ev.applied, 1, 'the whole product');
      const rec = (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=500`)).body.records.find((x) => x.externalId === String(product.id));
      assert.ok(rec, 'stored');
      const v = rec.variants.find((x) => x.externalId === String(variation.id));
      assert.equal(v.totalStock, variation.remain_quantity + 11, 'the new stock');
      assert.equal(rec.name, product.name);
      if (before !== null) assert.equal(sim.stats().byRoute['GET /shops/{id}/products/{id}'][200], before + 1);
    });

    test('rotation: a new secret, the old one refused from then on', async () => {
      const old = secretOf(conn);
      const r = await api.post(`/api/connections/${conn.id}/webhook-secret`);
      assert.equal(r.status, 200, r.text);
      const fresh = secretOf(r.body.connection);
      assert.match(fresh, /^[A-Za-z0-9_-]{24,}$/);
      assert.notEqual(fresh, old);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(secretOf(await view(conn.id)), fresh);
      const before = (await rejections(conn.id)).length;
      const refused = await deliver({ 'x-webhook-secret': old });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, 'forbidden');
      assert.equal((await rejections(conn.id)).length, before + 1);
      assert.equal((await deliver({ 'x-webhook-secret': fresh })).status, 200);
      // A reconnect (new credentials, no secret given) keeps the secret the shop pasted.
      const again = await api.patch(`/api/connections/${conn.id}`, { credentials: { ...t.server.sandboxes.pancake.secrets } });
      assert.equal(again.status, 200, again.text);
      assert.equal(secretOf(again.body.connection), fresh);
    });

    test('rotation is refused for platforms that sign their own webhooks, and once disconnected', async () => {
      // Haravan signs with a secret of its own (the shop copies it): nothing for StoreLink to make.
      const hr = (await api.post('/api/connections', { platform: 'haravan', credentials: { ...t.server.sandboxes.haravan.secrets } }));
      assert.equal(hr.status, 201, hr.text);
      let r = await api.post(`/api/connections/${hr.body.connection.id}/webhook-secret`);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'invalid_input');
      // KiotViet signs with the secret StoreLink registers: a new one means registering again
      // (tests/js/server-webhook-secrets.test.js), never a secret shown to the page.
      const kv = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) })).body.connection;
      assert.equal(kv.webhookHeaders, null);
      r = await api.post(`/api/connections/${kv.id}/webhook-secret`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.connection.webhookHeaders, null);
      r = await api.post('/api/connections/cn_nope/webhook-secret');
      assert.equal(r.status, 404);
      const gone = (await api.post('/api/connections', { platform: 'pancake', credentials: { ...t.server.sandboxes.pancake.secrets } })).body.connection;
      await api.delete(`/api/connections/${gone.id}`);
      r = await api.post(`/api/connections/${gone.id}/webhook-secret`);
      assert.equal(r.status, 409);
      // Reconnected after a disconnect (the vault was emptied): a new secret.
      r = await api.patch(`/api/connections/${gone.id}`, { credentials: { ...t.server.sandboxes.pancake.secrets } });
      assert.equal(r.status, 200, r.text);
      assert.match(secretOf(r.body.connection), /^[A-Za-z0-9_-]{24,}$/);
      assert.notEqual(secretOf(r.body.connection), secretOf(gone));
      await api.delete(`/api/connections/${gone.id}`);
    });

    test('a connection made before secrets were generated: still accepted, with a warning, until a secret is made', async () => {
      // As such a connection sits in the database: the vault holds no webhookSecret.
      const id = 'cn_pancake_legacy';
      const { apiKey, shopId } = t.server.sandboxes.pancake.secrets;
      await t.server.repo.connections.insert({
        id, storeId: t.server.demo.store.id, platform: 'pancake', name: 'Pancake POS', status: 'active', settings: {}, account: { shopId },
        secretsEnc: t.server.vault.seal({ apiKey, shopId }, id), secretsSet: ['apiKey'], storeKey: shopId,
      });
      let c = await view(id);
      assert.deepEqual(c.warnings.map((w) => w.code), ['webhook_secret_missing']);
      assert.match(c.warnings[0].message, /x-webhook-secret/);
      assert.deepEqual(c.webhookHeaders, [{ name: 'x-store-id', value: shopId }]);
      let r = await api.post(`/webhooks/pancakepos?connection=${id}`, order(), { auth: false, headers: { 'content-type': 'application/json', 'x-store-id': shopId } });
      assert.equal(r.status, 200, `still accepted: ${r.text}`);

      r = await api.post(`/api/connections/${id}/webhook-secret`);
      assert.equal(r.status, 200, r.text);
      c = r.body.connection;
      assert.deepEqual(c.warnings, []);
      const secret = secretOf(c);
      assert.ok(secret && c.secretsSet.includes('webhookSecret'));
      r = await api.post(`/webhooks/pancakepos?connection=${id}`, order(), { auth: false, headers: { 'content-type': 'application/json', 'x-store-id': shopId } });
      assert.equal(r.status, 401, 'from now on the secret is required');
      r = await api.post(`/webhooks/pancakepos?connection=${id}`, order(), { auth: false, headers: { 'content-type': 'application/json', 'x-store-id': shopId, 'x-webhook-secret': secret } });
      assert.equal(r.status, 200);
    });

    test('a legacy connection reconnected without a secret gets one', async () => {
      const id = 'cn_pancake_legacy2';
      const { apiKey, shopId } = t.server.sandboxes.pancake.secrets;
      await t.server.repo.connections.insert({
        id, storeId: t.server.demo.store.id, platform: 'pancake', name: 'Pancake POS', status: 'needs_attention', settings: {}, account: { shopId },
        secretsEnc: t.server.vault.seal({ apiKey: 'old-key', shopId }, id), secretsSet: ['apiKey'], storeKey: shopId,
      });
      assert.equal((await view(id)).warnings[0].code, 'webhook_secret_missing');
      const r = await api.patch(`/api/connections/${id}`, { credentials: { apiKey, shopId } });
      assert.equal(r.status, 200, r.text);
      assert.match(secretOf(r.body.connection), /^[A-Za-z0-9_-]{24,}$/);
      assert.deepEqual(r.body.connection.warnings, []);
    });
  });
}
