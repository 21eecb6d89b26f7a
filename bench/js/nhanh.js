// Plain-JS baseline for Nhanh.vn (src/connectors/nhanh.cpp): what a good JS developer would
// write for the v3 list mapping (the v2 spellings the C++ also reads are kept where they cost
// one `??`). JSON.parse + object mapping; the bench checks equality with sl.normalize on every
// body. Webhook envelopes, the walk cursor and raw:true are out of scope; `taxSync` is an option.
import { parseLocalDateTime, isoUtc, dateOnly, str, text, num, id, bool, obj, phone, mapRows } from './values.js';

const VN_OFFSET_MIN = 7 * 60;

// Unix seconds (or ms when clearly ms); 0 = not set; v2 local-time strings too.
function nhTime(v) {
  if (v === null || v === undefined) return null;
  const n = num(v);
  if (n !== null) return n <= 0 ? null : Math.trunc(n > 1e11 ? n : n * 1000);
  const s = text(v);
  return s === null ? null : parseLocalDateTime(s, VN_OFFSET_MIN);
}
const iso = (ms) => (ms === null ? null : isoUtc(ms));
const roundVnd = (x) => Math.sign(x) * Math.round(Math.abs(x)); // std::round: halves away from zero
// VAT percent: −1 / −100 mean 0 %, −2 "not declared".
const vatPercent = (v) => (v === null || v === -2 ? null : v < 0 ? 0 : v);

function head(type, externalId, created, updated) {
  return { type, platform: 'nhanh', externalId, createdAt: iso(created), updatedAt: iso(updated ?? created), deleted: false };
}

// Product status: 1 new, 2 selling, 4 out of stock are on sale; 3 stopped is not.
function activeFromStatus(v) {
  if (v === null || v === undefined) return null;
  const n = num(v);
  if (n !== null) return [1, 2, 4].includes(Math.trunc(n)) ? true : Math.trunc(n) === 3 ? false : null;
  const t = text(v)?.toLowerCase();
  if (t === 'new' || t === 'active' || t === 'outofstock') return true;
  return t === 'inactive' ? false : null;
}

function readStock(inv) {
  const stock = [];
  const level = (locationId, d) => stock.push({ locationId, onHand: num(d.remain), available: num(d.available) });
  if (Array.isArray(inv.depots)) {
    for (const d of inv.depots) {
      const did = id(d?.id);
      if (did !== null) level(did, d);
    }
  } else if (obj(inv.depots)) {
    for (const [k, d] of Object.entries(inv.depots)) if (obj(d)) level(k, d);
  }
  let totalStock = num(inv.available);
  if (totalStock === null) {
    for (const s of stock) if (s.available !== null) totalStock = (totalStock ?? 0) + s.available;
  }
  return { stock, totalStock };
}

function readOptions(attrs) {
  const options = {};
  const one = (a) => {
    if (!obj(a)) return;
    const n = text(a.attributeName);
    if (n !== null) {
      const v = text(a.name);
      if (v !== null) options[n] = v;
      return;
    }
    const name = text(a.name);
    const value = text(a.value);
    if (name !== null && value !== null) options[name] = value;
  };
  for (const a of Array.isArray(attrs) ? attrs : []) {
    if (!obj(a)) continue;
    if ('name' in a || 'attributeName' in a) one(a);
    else Object.values(a).forEach(one); // v2: maps keyed by attribute id
  }
  return options;
}

function addImage(images, url) {
  if (url !== null && (url.startsWith('http://') || url.startsWith('https://')) && !images.includes(url)) images.push(url);
}

function mapProduct(o, tax) {
  const pid = id(o.id) ?? id(o.idNhanh) ?? id(o.productId);
  if (pid === null) return null;
  const created = nhTime(o.createdAt) ?? nhTime(o.createdDateTime);
  const name = text(o.name);
  const sku = text(o.code);
  const barcode = text(o.barcode);
  const images = [];
  if (obj(o.images)) {
    addImage(images, text(o.images.avatar));
    if (Array.isArray(o.images.others)) for (const u of o.images.others) addImage(images, text(u));
  } else {
    addImage(images, text(o.image));
    if (Array.isArray(o.images)) for (const u of o.images) addImage(images, text(u));
  }
  const prices = obj(o.prices);
  const price = prices ? num(prices.retail) : num(o.price);
  let taxRate = null;
  if (tax) {
    taxRate = vatPercent(num(o.vat));
    if (taxRate === null && !('vat' in o) && prices) {
      const vat = num(prices.retailVat);
      if (vat !== null && price !== null && price > 0) {
        const base = (num(o.priceVatMode) ?? 2) === 1 ? price - vat : price;
        if (base > 0) taxRate = roundVnd((vat / base) * 10000) / 100;
      }
    }
  }
  const parent = num(o.parentId);
  const variants = [];
  let totalStock = null;
  if (parent !== -2) { // −2: a parent row only groups its children
    const old = prices ? num(prices.old) : num(o.oldPrice);
    const avg = prices ? num(prices.avgCost) : num(o.avgCost);
    const imp = prices ? num(prices.import) : num(o.importPrice);
    const inv = obj(o.inventory) ? readStock(o.inventory) : { stock: [], totalStock: null };
    totalStock = inv.totalStock;
    variants.push({
      externalId: pid,
      sku,
      barcode,
      name,
      options: readOptions(o.attributes),
      price,
      compareAtPrice: old !== null && old > 0 ? old : null,
      cost: avg !== null && avg > 0 ? avg : imp !== null && imp > 0 ? imp : null,
      weightGrams: (obj(o.shipping) ? num(o.shipping.weight) : null) ?? num(o.shippingWeight) ?? num(o.weight),
      stock: inv.stock,
      totalStock,
    });
  }
  return Object.assign(head('product', pid, created, nhTime(o.updatedAt)), {
    name,
    sku,
    barcode,
    description: text(o.description),
    category: (obj(o.category) ? text(o.category.name) : null) ?? text(o.categoryName),
    brand: (obj(o.brand) ? text(o.brand.name) : null) ?? text(o.brandName),
    active: activeFromStatus(o.status),
    images,
    taxRate,
    parentExternalId: parent !== null && parent > 0 ? id(o.parentId) : null,
    variants,
    totalStock,
  });
}

// --- orders ----------------------------------------------------------------------------

const STATUS_CODES = {
  54: 'pending', 55: 'pending', 57: 'pending', 56: 'confirmed',
  42: 'processing', 40: 'processing', 43: 'processing', 73: 'processing',
  59: 'shipping', 60: 'completed',
  58: 'cancelled', 61: 'cancelled', 63: 'cancelled', 64: 'cancelled', 68: 'cancelled',
  71: 'returned', 72: 'returned', 74: 'returned',
};
const STATUS_NAMES = {
  new: 'pending', confirming: 'pending', customerconfirming: 'pending', confirmed: 'confirmed',
  packing: 'processing', packed: 'processing', changedepot: 'processing', pickup: 'processing',
  shipping: 'shipping', success: 'completed', failed: 'cancelled', canceled: 'cancelled', cancelled: 'cancelled',
  aborted: 'cancelled', carriercanceled: 'cancelled', soldout: 'cancelled', returning: 'returned', returned: 'returned',
};
const statusFromName = (s) => (Object.hasOwn(STATUS_NAMES, s.toLowerCase()) ? STATUS_NAMES[s.toLowerCase()] : null);

function mapLine(d, tax) {
  const productId = id(d.productId) ?? id(d.id);
  const quantity = num(d.quantity);
  const price = num(d.price); // before VAT
  const q = quantity ?? 0;
  let lineDiscount = num(d.discountAmount);
  if (lineDiscount === null) {
    const each = num(d.discount);
    if (each !== null) lineDiscount = each * q;
  }
  const disc = lineDiscount ?? 0;
  let pct;
  let vatMoney = null;
  if (obj(d.vat)) {
    pct = vatPercent(num(d.vat.value));
    vatMoney = num(d.vat.amount);
  } else pct = vatPercent(num(d.vatPercent)) ?? vatPercent(num(d.vat));
  const totalAmount = num(d.totalAmount) ?? num(d.productMoney);
  const net = price !== null ? price * q - disc : null;
  const gross = totalAmount ?? (net !== null ? (pct !== null ? roundVnd(net * (1 + pct / 100)) : net) : null);
  let vat = 0;
  let vatKnown = false;
  if (net !== null && gross !== null) {
    vat = gross - net;
    vatKnown = pct !== null || totalAmount !== null;
  } else if (vatMoney !== null) {
    vat = vatMoney;
    vatKnown = true;
  }
  const line = { productExternalId: productId, variantExternalId: productId, sku: text(d.code) ?? text(d.productCode), name: text(d.name) ?? text(d.productName), quantity };
  if (tax) return { line: Object.assign(line, { unitPrice: price, discount: disc, total: net }), vat, vatKnown };
  let after = num(d.priceAfterVAT);
  if (after === null && price !== null) after = pct !== null ? roundVnd(price * (1 + pct / 100)) : price;
  const discount = after !== null && gross !== null ? Math.max(0, after * q - gross) : disc;
  return { line: Object.assign(line, { unitPrice: after, discount, total: gross }), vat, vatKnown };
}

function paymentStatus(paid, total) {
  if (paid === null || total === null) return null;
  if (paid <= 0) return total <= 0 ? 'paid' : 'unpaid';
  return paid + 0.005 >= total ? 'paid' : 'partially_paid';
}

const amountOf = (p, key) => (obj(p[key]) ? num(p[key].amount) ?? 0 : num(p[key]) ?? 0);

function mapOrder(o, tax) {
  const top = obj(o.info) ?? o;
  const oid = id(top.id) ?? id(top.orderId);
  if (oid === null) return null;
  let status = null;
  let platformStatus = null;
  const st = top.status;
  const code = num(st);
  if (code !== null) {
    status = STATUS_CODES[Math.trunc(code)] ?? null;
    platformStatus = str(st);
  } else if (text(st) !== null) {
    status = statusFromName(text(st));
    platformStatus = text(st);
  }
  if (platformStatus === null && text(top.statusCode) !== null) {
    status = statusFromName(text(top.statusCode));
    platformStatus = text(top.statusCode);
  }

  const sa = obj(o.shippingAddress);
  const c = sa
    ? { externalId: id(sa.id), name: text(sa.name), phone: phone(text(sa.mobile)), email: text(sa.email) }
    : { externalId: id(o.customerId), name: text(o.customerName), phone: phone(text(o.customerMobile)), email: text(o.customerEmail) };
  if (c.externalId === '0') c.externalId = null;
  const a = sa
    ? { address: text(sa.address), ward: text(sa.wardName), district: text(sa.districtName), province: text(sa.cityName) }
    : { address: text(o.customerAddress), ward: text(o.customerWard), district: text(o.customerDistrict), province: text(o.customerCity) };
  const hasAddress = a.address !== null || a.ward !== null || a.district !== null || a.province !== null;

  let subtotal = 0;
  let lineVat = 0;
  let anyLine = false;
  let anyVat = false;
  const lines = [];
  for (const d of Array.isArray(o.products) ? o.products : []) {
    if (!obj(d)) continue;
    const { line, vat, vatKnown } = mapLine(d, tax);
    if (line.total !== null) {
      subtotal += line.total;
      anyLine = true;
    }
    if (vatKnown) {
      lineVat += vat;
      anyVat = true;
    }
    lines.push(line);
  }

  const carrier = obj(o.carrier);
  const payment = obj(o.payment);
  const shippingFee = carrier ? num(carrier.customerShipFee) : num(o.customerShipFee);
  const discount = payment ? (obj(payment.discount) ? num(payment.discount.amount) : null) : num(o.moneyDiscount);
  let taxAmount = null;
  if (tax) {
    const vat = payment ? obj(payment.vat) : obj(o.vat);
    if (vat) taxAmount = num(vat.amount);
    if (taxAmount === null && anyVat) taxAmount = lineVat;
  }
  const paid = payment
    ? amountOf(payment, 'deposit') + amountOf(payment, 'transfer') + amountOf(payment, 'credit') + amountOf(payment, 'usedPoints')
    : (num(o.moneyDeposit) ?? 0) + (num(o.moneyTransfer) ?? 0) + (num(o.moneyUsedPoints) ?? 0);
  const cod = payment ? num(payment.codAmount) : null;
  let total = null;
  // codAmount 0 with nothing prepaid: a counter sale, its amount is the parts (as the C++ reads it).
  if (cod !== null && (cod + paid > 0 || !anyLine)) total = cod + paid;
  else if (num(o.calcTotalMoney) !== null) total = num(o.calcTotalMoney);
  else if (anyLine) total = subtotal - (discount ?? 0) + (shippingFee ?? 0) + (tax ? taxAmount ?? 0 : 0);

  return Object.assign(head('order', oid, nhTime(top.createdAt) ?? nhTime(top.createdDateTime), nhTime(top.updatedAt)), {
    code: oid, // Nhanh shows the order id as its code
    status,
    platformStatus,
    paymentStatus: status === 'completed' ? 'paid' : paymentStatus(paid, total),
    customer: c.externalId !== null || c.name !== null || c.phone !== null ? c : null,
    lines,
    subtotal: anyLine ? subtotal : null,
    discount,
    shippingFee,
    tax: taxAmount,
    total,
    currency: 'VND',
    shippingAddress: hasAddress ? Object.assign({ name: c.name, phone: c.phone }, a, { country: 'VN' }) : null,
    locationId: id(top.depotId) ?? (obj(o.depot) ? id(o.depot.id) : null),
    note: text(top.description),
  });
}

// --- customers -------------------------------------------------------------------------

function mapCustomer(o) {
  const cid = id(o.id);
  if (cid === null) return null;
  let created = nhTime(o.createdAt);
  if (created === null && text(o.startedDate) !== null) created = parseLocalDateTime(text(o.startedDate), VN_OFFSET_MIN);
  const g = num(o.gender);
  const birthday = text(o.birthday);
  const line = text(o.address);
  const group = obj(o.group) ? text(o.group.name) : text(o.group);
  return Object.assign(head('customer', cid, created, nhTime(o.updatedAt)), {
    name: text(o.name),
    phone: phone(text(o.mobile)),
    email: text(o.email),
    gender: g === 1 ? 'male' : g === 2 ? 'female' : null,
    birthday: birthday === null ? null : dateOnly(birthday),
    address: line === null ? null : { name: null, phone: null, address: line, ward: null, district: null, province: null, country: 'VN' },
    totalSpent: num(o.totalAmount) ?? num(o.totalMoney),
    orderCount: null,
    groups: group === null ? [] : [group],
  });
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapCustomer };

/** normalize(entity, text, {taxSync}) → {records, errors, total, removedIds}, like sl.normalize('nhanh', …). */
export function normalize(entity, bodyText, { taxSync = false } = {}) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no Nhanh.vn mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  if (!Array.isArray(body?.data)) throw new Error('bench baseline: expected a list page');
  const { records, errors } = mapRows(body.data, (o) => map(o, bool(taxSync) === true), 'Nhanh.vn');
  return { records, errors, total: null, removedIds: [] };
}
