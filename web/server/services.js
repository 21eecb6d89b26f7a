// The server's behaviour, independent of HTTP: connections (create, verify, disconnect,
// reconnect), the vault-backed proxy per connection, sync runs + the scheduler, and webhook
// intake/processing. app.js maps routes onto these; tests can also drive them directly.
import { createRateGates, gateKey, sleep } from './rate-gate.js';
import { createHash, randomBytes } from 'node:crypto';
import { mapHost, runSync, sweepDeletions, SyncError } from 'storelink';
import { ProxyError } from './proxy.js';
import { redactSecrets } from './vault.js';
import { ENTITY_OF_TYPE, TYPE_OF_ENTITY, newId, nowIso } from './repo.js';

/** An error with an HTTP status and an ErrorInfo body. */
export class ApiError extends Error {
  constructor(status, code, message, { detail = null, field = null, httpStatus = null, platformCode = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.field = field;
    this.httpStatus = httpStatus;
    this.platformCode = platformCode;
  }
  toJSON() {
    const { code, message, detail, field, httpStatus, platformCode } = this;
    return { code, message, detail, field, httpStatus, platformCode };
  }
}

const errorInfo = (e) => ({
  code: e.code ?? 'internal',
  message: e.message ?? String(e),
  detail: e.detail ?? null,
  httpStatus: e.httpStatus ?? null,
  platformCode: e.platformCode ?? null,
  field: e.field ?? null,
});

// Platform traits the module does not describe.
const OAUTH_PLATFORMS = new Set(['nhanh']); // connect through the platform's consent page (seam: oauth routes)
// Lifecycle webhooks saying the shop uninstalled StoreLink's app (nhanh.md webhooks v3; Sapo
// and Haravan `app/uninstalled`).
const UNINSTALL_TOPICS = new Set(['appUninstalled', 'app/uninstalled']);
const WEBHOOK_FIRST = new Set(['pancake']); // verified once, then waits for the shop's first webhook
// Platforms whose webhooks carry no signature and are set up by hand with custom request headers
// (pancake.md §1.8: "No webhook signature. Require a user-configured secret header"): StoreLink
// generates the secret, and the connection's view lists the headers the shop pastes.
const SECRET_HEADER = new Set(['pancake']);
// Getfly sends the Secret Key typed into its webhook settings back in clear in every delivery
// (getfly.md §3.6): StoreLink generates it too, and the view lists the form fields to paste.
const SECRET_FIELD = new Set(['getfly']);
// KiotViet signs deliveries with the Secret given when StoreLink registers its webhooks
// (kiotviet.md §A.8): generated on connect, registered by the module's connect steps.
const SECRET_REGISTERED = new Set(['kiotviet']);
const GENERATES_SECRET = (id) => SECRET_HEADER.has(id) || SECRET_FIELD.has(id) || SECRET_REGISTERED.has(id);
// 32 characters: base64url where the shop pastes it, standard base64 where KiotViet asks for
// "random characters, base64-encoded" (24 bytes: no padding).
const newWebhookSecret = (platformId) => randomBytes(24).toString(SECRET_REGISTERED.has(platformId) ? 'base64' : 'base64url');
const STORE_KEY_FIELDS = ['shopId', 'storeId', 'retailerId', 'orgId', 'businessId']; // credential that webhooks carry back
export const WEBHOOK_SLUGS = { kiotviet: 'kiotviet', haravan: 'haravan', sapo: 'sapo', nhanh: 'nhanh', pancakepos: 'pancake', pancake: 'pancake', getfly: 'getfly' };
// The credential that signs a platform's webhooks when the shop gave no separate webhook secret:
// Sapo signs every delivery with the app's secret (sapo.md §B.8: X-Sapo-Hmac-Sha256 keyed by the
// API secret), so a Sapo connection never accepts an unsigned or forged delivery.
const WEBHOOK_KEY_OF = { sapo: 'apiSecret' };
const SLUG_OF = { pancake: 'pancakepos' };
const CREDENTIAL_ERRORS = new Set(['invalid_credentials', 'forbidden']);
const ENTITIES = ['products', 'orders', 'customers', 'locations'];

/** A tiny pub/sub for the server-sent-events stream, per store. */
export function createHub() {
  const subs = new Map();
  return {
    subscribe(storeId, fn) {
      if (!subs.has(storeId)) subs.set(storeId, new Set());
      subs.get(storeId).add(fn);
      return () => subs.get(storeId)?.delete(fn);
    },
    publish(storeId, type, data) {
      for (const fn of subs.get(storeId) ?? []) {
        try {
          fn(type, data);
        } catch {
          /* a broken subscriber must not break the publisher */
        }
      }
    },
  };
}

export function createServices({ repo, sl, vault, proxy, hub, log, publicUrl = () => '', sandboxes = {}, verifyTimeoutMs = 20_000, clock, appCredentials = {}, sweepIntervalMs = 24 * 3_600_000, rateGates = createRateGates() }) {
  const platformList = sl.platforms();
  const platforms = new Map(platformList.map((p) => [p.id, p]));
  const platformOf = (id) => {
    const p = platforms.get(id);
    if (!p) throw new ApiError(400, 'invalid_input', 'Nền tảng không được hỗ trợ.', { field: 'platform', detail: `unknown platform ${id}` });
    return p;
  };

  // --- vault access per connection ------------------------------------------------------
  const secretsOf = (conn) => (conn.secretsEnc ? vault.open(conn.secretsEnc, conn.id) : {});
  const captureChains = new Map();
  /** Stores tokens captured by the proxy (serialized per connection). */
  function capture(conn, captured) {
    const prev = captureChains.get(conn.id) ?? Promise.resolve();
    const next = prev.then(async () => {
      const fresh = await repo.connections.getAnyStore(conn.id);
      if (!fresh?.secretsEnc) return; // disconnected meanwhile: keep nothing
      const merged = { ...secretsOf(fresh), ...captured };
      await repo.connections.update(fresh.storeId, fresh.id, { secretsEnc: vault.seal(merged, fresh.id) });
    });
    captureChains.set(conn.id, next.catch(() => {}));
    return next;
  }

  /** Forwards a descriptor for a stored connection (POST /api/proxy and server syncs). */
  async function proxyFor(conn, request, { signal } = {}) {
    if (conn.status === 'disconnected' || !conn.secretsEnc) {
      throw new ApiError(403, 'forbidden', 'Liên kết đã bị ngắt, không còn thông tin đăng nhập.', { detail: 'connection disconnected' });
    }
    const secrets = secretsOf(conn);
    // The connection's budget (rate-gate.js), taken once the destination is judged allowed (a
    // refused request costs nothing); token requests go to the identity host, not the API.
    const rate = platformOf(conn.platform).rate;
    const beforeSend = rate && rateGates && request?.purpose !== 'auth'
      ? async () => {
        const slot = rateGates.reserve(gateKey(conn.id, rate, request?.url ?? ''), rate);
        if (slot.retryAfterMs != null) {
          return { status: 429, headers: { 'retry-after': String(Math.ceil(slot.retryAfterMs / 1000)), 'x-storelink-rate-gate': 'connection' }, body: '' };
        }
        if (slot.waitMs > 0) await sleep(slot.waitMs, signal);
        return null;
      }
      : undefined;
    return proxy.forward({ beforeSend,
      platform: platformOf(conn.platform), account: conn.account, secrets, request, signal,
      onCapture: (captured) => capture(conn, captured),
    });
  }

  /**
   * A runSync transport over the proxy. A refusal by the proxy itself (bad descriptor, off-list
   * destination) is not transient: it aborts the run instead of being retried as a network error.
   */
  function transportFor(send, controller) {
    const state = { fatal: null };
    const transport = async (request, { signal } = {}) => {
      try {
        return await send(request, { signal });
      } catch (e) {
        if (e instanceof ProxyError && (e.status === 400 || e.status === 403)) {
          state.fatal = e;
          controller.abort();
        }
        if (e instanceof ApiError) {
          state.fatal = e;
          controller.abort();
        }
        return { status: 0, headers: {}, body: '', error: e?.detail === 'timeout' ? 'timeout' : 'network' };
      }
    };
    return { transport, state };
  }

  // --- connections ----------------------------------------------------------------------
  function checkCredentials(info, credentials, { partial = false } = {}) {
    if (!credentials || typeof credentials !== 'object' || Array.isArray(credentials)) {
      throw new ApiError(400, 'invalid_input', 'Thiếu thông tin đăng nhập.', { field: 'credentials' });
    }
    const known = new Set([...info.credentials.map((c) => c.key), 'webhookSecret']);
    const out = {};
    for (const [k, v] of Object.entries(credentials)) {
      if (!known.has(k)) throw new ApiError(400, 'invalid_input', 'Trường thông tin không hợp lệ.', { field: `credentials.${k}`, detail: `unknown credential field ${k}` });
      if (typeof v !== 'string') throw new ApiError(400, 'invalid_input', 'Thông tin đăng nhập phải là chuỗi.', { field: `credentials.${k}` });
      if (v.trim()) out[k] = v.trim();
    }
    if (!partial) {
      for (const f of info.credentials) {
        if (!out[f.key] && !f.optional) throw new ApiError(400, 'invalid_input', `Vui lòng nhập ${f.label}.`, { field: `credentials.${f.key}`, detail: `missing ${f.key}` });
      }
    }
    return out;
  }

  function checkSettings(info, settings) {
    if (settings == null) return {};
    if (typeof settings !== 'object' || Array.isArray(settings)) throw new ApiError(400, 'invalid_input', 'Cài đặt không hợp lệ.', { field: 'settings' });
    const known = new Set([...info.settings.map((s) => s.key), 'entities']);
    for (const k of Object.keys(settings)) {
      if (!known.has(k)) throw new ApiError(400, 'invalid_input', 'Cài đặt không hợp lệ.', { field: `settings.${k}`, detail: `unknown setting ${k} for ${info.id}` });
    }
    if (settings.entities != null) {
      if (!Array.isArray(settings.entities) || !settings.entities.every((e) => info.entities.includes(e))) {
        throw new ApiError(400, 'invalid_input', 'Danh sách dữ liệu đồng bộ không hợp lệ.', { field: 'settings.entities', detail: `entities must be a subset of ${info.entities.join(', ')}` });
      }
    }
    // The module validates the platform's own settings (e.g. a numeric KiotViet branchId).
    if (info.status === 'available' && info.entities.length) {
      try {
        sl.createSync({ platform: info.id, entity: info.entities[0], settings: syncSettings(settings) }).dispose();
      } catch (e) {
        if (e instanceof SyncError && e.code === 'invalid_input') throw new ApiError(400, 'invalid_input', e.message, { field: e.field ? `settings.${e.field}` : 'settings', detail: e.detail });
        throw e;
      }
    }
    return settings;
  }

  const syncSettings = (settings) => {
    const { entities: _e, ...rest } = settings ?? {};
    return rest;
  };
  const accountOf = (info, creds) => Object.fromEntries(info.credentials.filter((c) => !c.secret && creds[c.key] != null).map((c) => [c.key, creds[c.key]]));
  const secretNames = (info, creds) => Object.keys(creds).filter((k) => k === 'webhookSecret' || info.credentials.find((c) => c.key === k)?.secret);
  const storeKeyOf = (creds) => STORE_KEY_FIELDS.map((k) => creds[k]).find((v) => v) ?? null;

  /**
   * The credentials check: a one-page `locations` sync through the proxy. Returns the location
   * records and the tokens the proxy captured on the way (to keep with the credentials).
   */
  async function verify(info, account, secrets, settings) {
    if (info.status !== 'available') {
      throw new ApiError(422, 'unsupported', `${info.displayName} sắp được hỗ trợ, chưa thể kết nối.`, { detail: `platform ${info.id} is ${info.status}` });
    }
    const entity = info.entities.includes('locations') ? 'locations' : info.entities[0];
    const vaultCopy = { ...secrets };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), verifyTimeoutMs);
    const { transport, state } = transportFor(
      (request, { signal }) => proxy.forward({ platform: info, account, secrets: vaultCopy, request, signal, onCapture: (c) => Object.assign(vaultCopy, c) }),
      controller,
    );
    let job;
    try {
      job = sl.createSync({ platform: info.id, entity, settings: syncSettings(settings), maxPages: 1, mode: 'full' });
      const { records } = await runSync(job, transport, { signal: controller.signal, clock });
      const captured = Object.fromEntries(Object.entries(vaultCopy).filter(([k, v]) => secrets[k] !== v));
      return { locations: entity === 'locations' ? records.filter((r) => !r.deleted) : [], captured };
    } catch (e) {
      if (state.fatal) throw state.fatal instanceof ApiError ? state.fatal : new ApiError(state.fatal.status, state.fatal.code, state.fatal.message, { detail: state.fatal.detail });
      if (e instanceof SyncError) {
        if (e.code === 'cancelled') throw new ApiError(502, 'network', 'Nền tảng không phản hồi kịp thời.', { detail: 'verification timed out' });
        const status = CREDENTIAL_ERRORS.has(e.code) || e.code === 'not_found' || e.code === 'unsupported' || e.code === 'invalid_input' ? 422 : 502;
        throw new ApiError(status, e.code, e.message, { detail: e.detail, httpStatus: e.httpStatus, platformCode: e.platformCode, field: e.field });
      }
      throw e;
    } finally {
      clearTimeout(timer);
      job?.dispose();
    }
  }

  // --- webhook registration ---------------------------------------------------------------
  // Where the platform's API allows it (Sapo), the webhooks the family listens to are registered
  // at the connection's webhook URL on connect and removed on disconnect. The module describes
  // every request (descriptors with secret placeholders, the same as pages) and reads every
  // answer; they go out through the proxy. Idempotent: what is already registered at the address
  // is listed first. A failure never blocks the connection: it becomes a warning on it.
  const webhookUrlOf = (conn) => {
    const info = platforms.get(conn.platform);
    return info?.webhooks ? `${publicUrl()}/webhooks/${SLUG_OF[conn.platform] ?? conn.platform}?connection=${conn.id}` : null;
  };
  const webhookStep = (conn, step, input) => sl.connect(conn.platform, step, {
    ...input, settings: syncSettings(conn.settings), entities: conn.settings?.entities ?? platforms.get(conn.platform)?.entities ?? [],
  });
  const answerOf = (res) => ({ status: res.status, body: res.body });
  /** One call through the proxy; a 429 or 5xx is waited out (Retry-After, capped) and repeated a few times. */
  async function sendPaced(conn, request) {
    for (let attempt = 0; ; attempt++) {
      const res = await proxyFor(conn, request);
      if ((res.status !== 429 && res.status < 500) || attempt >= 4) return res;
      const after = Number.parseFloat(res.headers?.['retry-after']);
      const waitMs = Math.min(10_000, Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /**
   * sendPaced for the registration calls of `hook` ({conn}). A 401 once: the stored token may
   * have expired since the last sync (KiotViet's last a day; disconnecting comes any time
   * later), so a fresh one is fetched the way syncs get theirs (the verify page) and the call
   * repeated. Credentials that really are wrong stay a 401.
   */
  async function sendHook(hook, request) {
    // No token stored at all yet (a connection that has not synced since it was stored): the
    // proxy refuses to fill {{secret.accessToken}}; fetched below like an expired one.
    const noToken = (e) => !hook.refreshed && /^no secret for placeholder \{\{secret\.accessToken/.test(e?.detail ?? '');
    let res;
    let refused = null;
    try {
      res = await sendPaced(hook.conn, request);
    } catch (e) {
      if (!noToken(e)) throw e;
      refused = e;
    }
    const giveBack = () => {
      if (refused) throw refused;
      return res;
    };
    if (!refused && (res.status !== 401 || hook.refreshed)) return res;
    hook.refreshed = true;
    try {
      const v = await verify(platformOf(hook.conn.platform), hook.conn.account, secretsOf(hook.conn), hook.conn.settings);
      if (!Object.keys(v.captured).length) return giveBack();
      await capture(hook.conn, v.captured);
      hook.conn = (await repo.connections.getAnyStore(hook.conn.id)) ?? hook.conn;
    } catch {
      return giveBack();
    }
    return sendPaced(hook.conn, request);
  }

  /** The registrations at the connection's address, as the module plans them; null = no webhooks API. */
  async function webhookPlan(hook, step) {
    const address = webhookUrlOf(hook.conn);
    if (!address) return null;
    let request;
    try {
      ({ request } = webhookStep(hook.conn, 'webhooksListRequest', { address }));
    } catch (e) {
      if (e instanceof SyncError && e.code === 'unsupported') return null; // Haravan private apps: set up by the shop owner
      throw e;
    }
    return webhookStep(hook.conn, step, { address, ...answerOf(await sendHook(hook, request)) });
  }

  /** Sends each descriptor, checking its answer with the module; → the errors. */
  async function sendAll(hook, requests) {
    const errors = [];
    for (const request of requests) {
      try {
        webhookStep(hook.conn, 'webhookResult', answerOf(await sendHook(hook, request)));
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }

  /** Registers the webhooks of an active connection; the outcome is kept in its account. */
  async function registerWebhooks(conn) {
    let registered = 0;
    let error = null;
    const hook = { conn };
    try {
      const plan = await webhookPlan(hook, 'webhooksRegister');
      if (!plan) return conn;
      await sendAll(hook, plan.remove); // duplicates of a topic at our address (KiotViet: also topics no longer wanted)
      const errors = await sendAll(hook, plan.create);
      registered = plan.registered.length + plan.create.length - errors.length;
      error = errors[0] ?? null;
    } catch (e) {
      error = e;
    }
    conn = hook.conn; // a token fetched on the way is in its vault
    const { webhooksError: _old, ...account } = conn.account ?? {};
    account.webhooksRegistered = String(registered);
    if (error) account.webhooksError = error.message ?? String(error);
    if (error) log.warn({ connection: conn.id, code: error.code ?? null }, 'webhook registration failed');
    else log.info({ connection: conn.id, registered }, 'webhooks registered');
    return repo.connections.update(conn.storeId, conn.id, { account });
  }

  /** Removes the connection's registrations (before its credentials are deleted); best effort. */
  async function unregisterWebhooks(conn) {
    if (conn.status === 'disconnected' || !conn.secretsEnc) return;
    const hook = { conn };
    try {
      const plan = await webhookPlan(hook, 'webhooksUnregister');
      if (!plan) return;
      const errors = await sendAll(hook, plan.remove);
      if (errors.length) throw errors[0];
      log.info({ connection: conn.id, removed: plan.remove.length }, 'webhooks unregistered');
    } catch (e) {
      log.warn({ connection: conn.id, code: e?.code ?? null }, 'webhook unregistration failed');
    }
  }

  async function toApi(conn) {
    const info = platforms.get(conn.platform);
    const enabled = conn.settings?.entities ?? info?.entities ?? [];
    const cps = new Set((await repo.checkpoints.list(conn.id)).map((c) => c.entity));
    const entities = {};
    for (const entity of info?.entities ?? []) {
      const lastRun = await repo.runs.latest(conn.id, entity);
      const ok = lastRun?.status === 'succeeded' ? lastRun : await repo.runs.latest(conn.id, entity, { status: 'succeeded' });
      entities[entity] = { enabled: enabled.includes(entity), lastRun: lastRun ? publicRun(lastRun) : null, lastSyncedAt: ok?.endedAt ?? null, hasCheckpoint: cps.has(entity) };
    }
    // Tokens that cannot be refreshed (Nhanh.vn: one year, nhanh.md B.2.3) are announced 14 days
    // ahead, so the shop re-authorizes before syncing stops.
    const warnings = [];
    const expires = Date.parse(conn.account?.tokenExpiresAt ?? '');
    if (conn.status !== 'disconnected' && Number.isFinite(expires) && expires - Date.now() < 14 * 86_400_000) {
      warnings.push({ code: 'token_expiring', expiresAt: new Date(expires).toISOString(), message: expires > Date.now() ? `Quyền truy cập ${info?.displayName ?? conn.platform} hết hạn ngày ${new Date(expires).toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })}. Hãy kết nối lại (cấp quyền lại) trước ngày đó để việc đồng bộ không bị gián đoạn.` : `Quyền truy cập ${info?.displayName ?? conn.platform} đã hết hạn. Hãy kết nối lại để tiếp tục đồng bộ.` });
    }
    // The headers the shop pastes into the platform's webhook settings, the secret included: the
    // owner has to copy it, and it only authorizes deliveries to this connection (rotate it with
    // POST /api/connections/:id/webhook-secret). The header names are the connector's.
    let webhookHeaders = null;
    if (SECRET_HEADER.has(conn.platform) && conn.status !== 'disconnected' && conn.secretsEnc) {
      const secret = secretsOf(conn).webhookSecret ?? null;
      const shopId = conn.storeKey ?? conn.account?.shopId;
      if (shopId) {
        const { headers } = sl.connect(conn.platform, 'webhookSettings', { baseUrl: publicUrl() || 'http://localhost', shopId, ...(secret ? { secret } : {}) });
        webhookHeaders = Object.entries(headers).map(([name, value]) => ({ name, value }));
      }
      // Made before StoreLink generated one: still accepted, so the shop is told to add it.
      if (!secret) {
        warnings.push({ code: 'webhook_secret_missing', message: `Webhook ${info?.displayName ?? conn.platform} chưa có khóa bí mật: ai biết mã cửa hàng cũng gửi được dữ liệu giả vào đây. Bấm “Tạo khóa mới” rồi thêm Request Header x-webhook-secret vào cấu hình webhook trên ${info?.displayName ?? conn.platform}.` });
      }
    }
    // Getfly: the Secret Key the shop types into its webhook settings (the form's own labels).
    let webhookFields = null;
    if (SECRET_FIELD.has(conn.platform) && conn.status !== 'disconnected' && conn.secretsEnc) {
      const secret = secretsOf(conn).webhookSecret ?? null;
      webhookFields = sl.connect(conn.platform, 'webhookSettings', secret ? { secret } : {}).fields;
      if (!secret) {
        warnings.push({ code: 'webhook_secret_missing', message: `Webhook ${info?.displayName ?? conn.platform} chưa có khóa bí mật: ai biết địa chỉ nhận webhook cũng gửi được dữ liệu giả vào đây. Bấm “Tạo khóa mới” rồi dán Secret Key vào Cài đặt → Tích hợp hệ thống → Getfly Webhook.` });
      }
    }
    // Signed by the platform with a secret StoreLink registers (KiotViet) or the shop copies
    // from it (Haravan private apps): without one, deliveries are accepted unsigned.
    if ((SECRET_REGISTERED.has(conn.platform) || conn.platform === 'haravan') && conn.status !== 'disconnected' && conn.secretsEnc && !secretsOf(conn).webhookSecret) {
      warnings.push({
        code: 'webhook_secret_missing',
        // What the page offers next to the warning (KiotViet: POST …/webhook-secret registers again).
        ...(SECRET_REGISTERED.has(conn.platform) && conn.status === 'active' ? { action: 'reregister_webhooks' } : {}),
        message: conn.platform === 'haravan'
          ? 'Webhook Haravan chưa được xác thực: ai biết địa chỉ nhận webhook cũng gửi được dữ liệu giả vào đây. Trên Haravan vào Cài đặt → Thông báo → Webhook, sao chép chuỗi xác thực webhook, rồi bấm “Kết nối lại” và dán vào ô “Chuỗi xác thực webhook”.'
          : `Webhook ${info?.displayName ?? conn.platform} của liên kết này chưa có khóa ký: ai biết mã cửa hàng cũng gửi được dữ liệu giả vào đây. Bấm “Đăng ký lại webhook” để StoreLink đăng ký lại webhook kèm khóa bí mật.`,
      });
    }
    if (conn.status !== 'disconnected' && conn.account?.webhooksError) {
      warnings.push({ code: 'webhooks_not_registered', message: `Chưa đăng ký được webhook trên ${info?.displayName ?? conn.platform} (${conn.account.webhooksError.replace(/\.$/, '')}). Dữ liệu vẫn được đồng bộ theo lịch nhưng thay đổi sẽ không đến ngay; hãy kiểm tra quyền của ứng dụng rồi kết nối lại.` });
    }
    return {
      id: conn.id,
      platform: conn.platform,
      name: conn.name,
      status: conn.status,
      statusError: conn.statusError,
      warnings,
      settings: conn.settings,
      account: conn.account,
      secretsSet: conn.secretsSet,
      webhookUrl: webhookUrlOf(conn),
      webhookHeaders,
      webhookFields,
      storeKey: conn.storeKey,
      entities,
      createdAt: conn.createdAt,
      updatedAt: conn.updatedAt,
      lastWebhookAt: conn.lastWebhookAt,
    };
  }

  const publicRun = (r) => {
    const { storeId: _s, ...rest } = r;
    return rest;
  };

  async function announce(conn) {
    const view = await toApi(conn);
    hub.publish(conn.storeId, 'connection', { connection: view });
    return view;
  }

  async function saveLocations(storeId, conn, locations) {
    if (locations.length) {
      const res = await repo.records.upsert(storeId, conn.id, locations);
      hub.publish(storeId, 'records', { connectionId: conn.id, platform: conn.platform, type: 'location', applied: res.applied, deleted: res.deleted });
    }
  }

  const connections = {
    async create(store, body) {
      if (!body || typeof body !== 'object') throw new ApiError(400, 'invalid_input', 'Thiếu dữ liệu.');
      const info = platformOf(body.platform);
      const creds = checkCredentials(info, body.credentials, { partial: OAUTH_PLATFORMS.has(info.id) });
      if (GENERATES_SECRET(info.id) && !creds.webhookSecret) creds.webhookSecret = newWebhookSecret(info.id);
      const settings = checkSettings(info, body.settings);
      if (body.name != null && (typeof body.name !== 'string' || body.name.length > 200)) throw new ApiError(400, 'invalid_input', 'Tên liên kết không hợp lệ.', { field: 'name' });
      const id = newId('cn');
      const account = accountOf(info, creds);
      let status = 'active';
      let locations = [];
      let secrets = { ...creds };
      if (OAUTH_PLATFORMS.has(info.id)) {
        status = 'pending'; // completed by /api/connections/:id/oauth/start → /oauth/nhanh/return
      } else {
        const v = await verify(info, account, creds, settings);
        locations = v.locations;
        secrets = { ...creds, ...v.captured };
        if (WEBHOOK_FIRST.has(info.id)) status = 'waiting_webhook';
      }
      let conn = await repo.connections.insert({
        id, storeId: store.id, platform: info.id, name: body.name?.trim() || info.displayName, status, statusError: null,
        settings, account, secretsEnc: vault.seal(secrets, id), secretsSet: secretNames(info, creds), storeKey: storeKeyOf(creds),
      });
      await saveLocations(store.id, conn, locations);
      if (status === 'active') conn = await registerWebhooks(conn);
      log.info({ connection: id, platform: info.id, status }, 'connection created');
      return { connection: await announce(conn), locations };
    },

    async get(store, id) {
      const conn = await repo.connections.get(store.id, id);
      if (!conn) throw new ApiError(404, 'not_found', 'Không tìm thấy liên kết.', { detail: `connection ${id}` });
      return conn;
    },

    async list(store) {
      return Promise.all((await repo.connections.list(store.id)).map(toApi));
    },

    view: toApi,

    async update(store, id, body) {
      const conn = await connections.get(store, id);
      const info = platformOf(conn.platform);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'invalid_input', 'Thiếu dữ liệu.');
      for (const k of Object.keys(body)) {
        if (!['name', 'settings', 'credentials'].includes(k)) throw new ApiError(400, 'invalid_input', 'Trường không hợp lệ.', { field: k });
      }
      const patch = {};
      if (body.name !== undefined) {
        if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200) throw new ApiError(400, 'invalid_input', 'Tên liên kết không hợp lệ.', { field: 'name' });
        patch.name = body.name.trim();
      }
      let settings = conn.settings;
      if (body.settings !== undefined) {
        if (!body.settings || typeof body.settings !== 'object' || Array.isArray(body.settings)) throw new ApiError(400, 'invalid_input', 'Cài đặt không hợp lệ.', { field: 'settings' });
        settings = { ...conn.settings };
        for (const [k, v] of Object.entries(body.settings)) {
          if (v === null) delete settings[k];
          else settings[k] = v;
        }
        patch.settings = checkSettings(info, settings);
      }
      let locations = [];
      let secretChanged = false;
      if (body.credentials !== undefined) {
        // Reconnect: new credentials, verified like at creation; checkpoints are kept, so the
        // next syncs resume where the connection stopped.
        const creds = checkCredentials(info, body.credentials, { partial: OAUTH_PLATFORMS.has(info.id) });
        const previous = secretsOf(conn);
        if (!creds.webhookSecret && previous.webhookSecret) creds.webhookSecret = previous.webhookSecret;
        if (GENERATES_SECRET(info.id) && !creds.webhookSecret) creds.webhookSecret = newWebhookSecret(info.id);
        // Registrations made with another secret would sign with it: made again below.
        secretChanged = Boolean(previous.webhookSecret) && previous.webhookSecret !== creds.webhookSecret;
        const account = accountOf(info, creds);
        let secrets = { ...creds };
        let status = conn.status === 'waiting_webhook' && !conn.lastWebhookAt ? 'waiting_webhook' : 'active';
        if (OAUTH_PLATFORMS.has(info.id)) status = 'pending';
        else {
          const v = await verify(info, account, creds, settings);
          locations = v.locations;
          secrets = { ...creds, ...v.captured };
          if (WEBHOOK_FIRST.has(info.id) && !conn.lastWebhookAt) status = 'waiting_webhook';
        }
        Object.assign(patch, {
          status, statusError: null, account, secretsEnc: vault.seal(secrets, conn.id), secretsSet: secretNames(info, creds),
          storeKey: storeKeyOf(creds) ?? conn.storeKey,
        });
      }
      let updated = Object.keys(patch).length ? await repo.connections.update(store.id, id, patch) : conn;
      await saveLocations(store.id, updated, locations);
      // Reconnected: register again (what is already there is kept, so nothing doubles). Settings
      // changed: the topics may have (KiotViet: invoice.update instead of order.update).
      const settingsChanged = patch.settings !== undefined && JSON.stringify(patch.settings) !== JSON.stringify(conn.settings ?? {});
      if ((body.credentials !== undefined || settingsChanged) && updated.status === 'active') {
        if (secretChanged) await unregisterWebhooks(updated);
        updated = await registerWebhooks(updated);
      }
      if (patch.status && patch.status !== conn.status) log.info({ connection: id, status: patch.status }, 'connection reconnected');
      return { connection: await announce(updated), locations };
    },

    async verifyStored(store, id) {
      const conn = await connections.get(store, id);
      if (conn.status === 'disconnected' || !conn.secretsEnc) throw new ApiError(409, 'conflict', 'Liên kết đã bị ngắt. Hãy nhập lại thông tin đăng nhập.', { detail: 'disconnected' });
      if (conn.status === 'pending') throw new ApiError(409, 'conflict', 'Liên kết chưa được cấp quyền.', { detail: 'pending oauth' });
      const info = platformOf(conn.platform);
      let updated;
      let locations = [];
      try {
        const v = await verify(info, conn.account, secretsOf(conn), conn.settings);
        locations = v.locations;
        if (Object.keys(v.captured).length) await capture(conn, v.captured);
        const status = conn.status === 'waiting_webhook' ? 'waiting_webhook' : 'active';
        updated = await repo.connections.update(store.id, id, { status, statusError: null });
      } catch (e) {
        if (!(e instanceof ApiError) || !CREDENTIAL_ERRORS.has(e.code)) throw e;
        updated = await markAttention(conn, e);
      }
      await saveLocations(store.id, updated, locations);
      return { connection: await announce(updated), locations };
    },

    /**
     * A new webhook secret (platforms with a hand-configured secret header): from now on only
     * deliveries carrying it are accepted, the old one is refused.
     */
    async rotateWebhookSecret(store, id) {
      const conn = await connections.get(store, id);
      const registered = SECRET_REGISTERED.has(conn.platform);
      if (!SECRET_HEADER.has(conn.platform) && !SECRET_FIELD.has(conn.platform) && !registered) {
        throw new ApiError(400, 'invalid_input', 'Nền tảng này tự ký webhook, không dùng khóa do StoreLink tạo.', { detail: `${conn.platform} webhooks are signed by the platform` });
      }
      if (conn.status === 'disconnected' || !conn.secretsEnc) throw new ApiError(409, 'conflict', 'Liên kết đã bị ngắt. Hãy kết nối lại.', { detail: 'disconnected' });
      // KiotViet signs with the secret it was registered with: the registrations go and come
      // back with the new one (a connection made before secrets were generated gets its first).
      // Changes in the moment between are caught by the next scheduled sync.
      if (registered && conn.status !== 'active') throw new ApiError(409, 'conflict', 'Liên kết cần được kết nối lại trước khi đăng ký webhook.', { detail: `status ${conn.status}` });
      await capture(conn, { webhookSecret: newWebhookSecret(conn.platform) }); // serialized with the proxy's token captures
      let updated = await repo.connections.update(store.id, id, { secretsSet: [...new Set([...(conn.secretsSet ?? []), 'webhookSecret'])] });
      if (registered) {
        await unregisterWebhooks(updated);
        updated = await registerWebhooks(updated);
      }
      log.info({ connection: id, platform: conn.platform }, 'webhook secret rotated');
      return { connection: await announce(updated) };
    },

    /** Disconnect: stop syncs, delete the credentials, keep records and checkpoints. */
    async disconnect(store, id) {
      const conn = await connections.get(store, id);
      syncs.cancelConnection(conn.id);
      // While the credentials are still there: remove what connecting registered (Sapo).
      await unregisterWebhooks(conn);
      const updated = await repo.connections.update(store.id, id, {
        status: 'disconnected', statusError: null, secretsEnc: null, secretsSet: [], account: {},
      });
      log.info({ connection: id }, 'connection disconnected');
      return { connection: await announce(updated) };
    },
  };

  async function markAttention(conn, err) {
    const updated = await repo.connections.update(conn.storeId, conn.id, { status: 'needs_attention', statusError: errorInfo(err) });
    log.warn({ connection: conn.id, code: err.code }, 'connection needs attention');
    await announce(updated);
    return updated;
  }

  // --- sync runs ------------------------------------------------------------------------
  const active = new Map(); // `${connectionId}:${entity}` → { controller, runId, storeId }

  const syncs = {
    active,
    async start(store, connId, { entity, mode = 'auto' } = {}, origin = 'server') {
      const conn = await connections.get(store, connId);
      const info = platformOf(conn.platform);
      if (!ENTITIES.includes(entity) || !info.entities.includes(entity)) {
        throw new ApiError(400, 'invalid_input', 'Loại dữ liệu không hợp lệ cho nền tảng này.', { field: 'entity', detail: `${info.id} syncs ${info.entities.join(', ')}` });
      }
      if (!['auto', 'full', 'incremental'].includes(mode)) throw new ApiError(400, 'invalid_input', 'Chế độ đồng bộ không hợp lệ.', { field: 'mode' });
      if (!['active', 'waiting_webhook'].includes(conn.status)) {
        throw new ApiError(409, 'conflict', 'Liên kết chưa hoạt động, không thể đồng bộ.', { detail: `connection is ${conn.status}` });
      }
      const key = `${conn.id}:${entity}`;
      if (active.has(key)) throw new ApiError(409, 'conflict', 'Đang đồng bộ dữ liệu này.', { detail: `run ${active.get(key).runId} is running` });
      const slot = { controller: new AbortController(), runId: null, storeId: store.id };
      active.set(key, slot); // reserved before any await: a second start is refused
      try {
        const run = await repo.runs.insert({ storeId: store.id, connectionId: conn.id, platform: conn.platform, entity, origin, mode });
        slot.runId = run.id;
        slot.done = execute(conn, run, slot).finally(() => active.delete(key));
        hub.publish(store.id, 'run', { run: publicRun(run) });
        return publicRun(run);
      } catch (e) {
        active.delete(key);
        throw e;
      }
    },

    async cancel(store, runId) {
      const run = await repo.runs.get(store.id, runId);
      if (!run) throw new ApiError(404, 'not_found', 'Không tìm thấy lượt đồng bộ.', { detail: `run ${runId}` });
      const slot = active.get(`${run.connectionId}:${run.entity}`);
      if (slot?.runId === run.id) {
        slot.controller.abort();
        await slot.done;
      } else if (run.status === 'running' && run.origin === 'browser') {
        await repo.runs.update(store.id, run.id, { status: 'cancelled', endedAt: nowIso() });
      }
      return publicRun(await repo.runs.get(store.id, runId));
    },

    cancelConnection(connectionId) {
      for (const [key, slot] of active) if (key.startsWith(`${connectionId}:`)) slot.controller.abort();
      rateGates?.forget(connectionId);
    },

    async idle() {
      await Promise.all([...active.values()].map((s) => s.done));
    },

    /**
     * One scheduler pass: incremental runs for every active connection's synced entities; for
     * 'sweep' entities a full run once the last completed one is older than sweepIntervalMs
     * (their deletions are only learned that way, or from webhooks where the platform sends them).
     */
    async tick() {
      const started = [];
      for (const conn of await repo.connections.listByStatus(['active'])) {
        const info = platforms.get(conn.platform);
        if (!info || info.status !== 'available') continue;
        const cps = new Set((await repo.checkpoints.list(conn.id)).map((c) => c.entity));
        for (const entity of conn.settings?.entities ?? info.entities) {
          if (!cps.has(entity) || active.has(`${conn.id}:${entity}`)) continue;
          let mode = 'auto';
          if (sweepsOf(conn.platform, entity) && !runningCheckpoint(await repo.checkpoints.get(conn.id, entity))) {
            const last = await repo.runs.lastFull(conn.id, entity);
            if (!last || Date.now() - Date.parse(last.endedAt) >= sweepIntervalMs) mode = 'full';
          }
          try {
            started.push(await syncs.start({ id: conn.storeId }, conn.id, { entity, mode }, 'scheduler'));
          } catch (e) {
            log.warn({ connection: conn.id, entity, code: e.code }, 'scheduled sync not started');
          }
        }
      }
      return started;
    },
  };

  // --- sweeps: deletions of 'sweep' entities (platforms()[i].deletions) ------------------
  // A full sync of such an entity remembers every id it emits (sweep_seen, kept across
  // resumes); when it completes, sweepDeletions() tombstones the stored records it did not see
  // and nobody wrote since it started — or refuses, if that would empty an implausible share
  // of the shop (an outage answering empty lists). Tombstones keep the data, like disconnects.
  const sweepsOf = (platform, entity) => platforms.get(platform)?.deletions?.[entity] === 'sweep';
  const runningCheckpoint = (cp) => {
    try {
      return JSON.parse(cp)?.state === 'running';
    } catch {
      return false;
    }
  };
  /** A run starts: a fresh full sweep forgets the previous one's ids; a resumed one keeps them. */
  async function sweepBegins(conn, entity, checkpoint) {
    if (sweepsOf(conn.platform, entity) && !runningCheckpoint(checkpoint)) await repo.sweeps.begin(conn.id, entity);
  }
  async function sweepSeen(conn, entity, records) {
    if (!sweepsOf(conn.platform, entity)) return;
    await repo.sweeps.markSeen(conn.id, entity, records.filter((r) => !r.deleted && r.type === TYPE_OF_ENTITY[entity]).map((r) => r.externalId));
  }
  /** A run completed: after a full one, apply its proof of absence. → {removed, refused} | null */
  async function sweepCompletes(conn, entity, progress, startedAtMs) {
    if (!sweepsOf(conn.platform, entity) || progress?.mode !== 'full' || !Number.isFinite(startedAtMs)) return null;
    const type = TYPE_OF_ENTITY[entity];
    const { removedIds, refused } = sweepDeletions({
      stored: await repo.sweeps.stored(conn.storeId, conn.id, type),
      seen: await repo.sweeps.seen(conn.id, entity),
      startedAtMs,
    });
    await repo.sweeps.begin(conn.id, entity);
    if (refused) {
      log.warn({ connection: conn.id, entity, ...refused }, 'sweep refused: too many records would be removed');
      return { removed: 0, refused };
    }
    const at = new Date().toISOString();
    const tombstones = removedIds.map((externalId) => ({ type, platform: conn.platform, externalId, deleted: true, createdAt: null, updatedAt: at }));
    const res = tombstones.length ? await repo.records.upsert(conn.storeId, conn.id, tombstones) : { deleted: 0 };
    if (res.deleted) hub.publish(conn.storeId, 'records', { connectionId: conn.id, platform: conn.platform, type, applied: 0, deleted: res.deleted });
    return { removed: res.deleted, refused: null };
  }

  async function execute(conn, run, slot) {
    const storeId = conn.storeId;
    const counts = { received: 0, applied: 0, skipped: 0, deleted: 0 };
    let lastCheckpoint = null;
    let lastPublish = 0;
    let job;
    const { transport, state } = transportFor(async (request, { signal }) => {
      const fresh = (await repo.connections.getAnyStore(conn.id)) ?? conn; // tokens captured meanwhile
      return proxyFor(fresh, request, { signal });
    }, slot.controller);
    try {
      const checkpoint = run.mode === 'full' ? null : await repo.checkpoints.get(conn.id, run.entity);
      await sweepBegins(conn, run.entity, checkpoint);
      job = sl.createSync({ platform: conn.platform, entity: run.entity, settings: syncSettings(conn.settings), checkpoint, mode: run.mode });
      const result = await runSync(job, transport, {
        signal: slot.controller.signal,
        clock,
        onRecords: async (records, cp) => {
          // Records first, then the checkpoint: a crash in between re-reads a page, never skips one.
          const res = await repo.records.upsert(storeId, conn.id, records);
          for (const k of Object.keys(counts)) counts[k] += res[k];
          await sweepSeen(conn, run.entity, records);
          await repo.checkpoints.put(conn.id, run.entity, cp, run.id);
          lastCheckpoint = cp;
          const updated = await repo.runs.update(storeId, run.id, { counts, checkpoint: cp, progress: job.progress() });
          hub.publish(storeId, 'records', { connectionId: conn.id, platform: conn.platform, type: TYPE_OF_ENTITY[run.entity], applied: res.applied, deleted: res.deleted });
          hub.publish(storeId, 'run', { run: publicRun(updated) });
          lastPublish = Date.now();
        },
        onProgress: (p) => {
          if (Date.now() - lastPublish < 500) return;
          lastPublish = Date.now();
          hub.publish(storeId, 'run', { run: publicRun({ ...run, counts, progress: p, checkpoint: lastCheckpoint ?? run.checkpoint }) });
        },
      });
      await repo.checkpoints.put(conn.id, run.entity, result.checkpoint, run.id);
      const sweep = await sweepCompletes(conn, run.entity, result.progress, result.progress.startedAtMs);
      if (sweep) counts.swept = sweep.removed;
      const progress = sweep?.refused ? { ...result.progress, sweepRefused: sweep.refused } : result.progress;
      const done = await repo.runs.update(storeId, run.id, { status: 'succeeded', endedAt: nowIso(), counts, progress, checkpoint: result.checkpoint });
      hub.publish(storeId, 'run', { run: publicRun(done) });
      log.info({ run: run.id, connection: conn.id, entity: run.entity, ...counts }, 'sync run succeeded');
    } catch (e) {
      const fatal = state.fatal;
      const cancelled = !fatal && e instanceof SyncError && e.code === 'cancelled';
      const err = fatal ?? e;
      if (e?.checkpoint) await repo.checkpoints.put(conn.id, run.entity, e.checkpoint, run.id).catch(() => {});
      const done = await repo.runs.update(storeId, run.id, {
        status: cancelled ? 'cancelled' : 'failed',
        endedAt: nowIso(),
        counts,
        progress: e?.progress ?? (job ? job.progress() : null),
        error: cancelled ? null : errorInfo(err),
        checkpoint: e?.checkpoint ?? lastCheckpoint,
      });
      hub.publish(storeId, 'run', { run: publicRun(done) });
      if (!cancelled && CREDENTIAL_ERRORS.has(err.code) && !(err instanceof ProxyError) && !(err instanceof ApiError)) {
        const fresh = await repo.connections.getAnyStore(conn.id);
        if (fresh && fresh.status !== 'disconnected') await markAttention(fresh, err);
      }
      log[cancelled ? 'info' : 'warn']({ run: run.id, connection: conn.id, entity: run.entity, code: err.code, detail: err.detail ?? null }, cancelled ? 'sync run cancelled' : 'sync run failed');
    } finally {
      job?.dispose();
    }
  }

  // --- browser runs (the dashboard's own worker) -----------------------------------------
  const browserRuns = {
    async create(store, body) {
      const { connectionId, entity, mode = 'auto' } = body ?? {};
      const conn = await connections.get(store, connectionId);
      const info = platformOf(conn.platform);
      if (!info.entities.includes(entity)) throw new ApiError(400, 'invalid_input', 'Loại dữ liệu không hợp lệ cho nền tảng này.', { field: 'entity' });
      if (!['auto', 'full', 'incremental'].includes(mode)) throw new ApiError(400, 'invalid_input', 'Chế độ đồng bộ không hợp lệ.', { field: 'mode' });
      if (!['active', 'waiting_webhook'].includes(conn.status)) throw new ApiError(409, 'conflict', 'Liên kết chưa hoạt động, không thể đồng bộ.', { detail: `connection is ${conn.status}` });
      if (active.has(`${conn.id}:${entity}`)) throw new ApiError(409, 'conflict', 'Máy chủ đang đồng bộ dữ liệu này.', { detail: `run ${active.get(`${conn.id}:${entity}`).runId} is running` });
      const run = await repo.runs.insert({ storeId: store.id, connectionId: conn.id, platform: conn.platform, entity, origin: 'browser', mode });
      hub.publish(store.id, 'run', { run: publicRun(run) });
      const checkpoint = mode === 'full' ? null : await repo.checkpoints.get(conn.id, entity);
      await sweepBegins(conn, entity, checkpoint);
      return { run: publicRun(run), checkpoint, settings: syncSettings(conn.settings) };
    },
    async update(store, id, body) {
      const run = await repo.runs.get(store.id, id);
      if (!run) throw new ApiError(404, 'not_found', 'Không tìm thấy lượt đồng bộ.', { detail: `run ${id}` });
      if (run.origin !== 'browser') throw new ApiError(409, 'conflict', 'Lượt đồng bộ này do máy chủ chạy.', { detail: 'server run' });
      if (run.status !== 'running') throw new ApiError(409, 'conflict', 'Lượt đồng bộ đã kết thúc.', { detail: `run is ${run.status}` });
      const patch = {};
      const b = body ?? {};
      for (const k of Object.keys(b)) if (!['status', 'progress', 'error', 'checkpoint'].includes(k)) throw new ApiError(400, 'invalid_input', 'Trường không hợp lệ.', { field: k });
      if (b.status !== undefined) {
        if (!['running', 'succeeded', 'failed', 'cancelled'].includes(b.status)) throw new ApiError(400, 'invalid_input', 'Trạng thái không hợp lệ.', { field: 'status' });
        patch.status = b.status;
        if (b.status !== 'running') patch.endedAt = nowIso();
      }
      if (b.progress !== undefined) patch.progress = b.progress;
      if (b.error !== undefined) patch.error = b.error;
      if (b.checkpoint !== undefined) {
        if (typeof b.checkpoint !== 'string') throw new ApiError(400, 'invalid_input', 'Checkpoint không hợp lệ.', { field: 'checkpoint' });
        patch.checkpoint = b.checkpoint;
        await repo.checkpoints.put(run.connectionId, run.entity, b.checkpoint, run.id);
      }
      if (b.status === 'succeeded' && b.progress && typeof b.progress === 'object') {
        const conn = await repo.connections.get(store.id, run.connectionId);
        // The earlier of the page's clock and the server's: a browser clock running ahead must
        // not leave records written at the start of the sweep unprotected.
        const startedAtMs = Math.min(Number(b.progress.startedAtMs ?? Infinity), Date.parse(run.startedAt));
        const sweep = conn ? await sweepCompletes(conn, run.entity, b.progress, startedAtMs) : null;
        if (sweep) {
          patch.counts = { ...run.counts, swept: sweep.removed };
          if (sweep.refused) patch.progress = { ...b.progress, sweepRefused: sweep.refused };
        }
      }
      const updated = await repo.runs.update(store.id, id, patch);
      hub.publish(store.id, 'run', { run: publicRun(updated) });
      if (b.status && b.status !== 'running' && CREDENTIAL_ERRORS.has(b.error?.code)) {
        const conn = await repo.connections.get(store.id, run.connectionId);
        if (conn && conn.status !== 'disconnected') await markAttention(conn, b.error);
      }
      return publicRun(updated);
    },
  };

  // --- records from a browser sync --------------------------------------------------------
  async function ingestRecords(store, body) {
    const { connectionId, records, entity, checkpoint, runId } = body ?? {};
    const conn = await connections.get(store, connectionId);
    if (!Array.isArray(records)) throw new ApiError(400, 'invalid_input', 'records phải là một mảng.', { field: 'records' });
    if (records.length > 5000) throw new ApiError(413, 'payload_too_large', 'Quá nhiều bản ghi trong một lần gửi (tối đa 5000).', { field: 'records' });
    records.forEach((r, i) => {
      const bad = (detail) => new ApiError(400, 'invalid_input', 'Bản ghi không hợp lệ.', { field: `records[${i}]`, detail });
      if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad('not an object');
      if (!ENTITY_OF_TYPE[r.type]) throw bad(`type must be product, order, customer or location`);
      if (r.platform !== conn.platform) throw bad(`platform must be ${conn.platform}`);
      if (typeof r.externalId !== 'string' || !r.externalId) throw bad('externalId must be a non-empty string');
      if (r.updatedAt != null && (typeof r.updatedAt !== 'string' || !Number.isFinite(Date.parse(r.updatedAt)))) throw bad('updatedAt must be an ISO time or null');
    });
    if (checkpoint !== undefined && (typeof checkpoint !== 'string' || !ENTITIES.includes(entity))) {
      throw new ApiError(400, 'invalid_input', 'Checkpoint cần kèm loại dữ liệu (entity).', { field: 'entity' });
    }
    const res = await repo.records.upsert(store.id, conn.id, records);
    const run = runId ? await repo.runs.get(store.id, runId) : null;
    if (run && run.connectionId === conn.id && run.status === 'running') await sweepSeen(conn, run.entity, records);
    if (checkpoint !== undefined) await repo.checkpoints.put(conn.id, entity, checkpoint, runId ?? null);
    if (runId) {
      if (run && run.origin === 'browser' && run.status === 'running') {
        const counts = { ...run.counts };
        for (const k of Object.keys(counts)) counts[k] += res[k] ?? 0;
        const updated = await repo.runs.update(store.id, runId, checkpoint !== undefined ? { counts, checkpoint } : { counts });
        hub.publish(store.id, 'run', { run: publicRun(updated) });
      }
    }
    const types = new Set(records.map((r) => r.type));
    for (const type of types) hub.publish(store.id, 'records', { connectionId: conn.id, platform: conn.platform, type, applied: res.applied, deleted: res.deleted });
    return res;
  }

  // --- webhooks ---------------------------------------------------------------------------
  const KEEP_HEADERS = /^(content-type|user-agent|x-store-id|x-haravan-topic|x-haravan-org-id|x-haravan-test|x-sapo-topic|x-webhook-event|x-webhook-delivery|x-request-id|x-storelink-topic)$/;

  /**
   * Intake of one delivery: find the connection, verify, store durably. Returns
   * {ok, eventId, duplicate, event} or throws ApiError (400/401/404/413) — the route turns a
   * KiotViet refusal into 200 + a recorded rejection.
   */
  async function receiveWebhook(platformId, { headers: received, body, query }) {
    // The topic a registration put in its own URL (KiotViet delete Types, whose documented body
    // is a bare {"RemoveId":[...]}) reaches the module as x-storelink-topic; never from outside.
    const headers = Object.fromEntries(Object.entries(received ?? {}).filter(([k]) => !k.startsWith('x-storelink-')));
    if (typeof query?.topic === 'string' && query.topic.length < 64) headers['x-storelink-topic'] = query.topic;
    const info = platforms.get(platformId);
    if (!info || !info.webhooks) throw new ApiError(404, 'not_found', 'Nền tảng không gửi webhook tới StoreLink.', { detail: `${platformId} sends no webhooks (yet)` });
    const text = body.toString('utf8');
    // What it is about, before knowing whose it is (no secret yet).
    let pre;
    try {
      pre = sl.inspectWebhook(platformId, headers, text, '');
    } catch (e) {
      if (e.code === 'unsupported') throw new ApiError(404, 'not_found', e.message, { detail: e.detail });
      throw new ApiError(400, e.code === 'forbidden' ? 'invalid_input' : e.code ?? 'invalid_input', e.message, { detail: e.detail });
    }
    const storeKey = pre.storeKey || (platformId === 'pancake' ? headers['x-store-id'] : null) || null;
    let candidates = [];
    if (query?.connection) {
      const c = await repo.connections.getAnyStore(String(query.connection));
      if (c && c.platform === platformId) candidates = [c];
    } else if (storeKey) {
      candidates = await repo.connections.byStoreKey(platformId, storeKey);
    }
    candidates = candidates.filter((c) => c.status !== 'disconnected' && c.secretsEnc);
    if (!candidates.length) {
      throw new ApiError(404, 'unknown_store', 'Không tìm thấy cửa hàng cho webhook này.', { detail: `no connected ${platformId} shop for ${query?.connection ? `connection ${query.connection}` : `store key ${storeKey ?? '(none)'}`}` });
    }
    let conn = null;
    let event = null;
    let lastErr = null;
    let key = '';
    for (const c of candidates) {
      try {
        const secrets = secretsOf(c);
        key = secrets.webhookSecret ?? secrets[WEBHOOK_KEY_OF[platformId]] ?? '';
        event = sl.inspectWebhook(platformId, headers, text, key);
        conn = c;
        break;
      } catch (e) {
        lastErr = e;
      }
    }
    if (!conn) {
      const e = new ApiError(401, lastErr?.code === 'forbidden' ? 'forbidden' : lastErr?.code ?? 'forbidden', lastErr?.message ?? 'Chữ ký webhook không hợp lệ.', { detail: lastErr?.detail });
      e.connection = candidates[0];
      throw e;
    }
    const dedupeKey = event.eventId ? `id:${event.eventId}` : `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const keptHeaders = Object.fromEntries(Object.entries(headers).filter(([k]) => KEEP_HEADERS.test(k)));
    const id = await repo.events.insert({
      storeId: conn.storeId, connectionId: conn.id, platform: platformId, dedupeKey, eventId: event.eventId || null, topic: event.topic || null,
      entity: event.entity, deletion: event.deletion, signatureChecked: event.signatureChecked, status: 'received', headers: keptHeaders,
      // Getfly's secret_key and Nhanh.vn v2's webhooksVerifyToken travel in the body itself: the
      // stored copy (shown by GET /api/events/:id) has the secret redacted.
      body: redactSecrets(text, [key]),
    });
    if (!id) return { ok: true, eventId: event.eventId || null, duplicate: true };
    const patch = { lastWebhookAt: nowIso() };
    if (!conn.storeKey && event.storeKey) patch.storeKey = event.storeKey;
    if (conn.status === 'waiting_webhook') patch.status = 'active';
    const updated = await repo.connections.update(conn.storeId, conn.id, patch);
    if (patch.status) await announce(updated);
    const row = await repo.events.getRaw(id);
    hub.publish(conn.storeId, 'webhook', { event: repo.events.row(row) });
    return { ok: true, eventId: event.eventId || null, duplicate: false, id };
  }

  /** Records a refused delivery (KiotViet gets 200 for it; others see it in the events list). */
  async function recordRejection(platformId, { headers, body, error, connection }) {
    const keptHeaders = Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => KEEP_HEADERS.test(k)));
    const id = await repo.events.insert({
      storeId: connection?.storeId ?? null, connectionId: connection?.id ?? null, platform: platformId, dedupeKey: null,
      status: 'rejected', error: errorInfo(error), headers: keptHeaders, body: body ? body.toString('utf8').slice(0, 65536) : '',
      deletion: false, signatureChecked: false,
    });
    log.warn({ platform: platformId, code: error.code, connection: connection?.id ?? null }, 'webhook rejected');
    if (connection) hub.publish(connection.storeId, 'webhook', { event: repo.events.row(await repo.events.getRaw(id)) });
    return id;
  }

  /** Normalizes and upserts one stored event (after the 2xx, and again after a crash). */
  async function processEvent(id) {
    const row = await repo.events.getRaw(id);
    if (!row || row.status !== 'received') return;
    let status = 'processed';
    let error = null;
    let applied = 0;
    try {
      if (!row.entity && UNINSTALL_TOPICS.has(row.topic)) {
        // The shop removed StoreLink's app on the platform: its token is dead. Say so on the
        // connection instead of letting the next sync fail on it.
        const conn = await repo.connections.getAnyStore(row.connection_id);
        if (conn && !['disconnected', 'needs_attention'].includes(conn.status)) {
          await markAttention(conn, { code: 'invalid_credentials', message: 'Ứng dụng StoreLink đã bị gỡ trên nền tảng. Hãy kết nối lại để tiếp tục đồng bộ.', detail: `webhook ${row.topic}` });
        }
      }
      if (row.entity) {
        // The connection's settings shape its records as they shape its syncs (Nhanh.vn tax
        // sync, KiotViet invoices as orders).
        const conn = row.connection_id ? await repo.connections.getAnyStore(row.connection_id) : null;
        const out = sl.normalize(row.platform, row.entity, row.body, { settings: syncSettings(conn?.settings) });
        const type = TYPE_OF_ENTITY[row.entity];
        // A delete delivery (its topic says so: row.deletion) names what is gone; whatever else
        // its body carries is no live record (Sapo/Haravan send "at least {id}", sapo.md).
        const records = row.deletion
          ? out.records.map((r) => ({ type: r.type, platform: r.platform, externalId: r.externalId, deleted: true, createdAt: null, updatedAt: null }))
          : [...out.records];
        const have = new Set(records.map((r) => `${r.type}:${r.externalId}`));
        for (const extId of out.removedIds ?? []) {
          if (!have.has(`${type}:${extId}`)) records.push({ type, platform: row.platform, externalId: String(extId), deleted: true, createdAt: null, updatedAt: null });
        }
        if (out.errors?.length && !records.length) {
          status = 'failed';
          error = out.errors[0];
        }
        // A delivery carrying only part of a record (KiotViet stock.update, Nhanh.vn
        // inventoryChange: stock rows) makes no record: the module names the reads that give
        // the whole records again, sent through the proxy like a sync's pages.
        if (!records.length && !error && conn && conn.status !== 'disconnected' && conn.secretsEnc) {
          const fresh = await refreshFromWebhook(conn, row);
          if (fresh.error) {
            status = 'failed';
            error = fresh.error;
          }
          records.push(...fresh.records);
        }
        if (records.length) {
          const res = await repo.records.upsert(row.store_id, row.connection_id, records);
          applied = res.applied;
          hub.publish(row.store_id, 'records', { connectionId: row.connection_id, platform: row.platform, type, applied: res.applied, deleted: res.deleted });
        }
      }
    } catch (e) {
      status = 'failed';
      error = errorInfo(e);
    }
    await repo.events.finish(id, { status, error, applied });
    hub.publish(row.store_id, 'webhook', { event: repo.events.row(await repo.events.getRaw(id)) });
  }

  /**
   * The reads a partial delivery asks for (connect step "webhookRefresh"), sent and normalized:
   * → { records, error }. A product gone meanwhile (404) is skipped: its delete event says so.
   */
  async function refreshFromWebhook(conn, row) {
    let plan;
    try {
      plan = sl.connect(conn.platform, 'webhookRefresh', { body: row.body, topic: row.topic ?? '', settings: syncSettings(conn.settings) });
    } catch (e) {
      if (e instanceof SyncError && e.code === 'unsupported') return { records: [], error: null };
      throw e;
    }
    const records = [];
    const hook = { conn };
    for (const request of plan.requests ?? []) {
      const res = await sendHook(hook, request);
      if (res.status === 404) continue;
      const text = typeof res.body === 'string' ? res.body : Buffer.from(res.body ?? '').toString('utf8');
      if (res.status < 200 || res.status >= 300) {
        return { records, error: { code: res.status === 429 ? 'rate_limited' : 'platform_error', message: `Không đọc lại được dữ liệu từ ${platforms.get(conn.platform)?.displayName ?? conn.platform} (HTTP ${res.status}); lần đồng bộ theo lịch sẽ cập nhật.`, detail: `webhook refresh: HTTP ${res.status}` } };
      }
      const out = sl.normalize(conn.platform, plan.entity ?? row.entity, text, { settings: syncSettings(conn.settings) });
      records.push(...out.records);
    }
    return { records, error: null };
  }

  /** Crash recovery: events stored but never processed. */
  async function processPending() {
    const pending = await repo.events.pending();
    for (const row of pending) await processEvent(row.id);
    return pending.length;
  }

  // --- OAuth (Nhanh.vn): consent page → returnLink?accessCode → getaccesstoken -------------
  // The platform sends back only `accessCode` (nhanh.md B.2.2), so the grant in progress is
  // tied to the browser by an HttpOnly cookie holding a random state (SameSite=Lax: it comes
  // back on the top-level return navigation, never on a cross-site subrequest). Pending
  // grants live in memory for the code's 10 minutes: a restart only means "try again".
  const OAUTH_TTL_MS = 10 * 60_000;
  const pendingGrants = new Map(); // state → { storeId, connectionId, expiresMs }

  /** StoreLink's own app credentials on the platform: server configuration, else the sandbox's. */
  // verifyToken: the app's "webhooks verify token" (nhanh.md B.2.1), which Nhanh.vn sends in the
  // Authorization header of every webhook: it becomes the connection's webhook secret.
  function appCredentialsOf(platform) {
    const configured = appCredentials[platform];
    if (configured?.appId && configured?.secretKey) {
      return { appId: String(configured.appId), secretKey: String(configured.secretKey), verifyToken: configured.verifyToken ? String(configured.verifyToken) : null };
    }
    const env = sandboxes[platform];
    if (env?.secrets?.appId && env?.secrets?.secretKey) {
      return { appId: env.secrets.appId, secretKey: env.secrets.secretKey, verifyToken: env.sim?.info?.().verifyToken ?? null };
    }
    return null;
  }

  const oauth = {
    cookieName: 'sl_oauth_state',
    ttlMs: OAUTH_TTL_MS,

    /** → { url, state }: where to send the browser, and the state for its cookie. */
    async start(store, connectionId, returnLink) {
      const conn = await connections.get(store, connectionId);
      if (!OAUTH_PLATFORMS.has(conn.platform)) {
        throw new ApiError(400, 'invalid_input', 'Nền tảng này không kết nối qua trang cấp quyền.', { detail: `${conn.platform} has no oauth flow` });
      }
      if (conn.status === 'disconnected') throw new ApiError(409, 'conflict', 'Liên kết đã bị ngắt. Hãy kết nối lại.', { detail: 'disconnected' });
      const app = appCredentialsOf(conn.platform);
      if (!app) {
        throw new ApiError(503, 'not_configured', 'Máy chủ chưa cấu hình ứng dụng StoreLink trên Nhanh.vn (App ID, Secret key).', { detail: 'set STORELINK_NHANH_APP_ID and STORELINK_NHANH_SECRET_KEY' });
      }
      const now = Date.now();
      for (const [k, g] of pendingGrants) if (g.expiresMs < now) pendingGrants.delete(k);
      const state = randomBytes(24).toString('base64url');
      pendingGrants.set(state, { storeId: store.id, connectionId: conn.id, expiresMs: now + OAUTH_TTL_MS });
      let { url } = sl.connect(conn.platform, 'consentUrl', { appId: app.appId, returnLink });
      // Sandbox: the consent page is the simulator's.
      if (sandboxes[conn.platform]) url = mapHost(url, sandboxes[conn.platform].hostMap);
      log.info({ connection: conn.id, platform: conn.platform }, 'oauth started');
      return { url, state };
    },

    /**
     * The platform's return: exchanges the code, verifies the token with a real call, activates
     * the connection. → { platform, connectionId, ok, message }. Never throws: the browser is
     * redirected to the dashboard with the outcome either way.
     */
    async complete(state, query) {
      const grant = state ? pendingGrants.get(state) : null;
      if (state) pendingGrants.delete(state); // single use
      if (!grant || grant.expiresMs < Date.now()) {
        return { platform: 'nhanh', ok: false, code: 'oauth_state', message: 'Phiên cấp quyền đã hết hạn hoặc không khớp trình duyệt này. Vui lòng bấm kết nối lại.' };
      }
      const conn = await repo.connections.get(grant.storeId, grant.connectionId);
      const platform = conn?.platform ?? 'nhanh';
      const fail = async (e) => {
        const message = e?.message ?? 'Không hoàn tất được việc cấp quyền.';
        log.info({ connection: grant.connectionId, code: e?.code }, 'oauth failed');
        if (conn && conn.status !== 'disconnected' && conn.status !== 'pending' && CREDENTIAL_ERRORS.has(e?.code)) await markAttention(conn, e);
        return { platform, connectionId: grant.connectionId, ok: false, code: e?.code ?? 'oauth_failed', message };
      };
      if (!conn || conn.status === 'disconnected') return fail({ code: 'not_found', message: 'Liên kết không còn tồn tại hoặc đã bị ngắt.' });
      const accessCode = typeof query?.accessCode === 'string' ? query.accessCode.trim() : '';
      if (!accessCode) return fail({ code: 'oauth_denied', message: 'Nhanh.vn không trả về mã cấp quyền (bạn đã từ chối hoặc đóng trang cấp quyền).' });
      const info = platformOf(conn.platform);
      const app = appCredentialsOf(conn.platform);
      if (!app) return fail({ code: 'not_configured', message: 'Máy chủ chưa cấu hình ứng dụng StoreLink trên Nhanh.vn.' });
      try {
        // 1. Exchange: the proxy fills the app secret and keeps the token it returns.
        const kept = {};
        const { request } = sl.connect(conn.platform, 'tokenRequest', { accessCode, appId: app.appId });
        const res = await proxy.forward({ platform: info, account: conn.account, secrets: { appId: app.appId, secretKey: app.secretKey }, request, onCapture: (c) => Object.assign(kept, c) });
        const grantInfo = sl.connect(conn.platform, 'tokenResult', { body: res.body, status: res.status });
        if (!kept.accessToken) throw new ApiError(502, 'unexpected_shape', 'Nhanh.vn không trả về access token.', { detail: 'no accessToken in the exchange response' });
        const { verifyToken, ...appSecrets } = app;
        const creds = { ...secretsOf(conn), ...appSecrets, accessToken: kept.accessToken, businessId: String(grantInfo.businessId) };
        if (verifyToken) creds.webhookSecret = verifyToken;
        // Non-secret facts of the grant, shown with the connection: which business, which depots
        // (empty = all), and when the one-year token runs out (no refresh: nhanh.md B.2.3).
        const account = {
          ...conn.account,
          businessId: String(grantInfo.businessId),
          depotIds: grantInfo.allDepots ? 'all' : (grantInfo.depotIds ?? []).join(','),
          tokenExpiresAt: grantInfo.expiresAtMs ? new Date(grantInfo.expiresAtMs).toISOString() : null,
        };
        // 2. A real call with the new token (depots), like every other connection's check.
        const v = await verify(info, account, creds, conn.settings);
        const updated = await repo.connections.update(conn.storeId, conn.id, {
          status: 'active', statusError: null, account, secretsEnc: vault.seal({ ...creds, ...v.captured }, conn.id),
          secretsSet: secretNames(info, creds), storeKey: String(grantInfo.businessId),
        });
        await saveLocations(conn.storeId, updated, v.locations);
        await announce(updated);
        log.info({ connection: conn.id, platform }, 'oauth completed');
        return { platform, connectionId: conn.id, ok: true, message: null };
      } catch (e) {
        if (e instanceof SyncError || e instanceof ApiError || e instanceof ProxyError) return fail(e);
        throw e;
      }
    },
  };

  return {
    platforms: platformList,
    oauth,
    platformOf,
    connections,
    syncs,
    browserRuns,
    ingestRecords,
    proxyFor,
    receiveWebhook,
    recordRejection,
    processEvent,
    processPending,
    publicRun,
    secretsOf,
    sandboxes,
  };
}
