// Local simulator of the Getfly CRM public API v6.1, for tests and the offline demo.
//
// Facts: /work/shared/platforms/getfly.md (cited "getfly.md §x") and developer.getfly.vn
// (6.1 sale-order/list, product/list, accounts, warehouse). Choices where those are silent
// are tagged UNCONFIRMED.
//
// Served on one tenant host (default demo.getflycrm.com), `X-API-KEY` on every request:
//   GET /api/v6.1/products | sale_orders | accounts | warehouses   lists {data, has_more, offset, limited}
//   GET /api/v6.1/product/inventories   stock per product per warehouse {data, has_more, offset, limited}
//       (all fields without `fields`; filtering[product_id] / [product_id:in][]; rows name the
//       warehouse by `warehouse_name` only, as the documented example does)
//   GET /api/v6.1/product?product_code= | sale_order?order_code= | account?account_code=   bare objects
// Query: fields (CSV; only `id` without it), limit (default 20, ≤ 100), offset,
// sort + direction (per-endpoint whitelists, default id desc), filtering[f] / filtering[f:op]
// with eq, gte, lte, gt, lt, in, contains. Times are tenant-local (GMT+7) strings.
// Bursts beyond the rate limit get 429 + Retry-After (getfly.md §3.5: 429s happen in practice).
// Mutations record webhook deliveries (form-encoded, secret_key, data[...] ids only):
// sim.webhooks() lists them, sim.postWebhooks(url) sends them; sim.setWebhookSecret(s) is the
// shop pasting another Secret Key.
//
// Test controls: GET /__sandbox/{info,stats,truth/<entity>}, POST /__sandbox/{touch,create,
// remove,faults,fail-next,reset} — entity: products | orders | customers | locations.

import {
  createRng, createRateLimiter, createFaultInjector, createRequestStats, startServer, sendText, HttpError,
  DAY_MS, vnPerson, vnCustomerName, vnBusinessName, vnAddress, vnPhone, vnEmail, stripDiacritics, roundVnd,
  PRODUCT_TEMPLATES, VARIANT_AXES, formatVnLocal, handleSandboxControl, applyFault,
} from './common.js';

export const GETFLY_HOST = 'demo.getflycrm.com';
export const GETFLY_DEFAULT_API_KEY = 'gF7kQ2mX9pL4vR8tY1wZ6nB3cD5hJ0';  // ~30 characters (getfly.md §3.1)
export const GETFLY_DEFAULT_WEBHOOK_SECRET = 'whsec-hoamai-2026';
export const GETFLY_ENTITIES = ['products', 'orders', 'customers', 'locations'];

// UNCONFIRMED (getfly.md §3.4): only 1 = "Chờ duyệt" is documented; the others follow the
// actions the docs list (approve, complete, cancel).
export const GETFLY_ORDER_STATUS = { 1: 'Chờ duyệt', 2: 'Đã duyệt', 3: 'Hoàn thành', 4: 'Đã hủy' };

const localTime = (ms) => formatVnLocal(ms, 0).replace('T', ' ');

// --- endpoint descriptions: field whitelist, sortable fields, filterable fields ------------------

const ENDPOINTS = {
  products: {
    table: 'products',
    fields: ['id', 'product_code', 'product_name', 'category_id', 'category_name', 'origin_id', 'origin_name', 'unit_id', 'unit_name',
      'manufacturer_id', 'manufacturer_name', 'services', 'cover_price', 'price_wholesale', 'price_online', 'price_average_in',
      'discount', 'discount_online', 'discount_wholesale', 'discount_in', 'saleoff_price', 'product_vat', 'short_description',
      'description', 'featured_image', 'images', 'custom_fields', 'created_at', 'updated_at', 'last_active'],
    sort: ['id', 'created_at', 'updated_at'],
    filter: ['id', 'product_code', 'product_name', 'category_id', 'created_at', 'updated_at'],
  },
  sale_orders: {
    table: 'orders',
    fields: ['id', 'order_code', 'real_amount', 'f_amount', 'discount', 'discount_amount', 'vat_amount', 'account_id', 'account_code',
      'account_name', 'account_email', 'account_phone', 'account_address', 'contact_name', 'contact_phone', 'contact_email',
      'order_date', 'created_at', 'updated_at', 'status', 'status_label', 'payment_status', 'has_pay_off', 'assigned_user',
      'assigned_user_name', 'safebook_synchronized', 'store_id', 'lading_code', 'lading_status', 'tracking_url', 'custom_fields',
      'order_details'],
    sort: ['id', 'order_date'],
    filter: ['id', 'order_date', 'created_at', 'updated_at'],
  },
  accounts: {
    table: 'customers',
    fields: ['id', 'account_code', 'account_name', 'phone_office', 'email', 'billing_address_street', 'description', 'account_manager',
      'mgr_email', 'mgr_display_name', 'account_type', 'account_source', 'relation_id', 'relation_name', 'gender', 'birthday',
      'website', 'logo', 'sic_code', 'total_revenue', 'contacts', 'detail_custom_fields', 'created_at', 'updated_at'],
    sort: ['id', 'account_name', 'account_code', 'email'],
    filter: ['id', 'account_code', 'account_name', 'phone_office', 'email', 'created_at', 'updated_at'],
  },
  inventories: {
    table: 'stock',
    fields: ['id', 'product_id', 'product_code', 'product_name', 'quantity', 'warehouse_name'],
    defaultFields: 'id,product_id,product_code,product_name,quantity,warehouse_name',
    sort: ['id'],
    // docs 6.1/product/inventory: product_id eq, in. Filtering on the row `id` (the connector's
    // keyset, filtering[id:gt], so a deletion between inventory pages cannot shift rows) is
    // UNCONFIRMED on this endpoint: served as the lists serve it.
    filter: ['id', 'product_id'],
  },
  warehouses: {
    table: 'locations',
    fields: ['id', 'store_name', 'total_quantity'],  // the v6 public whitelist (docs 6.0/warehouse/list)
    sort: ['id'],
    filter: ['id'],
  },
};

// --- world -----------------------------------------------------------------------------------------

function between(rng, a, b) {
  return Math.floor((a + rng.next() * Math.max(0, b - a)) / 1000) * 1000;
}

function generateWorld(opts, nowMs) {
  const root = createRng(opts.seed, 'getfly');
  const now0 = Math.floor(nowMs / 1000) * 1000;
  const w = { opts, now0, tables: { products: new Map(), orders: new Map(), customers: new Map(), locations: new Map(), stock: new Map() }, seq: {}, root };
  w.next = (t, start) => (w.seq[t] = (w.seq[t] ?? start - 1) + 1);
  for (const [id, name] of [[1, 'Kho chính'], [2, 'Kho Quận 1']]) w.tables.locations.set(id, { id, store_name: name, total_quantity: 0 });
  w.staff = [{ id: 2, name: vnPerson(root.fork('staff')).name, email: 'sale.a@hoamai.vn' }, { id: 3, name: vnPerson(root.fork('staff2')).name, email: 'sale.b@hoamai.vn' }];
  genProducts(w, root.fork('products'));
  const stockRng = root.fork('stock');
  for (const p of w.tables.products.values()) addStock(w, stockRng, p);
  genAccounts(w, root.fork('accounts'));
  genOrders(w, root.fork('orders'));
  w.mutations = root.fork('mutations');
  return w;
}

function genProducts(w, rng) {
  const { now0 } = w;
  let codeNo = 190;
  const templates = PRODUCT_TEMPLATES;
  let i = 0;
  while (w.tables.products.size < w.opts.counts.products) {
    const tpl = templates[i++ % templates.length];
    const axes = VARIANT_AXES[tpl.kind];
    // No variant model (getfly.md §3.4): each colour/size is its own product.
    let names = [tpl.name];
    if (axes) {
      const [[, values1], second] = axes;
      const v1 = rng.sample(values1, 2);
      const v2 = second ? rng.sample(second[1], 2) : [null];
      names = v1.flatMap((a) => v2.map((b) => `${tpl.name} - ${a}${b ? ` ${b}` : ''}`));
    }
    const base = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
    for (const name of names) {
      if (w.tables.products.size >= w.opts.counts.products) break;
      const id = w.next('products', 101);
      const created = between(rng, now0 - 400 * DAY_MS, now0 - 5 * DAY_MS);
      const updated = rng.chance(0.4) ? created : between(rng, created, now0 - 3600_000);
      const discount = rng.chance(0.15) ? rng.pick([5, 10, 20]) : 0;
      const code = `SP.${String(codeNo++).padStart(5, '0')}`;
      w.tables.products.set(id, {
        id, product_code: code, product_name: name, category_id: 5 + PRODUCT_TEMPLATES.findIndex((t) => t.category === tpl.category),
        category_name: tpl.category, origin_id: null, origin_name: '', unit_id: 1, unit_name: tpl.unit || 'Lần',
        manufacturer_id: tpl.brands.length ? 1 : null, manufacturer_name: tpl.brands[0] ?? '',
        services: tpl.kind === 'service' ? 1 : 0, cover_price: base, price_wholesale: roundVnd(base * 0.87), price_online: roundVnd(base * 0.97),
        price_average_in: roundVnd(base * rng.float(0.5, 0.7)), discount, discount_online: 0, discount_wholesale: 0, discount_in: 0,
        saleoff_price: 0, product_vat: rng.pick([0, 8, 10]),
        short_description: rng.chance(0.3) ? `${tpl.name} chính hãng` : '',
        description: rng.chance(0.4) ? `<p>${tpl.name} <strong>chính hãng</strong>.</p><p>Đổi trả trong 7 ngày&nbsp;</p>` : '',
        featured_image: rng.chance(0.6) ? `https://${w.opts.tenant}.getflycrm.com/uploads/products/${code.toLowerCase().replace('.', '')}.jpg` : '',
        images: rng.chance(0.3) ? [`https://${w.opts.tenant}.getflycrm.com/uploads/products/${id}-2.jpg`] : [],
        custom_fields: {}, created_at: localTime(created), updated_at: localTime(updated), last_active: localTime(updated),
      });
    }
  }
}

// Stock rows of one product: the main warehouse always, the second one often; services none.
function addStock(w, rng, p) {
  if (p.services) return;
  for (const loc of w.tables.locations.values()) {
    if (loc.id !== 1 && !rng.chance(0.6)) continue;
    const id = w.next('stock', 1);
    w.tables.stock.set(id, { id, product_id: p.id, product_code: p.product_code, product_name: p.product_name, quantity: rng.chance(0.1) ? 0 : rng.int(1, 120), warehouse_name: loc.store_name });
  }
}

function genAccounts(w, rng) {
  const { now0 } = w;
  for (let n = 0; n < w.opts.counts.customers; n++) {
    const id = w.next('customers', 12033);
    const created = between(rng, now0 - 500 * DAY_MS, now0 - 2 * DAY_MS);
    const updated = rng.chance(0.4) ? created : between(rng, created, now0 - 3600_000);
    const biz = rng.chance(0.15) ? vnBusinessName(rng) : null;
    const person = vnCustomerName(rng);
    const name = biz ? biz.name : person.name;
    const addr = rng.chance(0.8) ? vnAddress(rng) : null;
    const phone = vnPhone(rng) ?? '';
    const staff = rng.pick(w.staff);
    w.tables.customers.set(id, {
      id, account_code: `KH/2025/${String(id - 11900).padStart(6, '0')}`, account_name: name,
      phone_office: phone, email: rng.chance(0.5) ? vnEmail(rng, stripDiacritics(name)) : '',
      billing_address_street: addr ? `${addr.street}, ${addr.ward}, ${addr.district}, ${addr.province}` : '',
      description: '', account_manager: staff.id, mgr_email: staff.email, mgr_display_name: staff.name,
      account_type: biz ? 2 : 1, account_source: rng.int(1, 5), relation_id: 2, relation_name: 'Khách hàng',
      gender: person.gender === 'male' ? 1 : 2,  // UNCONFIRMED coding (getfly.md §3.4)
      birthday: rng.chance(0.3) ? `${rng.int(1970, 2003)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : '',
      website: '', logo: '', sic_code: biz?.company ? `0${rng.int(100000000, 399999999)}` : '', total_revenue: 0,
      contacts: rng.chance(0.7) ? [{ contact_id: id * 10, first_name: person.givenName, last_name: person.familyName, phone_mobile: phone || vnPhone(rng) || '', email: '' }] : [],
      detail_custom_fields: {}, created_at: localTime(created), updated_at: localTime(updated),
    });
  }
}

function genOrders(w, rng) {
  const { now0 } = w;
  const products = [...w.tables.products.values()].filter((p) => !p.services);
  const accounts = [...w.tables.customers.values()];
  for (let n = 0; n < w.opts.counts.orders; n++) {
    const created = Math.floor((now0 - 60_000 - rng.next() ** 1.4 * 150 * DAY_MS) / 1000) * 1000;
    buildOrder(w, rng, created, products, accounts);
  }
}

function buildOrder(w, rng, created, products, accounts, forcedStatus) {
  const { now0 } = w;
  const id = w.next('orders', 93);
  const account = rng.chance(0.9) ? rng.pick(accounts) : null;
  const status = forcedStatus ?? (now0 - created < 3 * DAY_MS ? rng.weighted([[1, 60], [2, 30], [4, 10]]) : rng.weighted([[1, 10], [2, 20], [3, 55], [4, 15]]));
  const updated = status === 1 && rng.chance(0.5) ? created : Math.min(now0 - 1000, created + rng.int(60, 3 * 86400) * 1000);
  const details = rng.sample(products, rng.weighted([[1, 50], [2, 30], [3, 20]])).map((p, i) => {
    const quantity = rng.weighted([[1, 70], [2, 20], [3, 10]]);
    const sale = rng.chance(0.2) ? rng.pick([1, 5, 10]) : 0;
    const origin = p.cover_price * quantity;
    const cash = Math.round(origin * sale / 100);
    return {
      id: id * 10 + i, product_id: p.id, product_code: p.product_code, product_name: p.product_name, note: '', unit_id: 1,
      services: 0, unit_name: p.unit_name, quantity, price: p.cover_price, product_sale_off: sale, cash_discount: cash,
      vat: 0, vat_amount: 0, amount: origin - cash, origin_amount: origin,
      product_avatar: p.featured_image || `https://${w.opts.tenant}.getflycrm.com/assets/images/common/no_image.png`,
    };
  });
  const subtotal = details.reduce((s, d) => s + d.amount, 0);
  const discountPct = rng.chance(0.1) ? 10 : 0;
  const discountAmount = discountPct ? Math.round(subtotal * discountPct / 100) : rng.chance(0.1) ? 20_000 : 0;
  const vat = rng.chance(0.3) ? Math.round((subtotal - discountAmount) * 0.08 * 10) / 10 : 0;
  const real = Math.max(0, subtotal - discountAmount) + vat;
  const paid = status === 3 ? real : status === 2 && rng.chance(0.3) ? Math.round(real / 2) : 0;
  const rec = {
    id, order_code: `DH_${String(id).padStart(5, '0')}`, real_amount: real, f_amount: paid, discount: discountPct, discount_amount: discountAmount,
    vat_amount: vat, account_id: account?.id ?? 0, account_code: account?.account_code ?? '', account_name: account?.account_name ?? '',
    account_email: account?.email ?? '', account_phone: account?.phone_office ?? '', account_address: account?.billing_address_street.replace(/, /g, ' - ') ?? '',
    contact_name: account?.account_name ?? '', contact_phone: account?.phone_office ?? '', contact_email: account?.email ?? '',
    order_date: localTime(created).slice(0, 10), created_at: localTime(created), updated_at: localTime(updated),
    status, status_label: GETFLY_ORDER_STATUS[status],
    payment_status: paid >= real && real > 0 ? 'Đã thanh toán' : paid > 0 ? 'Thanh toán một phần' : 'Chưa thanh toán',
    has_pay_off: paid >= real && real > 0 ? 1 : 0, assigned_user: w.staff[0].id, assigned_user_name: w.staff[0].name,
    safebook_synchronized: 0, store_id: rng.pick([1, 2]), lading_code: status >= 2 && rng.chance(0.5) ? `BE.${rng.int(10000, 99999)}.${rng.int(1000, 9999)}` : '',
    lading_status: '', tracking_url: '', custom_fields: {}, order_details: details,
  };
  w.tables.orders.set(id, rec);
  if (account) account.total_revenue += status === 3 ? real : 0;
  return rec;
}

// --- query handling --------------------------------------------------------------------------------

function parseFilters(params, endpoint) {
  const filters = [];
  for (const [key, value] of params) {
    const m = /^filtering\[([a-z_]+)(?::([a-z_]+))?\](\[\])?$/.exec(key);
    if (!m) continue;
    const [, field, op = 'eq'] = m;
    if (!endpoint.filter.includes(field)) throw new HttpError(400, `Trường lọc không hợp lệ: ${field}`);
    if (!['eq', 'gte', 'lte', 'gt', 'lt', 'in', 'not_in', 'contains'].includes(op)) throw new HttpError(400, `Toán tử không hợp lệ: ${op}`);
    const existing = filters.find((f) => f.field === field && f.op === op && (op === 'in' || op === 'not_in'));
    if (existing) existing.values.push(...value.split(','));
    else filters.push({ field, op, values: value.split(',') });
  }
  return filters;
}

function matches(rec, { field, op, values }) {
  const raw = rec[field];
  const v = typeof raw === 'number' ? raw : String(raw ?? '');
  const cmp = (x) => (typeof v === 'number' ? Number(x) : x);
  switch (op) {
    case 'eq': return v === cmp(values[0]);
    case 'gte': return v >= cmp(values[0]);
    case 'lte': return v <= cmp(values[0]);
    case 'gt': return v > cmp(values[0]);
    case 'lt': return v < cmp(values[0]);
    case 'in': return values.map(cmp).includes(v);
    case 'not_in': return !values.map(cmp).includes(v);
    case 'contains': return String(v).toLowerCase().includes(values[0].toLowerCase());
    default: return false;
  }
}

function project(rec, fields) {
  const out = {};
  for (const f of fields) out[f] = rec[f] ?? null;
  return out;
}

function normalizeOptions(o = {}) {
  return {
    seed: o.seed ?? 1,
    tenant: o.tenant ?? 'demo',
    apiKey: o.apiKey ?? GETFLY_DEFAULT_API_KEY,
    webhookSecret: o.webhookSecret ?? GETFLY_DEFAULT_WEBHOOK_SECRET,
    counts: { products: 60, customers: 50, orders: 70, ...o.counts },
    faults: { ...o.faults },
    // UNCONFIRMED figures (getfly.md §3.5): bursts above ~10 requests a second get 429.
    rateLimit: { limit: 10, windowMs: 1000, ...o.rateLimit },
    now: o.now ?? Date.now,
    host: o.host ?? '127.0.0.1',
  };
}

export function createGetflySimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const anchorMs = now();
  let world;
  let limiter;
  let faults;
  let stats;
  let deliveries;
  let server = null;
  const pendingTimers = new Set();

  function reset() {
    world = generateWorld(opts, anchorMs);
    limiter = createRateLimiter({ limit: opts.rateLimit.limit, windowMs: opts.rateLimit.windowMs, now });
    faults ??= createFaultInjector({ seed: opts.seed, label: 'getfly/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    deliveries = [];
  }
  reset();

  const json = (res, ctx, status, value, headers = {}) => {
    stats.record(ctx.route, status);
    sendText(res, status, JSON.stringify(value), { headers, truncate: ctx.truncate && status === 200 });
  };

  function list(res, ctx, endpoint, params) {
    const fields = (params.get('fields') ?? endpoint.defaultFields ?? 'id').split(',').map((s) => s.trim()).filter(Boolean);
    for (const f of fields) if (!endpoint.fields.includes(f)) return json(res, ctx, 400, { code: 400, message: `Trường dữ liệu không hợp lệ: ${f}` });
    const limit = params.has('limit') ? Number(params.get('limit')) : 20;
    const offset = params.has('offset') ? Number(params.get('offset')) : 0;
    // UNCONFIRMED maximum (getfly.md §3.2): 100, as the third-party MCP enforces.
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return json(res, ctx, 400, { code: 400, message: 'limit phải từ 1 đến 100' });
    if (!Number.isInteger(offset) || offset < 0) return json(res, ctx, 400, { code: 400, message: 'offset không hợp lệ' });
    const sort = params.get('sort') ?? 'id';
    const direction = (params.get('direction') ?? 'desc').toLowerCase();
    if (!endpoint.sort.includes(sort) || !['asc', 'desc'].includes(direction)) return json(res, ctx, 400, { code: 400, message: `Không sắp xếp được theo ${sort}` });
    const filters = parseFilters(params, endpoint);
    let rows = [...world.tables[endpoint.table].values()].filter((r) => filters.every((f) => matches(r, f)));
    rows.sort((a, b) => (a[sort] < b[sort] ? -1 : a[sort] > b[sort] ? 1 : a.id - b.id) * (direction === 'asc' ? 1 : -1));
    if (endpoint.table === 'locations') {
      rows = rows.map((r) => ({ ...r, total_quantity: [...world.tables.stock.values()].filter((x) => x.warehouse_name === r.store_name).reduce((n, x) => n + x.quantity, 0) }));
    }
    const page = rows.slice(offset, offset + limit);
    stats.bump('rowsServed', page.length);
    return json(res, ctx, 200, { data: page.map((r) => project(r, fields)), has_more: offset + limit < rows.length, offset, limited: limit });
  }

  function detail(res, ctx, table, key, value, fields) {
    const rec = [...world.tables[table].values()].find((r) => r[key] === value);
    if (!rec) return json(res, ctx, 404, { code: 404, message: 'Không tìm thấy dữ liệu' });
    return json(res, ctx, 200, project(rec, fields.length ? fields : Object.keys(rec)));
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    if (await handleSandboxControl(req, res, url, { info, stats: statsSnapshot, truth, actions })) return;
    const path = url.pathname.replace(/\/+$/, '');
    const ctx = { route: `${req.method} ${path}`, truncate: false };
    if (await applyFault(faults, stats, res, ctx, { pendingTimers, body: (s) => JSON.stringify({ code: s, message: s === 429 ? 'Too Many Attempts.' : 'Server Error' }) })) return;
    if (req.headers['x-api-key'] !== opts.apiKey) return json(res, ctx, 401, { code: 401, message: 'Unauthorized: invalid X-API-KEY' });
    const hit = limiter.hit(opts.apiKey);
    if (!hit.allowed) {
      stats.bump('rateLimited');
      return json(res, ctx, 429, { message: 'Too Many Attempts.' }, { 'Retry-After': String(Math.max(1, Math.ceil(hit.retryAfterMs / 1000))) });
    }
    const m = /^\/api\/v6\.1\/([a-z_/]+)$/.exec(path);
    if (req.method !== 'GET' || !m) return json(res, ctx, 404, { code: 404, message: 'Not Found' });
    const fields = (url.searchParams.get('fields') ?? '').split(',').filter(Boolean);
    try {
      switch (m[1]) {
        case 'products': case 'sale_orders': case 'accounts': case 'warehouses':
          return list(res, ctx, ENDPOINTS[m[1]], url.searchParams);
        case 'product/inventories': return list(res, ctx, ENDPOINTS.inventories, url.searchParams);
        case 'product': return detail(res, ctx, 'products', 'product_code', url.searchParams.get('product_code'), fields);
        case 'sale_order': return detail(res, ctx, 'orders', 'order_code', url.searchParams.get('order_code'), fields);
        case 'account': return detail(res, ctx, 'customers', 'account_code', url.searchParams.get('account_code'), fields);
        default: return json(res, ctx, 404, { code: 404, message: 'Not Found' });
      }
    } catch (err) {
      if (err instanceof HttpError) return json(res, ctx, err.status, { code: err.status, message: err.message });
      throw err;
    }
  }

  // --- webhooks (getfly.md §3.6): form-encoded, ids only, secret in the body -----------------------

  function record(event, data) {
    const uid = world.mutations.hex(10);
    const form = new URLSearchParams({ event, secret_key: opts.webhookSecret });
    for (const [k, v] of Object.entries(data)) form.append(`data[${k}]`, String(v));
    form.append('domain', `${opts.tenant}.getflycrm.com`);
    form.append('uid', uid);
    form.append('created_at', String(Math.floor(now() / 1000)));
    deliveries.push({ event, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  }

  // --- controls --------------------------------------------------------------------------------------

  const TABLE = { products: 'products', orders: 'orders', customers: 'customers', locations: 'locations', product: 'products', order: 'orders', customer: 'customers', accounts: 'customers', warehouses: 'locations' };
  function table(entity) {
    const t = TABLE[entity];
    if (!t) throw new HttpError(400, `unknown entity "${entity}" (use one of ${GETFLY_ENTITIES.join(', ')})`);
    return t;
  }
  const stamp = () => localTime(now());

  function truth(entity) {
    return [...world.tables[table(entity)].values()].sort((a, b) => a.id - b.id).map((r) => structuredClone(r));
  }

  function touch(entity, id) {
    const t = table(entity);
    const rec = world.tables[t].get(Number(id));
    if (!rec) throw new HttpError(404, `${entity} ${id} not found`);
    const rng = world.mutations;
    if (t === 'products') {
      rec.cover_price += rng.pick([5000, 10000]);
      for (const row of world.tables.stock.values()) if (row.product_id === rec.id) row.quantity = Math.max(0, row.quantity + rng.int(-3, 5));
      record('product.updated', { product_id: rec.id, product_code: rec.product_code });
    } else if (t === 'orders') {
      const next = { 1: 2, 2: 3 }[rec.status];
      if (next) rec.status = next;
      rec.status_label = GETFLY_ORDER_STATUS[rec.status];
      if (rec.status === 2) record('order.approved', { order_id: rec.id, order_code: rec.order_code });
    } else if (t === 'customers') {
      rec.phone_office = vnPhone(rng) || '0909123456';
      record('customer.updated', { account_id: rec.id, account_code: rec.account_code });
    } else {
      rec.store_name = `${rec.store_name} (mới)`;
    }
    if ('updated_at' in rec) rec.updated_at = stamp();
    return structuredClone(rec);
  }

  function create(entity) {
    const t = table(entity);
    const rng = world.mutations;
    const ms = Math.floor(now() / 1000) * 1000;
    if (t === 'orders') {
      const rec = buildOrder(world, rng, ms, [...world.tables.products.values()].filter((p) => !p.services), [...world.tables.customers.values()], 1);
      rec.updated_at = rec.created_at;  // a new order: never updated before it was created
      record('order.created', { order_id: rec.id, order_code: rec.order_code });
      return structuredClone(rec);
    }
    if (t === 'customers') {
      const id = world.next('customers', 12033);
      const name = vnPerson(rng).name;
      world.tables.customers.set(id, { ...structuredClone([...world.tables.customers.values()][0]), id, account_code: `KH/2026/${String(id).padStart(6, '0')}`, account_name: name, total_revenue: 0, created_at: stamp(), updated_at: stamp() });
      record('customer.created', { account_id: id });
      return structuredClone(world.tables.customers.get(id));
    }
    if (t === 'products') {
      const id = world.next('products', 101);
      world.tables.products.set(id, { ...structuredClone([...world.tables.products.values()][0]), id, product_code: `SP.N${id}`, product_name: `Sản phẩm mới ${id}`, created_at: stamp(), updated_at: stamp() });
      addStock(world, rng, world.tables.products.get(id));
      record('product.created', { product_id: id });
      return structuredClone(world.tables.products.get(id));
    }
    // A new warehouse (store): the list shows it; ids only grow (never reused after a delete).
    const id = world.next('locations', 3);
    world.tables.locations.set(id, { id, store_name: `Kho ${rng.pick(['Hà Nội', 'Đà Nẵng', 'Cần Thơ', 'Quận 7'])} ${id}`, total_quantity: 0 });
    return structuredClone(world.tables.locations.get(id));
  }

  function remove(entity, id) {
    const t = table(entity);
    const rec = world.tables[t].get(Number(id));
    if (!rec) throw new HttpError(404, `${entity} ${id} not found`);
    world.tables[t].delete(rec.id);
    if (t === 'products') for (const [sid, row] of world.tables.stock) if (row.product_id === rec.id) world.tables.stock.delete(sid);
    if (t === 'customers') record('customer.deleted', { account_id: rec.id, account_code: rec.account_code });
    return { id: rec.id, removed: true };
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return { total: s.total, byRoute: s.byRoute, byStatus: s.byStatus, rateLimited: s.counters.rateLimited ?? 0, faultsInjected: s.counters.faultsInjected ?? 0, counters: s.counters, pendingScriptedFaults: faults.pending() };
  }

  function info() {
    return {
      platform: 'getfly', url: server?.url, host: `${opts.tenant}.getflycrm.com`, apiKey: opts.apiKey, webhookSecret: opts.webhookSecret,
      entities: GETFLY_ENTITIES, counts: Object.fromEntries(GETFLY_ENTITIES.map((e) => [e, world.tables[table(e)].size])),
      orderStatus: GETFLY_ORDER_STATUS,
    };
  }

  const actions = {
    touch: (b) => touch(b.entity, b.id),
    create: (b) => create(b.entity),
    remove: (b) => remove(b.entity, b.id),
    faults: (b) => faults.set(b),
    'fail-next': (b) => ({ pending: faults.failNext(Array.isArray(b) ? b : b.responses ?? []) }),
    reset: () => (reset(), { reset: true }),
  };

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
    truth,
    /** Stock rows as /product/inventories serves them: [{id, product_id, quantity, warehouse_name, ...}]. */
    inventories: () => [...world.tables.stock.values()].map((r) => ({ ...r })),
    touch,
    create,
    remove,
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
    reset,
    /** Webhook deliveries recorded so far: [{event, headers, body}] (form-encoded). */
    webhooks: () => deliveries.slice(),
    /**
     * What the shop typed into Getfly's webhook settings as the Secret Key (StoreLink generates
     * it per connection): deliveries recorded from now on carry it as `secret_key`.
     */
    setWebhookSecret(secret) {
      opts.webhookSecret = String(secret);
    },
    /** POSTs every recorded delivery to `url` (what Getfly's webhook sender does). */
    async postWebhooks(target) {
      const results = [];
      for (const d of deliveries) results.push((await fetch(target, { method: 'POST', headers: d.headers, body: d.body })).status);
      return results;
    },
  };
}
