// Plain-JS baseline for Pancake POS (src/connectors/pancake.cpp): what a good JS developer would
// write for the list-page mapping ({data: [...], total_entries}). JSON.parse + object mapping; the
// bench checks equality with sl.normalize on every body. Webhooks, single objects ({data: {...}})
// and raw:true are out of scope.
import { parseLocalDateTime, isoUtc, dateOnly, str, text, num, id, bool, obj, phone, mapRows } from './values.js';

/** Naive ISO-8601 in UTC ("2026-05-07T11:04:38.590469") → epoch ms. */
function pcTime(v) {
  const s = text(v);
  return s === null ? null : parseLocalDateTime(s, 0);
}
const iso = (ms) => (ms === null ? null : isoUtc(ms));
const flag = (v) => bool(v) === true;
const noNegZero = (n) => (n === 0 ? 0 : n); // the core never writes -0
/** std::round: halves away from zero (Math.round sends -2.5 to -2). */
const roundHalfAway = (x) => (x < 0 ? -Math.round(-x) : Math.round(x));

/** A string, or the first non-blank one of an array (phone_numbers, emails). */
function firstText(v) {
  if (!Array.isArray(v)) return text(v);
  for (const x of v) {
    const s = text(x);
    if (s !== null) return s;
  }
  return null;
}

function addImage(images, url) {
  if (url !== null && (url.startsWith('https://') || url.startsWith('http://')) && !images.includes(url)) images.push(url);
}

/** `fields: [{name, value}]` → [[name, value], …] in order (items may also carry id/keyValue). */
function optionPairs(fields) {
  const pairs = [];
  if (Array.isArray(fields)) {
    for (const f of fields) {
      const name = text(f?.name);
      const value = text(f?.value);
      if (name !== null && value !== null) pairs.push([name, value]);
    }
  }
  return pairs;
}
/** "Áo thun" + [[Màu, Đỏ], [Size, M]] → "Áo thun - Đỏ / M". */
const withOptions = (name, pairs) => (pairs.length === 0 ? name : `${name} - ${pairs.map((p) => p[1]).join(' / ')}`);

// --- products -----------------------------------------------------------------------------

function mapVariation(v, productName, images) {
  const vid = id(v.id);
  if (vid === null || flag(v.is_removed)) return null;
  const pairs = optionPairs(v.fields);
  // retail_price_after_discount is the promotional price when lower than the list price.
  const retail = num(v.retail_price);
  const after = num(v.retail_price_after_discount);
  const onSale = retail !== null && after !== null && after > 0 && after < retail;
  let cost = num(v.average_imported_price);
  if (cost === null || cost <= 0) cost = num(v.last_imported_price);
  if (cost !== null && cost <= 0) cost = null;
  if (Array.isArray(v.images)) for (const u of v.images) addImage(images, text(u));
  // remain_quantity = sellable, actual_remain_quantity = physically on hand.
  const stock = [];
  let summed = null;
  if (Array.isArray(v.variations_warehouses)) {
    for (const w of v.variations_warehouses) {
      const locationId = id(w?.warehouse_id);
      if (locationId === null) continue;
      const available = num(w.remain_quantity);
      stock.push({ locationId, onHand: num(w.actual_remain_quantity) ?? num(w.total_quantity), available });
      if (available !== null) summed = (summed ?? 0) + available;
    }
  }
  return {
    externalId: vid,
    sku: text(v.display_id),
    barcode: text(v.barcode),
    name: productName === null ? null : withOptions(productName, pairs),
    options: Object.fromEntries(pairs),
    price: onSale ? after : retail,
    compareAtPrice: onSale ? retail : null,
    cost,
    weightGrams: num(v.weight),
    stock,
    totalStock: num(v.remain_quantity) ?? summed, // Pancake's own sum when it gives one
  };
}

function firstCategory(categories) {
  if (!Array.isArray(categories)) return null;
  for (const c of categories) {
    const name = typeof c === 'string' ? text(c) : text(c?.name);
    if (name !== null) return name;
  }
  return null;
}

function mapProduct(o) {
  const pid = id(o.id);
  if (pid === null) return null;
  const created = pcTime(o.inserted_at);
  let updated = pcTime(o.updated_at); // products carry none in practice: their newest variation's
  const name = text(o.name);
  const images = [];
  addImage(images, text(o.image));
  if (Array.isArray(o.images)) for (const u of o.images) addImage(images, text(u));
  const variations = Array.isArray(o.variations) ? o.variations : null;
  const variants = [];
  let totalStock = null;
  let anyVisible = false;
  for (const v of variations ?? []) {
    if (!obj(v)) continue;
    const u = pcTime(v.updated_at);
    if (u !== null && (updated === null || u > updated)) updated = u;
    const variant = mapVariation(v, name, images);
    if (variant === null) continue;
    if (!flag(v.is_hidden)) anyVisible = true;
    if (variant.totalStock !== null) totalStock = (totalStock ?? 0) + variant.totalStock;
    variants.push(variant);
  }
  return {
    type: 'product',
    platform: 'pancake',
    externalId: pid,
    createdAt: iso(created),
    updatedAt: iso(updated ?? created),
    deleted: false,
    name,
    sku: text(o.custom_id) ?? text(o.display_id),
    barcode: null,
    description: text(o.description),
    category: firstCategory(o.categories),
    brand: text(o.brand_name),
    // Removed → off sale; every variation hidden or removed → off sale too.
    active: flag(o.is_removed) ? false : variations !== null ? anyVisible : null,
    images,
    taxRate: num(o.tax_rate),
    parentExternalId: null,
    variants,
    totalStock,
  };
}

// --- orders -------------------------------------------------------------------------------

const ORDER_STATUS = {
  0: 'pending', 11: 'pending', 17: 'pending', 20: 'pending', // new, waiting (confirmation, stock)
  1: 'confirmed',
  8: 'processing', 9: 'processing', 12: 'processing', 13: 'processing', // print, pack, pickup
  2: 'shipping',
  3: 'completed', 16: 'completed', // delivered, money collected
  4: 'returned', 5: 'returned', 15: 'returned', // returning, returned, partly returned
  6: 'cancelled', 7: 'cancelled', // cancelled, removed
};
const PAID_KEYS = ['prepaid', 'cash', 'transfer_money', 'charged_by_card', 'charged_by_momo', 'charged_by_qrpay', 'exchange_payment'];

function paymentStatus(paid, total) {
  if (total === null) return null;
  if (paid <= 0) return total <= 0 ? 'paid' : 'unpaid';
  return paid + 0.005 >= total ? 'paid' : 'partially_paid';
}

/** A Pancake address (orders' shipping_address, customers' shop_customer_addresses[0]); null when empty. */
function mapAddress(a) {
  const out = {
    name: text(a.full_name),
    phone: phone(a.phone_number),
    address: text(a.address) ?? text(a.full_address),
    ward: text(a.commune_name) ?? text(a.commnue_name), // the typo key exists next to the right one
    district: text(a.district_name),
    province: text(a.province_name),
    country: null,
  };
  const cc = str(a.country_code);
  if (cc === '84' || cc === 'VN' || out.address !== null || out.province !== null) out.country = 'VN';
  const any = out.address !== null || out.ward !== null || out.district !== null || out.province !== null || out.name !== null || out.phone !== null;
  return any ? out : null;
}

function mapLine(it) {
  const vi = obj(it.variation_info);
  let sku = null;
  let name = null;
  let unitPrice = null;
  if (vi !== null) {
    sku = text(vi.display_id);
    name = text(vi.name);
    if (name !== null) name = withOptions(name, optionPairs(vi.fields));
    unitPrice = num(vi.retail_price);
  }
  unitPrice ??= num(it.retail_price);
  const quantity = num(it.quantity);
  const q = quantity ?? 0;
  // total_discount is the line's; otherwise discount_each_product per unit (a percent when
  // is_discount_percent).
  const lineDiscount = num(it.total_discount);
  const each = num(it.discount_each_product) ?? 0;
  let discount;
  if (lineDiscount !== null && lineDiscount > 0) discount = lineDiscount;
  else if (flag(it.is_discount_percent) && unitPrice !== null) discount = roundHalfAway((unitPrice * q * each) / 100);
  else discount = each * q;
  const total = unitPrice !== null && quantity !== null ? unitPrice * q - discount : null;
  return {
    productExternalId: id(it.product_id),
    variantExternalId: id(it.variation_id),
    sku,
    name,
    quantity,
    unitPrice,
    discount: noNegZero(discount),
    total: total === null ? null : noNegZero(total),
  };
}

function mapOrder(o) {
  const oid = id(o.id);
  if (oid === null) return null;
  const created = pcTime(o.inserted_at);
  const statusCode = num(o.status);
  const status = statusCode === null ? null : ORDER_STATUS[Math.trunc(statusCode)] ?? null;

  const cust = obj(o.customer);
  const customerId = cust === null ? null : id(cust.id);
  const customerName = text(o.bill_full_name) ?? (cust === null ? null : text(cust.name));
  const customerPhone = phone(o.bill_phone_number) ?? (cust === null ? null : phone(firstText(cust.phone_numbers)));
  const email = text(o.bill_email) ?? (cust === null ? null : firstText(cust.emails));

  const lines = [];
  let subtotal = 0;
  let lineDiscounts = 0;
  let anyLine = false;
  if (Array.isArray(o.items)) {
    for (const it of o.items) {
      if (!obj(it)) continue;
      const line = mapLine(it);
      if (line.total !== null) {
        subtotal += line.total;
        lineDiscounts += line.discount;
        anyLine = true;
      }
      lines.push(line);
    }
  }
  // total_discount on the order includes the lines' discounts: the order-level part is the rest.
  const totalDiscount = num(o.total_discount);
  const discount = totalDiscount === null ? null : Math.max(0, totalDiscount - lineDiscounts);
  const shippingFee = num(o.shipping_fee);
  const tax = num(o.tax);
  // What the buyer owes: items before discounts − total_discount + shipping (unless free) +
  // surcharge + tax. total_price_after_sub_discount already counts the shipping fee.
  const gross = num(o.total_price);
  const afterDiscount = gross !== null ? gross - (totalDiscount ?? 0) : anyLine ? subtotal - (discount ?? 0) : null;
  const total = afterDiscount !== null
    ? afterDiscount + (flag(o.is_free_shipping) ? 0 : shippingFee ?? 0) + (num(o.surcharge) ?? 0) + (tax ?? 0)
    : num(o.total_price_after_sub_discount);
  let paid = 0;
  for (const k of PAID_KEYS) paid += num(o[k]) ?? 0;

  const shipping = obj(o.shipping_address);
  return {
    type: 'order',
    platform: 'pancake',
    externalId: oid,
    createdAt: iso(created),
    updatedAt: iso(pcTime(o.updated_at) ?? created),
    deleted: false,
    code: oid,
    status,
    platformStatus: text(o.status_name) ?? str(o.status),
    paymentStatus: status === 'completed' ? 'paid' : paymentStatus(paid, total),
    customer: customerId !== null || customerName !== null || customerPhone !== null
      ? { externalId: customerId, name: customerName, phone: customerPhone, email }
      : null,
    lines,
    subtotal: anyLine ? subtotal : null,
    discount,
    shippingFee,
    tax,
    total,
    currency: text(o.order_currency) ?? 'VND',
    shippingAddress: shipping === null ? null : mapAddress(shipping),
    locationId: id(o.warehouse_id),
    note: text(o.note),
  };
}

// --- customers ----------------------------------------------------------------------------

function mapCustomer(o) {
  const cid = id(o.id);
  if (cid === null) return null;
  const created = pcTime(o.inserted_at);
  const gender = text(o.gender)?.toLowerCase();
  const birthday = text(o.date_of_birth);
  const addresses = o.shop_customer_addresses;
  const first = Array.isArray(addresses) ? obj(addresses[0]) : null;
  const groups = [];
  const level = obj(o.level) === null ? null : text(o.level.name);
  if (level !== null) groups.push(level);
  if (Array.isArray(o.tags)) {
    for (const t of o.tags) {
      const tag = obj(t) === null ? text(t) : text(t.name);
      if (tag !== null) groups.push(tag);
    }
  }
  return {
    type: 'customer',
    platform: 'pancake',
    externalId: cid,
    createdAt: iso(created),
    updatedAt: iso(pcTime(o.updated_at) ?? created),
    deleted: false,
    name: text(o.name),
    phone: phone(firstText(o.phone_numbers)),
    email: firstText(o.emails),
    gender: gender === 'male' || gender === 'female' ? gender : null,
    birthday: birthday === null ? null : dateOnly(birthday),
    address: first === null ? null : mapAddress(first),
    totalSpent: num(o.purchased_amount),
    orderCount: num(o.order_count),
    groups,
  };
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapCustomer };

/** normalize(entity, text) → {records, errors, total, removedIds}, like sl.normalize('pancake', …). */
export function normalize(entity, bodyText) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no Pancake POS mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  if (!Array.isArray(body?.data) || bool(body.success) === false) throw new Error('bench baseline: expected a list page');
  const { records, errors } = mapRows(body.data, map, 'Pancake POS');
  return { records, errors, total: num(body.total_entries), removedIds: [] };
}
