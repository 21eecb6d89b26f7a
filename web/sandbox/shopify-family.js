// The simulator shared by the Shopify-style family (Sapo, Haravan): one store of neutral
// records (locations, products with variants and per-location stock, customers, orders,
// events) and one HTTP front that renders them the way each platform does. sapo.js and
// haravan.js pass a dialect — paths, field names, formats, limits, headers, quirks — the same
// split as src/connectors/shopify_family.* on the C++ side.
//
// Facts: /work/shared/platforms/sapo.md (B.x) and haravan.md (A.x). Behaviour a platform does
// not document is marked UNCONFIRMED where it is chosen.
//
// Served (prefix /admin/ for Sapo, /com/ for Haravan), GET unless noted:
//   products.json, products/count.json, products/{id}.json, products/{id}/variants.json,
//   orders.json, orders/count.json, orders/{id}.json, customers.json, customers/count.json,
//   customers/{id}.json, locations.json, locations/{id}.json, events.json, events/count.json,
//   the stock endpoint (Sapo inventory_levels.json, Haravan inventory_locations.json), the shop
//   endpoint (Sapo store.json; Haravan shop.json), DELETE products|orders|customers/{id}.json,
//   and on Sapo the webhooks API: webhooks.json (GET, POST), webhooks/count.json,
//   webhooks/{id}.json (GET, DELETE).
// Test controls, JSON, no auth, not counted: GET /__sandbox/{info,stats,truth/<entity>};
// POST /__sandbox/{touch,create,remove,faults,fail-next,reset,expire-tokens,permissions,
// spend,webhook}.

import {
  createRng, createLeakyBucket, createFaultInjector, createRequestStats, startServer,
  readJson, readBody, sendText, toJsonText, queryParams, parseDateTime, hmacSha256Base64,
  gatewayErrorHtml, HttpError, DAY_MS, VN_OFFSET_MS,
  vnPerson, vnAddress, vnPhone, vnMobile, vnEmail, ean13, stripDiacritics, roundVnd,
  PRODUCT_TEMPLATES, VARIANT_AXES,
} from './common.js';

export const FAMILY_ENTITIES = ['locations', 'products', 'customers', 'orders'];
const SINGULAR = { products: 'product', orders: 'order', customers: 'customer', locations: 'location' };
const SUBJECT = { products: 'Product', orders: 'Order', customers: 'Customer', locations: 'Location' };

// POS systems store option names upper-case (common.js); these web platforms as typed.
const OPTION_NAMES = { 'MÀU SẮC': 'Màu sắc', 'KÍCH THƯỚC': 'Kích thước', SIZE: 'Size', 'DUNG TÍCH': 'Dung tích', 'MÀU SON': 'Màu son', MODEL: 'Model' };

/** "Áo thun basic" → "ao-thun-basic" (handles / aliases). */
export function slugify(text) {
  return stripDiacritics(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** "0912345678" → "+84912345678" (Sapo stores customer phones this way; B.5). */
function e164(mobile) {
  return `+84${mobile.slice(1)}`;
}

// ---------------------------------------------------------------------------
// World generation (platform-neutral records)
// ---------------------------------------------------------------------------

function generateWorld(d, opts, nowMs) {
  const root = createRng(opts.seed, d.platform);
  const w = {
    now0: d.roundTime(nowMs),
    shopStartMs: d.roundTime(nowMs - root.fork('shop').int(500, 900) * DAY_MS),
    tables: Object.fromEntries(FAMILY_ENTITIES.map((e) => [e, new Map()])),
    events: [],
    seq: { ...d.idBase },
    version: 0,
    lastMutationMs: 0,
  };
  w.orgId = root.fork('org').int(200_000_000_000, 200_000_999_999);
  genLocations(d, w, root.fork('locations'), opts.counts.locations);
  genProducts(d, w, root.fork('products'), opts.counts.products);
  genCustomers(d, w, root.fork('customers'), opts.counts.customers);
  genOrders(d, w, root.fork('orders'), opts.counts.orders);
  w.mutations = root.fork('mutations');
  return w;
}

function nextId(w, kind, rng, maxStep = 7) {
  w.seq[kind] += rng.int(1, maxStep); // ids come from a sequence shared with other shops → gaps
  return w.seq[kind];
}

function between(d, rng, fromMs, toMs) {
  return d.roundTime(fromMs + rng.next() * Math.max(0, toMs - fromMs));
}

function genLocations(d, w, rng, count) {
  for (let i = 0; i < count; i++) {
    const createdMs = i === 0 ? w.shopStartMs : between(d, rng, w.shopStartMs, w.now0 - 60 * DAY_MS);
    w.tables.locations.set(nextId(w, 'locations', rng, 90), buildLocation(d, w, rng, createdMs, i));
  }
}

function buildLocation(d, w, rng, createdMs, index) {
  const addr = vnAddress(rng);
  const place = addr.district.replace(/^(Quận|Huyện|Thành phố|Thị xã) /, '');
  return {
    id: w.seq.locations,
    name: index === 0 ? 'Cửa hàng chính' : rng.chance(0.5) ? `Chi nhánh ${place}` : `Kho ${addr.province}`,
    address1: addr.street,
    ward: addr.ward,
    district: addr.district,
    province: addr.province,
    phone: rng.chance(0.8) ? vnMobile(rng) : `028${rng.int(30_000_000, 39_999_999)}`,
    email: rng.chance(0.4) ? `cn${index + 1}@${d.platform}-demo.vn` : null,
    primary: index === 0,
    active: true,
    createdMs,
    modifiedMs: createdMs,
  };
}

function genProducts(d, w, rng, count) {
  for (let i = 0; i < count; i++) {
    const tpl = rng.pick(PRODUCT_TEMPLATES);
    const createdMs = between(d, rng, w.shopStartMs, w.now0 - 2 * DAY_MS);
    const p = buildProduct(d, w, rng, tpl, createdMs);
    p.modifiedMs = rng.chance(0.3) ? p.createdMs : between(d, rng, createdMs, w.now0 - 3_600_000);
    w.tables.products.set(p.id, p);
  }
  // A bulk price update ("Cập nhật giá hàng loạt") rewrote 15% of the catalogue in one second:
  // one modified time shared by many rows, which page-numbered clients must walk, not skip.
  const bulkMs = d.roundTime(w.now0 - rng.int(10, 30) * DAY_MS);
  const eligible = [...w.tables.products.values()].filter((p) => p.createdMs < bulkMs);
  for (const p of rng.sample(eligible, Math.round(count * 0.15))) p.modifiedMs = bulkMs;
  w.bulkUpdateMs = bulkMs;
}

function buildProduct(d, w, rng, tpl, createdMs) {
  const id = nextId(w, 'products', rng, 9);
  const basePrice = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
  const axes = (VARIANT_AXES[tpl.kind] ?? []).slice(0, 3);
  const options = axes.map(([name, values]) => [OPTION_NAMES[name] ?? name, rng.sample(values, rng.int(1, Math.min(3, values.length)))]);
  let combos = options.reduce((acc, [, values]) => acc.flatMap((c) => values.map((v) => [...c, v])), [[]]);
  combos = combos.slice(0, 12);
  const tracked = tpl.kind !== 'service';
  const locations = [...w.tables.locations.keys()];
  const stem = stripDiacritics(tpl.name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).map((x) => x[0]).join('').slice(0, 4);
  const variants = combos.map((values, i) => {
    const stock = {};
    if (tracked) {
      for (const loc of locations) {
        if (loc !== locations[0] && !rng.chance(0.6)) continue;
        const onHand = rng.weighted([[0, 10], [rng.int(1, 60), 75], [rng.int(100, 600), 10], [-rng.int(1, 5), 5]]);
        stock[loc] = { onHand, committed: onHand > 0 && rng.chance(0.2) ? rng.int(1, Math.min(5, onHand)) : 0 };
      }
    }
    const vid = nextId(w, 'variants', rng, i === 0 ? 9 : 2);
    return {
      id: vid,
      itemId: nextId(w, 'items', rng, 3), // Sapo: inventory_item_id ≠ variant id (B.4)
      sku: `${stem}${String(id % 100_000).padStart(5, '0')}${values.length ? `-${i + 1}` : ''}`,
      barcode: tpl.kind !== 'service' && rng.chance(0.55) ? ean13(rng) : null,
      price: basePrice + (values.some((v) => v === 'XXL') ? 20_000 : 0),
      compareAt: rng.chance(0.3) ? roundVnd(basePrice * 1.2) : null,
      values,
      grams: tpl.weight,
      tracked,
      policy: tracked && rng.chance(0.8) ? 'deny' : 'continue',
      unit: tpl.unit || null,
      stock,
      position: i + 1,
      createdMs,
    };
  });
  const kind = ['fashion', 'shoes', 'cosmetic', 'lipstick', 'phone-accessory', 'fashion-lite'].includes(tpl.kind) ? 0.85 : 0.4;
  const images = [];
  if (rng.chance(kind)) {
    for (let i = 0, n = rng.int(1, 3); i < n; i++) {
      const file = `${slugify(tpl.name)}-${rng.hex(8)}.jpg`;
      images.push({ id: nextId(w, 'images', rng, 5), position: i + 1, file, variantIds: i === 0 && variants.length > 1 ? [variants[0].id] : [] });
    }
  }
  const status = rng.weighted([['active', 90], ['archived', 5], ['draft', 5]]);
  return {
    id,
    name: tpl.name,
    handle: `${slugify(tpl.name)}-${id % 1000}`,
    category: tpl.category,
    vendor: tpl.brands.length && rng.chance(0.75) ? rng.pick(tpl.brands) : null,
    body: rng.chance(0.6) ? `<p>${tpl.name} chính hãng, đổi trả trong 7 ngày.</p>` : '',
    tags: rng.chance(0.5) ? [tpl.category.toLowerCase(), rng.pick(['mới', 'bán chạy', 'khuyến mãi'])] : [],
    status,
    publishedMs: status === 'active' ? createdMs : null,
    options: options.map(([name]) => name),
    variants,
    images,
    createdMs,
    modifiedMs: createdMs,
  };
}

function personName(d, rng, gender) {
  const person = vnPerson(rng, gender ? { gender } : {});
  const middleAndGiven = person.name.slice(person.familyName.length + 1);
  return { ...person, middleAndGiven };
}

function genCustomers(d, w, rng, count) {
  const times = Array.from({ length: count }, () => between(d, rng, w.shopStartMs, w.now0 - DAY_MS)).sort((a, b) => a - b);
  for (const createdMs of times) {
    const c = buildCustomer(d, w, rng, createdMs);
    c.modifiedMs = rng.chance(0.4) ? createdMs : between(d, rng, createdMs, w.now0 - 3_600_000);
    w.tables.customers.set(c.id, c);
  }
}

function buildCustomer(d, w, rng, createdMs) {
  const person = personName(d, rng);
  const addr = rng.chance(0.8) ? vnAddress(rng) : null;
  const mobile = vnMobile(rng);
  return {
    id: nextId(w, 'customers', rng, 40),
    family: person.familyName,
    given: person.middleAndGiven,
    fullName: person.name,
    typedInOneBox: rng.chance(d.platform === 'haravan' ? 0.8 : 0.1), // the whole name in first_name
    gender: rng.chance(0.85) ? person.gender : null,
    birthday: rng.chance(0.4) ? `${rng.int(1965, 2005)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : null,
    mobile,
    typedPhone: d.platform === 'haravan' ? (rng.chance(0.85) ? vnPhone(rng) ?? null : null) : null,
    email: rng.chance(0.5) ? vnEmail(rng, person.name) : null,
    tags: rng.chance(0.3) ? [rng.pick(['Khách VIP', 'Khách sỉ', 'Khách quen', 'CTV'])] : [],
    group: d.platform === 'haravan' && rng.chance(0.25) ? rng.pick(['Khách VIP', 'Khách sỉ']) : null,
    address: addr && { id: nextId(w, 'addresses', rng, 3), ...addr, phone: mobile },
    state: rng.weighted([['disabled', 80], ['enabled', 20]]),
    note: rng.chance(0.1) ? 'Giao sau 17h' : null,
    acceptsMarketing: rng.chance(0.3),
    createdMs,
    modifiedMs: createdMs,
  };
}

function genOrders(d, w, rng, count) {
  const times = Array.from({ length: count }, () => d.roundTime(w.now0 - 60_000 - Math.floor(rng.next() ** 1.5 * 150 * DAY_MS))).sort((a, b) => a - b);
  w.seq.orderNumber = d.firstOrderNumber - 1;
  for (const createdMs of times) {
    const o = buildOrder(d, w, rng, createdMs);
    w.tables.orders.set(o.id, o);
  }
}

function sellable(w) {
  return [...w.tables.products.values()].filter((p) => p.status === 'active');
}

/** Lifecycle by age: recent orders are still open; older ones closed (archived) or cancelled. */
function orderLifecycle(rng, ageDays) {
  if (ageDays < 2) return rng.weighted([['new', 45], ['confirmed', 25], ['shipping', 20], ['cancelled', 10]]);
  if (ageDays < 10) return rng.weighted([['confirmed', 10], ['shipping', 25], ['delivered', 30], ['closed', 25], ['cancelled', 10]]);
  return rng.weighted([['closed', 75], ['delivered', 10], ['cancelled', 12], ['new', 3]]);
}

function buildOrder(d, w, rng, createdMs, forced) {
  const id = nextId(w, 'orders', rng, 50);
  const number = ++w.seq.orderNumber;
  const known = [...w.tables.customers.values()].filter((c) => c.createdMs <= createdMs);
  const pos = rng.chance(0.2);
  const customer = known.length && (!pos || rng.chance(0.3)) ? rng.pick(known) : null;
  const products = sellable(w);
  const lines = rng.sample(products, rng.weighted([[1, 50], [2, 30], [3, 20]])).map((p) => {
    const v = rng.pick(p.variants);
    const qty = rng.weighted([[1, 70], [2, 20], [3, 7], [5, 3]]);
    const discount = rng.chance(0.12) ? roundVnd(v.price * qty * rng.pick([0.05, 0.1])) : 0;
    return {
      id: nextId(w, 'lines', rng, 20),
      productId: p.id,
      variantId: v.id,
      title: p.name,
      variantTitle: v.values.length ? v.values.join(' / ') : null,
      sku: v.sku,
      qty,
      price: v.price,
      discount,
      grams: v.grams,
      vendor: p.vendor,
    };
  });
  const itemsTotal = lines.reduce((s, l) => s + l.price * l.qty - l.discount, 0);
  const code = rng.chance(0.1) ? { code: rng.pick(['GIAM20K', 'FREESHIP', 'KHACHMOI']), amount: Math.min(20_000, itemsTotal) } : null;
  const shipping = pos ? null : { title: rng.pick(['Giao hàng tiêu chuẩn', 'Giao Hàng Nhanh', 'Giao Hàng Tiết Kiệm']), code: rng.pick(['GHN', 'GHTK', null]), price: rng.pick([0, 15_000, 25_000, 30_000]) };
  const taxRate = rng.chance(0.15) ? rng.pick([0.08, 0.1]) : 0;
  const addr = shipping ? (customer?.address && rng.chance(0.7) ? customer.address : { ...vnAddress(rng), phone: vnMobile(rng) }) : null;
  const life = forced ?? orderLifecycle(rng, (w.now0 - createdMs) / DAY_MS);
  const o = {
    id,
    number,
    customerId: customer?.id ?? null,
    email: customer?.email ?? null,
    phone: customer ? customer.mobile : null,
    recipient: addr ? (customer && addr === customer.address ? customer.fullName : vnPerson(rng).name) : null,
    shippingAddress: addr,
    lines,
    code,
    shipping,
    taxRate,
    source: pos ? 'pos' : rng.pick(['web', 'facebook', 'zalo', 'shopee']),
    locationId: pos ? rng.pick([...w.tables.locations.keys()]) : [...w.tables.locations.keys()][0],
    note: rng.weighted([[null, 70], ['Giao giờ hành chính', 10], ['Gọi trước khi giao', 10], ['Khách hẹn lấy tại cửa hàng', 10]]),
    gateway: pos ? 'Tiền mặt' : rng.pick(['Thanh toán khi giao hàng (COD)', 'Chuyển khoản ngân hàng']),
    createdMs,
    modifiedMs: createdMs,
    state: 'open',
    financial: 'pending',
    fulfillment: 'unfulfilled',
    confirmedMs: null,
    closedMs: null,
    cancelledMs: null,
    cancelReason: null,
    delivered: false,
    deliveredMs: null,
  };
  applyLifecycle(d, rng, o, life, createdMs, w.now0);
  return o;
}

/** Moves an order along its lifecycle up to `stage`, with times after createdMs. */
function applyLifecycle(d, rng, o, stage, createdMs, nowMs) {
  const later = (minMs, maxMs) => d.roundTime(Math.min(nowMs - 1000, createdMs + minMs + rng.next() * (maxMs - minMs)));
  const cod = /COD/.test(o.gateway);
  if (o.source === 'pos' && stage !== 'cancelled') stage = 'closed';
  if (stage === 'new') {
    o.financial = cod ? 'pending' : rng.pick(['pending', 'paid']);
    o.modifiedMs = later(0, 60_000);
    return;
  }
  o.confirmedMs = later(60_000, 3_600_000);
  o.modifiedMs = o.confirmedMs;
  if (stage === 'cancelled') {
    o.state = 'cancelled';
    o.cancelledMs = later(3_600_000, 2 * DAY_MS);
    o.cancelReason = rng.pick(['customer', 'inventory', 'other']);
    o.financial = rng.chance(0.2) ? 'refunded' : 'voided';
    o.modifiedMs = o.cancelledMs;
    return;
  }
  o.financial = cod ? 'pending' : rng.weighted([['paid', 70], ['partially_paid', 30]]);
  if (stage === 'confirmed') return;
  o.fulfillment = o.lines.length > 1 && rng.chance(0.1) ? 'partial' : 'fulfilled';
  o.modifiedMs = later(3_600_000, DAY_MS);
  if (stage === 'shipping') return;
  o.fulfillment = 'fulfilled';
  o.delivered = o.source !== 'pos';
  o.financial = 'paid';
  o.modifiedMs = later(DAY_MS, 3 * DAY_MS);
  o.deliveredMs = o.delivered ? o.modifiedMs : null;
  if (stage === 'delivered') return;
  o.state = 'closed';
  o.closedMs = later(3 * DAY_MS, 5 * DAY_MS);
  o.modifiedMs = o.closedMs;
}

export function orderTotals(o) {
  const lineItems = o.lines.reduce((s, l) => s + l.price * l.qty, 0);
  const lineDiscounts = o.lines.reduce((s, l) => s + l.discount, 0);
  const codeDiscount = o.code ? o.code.amount : 0;
  const shipping = o.shipping ? o.shipping.price : 0;
  const tax = Math.round((lineItems - lineDiscounts - codeDiscount) * o.taxRate);
  return {
    lineItems,
    discounts: lineDiscounts + codeDiscount,
    subtotal: lineItems - lineDiscounts - codeDiscount,
    shipping,
    tax,
    total: lineItems - lineDiscounts - codeDiscount + shipping + tax,
  };
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, errors, headers = {}) {
    super(typeof errors === 'string' ? errors : JSON.stringify(errors));
    Object.assign(this, { status, errors, headers });
  }
}

function normalizeEntity(name) {
  const key = String(name ?? '').toLowerCase();
  const entity = { product: 'products', order: 'orders', customer: 'customers', location: 'locations' }[key] ?? key;
  if (!FAMILY_ENTITIES.includes(entity)) throw new HttpError(400, `unknown entity "${name}" (use one of ${FAMILY_ENTITIES.join(', ')})`);
  return entity;
}

/**
 * @param {object} d  the platform dialect (see sapo.js / haravan.js)
 * @param {object} [options]
 * @param {number} [options.seed=1]
 * @param {{products?:number, customers?:number, orders?:number, locations?:number}} [options.counts]
 * @param {() => number} [options.now=Date.now]   inject a virtual clock for tests
 * @param {number} [options.timeScale=1]           rate-limit drain speed-up for real-clock runs
 * @param {boolean} [options.ignoreOrder=false]    answer in id order whatever `order` asks
 * @param {object} [options.permissions]           {products|orders|customers|locations|inventory|shop: 'write'|'read'|'none'}
 * @param {object} [options.faults]                {rate429, rate5xx, rateTruncated, rateSlow, slowMs}
 */
export function createShopifyFamilySimulator(d, options = {}) {
  const opts = {
    seed: options.seed ?? 1,
    counts: { locations: 3, products: 120, customers: 80, orders: 200, ...options.counts },
    now: options.now ?? Date.now,
    timeScale: options.timeScale ?? 1,
    ignoreOrder: options.ignoreOrder ?? false,
    credentials: { ...d.defaultCredentials, ...options.credentials },
    webhookSecret: options.webhookSecret ?? d.defaultWebhookSecret,
    permissions: { products: 'write', orders: 'write', customers: 'write', locations: 'read', inventory: 'read', shop: 'read', webhooks: 'write', ...options.permissions },
    faults: { ...options.faults },
    host: options.host ?? '127.0.0.1',
  };
  for (const [k, v] of Object.entries(opts.counts)) {
    if (!Number.isInteger(v) || v < (k === 'locations' ? 1 : 0)) throw new Error(`counts.${k} must be a non-negative integer (locations >= 1)`);
  }
  const now = () => opts.now();
  const anchorMs = now();
  let world;
  let bucket;
  let faults;
  let stats;
  let revoked = false;
  let maxUsed = 0;
  let server = null;
  const pendingTimers = new Set();

  function reset() {
    world = generateWorld(d, opts, anchorMs);
    world.webhooks = new Map(); // registrations made through the webhooks API (Sapo §B.8)
    bucket = createLeakyBucket({ capacity: d.bucket, leakPerSecond: d.leak, now, timeScale: opts.timeScale });
    faults ??= createFaultInjector({ seed: opts.seed, label: `${d.platform}/faults`, rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    revoked = false;
    maxUsed = 0;
  }
  reset();

  const touchTime = () => {
    // Strictly after every stored time, so "modified since" always sees a mutation.
    const t = Math.max(d.roundTime(now()), world.lastMutationMs + d.tick);
    world.lastMutationMs = t;
    world.now0 = Math.max(world.now0, t);
    world.version++;
    return t;
  };

  // --- rendering ----------------------------------------------------------------------

  function customerStats() {
    if (world.statsVersion === world.version && world.customerStats) return world.customerStats;
    const m = new Map();
    for (const o of world.tables.orders.values()) {
      if (!o.customerId) continue;
      const s = m.get(o.customerId) ?? { count: 0, spent: 0, last: null };
      s.count++;
      if (o.state !== 'cancelled') s.spent += orderTotals(o).total;
      if (!s.last || o.createdMs > s.last.createdMs) s.last = o;
      m.set(o.customerId, s);
    }
    world.customerStats = m;
    world.statsVersion = world.version;
    return m;
  }

  const ctx = () => ({ world, customerStats: customerStats(), orderTotals });

  function render(entity, rec) {
    return d.render[entity](rec, ctx());
  }
  function text(value) {
    return toJsonText(value, { decimals: d.decimals });
  }

  // --- list endpoints -----------------------------------------------------------------

  function intParam(q, name, fallback) {
    const v = q.get(name);
    if (v === undefined || v.trim() === '') return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw new ApiError(400, { [name]: ['is not a number'] });
    return Number(v);
  }
  function timeParam(q, name) {
    const v = q.get(name);
    if (v === undefined || v.trim() === '') return undefined;
    // No offset: the shop's time zone (Vietnam), as Haravan documents for events; UNCONFIRMED elsewhere.
    const ms = parseDateTime(v, { offsetMs: VN_OFFSET_MS, subMs: 'ceil' });
    if (Number.isNaN(ms)) throw new ApiError(400, { [name]: ['is not a valid date'] });
    return ms;
  }

  function pageOf(rows, q, maxLimit = d.maxLimit) {
    const limit = intParam(q, 'limit', Math.min(50, maxLimit));
    // UNCONFIRMED failure shape: the docs give the maximum, not what exceeding it does.
    if (limit < 1 || limit > maxLimit) throw new ApiError(400, { limit: [`must be between 1 and ${maxLimit}`] });
    const page = intParam(q, 'page', 1);
    if (page < 1) throw new ApiError(400, { page: ['must be greater than 0'] });
    return rows.slice((page - 1) * limit, page * limit);
  }

  function filterCommon(rows, q) {
    const min = timeParam(q, d.params.updatedMin);
    const max = timeParam(q, d.params.updatedMax);
    const cmin = timeParam(q, d.params.createdMin);
    const cmax = timeParam(q, d.params.createdMax);
    const sinceId = intParam(q, 'since_id', undefined);
    const ids = q.getList('ids').map(Number);
    return rows.filter((r) => (min === undefined || r.modifiedMs >= min) && (max === undefined || r.modifiedMs <= max)
      && (cmin === undefined || r.createdMs >= cmin) && (cmax === undefined || r.createdMs <= cmax)
      && (sinceId === undefined || r.id > sinceId) && (!ids.length || ids.includes(r.id)));
  }

  function sortRows(rows, q) {
    const order = (q.get('order') ?? '').trim().toLowerCase().split(/\s+/);
    const key = opts.ignoreOrder ? undefined : d.sortKeys[order[0]];
    const desc = order[1] === 'desc';
    // UNCONFIRMED default order (sapo.md B.2): id ascending, which since_id paging implies.
    const fn = key === 'updated' ? (r) => r.modifiedMs : key === 'created' ? (r) => r.createdMs : (r) => r.id;
    return rows.sort((a, b) => (desc ? -1 : 1) * (fn(a) - fn(b) || a.id - b.id));
  }

  function orderRows(q) {
    let rows = filterCommon([...world.tables.orders.values()], q);
    const status = (q.get('status') ?? 'open').toLowerCase();
    if (status === 'any') {
      if (d.statusAnyIsEmpty) return []; // Sapo live quirk B.9.1: status=any answers an empty list
    } else {
      rows = rows.filter((o) => o.state === status);
    }
    const fin = q.get('financial_status');
    if (fin && fin !== 'any') rows = rows.filter((o) => (fin === 'unpaid' ? ['pending', 'partially_paid'].includes(o.financial) : o.financial === fin));
    return rows;
  }

  function listBody(entity, q) {
    let rows;
    if (entity === 'orders') rows = orderRows(q);
    else if (entity === 'locations') rows = [...world.tables.locations.values()];
    else rows = filterCommon([...world.tables[entity].values()], q);
    if (entity === 'products') {
      const vendor = q.get('vendor');
      const type = q.get('product_type');
      if (vendor) rows = rows.filter((p) => p.vendor === vendor);
      if (type) rows = rows.filter((p) => p.category === type);
    }
    return { rows: pageOf(sortRows(rows, q), q), all: rows };
  }

  // Per-location stock (Sapo inventory_levels, Haravan inventory_locations): filtered by the
  // dialect's id list and location ids (each capped where documented), ordered by level id.
  function stockRows(q) {
    const list = (name) => {
      const values = q.getList(name).map((x) => x.trim()).filter(Boolean);
      if (values.some((x) => !/^\d+$/.test(x))) throw new ApiError(400, { [name]: ['is not a list of ids'] });
      // UNCONFIRMED failure shape: Haravan documents the maximum (A.2.2), not what exceeding it does.
      if (d.stockMaxIds && values.length > d.stockMaxIds) throw new ApiError(400, { [name]: [`maximum ${d.stockMaxIds} ids`] });
      return new Set(values.map(Number));
    };
    const locIds = list('location_ids');
    const ids = list(d.stockIdsParam);
    const sinceId = intParam(q, 'since_id', undefined);
    const min = timeParam(q, d.params.updatedMin);
    const locIndex = new Map([...world.tables.locations.keys()].map((id, i) => [Number(id), i]));
    const out = [];
    for (const p of world.tables.products.values()) {
      for (const v of p.variants) {
        if (ids.size && !ids.has(d.stockKey === 'item' ? v.itemId : v.id)) continue;
        for (const [loc, s] of Object.entries(v.stock)) {
          if (locIds.size && !locIds.has(Number(loc))) continue;
          // One level per item and location; its id orders `since_id` paging.
          const levelId = (d.stockKey === 'item' ? v.itemId : v.id) * 1000 + (locIndex.get(Number(loc)) ?? 999);
          if (sinceId !== undefined && levelId <= sinceId) continue;
          if (min !== undefined && p.modifiedMs < min) continue;
          out.push({ product: p, variant: v, locationId: Number(loc), levelId, ...s });
        }
      }
    }
    const order = (q.get('order') ?? '').trim().toLowerCase();
    const desc = (q.get('direction') ?? '').trim().toLowerCase() === 'desc';
    const key = order === 'updated_at' ? (r) => r.product.modifiedMs : () => 0;
    return out.sort((a, b) => (desc ? -1 : 1) * (key(a) - key(b) || a.levelId - b.levelId));
  }

  /** Every level the stock endpoint serves: {variantId, itemId, locationId, onHand, available}. */
  function stockTruth() {
    return stockRows(queryParams(new URLSearchParams())).map((s) => ({
      productId: s.product.id, variantId: s.variant.id, itemId: s.variant.itemId, locationId: s.locationId,
      onHand: s.onHand, available: s.onHand - s.committed,
    }));
  }

  function eventRows(q) {
    const filter = (q.get('filter') ?? '').toLowerCase();
    const verb = (q.get('verb') ?? '').toLowerCase();
    const min = timeParam(q, 'created_at_min') ?? timeParam(q, 'created_on_min');
    const sinceId = intParam(q, 'since_id', undefined);
    return world.events.filter((e) => (!filter || filter.split(',').includes(e.subjectType.toLowerCase()))
      && (!verb || e.verb === verb) && (min === undefined || e.atMs >= min) && (sinceId === undefined || e.id > sinceId));
  }

  // --- HTTP ---------------------------------------------------------------------------

  function checkAuth(req) {
    const result = d.checkAuth(req.headers, opts.credentials);
    if (result !== 'ok' || revoked) {
      throw new ApiError(401, d.messages.unauthorized);
    }
  }

  function checkScope(resource, write) {
    const level = opts.permissions[resource] ?? 'none';
    if (level === 'none' || (write && level !== 'write')) throw new ApiError(403, d.messages.forbidden(resource, write));
  }

  const RESOURCE_OF = { products: 'products', orders: 'orders', customers: 'customers', locations: 'locations', events: 'products' };

  // --- webhooks API (Sapo §B.3, §B.8): list / count / get / create / delete ---------------

  function renderWebhook(w) {
    return { id: w.id, address: w.address, topic: w.topic, created_on: d.formatTime(w.createdMs), modified_on: d.formatTime(w.modifiedMs), format: w.format, fields: [], metafield_namespaces: [] };
  }

  function webhooksRoute(method, parts, q, body) {
    checkScope('webhooks', method !== 'GET');
    const [, second] = parts;
    if (method === 'GET' && parts.length === 1) {
      const address = q.get('address');
      const topic = q.get('topic');
      const sinceId = intParam(q, 'since_id', undefined);
      const rows = [...world.webhooks.values()].filter((w) => (!address || w.address === address) && (!topic || w.topic === topic)
        && (sinceId === undefined || w.id > sinceId));
      return { body: text({ webhooks: pageOf(rows.sort((a, b) => a.id - b.id), q, 250).map(renderWebhook) }) };
    }
    if (method === 'GET' && second === 'count' && parts.length === 2) return { body: text({ count: world.webhooks.size }) };
    if (parts.length === 2 && /^\d+$/.test(second)) {
      const w = world.webhooks.get(Number(second));
      if (!w) throw new ApiError(404, 'Not Found');
      if (method === 'GET') return { body: text({ webhook: renderWebhook(w) }) };
      if (method === 'DELETE') {
        world.webhooks.delete(w.id);
        return { body: d.deleteBody };
      }
    }
    if (method === 'POST' && parts.length === 1) {
      let parsed;
      try {
        parsed = JSON.parse(body || '{}');
      } catch {
        throw new ApiError(400, 'Bad Request');
      }
      const hook = parsed?.webhook;
      if (!hook || typeof hook !== 'object') throw new ApiError(422, { webhook: ['Required parameter missing or invalid'] });
      // The documented 422 shape (§B.7): {"errors":{"topic":["can't be blank"],"address":["can't be blank"]}}.
      const errors = {};
      const topic = typeof hook.topic === 'string' ? hook.topic.trim() : '';
      const address = typeof hook.address === 'string' ? hook.address.trim() : '';
      if (!topic) errors.topic = ["can't be blank"];
      else if (!d.webhookTopics.includes(topic)) errors.topic = ['Invalid topic specified.']; // UNCONFIRMED wording
      if (!address) errors.address = ["can't be blank"];
      else if (!/^https?:\/\/[^\s/]+/.test(address)) errors.address = ['is invalid']; // UNCONFIRMED wording
      // Shopify refuses a second registration of one topic at one address; UNCONFIRMED on Sapo.
      else if ([...world.webhooks.values()].some((w) => w.address === address && w.topic === topic)) errors.address = ['for this topic has already been taken'];
      if (hook.format != null && !['json', 'xml'].includes(hook.format)) errors.format = ['is not included in the list'];
      if (Object.keys(errors).length) throw new ApiError(422, errors);
      world.seq.webhooks = (world.seq.webhooks ?? 987_911_000) + 1 + (world.webhooks.size % 5);
      const t = d.roundTime(now());
      const w = { id: world.seq.webhooks, address, topic, format: hook.format ?? 'json', createdMs: t, modifiedMs: t };
      world.webhooks.set(w.id, w);
      return { status: 201, body: text({ webhook: renderWebhook(w) }) };
    }
    throw new ApiError(405, 'Method Not Allowed');
  }

  function route(method, parts, q, body) {
    const [resource, second, third] = parts;
    if (resource === 'webhooks' && d.webhookTopics) return webhooksRoute(method, parts, q, body);
    if (resource === d.shopPath && parts.length === 1) {
      checkScope('shop', false);
      return { body: text({ shop: d.render.shop(world, opts) }) };
    }
    if (d.forbiddenPaths?.includes(resource)) throw new ApiError(403, d.messages.forbidden('shop', false));
    if (resource === d.stockPath && parts.length === 1) {
      checkScope('inventory', false);
      const all = stockRows(q);
      // Haravan documents no `page` here, only since_id (A.2.2): the page parameter is ignored.
      const rows = d.stockPaging === 'page' ? pageOf(all, q, d.stockMaxLimit) : pageOf(all, queryParams(new URLSearchParams({ limit: q.get('limit') ?? '' })), d.stockMaxLimit);
      return { body: text({ [d.stockPath]: rows.map((s) => d.render.stock(s)) }) };
    }
    if (resource === 'events') {
      checkScope('products', false);
      const rows = eventRows(q);
      if (second === 'count') return { body: text({ count: rows.length }) };
      return { body: text({ events: pageOf(rows.sort((a, b) => a.id - b.id), q).map((e) => d.render.event(e)) }) };
    }
    if (!RESOURCE_OF[resource]) throw new ApiError(404, 'Not Found');
    const entity = resource;
    checkScope(RESOURCE_OF[resource], method !== 'GET');
    if (method === 'DELETE') {
      if (parts.length !== 2 || entity === 'locations') throw new ApiError(405, 'Method Not Allowed');
      const id = Number(second);
      if (!world.tables[entity].has(id)) throw new ApiError(404, 'Not Found');
      remove(entity, id);
      return { body: d.deleteBody };
    }
    if (method !== 'GET') throw new ApiError(405, `Sandbox chỉ mô phỏng GET và DELETE (${method} chưa được hỗ trợ)`);
    if (parts.length === 1) {
      const { rows } = listBody(entity, q);
      return { body: `{${JSON.stringify(entity)}:[${rows.map((r) => text(render(entity, r))).join(',')}]}` };
    }
    if (second === 'count' && parts.length === 2) {
      const rows = entity === 'orders' ? orderRows(q) : filterCommon([...world.tables[entity].values()], q);
      return { body: text({ count: rows.length }) };
    }
    if (/^\d+$/.test(second)) {
      const rec = world.tables[entity].get(Number(second));
      if (!rec) throw new ApiError(404, 'Not Found');
      if (parts.length === 2) return { body: text({ [SINGULAR[entity]]: render(entity, rec) }) };
      if (entity === 'products' && third === 'variants' && parts.length === 3) {
        return { body: text({ variants: render(entity, rec).variants }) };
      }
    }
    throw new ApiError(404, 'Not Found');
  }

  function send(c, status, body, headers = {}, contentType) {
    stats.record(c.route, status);
    sendText(c.res, status, body, { headers, contentType, truncate: c.truncate });
  }

  function callLimitHeaders(used) {
    const value = `${used}/${d.bucket}`;
    return Object.fromEntries(d.callLimitHeaders.map((h) => [h, value]));
  }

  async function handleApi(req, c, parts, q) {
    let limitHeaders = {};
    try {
      checkAuth(req);
      const hit = bucket.hit('shop');
      limitHeaders = callLimitHeaders(hit.used);
      maxUsed = Math.max(maxUsed, hit.used);
      if (!hit.allowed) {
        stats.bump('rateLimited');
        // Haravan documents Retry-After (A.4.1, "2.0"); on Sapo its presence is UNCONFIRMED.
        const retryAfter = Math.max(0.1, Math.ceil((hit.retryAfterMs / 1000) * 10) / 10).toFixed(1);
        throw new ApiError(429, d.messages.tooMany, { 'Retry-After': retryAfter });
      }
      const requestBody = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : '';
      const { body, status = 200 } = route(req.method, parts, q, requestBody);
      return send(c, status, body, limitHeaders);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return send(c, err.status, JSON.stringify({ errors: err.errors }), { ...limitHeaders, ...err.headers });
    }
  }

  function sendFault(c, fault) {
    const headers = { ...fault.headers };
    if (fault.body !== undefined) {
      const body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
      return send(c, fault.status, body, headers, body.trimStart().startsWith('<') ? 'text/html' : undefined);
    }
    if ([502, 503, 504].includes(fault.status)) return send(c, fault.status, gatewayErrorHtml(fault.status), headers, 'text/html');
    if (fault.status === 429) {
      headers['Retry-After'] ??= '1.0';
      Object.assign(headers, callLimitHeaders(d.bucket));
      return send(c, 429, JSON.stringify({ errors: d.messages.tooMany }), headers);
    }
    const errors = fault.status === 401 ? d.messages.unauthorized : fault.status >= 500 ? 'Internal Server Error' : `Error ${fault.status}`;
    return send(c, fault.status, JSON.stringify({ errors }), headers);
  }

  function routeKey(method, parts) {
    return `${method} ${d.prefix}${parts.map((s) => (/^\d+$/.test(s) ? '{id}' : s)).join('/')}.json`;
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/__sandbox' || path.startsWith('/__sandbox/')) return handleControl(req, res, path.slice('/__sandbox'.length), url);
    const q = queryParams(url.searchParams);
    if (!path.startsWith(d.prefix) || !path.endsWith('.json')) {
      stats.record(`${req.method} ${path}`, 404);
      return sendText(res, 404, JSON.stringify({ errors: 'Not Found' }));
    }
    const parts = path.slice(d.prefix.length, -'.json'.length).split('/').filter(Boolean);
    const c = { res, route: routeKey(req.method, parts), truncate: false };
    // Faults first, before auth or rate limiting, like a flaky network or gateway.
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
      if (fault.truncated) c.truncate = true;
      if (fault.status) return sendFault(c, fault);
    }
    return handleApi(req, c, parts, q);
  }

  // --- controls -------------------------------------------------------------------------

  function getRec(entity, id) {
    const rec = world.tables[entity].get(Number(id));
    if (!rec) throw new HttpError(404, `${entity} ${id} not found`);
    return rec;
  }

  function addEvent(subjectType, subjectId, verb, atMs, message) {
    world.seq.events = (world.seq.events ?? 900_000_000) + 1 + (world.events.length % 3);
    world.events.push({ id: world.seq.events, subjectType, subjectId, verb, atMs, message });
  }

  function truthOf(entity, rec) {
    return JSON.parse(text(render(entity, rec)));
  }

  function touch(entityName, id) {
    const entity = normalizeEntity(entityName);
    const rec = getRec(entity, id);
    const rng = world.mutations;
    const t = touchTime();
    switch (entity) {
      case 'products': {
        const v = rng.pick(rec.variants);
        v.price = Math.max(1000, v.price + rng.pick([-5000, 5000, 10_000]));
        const loc = Object.keys(v.stock)[0];
        if (loc) v.stock[loc].onHand += rng.pick([-1, 2, 5]);
        break;
      }
      case 'customers':
        rec.note = `Cập nhật ${new Date(t + VN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')}`;
        if (!rec.tags.includes('Khách quen')) rec.tags.push('Khách quen');
        break;
      case 'orders': {
        const stage = rec.state !== 'open' ? null : !rec.confirmedMs ? 'confirm' : rec.fulfillment !== 'fulfilled' ? 'fulfil' : rec.financial !== 'paid' ? 'pay' : 'close';
        if (stage === 'confirm') rec.confirmedMs = t;
        else if (stage === 'fulfil') rec.fulfillment = 'fulfilled';
        else if (stage === 'pay') {
          rec.financial = 'paid';
          rec.delivered = rec.source !== 'pos';
          rec.deliveredMs = rec.delivered ? t : null;
        } else if (stage === 'close') {
          rec.state = 'closed';
          rec.closedMs = t;
        } else rec.note = `${rec.note ?? ''} (đã cập nhật)`.trim();
        break;
      }
      case 'locations':
        rec.phone = vnMobile(rng);
        break;
    }
    rec.modifiedMs = t;
    if (entity === 'products' || entity === 'orders') addEvent(SUBJECT[entity], rec.id, 'update', t, `${SUBJECT[entity]} was updated.`);
    return truthOf(entity, rec);
  }

  function create(entityName, fields = {}) {
    const entity = normalizeEntity(entityName);
    const rng = world.mutations;
    const t = touchTime();
    let rec;
    switch (entity) {
      case 'products': rec = buildProduct(d, world, rng, rng.pick(PRODUCT_TEMPLATES.filter((x) => x.kind !== 'service')), t); break;
      case 'customers': rec = buildCustomer(d, world, rng, t); break;
      case 'orders': rec = buildOrder(d, world, rng, t, 'new'); break;
      case 'locations': nextId(world, 'locations', rng, 90); rec = buildLocation(d, world, rng, t, world.tables.locations.size); break;
    }
    const { id: _ignored, ...overrides } = fields ?? {};
    Object.assign(rec, overrides);
    rec.createdMs = Math.min(rec.createdMs, t);
    rec.modifiedMs = t;
    world.tables[entity].set(rec.id, rec);
    if (entity === 'products' || entity === 'orders') addEvent(SUBJECT[entity], rec.id, 'create', t, `New ${entity} created.`);
    return truthOf(entity, rec);
  }

  function remove(entityName, id) {
    const entity = normalizeEntity(entityName);
    const rec = getRec(entity, id);
    const t = touchTime();
    world.tables[entity].delete(rec.id);
    // Deletions leave no trace in lists (B.2, A.7.2): only webhooks and the events API tell.
    addEvent(SUBJECT[entity], rec.id, 'destroy', t, `${SUBJECT[entity]} was destroyed.`);
    return { id: rec.id, removed: true };
  }

  function truth(entityName) {
    const entity = normalizeEntity(entityName);
    return [...world.tables[entity].values()].sort((a, b) => a.id - b.id).map((r) => truthOf(entity, r));
  }

  /**
   * A webhook delivery exactly as the platform would send it: the bare resource (or {id} for
   * deletions) as the raw body, signed with base64 HMAC-SHA256 of that body.
   */
  function webhook(topic, id, { secret = opts.webhookSecret } = {}) {
    const [resource, action = ''] = String(topic).split('/');
    const entity = normalizeEntity(resource);
    const deletion = /^(delete|deleted|destroy)$/.test(action);
    let body;
    if (deletion) body = JSON.stringify({ id: Number(id) });
    else body = text(render(entity, getRec(entity, id)));
    return { headers: d.webhookHeaders(topic, hmacSha256Base64(secret, body), world, opts), body };
  }

  /** POSTs webhook(topic, id) to `url`; resolves with the receiver's HTTP status. */
  async function deliver(url, topic, id, options) {
    const { headers, body } = webhook(topic, id, options);
    const res = await fetch(url, { method: 'POST', headers, body });
    await res.arrayBuffer();
    return res.status;
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return {
      total: s.total,
      byRoute: s.byRoute,
      byStatus: s.byStatus,
      rateLimited: s.counters.rateLimited ?? 0,
      faultsInjected: s.counters.faultsInjected ?? 0,
      maxBucketUsed: maxUsed,
      pendingScriptedFaults: faults.pending(),
    };
  }

  function info() {
    return {
      platform: d.platform,
      url: server?.url,
      ...d.infoExtra(opts),
      credentials: opts.credentials,
      webhookSecret: opts.webhookSecret,
      bucket: `${d.bucket} calls, leaking ${d.leak}/s × timeScale ${opts.timeScale}`,
      maxLimit: d.maxLimit,
      counts: Object.fromEntries(FAMILY_ENTITIES.map((e) => [e, world.tables[e].size])),
      variants: [...world.tables.products.values()].reduce((s, p) => s + p.variants.length, 0),
      bulkUpdate: d.formatTime(world.bulkUpdateMs),
      permissions: opts.permissions,
    };
  }

  async function handleControl(req, res, sub, url) {
    const reply = (status, value) => sendText(res, status, JSON.stringify(value));
    try {
      const [action = 'info', arg] = sub.split('/').filter(Boolean);
      if (req.method === 'GET' && action === 'info') return reply(200, info());
      if (req.method === 'GET' && action === 'stats') return reply(200, statsSnapshot());
      if (req.method === 'GET' && action === 'truth') return reply(200, truth(arg ?? url.searchParams.get('entity')));
      if (req.method !== 'POST') throw new HttpError(404, `unknown control ${req.method} /__sandbox/${action}`);
      const body = await readJson(req);
      switch (action) {
        case 'touch': return reply(200, touch(body.entity, body.id));
        case 'create': return reply(200, create(body.entity, body.fields));
        case 'remove': return reply(200, remove(body.entity, body.id));
        case 'expire-tokens': revoked = true; return reply(200, { revoked: true });
        case 'permissions': Object.assign(opts.permissions, body); return reply(200, opts.permissions);
        case 'spend': bucket.spend('shop', Number(body.calls ?? 1)); return reply(200, { used: bucket.used('shop') });
        case 'webhook': return reply(200, webhook(body.topic, body.id));
        case 'faults': return reply(200, faults.set(body));
        case 'fail-next': return reply(200, { pending: faults.failNext(Array.isArray(body) ? body : body.responses ?? []) });
        case 'reset': reset(); return reply(200, { reset: true });
        default: throw new HttpError(404, `unknown control POST /__sandbox/${action}`);
      }
    } catch (err) {
      return reply(err instanceof HttpError ? err.status : 400, { error: err.message });
    }
  }

  return {
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
    handle,
    info,
    stats: statsSnapshot,
    truth,
    stockTruth,
    /** Webhook registrations made through the API: [{id, address, topic, format}]. */
    webhooks: () => [...(world.webhooks?.values() ?? [])].sort((a, b) => a.id - b.id).map(({ id, address, topic, format }) => ({ id, address, topic, format })),
    touch,
    create,
    remove,
    webhook,
    deliver,
    /** Revokes the credentials (a deleted private app / revoked token): every call answers 401. */
    expire() {
      revoked = true;
    },
    setPermissions(partial) {
      Object.assign(opts.permissions, partial);
      return { ...opts.permissions };
    },
    /** Calls made by another app of the shop, spent from the same bucket. */
    spend(calls) {
      bucket.spend('shop', calls);
    },
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    reset,
    /** Internal records (platform-neutral), for tests that check totals. */
    records: (entityName) => [...world.tables[normalizeEntity(entityName)].values()],
  };
}
