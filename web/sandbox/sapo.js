// Local simulator of the Sapo Admin API (`https://{store}.mysapo.net/admin/{resource}.json`),
// for tests and the offline demo. The store, paging, rate limiting, faults and controls are
// shared with Haravan (shopify-family.js); this file is Sapo's dialect: paths, auth, field
// names and formats, limits and quirks, cited as "sapo.md §B.x".
//
//   const sim = createSapoSimulator({ seed: 1 });  await sim.listen();
//   // client: https://demoshop.mysapo.net → sim.url, Basic apiKey:apiSecret
//
// Quirks reproduced: `status=any` on orders answers an EMPTY list and no status means open
// only (§B.9.1); `/admin/shop.json` answers 403 while `/admin/store.json` works (§B.9.12);
// variant `inventory_quantity` is available-to-sell while per-location stock lives in
// `inventory_levels` keyed by `inventory_item_id` ≠ variant id, with `_at` names (§B.4, §B.9.7);
// single-variant products carry option "Title" / "Default Title"; `compare_at_price` 0.0 for
// none; `inventory_management` "" when stock is not tracked; the call-limit header comes twice
// (`X-Sapo-Api-Call-Limit`, `X-Bizweb-Api-Call-Limit`) (§B.6).
import { createShopifyFamilySimulator, orderTotals } from './shopify-family.js';

export const SAPO_DEFAULT_STORE = 'demoshop';
export const SAPO_DEFAULT_API_KEY = '999f35603fef47849b6a44b67104a647';
export const SAPO_DEFAULT_API_SECRET = '5c1a7e02b84d4f39a1e6c3d8b0f27a94';
export const SAPO_DEFAULT_ACCESS_TOKEN = 'f85632530bf277ec9ac6f649fc327f17';

/** "2025-05-13T08:53:30Z": UTC, whole seconds (§B.5). */
export function formatSapoTime(ms) {
  return ms == null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Money as JSON numbers with one decimal, as live Sapo Web writes them (150000.0) (§B.5).
const DECIMALS = Object.fromEntries(['price', 'compare_at_price', 'total_price', 'subtotal_price', 'sub_total_price',
  'total_line_items_price', 'total_discounts', 'total_discount', 'total_tax', 'total_shipping_price', 'total_spent', 'amount',
  'weight', 'on_hand', 'available', 'committed', 'incoming', 'discounted_unit_price', 'discounted_total', 'original_total',
  'unpaid_amount', 'total_received', 'current_total_price', 'net_payment', 'total_quantity'].map((k) => [k, 1]));

function splitName(full) {
  const [family, ...rest] = String(full ?? '').split(' ');
  return { first: rest.join(' ') || null, last: family || null };
}

function address(a, name, id) {
  if (!a) return null;
  const { first, last } = splitName(name);
  return {
    id, address1: a.street, address2: null, city: a.province, company: null, country: 'Vietnam', country_code: 'VN',
    province: a.province, province_code: null, district: a.district, district_code: null, ward: a.ward, ward_code: null,
    first_name: first, last_name: last, name, phone: a.phone ?? null, zip: null,
  };
}

function renderCustomer(c, ctx) {
  const s = ctx.customerStats.get(c.id);
  const first = c.typedInOneBox ? c.fullName : c.given;
  const last = c.typedInOneBox ? null : c.family;
  const addr = c.address ? { ...address(c.address, c.fullName, c.address.id), first_name: first, last_name: last, default: true } : null;
  if (addr) delete addr.name;
  // The docs write "Male/Female/Other", live payloads "other" (§B.10): both appear.
  const gender = c.gender ?? 'other';
  return {
    id: c.id, state: c.state, email: c.email, verified_email: Boolean(c.email), phone: `+84${c.mobile.slice(1)}`,
    first_name: first, last_name: last, gender: c.id % 5 === 0 ? gender[0].toUpperCase() + gender.slice(1) : gender,
    dob: c.birthday, accepts_marketing: c.acceptsMarketing, orders_count: s?.count ?? 0, total_spent: s?.spent ?? 0,
    last_order_id: s?.last.id ?? null, last_order_name: s ? `#${s.last.number}` : null, note: c.note, tags: c.tags.join(', '),
    created_on: formatSapoTime(c.createdMs), modified_on: formatSapoTime(c.modifiedMs),
    addresses: addr ? [addr] : [], default_address: addr,
  };
}

function renderProduct(p, ctx) {
  const storeNo = ctx.world.orgId % 1000;
  const t = (ms) => formatSapoTime(ms);
  const images = p.images.map((img) => ({
    id: img.id, product_id: p.id, position: img.position, variant_ids: img.variantIds, created_on: t(p.createdMs),
    modified_on: t(p.createdMs), src: `https://bizweb.dktcdn.net/100/${storeNo}/products/${img.file}?v=${p.createdMs}`,
    alt: '', filename: img.file, size: 40_000 + (img.id % 20_000), width: 800, height: 800,
  }));
  const single = p.options.length === 0;
  const options = single
    ? [{ id: p.id * 3 + 1, name: 'Title', position: 1, created_on: t(p.createdMs), modified_on: t(p.createdMs), values: ['Default Title'] }]
    : p.options.map((name, i) => ({ id: p.id * 3 + i + 1, name, position: i + 1, created_on: t(p.createdMs), modified_on: t(p.createdMs),
      values: [...new Set(p.variants.map((v) => v.values[i]))] }));
  const variants = p.variants.map((v) => {
    const available = Object.values(v.stock).reduce((s, x) => s + x.onHand - x.committed, 0);
    const o = (i) => (single ? (i === 0 ? 'Default Title' : null) : v.values[i] ?? null);
    return {
      id: v.id, inventory_item_id: v.itemId, barcode: v.barcode, sku: v.sku, price: v.price, compare_at_price: v.compareAt ?? 0,
      option1: o(0), option2: o(1), option3: o(2), taxable: false, inventory_management: v.tracked ? 'bizweb' : '',
      inventory_policy: v.policy, inventory_quantity: v.tracked ? available : 0, lot_management: false, requires_shipping: v.grams > 0,
      weight: v.grams, weight_unit: 'g', unit: v.unit, image_id: p.images.find((im) => im.variantIds.includes(v.id))?.id ?? null,
      position: v.position, created_on: t(v.createdMs), modified_on: t(p.modifiedMs), title: single ? 'Default Title' : v.values.join(' / '),
      grams: v.grams, product_id: p.id, type: 'normal', requires_components: false,
    };
  });
  return {
    id: p.id, name: p.name, alias: p.handle, vendor: p.vendor, product_type: p.category, meta_title: null, meta_description: null,
    summary: null, published_on: t(p.publishedMs), template_layout: null, created_on: t(p.createdMs), modified_on: t(p.modifiedMs),
    content: p.body, tags: p.tags.join(', '), status: p.status, type: 'normal', images, image: images[0] ?? null, variants, options,
    vat_pit_category_code: null,
  };
}

function renderOrder(o, ctx) {
  const t = (ms) => formatSapoTime(ms);
  const tot = orderTotals(o);
  const customer = o.customerId ? ctx.world.tables.customers.get(o.customerId) : null;
  const ship = address(o.shippingAddress, o.recipient, undefined);
  if (ship) Object.assign(ship, { latitude: null, longitude: null }), delete ship.id;
  const lines = o.lines.map((l) => ({
    id: l.id, price: l.price, total_discount: 0, discount_code: null,
    fulfillment_status: o.fulfillment === 'fulfilled' ? 'fulfilled' : null, fulfillable_quantity: o.fulfillment === 'fulfilled' ? 0 : l.qty,
    quantity: l.qty, current_quantity: l.qty, grams: l.grams, product_id: l.productId, variant_id: l.variantId,
    product_exists: ctx.world.tables.products.has(l.productId), variant_inventory_management: 'bizweb', requires_shipping: l.grams > 0,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title, title: l.title, variant_title: l.variantTitle ?? 'Default Title',
    sku: l.sku, vendor: l.vendor, gift_card: false, properties: [],
    // Line discounts arrive as allocations; total_discount stays 0.0 (Shopify's newer style).
    discount_allocations: l.discount ? [{ amount: l.discount, discount_application_index: 0 }] : [],
    tax_lines: [], taxable: o.taxRate > 0, discounted_unit_price: (l.price * l.qty - l.discount) / l.qty,
    discounted_total: l.price * l.qty - l.discount, original_total: l.price * l.qty, fulfillment_service: 'manual', unit: null, note: null, deleted: false,
  }));
  const paid = o.financial === 'paid' ? tot.total : o.financial === 'partially_paid' ? Math.round(tot.total * 0.3) : 0;
  return {
    id: o.id, buyer_accepts_marketing: false, cancel_reason: o.cancelReason, cancelled_on: t(o.cancelledMs), confirmed_on: t(o.confirmedMs),
    cart_token: null, checkout_token: null, closed_on: t(o.closedMs), created_on: t(o.createdMs), currency: 'VND', email: o.email,
    phone: o.phone ? `+84${o.phone.slice(1)}` : null, customer_group_id: null,
    fulfillment_status: o.fulfillment === 'unfulfilled' ? null : o.fulfillment, financial_status: o.financial,
    issue_status: 'pending', status: o.state, return_status: 'no_return', name: `#${o.number}`, note: o.note, number: o.number - 1000,
    order_number: o.number, processed_on: t(o.createdMs), source_name: o.source, source: o.source === 'pos' ? 'pos' : 'bizweb_draft_order',
    gateway: o.gateway, token: `${o.id.toString(16)}${'0'.repeat(24)}`.slice(0, 32), total_discounts: tot.discounts,
    total_line_items_price: tot.lineItems, total_price: tot.total, total_weight: o.lines.reduce((s, l) => s + l.grams * l.qty, 0),
    modified_on: t(o.modifiedMs), tags: '', test: false, completed_on: t(o.closedMs), delivered_on: t(o.deliveredMs),
    billing_address: ship ? { ...ship } : null, shipping_address: ship,
    customer: customer ? renderCustomer(customer, ctx) : null,
    line_items: lines,
    shipping_lines: o.shipping ? [{ code: o.shipping.code, price: o.shipping.price, source: o.shipping.code?.toLowerCase() ?? null, title: o.shipping.title, tax_lines: [] }] : [],
    fulfillments: o.fulfillment === 'unfulfilled' ? [] : [{
      id: o.id + 7, name: `#${o.number}.1`, location_id: o.locationId, order_id: o.id, delivery_method: 'external_shipper', status: 'success',
      shipment_status: o.delivered ? 'delivered' : 'pending', tracking_company: o.shipping?.title ?? null, tracking_number: `#${o.number}`,
      line_items: [], created_on: t(o.modifiedMs), modified_on: t(o.modifiedMs), cancelled_on: null, delivered_on: t(o.deliveredMs),
    }],
    refunds: [], note_attributes: [], discount_codes: o.code ? [{ code: o.code.code, amount: o.code.amount, type: 'fixed_amount' }] : [],
    discount_applications: [], location_id: o.locationId, payment_gateway_names: [o.gateway], taxes_included: false,
    tax_lines: o.taxRate ? [{ price: tot.tax, rate: o.taxRate, title: 'VAT' }] : [], total_shipping_price: tot.shipping, total_tax: tot.tax,
    unpaid_amount: tot.total - paid, total_received: paid, subtotal_price: tot.subtotal, sub_total_price: tot.subtotal,
  };
}

function renderLocation(l) {
  return {
    id: l.id, name: l.name, address1: `${l.address1}, ${l.ward}`, address2: null, city: l.province, province: l.province, country: 'VN',
    zip: null, phone: l.phone, active: l.active, created_on: formatSapoTime(l.createdMs), modified_on: formatSapoTime(l.modifiedMs),
  };
}

export const SAPO_DIALECT = {
  platform: 'sapo',
  prefix: '/admin/',
  maxLimit: 250, // §B.2
  stockMaxLimit: 250,
  bucket: 40, // §B.6: 40 per app per store, leaking 2/s
  leak: 2,
  tick: 1000,
  roundTime: (ms) => ms - (((ms % 1000) + 1000) % 1000),
  formatTime: formatSapoTime,
  callLimitHeaders: ['X-Sapo-Api-Call-Limit', 'X-Bizweb-Api-Call-Limit'],
  params: { updatedMin: 'modified_on_min', updatedMax: 'modified_on_max', createdMin: 'created_on_min', createdMax: 'created_on_max' },
  // No sort parameter is documented (§B.2); we honour `order` the Shopify/Haravan way (UNCONFIRMED).
  sortKeys: { modified_on: 'updated', created_on: 'created', id: 'id' },
  statusAnyIsEmpty: true,
  shopPath: 'store',
  forbiddenPaths: ['shop'],
  stockPath: 'inventory_levels',
  // inventory_item_ids (comma list) + location_ids, `page` + `limit` ≤ 250 (§B.3); no documented cap on ids.
  stockIdsParam: 'inventory_item_ids',
  // The webhooks API (§B.3, §B.8): topics a registration may name, as documented.
  webhookTopics: ['app/uninstalled', 'app/charge', 'collections/create', 'collections/update', 'collections/delete', 'customers/create',
    'customers/update', 'customers/delete', 'customers/enable', 'customers/disable', 'fulfillments/create', 'fulfillments/update', 'orders/create',
    'orders/delete', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled',
    'order_transactions/create', 'products/create', 'products/update', 'products/delete', 'refunds/create', 'store/update', 'carts/create', 'carts/update'],
  stockKey: 'item',
  stockPaging: 'page',
  deleteBody: '{}',
  decimals: DECIMALS,
  firstOrderNumber: 1001,
  idBase: { locations: 825_700, products: 46_410_000, variants: 147_230_000, items: 147_000_000, images: 98_020_000, customers: 42_140_000,
    orders: 174_100_000, lines: 290_320_000, addresses: 54_300_000 },
  defaultCredentials: { store: SAPO_DEFAULT_STORE, apiKey: SAPO_DEFAULT_API_KEY, apiSecret: SAPO_DEFAULT_API_SECRET, accessToken: SAPO_DEFAULT_ACCESS_TOKEN },
  defaultWebhookSecret: SAPO_DEFAULT_API_SECRET, // webhooks are signed with the app's secret (§B.8)
  checkAuth(headers, c) {
    if (headers['x-sapo-access-token']) return headers['x-sapo-access-token'] === c.accessToken ? 'ok' : 'invalid';
    const m = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
    if (!m) return 'missing';
    return Buffer.from(m[1], 'base64').toString('utf8') === `${c.apiKey}:${c.apiSecret}` ? 'ok' : 'invalid';
  },
  messages: {
    unauthorized: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    forbidden: (resource, write) => `[API] This action requires merchant approval for ${write ? 'write' : 'read'}_${{ locations: 'store', inventory: 'products', shop: 'store' }[resource] ?? resource} scope.`,
    // §B.10: the body is Shopify's wording, UNCONFIRMED on Sapo.
    tooMany: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
  },
  webhookHeaders: (topic, signature, world, opts) => ({
    'Content-Type': 'application/json; charset=utf-8',
    'X-Sapo-Topic': topic,
    'X-Sapo-Hmac-Sha256': signature,
    'X-Sapo-Shop-Domain': `${opts.credentials.store}.mysapo.net`,
  }),
  infoExtra: (opts) => ({ store: opts.credentials.store, domain: `${opts.credentials.store}.mysapo.net` }),
  render: {
    products: renderProduct,
    orders: renderOrder,
    customers: renderCustomer,
    locations: renderLocation,
    stock: (s) => ({
      id: s.levelId, variant_id: s.variant.id, store_id: 574_092, inventory_item_id: s.variant.itemId,
      location_id: s.locationId, on_hand: s.onHand, available: s.onHand - s.committed, committed: s.committed, incoming: 0,
      incoming_owned: 0, incoming_not_owned: 0, packed: 0, reserved: 0, unavailable: 0,
      created_at: formatSapoTime(s.product.createdMs), updated_at: formatSapoTime(s.product.modifiedMs), // `_at` here (§B.4)
    }),
    event: (e) => ({
      id: e.id, subject_id: e.subjectId, subject_type: e.subjectType, verb: e.verb, arguments: [], body: null, message: e.message,
      author: 'Sapo', description: e.message, path: `/admin/${e.subjectType.toLowerCase()}s/${e.subjectId}`, created_on: formatSapoTime(e.atMs),
    }),
    shop: (world, opts) => ({
      id: 574_092, name: 'Cửa hàng demo', domain: `${opts.credentials.store}.mysapo.net`, email: 'chu.shop@example.com',
      timezone: '(GMT+07:00) Asia/Saigon', currency: 'VND', money_format: '{{amount_no_decimals_with_comma_separator}}₫', plan_name: 'pro',
    }),
  },
};

/** @param {Parameters<typeof createShopifyFamilySimulator>[1] & {credentials?: object}} [options] */
export function createSapoSimulator(options = {}) {
  return createShopifyFamilySimulator(SAPO_DIALECT, options);
}
