// Client-side credential checks, derived from what the wasm module knows about a platform —
// nothing here is written per platform:
//  1. every credential field the module lists is required (trimmed);
//  2. secrets (keys, tokens) hold no spaces — a pasted key with a line break is the usual slip;
//  3. host-shaped fields: a field whose example is a host the platform accepts (apiHostPatterns,
//     e.g. "*.myharavan.com"), or whose value the module puts in a request's host (Sapo's
//     "{{secret.store}}.mysapo.net"), must make a valid host that the platform accepts. This is
//     checked by building the job's first request with the module itself, so the rule is exactly
//     the one the proxy will apply.
// When the module has its own `checkCredentials` (connectors that normalize a pasted URL into a
// shop name), its values and messages come first.
// Only fields the shop owner types are checked (CredentialField.source "user" or absent).

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function hostMatches(host, pattern) {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".mysapo.net"
    return host.endsWith(suffix) && host.length > suffix.length && LABEL.test(host.slice(0, -suffix.length).split('.').pop());
  }
  return host === pattern;
}

/** "https://Ten-Shop.myharavan.com/admin" → "ten-shop.myharavan.com". */
export function bareHost(value) {
  return String(value ?? '')
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[/?#].*$/, '');
}

function err(field, message, detail = null) {
  return { code: 'invalid_input', field, message, detail };
}

/** Which credential keys appear as placeholders in the host part of a URL template. */
function placeholdersInHost(url) {
  const m = /^[a-z]+:\/\/([^/?#]*)/i.exec(url ?? '');
  if (!m) return [];
  return [...m[1].matchAll(/\{\{secret\.([A-Za-z0-9_]+)/g)].map((x) => x[1]);
}

function firstRequest(sl, platform) {
  for (const entity of platform.entities) {
    let job;
    try {
      job = sl.createSync({ platform: platform.id, entity, settings: {} });
      const step = job.next(Date.now());
      if (step.kind === 'request') return step.request;
    } catch {
      return null; // no connector yet (coming soon): only the generic rules apply
    } finally {
      job?.dispose();
    }
  }
  return null;
}

/** The fields the shop owner types (not those an OAuth flow or the server's config fills). */
export function userFields(platform) {
  return platform.credentials.filter((f) => (f.source ?? 'user') === 'user');
}

export function checkCredentials(sl, platformId, credentials = {}) {
  const platform = sl.platforms().find((p) => p.id === platformId);
  if (!platform) return { ok: false, errors: [err('platform', 'Nền tảng không được hỗ trợ.')], values: {} };
  const fields = userFields(platform);
  const errors = new Map();
  let values = {};
  for (const f of fields) values[f.key] = String(credentials[f.key] ?? '').trim();

  // The module's own rules first, when it has them: its normalized values ("https://ten.mysapo.net/admin"
  // → "ten") are what gets stored, and its messages name the field.
  if (typeof sl.checkCredentials === 'function') {
    try {
      const out = sl.checkCredentials(platformId, values);
      if (out?.values) for (const f of fields) if (typeof out.values[f.key] === 'string') values[f.key] = out.values[f.key];
      for (const e of out?.errors ?? []) if (e.field && fields.some((f) => f.key === e.field) && !errors.has(e.field)) errors.set(e.field, e);
    } catch {
      /* the module's own check is optional */
    }
  }

  const patterns = (platform.apiHostPatterns ?? []).filter((p) => p !== '*');
  for (const f of fields) {
    if (errors.has(f.key)) continue;
    const v = values[f.key];
    // The details are the core's forms ("missing credential KEY"): errorMessage() reads them for English.
    if (!v && f.optional) continue;
    if (!v) errors.set(f.key, err(f.key, `Vui lòng nhập ${f.label}.`, `missing credential ${f.key}`));
    else if (f.secret && /\s/.test(v)) errors.set(f.key, err(f.key, `${f.label} không được chứa khoảng trắng — hãy sao chép lại.`, `whitespace in ${f.key}`));
  }

  // Host-shaped by example: "ten-shop.myharavan.com" matches "*.myharavan.com".
  for (const f of fields) {
    if (errors.has(f.key) || !f.example) continue;
    const pattern = patterns.find((p) => hostMatches(bareHost(f.example), p));
    if (!pattern) continue;
    let host = bareHost(values[f.key]);
    if (!host.includes('.')) host += pattern.slice(1); // "ten-shop" → "ten-shop.myharavan.com"
    if (!hostMatches(host, pattern)) {
      errors.set(f.key, err(f.key, `${f.label} không hợp lệ: cần có dạng ${f.example} (chỉ chữ không dấu, số và dấu gạch ngang).`, `host ${host} ∉ ${pattern}`));
    } else if (bareHost(values[f.key]) !== values[f.key]) {
      values = { ...values, [f.key]: bareHost(values[f.key]) };
    }
  }

  // Host-shaped by use: the module's own first request, filled with these values.
  const request = firstRequest(sl, platform);
  if (request) {
    const inHost = placeholdersInHost(request.url).filter((k) => fields.some((f) => f.key === k));
    if (inHost.length && inHost.every((k) => !errors.has(k))) {
      // Secrets the job obtains later (tokens) get stand-ins: only the host matters here.
      const secrets = { ...values };
      for (const m of JSON.stringify(request).matchAll(/\{\{(?:basic:)?secret\.([A-Za-z0-9_]+)/g)) secrets[m[1]] ??= 'x';
      let host = null;
      try {
        host = new URL(sl.buildUrl(sl.fillSecrets(request, secrets))).host.toLowerCase();
      } catch {
        host = null;
      }
      const allowed = [...(platform.apiHosts ?? []), ...(platform.apiHostPatterns ?? [])];
      const ok = host && LABEL.test(host.split('.')[0]) && (allowed.length === 0 || allowed.some((p) => hostMatches(host, p)));
      if (!ok) {
        const field = fields.find((f) => f.key === inHost[0]);
        errors.set(field.key, err(field.key, `${field.label} không hợp lệ${field.example ? `: ví dụ ${field.example}` : ''} (chỉ chữ không dấu, số và dấu gạch ngang).`, `host ${host ?? '(invalid)'}`));
      }
    }
  }

  const ordered = fields.filter((f) => errors.has(f.key)).map((f) => errors.get(f.key));
  return { ok: ordered.length === 0, errors: ordered, values };
}
