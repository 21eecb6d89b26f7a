// Issue #10, "nobody gets in": webhooks of KiotViet, Getfly and Haravan connections are
// authenticated, against the simulators, on SQLite and PostgreSQL.
// - KiotViet (kiotviet.md §A.8): connecting generates a secret and registers the connection's
//   topics with it (POST /webhooks {Webhook: {Type, Url, Secret}}); KiotViet signs deliveries
//   with it (X-Hub-Signature), unsigned or forged ones are refused and recorded (answered 200:
//   KiotViet stops delivering to an endpoint that answers 400/401/403/404/405); reconnecting
//   doubles nothing, disconnecting removes them.
// - Getfly (getfly.md §3.6): the shop pastes a Secret Key StoreLink generated; deliveries
//   without it are refused (401) and recorded; rotation; legacy connections warned.
// - Haravan private apps (haravan.md A.5.1): without the shop's webhook authentication
//   string a connection says so (webhook_secret_missing); the field is optional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BACKENDS, startServer, kiotvietCredentials, eventually } from './helpers/server.js';

/** The secret with its last character changed (never to itself: a random secret may end in 'x'). */
const offByOne = (secret) => `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;

const KV_TYPES = ['branch.delete', 'branch.update', 'customer.delete', 'customer.update', 'order.update', 'product.delete', 'product.update', 'stock.update'];
const OPTIONS = {
  sandboxes: ['kiotviet', 'getfly', 'haravan'],
  sandboxOptions: {
    kiotviet: { counts: { products: 12, customers: 6, orders: 6, invoices: 4 } },
    getfly: { counts: { products: 6, customers: 6, orders: 6 } },
    haravan: { counts: { products: 4, customers: 2, orders: 2 } },
  },
};

for (const backend of BACKENDS) {
  describe(`webhook secrets (${backend})`, () => {
    let t;
    let api;
    before(async () => {
      t = await startServer(backend, OPTIONS);
      api = t.api();
    });
    after(() => t?.close());

    const view = async (id) => (await api.get(`/api/connections/${id}`)).body.connection;
    const rejections = async (id) => (await api.get(`/api/events?status=rejected&connectionId=${id}&limit=500`)).body.events;
    const vaultOf = async (id) => t.server.services.secretsOf(await t.server.repo.connections.getAnyStore(id));

    describe('KiotViet', () => {
      let sim;
      let conn;
      // Delete Types are registered at the address plus &topic=<type> (their documented body names no topic).
      const ours = (c = conn) => sim.webhooks().filter((w) => w.url === c.webhookUrl || w.url === `${c.webhookUrl}&topic=${w.type}`);
      before(async () => {
        sim = t.server.sandboxes.kiotviet.sim;
        const r = await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) });
        assert.equal(r.status, 201, r.text);
        conn = r.body.connection;
      });

      test('connecting generates a secret and registers every topic with it, at the connection address', async () => {
        assert.ok(conn.secretsSet.includes('webhookSecret'));
        assert.deepEqual(conn.warnings, []);
        assert.equal(conn.account.webhooksRegistered, String(KV_TYPES.length));
        assert.deepEqual(ours().map((w) => w.type).sort(), KV_TYPES);
        const { webhookSecret } = await vaultOf(conn.id);
        assert.match(webhookSecret, /^[A-Za-z0-9+/]{32}$/, 'base64 of 24 random bytes, as KiotViet asks');
        assert.ok(ours().every((w) => w.secret === webhookSecret && w.isActive), 'registered with the connection secret');
        assert.ok(!JSON.stringify(conn).includes(webhookSecret), 'never in the page');
        assert.equal(conn.webhookHeaders, null);
        assert.equal(conn.webhookFields, null);
        assert.deepEqual(sim.stats().byRoute['GET /webhooks'], { 200: 1 }, 'listed once, first');
      });

      test('a delivery KiotViet signs with the registered secret is accepted and applied', async () => {
        const product = sim.truth('products')[0];
        sim.touch('products', product.id);
        assert.deepEqual(await sim.postWebhooks('product.update', product.id), [200]);
        const ev = await eventually(async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events.find((e) => e.topic === 'product.update'), { message: 'processed' });
        assert.equal(ev.signatureChecked, true);
        assert.equal(ev.applied >= 1, true);
        const rec = (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=200`)).body.records.find((x) => x.externalId === String(product.id));
        assert.ok(rec, 'the product arrived by webhook');
      });

      test('stock.update carries stock rows, not products: the products it names are read again and stored whole', async () => {
        const product = sim.truth('products').find((p) => p.inventories?.length);
        const inv = product.inventories[0];
        sim.setStock(product.id, inv.branchId, inv.onHand + 7);
        const before = sim.stats().byRoute['GET /products/{id}']?.[200] ?? 0;
        assert.deepEqual(await sim.postWebhooks('stock.update', product.id), [200]);
        const ev = await eventually(async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events.find((e) => e.topic === 'stock.update'), { message: 'processed' });
        assert.equal(ev.applied, 1, 'one product record');
        assert.equal(sim.stats().byRoute['GET /products/{id}']?.[200], before + 1, 'read once, through the proxy');
        const rec = (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=500`)).body.records.find((x) => x.externalId === String(product.id));
        assert.ok(rec, 'the product is stored');
        const level = rec.variants[0].stock.find((l) => l.locationId === String(inv.branchId));
        assert.equal(level.onHand, inv.onHand + 7, 'the new stock');
        assert.equal(rec.name, product.name, 'and the whole product, not a stock-only shell');
      });

      test('a deletion arrives in either documented shape: the envelope, or a bare {RemoveId} at its Type\'s URL', async () => {
        const [a, b] = sim.truth('products').slice(-2);
        assert.ok(ours().filter((w) => w.type.endsWith('.delete')).every((w) => w.url.endsWith(`&topic=${w.type}`)));
        sim.remove('products', a.id);
        sim.remove('products', b.id);
        assert.deepEqual(await sim.postWebhooks('product.delete', a.id), [200]);
        assert.deepEqual(await sim.postWebhooks('product.delete', b.id, { deleteShape: 'docs' }), [200]);
        const deleted = async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events.filter((e) => e.topic === 'product.delete');
        await eventually(async () => (await deleted()).length === 2 || null, { message: 'both deletions processed' });
        for (const e of await deleted()) assert.equal(e.signatureChecked, true);
        const bare = sim.webhookDeliveries('product.delete', b.id, { deleteShape: 'docs' })[0];
        assert.deepEqual(JSON.parse(bare.body), { RemoveId: [b.id] });
        // Without the topic its URL gives, a bare body says nothing: refused, never guessed.
        const r = await api.post(`/webhooks/kiotviet?connection=${conn.id}`, bare.body, { auth: false, headers: bare.headers });
        assert.notEqual(r.body.ok, true);
        // And a topic header sent from outside is ignored (only the registered URL counts).
        const spoofed = await api.post(`/webhooks/kiotviet?connection=${conn.id}`, bare.body, { auth: false, headers: { ...bare.headers, 'x-storelink-topic': 'product.delete' } });
        assert.notEqual(spoofed.body.ok, true);
      });

      test('unsigned and forged deliveries are refused and recorded (answered 200: KiotViet would stop delivering)', async () => {
        const [signed] = sim.webhookDeliveries('customer.update', sim.truth('customers')[0].id);
        const before = (await rejections(conn.id)).length;
        const forgedBody = signed.body.replace(/"Name":"[^"]*"/, '"Name":"Kẻ giả mạo"');
        for (const [label, headers, body] of [
          ['unsigned', { 'content-type': 'application/json' }, signed.body],
          ['signed with another key', { 'content-type': 'application/json', 'x-hub-signature': `sha256=${createHmac('sha256', 'guess').update(signed.body).digest('hex')}` }, signed.body],
          ['body changed after signing', signed.headers, forgedBody],
        ]) {
          const r = await api.post(`/webhooks/kiotviet?connection=${conn.id}`, body, { auth: false, headers });
          assert.equal(r.status, 200, label);
          assert.equal(r.body.ok, false, label);
          assert.equal(r.body.rejected.code, 'forbidden', label);
        }
        const rejected = await rejections(conn.id);
        assert.equal(rejected.length, before + 3, 'each refusal is recorded on the connection');
        assert.equal((await api.get('/api/records?q=Kẻ giả mạo')).body.total, 0);
        // Routed by the retailer id in the body (no ?connection=): the same check.
        const r = await api.post('/webhooks/kiotviet', signed.body, { auth: false, headers: { 'content-type': 'application/json' } });
        assert.equal(r.body.rejected?.code, 'forbidden');
      });

      test('reconnecting keeps the secret and doubles nothing; a topic removed meanwhile comes back', async () => {
        const secret = (await vaultOf(conn.id)).webhookSecret;
        const ids = ours().map((w) => w.id).sort();
        let r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server) });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body.connection.warnings, []);
        assert.equal((await vaultOf(conn.id)).webhookSecret, secret);
        assert.deepEqual(ours().map((w) => w.id).sort(), ids, 'the same registrations');
        const gone = ours().find((w) => w.type === 'stock.update');
        const token = await (await fetch(`${sim.url}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ scopes: 'PublicApi.Access', grant_type: 'client_credentials', client_id: sim.info().clientId, client_secret: sim.info().clientSecret }) })).json();
        const del = await fetch(`${sim.url}/webhooks/${gone.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token.access_token}`, retailer: sim.info().retailer } });
        assert.equal(del.status, 200);
        r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server) });
        assert.deepEqual(ours().map((w) => w.type).sort(), KV_TYPES);
      });

      test('a new secret given on reconnect replaces the registrations (they would sign with the old one)', async () => {
        const given = Buffer.from('another-shop-secret-2026').toString('base64');
        const r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server, { webhookSecret: given }) });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(ours().map((w) => w.type).sort(), KV_TYPES);
        assert.ok(ours().every((w) => w.secret === given));
        assert.deepEqual(await sim.postWebhooks('branch.update', sim.truth('branches')[0].id), [200]);
        await eventually(async () => (await api.get(`/api/events?connectionId=${conn.id}&status=processed`)).body.events.find((e) => e.topic === 'branch.update'), { message: 'branch processed' });
      });

      test('taking invoices as orders swaps order.update for invoice.update', async () => {
        let r = await api.patch(`/api/connections/${conn.id}`, { settings: { invoicesAsOrders: true } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(ours().map((w) => w.type).sort(), KV_TYPES.map((x) => (x === 'order.update' ? 'invoice.update' : x)).sort());
        r = await api.patch(`/api/connections/${conn.id}`, { settings: { invoicesAsOrders: null } });
        assert.deepEqual(ours().map((w) => w.type).sort(), KV_TYPES);
      });

      test('disconnecting removes them, even once the stored token has expired', async () => {
        const others = sim.webhooks().length - ours().length;
        sim.expireTokens();
        const r = await api.delete(`/api/connections/${conn.id}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(ours(), []);
        assert.equal(sim.webhooks().length, others, 'only ours');
      });

      test('a refused registration leaves the connection active with a warning', async () => {
        sim.setPermissions({ webhooks: 'none' });
        try {
          const r = await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) });
          assert.equal(r.status, 201, r.text);
          const c = r.body.connection;
          assert.equal(c.status, 'active');
          assert.deepEqual(c.warnings.map((w) => w.code), ['webhooks_not_registered']);
          assert.equal(c.account.webhooksRegistered, '0');
          sim.setPermissions({ webhooks: 'write' });
          const again = await api.patch(`/api/connections/${c.id}`, { credentials: kiotvietCredentials(t.server) });
          assert.deepEqual(again.body.connection.warnings, []);
          assert.equal(ours(c).length, KV_TYPES.length);
          await api.delete(`/api/connections/${c.id}`);
        } finally {
          sim.setPermissions({ webhooks: 'write' });
        }
      });

      test('a connection made before secrets: unsigned deliveries still accepted, with a warning, until reconnected (or registered again)', async () => {
        const id = 'cn_kv_legacy';
        const { retailer, clientId, clientSecret } = kiotvietCredentials(t.server);
        await t.server.repo.connections.insert({
          id, storeId: t.server.demo.store.id, platform: 'kiotviet', name: 'KiotViet', status: 'active', settings: {}, account: { retailer },
          secretsEnc: t.server.vault.seal({ retailer, clientId, clientSecret }, id), secretsSet: ['clientId', 'clientSecret'],
        });
        const c = await view(id);
        assert.deepEqual(c.warnings.map((w) => w.code), ['webhook_secret_missing']);
        assert.match(c.warnings[0].message, /Đăng ký lại webhook/);
        assert.equal(c.warnings[0].action, 'reregister_webhooks', 'the page offers the button');
        const [d] = sim.webhookDeliveries('product.delete', 1); // no registration of ours: build one by hand
        const body = d?.body ?? JSON.stringify({ Id: 'legacy-1', Attempt: 1, Notifications: [{ Action: `product.delete.${sim.info().retailerId}`, Data: [1] }] });
        let r = await api.post(`/webhooks/kiotviet?connection=${id}`, body, { auth: false, headers: { 'content-type': 'application/json' } });
        assert.equal(r.body.ok, true, 'still accepted');
        r = await api.patch(`/api/connections/${id}`, { credentials: { retailer, clientId, clientSecret } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body.connection.warnings, []);
        assert.ok(r.body.connection.secretsSet.includes('webhookSecret'));
        r = await api.post(`/webhooks/kiotviet?connection=${id}`, body.replace('legacy-1', 'legacy-2'), { auth: false, headers: { 'content-type': 'application/json' } });
        assert.equal(r.body.rejected?.code, 'forbidden', 'from now on signed only');
        await api.delete(`/api/connections/${id}`);
      });

      test('“Đăng ký lại webhook”: a connection made before secrets gets one without reconnecting; again, and the old secret is refused', async () => {
        const id = 'cn_kv_rotate';
        const { retailer, clientId, clientSecret } = kiotvietCredentials(t.server);
        await t.server.repo.connections.insert({
          id, storeId: t.server.demo.store.id, platform: 'kiotviet', name: 'KiotViet', status: 'active', settings: {}, account: { retailer },
          secretsEnc: t.server.vault.seal({ retailer, clientId, clientSecret }, id), secretsSet: ['clientId', 'clientSecret'],
        });
        const before = await view(id);
        assert.match(before.warnings[0].message, /Đăng ký lại webhook/);
        let r = await api.post(`/api/connections/${id}/webhook-secret`);
        assert.equal(r.status, 200, r.text);
        const c = r.body.connection;
        assert.deepEqual(c.warnings, []);
        assert.equal(c.account.webhooksRegistered, String(KV_TYPES.length));
        const first = (await vaultOf(id)).webhookSecret;
        assert.match(first, /^[A-Za-z0-9+/]{32}$/);
        assert.ok(!JSON.stringify(r.body).includes(first), 'KiotViet keeps its secret: never shown');
        assert.deepEqual(ours(c).map((w) => w.type).sort(), KV_TYPES);
        assert.ok(ours(c).every((w) => w.secret === first));
        const product = sim.truth('products')[1];
        const signedWithFirst = sim.webhookDeliveries('product.update', [product.id]).find((d) => d.url.includes(id));
        assert.ok(signedWithFirst, 'a delivery for this connection');

        r = await api.post(`/api/connections/${id}/webhook-secret`);
        assert.equal(r.status, 200, r.text);
        const second = (await vaultOf(id)).webhookSecret;
        assert.notEqual(second, first);
        assert.equal(ours(r.body.connection).length, KV_TYPES.length, 'replaced, not doubled');
        assert.ok(ours(r.body.connection).every((w) => w.secret === second));
        r = await api.post(signedWithFirst.url.replace(/^https?:\/\/[^/]+/, ''), signedWithFirst.body, { auth: false, headers: signedWithFirst.headers });
        assert.equal(r.body.rejected?.code, 'forbidden', 'signed with the old secret: refused');
        sim.touch('products', product.id);
        assert.ok((await sim.postWebhooks('product.update', product.id)).every((s) => s === 200));
        await eventually(async () => (await api.get(`/api/events?connectionId=${id}&status=processed`)).body.events.length > 0, { message: 'signed with the new secret: processed' });
        await api.delete(`/api/connections/${id}`);
      });
    });

    describe('Getfly', () => {
      let sim;
      let conn;
      const secretOf = (c) => c.webhookFields?.find((f) => f.name === 'Secret Key')?.value ?? null;
      const form = (secret, uid, extra = {}) => new URLSearchParams({ event: 'customer.deleted', ...(secret === null ? {} : { secret_key: secret }), 'data[account_id]': '6001', domain: sim.info().host, uid, ...extra }).toString();
      const deliver = (body, query = `?connection=${conn.id}`) => api.post(`/webhooks/getfly${query}`, body, { auth: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      before(async () => {
        sim = t.server.sandboxes.getfly.sim;
        const r = await api.post('/api/connections', { platform: 'getfly', credentials: { ...t.server.sandboxes.getfly.secrets } });
        assert.equal(r.status, 201, r.text);
        conn = r.body.connection;
      });

      test('a new connection gets a generated Secret Key, shown only as the field to paste', async () => {
        assert.deepEqual(conn.webhookFields.map((f) => f.name), ['Secret Key']);
        const secret = secretOf(conn);
        assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
        assert.equal(secret, (await vaultOf(conn.id)).webhookSecret);
        assert.ok(conn.secretsSet.includes('webhookSecret'));
        assert.deepEqual(conn.warnings, []);
        assert.match(conn.webhookUrl, new RegExp(`/webhooks/getfly\\?connection=${conn.id}$`));
        assert.equal(conn.webhookHeaders, null);
        assert.ok(!JSON.stringify({ ...conn, webhookFields: null }).includes(secret), 'nowhere else in the view');
        const other = (await api.post('/api/connections', { platform: 'getfly', credentials: { ...t.server.sandboxes.getfly.secrets } })).body.connection;
        assert.notEqual(secretOf(other), secret);
        await api.delete(`/api/connections/${other.id}`);
        assert.equal((await view(other.id)).webhookFields, null, 'nothing to paste once disconnected');
      });

      test('Getfly deliveries carrying the pasted Secret Key are accepted; without it or with another, refused (401) and recorded', async () => {
        sim.setWebhookSecret(secretOf(conn)); // the shop pasted it
        const victim = sim.truth('customers')[0].id;
        sim.remove('customers', victim);
        const statuses = await sim.postWebhooks(conn.webhookUrl);
        assert.ok(statuses.length >= 1 && statuses.every((s) => s === 200), JSON.stringify(statuses));
        await eventually(async () => (await api.get(`/api/records?deleted=true&connectionId=${conn.id}`)).body.records.some((x) => x.externalId === String(victim)), { message: 'tombstone' });

        const secret = secretOf(conn);
        const attempts = [['no secret_key', form(null, 'gf-a')], ['a guess', form('guess', 'gf-b')], ['empty', form('', 'gf-c')], ['off by one', form(offByOne(secret), 'gf-d')], ['routed by domain', form('guess', 'gf-e')]];
        const before = (await rejections(conn.id)).length;
        for (const [label, body] of attempts) {
          const r = await deliver(body, label === 'routed by domain' ? '' : undefined);
          assert.equal(r.status, 401, `${label}: ${r.text}`);
          assert.equal(r.body.error.code, 'forbidden', label);
        }
        const rejected = await rejections(conn.id);
        assert.equal(rejected.length, before + attempts.length);
        for (const e of rejected) assert.ok(!JSON.stringify((await api.get(`/api/events/${e.id}`)).body.event).includes(secret));
      });

      test('rotation: a new Secret Key, the old one refused from then on; a reconnect keeps it', async () => {
        const old = secretOf(conn);
        const r = await api.post(`/api/connections/${conn.id}/webhook-secret`);
        assert.equal(r.status, 200, r.text);
        const fresh = secretOf(r.body.connection);
        assert.match(fresh, /^[A-Za-z0-9_-]{32}$/);
        assert.notEqual(fresh, old);
        assert.equal((await deliver(form(old, 'gf-rot-1'))).status, 401);
        assert.equal((await deliver(form(fresh, 'gf-rot-2'))).status, 200);
        const again = await api.patch(`/api/connections/${conn.id}`, { credentials: { ...t.server.sandboxes.getfly.secrets } });
        assert.equal(again.status, 200, again.text);
        assert.equal(secretOf(again.body.connection), fresh);
      });

      test('a connection made before secrets: accepted with a warning until a Secret Key is made', async () => {
        const id = 'cn_getfly_legacy';
        const { domain, apiKey } = t.server.sandboxes.getfly.secrets;
        await t.server.repo.connections.insert({
          id, storeId: t.server.demo.store.id, platform: 'getfly', name: 'Getfly', status: 'active', settings: {}, account: { domain },
          secretsEnc: t.server.vault.seal({ domain, apiKey }, id), secretsSet: ['apiKey'],
        });
        let c = await view(id);
        assert.deepEqual(c.warnings.map((w) => w.code), ['webhook_secret_missing']);
        assert.match(c.warnings[0].message, /Secret Key/);
        assert.deepEqual(c.webhookFields, []);
        let r = await deliver(form('anything', 'gf-legacy-1'), `?connection=${id}`);
        assert.equal(r.status, 200, `still accepted: ${r.text}`);
        r = await api.post(`/api/connections/${id}/webhook-secret`);
        assert.equal(r.status, 200, r.text);
        c = r.body.connection;
        assert.deepEqual(c.warnings, []);
        assert.equal((await deliver(form('anything', 'gf-legacy-2'), `?connection=${id}`)).status, 401);
        assert.equal((await deliver(form(secretOf(c), 'gf-legacy-3'), `?connection=${id}`)).status, 200);
      });
    });

    describe('Haravan', () => {
      test('without the webhook authentication string: connects (the field is optional), with a warning saying where to find it', async () => {
        const { shop, accessToken, webhookSecret } = t.server.sandboxes.haravan.secrets;
        const platform = (await api.get('/api/platforms')).body.platforms.find((p) => p.id === 'haravan');
        const field = platform.credentials.find((f) => f.key === 'webhookSecret');
        assert.equal(field.optional, true);
        assert.equal(field.secret, true);
        assert.match(field.help, /Cài đặt → Thông báo → Webhook/);
        let r = await api.post('/api/connections', { platform: 'haravan', credentials: { shop, accessToken } });
        assert.equal(r.status, 201, r.text);
        const c = r.body.connection;
        assert.deepEqual(c.warnings.map((w) => w.code), ['webhook_secret_missing']);
        assert.match(c.warnings[0].message, /chuỗi xác thực webhook/);
        // Given on reconnect: the warning goes, unsigned deliveries are refused.
        r = await api.patch(`/api/connections/${c.id}`, { credentials: { shop, accessToken, webhookSecret } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body.connection.warnings, []);
        assert.ok(r.body.connection.secretsSet.includes('webhookSecret'));
        r = await api.post(`/webhooks/haravan?connection=${c.id}`, '{"id":1}', { auth: false, headers: { 'content-type': 'application/json', 'x-haravan-topic': 'products/update' } });
        assert.equal(r.status, 401);
        // A reconnect that leaves the field empty keeps it.
        r = await api.patch(`/api/connections/${c.id}`, { credentials: { shop, accessToken } });
        assert.deepEqual(r.body.connection.warnings, []);
        await api.delete(`/api/connections/${c.id}`);
      });

      test('a delete delivery whose body carries more than the id deletes, never stores a live shell', async () => {
        const { shop, accessToken, webhookSecret } = t.server.sandboxes.haravan.secrets;
        const c = (await api.post('/api/connections', { platform: 'haravan', credentials: { shop, accessToken, webhookSecret } })).body.connection;
        const sim = t.server.sandboxes.haravan.sim;
        const product = sim.truth('products')[0];
        const send = async (topic, body) => {
          const hmac = createHmac('sha256', webhookSecret).update(body).digest('base64');
          const r = await api.post(`/webhooks/haravan?connection=${c.id}`, body, { auth: false, headers: { 'content-type': 'application/json', 'x-haravan-topic': topic, 'x-haravan-hmac-sha256': hmac } });
          assert.equal(r.status, 200, r.text);
        };
        await send('products/update', sim.webhook('products/update', product.id).body);
        const live = await eventually(async () => (await api.get(`/api/records?type=product&connectionId=${c.id}`)).body.records.find((x) => x.externalId === String(product.id)), { message: 'stored' });
        assert.equal(live.deleted, false);
        await send('products/delete', JSON.stringify({ id: product.id, title: product.title ?? 'x', updated_at: '2030-01-01T00:00:00Z' }));
        const gone = await eventually(async () => (await api.get(`/api/records?deleted=true&type=product&connectionId=${c.id}`)).body.records.find((x) => x.externalId === String(product.id)), { message: 'tombstone' });
        assert.equal(gone.deleted, true);
        assert.equal(gone.name, live.name, 'the last known data kept, not the delete body\'s');
        await api.delete(`/api/connections/${c.id}`);
      });
    });
  });
}
