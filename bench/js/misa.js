// Plain-JS baseline for MISA eShop / mShopKeeper (src/connectors/misa.cpp): what a good JS
// developer would write for the list mapping (inventoryitems/pagingwithdetail, customers/paging,
// invoices/pagingbycustomer). JSON.parse + object mapping; the bench checks equality with
// sl.normalize on every body. Out of scope: error answers (Success:false), detail answers
// (invoices/detailbyrefid, whose lines the core merges into the order) and raw:true.
import { parseLocalDateTime, isoUtc, dateOnly, str, text, num, id, bool, obj, phone } from './values.js';

const VN_OFFSET_MIN = 7 * 60;

// MISA documents PascalCase keys; camelCase is accepted too. A key that is present (even
// null) wins over its camelCase twin, as in the connector.
const camelOf = {};
function mf(o, key) {
  const v = o[key];
  return v !== undefined ? v : o[(camelOf[key] ??= key[0].toLowerCase() + key.slice(1))];
}

// Invoices carry +07:00; times without an offset are Vietnam local time.
function mtime(o, key) {
  const s = text(mf(o, key));
  return s === null ? null : parseLocalDateTime(s, VN_OFFSET_MIN);
}
const iso = (ms) => (ms === null ? null : isoUtc(ms));
const isHttpUrl = (s) => s.startsWith('http://') || s.startsWith('https://');

// Branch addresses hold administrative codes ("VN101"), not names: those are dropped.
function placeName(o, key) {
  const s = text(mf(o, key));
  return s !== null && /^VN\d+$/.test(s) ? null : s;
}

const PHONE_KEYS = ['Tel', 'StandardTel', 'NormalizedTel', 'CustomerTel', 'Phone', 'Mobile'];
function phoneOf(o) {
  for (const key of PHONE_KEYS) {
    const p = phone(mf(o, key));
    if (p !== null) return p;
  }
  return null;
}

function head(type, externalId, created, updated) {
  return { type, platform: 'misa', externalId, createdAt: iso(created), updatedAt: iso(updated ?? created), deleted: false };
}

const AXES = [['Color', 'Màu sắc'], ['Size', 'Kích cỡ'], ['Material', 'Chất liệu']];

/** One sellable item (the model itself, or a ListDetail child) → a variant. */
function itemVariant(item, externalId) {
  const options = {};
  for (const [key, label] of AXES) {
    const value = text(mf(item, key));
    if (value !== null) options[label] = value;
  }
  const stock = [];
  let total = 0;
  let anyStock = false;
  if (Array.isArray(item.Inventories)) {
    for (const i of item.Inventories) {
      const locationId = obj(i) ? id(mf(i, 'BranchId')) : null;
      if (locationId === null) continue;
      const onHand = num(mf(i, 'OnHand'));
      let available = null;
      if (onHand !== null) {
        available = onHand - (num(mf(i, 'Ordered')) ?? 0); // on hand − ordered
        total += available;
        anyStock = true;
      }
      stock.push({ locationId, onHand, available });
    }
  }
  return {
    externalId,
    sku: text(mf(item, 'Code')),
    barcode: text(mf(item, 'Barcode')),
    name: text(mf(item, 'Name')),
    options,
    price: num(mf(item, 'SellingPrice')) ?? num(mf(item, 'Price')),
    compareAtPrice: null,
    cost: num(mf(item, 'CostPrice')) ?? num(mf(item, 'AvgUnitPrice')),
    weightGrams: null,
    stock,
    totalStock: anyStock ? total : null,
  };
}

function mapProduct(o) {
  const pid = id(mf(o, 'Id'));
  if (pid === null) return null;
  const inactive = bool(mf(o, 'Inactive'));
  const picture = text(mf(o, 'Picture'));
  // A model with ListDetail children is one product whose variants are the children.
  let variants;
  if (Array.isArray(o.ListDetail) && o.ListDetail.length > 0) {
    variants = [];
    for (const child of o.ListDetail) {
      const cid = obj(child) ? id(mf(child, 'Id')) : null;
      if (cid !== null) variants.push(itemVariant(child, cid));
    }
  } else {
    variants = [itemVariant(o, pid)];
  }
  let totalStock = null;
  for (const v of variants) if (v.totalStock !== null) totalStock = (totalStock ?? 0) + v.totalStock;
  return Object.assign(head('product', pid, mtime(o, 'CreatedDate'), mtime(o, 'ModifiedDate')), {
    name: text(mf(o, 'Name')),
    sku: text(mf(o, 'Code')),
    barcode: text(mf(o, 'Barcode')),
    description: text(mf(o, 'Description')),
    category: text(mf(o, 'CategoryName')) ?? text(mf(o, 'InventoryItemCategoryName')),
    brand: null,
    active: inactive === null ? null : !inactive,
    images: picture !== null && isHttpUrl(picture) ? [picture] : [],
    taxRate: num(mf(o, 'VATRate')),
    parentExternalId: id(mf(o, 'ParentId')), // a child listed on its own
    variants,
    totalStock,
  });
}

function mapCustomer(o) {
  const cid = id(mf(o, 'Id'));
  if (cid === null) return null;
  const birthday = text(mf(o, 'Birthday'));
  const street = text(mf(o, 'Addr')) ?? text(mf(o, 'Address'));
  const ward = placeName(o, 'CommuneAddr');
  const district = placeName(o, 'DistrictAddr');
  const province = placeName(o, 'ProvinceAddr');
  const groups = [];
  for (const key of ['CustomerCategoryName', 'MemberLevelName']) {
    const g = text(mf(o, key));
    if (g !== null) groups.push(g);
  }
  return Object.assign(head('customer', cid, mtime(o, 'CreatedDate'), mtime(o, 'ModifiedDate')), {
    name: text(mf(o, 'Name')),
    phone: phoneOf(o),
    email: text(mf(o, 'Email')),
    gender: null, // 0/1 with no documented meaning
    birthday: birthday === null ? null : dateOnly(birthday),
    address: street !== null || ward !== null || district !== null || province !== null
      ? { name: null, phone: null, address: street, ward, district, province, country: 'VN' }
      : null,
    totalSpent: num(mf(o, 'TotalAmount')),
    orderCount: null,
    groups,
  });
}

const INVOICE_ID_KEYS = ['InvoiceId', 'RefID', 'RefId', 'InvoiceID', 'Id'];
function invoiceId(o) {
  for (const key of INVOICE_ID_KEYS) {
    const v = id(mf(o, key));
    if (v !== null) return v;
  }
  return null;
}

function paymentStatus(paid, total) {
  if (paid <= 0) return total <= 0 ? 'paid' : 'unpaid';
  return paid + 0.005 >= total ? 'paid' : 'partially_paid';
}

/** A sales invoice row → an order (its lines come from a detail answer, not the list). */
function mapInvoice(o) {
  const oid = invoiceId(o);
  if (oid === null) return null;
  const created = mtime(o, 'CreatedDate') ?? mtime(o, 'InvoiceTime') ?? mtime(o, 'InvoiceDate');
  const type = num(mf(o, 'InvoiceType'));
  const total = num(mf(o, 'TotalAmount'));
  const debt = num(mf(o, 'DebitAmount'));
  const customerId = id(mf(o, 'CustomerId'));
  const name = text(mf(o, 'CustomerName'));
  const addr = text(mf(o, 'DeliveryAddress')) ?? text(mf(o, 'Address'));
  return Object.assign(head('order', oid, created, mtime(o, 'ModifiedDate')), {
    code: text(mf(o, 'InvoiceNumber')),
    status: type === null || type === 550 ? 'completed' : null, // 550: a sales invoice, a finished sale
    platformStatus: str(mf(o, 'PaymentStatus')),
    paymentStatus: debt !== null && total !== null ? paymentStatus(total - debt, total) : null,
    customer: customerId !== null || name !== null ? { externalId: customerId, name, phone: phoneOf(o), email: null } : null,
    lines: [],
    subtotal: num(mf(o, 'TotalItemAmount')),
    discount: num(mf(o, 'DiscountAmount')),
    shippingFee: num(mf(o, 'DeliveryAmount')),
    tax: num(mf(o, 'VATAmount')),
    total,
    currency: 'VND',
    shippingAddress: addr === null ? null
      : { name, phone: phoneOf(o), address: addr, ward: null, district: null, province: null, country: null },
    locationId: id(mf(o, 'BranchId')),
    note: text(mf(o, 'Note')) ?? text(mf(o, 'Description')),
  });
}

const MAPPERS = { products: mapProduct, orders: mapInvoice, customers: mapCustomer };

const rowError = (i) => ({
  code: 'unexpected_shape',
  message: 'Một dòng dữ liệu MISA thiếu mã (Id) nên đã bỏ qua.',
  detail: `row ${i} has no Id`,
  httpStatus: null,
  platformCode: null,
  field: null,
});

/** normalize(entity, text) → {records, errors, total, removedIds}, like sl.normalize('misa', …). */
export function normalize(entity, bodyText) {
  const map = MAPPERS[entity];
  if (!map) throw new Error(`bench baseline: no MISA mapping for ${entity}`);
  const body = JSON.parse(bodyText);
  // A ServiceResult {Success, ErrorType, Data, Total}; a bare array is taken as the rows.
  const envelope = obj(body);
  if (envelope) {
    const ok = bool(mf(envelope, 'Success'));
    if (ok === false || (ok === null && (num(mf(envelope, 'ErrorType')) ?? 0) !== 0)) {
      throw new Error('bench baseline: MISA error answers are out of scope');
    }
  }
  const data = envelope ? mf(envelope, 'Data') : body;
  const rows = data === undefined || data === null ? [] : data; // Success with Data null: an empty page
  if (!Array.isArray(rows)) throw new Error('bench baseline: expected a list page');
  const records = [];
  const errors = [];
  for (let i = 0; i < rows.length; i++) {
    const rec = obj(rows[i]) ? map(rows[i]) : null;
    if (rec === null) errors.push(rowError(i));
    else records.push(rec);
  }
  const total = envelope ? num(mf(envelope, 'Total')) : null;
  return { records, errors, total: total !== null && total > 0 ? total : null, removedIds: [] };
}
