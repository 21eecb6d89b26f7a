// The typed JS surface over the Embind module. Every call into wasm passes and returns JSON
// text, parsed once here. Loaders (node.js, browser.js) supply the instantiated module.
import { SyncError, internalError } from './errors.js';

const ENTITIES = new Set(['products', 'orders', 'customers', 'locations']);
const decoder = new TextDecoder();

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

  /** Every platform the product lists, with its credential fields, settings and status. */
  platforms() {
    return JSON.parse(this.#call((m) => m.platforms()));
  }

  /**
   * Normalizes one list-endpoint response (or one webhook body) into unified records.
   * Never throws for bad bodies: they come back as typed `errors`.
   */
  normalize(platform, entity, body, options = {}) {
    const failed = (error) => ({ records: [], errors: [error], total: null, removedIds: [] });
    let args;
    try {
      args = [textArg(platform, 'platform'), textArg(entity, 'entity'), textArg(body, 'body'), jsonArg(options ?? {}, 'options')];
    } catch (e) {
      if (e instanceof SyncError) return failed(e.toJSON());
      throw e;
    }
    const out = JSON.parse(this.#call((m) => m.normalize(...args)));
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
