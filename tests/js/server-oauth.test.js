// Connecting Nhanh.vn through its consent page (issue #4 part 1, #6): the server starts the
// grant (state cookie), the simulator's consent page sends the browser back with an
// accessCode, the server exchanges it through the proxy (the app secret filled server-side),
// verifies the token with a real call and activates the connection. SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer, waitRun, eventually } from './helpers/server.js';

const NHANH = { sandboxes: ['nhanh'], sandboxOptions: { nhanh: { counts: { products: 40, customers: 20, orders: 30 } } } };

/** The consent page as a browser would use it: GET the form, POST it, follow to returnLink. */
async function consent(url, account) {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<form/);
  const u = new URL(url);
  const form = new URLSearchParams({ appId: u.searchParams.get('appId'), returnLink: u.searchParams.get('returnLink'), account });
  const res = await fetch(new URL('/oauth', url), { method: 'POST', body: form, redirect: 'manual' });
  return res;
}

const cookieFrom = (res) => (res.headers.get('set-cookie') ?? '').split(';')[0];

for (const backend of BACKENDS) {
  describe(`oauth: Nhanh.vn (${backend})`, () => {
    let t;
    let api;
    before(async () => {
      t = await startServer(backend, NHANH);
      api = t.api();
    });
    after(() => t?.close());

    const pending = async () => {
      const account = t.server.sandboxes.nhanh.secrets.account;
      const r = await api.post('/api/connections', { platform: 'nhanh', credentials: { account }, settings: { taxSync: true } });
      assert.equal(r.status, 201);
      assert.equal(r.body.connection.status, 'pending');
      return { conn: r.body.connection, account };
    };

    test('consent → return → exchange → verified, active, syncing; the token never reaches the page', async () => {
      const { conn, account } = await pending();
      const start = await api.get(`/api/connections/${conn.id}/oauth/start`, { headers: { accept: 'application/json' } });
      assert.equal(start.status, 200);
      const cookie = cookieFrom(start);
      assert.match(start.headers.get('set-cookie'), /HttpOnly/);
      assert.match(start.headers.get('set-cookie'), /SameSite=Lax/);
      const consentUrl = new URL(start.body.url);
      assert.equal(consentUrl.pathname, '/oauth');
      assert.equal(consentUrl.searchParams.get('appId'), t.server.sandboxes.nhanh.secrets.appId);
      assert.equal(consentUrl.searchParams.get('returnLink'), `${t.url}/oauth/nhanh/return`);

      const back = await consent(start.body.url, account);
      assert.equal(back.status, 302);
      const returnUrl = new URL(back.headers.get('location'));
      assert.ok(returnUrl.searchParams.get('accessCode'));
      // Without the browser's state cookie the code is worth nothing.
      const foreign = await fetch(returnUrl, { redirect: 'manual' });
      assert.equal(foreign.status, 302);
      assert.match(foreign.headers.get('location'), /^\/#\/channels\/nhanh\?oauth=error&message=/);

      const done = await fetch(returnUrl, { headers: { cookie }, redirect: 'manual' });
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), '/#/channels/nhanh?oauth=ok');
      assert.match(done.headers.get('set-cookie'), /Max-Age=0/, 'the state cookie is cleared');

      const view = (await api.get(`/api/connections/${conn.id}`)).body.connection;
      assert.equal(view.status, 'active');
      assert.equal(view.account.businessId, String(t.server.sandboxes.nhanh.secrets.businessId));
      assert.ok(view.secretsSet.includes('accessToken'));
      assert.ok(view.account.tokenExpiresAt > new Date().toISOString(), 'the one-year expiry is shown');
      const depots = (await api.get(`/api/records?type=location&connectionId=${conn.id}`)).body.records;
      assert.ok(depots.length > 0, 'depots saved by the verification call');

      // The same state cannot be replayed.
      const replay = await fetch(returnUrl, { headers: { cookie }, redirect: 'manual' });
      assert.match(replay.headers.get('location'), /oauth=error/);

      const run = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'products' });
      assert.equal(run.status, 202);
      const finished = await waitRun(api, run.body.run.id);
      assert.equal(finished.status, 'succeeded', JSON.stringify(finished.error));
      assert.ok(finished.counts.applied > 0);

      // No warning a year ahead; 14 days before the (unrefreshable) token expires, one.
      assert.deepEqual(view.warnings, []);
      const storeId = t.server.demo.store.id;
      const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
      await t.server.repo.connections.update(storeId, conn.id, { account: { ...view.account, tokenExpiresAt: soon } });
      const warned = (await api.get(`/api/connections/${conn.id}`)).body.connection;
      assert.equal(warned.warnings.length, 1);
      assert.equal(warned.warnings[0].code, 'token_expiring');
      assert.equal(warned.warnings[0].expiresAt, soon);
      assert.match(warned.warnings[0].message, /kết nối lại/i);

      // Nhanh.vn's webhooks carry the app's verify token; appUninstalled ends the grant.
      const sim = t.server.sandboxes.nhanh.sim;
      const hook = warned.webhookUrl.replace('localhost', '127.0.0.1');
      const forged = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'not-the-token' }, body: JSON.stringify({ event: 'appUninstalled', businessId: 110668 }) });
      assert.ok(forged.status >= 400, `a forged verify token is refused (${forged.status})`);
      assert.equal((await api.get(`/api/connections/${conn.id}`)).body.connection.status, 'active');
      const res = await sim.emitWebhook({ url: hook, event: 'appUninstalled' });
      assert.ok(res.status < 300, `delivered (${res.status})`);
      await eventually(async () => (await api.get(`/api/connections/${conn.id}`)).body.connection.status === 'needs_attention' || null);

      // The token lives in the vault only: no response the page received carries it.
      const token = JSON.parse(JSON.stringify(await t.server.services.secretsOf(await t.server.repo.connections.get(t.server.demo.store.id, conn.id)))).accessToken;
      assert.ok(token && token.length > 20);
      for (const r of api.seen) assert.ok(!r.text.includes(token), `${r.method} ${r.path} leaked the token`);
    });

    test('a refused consent, a wrong account and an unknown connection end on the dashboard with a reason', async () => {
      const { conn } = await pending();
      const start = await api.get(`/api/connections/${conn.id}/oauth/start`, { headers: { accept: 'application/json' } });
      const cookie = cookieFrom(start);
      // The shop owner closed the consent page: Nhanh sends nobody back with a code.
      const denied = await fetch(`${t.url}/oauth/nhanh/return`, { headers: { cookie }, redirect: 'manual' });
      assert.match(denied.headers.get('location'), /oauth=error&message=/);
      assert.equal((await api.get(`/api/connections/${conn.id}`)).body.connection.status, 'pending');
      // An account without the Director role cannot grant.
      const again = await api.get(`/api/connections/${conn.id}/oauth/start`, { headers: { accept: 'application/json' } });
      const refused = await consent(again.body.url, 'nhanvien@cuahang.vn');
      assert.equal(refused.status, 403);
      // A forged code is rejected by the exchange.
      const forged = await fetch(`${t.url}/oauth/nhanh/return?accessCode=forged`, { headers: { cookie: cookieFrom(again) }, redirect: 'manual' });
      const where = new URL(forged.headers.get('location'), t.url);
      assert.equal(new URLSearchParams(where.hash.split('?')[1]).get('oauth'), 'error');
      assert.equal((await api.get(`/api/connections/${conn.id}`)).body.connection.status, 'pending');
      // Only OAuth platforms have a grant to start; a plain navigation gets a 302.
      const nav = await api.get(`/api/connections/${conn.id}/oauth/start?access_token=demo-token`, { auth: false });
      assert.equal(nav.status, 302);
      assert.ok(new URL(nav.headers.get('location')).pathname === '/oauth');
      const missing = await api.get('/api/connections/cn_nope/oauth/start', { headers: { accept: 'application/json' } });
      assert.equal(missing.status, 404);
    });
  });
}
