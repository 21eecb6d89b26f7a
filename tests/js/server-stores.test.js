// Server parts 2 (vault) and 7 (stores), against SQLite and PostgreSQL: store A never sees
// store B's connections, records, events or runs; secrets are encrypted at rest and no secret
// value appears in any API response or log line.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createVault, loadVaultKey, parseKey } from '../../web/server/vault.js';
import { BACKENDS, startServer, createStore, kiotvietCredentials, kiotvietSignature, waitRun, eventually } from './helpers/server.js';

test('vault: AES-256-GCM, bound to its owner, tamper-evident', () => {
  const v = createVault(randomBytes(32));
  const blob = v.seal({ clientSecret: 'abc' }, 'cn_1');
  assert.match(blob, /^v1\./);
  assert.ok(!blob.includes('abc'));
  assert.deepEqual(v.open(blob, 'cn_1'), { clientSecret: 'abc' });
  assert.throws(() => v.open(blob, 'cn_2'), 'another owner cannot open it');
  const parts = blob.split('.');
  parts[3] = Buffer.from(Buffer.from(parts[3], 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64');
  assert.throws(() => v.open(parts.join('.'), 'cn_1'));
  assert.throws(() => createVault(randomBytes(32)).open(blob, 'cn_1'), 'another key cannot open it');
  assert.equal(parseKey(randomBytes(32).toString('hex')).length, 32);
  assert.throws(() => parseKey('short'));
  assert.throws(() => loadVaultKey({ keyFile: '/nonexistent/vault.key', generate: false }), /STORELINK_VAULT_KEY/);
  const dir = `/tmp/sl-vault-${randomBytes(4).toString('hex')}`;
  const first = loadVaultKey({ keyFile: `${dir}/vault.key`, generate: true });
  assert.equal(first.generated, true);
  assert.deepEqual(loadVaultKey({ keyFile: `${dir}/vault.key`, generate: true }).key, first.key, 'reused on the next start');
});

for (const backend of BACKENDS) {
  describe(`stores and secrets (${backend})`, () => {
    let t;
    let a;
    let b;
    let storeB;
    let connA;
    const WEBHOOK_SECRET = 'whsec-Zx81-very-secret';
    before(async () => {
      t = await startServer(backend);
      a = t.api();
      storeB = await createStore(t.server, 'Cửa hàng B');
      b = t.api(storeB.token);
      connA = (await a.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server, { webhookSecret: WEBHOOK_SECRET }) })).body.connection;
      const run = await waitRun(a, (await a.post(`/api/connections/${connA.id}/sync`, { entity: 'customers' })).body.run.id);
      assert.equal(run.status, 'succeeded');
      const body = readFileSync(new URL('../fixtures/kiotviet/webhook_product_update.json', import.meta.url), 'utf8');
      await a.post(`/webhooks/kiotviet?connection=${connA.id}`, body, { auth: false, headers: { 'content-type': 'application/json', 'x-hub-signature': kiotvietSignature(body, WEBHOOK_SECRET) } });
      await eventually(async () => (await a.get('/api/events?status=processed')).body.events.length === 1, { message: 'webhook processed' });
    });
    after(() => t?.close());

    test('every endpoint needs a valid bearer token', async () => {
      const anon = t.api(null);
      for (const path of ['/api/connections', '/api/records', '/api/runs', '/api/events', '/api/me', '/api/stream', '/api/sandbox/credentials', '/api/records/counts']) {
        const r = await anon.get(path);
        assert.equal(r.status, 401, path);
        assert.equal(r.body.error.code, 'unauthorized');
      }
      assert.equal((await t.api('wrong-token').get('/api/connections')).status, 401);
      assert.equal((await anon.post(`/api/proxy/${connA.id}`, { method: 'GET', url: 'https://public.kiotapi.com/' })).status, 401);
      assert.equal((await anon.get('/api/health')).status, 200);
    });

    test("store B never sees store A's connections, records, events or runs", async () => {
      assert.deepEqual((await b.get('/api/connections')).body.connections, []);
      assert.equal((await b.get(`/api/connections/${connA.id}`)).status, 404);
      assert.equal((await b.patch(`/api/connections/${connA.id}`, { name: 'x' })).status, 404);
      assert.equal((await b.delete(`/api/connections/${connA.id}`)).status, 404);
      assert.equal((await b.post(`/api/connections/${connA.id}/sync`, { entity: 'products' })).status, 404);
      assert.equal((await b.post(`/api/connections/${connA.id}/verify`)).status, 404);
      assert.equal((await b.post(`/api/proxy/${connA.id}`, { method: 'GET', url: 'https://public.kiotapi.com/customers', query: [], headers: [], body: '' })).status, 404);
      assert.equal((await b.post('/api/records', { connectionId: connA.id, records: [] })).status, 404);
      assert.equal((await b.post('/api/runs', { connectionId: connA.id, entity: 'products' })).status, 404);
      assert.equal((await b.get('/api/records?deleted=any')).body.total, 0);
      assert.deepEqual((await b.get('/api/records/counts')).body.counts, []);
      const exp = await b.get('/api/records/export?format=ndjson&deleted=any', { raw: true });
      assert.equal(exp.text, '');
      assert.deepEqual((await b.get('/api/events')).body.events, []);
      const evA = (await a.get('/api/events')).body.events[0];
      assert.equal((await b.get(`/api/events/${evA.id}`)).status, 404);
      assert.deepEqual((await b.get('/api/runs')).body.runs, []);
      const runA = (await a.get('/api/runs')).body.runs[0];
      assert.equal((await b.get(`/api/runs/${runA.id}`)).status, 404);
      assert.equal((await b.post(`/api/runs/${runA.id}/cancel`)).status, 404);
      assert.equal((await b.patch(`/api/runs/${runA.id}`, { status: 'failed' })).status, 404);
      assert.ok((await a.get('/api/records')).body.total > 0, 'A still sees its own');
      // Same platform ids in both stores stay apart.
      const connB = (await b.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) })).body.connection;
      await b.post('/api/records', { connectionId: connB.id, records: [{ type: 'customer', platform: 'kiotviet', externalId: '1', updatedAt: null, deleted: false, name: 'Khách của B' }] });
      assert.equal((await a.get('/api/records?q=khach cua b')).body.total, 0);
      assert.equal((await b.get('/api/records?type=customer')).body.total, 1);
    });

    test("store B's live stream carries none of A's updates", async () => {
      const ac = new AbortController();
      const res = await fetch(`${t.url}/api/stream?access_token=${storeB.token}`, { signal: ac.signal });
      const reader = res.body.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /event: ready/);
      assert.ok(first.includes(storeB.id));
      const run = await waitRun(a, (await a.post(`/api/connections/${connA.id}/sync`, { entity: 'locations' })).body.run.id);
      assert.equal(run.status, 'succeeded');
      const more = await Promise.race([reader.read().then((x) => new TextDecoder().decode(x.value)), new Promise((r) => setTimeout(() => r(''), 300))]);
      ac.abort();
      assert.equal(more, '', 'nothing from store A');
    });

    test('no secret value appears in any API response or log line', async () => {
      // Exercise everything that touches credentials once more, then scan all traffic and logs.
      await a.post(`/api/connections/${connA.id}/verify`);
      await a.patch(`/api/connections/${connA.id}`, { credentials: kiotvietCredentials(t.server, { webhookSecret: WEBHOOK_SECRET }) });
      await a.post(`/api/proxy/${connA.id}`, { method: 'POST', url: 'https://id.kiotviet.vn/connect/token', query: [], headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'scopes=PublicApi.Access&grant_type=client_credentials&client_id={{secret.clientId|urlencode}}&client_secret={{secret.clientSecret|urlencode}}', keepSecrets: { access_token: 'accessToken' } });
      await a.post(`/api/proxy/${connA.id}`, { method: 'GET', url: 'https://public.kiotapi.com/customers', query: [['pageSize', '5']], headers: [['Retailer', '{{secret.retailer}}'], ['Authorization', 'Bearer {{secret.accessToken}}']], body: '' });
      await a.post(`/api/proxy/${connA.id}`, { method: 'GET', url: 'https://public.kiotapi.com/x', query: [], headers: [['X', '{{secret.missing}}']], body: '' });
      await a.get('/api/connections');
      await a.get(`/api/connections/${connA.id}`);
      await a.get('/api/runs');
      await a.get('/api/events');
      await a.get('/api/sandbox/credentials'); // sandbox example credentials are meant to be shown; not a stored secret
      const ac = new AbortController();
      await fetch(`${t.url}/api/stream?access_token=demo-token`, { signal: ac.signal });
      ac.abort();
      await new Promise((r) => setTimeout(r, 50));
      const row = await t.server.repo.connections.get(t.server.demo.store.id, connA.id);
      const vault = t.server.services.secretsOf(row);
      assert.ok(vault.accessToken, 'a token was captured into the vault');
      const secretFields = new Set(t.server.services.platformOf('kiotviet').credentials.filter((c) => c.secret).map((c) => c.key));
      const secrets = Object.entries(vault).filter(([k]) => secretFields.has(k) || k === 'accessToken' || k === 'webhookSecret').map(([, v]) => v);
      assert.ok(secrets.length >= 4);
      // At rest: the database holds ciphertext only.
      const raw = JSON.stringify(await t.server.db.all('SELECT * FROM connections'));
      for (const s of secrets) assert.ok(!raw.includes(s), 'secret stored in clear');
      const responses = a.seen.filter((x) => !x.path.startsWith('/api/sandbox/')).map((x) => `${x.status} ${x.path} ${JSON.stringify(x.headers)} ${x.text}`);
      assert.ok(responses.length > 20);
      const logs = t.logs.lines;
      assert.ok(logs.length > 20, 'the server logs at trace level in this test');
      assert.ok(logs.some((l) => l.includes('access_token=[redacted]')), 'tokens in URLs are redacted');
      for (const s of [...secrets, 'demo-token', storeB.token]) {
        for (const r of responses) assert.ok(!r.includes(s), `a secret appears in a response: ${r.slice(0, 200)}`);
        for (const l of logs) assert.ok(!l.includes(s), `a secret appears in a log line: ${l.slice(0, 200)}`);
      }
    });
  });
}
