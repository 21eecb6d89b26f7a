// Webhook registration through the platform's API (Sapo `/admin/webhooks.json`, sapo.md B.8):
// connecting registers the family's topics at the connection's webhook URL, reconnecting adds
// nothing twice, disconnecting removes them and keeps the synced records; a refused
// registration leaves the connection active with a warning. Haravan private apps cannot
// register through the API: nothing is sent. SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer, waitRun } from './helpers/server.js';

const TOPICS = ['customers/create', 'customers/delete', 'customers/update', 'orders/create', 'orders/delete', 'orders/updated',
  'products/create', 'products/delete', 'products/update'];
const OPTIONS = { sandboxes: ['sapo', 'haravan'], sandboxOptions: { sapo: { counts: { products: 20, customers: 5, orders: 5 } }, haravan: { counts: { products: 5, customers: 2, orders: 2 } } } };

for (const backend of BACKENDS) {
  describe(`webhook registration (${backend})`, () => {
    let t;
    let api;
    let sim;
    before(async () => {
      t = await startServer(backend, OPTIONS);
      api = t.api();
      sim = t.server.sandboxes.sapo.sim;
    });
    after(() => t?.close());

    const routes = () => sim.stats().byRoute;
    const ours = (conn) => sim.webhooks().filter((w) => w.address === conn.webhookUrl);

    test('connect registers, reconnect adds nothing, disconnect removes them and keeps the records', async () => {
      const secrets = { ...t.server.sandboxes.sapo.secrets };
      let r = await api.post('/api/connections', { platform: 'sapo', credentials: secrets });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const conn = r.body.connection;
      assert.match(conn.webhookUrl, new RegExp(`/webhooks/sapo\\?connection=${conn.id}$`));
      assert.deepEqual(ours(conn).map((w) => w.topic).sort(), TOPICS);
      assert.ok(ours(conn).every((w) => w.format === 'json'));
      assert.deepEqual(conn.warnings, []);
      assert.equal(conn.account.webhooksRegistered, String(TOPICS.length));
      assert.deepEqual(routes()['GET /admin/webhooks.json'], { 200: 1 }, 'listed once, first');
      assert.deepEqual(routes()['POST /admin/webhooks.json'], { 201: TOPICS.length });
      const before = sim.webhooks().length;

      const sync = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
      assert.equal(sync.status, 202);
      assert.equal((await waitRun(api, sync.body.run.id)).status, 'succeeded');
      const synced = (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=200`)).body.records.length;
      assert.equal(synced, sim.truth('products').length);

      // Reconnect (same credentials): what is there is kept, nothing is registered twice.
      r = await api.patch(`/api/connections/${conn.id}`, { credentials: secrets });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(ours(conn).length, TOPICS.length, 'no duplicates');
      assert.deepEqual(r.body.connection.warnings, []);
      // A topic removed on the platform meanwhile comes back on the next reconnect.
      const gone = ours(conn).find((w) => w.topic === 'orders/updated');
      const del = await fetch(`${sim.url}/admin/webhooks/${gone.id}.json`, { method: 'DELETE', headers: basic(secrets) });
      assert.equal(del.status, 200);
      r = await api.patch(`/api/connections/${conn.id}`, { credentials: secrets });
      assert.deepEqual(ours(conn).map((w) => w.topic).sort(), TOPICS);

      // Disconnect: removed on the platform, records kept.
      r = await api.delete(`/api/connections/${conn.id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.connection.status, 'disconnected');
      assert.deepEqual(ours(conn), []);
      assert.equal(sim.webhooks().length, before - TOPICS.length, 'only ours were removed');
      const kept = (await api.get(`/api/records?type=product&connectionId=${conn.id}&limit=200`)).body.records.length;
      assert.equal(kept, synced, 'records stay');
    });

    test('a refused registration does not block the connection: it becomes a warning', async () => {
      sim.setPermissions({ webhooks: 'none' });
      try {
        const r = await api.post('/api/connections', { platform: 'sapo', credentials: { ...t.server.sandboxes.sapo.secrets } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const conn = r.body.connection;
        assert.equal(conn.status, 'active');
        assert.deepEqual(conn.warnings.map((w) => w.code), ['webhooks_not_registered']);
        assert.match(conn.warnings[0].message, /webhook/);
        assert.equal(conn.account.webhooksRegistered, '0');
        assert.deepEqual(ours(conn), []);
        // Granted later: reconnecting registers and clears the warning.
        sim.setPermissions({ webhooks: 'write' });
        const again = await api.patch(`/api/connections/${conn.id}`, { credentials: { ...t.server.sandboxes.sapo.secrets } });
        assert.deepEqual(again.body.connection.warnings, []);
        assert.equal(ours(conn).length, TOPICS.length);
        await api.delete(`/api/connections/${conn.id}`);
        assert.deepEqual(ours(conn), []);
      } finally {
        sim.setPermissions({ webhooks: 'write' });
      }
    });

    test('Haravan private apps cannot register through the API: no call is made', async () => {
      const hsim = t.server.sandboxes.haravan.sim;
      const r = await api.post('/api/connections', { platform: 'haravan', credentials: { ...t.server.sandboxes.haravan.secrets } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.connection.warnings, []);
      assert.ok(!Object.keys(hsim.stats().byRoute).some((k) => k.includes('webhooks')));
      assert.equal((await api.delete(`/api/connections/${r.body.connection.id}`)).status, 200);
    });
  });
}

function basic(s) {
  return { Authorization: `Basic ${Buffer.from(`${s.apiKey}:${s.apiSecret}`).toString('base64')}` };
}
