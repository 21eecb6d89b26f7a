// Types of `storelink/i18n` (also re-exported by `storelink`): languages of the package's texts.
import type { ErrorInfo, Language, PlatformInfo, PlatformId } from '../index.js';

export type { Language };
export const LANGUAGES: readonly Language[];

/** 'vi' | 'en' from a language tag ('en-GB' → 'en'); undefined → 'vi'; others throw SyncError invalid_input (field 'lang'). */
export function resolveLang(lang?: string | null): Language;

/** platforms() data in `lang` (what `sl.platforms({ lang })` returns); missing texts stay Vietnamese. */
export function localizePlatforms(platforms: PlatformInfo[], lang: Language | string): PlatformInfo[];

/** Texts `lang` lacks for these platforms, as paths ("misa.credentials.appId.help"); [] when complete. */
export function missingTexts(platforms: PlatformInfo[], lang?: Language | string): string[];

export interface PlatformTexts {
  description: string;
  credentials: Record<string, { label: string; help: string; example?: string }>;
  settings: Record<string, { label: string; help: string }>;
}
/** The translation table of `lang` (platform id → texts); null for Vietnamese, the module's own language. */
export function platformTexts(lang: Language | string): Record<PlatformId | string, PlatformTexts> | null;

export interface ErrorMessageOptions {
  /** The platform the error is about: names it, and turns `field` into that field's label. */
  platform?: PlatformInfo | PlatformId;
  /** The label of the field at fault, when the caller knows it better. */
  label?: string;
  /** A rate-limit wait in progress: "retrying in N s". */
  waitMs?: number;
}
/**
 * A shop-owner message for a SyncError, its ErrorInfo, or a StoreLink server error body
 * (`{code, message, field, detail}`). 'vi' returns `message` unchanged; 'en' is built from `code`
 * (every SyncErrorCode and the server's codes), `field`, `httpStatus` and known `detail` forms.
 */
export function errorMessage(
  error: Pick<ErrorInfo, 'code'> & Partial<Omit<ErrorInfo, 'code'>> | { code: string; message?: string; field?: string | null; detail?: string | null },
  lang?: Language | string,
  options?: ErrorMessageOptions,
): string;
