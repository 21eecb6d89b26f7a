// Transports: how a job's request descriptors reach the platform.
// - createProxyTransport: the browser's way, through the server's /api/proxy (secrets stay there).
// - createLocalTransport: server-side/headless Node; fills secrets in-process and keeps tokens
//   in its own memory, exactly like the proxy does.
import { SyncError } from './errors.js';

function headersToObject(h) {
  const out = {};
  h.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}

function withTimeout(signal, timeoutMs) {
  const t = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, t]) : t;
}

/** Rewrites a platform URL to a mapped origin (sandbox): {'public.kiotapi.com': 'http://127.0.0.1:4010'}. */
export function mapHost(url, hostMap) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new SyncError({ code: 'invalid_input', message: 'Địa chỉ không hợp lệ.', detail: `not a URL: ${typeof url === 'string' ? url.slice(0, 100) : typeof url}`, field: 'url' });
  }
  const target = hostMap?.[u.host];
  if (!target) return url;
  return target.replace(/\/$/, '') + u.pathname + u.search;
}

export function createLocalTransport(sl, { secrets, hostMap = {}, fetch = globalThis.fetch, timeoutMs = 30_000 } = {}) {
  const vault = { ...secrets };
  return async function localTransport(request, { signal } = {}) {
    const filled = sl.fillSecrets(request, vault);
    const url = mapHost(sl.buildUrl(filled), hostMap);
    const method = filled.method || 'GET';
    const res = await fetch(url, {
      method,
      headers: Object.fromEntries(filled.headers),
      body: method === 'GET' || method === 'HEAD' ? undefined : filled.body,
      redirect: 'manual',
      signal: withTimeout(signal, timeoutMs),
    });
    let body = await res.text();
    if (request.keepSecrets && res.ok) {
      const kept = sl.keepSecrets(request, body);
      Object.assign(vault, kept.captured);
      body = kept.body;
    }
    return { status: res.status, headers: headersToObject(res.headers), body };
  };
}

export function createProxyTransport({ baseUrl = '', connectionId, fetch = globalThis.fetch, timeoutMs = 60_000, headers = {} } = {}) {
  return async function proxyTransport(request, { signal } = {}) {
    const res = await fetch(`${baseUrl}/api/proxy/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(request),
      signal: withTimeout(signal, timeoutMs),
    });
    if (!res.ok) {
      // The proxy itself refused (not the platform): surface as a transport failure.
      return { status: 0, headers: {}, body: '', error: 'network' };
    }
    return await res.json();
  };
}
