// The proxy: sends a module-built request descriptor to a platform with the connection's
// secrets filled in. Used by POST /api/proxy/:id (browser syncs) and by server-side syncs.
//   - {{secret.*}} filled by sl.fillSecrets; tokens marked keepSecrets are captured into the
//     vault and replaced in the body by their placeholder (sl.keepSecrets);
//   - reaches only allowlisted hosts (netguard.hostRefusal), connects to the resolved address it
//     checked (netguard.forbiddenAddress), follows redirects only onto allowed hosts;
//   - timeouts, response-size limit, hop-by-hop and cookie headers dropped, everything else
//     (rate-limit headers, Retry-After) passed through; known secret values redacted.
// Sandbox mode: a platform's real hosts are mapped explicitly to its local simulator.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import zlib from 'node:zlib';
import { forbiddenAddress, hostRefusal, isIpLiteral, ownHosts } from './netguard.js';
import { redactSecrets } from './vault.js';

export class ProxyError extends Error {
  constructor(status, code, message, detail = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
  toJSON() {
    return { code: this.code, message: this.message, detail: this.detail };
  }
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const DROP_REQUEST_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'te', 'trailer', 'content-length']);
const DROP_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'proxy-authenticate', 'alt-svc']);

const isPair = (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string';
// What Node's http module accepts in a header (RFC 9110 token names; values without CR, LF,
// NUL or other controls): checked here so an injection attempt is a 400, not a thrown 500.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The first header that would let CR/LF or another control character onto the wire, or null. */
function badHeader(headers) {
  for (const [name, value] of headers ?? []) {
    if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name.slice(0, 40))} is not an HTTP token`;
    if (BAD_HEADER_VALUE.test(value)) return `header ${name} has characters not allowed in HTTP headers`;
  }
  return null;
}

/** Shape check of a RequestDescriptor (wasm/js/index.d.ts) arriving from a browser. */
export function checkDescriptor(d) {
  const bad = (detail, field) => new ProxyError(400, 'invalid_input', 'Yêu cầu gửi tới nền tảng không hợp lệ.', detail && `${detail}${field ? ` (${field})` : ''}`);
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw bad('descriptor must be an object');
  if (typeof d.method !== 'string' || !METHODS.has(d.method.toUpperCase())) throw bad('unsupported method', 'method');
  if (typeof d.url !== 'string' || d.url.length > 8192) throw bad('url must be a string', 'url');
  if (CONTROL.test(d.url)) throw bad('url contains control characters', 'url');
  for (const k of ['query', 'headers']) {
    if (d[k] !== undefined && (!Array.isArray(d[k]) || !d[k].every(isPair))) throw bad(`${k} must be [name, value] pairs`, k);
  }
  const header = badHeader(d.headers);
  if (header) throw bad(header, 'headers');
  if (d.body !== undefined && typeof d.body !== 'string') throw bad('body must be a string', 'body');
  if (d.keepSecrets !== undefined && (typeof d.keepSecrets !== 'object' || d.keepSecrets === null || Array.isArray(d.keepSecrets)
    || !Object.values(d.keepSecrets).every((v) => typeof v === 'string'))) throw bad('keepSecrets must map fields to names', 'keepSecrets');
  return { query: [], headers: [], body: '', ...d, method: d.method.toUpperCase() };
}

async function defaultResolve(host) {
  return dnsLookup(host, { all: true, verbatim: true });
}

function timeoutError() {
  return new ProxyError(504, 'network', 'Nền tảng không phản hồi kịp thời.', 'timeout');
}

/**
 * createProxy({ sl, sandboxHostMaps, resolve, timeoutMs, maxResponseBytes, maxRedirects })
 *   .forward({ platform, account, secrets, request, signal, onCapture }) → {status, headers, body}
 * platform = the PlatformInfo; account = the connection's non-secret credentials (own host);
 * secrets = every credential + kept token; onCapture(captured) persists newly kept tokens.
 */
export function createProxy({
  sl,
  sandboxHostMaps = {},
  resolve = defaultResolve,
  timeoutMs = 30_000,
  maxResponseBytes = 16 * 1024 * 1024,
  maxRedirects = 3,
} = {}) {
  /** Decides where to connect for `url`: {url, address, family} or throws ProxyError 403. */
  async function target(url, platform, account) {
    let u;
    try {
      u = new URL(url);
    } catch {
      throw new ProxyError(400, 'invalid_input', 'Địa chỉ yêu cầu không hợp lệ.', 'unparsable url');
    }
    const refuse = (detail) => new ProxyError(403, 'forbidden', 'Không được phép kết nối tới địa chỉ này.', detail);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw refuse(`scheme ${u.protocol} not allowed`);
    if (u.username || u.password) throw refuse('credentials in the URL are not allowed');
    const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const why = hostRefusal(host, platform, account);
    if (why) throw refuse(why);

    const mapped = sandboxHostMaps[platform.id]?.[u.host.toLowerCase()];
    if (mapped) {
      // Sandbox: the simulator's loopback origin, named explicitly (never by resolution).
      return { url: mapped.replace(/\/$/, '') + u.pathname + u.search, address: null, host };
    }
    const own = ownHosts(platform, account).has(host);
    if (u.protocol === 'http:' && !own) throw refuse('plain http is only allowed for a user-given URL');
    if (u.port && !own && u.port !== '443') throw refuse(`port ${u.port} not allowed`);

    let addresses;
    if (isIpLiteral(host)) addresses = [{ address: host, family: isIP(host) || 4 }];
    else {
      try {
        addresses = await resolve(host);
      } catch (e) {
        throw new ProxyError(502, 'network', 'Không phân giải được tên máy chủ của nền tảng.', `dns: ${e.code ?? e.message}`);
      }
    }
    if (!addresses?.length) throw new ProxyError(502, 'network', 'Không phân giải được tên máy chủ của nền tảng.', 'dns: no address');
    for (const a of addresses) {
      const bad = forbiddenAddress(a.address);
      if (bad) throw refuse(`${host} resolves to ${a.address} (${bad})`);
    }
    return { url: u.href, address: addresses[0].address, family: addresses[0].family === 6 || isIP(addresses[0].address) === 6 ? 6 : 4, host };
  }

  function send({ url, address, family, host, method, headers, body, signal }) {
    return new Promise((resolvePromise, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const timeout = AbortSignal.timeout(timeoutMs);
      const all = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const hdrs = {};
      for (const [k, v] of headers) {
        const name = k.toLowerCase();
        if (!DROP_REQUEST_HEADERS.has(name)) hdrs[name] = v;
      }
      if (!hdrs['accept-encoding']) hdrs['accept-encoding'] = 'gzip, deflate, br';
      const payload = method === 'GET' || method === 'HEAD' || !body ? null : Buffer.from(body, 'utf8');
      if (payload) hdrs['content-length'] = String(payload.length);
      const opts = {
        method,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port || undefined,
        path: u.pathname + u.search,
        headers: hdrs,
        signal: all,
        agent: false,
      };
      if (address) {
        // Connect to the address that was checked; certificates are still verified for the name.
        opts.lookup = (_h, o, cb) => (o && o.all ? cb(null, [{ address, family }]) : cb(null, address, family));
        if (u.protocol === 'https:' && !isIP(host)) opts.servername = host;
      }
      const req = mod.request(opts, (res) => {
        const chunks = [];
        let size = 0;
        res.on('data', (c) => {
          size += c.length;
          if (size > maxResponseBytes) {
            req.destroy(new ProxyError(502, 'network', 'Phản hồi của nền tảng quá lớn.', `response larger than ${maxResponseBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (e) => {
        if (e instanceof ProxyError) return reject(e);
        if (timeout.aborted) return reject(timeoutError());
        if (signal?.aborted) return reject(new ProxyError(499, 'cancelled', 'Đã hủy.', 'aborted'));
        reject(new ProxyError(502, 'network', 'Không kết nối được tới nền tảng.', e.code ?? e.message));
      });
      req.end(payload ?? undefined);
    });
  }

  function decode(raw, encoding) {
    const enc = String(encoding ?? '').toLowerCase().trim();
    const opts = { maxOutputLength: maxResponseBytes };
    try {
      if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(raw, opts).toString('utf8');
      if (enc === 'deflate') return zlib.inflateSync(raw, opts).toString('utf8');
      if (enc === 'br') return zlib.brotliDecompressSync(raw, opts).toString('utf8');
    } catch (e) {
      throw new ProxyError(502, 'network', 'Phản hồi của nền tảng không đọc được.', `decode ${enc}: ${e.code ?? e.message}`);
    }
    return raw.toString('utf8');
  }

  /**
   * beforeSend: called once the first destination is judged allowed, right before it is
   * contacted (the connection's rate budget); a response it returns is answered instead.
   */
  async function forward({ platform, account = {}, secrets = {}, request, signal, onCapture, beforeSend }) {
    const desc = checkDescriptor(request);
    let filled;
    try {
      filled = sl.fillSecrets(desc, secrets);
    } catch (e) {
      throw new ProxyError(400, e.code ?? 'invalid_credentials', e.message, e.detail ?? null);
    }
    // A stored secret may itself hold CR/LF: judged after filling, without echoing the value.
    const filledHeader = badHeader(filled.headers);
    let url = sl.buildUrl(filled);
    if (filledHeader || CONTROL.test(url)) {
      throw new ProxyError(400, 'invalid_credentials', 'Thông tin đăng nhập chứa ký tự không hợp lệ.', filledHeader ?? 'url contains control characters after filling secrets');
    }
    let method = filled.method.toUpperCase();
    let body = filled.body ?? '';
    // Secret values (not the shop name or other non-secret credential fields): redacted from
    // the response, and from refusals, whose detail names the host a placeholder may have
    // filled (host names are lower-cased by the URL parser, so that form too).
    const plain = new Set((platform.credentials ?? []).filter((c) => !c.secret).map((c) => c.key));
    const known = Object.entries(secrets).filter(([k]) => !plain.has(k)).map(([, v]) => v);
    let res;
    try {
      res = await follow();
    } catch (e) {
      if (e instanceof ProxyError && e.detail) e.detail = redactSecrets(e.detail, [...known, ...known.map((v) => String(v).toLowerCase())]);
      throw e;
    }
    if (res.early) return res.early;
    // Follows redirects onto allowed hosts only; every hop is judged like the first.
    async function follow() {
      for (let hop = 0; ; hop++) {
        const t = await target(url, platform, account);
        if (hop === 0 && beforeSend) {
          const early = await beforeSend();
          if (early) return { early };
        }
        const r = await send({ ...t, method, headers: filled.headers ?? [], body, signal });
        const location = r.headers.location;
        if (![301, 302, 303, 307, 308].includes(r.status) || !location) return r;
        if (hop >= maxRedirects) throw new ProxyError(502, 'network', 'Nền tảng chuyển hướng quá nhiều lần.', 'too many redirects');
        let next;
        try {
          next = new URL(location, url).href;
        } catch {
          throw new ProxyError(502, 'network', 'Nền tảng chuyển hướng tới địa chỉ không hợp lệ.', 'bad Location');
        }
        const why = hostRefusal(new URL(next).hostname, platform, account);
        if (why) throw new ProxyError(403, 'forbidden', 'Nền tảng chuyển hướng tới địa chỉ không được phép.', `redirect refused: ${why}`);
        if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === 'POST')) {
          method = 'GET';
          body = '';
        }
        url = next;
      }
    }
    let text = decode(res.raw, res.headers['content-encoding']);
    if (desc.keepSecrets && Object.keys(desc.keepSecrets).length && res.status >= 200 && res.status < 300) {
      const kept = sl.keepSecrets(desc, text);
      text = kept.body;
      if (kept.captured && Object.keys(kept.captured).length) {
        known.push(...Object.values(kept.captured));
        await onCapture?.(kept.captured);
      }
    }
    const headers = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (DROP_RESPONSE_HEADERS.has(k)) continue;
      headers[k] = redactSecrets(Array.isArray(v) ? v.join(', ') : String(v), known);
    }
    return { status: res.status, headers, body: redactSecrets(text, known) };
  }

  return { forward, target };
}
