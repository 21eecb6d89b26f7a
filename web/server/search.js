// Vietnamese-aware search keys: records store a folded text (lower case, no diacritics, đ → d)
// and queries are folded the same way, so "nguyen" finds "Nguyễn" and "Nguyễn" finds "NGUYEN".

export function fold(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

function phoneForms(phone) {
  if (!phone) return [];
  const p = String(phone);
  // E.164 "+84901234567" is also searched as typed locally: "0901234567".
  return p.startsWith('+84') ? [p, `0${p.slice(3)}`] : [p];
}

/** The folded search text of a unified record. */
export function searchKey(r) {
  const parts = [r.externalId, r.name, r.code, r.sku, r.barcode, r.email, ...phoneForms(r.phone), r.platformStatus];
  if (r.customer) parts.push(r.customer.name, r.customer.email, ...phoneForms(r.customer.phone));
  if (Array.isArray(r.variants)) for (const v of r.variants) parts.push(v?.sku, v?.barcode, v?.name);
  if (Array.isArray(r.lines)) for (const l of r.lines.slice(0, 20)) parts.push(l?.sku, l?.name);
  return fold(parts.filter((x) => x != null && x !== '').join(' ')).slice(0, 4000);
}

/**
 * LIKE patterns for a folded query, one per word (%, _ and \ escaped; ESCAPE '\'): every word
 * must appear, in any order, so "ao nam" finds "Áo sơ mi nam" and "0901 nguyen" finds the
 * customer by phone and name.
 */
export function likePatterns(q) {
  return fold(q)
    .split(' ')
    .filter(Boolean)
    .slice(0, 8)
    .map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
