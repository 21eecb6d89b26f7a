// Server part 3 (proxy): the address guard on crafted inputs (no traffic ever leaves loopback),
// allowlists, redirects, secrets filled/kept/redacted, limits, rate-limit headers; then the
// HTTP route against SQLite and PostgreSQL, including both sync paths (server-side and the
// dashboard's own worker through /api/proxy + POST /api/records).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { createProxyTransport, runSync } from 'storelink';
import { forbiddenAddress, hostRefusal, parseIPv4Loose } from '../../web/server/netguard.js';
import { createProxy } from '../../web/server/proxy.js';
import { BACKENDS, sl, startServer, createStore, kiotvietCredentials, waitRun } from './helpers/server.js';

const KV = sl.platforms().find((p) => p.id === 'kiotviet');

test('address guard: loopback, private, link-local, mapped and encoded forms are refused', () => {
  const refused = [
    '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '100.64.0.1',
    '169.254.169.254', '224.0.0.1', '255.255.255.255',
    '2130706433', '017700000001', '0177.0.0.1', '0x7f000001', '0x7f.0.0.1', '127.1', '0xa9.0xfe.0xa9.0xfe', '2852039166', // 169.254.169.254
    '::1', '::', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:169.254.169.254]', '::ffff:10.0.0.1', '::ffff:8.8.8.8',
    '::127.0.0.1', '64:ff9b::7f00:1', '2002:a9fe:a9fe::1', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
  ];
  for (const a of refused) assert.ok(forbiddenAddress(a), `${a} must be refused`);
  for (const a of ['8.8.8.8', '1.1.1.1', '113.160.92.10', '2606:4700:4700::1111', '2404:6800:4005::200e']) {
    assert.equal(forbiddenAddress(a), null, `${a} is public`);
  }
  assert.deepEqual(parseIPv4Loose('2130706433'), [127, 0, 0, 1]);
  assert.deepEqual(parseIPv4Loose('0x7f.1'), [127, 0, 0, 1]);
  assert.deepEqual(parseIPv4Loose('0251.0376.0251.0376'), [169, 254, 169, 254]);
  assert.equal(parseIPv4Loose('1.2.3.4.5'), null);
  assert.equal(parseIPv4Loose('256.0.0.1'), null);
});

test('host allowlist: API hosts, shop patterns, the connection own URL; never literals or look-alikes', () => {
  assert.equal(hostRefusal('public.kiotapi.com', KV, {}), null);
  assert.equal(hostRefusal('id.kiotviet.vn', KV, {}), null);
  for (const h of ['public.kiotapi.com.evil.com', 'evil.com', 'kiotapi.com', 'xpublic.kiotapi.com', '127.0.0.1', '2130706433', '::ffff:127.0.0.1', 'localhost', 'metadata.google.internal']) {
    assert.ok(hostRefusal(h, KV, {}), `${h} must be refused`);
  }
  const sapo = { id: 'sapo', apiHosts: [], apiHostPatterns: ['*.mysapo.net'] };
  assert.equal(hostRefusal('tenshop.mysapo.net', sapo, { store: 'tenshop' }), null);
  assert.ok(hostRefusal('a.b.mysapo.net', sapo, {}));
  assert.ok(hostRefusal('mysapo.net.evil.vn', sapo, {}));
  const odoo = { id: 'odoo', apiHosts: [], apiHostPatterns: ['*'] };
  assert.equal(hostRefusal('erp.congty.vn', odoo, { url: 'https://erp.congty.vn/odoo' }), null);
  assert.ok(hostRefusal('other.vn', odoo, { url: 'https://erp.congty.vn' }));
  // A user-given URL is checked like any other address.
  assert.match(hostRefusal('169.254.169.254', odoo, { url: 'http://169.254.169.254' }), /link-local/);
  assert.match(hostRefusal('10.0.0.8', odoo, { url: 'http://10.0.0.8:8069' }), /private/);
});

describe('proxy core (fake platform on loopback)', () => {
  let fake;
  let origin;
  const seen = [];
  before(async () => {
    fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body });
        const u = new URL(req.url, 'http://x');
        const json = (status, obj, headers = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(obj));
        };
        switch (u.pathname) {
          case '/token': return json(200, { access_token: 'TOKEN-abcdef123456', expires_in: 3600, token_type: 'Bearer' }, { 'set-cookie': 'sid=1' });
          case '/echo': return json(200, { url: req.url, auth: req.headers.authorization ?? null, retailer: req.headers.retailer ?? null, body });
          case '/limited': return json(429, { message: 'slow down' }, { 'retry-after': '7', 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000' });
          case '/redirect-off': res.writeHead(302, { location: 'https://evil.example.com/steal' }); return res.end();
          case '/redirect-loopback': res.writeHead(307, { location: 'http://127.0.0.1:9/x' }); return res.end();
          case '/redirect-on': res.writeHead(302, { location: 'https://id.kiotviet.vn/final' }); return res.end();
          case '/final': return json(200, { final: true });
          case '/slow': return setTimeout(() => json(200, {}), 400);
          case '/big': res.writeHead(200, { 'content-type': 'text/plain' }); return res.end('x'.repeat(300_000));
          case '/gzip': res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }); return res.end(gzipSync(JSON.stringify({ zipped: 'đã nén' })));
          default: return json(404, {});
        }
      });
    });
    await new Promise((r) => fake.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${fake.address().port}`;
  });
  after(() => new Promise((r) => fake.close(r)));

  const make = (opts = {}) => createProxy({
    sl,
    sandboxHostMaps: { kiotviet: { 'public.kiotapi.com': origin, 'id.kiotviet.vn': origin } },
    resolve: async () => { throw new Error('no DNS in this test'); },
    timeoutMs: 5000,
    maxResponseBytes: 100_000,
    ...opts,
  });
  const req = (path, extra = {}) => ({ method: 'GET', url: `https://public.kiotapi.com${path}`, query: [], headers: [], body: '', ...extra });
  const secrets = { retailer: 'demoshop', clientId: 'CLIENT-ID-123', clientSecret: 'CLIENT-SECRET-456', accessToken: 'OLD-TOKEN-789' };

  test('fills placeholders, passes rate-limit headers and Retry-After, drops cookies, redacts secrets', async () => {
    const p = make();
    const r = await p.forward({
      platform: KV, secrets,
      request: req('/echo', { method: 'POST', query: [['q', '{{secret.retailer}}']], headers: [['Authorization', 'Bearer {{secret.accessToken}}'], ['Retailer', '{{secret.retailer}}']], body: 'id={{secret.clientId|urlencode}}' }),
    });
    const sent = seen.at(-1);
    assert.equal(sent.headers.authorization, 'Bearer OLD-TOKEN-789', 'the platform received the real token');
    assert.equal(sent.body, 'id=CLIENT-ID-123');
    const echoed = JSON.parse(r.body);
    assert.equal(echoed.auth, 'Bearer [redacted]', 'the caller never sees it');
    assert.equal(echoed.retailer, 'demoshop', 'non-secret fields are not redacted');
    assert.ok(!r.body.includes('CLIENT-ID-123'));
    const limited = await p.forward({ platform: KV, secrets, request: req('/limited') });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '7');
    assert.equal(limited.headers['x-ratelimit-remaining'], '0');
    const tok = await p.forward({ platform: KV, secrets, request: req('/token') });
    assert.equal(tok.headers['set-cookie'], undefined);
    const gz = await p.forward({ platform: KV, secrets, request: req('/gzip') });
    assert.deepEqual(JSON.parse(gz.body), { zipped: 'đã nén' });
  });

  test('keepSecrets: the token stays server-side', async () => {
    const captured = [];
    const r = await make().forward({ platform: KV, secrets, request: req('/token', { method: 'POST', keepSecrets: { access_token: 'accessToken' } }), onCapture: (c) => captured.push(c) });
    assert.deepEqual(captured, [{ accessToken: 'TOKEN-abcdef123456' }]);
    assert.ok(!r.body.includes('TOKEN-abcdef123456'));
    assert.match(r.body, /\{\{secret\.accessToken\}\}/);
  });

  test('redirects: followed onto the allowlist, refused off it (and to loopback)', async () => {
    const p = make();
    const ok = await p.forward({ platform: KV, secrets, request: req('/redirect-on') });
    assert.deepEqual(JSON.parse(ok.body), { final: true });
    await assert.rejects(p.forward({ platform: KV, secrets, request: req('/redirect-off') }), (e) => e.status === 403 && /evil\.example\.com/.test(e.detail));
    await assert.rejects(p.forward({ platform: KV, secrets, request: req('/redirect-loopback') }), (e) => e.status === 403 && /127\.0\.0\.1/.test(e.detail));
  });

  test('timeouts and response-size limits', async () => {
    const p = make();
    await assert.rejects(make({ timeoutMs: 100 }).forward({ platform: KV, secrets, request: req('/slow') }), (e) => e.status === 504);
    await assert.rejects(p.forward({ platform: KV, secrets, request: req('/big') }), (e) => e.status === 502 && /larger/.test(e.detail));
  });

  test('off-list hosts, literals and schemes are refused before any connection', async () => {
    const p = make();
    const before = seen.length;
    for (const url of ['https://evil.example.com/', 'http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/', 'https://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'file:///etc/passwd', 'https://user:pw@public.kiotapi.com/']) {
      await assert.rejects(p.forward({ platform: KV, secrets, request: { method: 'GET', url, query: [], headers: [], body: '' } }), (e) => e.status === 403 || e.status === 400, url);
    }
    assert.equal(seen.length, before, 'nothing was sent');
    await assert.rejects(p.forward({ platform: KV, secrets, request: { method: 'TRACE', url: 'https://public.kiotapi.com/' } }), (e) => e.status === 400);
    await assert.rejects(p.forward({ platform: KV, secrets, request: req('/echo', { headers: [['x', '{{secret.nope}}']] }) }), (e) => e.status === 400 && e.code === 'invalid_credentials');
  });

  test('CRLF and control characters in headers or the URL: a 400 before any connection, secrets included', async () => {
    const p = make();
    const before = seen.length;
    for (const headers of [[['X-A', 'v\r\nX-Injected: 1']], [['X-A\r\nX-Injected', '1']], [['X A', '1']], [['X-A', 'v\u0000']], [['X-A', 'Cửa hàng']]]) {
      await assert.rejects(p.forward({ platform: KV, secrets, request: req('/echo', { headers }) }), (e) => e.status === 400 && e.code === 'invalid_input', JSON.stringify(headers));
    }
    await assert.rejects(p.forward({ platform: KV, secrets, request: req('/echo\r\nX-Injected: 1') }), (e) => e.status === 400 && /control characters/.test(e.detail));
    // A stored credential holding CR/LF is judged after filling; the refusal does not echo it.
    const bad = { ...secrets, clientSecret: 'abc\r\nX-Injected: 1' };
    await assert.rejects(p.forward({ platform: KV, secrets: bad, request: req('/echo', { headers: [['X-S', '{{secret.clientSecret}}']] }) }), (e) => e.status === 400 && e.code === 'invalid_credentials' && !e.detail.includes('abc'));
    assert.equal(seen.length, before, 'nothing was sent');
  });

  test('a secret filled into a refused host name is not spelled in the refusal', async () => {
    const p = make();
    const mixed = { ...secrets, clientSecret: 'Sec-RET-Value-123' };
    for (const url of ['https://{{secret.clientSecret}}.evil.com/', 'https://public.kiotapi.com.{{secret.clientSecret}}.evil.com/']) {
      await assert.rejects(p.forward({ platform: KV, secrets: mixed, request: { method: 'GET', url, query: [], headers: [], body: '' } }), (e) => {
        assert.equal(e.status, 403);
        assert.ok(!e.detail.toLowerCase().includes('sec-ret-value-123'), e.detail);
        assert.match(e.detail, /\[redacted\]/);
        return true;
      });
    }
  });

  test('DNS answers are checked: a platform name resolving to a forbidden address is refused', async () => {
    const answers = {
      'public.kiotapi.com': [{ address: '127.0.0.1', family: 4 }],
      'id.kiotviet.vn': [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }],
    };
    const p = createProxy({ sl, resolve: async (h) => answers[h], timeoutMs: 200 });
    const cases = [
      ['https://public.kiotapi.com/x', /127\.0\.0\.1 \(loopback\)/],
      ['https://id.kiotviet.vn/x', /169\.254\.169\.254 \(link-local\)/],
    ];
    for (const [url, why] of cases) {
      await assert.rejects(p.forward({ platform: KV, secrets, request: { method: 'GET', url, query: [], headers: [], body: '' } }), (e) => e.status === 403 && why.test(e.detail));
    }
    for (const address of ['::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '10.1.1.1', 'fd00::5', '0.0.0.0']) {
      answers['public.kiotapi.com'] = [{ address, family: address.includes(':') ? 6 : 4 }];
      await assert.rejects(p.forward({ platform: KV, secrets, request: { method: 'GET', url: 'https://public.kiotapi.com/x', query: [], headers: [], body: '' } }), (e) => e.status === 403, address);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`proxy route and both sync paths (${backend})`, () => {
    let t;
    let api;
    let conn;
    before(async () => {
      t = await startServer(backend);
      api = t.api();
      conn = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server) })).body.connection;
    });
    after(() => t?.close());

    test('POST /api/proxy refuses forbidden destinations with 403', async () => {
      const before = t.server.sandboxes.kiotviet.sim.stats().total;
      for (const url of ['https://evil.example.com/x', `http://127.0.0.1:${new URL(t.url).port}/api/health`, 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'https://169.254.169.254/latest/meta-data/']) {
        const r = await api.post(`/api/proxy/${conn.id}`, { method: 'GET', url, query: [], headers: [], body: '' });
        assert.equal(r.status, 403, url);
        assert.equal(r.body.error.code, 'forbidden');
      }
      assert.equal(t.server.sandboxes.kiotviet.sim.stats().total, before);
      assert.equal((await api.post(`/api/proxy/${conn.id}`, { url: 5 })).status, 400);
      assert.equal((await api.post('/api/proxy/cn_nope', { method: 'GET', url: 'https://public.kiotapi.com/' })).status, 404);
    });

    test('the dashboard path: a worker-style sync through /api/proxy and POST /api/records', async () => {
      const created = await api.post('/api/runs', { connectionId: conn.id, entity: 'customers' });
      assert.equal(created.status, 201);
      assert.equal(created.body.checkpoint, null);
      const runId = created.body.run.id;
      const transport = createProxyTransport({ baseUrl: t.url, connectionId: conn.id, headers: { authorization: 'Bearer demo-token' } });
      const job = sl.createSync({ platform: 'kiotviet', entity: 'customers', settings: created.body.settings, checkpoint: created.body.checkpoint });
      const result = await runSync(job, transport, {
        onRecords: async (records, checkpoint) => {
          const r = await api.post('/api/records', { connectionId: conn.id, records, entity: 'customers', checkpoint, runId });
          assert.equal(r.status, 200);
        },
      });
      job.dispose();
      const end = await api.patch(`/api/runs/${runId}`, { status: 'succeeded', progress: result.progress, checkpoint: result.checkpoint });
      assert.equal(end.body.run.status, 'succeeded');
      const truth = t.server.sandboxes.kiotviet.sim.truth('customers').length;
      assert.equal(end.body.run.counts.received, truth);
      assert.equal((await api.get(`/api/records?type=customer&connectionId=${conn.id}`)).body.total, truth);
      // The token the worker's first request obtained stayed in the vault.
      const row = await t.server.repo.connections.get(t.server.demo.store.id, conn.id);
      assert.ok(t.server.services.secretsOf(row).accessToken);
      assert.deepEqual(row.secretsSet.sort(), ['clientId', 'clientSecret', 'webhookSecret']); // the generated webhook secret (kiotviet.md §A.8)
      assert.equal((await api.patch(`/api/runs/${runId}`, { status: 'failed' })).status, 409, 'an ended run is final');
      // The next browser run starts incrementally from the stored checkpoint.
      const next = await api.post('/api/runs', { connectionId: conn.id, entity: 'customers' });
      assert.equal(next.body.checkpoint, result.checkpoint);
      await api.post(`/api/runs/${next.body.run.id}/cancel`);
      assert.equal((await api.get(`/api/runs/${next.body.run.id}`)).body.run.status, 'cancelled');
    });

    test('the server path: the same entity synced headless gives the same records', async () => {
      const s = await api.post(`/api/connections/${conn.id}/sync`, { entity: 'customers', mode: 'full' });
      const run = await waitRun(api, s.body.run.id);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.origin, 'server');
      assert.equal(run.counts.received, t.server.sandboxes.kiotviet.sim.truth('customers').length);
      assert.equal((await api.get(`/api/records?type=customer&connectionId=${conn.id}`)).body.total, run.counts.received, 'same keys: no duplicates');
    });

    test('production mode: platform names resolving to private addresses are refused (no sandbox mapping)', async () => {
      const prod = await startServer(backend, {
        mode: 'production',
        resolve: async () => [{ address: '::ffff:169.254.169.254', family: 6 }],
      });
      try {
        const store = await createStore(prod.server, 'Shop P');
        const id = 'cn_prod1';
        await prod.server.repo.connections.insert({
          id, storeId: store.id, platform: 'kiotviet', name: 'KV', status: 'active', settings: {}, account: { retailer: 'shop' },
          secretsEnc: prod.server.vault.seal({ retailer: 'shop', clientId: 'a', clientSecret: 'b' }, id), secretsSet: ['clientId', 'clientSecret'],
        });
        const r = await prod.api(store.token).post(`/api/proxy/${id}`, { method: 'POST', url: 'https://id.kiotviet.vn/connect/token', query: [], headers: [], body: 'client_id={{secret.clientId|urlencode}}' });
        assert.equal(r.status, 403);
        assert.match(r.body.error.detail, /IPv4-mapped 169\.254\.169\.254/);
        assert.equal((await prod.api(store.token).get('/api/sandbox/credentials')).status, 404);
        assert.equal(prod.server.demo, null, 'no demo store in production');
      } finally {
        await prod.close();
      }
    });
  });
}
