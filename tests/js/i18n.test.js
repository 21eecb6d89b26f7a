// Languages of the package's texts: sl.platforms({ lang: 'en' }) and errorMessage(). A platform,
// credential or setting added without English texts, an English text left in Vietnamese, or an
// error code (module or server) without an English message fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createStoreLink, errorMessage, localizePlatforms, missingTexts, LANGUAGES, SyncError, runSync } from 'storelink';
import { platformTexts, resolveLang } from 'storelink/i18n';

const sl = await createStoreLink();
const VI = sl.platforms();
const EN = sl.platforms({ lang: 'en' });

/** Vietnamese letters: a base letter with a combining mark (ă â ê ô ơ ư and the five tones) or đ. */
const VIETNAMESE = /[\u0300-\u036f]|[đĐ]/;
const vietnamese = (s) => VIETNAMESE.test(String(s ?? '').normalize('NFD'));

/** Every human text of a platform, with its path. */
function texts(p) {
  const out = [[`${p.id}.description`, p.description]];
  for (const kind of ['credentials', 'settings']) {
    for (const f of p[kind]) {
      for (const k of ['label', 'help', 'example']) if (k in f) out.push([`${p.id}.${kind}.${f.key}.${k}`, f[k]]);
    }
  }
  return out;
}

test('platforms({lang}): Vietnamese by default, English on request, the same data otherwise', () => {
  assert.deepEqual(LANGUAGES, ['vi', 'en']);
  assert.deepEqual(sl.platforms({ lang: 'vi' }), VI);
  assert.deepEqual(sl.platforms({}), VI);
  assert.deepEqual(sl.platforms({ lang: 'en-GB' }), EN, 'a language tag picks its language');
  assert.equal(VI[0].description, 'Phần mềm quản lý bán hàng phổ biến cho cửa hàng bán lẻ.');
  assert.equal(EN[0].description, 'Popular sales-management software for retail shops.');
  // Only texts differ: ids, keys, flags, order, entities, hosts are the module's.
  const strip = (list) =>
    list.map((p) => ({
      ...p,
      description: null,
      credentials: p.credentials.map((f) => ({ ...f, label: null, help: null, example: null })),
      settings: p.settings.map((f) => ({ ...f, label: null, help: null })),
    }));
  assert.deepEqual(strip(EN), strip(VI));
  assert.throws(() => sl.platforms({ lang: 'fr' }), (e) => e instanceof SyncError && e.code === 'invalid_input' && e.field === 'lang');
  assert.equal(resolveLang(undefined), 'vi');
});

test('platforms({lang: "en"}): every platform, credential and setting has English texts, none still Vietnamese', () => {
  assert.deepEqual(missingTexts(VI, 'en'), [], 'add the English texts to wasm/js/i18n/en.js');
  for (const p of EN) {
    for (const [path, text] of texts(p)) assert.ok(!vietnamese(text), `${path} is still Vietnamese: ${text}`);
  }
  // A translated help is a translation, not the Vietnamese copied.
  for (const [i, p] of EN.entries()) {
    assert.notEqual(p.description, VI[i].description, p.id);
    for (const [j, f] of p.credentials.entries()) if (f.help) assert.notEqual(f.help, VI[i].credentials[j].help, `${p.id}.${f.key}`);
  }
  // No texts for platforms or fields the module no longer has (a renamed key would leave them behind).
  const table = platformTexts('en');
  assert.deepEqual(Object.keys(table).sort(), VI.map((p) => p.id).sort());
  for (const p of VI) {
    assert.deepEqual(Object.keys(table[p.id].credentials).sort(), p.credentials.map((f) => f.key).sort(), p.id);
    assert.deepEqual(Object.keys(table[p.id].settings).sort(), p.settings.map((f) => f.key).sort(), p.id);
  }
  // Where-to-find help keeps its facts: KiotViet's API page, Pancake's header name, Odoo's plans.
  const en = Object.fromEntries(EN.map((p) => [p.id, p]));
  assert.match(en.kiotviet.credentials.find((f) => f.key === 'clientId').help, /API connection settings/);
  assert.match(en.pancake.credentials.find((f) => f.key === 'shopId').label, /x-store-id/);
  assert.match(en.odoo.credentials.find((f) => f.key === 'apiKey').help, /Custom plan/);
});

test('missingTexts(): a platform or field added later without English is reported, and stays readable', () => {
  const added = [
    ...VI,
    { id: 'moi', displayName: 'Mới', description: 'Nền tảng mới.', credentials: [{ key: 'token', label: 'Mã', help: 'Lấy ở đâu', secret: true, example: '' }], settings: [] },
  ];
  const kv = structuredClone(VI[0]);
  kv.settings.push({ key: 'warehouse', label: 'Kho', kind: 'branch', help: 'Chọn kho.' });
  added[0] = kv;
  assert.deepEqual(missingTexts(added, 'en'), [
    'kiotviet.settings.warehouse.label',
    'kiotviet.settings.warehouse.help',
    'moi.description',
    'moi.credentials.token.label',
    'moi.credentials.token.help',
  ]);
  const shown = localizePlatforms(added, 'en');
  assert.equal(shown.at(-1).description, 'Nền tảng mới.', 'the Vietnamese text is kept until translated');
  assert.equal(shown[0].settings.at(-1).label, 'Kho');
  assert.deepEqual(missingTexts(added, 'vi'), []);
});

// --- error messages ----------------------------------------------------------------------------

/** The SyncErrorCode union of index.d.ts. */
const MODULE_CODES = [...readFileSync(new URL('../../wasm/js/index.d.ts', import.meta.url), 'utf8').match(/export type SyncErrorCode =([^;]+);/)[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);

/** Every error code the server sends: ApiError / ProxyError codes and literal error bodies in web/server/*.js. */
function serverCodes() {
  const dir = new URL('../../web/server/', import.meta.url);
  const codes = new Set();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(new URL(file, dir), 'utf8');
    for (const m of src.matchAll(/new (?:ApiError|ProxyError)\(\s*\d+\s*,\s*'(\w+)'/g)) codes.add(m[1]);
    for (const m of src.matchAll(/error: \{ code: '(\w+)'/g)) codes.add(m[1]);
    // Connection warnings: warnings.push({ code: 'token_expiring', … }).
    for (const m of src.matchAll(/warnings\.push\(\{ code: '(\w+)'/g)) codes.add(m[1]);
    // OAuth outcomes: {ok: false, code: 'oauth_state'}, fail({ code: 'oauth_denied' }), e?.code ?? 'oauth_failed'.
    for (const m of src.matchAll(/\bcode: (?:'(\w+)'|[\w?.]+ \?\? '(\w+)')/g)) if (/^oauth_/.test(m[1] ?? m[2])) codes.add(m[1] ?? m[2]);
  }
  return [...codes].sort();
}

test('errorMessage(): every module and server code has an English message, never Vietnamese', () => {
  const server = serverCodes();
  assert.ok(server.length >= 10 && server.includes('conflict') && server.includes('unauthorized') && server.includes('oauth_failed'), server.join());
  assert.ok(MODULE_CODES.includes('rate_limited') && MODULE_CODES.length >= 13, MODULE_CODES.join());
  const kiotviet = EN.find((p) => p.id === 'kiotviet');
  for (const code of new Set([...MODULE_CODES, ...server])) {
    for (const platform of [undefined, kiotviet, 'kiotviet']) {
      const text = errorMessage({ code, message: 'Thông báo tiếng Việt.' }, 'en', { platform });
      assert.ok(text && !vietnamese(text), `${code}: ${text}`);
      assert.doesNotMatch(text, /Something went wrong/, `${code} has its own message`);
      assert.doesNotMatch(text, /undefined|null|\{|\}/, `${code}: ${text}`);
    }
  }
  assert.equal(errorMessage({ code: 'brand_new', message: 'Lỗi mới.' }, 'en'), 'Something went wrong (brand_new).');
});

test('errorMessage(): Vietnamese keeps the original message exactly', () => {
  const e = new SyncError({ code: 'invalid_credentials', message: 'Không xác thực được với KiotViet: vui lòng kiểm tra lại Tên gian hàng.' });
  assert.equal(errorMessage(e), e.message);
  assert.equal(errorMessage(e, 'vi'), e.message);
  assert.equal(errorMessage(e.toJSON(), 'vi', { platform: 'kiotviet' }), e.message);
  assert.equal(errorMessage({ code: 'conflict', message: 'Đang đồng bộ dữ liệu này.' }, 'vi'), 'Đang đồng bộ dữ liệu này.');
});

test('errorMessage(): English names the platform and the field at fault, from code, field and detail', () => {
  const kv = EN.find((p) => p.id === 'kiotviet');
  const en = (error, options) => errorMessage(error, 'en', options);
  // The core's and the server's "please enter X" (field "clientSecret" / "credentials.clientSecret").
  assert.equal(en({ code: 'invalid_input', field: 'clientSecret', detail: 'missing credential clientSecret' }, { platform: kv }), 'Enter the Secret Key.');
  assert.equal(en({ code: 'invalid_input', field: 'credentials.retailer', detail: 'missing retailer' }, { platform: 'kiotviet' }), 'Enter the Shop name.');
  assert.equal(en({ code: 'invalid_input', field: 'shop', detail: 'invalid credential shop' }, { platform: 'haravan' }), 'The Shop name is not valid: it should look like my-shop.');
  assert.equal(en({ code: 'invalid_input', field: 'clientId', detail: 'whitespace in clientId' }, { platform: kv }), 'The Client ID must not contain spaces — copy it again.');
  assert.equal(en({ code: 'invalid_input', field: 'branchId' }, { platform: 'kiotviet' }), 'Check the Branch: it is not valid.');
  assert.equal(en({ code: 'invalid_input', field: 'platform' }), 'This platform is not supported.');
  assert.equal(en({ code: 'invalid_input', field: 'limit' }), 'Check the page size: it is not valid.');
  // A rejected sign-in lists the fields the shop owner typed.
  assert.equal(
    en({ code: 'invalid_credentials', httpStatus: 401 }, { platform: kv }),
    'Could not sign in to KiotViet: the credentials are wrong, expired or revoked — check the Shop name, Client ID and Secret Key.',
  );
  assert.equal(en({ code: 'invalid_credentials', field: 'database' }, { platform: EN.find((p) => p.id === 'odoo') }), 'Odoo did not accept the Database name. Check it and try again.');
  assert.equal(en({ code: 'rate_limited' }, { platform: kv, waitMs: 2500 }), 'KiotViet is rate limiting; retrying in 3 s.');
  assert.match(en({ code: 'rate_limited' }, { platform: kv }), /^KiotViet is limiting API calls; .*Try again in a few minutes\.$/);
  assert.equal(en({ code: 'server_error', httpStatus: 503 }, { platform: kv }), 'KiotViet’s server is having problems (HTTP 503); StoreLink retried several times. Try again later.');
  assert.match(en({ code: 'platform_error', httpStatus: 400, platformCode: 'BadRequest' }, { platform: kv }), /^KiotViet rejected the request \(HTTP 400\), code BadRequest\./);
  // The server's conflicts say which one.
  assert.equal(en({ code: 'conflict', detail: 'run r1 is running' }), 'This data is already syncing.');
  assert.equal(en({ code: 'conflict', detail: 'disconnected' }), 'This connection was disconnected. Enter the connection details again to reconnect.');
  assert.equal(en({ code: 'conflict', detail: 'pending oauth' }, { platform: EN.find((p) => p.id === 'nhanh') }), 'This connection is not authorized on Nhanh.vn yet.');
  assert.equal(en({ code: 'unsupported', detail: 'platform odoo is coming_soon' }, { platform: EN.find((p) => p.id === 'odoo') }), 'Odoo is coming soon and cannot be connected yet.');
});

test('errorMessage(): real module errors read in English', async () => {
  const sapo = EN.find((p) => p.id === 'sapo');
  const { errors } = sl.checkCredentials('sapo', {});
  assert.deepEqual(errors.map((e) => errorMessage(e, 'en', { platform: sapo })), ['Enter the Shop name.', 'Enter the API Key.', 'Enter the API Secret.']);
  assert.deepEqual(errors.map((e) => errorMessage(e, 'vi')), errors.map((e) => e.message));
  // A sign-in the platform refuses, through a real job.
  const job = sl.createSync({ platform: 'kiotviet', entity: 'products' });
  const refused = await runSync(job, async () => ({ status: 400, headers: {}, body: '{"error":"invalid_client"}' })).catch((e) => e);
  assert.equal(refused.code, 'invalid_credentials');
  assert.match(refused.message, /Không xác thực được với KiotViet/);
  assert.equal(
    errorMessage(refused, 'en', { platform: EN.find((p) => p.id === 'kiotviet') }),
    'Could not sign in to KiotViet: the credentials are wrong, expired or revoked — check the Shop name, Client ID and Secret Key.',
  );
  job.dispose();
});
