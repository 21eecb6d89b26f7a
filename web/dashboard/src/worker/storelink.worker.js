// The wasm core in a Web Worker, so a long sync never freezes the page.
//
// Protocol (see ./client.js for the other side). Every message carries an id:
//   page → worker  {id, type:'call', method, args}      start a call
//                  {id, type:'abort', reason}           abort call `id` (its AbortSignal fires)
//   worker → page  {id, type:'event', event}            progress while the call runs
//                  {id, type:'result', value}           the call finished
//                  {id, type:'error', error}            it failed: SyncError-shaped, plain data
// The worker holds no secrets: platform requests go through the server's /api/proxy, which
// fills {{secret.*}} placeholders; the worker only carries the store's bearer token for /api.
import { createStoreLink, runSync, createProxyTransport, SyncError, LANGUAGES } from 'storelink';
import { checkCredentials } from './checks.js';

let slPromise = null;
const config = { baseUrl: '', token: null, batchSize: 200 };
const running = new Map(); // call id → AbortController

function storelink() {
  slPromise ??= createStoreLink();
  return slPromise;
}

function authHeaders() {
  return config.token ? { authorization: `Bearer ${config.token}` } : {};
}

async function api(path, { method = 'GET', body, signal } = {}) {
  const res = await fetch(`${config.baseUrl}${path}`, {
    method,
    headers: { ...authHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal,
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data?.error ?? {};
    throw new SyncError({
      code: err.code ?? (res.status === 401 ? 'invalid_credentials' : 'server_error'),
      message: err.message ?? `Máy chủ trả lỗi ${res.status}.`,
      detail: err.detail ?? `${method} ${path} → ${res.status}`,
      httpStatus: res.status,
      field: err.field ?? null,
    });
  }
  return data;
}

const handlers = {
  configure(args) {
    Object.assign(config, args);
    return { ok: true };
  },

  /** The platforms in every language the package has: the page switches language without asking again. */
  async platforms() {
    const sl = await storelink();
    return { version: sl.version(), platforms: Object.fromEntries(LANGUAGES.map((lang) => [lang, sl.platforms({ lang })])) };
  },

  async checkCredentials({ platform, credentials }) {
    return checkCredentials(await storelink(), platform, credentials);
  },

  /**
   * The product's sync path: the wasm job runs here, its requests go through the server's
   * proxy, every page of records is POSTed to /api/records together with the checkpoint that
   * follows it (records first, then the checkpoint, in one request), so a reload resumes.
   */
  async sync({ connectionId, platform, entity, settings, checkpoint, runId, mode = 'auto' }, { signal, emit }) {
    const sl = await storelink();
    // raw: the platform's own JSON rides along, for the records drawer (normalized vs raw).
    const job = sl.createSync({ platform, entity, settings: settings ?? {}, checkpoint: checkpoint || null, mode, raw: true });
    const transport = createProxyTransport({ baseUrl: config.baseUrl, connectionId, headers: authHeaders() });
    let saved = 0;
    let pending = [];
    let lastEmit = 0;
    let lastSent = {};
    const flush = async (cp) => {
      const batch = pending;
      pending = [];
      await api('/api/records', { method: 'POST', body: { connectionId, runId, entity, records: batch, checkpoint: cp }, signal });
      saved += batch.length;
    };
    try {
      const result = await runSync(job, transport, {
        signal,
        onRecords: async (records, cp) => {
          for (const r of records) pending.push(r);
          // Page-sized batches keep each checkpoint right behind the records it covers.
          await flush(cp);
          emit({ kind: 'saved', saved });
        },
        onWait: (step) => emit({ kind: 'wait', waitMs: step.waitMs, reason: step.reason, at: Date.now() }),
        onProgress: (p) => {
          // Every page and phase change goes out; repeats within 80 ms are dropped.
          const now = Date.now();
          const changed = p.fetched !== lastSent.fetched || p.phase !== lastSent.phase || p.total !== lastSent.total;
          if (!changed && now - lastEmit < 80) return;
          lastEmit = now;
          lastSent = p;
          emit({ kind: 'progress', progress: p });
        },
      });
      if (pending.length) await flush(result.checkpoint);
      emit({ kind: 'progress', progress: result.progress });
      return { progress: result.progress, checkpoint: result.checkpoint, saved };
    } catch (e) {
      if (e instanceof SyncError && !e.checkpoint) e.checkpoint = job.checkpoint();
      if (e instanceof SyncError && !e.progress) e.progress = job.progress();
      if (e && typeof e === 'object') e.saved = saved;
      throw e;
    } finally {
      job.dispose();
    }
  },
};

function toPlainError(e) {
  if (e instanceof SyncError) return { ...e.toJSON(), checkpoint: e.checkpoint ?? null, progress: e.progress ?? null, saved: e.saved ?? 0 };
  if (e?.name === 'AbortError') return { code: 'cancelled', message: 'Đã hủy.', detail: null, field: null };
  return { code: 'internal', message: 'Lỗi không mong đợi trong trình đồng bộ.', detail: String(e?.stack ?? e), field: null };
}

self.onmessage = async (ev) => {
  const msg = ev.data ?? {};
  if (msg.type === 'abort') {
    running.get(msg.id)?.abort(msg.reason ?? 'aborted');
    return;
  }
  if (msg.type !== 'call') return;
  const handler = handlers[msg.method];
  if (!handler) {
    self.postMessage({ id: msg.id, type: 'error', error: { code: 'invalid_input', message: `unknown method ${msg.method}` } });
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  const emit = (event) => self.postMessage({ id: msg.id, type: 'event', event });
  try {
    const value = await handler(msg.args ?? {}, { signal: controller.signal, emit });
    self.postMessage({ id: msg.id, type: 'result', value });
  } catch (e) {
    self.postMessage({ id: msg.id, type: 'error', error: toPlainError(e) });
  } finally {
    running.delete(msg.id);
  }
};

// Warm the module up as soon as the worker starts.
storelink().catch(() => {});
