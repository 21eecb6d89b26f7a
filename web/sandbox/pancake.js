// Local simulator of the Pancake POS API (pos.pages.fm/api/v1), for tests, the CLI and the
// offline demo — including Pancake's outgoing webhooks (the raw object POSTed to a URL with the
// shop's custom headers, e.g. x-store-id).
//
// Facts come from /work/shared/platforms/pancake.md (cited "pc.md §1.x"). Where that file marks
// a behaviour UNCONFIRMED, the simulator follows the closest documented behaviour and says so.
//
// What it reproduces:
// - `api_key` in the query on every call (a Bearer header is accepted too); one key reaches the
//   shops GET /shops lists; everything else lives under /shops/{shopId};
// - page_number (1-based) / page_size (default 30, clamped to 200) with total_entries and
//   total_pages; {"data": [...], ..., "success": true}; single objects as {"data": {...}};
// - orders: updateStatus (inserted_at | updated_at) + startDateTime/endDateTime in unix seconds,
//   option_sort (inserted_at_desc default, …, last_updated_order_asc), filter_status[] (HTTP 500
//   when sent as a JSON array, as observed), include_removed=1 for status 7;
// - products with nested variations and per-warehouse stock; no updated-since filter for
//   products or customers (integrations re-page them whole);
// - naive ISO-8601 UTC timestamps with microseconds; integer VND;
// - errors {"success": false, "message": …, "error_code": …} (UNCONFIRMED exact keys).
//
// Test controls (JSON, no auth, not counted in stats):
//   GET  /__sandbox/info | /__sandbox/stats | /__sandbox/truth/{products|orders|customers|warehouses}
//   POST /__sandbox/touch {entity, id} | create {entity} | remove {entity, id}
//        | set-stock {variationId, remain} | emit-webhook {url, entity, id, headers?}
//        | faults {...} | fail-next [...] | reset

import {
  createRng, createRateLimiter, createFaultInjector, createRequestStats, startServer, sendText, queryParams,
  HttpError, DAY_MS, gatewayErrorHtml, postJson, vnPerson, vnCustomerName, vnAddress, vnPhone, vnMobile, vnEmail,
  ean13, stripDiacritics, roundVnd, PRODUCT_TEMPLATES, VARIANT_AXES,
} from './common.js';

export const PANCAKE_DEFAULT_API_KEY = 'b9f1c7e2a4d84f0c9e6a3b5d7f1e2c4a';
export const PANCAKE_DEFAULT_SHOP_ID = '1234567';
export const PANCAKE_ENTITIES = ['products', 'orders', 'customers', 'warehouses'];

/** Numeric order statuses with their UI labels and (mostly UNCONFIRMED) status_name (pc.md §1.5). */
export const PANCAKE_ORDER_STATUS = {
  0: ['Mới', 'new'], 17: ['Chờ xác nhận', 'waiting_confirm'], 11: ['Chờ hàng', 'waiting_stock'], 20: ['Đã đặt hàng', 'ordered'],
  1: ['Đã xác nhận', 'submitted'], 12: ['Chờ in', 'waiting_print'], 13: ['Đã in', 'printed'], 8: ['Đang đóng hàng', 'packing'],
  9: ['Chờ chuyển hàng', 'waiting_pickup'], 2: ['Đã gửi hàng', 'shipped'], 3: ['Đã nhận', 'delivered'], 16: ['Đã thu tiền', 'money_collected'],
  4: ['Đang hoàn', 'returning'], 15: ['Hoàn một phần', 'partial_returned'], 5: ['Đã hoàn', 'returned'], 6: ['Đã hủy', 'canceled'],
  7: ['Đã xóa', 'removed'],
};
const FLOW = { 0: 1, 17: 1, 11: 1, 20: 1, 1: 12, 12: 13, 13: 8, 8: 9, 9: 2, 2: 3, 3: 16, 4: 5 };

/** "2026-05-07T11:04:38.590469": UTC without a zone, microseconds (pc.md §1.9). */
export function formatPancakeTime(ms, micro = 0) {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micro).padStart(3, '0')}`;
}
const sec = (ms) => Math.floor(ms / 1000);

function uuid(rng) {
  return rng.guid();
}

// ---------------------------------------------------------------------------
// World
// ---------------------------------------------------------------------------

/** `ms`, but at least a few minutes before the world's "now" (and not before `floor`). */
function before(nowMs, ms, floor, rng) {
  return Math.max(floor, Math.min(ms, nowMs - rng.int(10, 180) * 60_000));
}

function stamp(w, rng, ms) {
  return { ms, text: formatPancakeTime(ms, rng.int(0, 999)) };
}

function genWorld(opts, anchorMs) {
  const root = createRng(opts.seed, 'pancake');
  const w = { opts, now0: anchorMs, products: new Map(), variations: new Map(), orders: new Map(), customers: new Map() };
  const rngW = root.fork('warehouses');
  w.warehouses = [
    ['Kho Quận 1', '45 Lê Lợi', 'Phường Bến Nghé', 'Quận 1', 'Hồ Chí Minh', '701', '70101', '7010103', 'KHO-Q1'],
    ['Kho Cầu Giấy', '120 Xuân Thủy', 'Phường Dịch Vọng Hậu', 'Quận Cầu Giấy', 'Hà Nội', '101', '10105', '1010511', 'KHO-CG'],
  ].slice(0, opts.counts.warehouses).map(([name, street, ward, district, province, p, d, c, custom]) => ({
    id: uuid(rngW), name, phone_number: `028${rngW.int(30_000_000, 39_999_999)}`, address: street,
    full_address: `${street}, ${ward}, ${district}, ${province}`, province_id: p, district_id: d, commune_id: c,
    country_code: 84, postcode: null, custom_id: custom, allow_create_order: true, affiliate_shop_id: null,
  }));

  // Products with variations.
  const rng = root.fork('products');
  let displayId = 100;
  let categoryId = 3;
  const categories = new Map();
  for (const name of new Set(PRODUCT_TEMPLATES.map((t) => t.category))) categories.set(name, categoryId++);
  while (w.products.size < opts.counts.products) {
    const tpl = rng.pick(PRODUCT_TEMPLATES.filter((t) => t.kind !== 'service'));
    const created = anchorMs - rng.int(10, 500) * DAY_MS;
    const pid = uuid(rng);
    const code = stripDiacritics(tpl.name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).filter(Boolean).slice(0, 3).map((x) => x[0]).join('') + String(displayId);
    const axes = VARIANT_AXES[tpl.kind] ?? [];
    let combos = [[]];
    for (const [name, values] of axes) combos = combos.flatMap((cb) => rng.sample(values, 2).map((v) => [...cb, [name, v]]));
    combos = combos.slice(0, 6);
    const base = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
    const product = {
      id: pid, name: tpl.name, custom_id: rng.chance(0.8) ? code : null, display_id: displayId++, type: 'product',
      categories: [{ id: categories.get(tpl.category), name: tpl.category }], tags: [],
      image: rng.chance(0.8) ? `https://content.pancake.vn/1/products/${rng.hex(24)}.jpg` : null,
      is_published: rng.chance(0.8), is_sell_negative: false, manipulation_warehouses: [], materials: [], measure_group_id: null,
      note: null, note_product: null,
      product_attributes: axes.map(([name]) => ({ name, values: [...new Set(combos.map((cb) => cb.find(([n]) => n === name)?.[1]).filter(Boolean))] })),
      supplier_product_ids: [], inserted_at: stamp(w, rng, created).text, variationIds: [],
    };
    w.products.set(pid, product);
    for (const combo of combos) {
      const vid = uuid(rng);
      const price = base + (rng.chance(0.2) ? 10_000 : 0);
      const sale = rng.chance(0.2) ? roundVnd(price * 0.9) : price;
      const cost = roundVnd(price * rng.float(0.45, 0.7));
      const updated = stamp(w, rng, before(anchorMs, created + rng.int(0, 200) * DAY_MS, created, rng));
      const stock = w.warehouses.map((wh) => {
        const actual = rng.weighted([[0, 2], [rng.int(1, 10), 4], [rng.int(11, 80), 4]]);
        const pending = actual > 0 && rng.chance(0.3) ? rng.int(1, Math.min(3, actual)) : 0;
        return { warehouse_id: wh.id, remain_quantity: actual - pending, actual_remain_quantity: actual, total_quantity: actual,
          pending_quantity: pending, returning_quantity: 0, waiting_quantity: 0, batch_position: null,
          shelf_position: rng.chance(0.3) ? `A${rng.int(1, 9)}-${String(rng.int(1, 30)).padStart(2, '0')}` : null, selling_avg: Math.round(rng.float(0, 3) * 10) / 10 };
      });
      const variation = {
        id: vid, product_id: pid, display_id: `${product.custom_id ?? code}${combo.length ? '-' : ''}${combo.map(([, v]) => stripDiacritics(v).toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3)).join('-')}`,
        barcode: rng.chance(0.8) ? ean13(rng) : null,
        fields: combo.map(([name, value], i) => ({ id: `f${i + 1}`, keyValue: stripDiacritics(value).toLowerCase().replace(/\s+/g, '-'), name, value })),
        images: rng.chance(0.3) ? [`https://content.pancake.vn/1/products/${rng.hex(24)}.jpg`] : [],
        retail_price: price, retail_price_after_discount: sale, price_at_counter: price, wholesale_price: [],
        last_imported_price: cost, average_imported_price: cost, total_purchase_price: cost * 10,
        remain_quantity: stock.reduce((s, x) => s + x.remain_quantity, 0), weight: tpl.weight,
        is_hidden: rng.chance(0.05), is_locked: false, is_removed: false, is_composite: false, is_sell_negative_variation: false,
        keyword: null, videos: [], bonus_variations: [], composite_products: [],
        inserted_at: product.inserted_at, updated_at: updated.text, updatedMs: updated.ms, variations_warehouses: stock,
      };
      w.variations.set(vid, variation);
      product.variationIds.push(vid);
    }
  }

  // Customers.
  const rc = root.fork('customers');
  for (let i = 0; i < opts.counts.customers; i++) {
    const person = vnCustomerName(rc);
    const addr = vnAddress(rc);
    const phone = vnPhone(rc);
    const created = stamp(w, rc, anchorMs - rc.int(5, 600) * DAY_MS);
    const updated = stamp(w, rc, before(anchorMs, created.ms + rc.int(0, 200) * DAY_MS, created.ms, rc));
    const id = uuid(rc);
    w.customers.set(id, {
      id, customer_id: uuid(rc), name: person.name, phone_numbers: phone ? [phone] : [],
      emails: rc.chance(0.4) ? [vnEmail(rc, person.name)] : [], gender: rc.chance(0.85) ? person.gender : null,
      date_of_birth: rc.chance(0.4) ? `${rc.int(1965, 2005)}-${String(rc.int(1, 12)).padStart(2, '0')}-${String(rc.int(1, 28)).padStart(2, '0')}` : null,
      shop_customer_addresses: rc.chance(0.8) ? [{ id: uuid(rc), full_name: person.name, phone_number: phone ?? '', address: addr.street,
        full_address: `${addr.street}, ${addr.ward}, ${addr.district}, ${addr.province}`, province_id: String(700 + addr.locationId),
        district_id: String(70_000 + addr.locationId), commune_id: String(7_000_000 + addr.locationId), country_code: '84' }] : [],
      reward_point: rc.int(0, 300), used_reward_point: 0, order_count: 0, succeed_order_count: 0, returned_order_count: 0,
      purchased_amount: 0, current_debts: 0, tags: rc.chance(0.2) ? [{ id: 1, name: 'Khách quen' }] : [], notes: [],
      level: rc.chance(0.3) ? { id: 2, name: 'Thành viên Bạc' } : null, referral_code: rc.hex(6, true), is_block: false,
      fb_id: rc.chance(0.5) ? String(rc.int(1e15, 9e15)) : null,
      inserted_at: created.text, updated_at: updated.text, updatedMs: updated.ms, last_order_at: null,
    });
  }

  // Orders: a per-shop running number; every status code appears.
  const ro = root.fork('orders');
  w.orderSeq = 100 + ro.int(0, 200);
  const statuses = Object.keys(PANCAKE_ORDER_STATUS).map(Number);
  for (let i = 0; i < opts.counts.orders; i++) {
    const ago = Math.floor(opts.historyDays * Math.pow(ro.next(), 1.5));
    const createdMs = anchorMs - ago * DAY_MS - ro.int(60_000, DAY_MS / 2);
    const status = i < statuses.length ? statuses[i] : ago > 14 ? ro.pick([3, 3, 3, 16, 6, 5, 4]) : ro.pick(statuses.filter((s) => s !== 7));
    const o = buildOrder(w, ro, createdMs, status);
    w.orders.set(o.id, o);
  }
  w.mutations = root.fork('mutations');
  return w;
}

function buildOrder(w, rng, createdMs, status) {
  const id = (w.orderSeq += 1);
  const customers = [...w.customers.values()];
  const c = rng.chance(0.9) ? rng.pick(customers) : null;
  const wh = rng.pick(w.warehouses);
  const pool = [...w.variations.values()].filter((v) => !v.is_removed);
  const items = [];
  for (let i = 0; i < rng.weighted([[1, 60], [2, 30], [3, 10]]); i++) {
    const v = rng.pick(pool);
    if (items.some((it) => it.variation_id === v.id)) continue;
    const p = w.products.get(v.product_id);
    const qty = rng.weighted([[1, 70], [2, 22], [3, 8]]);
    const percent = rng.chance(0.1);
    const each = rng.chance(0.25) ? (percent ? 10 : 10_000) : 0;
    const lineDiscount = percent ? Math.round((v.retail_price * qty * each) / 100) : each * qty;
    items.push({
      id: 1700 + (w.itemSeq = (w.itemSeq ?? 0) + 1), product_id: p.id, variation_id: v.id, quantity: qty,
      discount_each_product: each, is_discount_percent: percent, total_discount: lineDiscount, same_price_discount: 0,
      is_bonus_product: false, is_wholesale: false, is_composite: false, one_time_product: false, composite_item_id: null,
      components: null, measure_group_id: null, note: null, note_product: null, return_quantity: 0, returned_count: 0,
      returning_quantity: 0, exchange_count: 0, added_to_cart_quantity: 0, assigning_seller: null, assigning_seller_id: null,
      variation_info: {
        name: p.name, display_id: v.display_id, product_display_id: p.custom_id, barcode: v.barcode, retail_price: v.retail_price,
        retail_price_original: v.retail_price, exact_price: 0, avg_price: v.average_imported_price, last_imported_price: v.last_imported_price,
        weight: v.weight, images: v.images, fields: v.fields, detail: null, category_ids: p.categories.map((x) => x.id), brand_id: null,
        tax_rate: 0, measure_info: null, is_upsale_product: false,
      },
    });
  }
  const totalPrice = items.reduce((s, it) => s + it.variation_info.retail_price * it.quantity, 0);
  const totalDiscount = items.reduce((s, it) => s + it.total_discount, 0);
  const freeShip = rng.chance(0.15);
  const shipping = rng.pick([0, 20_000, 25_000, 30_000]);
  // Real bodies count the shipping fee in total_price_after_sub_discount (= cod when nothing is prepaid).
  const after = totalPrice - totalDiscount;
  const prepaid = rng.chance(0.2) ? after + (freeShip ? 0 : shipping) : 0;
  const cod = Math.max(0, after + (freeShip ? 0 : shipping) - prepaid);
  const addr = c?.shop_customer_addresses?.[0];
  const loc = vnAddress(rng);
  const inserted = formatPancakeTime(createdMs, rng.int(0, 999));
  const updatedMs = before(w.now0, createdMs + rng.int(10 * 60_000, 3 * DAY_MS), createdMs, rng);
  const [label, name] = PANCAKE_ORDER_STATUS[status];
  void label;
  const rec = {
    id, system_id: id, shop_id: Number(w.opts.shopId), status, status_name: name, sub_status: null,
    bill_full_name: c?.name ?? vnPerson(rng).name, bill_phone_number: c?.phone_numbers?.[0] ?? vnMobile(rng), bill_email: c?.emails?.[0] ?? null,
    items, total_price: totalPrice, total_price_after_sub_discount: after + (freeShip ? 0 : shipping), total_discount: totalDiscount, shipping_fee: shipping,
    partner_fee: shipping ? shipping - 5000 : 0, surcharge: 0, tax: 0, cod, money_to_collect: cod, prepaid, cash: 0,
    transfer_money: 0, charged_by_card: 0, charged_by_momo: 0, charged_by_qrpay: 0, exchange_payment: 0, order_currency: 'VND',
    is_free_shipping: freeShip, customer_pay_fee: !freeShip, received_at_shop: false, is_exchange_order: false, is_livestream: false,
    is_live_shopping: false,
    shipping_address: {
      full_name: c?.name ?? '', phone_number: c?.phone_numbers?.[0] ?? '', address: addr?.address ?? loc.street,
      full_address: addr?.full_address ?? `${loc.street}, ${loc.ward}, ${loc.district}, ${loc.province}`,
      province_id: '701', province_name: loc.province, district_id: '70101', district_name: loc.district,
      commune_id: '7010105', commune_name: loc.ward, commnue_name: loc.ward, country_code: '84', post_code: null,
      new_province_id: null, new_commune_id: null, new_full_address: null, marketplace_address: null, render_type: 'old', commune_code_sicepat: null,
    },
    warehouse_id: wh.id,
    warehouse_info: { id: wh.id, name: wh.name, phone_number: wh.phone_number, full_address: wh.full_address, province_id: wh.province_id, district_id: wh.district_id, commune_id: wh.commune_id },
    customer: c ? structuredClone(stripPrivate(c)) : null,
    status_history: [{ status: 0, old_status: null, updated_at: inserted, editor_id: 'u-1a2b3c', editor: { name: 'Sale Lan' } }],
    histories: [], partner: [2, 3, 4, 5, 16].includes(status) ? { partner_id: 5, extend_code: `GHN${rng.int(100_000_000, 999_999_999)}` } : null,
    tracking_link: null, order_link: `https://pos.pages.fm/shop/${w.opts.shopId}/order?order_id=${id}`, tags: [], note: rng.chance(0.3) ? 'Giao giờ hành chính' : null,
    note_print: null, page_id: null, conversation_id: null, account: null, account_name: null, order_sources: -1, order_sources_name: 'Facebook',
    ad_id: null, p_utm_source: null, p_utm_medium: null, p_utm_campaign: null, time_send_partner: null, time_assign_seller: null,
    estimate_delivery_date: null, activated_promotion_advances: [], activated_combo_products: [], additional_info: null, einvoices: [],
    inserted_at: inserted, updated_at: formatPancakeTime(updatedMs, rng.int(0, 999)),
  };
  return { id, rec, createdMs, updatedMs };
}

function stripPrivate(obj) {
  const { updatedMs, variationIds, ...rest } = obj;
  return rest;
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

function normalizeOptions(o = {}) {
  return {
    seed: o.seed ?? 1,
    apiKey: o.apiKey ?? PANCAKE_DEFAULT_API_KEY,
    shopId: String(o.shopId ?? PANCAKE_DEFAULT_SHOP_ID),
    shopName: o.shopName ?? 'Thời Trang Hoa Mai',
    counts: { warehouses: 2, products: 60, customers: 120, orders: 320, ...o.counts },
    historyDays: o.historyDays ?? 300,
    // UNCONFIRMED (pc.md §1.7): "1000 requests/minute, 10000/hour" in one client; HTTP 429 beyond.
    rateLimit: { limit: 1000, windowMs: 60_000, perHour: 10_000, ...o.rateLimit },
    timeScale: o.timeScale ?? 1,
    maxPageSize: o.maxPageSize ?? 200,
    faults: { ...o.faults },
    now: o.now ?? Date.now,
    host: o.host ?? '127.0.0.1',
  };
}

function normalizeEntity(name) {
  const key = String(name ?? '').toLowerCase();
  const entity = { product: 'products', order: 'orders', customer: 'customers', warehouse: 'warehouses', locations: 'warehouses', variations: 'products', variation: 'products' }[key] ?? key;
  if (!PANCAKE_ENTITIES.includes(entity)) throw new HttpError(400, `unknown entity "${name}" (use one of ${PANCAKE_ENTITIES.join(', ')})`);
  return entity;
}

class ApiError extends Error {
  constructor(status, message, code = status) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {object} [options]
 * @param {number} [options.seed=1] @param {string} [options.apiKey] @param {string} [options.shopId]
 * @param {{warehouses?:number, products?:number, customers?:number, orders?:number}} [options.counts]
 * @param {{limit?:number, windowMs?:number}} [options.rateLimit] @param {number} [options.timeScale=1]
 * @param {object} [options.faults] @param {() => number} [options.now=Date.now]
 */
export function createPancakeSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const anchorMs = now();
  let world, limiter, hourLimiter, faults, stats;
  let server = null;

  function reset() {
    world = genWorld(opts, anchorMs);
    limiter = createRateLimiter({ limit: opts.rateLimit.limit, windowMs: opts.rateLimit.windowMs * opts.timeScale, now });
    hourLimiter = createRateLimiter({ limit: opts.rateLimit.perHour ?? Infinity, windowMs: 3_600_000 * opts.timeScale, now });
    faults ??= createFaultInjector({ seed: opts.seed, label: 'pancake/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
  }
  reset();

  function productJson(p) {
    const variations = p.variationIds.map((id) => world.variations.get(id)).filter(Boolean).map(stripPrivate);
    return { ...stripPrivate(p), variations };
  }
  const variationJson = (v) => ({ ...stripPrivate(v), product: (({ variationIds, ...rest }) => rest)(world.products.get(v.product_id)) });
  const customerJson = (c) => stripPrivate(c);
  const orderJson = (o) => structuredClone(o.rec);

  // `toJson` renders only the page's rows (rendering the whole list per page was costly).
  function paginate(rows, q, toJson = (x) => x) {
    const pageNo = Math.max(1, Number(q.get('page_number') ?? 1) || 1);
    const size = Math.min(opts.maxPageSize, Math.max(1, Number(q.get('page_size') ?? 30) || 30));
    const total = rows.length;
    return { data: rows.slice((pageNo - 1) * size, pageNo * size).map(toJson), page_number: pageNo, page_size: size, total_entries: total, total_pages: Math.ceil(total / size), success: true };
  }

  function listOrders(q, url) {
    // The real API answers 500 when filter_status arrives as a JSON array (pc.md §1.4, [OBS]).
    for (const [k, v] of url.searchParams) if (k.startsWith('filter_status') && v.trim().startsWith('[')) throw new ApiError(500, 'Internal server error');
    const statuses = q.getList('filter_status').map(Number);
    const field = q.get('updateStatus') === 'updated_at' ? 'updatedMs' : 'createdMs';
    const start = q.has('startDateTime') ? Number(q.get('startDateTime')) : null;
    const end = q.has('endDateTime') ? Number(q.get('endDateTime')) : null;
    const includeRemoved = q.get('include_removed') === '1' || q.get('include_removed') === 'true';
    let rows = [...world.orders.values()].filter((o) =>
      (includeRemoved || o.rec.status !== 7) && (!statuses.length || statuses.includes(o.rec.status)) &&
      (start === null || sec(o[field]) >= start) && (end === null || sec(o[field]) <= end) &&
      (!q.get('customer_id') || o.rec.customer?.customer_id === q.get('customer_id')));
    const sort = q.get('option_sort') ?? 'inserted_at_desc';
    const by = {
      inserted_at_desc: (a, b) => b.createdMs - a.createdMs || b.id - a.id, inserted_at_asc: (a, b) => a.createdMs - b.createdMs || a.id - b.id,
      last_updated_order_desc: (a, b) => b.updatedMs - a.updatedMs || b.id - a.id, last_updated_order_asc: (a, b) => a.updatedMs - b.updatedMs || a.id - b.id,
    }[sort] ?? ((a, b) => b.createdMs - a.createdMs);
    rows = rows.sort(by);
    return paginate(rows, q, orderJson);
  }

  function handleApi(req, url) {
    if (req.method !== 'GET') throw new ApiError(405, `Sandbox chỉ mô phỏng các API GET (${req.method} chưa được hỗ trợ)`);
    const q = queryParams(url.searchParams);
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    const key = q.get('api_key') ?? bearer;
    if (key !== opts.apiKey) throw new ApiError(401, key ? 'api_key is invalid' : 'Missing api_key');
    // Both windows must have room; a refused call counts in neither.
    const hit = hourLimiter.count(key) >= hourLimiter.limit ? { allowed: false } : limiter.hit(key);
    if (hit.allowed) hourLimiter.hit(key);
    if (!hit.allowed) {
      stats.bump('rateLimited');
      throw new ApiError(429, 'Too many requests');
    }
    const seg = url.pathname.replace(/^\/api\/v1\/?/, '').split('/').filter(Boolean);
    if (seg[0] === 'shops' && seg.length === 1) {
      return { shops: [{ id: Number(opts.shopId), name: opts.shopName, avatar_url: 'https://content.pancake.vn/1/s200x200/fwebp/avatar.jpg',
        pages: [{ id: '104438181227821', name: 'Hoa Mai Fashion', platform: 'facebook', settings: { auto_create_order: true }, shop_id: Number(opts.shopId) }] }], success: true };
    }
    if (seg[0] !== 'shops' || seg[1] !== opts.shopId) throw new ApiError(seg[0] === 'shops' ? 403 : 404, seg[0] === 'shops' ? 'Bạn không có quyền truy cập cửa hàng này' : 'Not found');
    const [, , resource, sub] = seg;
    switch (resource) {
      case 'products':
        if (sub === 'variations') return paginate([...world.variations.values()].filter((v) => !v.is_removed), q, variationJson);
        if (sub) {
          const p = world.products.get(sub);
          if (!p) throw new ApiError(404, 'Product not found');
          return { data: productJson(p), success: true };
        }
        return paginate([...world.products.values()].sort((a, b) => b.display_id - a.display_id), q, productJson);
      case 'orders':
        if (sub) {
          const o = world.orders.get(Number(sub));
          if (!o) throw new ApiError(404, 'Order not found');
          return { data: orderJson(o), success: true };
        }
        return listOrders(q, url);
      case 'customers':
        return paginate([...world.customers.values()].sort((a, b) => (a.inserted_at < b.inserted_at ? 1 : -1)), q, customerJson);
      case 'warehouses':
        return { data: world.warehouses.map((x) => ({ ...x })), success: true };
      default:
        throw new ApiError(404, 'Not found');
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/__sandbox' || path.startsWith('/__sandbox/')) return handleControl(req, res, path.slice('/__sandbox'.length), url);
    const route = `${req.method} ${path.replace(/\/[0-9a-f-]{36}|\/\d+(?=\/|$)/g, '/{id}')}`;
    let truncate = false;
    const fault = faults.next();
    if (fault) {
      stats.bump('faultsInjected');
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.truncated) truncate = true;
      if (fault.status) {
        stats.record(route, fault.status);
        if (fault.body !== undefined) return sendText(res, fault.status, typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body), { headers: fault.headers });
        if (fault.status >= 502 && fault.status <= 504) return sendText(res, fault.status, gatewayErrorHtml(fault.status), { contentType: 'text/html', headers: fault.headers });
        return sendText(res, fault.status, JSON.stringify({ success: false, message: fault.status === 429 ? 'Too many requests' : 'Internal server error', error_code: fault.status }), { headers: fault.headers });
      }
    }
    try {
      const body = handleApi(req, url);
      stats.record(route, 200);
      return sendText(res, 200, JSON.stringify(body), { truncate });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      stats.record(route, err.status);
      return sendText(res, err.status, JSON.stringify({ success: false, message: err.message, error_code: err.code }));
    }
  }

  // --- controls ----------------------------------------------------------------------

  const touchStamp = () => formatPancakeTime(now(), world.mutations.int(0, 999));

  function touch(entityName, id) {
    const entity = normalizeEntity(entityName);
    if (entity === 'orders') {
      const o = world.orders.get(Number(id));
      if (!o) throw new HttpError(404, `order ${id} not found`);
      const old = o.rec.status;
      o.rec.status = FLOW[old] ?? old;
      o.rec.status_name = PANCAKE_ORDER_STATUS[o.rec.status][1];
      o.updatedMs = now();
      o.rec.updated_at = touchStamp();
      o.rec.status_history.push({ status: o.rec.status, old_status: old, updated_at: o.rec.updated_at, editor_id: 'u-1a2b3c', editor: { name: 'Sale Lan' } });
      return orderJson(o);
    }
    if (entity === 'products') {
      const p = world.products.get(id);
      if (!p) throw new HttpError(404, `product ${id} not found`);
      for (const vid of p.variationIds) {
        const v = world.variations.get(vid);
        v.retail_price += 10_000;
        v.retail_price_after_discount = v.retail_price;
        v.updatedMs = now();
        v.updated_at = touchStamp();
      }
      return productJson(p);
    }
    if (entity === 'customers') {
      const c = world.customers.get(id);
      if (!c) throw new HttpError(404, `customer ${id} not found`);
      c.reward_point += 10;
      c.updatedMs = now();
      c.updated_at = touchStamp();
      return customerJson(c);
    }
    const wh = world.warehouses.find((x) => x.id === id);
    if (!wh) throw new HttpError(404, `warehouse ${id} not found`);
    wh.phone_number = `028${world.mutations.int(30_000_000, 39_999_999)}`;  // the list shows the edit
    return { ...wh };
  }

  function setStock(variationId, remain) {
    const v = world.variations.get(variationId);
    if (!v) throw new HttpError(404, `variation ${variationId} not found`);
    const wh = v.variations_warehouses[0];
    const delta = Number(remain) - v.remain_quantity;
    wh.remain_quantity += delta;
    wh.actual_remain_quantity = Math.max(wh.remain_quantity, wh.actual_remain_quantity + delta);
    v.remain_quantity = Number(remain);
    // UNCONFIRMED: whether a stock movement bumps the variation's updated_at; we assume it does.
    v.updatedMs = now();
    v.updated_at = touchStamp();
    return variationJson(v);
  }

  function create(entityName) {
    const entity = normalizeEntity(entityName);
    if (entity === 'warehouses') {
      const r = world.mutations;
      const n = world.warehouses.length + 1;
      const wh = { ...world.warehouses[0], id: uuid(r), name: `Kho ${n}`, custom_id: `KHO-${n}`, phone_number: `028${r.int(30_000_000, 39_999_999)}` };
      world.warehouses.push(wh);
      return { ...wh };
    }
    if (entity !== 'orders') throw new HttpError(400, 'only orders and warehouses can be created in the sandbox');
    const o = buildOrder(world, world.mutations, now(), 0);
    o.updatedMs = now();
    o.rec.updated_at = o.rec.inserted_at;
    world.orders.set(o.id, o);
    return orderJson(o);
  }

  function remove(entityName, id) {
    const entity = normalizeEntity(entityName);
    if (entity === 'warehouses') {
      // UNCONFIRMED: a warehouse that holds stock or orders stays (removed: false); an unused
      // one leaves the list.
      if (!world.warehouses.some((x) => x.id === id)) throw new HttpError(404, `warehouse ${id} not found`);
      const used = [...world.orders.values()].some((o) => o.rec.warehouse_id === id) ||
        [...world.variations.values()].some((v) => v.variations_warehouses.some((x) => x.warehouse_id === id));
      if (used) return { id, removed: false, reason: 'warehouse in use' };
      world.warehouses = world.warehouses.filter((x) => x.id !== id);
      return { id, removed: true };
    }
    if (entity !== 'orders') throw new HttpError(400, 'only orders and warehouses can be removed in the sandbox');
    const o = world.orders.get(Number(id));
    if (!o) throw new HttpError(404, `order ${id} not found`);
    // Removal is status 7 "Đã xóa", listed only with include_removed=1.
    o.rec.status = 7;
    o.rec.status_name = 'removed';
    o.updatedMs = now();
    o.rec.updated_at = touchStamp();
    return orderJson(o);
  }

  /** The object Pancake would POST for an order, customer, product or variation (pc.md §1.8). */
  function webhookBody(entityName, id) {
    const key = String(entityName).toLowerCase();
    if (key === 'variation' || key === 'variations') {
      const v = world.variations.get(id);
      if (!v) throw new HttpError(404, `variation ${id} not found`);
      return stripPrivate(v);
    }
    const entity = normalizeEntity(entityName);
    if (entity === 'orders') {
      const o = world.orders.get(Number(id));
      if (!o) throw new HttpError(404, `order ${id} not found`);
      return orderJson(o);
    }
    if (entity === 'customers') {
      const c = world.customers.get(id);
      if (!c) throw new HttpError(404, `customer ${id} not found`);
      return customerJson(c);
    }
    const p = world.products.get(id);
    if (!p) throw new HttpError(404, `product ${id} not found`);
    return productJson(p);
  }

  /** POSTs the raw object with the headers the shop set up (x-store-id by default). */
  async function emitWebhook({ url, entity = 'orders', id, headers = {} } = {}) {
    if (!url) throw new HttpError(400, 'emit-webhook needs a url');
    stats.bump('webhooksSent');
    return postJson(url, webhookBody(entity, id), { 'x-store-id': opts.shopId, ...headers });
  }

  function truth(entityName) {
    const entity = normalizeEntity(entityName);
    switch (entity) {
      case 'products': return [...world.products.values()].map(productJson);
      case 'orders': return [...world.orders.values()].sort((a, b) => a.id - b.id).map(orderJson);
      case 'customers': return [...world.customers.values()].map(customerJson);
      default: return world.warehouses.map((x) => ({ ...x }));
    }
  }

  function info() {
    return { platform: 'pancake', url: server?.url, apiKey: opts.apiKey, shopId: opts.shopId, shopName: opts.shopName, apiPrefix: '/api/v1',
      counts: { products: world.products.size, variations: world.variations.size, orders: world.orders.size, customers: world.customers.size, warehouses: world.warehouses.length },
      rateLimit: { ...opts.rateLimit, timeScale: opts.timeScale } };
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return { total: s.total, byRoute: s.byRoute, byStatus: s.byStatus, rateLimited: s.counters.rateLimited ?? 0,
      faultsInjected: s.counters.faultsInjected ?? 0, webhooksSent: s.counters.webhooksSent ?? 0, pendingScriptedFaults: faults.pending() };
  }

  async function handleControl(req, res, sub, url) {
    const reply = (status, value) => sendText(res, status, JSON.stringify(value));
    try {
      const [action = 'info', arg] = sub.split('/').filter(Boolean);
      if (req.method === 'GET' && action === 'info') return reply(200, info());
      if (req.method === 'GET' && action === 'stats') return reply(200, statsSnapshot());
      if (req.method === 'GET' && action === 'truth') return reply(200, truth(arg ?? url.searchParams.get('entity')));
      if (req.method !== 'POST') throw new HttpError(404, `unknown control ${req.method} /__sandbox/${action}`);
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.trim() ? JSON.parse(text) : {};
      switch (action) {
        case 'touch': return reply(200, touch(body.entity, body.id));
        case 'create': return reply(200, create(body.entity));
        case 'remove': return reply(200, remove(body.entity, body.id));
        case 'set-stock': return reply(200, setStock(body.variationId, body.remain));
        case 'emit-webhook': return reply(200, await emitWebhook(body));
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
      const s = server;
      server = null;
      if (s) await s.close();
    },
    get url() {
      return server?.url;
    },
    handle, info, touch, create, remove, setStock, webhookBody, emitWebhook, truth, reset,
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
  };
}
