// The typed JS surface over the Embind module. Every call into wasm passes and returns JSON
// text, parsed once here. Loaders (node.js, browser.js) supply the instantiated module.
import { SyncError, internalError } from './errors.js';
import { localizePlatforms, resolveLang } from './i18n/index.js';

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

// --- records from columns (api::normalizeRecords, RecordStream in record.hpp) -----------
// The same objects, keys in the same order, as JSON.parse of the record writer's text, built
// directly: strings are slices of two texts decoded once per call (ASCII bytes, UTF-16 units),
// numbers come from a Float64Array (NaN is null). The layout mirrors record.cpp's stream
// writer field by field; tests/js/normalize-boundary.test.js checks both against each other.
// ignoreBOM: a string may well start with U+FEFF. The units never hold a lone surrogate.
const wideDecoder = new TextDecoder('utf-16le', { ignoreBOM: true });
let W = null; // words
let F = null; // numbers
let A = ''; // the ASCII strings
let U = ''; // the other strings
let w = 0;
let f = 0;

function s() {
  const a = W[w++];
  if (a === 0) return null;
  const len = W[w++];
  const start = (a - 1) >>> 1;
  return (a & 1) === 1 ? A.substring(start, start + len) : U.substring(start, start + len);
}
const n = () => {
  const v = F[f++];
  return v === v ? v : null;
};
const b = () => {
  const v = W[w++];
  return v === 0 ? null : v === 2;
};
function strs() {
  const out = [];
  for (let k = W[w++]; k > 0; k--) out.push(s());
  return out;
}
function optionsObject() {
  const o = {};
  for (let k = W[w++]; k > 0; k--) {
    const key = s();
    const value = s();
    // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
    else o[key] = value;
  }
  return o;
}
function stock() {
  const out = [];
  for (let k = W[w++]; k > 0; k--) out.push({ locationId: s(), onHand: n(), available: n() });
  return out;
}
function variants() {
  const out = [];
  for (let k = W[w++]; k > 0; k--) {
    out.push({ externalId: s(), sku: s(), barcode: s(), name: s(), options: optionsObject(), price: n(), compareAtPrice: n(), cost: n(), weightGrams: n(), stock: stock(), totalStock: n() });
  }
  return out;
}
function lines() {
  const out = [];
  for (let k = W[w++]; k > 0; k--) {
    out.push({ productExternalId: s(), variantExternalId: s(), sku: s(), name: s(), quantity: n(), unitPrice: n(), discount: n(), total: n() });
  }
  return out;
}
const address = () => (W[w++] === 0 ? null : { name: s(), phone: s(), address: s(), ward: s(), district: s(), province: s(), country: s() });
const orderCustomer = () => (W[w++] === 0 ? null : { externalId: s(), name: s(), phone: s(), email: s() });

function record() {
  const kind = W[w++];
  const type = s();
  const platform = s();
  const externalId = s();
  const createdAt = s();
  const updatedAt = s();
  const deleted = b();
  let r;
  switch (kind) {
    case 1:
      r = { type, platform, externalId, createdAt, updatedAt, deleted, name: s(), sku: s(), barcode: s(), description: s(), category: s(), brand: s(), active: b(), images: strs(), taxRate: n(), parentExternalId: s(), variants: variants(), totalStock: n() };
      break;
    case 2:
      r = { type, platform, externalId, createdAt, updatedAt, deleted, code: s(), status: s(), platformStatus: s(), paymentStatus: s(), customer: orderCustomer(), lines: lines(), subtotal: n(), discount: n(), shippingFee: n(), tax: n(), total: n(), currency: s(), shippingAddress: address(), locationId: s(), note: s() };
      break;
    case 3:
      r = { type, platform, externalId, createdAt, updatedAt, deleted, name: s(), phone: s(), email: s(), gender: s(), birthday: s(), address: address(), totalSpent: n(), orderCount: n(), groups: strs() };
      break;
    case 4:
      r = { type, platform, externalId, createdAt, updatedAt, deleted, name: s(), address: s(), phone: s() };
      break;
    default:
      r = { type, platform, externalId, createdAt, updatedAt, deleted };
  }
  if (W[w++] === 1) r.raw = JSON.parse(s());
  return r;
}

/** The normalize envelope from m.recordViews(), read before any other call into the module. */
function readRecords([words, numbers, ascii, wide, tail]) {
  const env = JSON.parse(decoder.decode(tail)); // ASCII: {errors, total, removedIds} or {error}
  if (env.error) return env;
  const records = [];
  W = words;
  F = numbers;
  A = ascii.length === 0 ? '' : decoder.decode(ascii);
  U = wide.length === 0 ? '' : wideDecoder.decode(wide);
  w = 0;
  f = 0;
  try {
    while (w < W.length) records.push(record());
  } finally {
    W = F = null; // views die when the memory grows: never kept
    A = U = '';
  }
  return { records, errors: env.errors, total: env.total, removedIds: env.removedIds };
}

// --- arguments -------------------------------------------------------------------
// Every value crosses into wasm as text. A value that cannot become that text is the caller's
// mistake and gets a SyncError `invalid_input` naming the argument — it must never reach
// Embind, whose conversion errors (BindingError, TypeError) are not typed (tests/js/boundary).

function invalid(field, detail) {
  return new SyncError({ code: 'invalid_input', message: 'Dữ liệu đầu vào không hợp lệ.', detail, field });
}

/** A string parameter: strings as they are, bytes decoded as UTF-8; null/undefined → fallback when given. */
function textArg(value, field, fallback) {
  if (typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) return decoder.decode(value);
  if (value instanceof ArrayBuffer) return decoder.decode(new Uint8Array(value));
  if (value == null && fallback !== undefined) return fallback;
  throw invalid(field, `${field} must be a string or bytes, got ${value === null ? 'null' : typeof value}`);
}

/** JSON text of a caller's value; cycles, BigInts and throwing toJSON() are typed errors. */
function jsonArg(value, field) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw invalid(field, `${field} cannot be serialized: ${e?.message ?? e}`);
  }
  if (text === undefined) throw invalid(field, `${field} is missing or not serializable`);
  return text;
}

/** A number parameter for a double: anything else becomes NaN, which the core rejects as typed. */
const numArg = (value) => (typeof value === 'number' ? value : NaN);

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
      // An argument Embind could not convert never entered wasm: typed, and not a reason to
      // poison the instance (the arguments are checked above; this is the safety net).
      if (e instanceof TypeError || e?.name === 'BindingError') throw invalid('arguments', String(e?.message ?? e));
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

  /**
   * Every platform the product lists, with its credential fields, settings and status.
   * options.lang: 'vi' (default, the module's own texts) or 'en' — description, labels, help and
   * language-specific examples translated; the rest is identical.
   */
  platforms(options = {}) {
    const lang = resolveLang(options?.lang);
    const list = JSON.parse(this.#call((m) => m.platforms()));
    return localizePlatforms(list, lang);
  }

  /**
   * Normalizes one list-endpoint response (or one webhook body) into unified records.
   * options: {raw?, settings?} (the connection's settings, e.g. Nhanh.vn {taxSync: true}).
   * Never throws for bad bodies: they come back as typed `errors`.
   */
  normalize(platform, entity, body, options = {}) {
    const failed = (error) => ({ records: [], errors: [error], total: null, removedIds: [] });
    let args;
    let opts;
    try {
      args = [textArg(platform, 'platform'), textArg(entity, 'entity')];
      if (typeof body !== 'string' && !ArrayBuffer.isView(body) && !(body instanceof ArrayBuffer)) textArg(body, 'body');
      // Default options travel as '' (the core then skips parsing them).
      const plain = options === undefined || options === null || (typeof options === 'object' && !Array.isArray(options) && Object.keys(options).length === 0);
      opts = plain ? '' : jsonArg(options, 'options');
    } catch (e) {
      if (e instanceof SyncError) return failed(e.toJSON());
      throw e;
    }
    // Strings with lone surrogates keep their historical reading (invalid JSON) through the
    // string boundary: encodeInto would silently turn them into U+FFFD.
    // encodeInto writes a lone surrogate as U+FFFD, so only a body whose bytes hold U+FFFD
    // needs the isWellFormed scan (the core answers that far faster than a pass in JS).
    const legacy = (text) => JSON.parse(this.#call((m) => m.normalize(...args, text, opts)));
    if (body instanceof ArrayBuffer) body = new Uint8Array(body);
    let out = this.#call((m) => {
      const len = writeInput(m, body);
      if (typeof body === 'string' && typeof body.isWellFormed === 'function' && m.inputHasReplacement(len) && !body.isWellFormed()) return null;
      m.normalizeRecords(...args, len, opts);
      return readRecords(m.recordViews()); // the objects, built from the module's columns
    });
    if (out === null) {
      out = legacy(body);
    } else {
      // Bytes that are not UTF-8 were always decoded with U+FFFD replacement first.
      if (typeof body !== 'string' && out.errors?.[0]?.code === 'invalid_json' && !isUtf8(body)) {
        out = legacy(decoder.decode(body));
      }
    }
    if (out.error) return failed(out.error);
    return out;
  }

  /** A sans-I/O sync job; run it with runSync(job, transport). */
  createSync(options = {}) {
    if (options === null || typeof options !== 'object') throw invalid('options', 'createSync options must be an object');
    const { platform, entity, settings = {}, checkpoint = null, mode = 'auto', raw = false, seed, maxPages } = options;
    if (checkpoint != null && typeof checkpoint !== 'string') throw invalid('checkpoint', 'checkpoint must be the text a job gave');
    if (!ENTITIES.has(entity)) {
      throw new SyncError({ code: 'invalid_input', message: 'Loại dữ liệu không hợp lệ.', detail: `unknown entity: ${typeof entity === 'string' ? entity : typeof entity}`, field: 'entity' });
    }
    const text = jsonArg({ platform, entity, settings, checkpoint: checkpoint ?? '', mode, raw, seed, maxPages }, 'options');
    const handle = this.#call((m) => new m.Job());
    const err = this.#call(() => handle.init(text));
    if (err) {
      handle.delete();
      throw new SyncError(JSON.parse(err).error);
    }
    return new SyncJob(handle, (fn) => this.#call(fn), { platform, entity });
  }

  /** Fills {{secret.*}} placeholders (server side only: the proxy and headless Node). */
  fillSecrets(request, secrets) {
    const args = [jsonArg(request, 'request'), jsonArg(secrets, 'secrets')];
    const out = JSON.parse(this.#call((m) => m.fillSecrets(...args)));
    if (out.error) throw new SyncError(out.error);
    return out.request;
  }

  /** Applies a request's keepSecrets to a response body: { body (redacted), captured }. */
  keepSecrets(request, body) {
    const args = [jsonArg(request, 'request'), textArg(body, 'body')];
    const out = JSON.parse(this.#call((m) => m.keepSecrets(...args)));
    if (out.error) throw new SyncError(out.error);
    return out;
  }

  /**
   * Verifies a webhook delivery's signature (secret = the connection's webhook secret, '' if
   * none) and says what it is about: {topic, entity, deletion, eventId, storeKey, signatureChecked}.
   * A bad signature throws SyncError code 'forbidden'.
   */
  inspectWebhook(platform, headers, body, secret = '') {
    const args = [textArg(platform, 'platform'), jsonArg(headers ?? {}, 'headers'), textArg(body, 'body'), textArg(secret, 'secret', '')];
    const out = JSON.parse(this.#call((m) => m.inspectWebhook(...args)));
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
    const args = [textArg(platform, 'platform'), jsonArg(values ?? {}, 'values')];
    const out = JSON.parse(this.#call((m) => m.checkCredentials(...args)));
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
   * (the whole product behind a variation webhook).
   * sapo (the family's webhooks API; Haravan private apps cannot: unsupported): webhooksListRequest
   * {address, settings?} → {request}; webhooksRegister {address, status, body, settings?} →
   * {create, remove, registered}; webhooksUnregister {address, status, body, settings?} →
   * {remove}; webhookResult {status, body} → {ok, webhook}. Errors throw SyncError (Vietnamese message).
   */
  connect(platform, step, input = {}) {
    const args = [textArg(platform, 'platform'), textArg(step, 'step'), jsonArg(input ?? {}, 'input')];
    const out = JSON.parse(this.#call((m) => m.connect(...args)));
    if (out && out.error) throw new SyncError(out.error);
    return out;
  }

  /** The full URL of a request descriptor, query string encoded. */
  buildUrl(request) {
    const text = jsonArg(request, 'request');
    const out = JSON.parse(this.#call((m) => m.buildUrl(text)));
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
    return JSON.parse(this.#call(() => h.next(numArg(nowMs))));  // a non-time → a typed failed step
  }

  /** Feeds the response of request `id`. response: {status, headers, body, error?}. */
  receive(id, response, nowMs) {
    const h = this.#live();
    if (response === null || typeof response !== 'object') throw invalid('response', 'a response must be an object {status, headers, body}');
    const meta = jsonArg({ status: response.status ?? 0, headers: response.headers ?? {}, error: response.error ?? undefined }, 'response');
    const body = textArg(response.body, 'response.body', '');
    return this.#call(() => h.receive(numArg(id), meta, body, numArg(nowMs)));  // bad id/time → false
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
