// Local simulator of the Haravan Omni API (`https://apis.haravan.com/com/{resource}.json`),
// for tests and the offline demo. The store, paging, rate limiting, faults and controls are
// shared with Sapo (shopify-family.js); this file is Haravan's dialect, cited as "haravan.md §A.x".
//
//   const sim = createHaravanSimulator({ seed: 1 });  await sim.listen();
//   // client: https://apis.haravan.com → sim.url, Authorization: Bearer <token>
//
// Quirks reproduced: money with four decimals (199000.0000) (§A.3); image timestamps without
// the Z (§A.3.1); protocol-relative CDN image links on some products; customer `state`
// capitalised ("Disabled"), `gender` 1/0/null, `birthday` a timestamp (midnight UTC, or the
// shop's midnight written as 17:00Z the day before), `updated_at` sometimes with seven
// fraction digits (§A.3.4); `order_number` a string "#100123"; `financial_status` sometimes
// "partiallypaid" (§A.3.3); fulfilment line items with Vietnamese status strings; per-location
// stock in `inventory_locations` (§A.2.2); deletions only in webhooks and `events.json`
// (`verb=destroy`) (§A.7.2); 429 with `Retry-After` and `X-Haravan-Api-Call-Limit` (§A.4.1).
import { createShopifyFamilySimulator, orderTotals } from './shopify-family.js';

export const HARAVAN_DEFAULT_SHOP = 'demoshop';
export const HARAVAN_DEFAULT_ACCESS_TOKEN = 'C3A5B7D9E1F2041628A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F809';
export const HARAVAN_DEFAULT_WEBHOOK_SECRET = 'hrv-webhook-auth-string-demo';

/** "2024-05-02T09:01:12.118Z" (§A.6). */
export function formatHaravanTime(ms) {
  return ms == null ? null : new Date(ms).toISOString();
}

const DECIMALS = Object.fromEntries(['price', 'compare_at_price', 'grams', 'total_price', 'subtotal_price', 'total_line_items_price',
  'total_discounts', 'total_discount', 'total_weight', 'amount', 'total_spent', 'price_original', 'price_promotion', 'total_tax',
  'total_paid'].map((k) => [k, 4]));

function address(a, name, id) {
  if (!a) return null;
  return {
    address1: a.street, address2: null, city: null, company: null, country: 'Vietnam', first_name: name, id, last_name: null,
    phone: a.phone ?? null, province: a.province, zip: null, name, province_code: null, country_code: id % 3 === 0 ? 'vn' : 'VN',
    default: true, district: a.district, district_code: null, ward: a.ward, ward_code: null,
  };
}

function renderCustomer(c, ctx) {
  const s = ctx.customerStats.get(c.id);
  const addr = c.address ? address(c.address, c.fullName, c.address.id) : null;
  let birthday = null;
  if (c.birthday) {
    // Some shops store the birthday at the shop's midnight: 17:00Z the day before (UTC+7).
    const midnight = Date.parse(`${c.birthday}T00:00:00Z`);
    birthday = c.id % 2 ? `${c.birthday}T00:00:00Z` : new Date(midnight - 7 * 3_600_000).toISOString().replace('.000Z', 'Z');
  }
  const updated = formatHaravanTime(c.modifiedMs);
  const state = c.state[0].toUpperCase() + c.state.slice(1); // "Disabled" in the samples, "disabled" in the docs
  return {
    accepts_marketing: c.acceptsMarketing, addresses: addr ? [addr] : [], created_at: formatHaravanTime(c.createdMs),
    default_address: addr, email: c.email, phone: c.typedPhone,
    first_name: c.typedInOneBox ? c.fullName : c.given, id: c.id, multipass_identifier: null,
    last_name: c.typedInOneBox ? null : c.family, last_order_id: s?.last.id ?? null, last_order_name: s ? `#${s.last.number}` : null,
    note: c.note, orders_count: s?.count ?? 0, state: c.id % 3 ? state : c.state, tags: c.tags.length ? c.tags.join(',') : null,
    total_spent: s?.spent ?? 0, total_paid: 0, updated_at: c.id % 4 === 0 ? updated.replace('Z', '0000Z') : updated,
    verified_email: false, group_name: c.group, birthday, gender: c.gender === 'male' ? 1 : c.gender === 'female' ? 0 : null,
    last_order_date: s ? formatHaravanTime(s.last.createdMs) : null,
  };
}

function renderProduct(p) {
  const noZ = (ms) => formatHaravanTime(ms).slice(0, -1); // image timestamps lack the Z
  const images = p.images.map((img) => ({
    created_at: noZ(p.createdMs), id: img.id, position: img.position, product_id: p.id,
    src: `${p.id % 3 === 0 ? '' : 'https:'}//product.hstatic.net/200000123456/product/${img.file}`,
    updated_at: noZ(p.createdMs), filename: img.file, variant_ids: img.variantIds,
  }));
  const single = p.options.length === 0;
  const variants = p.variants.map((v) => {
    const onHand = Object.values(v.stock).reduce((s, x) => s + x.onHand, 0);
    const committed = Object.values(v.stock).reduce((s, x) => s + x.committed, 0);
    const o = (i) => (single ? (i === 0 ? 'Default Title' : null) : v.values[i] ?? null);
    return {
      barcode: v.barcode, compare_at_price: v.compareAt ?? 0, created_at: formatHaravanTime(v.createdMs), fulfillment_service: null,
      grams: v.grams, id: v.id, inventory_management: v.tracked ? 'haravan' : null, inventory_policy: v.policy,
      inventory_quantity: v.tracked ? onHand - committed : 0, position: v.position, price: v.price, product_id: p.id,
      requires_shipping: v.grams > 0, sku: v.sku, taxable: true, title: single ? 'Default Title' : v.values.join(' / '),
      updated_at: formatHaravanTime(p.modifiedMs), image_id: p.images.find((im) => im.variantIds.includes(v.id))?.id ?? null,
      option1: o(0), option2: o(1), option3: o(2),
      inventory_advance: v.tracked && v.id % 2 ? { qty_available: onHand - committed, qty_onhand: onHand, qty_commited: committed, qty_incoming: 0 } : null,
    };
  });
  return {
    body_html: p.body, body_plain: null, created_at: formatHaravanTime(p.createdMs), handle: p.handle, id: p.id, images,
    product_type: p.category, published_at: formatHaravanTime(p.publishedMs), published_scope: 'global',
    tags: p.tags.length ? p.tags.join(',') : null, template_suffix: 'product', title: p.name, updated_at: formatHaravanTime(p.modifiedMs),
    variants, vendor: p.vendor,
    options: (single ? ['Title'] : p.options).map((name, i) => ({ name, id: p.id * 3 + i + 1, position: i + 1, product_id: p.id })),
    only_hide_from_list: false, not_allow_promotion: false,
  };
}

function renderOrder(o, ctx) {
  const t = formatHaravanTime;
  const tot = orderTotals(o);
  const customer = o.customerId ? ctx.world.tables.customers.get(o.customerId) : null;
  const ship = address(o.shippingAddress, o.recipient, o.id + 11);
  if (ship) {
    delete ship.id;
    delete ship.default;
    Object.assign(ship, { latitude: 0, longitude: 0 });
  }
  const fulfillment = { unfulfilled: 'notfulfilled', partial: 'partial', fulfilled: 'fulfilled' }[o.fulfillment];
  const financial = o.financial === 'partially_paid' && o.id % 2 === 0 ? 'partiallypaid' : o.financial;
  return {
    billing_address: ship ? { ...ship } : null, browser_ip: null, buyer_accepts_marketing: false, cancel_reason: o.cancelReason,
    cancelled_at: t(o.cancelledMs), cart_token: null, checkout_token: null, client_details: null, closed_at: t(o.closedMs),
    created_at: t(o.createdMs), currency: 'VND', customer: customer ? renderCustomer(customer, ctx) : null,
    discount_codes: o.code ? [{ code: o.code.code, amount: o.code.amount, type: 'fixed_amount' }] : [], email: o.email,
    financial_status: financial,
    fulfillments: o.fulfillment === 'unfulfilled' ? [] : [{
      id: o.id + 3, order_id: o.id, status: 'success', created_at: t(o.modifiedMs), updated_at: t(o.modifiedMs),
      tracking_company: o.shipping?.title ?? null, tracking_number: `HRV${o.number}`, location_id: o.locationId,
      carrier_status_code: o.delivered ? 'delivered' : 'delivering', carrier_status_name: o.delivered ? 'Đã giao hàng' : 'Đang giao hàng',
      carrier_cod_status_code: /COD/.test(o.gateway) ? 'codpending' : 'none',
      line_items: o.lines.map((l) => ({ id: l.id, quantity: l.qty, fulfillment_service: 'Thủ công', fulfillment_status: o.delivered ? 'Hoàn thành' : 'Chưa hoàn thành' })),
    }],
    fulfillment_status: fulfillment, tags: o.source, gateway: o.gateway, gateway_code: /COD/.test(o.gateway) ? 'COD' : null, id: o.id,
    landing_site: null, landing_site_ref: null, source: o.source,
    line_items: o.lines.map((l) => ({
      fulfillable_quantity: o.fulfillment === 'fulfilled' ? 0 : l.qty, fulfillment_service: null, fulfillment_status: fulfillment,
      grams: l.grams, id: l.id, price: l.price, price_original: l.price, price_promotion: 0, product_id: ctx.world.tables.products.has(l.productId) ? l.productId : null,
      quantity: l.qty, requires_shipping: l.grams > 0, sku: l.sku, title: l.title, variant_id: l.variantId, variant_title: l.variantTitle,
      vendor: l.vendor, type: null, name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title, gift_card: false, taxable: true,
      tax_lines: null, product_exists: ctx.world.tables.products.has(l.productId), barcode: null, properties: null,
      total_discount: l.discount, applied_discounts: l.discount ? [{ amount: l.discount, title: 'Giảm giá sản phẩm' }] : [],
      image: null, not_allow_promotion: false, ma_cost_amount: 0,
    })),
    name: `#${o.number}`, note: o.note, number: o.id, order_number: `#${o.number}`, processing_method: null, referring_site: null, refunds: [],
    shipping_address: ship,
    shipping_lines: o.shipping ? [{ code: o.shipping.code, price: o.shipping.price, source: null, title: o.shipping.title }] : [],
    source_name: o.source, subtotal_price: tot.subtotal, tax_lines: o.taxRate ? [{ price: tot.tax, rate: o.taxRate, title: 'VAT' }] : null,
    taxes_included: false, token: `${o.id.toString(16)}${'0'.repeat(24)}`.slice(0, 32), total_discounts: tot.discounts,
    total_line_items_price: tot.lineItems, total_price: tot.total, total_tax: tot.tax,
    total_weight: o.lines.reduce((s, l) => s + l.grams * l.qty, 0), updated_at: t(o.modifiedMs),
    transactions: [], note_attributes: [], confirmed_at: t(o.confirmedMs),
    closed_status: o.state === 'closed' ? 'closed' : 'unclosed', cancelled_status: o.state === 'cancelled' ? 'cancelled' : 'uncancelled',
    confirmed_status: o.confirmedMs ? 'confirmed' : 'unconfirmed', user_id: 0, location_id: o.locationId,
    omni_order_status: 0, complete_at: null, contact_email: o.email,
  };
}

function renderLocation(l) {
  return {
    id: l.id, name: l.name, location_type: null, email: l.email, address1: l.address1, address2: null, zip: null, city: null,
    province: l.province, country: 'Vietnam', phone: l.phone, country_code: 'VN', country_name: 'Vietnam', province_code: null,
    district: l.district, district_code: null, ward: l.ward, ward_code: null, created_at: formatHaravanTime(l.createdMs),
    updated_at: formatHaravanTime(l.modifiedMs), is_primary: l.primary, is_unavailable_quantity: false, type: 'default',
  };
}

/** Vietnam local time with its offset, as events carry the shop's zone (§A.2.5). */
function vnOffsetTime(ms) {
  return `${new Date(ms + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

export const HARAVAN_DIALECT = {
  platform: 'haravan',
  prefix: '/com/',
  maxLimit: 50, // orders ≤ 50 documented; assumed for all lists (§A.2.1)
  stockMaxLimit: 250, // inventory_locations (§A.2.2)
  bucket: 80, // §A.4.1: 80 per shop, leaking 4/s
  leak: 4,
  tick: 1,
  roundTime: (ms) => ms,
  formatTime: formatHaravanTime,
  callLimitHeaders: ['X-Haravan-Api-Call-Limit'],
  params: { updatedMin: 'updated_at_min', updatedMax: 'updated_at_max', createdMin: 'created_at_min', createdMax: 'created_at_max' },
  sortKeys: { updated_at: 'updated', created_at: 'created', id: 'id' }, // `order` documented on orders (§A.2.3)
  statusAnyIsEmpty: false,
  shopPath: 'shop',
  stockPath: 'inventory_locations',
  // location_ids and variant_ids ≤ 50 each, `limit` ≤ 250, since_id + order=id|updated_at, no `page` (§A.2.2).
  stockIdsParam: 'variant_ids',
  stockKey: 'variant',
  stockMaxIds: 50,
  stockPaging: 'since_id',
  deleteBody: '[]', // DELETE answers 200 with `[]` (§A.2.1)
  decimals: DECIMALS,
  firstOrderNumber: 100_101,
  idBase: { locations: 963_400, products: 1_040_010_000, variants: 1_080_050_000, items: 1_070_000_000, images: 1_210_040_000, customers: 1_045_560_000,
    orders: 1_250_090_000, lines: 1_330_070_000, addresses: 1_060_010_000 },
  defaultCredentials: { shop: HARAVAN_DEFAULT_SHOP, accessToken: HARAVAN_DEFAULT_ACCESS_TOKEN },
  defaultWebhookSecret: HARAVAN_DEFAULT_WEBHOOK_SECRET, // the store's webhook authentication string (§A.5.1)
  checkAuth(headers, c) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!m) return 'missing';
    return m[1] === c.accessToken ? 'ok' : 'invalid';
  },
  messages: {
    unauthorized: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    forbidden: (resource, write) => `[API] This action requires merchant approval for com.${write ? 'write' : 'read'}_${{ locations: 'shop', inventory: 'inventories', shop: 'shop' }[resource] ?? resource} scope.`,
    tooMany: 'Exceeded 4 calls per second for api client. Reduce request rates to resume uninterrupted service.',
  },
  webhookHeaders: (topic, signature, world) => ({
    'Content-Type': 'application/json; charset=utf-8',
    'X-Haravan-Hmacsha256': signature,
    'X-Haravan-Topic': topic,
    'X-Haravan-Org-Id': String(world.orgId),
  }),
  infoExtra: (opts) => ({ shop: opts.credentials.shop, domain: `${opts.credentials.shop}.myharavan.com`, apiHost: 'apis.haravan.com' }),
  render: {
    products: renderProduct,
    orders: renderOrder,
    customers: renderCustomer,
    locations: renderLocation,
    stock: (s) => ({
      id: s.levelId, loc_id: s.locationId, product_id: s.product.id, variant_id: s.variant.id,
      qty_onhand: s.onHand, qty_commited: s.committed, qty_incoming: 0, qty_available: s.onHand - s.committed,
      updated_at: formatHaravanTime(s.product.modifiedMs),
    }),
    event: (e) => ({
      arguments: [], body: null, created_at: vnOffsetTime(e.atMs), id: e.id, subject_id: e.subjectId, subject_type: e.subjectType,
      verb: e.verb, message: e.message, author: 'haravan', description: null, path: `/admin/${e.subjectType.toLowerCase()}s/${e.subjectId}`,
    }),
    shop: (world, opts) => ({
      id: world.orgId, name: 'Cửa hàng demo', email: 'chu.shop@example.com', domain: `https://${opts.credentials.shop}.myharavan.com/`,
      myharavan_domain: `https://${opts.credentials.shop}.myharavan.com`, currency: 'VND', timezone: '(GMT+07:00) Hanoi', money_format: '₫',
      taxes_included: false, tax_shipping: false, inventory_method: 'fifo',
    }),
  },
};

/** @param {Parameters<typeof createShopifyFamilySimulator>[1] & {credentials?: object}} [options] */
export function createHaravanSimulator(options = {}) {
  return createShopifyFamilySimulator(HARAVAN_DIALECT, options);
}
