// English messages for error codes: the module's SyncErrorCode values and the StoreLink server's
// ApiError codes (web/server/*.js). Generic per code, made specific by what every error carries:
// the platform (when the caller says which), the field at fault (→ its English label), the
// HTTP status, and the few `detail` forms the core and the server use for distinct situations
// (a missing value vs. an invalid one; a disconnected vs. a busy connection).
// tests/js/i18n.test.js checks that every code thrown in web/server/*.js is listed here.

// Input names that are not platform fields: how a message names them.
const FIELD_NAMES = {
  platform: 'platform',
  entity: 'data type',
  mode: 'sync mode',
  limit: 'page size',
  name: 'connection name',
  settings: 'settings',
  credentials: 'connection details',
  status: 'status',
  checkpoint: 'checkpoint',
  records: 'records',
  format: 'export format',
  step: 'connect step',
  lang: 'language',
};

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const list = (items) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items.join(''));
const http = (status) => (status ? ` (HTTP ${status})` : '');

/** code → (context) → message. Context: name ("KiotViet" or "the platform"), Name (capitalized), label, labels, example, detail, status, waitS. */
export const ERROR_MESSAGES = {
  invalid_json: (c) => `${c.Name} sent a broken or incomplete answer. Try again later.`,
  unexpected_shape: (c) => `${c.Name} answered in an unexpected format.`,
  invalid_input: (c) => {
    if (c.key === 'platform') return 'This platform is not supported.';
    if (c.key === 'entity') return 'This data type is not available for this platform.';
    if (!c.label) return 'The request is not valid.';
    if (/^missing\b/.test(c.detail)) return `Enter the ${c.label}.`;
    if (/whitespace|spaces/i.test(c.detail)) return `The ${c.label} must not contain spaces — copy it again.`;
    if (c.example && /^(invalid credential|host)\b/.test(c.detail)) return `The ${c.label} is not valid: it should look like ${c.example}.`;
    return `Check the ${c.label}: it is not valid.`;
  },
  invalid_credentials: (c) => {
    if (c.label) return `${c.Name} did not accept the ${c.label}. Check it and try again.`;
    const check = c.labels.length ? `check the ${list(c.labels)}` : 'check the API key or token';
    return `Could not sign in to ${c.name}: the credentials are wrong, expired or revoked — ${check}.`;
  },
  forbidden: (c) => {
    if (c.detail === 'connection disconnected') return 'This connection was disconnected and no longer has credentials. Connect again.';
    return `${c.Name} refused access: the account or key lacks permission for this data. Check its permissions and try again.`;
  },
  not_found: (c) => (c.platform ? `${c.Name} could not find the requested data.` : 'Not found: it may have been removed.'),
  rate_limited: (c) =>
    c.waitS != null
      ? `${c.Name} is rate limiting; retrying in ${c.waitS} s.`
      : `${c.Name} is limiting API calls; StoreLink waited and retried several times without success. Try again in a few minutes.`,
  platform_error: (c) => `${c.Name} rejected the request${http(c.status)}${c.platformCode ? `, code ${c.platformCode}` : ''}. Check the account's settings there and try again.`,
  server_error: (c) => `${cap(c.possessive)} server is having problems${http(c.status)}; StoreLink retried several times. Try again later.`,
  network: (c) => `Cannot reach ${c.name} (network problem or timeout). Check the connection and try again.`,
  cancelled: () => 'Cancelled.',
  unsupported: (c) =>
    /coming_soon/.test(c.detail) ? `${c.Name} is coming soon and cannot be connected yet.` : `${c.Name} does not support this yet.`,
  internal: () => 'Internal error. Reload the page and try again.',
  // The server's own codes.
  unauthorized: () => "This page's access token is not valid. Open the page from the StoreLink server again.",
  conflict: (c) => {
    if (c.detail === 'disconnected') return 'This connection was disconnected. Enter the connection details again to reconnect.';
    if (c.detail === 'pending oauth') return `This connection is not authorized on ${c.name} yet.`;
    if (/^connection is /.test(c.detail)) return 'This connection is not active, so it cannot sync.';
    if (/is running$/.test(c.detail)) return 'This data is already syncing.';
    if (c.detail === 'server run') return 'This sync run belongs to the server.';
    if (/^run is /.test(c.detail)) return 'This sync run has already ended.';
    return 'This does not fit the connection’s current state. Reload the page and try again.';
  },
  payload_too_large: () => 'Too much data was sent at once.',
  not_configured: (c) => `The server is not set up for ${c.name} yet (StoreLink’s app credentials are missing). Contact the administrator.`,
  unknown_store: () => 'No connected shop matches this webhook.',
  // The end of an OAuth connect flow (the dashboard gets them in its address).
  oauth_state: () => 'The authorization session expired or was started in another browser. Press connect again.',
  oauth_denied: (c) => `${c.Name} returned no authorization code (access was refused or its page was closed).`,
  oauth_failed: (c) => `The authorization on ${c.name} was not completed. Try connecting again.`,
  // Connection warnings.
  token_expiring: (c) =>
    c.expiresAt && Date.parse(c.expiresAt) > Date.now()
      ? `Access to ${c.name} expires on ${new Date(c.expiresAt).toLocaleDateString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' })}. Reconnect (authorize again) before then so syncing does not stop.`
      : `Access to ${c.name} has expired. Reconnect to keep syncing.`,
  webhook_secret_missing: (c) =>
    `${c.Name}’s webhook has no secret yet: anyone who knows the shop id can send fake data here. Press “New secret”, then add the x-webhook-secret request header to the webhook settings on ${c.name}.`,
  webhooks_not_registered: (c) =>
    `The webhooks could not be registered on ${c.name}. Data still syncs on schedule, but changes will not arrive at once; check the app's permissions, then reconnect.`,
};

/** The English message of `error`; options: platform (info or id), label, waitMs, texts (en platform table). */
export function englishError(error, { platform, label, waitMs, texts = {} } = {}) {
  const id = typeof platform === 'string' ? platform : platform?.id ?? null;
  const info = typeof platform === 'object' && platform ? platform : null;
  const name = info?.displayName ?? 'the platform';
  const key = String(error.field ?? '').replace(/^(credentials|settings)\./, '') || null;
  const table = (id && texts[id]) || {};
  const own = info?.credentials?.find((f) => f.key === key) ?? info?.settings?.find((f) => f.key === key) ?? null;
  const text = table.credentials?.[key] ?? table.settings?.[key] ?? null;
  const fieldLabel = label ?? text?.label ?? own?.label ?? (key ? FIELD_NAMES[key.replace(/\[\d+\]$/, '')] ?? key : null);
  const typed = (info?.credentials ?? []).filter((f) => (f.source ?? 'user') === 'user');
  const wait = waitMs ?? error.waitMs;
  const context = {
    platform: id,
    name,
    Name: cap(name),
    possessive: info ? `${name}’s` : 'the platform’s',
    key,
    label: key === 'platform' || key === 'entity' ? null : fieldLabel,
    labels: typed.map((f) => table.credentials?.[f.key]?.label ?? f.label),
    example: text?.example ?? own?.example ?? null,
    detail: String(error.detail ?? ''),
    status: error.httpStatus ?? null,
    platformCode: error.platformCode ?? null,
    waitS: typeof wait === 'number' && Number.isFinite(wait) ? Math.max(1, Math.ceil(wait / 1000)) : null,
    expiresAt: error.expiresAt ?? null,
  };
  const message = ERROR_MESSAGES[error.code];
  return message ? message(context) : `Something went wrong (${error.code ?? 'unknown error'}).`;
}
