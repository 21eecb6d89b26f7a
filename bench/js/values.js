// Value normalizers for the plain-JS baselines, written the idiomatic JS way (regexes,
// Date, String.prototype methods). They follow include/storelink/normalize.hpp's contract;
// differences are possible only on inputs the bench bodies do not contain (exotic Unicode
// whitespace, non-Vietnamese diacritics), and the bench checks equality on every body.

/** Trimmed, empty → null. */
export function nonEmpty(s) {
  if (s === null || s === undefined) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

// The accessors mirror the C++ js:: helpers' tolerance (numbers-as-strings, ids as either).
export const str = (v) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return null;
};
export const text = (v) => nonEmpty(str(v));
export const num = (v) => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const t = nonEmpty(v);
    if (t === null || !/^[0-9.eE+-]+$/.test(t)) return null;
    const n = Number(t);
    return Number.isFinite(n) ? n : null;
  }
  return null;
};
export const id = (v) => (typeof v === 'string' ? nonEmpty(v) : typeof v === 'number' ? str(v) : null);
export const bool = (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (v === 'true' || v === 'True' || v === '1') return true;
  if (v === 'false' || v === 'False' || v === '0') return false;
  return null;
};
export const obj = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
export const phone = (v) => {
  const s = str(v);
  return s === null ? null : normalizePhone(s);
};

/** The row-level error sl.normalize reports for a row without an id. */
export function rowError(displayName, i) {
  return {
    code: 'unexpected_shape',
    message: `Một dòng dữ liệu ${displayName} thiếu mã (id) nên đã bỏ qua.`,
    detail: `row ${i} has no id`,
    httpStatus: null,
    platformCode: null,
    field: null,
  };
}

/** rows → {records, errors}: map each object row, a row error where the mapper gives null. */
export function mapRows(rows, map, displayName) {
  const records = [];
  const errors = [];
  rows.forEach((row, i) => {
    const rec = obj(row) ? map(row) : null;
    if (rec === null) errors.push(rowError(displayName, i));
    else records.push(rec);
  });
  return { records, errors };
}

const LEGACY_MOBILE = {
  '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036', '0167': '037', '0168': '038', '0169': '039',
  '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
  '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
  '0186': '056', '0188': '058', '0199': '059',
};

function vnSubscriber(national) {
  if (national.length < 2 || national[0] !== '0') return null;
  const kind = national[1];
  if (national.length === 10) return '35789'.includes(kind) ? national.slice(1) : null;
  if (national.length === 11) {
    if (kind === '2') return national.slice(1);
    if (kind === '1') {
      const to = LEGACY_MOBILE[national.slice(0, 4)];
      if (to) return to.slice(1) + national.slice(4);
    }
  }
  return null;
}

/** Vietnamese phones → E.164 (+84…); anything else kept trimmed. */
export function normalizePhone(raw) {
  const t = nonEmpty(raw);
  if (t === null) return null;
  if (!/^[\d\s.()\u00a0+-]*$/.test(t)) return t; // letters, '/', ',': not one phone number
  const plus = /^[^\d]*\+/.test(t);
  if ((t.match(/\+/g) ?? []).length > 1 || (plus && /\d.*\+/.test(t))) return t;
  const digits = t.replace(/\D/g, '');
  if (!digits) return t;
  const afterCc = (rest) => (rest === '' || rest[0] === '0' ? rest : '0' + rest);
  let national;
  if (plus) {
    if (!digits.startsWith('84')) return t;
    national = afterCc(digits.slice(2));
  } else if (digits.startsWith('0084')) national = afterCc(digits.slice(4));
  else if (digits.startsWith('84') && digits.length >= 11) national = afterCc(digits.slice(2));
  else if (digits[0] === '0' && !digits.startsWith('00')) national = digits;
  else return t;
  const sub = vnSubscriber(national);
  return sub === null ? t : `+84${sub}`;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(?: ?(Z|z|[+-]\d{2}(?::?\d{2})?))?$/;

function validDate(y, m, d) {
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** ISO date-time → epoch ms; no offset → read at `offsetMinutes` east of UTC. Invalid → null. */
export function parseLocalDateTime(s, offsetMinutes) {
  const m = ISO_RE.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +sec > 59) return null;
  if (zone && !m[4]) return null; // an offset needs a time
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, +(frac + '00').slice(0, 3));
  let offset = offsetMinutes;
  if (zone) {
    if (zone === 'Z' || zone === 'z') offset = 0;
    else {
      const digits = zone.slice(1).replace(':', '');
      const hh = +digits.slice(0, 2);
      const mm = +(digits.slice(2, 4) || 0);
      if (hh > 23 || mm > 59) return null;
      offset = (zone[0] === '-' ? -1 : 1) * (hh * 60 + mm);
    }
  }
  return ms - offset * 60_000;
}

export const isoUtc = (ms) => new Date(ms).toISOString();

/** A date or date-time (ISO, or dd/MM/yyyy) → "YYYY-MM-DD" as written. */
export function dateOnly(s) {
  const t = s.trim();
  if (parseLocalDateTime(t, 0) !== null) return t.slice(0, 10);
  const m = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (!m) return null;
  const [, d, , mo, y, hh = '0', mm = '0', ss = '0'] = m;
  if (!validDate(+y, +mo, +d) || +hh > 23 || +mm > 59 || +ss > 59) return null;
  return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

/** "Đỗ Thị Ánh" → "do thi anh". */
export function foldVietnamese(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

/** KiotViet "Tỉnh - Quận" → [province, district]; "Bà Rịa - Vũng Tàu" is one province. */
export function splitProvinceDistrict(s) {
  const t = s.trim();
  if (!t) return [null, null];
  const padded = ` ${t} `;
  // startsWith, not a search: the province must open the text.
  const brvt = /^ b[aà] r[iị]a - v[uũ]ng t[aà]u(?= )/i.exec(padded);
  const from = brvt ? brvt[0].length : 0;
  const cut = padded.indexOf(' - ', from);
  if (cut < 0) return [nonEmpty(t), null];
  return [nonEmpty(padded.slice(0, cut)), nonEmpty(padded.slice(cut + 3))];
}
