// The page's client of the server's /api (web/server/openapi.json). Every call carries the
// store's bearer token; errors come back as ApiError with the server's ErrorInfo fields.
import { getToken } from './token.js';

export class ApiError extends Error {
  constructor(info, status) {
    super(info?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    Object.assign(this, { code: 'server_error', detail: null, field: null }, info, { status });
  }
}

const base = '';

async function request(path, { method = 'GET', body, query, headers = {}, signal, raw = false } = {}) {
  const url = new URL(`${base}${path}`, location.href);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const token = getToken();
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError({ code: 'network', message: 'Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại.', detail: String(e) }, 0);
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(data?.error ?? { message: `Máy chủ trả lỗi ${res.status}.` }, res.status);
  return data;
}

export const api = {
  health: () => request('/api/health'),
  platforms: () => request('/api/platforms'),
  me: () => request('/api/me'),
  connections: () => request('/api/connections'),
  connection: (id) => request(`/api/connections/${encodeURIComponent(id)}`),
  connect: (platform, credentials, settings) => request('/api/connections', { method: 'POST', body: { platform, credentials, ...(settings ? { settings } : {}) } }),
  updateConnection: (id, patch) => request(`/api/connections/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  verify: (id) => request(`/api/connections/${encodeURIComponent(id)}/verify`, { method: 'POST' }),
  disconnect: (id) => request(`/api/connections/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  rotateWebhookSecret: (id) => request(`/api/connections/${encodeURIComponent(id)}/webhook-secret`, { method: 'POST' }),
  runs: (query) => request('/api/runs', { query }),
  createRun: (connectionId, entity, mode = 'auto') => request('/api/runs', { method: 'POST', body: { connectionId, entity, mode } }),
  updateRun: (id, patch) => request(`/api/runs/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  records: (query, signal) => request('/api/records', { query, signal }),
  counts: () => request('/api/records/counts'),
  exportRecords: (query) => request('/api/records/export', { query: { ...query, format: 'csv' }, headers: { accept: 'text/csv' }, raw: true }),
  sandboxCredentials: () => request('/api/sandbox/credentials'),
  /**
   * The OAuth consent URL. A navigation cannot carry the bearer header, so ask for the
   * redirect without following it; when the server only answers with a 302 (opaque here), the
   * page navigates to the same URL with ?access_token= (the convention /api/stream uses).
   */
  async oauthStart(id) {
    const path = `/api/connections/${encodeURIComponent(id)}/oauth/start`;
    const token = getToken();
    const res = await fetch(path, { headers: { accept: 'application/json', authorization: `Bearer ${token}` }, redirect: 'manual' });
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      return `${path}?access_token=${encodeURIComponent(token)}`;
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(data?.error ?? { message: `Máy chủ trả lỗi ${res.status}.` }, res.status);
    return data?.url ?? data?.redirectUrl ?? data?.location;
  },
};

/** Live updates: /api/stream (EventSource cannot set headers, so ?access_token=). */
export function openStream(handlers, onState) {
  let es = null;
  let closed = false;
  let retry = 1000;
  const connect = () => {
    if (closed) return;
    es = new EventSource(`${base}/api/stream?access_token=${encodeURIComponent(getToken() ?? '')}`);
    es.addEventListener('open', () => {
      retry = 1000;
      onState?.('open');
    });
    for (const [name, fn] of Object.entries(handlers)) {
      es.addEventListener(name, (ev) => {
        let data = null;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        fn(data);
      });
    }
    es.addEventListener('error', () => {
      onState?.('offline');
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15_000);
      }
    });
  };
  connect();
  return () => {
    closed = true;
    es?.close();
  };
}
