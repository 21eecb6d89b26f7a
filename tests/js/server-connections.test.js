// Server part 1 (connections) + part 8 (sandbox helpers), against SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer, kiotvietCredentials, waitRun } from './helpers/server.js';

for (const backend of BACKENDS) {
  describe(`connections (${backend})`, () => {
    let t;
    let api;
    before(async () => {
      t = await startServer(backend);
      api = t.api();
    });
    after(() => t?.close());

    test('health, platforms and sandbox credentials', async () => {
      const h = await api.get('/api/health', { auth: false });
      assert.equal(h.status, 200);
      assert.equal(h.body.database, backend);
      assert.equal(h.body.mode, 'sandbox');
      const p = await api.get('/api/platforms', { auth: false });
      const kv = p.body.platforms.find((x) => x.id === 'kiotviet');
      assert.equal(kv.sandbox, true);
      const c = await api.get('/api/sandbox/credentials');
      const entry = c.body.platforms.find((x) => x.platform === 'kiotviet');
      assert.deepEqual(Object.keys(entry.credentials).sort(), kv.credentials.map((f) => f.key).sort());
      const me = await api.get('/api/me');
      assert.equal(me.body.store.id, t.server.demo.store.id);
    });

    test('create checks the fields before calling the platform', async () => {
      const creds = kiotvietCredentials(t.server);
      let r = await api.post('/api/connections', { platform: 'kiotviet', credentials: { ...creds, clientSecret: '' } });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.field, 'credentials.clientSecret');
      r = await api.post('/api/connections', { platform: 'shopee', credentials: {} });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.field, 'platform');
      r = await api.post('/api/connections', { platform: 'kiotviet', credentials: { ...creds, password: 'x' } });
      assert.equal(r.status, 400);
      r = await api.post('/api/connections', { platform: 'kiotviet', credentials: creds, settings: { branchId: 'abc' } });
      assert.equal(r.status, 400);
      assert.match(r.body.error.field, /^settings/);
      r = await api.post('/api/connections', { platform: 'kiotviet', credentials: creds, settings: { entities: ['products', 'tickets'] } });
      assert.equal(r.status, 400);
      const before = t.server.sandboxes.kiotviet.sim.stats().total;
      assert.equal(before, 0, 'no platform call for malformed input');
    });

    test('wrong credentials are refused by the platform and nothing is stored', async () => {
      const r = await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server, { clientSecret: 'WRONGSECRET123' }) });
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, 'invalid_credentials');
      assert.equal((await api.get('/api/connections')).body.connections.length, 0);
    });

    test('a platform that is not available yet is refused clearly', async () => {
      const sapo = (await api.get('/api/platforms')).body.platforms.find((p) => p.id === 'sapo');
      if (sapo.status === 'available') return; // the Sapo connector has landed: covered by its own tests
      const creds = Object.fromEntries(sapo.credentials.map((f) => [f.key, 'x1234567']));
      const r = await api.post('/api/connections', { platform: 'sapo', credentials: creds });
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, 'unsupported');
    });

    let conn;
    test('create verifies with a one-page locations sync and returns the branches', async () => {
      const r = await api.post('/api/connections', { platform: 'kiotviet', name: 'Cửa hàng Q1', credentials: kiotvietCredentials(t.server) });
      assert.equal(r.status, 201);
      conn = r.body.connection;
      assert.equal(conn.status, 'active');
      assert.equal(conn.name, 'Cửa hàng Q1');
      // Its webhooks are registered with a secret StoreLink generated (kiotviet.md §A.8).
      assert.deepEqual(conn.account, { retailer: t.server.sandboxes.kiotviet.secrets.retailer, webhooksRegistered: '8' });
      assert.deepEqual(conn.secretsSet.sort(), ['clientId', 'clientSecret', 'webhookSecret']);
      assert.match(conn.webhookUrl, new RegExp(`/webhooks/kiotviet\\?connection=${conn.id}$`));
      const truth = t.server.sandboxes.kiotviet.sim.truth('branches').map((b) => String(b.id)).sort();
      assert.deepEqual(r.body.locations.map((l) => l.externalId).sort(), truth);
      assert.ok(r.body.locations.every((l) => l.type === 'location' && l.name));
      // The branches are kept as records too (the drop-down survives a reload).
      const stored = await api.get(`/api/records?type=location&connectionId=${conn.id}`);
      assert.equal(stored.body.total, truth.length);
    });

    test('settings: choose a branch, restrict entities, refuse bad values', async () => {
      const branch = (await api.get(`/api/records?type=location&connectionId=${conn.id}`)).body.records[0].externalId;
      let r = await api.patch(`/api/connections/${conn.id}`, { settings: { branchId: Number(branch), entities: ['products', 'orders'] } });
      assert.equal(r.status, 200);
      assert.equal(r.body.connection.settings.branchId, Number(branch));
      assert.equal(r.body.connection.entities.customers.enabled, false);
      assert.equal(r.body.connection.entities.products.enabled, true);
      r = await api.patch(`/api/connections/${conn.id}`, { settings: { branchId: 'chi nhánh 1' } });
      assert.equal(r.status, 400);
      r = await api.patch(`/api/connections/${conn.id}`, { settings: { entities: null } });
      assert.equal(r.body.connection.entities.customers.enabled, true);
      r = await api.patch(`/api/connections/${conn.id}`, { name: 'KiotViet chính' });
      assert.equal(r.body.connection.name, 'KiotViet chính');
      const v = await api.post(`/api/connections/${conn.id}/verify`);
      assert.equal(v.status, 200);
      assert.equal(v.body.connection.status, 'active');
      assert.ok(v.body.locations.length > 0);
    });

    test('expired or revoked credentials put the connection in needs_attention; new ones reactivate it', async () => {
      // The shop owner regenerates the secret on KiotViet: our stored one stops working.
      const row = await t.server.repo.connections.get(t.server.demo.store.id, conn.id);
      const secrets = t.server.services.secretsOf(row);
      await t.server.repo.connections.update(row.storeId, row.id, { secretsEnc: t.server.vault.seal({ ...secrets, clientSecret: 'REVOKED000', accessToken: 'expired' }, row.id) });
      await t.server.sandboxes.kiotviet.sim.expireTokens();
      const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'customers' });
      assert.equal(s.status, 202);
      const run = await waitRun(api, s.body.run.id);
      assert.equal(run.status, 'failed');
      assert.equal(run.error.code, 'invalid_credentials');
      let c = (await api.get(`/api/connections/${conn.id}`)).body.connection;
      assert.equal(c.status, 'needs_attention');
      assert.equal(c.statusError.code, 'invalid_credentials');
      const v = await api.post(`/api/connections/${conn.id}/verify`);
      assert.equal(v.body.connection.status, 'needs_attention');
      const r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server) });
      assert.equal(r.status, 200);
      c = r.body.connection;
      assert.equal(c.status, 'active');
      assert.equal(c.statusError, null);
    });

    test('disconnect stops syncing, deletes the credentials, keeps every record; reconnect resumes', async () => {
      const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
      const run = await waitRun(api, s.body.run.id);
      assert.equal(run.status, 'succeeded');
      const before = (await api.get(`/api/records?connectionId=${conn.id}&deleted=any&limit=1`)).body.total;
      assert.ok(before > 100);

      const d = await api.delete(`/api/connections/${conn.id}`);
      assert.equal(d.status, 200);
      assert.equal(d.body.connection.status, 'disconnected');
      assert.deepEqual(d.body.connection.secretsSet, []);
      assert.deepEqual(d.body.connection.account, {});
      const row = await t.server.repo.connections.get(t.server.demo.store.id, conn.id);
      assert.equal(row.secretsEnc, null, 'the vault blob is gone');
      assert.equal((await api.get(`/api/records?connectionId=${conn.id}&deleted=any&limit=1`)).body.total, before, 'records kept');
      assert.equal((await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' })).status, 409);
      assert.equal((await api.post(`/api/proxy/${conn.id}`, { method: 'GET', url: 'https://public.kiotapi.com/products', query: [], headers: [], body: '' })).status, 403);
      assert.equal((await api.post(`/api/connections/${conn.id}/verify`)).status, 409);
      assert.equal((await api.get(`/api/connections/${conn.id}`)).body.connection.entities.products.hasCheckpoint, true, 'checkpoints kept');

      const r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server) });
      assert.equal(r.body.connection.status, 'active');
      const s2 = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
      const run2 = await waitRun(api, s2.body.run.id);
      assert.equal(run2.status, 'succeeded');
      assert.equal(run2.progress.mode, 'incremental', 'reconnecting resumes from the checkpoint');
      assert.ok(run2.counts.received < before);
    });

    test('a disconnect cancels a running sync', async () => {
      const sim = t.server.sandboxes.kiotviet.sim;
      sim.setFaults({ rateSlow: 1, slowMs: 300 });
      try {
        const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'orders', mode: 'full' });
        assert.equal(s.status, 202);
        await new Promise((r) => setTimeout(r, 100));
        await api.delete(`/api/connections/${conn.id}`);
        const run = await waitRun(api, s.body.run.id);
        assert.equal(run.status, 'cancelled');
      } finally {
        sim.setFaults({ rateSlow: 0 });
      }
      const r = await api.patch(`/api/connections/${conn.id}`, { credentials: kiotvietCredentials(t.server) });
      assert.equal(r.body.connection.status, 'active');
    });

    test('Nhanh.vn connections wait for consent; without the StoreLink Nhanh app configured the grant cannot start', async () => {
      const nhanh = (await api.get('/api/platforms')).body.platforms.find((p) => p.id === 'nhanh');
      const creds = Object.fromEntries(nhanh.credentials.map((f) => [f.key, 'giamdoc@example.vn']));
      const r = await api.post('/api/connections', { platform: 'nhanh', credentials: creds, settings: nhanh.settings.some((s) => s.key === 'taxSync') ? { taxSync: true } : {} });
      assert.equal(r.status, 201);
      assert.equal(r.body.connection.status, 'pending');
      // This server runs no Nhanh.vn simulator and has no STORELINK_NHANH_APP_ID: it says so.
      const start = await api.get(`/api/connections/${r.body.connection.id}/oauth/start`);
      assert.equal(start.status, 503);
      assert.equal(start.body.error.code, 'not_configured');
      // A return without this browser's state cookie never touches the connection.
      const back = await api.get('/oauth/nhanh/return?accessCode=abc', { auth: false });
      assert.equal(back.status, 302);
      assert.match(back.headers.get('location'), /^\/#\/channels\/nhanh\?oauth=error&message=/);
      assert.equal((await api.get(`/api/connections/${r.body.connection.id}`)).body.connection.status, 'pending');
      assert.equal((await api.post(`/api/connections/${r.body.connection.id}/sync`, { entity: 'products' })).status, 409);
    });

    test('unknown ids are 404', async () => {
      assert.equal((await api.get('/api/connections/cn_nope')).status, 404);
      assert.equal((await api.patch('/api/connections/cn_nope', { name: 'x' })).status, 404);
      assert.equal((await api.delete('/api/connections/cn_nope')).status, 404);
      assert.equal((await api.get('/api/runs/run_nope')).status, 404);
    });
  });
}
