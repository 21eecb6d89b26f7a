// Local simulator of the Nhanh.vn Open API v3 (pos.open.nhanh.vn) and its OAuth-style consent
// page (nhanh.vn/oauth), for tests, the CLI and the offline demo.
//
// Facts come from /work/shared/platforms/nhanh.md (cited "nh.md §B.x") and the v3 docs. Where
// that file marks a behaviour UNCONFIRMED, the simulator follows the closest documented
// behaviour and says so in a comment tagged UNCONFIRMED.
//
// One loopback server plays both hosts: POST /v3.0/{group}/{action} (the API) and
// GET|POST /oauth (the consent page). Clients map pos.open.nhanh.vn and nhanh.vn to it.
//
// What it reproduces:
// - POST only, appId + businessId in the query, the raw token in Authorization, JSON bodies
//   {filters, paginator, dataOptions}; every answer HTTP 200 with {"code":1,...} or
//   {"code":0,"errorCode":...,"messages":...} (UNCONFIRMED: HTTP codes for errors);
// - keyset cursors: paginator.next = {"id": n} copied back verbatim; rows are scanned `size`
//   at a time and filtered afterwards, so pages come back short while a next remains;
// - product/list hides status 3 (Ngừng bán) unless the status filter asks for it; stock only
//   over the token's depots; product updatedAt ignores stock (product/inventory has its own);
// - order/list windows of at most 31 days (default: the last 31 days); order/deleted;
// - 150 requests / 30 s per appId + businessId + URL, then ERR_429 {lockedSeconds, unlockedAt};
//   calling while locked lengthens the lock; `timeScale` shrinks both for fast tests;
// - the consent page → returnLink?accessCode=… (10 minutes, single use) → app/getaccesstoken
//   {accessCode, secretKey}; one token per app + business: a new grant leaves the old token
//   15 more minutes; ERR_BUSINESS_NOT_ENABLE_API when the shop has not enabled Open API;
// - webhooks v3 ({event, businessId, data}, Authorization: verify token) built from the same
//   data, order bodies in the webhook shape (which differs from order/list).
//
// Test controls (JSON, no auth, not counted in stats):
//   GET  /__sandbox/info | /__sandbox/stats | /__sandbox/truth/{products|orders|customers|depots}
//   POST /__sandbox/touch {entity, id} | create {entity} | remove {entity, id} (depots too)
//        | set-stock {id, available, depotId?} | approve {returnLink, account?, depotIds?}
//        | revoke-tokens | settings {openApiEnabled} | webhook {event, id} (the body only)
//        | emit-webhook {url, event, id, verifyToken?} | faults {...} | fail-next [...] | reset

import {
  createRng, createRateLimiter, createFaultInjector, createRequestStats, startServer,
  readBody, sendText, HttpError, DAY_MS, gatewayErrorHtml, postJson,
  vnPerson, vnCustomerName, vnBusinessName, vnAddress, vnPhone, vnMobile, vnEmail, ean13,
  stripDiacritics, roundVnd, PRODUCT_TEMPLATES, VARIANT_AXES,
} from './common.js';

// ---------------------------------------------------------------------------
// Public constants
// ---------------------------------------------------------------------------

export const NHANH_DEFAULT_APP_ID = '74210';
export const NHANH_DEFAULT_SECRET_KEY = 'Qm7xT2vLk9PzR4wYc8NbH3sFj6GdA1eU5tKoV0iXnZyB2qWr';
export const NHANH_DEFAULT_BUSINESS_ID = '110668';
export const NHANH_DEFAULT_ACCOUNT = 'giamdoc@hoamaifashion.vn';
/** A ready token, so headless syncs work without the consent dance (CLI --sandbox). */
export const NHANH_DEFAULT_ACCESS_TOKEN =
  'nhv3_9fK2mQ7xLp4RzT8wYc1NbH6sFj3GdA0eU5tKoV2iXnZyB7qWr4EmC8uJ1hS6gD9fP3kL0zX5vN2bM7cQ4wR8tY1aE6sU3iO9pG2jH5lK0nB4vC7xZ1mQ8rT3yW6eA9sD2fG5hJ0kL4';
export const NHANH_DEFAULT_VERIFY_TOKEN = 'storelinkVerifyToken2025Hoamai';
export const NHANH_ENTITIES = ['products', 'orders', 'customers', 'depots'];

/** v3 order status codes and their labels (nh.md §B.5.5). */
export const NHANH_ORDER_STATUS = {
  54: 'Đơn mới', 55: 'Đang xác nhận', 57: 'Chờ khách xác nhận', 56: 'Đã xác nhận', 42: 'Đang đóng gói',
  40: 'Đã đóng gói', 73: 'Đổi kho xuất hàng', 43: 'Chờ thu gom', 59: 'Đang chuyển', 60: 'Thành công',
  61: 'Thất bại', 63: 'Khách hủy', 64: 'Hệ thống hủy', 58: 'Hãng vận chuyển hủy đơn', 68: 'Hết hàng',
  71: 'Đang chuyển hoàn', 72: 'Đã chuyển hoàn', 74: 'Xác nhận hoàn',
};
const TERMINAL = [60, 61, 63, 64, 58, 68, 72, 74];
const FLOW = { 54: 56, 55: 56, 57: 56, 56: 42, 42: 40, 40: 43, 73: 43, 43: 59, 59: 60, 71: 72 };

const PERMISSIONS = ['product', 'order', 'customer', 'inventory', 'depot'];
const WINDOW_SEC = 31 * 86_400;

const sec = (ms) => Math.floor(ms / 1000);

// ---------------------------------------------------------------------------
// World generation
// ---------------------------------------------------------------------------

const DEPOTS = [
  { code: 'HCM01', name: 'Kho Hồ Chí Minh', city: [254, 'Hồ Chí Minh'], district: [321, 'Quận 1'], ward: [1116, 'Phường Bến Thành'], street: '12 Nguyễn Trãi', v2: [1, 'TP. Hồ Chí Minh', 26743] },
  { code: 'HN01', name: 'Kho Hà Nội', city: [2, 'Hà Nội'], district: [9, 'Quận Hoàn Kiếm'], ward: [121, 'Phường Hàng Bạc'], street: '5 Hàng Bạc', v2: [2, 'Hà Nội', 70] },
  { code: 'DN01', name: 'Cửa hàng Đà Nẵng', city: [48, 'Đà Nẵng'], district: [490, 'Quận Hải Châu'], ward: [20194, 'Phường Thạch Thang'], street: '88 Bạch Đằng', v2: [48, 'Đà Nẵng', 20194] },
];

function slug(text) {
  return stripDiacritics(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function codeStem(name) {
  return stripDiacritics(name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).filter(Boolean).slice(0, 3).map((w) => w[0]).join('');
}

/** `ms`, but at least a few minutes before the world's "now" (and not before `floor`). */
function before(nowMs, ms, floor, rng) {
  return Math.max(floor, Math.min(ms, nowMs - rng.int(10, 180) * 60_000));
}

function depotOf(d, id, rng) {
  return {
    id,
    code: d.code,
    name: d.name,
    mobile: vnMobile(rng),
    location: { cityId: d.city[0], cityName: d.city[1], districtId: d.district[0], districtName: d.district[1], wardId: d.ward[0], wardName: d.ward[1], address: d.street },
    locationV2: { cityId: d.v2[0], cityName: d.v2[1], wardId: d.v2[2], wardName: d.ward[1], address: d.street },
  };
}

function genDepots(w, rng) {
  let id = rng.int(31_000, 31_050);
  w.depots = DEPOTS.slice(0, w.opts.counts.depots).map((d) => depotOf(d, (id += rng.int(1, 3)), rng));
  w.depotSeq = id;
}

function vatOf(rng) {
  return rng.weighted([[8, 30], [10, 25], [5, 8], [0, 10], [-1, 12], [-2, 10], [-100, 5]]);
}

function stockFor(w, rng, bulk) {
  return w.depots.map((d) => {
    const remain = bulk ? rng.int(0, 400) : rng.weighted([[0, 2], [rng.int(1, 8), 4], [rng.int(9, 60), 4]]);
    const holding = remain > 0 && rng.chance(0.25) ? rng.int(1, Math.min(3, remain)) : 0;
    const shipping = remain > holding && rng.chance(0.2) ? rng.int(1, Math.min(2, remain - holding)) : 0;
    const damaged = rng.chance(0.05) ? 1 : 0;
    return { id: d.id, remain, shipping, damaged, holding, transfering: 0, available: Math.max(0, remain - holding - shipping - damaged) };
  });
}

function genProducts(w, rng) {
  let id = 1_231_280_000 + rng.int(0, 500);
  const nextId = () => (id += rng.int(1, 3));
  let categoryId = rng.int(10_400, 10_450);
  w.categories = new Map();
  for (const name of new Set(PRODUCT_TEMPLATES.map((t) => t.category))) w.categories.set(name, (categoryId += rng.int(1, 9)));
  let brandId = rng.int(3300, 3320);
  w.brands = new Map();
  for (const name of new Set(PRODUCT_TEMPLATES.flatMap((t) => t.brands))) w.brands.set(name, (brandId += rng.int(1, 5)));

  const target = w.opts.counts.products;
  const shop = w.opts.now0;
  while (w.products.size < target) {
    const tpl = rng.pick(PRODUCT_TEMPLATES.filter((t) => t.kind !== 'service'));
    const created = shop - rng.int(20, 700) * DAY_MS + rng.int(0, DAY_MS);
    const updated = before(shop, created + rng.int(0, 300) * DAY_MS, created, rng);
    const stockAt = before(shop, Math.max(updated, shop - rng.int(0, 40) * DAY_MS), updated, rng);
    const base = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
    const vat = vatOf(rng);
    const priceVatMode = rng.chance(0.2) ? 1 : 2;
    const status = rng.weighted([[2, 78], [1, 8], [3, 9], [4, 5]]);
    const brand = tpl.brands.length && rng.chance(0.7) ? rng.pick(tpl.brands) : null;
    const stem = codeStem(tpl.name) || 'SP';
    const common = {
      tpl, vat, priceVatMode, status, brand, categoryName: tpl.category,
      description: rng.chance(0.6) ? `${tpl.name} chính hãng, đổi trả trong 7 ngày.` : '',
      createdMs: created, updatedMs: updated, stockMs: stockAt,
    };
    const axes = VARIANT_AXES[tpl.kind];
    if (axes && target - w.products.size >= 3) {
      const parentId = nextId();
      const picks = axes.map(([name, values]) => [name, rng.sample(values, Math.min(values.length, axes.length > 1 ? 2 : 3))]);
      let combos = [[]];
      for (const [name, values] of picks) combos = combos.flatMap((c) => values.map((v) => [...c, [name, v]]));
      combos = combos.slice(0, Math.min(combos.length, target - w.products.size - 1));
      const parentName = tpl.name;
      w.products.set(parentId, { ...common, id: parentId, parentId: -2, name: parentName, code: `${stem}${String(parentId).slice(-4)}`, price: base, attributes: [], children: [] });
      for (const combo of combos) {
        const cid = nextId();
        const suffix = combo.map(([, v]) => v).join(' - ');
        w.products.get(parentId).children.push(cid);
        w.products.set(cid, {
          ...common, id: cid, parentId, name: `${parentName} - ${suffix}`,
          code: `${stem}${String(parentId).slice(-4)}-${combo.map(([, v]) => slug(v).replace(/-/g, '').toUpperCase().slice(0, 3)).join('-')}`,
          price: base + (rng.chance(0.2) ? 10_000 : 0), attributes: combo, stock: stockFor(w, rng, false),
          status: rng.chance(0.1) ? 3 : common.status,
        });
      }
    } else {
      const pid = nextId();
      w.products.set(pid, { ...common, id: pid, parentId: -1, name: tpl.name, code: `${stem}${String(pid).slice(-5)}`, price: base, attributes: [], stock: stockFor(w, rng, tpl.kind === 'bulk') });
    }
  }
  w.productSeq = id; // ids only grow: a deleted product's id is never handed out again
  for (const p of w.products.values()) {
    p.barcode = p.parentId === -2 || rng.chance(0.15) ? '' : ean13(rng);
    p.old = rng.chance(0.3) ? roundVnd(p.price * 1.2) : 0;
    p.import = roundVnd(p.price * rng.float(0.45, 0.7));
    p.avgCost = rng.chance(0.8) ? roundVnd(p.import * rng.float(0.95, 1.08)) : 0;
    p.weight = p.tpl.weight;
    const host = `https://pos.nvncdn.com/${rng.hex(6)}-${w.opts.businessId}/ps`;
    const day = new Date(p.createdMs).toISOString().slice(0, 10).replace(/-/g, '');
    p.avatar = rng.chance(0.85) ? `${host}/${day}_${slug(p.name)}.jpg` : '';
    p.others = p.avatar && rng.chance(0.4) ? [`${host}/${day}_${slug(p.name)}-2.jpg`] : [];
  }
}

function genCustomers(w, rng) {
  let id = 20_184_000 + rng.int(0, 300);
  const levels = [[1, 'Đồng'], [2, 'Bạc'], [3, 'Vàng']];
  const groups = [[10, 'Khách lẻ'], [12, 'Khách lẻ online'], [15, 'Khách sỉ'], [18, 'Cộng tác viên']];
  for (let i = 0; i < w.opts.counts.customers; i++) {
    const business = rng.chance(0.1);
    const person = business ? { ...vnBusinessName(rng), gender: null } : vnCustomerName(rng);
    const addr = vnAddress(rng);
    const created = w.opts.now0 - rng.int(5, 800) * DAY_MS;
    // Nhanh keys customers by mobile: it is nearly always there, typed as the shop got it.
    let mobile = vnPhone(rng);
    if (mobile === undefined || mobile === '') mobile = vnMobile(rng);
    const level = rng.chance(0.6) ? rng.pick(levels) : null;
    const group = rng.chance(0.7) ? rng.pick(groups) : null;
    const birthday = !business && rng.chance(0.5) ? `${rng.int(1965, 2005)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : '';
    const cid = (id += rng.int(1, 7));
    w.customers.set(cid, {
      id: cid, type: business ? 2 : 1, name: person.name, mobile, code: `KH${cid}`,
      gender: person.gender === 'male' ? 1 : person.gender === 'female' ? 2 : null,
      address: rng.chance(0.85) ? `${addr.street}, ${addr.ward}, ${addr.district}, ${addr.province}` : '',
      email: rng.chance(0.4) ? vnEmail(rng, person.name) : '',
      birthday, points: rng.int(0, 400), saleName: 'hoa.nguyen', startedDate: new Date(created + 7 * 3600_000).toISOString().slice(0, 10),
      taxCode: business && rng.chance(0.5) ? String(rng.int(1_000_000_000, 9_999_999_999)) : '',
      locations: { cityId: addr.locationId, districtId: addr.locationId * 10, wardId: addr.locationId * 100 },
      location: { cityId: addr.locationId, wardId: addr.locationId * 100 },
      business: { name: business ? person.name : '', address: '' },
      level: level ? { id: level[0], name: level[1] } : null,
      group: group ? { id: group[0], name: group[1] } : null,
      totalAmount: 0,
      createdMs: created, updatedMs: created + rng.int(0, 200) * DAY_MS,
    });
    const c = w.customers.get(cid);
    c.updatedMs = before(w.opts.now0, c.updatedMs, c.createdMs, rng);
    c.addr = addr;
  }
  w.customerSeq = id;
}

function sellable(w) {
  return [...w.products.values()].filter((p) => p.parentId !== -2 && p.status !== 3);
}

function buildOrder(w, rng, createdMs, status) {
  const id = (w.orderSeq += rng.int(1, 9));
  const customers = [...w.customers.values()];
  const walkIn = rng.chance(0.12);
  const c = walkIn ? null : rng.pick(customers);
  const depot = rng.pick(w.depots);
  const lines = [];
  const pool = sellable(w);
  for (let i = 0; i < rng.weighted([[1, 55], [2, 30], [3, 15]]); i++) {
    const p = rng.pick(pool);
    if (lines.some((l) => l.productId === p.id)) continue;
    const qty = p.tpl.kind === 'bulk' ? rng.pick([0.5, 1, 2.5, 5]) : rng.weighted([[1, 70], [2, 22], [3, 8]]);
    const pct = p.vat > 0 ? p.vat : 0;
    const discount = rng.chance(0.2) ? roundVnd(p.price * rng.pick([0.05, 0.1]), 1000) : 0;
    const priceAfterVAT = Math.round(p.price * (1 + pct / 100));
    const net = p.price * qty - discount * qty;
    lines.push({
      productId: p.id, orderProductId: 55_510_000 + w.lineSeq++, typeId: 1, code: p.code, name: p.name, appProductId: '',
      weight: p.weight, quantity: qty, price: p.price, originalPrice: p.price, priceVatMode: p.priceVatMode, priceAfterVAT,
      discount, discountAmount: discount * qty, avgCost: p.avgCost || p.import, vatPercent: p.vat, description: '',
      imeiId: 0, imei: '', imeiIds: [], imeiCodes: [], priceListName: '', transactionFee: 0, paymentStatus: 0,
      partialReturnStatus: 0, usedPoints: 0, usedPointAmount: 0, batch: null, unit: null, partialDelivery: null, combos: [],
      totalAmount: Math.round(net * (1 + pct / 100)),
    });
  }
  const counter = walkIn && rng.chance(0.7);
  const carrierId = counter ? 0 : rng.pick([2, 5, 8, 12, 22, 24]);
  const shipFee = counter ? 0 : rng.pick([16_500, 22_000, 25_000, 30_000]);
  const codFee = counter ? 0 : rng.pick([0, 5_000]);
  const customerShipFee = counter || rng.chance(0.2) ? 0 : shipFee + codFee;
  const vatAmount = lines.reduce((s, l) => s + (l.totalAmount - (l.price * l.quantity - l.discountAmount)), 0);
  const gross = lines.reduce((s, l) => s + l.totalAmount, 0);
  const orderDiscount = rng.chance(0.1) ? 10_000 : 0;
  const total = gross - orderDiscount + customerShipFee;
  const transfer = counter ? total : rng.chance(0.25) ? Math.min(total, roundVnd(total * rng.pick([0.3, 1]))) : 0;
  const deposit = !counter && !transfer && rng.chance(0.1) ? 50_000 : 0;
  const cod = Math.max(0, total - transfer - deposit);
  const updatedMs = before(w.opts.now0, createdMs + (TERMINAL.includes(status) ? rng.int(1, 6) * DAY_MS : rng.int(600_000, 2 * DAY_MS)), createdMs, rng);
  const addr = c?.addr ?? vnAddress(rng);
  const staff = rng.pick(w.staff);
  return {
    id, createdMs, updatedMs, depotId: depot.id,
    rec: {
      info: {
        id, depotId: depot.id, pickupDepotId: depot.id, type: counter ? 2 : 1, mode: 1, exportType: 0, originalOrderId: 0,
        returnFromId: 0, idReturn: 0, createdById: staff.id, createdByName: staff.name, saleId: staff.id, saleName: staff.name,
        packedById: 0, packedByName: '', customerCareId: 0, customerCareName: '',
        createdAt: sec(createdMs), updatedAt: sec(updatedMs), confirmedAt: status === 54 ? 0 : sec(createdMs) + 600, packedAt: 0,
        description: rng.chance(0.3) ? rng.pick(['Giao giờ hành chính', 'Gọi trước khi giao', 'Cho xem hàng']) : '',
        privateDescription: rng.chance(0.2) ? 'Khách quen' : '', orderIndex: rng.int(1, 40), status,
        reason: [63, 64].includes(status) ? rng.pick([4, 5, 16, 18]) : 0, handoverIds: [],
        trackingUrl: `https://nhanh.vn/order/tracking/${id}`, tags: [],
      },
      channel: {
        appOrderId: rng.chance(0.3) ? `WEB-${rng.int(100_000, 999_999)}` : '', saleChannel: counter ? 1 : rng.pick([1, 2, 10, 20, 42, 48]),
        trafficSource: '', pageId: '', conversationId: '', fbAdsId: 0, fbPsid: 0, domain: '', shopId: 0, shopName: '',
        affiliate: { code: '', value: 0, bonus: 0, bonusRate: 0 }, marketting: { utmSource: '', utmMedium: '', utmCampaign: '' },
      },
      shippingAddress: c
        ? { id: c.id, code: c.code, name: c.name, mobile: c.mobile, email: c.email, address: addr.street, birthday: c.birthday,
            cityId: addr.locationId, districtId: addr.locationId * 10, wardId: addr.locationId * 100, companyName: '', companyAddress: '', taxCode: c.taxCode }
        : { id: 0, code: '', name: counter ? '' : vnPerson(rng).name, mobile: counter ? '' : vnMobile(rng), email: '', address: counter ? '' : addr.street,
            birthday: '', cityId: 0, districtId: 0, wardId: 0, companyName: '', companyAddress: '', taxCode: '' },
      products: lines,
      carrier: {
        id: carrierId, name: { 0: '', 2: 'Viettel Post', 5: 'Giao hàng nhanh', 8: 'Giao hàng tiết kiệm', 12: 'Tự vận chuyển', 22: 'Việt Nam Post', 24: 'JT Express' }[carrierId],
        service: { id: carrierId ? 120 : 0, code: '', name: carrierId ? 'Chuẩn' : '', type: 10, typeName: 'Nhanh' },
        carrierCode: [59, 60, 71, 72].includes(status) ? `${rng.pick(['GHN', 'VTP', 'S'])}${rng.int(100_000_000, 999_999_999)}` : '',
        fullCarrierCode: '', carrierSortCode: '', packageCode: '', checkGoods: '', sendCarrierType: 1, sendCarrierAt: 0, deliveryAt: 0,
        isPartDelivery: 0, isDeclaredFee: 0, declaredValue: 0, declaredFee: 0, carrierPromotionCode: '', weight: 400,
        shipFee, codFee, overWeightShipFee: 0, returnFee: 0, customerShipFee, ecomFee: 0, carrierPaymentStatus: 0,
      },
      payment: {
        usedPoints: { points: 0, amount: 0 },
        vat: { percent: lines.length === 1 ? Math.max(0, lines[0].vatPercent) : 0, amount: vatAmount, taxCode: '', taxDate: '' },
        discount: { percent: 0, amount: orderDiscount }, couponCode: '', debtDueDate: '',
        deposit: { amount: deposit, accountId: 0, name: '' }, transfer: { amount: transfer, accountId: transfer ? 3301 : 0, name: transfer ? 'Vietcombank' : '' },
        credit: { amount: 0, accountId: 0, code: '', name: '' },
        codAmount: cod, businessPayment: cod - shipFee - codFee, businessPaymentStatus: 0,
      },
      gifts: [],
    },
  };
}

function genOrders(w, rng) {
  w.orderSeq = 14_903_000 + rng.int(0, 400);
  w.lineSeq = rng.int(100, 900);
  const span = w.opts.historyDays;
  const statuses = Object.keys(NHANH_ORDER_STATUS).map(Number);
  for (let i = 0; i < w.opts.counts.orders; i++) {
    // Busier lately; every status code appears (each of the first orders takes the next code).
    const ago = Math.floor(span * Math.pow(rng.next(), 1.6));
    const createdMs = w.opts.now0 - ago * DAY_MS - rng.int(60_000, DAY_MS / 2);
    let status = i < statuses.length ? statuses[i] : ago > 20 ? rng.pick(TERMINAL.concat([60, 60, 60, 60])) : rng.pick(statuses);
    const o = buildOrder(w, rng, createdMs, status);
    w.orders.set(o.id, o);
  }
  // A few orders deleted over the last weeks (order/deleted, 2026-07-24).
  for (let i = 0; i < w.opts.counts.deletedOrders; i++) {
    const id = (w.orderSeq += rng.int(1, 9));
    w.deleted.push({ id, atMs: w.opts.now0 - rng.int(1, 40) * DAY_MS, byId: w.staff[0].id });
  }
}

function generateWorld(opts, anchorMs) {
  const root = createRng(opts.seed, 'nhanh');
  const w = { opts: { ...opts, now0: anchorMs }, products: new Map(), customers: new Map(), orders: new Map(), deleted: [] };
  w.staff = [0, 1, 2].map((i) => ({ id: 2_054_190 + i * 7, name: vnPerson(root.fork(`staff${i}`)).name }));
  genDepots(w, root.fork('depots'));
  genProducts(w, root.fork('products'));
  genCustomers(w, root.fork('customers'));
  genOrders(w, root.fork('orders'));
  w.mutations = root.fork('mutations');
  return w;
}

// ---------------------------------------------------------------------------
// Record shapes
// ---------------------------------------------------------------------------

/** Stock over the depots a token may see; totals recomputed over those only (nh.md §B.5.7). */
function inventoryOf(p, depotIds) {
  const depots = (p.stock ?? []).filter((d) => !depotIds || depotIds.includes(d.id));
  const sum = (k) => depots.reduce((s, d) => s + d[k], 0);
  return {
    remain: sum('remain'), shipping: sum('shipping'), damaged: sum('damaged'), holding: sum('holding'), transfering: 0,
    available: sum('available'), warranty: { remain: 0, holding: 0 },
    depots: depots.map((d) => ({ ...d, warranty: { remain: 0, holding: 0 } })),
  };
}

function productInventoryForParent(w, p, depotIds) {
  if (p.parentId !== -2) return inventoryOf(p, depotIds);
  const merged = new Map();
  for (const cid of p.children) {
    const c = w.products.get(cid);
    if (!c) continue;
    for (const d of c.stock) {
      const m = merged.get(d.id) ?? { id: d.id, remain: 0, shipping: 0, damaged: 0, holding: 0, transfering: 0, available: 0 };
      for (const k of ['remain', 'shipping', 'damaged', 'holding', 'available']) m[k] += d[k];
      merged.set(d.id, m);
    }
  }
  return inventoryOf({ stock: [...merged.values()] }, depotIds);
}

function vatAmount(p) {
  const rate = p.vat > 0 ? p.vat : 0;
  return p.priceVatMode === 1 ? Math.round(p.price - p.price / (1 + rate / 100)) : Math.round((p.price * rate) / 100);
}

/** product/list item (nh.md §B.10.1). */
function listProduct(w, p, depotIds) {
  return {
    id: p.id, parentId: p.parentId, code: p.code, barcode: p.barcode, name: p.name, otherName: '', status: p.status,
    priceVatMode: p.priceVatMode, importPriceVatMode: 2, categoryId: w.categories.get(p.categoryName) ?? 0, internalCategoryId: 0,
    prices: { retail: p.price, retailVat: vatAmount(p), import: p.import, importVat: 0, old: p.old, wholesale: roundVnd(p.price * 0.85), avgCost: p.avgCost },
    images: { avatar: p.avatar, others: p.others },
    warranty: { month: 0, phone: '', address: '' },
    brandId: p.brand ? w.brands.get(p.brand) : 0, type: 1,
    shipping: { width: 20, height: 5, length: 25, weight: p.weight },
    countryName: 'Việt Nam', units: { name: p.tpl.unit || 'Cái', list: [] }, combos: [],
    inventory: productInventoryForParent(w, p, depotIds),
    attributes: p.attributes.map(([name, value], i) => ({ id: 5500 + i * 20 + 1, name, nameOther: '', value, code: '', codeOther: '' })),
    updatedAt: sec(p.updatedMs), createdAt: sec(p.createdMs), tagIds: [],
  };
}

/** product/detail and productAdd/productUpdate webhooks: vat, category/brand objects, description. */
function detailProduct(w, p, depotIds) {
  const l = listProduct(w, p, depotIds);
  return {
    id: l.id, parentId: l.parentId, code: l.code, barcode: l.barcode, name: l.name, otherName: '', status: String(p.status),
    category: { id: l.categoryId, code: '', name: p.categoryName },
    internalCategory: { id: 0, code: '', name: '' },
    prices: { retail: p.price, import: p.import, old: p.old, wholesale: l.prices.wholesale, avgCost: p.avgCost },
    vat: p.vat, images: l.images, warranty: l.warranty,
    brand: p.brand ? { id: l.brandId, name: p.brand } : null,
    type: { id: 1, name: 'Sản phẩm' }, shipping: l.shipping, countryName: l.countryName, units: l.units, combos: [],
    inventory: l.inventory,
    attributes: p.attributes.map(([name, value], i) => ({ id: 5500 + i * 20 + 1, name, value, order: i + 1, orderValue: 1 })),
    updatedAt: l.updatedAt, createdAt: l.createdAt, description: p.description, content: '',
    suppliers: {}, videos: [], branchPrices: [], childs: p.children ?? [], tagIds: [],
  };
}

function listCustomer(c) {
  const { addr, createdMs, updatedMs, ...rest } = c;
  return { ...rest, updatedAt: sec(updatedMs) };
}

/**
 * The orderAdd/orderUpdate webhook body (nh.md §B.7.4): not the order/list shape —
 * createdBy{}, product `id`, vat{value, amount}, discount{type, amount}, no codAmount.
 */
function webhookOrder(w, o) {
  const { info, channel, shippingAddress: sa, products, carrier, payment } = o.rec;
  const depot = w.depots.find((d) => d.id === info.depotId);
  const loc = depot ? `${depot.location.wardName}, ${depot.location.districtName}, ${depot.location.cityName}` : '';
  return {
    depot: depot ? { id: depot.id, name: depot.name, mobile: depot.mobile, address: depot.location.address, location: loc,
      pickup: { id: depot.id, name: depot.name, mobile: depot.mobile, address: depot.location.address, location: loc } } : null,
    info: {
      id: info.id, type: info.type, mope: info.mode, exportType: 0, originalOrderId: 0, returnFromId: 0, idReturn: 0,
      createdByName: info.createdByName, createdBy: { id: info.createdById, name: info.createdByName },
      sale: { id: info.saleId, name: info.saleName }, technicalStaff: { id: 0, name: '' }, customerCare: { id: 0, name: '' },
      createdAt: info.createdAt, updatedAt: info.updatedAt, confirmedAt: info.confirmedAt, packedAt: info.packedAt,
      description: info.description, privateDescription: info.privateDescription, status: info.status, trackingUrl: info.trackingUrl,
    },
    channel: { appOrderId: channel.appOrderId, appShopId: '', appShopName: '', saleChannel: channel.saleChannel,
      trafficSource: { id: 0, name: channel.trafficSource }, facebook: { pageId: '', conversationId: '', adId: '', postId: '' }, utmCampaign: '', domain: '' },
    shippingAddress: { id: sa.id, name: sa.name, mobile: sa.mobile, email: sa.email, address: sa.address, cityId: sa.cityId, districtId: sa.districtId, wardId: sa.wardId, locationVersion: 'v1' },
    products: products.map((l) => ({
      id: l.productId, typeId: l.typeId, code: l.code, name: l.name, avatar: '', weight: l.weight, quantity: l.quantity,
      price: l.price, originalPrice: l.originalPrice, discount: l.discount, available: 0, avgCost: l.avgCost,
      vat: { value: l.vatPercent, amount: l.totalAmount - (l.price * l.quantity - l.discountAmount) }, description: '',
      imei: { id: 0, code: '' }, batch: null, combos: [], unit: null, gifts: [],
    })),
    carrier: { id: carrier.id, name: carrier.name, orderPackageSize: null, service: { id: carrier.service.id, name: carrier.service.name, code: carrier.service.code },
      carrierCode: carrier.carrierCode, isPartDelivery: 0, sendCarrier: { type: 1, date: 0 }, deliveryDate: '', weight: carrier.weight,
      shipFee: carrier.shipFee, codFee: carrier.codFee, declaredFee: 0, returnFee: 0, customerShipFee: carrier.customerShipFee },
    payment: { couponCode: '', credit: { amount: payment.credit.amount }, deposit: { amount: payment.deposit.amount },
      discount: { type: 'cash', amount: payment.discount.amount }, transfer: { amount: payment.transfer.amount },
      usedPoints: { points: 0, amount: 0 }, vat: { type: 'percent', value: payment.vat.percent, amount: payment.vat.amount, taxCode: '', taxDate: '' } },
  };
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(errorCode, messages, data) {
    super(typeof messages === 'string' ? messages : errorCode);
    this.errorCode = errorCode;
    this.messages = messages;
    this.data = data;
  }
}

function normalizeOptions(o = {}) {
  const counts = { depots: 3, products: 180, customers: 140, orders: 360, deletedOrders: 4, ...o.counts };
  return {
    seed: o.seed ?? 1,
    appId: String(o.appId ?? NHANH_DEFAULT_APP_ID),
    secretKey: o.secretKey ?? NHANH_DEFAULT_SECRET_KEY,
    businessId: String(o.businessId ?? NHANH_DEFAULT_BUSINESS_ID),
    directorAccounts: o.directorAccounts ?? [NHANH_DEFAULT_ACCOUNT, '0901234567'],
    readyToken: o.readyToken === undefined ? NHANH_DEFAULT_ACCESS_TOKEN : o.readyToken,
    verifyToken: o.verifyToken ?? NHANH_DEFAULT_VERIFY_TOKEN,
    openApiEnabled: o.openApiEnabled ?? true,
    grantDepotIds: o.grantDepotIds ?? null, // null = every depot, now and later
    counts,
    historyDays: o.historyDays ?? 420,
    rateLimit: { limit: 150, windowMs: 30_000, lockSeconds: 10, ...o.rateLimit },
    timeScale: o.timeScale ?? 1, // 0.01 → a 30 s window lasts 0.3 s, a 10 s lock 0.1 s
    faults: { ...o.faults },
    now: o.now ?? Date.now,
    host: o.host ?? '127.0.0.1',
  };
}

function normalizeEntity(name) {
  const key = String(name ?? '').toLowerCase();
  const entity = { product: 'products', order: 'orders', customer: 'customers', depot: 'depots', locations: 'depots' }[key] ?? key;
  if (!NHANH_ENTITIES.includes(entity)) throw new HttpError(400, `unknown entity "${name}" (use one of ${NHANH_ENTITIES.join(', ')})`);
  return entity;
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * @param {object} [options]
 * @param {number} [options.seed=1]
 * @param {string} [options.appId] @param {string} [options.secretKey] @param {string} [options.businessId]
 * @param {string[]} [options.directorAccounts]  emails/phones that may grant (Director role)
 * @param {string|null} [options.readyToken]      a token valid from the start (null: none)
 * @param {boolean} [options.openApiEnabled=true] "Cho phép kết nối Open API"
 * @param {number[]|null} [options.grantDepotIds] depots granted to tokens (null = all)
 * @param {{depots?:number, products?:number, customers?:number, orders?:number, deletedOrders?:number}} [options.counts]
 * @param {number} [options.historyDays=420]      orders are spread over this many days
 * @param {{limit?:number, windowMs?:number, lockSeconds?:number}} [options.rateLimit]
 * @param {number} [options.timeScale=1]          scales the rate-limit window and locks
 * @param {object} [options.faults] @param {() => number} [options.now=Date.now]
 */
export function createNhanhSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const anchorMs = now();
  let world, tokens, codes, limiter, locks, faults, stats, rng;
  let settings = { openApiEnabled: opts.openApiEnabled };
  let server = null;

  function reset() {
    world = generateWorld(opts, anchorMs);
    rng = createRng(opts.seed, 'nhanh/tokens');
    tokens = new Map();
    codes = new Map();
    if (opts.readyToken) {
      tokens.set(opts.readyToken, { businessId: opts.businessId, expiredAt: sec(anchorMs) + 365 * 86_400, depotIds: opts.grantDepotIds, permissions: PERMISSIONS, retireAtMs: Infinity });
    }
    limiter = createRateLimiter({ limit: opts.rateLimit.limit, windowMs: opts.rateLimit.windowMs * opts.timeScale, now });
    locks = new Map();
    faults ??= createFaultInjector({ seed: opts.seed, label: 'nhanh/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    settings = { openApiEnabled: opts.openApiEnabled };
  }
  reset();

  const depotIdsOf = (t) => (t?.depotIds && t.depotIds.length ? t.depotIds : null);

  // --- consent (nhanh.vn/oauth, nh.md §B.2.2) ------------------------------------------

  function validReturnLink(link) {
    // Nhanh requires https and a URL registered in the app; the sandbox also lets loopback
    // http through so a local server can be the return page.
    try {
      const u = new URL(link);
      return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
    } catch {
      return false;
    }
  }

  function approve({ appId = opts.appId, returnLink, account = opts.directorAccounts[0], depotIds = null, permissions = PERMISSIONS } = {}) {
    if (String(appId) !== opts.appId) throw new HttpError(400, 'Ứng dụng không tồn tại hoặc đã ngừng hoạt động (appId sai).');
    if (!validReturnLink(returnLink)) throw new HttpError(400, 'returnLink phải là https và nằm trong danh sách Redirect URL của ứng dụng.');
    if (!opts.directorAccounts.includes(String(account).trim().toLowerCase()) && !opts.directorAccounts.includes(String(account).trim())) {
      throw new HttpError(403, 'Tài khoản này không có quyền Giám đốc nên không thể cấp đủ quyền cho ứng dụng.');
    }
    const accessCode = rng.hex(40);
    codes.set(accessCode, { expiresMs: now() + 10 * 60_000, depotIds: depotIds && depotIds.length ? depotIds.map(Number) : opts.grantDepotIds, permissions });
    const url = new URL(returnLink);
    url.searchParams.set('accessCode', accessCode);
    return { accessCode, location: url.toString() };
  }

  function consentPage(url) {
    const appId = url.searchParams.get('appId') ?? '';
    const returnLink = url.searchParams.get('returnLink') ?? '';
    const problem = appId !== opts.appId ? 'Ứng dụng không tồn tại (appId sai).' : !validReturnLink(returnLink) ? 'returnLink không hợp lệ (phải là https, đã đăng ký trong ứng dụng).' : '';
    const depots = world.depots.map((d) => `<label><input type="checkbox" name="depotIds" value="${d.id}" checked> ${escapeHtml(d.name)}</label>`).join('<br>');
    const perms = PERMISSIONS.map((p) => `<label><input type="checkbox" checked disabled> ${p}</label>`).join(' ');
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Nhanh.vn - Cấp quyền ứng dụng</title></head><body>
<h1>Cấp quyền cho ứng dụng StoreLink (mô phỏng)</h1>
${problem ? `<p class="error">${escapeHtml(problem)}</p>` : `<form method="post" action="/oauth">
<input type="hidden" name="appId" value="${escapeHtml(appId)}"><input type="hidden" name="returnLink" value="${escapeHtml(returnLink)}">
<p><label>Email hoặc số điện thoại <input name="account" value="${escapeHtml(opts.directorAccounts[0])}"></label></p>
<p>Quyền: ${perms}</p><p>Kho hàng:<br>${depots}</p>
<button type="submit">Đồng ý</button></form>`}
</body></html>`;
  }

  async function handleOAuth(req, res, url) {
    if (req.method === 'GET') return sendText(res, 200, consentPage(url), { contentType: 'text/html; charset=utf-8' });
    if (req.method !== 'POST') return sendText(res, 405, '', { contentType: 'text/plain' });
    const form = new URLSearchParams(await readBody(req, { limit: 64 * 1024 }));
    try {
      const { location } = approve({ appId: form.get('appId'), returnLink: form.get('returnLink'), account: form.get('account') ?? '', depotIds: form.getAll('depotIds') });
      res.writeHead(302, { Location: location, 'Content-Length': 0 });
      return res.end();
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 400;
      return sendText(res, status, `<!doctype html><html lang="vi"><body><p class="error">${escapeHtml(err.message)}</p></body></html>`, { contentType: 'text/html; charset=utf-8' });
    }
  }

  // --- tokens (app/getaccesstoken, nh.md §B.2.3) --------------------------------------

  function tokenBody(token, t) {
    return { accessToken: token, version: '3.0', expiredAt: t.expiredAt, businessId: Number(t.businessId), depotIds: t.depotIds ?? [], pageIds: [], permissions: t.permissions };
  }

  function getAccessToken(body) {
    const code = typeof body?.accessCode === 'string' ? body.accessCode : '';
    // UNCONFIRMED: the exact error for a bad code or secret; a form-field error is the documented generic.
    if (body?.secretKey !== opts.secretKey) throw new ApiError('ERR_INVALID_FORM_FIELDS', { secretKey: 'Invalid secretKey' });
    const grant = codes.get(code);
    if (!grant || now() > grant.expiresMs) throw new ApiError('ERR_INVALID_FORM_FIELDS', { accessCode: 'accessCode is invalid or expired' });
    codes.delete(code); // single use
    if (!settings.openApiEnabled) throw new ApiError('ERR_BUSINESS_NOT_ENABLE_API', ['Doanh nghiệp chưa bật cài đặt cho phép kết nối Open API']);
    // One token per app + business: the previous one keeps working 15 more minutes.
    for (const t of tokens.values()) if (t.businessId === opts.businessId) t.retireAtMs = Math.min(t.retireAtMs, now() + 15 * 60_000);
    const token = `nhv3_${rng.hex(160)}`;
    const t = { businessId: opts.businessId, expiredAt: sec(now()) + 365 * 86_400, depotIds: grant.depotIds, permissions: grant.permissions, retireAtMs: Infinity };
    tokens.set(token, t);
    stats.bump('tokensIssued');
    return { code: 1, data: tokenBody(token, t) };
  }

  function tokenOf(req) {
    const token = String(req.headers.authorization ?? '').trim();
    const t = tokens.get(token);
    if (!t || now() >= t.retireAtMs || sec(now()) >= t.expiredAt) return null;
    return { token, ...t };
  }

  // --- paging ------------------------------------------------------------------------

  function readNext(pag) {
    const next = pag?.next;
    if (next === undefined || next === null || next === '') return null;
    // The classic mistake (v3 intro): `next` must be the object from the previous response.
    if (typeof next !== 'object' || Array.isArray(next)) throw new ApiError('ERR_INVALID_FORM_FIELDS', { 'paginator.next': 'paginator.next must be the object returned by the previous page' });
    const v = Number(next.id ?? next.productId);
    if (!Number.isFinite(v)) throw new ApiError('ERR_INVALID_FORM_FIELDS', { 'paginator.next': 'invalid paginator.next' });
    return v;
  }

  function pageSize(pag, max = 100) {
    const size = pag?.size === undefined ? 50 : Number(pag.size);
    if (!Number.isInteger(size) || size < 1 || size > max) throw new ApiError('ERR_INVALID_FORM_FIELDS', { 'paginator.size': `size must be between 1 and ${max}` });
    return size;
  }

  /**
   * Keyset paging over rows sorted by id. `where` selects rows as the database query does;
   * `visible` is applied after the page is cut (visibility rules: status 3 hidden, depots
   * outside the token), which is how pages come back short while a next remains.
   */
  function keysetPage(rows, pag, where, visible, toJson, nextKey = 'id') {
    const size = pageSize(pag);
    const after = readNext(pag);
    const asc = String(pag?.sort?.id ?? pag?.sort?.productId ?? 'desc').toLowerCase() === 'asc';
    const keep = visible;
    const sorted = rows.filter(where).sort((a, b) => (asc ? a.id - b.id : b.id - a.id));
    let i = after === null ? 0 : sorted.findIndex((r) => (asc ? r.id > after : r.id < after));
    if (i < 0) i = sorted.length;
    const data = [];
    let last = null;
    let scanned = 0;
    for (; i < sorted.length && scanned < size; i++, scanned++) {
      last = sorted[i].id;
      if (keep(sorted[i])) data.push(toJson(sorted[i]));
    }
    return { code: 1, paginator: { next: i < sorted.length ? { [nextKey]: last } : null }, data };
  }

  const num = (v) => (v === undefined || v === null || v === '' ? undefined : Number(v));
  const inRange = (t, from, to) => (from === undefined || t >= from) && (to === undefined || t <= to);

  function checkWindow(filters, fromKey, toKey) {
    const from = num(filters[fromKey]);
    const to = num(filters[toKey]);
    if (from === undefined && to === undefined) return null;
    const f = from ?? (to - WINDOW_SEC);
    const t = to ?? sec(now());
    if (t - f > WINDOW_SEC || t < f) {
      throw new ApiError('ERR_INVALID_FORM_FIELDS', { [`filters.${toKey}`]: 'Chỉ hỗ trợ lấy dữ liệu trong khoảng tối đa 31 ngày' });
    }
    return [f, t];
  }

  // --- resources ------------------------------------------------------------------------

  function productList(body, t) {
    const filters = body.filters ?? {};
    const ids = Array.isArray(filters.ids) ? filters.ids.map(Number) : null;
    if (ids && ids.length > 100) throw new ApiError('ERR_INVALID_FORM_FIELDS', { 'filters.ids': 'Tối đa 100 ID' });
    // Status 3 stays hidden unless asked for (model constants, "Ngừng bán").
    const statuses = Array.isArray(filters.status) ? filters.status.map(Number) : [1, 2, 4];
    const from = num(filters.updatedAtFrom);
    const to = num(filters.updatedAtTo);
    const parentId = num(filters.parentId);
    const depots = depotIdsOf(t);
    // The status filter decides visibility after the page is cut: short pages with a next.
    return keysetPage([...world.products.values()], body.paginator,
      (p) => (!ids || ids.includes(p.id)) && inRange(sec(p.updatedMs), from, to) && (parentId === undefined || p.parentId === parentId),
      (p) => statuses.includes(p.status),
      (p) => listProduct(world, p, depots));
  }

  function productInventory(body, t) {
    const filters = body.filters ?? {};
    const ids = Array.isArray(filters.ids) ? filters.ids.map(Number) : null;
    const from = num(filters.updatedAtFrom);
    const to = num(filters.updatedAtTo);
    const depots = Array.isArray(filters.depotIds) && filters.depotIds.length ? filters.depotIds.map(Number) : depotIdsOf(t);
    return keysetPage([...world.products.values()].filter((p) => p.parentId !== -2), body.paginator,
      (p) => (!ids || ids.includes(p.id)) && inRange(sec(p.stockMs), from, to), () => true,
      (p) => ({ productId: p.id, barcode: p.barcode, name: p.name, prices: { retail: p.price, wholesale: roundVnd(p.price * 0.85), import: p.import, avgCost: p.avgCost }, inventory: inventoryOf(p, depots) }));
  }

  function orderList(body, t) {
    const filters = body.filters ?? {};
    const ranges = [checkWindow(filters, 'createdAtFrom', 'createdAtTo'), checkWindow(filters, 'updatedAtFrom', 'updatedAtTo'), checkWindow(filters, 'deliveryAtFrom', 'deliveryAtTo')];
    const ids = Array.isArray(filters.ids) ? filters.ids.map(Number) : null;
    // Without any date range (and no ids): the last 31 days by creation (nh.md §B.3).
    const created = ranges[0] ?? (ranges[1] || ranges[2] || ids ? null : [sec(now()) - WINDOW_SEC, sec(now())]);
    const statuses = Array.isArray(filters.statuses) ? filters.statuses.map(Number) : null;
    const depots = depotIdsOf(t);
    return keysetPage([...world.orders.values()], body.paginator, (o) =>
      (!ids || ids.includes(o.id)) && (!created || inRange(sec(o.createdMs), created[0], created[1])) &&
      (!ranges[1] || inRange(sec(o.updatedMs), ranges[1][0], ranges[1][1])) && (!statuses || statuses.includes(o.rec.info.status)),
    (o) => !depots || depots.includes(o.depotId),
    (o) => structuredClone(o.rec));
  }

  function orderDeleted(body) {
    const filters = body.filters ?? {};
    const range = checkWindow(filters, 'createdAtFrom', 'createdAtTo');
    const ids = Array.isArray(filters.ids) ? filters.ids.map(Number) : null;
    return keysetPage(world.deleted, body.paginator, (d) => (!ids || ids.includes(d.id)) && (!range || inRange(sec(d.atMs), range[0], range[1])), () => true,
      (d) => ({ id: d.id, createdAt: sec(d.atMs), createdById: d.byId }));
  }

  function customerList(body) {
    const filters = body.filters ?? {};
    const ids = Array.isArray(filters.ids) ? filters.ids.map(Number) : null;
    const from = num(filters.updatedAtFrom);
    const to = num(filters.updatedAtTo);
    return keysetPage([...world.customers.values()], body.paginator,
      (c) => (!ids || ids.includes(c.id)) && (!filters.mobile || c.mobile === filters.mobile) && inRange(sec(c.updatedMs), from, to), () => true,
      listCustomer);
  }

  function depotList(body, t) {
    const ids = Array.isArray(body.filters?.ids) && body.filters.ids.length ? body.filters.ids.map(Number) : null;
    const granted = depotIdsOf(t);
    return { code: 1, data: world.depots.filter((d) => (!ids || ids.includes(d.id)) && (!granted || granted.includes(d.id))).map((d) => structuredClone(d)) };
  }

  // --- the API --------------------------------------------------------------------------

  function rateLimit(key) {
    const nowMs = now();
    const lock = locks.get(key);
    if (lock && nowMs < lock.untilMs) {
      // Calling while locked lengthens the lock (nh.md §B.6).
      lock.seconds += 5;
      lock.untilMs = nowMs + lock.seconds * 1000 * opts.timeScale;
      stats.bump('rateLimited');
      return lock;
    }
    const hit = limiter.hit(key);
    if (hit.allowed) return null;
    const l = { seconds: opts.rateLimit.lockSeconds, untilMs: nowMs + opts.rateLimit.lockSeconds * 1000 * opts.timeScale };
    locks.set(key, l);
    stats.bump('rateLimited');
    return l;
  }

  async function handleApi(req, ctx, url) {
    let payload;
    try {
      if (req.method !== 'POST') throw new ApiError('ERR_INVALID_DATA', 'Open API v3 chỉ nhận POST');
      const path = url.pathname.replace(/^\/v3\.0/, '');
      const appId = url.searchParams.get('appId');
      if (appId !== opts.appId) throw new ApiError('ERR_INVALID_APP_ID', 'Invalid appId');
      const text = await readBody(req, { limit: 1 << 20 });
      let body = {};
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ApiError('ERR_INVALID_DATA', 'Invalid data: the body is not a valid JSON string');
        }
      }
      if (path === '/app/getaccesstoken') {
        payload = getAccessToken(body);
      } else {
        if (url.searchParams.get('businessId') !== opts.businessId) throw new ApiError('ERR_INVALID_BUSINESS_ID', 'Invalid businessId');
        const t = tokenOf(req);
        if (!t) throw new ApiError('ERR_INVALID_ACCESS_TOKEN', 'Invalid access token');
        if (!settings.openApiEnabled) throw new ApiError('ERR_BUSINESS_NOT_ENABLE_API', 'Business has not enabled Open API');
        const lock = rateLimit(`${opts.appId}|${opts.businessId}|${path}`);
        if (lock) {
          // Singular `message` here, as documented.
          throw Object.assign(new ApiError('ERR_429'), { message429: 'Your app exceeded the API Rate Limit',
            data: { lockedSeconds: Math.max(1, Math.ceil(((lock.untilMs - now()) / 1000))), unlockedAt: Math.ceil(lock.untilMs / 1000) } });
        }
        switch (path) {
          case '/product/list': payload = productList(body, t); break;
          case '/product/detail': {
            const p = world.products.get(Number(body.filters?.id));
            if (!p) throw new ApiError('ERR_INVALID_FORM_FIELDS', { 'filters.id': 'Không tìm thấy sản phẩm' });
            payload = { code: 1, data: detailProduct(world, p, depotIdsOf(t)) };
            break;
          }
          case '/product/inventory': payload = productInventory(body, t); break;
          case '/order/list': payload = orderList(body, t); break;
          case '/order/deleted': payload = orderDeleted(body); break;
          case '/customer/list': payload = customerList(body); break;
          case '/business/depot': payload = depotList(body, t); break;
          case '/app/checkaccesstoken':
            if (body.secretKey !== opts.secretKey) throw new ApiError('ERR_INVALID_FORM_FIELDS', { secretKey: 'Invalid secretKey' });
            payload = { code: 1, data: tokenBody(undefined, t) };
            break;
          default:
            // UNCONFIRMED: the answer for an unknown path; an HTTP 404 like any web server.
            stats.record(ctx.route, 404);
            return sendText(ctx.res, 404, JSON.stringify({ code: 0, errorCode: 'ERR_404', messages: [`API ${url.pathname} không tồn tại`] }), { truncate: ctx.truncate });
        }
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      payload = err.errorCode === 'ERR_429'
        ? { code: 0, errorCode: 'ERR_429', message: err.message429, data: err.data }
        : { code: 0, errorCode: err.errorCode, messages: err.messages ?? err.message, ...(err.data ? { data: err.data } : {}) };
    }
    stats.record(ctx.route, 200);
    return sendText(ctx.res, 200, JSON.stringify(payload), { truncate: ctx.truncate });
  }

  function sendFault(ctx, fault) {
    stats.record(ctx.route, fault.status);
    if (fault.body !== undefined) {
      const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
      return sendText(ctx.res, fault.status, text, { headers: fault.headers, contentType: text.trimStart().startsWith('<') ? 'text/html' : undefined });
    }
    if (fault.status >= 502 && fault.status <= 504) return sendText(ctx.res, fault.status, gatewayErrorHtml(fault.status), { headers: fault.headers, contentType: 'text/html' });
    if (fault.status === 429) {
      return sendText(ctx.res, 200, JSON.stringify({ code: 0, errorCode: 'ERR_429', message: 'Your app exceeded the API Rate Limit', data: { lockedSeconds: 1, unlockedAt: sec(now()) + 1 } }));
    }
    return sendText(ctx.res, fault.status, JSON.stringify({ code: 0, errorCode: 'ERR_SERVER', messages: ['Lỗi hệ thống'] }), { headers: fault.headers });
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/__sandbox' || path.startsWith('/__sandbox/')) return handleControl(req, res, path.slice('/__sandbox'.length), url);
    if (path === '/oauth') return handleOAuth(req, res, url);
    if (path === '/favicon.ico') {
      // The consent page is a web page: browsers ask for its icon (nhanh.vn has one).
      res.writeHead(204, { 'cache-control': 'max-age=86400' });
      return res.end();
    }
    const ctx = { res, route: `${req.method} ${path}`, truncate: false };
    if (!path.startsWith('/v3.0/')) {
      stats.record(ctx.route, 404);
      return sendText(res, 404, JSON.stringify({ code: 0, errorCode: 'ERR_404', messages: [`${path} không tồn tại`] }));
    }
    const fault = faults.next();
    if (fault) {
      stats.bump('faultsInjected');
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.truncated) ctx.truncate = true;
      if (fault.status) return sendFault(ctx, fault);
    }
    return handleApi(req, ctx, url);
  }

  // --- in-process controls --------------------------------------------------------------

  function rowOf(entity, id) {
    const table = { products: world.products, orders: world.orders, customers: world.customers }[entity];
    const row = table?.get(Number(id));
    if (!row) throw new HttpError(404, `${entity} ${id} not found`);
    return row;
  }

  const depotRow = (id) => {
    const d = world.depots.find((x) => x.id === Number(id));
    if (!d) throw new HttpError(404, `depots ${id} not found`);
    return d;
  };

  function touch(entityName, id) {
    const entity = normalizeEntity(entityName);
    const r = world.mutations;
    if (entity === 'depots') {
      // /business/depot has no update time: the list shows the change, nothing else does.
      const d = depotRow(id);
      d.mobile = vnMobile(r);
      return structuredClone(d);
    }
    const row = rowOf(entity, id);
    if (entity === 'products') {
      row.price = Math.max(1000, row.price + r.pick([-5000, 5000, 10_000]));
      row.updatedMs = now();
      return listProduct(world, row, null);
    }
    if (entity === 'orders') {
      const info = row.rec.info;
      info.status = FLOW[info.status] ?? info.status;
      if (info.status === 60) info.packedAt = info.packedAt || sec(now());
      row.updatedMs = now();
      info.updatedAt = sec(row.updatedMs);
      return structuredClone(row.rec);
    }
    row.points += 10;
    row.name = `${row.name}`.replace(/ \(VIP\)$/, '') + (r.chance(0.5) ? ' (VIP)' : '');
    row.updatedMs = now();
    return listCustomer(row);
  }

  /** A stock movement: product/inventory's time moves, the product's updatedAt does not. */
  function setStock(id, available, depotId) {
    const p = rowOf('products', id);
    if (!p.stock) throw new HttpError(400, 'a parent product has no stock of its own');
    const d = depotId ? p.stock.find((s) => s.id === Number(depotId)) : p.stock[0];
    if (!d) throw new HttpError(404, `depot ${depotId} not found`);
    const delta = Number(available) - d.available;
    d.available += delta;
    d.remain = Math.max(d.available, d.remain + delta);
    p.stockMs = now();
    return inventoryOf(p, null);
  }

  function create(entityName) {
    const entity = normalizeEntity(entityName);
    const r = world.mutations;
    if (entity === 'orders') {
      const o = buildOrder(world, r, now(), 54);
      o.updatedMs = now();
      o.rec.info.updatedAt = sec(o.updatedMs);
      world.orders.set(o.id, o);
      return structuredClone(o.rec);
    }
    if (entity === 'products') {
      // A new independent product modelled on one still listed; ids only grow (never reused).
      const base = [...world.products.values()].find((p) => p.parentId === -1) ?? [...world.products.values()].find((p) => p.stock);
      const id = (world.productSeq += r.int(1, 3));
      const stock = base?.stock ? base.stock.map((d) => ({ ...d })) : world.depots.map((d) => ({ id: d.id, remain: 0, shipping: 0, damaged: 0, holding: 0, transfering: 0, available: 0 }));
      const tpl = base?.tpl ?? PRODUCT_TEMPLATES.find((t) => t.kind !== 'service');
      const p = { ...structuredClone({ ...base, tpl: undefined, children: undefined }), tpl, id, parentId: -1, attributes: [], stock,
        code: `${base?.code ?? 'SP'}-N${r.int(10, 99)}`, name: `${base?.name ?? tpl.name} (mới)`, createdMs: now(), updatedMs: now(), stockMs: now(), status: 2 };
      delete p.children;
      world.products.set(id, p);
      return listProduct(world, p, null);
    }
    if (entity === 'customers') {
      const id = (world.customerSeq += r.int(1, 7));
      const person = vnCustomerName(r);
      const c = { ...structuredClone({ ...[...world.customers.values()][0], addr: undefined }), addr: vnAddress(r), id, code: `KH${id}`, name: person.name, mobile: vnMobile(r), createdMs: now(), updatedMs: now() };
      world.customers.set(id, c);
      return listCustomer(c);
    }
    // A new depot (store/warehouse), granted to tokens that cover "all current and future depots".
    const id = (world.depotSeq += r.int(1, 3));
    const d = depotOf(r.pick(DEPOTS), id, r);
    Object.assign(d, { code: `${d.code}-${world.depots.length + 1}`, name: `${d.name} ${world.depots.length + 1}` });
    world.depots.push(d);
    return structuredClone(d);
  }

  /**
   * Deletes a record: {id, removed, removedIds, touchedIds?}. Orders go to order/deleted; a product with
   * variants takes its variants with it and deleting a variant edits its parent (UNCONFIRMED:
   * the shop's UI deletes a parent with its variants); products and customers leave no trace
   * in any list (productDelete webhook only). A depot that holds stock or orders stays
   * (UNCONFIRMED: Nhanh does not delete a depot in use), as removed: false.
   */
  function remove(entityName, id) {
    const entity = normalizeEntity(entityName);
    const n = Number(id);
    if (entity === 'depots') {
      depotRow(n);
      const used = [...world.orders.values()].some((o) => o.depotId === n) ||
        [...world.products.values()].some((p) => p.stock?.some((s) => s.id === n && (s.remain || s.available)));
      if (used) return { id: n, removed: false, reason: 'depot in use' };
      world.depots = world.depots.filter((d) => d.id !== n);
      for (const p of world.products.values()) if (p.stock) p.stock = p.stock.filter((s) => s.id !== n);
      return { id: n, removed: true, removedIds: [n] };
    }
    const row = rowOf(entity, n);
    if (entity === 'orders') {
      world.orders.delete(n);
      world.deleted.push({ id: n, atMs: now(), byId: world.staff[0].id });
      return { id: n, removed: true, removedIds: [n] };
    }
    if (entity === 'customers') {
      world.customers.delete(n);
      return { id: n, removed: true, removedIds: [n] };
    }
    const ids = [n, ...(row.children ?? []).filter((c) => world.products.has(c))];
    for (const x of ids) world.products.delete(x);
    const parent = row.parentId > 0 ? world.products.get(row.parentId) : null;
    if (parent) {
      parent.children = parent.children.filter((c) => c !== n);
      parent.updatedMs = now();
    }
    return { id: n, removed: true, removedIds: ids, ...(parent ? { touchedIds: [parent.id] } : {}) };
  }

  /** A webhook body, v3 (nh.md §B.7.3–4): orders in the webhook shape, deletions as id lists. */
  function webhookBody(event, id) {
    const businessId = Number(opts.businessId);
    switch (event) {
      case 'webhooksEnabled': return { event };
      case 'appUninstalled': return { event, businessId };
      case 'productAdd': case 'productUpdate': return { event, businessId, data: detailProduct(world, rowOf('products', id), null) };
      case 'inventoryChange': {
        const p = rowOf('products', id);
        const inv = inventoryOf(p, null);
        return { event, businessId, data: [{ id: p.id, typeId: 1, code: p.code, ...inv }] };
      }
      case 'orderAdd': case 'orderUpdate': return { event, businessId, data: webhookOrder(world, rowOf('orders', id)) };
      case 'productDelete': case 'orderDelete': return { event, businessId, data: (Array.isArray(id) ? id : [id]).map(Number) };
      default: throw new HttpError(400, `unknown event ${event}`);
    }
  }

  async function emitWebhook({ url, event, id, verifyToken = opts.verifyToken, body } = {}) {
    if (!url) throw new HttpError(400, 'emit-webhook needs a url');
    const payload = body ?? webhookBody(event, id);
    stats.bump('webhooksSent');
    return postJson(url, payload, { authorization: verifyToken });
  }

  function truth(entityName) {
    const entity = normalizeEntity(entityName);
    const depots = opts.grantDepotIds;
    switch (entity) {
      case 'products': return [...world.products.values()].sort((a, b) => a.id - b.id).map((p) => listProduct(world, p, depots));
      case 'orders': return [...world.orders.values()].filter((o) => !depots || depots.includes(o.depotId)).sort((a, b) => a.id - b.id).map((o) => structuredClone(o.rec));
      case 'customers': return [...world.customers.values()].sort((a, b) => a.id - b.id).map(listCustomer);
      default: return world.depots.filter((d) => !depots || depots.includes(d.id)).map((d) => structuredClone(d));
    }
  }

  function info() {
    return {
      platform: 'nhanh', url: server?.url, appId: opts.appId, businessId: opts.businessId, secretKey: opts.secretKey,
      account: opts.directorAccounts[0], accessToken: opts.readyToken, verifyToken: opts.verifyToken,
      openApiEnabled: settings.openApiEnabled, consentPath: '/oauth', apiPrefix: '/v3.0',
      counts: { products: world.products.size, orders: world.orders.size, customers: world.customers.size, depots: world.depots.length, deleted: world.deleted.length },
      rateLimit: { ...opts.rateLimit, timeScale: opts.timeScale },
    };
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return { total: s.total, byRoute: s.byRoute, byStatus: s.byStatus, rateLimited: s.counters.rateLimited ?? 0,
      faultsInjected: s.counters.faultsInjected ?? 0, tokensIssued: s.counters.tokensIssued ?? 0, webhooksSent: s.counters.webhooksSent ?? 0,
      pendingScriptedFaults: faults.pending() };
  }

  async function handleControl(req, res, sub, url) {
    const reply = (status, value) => sendText(res, status, JSON.stringify(value));
    try {
      const [action = 'info', arg] = sub.split('/').filter(Boolean);
      if (req.method === 'GET' && action === 'info') return reply(200, info());
      if (req.method === 'GET' && action === 'stats') return reply(200, statsSnapshot());
      if (req.method === 'GET' && action === 'truth') return reply(200, truth(arg ?? url.searchParams.get('entity')));
      if (req.method !== 'POST') throw new HttpError(404, `unknown control ${req.method} /__sandbox/${action}`);
      const text = await readBody(req);
      const body = text.trim() ? JSON.parse(text) : {};
      switch (action) {
        case 'touch': return reply(200, touch(body.entity, body.id));
        case 'create': return reply(200, create(body.entity));
        case 'remove': return reply(200, remove(body.entity, body.id));
        case 'set-stock': return reply(200, setStock(body.id, body.available, body.depotId));
        case 'approve': return reply(200, approve(body));
        case 'revoke-tokens': tokens.clear(); return reply(200, { revoked: true });
        case 'settings': if ('openApiEnabled' in body) settings.openApiEnabled = Boolean(body.openApiEnabled); return reply(200, settings);
        case 'webhook': return reply(200, webhookBody(body.event, body.id));
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
    handle, info, touch, create, remove, setStock, approve, webhookBody, emitWebhook, truth, reset,
    revokeTokens: () => tokens.clear(),
    setOpenApiEnabled: (on) => { settings.openApiEnabled = Boolean(on); },
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
  };
}
