// Local simulator of the Odoo external API (versions 14 → 19), for tests and the offline demo.
//
// Facts: /work/shared/platforms/odoo.md (cited "odoo.md §x") and the vendor's
// external_api.rst (JSON-2, 19). Choices where the facts are silent are tagged UNCONFIRMED.
//
// Served (one database):
//   POST /jsonrpc  {"jsonrpc":"2.0","method":"call","params":{service, method, args}}
//        common.version | common.authenticate | common.login | db.list
//        object.execute_kw(db, uid, password_or_key, model, method, args, kwargs) with
//        search_read, search_count, read, fields_get, context_get (res.users)
//        Errors: HTTP 200 + {"error": {code, message, data: {name, message, arguments, debug}}}.
//   POST /json/2/<model>/<method>  (version ≥ 19): bearer API key, optional X-Odoo-Database,
//        named arguments; errors as HTTP 4xx/5xx with {name, message, arguments, context, debug}.
//   GET  /web/version
// The `version` option switches what a real server of that version has: detailed_type
// (15–17), is_storable (18+), locked and no `done` state (17+), tax_ids/product_uom_id (19),
// res.partner.mobile gone (19), stock.quant.warehouse_id (15+). Requesting a field the server
// lacks fails the whole call with ValueError "Invalid field …", as in Odoo.
//
// Test controls (no auth, not counted): GET /__sandbox/{info,stats,truth/<entity>},
// POST /__sandbox/{touch,create,remove,faults,fail-next,reset} — entity: products | orders |
// customers | locations.

import {
  createRng, createFaultInjector, createRequestStats, startServer, readBody, sendText,
  HttpError, DAY_MS, vnPerson, vnCustomerName, vnBusinessName, vnAddress, vnPhone, vnEmail, ean13,
  stripDiacritics, roundVnd, PRODUCT_TEMPLATES, VARIANT_AXES, handleSandboxControl, applyFault, formatUtcSeconds,
} from './common.js';

export const ODOO_HOST = 'demo.odoo.com';
export const ODOO_DEFAULT_DB = 'hoamai_prod';
export const ODOO_DEFAULT_LOGIN = 'api@hoamai.vn';
export const ODOO_DEFAULT_API_KEY = '6578616d706c65206a736f6e20617069206b6579';  // 160-bit hex, like Odoo's keys
export const ODOO_DEFAULT_PASSWORD = 'Hoamai@2026';
export const ODOO_ENTITIES = ['products', 'orders', 'customers', 'locations'];
const ADMIN_UID = 2;

// --- small helpers ---------------------------------------------------------------------

const round0 = (x) => Math.round(x);
const m2o = (rec) => (rec ? [rec.id, rec.display_name ?? rec.name] : false);

class OdooError extends Error {
  // name: the Python exception path; status: JSON-2 HTTP status.
  constructor(name, message, status = 500) {
    super(message);
    this.odooName = name;
    this.status = status;
  }
}
const accessDenied = (msg = 'Access Denied') => new OdooError('odoo.exceptions.AccessDenied', msg, 401);
const invalidField = (model, f) => new OdooError('builtins.ValueError', `Invalid field '${f}' on model '${model}'`, 422);

function rpcError(id, err) {
  const name = err.odooName ?? 'builtins.Exception';
  return {
    jsonrpc: '2.0', id,
    error: {
      code: 200, message: 'Odoo Server Error',
      data: {
        name,
        debug: `Traceback (most recent call last):\n  File "/odoo/odoo/http.py", line 1764, in _serve_db\n${name}: ${err.message}\n`,
        message: err.message, arguments: [err.message], context: {},
      },
    },
  };
}

// --- the schema a server of `version` has ----------------------------------------------

function schemaFor(version) {
  const f = (type, relation) => ({ type, ...(relation ? { relation } : {}) });
  const dates = { create_date: f('datetime'), write_date: f('datetime') };
  const product = {
    id: f('integer'), name: f('char'), display_name: f('char'), default_code: f('char'), barcode: f('char'),
    lst_price: f('float'), list_price: f('float'), standard_price: f('float'), qty_available: f('float'),
    virtual_available: f('float'), free_qty: f('float'), categ_id: f('many2one', 'product.category'),
    uom_id: f('many2one', 'uom.uom'), product_tmpl_id: f('many2one', 'product.template'),
    product_template_attribute_value_ids: f('many2many', 'product.template.attribute.value'),
    type: f('selection'), sale_ok: f('boolean'), purchase_ok: f('boolean'), active: f('boolean'),
    description_sale: f('text'), weight: f('float'), taxes_id: f('many2many', 'account.tax'),
    image_1920: f('binary'), ...dates,
  };
  if (version >= 15 && version <= 17) product.detailed_type = f('selection');
  if (version >= 18) product.is_storable = f('boolean');
  const order = {
    id: f('integer'), name: f('char'), display_name: f('char'), partner_id: f('many2one', 'res.partner'),
    partner_invoice_id: f('many2one', 'res.partner'), partner_shipping_id: f('many2one', 'res.partner'),
    date_order: f('datetime'), validity_date: f('date'), commitment_date: f('datetime'), state: f('selection'),
    amount_untaxed: f('monetary'), amount_tax: f('monetary'), amount_total: f('monetary'),
    currency_id: f('many2one', 'res.currency'), order_line: f('one2many', 'sale.order.line'),
    invoice_status: f('selection'), user_id: f('many2one', 'res.users'), warehouse_id: f('many2one', 'stock.warehouse'),
    company_id: f('many2one', 'res.company'), client_order_ref: f('char'), origin: f('char'),
    note: f(version >= 16 ? 'html' : 'text'), ...dates,
  };
  if (version >= 17) order.locked = f('boolean');
  const line = {
    id: f('integer'), order_id: f('many2one', 'sale.order'), sequence: f('integer'), display_type: f('selection'),
    product_id: f('many2one', 'product.product'), product_template_id: f('many2one', 'product.template'), name: f('text'),
    product_uom_qty: f('float'), qty_delivered: f('float'), qty_invoiced: f('float'), price_unit: f('float'),
    discount: f('float'), price_subtotal: f('monetary'), price_tax: f('float'), price_total: f('monetary'),
    is_delivery: f('boolean'), state: f('selection'), ...dates,
  };
  if (version >= 19) Object.assign(line, { product_uom_id: f('many2one', 'uom.uom'), tax_ids: f('many2many', 'account.tax') });
  else Object.assign(line, { product_uom: f('many2one', 'uom.uom'), tax_id: f('many2many', 'account.tax') });
  const partner = {
    id: f('integer'), name: f('char'), display_name: f('char'), email: f('char'), phone: f('char'), street: f('char'),
    street2: f('char'), city: f('char'), zip: f('char'), state_id: f('many2one', 'res.country.state'),
    country_id: f('many2one', 'res.country'), vat: f('char'), ref: f('char'), is_company: f('boolean'),
    company_type: f('selection'), parent_id: f('many2one', 'res.partner'), type: f('selection'),
    customer_rank: f('integer'), supplier_rank: f('integer'), active: f('boolean'), lang: f('selection'),
    sale_order_count: f('integer'), ...dates,
  };
  if (version <= 18) partner.mobile = f('char');  // odoo.md: removed in 19 (18 UNCONFIRMED: kept)
  const quant = {
    id: f('integer'), product_id: f('many2one', 'product.product'), location_id: f('many2one', 'stock.location'),
    quantity: f('float'), reserved_quantity: f('float'), company_id: f('many2one', 'res.company'), ...dates,
  };
  if (version >= 15) Object.assign(quant, { warehouse_id: f('many2one', 'stock.warehouse'), available_quantity: f('float'), inventory_quantity: f('float') });
  return {
    'product.product': product,
    'product.template.attribute.value': { id: f('integer'), name: f('char'), display_name: f('char'), attribute_id: f('many2one', 'product.attribute'), product_tmpl_id: f('many2one', 'product.template'), ...dates },
    'sale.order': order,
    'sale.order.line': line,
    'res.partner': partner,
    'stock.quant': quant,
    'stock.location': { id: f('integer'), name: f('char'), complete_name: f('char'), usage: f('selection'), warehouse_id: f('many2one', 'stock.warehouse'), ...dates },
    'stock.warehouse': { id: f('integer'), name: f('char'), display_name: f('char'), code: f('char'), partner_id: f('many2one', 'res.partner'), company_id: f('many2one', 'res.company'), lot_stock_id: f('many2one', 'stock.location'), active: f('boolean'), ...dates },
    'res.users': { id: f('integer'), name: f('char'), login: f('char'), lang: f('selection'), tz: f('selection'), ...dates },
  };
}

// Stored names → the version's names (sale.order.line renamed fields in 19).
function storedKey(model, field) {
  if (model === 'sale.order.line') {
    if (field === 'tax_ids') return 'tax_id';
    if (field === 'product_uom_id') return 'product_uom';
  }
  return field;
}

// --- world ---------------------------------------------------------------------------------

const PROVINCES = [
  { id: 1234, name: 'Hồ Chí Minh (VN)', match: 'Hồ Chí Minh' }, { id: 1201, name: 'Hà Nội (VN)', match: 'Hà Nội' },
  { id: 1232, name: 'Đà Nẵng (VN)', match: 'Đà Nẵng' }, { id: 1227, name: 'Hải Phòng (VN)', match: 'Hải Phòng' },
];
const VN = { id: 241, name: 'Vietnam' };

function generateWorld(opts, nowMs) {
  const root = createRng(opts.seed, 'odoo');
  const now0 = Math.floor(nowMs / 1000) * 1000;
  const t = (ms) => formatUtcSeconds(ms);
  const tables = Object.fromEntries(Object.keys(schemaFor(opts.version)).map((m) => [m, new Map()]));
  const seq = {};
  const nextId = (model, start) => (seq[model] = (seq[model] ?? start - 1) + 1);
  const w = { opts, now0, tables, seq, nextId, root };

  // Company, users, warehouses, locations.
  const companyAddr = { street: '126 Nguyễn Thị Minh Khai', city: 'Quận 3', state: PROVINCES[0] };
  tables['res.partner'].set(1, partnerRec({ id: 1, name: 'Hoa Mai Fashion', is_company: true, ...addrFields(companyAddr), customer_rank: 0, create_date: t(now0 - 900 * DAY_MS), write_date: t(now0 - 800 * DAY_MS) }));
  seq['res.partner'] = 9;
  tables['res.users'].set(ADMIN_UID, { id: ADMIN_UID, name: 'Mitchell Admin', login: opts.login, lang: 'vi_VN', tz: 'Asia/Ho_Chi_Minh', create_date: t(now0 - 900 * DAY_MS), write_date: t(now0 - 900 * DAY_MS) });
  const hnPartner = partnerRec({ id: 2, name: 'Hoa Mai Fashion - Kho Hà Nội', ...addrFields({ street: '45 Láng Hạ', city: 'Quận Đống Đa', state: PROVINCES[1] }), phone: '024 3856 1234', customer_rank: 0, parent_id: 1, type: 'other', create_date: t(now0 - 700 * DAY_MS), write_date: t(now0 - 700 * DAY_MS) });
  tables['res.partner'].set(2, hnPartner);
  const whs = [
    { id: 1, name: 'Kho Hồ Chí Minh', code: 'WH', partner_id: 1, lot: 8 },
    { id: 2, name: 'Kho Hà Nội', code: 'HN', partner_id: 2, lot: 20 },
  ];
  for (const wh of whs) {
    tables['stock.warehouse'].set(wh.id, { id: wh.id, name: wh.name, display_name: wh.name, code: wh.code, partner_id: wh.partner_id, company_id: 1, lot_stock_id: wh.lot, active: true, create_date: t(now0 - 700 * DAY_MS), write_date: t(now0 - 600 * DAY_MS + wh.id * 1000) });
  }
  for (const [id, name, usage, wh] of [[8, 'WH/Stock', 'internal', 1], [9, 'WH/Stock/Kệ A', 'internal', 1], [20, 'HN/Stock', 'internal', 2], [5, 'Partners/Customers', 'customer', false]]) {
    tables['stock.location'].set(id, { id, name, complete_name: name, display_name: name, usage, warehouse_id: wh, create_date: t(now0 - 700 * DAY_MS), write_date: t(now0 - 700 * DAY_MS) });
  }
  w.categories = new Map();
  w.attributes = new Map();
  seq['product.category'] = 1;
  seq['product.attribute'] = 0;
  seq['product.template'] = 0;

  genProducts(w, root.fork('products'));
  genCustomers(w, root.fork('customers'));
  genOrders(w, root.fork('orders'));
  w.mutations = root.fork('mutations');
  return w;
}

function addrFields(a) {
  return { street: a.street, city: a.city, state_id: a.state?.id ?? false, country_id: VN.id };
}

function partnerRec(p) {
  return {
    email: false, phone: false, mobile: false, street: false, street2: false, city: false, zip: false, state_id: false,
    country_id: false, vat: false, ref: false, is_company: false, parent_id: false, type: 'contact', customer_rank: 0,
    supplier_rank: 0, active: true, lang: 'vi_VN', ...p, display_name: p.display_name ?? p.name,
    company_type: p.is_company ? 'company' : 'person',
  };
}

function category(w, name) {
  if (!w.categories.has(name)) w.categories.set(name, { id: ++w.seq['product.category'], display_name: `All / Saleable / ${name}` });
  return w.categories.get(name).id;
}

function attribute(w, name) {
  if (!w.attributes.has(name)) w.attributes.set(name, { id: ++w.seq['product.attribute'], name: name.charAt(0) + name.slice(1).toLowerCase() });
  return w.attributes.get(name);
}

function between(rng, a, b) {
  return Math.floor((a + rng.next() * Math.max(0, b - a)) / 1000) * 1000;
}

function genProducts(w, rng) {
  const { tables, now0 } = w;
  const v = w.opts.version;
  const target = w.opts.counts.products;
  const templates = [...PRODUCT_TEMPLATES.filter((x) => x.kind !== 'service').slice(0), PRODUCT_TEMPLATES.find((x) => x.kind === 'service')];
  let i = 0;
  while (tables['product.product'].size < target) {
    const tpl = i < templates.length ? templates[i] : rng.pick(PRODUCT_TEMPLATES);
    i++;
    const tmplId = ++w.seq['product.template'];
    const created = between(rng, now0 - 500 * DAY_MS, now0 - 5 * DAY_MS);
    const modified = rng.chance(0.4) ? created : between(rng, created, now0 - 3600_000);
    const listPrice = roundVnd(rng.int(tpl.price[0], tpl.price[1]), tpl.price[1] < 20_000 ? 500 : 1000);
    const kind = tpl.kind === 'service' ? 'service' : tpl.kind === 'combo' ? (v >= 18 ? 'combo' : 'consu') : rng.chance(0.85) ? 'storable' : 'consu';
    const axes = VARIANT_AXES[tpl.kind];
    let combos = [[]];
    if (axes) {
      const chosen = axes.map(([name, values]) => [name, rng.sample(values, rng.int(2, Math.min(3, values.length)))]);
      combos = chosen.reduce((acc, [name, values]) => acc.flatMap((c) => values.map((val) => [...c, [name, val]])), [[]]);
    }
    combos = combos.slice(0, Math.max(1, target - tables['product.product'].size));
    // product.template.attribute.value records, one per (template, attribute value).
    const ptav = new Map();
    for (const combo of combos) {
      for (const [name, val] of combo) {
        const key = `${name}|${val}`;
        if (ptav.has(key)) continue;
        const attr = attribute(w, name);
        const id = w.nextId('product.template.attribute.value', 1);
        tables['product.template.attribute.value'].set(id, { id, name: val, display_name: `${attr.name}: ${val}`, attribute_id: attr.id, product_tmpl_id: tmplId, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created) });
        ptav.set(key, id);
      }
    }
    const stem = stripDiacritics(tpl.name).toUpperCase().replace(/[^A-Z0-9 ]/g, '').split(/\s+/).slice(0, 3).map((x) => x[0]).join('');
    const coded = rng.chance(0.85);
    const active = rng.chance(0.95);
    for (const combo of combos) {
      const id = w.nextId('product.product', 31);
      const values = combo.map(([, val]) => val);
      const extra = values.includes('XXL') ? 20_000 : 0;
      const code = coded ? [`${stem}${String(tmplId).padStart(2, '0')}`, ...values.map((x) => stripDiacritics(x).toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3))].join('-') : false;
      const display = `${code ? `[${code}] ` : ''}${tpl.name}${values.length ? ` (${values.join(', ')})` : ''}`;
      const rec = {
        id, name: tpl.name, display_name: display, default_code: code,
        barcode: kind !== 'service' && rng.chance(0.6) ? ean13(rng) : false,
        list_price: listPrice, lst_price: listPrice + extra,
        standard_price: round0((listPrice + extra) * rng.float(0.5, 0.75)),
        categ_id: category(w, tpl.category), uom_id: 1, product_tmpl_id: tmplId, template_name: tpl.name,
        product_template_attribute_value_ids: combo.map(([name, val]) => ptav.get(`${name}|${val}`)),
        sale_ok: rng.chance(0.97), purchase_ok: true, active,
        description_sale: rng.chance(0.2) ? `${tpl.name} chính hãng, đổi trả 7 ngày.` : false,
        weight: kind === 'service' ? 0 : (tpl.weight || 0) / 1000, taxes_id: [1], image_1920: false,
        kind, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(modified),
      };
      tables['product.product'].set(id, rec);
      if (kind === 'storable') genQuants(w, rng, rec, created);
    }
  }
  // The delivery product the delivery app puts on order lines (a service).
  const id = w.nextId('product.product', 31);
  const created = now0 - 400 * DAY_MS;
  tables['product.product'].set(id, {
    id, name: 'Giao hàng nhanh', display_name: 'Giao hàng nhanh', default_code: false, barcode: false, list_price: 30000,
    lst_price: 30000, standard_price: 0, categ_id: category(w, 'Dịch vụ'), uom_id: 1, product_tmpl_id: ++w.seq['product.template'],
    template_name: 'Giao hàng nhanh', product_template_attribute_value_ids: [], sale_ok: true, purchase_ok: false, active: true,
    description_sale: false, weight: 0, taxes_id: [], image_1920: false, kind: 'service',
    create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created),
  });
  w.deliveryProductId = id;
}

function genQuants(w, rng, product, created) {
  const locs = rng.chance(0.7) ? [8, 20] : [8];
  if (rng.chance(0.2)) locs.push(9);
  for (const loc of locs) {
    const qty = rng.weighted([[rng.int(1, 120), 80], [0, 10], [rng.int(200, 900), 10]]);
    const id = w.nextId('stock.quant', 70);
    w.tables['stock.quant'].set(id, { id, product_id: product.id, location_id: loc, warehouse_id: loc === 20 ? 2 : 1, quantity: qty, reserved_quantity: 0, company_id: 1, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created) });
  }
  // Goods already delivered to customers sit in a non-internal location: never stock.
  if (rng.chance(0.3)) {
    const id = w.nextId('stock.quant', 70);
    w.tables['stock.quant'].set(id, { id, product_id: product.id, location_id: 5, warehouse_id: false, quantity: rng.int(1, 5), reserved_quantity: 0, company_id: 1, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created) });
  }
}

function genCustomers(w, rng) {
  const { tables, now0 } = w;
  for (let n = 0; n < w.opts.counts.customers; n++) {
    const created = between(rng, now0 - 600 * DAY_MS, now0 - 2 * DAY_MS);
    const modified = rng.chance(0.5) ? created : between(rng, created, now0 - 3600_000);
    const biz = rng.chance(0.12) ? vnBusinessName(rng) : null;
    const person = biz ? null : vnCustomerName(rng);
    const addr = rng.chance(0.8) ? vnAddress(rng) : null;
    const state = addr ? PROVINCES.find((p) => p.match === addr.province) : null;
    const id = w.nextId('res.partner', 10);
    const phone = vnPhone(rng);
    tables['res.partner'].set(id, partnerRec({
      id, name: biz ? biz.name : person.name, is_company: Boolean(biz?.company),
      email: rng.chance(0.5) ? vnEmail(rng, stripDiacritics(biz ? biz.name : person.name)) : false,
      phone: rng.chance(0.6) && phone ? phone : false,
      mobile: w.opts.version <= 18 && rng.chance(0.5) ? (vnPhone(rng) || false) : false,
      street: addr ? addr.street : false, street2: addr && rng.chance(0.2) ? addr.ward : false,
      city: addr ? (state ? addr.district : addr.province) : false, state_id: state ? state.id : false,
      country_id: addr ? VN.id : false, ref: rng.chance(0.4) ? `KH${String(id).padStart(6, '0')}` : false,
      customer_rank: rng.int(1, 12), create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(modified),
      active: rng.chance(0.96),
    }));
    // A separate delivery address for some customers (a child partner, not a customer itself).
    if (rng.chance(0.15)) {
      const a = vnAddress(rng);
      const st = PROVINCES.find((p) => p.match === a.province);
      const cid = w.nextId('res.partner', 10);
      const parent = tables['res.partner'].get(id);
      tables['res.partner'].set(cid, partnerRec({ id: cid, name: `${parent.name}, Giao hàng`, display_name: `${parent.name}, Giao hàng`, parent_id: id, type: 'delivery', street: a.street, city: st ? a.district : a.province, state_id: st ? st.id : false, country_id: VN.id, phone: vnPhone(rng) || false, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created) }));
      parent.delivery_id = cid;
    }
  }
  // Vendors: partners that are not customers.
  for (let n = 0; n < 4; n++) {
    const id = w.nextId('res.partner', 10);
    const created = between(rng, now0 - 600 * DAY_MS, now0 - 2 * DAY_MS);
    tables['res.partner'].set(id, partnerRec({ id, name: `Nhà cung cấp ${vnPerson(rng).givenName}`, is_company: true, supplier_rank: 2, customer_rank: 0, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(created) }));
  }
}

function stateFor(w, rng, ageDays) {
  const v = w.opts.version;
  const s = ageDays < 3 ? rng.weighted([['draft', 35], ['sent', 15], ['sale', 40], ['cancel', 10]])
    : rng.weighted([['draft', 8], ['sent', 5], ['sale', 45], ['done', 30], ['cancel', 12]]);
  if (s === 'done' && v >= 17) return { state: 'sale', locked: true };  // "done" became the locked flag
  return { state: s, locked: false };
}

function genOrders(w, rng) {
  const { tables, now0 } = w;
  const customers = [...tables['res.partner'].values()].filter((p) => p.customer_rank > 0);
  const sellable = [...tables['product.product'].values()].filter((p) => p.sale_ok && p.active && p.kind !== 'service');
  for (let n = 0; n < w.opts.counts.orders; n++) {
    const created = Math.floor((now0 - 60_000 - rng.next() ** 1.5 * 120 * DAY_MS) / 1000) * 1000;
    buildOrder(w, rng, created, customers, sellable);
  }
}

function buildOrder(w, rng, created, customers, sellable, forced) {
  const { tables, now0 } = w;
  const v = w.opts.version;
  const id = w.nextId('sale.order', 42);
  const customer = rng.pick(customers);
  const { state, locked } = forced ?? stateFor(w, rng, (now0 - created) / DAY_MS);
  const modified = state === 'draft' && rng.chance(0.5) ? created : Math.min(now0 - 1000, created + rng.int(60, 5 * 86400) * 1000);
  const lineIds = [];
  let seqNo = 10;
  const addLine = (l) => {
    const lid = w.nextId('sale.order.line', 101);
    tables['sale.order.line'].set(lid, {
      id: lid, order_id: id, sequence: (seqNo += 1), display_type: false, product_id: false, product_template_id: false,
      name: '', product_uom_qty: 0, qty_delivered: 0, qty_invoiced: 0, price_unit: 0, discount: 0, price_subtotal: 0,
      price_tax: 0, price_total: 0, is_delivery: false, product_uom: false, tax_id: [], state,
      create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(modified), ...l,
    });
    lineIds.push(lid);
  };
  if (rng.chance(0.2)) addLine({ display_type: 'line_section', name: rng.pick(['Hàng chính', 'Sản phẩm', 'Đơn hàng online']) });
  let untaxed = 0;
  let tax = 0;
  for (const p of rng.sample(sellable, rng.weighted([[1, 45], [2, 30], [3, 15], [4, 10]]))) {
    const qty = rng.weighted([[1, 70], [2, 20], [3, 7], [5, 3]]);
    const discount = rng.chance(0.15) ? rng.pick([5, 6.67, 10, 15]) : 0;
    const subtotal = round0(p.lst_price * qty * (1 - discount / 100));
    const rate = rng.chance(0.3) ? 0.08 : 0;
    const lineTax = round0(subtotal * rate);
    untaxed += subtotal;
    tax += lineTax;
    addLine({
      product_id: p.id, product_template_id: p.product_tmpl_id, name: p.description_sale ? `${p.display_name}\n${p.description_sale}` : p.display_name,
      product_uom_qty: qty, qty_delivered: state === 'sale' || state === 'done' ? qty : 0, price_unit: p.lst_price, discount,
      price_subtotal: subtotal, price_tax: lineTax, price_total: subtotal + lineTax, product_uom: 1, tax_id: rate ? [2] : [],
    });
  }
  if (rng.chance(0.15)) addLine({ display_type: 'line_note', name: rng.pick(['Quà tặng kèm: túi vải', 'Khách dặn gói kỹ', 'Giao giờ hành chính']) });
  if (rng.chance(0.3)) {
    const fee = rng.pick([15000, 25000, 30000]);
    untaxed += fee;
    addLine({ product_id: w.deliveryProductId, name: 'Giao hàng nhanh', product_uom_qty: 1, price_unit: fee, price_subtotal: fee, price_total: fee, is_delivery: true, product_uom: 1 });
  }
  const noteText = rng.chance(0.25) ? rng.pick(['Giao giờ hành chính', 'Gọi trước khi giao', 'Khách quen, tặng kèm quà']) : null;
  const note = noteText ? (v >= 16 ? `<p>${noteText}</p>` : noteText) : false;
  const code = `S${String(id).padStart(5, '0')}`;
  tables['sale.order'].set(id, {
    id, name: code, display_name: code, partner_id: customer.id, partner_invoice_id: customer.id,
    partner_shipping_id: customer.delivery_id ?? customer.id, date_order: formatUtcSeconds(created), validity_date: false,
    commitment_date: false, state, locked, amount_untaxed: untaxed, amount_tax: tax, amount_total: untaxed + tax,
    currency_id: 23, order_line: lineIds, invoice_status: state === 'sale' || state === 'done' ? 'to invoice' : 'no',
    user_id: ADMIN_UID, warehouse_id: rng.chance(0.7) ? 1 : 2, company_id: 1,
    client_order_ref: rng.chance(0.1) ? `PANCAKE-${rng.int(100000, 999999)}-${rng.int(1, 999)}` : false, origin: false,
    note, create_date: formatUtcSeconds(created), write_date: formatUtcSeconds(modified),
  });
  // Confirmed, undelivered orders reserve stock: free_qty = on hand − reserved < qty_available.
  if (state === 'sale' && !locked) {
    for (const lid of lineIds) {
      const l = tables['sale.order.line'].get(lid);
      if (!l.product_id || l.is_delivery) continue;
      l.qty_delivered = 0;
      const quant = [...tables['stock.quant'].values()].find((q) => q.product_id === l.product_id && q.location_id !== 5 && q.quantity - q.reserved_quantity >= l.product_uom_qty);
      if (quant) quant.reserved_quantity += l.product_uom_qty;
    }
  }
  return tables['sale.order'].get(id);
}

// --- reading records the way Odoo serializes them --------------------------------------------

function createReader(w, schema) {
  const names = {
    'product.category': (id) => w.categories && [...w.categories.values()].find((c) => c.id === id)?.display_name,
    'product.attribute': (id) => [...w.attributes.values()].find((a) => a.id === id)?.name,
    'product.template': (id) => [...w.tables['product.product'].values()].find((p) => p.product_tmpl_id === id)?.template_name,
    'uom.uom': () => 'Units',
    'res.currency': () => 'VND',
    'res.company': () => 'Hoa Mai Fashion',
    'account.tax': (id) => (id === 2 ? '8%' : '10%'),
    'res.country': () => VN.name,
    'res.country.state': (id) => PROVINCES.find((p) => p.id === id)?.name,
  };
  function displayName(relation, id) {
    const table = w.tables[relation];
    if (table?.has(id)) {
      const rec = table.get(id);
      if (relation === 'res.partner' && rec.parent_id && rec.type === 'contact') return `${w.tables['res.partner'].get(rec.parent_id)?.name}, ${rec.name}`;
      return rec.display_name ?? rec.complete_name ?? rec.name;
    }
    return names[relation]?.(id) ?? `#${id}`;
  }
  function computed(model, rec, field) {
    if (model === 'product.product' && (field === 'qty_available' || field === 'free_qty' || field === 'virtual_available')) {
      // Stock is summed only when asked for (scanning every quant for every field was the
      // fault suite's hot spot).
      const quants = [...w.tables['stock.quant'].values()].filter((q) => q.product_id === rec.id && w.tables['stock.location'].get(q.location_id)?.usage === 'internal');
      const onHand = quants.reduce((s, q) => s + q.quantity, 0);
      const reserved = quants.reduce((s, q) => s + q.reserved_quantity, 0);
      if (field === 'qty_available') return rec.kind === 'storable' ? onHand : 0;
      if (field === 'free_qty') return rec.kind === 'storable' ? onHand - reserved : 0;
      return rec.kind === 'storable' ? onHand - reserved : 0;  // virtual_available
    }
    if (model === 'product.product') {
      if (field === 'type') {
        const v = w.opts.version;
        if (rec.kind === 'service') return 'service';
        if (rec.kind === 'combo') return 'combo';
        return v >= 18 ? 'consu' : rec.kind === 'storable' ? 'product' : 'consu';
      }
      if (field === 'detailed_type') return rec.kind === 'service' ? 'service' : rec.kind === 'storable' ? 'product' : 'consu';
      if (field === 'is_storable') return rec.kind === 'storable';
    }
    if (model === 'stock.quant' && field === 'available_quantity') return rec.quantity - rec.reserved_quantity;
    if (model === 'stock.quant' && field === 'inventory_quantity') return 0;
    if (model === 'res.partner' && field === 'sale_order_count') return [...w.tables['sale.order'].values()].filter((o) => o.partner_id === rec.id).length;
    return undefined;
  }
  function value(model, rec, field) {
    const def = schema[model][field];
    let v = computed(model, rec, field);
    if (v === undefined) v = rec[storedKey(model, field)];
    if (def.type === 'many2one') return v ? [v, displayName(def.relation, v)] : false;
    if (def.type === 'one2many' || def.type === 'many2many') return Array.isArray(v) ? v : [];
    if (def.type === 'boolean') return Boolean(v);
    if (def.type === 'float' || def.type === 'monetary') return typeof v === 'number' ? v : 0;
    if (def.type === 'integer') return typeof v === 'number' ? v : 0;
    return v === undefined || v === null || v === '' ? false : v;
  }
  return { value, displayName };
}

// --- domains --------------------------------------------------------------------------------

function compare(op, a, b) {
  const arr = Array.isArray(b) ? b : [b];
  switch (op) {
    case '=': return a === b || (b === false && (a === false || a === null || a === undefined));
    case '!=': return !compare('=', a, b);
    case '>': return a !== false && a > b;
    case '>=': return a !== false && a >= b;
    case '<': return a !== false && a < b;
    case '<=': return a !== false && a <= b;
    case 'in': return arr.some((x) => x === a || (Array.isArray(a) && a.includes(x)));
    case 'not in': return !compare('in', a, b);
    case 'ilike': return typeof a === 'string' && a.toLowerCase().includes(String(b).toLowerCase());
    case 'like': return typeof a === 'string' && a.includes(String(b));
    default: throw new OdooError('builtins.ValueError', `Invalid leaf operator '${op}'`, 422);
  }
}

function createDomain(w, schema, reader) {
  function leafValue(model, rec, path) {
    const [head, ...rest] = path.split('.');
    const def = schema[model][head];
    if (!def) throw invalidField(model, head);
    const raw = reader.value(model, rec, head);
    if (!rest.length) return def.type === 'many2one' ? (raw ? raw[0] : false) : raw;
    if (def.type !== 'many2one' || !w.tables[def.relation]) throw invalidField(model, path);
    const target = raw ? w.tables[def.relation].get(raw[0]) : null;
    return target ? leafValue(def.relation, target, rest.join('.')) : false;
  }
  // Polish notation: '&' '|' '!' prefix operators; leaves are [field, op, value]; implicit AND.
  function evaluate(model, rec, domain) {
    let i = 0;
    const next = () => {
      const term = domain[i++];
      if (term === '&') return next() & next() ? true : false;
      if (term === '|') { const a = next(); const b = next(); return a || b; }
      if (term === '!') return !next();
      if (!Array.isArray(term) || term.length !== 3) throw new OdooError('builtins.ValueError', `Invalid leaf ${JSON.stringify(term)}`, 422);
      const [field, op, val] = term;
      return compare(op, leafValue(model, rec, field), val);
    };
    let ok = true;
    while (i < domain.length) ok = next() && ok;
    return ok;
  }
  const mentionsActive = (domain) => domain.some((t) => Array.isArray(t) && t[0] === 'active');
  return { evaluate, mentionsActive };
}

// --- the simulator --------------------------------------------------------------------------------

function normalizeOptions(o = {}) {
  const version = o.version ?? 17;
  if (!(version >= 14 && version <= 19)) throw new Error('version must be 14..19');
  return {
    seed: o.seed ?? 1,
    version,
    db: o.db ?? ODOO_DEFAULT_DB,
    login: o.login ?? ODOO_DEFAULT_LOGIN,
    apiKey: o.apiKey ?? ODOO_DEFAULT_API_KEY,
    password: o.password ?? ODOO_DEFAULT_PASSWORD,
    counts: { products: 70, customers: 60, orders: 90, ...o.counts },
    faults: { ...o.faults },
    now: o.now ?? Date.now,
    host: o.host ?? '127.0.0.1',
    loginCooldownAfter: o.loginCooldownAfter ?? 5,  // base.login_cooldown_after (odoo.md §2.1)
    externalApi: o.externalApi ?? true,             // false: an Odoo Online Standard plan [UNCONFIRMED error]
  };
}

export function createOdooSimulator(options = {}) {
  const opts = normalizeOptions(options);
  const now = () => opts.now();
  const anchorMs = now();
  const schema = schemaFor(opts.version);
  let world;
  let reader;
  let domains;
  let faults;
  let stats;
  let loginFailures;
  let server = null;
  const pendingTimers = new Set();

  function reset() {
    world = generateWorld(opts, anchorMs);
    reader = createReader(world, schema);
    domains = createDomain(world, schema, reader);
    faults ??= createFaultInjector({ seed: opts.seed, label: 'odoo/faults', rates: opts.faults });
    faults.reset(opts.faults);
    stats ??= createRequestStats();
    stats.reset();
    loginFailures = 0;
  }
  reset();

  const secretOk = (s) => s === opts.apiKey || s === opts.password;

  // --- ORM -----------------------------------------------------------------------------------

  function model(name) {
    if (!schema[name]) throw new OdooError('builtins.KeyError', `'${name}'`, 404);
    return schema[name];
  }

  function rowsOf(name, domain, context = {}) {
    const fields = model(name);
    let rows = [...world.tables[name].values()];
    if (fields.active && !domains.mentionsActive(domain) && context.active_test !== false) rows = rows.filter((r) => r.active !== false);
    return rows.filter((r) => domains.evaluate(name, r, domain));
  }

  function sortRows(name, rows, order) {
    const keys = String(order || 'id').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const [field, dir = 'asc'] = s.split(/\s+/);
      if (!schema[name][field]) throw invalidField(name, field);
      return { field, desc: dir.toLowerCase() === 'desc' };
    });
    return rows.sort((a, b) => {
      for (const { field, desc } of keys) {
        const x = reader.value(name, a, field);
        const y = reader.value(name, b, field);
        const xv = Array.isArray(x) ? x[1] : x;
        const yv = Array.isArray(y) ? y[1] : y;
        if (xv < yv) return desc ? 1 : -1;
        if (xv > yv) return desc ? -1 : 1;
      }
      return 0;
    });
  }

  function present(name, rec, fields) {
    const out = { id: rec.id };
    for (const f of fields) {
      if (!schema[name][f]) throw invalidField(name, f);
      out[f] = reader.value(name, rec, f);
    }
    return out;
  }

  function fieldList(name, fields) {
    if (fields === undefined || fields === null || (Array.isArray(fields) && !fields.length)) {
      return Object.keys(schema[name]).filter((f) => schema[name][f].type !== 'binary');  // no fields = all (slow in reality)
    }
    if (!Array.isArray(fields)) throw new OdooError('builtins.TypeError', 'fields must be a list', 422);
    for (const f of fields) if (!schema[name][f]) throw invalidField(name, f);
    return fields;
  }

  // One ORM call with positional + named arguments (execute_kw and JSON-2 alike).
  function call(name, method, args = [], kwargs = {}) {
    const fields = model(name);
    const context = kwargs.context ?? {};
    switch (method) {
      case 'search_read': {
        const domain = kwargs.domain ?? args[0] ?? [];
        const list = fieldList(name, kwargs.fields ?? args[1]);
        const offset = kwargs.offset ?? args[2] ?? 0;
        const limit = kwargs.limit ?? args[3] ?? null;
        const rows = sortRows(name, rowsOf(name, domain, context), kwargs.order ?? args[4] ?? 'id');
        const page = rows.slice(offset, limit ? offset + limit : undefined);
        stats.bump('rowsServed', page.length);
        return page.map((r) => present(name, r, list));
      }
      case 'search_count':
        return rowsOf(name, kwargs.domain ?? args[0] ?? [], context).length;
      case 'search': {
        const rows = sortRows(name, rowsOf(name, kwargs.domain ?? args[0] ?? [], context), kwargs.order ?? 'id');
        const offset = kwargs.offset ?? 0;
        return rows.slice(offset, kwargs.limit ? offset + kwargs.limit : undefined).map((r) => r.id);
      }
      case 'read': {
        const ids = kwargs.ids ?? args[0] ?? [];
        const list = fieldList(name, kwargs.fields ?? args[1]);
        return ids.map((id) => {
          const rec = world.tables[name].get(id);
          if (!rec) throw new OdooError('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${name}(${id},), User: ${ADMIN_UID})`, 404);
          return present(name, rec, list);
        });
      }
      case 'fields_get': {
        const all = kwargs.allfields ?? args[0];
        const attributes = kwargs.attributes ?? args[1] ?? ['string', 'type'];
        const out = {};
        for (const [f, def] of Object.entries(fields)) {
          if (Array.isArray(all) && all.length && !all.includes(f)) continue;  // unknown names are ignored
          const desc = {};
          if (attributes.includes('type')) desc.type = def.type;
          if (attributes.includes('string')) desc.string = f.replace(/_/g, ' ');
          if (attributes.includes('relation') && def.relation) desc.relation = def.relation;
          out[f] = desc;
        }
        return out;
      }
      case 'context_get':
        if (name !== 'res.users') break;
        return { lang: 'vi_VN', tz: 'Asia/Ho_Chi_Minh', uid: ADMIN_UID };
      default:
        break;
    }
    throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model '${name}'`, 404);
  }

  // --- JSON-RPC --------------------------------------------------------------------------------

  function rpc(service, method, args) {
    if (service === 'common' && method === 'version') {
      const info = [opts.version, 0, 0, 'final', 0, ''];
      return { server_version: `${opts.version}.0`, server_version_info: info, server_serie: `${opts.version}.0`, protocol_version: 1 };
    }
    if (service === 'db' && method === 'list') return [opts.db];
    if (service === 'common' && (method === 'authenticate' || method === 'login')) {
      const [db, login, password] = args;
      if (db !== opts.db) throw new OdooError('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${db}" does not exist`);
      if (loginFailures >= opts.loginCooldownAfter) throw accessDenied('Too many login failures, please wait a bit before trying again.');
      if (login !== opts.login || !secretOk(password)) {
        loginFailures++;
        stats.bump('loginFailures');
        return false;  // a result, not an error (odoo.md §2.9.1)
      }
      stats.bump('logins');
      return ADMIN_UID;
    }
    if (service === 'object' && (method === 'execute_kw' || method === 'execute')) {
      const [db, uid, password, name, m, callArgs = [], kwargs = {}] = args;
      if (db !== opts.db) throw new OdooError('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${db}" does not exist`);
      if (uid !== ADMIN_UID || !secretOk(password)) throw accessDenied();  // re-checked on every call
      if (!opts.externalApi) throw accessDenied('API access is not available on your subscription plan.');
      stats.bump(`call:${name}.${m}`);
      return call(name, m, callArgs, kwargs);
    }
    throw new OdooError('werkzeug.exceptions.NotFound', `404: Not Found (${service}.${method})`, 404);
  }

  function send(res, status, text, { truncate = false, headers = {} } = {}) {
    sendText(res, status, text, { truncate, headers });
  }

  async function handleJsonRpc(req, res, ctx) {
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      stats.record(ctx.route, 200);
      return send(res, 200, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 200, message: 'Odoo Server Error', data: { name: 'werkzeug.exceptions.BadRequest', message: 'Invalid JSON data', arguments: [], context: {} } } }));
    }
    const { id = null, params = {} } = body ?? {};
    ctx.route = `POST /jsonrpc ${params.service}.${params.method}${params.method === 'execute_kw' ? ` ${params.args?.[3]}.${params.args?.[4]}` : ''}`;
    stats.record(ctx.route, 200);
    try {
      const result = rpc(params.service, params.method, params.args ?? []);
      return send(res, 200, JSON.stringify({ jsonrpc: '2.0', id, result }), { truncate: ctx.truncate });
    } catch (err) {
      if (!(err instanceof OdooError)) throw err;
      return send(res, 200, JSON.stringify(rpcError(id, err)));  // errors are HTTP 200 too
    }
  }

  async function handleJson2(req, res, ctx, name, method) {
    ctx.route = `POST /json/2/${name}/${method}`;
    const fail = (status, errName, message) => {
      stats.record(ctx.route, status);
      const args = status === 401 ? [message, 401] : [message];
      return send(res, status, JSON.stringify({ name: errName, message, arguments: args, context: {}, debug: `Traceback (most recent call last):\n${errName}: ${message}\n` }));
    };
    if (opts.version < 19) return fail(404, 'werkzeug.exceptions.NotFound', '404 Not Found: The requested URL was not found on the server.');
    const auth = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!auth || auth[1] !== opts.apiKey) return fail(401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey');  // passwords are not keys
    const dbHeader = req.headers['x-odoo-database'];
    if (dbHeader && dbHeader !== opts.db) return fail(404, 'werkzeug.exceptions.NotFound', `database ${dbHeader} not found`);
    let body;
    try {
      const text = await readBody(req);
      body = text.trim() ? JSON.parse(text) : {};
    } catch {
      return fail(400, 'werkzeug.exceptions.BadRequest', 'Invalid JSON data');
    }
    try {
      const { ids, ...kwargs } = body;
      const result = call(name, method, ids ? [ids] : [], { ...kwargs, ...(ids ? { ids } : {}) });
      stats.record(ctx.route, 200);
      return send(res, 200, JSON.stringify(result), { truncate: ctx.truncate });
    } catch (err) {
      if (!(err instanceof OdooError)) throw err;
      return fail(err.status, err.odooName, err.message);
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox.local');
    if (await handleSandboxControl(req, res, url, { info, stats: statsSnapshot, truth, actions })) return;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const ctx = { route: `${req.method} ${path}`, truncate: false };
    if (await applyFault(faults, stats, res, ctx, { pendingTimers, body: (s) => (s === 429 ? '<h1>Too Many Requests</h1>' : '') })) return;
    if (path === '/web/version') {
      stats.record(ctx.route, 200);
      return send(res, 200, JSON.stringify({ version_info: [opts.version, 0, 0, 'final', 0, ''], version: `${opts.version}.0` }));
    }
    if (req.method === 'POST' && (path === '/jsonrpc' || path === '/jsonrpc/')) return handleJsonRpc(req, res, ctx);
    const json2 = /^\/json\/2\/([\w.]+)\/(\w+)$/.exec(path);
    if (req.method === 'POST' && json2) return handleJson2(req, res, ctx, json2[1], json2[2]);
    stats.record(ctx.route, 404);
    return send(res, 404, '<!DOCTYPE html><title>404: Not Found</title>', {});
  }

  // --- controls ---------------------------------------------------------------------------------

  const ENTITY_MODEL = { products: 'product.product', orders: 'sale.order', customers: 'res.partner', locations: 'stock.warehouse' };
  function entityModel(entity) {
    const m = ENTITY_MODEL[entity] ?? ENTITY_MODEL[{ product: 'products', order: 'orders', customer: 'customers', warehouses: 'locations', location: 'locations' }[entity]];
    if (!m) throw new HttpError(400, `unknown entity "${entity}" (use one of ${ODOO_ENTITIES.join(', ')})`);
    return m;
  }
  const stamp = () => formatUtcSeconds(now());

  function truth(entity) {
    const m = entityModel(entity);
    let rows = [...world.tables[m].values()];
    if (m === 'res.partner') rows = rows.filter((p) => p.customer_rank > 0);
    return rows.sort((a, b) => a.id - b.id).map((r) => present(m, r, Object.keys(schema[m]).filter((f) => schema[m][f].type !== 'binary')));
  }

  function touch(entity, id) {
    const m = entityModel(entity);
    const rec = world.tables[m].get(Number(id));
    if (!rec) throw new HttpError(404, `${entity} ${id} not found`);
    const rng = world.mutations;
    if (m === 'product.product') rec.lst_price += rng.pick([5000, 10000, -5000]);
    if (m === 'res.partner') rec.phone = vnPhone(rng) || '0909123456';
    if (m === 'sale.order') {
      if (rec.state === 'draft' || rec.state === 'sent') rec.state = 'sale';
      else if (rec.state === 'sale' && opts.version >= 17) rec.locked = true;
      else if (rec.state === 'sale') rec.state = 'done';
    }
    if (m === 'stock.warehouse') rec.name = `${rec.name.replace(/ \(.*\)$/, '')} (cập nhật)`;
    rec.write_date = stamp();
    return present(m, rec, Object.keys(schema[m]).filter((f) => schema[m][f].type !== 'binary'));
  }

  function create(entity) {
    const m = entityModel(entity);
    const rng = world.mutations;
    const t = Math.floor(now() / 1000) * 1000;
    if (m === 'sale.order') {
      const customers = [...world.tables['res.partner'].values()].filter((p) => p.customer_rank > 0 && p.active !== false);
      const sellable = [...world.tables['product.product'].values()].filter((p) => p.sale_ok && p.active && p.kind !== 'service');
      const rec = buildOrder(world, rng, t, customers, sellable, { state: 'draft', locked: false });
      rec.write_date = formatUtcSeconds(t);
      return present(m, rec, ['name', 'state', 'write_date']);
    }
    if (m === 'res.partner') {
      const id = world.nextId('res.partner', 10);
      world.tables['res.partner'].set(id, partnerRec({ id, name: vnPerson(rng).name, phone: vnPhone(rng) || false, customer_rank: 1, create_date: formatUtcSeconds(t), write_date: formatUtcSeconds(t) }));
      return { id };
    }
    if (m === 'product.product') {
      const id = world.nextId('product.product', 31);
      const tmpl = ++world.seq['product.template'];
      world.tables['product.product'].set(id, { id, name: 'Sản phẩm mới', display_name: `[NEW${id}] Sản phẩm mới`, default_code: `NEW${id}`, barcode: false, list_price: 99000, lst_price: 99000, standard_price: 50000, categ_id: category(world, 'Áo'), uom_id: 1, product_tmpl_id: tmpl, template_name: 'Sản phẩm mới', product_template_attribute_value_ids: [], sale_ok: true, purchase_ok: true, active: true, description_sale: false, weight: 0.2, taxes_id: [], image_1920: false, kind: 'storable', create_date: formatUtcSeconds(t), write_date: formatUtcSeconds(t) });
      genQuants(world, rng, world.tables['product.product'].get(id), t);
      return { id };
    }
    // A warehouse comes with its stock location (WH2/Stock), as stock.warehouse.create does.
    const id = world.nextId('stock.warehouse', 3);
    const code = `WH${id}`;
    const lot = world.nextId('stock.location', 30);
    world.tables['stock.location'].set(lot, { id: lot, name: `${code}/Stock`, complete_name: `${code}/Stock`, display_name: `${code}/Stock`, usage: 'internal', warehouse_id: id, create_date: formatUtcSeconds(t), write_date: formatUtcSeconds(t) });
    const name = `Kho ${rng.pick(['Đà Nẵng', 'Cần Thơ', 'Hải Phòng', 'Nha Trang'])} ${id}`;
    world.tables['stock.warehouse'].set(id, { id, name, display_name: name, code, partner_id: 1, company_id: 1, lot_stock_id: lot, active: true, create_date: formatUtcSeconds(t), write_date: formatUtcSeconds(t) });
    return { id };
  }

  /**
   * The shop deletes a record, as Odoo lets it: a quotation (draft, sent) or a cancelled order
   * is unlinked (sale.order refuses to unlink others: they are cancelled); a product, customer
   * or warehouse that nothing refers to is unlinked, one in use is archived (its unlink fails:
   * ondelete restrict). Unlinked rows vanish from every search (odoo.md §60); ids are never
   * reused (PostgreSQL sequences).
   */
  function remove(entity, id) {
    const m = entityModel(entity);
    const rec = world.tables[m].get(Number(id));
    if (!rec) throw new HttpError(404, `${entity} ${id} not found`);
    const any = (model, pred) => [...world.tables[model].values()].some(pred);
    let inUse;
    if (m === 'sale.order') inUse = !['draft', 'sent', 'cancel'].includes(rec.state);
    else if (m === 'product.product') inUse = any('sale.order.line', (l) => l.product_id === rec.id) || any('stock.quant', (q) => q.product_id === rec.id);
    else if (m === 'res.partner') inUse = any('sale.order', (o) => [o.partner_id, o.partner_invoice_id, o.partner_shipping_id].includes(rec.id)) || any('res.partner', (p) => p.parent_id === rec.id);
    else inUse = any('sale.order', (o) => o.warehouse_id === rec.id) || any('stock.quant', (q) => q.warehouse_id === rec.id);
    if (!inUse) {
      world.tables[m].delete(rec.id);
      if (m === 'sale.order') for (const lid of rec.order_line) world.tables['sale.order.line'].delete(lid);
      if (m === 'stock.warehouse') world.tables['stock.location'].delete(rec.lot_stock_id);
      return { id: rec.id, removed: true };
    }
    if (m === 'sale.order') rec.state = 'cancel';
    else rec.active = false;
    rec.write_date = stamp();
    return { id: rec.id, removed: false, archived: m !== 'sale.order', cancelled: m === 'sale.order' };
  }

  function statsSnapshot() {
    const s = stats.snapshot();
    return { total: s.total, byRoute: s.byRoute, byStatus: s.byStatus, faultsInjected: s.counters.faultsInjected ?? 0, logins: s.counters.logins ?? 0, loginFailures: s.counters.loginFailures ?? 0, counters: s.counters, pendingScriptedFaults: faults.pending() };
  }

  function info() {
    return {
      platform: 'odoo', url: server?.url, version: opts.version, db: opts.db, login: opts.login, apiKey: opts.apiKey,
      json2: opts.version >= 19, entities: ODOO_ENTITIES,
      counts: Object.fromEntries(ODOO_ENTITIES.map((e) => [e, truth(e).length])),
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
    touch,
    create,
    remove,
    setFaults: (partial) => faults.set(partial),
    failNext: (list) => faults.failNext(list),
    stats: statsSnapshot,
    reset,
    /** The raw stored rows (tests): model name → array. */
    rows: (m) => [...world.tables[m].values()],
  };
}
