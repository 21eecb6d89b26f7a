// Plain-JS KiotViet normalizer: the benchmark's "what a good JS developer would write"
// baseline for src/connectors/kiotviet.cpp. JSON.parse + object mapping, producing the same
// record shape as sl.normalize() for list pages (the bench checks equality on every body).
// Not a product path: webhook envelopes and raw:true are out of scope here.
import { normalizePhone, parseLocalDateTime, isoUtc, nonEmpty, dateOnly, splitProvinceDistrict, foldVietnamese, str, text, num, id, bool, obj, mapRows } from './values.js';

const VN_OFFSET_MIN = 7 * 60;

const kvTime = (o, key) => {
  const s = str(o[key]);
  return s === null ? null : parseLocalDateTime(s, VN_OFFSET_MIN);
};
const kvPhone = (v) => {
  const s = str(v);
  return s === null ? null : normalizePhone(s);
};

function common(o) {
  const created = kvTime(o, 'createdDate');
  return { created, updated: kvTime(o, 'modifiedDate') ?? created };
}

const iso = (ms) => (ms === null ? null : isoUtc(ms));

function mapProduct(o) {
  const pid = id(o.id);
  if (pid === null) return null;
  const name = text(o.name) ?? text(o.fullName);
  const sku = text(o.code);
  const barcode = text(o.barCode);
  const images = [];
  if (Array.isArray(o.images)) {
    for (const img of o.images) {
      const url = typeof img === 'string' ? text(img) : text(obj(img)?.Image) ?? text(obj(img)?.image);
      if (url !== null) images.push(url);
    }
  }
  const options = {};
  if (Array.isArray(o.attributes)) {
    for (const a of o.attributes) {
      const n = text(obj(a)?.attributeName);
      const v = text(obj(a)?.attributeValue);
      if (n !== null && v !== null) options[n] = v;
    }
  }
  const units = Array.isArray(o.units) ? o.units : null;
  if (id(o.masterUnitId) !== null || (units && units.length)) {
    const unit = text(o.unit);
    if (unit !== null) options['Đơn vị tính'] = unit;
  }
  const stock = [];
  let total = 0;
  let anyStock = false;
  let cost = null;
  if (Array.isArray(o.inventories)) {
    for (const i of o.inventories) {
      const loc = id(obj(i)?.branchId);
      if (loc === null) continue;
      const onHand = num(i.onHand) ?? num(i.onhand);
      let available = null;
      if (onHand !== null) {
        available = onHand - (num(i.reserved) ?? 0);
        total += available;
        anyStock = true;
      }
      if (cost === null) cost = num(i.cost);
      stock.push({ locationId: loc, onHand, available });
    }
  }
  const totalStock = anyStock ? total : null;
  const c = common(o);
  return {
    type: 'product',
    platform: 'kiotviet',
    externalId: pid,
    createdAt: iso(c.created),
    updatedAt: iso(c.updated),
    deleted: false,
    name,
    sku,
    barcode,
    description: text(o.description),
    category: text(o.categoryName),
    brand: text(o.tradeMarkName),
    active: bool(o.isActive),
    images,
    taxRate: num(o.taxRate),
    parentExternalId: id(o.masterProductId) ?? id(o.masterUnitId),
    variants: [{
      externalId: pid,
      sku,
      barcode,
      name: text(o.fullName) ?? name,
      options,
      price: num(o.basePrice),
      compareAtPrice: null,
      cost,
      weightGrams: num(o.weight),
      stock,
      totalStock,
    }],
    totalStock,
  };
}

const ORDER_STATUS = { 1: 'pending', 2: 'shipping', 3: 'completed', 4: 'cancelled', 5: 'confirmed', 6: 'processing' };
const ORDER_STATUS_TEXT = {
  'phieu tam': 'pending', 'dang xu ly': 'processing', 'dang giao hang': 'shipping',
  'hoan thanh': 'completed', 'da huy': 'cancelled', 'da xac nhan': 'confirmed',
};

function paymentStatus(paid, total) {
  if (paid === null || total === null) return null;
  if (paid <= 0) return total <= 0 ? 'paid' : 'unpaid';
  return paid + 0.005 >= total ? 'paid' : 'partially_paid';
}

function address(o, name, phone, streetKey) {
  const a = { name, phone, address: text(o[streetKey]), ward: text(o.wardName), district: null, province: null, country: null };
  const loc = str(o.locationName);
  if (loc !== null) [a.province, a.district] = splitProvinceDistrict(loc);
  if (a.address !== null || a.ward !== null || a.district !== null || a.province !== null) a.country = 'VN';
  const any = a.name !== null || a.phone !== null || a.address !== null || a.ward !== null || a.district !== null || a.province !== null;
  return any ? a : null;
}

function mapOrder(o) {
  const oid = id(o.id);
  if (oid === null) return null;
  const c = common(o);
  if (c.created === null) c.created = kvTime(o, 'purchaseDate');
  if (c.updated === null) c.updated = c.created;
  const statusCode = num(o.status);
  const statusText = text(o.statusValue);
  let status = statusCode !== null ? ORDER_STATUS[Math.trunc(statusCode)] ?? null : null;
  if (status === null && statusText !== null) status = ORDER_STATUS_TEXT[foldVietnamese(statusText)] ?? null;
  const total = num(o.total);
  const customerId = id(o.customerId);
  const customerName = text(o.customerName);
  const details = Array.isArray(o.orderDetails) ? o.orderDetails : Array.isArray(o.invoiceDetails) ? o.invoiceDetails : null;
  const lines = [];
  let subtotal = 0;
  let anyLine = false;
  for (const d of details ?? []) {
    const productId = id(d.productId);
    const quantity = num(d.quantity);
    const unitPrice = num(d.price);
    const perUnit = num(d.discount);
    const ratio = num(d.discountRatio);
    const q = quantity ?? 0;
    let discount = 0;
    if (perUnit !== null && perUnit !== 0) discount = perUnit * q;
    else if (ratio !== null && ratio !== 0 && unitPrice !== null) discount = ((unitPrice * ratio) / 100) * q;
    let lineTotal = null;
    if (unitPrice !== null && quantity !== null) {
      lineTotal = unitPrice * q - discount;
      subtotal += lineTotal;
      anyLine = true;
    }
    lines.push({
      productExternalId: productId,
      variantExternalId: productId,
      sku: text(d.productCode),
      name: text(d.productName),
      quantity,
      unitPrice,
      discount,
      total: lineTotal,
    });
  }
  const delivery = obj(o.orderDelivery) ?? obj(o.invoiceDelivery);
  return {
    type: 'order',
    platform: 'kiotviet',
    externalId: oid,
    createdAt: iso(c.created),
    updatedAt: iso(c.updated),
    deleted: false,
    code: text(o.code),
    status,
    platformStatus: statusText ?? str(o.status),
    paymentStatus: paymentStatus(num(o.totalPayment), total),
    customer: customerId !== null || customerName !== null ? { externalId: customerId, name: customerName, phone: null, email: null } : null,
    lines,
    subtotal: anyLine ? subtotal : null,
    discount: num(o.discount),
    shippingFee: delivery ? num(delivery.price) : null,
    tax: num(o.totalTax),
    total,
    currency: 'VND',
    shippingAddress: delivery ? address(delivery, text(delivery.receiver), kvPhone(delivery.contactNumber), 'address') : null,
    locationId: id(o.branchId),
    note: text(o.description),
  };
}

function mapCustomer(o) {
  const cid = id(o.id);
  if (cid === null) return null;
  const gender = bool(o.gender);
  const birth = str(o.birthDate);
  const groups = [];
  const g = str(o.groups);
  if (g !== null) for (const part of g.split(',')) {
    const t = nonEmpty(part);
    if (t !== null) groups.push(t);
  }
  const c = common(o);
  return {
    type: 'customer',
    platform: 'kiotviet',
    externalId: cid,
    createdAt: iso(c.created),
    updatedAt: iso(c.updated),
    deleted: false,
    name: text(o.name),
    phone: kvPhone(o.contactNumber),
    email: text(o.email),
    gender: gender === null ? null : gender ? 'male' : 'female',
    birthday: birth === null ? null : dateOnly(birth),
    address: address(o, null, null, 'address'),
    totalSpent: num(o.totalRevenue) ?? num(o.totalInvoiced),
    orderCount: null,
    groups,
  };
}

const MAPPERS = { products: mapProduct, orders: mapOrder, customers: mapCustomer };
const TYPES = { products: 'product', orders: 'order', customers: 'customer' };

/** normalize(entity, text) → {records, errors, total, removedIds}, like sl.normalize('kiotviet', …). */
export function normalize(entity, bodyText) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no KiotViet mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  const rows = Array.isArray(body?.data) ? body.data : obj(body) && body.id != null ? [body] : null;
  if (rows === null) throw new Error('bench baseline: expected a list page');
  const { records, errors } = mapRows(rows, map, 'KiotViet');
  const removedIds = [];
  for (const key of ['removeId', 'removedIds', 'removeIds', 'RemoveId']) {
    if (Array.isArray(body[key])) for (const v of body[key]) {
      const rid = id(v);
      if (rid !== null) removedIds.push(rid);
    }
  }
  for (const rid of removedIds) {
    records.push({ type: TYPES[entity], platform: 'kiotviet', externalId: rid, createdAt: null, updatedAt: null, deleted: true });
  }
  return { records, errors, total: Array.isArray(body?.data) ? num(body.total) : null, removedIds };
}
