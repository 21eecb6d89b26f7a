// Test harness for the server: every server-*.test.js runs its suite against SQLite AND
// PostgreSQL. scripts/test.sh starts one throwaway PostgreSQL and exports
// STORELINK_TEST_DATABASE_URL; a test file run on its own starts its own (scripts/pg-test.sh).
// Each server gets a fresh database. The `api` client validates every JSON response against
// web/server/openapi.json (path, method, status and body), so the contract stays true.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { randomBytes, createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { createStoreLink } from 'storelink';
import { createServer, OPENAPI } from '../../../web/server/app.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const sl = await createStoreLink();
export const spec = OPENAPI();

// --- PostgreSQL -------------------------------------------------------------------------------
let pgAdminUrl = process.env.STORELINK_TEST_DATABASE_URL || null;
let ownCluster = null;
function adminUrl() {
  if (pgAdminUrl) return pgAdminUrl;
  const out = execFileSync('bash', [`${ROOT}scripts/pg-test.sh`, 'start'], { encoding: 'utf8' });
  const vars = Object.fromEntries(out.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  ownCluster = vars.PG_TEST_DIR;
  pgAdminUrl = vars.STORELINK_TEST_DATABASE_URL;
  process.on('exit', () => {
    try {
      execFileSync('bash', [`${ROOT}scripts/pg-test.sh`, 'stop', ownCluster], { stdio: 'ignore' });
    } catch {
      /* best effort */
    }
  });
  return pgAdminUrl;
}

async function freshPgDatabase() {
  const { default: pg } = await import('pg');
  const admin = adminUrl();
  const name = `sl_test_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await d.end();
    },
  };
}

export const BACKENDS = ['sqlite', 'postgres'];

/** A log sink collecting every line the server writes. */
export function logSink() {
  const lines = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

/**
 * Starts a server on loopback for `backend`. options go to createServer (mode defaults to
 * sandbox, scheduler off). `reuse: {dbFile|databaseUrl, vaultKey}` restarts on the same data.
 */
export async function startServer(backend, options = {}) {
  let db = options.reuse?.db ?? null;
  if (!db) {
    if (backend === 'postgres') db = await freshPgDatabase();
    else {
      const file = `${ROOT}build/test-server/${randomBytes(6).toString('hex')}.db`;
      db = { file, drop: async () => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); } };
    }
  }
  const vaultKey = options.reuse?.vaultKey ?? randomBytes(32);
  const logs = logSink();
  const { reuse: _r, ...rest } = options;
  const server = await createServer({
    mode: 'sandbox',
    sl,
    devToken: 'demo-token',
    vaultKey,
    syncIntervalMs: 0,
    // Only the simulators these tests use, with smaller worlds: fast to start.
    sandboxes: ['kiotviet'],
    sandboxOptions: { kiotviet: { counts: { products: 120, customers: 60, orders: 150, invoices: 20 } } },
    logger: { level: 'trace', stream: logs.stream },
    ...(db.url ? { databaseUrl: db.url } : { dbFile: db.file }),
    ...rest,
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    server,
    url,
    logs,
    db,
    vaultKey,
    api: (token = 'demo-token') => client(url, token),
    /** Stops the server; keeps the data when `keepData` (restart tests). */
    async close({ keepData = false } = {}) {
      await server.close();
      if (!keepData) await db.drop?.();
    },
  };
}

/** Stores of a test: the demo store plus any number created directly. */
export async function createStore(server, name) {
  const token = randomBytes(12).toString('hex');
  const store = await server.repo.stores.create({ name, token });
  return { ...store, token };
}

// --- OpenAPI-checked client ----------------------------------------------------------------
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(spec, 'openapi.json');
const compiled = new Map();
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const specPaths = Object.keys(spec.paths).map((p) => ({
  template: p,
  re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

export function operationFor(method, path) {
  const m = specPaths.filter((s) => s.re.test(path)).sort((a, b) => b.template.length - a.template.length)[0];
  if (!m) return null;
  const op = spec.paths[m.template][method.toLowerCase()];
  return op ? { template: m.template, op } : null;
}

/** Throws unless `body` is what the spec says `method path` answers with `status`. */
export function checkAgainstSpec(method, path, status, contentType, body) {
  const found = operationFor(method, path);
  assert.ok(found, `${method} ${path} is not in openapi.json`);
  let resp = found.op.responses[String(status)] ?? found.op.responses.default;
  assert.ok(resp, `${method} ${found.template} answered ${status}, not documented in openapi.json`);
  if (resp.$ref) resp = spec.components.responses[resp.$ref.split('/').pop()];
  if (!contentType?.includes('application/json')) return;
  const media = resp.content?.['application/json'];
  assert.ok(media, `${method} ${found.template} ${status}: JSON body not documented`);
  const statusKey = found.op.responses[String(status)] ? String(status) : 'default';
  const key = `${found.template} ${method} ${statusKey}`;
  let validate = compiled.get(key);
  if (!validate) {
    const ref = found.op.responses[statusKey].$ref
      ? `openapi.json#/components/responses/${found.op.responses[statusKey].$ref.split('/').pop()}/content/application~1json/schema`
      : `openapi.json#/${pointer('paths', found.template, method.toLowerCase(), 'responses', statusKey, 'content', 'application/json', 'schema')}`;
    validate = ajv.compile({ $ref: ref });
    compiled.set(key, validate);
  }
  assert.ok(validate(body), `${method} ${found.template} ${status} body does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 600)}`);
}

export function client(base, token) {
  async function call(method, path, { body, headers = {}, raw = false, auth = true } = {}) {
    const h = { ...headers };
    if (auth && token) h.authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    }
    const res = await fetch(base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const json = type.includes('application/json') && text ? JSON.parse(text) : null;
    checkAgainstSpec(method, path.split('?')[0], res.status, type, json);
    call.seen.push({ method, path, status: res.status, text, headers: Object.fromEntries(res.headers) });
    return raw ? { status: res.status, text, headers: res.headers, json } : { status: res.status, body: json, text, headers: res.headers };
  }
  call.seen = [];
  const c = {
    seen: call.seen,
    get: (p, o) => call('GET', p, o),
    post: (p, body, o = {}) => call('POST', p, { ...o, body }),
    patch: (p, body, o = {}) => call('PATCH', p, { ...o, body }),
    delete: (p, o) => call('DELETE', p, o),
    call,
  };
  return c;
}

// --- KiotViet helpers ------------------------------------------------------------------------
export function kiotvietCredentials(server, extra = {}) {
  return { ...server.sandboxes.kiotviet.secrets, ...extra };
}

export function kiotvietSignature(body, secret) {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually(fn, { ms = 10_000, every = 25, message = 'condition' } = {}) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export async function waitRun(api, runId, ms = 20_000) {
  return eventually(async () => {
    const r = await api.get(`/api/runs/${runId}`);
    return r.body.run.status !== 'running' ? r.body.run : null;
  }, { ms, message: `run ${runId} to end` });
}
