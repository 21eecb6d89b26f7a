// Languages of the package's human texts. The wasm core speaks Vietnamese (platform labels,
// help, error messages); English lives here as data (./en.js, ./errors-en.js), so adding a
// language never touches C++. Pure JS: importable without loading the wasm module
// (`storelink/i18n`), e.g. by a page whose module runs in a worker.
import { SyncError } from '../errors.js';
import { platforms as enPlatforms } from './en.js';
import { englishError } from './errors-en.js';

export const LANGUAGES = Object.freeze(['vi', 'en']);
const PLATFORM_TEXTS = { en: enPlatforms };

/** 'vi' | 'en' from a language tag ('en-GB' → 'en'); undefined/null → 'vi'; anything else throws. */
export function resolveLang(lang) {
  if (lang === undefined || lang === null || lang === '') return 'vi';
  const primary = typeof lang === 'string' ? lang.toLowerCase().split(/[-_]/)[0] : null;
  if (primary && LANGUAGES.includes(primary)) return primary;
  throw new SyncError({
    code: 'invalid_input',
    message: 'Ngôn ngữ không được hỗ trợ.',
    detail: `lang must be one of ${LANGUAGES.join(', ')}, got ${typeof lang === 'string' ? JSON.stringify(lang) : typeof lang}`,
    field: 'lang',
  });
}

/** The text table of a language (platform id → {description, credentials, settings}); null for Vietnamese (the module's own). */
export function platformTexts(lang) {
  return PLATFORM_TEXTS[resolveLang(lang)] ?? null;
}

const pick = (text, fallback) => (typeof text === 'string' && text !== '' ? text : fallback);

/**
 * platforms() data in `lang`: the same objects' shape, with description and the credential /
 * setting label, help (and example where it is language-specific) translated. A text the
 * table lacks keeps the module's Vietnamese one (missingTexts() lists those).
 */
export function localizePlatforms(list, lang) {
  const table = platformTexts(lang);
  if (!table) return list;
  return list.map((p) => {
    const t = table[p.id] ?? {};
    return {
      ...p,
      description: pick(t.description, p.description),
      credentials: (p.credentials ?? []).map((f) => {
        const x = t.credentials?.[f.key] ?? {};
        return { ...f, label: pick(x.label, f.label), help: pick(x.help, f.help), example: pick(x.example, f.example) };
      }),
      settings: (p.settings ?? []).map((f) => {
        const x = t.settings?.[f.key] ?? {};
        return { ...f, label: pick(x.label, f.label), help: pick(x.help, f.help) };
      }),
    };
  });
}

/**
 * What `lang` lacks for these platforms: paths like "misa.credentials.appId.help". Every
 * platform needs a description; every credential and setting a label and, when the module
 * has one, a help text.
 */
export function missingTexts(list, lang = 'en') {
  const table = platformTexts(lang);
  if (!table) return [];
  const missing = [];
  const need = (text, path) => {
    if (typeof text !== 'string' || !text.trim()) missing.push(path);
  };
  for (const p of list) {
    const t = table[p.id];
    need(t?.description, `${p.id}.description`);
    for (const kind of ['credentials', 'settings']) {
      for (const f of p[kind] ?? []) {
        const x = t?.[kind]?.[f.key];
        need(x?.label, `${p.id}.${kind}.${f.key}.label`);
        if (f.help) need(x?.help, `${p.id}.${kind}.${f.key}.help`);
      }
    }
  }
  return missing;
}

/**
 * A shop-owner message for an error (SyncError, its toJSON(), or the server's ApiError body) in
 * `lang`. Vietnamese returns the error's own message unchanged. English is built from the
 * stable `code`, `field` (a credential or setting key, also "credentials.<key>"), httpStatus
 * and a few known `detail` forms.
 * options: platform (PlatformInfo or its id: names the platform and finds field labels),
 * label (the field's label, when the caller knows better), waitMs (a rate-limit wait).
 */
export function errorMessage(error, lang = 'vi', options = {}) {
  const code = error?.code ?? 'internal';
  if (resolveLang(lang) === 'vi') return error?.message || `Đã có lỗi (${code}).`;
  return englishError(error ?? { code }, { ...options, texts: enPlatforms });
}
