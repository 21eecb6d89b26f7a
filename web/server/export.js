// CSV export of unified records: one row per record, the columns a shop owner reads in Excel.
// UTF-8 with a BOM (Excel otherwise misreads Vietnamese), RFC 4180 quoting, and cells that
// start like a formula (= + - @) prefixed with ' so a spreadsheet never evaluates them.

export const CSV_COLUMNS = [
  ['type', (r) => r.type],
  ['platform', (r) => r.platform],
  ['externalId', (r) => r.externalId],
  ['code', (r) => r.code ?? r.sku ?? null],
  ['name', (r) => r.name ?? r.customer?.name ?? null],
  ['status', (r) => r.status ?? (r.active === false ? 'inactive' : r.active === true ? 'active' : null)],
  ['phone', (r) => r.phone ?? r.customer?.phone ?? null],
  ['email', (r) => r.email ?? r.customer?.email ?? null],
  ['total', (r) => r.total ?? r.totalSpent ?? null],
  ['stock', (r) => r.totalStock ?? null],
  ['price', (r) => (Array.isArray(r.variants) && r.variants.length ? r.variants[0]?.price ?? null : null)],
  ['createdAt', (r) => r.createdAt],
  ['updatedAt', (r) => r.updatedAt],
  ['deleted', (r) => (r.deleted ? 'true' : 'false')],
  ['connectionId', (r) => r.connectionId],
];

export function csvCell(v) {
  if (v == null) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Async iterable of records → async iterable of CSV text chunks. */
export async function* toCsv(records) {
  yield `\ufeff${CSV_COLUMNS.map(([h]) => h).join(',')}\r\n`;
  let chunk = '';
  for await (const r of records) {
    chunk += `${CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(',')}\r\n`;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
