// The typed JS surface over the Embind module. Every call into wasm passes and returns JSON
// text, parsed once here. Loaders (node.js, browser.js) supply the instantiated module.
import { SyncError, internalError } from './errors.js';

const ENTITIES = new Set(['products', 'orders', 'customers', 'locations']);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes) {
  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts a body's UTF-8 bytes into the module's input buffer without an intermediate copy:
 * TextEncoder.encodeInto straight into wasm memory (strings), Uint8Array.set (bytes).
 * → the byte length.
 */
function writeInput(m, body) {
  if (typeof body !== 'string') {
    const bytes = body instanceof Uint8Array ? body : new Uint8Array(body.buffer ?? body, body.byteOffset ?? 0, body.byteLength);
    m.inputBuffer(bytes.length).set(bytes);
    return bytes.length;
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit; start near the length (JSON is mostly
  // ASCII) and grow only if the text does not fit.
  let capacity = body.length + (body.length >> 3) + 16;
  let { read, written } = encoder.encodeInto(body, m.inputBuffer(capacity));
  while (read < body.length) {
    capacity = written + (body.length - read) * 3 + 16;
    const more = encoder.encodeInto(body.slice(read), m.inputBuffer(capacity).subarray(written));
    read += more.read;
    written += more.written;
  }
  return written;
}

export class StoreLink {
  #m;
  #broken = null;

  constructor(module) {
    this.#m = module;
  }

  /** Calls into wasm; a trap (a bug) poisons the instance rather than returning garbage. */
  #call(fn) {
    if (this.#broken) throw internalError(this.#broken);
    try {
      return fn(this.#m);
    } catch (e) {
      if (e instanceof SyncError) throw e;
      this.#broken = e;
      throw internalError(e);
    }
  }

  version() {
    return this.#call((m) => m.version());
  }

  /** What the wasm module holds: {heapBytes (linear memory, never shrinks), usedBytes (malloc'd now)}. */
  memory() {
    return JSON.parse(this.#call((m) => m.memory()));
  }

  /** Every platform the product lists, with its credential fields, settings and status. */
  platforms() {
    return JSON.parse(this.#call((m) => m.platforms()));
  }

  /**
   * Normalizes one list-endpoint response (or one webhook body) into unified records.
   * options: {raw?, settings?} (the connection's settings, e.g. Nhanh.vn {taxSync: true}).
   * Never throws for bad bodies: they come back as typed `errors`.
   */
  normalize(platform, entity, body, options = {}) {
    const args = [String(platform), String(entity)];
    // Default options travel as '' (the core then skips parsing them).
    const plain = options === undefined || options === null || (typeof options === 'object' && !Array.isArray(options) && Object.keys(options).length === 0);
    const opts = plain ? '' : JSON.stringify(options);
    // Strings with lone surrogates keep their historical reading (invalid JSON) through the
    // string boundary: encodeInto would silently turn them into U+FFFD.
    const legacy = (text) => JSON.parse(this.#call((m) => m.normalize(...args, text, opts)));
    let out;
    if (typeof body === 'string' && typeof body.isWellFormed === 'function' && !body.isWellFormed()) {
      out = legacy(body);
    } else {
      out = JSON.parse(
        this.#call((m) => {
          const n = writeInput(m, body);
          m.normalizeInput(...args, n, opts);
          return decoder.decode(m.outputView()); // ASCII bytes: non-ASCII arrives as \u escapes
        }),
      );
      // Bytes that are not UTF-8 were always decoded with U+FFFD replacement first.
      if (typeof body !== 'string' && out.errors?.[0]?.code === 'invalid_json' && !isUtf8(body)) {
        out = legacy(decoder.decode(body));
      }
    }
    if (out.error) return { records: [], errors: [out.error], total: null, removedIds: [] };
    return out;
  }

  /** A sans-I/O sync job; run it with runSync(job, transport). */
  createSync({ platform, entity, settings = {}, checkpoint = null, mode = 'auto', raw = false, seed, maxPages } = {}) {
    if (!ENTITIES.has(entity)) {
      throw new SyncError({ code: 'invalid_input', message: 'Loại dữ liệu không hợp lệ.', detail: `unknown entity: ${entity}`, field: 'entity' });
    }
    const handle = this.#call((m) => new m.Job());
    const err = this.#call(() =>
      handle.init(JSON.stringify({ platform, entity, settings, checkpoint: checkpoint ?? '', mode, raw, seed, maxPages })),
    );
    if (err) {
      handle.delete();
      throw new SyncError(JSON.parse(err).error);
    }
    return new SyncJob(handle, (fn) => this.#call(fn), { platform, entity });
  }

  /** Fills {{secret.*}} placeholders (server side only: the proxy and headless Node). */
  fillSecrets(request, secrets) {
    const out = JSON.parse(this.#call((m) => m.fillSecrets(JSON.stringify(request), JSON.stringify(secrets))));
    if (out.error) throw new SyncError(out.error);
    return out.request;
  }

  /** Applies a request's keepSecrets to a response body: { body (redacted), captured }. */
  keepSecrets(request, body) {
    return JSON.parse(this.#call((m) => m.keepSecrets(JSON.stringify(request), body)));
  }

  /**
   * Verifies a webhook delivery's signature (secret = the connection's webhook secret, '' if
   * none) and says what it is about: {topic, entity, deletion, eventId, storeKey, signatureChecked}.
   * A bad signature throws SyncError code 'forbidden'.
   */
  inspectWebhook(platform, headers, body, secret = '') {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    const out = JSON.parse(this.#call((m) => m.inspectWebhook(String(platform), JSON.stringify(headers ?? {}), text, String(secret ?? ''))));
    if (out.error) throw new SyncError(out.error);
    return out.event;
  }

  /**
   * Checks and normalizes what the user typed in a platform's connect form, as they type:
   * returns { values, errors }. `values` holds the normalized values to store (e.g. a Sapo
   * "https://ten.mysapo.net/admin" becomes "ten"); `errors` are SyncError-shaped objects with
   * `field` set to the credential key at fault. Blank fields are reported as errors too.
   */
  checkCredentials(platform, values = {}) {
    const out = JSON.parse(this.#call((m) => m.checkCredentials(String(platform), JSON.stringify(values ?? {}))));
    if (out.error) throw new SyncError(out.error);
    return out;
  }

  /**
   * One step of a platform's connect flow, as data (the server does the I/O through its proxy):
   * nhanh: consentUrl {appId, returnLink} → {url}; tokenRequest {accessCode, appId?} → {request};
   * tokenResult {body} → {businessId, depotIds, allDepots, expiredAt, expiresAtMs, permissions,
   * version, accessTokenKept}; checkTokenRequest {} → {request}; productsRequest {ids | body}
   * → {requests} (re-read products named by an inventoryChange webhook).
   * pancake: shopsRequest {} → {request}; shopsResult {body, status} → {shops}; webhookSettings
   * {baseUrl, shopId, secret?} → {url, headers, data}; productRequest {id | body} → {request}
   * (the whole product behind a variation webhook). Errors throw SyncError (Vietnamese message).
   */
  connect(platform, step, input = {}) {
    const out = JSON.parse(this.#call((m) => m.connect(String(platform), String(step), JSON.stringify(input ?? {}))));
    if (out && out.error) throw new SyncError(out.error);
    return out;
  }

  /** The full URL of a request descriptor, query string encoded. */
  buildUrl(request) {
    const out = JSON.parse(this.#call((m) => m.buildUrl(JSON.stringify(request))));
    if (out.error) throw new SyncError(out.error);
    return out.url;
  }
}

const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((h) => h.delete()) : null;

export class SyncJob {
  #h;
  #call;

  constructor(handle, call, { platform, entity }) {
    this.#h = handle;
    this.#call = call;
    this.platform = platform;
    this.entity = entity;
    finalizer?.register(this, handle, this);
  }

  #live() {
    if (!this.#h) throw new SyncError({ code: 'invalid_input', message: 'Job đã được giải phóng.', detail: 'job disposed' });
    return this.#h;
  }

  /** The next step at time nowMs: {kind:'request', id, request} | {kind:'wait', waitMs, reason} | {kind:'done'} | {kind:'failed', error}. */
  next(nowMs) {
    const h = this.#live();
    return JSON.parse(this.#call(() => h.next(nowMs)));
  }

  /** Feeds the response of request `id`. response: {status, headers, body, error?}. */
  receive(id, response, nowMs) {
    const h = this.#live();
    const meta = JSON.stringify({ status: response.status ?? 0, headers: response.headers ?? {}, error: response.error ?? undefined });
    return this.#call(() => h.receive(id, meta, response.body ?? '', nowMs));
  }

  /** Records produced since the last call (persist them before saving the checkpoint). */
  takeRecords() {
    const h = this.#live();
    return JSON.parse(this.#call(() => h.takeRecords()));
  }

  progress() {
    const h = this.#live();
    return JSON.parse(this.#call(() => h.progress()));
  }

  /** Opaque text: resumes this job after a crash, or seeds the next incremental run. */
  checkpoint() {
    const h = this.#live();
    return this.#call(() => h.checkpoint());
  }

  cancel() {
    if (this.#h) this.#call(() => this.#h.cancel());
  }

  dispose() {
    if (!this.#h) return;
    finalizer?.unregister(this);
    this.#h.delete();
    this.#h = null;
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}
