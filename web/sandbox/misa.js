// Local simulator of MISA eShop's mShopKeeper OpenPlatform (graphapi.mshopkeeper.vn), for
// tests and the offline demo.
//
// Facts: /work/shared/platforms/misa.md (cited "misa.md §x"); CukCuk's documented
// OpenPlatform where eShop is silent. Choices beyond both are tagged UNCONFIRMED.
//
// Served:
//   POST /auth/api/Account/Login {AppID, Domain, LoginTime, SignatureInfo}: the signature is
//        recomputed over the compact JSON {"AppID","Domain","LoginTime"} with HMAC-SHA256 of the
//        SecretKey; LoginTime must be within ±5 minutes (ErrorType 4 otherwise).
//   POST /{Environment}/api/v1/branchs/all | inventoryitems/pagingwithdetail | customers/paging
//        | invoices/pagingbycustomer | invoices/detailbyrefid — `Authorization: Bearer <token>`
//        and `CompanyCode` headers; HTTP 401 for a missing/expired token.
// Every answer is a ServiceResult {Code, ErrorType, ErrorMessage, Success, Environment, Data,
// Total}; business errors are HTTP 200 + Success:false: 1 bad parameter, 2 unknown shop,
// 3 unknown AppID, 4 bad signature, 5 Limit > 100, 6 bad date, 7 OpenPlatform switched off,
// 102 an identical request still running.
//
// Test controls: GET /__sandbox/{info,stats,truth/<entity>}, POST /__sandbox/{touch,create,
// remove,expire-tokens,open-platform,faults,fail-next,reset} — entity: products | orders |
// customers | locations.

import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  createRng, createFaultInjector, createRequestStats, startServer, readBody, sendText, HttpError, DAY_MS, VN_OFFSET_MS,
  vnCustomerName, vnAddress, vnPhone, vnMobile, vnEmail, ean13, stripDiacritics, roundVnd, PRODUCT_TEMPLATES, VARIANT_AXES,
  formatVnLocal, parseDateTime, handleSandboxControl, applyFault,
} from './common.js';

export const MISA_HOST = 'graphapi.mshopkeeper.vn';
export const MISA_DEFAULT_APP_ID = 'MShopKeeperOpenPlatform';
export const MISA_DEFAULT_DOMAIN = 'demoshop.mshopkeeper.vn';
export const MISA_DEFAULT_SECRET_KEY = '4f1c8e2a9b7d3c6e5a0f8b2d4c6e8a1b3d5f7a9c1e3b5d7f9a2c4e6b8d0f2a4c';
export const MISA_ENTITIES = ['products', 'orders', 'customers', 'locations'];

const ERROR_TEXT = {
  1: 'Tham số không hợp lệ null or empty',
  2: 'Mã cửa hàng không tồn tại',
  3: 'Mã Appid không tồn tại trên hệ thống',
  4: 'Chuỗi thông tin chữ ký đăng nhập không hợp lệ, timeout',
  5: 'Tham số lấy phân trang vượt quá số lượng cấu hình cho phép (max 100)',
  6: 'Tham số ngày giờ không hợp lệ (01/01/1753 - 31/12/9999)',
  7: 'Thiết lập kết nối MShopKeeper đang ở trạng thái ngắt, không thể lấy dữ liệu',
  100: 'Lỗi nội bộ API Graph',
  102: 'Request bị từ chối, do có request cùng loại đang xử lý. Vui lòng chờ xử lý xong hoặc chờ request đang xử lý timeout thì gọi lại',
};

// .NET-style local times with an offset: "2026-05-07T11:04:38.000+07:00".
const vnOffsetTime = (ms) => `${formatVnLocal(ms, 3)}+07:00`;
const guid = (rng) => rng.guid();

function between(rng, a, b) {
  return Math.floor(a + rng.next() * Math.max(0, b - a));
}

// --- world --------------------------------------------------------------------------------------

function generateWorld(opts, nowMs) {
  const root = createRng(opts.seed, 'misa');
  const w = { opts, now0: nowMs, branches: [], products: new Map(), customers: new Map(), invoices: new Map(), root, codeNo: {} };
  const rng = root.fork('branches');
  w.branches.push({ Id: guid(rng), Code: 'KHOTONG', Name: 'Kho tổng', IsBaseDepot: true, IsChainBranch: false, Inactive: false, ProvinceAddr: 'VN101', DistrictAddr: 'VN10125', CommuneAddr: 'VN1012509', Address: '126 Tô Hiệu, Hà Nội' });
  w.branches.push({ Id: guid(rng), Code: 'CN_Q1', Name: 'Chi nhánh Quận 1', IsBaseDepot: false, IsChainBranch: false, Inactive: false, ProvinceAddr: 'VN701', DistrictAddr: 'VN70101', CommuneAddr: 'VN7010105', Address: '45 Lê Lợi, Quận 1, TP.HCM' });
  genProducts(w, root.fork('products'));
  genCustomers(w, root.fork('customers'));
  genInvoices(w, root.fork('invoices'));
  w.mutations = root.fork('mutations');
  return w;
}

function nextCode(w, prefix) {
  w.codeNo[prefix] = (w.codeNo[prefix] ?? 0) + 1;
  return `${prefix}${String(w.codeNo[prefix]).padStart(6, '0')}`;
}

function inventories(w, rng, item) {
  return w.branches.filter((b) => b.IsBaseDepot || rng.chance(0.7)).map((b) => ({
    ProductId: item.Id, ProductCode: item.Code, ProductName: item.Name, BranchId: b.Id, BranchName: b.Name,
    OnHand: rng.weighted([[rng.int(1, 80), 80], [0, 12], [-rng.int(1, 3), 8]]), Ordered: rng.chance(0.2) ? rng.int(1, 3) : 0,
    SellingPrice: item.SellingPrice,
  }));
}

function genProducts(w, rng) {
  let models = 0;
  let i = 0;
  while (models < w.opts.counts.products) {
    const tpl = PRODUCT_TEMPLATES[i++ % PRODUCT_TEMPLATES.length];
    if (tpl.kind === 'service' || tpl.kind === 'combo') continue;
    models++;
    const created = between(rng, w.now0 - 400 * DAY_MS, w.now0 - 5 * DAY_MS);
    const modified = rng.chance(0.4) ? created : between(rng, created, w.now0 - 3600_000);
    const price = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
    const code = stripDiacritics(tpl.name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).slice(0, 3).map((x) => x[0]).join('') + String(models).padStart(2, '0');
    const model = {
      Id: guid(rng), Code: code, Name: tpl.name, ItemType: 1, Barcode: null, SellingPrice: price, CostPrice: roundVnd(price * 0.6),
      AvgUnitPrice: roundVnd(price * 0.6), Color: null, Size: null, Material: tpl.kind === 'fashion' ? 'Cotton' : null,
      Description: rng.chance(0.3) ? `${tpl.name} chính hãng` : null, IsItem: true, Inactive: !rng.chance(0.95), UnitId: guid(rng),
      UnitName: tpl.unit || 'Cái', CategoryName: tpl.category, Picture: rng.chance(0.5) ? `https://${MISA_HOST}/g1/images/${code}.jpg` : null,
      ListDetail: [], Inventories: [], _modifiedMs: modified, _createdMs: created,
    };
    const axes = VARIANT_AXES[tpl.kind];
    if (axes && (axes[0][0] === 'MÀU SẮC' || axes[0][0] === 'SIZE')) {
      // A model with children: the children are the sellable items (IsItem true), misa.md §4.3.
      model.IsItem = false;
      const colors = axes.find(([n]) => n === 'MÀU SẮC')?.[1] ?? ['Đen'];
      const sizes = axes.find(([n]) => n === 'KÍCH THƯỚC' || n === 'SIZE')?.[1] ?? [null];
      for (const color of rng.sample(colors, 2)) {
        for (const size of sizes[0] === null ? [null] : rng.sample(sizes, 2)) {
          const childCode = `${code}-${stripDiacritics(color).toUpperCase().slice(0, 2)}${size ? `-${size}` : ''}`;
          const child = {
            Id: guid(rng), ParentId: model.Id, Code: childCode, Name: `${tpl.name} (${color}${size ? `/${size}` : ''})`,
            Barcode: rng.chance(0.6) ? ean13(rng) : '', Color: color, Size: size, IsItem: true, Inactive: false,
            SellingPrice: price + (size === 'XXL' ? 20_000 : 0), CostPrice: roundVnd(price * 0.6),
          };
          child.Inventories = inventories(w, rng, child);
          model.ListDetail.push(child);
        }
      }
    } else {
      model.Barcode = rng.chance(0.6) ? ean13(rng) : null;
      model.Inventories = inventories(w, rng, model);
    }
    w.products.set(model.Id, model);
  }
}

function genCustomers(w, rng) {
  for (let n = 0; n < w.opts.counts.customers; n++) {
    const person = vnCustomerName(rng);
    const created = between(rng, w.now0 - 500 * DAY_MS, w.now0 - 2 * DAY_MS);
    const modified = rng.chance(0.5) ? created : between(rng, created, w.now0 - 3600_000);
    const mobile = vnMobile(rng);
    const tel = rng.weighted([[mobile, 70], [`${mobile.slice(0, 4)} ${mobile.slice(4, 7)} ${mobile.slice(7)}`, 15], [vnPhone(rng) ?? null, 15]]);
    const addr = rng.chance(0.7) ? vnAddress(rng) : null;
    const c = {
      Id: guid(rng), Code: nextCode(w, 'KH'), Name: person.name, Tel: tel, NormalizedTel: `84${mobile.slice(1)}`, StandardTel: mobile,
      Addr: addr?.street ?? null, Email: rng.chance(0.4) ? vnEmail(rng, stripDiacritics(person.name)) : null, Gender: person.gender === 'male' ? 0 : 1,
      Description: null, IdentifyNumber: null, ProvinceAddr: addr?.province ?? null, DistrictAddr: addr?.district ?? null, CommuneAddr: addr?.ward ?? null,
      CustomerCategoryID: null, CustomerCategoryName: rng.chance(0.6) ? 'Khách lẻ' : 'Khách sỉ', MembershipCode: rng.chance(0.2) ? `VIP${rng.int(100, 999)}` : null,
      MemberLevelID: null, MemberLevelName: rng.chance(0.2) ? rng.pick(['Bạc', 'Vàng', 'Kim cương']) : null,
      Birthday: rng.chance(0.3) ? `${rng.int(1970, 2003)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}T00:00:00` : null, Inactive: false,
      _modifiedMs: modified, _createdMs: created,
    };
    w.customers.set(c.Id, c);
  }
}

function sellableItems(w) {
  const out = [];
  for (const m of w.products.values()) {
    if (m.Inactive) continue;
    if (m.ListDetail.length) for (const c of m.ListDetail) out.push({ item: c, parent: m });
    else out.push({ item: m, parent: null });
  }
  return out;
}

function genInvoices(w, rng) {
  const items = sellableItems(w);
  const customers = [...w.customers.values()];
  const times = Array.from({ length: w.opts.counts.orders }, () => Math.floor(w.now0 - 120_000 - rng.next() ** 1.3 * 120 * DAY_MS)).sort((a, b) => a - b);
  for (const at of times) buildInvoice(w, rng, at, items, customers);
}

function buildInvoice(w, rng, at, items, customers) {
  const customer = rng.chance(0.75) ? rng.pick(customers) : null;
  const branch = rng.pick(w.branches);
  const lines = rng.sample(items, rng.weighted([[1, 50], [2, 30], [3, 20]])).map(({ item, parent }, i) => {
    const q = rng.weighted([[1, 70], [2, 25], [3, 5]]);
    const disc = rng.chance(0.15) ? roundVnd(item.SellingPrice * q * 0.1) : 0;
    return {
      InvoiceDetailType: 1, InventoryItemId: item.Id, ParentId: parent?.Id ?? null, SKU: item.Code, Name: item.Name,
      EncodeInventoryItemName: item.Name, Quantity: q, UnitPrice: item.SellingPrice, Amount: item.SellingPrice * q,
      DiscountAmount: disc, TotalAmount: item.SellingPrice * q - disc, SortOrder: i + 1, UnitName: parent?.UnitName ?? item.UnitName ?? 'Cái',
    };
  });
  const itemsTotal = lines.reduce((s, l) => s + l.TotalAmount, 0);
  const discount = rng.chance(0.1) ? 20000 : 0;
  const delivery = customer && rng.chance(0.4) ? rng.pick([15000, 30000]) : 0;
  const total = Math.max(0, itemsTotal - discount) + delivery;
  const debt = customer && rng.chance(0.25) ? total : 0;
  const id = guid(rng);
  const inv = {
    InvoiceId: id, InvoiceNumber: nextCode(w, 'HD'), InvoiceType: 550, InvoiceDate: vnOffsetTime(at), InvoiceTime: vnOffsetTime(at),
    BranchId: branch.Id, BranchName: branch.Name, TotalItemAmount: itemsTotal, DiscountAmount: discount, VATAmount: 0, TaxAmount: 0,
    CostAmount: Math.round(itemsTotal * 0.6), TotalAmount: total, ActualAmount: total, CashAmount: total - debt, CardAmount: 0,
    VoucherAmount: 0, DebitAmount: debt, CustomerName: customer?.Name ?? null, Tel: customer?.Tel ?? null,
    Address: customer?.Addr ?? null, Cashier: 'Lê Thu Ngân', SaleStaff: 'Nguyễn Văn A', Note: rng.chance(0.1) ? 'Khách hẹn lấy chiều' : null,
    PaymentStatus: debt ? 1 : 3,  // UNCONFIRMED enum (misa.md §4.3)
    IsCOD: Boolean(delivery), AdditionBillType: 0, SaleChannelName: rng.pick(['Tại cửa hàng', 'Facebook', 'Website', 'Shopee']),
    DeliveryCode: delivery ? `GHN${rng.int(100000000, 999999999)}` : null, ShippingPartnerName: delivery ? 'Giao hàng nhanh' : null,
    PartnerStatus: delivery ? 1 : 0, Point: 0,
    _detail: {
      OrderNumber: delivery ? nextCode(w, 'DT') : null, CustomerId: customer?.Id ?? null, DeliveryAmount: delivery,
      DeliveryAddress: delivery ? customer?.Addr ?? null : null, InvocieDetails: lines,
    },
    _ms: at,
  };
  w.invoices.set(id, inv);
  return inv;
}

// --- presentation ----------------------------------------------------------------------------------

const publicCopy = (o) => JSON.parse(JSON.stringify(o, (k, v) => (k.startsWith('_') ? undefined : v)));

function invoiceDetail(inv) {
  const { _detail, InvoiceId, ...head } = publicCopy({ ...inv, _detail: undefined });
  return {
    InvoiceType: head.InvoiceType, InvoiceNumber: head.InvoiceNumber, OrderNumber: inv._detail.OrderNumber, InvoiceDate: head.InvoiceDate,
    InvoiceTime: head.InvoiceTime, BranchId: head.BranchId, PaymentStatus: head.PaymentStatus, InvoiceDetailType: 0,
    CustomerId: inv._detail.CustomerId, Cashier: head.Cashier, SaleStaff: head.SaleStaff, CustomerName: head.CustomerName, Tel: head.Tel,
    DeliveryAddress: inv._detail.DeliveryAddress, IsCOD: head.IsCOD, IsDebit: head.DebitAmount > 0, AdditionBillType: 0, Point: 0,
    TotalItemAmount: head.TotalItemAmount, DiscountAmount: head.DiscountAmount, TotalItemDiscountAmount: 0,
    DeliveryAmount: inv._detail.DeliveryAmount, VATAmount: 0, DepositAmount: 0, VoucherAmount: 0, CashAmount: head.CashAmount,
    CardAmount: 0, DebitAmount: head.DebitAmount, ChangeAmount: 0, AmountReturn: 0, TotalAmountReturn: 0, Note: head.Note,
    InvocieDetails: inv._detail.InvocieDetails,  // sic, as the real API spells it
  };
}

// "yyyy-MM-dd HH:mm:ss" or ISO, Vietnam local unless an offset is given; NaN when invalid.
function parseMisaDate(text) {
  if (text === null || text === undefined) return null;
  const ms = parseDateTime(String(text), { offsetMs: VN_OFFSET_MS });
  const year = Number(String(text).slice(0, 4));
  if (Number.isNaN(ms) || year < 1753 || year > 9999) return NaN;
  return ms;
}

function normalizeOptions(o = {}) {
  return {
    seed: o.seed ?? 1,
    appId: o.appId ?? MISA_DEFAULT_APP_ID,
    domain: o.domain ?? MISA_DEFAULT_DOMAIN,
    secretKey: o.secretKey ?? MISA_DEFAULT_SECRET_KEY,
    companyCode: o.companyCode ?? 'demoshop',
    environment: o.environment ?? 'g1',
    counts: { products: 30, customers: 50, orders: 60, ...o.counts },
    tokenTtlMs: o.tokenTtlMs ?? 3600_000,        // UNCONFIRMED lifetime; integrations cache ~1 h
    loginSkewMs: o.loginSkewMs ?? 5 * 60_000,    // "reject LoginTime outside ± a few minutes" (misa.md §4.1)
    latencyMs: o.latencyMs ?? 0,                 // > 0 lets parallel identical requests meet (ErrorType 102)
    faults: { ...o.faults },
    now: o.now ?? Date.now,
    host: o.host ?? '127.0.0.1',
  };
}

export function createMisaSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const anchorMs = now();
  let world;
  let tokens;
  let tokenRng;
  let faults;
  let stats;
  let openPlatform;
  let server = null;
  const inFlight = new Set();
  const pendingTimers = new Set();

  function reset() {
    world = generateWorld(opts, anchorMs);
    tokens = new Map();
    tokenRng = createRng(opts.seed, 'misa/tokens');
    faults ??= createFaultInjector({ seed: opts.seed, label: 'misa/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    openPlatform = true;
  }
  reset();

  const result = (data, total = 0, environment = opts.environment) => ({ Code: 200, ErrorType: 0, ErrorMessage: null, Success: true, Environment: environment, Data: data, Total: total });
  const failure = (type, environment = opts.environment) => ({ Code: 200, ErrorType: type, ErrorMessage: ERROR_TEXT[type], Success: false, Environment: environment, Data: null, Total: 0 });

  function reply(res, ctx, status, value) {
    stats.record(ctx.route, status);
    if (value?.ErrorType) stats.bump(`errorType${value.ErrorType}`);
    sendText(res, status, value === undefined ? '' : JSON.stringify(value), { truncate: ctx.truncate && status === 200 });
  }

  // --- login ------------------------------------------------------------------------------------------

  function login(body) {
    const { AppID, Domain, LoginTime, SignatureInfo } = body ?? {};
    if (!AppID || !Domain || !LoginTime || !SignatureInfo) return failure(1, null);
    if (AppID !== opts.appId) return failure(3, null);
    if (Domain !== opts.domain) return failure(2, null);
    const at = Date.parse(LoginTime);
    if (!Number.isFinite(at) || Math.abs(now() - at) > opts.loginSkewMs) return failure(4, null);
    // The exact bytes: compact JSON, key order AppID, Domain, LoginTime (misa.md §4.8.1).
    const expected = createHmac('sha256', opts.secretKey).update(JSON.stringify({ AppID, Domain, LoginTime })).digest('hex');
    const given = Buffer.from(String(SignatureInfo).toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      stats.bump('badSignatures');
      return failure(4, null);
    }
    if (!openPlatform) return failure(7, null);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ CompanyCode: opts.companyCode, AppID, exp: Math.floor((now() + opts.tokenTtlMs) / 1000) })).toString('base64url');
    const token = `${header}.${payload}.${tokenRng.bytes(32).toString('base64url')}`;
    tokens.set(token, now() + opts.tokenTtlMs);
    stats.bump('logins');
    return result({ AppID, Domain, AccessToken: token, CompanyCode: opts.companyCode, Environment: opts.environment }, 0);
  }

  // --- data -------------------------------------------------------------------------------------------

  function paging(body) {
    const page = body.Page ?? 1;
    const limit = body.Limit ?? 20;
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1) return { error: failure(1) };
    if (limit > 100) return { error: failure(5) };
    return { page, limit };
  }

  function pageOf(rows, { page, limit }) {
    return rows.slice((page - 1) * limit, page * limit);
  }

  function api(route, body) {
    switch (route) {
      case 'branchs/all':
        return result(world.branches.filter((b) => body.IsIncludeInactiveBranch || !b.Inactive).map(publicCopy), world.branches.length);
      case 'inventoryitems/pagingwithdetail': {
        const p = paging(body);
        if (p.error) return p.error;
        const since = parseMisaDate(body.LastSyncDate);
        if (Number.isNaN(since)) return failure(6);
        let rows = [...world.products.values()].filter((m) => body.IncludeInActive || !m.Inactive).filter((m) => since === null || m._modifiedMs >= since);
        const dir = Number(body.SortType ?? 1) === 1 ? 1 : -1;
        rows.sort((a, b) => (a.Code < b.Code ? -dir : a.Code > b.Code ? dir : 0));
        const out = pageOf(rows, p).map((m) => {
          const copy = publicCopy(m);
          if (!body.IncludeInventory) {
            copy.Inventories = [];
            for (const c of copy.ListDetail) c.Inventories = [];
          }
          return copy;
        });
        return result(out, rows.length);
      }
      case 'customers/paging': {
        const p = paging(body);
        if (p.error) return p.error;
        const since = parseMisaDate(body.LastSyncDate);
        if (Number.isNaN(since)) return failure(6);
        const rows = [...world.customers.values()].filter((c) => body.IncludeInactive || !c.Inactive).filter((c) => since === null || c._modifiedMs >= since);
        const dir = Number(body.SortType ?? 1) === 1 ? 1 : -1;
        rows.sort((a, b) => a.Name.localeCompare(b.Name, 'vi') * dir || (a.Code < b.Code ? -1 : 1));
        return result(pageOf(rows, p).map(publicCopy), rows.length);
      }
      case 'invoices/pagingbycustomer': {
        const p = paging(body);
        if (p.error) return p.error;
        const from = parseMisaDate(body.FromDate);
        const to = parseMisaDate(body.ToDate);
        if (from === null || to === null) return failure(1);
        if (Number.isNaN(from) || Number.isNaN(to)) return failure(6);
        const rows = [...world.invoices.values()].filter((i) => i._ms >= from && i._ms <= to);
        const dir = Number(body.SortType ?? 1) === 1 ? 1 : -1;
        rows.sort((a, b) => (a._ms - b._ms) * dir || (a.InvoiceNumber < b.InvoiceNumber ? -1 : 1));
        return result(pageOf(rows, p).map((i) => publicCopy(i)), rows.length);
      }
      case 'invoices/detailbyrefid': {
        if (!body.RefID) return failure(1);
        const inv = world.invoices.get(body.RefID);
        if (!inv) return failure(1);  // UNCONFIRMED: an unknown RefID is a bad parameter
        return result(invoiceDetail(inv), 0);
      }
      default:
        return null;
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    if (await handleSandboxControl(req, res, url, { info, stats: statsSnapshot, truth, actions })) return;
    const path = url.pathname.replace(/\/+$/, '');
    const ctx = { route: `${req.method} ${path}`, truncate: false };
    if (await applyFault(faults, stats, res, ctx, { pendingTimers, body: (s) => JSON.stringify(failure(100)) })) return;
    let body;
    try {
      const text = await readBody(req);
      body = text.trim() ? JSON.parse(text) : {};
    } catch {
      return reply(res, ctx, 200, failure(1));
    }
    if (req.method === 'POST' && path.toLowerCase() === '/auth/api/account/login') return reply(res, ctx, 200, login(body));

    const m = /^\/([^/]+)\/api\/v1\/(.+)$/i.exec(path);
    if (!m || req.method !== 'POST') return reply(res, ctx, 404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
    const [, env, rawRoute] = m;
    const route = rawRoute.toLowerCase();
    ctx.route = `POST /{env}/api/v1/${route}`;
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const exp = auth ? tokens.get(auth[1]) : undefined;
    if (!exp || now() >= exp) return reply(res, ctx, 401, { Message: 'Authorization has been denied for this request.' });
    if (env !== opts.environment) return reply(res, ctx, 404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
    if (req.headers.companycode !== opts.companyCode) return reply(res, ctx, 200, failure(2));
    if (!openPlatform) return reply(res, ctx, 200, failure(7));
    // Two identical requests at once: the second is refused (misa.md §4.2, ErrorType 102).
    const key = `${route} ${JSON.stringify(body)}`;
    if (inFlight.has(key)) return reply(res, ctx, 200, failure(102));
    inFlight.add(key);
    try {
      if (opts.latencyMs > 0) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => (pendingTimers.delete(timer), resolve()), opts.latencyMs);
          pendingTimers.add(timer);
        });
      }
      const out = api(route, body);
      if (out === null) return reply(res, ctx, 404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
      if (Array.isArray(out.Data)) stats.bump('rowsServed', out.Data.length);
      return reply(res, ctx, 200, out);
    } finally {
      inFlight.delete(key);
    }
  }

  // --- controls ------------------------------------------------------------------------------------------

  const ENTITY = { products: 'products', orders: 'invoices', customers: 'customers', locations: 'branches', invoices: 'invoices', branches: 'branches' };
  function entityOf(name) {
    const e = ENTITY[name];
    if (!e) throw new HttpError(400, `unknown entity "${name}" (use one of ${MISA_ENTITIES.join(', ')})`);
    return e;
  }

  function truth(name) {
    const e = entityOf(name);
    if (e === 'branches') return world.branches.map(publicCopy);
    if (e === 'invoices') return [...world.invoices.values()].sort((a, b) => a._ms - b._ms).map((i) => ({ ...publicCopy(i), detail: invoiceDetail(i) }));
    return [...world[e].values()].map(publicCopy);
  }

  function touch(name, id) {
    const e = entityOf(name);
    const rng = world.mutations;
    if (e === 'products') {
      const m = world.products.get(id);
      if (!m) throw new HttpError(404, `product ${id} not found`);
      m.SellingPrice += 10_000;
      for (const c of m.ListDetail) c.SellingPrice += 10_000;
      m._modifiedMs = now();
      return publicCopy(m);
    }
    if (e === 'customers') {
      const c = world.customers.get(id);
      if (!c) throw new HttpError(404, `customer ${id} not found`);
      c.Tel = vnMobile(rng);
      c._modifiedMs = now();
      return publicCopy(c);
    }
    if (e === 'branches') {
      // branchs/all has no change time: the list shows the edit, nothing else does.
      const b = world.branches.find((x) => x.Id === id);
      if (!b) throw new HttpError(404, `branch ${id} not found`);
      b.Address = `${rng.int(1, 300)} ${rng.pick(['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Huệ'])}`;
      return publicCopy(b);
    }
    throw new HttpError(400, `touch is not simulated for ${name}`);
  }

  function create(name) {
    const e = entityOf(name);
    const rng = world.mutations;
    if (e === 'invoices') return publicCopy(buildInvoice(world, rng, now(), sellableItems(world), [...world.customers.values()]));
    if (e === 'customers') {
      const person = vnCustomerName(rng);
      const mobile = vnMobile(rng);
      const c = { Id: guid(rng), Code: nextCode(world, 'KH'), Name: person.name, Tel: mobile, NormalizedTel: `84${mobile.slice(1)}`, StandardTel: mobile, Addr: null, Email: null, Gender: 1, Inactive: false, _modifiedMs: now(), _createdMs: now() };
      world.customers.set(c.Id, c);
      return publicCopy(c);
    }
    if (e === 'products') {
      // A new item with stock in the base depot; GUID ids are never reused.
      const price = roundVnd(rng.int(50_000, 500_000), 1000);
      const m = {
        Id: guid(rng), Code: nextCode(world, 'SPN'), Name: `Sản phẩm mới ${world.codeNo.SPN}`, ItemType: 1, Barcode: null, SellingPrice: price,
        CostPrice: roundVnd(price * 0.6), AvgUnitPrice: roundVnd(price * 0.6), Color: null, Size: null, Material: null, Description: null,
        IsItem: true, Inactive: false, UnitId: guid(rng), UnitName: 'Cái', CategoryName: 'Khác', Picture: null, ListDetail: [], Inventories: [],
        _modifiedMs: now(), _createdMs: now(),
      };
      m.Inventories = inventories(world, rng, m);
      world.products.set(m.Id, m);
      return publicCopy(m);
    }
    if (e === 'branches') {
      const n = world.branches.length + 1;
      const b = { ...world.branches[1] ?? world.branches[0], Id: guid(rng), Code: `CN_${n}`, Name: `Chi nhánh ${n}`, IsBaseDepot: false, Inactive: false };
      world.branches.push(b);
      return publicCopy(b);
    }
    throw new HttpError(400, `create is not simulated for ${name}`);
  }

  // Deleted goods/customers/branches are made inactive (they stay referenced by invoices).
  function remove(name, id) {
    const e = entityOf(name);
    const rec = e === 'products' ? world.products.get(id) : e === 'customers' ? world.customers.get(id) : e === 'branches' ? world.branches.find((b) => b.Id === id) : null;
    if (!rec) throw new HttpError(404, `${name} ${id} not found`);
    rec.Inactive = true;
    rec._modifiedMs = now();
    return { id, inactive: true };
  }

  function expireTokens() {
    const n = tokens.size;
    for (const t of tokens.keys()) tokens.set(t, -Infinity);
    return { expired: n };
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return { total: s.total, byRoute: s.byRoute, byStatus: s.byStatus, logins: s.counters.logins ?? 0, tokensIssued: s.counters.logins ?? 0, faultsInjected: s.counters.faultsInjected ?? 0, counters: s.counters, pendingScriptedFaults: faults.pending() };
  }

  function info() {
    return {
      platform: 'misa', url: server?.url, host: MISA_HOST, appId: opts.appId, domain: opts.domain, secretKey: opts.secretKey,
      companyCode: opts.companyCode, environment: opts.environment, openPlatform, entities: MISA_ENTITIES,
      counts: { products: world.products.size, orders: world.invoices.size, customers: world.customers.size, locations: world.branches.length },
    };
  }

  const actions = {
    touch: (b) => touch(b.entity, b.id),
    create: (b) => create(b.entity),
    remove: (b) => remove(b.entity, b.id),
    'expire-tokens': () => expireTokens(),
    'open-platform': (b) => ((openPlatform = b.enabled !== false), { openPlatform }),
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
    touch,
    create,
    remove,
    expireTokens,
    setOpenPlatform: (enabled) => (openPlatform = enabled),
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
    reset,
  };
}
