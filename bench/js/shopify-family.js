// Plain-JS baseline for the Shopify-style family (Sapo, Haravan): what a good JS developer
// would write for src/connectors/shopify_family.cpp's list mapping. sapo.js and haravan.js
// pass their dialect. JSON.parse + object mapping; the bench checks equality with
// sl.normalize on every body. Webhook bodies, events and raw:true are out of scope.
import { parseLocalDateTime, isoUtc, nonEmpty, dateOnly, foldVietnamese, str, text, num, id, bool, obj, phone, mapRows } from './values.js';

const VN_OFFSET_MS = 7 * 3_600_000;

const fold = (s) => s.replace(/[_\- ]/g, '').toLowerCase();
const folded = (v) => {
  const s = str(v);
  return s === null ? '' : fold(s);
};
const firstText = (o, keys) => {
  for (const k of keys) {
    const t = text(o[k]);
    if (t !== null) return t;
  }
  return null;
};
const firstNum = (o, keys) => {
  for (const k of keys) {
    const n = num(o[k]);
    if (n !== null) return n;
  }
  return null;
};
const timeOf = (o, keys) => {
  for (const k of keys) {
    const t = text(o[k]);
    if (t !== null) {
      const ms = parseLocalDateTime(t, 0);
      if (ms !== null) return ms;
    }
  }
  return null;
};
const present = (o, keys) => keys.some((k) => o[k] != null);
const iso = (ms) => (ms === null ? null : isoUtc(ms));
const isDefaultTitle = (s) => s !== null && fold(s) === 'defaulttitle';

function head(d, type, o, externalId) {
  const created = timeOf(o, [d.createdKey, 'created_on', 'created_at']);
  const updated = timeOf(o, [d.updatedKey, 'modified_on', 'updated_at', 'updated_on']) ?? created;
  return { type, platform: d.platform, externalId, createdAt: iso(created), updatedAt: iso(updated), deleted: false };
}

export function vietnameseName(o) {
  const first = text(o.first_name);
  const last = text(o.last_name);
  return first !== null && last !== null ? `${last} ${first}` : last ?? first;
}

function absoluteUrl(url) {
  if (url === null) return null;
  if (url.startsWith('//')) return `https:${url}`;
  return url.startsWith('http://') || url.startsWith('https://') ? url : null;
}

function countryOf(a) {
  const code = text(a.country_code);
  if (code !== null && code.length === 2) return code.toUpperCase();
  const country = text(a.country);
  if (country !== null && ['vietnam', 'viet nam', 'vn'].includes(foldVietnamese(country))) return 'VN';
  return country;
}

// Parts joined with ", ", a part equal to the one before it skipped (Sapo repeats the province as the city).
function joinParts(parts) {
  const kept = [];
  for (const p of parts) if (p !== null && p !== kept[kept.length - 1]) kept.push(p);
  return kept.length ? kept.join(', ') : null;
}

function addressOf(a) {
  if (!obj(a)) return null;
  const out = {
    name: text(a.name) ?? vietnameseName(a),
    phone: phone(a.phone),
    address: joinParts([text(a.address1), text(a.address2)]),
    ward: text(a.ward),
    district: text(a.district),
    province: text(a.province) ?? text(a.city),
    country: countryOf(a),
  };
  return out.name ?? out.phone ?? out.address ?? out.ward ?? out.district ?? out.province ? out : null;
}

// --- products --------------------------------------------------------------------------

// Per-location stock: Sapo `inventory_levels` by inventory_item_id, Haravan `inventory_locations` by variant_id.
function stockIndex(body) {
  const byItem = new Map();
  const byVariant = new Map();
  const push = (m, k, s) => (m.has(k) ? m.get(k).push(s) : m.set(k, [s]));
  for (const key of ['inventory_levels', 'inventory_locations']) {
    if (!Array.isArray(body[key])) continue;
    for (const l of body[key]) {
      const locationId = id(l?.location_id) ?? id(l?.loc_id);
      if (locationId === null) continue;
      const s = { locationId, onHand: firstNum(l, ['on_hand', 'qty_onhand']), available: firstNum(l, ['available', 'qty_available']) };
      const item = id(l.inventory_item_id);
      if (item !== null) push(byItem, item, s);
      const variant = id(l.variant_id);
      if (variant !== null) push(byVariant, variant, s);
    }
  }
  return { byItem, byVariant };
}

const WEIGHT_UNITS = { '': 1, g: 1, gram: 1, grams: 1, kg: 1000, lb: 453.59237, oz: 28.349523125 };

function weightGrams(v) {
  const w = num(v.weight);
  const factor = WEIGHT_UNITS[folded(v.weight_unit)];
  if (w !== null && factor !== undefined) return factor === 1 ? w : w * factor;
  return num(v.grams);
}

function stockTracked(v) {
  if (!('inventory_management' in v)) return true;
  const t = text(v.inventory_management);
  return t !== null && fold(t) !== 'none';
}

const byPosition = (list, posOf) => list.map((x, i) => [num(posOf(x)) ?? i + 1, x]).sort((a, b) => a[0] - b[0]);

function mapProduct(d, o, stock) {
  const pid = id(o.id);
  if (pid === null) return null;
  const name = text(o[d.productNameKey]) ?? firstText(o, ['name', 'title']);
  const status = folded(o.status);
  let active = null;
  if (status === 'active') active = true;
  else if (['archived', 'draft', 'inactive', 'hidden'].includes(status)) active = false;
  else if ('published_on' in o) active = o.published_on !== null;
  else if ('published_at' in o) active = o.published_at !== null;

  let images = [];
  if (Array.isArray(o.images)) {
    const urls = o.images.map((img) => [num(img?.position), absoluteUrl(typeof img === 'string' ? text(img) : text(img?.src))]);
    images = urls.map(([pos, url], i) => [pos ?? i + 1, url]).filter(([, url]) => url !== null).sort((a, b) => a[0] - b[0]).map(([, url]) => url);
  }
  if (!images.length && obj(o.image)) {
    const url = absoluteUrl(text(o.image.src));
    if (url !== null) images.push(url);
  }
  const names = Array.isArray(o.options) ? byPosition(o.options, (opt) => opt?.position).map(([, opt]) => text(opt?.name) ?? '') : [];

  let total = 0;
  let anyStock = false;
  const variants = [];
  for (const v of Array.isArray(o.variants) ? o.variants : []) {
    const vid = id(v?.id);
    if (vid === null) continue;
    const title = text(v.title);
    const options = {};
    for (let i = 0; i < 3; i++) {
      const value = text(v[`option${i + 1}`]);
      if (value === null || isDefaultTitle(value)) continue;
      options[names[i] ? names[i] : `Tùy chọn ${i + 1}`] = value;
    }
    const compareAt = num(v.compare_at_price);
    const levels = (() => {
      const item = id(v.inventory_item_id);
      return (item !== null && stock.byItem.get(item)) || stock.byVariant.get(vid) || null;
    })();
    let totalStock = null;
    const levelsOut = [];
    if (levels) {
      let sum = 0;
      for (const s of levels) {
        levelsOut.push({ ...s });
        if (s.available !== null) totalStock = sum += s.available;
      }
    }
    if (totalStock === null && stockTracked(v)) totalStock = num(v.inventory_quantity);
    if (totalStock !== null) {
      total += totalStock;
      anyStock = true;
    }
    variants.push({
      externalId: vid,
      sku: text(v.sku),
      barcode: text(v.barcode),
      name: title === null || isDefaultTitle(title) ? name : name !== null ? `${name} - ${title}` : title,
      options,
      price: num(v.price),
      compareAtPrice: compareAt !== null && compareAt > 0 ? compareAt : null,
      cost: null,
      weightGrams: weightGrams(v),
      stock: levelsOut,
      totalStock,
    });
  }
  if (!variants.length) {
    variants.push({ externalId: pid, sku: null, barcode: null, name, options: {}, price: null, compareAtPrice: null, cost: null, weightGrams: null, stock: [], totalStock: null });
  }
  const single = variants.length === 1;
  return Object.assign(head(d, 'product', o, pid), {
    name,
    sku: single ? variants[0].sku : null,
    barcode: single ? variants[0].barcode : null,
    description: firstText(o, ['content', 'body_html', 'summary', 'body_plain']),
    category: text(o.product_type),
    brand: text(o.vendor),
    active,
    images,
    taxRate: null,
    parentExternalId: null,
    variants,
    totalStock: anyStock ? total : null,
  });
}

// --- orders ----------------------------------------------------------------------------

const PAYMENT = {
  paid: 'paid', partiallypaid: 'partially_paid', refunded: 'refunded', partiallyrefunded: 'partially_refunded',
  pending: 'unpaid', authorized: 'unpaid', unpaid: 'unpaid', voided: 'unpaid', expired: 'unpaid',
};

function orderStatus(o) {
  const state = folded(o.status);
  const financial = folded(o.financial_status);
  const fulfillment = folded(o.fulfillment_status);
  const returns = folded(o.return_status);
  if (state === 'cancelled' || folded(o.cancelled_status) === 'cancelled' || present(o, ['cancelled_on', 'cancelled_at'])) return 'cancelled';
  const fulfilled = fulfillment === 'fulfilled' || fulfillment === 'shipped';
  if (returns === 'returned' || returns === 'fullyreturned' || fulfillment === 'restocked' || (fulfilled && financial === 'refunded')) return 'returned';
  const closed = state === 'closed' || folded(o.closed_status) === 'closed' || present(o, ['closed_on', 'closed_at']);
  const paid = financial === 'paid' || financial === 'partiallyrefunded';
  const delivered = Array.isArray(o.fulfillments) && o.fulfillments.some((f) => folded(f?.shipment_status) === 'delivered' || folded(f?.carrier_status_code) === 'delivered');
  if (closed || present(o, ['completed_on', 'complete_at']) || present(o, ['delivered_on']) || (fulfilled && (paid || delivered))) return 'completed';
  if (fulfilled) return 'shipping';
  if (fulfillment === 'partial' || fulfillment === 'partiallyfulfilled') return 'processing';
  if (folded(o.confirmed_status) === 'confirmed' || present(o, ['confirmed_on', 'confirmed_at'])) return 'confirmed';
  return 'pending';
}

function platformStatus(o) {
  let state = text(o.status);
  if (state === null) {
    if (folded(o.cancelled_status) === 'cancelled') state = 'cancelled';
    else if (folded(o.closed_status) === 'closed') state = 'closed';
    else if ('closed_status' in o || 'cancelled_status' in o) state = 'open';
  }
  const parts = [state, text(o.financial_status), text(o.fulfillment_status)].filter((p) => p !== null);
  return parts.length ? parts.join('/') : null;
}

const sumAmounts = (list) => (Array.isArray(list) ? list.reduce((s, a) => s + (num(a?.amount) ?? 0), 0) : 0);

function orderCustomer(o) {
  const c = obj(o.customer);
  if (c) {
    const addr = obj(c.default_address);
    return {
      externalId: id(c.id),
      name: vietnameseName(c) ?? (addr ? text(addr.name) : null),
      phone: phone(c.phone) ?? (addr ? phone(addr.phone) : null),
      email: text(c.email),
    };
  }
  // A guest checkout: who the order is for, from its own fields.
  const billing = obj(o.billing_address);
  const oc = {
    externalId: null,
    name: billing ? text(billing.name) ?? vietnameseName(billing) : null,
    phone: phone(o.phone) ?? (billing ? phone(billing.phone) : null),
    email: firstText(o, ['email', 'contact_email']),
  };
  return oc.email ?? oc.phone ?? oc.name ? oc : null;
}

function mapOrder(d, o) {
  const oid = id(o.id);
  if (oid === null) return null;
  let subtotal = 0;
  let lineDiscounts = 0;
  let anyLine = false;
  const lines = (Array.isArray(o.line_items) ? o.line_items : []).map((li) => {
    let name = text(li.name);
    if (name === null) {
      const title = text(li.title);
      const vt = text(li.variant_title);
      name = title !== null && vt !== null && !isDefaultTitle(vt) ? `${title} - ${vt}` : title;
    }
    const quantity = num(li.quantity);
    const unitPrice = num(li.price);
    const discount = num(li.total_discount) || sumAmounts(li.discount_allocations) || sumAmounts(li.applied_discounts);
    lineDiscounts += discount;
    let total = null;
    if (unitPrice !== null && quantity !== null) {
      total = unitPrice * quantity - discount;
      subtotal += total;
      anyLine = true;
    }
    return { productExternalId: id(li.product_id), variantExternalId: id(li.variant_id), sku: text(li.sku), name, quantity, unitPrice, discount, total };
  });
  const totalDiscounts = num(o.total_discounts);
  let shippingFee = num(o.total_shipping_price);
  if (shippingFee === null && Array.isArray(o.shipping_lines)) shippingFee = o.shipping_lines.reduce((s, l) => s + (num(l?.price) ?? 0), 0);
  return Object.assign(head(d, 'order', o, oid), {
    code: text(o.name) ?? text(o.order_number),
    status: orderStatus(o),
    platformStatus: platformStatus(o),
    paymentStatus: PAYMENT[folded(o.financial_status)] ?? null,
    customer: orderCustomer(o),
    lines,
    subtotal: anyLine ? subtotal : num(o.total_line_items_price),
    discount: totalDiscounts === null ? null : Math.max(0, totalDiscounts - lineDiscounts),
    shippingFee,
    tax: num(o.total_tax),
    total: num(o.total_price),
    currency: text(o.currency) ?? 'VND',
    shippingAddress: addressOf(o.shipping_address),
    locationId: id(o.location_id),
    note: text(o.note),
  });
}

// --- customers -------------------------------------------------------------------------

function genderOf(g) {
  if (g === null || g === undefined) return null;
  if (typeof g === 'number') return g === 1 ? 'male' : g === 0 ? 'female' : null; // Haravan: 1 = male, 0 = female
  const f = foldVietnamese(str(g) ?? '');
  if (['male', 'm', 'nam', '1'].includes(f)) return 'male';
  if (['female', 'f', 'nu', '0'].includes(f)) return 'female';
  return null;
}

// Sapo `dob` "1990-06-15"; Haravan a timestamp, read as a Vietnam date when it carries a zone.
function birthdayOf(o) {
  const s = firstText(o, ['dob', 'birthday', 'birth_date']);
  if (s === null) return null;
  let date = null;
  if (s.length > 10 && /[Zz]$|[+-]/.test(s.slice(10))) {
    const ms = parseLocalDateTime(s, 0);
    if (ms !== null) date = isoUtc(ms + VN_OFFSET_MS).slice(0, 10);
  } else date = dateOnly(s);
  return date !== null && date < '1900' ? null : date;
}

function mapCustomer(d, o) {
  const cid = id(o.id);
  if (cid === null) return null;
  let addr = obj(o.default_address);
  if (!addr && Array.isArray(o.addresses)) {
    for (const a of o.addresses) if (obj(a) && (!addr || bool(a.default) === true)) addr = a;
  }
  const groups = new Set();
  const group = text(o.group_name);
  if (group !== null) groups.add(group);
  const tags = str(o.tags);
  if (tags !== null) for (const t of tags.split(',')) if (nonEmpty(t) !== null) groups.add(nonEmpty(t));
  return Object.assign(head(d, 'customer', o, cid), {
    name: vietnameseName(o) ?? (addr ? text(addr.name) : null),
    phone: phone(o.phone) ?? (addr ? phone(addr.phone) : null),
    email: text(o.email),
    gender: genderOf(o.gender),
    birthday: birthdayOf(o),
    address: addressOf(addr),
    totalSpent: num(o.total_spent),
    orderCount: num(o.orders_count),
    groups: [...groups],
  });
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapCustomer };

/** A dialect's normalize(entity, text) → {records, errors, total, removedIds}. */
export function familyNormalizer(d) {
  return (entity, bodyText) => {
    const map = MAPPERS[entity];
    if (!map) throw new Error(`bench baseline: no ${d.displayName} mapping for ${entity}`);
    const body = JSON.parse(bodyText);
    if (!Array.isArray(body?.[entity])) throw new Error('bench baseline: expected a list page');
    const stock = entity === 'products' ? stockIndex(body) : null;
    const { records, errors } = mapRows(body[entity], (o) => map(d, o, stock), d.displayName);
    return { records, errors, total: null, removedIds: [] };
  };
}
