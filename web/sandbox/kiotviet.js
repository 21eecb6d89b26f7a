// Local simulator of the KiotViet Public API (Retail), for tests and the offline demo.
//
// Facts come from /work/shared/platforms/kiotviet.md (cited below as "kv.md §A.x").
// Where that file marks a behaviour UNCONFIRMED, the simulator follows the closest
// documented behaviour and says so in a comment tagged UNCONFIRMED, so that anyone
// comparing with the real API later knows which choices were guesses.
//
// One HTTP server plays both hosts: the token endpoint (really on id.kiotviet.vn) and the
// resource paths (really on public.kiotapi.com). Clients map both base URLs to it.
//
// Data is generated from `seed` and anchored at `now()` when the simulator is created, so
// the same seed and clock give byte-identical responses. Records are stored in their full
// KiotViet shape; the include* query flags only decide which parts a response shows.
//
// Served: POST /connect/token; GET /branches, /products, /customers, /orders, /invoices
// (lists), /{products|customers|orders|invoices}/{id} and /.../code/{code}; GET/POST /webhooks,
// GET/DELETE /webhooks/{id} (registrations; sim.postWebhooks(type, ids) sends signed deliveries to
// them). Other writes are not simulated (405). Test controls, JSON, no auth, not counted in stats:
//   GET  /__sandbox/info | /__sandbox/stats | /__sandbox/truth/{entity}
//   POST /__sandbox/touch {entity, id} | create {entity, fields?} | remove {entity, id}
//        | expire-tokens | faults {rate429, rate5xx, rateTruncated, rateSlow, slowMs}
//        | fail-next [{status, body?, headers?} | {truncated: true} | {delayMs}] | reset

import {
  createRng, createRateLimiter, createFaultInjector, createRequestStats, startServer,
  readBody, readJson, sendText, toJsonText, queryParams, parseDateTime, formatVnLocal,
  gatewayErrorHtml, HttpError, DAY_MS, VN_OFFSET_MS,
  vnPerson, vnCustomerName, vnBusinessName, vnAddress, vnPhone, vnMobile, vnEmail, ean13,
  stripDiacritics, roundVnd, PRODUCT_TEMPLATES, VARIANT_AXES,
} from './common.js';
import crypto, { createHmac } from 'node:crypto';

// ---------------------------------------------------------------------------
// Public constants
// ---------------------------------------------------------------------------

/** Default credentials: a GUID client id and a 40-hex secret, like the real ones (kv.md §A.1). */
export const KIOTVIET_DEFAULT_CLIENT_ID = '3f9d2c71-5e8a-4b06-9c4e-7a1d2b8e6f40';
export const KIOTVIET_DEFAULT_CLIENT_SECRET = '8E2A5C9F1B7D4E6A0C3F5B8D2E9A1C7F4B6D0E3A';
export const KIOTVIET_DEFAULT_RETAILER = 'demoshop';
export const KIOTVIET_SCOPE = 'PublicApi.Access';
export const KIOTVIET_ENTITIES = ['branches', 'products', 'customers', 'orders', 'invoices'];

/** Order status codes: third-party consensus, no vendor list exists (kv.md §A.4, "Open questions"). */
export const KIOTVIET_ORDER_STATUS = { 1: 'Phiếu tạm', 2: 'Đang giao hàng', 3: 'Hoàn thành', 4: 'Đã hủy', 5: 'Đã xác nhận' };
/** Webhook event types, exact strings from the docs (kv.md §A.8). */
export const KIOTVIET_WEBHOOK_TYPES = ['customer.update', 'customer.delete', 'product.update', 'product.delete', 'stock.update', 'order.update', 'invoice.update',
  'pricebook.update', 'pricebook.delete', 'pricebookdetail.update', 'pricebookdetail.delete', 'category.update', 'category.delete', 'branch.update', 'branch.delete'];

/** Invoice status codes (kv.md §A.4, webhooks doc 2.11.7). */
export const KIOTVIET_INVOICE_STATUS = { 1: 'Hoàn thành', 2: 'Đã hủy', 3: 'Đang xử lý', 5: 'Không giao được' };

/**
 * Money is written like .NET decimals with trailing zeros (kv.md §A.5): basePrice 16500.000000,
 * totals 26000.0000, cost 14300.0000000000. Quantities and onHand stay plain doubles.
 */
export const KIOTVIET_DECIMALS = {
  basePrice: 6, 'units.basePrice': 4, 'productFormulas.basePrice': 4, cost: 10, price: 4,
  total: 4, totalPayment: 4, discount: 4, totalTax: 4, amount: 4, debt: 4,
  totalInvoiced: 4, totalRevenue: 4, subTotal: 4, surValue: 4,
};

/** "2025-03-19T17:58:36.4470000": Vietnam wall-clock time, no offset, 7 fraction digits (kv.md §A.5). */
export function formatKvDate(ms) {
  return formatVnLocal(ms, 7);
}

/**
 * Parses a lastModifiedFrom-style value. No offset → Vietnam local time (what KiotViet
 * documents and real clients send). UNCONFIRMED (kv.md §A.5): how the real server reads a
 * trailing Z/offset; we honour it as an absolute instant. Sub-ms digits round up so the
 * bound stays inclusive-correct against ms-precision records. NaN when unparsable.
 */
export function parseKvDate(text) {
  return parseDateTime(text, { offsetMs: VN_OFFSET_MS, subMs: 'ceil' });
}

/**
 * Every datetime in the captured KiotViet payloads ends in .xx0/.xx3/.xx7 ms — the 1/300 s
 * grid of SQL Server `datetime`. Record times are snapped to that grid so clients meet the
 * same values (inferred from samples in kv.md, not documented).
 */
export function toSqlDatetime(ms) {
  return Math.round((Math.round(ms * 0.3) * 10) / 3);
}

const money = (x) => Math.round(x * 10000) / 10000;
const round3 = (x) => Math.round(x * 1000) / 1000;
/** Drops keys whose value is undefined: KiotViet omits null properties (kv.md §A.2). */
function compact(obj) {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj;
}
const toTruth = (rec) => JSON.parse(toJsonText(rec, { decimals: KIOTVIET_DECIMALS }));

/** Field order of the documented samples (kv.md §A.4/§A.10); keys added later are put back in place. */
const KEY_ORDER = {
  products: ['createdDate', 'id', 'retailerId', 'code', 'barCode', 'name', 'fullName', 'categoryId', 'categoryName',
    'tradeMarkId', 'tradeMarkName', 'allowsSale', 'type', 'hasVariants', 'basePrice', 'weight', 'unit', 'masterProductId',
    'masterUnitId', 'conversionValue', 'description', 'modifiedDate', 'isActive', 'isRewardPoint', 'orderTemplate',
    'isLotSerialControl', 'isBatchExpireControl', 'attributes', 'units', 'inventories', 'priceBooks', 'images', 'productFormulas'],
  customers: ['id', 'code', 'name', 'type', 'gender', 'birthDate', 'contactNumber', 'address', 'locationName', 'wardName',
    'email', 'organization', 'comments', 'taxCode', 'retailerId', 'branchId', 'debt', 'totalInvoiced', 'totalPoint',
    'totalRevenue', 'rewardPoint', 'groups', 'modifiedDate', 'createdDate'],
  branches: ['id', 'branchName', 'branchCode', 'contactNumber', 'retailerId', 'email', 'address', 'modifiedDate', 'createdDate'],
};

function orderKeys(entity, rec) {
  const order = KEY_ORDER[entity];
  if (!order) return rec;
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
  const entries = Object.entries(rec).sort(([a], [b]) => rank(a) - rank(b)); // stable: unknown keys keep their order
  for (const k of Object.keys(rec)) delete rec[k];
  return Object.assign(rec, Object.fromEntries(entries));
}

// ---------------------------------------------------------------------------
// World generation
// ---------------------------------------------------------------------------

const CODE_PREFIX = { products: 'SP', customers: 'KH', orders: 'DH', invoices: 'HD', branches: 'CN' };

function createTable() {
  // rows: id → {rec, createdMs, modifiedMs}; modifiedMs is null when the record carries no
  // modifiedDate. removed: deletions, for includeRemoveIds.
  return { rows: new Map(), removed: [] };
}

function setModified(row, ms) {
  row.modifiedMs = ms;
  row.rec.modifiedDate = formatKvDate(ms);
}

/** The time lastModifiedFrom and orderBy=modifiedDate use; never-modified rows fall back to createdDate. */
const effectiveModified = (row) => row.modifiedMs ?? row.createdMs;

function between(rng, fromMs, toMs) {
  return toSqlDatetime(fromMs + rng.next() * Math.max(0, toMs - fromMs));
}

/** A time minDelta..maxDelta after createdMs, but never later than a minute before "now". */
function laterThan(rng, w, createdMs, minDelta, maxDelta) {
  const hi = Math.max(createdMs, Math.min(createdMs + maxDelta, w.now0 - 60_000));
  return between(rng, Math.min(createdMs + minDelta, hi), hi);
}

function generateWorld(opts, nowMs) {
  const root = createRng(opts.seed, 'kiotviet');
  const now0 = toSqlDatetime(nowMs);
  const w = {
    opts,
    now0,
    retailerId: root.fork('retailer').int(300_000, 999_999),
    shopStartMs: toSqlDatetime(now0 - root.fork('shop').int(900, 1400) * DAY_MS),
    tables: Object.fromEntries(KIOTVIET_ENTITIES.map((e) => [e, createTable()])),
    usedCodes: new Set(),
    seq: {},
    root,
  };
  genReferenceData(w, root.fork('reference'));
  genBranches(w, root.fork('branches'));
  genProducts(w, root.fork('products'));
  genCustomers(w, root.fork('customers'));
  genOrders(w, root.fork('orders'));
  genInvoices(w, root.fork('invoices'));
  applyReservations(w);
  applyCustomerTotals(w, root.fork('totals'));
  w.mutations = root.fork('mutations'); // touch/create draw from here, so they never shift the base data
  return w;
}

function initSeq(w, entity, firstId, firstCodeNo) {
  w.seq[entity] = { lastId: firstId - 1, codeNo: firstCodeNo - 1 };
}
function nextId(w, entity, rng, maxStep = 9) {
  const s = w.seq[entity];
  s.lastId += rng.int(1, maxStep); // ids come from a sequence shared with other shops → gaps
  return s.lastId;
}
function nextCode(w, entity) {
  const s = w.seq[entity];
  let code;
  do code = `${CODE_PREFIX[entity]}${String(++s.codeNo).padStart(6, '0')}`;
  while (w.usedCodes.has(code));
  w.usedCodes.add(code);
  return code;
}
function claimCode(w, code) {
  let candidate = code;
  for (let n = 2; w.usedCodes.has(candidate); n++) candidate = `${code}-${n}`;
  w.usedCodes.add(candidate);
  return candidate;
}

function genReferenceData(w, rng) {
  let staffId = rng.int(59_000, 59_100);
  w.staff = Array.from({ length: 4 }, (_, i) => ({ id: (staffId += rng.int(1, 40)), name: vnPerson(rng).name, owner: i === 0 }));

  let categoryId = rng.int(132_000, 133_000);
  w.categories = new Map();
  for (const name of new Set(PRODUCT_TEMPLATES.map((t) => t.category))) w.categories.set(name, { id: (categoryId += rng.int(1, 300)), name });

  let tradeMarkId = rng.int(166_000, 167_000);
  w.tradeMarks = new Map();
  for (const name of new Set(PRODUCT_TEMPLATES.flatMap((t) => t.brands))) w.tradeMarks.set(name, { id: (tradeMarkId += rng.int(1, 50)), name });

  const pbBase = rng.int(20_000, 21_000);
  w.priceBooks = [{ id: pbBase, name: 'Giá sỉ', factor: 0.85 }, { id: pbBase + rng.int(1, 20), name: 'Giá khách VIP', factor: 0.92 }];

  const chBase = rng.int(496_000, 497_000);
  w.saleChannels = ['Facebook', 'Shopee', 'Website', 'Zalo', 'TikTok Shop'].map((name, i) => ({ id: chBase + i * rng.int(1, 9), name }));

  w.bankAccounts = [
    { id: rng.int(3300, 3400), label: `Vietcombank - 00710${rng.int(10_000_000, 99_999_999)}` },
    { id: rng.int(3401, 3500), label: `Techcombank - 1903${rng.int(10_000_000, 99_999_999)}` },
  ];
  w.deliveryPartners = [
    { id: rng.int(1000, 1100), code: 'GHN', name: 'Giao Hàng Nhanh', contactNumber: '1900636677', email: 'cskh@ghn.vn' },
    { id: rng.int(1101, 1200), code: 'GHTK', name: 'Giao Hàng Tiết Kiệm', contactNumber: '19006092', email: 'cskh@ghtk.vn' },
    { id: rng.int(1201, 1300), code: 'VTP', name: 'Viettel Post', contactNumber: '19008095', email: 'cskh@viettelpost.com.vn' },
  ];
  w.customerGroups = ['Khách thường', 'Khách VIP', 'Khách sỉ', 'Cộng tác viên'];
}

// --- Branches (kv.md §A.4 Branch) -------------------------------------------

function genBranches(w, rng) {
  const count = w.opts.counts.branches;
  initSeq(w, 'branches', rng.int(15_000, 16_000), 1);
  const table = w.tables.branches;
  for (let i = 0; i < count; i++) {
    const createdMs = i === 0 ? w.shopStartMs : between(rng, w.shopStartMs, w.now0 - 90 * DAY_MS);
    const row = buildBranch(w, rng, createdMs, i === 0);
    // UNCONFIRMED (kv.md §A.4: branch modifiedDate is `datetime?`): the head-office branch
    // was never edited, so it has no modifiedDate key at all; filters fall back to createdDate.
    if (i > 0 && rng.chance(0.7)) setModified(row, between(rng, createdMs, w.now0 - DAY_MS));
    orderKeys('branches', row.rec);
    table.rows.set(row.rec.id, row);
  }
}

function buildBranch(w, rng, createdMs, isHead) {
  const addr = vnAddress(rng);
  const id = nextId(w, 'branches', rng, 30);
  const place = addr.district.replace(/^(Quận|Huyện|Thành phố|Thị xã) /, '');
  let name = isHead ? 'Chi nhánh trung tâm' : `Chi nhánh ${place}`;
  if ([...w.tables.branches.rows.values()].some((r) => r.rec.branchName === name)) name = `${name} ${w.tables.branches.rows.size + 1}`;
  const rec = compact({
    id,
    branchName: name,
    branchCode: nextCode(w, 'branches'),
    contactNumber: vnMobile(rng),
    retailerId: w.retailerId,
    email: rng.chance(0.6) ? `cn${w.tables.branches.rows.size + 1}@${w.opts.retailer}.vn` : undefined,
    address: `${addr.street}, ${addr.ward}, ${addr.district}, ${addr.province}`,
    createdDate: formatKvDate(createdMs),
  });
  return { rec, createdMs, modifiedMs: null };
}

// --- Products (kv.md §A.4 Product, variant model, unit model) ------------------

function genProducts(w, rng) {
  const count = w.opts.counts.products;
  // Start just under 2^31 so ids cross it mid-catalogue (ids advance ~2 per row on average):
  // int32 bugs then show on some rows only.
  initSeq(w, 'products', 2 ** 31 - Math.max(10, count), rng.int(100, 900));
  const table = w.tables.products;
  while (table.rows.size < count) {
    const tpl = rng.pick(PRODUCT_TEMPLATES);
    const createdMs = between(rng, w.shopStartMs, w.now0 - 3 * DAY_MS);
    const rows = buildProductGroup(w, rng, tpl, count - table.rows.size, createdMs);
    // Siblings are saved together: modifiedDate 10 ms apart, as in the captured sample.
    const groupModified = rng.chance(0.25) ? createdMs + rng.int(10, 900) : between(rng, createdMs, w.now0 - 3_600_000);
    rows.forEach((row, i) => setModified(row, toSqlDatetime(Math.max(groupModified, row.createdMs) + i * 10)));
    for (const row of rows) table.rows.set(row.rec.id, row);
  }
  // A bulk import ("Import Excel cập nhật giá") once rewrote ~20% of the catalogue in one
  // statement: identical modifiedDate on all those rows, which tests clients' tie handling.
  const bulkMs = toSqlDatetime(w.now0 - rng.int(20, 45) * DAY_MS + rng.int(0, DAY_MS));
  const eligible = [...table.rows.values()].filter((r) => r.createdMs < bulkMs);
  for (const row of rng.sample(eligible, Math.round(count * 0.2))) setModified(row, bulkMs);
  w.bulkImportMs = bulkMs;
}

function codeStem(name) {
  const words = stripDiacritics(name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).filter(Boolean);
  return words.slice(0, 4).map((word) => word[0]).join('');
}

/**
 * Builds the rows of one catalogue entry: a variant group (siblings share `name`, point to
 * the first row via masterProductId — kv.md §A.4 variant model), a unit family (each unit a
 * row with masterUnitId/conversionValue and a shared units[] — unit model), or one row.
 * At most `maxRows` rows; a group cut down to one row becomes a plain product.
 */
function buildProductGroup(w, rng, tpl, maxRows, createdMs) {
  const category = w.categories.get(tpl.category);
  const brand = tpl.brands.length && rng.chance(0.7) ? w.tradeMarks.get(rng.pick(tpl.brands)) : undefined;
  const basePrice = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
  const customCodes = rng.chance(0.35); // others use KiotViet's auto codes SP000123
  const stem = codeStem(tpl.name);
  const isService = tpl.kind === 'service';

  // Each spec becomes one row.
  let specs;
  const axes = VARIANT_AXES[tpl.kind];
  if (axes) {
    const chosen = axes.map(([attrName, values]) => [attrName, rng.sample(values, rng.int(2, Math.min(3, values.length)))]);
    specs = chosen.reduce((acc, [attrName, values]) => acc.flatMap((attrs) => values.map((v) => [...attrs, [attrName, v]])), [[]])
      .map((attrs, i) => ({
        attrs,
        unit: tpl.unit,
        conversion: 1,
        price: tpl.kind === 'cosmetic' ? roundVnd(basePrice * (1 + i * 0.6)) : basePrice + (attrs.some(([, v]) => v === 'XXL') ? 20_000 : 0),
        weight: tpl.weight,
      }));
  } else if (tpl.kind === 'packaged') {
    const packs = rng.chance(0.6) ? tpl.packs : tpl.packs.slice(-1);
    specs = [{ attrs: [], unit: tpl.unit, conversion: 1, price: basePrice, weight: tpl.weight },
      ...packs.map(([unit, conv]) => ({ attrs: [], unit, conversion: conv, price: roundVnd(basePrice * conv * 0.95), weight: tpl.weight * conv }))];
  } else {
    specs = [{ attrs: [], unit: tpl.unit, conversion: 1, price: basePrice, weight: tpl.weight }];
  }
  specs = specs.slice(0, Math.max(1, maxRows));
  const isVariantGroup = axes && specs.length > 1;
  const isUnitFamily = tpl.kind === 'packaged' && specs.length > 1;

  const rows = specs.map((spec, i) => {
    const id = nextId(w, 'products', rng, i === 0 ? 9 : 1); // group members get consecutive-ish ids
    const rowCreated = toSqlDatetime(createdMs + i * rng.int(8, 20));
    const values = spec.attrs.map(([, v]) => v);
    const code = customCodes
      ? claimCode(w, [stem, ...values.map((v) => codeStem(v) || v), isUnitFamily ? stripDiacritics(spec.unit).toUpperCase() : ''].filter(Boolean).join('-'))
      : nextCode(w, 'products');
    // UNCONFIRMED (kv.md §A.4): fullName = name + " - " + attribute values + " (unit)" as in the
    // samples; whether the unit suffix appears on single-unit products is not documented.
    const fullName = tpl.name + (isVariantGroup ? ` - ${values.join(' - ')}` : '') + (spec.unit ? ` (${spec.unit})` : '');
    const rec = compact({
      createdDate: formatKvDate(rowCreated),
      id,
      retailerId: w.retailerId,
      code,
      barCode: !isService && rng.chance(0.6) ? ean13(rng) : '',
      name: tpl.name,
      fullName,
      categoryId: category.id,
      categoryName: category.name,
      tradeMarkId: brand?.id,
      tradeMarkName: brand?.name,
      allowsSale: rng.chance(0.97),
      type: tpl.kind === 'combo' ? 1 : isService ? 3 : 2,
      hasVariants: Boolean(isVariantGroup),
      basePrice: spec.price,
      weight: spec.weight,
      unit: spec.unit,
      conversionValue: spec.conversion,
      description: rng.chance(0.15) ? `<p>${tpl.name} chính hãng. Đổi trả trong 7 ngày nếu lỗi do nhà sản xuất.</p>` : '',
      modifiedDate: formatKvDate(rowCreated),
      isActive: rng.chance(0.95),
      isRewardPoint: rng.chance(0.7) ? rng.chance(0.6) : undefined, // bool? — absent when never set
      orderTemplate: rng.chance(0.05) ? 'Hàng dễ vỡ, gói kỹ' : '',
      isLotSerialControl: tpl.kind === 'serial',
      isBatchExpireControl: ['cosmetic', 'packaged'].includes(tpl.kind) && rng.chance(0.2),
      attributes: isVariantGroup ? spec.attrs.map(([attributeName, attributeValue]) => ({ productId: id, attributeName, attributeValue })) : undefined,
      images: productImages(w, rng, tpl, rowCreated),
    });
    return { rec, createdMs: rowCreated, modifiedMs: rowCreated, spec };
  });

  const master = rows[0].rec;
  if (isVariantGroup) for (const { rec } of rows.slice(1)) rec.masterProductId = master.id; // the master row has none
  if (isUnitFamily) {
    const units = rows.map(({ rec }) => ({ id: rec.id, code: rec.code, name: rec.name, fullName: rec.fullName, unit: rec.unit, conversionValue: rec.conversionValue, basePrice: rec.basePrice }));
    for (const { rec } of rows) {
      if (rec.id !== master.id) rec.masterUnitId = master.id; // the base unit has none
      rec.units = units.map((u) => ({ ...u }));
    }
  }
  if (tpl.kind === 'combo') {
    const materials = [...w.tables.products.rows.values()].filter((r) => r.rec.type === 2 && !r.rec.masterUnitId);
    const picked = rng.sample(materials, rng.int(2, 3));
    if (picked.length) {
      master.productFormulas = picked.map((m) => ({ materialId: m.rec.id, materialCode: m.rec.code, materialFullName: m.rec.fullName, materialName: m.rec.name, quantity: rng.int(1, 3), basePrice: m.rec.basePrice, productId: master.id }));
    }
  }
  addInventories(w, rng, rows, tpl);
  addPriceBooks(w, rng, rows);
  for (const row of rows) {
    delete row.spec;
    orderKeys('products', row.rec);
  }
  return rows;
}

function productImages(w, rng, tpl, createdMs) {
  const p = ['fashion', 'shoes', 'cosmetic', 'lipstick', 'phone-accessory', 'fashion-lite'].includes(tpl.kind) ? 0.75 : 0.3;
  if (!rng.chance(p)) return [];
  const day = formatVnLocal(createdMs, 0).slice(0, 10).replace(/-/g, '/');
  return Array.from({ length: rng.int(1, 3) }, () => `https://cdn2-retail-images.kiotviet.vn/${day}/${w.opts.retailer}/${rng.hex(32)}.${rng.chance(0.8) ? 'jpg' : 'png'}`);
}

/**
 * inventories[] per branch (kv.md §A.4 inventory element). onHand is sometimes negative
 * (selling past zero is allowed) and fractional for goods sold by weight.
 */
function addInventories(w, rng, rows, tpl) {
  if (tpl.kind === 'service') return; // UNCONFIRMED: services carry no stock, so no inventories key
  const branches = [...w.tables.branches.rows.values()].map((r) => r.rec);
  const covered = rng.chance(0.9) ? branches : branches.slice(0, 1);
  const baseStock = new Map(covered.map((b) => [b.id, tpl.kind === 'combo' ? 0 : stockLevel(rng, tpl.kind === 'bulk')]));
  const baseCost = rows[0].rec.basePrice * rng.float(0.55, 0.8); // moving-average cost: long fractions are normal
  for (const { rec } of rows) {
    rec.inventories = covered.map((b) => {
      // UNCONFIRMED (kv.md §A.4 unit model): a non-base unit reports onHand in its own unit
      // (base stock / conversionValue, e.g. 10.5 thùng), as the doc's example shows.
      const onHand = rec.masterUnitId ? round3(baseStock.get(b.id) / rec.conversionValue)
        : rec.masterProductId ? stockLevel(rng, false) : baseStock.get(b.id);
      return {
        productId: rec.id,
        productCode: rec.code,
        productName: rec.name,
        branchId: b.id,
        branchName: b.branchName,
        cost: rec.masterUnitId ? baseCost * rec.conversionValue : baseCost,
        onHand,
        reserved: 0, // filled from open orders in applyReservations()
        actualReserved: 0,
        minQuantity: 0,
        maxQuantity: rng.chance(0.5) ? 999_999_999 : 0,
        isActive: true,
        onOrder: rng.chance(0.1) ? rng.int(5, 50) : 0,
      };
    });
  }
}

function stockLevel(rng, byWeight) {
  const kind = rng.weighted([['normal', 78], ['zero', 10], ['negative', 8], ['large', 4]]);
  if (byWeight) {
    if (kind === 'negative') return -round3(rng.float(1, 1600));
    if (kind === 'zero') return 0;
    return round3(rng.float(0.5, kind === 'large' ? 5000 : 400));
  }
  if (kind === 'negative') return -rng.int(1, 20);
  if (kind === 'zero') return 0;
  return rng.int(1, kind === 'large' ? 2000 : 200);
}

function addPriceBooks(w, rng, rows) {
  if (!rng.chance(0.25)) return; // most products have no price-book entry: no priceBooks key
  const startMs = Date.UTC(2025, 0, 1) - VN_OFFSET_MS;
  for (const { rec } of rows) {
    rec.priceBooks = w.priceBooks.filter((_, i) => i === 0 || rng.chance(0.4)).map((pb) => ({
      priceBookId: pb.id,
      priceBookName: pb.name,
      productId: rec.id,
      isActive: true,
      startDate: formatKvDate(startMs),
      endDate: formatKvDate(startMs + 2 * 365 * DAY_MS - 60_000),
      price: roundVnd(rec.basePrice * pb.factor, rec.basePrice < 20_000 ? 100 : 1000),
    }));
  }
}

// --- Customers (kv.md §A.4 Customer, §A.10 example) -----------------------------

function genCustomers(w, rng) {
  const count = w.opts.counts.customers;
  initSeq(w, 'customers', rng.int(698_000, 699_000), 1);
  const times = Array.from({ length: count }, () => between(rng, w.shopStartMs, w.now0 - 2 * DAY_MS)).sort((a, b) => a - b);
  for (const createdMs of times) {
    const row = buildCustomer(w, rng, createdMs);
    setModified(row, rng.chance(0.3) ? toSqlDatetime(createdMs + rng.int(3, 400)) : between(rng, createdMs, w.now0 - 3_600_000));
    w.tables.customers.rows.set(row.rec.id, row);
  }
}

function buildCustomer(w, rng, createdMs) {
  const id = nextId(w, 'customers', rng, 40);
  // 3% of codes are free text typed by staff (the real sample has "ca phe song nam").
  let code = nextCode(w, 'customers');
  let name;
  let gender;
  let type = 0;
  if (rng.chance(0.12)) {
    const biz = vnBusinessName(rng);
    name = biz.name;
    type = biz.company ? 1 : 0;
  } else {
    const person = vnCustomerName(rng);
    name = person.name;
    if (rng.chance(0.85)) gender = person.gender === 'male'; // bool?: true = male, false = female
  }
  if (rng.chance(0.03)) code = claimCode(w, stripDiacritics(name).toLowerCase());
  // Names typed on a Mac arrive decomposed (NFD); clients that dedupe by name must normalise.
  if (rng.chance(0.03)) name = name.normalize('NFD');
  // Customers made in the web UI store "" for empty text fields; API/imports leave them null (→ absent).
  const blank = rng.chance(0.3) ? undefined : '';
  const addr = rng.chance(0.75) ? vnAddress(rng) : undefined;
  const birthMs = type === 0 && gender !== undefined && rng.chance(0.4)
    ? Date.UTC(rng.int(1965, 2005), rng.int(0, 11), rng.int(1, 28)) - VN_OFFSET_MS : undefined;
  const groupCount = rng.weighted([[0, 35], [1, 55], [2, 10]]);
  const rec = compact({
    id,
    code,
    name,
    type,
    gender,
    birthDate: birthMs === undefined ? undefined : formatVnLocal(birthMs, 0), // "1988-02-14T00:00:00" — no fraction in the sample
    contactNumber: vnPhone(rng),
    address: addr?.street ?? blank,
    locationName: addr ? `${addr.province} - ${addr.district}` : undefined,
    wardName: addr && rng.chance(0.9) ? addr.ward : undefined,
    email: rng.chance(0.35) ? vnEmail(rng, stripDiacritics(name).replace(/^(Chi|Co|Em|Anh|Chu) /, '')) : blank,
    organization: type === 1 ? name : blank,
    comments: rng.chance(0.1) ? rng.pick(['Khách quen, hay mua buổi tối', 'Giao hàng sau 17h', 'Lấy hóa đơn VAT']) : blank,
    taxCode: type === 1 ? `0${rng.pick([1, 3])}${rng.int(10_000_000, 99_999_999)}` : blank,
    retailerId: w.retailerId,
    branchId: pickBranch(w, rng).id,
    debt: money(rng.weighted([[0, 70], [roundVnd(rng.int(20_000, 3_000_000)), 24], [-roundVnd(rng.int(50_000, 500_000)), 6]])),
    // Only served with includeTotal=true (kv.md §A.4); computed from invoices later.
    totalInvoiced: 0,
    totalPoint: 0,
    totalRevenue: 0,
    rewardPoint: 0,
    groups: groupCount ? rng.sample(w.customerGroups, groupCount).join(', ') : undefined, // UNCONFIRMED separator
    modifiedDate: formatKvDate(createdMs),
    createdDate: formatKvDate(createdMs),
  });
  return { rec, createdMs, modifiedMs: createdMs };
}

function pickBranch(w, rng) {
  const branches = [...w.tables.branches.rows.values()].map((r) => r.rec);
  return rng.chance(0.6) ? branches[0] : rng.pick(branches);
}

// --- Orders (kv.md §A.4 Order, §A.10 example) ---------------------------------

function genOrders(w, rng) {
  const count = w.opts.counts.orders;
  initSeq(w, 'orders', rng.int(31_000_000, 32_000_000), rng.int(1000, 5000));
  // Busier lately: order times skew towards now.
  const times = Array.from({ length: count }, () => toSqlDatetime(w.now0 - 60_000 - Math.floor(rng.next() ** 1.6 * 180 * DAY_MS))).sort((a, b) => a - b);
  for (const createdMs of times) {
    const row = buildOrder(w, rng, createdMs);
    w.tables.orders.rows.set(row.rec.id, row);
  }
}

function sellableProducts(w) {
  return [...w.tables.products.rows.values()].map((r) => r.rec).filter((p) => p.isActive && p.allowsSale);
}

function orderStatusFor(rng, ageDays) {
  if (ageDays < 3) return rng.weighted([[1, 40], [5, 25], [2, 20], [3, 10], [4, 5]]);
  if (ageDays < 14) return rng.weighted([[1, 10], [5, 10], [2, 25], [3, 45], [4, 10]]);
  return rng.weighted([[3, 80], [4, 15], [1, 5]]); // a few stale drafts never get closed
}

function orderLines(rng, products) {
  const n = rng.weighted([[1, 50], [2, 28], [3, 14], [4, 8]]);
  return rng.sample(products, n).map((p) => {
    const quantity = p.unit === 'kg' ? Math.round(rng.float(0.5, 10) * 10) / 10 : rng.weighted([[1, 70], [2, 20], [3, 6], [5, 3], [10, 1]]);
    const ratio = rng.chance(0.12) ? rng.pick([5, 10, 15]) : undefined;
    return compact({
      productId: p.id,
      productCode: p.code,
      productName: p.fullName,
      isMaster: true,
      quantity,
      price: p.basePrice,
      discountRatio: ratio ?? (rng.chance(0.5) ? 0 : undefined),
      discount: ratio ? money((p.basePrice * ratio) / 100) : 0,
      note: '',
      // kept for invoices; stripped before the order line is stored
      _category: { id: p.categoryId, name: p.categoryName },
      _weight: (p.weight || 100) * quantity,
    });
  });
}

function buildOrder(w, rng, createdMs, forcedStatus) {
  const id = nextId(w, 'orders', rng, 60);
  const code = nextCode(w, 'orders');
  const status = forcedStatus ?? orderStatusFor(rng, (w.now0 - createdMs) / DAY_MS);
  const branch = pickBranch(w, rng);
  const seller = rng.pick(w.staff);
  const known = [...w.tables.customers.rows.values()].filter((r) => r.createdMs < createdMs).map((r) => r.rec);
  const customer = known.length && rng.chance(0.85) ? rng.pick(known) : undefined; // else walk-in
  const lines = orderLines(rng, sellableProducts(w));
  const subtotal = lines.reduce((s, l) => s + l.quantity * (l.price - l.discount), 0);
  const orderRatio = rng.chance(0.05) ? 5 : undefined;
  const discount = orderRatio ? money(subtotal * 0.05) : rng.chance(0.05) ? rng.pick([10_000, 20_000, 50_000]) : 0;
  const surcharges = rng.chance(0.06) ? [{ id: rng.int(10_000, 99_999), surchargeId: 1001, surchargeName: 'Phí đóng gói', surValue: 5000, price: 5000, createdDate: formatKvDate(createdMs) }] : [];
  const total = money(Math.max(0, subtotal - discount) + surcharges.reduce((s, x) => s + x.price, 0));
  const hasDelivery = customer ? rng.chance(0.7) : rng.chance(0.15);
  const usingCod = hasDelivery && status !== 4 && rng.chance(0.6);

  const modifiedMs = status === 1 && rng.chance(0.8)
    ? toSqlDatetime(createdMs + rng.int(50, 900)) // saved once (sample: created .997, modified +203 ms)
    : laterThan(rng, w, createdMs, 600_000, 5 * DAY_MS);

  // Payments: kept consistent so totalPayment == sum of payments.
  let paid = 0;
  if (status === 3) paid = total;
  else if (status === 2) paid = usingCod ? 0 : total;
  else if (status === 1 || status === 5) paid = rng.weighted([[0, 50], [Math.min(total, roundVnd(total * 0.3, 10_000)), 25], [total, 25]]);
  else if (status === 4) paid = rng.chance(0.3) ? Math.min(total, roundVnd(total * 0.3, 10_000)) : 0;
  const payments = [];
  if (paid > 0) {
    const deposit = status === 3 && usingCod ? Math.min(paid, roundVnd(total * 0.3, 10_000)) : paid;
    const parts = deposit < paid ? [deposit, money(paid - deposit)] : [paid];
    // A later payment (COD collected) happens by the time the order was last modified.
    parts.forEach((amount, i) => payments.push(buildPayment(w, rng, `TT${code}${i ? `-${i}` : ''}`, amount, i ? modifiedMs : createdMs, i > 0 ? 'Cash' : undefined)));
  }

  const rec = compact({
    id,
    code,
    purchaseDate: formatKvDate(toSqlDatetime(createdMs - rng.int(3, 40))),
    branchId: branch.id,
    branchName: branch.branchName,
    soldById: seller.id,
    soldByName: seller.name,
    customerId: customer?.id, // walk-in orders: no customerId/customerCode keys, customerName ""
    customerCode: customer?.code,
    customerName: customer?.name ?? '',
    total,
    totalPayment: money(payments.reduce((s, p) => s + p.amount, 0)),
    discountRatio: orderRatio ?? (rng.chance(0.5) ? 0 : undefined),
    discount,
    status,
    statusValue: KIOTVIET_ORDER_STATUS[status],
    description: rng.weighted([['', 60], [`Đơn hàng từ website, mã đơn hàng #${rng.int(1000, 9999)}.`, 10], ['Giao giờ hành chính', 8], ['Gọi trước khi giao', 8], [`Đơn Shopee ${rng.hex(14, true)}`, 7], ['Khách hẹn lấy tại cửa hàng', 7]]),
    usingCod,
    saleChannelId: rng.chance(0.65) ? rng.pick(w.saleChannels).id : undefined,
    totalTax: rng.chance(0.7) ? 0 : undefined,
    retailerId: w.retailerId,
    modifiedDate: formatKvDate(modifiedMs),
    createdDate: formatKvDate(createdMs),
    payments, // served with includePayment=true
    orderDetails: lines.map(({ _category, _weight, ...line }) => line),
    orderDelivery: hasDelivery ? buildDelivery(w, rng, customer, status, lines) : undefined, // includeOrderDelivery=true
    invoiceOrderSurcharges: surcharges,
  });
  return { rec, createdMs, modifiedMs, lines };
}

function buildPayment(w, rng, code, amount, atMs, forcedMethod) {
  const method = forcedMethod ?? rng.weighted([['Cash', 45], ['Transfer', 40], ['Card', 10], ['Voucher', 5]]);
  const account = method === 'Transfer' || method === 'Card' ? rng.pick(w.bankAccounts) : undefined;
  w.seq.payments ??= { lastId: rng.int(114_000_000, 115_000_000) };
  w.seq.payments.lastId += rng.int(1, 500);
  return compact({
    id: w.seq.payments.lastId,
    code,
    amount,
    method,
    status: 0,
    statusValue: 'Đã thanh toán',
    transDate: formatKvDate(atMs),
    bankAccount: account?.label,
    accountId: account?.id,
  });
}

function buildDelivery(w, rng, customer, status, lines) {
  const toCustomer = customer && rng.chance(0.8);
  const addr = vnAddress(rng);
  const shipped = status === 2 || status === 3;
  const partner = shipped || rng.chance(0.3) ? rng.pick(w.deliveryPartners) : undefined;
  const deliveryCode = !shipped ? '' : partner.code === 'GHN' ? `G${rng.hex(7, true)}` : partner.code === 'GHTK' ? `S${rng.int(1_000_000, 9_999_999)}.BO.${rng.int(100_000_000, 999_999_999)}` : String(rng.int(1_000_000_000, 1_999_999_999));
  return compact({
    deliveryCode,
    type: 1,
    price: rng.pick([0, 15_000, 22_000, 30_000, 35_000]),
    receiver: toCustomer ? customer.name : vnPerson(rng).name,
    contactNumber: toCustomer ? customer.contactNumber : vnPhone(rng),
    address: addr.street,
    locationId: addr.locationId,
    locationName: `${addr.province} - ${addr.district}`, // "Tỉnh - Quận", e.g. "Hồ Chí Minh - Quận 1"
    wardName: rng.chance(0.9) ? addr.ward : undefined,
    weight: Math.max(100, Math.round(lines.reduce((s, l) => s + l._weight, 0))),
    length: rng.int(10, 40),
    width: rng.int(10, 30),
    height: rng.int(5, 20),
    partnerDeliveryId: partner?.id,
    partnerDelivery: partner ? { code: partner.code, name: partner.name, address: '', contactNumber: partner.contactNumber, email: partner.email } : undefined,
  });
}

// --- Invoices (kv.md §A.4 Invoice — real captured shape) -------------------------

function genInvoices(w, rng) {
  const count = w.opts.counts.invoices;
  // Start just under 2^32: these ids overflow uint32 as well as int32.
  initSeq(w, 'invoices', 2 ** 32 - Math.max(50, count * 4), rng.int(10_000, 60_000));
  // Completed orders were invoiced when they completed (the latest ones, up to 60% of the
  // invoices); the rest are counter (POS) sales that never had an order (orderCode "").
  const completed = [...w.tables.orders.rows.values()].filter((r) => r.rec.status === 3);
  const fromOrderCount = Math.min(completed.length, Math.round(count * 0.6));
  const fromOrders = fromOrderCount ? completed.slice(-fromOrderCount) : [];
  const specs = fromOrders.map((order) => ({ createdMs: order.modifiedMs, order }));
  while (specs.length < count) specs.push({ createdMs: toSqlDatetime(w.now0 - 60_000 - Math.floor(rng.next() ** 1.4 * 180 * DAY_MS)) });
  specs.sort((a, b) => a.createdMs - b.createdMs);
  for (const spec of specs) {
    const row = buildInvoice(w, rng, spec.createdMs, spec.order);
    w.tables.invoices.rows.set(row.rec.id, row);
  }
}

function buildInvoice(w, rng, createdMs, orderRow) {
  const id = nextId(w, 'invoices', rng, 15);
  const code = nextCode(w, 'invoices');
  const order = orderRow?.rec;
  let customer;
  let lines;
  let branch;
  let seller;
  if (order) {
    customer = order.customerId ? w.tables.customers.rows.get(order.customerId)?.rec : undefined;
    lines = orderRow.lines;
    branch = { id: order.branchId, branchName: order.branchName };
    seller = { id: order.soldById, name: order.soldByName };
  } else {
    const known = [...w.tables.customers.rows.values()].filter((r) => r.createdMs < createdMs).map((r) => r.rec);
    customer = known.length && rng.chance(0.45) ? rng.pick(known) : undefined; // counter sales: mostly walk-in
    lines = orderLines(rng, sellableProducts(w));
    branch = pickBranch(w, rng);
    seller = rng.pick(w.staff);
  }
  const status = order ? 1 : rng.weighted([[1, 90], [2, 7], [3, 2], [5, 1]]);
  const total = order ? order.total : money(lines.reduce((s, l) => s + l.quantity * (l.price - l.discount), 0));
  const payments = status === 2 ? [] : [buildPayment(w, rng, `TT${code}`, total, createdMs, order ? undefined : rng.weighted([['Cash', 70], ['Transfer', 20], ['Card', 10]]))];
  const modifiedMs = status === 1 && rng.chance(0.85) ? toSqlDatetime(createdMs + rng.int(3, 300)) : laterThan(rng, w, createdMs, 60_000, 3 * DAY_MS);
  const rec = compact({
    id,
    uuid: `WN${rng.guid()}`,
    code,
    purchaseDate: formatKvDate(toSqlDatetime(createdMs - rng.int(3, 40))),
    branchId: branch.id,
    branchName: branch.branchName,
    soldById: seller.id,
    soldByName: seller.name,
    customerId: customer?.id, // walk-in: no customerId, customerCode "" and customerName "" (real capture)
    customerCode: customer?.code ?? '',
    customerName: customer?.name ?? '',
    orderCode: order?.code ?? '',
    total,
    totalPayment: money(payments.reduce((s, p) => s + p.amount, 0)),
    discount: order?.discount ?? 0,
    status,
    statusValue: KIOTVIET_INVOICE_STATUS[status],
    description: order ? '' : rng.weighted([['', 85], ['Khách lấy hóa đơn đỏ', 5], ['Bán lẻ tại quầy', 10]]),
    usingCod: order?.usingCod ?? false,
    saleChannelId: order?.saleChannelId,
    createdDate: formatKvDate(createdMs),
    modifiedDate: formatKvDate(modifiedMs),
    invoiceDetails: lines.map((l) => compact({
      productId: l.productId,
      productCode: l.productCode,
      productName: l.productName,
      categoryId: l._category.id,
      categoryName: l._category.name,
      quantity: l.quantity,
      price: l.price,
      discountRatio: l.discountRatio,
      discount: l.discount,
      subTotal: money(l.quantity * (l.price - l.discount)),
      note: '',
      serialNumbers: '',
      returnQuantity: 0,
    })),
    payments, // includePayment=true
    invoiceDelivery: order?.orderDelivery ? { ...order.orderDelivery, status: 3, statusValue: 'Giao thành công' } : undefined, // includeInvoiceDelivery=true
  });
  return { rec, createdMs, modifiedMs };
}

// --- Cross-record consistency --------------------------------------------------

/** Open orders (Phiếu tạm, Đã xác nhận) hold stock: sum their lines into inventories[].reserved. */
function applyReservations(w) {
  for (const { rec: order } of w.tables.orders.rows.values()) {
    if (order.status !== 1 && order.status !== 5) continue;
    for (const line of order.orderDetails) {
      const inv = w.tables.products.rows.get(line.productId)?.rec.inventories?.find((i) => i.branchId === order.branchId);
      if (inv) inv.reserved = inv.actualReserved = round3(inv.reserved + line.quantity);
    }
  }
}

/** totalInvoiced/totalRevenue/points derive from the customer's completed invoices. */
function applyCustomerTotals(w, rng) {
  const sums = new Map();
  for (const { rec } of w.tables.invoices.rows.values()) {
    if (rec.status === 1 && rec.customerId) sums.set(rec.customerId, (sums.get(rec.customerId) ?? 0) + rec.total);
  }
  for (const { rec } of w.tables.customers.rows.values()) {
    const revenue = money(sums.get(rec.id) ?? 0);
    rec.totalInvoiced = revenue;
    rec.totalRevenue = revenue;
    rec.totalPoint = Math.floor(revenue / 100_000);
    rec.rewardPoint = Math.max(0, rec.totalPoint - (rng.chance(0.2) ? rng.int(0, rec.totalPoint) : 0));
  }
}

// ---------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------

/** ServiceStack-style error body (kv.md §A.7). Codes other than TokenException are UNCONFIRMED. */
function errorBody(errorCode, message, errors = []) {
  return { responseStatus: { errorCode, message, errors } };
}

class ApiError extends Error {
  constructor(status, errorCode, message, errors = []) {
    super(message);
    Object.assign(this, { status, errorCode, errors });
  }
}

/** Per-resource knobs: removed-ids key as the docs name it per resource (kv.md §A.2). */
const RESOURCES = {
  branches: { removedKey: 'removedIds', nameKey: 'branchName', codeKey: 'branchCode', timestamp: true },
  products: { removedKey: 'removeId', nameKey: 'name', codeKey: 'code' },
  customers: { removedKey: 'removeId', nameKey: 'name', codeKey: 'code' },
  // The docs define no includeRemoveIds for orders/invoices: they are cancelled, not deleted.
  orders: { removedKey: null, nameKey: null, codeKey: 'code', purchaseDate: true },
  invoices: { removedKey: null, nameKey: null, codeKey: 'code', purchaseDate: true },
};

const collator = new Intl.Collator('vi', { sensitivity: 'base' });

function bindingError(field, value) {
  // UNCONFIRMED: modelled on ServiceStack's request-binding failure (KiotViet runs ServiceStack).
  const message = `'${value}' is an Invalid value for '${field}'`;
  return new ApiError(400, 'RequestBindingException', 'Unable to bind request', [{ errorCode: 'SerializationException', fieldName: field, message }]);
}

/** Empty values count as absent, like an unset nullable property. */
function param(q, name) {
  const v = q.get(name);
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function boolParam(q, name, fallback = false) {
  const v = param(q, name);
  if (v === undefined) return fallback;
  // Strict on purpose: only true/false. A client sending 1/0 finds out here, not in production.
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw bindingError(name, v);
}

function intParam(q, name, fallback) {
  const v = param(q, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v)) throw bindingError(name, v);
  return Number(v);
}

function intListParam(q, name) {
  const list = q.getList(name);
  if (!list.length) return undefined;
  for (const v of list) if (!/^-?\d+$/.test(v)) throw bindingError(name, v);
  return new Set(list.map(Number));
}

function dateParam(q, name) {
  const v = param(q, name);
  if (v === undefined) return undefined;
  const ms = parseKvDate(v);
  if (Number.isNaN(ms)) throw bindingError(name, v);
  return ms;
}

/** Which records a list request matches, beyond lastModifiedFrom (documented filters only). */
function filterRows(world, entity, rows, q) {
  const keep = [];
  const branchIds = intListParam(q, 'branchIds');
  switch (entity) {
    case 'products': {
      const isActive = param(q, 'isActive') === undefined ? undefined : boolParam(q, 'isActive');
      const categoryId = intParam(q, 'categoryId');
      const productType = intParam(q, 'productType');
      const name = param(q, 'name')?.toLowerCase();
      for (const r of rows) {
        const p = r.rec;
        if (isActive !== undefined && p.isActive !== isActive) continue;
        if (categoryId !== undefined && p.categoryId !== categoryId) continue;
        if (productType !== undefined && p.type !== productType) continue;
        if (name && !p.name.toLowerCase().includes(name) && !p.fullName.toLowerCase().includes(name)) continue;
        keep.push(r);
      }
      return keep;
    }
    case 'customers': {
      const code = param(q, 'code')?.toLowerCase();
      const contact = param(q, 'contactNumber');
      const name = param(q, 'name')?.toLowerCase();
      for (const r of rows) {
        const c = r.rec;
        if (code && c.code.toLowerCase() !== code) continue;
        if (contact && !(c.contactNumber ?? '').includes(contact)) continue;
        if (name && !c.name.toLowerCase().includes(name)) continue;
        keep.push(r);
      }
      return keep;
    }
    case 'orders':
    case 'invoices': {
      const statuses = intListParam(q, 'status');
      const customerIds = intListParam(q, 'customerIds');
      const customerCode = param(q, 'customerCode');
      const saleChannelId = intParam(q, 'saleChannelId');
      // Invoices carry orderCode, not orderId: resolve the order's code (none → match nothing).
      const orderId = entity === 'invoices' ? intParam(q, 'orderId') : undefined;
      const orderCode = orderId === undefined ? undefined : world.tables.orders.rows.get(orderId)?.rec.code ?? null;
      const fromPurchase = entity === 'invoices' ? dateParam(q, 'fromPurchaseDate') : undefined;
      const toPurchase = entity === 'invoices' ? dateParam(q, 'toPurchaseDate') : undefined;
      for (const r of rows) {
        const o = r.rec;
        if (statuses && !statuses.has(o.status)) continue;
        if (branchIds && !branchIds.has(o.branchId)) continue;
        if (customerIds && !customerIds.has(o.customerId)) continue;
        if (customerCode && o.customerCode !== customerCode) continue;
        if (saleChannelId !== undefined && o.saleChannelId !== saleChannelId) continue;
        if (orderCode !== undefined && o.orderCode !== orderCode) continue;
        if (fromPurchase !== undefined || toPurchase !== undefined) {
          const purchased = parseKvDate(o.purchaseDate);
          if (fromPurchase !== undefined && purchased < fromPurchase) continue;
          if (toPurchase !== undefined && purchased > toPurchase) continue;
        }
        keep.push(r);
      }
      return keep;
    }
    default:
      return rows;
  }
}

/** Which optional parts a list response shows (the include* flags). */
function projection(entity, q) {
  return {
    includeInventory: entity === 'products' && boolParam(q, 'includeInventory'),
    includePricebook: entity === 'products' && boolParam(q, 'includePricebook'),
    includeMaterial: entity === 'products' && boolParam(q, 'includeMaterial'),
    inventoryBranches: entity === 'products' ? intListParam(q, 'branchIds') : undefined,
    includeTotal: entity === 'customers' && boolParam(q, 'includeTotal'),
    includePayment: (entity === 'orders' || entity === 'invoices') && boolParam(q, 'includePayment'),
    includeOrderDelivery: entity === 'orders' && boolParam(q, 'includeOrderDelivery'),
    includeInvoiceDelivery: entity === 'invoices' && boolParam(q, 'includeInvoiceDelivery'),
  };
}

function project(entity, rec, p) {
  const out = { ...rec }; // shallow: serialised right away, never mutated
  if (entity === 'products') {
    if (!p.includeInventory) delete out.inventories;
    else if (p.inventoryBranches && out.inventories) out.inventories = out.inventories.filter((i) => p.inventoryBranches.has(i.branchId));
    if (!p.includePricebook) delete out.priceBooks;
    if (!p.includeMaterial) delete out.productFormulas;
  } else if (entity === 'customers') {
    if (!p.includeTotal) for (const k of ['totalInvoiced', 'totalPoint', 'totalRevenue', 'rewardPoint']) delete out[k];
  } else if (entity === 'orders') {
    if (!p.includePayment) delete out.payments;
    if (!p.includeOrderDelivery) delete out.orderDelivery;
  } else if (entity === 'invoices') {
    if (!p.includePayment) delete out.payments;
    if (!p.includeInvoiceDelivery) delete out.invoiceDelivery;
  }
  return out;
}

function sortRows(entity, rows, q) {
  const res = RESOURCES[entity];
  const orderBy = (param(q, 'orderBy') ?? '').toLowerCase();
  const desc = (param(q, 'orderDirection') ?? '').toLowerCase() === 'desc';
  const keyFns = {
    modifieddate: effectiveModified,
    createddate: (r) => r.createdMs,
    id: (r) => r.rec.id,
    name: res.nameKey ? (r) => r.rec[res.nameKey] : undefined,
    code: (r) => r.rec[res.codeKey],
    purchasedate: res.purchaseDate ? (r) => r.rec.purchaseDate : undefined,
  };
  // UNCONFIRMED (kv.md §A.2): the default order is undocumented; unknown orderBy values also
  // fall back to it. We use id, which keeps paging deterministic.
  const keyFn = keyFns[orderBy] ?? keyFns.id;
  const sign = desc ? -1 : 1;
  const cmp = (a, b) => (typeof a === 'string' ? collator.compare(a, b) : a - b);
  // Ties (e.g. the bulk-import modifiedDate) break on id in the same direction: stable pages.
  return rows.sort((a, b) => sign * (cmp(keyFn(a), keyFn(b)) || a.rec.id - b.rec.id));
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

function normalizeOptions(o = {}) {
  const counts = { products: 250, customers: 120, orders: 300, branches: 2, invoices: 200, ...o.counts };
  for (const [k, v] of Object.entries(counts)) {
    if (!Number.isInteger(v) || v < (k === 'branches' ? 1 : 0)) throw new Error(`counts.${k} must be a non-negative integer (branches >= 1)`);
  }
  return {
    seed: o.seed ?? 1,
    retailer: o.retailer ?? KIOTVIET_DEFAULT_RETAILER,
    clientId: o.clientId ?? KIOTVIET_DEFAULT_CLIENT_ID,
    clientSecret: o.clientSecret ?? KIOTVIET_DEFAULT_CLIENT_SECRET,
    counts,
    tokenTtlSeconds: o.tokenTtlSeconds ?? 86_400,
    rateLimit: { limit: 5000, windowMs: 3_600_000, ...o.rateLimit },
    faults: { ...o.faults },
    now: o.now ?? Date.now,
    pageSizeMax: o.pageSizeMax ?? 100,
    retryAfterHeader: o.retryAfterHeader ?? false,
    host: o.host ?? '127.0.0.1',
  };
}

function normalizeEntity(name) {
  const key = String(name ?? '').toLowerCase();
  const entity = { branch: 'branches', product: 'products', customer: 'customers', order: 'orders', invoice: 'invoices' }[key] ?? key;
  if (!KIOTVIET_ENTITIES.includes(entity)) throw new HttpError(400, `unknown entity "${name}" (use one of ${KIOTVIET_ENTITIES.join(', ')})`);
  return entity;
}

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

/**
 * @param {object} [options]
 * @param {number} [options.seed=1]
 * @param {string} [options.retailer='demoshop']
 * @param {string} [options.clientId]       default KIOTVIET_DEFAULT_CLIENT_ID
 * @param {string} [options.clientSecret]   default KIOTVIET_DEFAULT_CLIENT_SECRET
 * @param {{products?:number, customers?:number, orders?:number, branches?:number, invoices?:number}} [options.counts]
 * @param {number} [options.tokenTtlSeconds=86400]
 * @param {{limit?:number, windowMs?:number}} [options.rateLimit]  GET requests per window per retailer
 * @param {{rate429?:number, rate5xx?:number, rateTruncated?:number, rateSlow?:number, slowMs?:number}} [options.faults]
 * @param {() => number} [options.now=Date.now]
 * @param {number} [options.pageSizeMax=100]
 * @param {boolean} [options.retryAfterHeader=false]
 */
export function createKiotVietSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const nowSql = () => toSqlDatetime(now());

  // The world is always generated at the construction time, so reset() brings back exactly
  // the initial data even after the clock has moved.
  const anchorMs = now();
  let world;
  let tokens; // token → expiry ms
  let tokenRng;
  let limiter;
  let faults;
  let stats;
  let hooks; // webhook registrations (kv.md §A.8): {id, type, url, isActive, description, secret, retailerId, modifiedDate}
  let hookSeq;
  let permissions = { webhooks: 'write' }; // test control: 'none' answers 403 on /webhooks
  let server = null;
  const pendingTimers = new Set();

  function reset() {
    world = generateWorld(opts, anchorMs);
    tokens = new Map();
    tokenRng = createRng(opts.seed, 'kiotviet/tokens');
    limiter = createRateLimiter({ limit: opts.rateLimit.limit, windowMs: opts.rateLimit.windowMs, now });
    faults ??= createFaultInjector({ seed: opts.seed, label: 'kiotviet/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    hooks = new Map();
    hookSeq = 1_200_000;
  }
  reset();

  // --- token endpoint (id.kiotviet.vn/connect/token, kv.md §A.1) -----------------

  function issueToken() {
    const iat = Math.floor(now() / 1000);
    const exp = iat + opts.tokenTtlSeconds;
    const owner = world.staff[0];
    const header = { alg: 'RS256', kid: 'B7F1C2D3E4A5968778695A4B3C2D1E0F', typ: 'JWT' };
    // Claims a PHP SDK reads from the real token (kv.md §A.1): exp, client_RetailerCode, client_RetailerId, client_UserId.
    const payload = {
      nbf: iat, exp, iss: 'https://id.kiotviet.vn', aud: 'PublicApi', client_id: opts.clientId,
      client_RetailerCode: opts.retailer, client_RetailerId: String(world.retailerId), client_UserId: String(owner.id),
      jti: tokenRng.hex(32, true), iat, scope: [KIOTVIET_SCOPE],
    };
    const token = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url(tokenRng.bytes(256))}`;
    tokens.set(token, exp * 1000);
    stats.bump('tokensIssued');
    return token;
  }

  async function handleToken(req, ctx) {
    // IdentityServer answers non-POST with a bare 405 and form-less requests with invalid_request.
    if (req.method !== 'POST') return send(ctx, 405, '', { contentType: 'text/plain' });
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      return sendObj(ctx, 400, { error: 'invalid_request' });
    }
    const form = new URLSearchParams(await readBody(req, { limit: 64 * 1024 }));
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      clientSecret = decodeURIComponent(rest.join(':'));
    }
    // UNCONFIRMED error shapes (kv.md §A.1): standard OAuth2/IdentityServer JSON, HTTP 400.
    // Checked in IdentityServer's order: client first, then grant type, then scope.
    if (clientId !== opts.clientId || clientSecret !== opts.clientSecret) return sendObj(ctx, 400, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'client_credentials') return sendObj(ctx, 400, { error: 'unsupported_grant_type' });
    // The documented field is `scopes` (plural); `scope` is accepted too. UNCONFIRMED: a real
    // IdentityServer may grant default scopes when none is sent — we insist, as the docs do.
    const scopes = (form.get('scopes') ?? form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!scopes.length || scopes.some((s) => s !== KIOTVIET_SCOPE)) return sendObj(ctx, 400, { error: 'invalid_scope' });
    return sendObj(ctx, 200, { access_token: issueToken(), expires_in: opts.tokenTtlSeconds, token_type: 'Bearer' }, {
      'Cache-Control': 'no-store, no-cache, max-age=0',
      Pragma: 'no-cache',
    });
  }

  // --- resource API (public.kiotapi.com) ----------------------------------------------

  function checkAuth(req) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    // TokenException is what clients key re-authentication on (kv.md §A.7); HTTP 401 is UNCONFIRMED.
    if (!m) throw new ApiError(401, 'TokenException', 'Không tìm thấy access token trong header Authorization');
    const expiresAt = tokens.get(m[1]);
    if (expiresAt === undefined) throw new ApiError(401, 'TokenException', 'Token không hợp lệ');
    if (now() >= expiresAt) throw new ApiError(401, 'TokenException', 'Token đã hết hạn, vui lòng lấy token mới');
    const retailer = (req.headers.retailer ?? '').trim();
    // UNCONFIRMED (kv.md §A.1 suggests 401 or 400): 401, but not TokenException — a new token
    // would not help, so clients must not loop on re-authentication.
    if (!retailer) throw new ApiError(401, 'RetailerException', 'Thiếu header Retailer (tên gian hàng)');
    if (retailer.toLowerCase() !== opts.retailer.toLowerCase()) {
      throw new ApiError(401, 'RetailerException', `Gian hàng "${retailer}" không khớp với token`);
    }
  }

  function listResponse(entity, q) {
    const res = RESOURCES[entity];
    const pageSizeRaw = intParam(q, 'pageSize', 20);
    const pageSize = pageSizeRaw === 0 ? 20 : pageSizeRaw; // unset int binds as 0 → default
    // UNCONFIRMED: the docs state the maximum (100) but not the failure; we reject with 400.
    if (pageSize < 0 || pageSize > opts.pageSizeMax) {
      throw new ApiError(400, 'ArgumentException', `pageSize phải từ 1 đến ${opts.pageSizeMax}`, [{ errorCode: 'ArgumentException', fieldName: 'pageSize', message: `pageSize tối đa ${opts.pageSizeMax}` }]);
    }
    const currentItem = intParam(q, 'currentItem', 0);
    if (currentItem < 0) throw bindingError('currentItem', currentItem);
    const fromMs = dateParam(q, 'lastModifiedFrom');
    const includeRemoveIds = boolParam(q, 'includeRemoveIds');
    const proj = projection(entity, q);

    const table = world.tables[entity];
    let rows = [...table.rows.values()];
    if (fromMs !== undefined) rows = rows.filter((r) => effectiveModified(r) >= fromMs); // inclusive
    rows = sortRows(entity, filterRows(world, entity, rows, q), q);
    const page = rows.slice(currentItem, currentItem + pageSize);

    // Built by hand so record money keeps its decimals while the envelope's counts stay ints.
    const parts = [];
    if (includeRemoveIds && res.removedKey) {
      // UNCONFIRMED: without lastModifiedFrom we return every deletion.
      const ids = table.removed.filter((d) => fromMs === undefined || d.atMs >= fromMs).map((d) => d.id);
      parts.push(`${JSON.stringify(res.removedKey)}:${JSON.stringify(ids)}`);
    }
    parts.push(`"total":${rows.length}`, `"pageSize":${pageSize}`);
    parts.push(`"data":[${page.map((r) => toJsonText(project(entity, r.rec, proj), { decimals: KIOTVIET_DECIMALS })).join(',')}]`);
    if (res.timestamp) parts.push(`"timestamp":${JSON.stringify(formatKvDate(nowSql()))}`);
    return `{${parts.join(',')}}`;
  }

  function singleResponse(entity, key, byCode) {
    const rows = world.tables[entity].rows;
    let row;
    if (byCode) {
      const code = decodeURIComponent(key).toLowerCase();
      const codeKey = RESOURCES[entity].codeKey;
      row = [...rows.values()].find((r) => r.rec[codeKey].toLowerCase() === code);
    } else if (/^\d+$/.test(key)) {
      row = rows.get(Number(key));
    } else {
      throw bindingError('id', key);
    }
    // UNCONFIRMED: the not-found status and body are undocumented.
    if (!row) throw new ApiError(404, 'NotFound', 'Không tìm thấy dữ liệu');
    // UNCONFIRMED: a single-record GET shows everything (inventories, payments, totals...),
    // as the documented single-customer sample includes its totals.
    return toJsonText(row.rec, { decimals: KIOTVIET_DECIMALS });
  }

  async function handleApi(req, ctx, url) {
    try {
      checkAuth(req);
      if (req.method === 'GET') {
        // 5000 GET requests per hour per retailer (kv.md §A.6). UNCONFIRMED: 429 body and
        // Retry-After; we send no Retry-After unless options.retryAfterHeader.
        const hit = limiter.hit(opts.retailer.toLowerCase());
        if (!hit.allowed) {
          stats.bump('rateLimited');
          const headers = opts.retryAfterHeader ? { 'Retry-After': String(Math.max(1, Math.ceil(hit.retryAfterMs / 1000))) } : {};
          throw Object.assign(new ApiError(429, 'RateLimitExceeded', `Vượt quá giới hạn ${opts.rateLimit.limit} request trong ${Math.round(opts.rateLimit.windowMs / 60000)} phút, vui lòng thử lại sau`), { headers });
        }
      }
      const segments = url.pathname.toLowerCase().split('/').filter(Boolean);
      const rawSegments = url.pathname.split('/').filter(Boolean);
      const entity = segments[0];
      if (entity === 'webhooks') return await handleWebhooks(req, ctx, rawSegments);
      if (!RESOURCES[entity]) throw new ApiError(404, 'NotFound', `Không tìm thấy đường dẫn ${url.pathname}`);
      if (req.method !== 'GET') {
        throw new ApiError(405, 'NotSupported', `Sandbox chỉ mô phỏng các API GET (${req.method} ${url.pathname} chưa được hỗ trợ)`);
      }
      const q = queryParams(url.searchParams);
      let body;
      if (segments.length === 1) body = listResponse(entity, q);
      else if (segments.length === 2 && entity !== 'branches') body = singleResponse(entity, rawSegments[1], false);
      else if (segments.length === 3 && segments[1] === 'code' && entity !== 'branches') body = singleResponse(entity, rawSegments[2], true);
      else throw new ApiError(404, 'NotFound', `Không tìm thấy đường dẫn ${url.pathname}`);
      return send(ctx, 200, body);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return sendObj(ctx, err.status, errorBody(err.errorCode, err.message, err.errors), err.headers);
    }
  }

  // --- webhooks (kv.md §A.8) ---------------------------------------------------------
  // POST /webhooks {"Webhook": {Type, Url, IsActive, Description, Secret}} → the registration
  // (without its secret); GET /webhooks → {total, pageSize, data}; GET/DELETE /webhooks/{id}.
  // UNCONFIRMED: the validation messages, and whether a second registration of a Type at the
  // same Url is refused (the docs say one registration per Type): we accept it, so a client
  // that never doubles is what tests check.

  const hookView = (h) => ({ id: h.id, type: h.type, url: h.url, isActive: h.isActive, retailerId: world.retailerId, description: h.description, modifiedDate: formatKvDate(h.modifiedMs) });

  async function handleWebhooks(req, ctx, rawSegments) {
    if (permissions.webhooks === 'none') throw new ApiError(403, 'ForbiddenException', 'Ứng dụng không có quyền quản lý webhook');
    const id = rawSegments[1];
    if (rawSegments.length > 2 || (id !== undefined && !/^\d+$/.test(id))) throw new ApiError(404, 'NotFound', 'Không tìm thấy đường dẫn');
    if (req.method === 'GET' && id === undefined) {
      const all = [...hooks.values()];
      return send(ctx, 200, JSON.stringify({ total: all.length, pageSize: all.length, data: all.map(hookView) }));
    }
    if (req.method === 'GET') {
      const h = hooks.get(Number(id));
      if (!h) throw new ApiError(404, 'NotFound', 'Không tìm thấy webhook');
      return send(ctx, 200, JSON.stringify(hookView(h)));
    }
    if (req.method === 'DELETE' && id !== undefined) {
      if (!hooks.delete(Number(id))) throw new ApiError(404, 'NotFound', 'Không tìm thấy webhook');
      return sendObj(ctx, 200, { message: 'Hủy đăng ký webhook thành công' });
    }
    if (req.method === 'POST' && id === undefined) {
      let body;
      try {
        body = JSON.parse(await readBody(req, { limit: 64 * 1024 }));
      } catch {
        throw new ApiError(400, 'SerializationException', 'Dữ liệu gửi lên không hợp lệ');
      }
      const w = body?.Webhook ?? body?.webhook;
      const type = w?.Type ?? w?.type;
      const url = w?.Url ?? w?.url;
      if (!KIOTVIET_WEBHOOK_TYPES.includes(type)) throw new ApiError(400, 'ArgumentException', `Type "${type}" không hợp lệ`, [{ errorCode: 'ArgumentException', fieldName: 'Type', message: 'Kiểu sự kiện không hợp lệ' }]);
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ApiError(400, 'ArgumentException', 'Url không hợp lệ', [{ errorCode: 'ArgumentException', fieldName: 'Url', message: 'Url không hợp lệ' }]);
      const secret = w.Secret ?? w.secret ?? '';
      if (typeof secret !== 'string') throw new ApiError(400, 'ArgumentException', 'Secret không hợp lệ');
      const h = { id: hookSeq++, type, url, isActive: (w.IsActive ?? w.isActive) !== false, description: String(w.Description ?? w.description ?? ''), secret, modifiedMs: now() };
      hooks.set(h.id, h);
      const { modifiedDate: _m, ...created } = hookView(h);
      return sendObj(ctx, 200, created);
    }
    throw new ApiError(405, 'NotSupported', `${req.method} /webhooks chưa được hỗ trợ`);
  }

  /** PascalCase keys, as webhook payloads carry them (kv.md §A.8). */
  const pascal = (v) => (Array.isArray(v) ? v.map(pascal) : v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'isActive' ? k : k[0].toUpperCase() + k.slice(1), pascal(x)])) : v);

  /**
   * The deliveries KiotViet would send for one change: one per active registration of `type`,
   * signed as kv.md's "Simulator recommendation" says — X-Hub-Signature: sha256=<lowercase hex
   * HMAC-SHA256(key = the Secret exactly as registered, raw body)>; none without a Secret.
   * `ids`: the records (update events carry them whole, delete events only their ids).
   */
  // `deleteShape`: 'envelope' (the official plugin's reading: Data = the ids) or 'docs' (the
  // webhook docs' bare {"RemoveId":[...]}, no Action: only the URL registered for the Type says
  // what it is). Which one KiotViet really sends is UNCONFIRMED (kv.md §A.8); StoreLink takes both.
  function webhookDeliveries(type, ids, { deleteShape = 'envelope' } = {}) {
    const entity = { product: 'products', stock: 'products', customer: 'customers', order: 'orders', invoice: 'invoices', branch: 'branches' }[type.split('.')[0]];
    if (!entity || !KIOTVIET_WEBHOOK_TYPES.includes(type)) throw new HttpError(400, `unknown webhook type ${type}`);
    const list = (Array.isArray(ids) ? ids : [ids]).map(Number);
    let data;
    if (type.endsWith('.delete')) data = list;
    else if (type === 'stock.update') data = list.flatMap((id) => (getRow('products', id).rec.inventories ?? []).map((inv) => pascal(inv)));
    else data = list.map((id) => pascal(getRow(entity, id).rec));
    const out = [];
    for (const h of hooks.values()) {
      if (h.type !== type || !h.isActive) continue;
      const body = type.endsWith('.delete') && deleteShape === 'docs'
        ? JSON.stringify({ RemoveId: data })
        : JSON.stringify({ Id: crypto.randomUUID(), Attempt: 1, Notifications: [{ Action: `${type}.${world.retailerId}`, Data: data }] });
      const headers = { 'content-type': 'application/json' };
      if (h.secret) headers['x-hub-signature'] = `sha256=${createHmac('sha256', h.secret).update(body).digest('hex')}`;
      out.push({ url: h.url, headers, body });
    }
    return out;
  }

  // --- plumbing ----------------------------------------------------------------------

  function send(ctx, status, text, { headers = {}, contentType } = {}) {
    stats.record(ctx.route, status);
    sendText(ctx.res, status, text, { headers, contentType, truncate: ctx.truncate });
  }
  function sendObj(ctx, status, obj, headers = {}) {
    send(ctx, status, JSON.stringify(obj), { headers });
  }

  function sendFault(ctx, fault) {
    const headers = { ...fault.headers };
    if (fault.body !== undefined) {
      const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
      return send(ctx, fault.status, text, { headers, contentType: text.trimStart().startsWith('<') ? 'text/html' : undefined });
    }
    if (fault.status === 502 || fault.status === 503 || fault.status === 504) {
      return send(ctx, fault.status, gatewayErrorHtml(fault.status), { headers, contentType: 'text/html' }); // the nginx in front answers
    }
    if (fault.status === 429 && opts.retryAfterHeader && !('Retry-After' in headers)) headers['Retry-After'] = '1';
    const body = fault.status === 429 ? errorBody('RateLimitExceeded', 'Vượt quá giới hạn request, vui lòng thử lại sau')
      : fault.status === 401 ? errorBody('TokenException', 'Token không hợp lệ')
      : fault.status >= 500 ? errorBody('NullReferenceException', 'Object reference not set to an instance of an object.') // an unhandled .NET exception
      : errorBody('Error', `Lỗi ${fault.status}`);
    return send(ctx, fault.status, JSON.stringify(body), { headers });
  }

  function routeKey(method, path) {
    const normalized = path.toLowerCase().split('/').map((s, i, all) => (i >= 2 && all[i - 1] === 'code' ? '{code}' : /^\d+$/.test(s) ? '{id}' : s)).join('/');
    return `${method} ${normalized || '/'}`;
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path.toLowerCase() === '/__sandbox' || path.toLowerCase().startsWith('/__sandbox/')) return handleControl(req, res, path.slice('/__sandbox'.length), url);
    const ctx = { res, route: routeKey(req.method, path), truncate: false };
    // Faults come first, before auth or rate limiting, like a flaky network or gateway would.
    const fault = faults.next();
    if (fault) {
      stats.bump('faultsInjected');
      if (fault.delayMs) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => (pendingTimers.delete(timer), resolve()), fault.delayMs);
          pendingTimers.add(timer);
        });
        if (res.destroyed) return;
      }
      if (fault.truncated) ctx.truncate = true;
      if (fault.status) return sendFault(ctx, fault);
    }
    if (path.toLowerCase() === '/connect/token') return handleToken(req, ctx);
    return handleApi(req, ctx, url);
  }

  // --- in-process control ------------------------------------------------------------

  function getRow(entity, id) {
    const row = world.tables[entity].rows.get(Number(id));
    if (!row) throw new HttpError(404, `${entity} ${id} not found`);
    return row;
  }

  function touch(entityName, id) {
    const entity = normalizeEntity(entityName);
    const row = getRow(entity, id);
    const rec = row.rec;
    const rng = world.mutations;
    switch (entity) {
      case 'products': {
        rec.basePrice = Math.max(1000, rec.basePrice + rng.pick([-5000, 5000, 10_000, 20_000]));
        // Keep every units[] copy of this row's price in step across the unit family.
        for (const other of world.tables.products.rows.values()) {
          for (const u of other.rec.units ?? []) if (u.id === rec.id) u.basePrice = rec.basePrice;
        }
        break;
      }
      case 'customers':
        rec.debt = money(rec.debt + rng.pick([50_000, 120_000, -30_000]));
        rec.comments = `Cập nhật lúc ${formatVnLocal(now(), 0).replace('T', ' ')}`;
        break;
      case 'orders': {
        const next = { 1: 5, 5: 2, 2: 3 }[rec.status];
        if (next) {
          rec.status = next;
          rec.statusValue = KIOTVIET_ORDER_STATUS[next];
        } else {
          rec.description = `${rec.description ? `${rec.description} ` : ''}(đã cập nhật)`.trim();
        }
        break;
      }
      case 'invoices':
        rec.description = `${rec.description ? `${rec.description} ` : ''}(đã cập nhật)`.trim();
        break;
      case 'branches':
        rec.contactNumber = vnMobile(rng);
        break;
    }
    setModified(row, nowSql());
    orderKeys(entity, rec);
    return toTruth(rec);
  }

  function create(entityName, fields = {}) {
    const entity = normalizeEntity(entityName);
    const rng = world.mutations;
    const t = nowSql();
    world.now0 = Math.max(world.now0, t);
    let rows;
    switch (entity) {
      case 'products': {
        const tpl = rng.pick(PRODUCT_TEMPLATES.filter((x) => x.kind !== 'service' && x.kind !== 'combo'));
        rows = buildProductGroup(world, rng, tpl, 1, t);
        break;
      }
      case 'customers': rows = [buildCustomer(world, rng, t)]; break;
      case 'orders': rows = [buildOrder(world, rng, t, 1)]; break; // new orders arrive as Phiếu tạm
      case 'invoices': rows = [buildInvoice(world, rng, t)]; break;
      case 'branches': rows = [buildBranch(world, rng, t, false)]; break;
    }
    const row = rows[0];
    const { id: _ignored, ...overrides } = fields ?? {};
    Object.assign(row.rec, overrides);
    setModified(row, t);
    orderKeys(entity, row.rec);
    world.tables[entity].rows.set(row.rec.id, row);
    return toTruth(row.rec);
  }

  function remove(entityName, id) {
    const entity = normalizeEntity(entityName);
    const row = getRow(entity, id);
    const t = nowSql();
    if (entity === 'orders' || entity === 'invoices') {
      // UNCONFIRMED: KiotViet cancels transactions rather than erasing them (and lists have no
      // removeIds for them), so "remove" = cancel: status Đã hủy + new modifiedDate.
      row.rec.status = entity === 'orders' ? 4 : 2;
      row.rec.statusValue = entity === 'orders' ? KIOTVIET_ORDER_STATUS[4] : KIOTVIET_INVOICE_STATUS[2];
      setModified(row, t);
      return { id: row.rec.id, cancelled: true, record: toTruth(row.rec) };
    }
    // UNCONFIRMED: deleting a variant master leaves siblings pointing at it (masterProductId).
    world.tables[entity].rows.delete(row.rec.id);
    world.tables[entity].removed.push({ id: row.rec.id, atMs: t });
    return { id: row.rec.id, removed: true, removedAt: formatKvDate(t) };
  }

  function expireTokens() {
    const n = tokens.size;
    for (const token of tokens.keys()) tokens.set(token, -Infinity);
    return { expired: n };
  }

  function truth(entityName) {
    const entity = normalizeEntity(entityName);
    return [...world.tables[entity].rows.values()].sort((a, b) => a.rec.id - b.rec.id).map((r) => toTruth(r.rec));
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return {
      total: s.total,
      byRoute: s.byRoute,
      byStatus: s.byStatus,
      rateLimited: s.counters.rateLimited ?? 0,
      faultsInjected: s.counters.faultsInjected ?? 0,
      tokensIssued: s.counters.tokensIssued ?? 0,
      pendingScriptedFaults: faults.pending(),
    };
  }

  function info() {
    return {
      platform: 'kiotviet',
      url: server?.url,
      retailer: opts.retailer,
      retailerId: world.retailerId,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      scopes: KIOTVIET_SCOPE,
      tokenPath: '/connect/token',
      entities: KIOTVIET_ENTITIES,
      counts: Object.fromEntries(KIOTVIET_ENTITIES.map((e) => [e, world.tables[e].rows.size])),
      bulkImportModifiedDate: formatKvDate(world.bulkImportMs),
    };
  }

  // --- the same controls over HTTP (no auth; loopback only) ---------------------------

  async function handleControl(req, res, sub, url) {
    const reply = (status, value) => sendText(res, status, JSON.stringify(value));
    try {
      const [action = 'info', arg] = sub.split('/').filter(Boolean);
      const method = req.method;
      if (method === 'GET' && action === 'info') return reply(200, info());
      if (method === 'GET' && action === 'stats') return reply(200, statsSnapshot());
      if (method === 'GET' && action === 'truth') {
        const entity = normalizeEntity(arg ?? url.searchParams.get('entity'));
        const text = `[${[...world.tables[entity].rows.values()].sort((a, b) => a.rec.id - b.rec.id).map((r) => toJsonText(r.rec, { decimals: KIOTVIET_DECIMALS })).join(',')}]`;
        return sendText(res, 200, text);
      }
      if (method !== 'POST') throw new HttpError(404, `unknown control ${method} /__sandbox/${action}`);
      const body = await readJson(req);
      switch (action) {
        case 'touch': return reply(200, touch(body.entity, body.id));
        case 'create': return reply(200, create(body.entity, body.fields));
        case 'remove': return reply(200, remove(body.entity, body.id));
        case 'expire-tokens': return reply(200, expireTokens());
        case 'faults': return reply(200, faults.set(body));
        case 'fail-next': return reply(200, { pending: faults.failNext(Array.isArray(body) ? body : body.responses ?? []) });
        case 'reset': reset(); return reply(200, { reset: true });
        default: throw new HttpError(404, `unknown control POST /__sandbox/${action}`);
      }
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 400;
      return reply(status, { error: err.message });
    }
  }

  return {
    /** Starts the loopback HTTP server. */
    async listen(port = 0) {
      if (server) throw new Error('simulator is already listening');
      server = await startServer(handle, { port, host: opts.host });
      return { url: server.url, port: server.port };
    },
    async close() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      const s = server;
      server = null;
      if (s) await s.close();
    },
    get url() {
      return server?.url;
    },
    /** (req, res) handler, to mount the simulator inside another server. */
    handle,
    info,
    touch,
    create,
    remove,
    expireTokens,
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
    truth,
    reset,
    /** Webhook registrations, secrets included (a test control): [{id, type, url, isActive, description, secret}]. */
    webhooks: () => [...hooks.values()].map(({ modifiedMs: _m, ...h }) => ({ ...h })),
    /** Test control: {webhooks: 'write' | 'none'} ('none' answers 403 on /webhooks). */
    setPermissions: (p) => Object.assign(permissions, p),
    webhookDeliveries,
    /**
     * Test control: a sale or stock count at one branch — onHand changes, the product row's
     * modifiedDate does not (UNCONFIRMED that it never moves; what stock.update exists for).
     */
    setStock(productId, branchId, onHand) {
      const inv = getRow('products', productId).rec.inventories?.find((i) => i.branchId === Number(branchId));
      if (!inv) throw new HttpError(400, `product ${productId} has no stock at branch ${branchId}`);
      inv.onHand = onHand;
      return { ...inv };
    },
    /** Sends the deliveries of one change to the registered URLs; → their HTTP statuses. */
    async postWebhooks(type, ids, options) {
      const results = [];
      for (const d of webhookDeliveries(type, ids, options)) results.push((await fetch(d.url, { method: 'POST', headers: d.headers, body: d.body })).status);
      return results;
    },
  };
}
