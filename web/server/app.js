// The HTTP surface (Fastify 5): REST + JSON under /api (openapi.json), webhooks under
// /webhooks, the OAuth seam, the SSE stream, and the dashboard's static files at /.
//
//   const server = await createServer({ mode: 'sandbox', dbFile: ':memory:' });
//   await server.listen({ port: 8080 });   … await server.close();
import { existsSync, readFileSync, statSync, createReadStream } from 'node:fs';
import { extname, join, normalize, resolve as resolvePath, sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { createStoreLink } from 'storelink';
import { SANDBOXES, startSandbox } from '../sandbox/index.js';
import { openDatabase } from './db.js';
import { createRepo } from './repo.js';
import { createVault } from './vault.js';
import { createProxy, ProxyError } from './proxy.js';
import { createRateGates } from './rate-gate.js';
import { ApiError, createHub, createServices, WEBHOOK_SLUGS } from './services.js';
import { toCsv } from './export.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OPENAPI_PATH = fileURLToPath(new URL('./openapi.json', import.meta.url));

// Any query parameter whose name contains one of these words (hub.verify_token, accessCode,
// api_key, secret_key…): its value never reaches a log line.
const SECRET_QUERY = /([?&][^=&#]*(?:token|code|secret|key|signature|hmac|password)[^=&#]*=)[^&#]*/gi;
export const redactUrl = (url) => String(url ?? '').replace(SECRET_QUERY, '$1[redacted]');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

function errorBody(e) {
  return { error: typeof e.toJSON === 'function' ? e.toJSON() : { code: e.code ?? 'internal', message: e.message } };
}

/**
 * Options: mode ('sandbox' | 'production'), databaseUrl | dbFile, vaultKey (32-byte Buffer),
 * devToken (the demo store's token; sandbox mode creates the demo store), publicUrl,
 * logger (Fastify logger option; false to silence), syncIntervalMs (0 = no scheduler),
 * resolve (DNS for the proxy, tests), sandboxOptions (per-platform simulator options),
 * processWebhooks (false = store only, for crash tests), dashboardDir, webhookBodyLimit,
 * sandboxRateSpeedup (simulators' rate limits N× faster), appCredentials, sweepIntervalMs.
 */
export async function createServer(options = {}) {
  const mode = options.mode ?? 'sandbox';
  const sl = options.sl ?? (await createStoreLink());
  const db = await openDatabase({ url: options.databaseUrl, file: options.dbFile });
  const repo = createRepo(db);
  const vault = createVault(options.vaultKey ?? randomBytes(32));
  const hub = createHub();

  const sandboxes = {};
  if (mode === 'sandbox' && options.sandboxes !== false) {
    // One simulator per platform of the registry (options.sandboxes: a subset, for tests).
    const wanted = Array.isArray(options.sandboxes) ? options.sandboxes : Object.keys(SANDBOXES);
    for (const platform of wanted.filter((p) => SANDBOXES[p])) {
      sandboxes[platform] = await startSandbox(platform, { seed: 1, rateSpeedup: options.sandboxRateSpeedup, ...(options.sandboxOptions?.[platform] ?? {}) });
    }
  }
  const sandboxHostMaps = Object.fromEntries(Object.entries(sandboxes).map(([p, env]) => [p, env.hostMap]));
  const proxy = createProxy({ sl, sandboxHostMaps, resolve: options.resolve, timeoutMs: options.proxyTimeoutMs, maxResponseBytes: options.maxResponseBytes });

  // Requests are logged as method + redacted URL only: never headers (Authorization) or bodies.
  const logger = options.logger
    ? {
      ...options.logger,
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url) }),
        res: (res) => ({ statusCode: res.statusCode }),
        ...options.logger.serializers,
      },
    }
    : false;
  const app = Fastify({
    logger,
    bodyLimit: 8 * 1024 * 1024,
    forceCloseConnections: true,
  });
  const routes = [];
  app.addHook('onRoute', (r) => {
    for (const m of [].concat(r.method)) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
  });
  // Secrets never reach a log line: URLs are redacted (logger serializers, see main.js),
  // headers and bodies are never logged.
  const log = app.log;

  let baseUrl = options.publicUrl ?? '';
  const services = createServices({
    repo, sl, vault, proxy, hub, log, sandboxes,
    publicUrl: () => baseUrl,
    verifyTimeoutMs: options.verifyTimeoutMs,
    sweepIntervalMs: options.sweepIntervalMs,
    // Per-connection request budgets in the proxy (rate-gate.js); `rateGates: null` turns them off.
    rateGates: options.rateGates !== undefined ? options.rateGates : createRateGates({ speedup: mode === 'sandbox' ? options.sandboxRateSpeedup ?? 1 : 1 }),
    // StoreLink's own app on platforms with a consent flow (options, else the environment).
    appCredentials: options.appCredentials ?? {
      nhanh: { appId: process.env.STORELINK_NHANH_APP_ID, secretKey: process.env.STORELINK_NHANH_SECRET_KEY, verifyToken: process.env.STORELINK_NHANH_VERIFY_TOKEN },
    },
  });

  // --- demo store (dev/sandbox) -----------------------------------------------------------
  let demo = null;
  if (mode === 'sandbox') {
    const token = options.devToken ?? randomBytes(18).toString('base64url');
    const store = await repo.stores.ensureDemo({ name: 'Cửa hàng demo', token });
    demo = { store, token };
  }

  // --- recovery after a crash ------------------------------------------------------------
  await repo.runs.markInterrupted();
  const processWebhooks = options.processWebhooks !== false;

  // --- auth -------------------------------------------------------------------------------
  const PUBLIC_API = new Set(['/api/health', '/api/platforms']);
  app.decorateRequest('store', null);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') || PUBLIC_API.has(path)) return;
    let token = null;
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) token = auth.replace(/^Bearer\s+/i, '').trim();
    // EventSource and page navigations (OAuth start) cannot set headers.
    else if (path === '/api/stream' || /^\/api\/connections\/[^/]+\/oauth\/start$/.test(path)) token = new URL(req.url, 'http://x').searchParams.get('access_token');
    const store = token ? await repo.stores.byToken(token) : null;
    if (!store) throw new ApiError(401, 'unauthorized', 'Cần đăng nhập (token không hợp lệ).', { detail: token ? 'unknown token' : 'missing bearer token' });
    req.store = store;
  });

  // Connection views carry the webhook headers the shop pastes (Pancake POS's secret): no cache keeps them.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/api/connections')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError || err instanceof ProxyError) return reply.code(err.status).send(errorBody(err));
    if (err.code === 'invalid_input' && err.field) return reply.code(400).send({ error: { code: 'invalid_input', message: 'Dữ liệu không hợp lệ.', detail: err.message, field: err.field } });
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: { code: 'payload_too_large', message: 'Dữ liệu gửi lên quá lớn.', detail: err.message } });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: { code: 'invalid_input', message: 'Yêu cầu không hợp lệ.', detail: err.message } });
    req.log.error({ code: err.code, msg: err.message }, 'internal error');
    return reply.code(500).send({ error: { code: 'internal', message: 'Lỗi máy chủ.', detail: null } });
  });

  // --- small helpers ---------------------------------------------------------------------
  const q = (req) => req.query ?? {};
  const limitOf = (v) => {
    if (v == null || v === '') return 50;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new ApiError(400, 'invalid_input', 'limit phải từ 1 đến 500.', { field: 'limit' });
    return n;
  };
  const oneOf = (v, allowed, field) => {
    if (v == null || v === '') return undefined;
    if (!allowed.includes(v)) throw new ApiError(400, 'invalid_input', `${field} không hợp lệ.`, { field, detail: `one of ${allowed.join(', ')}` });
    return v;
  };
  const RECORD_TYPES = ['product', 'order', 'customer', 'location'];
  const recordFilters = (query) => ({
    type: oneOf(query.type, RECORD_TYPES, 'type'),
    platform: query.platform || undefined,
    connectionId: query.connectionId || undefined,
    status: query.status || undefined,
    deleted: oneOf(query.deleted, ['false', 'true', 'any'], 'deleted') ?? 'false',
    q: query.q || undefined,
  });

  // --- API --------------------------------------------------------------------------------
  app.get('/api/health', async () => ({
    status: 'ok', version: sl.version(), mode, database: db.dialect, sandboxes: Object.keys(sandboxes),
  }));
  app.get('/api/platforms', async () => ({ platforms: services.platforms.map((p) => ({ ...p, sandbox: !!sandboxes[p.id] })) }));
  app.get('/api/me', async (req) => ({ store: req.store, mode }));

  app.get('/api/connections', async (req) => ({ connections: await services.connections.list(req.store) }));
  app.post('/api/connections', async (req, reply) => reply.code(201).send(await services.connections.create(req.store, req.body)));
  app.get('/api/connections/:id', async (req) => ({ connection: await services.connections.view(await services.connections.get(req.store, req.params.id)) }));
  app.patch('/api/connections/:id', async (req) => services.connections.update(req.store, req.params.id, req.body));
  app.delete('/api/connections/:id', async (req) => services.connections.disconnect(req.store, req.params.id));
  app.post('/api/connections/:id/verify', async (req) => services.connections.verifyStored(req.store, req.params.id));
  app.post('/api/connections/:id/webhook-secret', async (req) => services.connections.rotateWebhookSecret(req.store, req.params.id));
  app.post('/api/connections/:id/sync', async (req, reply) => {
    const body = req.body ?? {};
    for (const k of Object.keys(body)) if (!['entity', 'mode'].includes(k)) throw new ApiError(400, 'invalid_input', 'Trường không hợp lệ.', { field: k });
    const run = await services.syncs.start(req.store, req.params.id, { entity: body.entity, mode: body.mode ?? 'auto' });
    return reply.code(202).send({ run });
  });

  // OAuth (Nhanh.vn). start: JSON {url} for the dashboard's fetch (Accept: application/json),
  // else a 302 for a plain navigation (?access_token=); both set the state cookie. return: the
  // platform's redirect back; always ends on the dashboard with ?oauth=ok|error&message=&code=.
  // The origin the browser used (so the state cookie comes back), unless one is configured
  // (production: the https URL registered as the app's Redirect URL on the platform).
  const originOf = (req) => options.publicUrl || `${req.protocol}://${req.headers.host}`;
  const cookieOf = (req, name) => {
    for (const part of String(req.headers.cookie ?? '').split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
    }
    return null;
  };
  const stateCookie = (req, value, maxAgeS) =>
    `${services.oauth.cookieName}=${value}; Path=/oauth/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax${originOf(req).startsWith('https:') ? '; Secure' : ''}`;
  app.get('/api/connections/:id/oauth/start', async (req, reply) => {
    const conn = await services.connections.get(req.store, req.params.id);
    const returnLink = `${originOf(req)}/oauth/${conn.platform}/return`;
    const { url, state } = await services.oauth.start(req.store, conn.id, returnLink);
    reply.header('set-cookie', stateCookie(req, state, Math.floor(services.oauth.ttlMs / 1000)));
    reply.header('cache-control', 'no-store');
    if (String(req.headers.accept ?? '').includes('application/json')) return { url };
    return reply.redirect(url, 302);
  });
  app.get('/oauth/nhanh/return', async (req, reply) => {
    const state = cookieOf(req, services.oauth.cookieName);
    const out = await services.oauth.complete(state, q(req));
    reply.header('set-cookie', stateCookie(req, '', 0));
    reply.header('cache-control', 'no-store');
    const params = new URLSearchParams({ oauth: out.ok ? 'ok' : 'error' });
    if (!out.ok) params.set('message', out.message);
    if (!out.ok && out.code) params.set('code', out.code); // the page shows its own language from it
    return reply.redirect(`/#/channels/${encodeURIComponent(out.platform ?? 'nhanh')}?${params}`, 302);
  });

  app.get('/api/runs', async (req) => {
    const query = q(req);
    return repo.runs.list(req.store.id, {
      connectionId: query.connectionId || undefined,
      entity: oneOf(query.entity, ['products', 'orders', 'customers', 'locations'], 'entity'),
      status: oneOf(query.status, ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'], 'status'),
      limit: limitOf(query.limit),
      cursor: query.cursor,
    }).then((r) => ({ runs: r.runs.map(services.publicRun), nextCursor: r.nextCursor }));
  });
  app.post('/api/runs', async (req, reply) => reply.code(201).send(await services.browserRuns.create(req.store, req.body)));
  app.get('/api/runs/:id', async (req) => {
    const run = await repo.runs.get(req.store.id, req.params.id);
    if (!run) throw new ApiError(404, 'not_found', 'Không tìm thấy lượt đồng bộ.', { detail: `run ${req.params.id}` });
    return { run: services.publicRun(run) };
  });
  app.patch('/api/runs/:id', async (req) => ({ run: await services.browserRuns.update(req.store, req.params.id, req.body) }));
  app.post('/api/runs/:id/cancel', async (req) => ({ run: await services.syncs.cancel(req.store, req.params.id) }));

  app.post('/api/proxy/:id', async (req, reply) => {
    const conn = await services.connections.get(req.store, req.params.id);
    // The caller went away (worker cancelled): stop waiting for the platform too.
    const ac = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) ac.abort();
    });
    return services.proxyFor(conn, req.body, { signal: ac.signal });
  });

  app.get('/api/records', async (req) => {
    const query = q(req);
    return repo.records.list(req.store.id, { ...recordFilters(query), limit: limitOf(query.limit), cursor: query.cursor });
  });
  app.post('/api/records', { bodyLimit: 64 * 1024 * 1024 }, async (req) => services.ingestRecords(req.store, req.body));
  app.get('/api/records/counts', async (req) => ({ counts: await repo.records.counts(req.store.id) }));
  app.get('/api/records/export', async (req, reply) => {
    const query = q(req);
    const format = oneOf(query.format, ['csv', 'ndjson'], 'format');
    if (!format) throw new ApiError(400, 'invalid_input', 'Cần chọn định dạng (csv hoặc ndjson).', { field: 'format' });
    const filters = recordFilters(query);
    const rows = repo.records.iterate(req.store.id, filters);
    const stamp = new Date().toISOString().slice(0, 10);
    const name = `storelink-${filters.type ?? 'records'}-${stamp}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'ndjson') {
      reply.type('application/x-ndjson; charset=utf-8');
      return reply.send(Readable.from((async function* () {
        for await (const r of rows) yield `${JSON.stringify(stripStored(r))}\n`;
      })()));
    }
    reply.type('text/csv; charset=utf-8');
    return reply.send(Readable.from(toCsv(rows)));
  });

  app.get('/api/events', async (req) => {
    const query = q(req);
    return repo.events.list(req.store.id, {
      connectionId: query.connectionId || undefined,
      status: oneOf(query.status, ['received', 'processed', 'duplicate', 'failed', 'rejected'], 'status'),
      limit: limitOf(query.limit),
      cursor: query.cursor,
    });
  });
  app.get('/api/events/:id', async (req) => {
    const event = await repo.events.get(req.store.id, req.params.id);
    if (!event) throw new ApiError(404, 'not_found', 'Không tìm thấy sự kiện.', { detail: `event ${req.params.id}` });
    return { event };
  });

  const streams = new Set();
  app.get('/api/stream', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    send('ready', { store: req.store });
    const off = hub.subscribe(req.store.id, send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    const entry = { res, close: () => { clearInterval(ping); off(); streams.delete(entry); } };
    streams.add(entry);
    req.raw.on('close', entry.close);
  });

  app.get('/api/sandbox/credentials', async () => {
    if (mode !== 'sandbox') throw new ApiError(404, 'not_found', 'Chỉ có trong chế độ sandbox.', { detail: 'not in sandbox mode' });
    return {
      platforms: Object.entries(sandboxes).map(([platform, env]) => ({ platform, credentials: { ...env.secrets }, settings: {}, simulatorUrl: env.url })),
    };
  });

  // --- webhooks (raw bodies: signatures are over the exact bytes) --------------------------
  const webhookBodyLimit = options.webhookBodyLimit ?? 1024 * 1024;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyLimit }, (_req, body, done) => done(null, body));
    const platformOfSlug = (slug) => WEBHOOK_SLUGS[String(slug).toLowerCase()] ?? null;

    scope.setErrorHandler(async (err, req, reply) => {
      const platform = platformOfSlug(req.params?.platform);
      const api = err instanceof ApiError ? err
        : err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new ApiError(413, 'payload_too_large', 'Webhook quá lớn.', { detail: `body over ${webhookBodyLimit} bytes` })
        : err.statusCode && err.statusCode < 500 ? new ApiError(400, 'invalid_input', 'Webhook không hợp lệ.', { detail: err.message })
        : new ApiError(500, 'internal', 'Lỗi máy chủ.');
      if (api.status >= 500) req.log.error({ code: err.code, msg: err.message }, 'webhook error');
      if (platform && api.status < 500) {
        await services.recordRejection(platform, { headers: req.headers, body: Buffer.isBuffer(req.body) ? req.body : null, error: api, connection: api.connection ?? null }).catch(() => {});
        // KiotViet stops delivering to an endpoint that answers 400/401/403/404/405.
        if (platform === 'kiotviet') return reply.code(200).send({ ok: false, eventId: null, duplicate: false, rejected: api.toJSON() });
      }
      return reply.code(api.status).send(errorBody(api));
    });

    scope.post('/webhooks/:platform', async (req) => {
      const platform = platformOfSlug(req.params.platform);
      if (!platform) throw new ApiError(404, 'not_found', 'Không có webhook cho nền tảng này.', { detail: `unknown webhook path ${req.params.platform}` });
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!body.length) throw new ApiError(400, 'invalid_input', 'Webhook không có nội dung.', { detail: 'empty body' });
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]));
      const ack = await services.receiveWebhook(platform, { headers, body, query: req.query });
      // Durable first (above), answer, then process.
      if (ack.id && processWebhooks) setImmediate(() => services.processEvent(ack.id).catch((e) => log.error({ msg: e.message }, 'webhook processing failed')));
      return { ok: true, eventId: ack.eventId, duplicate: ack.duplicate };
    });

    scope.get('/webhooks/:platform', async (req, reply) => {
      const platform = platformOfSlug(req.params.platform);
      if (platform !== 'haravan') throw new ApiError(404, 'not_found', 'Không có webhook cho nền tảng này.');
      const query = req.query ?? {};
      const expected = options.haravanVerifyToken ?? process.env.STORELINK_HARAVAN_VERIFY_TOKEN;
      if (query['hub.mode'] !== 'subscribe' || !expected || !sameSecret(query['hub.verify_token'], expected) || typeof query['hub.challenge'] !== 'string') {
        throw new ApiError(403, 'forbidden', 'Xác minh webhook Haravan thất bại.', { detail: 'hub.verify_token mismatch' });
      }
      return reply.type('text/plain; charset=utf-8').send(query['hub.challenge']);
    });
  });

  // --- the dashboard ----------------------------------------------------------------------
  const dashboardDir = options.dashboardDir ?? join(ROOT, 'web/dashboard/dist');
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/api/') || path.startsWith('/webhooks/') || path.startsWith('/oauth/') || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'Không tìm thấy.', detail: `${req.method} ${path}` } });
    }
    if (!existsSync(join(dashboardDir, 'index.html'))) {
      return reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    let file;
    try {
      file = normalize(join(dashboardDir, decodeURIComponent(path)));
    } catch {
      return reply.code(400).send({ error: { code: 'invalid_input', message: 'Đường dẫn không hợp lệ.' } });
    }
    const base = resolvePath(dashboardDir) + sep;
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) file = join(dashboardDir, 'index.html'); // SPA routes
    reply.type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    if (file.endsWith('index.html')) reply.header('cache-control', 'no-cache');
    return reply.send(createReadStream(file));
  });

  // --- lifecycle --------------------------------------------------------------------------
  let timer = null;
  const syncIntervalMs = options.syncIntervalMs ?? 0;
  async function start() {
    if (processWebhooks) await services.processPending();
    if (syncIntervalMs > 0) {
      timer = setInterval(() => services.syncs.tick().catch((e) => log.error({ msg: e.message }, 'scheduler failed')), syncIntervalMs);
      timer.unref();
    }
  }
  await start();

  const server = {
    app, db, repo, services, sl, vault, hub, sandboxes, demo, mode, routes,
    get url() {
      return baseUrl;
    },
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      const address = await app.listen({ port, host });
      const u = new URL(address);
      if (u.hostname === '127.0.0.1' && host !== '127.0.0.1') u.hostname = 'localhost';
      if (!options.publicUrl) baseUrl = u.origin;
      return baseUrl;
    },
    async close() {
      if (timer) clearInterval(timer);
      for (const [, slot] of services.syncs.active) slot.controller.abort();
      await services.syncs.idle();
      for (const s of streams) {
        s.close();
        s.res.end();
      }
      await app.close();
      for (const env of Object.values(sandboxes)) await env.close();
      await db.close();
    },
  };
  return server;
}

/** Constant-time comparison of a presented secret with the expected one (any lengths). */
export function sameSecret(given, expected) {
  if (typeof given !== 'string' || typeof expected !== 'string') return false;
  const digest = (v) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

function stripStored(r) {
  const { id: _id, connectionId: _c, storedAt: _s, ...record } = r;
  return record;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>StoreLink</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:.1rem .3rem}</style></head>
<body><h1>StoreLink</h1>
<p>Trang quản trị (dashboard) chưa được build — <em>the dashboard is not built yet</em>.</p>
<p>Máy chủ API đang chạy: <a href="/api/health"><code>/api/health</code></a>, tài liệu API trong <code>web/server/openapi.json</code>.</p>
</body></html>
`;

export const OPENAPI = () => JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
