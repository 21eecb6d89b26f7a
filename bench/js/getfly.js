// Plain-JS baseline for Getfly CRM (src/connectors/getfly.cpp): what a good JS developer would
// write for the v6.1 list mapping. JSON.parse + object mapping; the bench checks equality with
// sl.normalize on every body. Webhooks and raw:true are out of scope.
import { parseLocalDateTime, isoUtc, dateOnly, foldVietnamese, str, text, num, id, bool, obj, phone, mapRows } from './values.js';

const VN_OFFSET_MIN = 7 * 60;

function gfTime(v) {
  const s = text(v);
  return s === null || s.startsWith('0000-00-00') ? null : parseLocalDateTime(s, VN_OFFSET_MIN);
}
const iso = (ms) => (ms === null ? null : isoUtc(ms));
const isHttpUrl = (s) => s.startsWith('http://') || s.startsWith('https://');
const noZero = (v) => (v === '0' ? null : v);

function head(type, o, externalId, createdFallback = null) {
  const created = gfTime(o.created_at) ?? createdFallback;
  return { type, platform: 'getfly', externalId, createdAt: iso(created), updatedAt: iso(gfTime(o.updated_at) ?? created), deleted: false };
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'", '&nbsp;': ' ' };
const BREAKS = new Set(['br', 'br/', '/p', '/div', '/li', '/h1', '/h2', '/h3', '/tr']);

/** HTML → plain text as the core's htmlToText: tags dropped (block ends → line breaks), a few entities, lines trimmed. */
function htmlToText(html) {
  const cut = html.indexOf('<', html.lastIndexOf('>') + 1); // a cut-off tag: drop the rest
  const text = (cut < 0 ? html : html.slice(0, cut)).replace(/<([^>]*)>|&(?:amp|lt|gt|quot|#39|apos|nbsp);/g, (m, inner) => {
    if (inner === undefined) return ENTITIES[m];
    const name = /^(?:[^ /][^ /]{0,5}|\/[^ /]{0,5})/.exec(inner)?.[0].slice(0, 6).toLowerCase() ?? '';
    return BREAKS.has(name) ? '\n' : '';
  });
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length ? lines.join('\n') : null;
}

function mapProduct(o) {
  const pid = id(o.id) ?? id(o.product_id);
  if (pid === null) return null;
  const html = text(o.description);
  const description = text(o.short_description) ?? (html === null ? null : htmlToText(html));
  const images = [];
  const featured = text(o.featured_image);
  if (featured !== null && isHttpUrl(featured)) images.push(featured);
  for (const i of Array.isArray(o.images) ? o.images : []) {
    const url = typeof i === 'string' ? text(i) : obj(i) ? text(i.url) ?? text(i.file_url) ?? text(i.image_url) : null;
    if (url !== null && isHttpUrl(url) && !images.includes(url)) images.push(url);
  }
  const name = text(o.product_name);
  const sku = text(o.product_code);
  const cover = num(o.cover_price);
  const pct = num(o.discount) ?? 0;
  const discounted = cover !== null && pct > 0 && pct < 100; // `discount` is a percentage off cover_price
  return Object.assign(head('product', o, pid), {
    name,
    sku,
    barcode: null,
    description,
    category: text(o.category_name),
    brand: text(o.manufacturer_name),
    active: null,
    images,
    taxRate: num(o.product_vat),
    parentExternalId: null,
    variants: [{
      externalId: pid, sku, barcode: null, name, options: {},
      price: discounted ? cover * (1 - pct / 100) : cover,
      compareAtPrice: discounted ? cover : null,
      cost: num(o.price_average_in), weightGrams: null, stock: [], totalStock: null,
    }],
    totalStock: null,
  });
}

const STATUS_WORDS = [
  ['pending', ['cho duyet', 'pending']],
  ['cancelled', ['huy', 'cancel']],
  ['returned', ['tra hang', 'hoan hang', 'return']],
  ['completed', ['hoan thanh', 'complete', 'da giao', 'delivered']],
  ['shipping', ['dang giao', 'van chuyen', 'shipping']],
  ['processing', ['dang xu ly', 'processing']],
  ['confirmed', ['da duyet', 'approved', 'xac nhan', 'confirm']],
];

function orderStatus(code, label) {
  if (code === 1) return 'pending';
  if (label === null) return null;
  const t = foldVietnamese(label);
  return STATUS_WORDS.find(([, words]) => words.some((w) => t.includes(w)))?.[0] ?? null;
}

function paymentStatus(o, total) {
  if (bool(o.has_pay_off) === true) return 'paid';
  const label = text(o.payment_status);
  if (label !== null) {
    const t = foldVietnamese(label);
    if (t.includes('mot phan') || t.includes('partial')) return 'partially_paid';
    if (t.includes('chua') || t.includes('unpaid')) return 'unpaid';
    if (t.includes('da thanh toan') || t === 'paid') return 'paid';
  }
  const paid = num(o.f_amount);
  if (paid === null || total === null) return null;
  if (paid <= 0) return total <= 0 ? 'paid' : 'unpaid';
  return paid + 0.005 >= total ? 'paid' : 'partially_paid';
}

function mapOrder(o) {
  const oid = id(o.id) ?? id(o.order_id);
  if (oid === null) return null;
  const label = text(o.status_label);
  const total = num(o.real_amount);
  const accountId = noZero(id(o.account_id));
  const name = text(o.account_name) ?? text(o.contact_name);
  const addr = text(o.account_address);
  let subtotal = 0;
  let anyLine = false;
  const lines = (Array.isArray(o.order_details) ? o.order_details : []).map((d) => {
    const productId = id(d?.product_id);
    const quantity = num(d?.quantity);
    const unitPrice = num(d?.price);
    const q = quantity ?? 0;
    const amount = num(d?.amount); // after the line discount
    const origin = num(d?.origin_amount); // before it
    let discount = 0;
    if (amount !== null && origin !== null) discount = origin - amount;
    else if (num(d?.cash_discount) !== null) discount = num(d.cash_discount);
    else if (num(d?.product_sale_off) !== null && unitPrice !== null) discount = (unitPrice * q * num(d.product_sale_off)) / 100;
    const lineTotal = amount ?? (unitPrice !== null ? unitPrice * q - discount : null);
    if (lineTotal !== null) {
      subtotal += lineTotal;
      anyLine = true;
    }
    return { productExternalId: productId, variantExternalId: productId, sku: text(d?.product_code), name: text(d?.product_name), quantity, unitPrice, discount, total: lineTotal };
  });
  const sub = anyLine ? subtotal : null;
  const discountMoney = num(o.discount_amount);
  const discountPct = num(o.discount);
  let discount = 0;
  if (discountMoney !== null && discountMoney > 0) discount = discountMoney;
  else if (discountPct !== null && discountPct > 0 && sub !== null) discount = (sub * discountPct) / 100;
  return Object.assign(head('order', o, oid, gfTime(o.order_date)), {
    code: text(o.order_code),
    status: orderStatus(num(o.status), label),
    platformStatus: label ?? str(o.status),
    paymentStatus: paymentStatus(o, total),
    customer: accountId !== null || name !== null
      ? { externalId: accountId, name, phone: phone(text(o.account_phone)) ?? phone(text(o.contact_phone)), email: text(o.account_email) ?? text(o.contact_email) }
      : null,
    lines,
    subtotal: sub,
    discount,
    shippingFee: null,
    tax: num(o.vat_amount),
    total,
    currency: 'VND',
    shippingAddress: addr === null ? null : { name: text(o.contact_name) ?? name, phone: phone(text(o.contact_phone)) ?? phone(text(o.account_phone)), address: addr, ward: null, district: null, province: null, country: null },
    locationId: noZero(id(o.store_id)),
    note: null,
  });
}

function gender(g) {
  if (typeof g !== 'string') return null; // numeric codes are undocumented
  const t = foldVietnamese(g);
  return t === 'nam' || t === 'male' ? 'male' : t === 'nu' || t === 'female' ? 'female' : null;
}

function mapAccount(o) {
  const cid = id(o.id) ?? id(o.account_id);
  if (cid === null) return null;
  let ph = phone(text(o.phone_office));
  let email = text(o.email);
  for (const ct of Array.isArray(o.contacts) ? o.contacts : []) { // contact persons fill what the account lacks
    ph ??= phone(text(ct?.phone_mobile)) ?? phone(text(ct?.phone));
    email ??= text(ct?.email);
  }
  const birthday = text(o.birthday);
  const street = text(o.billing_address_street);
  const rel = text(o.relation_name);
  return Object.assign(head('customer', o, cid), {
    name: text(o.account_name),
    phone: ph,
    email,
    gender: gender(o.gender),
    birthday: birthday === null ? null : dateOnly(birthday),
    address: street === null ? null : { name: null, phone: null, address: street, ward: null, district: null, province: null, country: null },
    totalSpent: num(o.total_revenue),
    orderCount: null,
    groups: rel === null ? [] : [rel],
  });
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapAccount };

/** normalize(entity, text) → {records, errors, total, removedIds}, like sl.normalize('getfly', …). */
export function normalize(entity, bodyText) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no Getfly mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  const rows = body?.data ?? body?.records;
  if (!Array.isArray(rows)) throw new Error('bench baseline: expected a list page');
  const { records, errors } = mapRows(rows, map, 'Getfly');
  // No total count: when the list says it has no more, the total is where this page ends.
  const total = bool(body.has_more) === false ? (num(body.offset) ?? 0) + rows.length : null;
  return { records, errors, total, removedIds: [] };
}
