// Plain-JS baseline for Odoo (src/connectors/odoo.cpp): what a good JS developer would write
// for the search_read list mapping of product.product, sale.order and res.partner rows.
// JSON.parse + object mapping; the bench checks equality with sl.normalize on every body.
// Odoo's `false` means "no value" and many2one fields are [id, "display name"] pairs.
// Follow-ups (order lines, partners, quants, attribute values), webhooks and raw:true are out
// of scope: a list page alone is what sl.normalize maps here too.
import { parseLocalDateTime, isoUtc, normalizePhone, nonEmpty, text, num, id, bool, obj, mapRows } from './values.js';

// --- Odoo values: false → null ------------------------------------------------------------

const otext = (v) => (v === false ? null : text(v));
const m2oId = (v) => (Array.isArray(v) ? (v.length ? id(v[0]) : null) : v === false ? null : id(v)); // webhooks send a bare id
const m2oName = (v) => (Array.isArray(v) && v.length >= 2 ? text(v[1]) : null);

// Odoo datetimes are UTC without an offset ("2026-05-07 04:04:38").
function otime(v) {
  const s = otext(v);
  return s === null ? null : parseLocalDateTime(s, 0);
}
const iso = (ms) => (ms === null ? null : isoUtc(ms));

// --- products (product.product: each row is its own single variant) -----------------------

// Stock-tracked goods: is_storable (18+), detailed_type (15–17), type (≤17).
function storable(o) {
  if (typeof o.is_storable === 'boolean') return o.is_storable;
  const t = otext(o.detailed_type) ?? otext(o.type);
  return t === null ? null : t === 'product';
}

// "All / Saleable / Áo" → "Áo".
function leafCategory(v) {
  const c = m2oName(v);
  if (c === null) return null;
  const slash = c.lastIndexOf(' / ');
  return slash < 0 ? c : nonEmpty(c.slice(slash + 3));
}

function mapProduct(o) {
  const pid = id(o.id);
  if (pid === null) return null;
  const name = otext(o.name);
  const sku = otext(o.default_code);
  const barcode = otext(o.barcode);
  const active = bool(o.active);
  const saleOk = bool(o.sale_ok);
  const weight = num(o.weight);
  const created = otime(o.create_date);
  let totalStock = null;
  if (storable(o) ?? true) { // services and untracked consumables have no stock figure
    if (typeof o.free_qty === 'number') totalStock = o.free_qty; // on hand − reserved
    else if (typeof o.qty_available === 'number') totalStock = o.qty_available;
  }
  return {
    type: 'product',
    platform: 'odoo',
    externalId: pid,
    createdAt: iso(created),
    updatedAt: iso(otime(o.write_date) ?? created),
    deleted: false,
    name,
    sku,
    barcode,
    description: otext(o.description_sale),
    category: leafCategory(o.categ_id),
    brand: null,
    active: active === null && saleOk === null ? null : (active ?? true) && (saleOk ?? true),
    images: [],
    taxRate: null,
    parentExternalId: m2oId(o.product_tmpl_id),
    variants: [{
      externalId: pid,
      sku,
      barcode,
      name: otext(o.display_name) ?? name,
      options: {},
      price: num(o.lst_price) ?? num(o.list_price),
      compareAtPrice: null,
      cost: num(o.standard_price),
      weightGrams: weight !== null && weight > 0 ? weight * 1000 : null, // kg, Odoo's default unit
      stock: [],
      totalStock,
    }],
    totalStock,
  };
}

// --- orders (sale.order; lines and partner details come from follow-ups) -------------------

// sale_order.py's states; `done` (≤16) and `sale` + locked (17+) are the same thing.
const ORDER_STATUS = new Map([['draft', 'pending'], ['sent', 'pending'], ['sale', 'confirmed'], ['done', 'completed'], ['cancel', 'cancelled']]);

const LINE_BREAK_TAGS = new Set(['br', '/p', '/div', '/li', '/h1', '/h2', '/h3', '/tr']);
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'", '&nbsp;': ' ' };

/** The note's HTML (16+) as plain text: tags dropped, block ends → line breaks, lines trimmed. */
function htmlToText(html) {
  const cut = html.indexOf('<', html.lastIndexOf('>') + 1); // a cut-off tag: drop the rest
  const plain = (cut < 0 ? html : html.slice(0, cut)).replace(
    /<(\/?[^ />]*)[^>]*>|&(?:amp|lt|gt|quot|#39|apos|nbsp);/g,
    (m, tag) => (tag === undefined ? ENTITIES[m] : LINE_BREAK_TAGS.has(tag.toLowerCase()) ? '\n' : ''),
  );
  const lines = plain.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length ? lines.join('\n') : null;
}

function mapOrder(o) {
  const oid = id(o.id);
  if (oid === null) return null;
  const state = otext(o.state);
  const lockedSale = state === 'sale' && bool(o.locked) === true;
  const partnerId = m2oId(o.partner_id);
  const currency = m2oName(o.currency_id);
  const note = otext(o.note);
  const created = otime(o.create_date) ?? otime(o.date_order);
  return {
    type: 'order',
    platform: 'odoo',
    externalId: oid,
    createdAt: iso(created),
    updatedAt: iso(otime(o.write_date) ?? created), // no write_date: when it was created (or ordered)
    deleted: false,
    code: otext(o.name),
    status: lockedSale ? 'completed' : ORDER_STATUS.get(state) ?? null,
    platformStatus: lockedSale ? 'sale (locked)' : state,
    paymentStatus: null,
    customer: partnerId === null ? null : { externalId: partnerId, name: m2oName(o.partner_id), phone: null, email: null },
    lines: [],
    subtotal: num(o.amount_untaxed), // Σ product lines once the lines follow-up arrives
    discount: 0, // Odoo discounts live on the lines
    shippingFee: null,
    tax: num(o.amount_tax),
    total: num(o.amount_total),
    currency: currency !== null && /^[A-Z]{3}$/.test(currency) ? currency : null,
    shippingAddress: null,
    locationId: m2oId(o.warehouse_id),
    note: note === null ? null : htmlToText(note),
  };
}

// --- customers (res.partner) -------------------------------------------------------------

// "Hà Nội (VN)" → "Hà Nội": res.country.state display names end in the two-letter country code.
const STATE_CODE = / \([A-Z]{2}\)$/;

function partnerAddress(p) {
  const street = otext(p.street);
  const street2 = otext(p.street2);
  let state = m2oName(p.state_id);
  if (state !== null && state.length > 5 && STATE_CODE.test(state)) state = state.slice(0, -5);
  const city = otext(p.city);
  // Vietnamese data keeps the province in state_id; `city` then holds the district.
  const province = state ?? city;
  const district = state !== null && city !== state ? city : null;
  const address = street !== null && street2 !== null ? `${street}, ${street2}` : street ?? street2;
  const country = m2oName(p.country_id);
  if (address === null && district === null && province === null && country === null) return null;
  return { name: null, phone: null, address, ward: null, district, province, country };
}

function mapPartner(o) {
  const cid = id(o.id);
  if (cid === null) return null;
  const phone = otext(o.phone) ?? otext(o.mobile);
  const created = otime(o.create_date);
  return {
    type: 'customer',
    platform: 'odoo',
    externalId: cid,
    createdAt: iso(created),
    updatedAt: iso(otime(o.write_date) ?? created),
    deleted: false,
    name: otext(o.name),
    phone: phone === null ? null : normalizePhone(phone),
    email: otext(o.email),
    gender: null,
    birthday: null,
    address: partnerAddress(o),
    totalSpent: null,
    orderCount: typeof o.sale_order_count === 'number' ? o.sale_order_count : null,
    groups: [],
  };
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapPartner };

/** normalize(entity, text) → {records, errors, total, removedIds}, like sl.normalize('odoo', …). */
export function normalize(entity, bodyText) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no Odoo mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  if (obj(body)?.error) throw new Error('bench baseline: an Odoo error body');
  // JSON-RPC {"result": [...]}, JSON-2's bare array, or web_search_read's {"records": [...]}.
  const result = obj(body) && 'result' in body ? body.result : body;
  const rows = Array.isArray(result) ? result : obj(result)?.records;
  if (!Array.isArray(rows)) throw new Error('bench baseline: expected a list page');
  const { records, errors } = mapRows(rows, map, 'Odoo');
  return { records, errors, total: null, removedIds: [] }; // search_read reports no total count
}
