// Nhanh.vn Open API v3 (pos.open.nhanh.vn/v3.0). Facts: shared/platforms/nhanh.md (cited "nh.md
// §B.x") and the vendor docs (apidocs.nhanh.vn, stored copy of llms-full.txt).
//
// What shapes this connector:
// - every call is a POST with `appId` + `businessId` in the query, the raw token in
//   `Authorization` (no "Bearer") and a JSON body {filters, paginator, dataOptions};
// - errors come back as HTTP 200 with {"code":0,"errorCode":...,"messages"|"message":...};
// - cursor paging: `paginator.next` is an object copied back verbatim; a short page may still
//   have a next, only an absent/null next ends a list (PagingPolicy::endsOnShortPage = false);
// - order/list only answers windows of ≤ 31 days, so the connector keeps its own walk state in
//   the engine's cursor (JSON: phase, run start, window end, Nhanh's next) and reads the query
//   it answers from NormalizeOptions::query;
// - product `updatedAt` ignores stock, so an incremental products run also walks
//   product/inventory (stock-change time) and re-reads those products by id;
// - product/list hides status 3 ("Ngừng bán") unless asked for: we always ask for 1–4;
// - tokens (1 year, no refresh) come from an OAuth-style consent outside the sync engine: see
//   connectStep ("consentUrl", "tokenRequest", "tokenResult", "checkTokenRequest");
// - webhooks v3 carry the app's verify token in `Authorization` (v2: body webhooksVerifyToken),
//   and order webhooks are shaped differently from order/list: one mapper reads both.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "connectors.hpp"
#include "storelink/crypto.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"
#include "storelink/cold.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kApiBase = "https://pos.open.nhanh.vn/v3.0";
constexpr const char* kOAuthUrl = "https://nhanh.vn/oauth";
constexpr int kPageSize = 100;          // "size ... mặc định tối đa không quá 100" (v3 intro)
constexpr int64_t kDaySec = 86'400;
// order/list accepts ranges of at most 31 days (nh.md §B.3). 30 days leaves room for however
// the server counts the bounds (inclusive seconds, calendar days).
constexpr int64_t kWindowSec = 30 * kDaySec;
// A full orders run walks windows back from now until a year of consecutive empty windows
// (or settings.ordersSince), never before 2010 (Nhanh's Open API did not exist yet).
constexpr int kQuietWindowsToStop = 12;
constexpr int64_t kHistoryFloorSec = 1'262'278'800;  // 2010-01-01T00:00:00+07:00
constexpr const char* kAllProductStatuses = "[1,2,3,4]";

// --- small readers ----------------------------------------------------------------

// Unix seconds (int or numeric string) → ms; 0 or negative means "not set" in Nhanh (packedAt: 0).
// v2 strings ("2024-04-28 09:15:41", Vietnam local time) are accepted too.
template <class J>  // JsonValue (list pages) and json (the connect flow's token answer)
std::optional<int64_t> nhTime(const J& o, std::string_view key) {
  const J* v = js::field(o, key);
  if (js::isNull(v)) return std::nullopt;
  if (auto n = js::num(v)) {
    if (*n <= 0) return std::nullopt;
    // Seconds, as documented; a value that is clearly milliseconds is taken as such.
    return toInt64(*n > 1e11 ? *n : *n * 1000);
  }
  if (auto s = js::text(v)) return parseDateTime(*s, kVietnamOffsetMinutes);
  return std::nullopt;
}

std::optional<std::string> nhPhone(const JsonValue& o, std::string_view key) {
  const JsonValue* v = js::field(o, key);
  auto s = js::text(v);
  if (!s) return std::nullopt;
  // v2 types `mobile` as an int (nh.md §B.5.6): a number has lost its leading 0
  // (901234567). Put it back when that makes a valid Vietnamese number.
  if (v->is_number() && (*s)[0] != '0') {
    auto withZero = normalizePhone("0" + *s);
    if (withZero && withZero->rfind("+84", 0) == 0) return withZero;
  }
  return normalizePhone(*s);
}

// Numbers may come as strings; money is VND without minor units. Absent → nullopt.
std::optional<double> money(const JsonValue* obj, std::string_view key) {
  if (obj == nullptr) return std::nullopt;
  return js::num(*obj, key);
}

double amountOf(const JsonValue* obj, std::string_view key) {
  if (obj == nullptr) return 0;
  const JsonValue* v = js::field(*obj, key);
  if (v && v->is_object()) return js::num(*v, "amount").value_or(0);  // {amount, accountId, name}
  return js::num(v).value_or(0);
}

double roundVnd(double x) { return std::round(x); }

std::optional<bool> settingFlag(const NormalizeOptions& opts, std::string_view key) {
  const json* s = opts.settings;
  if (s == nullptr && opts.query != nullptr) s = opts.query->settings;
  if (s == nullptr) return std::nullopt;
  return js::boolean(*s, key);
}

bool taxSyncOn(const NormalizeOptions& opts) { return settingFlag(opts, "taxSync").value_or(false); }

// Product VAT: a percent, or Nhanh's special values (nh.md §B.5.9): −1 not taxable and −100
// "0 %" → 0; −2 "not declared" → unknown.
std::optional<double> vatPercent(std::optional<double> v) {
  if (!v) return std::nullopt;
  if (*v == -2) return std::nullopt;
  if (*v < 0) return 0.0;
  return *v;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Product status (v3 int, also as text; v2 names): 1 New (sold offline), 2 selling, 4 out of
// stock are on sale; 3 "Ngừng bán" (stopped) is not.
std::optional<bool> activeFromStatus(const JsonValue* v) {
  if (js::isNull(v)) return std::nullopt;
  if (auto n = js::num(v)) {
    switch (toIntOr(*n, 0)) {
      case 1: case 2: case 4: return true;
      case 3: return false;
      default: return std::nullopt;
    }
  }
  if (auto s = js::text(v)) {
    std::string t = lower(*s);
    if (t == "new" || t == "active" || t == "outofstock") return true;
    if (t == "inactive") return false;
  }
  return std::nullopt;
}

// --- orders: v3 status codes (nh.md §B.5.5), v2 names as a fallback -----------------------

std::optional<OrderStatus> orderStatusFromCode(int code) {
  switch (code) {
    case 54: case 55: case 57: return OrderStatus::Pending;      // new, confirming, awaiting customer
    case 56: return OrderStatus::Confirmed;
    case 42: case 40: case 43: case 73: return OrderStatus::Processing;  // packing, packed, pickup, change depot
    case 59: return OrderStatus::Shipping;
    case 60: return OrderStatus::Completed;
    case 58: case 61: case 63: case 64: case 68: return OrderStatus::Cancelled;  // carrier/customer/system cancel, failed, sold out
    case 71: case 72: case 74: return OrderStatus::Returned;     // returning, returned, return confirmed
    default: return std::nullopt;
  }
}

std::optional<OrderStatus> orderStatusFromName(const std::string& name) {
  static const std::pair<const char*, OrderStatus> kNames[] = {
      {"new", OrderStatus::Pending},           {"confirming", OrderStatus::Pending},
      {"customerconfirming", OrderStatus::Pending}, {"confirmed", OrderStatus::Confirmed},
      {"packing", OrderStatus::Processing},    {"packed", OrderStatus::Processing},
      {"changedepot", OrderStatus::Processing}, {"pickup", OrderStatus::Processing},
      {"shipping", OrderStatus::Shipping},     {"success", OrderStatus::Completed},
      {"failed", OrderStatus::Cancelled},      {"canceled", OrderStatus::Cancelled},
      {"cancelled", OrderStatus::Cancelled},   {"aborted", OrderStatus::Cancelled},
      {"carriercanceled", OrderStatus::Cancelled}, {"soldout", OrderStatus::Cancelled},
      {"returning", OrderStatus::Returned},    {"returned", OrderStatus::Returned},
  };
  std::string t = lower(name);
  for (const auto& [n, s] : kNames)
    if (t == n) return s;
  return std::nullopt;
}

// --- records -------------------------------------------------------------------------

void common(Record& r, RecordType type, const JsonValue& raw, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "nhanh";
  if (opts.includeRaw) r.rawJson = dumpJson(raw);
}

// Stock per depot: v3 `inventory.depots` is an array of {id, remain, available, ...};
// v2 (and v2 webhooks) key the depots by id. Both are read.
void readStock(const JsonValue& inv, Variant& v) {
  auto add = [&](const std::string& depotId, const JsonValue& d) {
    StockLevel s;
    s.locationId = depotId;
    s.onHand = js::num(d, "remain");
    s.available = js::num(d, "available");
    v.stock.push_back(std::move(s));
  };
  if (const JsonValue* depots = js::field(inv, "depots")) {
    if (depots->is_array()) {
      for (const auto& d : *depots)
        if (auto id = js::id(d, "id")) add(*id, d);
    } else if (depots->is_object()) {
      for (auto it = depots->begin(); it != depots->end(); ++it)
        if (it->is_object()) add(std::string(it.key()), *it);
    }
  }
  // The platform's own "available to sell" over the token's depots; Σ depots otherwise.
  v.totalStock = js::num(inv, "available");
  if (!v.totalStock) {
    double sum = 0;
    bool any = false;
    for (const auto& s : v.stock) {
      if (s.available) {
        sum += *s.available;
        any = true;
      }
    }
    if (any) v.totalStock = sum;
  }
}

// Attributes → options. v3: [{name, value}]; v2 webhook: [{attributeName, name}];
// v2 list: [{"5501": {attributeName, name}}, ...] (maps keyed by attribute id).
void readOptions(const JsonValue& o, Variant& v) {
  const JsonValue* attrs = js::array(o, "attributes");
  if (attrs == nullptr) return;
  auto one = [&](const JsonValue& a) {
    if (!a.is_object()) return;
    if (auto n = js::text(a, "attributeName")) {
      if (auto val = js::text(a, "name")) v.options.emplace_back(*n, *val);
      return;
    }
    auto n = js::text(a, "name");
    auto val = js::text(a, "value");
    if (n && val) v.options.emplace_back(*n, *val);
  };
  for (const auto& a : *attrs) {
    if (!a.is_object()) continue;
    if (js::field(a, "name") || js::field(a, "attributeName")) {
      one(a);
    } else {
      for (const JsonValue& v : a) one(v);  // an object iterates its member values
    }
  }
}

std::optional<Record> mapProduct(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) id = js::id(o, "idNhanh");   // v2 list
  if (!id) id = js::id(o, "productId");  // v2 webhook
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Product, o, opts);
  r.createdAtMs = nhTime(o, "createdAt");
  if (!r.createdAtMs) r.createdAtMs = nhTime(o, "createdDateTime");
  r.updatedAtMs = nhTime(o, "updatedAt");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;

  Product p;
  p.name = js::text(o, "name");
  p.sku = js::text(o, "code");
  p.barcode = js::text(o, "barcode");
  p.description = js::text(o, "description");  // product/detail and webhooks only
  if (const JsonValue* c = js::object(o, "category")) p.category = js::text(*c, "name");
  if (!p.category) p.category = js::text(o, "categoryName");
  if (const JsonValue* b = js::object(o, "brand")) p.brand = js::text(*b, "name");
  if (!p.brand) p.brand = js::text(o, "brandName");
  p.active = activeFromStatus(js::field(o, "status"));

  if (const JsonValue* imgs = js::object(o, "images")) {  // v3 {avatar, others[]}
    addImage(p.images, js::text(*imgs, "avatar"));
    if (const JsonValue* others = js::array(*imgs, "others"))
      for (const auto& u : *others) addImage(p.images, js::text(&u));
  } else {  // v2: image + images[]
    addImage(p.images, js::text(o, "image"));
    if (const JsonValue* imgs2 = js::array(o, "images"))
      for (const auto& u : *imgs2) addImage(p.images, js::text(&u));
  }

  const JsonValue* prices = js::object(o, "prices");
  auto price = prices ? money(prices, "retail") : js::num(o, "price");

  if (taxSyncOn(opts)) {
    // `vat` (percent) comes with product/detail and webhooks; product/list carries the VAT
    // amount of the retail price instead (prices.retailVat, added 2026-05-04), from which the
    // rate follows: on the price when it excludes VAT (priceVatMode 2, the default), on the
    // net part when it includes it (mode 1).
    p.taxRate = vatPercent(js::num(o, "vat"));
    if (!p.taxRate && !js::field(o, "vat") && prices) {
      auto vatAmount = money(prices, "retailVat");
      if (vatAmount && price && *price > 0) {
        const bool inclusive = js::num(o, "priceVatMode").value_or(2) == 1;
        double base = inclusive ? *price - *vatAmount : *price;
        if (base > 0) p.taxRate = std::round(*vatAmount / base * 10000.0) / 100.0;
      }
    }
  }

  // parentId: −1 independent, −2 a parent of variants, > 0 a child of that parent.
  auto parent = js::num(o, "parentId");
  if (parent && *parent > 0) p.parentExternalId = js::id(o, "parentId");
  const bool isParent = parent && *parent == -2;

  if (!isParent) {  // a parent row only groups its children: it has no sellable unit itself
    Variant v;
    v.externalId = *id;
    v.sku = p.sku;
    v.barcode = p.barcode;
    v.name = p.name;
    readOptions(o, v);
    v.price = price;
    auto old = prices ? money(prices, "old") : js::num(o, "oldPrice");
    if (old && *old > 0) v.compareAtPrice = old;
    // Cost = giá vốn (average cost); the last import price when no average is kept.
    auto avg = prices ? money(prices, "avgCost") : js::num(o, "avgCost");
    auto imp = prices ? money(prices, "import") : js::num(o, "importPrice");
    if (avg && *avg > 0) v.cost = avg;
    else if (imp && *imp > 0) v.cost = imp;
    if (const JsonValue* ship = js::object(o, "shipping")) v.weightGrams = js::num(*ship, "weight");
    if (!v.weightGrams) v.weightGrams = js::num(o, "shippingWeight");
    if (!v.weightGrams) v.weightGrams = js::num(o, "weight");
    if (const JsonValue* inv = js::object(o, "inventory")) readStock(*inv, v);
    p.totalStock = v.totalStock;
    p.variants.push_back(std::move(v));
  }
  r.body = std::move(p);
  return r;
}

struct LineAmounts {
  double vat = 0;      // VAT of the line (money)
  bool vatKnown = false;
};

// One order line, v3 list ({productId, price, priceAfterVAT, discount, discountAmount,
// vatPercent, totalAmount}), v3 webhook ({id, price, discount, vat{value, amount}}) or v2
// ({productId, productName, productCode, price, vat, discount, productMoney}).
OrderLine mapLine(const JsonValue& d, bool tax, LineAmounts& out) {
  OrderLine l;
  l.productExternalId = js::id(d, "productId");
  if (!l.productExternalId) l.productExternalId = js::id(d, "id");
  l.variantExternalId = l.productExternalId;  // every Nhanh product row is its own sellable unit
  l.sku = js::text(d, "code");
  if (!l.sku) l.sku = js::text(d, "productCode");
  l.name = js::text(d, "name");
  if (!l.name) l.name = js::text(d, "productName");
  l.quantity = js::num(d, "quantity");
  auto price = js::num(d, "price");  // before VAT
  const double q = l.quantity.value_or(0);
  auto lineDiscount = js::num(d, "discountAmount");
  if (!lineDiscount) {
    if (auto each = js::num(d, "discount")) lineDiscount = *each * q;  // per unit
  }
  const double disc = lineDiscount.value_or(0);

  std::optional<double> pct;
  std::optional<double> vatMoney;
  if (const JsonValue* vatObj = js::object(d, "vat")) {
    pct = vatPercent(js::num(*vatObj, "value"));
    vatMoney = js::num(*vatObj, "amount");
  } else {
    pct = vatPercent(js::num(d, "vatPercent"));
    if (!pct) pct = vatPercent(js::num(d, "vat"));
  }
  auto totalAmount = js::num(d, "totalAmount");  // after VAT and discount (2026-07-30)
  if (!totalAmount) totalAmount = js::num(d, "productMoney");  // v2, same meaning
  std::optional<double> net;
  if (price) net = *price * q - disc;
  std::optional<double> gross = totalAmount;
  if (!gross && net) gross = pct ? roundVnd(*net * (1 + *pct / 100.0)) : *net;
  if (net && gross) {
    out.vat = *gross - *net;
    out.vatKnown = pct.has_value() || totalAmount.has_value();
  } else if (vatMoney) {
    out.vat = *vatMoney;
    out.vatKnown = true;
  }

  if (tax) {  // net amounts; the VAT travels in order.tax
    l.unitPrice = price;
    l.discount = disc;
    l.total = net;
  } else {    // VAT folded into the amounts, as the buyer sees them
    auto after = js::num(d, "priceAfterVAT");
    if (!after && price) after = pct ? roundVnd(*price * (1 + *pct / 100.0)) : *price;
    l.unitPrice = after;
    l.total = gross;
    if (after && gross) l.discount = std::max(0.0, *after * q - *gross);
    else l.discount = disc;
  }
  return l;
}

std::optional<Record> mapOrder(const JsonValue& o, const NormalizeOptions& opts) {
  const bool tax = taxSyncOn(opts);
  const JsonValue* info = js::object(o, "info");
  const bool v3 = info != nullptr;
  const JsonValue& top = v3 ? *info : o;
  auto id = js::id(top, "id");
  if (!id) id = js::id(top, "orderId");  // v2 webhooks
  if (!id) return std::nullopt;

  Record r;
  r.externalId = *id;
  common(r, RecordType::Order, o, opts);
  r.createdAtMs = nhTime(top, "createdAt");
  if (!r.createdAtMs) r.createdAtMs = nhTime(top, "createdDateTime");
  r.updatedAtMs = nhTime(top, "updatedAt");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;

  Order ord;
  ord.code = *id;  // Nhanh shows the order id as its code; appOrderId is the source system's id
  const JsonValue* st = js::field(top, "status");
  if (auto n = js::num(st)) {
    ord.status = orderStatusFromCode(toIntOr(*n, 0));
    ord.platformStatus = js::str(st);
  } else if (auto s = js::text(st)) {
    ord.status = orderStatusFromName(*s);
    ord.platformStatus = s;
  }
  if (!ord.platformStatus) {  // v2 list: statusCode "Confirmed"
    if (auto s = js::text(top, "statusCode")) {
      ord.status = orderStatusFromName(*s);
      ord.platformStatus = s;
    }
  }
  ord.currency = "VND";
  ord.note = js::text(top, "description");

  const JsonValue* depot = js::object(o, "depot");  // webhook shape: {id, name, ..., pickup{}}
  ord.locationId = js::id(top, "depotId");
  if (!ord.locationId && depot) ord.locationId = js::id(*depot, "id");

  // Customer and recipient. v3: shippingAddress {id = customer id, name, mobile, email, address};
  // v2: customerId/customerName/customerMobile/... at the top.
  const JsonValue* sa = js::object(o, "shippingAddress");
  OrderCustomer c;
  Address a;
  if (sa) {
    c.externalId = js::id(*sa, "id");
    c.name = js::text(*sa, "name");
    c.phone = nhPhone(*sa, "mobile");
    c.email = js::text(*sa, "email");
    a.address = js::text(*sa, "address");
    a.ward = js::text(*sa, "wardName");
    a.district = js::text(*sa, "districtName");
    a.province = js::text(*sa, "cityName");
  } else {
    c.externalId = js::id(o, "customerId");
    c.name = js::text(o, "customerName");
    c.phone = nhPhone(o, "customerMobile");
    c.email = js::text(o, "customerEmail");
    a.address = js::text(o, "customerAddress");
    a.ward = js::text(o, "customerWard");
    a.district = js::text(o, "customerDistrict");
    a.province = js::text(o, "customerCity");
  }
  if (c.externalId && *c.externalId == "0") c.externalId.reset();
  if (c.externalId || c.name || c.phone) ord.customer = c;
  a.name = c.name;
  a.phone = c.phone;
  if (a.address || a.ward || a.district || a.province) {
    a.country = "VN";
    ord.shippingAddress = a;
  }

  double subtotal = 0, lineVat = 0;
  bool anyLine = false, anyVat = false;
  if (const JsonValue* products = js::array(o, "products")) {
    for (const auto& d : *products) {
      if (!d.is_object()) continue;
      LineAmounts la;
      OrderLine l = mapLine(d, tax, la);
      if (l.total) {
        subtotal += *l.total;
        anyLine = true;
      }
      if (la.vatKnown) {
        lineVat += la.vat;
        anyVat = true;
      }
      ord.lines.push_back(std::move(l));
    }
  }
  if (anyLine) ord.subtotal = subtotal;

  const JsonValue* carrier = js::object(o, "carrier");
  const JsonValue* payment = js::object(o, "payment");
  // The fee charged to the customer; shipFee/codFee are what the carrier charges the shop.
  ord.shippingFee = carrier ? money(carrier, "customerShipFee") : js::num(o, "customerShipFee");

  std::optional<double> discount;
  if (payment) {
    if (const JsonValue* d = js::object(*payment, "discount")) discount = js::num(*d, "amount");
  } else {
    discount = js::num(o, "moneyDiscount");
  }
  ord.discount = discount;

  if (tax) {
    const JsonValue* vat = payment ? js::object(*payment, "vat") : js::object(o, "vat");
    if (vat) ord.tax = js::num(*vat, "amount");
    if (!ord.tax && anyVat) ord.tax = lineVat;
  }

  // Paid before delivery: deposit, bank transfer, card, points.
  double paid = 0;
  if (payment) {
    paid = amountOf(payment, "deposit") + amountOf(payment, "transfer") + amountOf(payment, "credit") +
           amountOf(payment, "usedPoints");
  } else {
    paid = js::num(o, "moneyDeposit").value_or(0) + js::num(o, "moneyTransfer").value_or(0) +
           js::num(o, "moneyUsedPoints").value_or(0);
  }
  // What the buyer owes: Nhanh's cash-on-delivery amount plus what was paid before, when given
  // (order/list); otherwise the parts (webhook bodies carry no codAmount).
  auto cod = payment ? money(payment, "codAmount") : std::nullopt;
  // codAmount 0 with nothing prepaid is an order not collected on delivery (a counter sale,
  // carrier null), not a free one: its amount is then the parts below.
  if (cod && (*cod + paid > 0 || !anyLine)) {
    ord.total = *cod + paid;
  } else if (auto calc = js::num(o, "calcTotalMoney")) {
    ord.total = *calc;  // v2: total to collect from the customer
  } else if (anyLine) {
    double t = subtotal - discount.value_or(0) + ord.shippingFee.value_or(0);
    if (tax) t += ord.tax.value_or(0);
    ord.total = t;
  }
  if (ord.status == OrderStatus::Completed) ord.paymentStatus = PaymentStatus::Paid;  // COD collected
  else ord.paymentStatus = paymentStatusFromAmounts(paid, ord.total);
  r.body = std::move(ord);
  return r;
}

std::optional<Record> mapCustomer(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Customer, o, opts);
  r.createdAtMs = nhTime(o, "createdAt");
  if (!r.createdAtMs) {
    if (auto d = js::text(o, "startedDate")) r.createdAtMs = parseDateTime(*d, kVietnamOffsetMinutes);
  }
  r.updatedAtMs = nhTime(o, "updatedAt");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Customer c;
  c.name = js::text(o, "name");
  c.phone = nhPhone(o, "mobile");
  c.email = js::text(o, "email");
  if (auto g = js::num(o, "gender")) {
    if (*g == 1) c.gender = "male";
    else if (*g == 2) c.gender = "female";
  }
  if (auto b = js::text(o, "birthday")) c.birthday = dateOnly(*b);
  if (auto line = js::text(o, "address")) {
    Address a;
    a.address = line;  // one line as typed ("12 Nguyễn Trãi, Phường Bến Thành, Quận 1, Hồ Chí Minh")
    a.country = "VN";
    c.address = a;
  }
  c.totalSpent = js::num(o, "totalAmount");
  if (!c.totalSpent) c.totalSpent = js::num(o, "totalMoney");  // v2
  if (const JsonValue* g = js::object(o, "group")) {
    if (auto n = js::text(*g, "name")) c.groups.push_back(*n);
  } else if (auto n = js::text(o, "group")) {  // v2: the name
    c.groups.push_back(*n);
  }
  r.body = std::move(c);
  return r;
}

STORELINK_COLD_BEGIN  // locations: a handful of rows per sync
std::optional<Record> mapDepot(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Location, o, opts);
  Location l;
  l.name = js::text(o, "name");
  l.phone = nhPhone(o, "mobile");
  // One line: street, ward, district, province (3-level `location`, else the 2-level one).
  const JsonValue* loc = js::object(o, "location");
  if (loc == nullptr) loc = js::object(o, "locationV2");
  const JsonValue& src = loc ? *loc : o;
  std::string line;
  for (const char* k : {"address", "wardName", "districtName", "cityName"}) {
    if (auto part = js::text(src, k)) {
      if (!line.empty()) line += ", ";
      line += *part;
    }
  }
  if (!line.empty()) l.address = line;
  r.body = std::move(l);
  return r;
}
STORELINK_COLD_END

using Mapper = std::optional<Record> (*)(const JsonValue&, const NormalizeOptions&);

Mapper mapperFor(Entity e) {
  switch (e) {
    case Entity::Products: return mapProduct;
    case Entity::Orders: return mapOrder;
    case Entity::Customers: return mapCustomer;
    case Entity::Locations: return mapDepot;
  }
  return mapProduct;
}

STORELINK_COLD_BEGIN
// --- errors --------------------------------------------------------------------------

std::string messagesText(const json& body) {
  // `messages` is a string, a list, or {field: message}; ERR_429 sends a singular `message`.
  std::string out;
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += "; ";
    out += s;
  };
  for (const char* key : {"messages", "message"}) {
    const json* m = js::field(body, key);
    if (js::isNull(m)) continue;
    if (m->is_string()) add(m->get<std::string>());
    else if (m->is_array()) {
      for (const auto& e : *m)
        if (auto s = js::str(&e)) add(*s);
    } else if (m->is_object()) {
      for (auto it = m->begin(); it != m->end(); ++it)
        if (auto s = js::str(&it.value())) add(it.key() + ": " + *s);
    }
  }
  return out;
}

template <class J>
bool isErrorEnvelope(const J& body) {
  const J* code = js::field(body, "code");
  if (code == nullptr) return false;
  auto n = js::num(code);
  return n && *n == 0;
}

Error platformError(const json& body) {
  std::string code = js::str(body, "errorCode").value_or("");
  std::string detail = messagesText(body);
  Error e;
  e.platformCode = code;
  e.detail = code.empty() ? detail : code + (detail.empty() ? "" : ": " + detail);
  if (code == "ERR_INVALID_ACCESS_TOKEN" || code == "ERR_INVALID_VERSION") {
    e.code = ErrorCode::InvalidCredentials;
    e.message = "Kết nối Nhanh.vn đã hết hạn hoặc bị thu hồi (access token không còn hiệu lực). "
                "Vui lòng kết nối lại: đăng nhập Nhanh.vn bằng tài khoản Giám đốc và đồng ý cấp quyền.";
  } else if (code == "ERR_INVALID_APP_ID" || code == "ERR_INVALID_BUSINESS_ID") {
    e.code = ErrorCode::InvalidCredentials;
    e.message = "Thông tin ứng dụng hoặc doanh nghiệp Nhanh.vn không hợp lệ. Vui lòng kết nối lại.";
  } else if (code == "ERR_BUSINESS_NOT_ENABLE_API") {
    e.code = ErrorCode::Forbidden;
    e.message = "Doanh nghiệp chưa bật kết nối Open API trên Nhanh.vn. Dùng tài khoản Giám đốc, vào "
                "Cài đặt chung → Cài đặt Open API và bật \"Cho phép kết nối Open API\", rồi thử lại.";
  } else if (code == "ERR_403") {
    e.code = ErrorCode::Forbidden;
    e.message = "Quyền đã cấp cho StoreLink trên Nhanh.vn không bao gồm dữ liệu này. Vui lòng kết nối lại "
                "bằng tài khoản Giám đốc và chọn đủ quyền (sản phẩm, đơn hàng, khách hàng).";
  } else if (code == "ERR_INVALID_DEPOT_ID") {
    e.code = ErrorCode::Forbidden;
    e.message = "Kho hàng này chưa được cấp quyền cho StoreLink trên Nhanh.vn. Vui lòng kết nối lại và chọn kho.";
  } else if (code == "ERR_429" || code == "ERR_EXCEEDED_RATE_LIMIT") {
    e.code = ErrorCode::RateLimited;
    e.message = "Nhanh.vn đang tạm khóa vì vượt giới hạn số lượt gọi API; đã chờ và thử lại nhiều lần không thành công.";
  } else {
    e.code = ErrorCode::PlatformError;
    e.message = "Nhanh.vn báo lỗi: " + (detail.empty() ? (code.empty() ? std::string("không rõ nguyên nhân") : code) : detail) + ".";
  }
  return e;
}

// --- the cursor: the connector's own walk state -----------------------------------------

struct Walk {
  std::string phase = "list";  // orders: list | deleted; products: list | inv | ids
  int64_t run = 0;             // run start (unix s): windows end here, sort keys never pass it
  int64_t end = 0;             // orders: the current window's upper bound (unix s)
  int quiet = 0;               // orders: consecutive empty windows so far
  bool rows = false;           // orders: the current window returned rows
  json next;                   // Nhanh's paginator.next, verbatim (null = first page)
  json ids;                    // products: ids whose stock changed (phase ids)
  json invNext;                // products: product/inventory's next, kept while phase ids runs
};

Walk startWalk(const PageQuery& q) {
  Walk w;
  w.run = q.nowMs / 1000;
  w.end = w.run;
  return w;
}

Walk decodeWalk(const PageQuery& q) {
  if (q.cursor.empty()) return startWalk(q);
  json j = parseJson(q.cursor);
  if (!j.is_object()) return startWalk(q);  // foreign cursor: start over (never a crash)
  Walk w;
  w.phase = js::str(j, "p").value_or("list");
  w.run = toInt64Or(js::num(j, "run").value_or(static_cast<double>(q.nowMs / 1000)), q.nowMs / 1000);
  w.end = toInt64Or(js::num(j, "end").value_or(static_cast<double>(w.run)), w.run);
  w.quiet = toIntOr(js::num(j, "q").value_or(0), 0);
  w.rows = js::boolean(j, "r").value_or(false);
  if (const json* n = js::field(j, "n")) w.next = *n;
  if (const json* ids = js::field(j, "ids")) w.ids = *ids;
  if (const json* in = js::field(j, "in")) w.invNext = *in;
  return w;
}

std::string encodeWalk(const Walk& w) {
  json j = {{"v", 1}, {"p", w.phase}, {"run", w.run}};
  if (w.end != w.run) j["end"] = w.end;
  if (w.quiet) j["q"] = w.quiet;
  if (w.rows) j["r"] = true;
  if (!w.next.is_null()) j["n"] = w.next;
  if (!w.ids.is_null()) j["ids"] = w.ids;
  if (!w.invNext.is_null()) j["in"] = w.invNext;
  return dumpJson(j);
}

bool hasNext(const json* next) {
  if (js::isNull(next)) return false;
  if (next->is_string()) return !next->get<std::string>().empty();
  if (next->is_object() || next->is_array()) return !next->empty();
  return true;  // a bare number
}

// settings.ordersSince: "YYYY-MM-DD" (Vietnam local) or unix seconds.
std::optional<int64_t> ordersSince(const json* settings) {
  if (settings == nullptr) return std::nullopt;
  const json* v = js::field(*settings, "ordersSince");
  if (js::isNull(v)) return std::nullopt;
  if (auto n = js::num(v)) return toInt64(*n);
  if (auto s = js::text(v)) {
    if (auto ms = parseDateTime(*s, kVietnamOffsetMinutes)) return *ms / 1000;
  }
  return std::nullopt;
}

struct Floor {
  int64_t sec = kHistoryFloorSec;
  bool explicitBound = false;  // incremental lower bound or ordersSince: walk exactly to it
};

Floor floorOf(const PageQuery& q) {
  Floor f;
  if (q.modifiedFromMs) {
    f.sec = *q.modifiedFromMs / 1000;
    f.explicitBound = true;
  } else if (auto since = ordersSince(q.settings)) {
    f.sec = *since;
    f.explicitBound = true;
  }
  return f;
}

int64_t windowStart(int64_t end, const Floor& f) { return std::max(f.sec, end - kWindowSec); }

json filtersWithStatuses() {
  json f = json::object();
  f["status"] = parseJson(kAllProductStatuses);
  return f;
}

STORELINK_COLD_END
class NhanhConnector final : public Connector {
 public:
  STORELINK_COLD NhanhConnector() {
    info_.id = "nhanh";
    info_.displayName = "Nhanh.vn";
    info_.description = "Phần mềm quản lý bán hàng đa kênh Nhanh.vn (Open API v3).";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"account", "Email hoặc số điện thoại",
         "Email hoặc số điện thoại đăng nhập của tài khoản có quyền Giám đốc trên Nhanh.vn. Sau khi lưu, bạn "
         "được chuyển sang Nhanh.vn để đăng nhập và đồng ý cấp quyền cho StoreLink.",
         false, "giamdoc@cuahang.vn", "user"},
        {"accessToken", "Access token",
         "Nhanh.vn cấp sau khi bạn đồng ý cấp quyền; hiệu lực 1 năm và không gia hạn được (hết hạn thì kết nối lại).",
         true, "", "oauth"},
        {"businessId", "Mã doanh nghiệp (businessId)", "Nhanh.vn trả về cùng access token.", false, "110668", "oauth"},
        {"appId", "App ID", "ID ứng dụng StoreLink trên open.nhanh.vn (cấu hình của máy chủ).", false, "", "app"},
        {"secretKey", "Secret key", "Secret key của ứng dụng StoreLink trên open.nhanh.vn (cấu hình của máy chủ).",
         true, "", "app"},
    };
    info_.settings = {
        {"taxSync", "Đồng bộ thuế", "boolean",
         "Bật để đồng bộ thuế suất (VAT) của sản phẩm và tiền thuế của đơn hàng; tắt thì các trường thuế để trống "
         "và giá trên đơn hàng đã gồm VAT."},
    };
    info_.status = "available";
    info_.apiHosts = {"pos.open.nhanh.vn"};
    info_.webhooks = true;
  }

  const PlatformInfo& info() const override { return info_; }

  STORELINK_COLD std::optional<Error> validateSettings(const json& settings) const override {
    const json* t = js::field(settings, "taxSync");
    if (!js::isNull(t) && !js::boolean(t)) {
      Error e = Error::make(ErrorCode::InvalidInput, "Cài đặt \"Đồng bộ thuế\" không hợp lệ.", "taxSync must be a boolean");
      e.field = "taxSync";
      return e;
    }
    const json* since = js::field(settings, "ordersSince");
    if (!js::isNull(since) && !ordersSince(&settings)) {
      Error e = Error::make(ErrorCode::InvalidInput, "Ngày bắt đầu lấy đơn hàng không hợp lệ.",
                            "ordersSince must be YYYY-MM-DD or unix seconds");
      e.field = "ordersSince";
      return e;
    }
    return std::nullopt;
  }

  PagingPolicy paging(Entity e) const override {
    PagingPolicy p;
    p.kind = PagingPolicy::Kind::Cursor;
    p.pageSize = kPageSize;
    p.endsOnShortPage = false;  // short pages may still have a next; order windows may be empty
    // Orders have a deleted-id feed (order/deleted, read by every incremental run after the
    // list); products (productDelete webhook only) and customers (none) do not (nh.md §437).
    p.reportsDeletions = e == Entity::Orders;
    return p;
  }

  // 150 requests / 30 s per appId + businessId + URL (nh.md §B.6): a burst of 5 plus 4.8/s keeps
  // any 30 s window at ≤ 149. The server's proxy holds this same budget per connection and URL,
  // so its own calls (webhook follow-ups) wait there instead of overrunning the window.
  RatePolicy rate() const override { return {4.8, 5, 0, /*perUrl=*/true}; }

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    Walk w = decodeWalk(q);
    std::string path;
    json body = json::object();
    json filters = json::object();
    switch (q.entity) {
      case Entity::Products:
        if (w.phase == "inv") {
          path = "/product/inventory";
          if (q.modifiedFromMs) filters["updatedAtFrom"] = *q.modifiedFromMs / 1000;
        } else if (w.phase == "ids") {
          path = "/product/list";
          filters = filtersWithStatuses();
          filters["ids"] = w.ids;
        } else {
          path = "/product/list";
          filters = filtersWithStatuses();  // status 3 is hidden unless asked for
          if (q.modifiedFromMs) filters["updatedAtFrom"] = *q.modifiedFromMs / 1000;
        }
        break;
      case Entity::Orders: {
        Floor f = floorOf(q);
        int64_t start = windowStart(w.end, f);
        if (w.phase == "deleted") {
          path = "/order/deleted";
          filters["createdAtFrom"] = start;  // = deletion time
          filters["createdAtTo"] = w.end;
        } else {
          path = "/order/list";
          filters["updatedAtFrom"] = start;
          filters["updatedAtTo"] = w.end;
        }
        break;
      }
      case Entity::Customers:
        path = "/customer/list";
        if (q.modifiedFromMs) filters["updatedAtFrom"] = *q.modifiedFromMs / 1000;
        break;
      case Entity::Locations:
        path = "/business/depot";
        break;
    }
    body["filters"] = filters;
    json paginator = {{"size", std::clamp(q.pageSize, 1, kPageSize)}};
    if (!w.next.is_null()) paginator["next"] = w.next;  // verbatim
    body["paginator"] = paginator;

    HttpRequest r;
    r.method = "POST";
    r.purpose = "page";
    r.url = std::string(kApiBase) + path;
    r.query = {{"appId", "{{secret.appId}}"}, {"businessId", "{{secret.businessId}}"}};
    r.headers = {{"Authorization", "{{secret.accessToken}}"}, {"Content-Type", "application/json"}};
    r.body = dumpJson(body);
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    json body = parseJson(resp.body);
    if (!isErrorEnvelope(body)) {
      if (v.kind != ResponseVerdict::Kind::Ok && body.is_object()) v.error.platformCode = js::str(body, "errorCode").value_or("");
      return v;
    }
    Error e = platformError(body);
    e.httpStatus = resp.status;
    if (v.kind == ResponseVerdict::Kind::Retry && e.code != ErrorCode::RateLimited) {
      v.error.platformCode = e.platformCode;  // a 5xx/408 stays a transient failure, envelope or not
      return v;
    }
    v.error = e;
    v.retryAfterMs.reset();
    switch (e.code) {
      case ErrorCode::RateLimited: {
        // Wait out the lock: calling while locked makes it longer (nh.md §B.6).
        v.kind = ResponseVerdict::Kind::Retry;
        const json* data = js::object(body, "data");
        auto locked = data ? js::num(*data, "lockedSeconds") : std::nullopt;
        v.retryAfterMs = static_cast<int64_t>((locked && *locked > 0 ? std::min(*locked, 86400.0) : 30) * 1000) + 1000;
        break;
      }
      case ErrorCode::InvalidCredentials:
        // No refresh exists (tokens last a year): the engine fails with invalid_credentials.
        v.kind = ResponseVerdict::Kind::AuthExpired;
        break;
      default:
        v.kind = ResponseVerdict::Kind::Fatal;
        break;
    }
    return v;
  }

  STORELINK_COLD Result<WebhookEvent> inspectWebhook(const WebhookDelivery& d, const std::string& secret) const override {
    json body = parseJson(d.body);
    auto event = js::text(body, "event");
    if (!body.is_object() || !event) {
      return Error::make(ErrorCode::UnexpectedShape, "Webhook Nhanh.vn không đúng định dạng.",
                         "expected {event, businessId, data}");
    }
    WebhookEvent ev;
    ev.topic = *event;
    ev.storeKey = js::id(body, "businessId").value_or("");
    const std::string& t = ev.topic;
    if (t.rfind("product", 0) == 0 || t == "inventoryChange") ev.entity = Entity::Products;
    else if (t.rfind("order", 0) == 0) ev.entity = Entity::Orders;
    else if (t.rfind("customer", 0) == 0) ev.entity = Entity::Customers;
    // appUninstalled, webhooksEnabled, paymentReceived...: lifecycle, no entity.
    ev.deletion = t.size() > 6 && t.compare(t.size() - 6, 6, "Delete") == 0;
    if (secret.empty()) return ev;

    // v3: Authorization: <verify token>; v2: {"webhooksVerifyToken": ...} in the body.
    auto it = d.headers.find("authorization");
    if (it != d.headers.end()) {
      std::string h = it->second;
      while (!h.empty() && h.back() == ' ') h.pop_back();
      size_t b = 0;
      while (b < h.size() && h[b] == ' ') ++b;
      h = h.substr(b);
      if (h.rfind("Bearer ", 0) == 0) h = h.substr(7);
      if (crypto::constantTimeEquals(h, secret)) {
        ev.signatureChecked = true;
        return ev;
      }
    }
    if (auto token = js::str(body, "webhooksVerifyToken"); token && crypto::constantTimeEquals(*token, secret)) {
      ev.signatureChecked = true;
      return ev;
    }
    return Error::make(ErrorCode::Forbidden, "Mã xác minh webhook Nhanh.vn không đúng.",
                       it == d.headers.end() ? "missing Authorization verify token" : "verify token does not match");
  }

  Result<json> connectStep(std::string_view step, const json& input) const override;

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    // The hot path, a list page ({code, paginator, data: [...]}), is read in place from a
    // JsonDoc tape (json_view.hpp); everything else (errors, webhooks, v2 maps, the deleted and
    // inventory phases) goes on through the nlohmann DOM below.
    JsonDoc doc;
    if (!doc.parse(text)) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu Nhanh.vn trả về bị lỗi hoặc không đầy đủ.",
                         "body is not valid JSON");
    }
    if (auto page = parseListPage(entity, doc.root(), opts)) return std::move(*page);
    json body = toJson(doc.root());
    if (isErrorEnvelope(body)) return platformError(body);
    if (!body.is_object()) {
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu Nhanh.vn trả về không đúng định dạng.",
                         "expected {code, data, paginator}");
    }
    if (js::text(body, "event")) return parseWebhook(entity, body, opts);

    const json* data = js::field(body, "data");
    Page page;
    const json* nhanhNext = nullptr;
    if (const json* pag = js::object(body, "paginator")) nhanhNext = js::field(*pag, "next");

    const PageQuery* q = opts.query;
    Walk w = q ? decodeWalk(*q) : Walk{};
    const bool deletedPhase = entity == Entity::Orders && w.phase == "deleted";
    const bool inventoryPhase = entity == Entity::Products && w.phase == "inv";

    std::vector<std::string> stockIds;
    if (deletedPhase || inventoryPhase) {
      // order/deleted: [{id, createdAt, createdById}]; product/inventory: [{productId, inventory}].
      if (data && data->is_array()) {
        page.rowCount = data->size();
        for (const auto& row : *data) {
          auto id = js::id(row, inventoryPhase ? "productId" : "id");
          if (!id && inventoryPhase) id = js::id(row, "id");
          if (!id) continue;
          if (deletedPhase) page.removedIds.push_back(*id);
          else stockIds.push_back(*id);
        }
      }
    } else if (data && data->is_array()) {
      normalizeRows(entity, *data, opts, page);
    } else if (data && data->is_object()) {
      // product/detail ({data: {...}}) and v2 id-keyed maps ({data: {products: {"<id>": {...}}}}).
      const json* keyed = nullptr;
      for (const char* k : {"products", "orders", "customers"})
        if (const json* m = js::field(*data, k); m && (m->is_object() || m->is_array())) keyed = m;
      if (keyed) {
        json rows = json::array();
        if (keyed->is_array()) rows = *keyed;
        else
          for (auto it = keyed->begin(); it != keyed->end(); ++it) rows.push_back(it.value());
        normalizeRows(entity, rows, opts, page);
      } else if (js::field(*data, "id") || js::field(*data, "info")) {
        json rows = json::array({*data});
        normalizeRows(entity, rows, opts, page);
      } else {
        // v2 store/depot: {"<id>": {id, name, ...}}
        json rows = json::array();
        for (auto it = data->begin(); it != data->end(); ++it)
          if (it.value().is_object()) rows.push_back(it.value());
        normalizeRows(entity, rows, opts, page);
      }
    } else if (js::isNull(data)) {
      page.rowCount = 0;  // {"code":1} with nothing: an empty page
    } else {
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu Nhanh.vn trả về không đúng định dạng.",
                         "data is neither a list nor an object");
    }

    if (q == nullptr) {
      // Outside a job (sl.normalize): pass Nhanh's next on as text.
      if (hasNext(nhanhNext)) page.nextCursor = dumpJson(*nhanhNext);
      return page;
    }
    // Sort keys only feed the next incremental run's watermark (cursor paging never re-anchors).
    // A run reads everything changed since its lower bound, as of its start: the start is the
    // watermark. Not the newest updatedAt: edits made while the run walks land behind the cursor
    // and must be read again, and product updatedAt ignores stock, which an old watermark would
    // make every later run re-read from product/inventory.
    const int64_t runMs = w.run * 1000;
    for (auto& k : page.sortKeys) k = runMs;
    page.nextCursor = advance(entity, *q, w, nhanhNext, page.rowCount, stockIds);
    return page;
  }

 private:
  // A list page read from the tape, or nullopt when the body is anything else.
  std::optional<Page> parseListPage(Entity entity, const JsonValue& body, const NormalizeOptions& opts) const {
    if (!body.is_object() || isErrorEnvelope(body) || js::text(body, "event")) return std::nullopt;
    const JsonValue* data = js::field(body, "data");
    if (data == nullptr || !data->is_array()) return std::nullopt;
    const PageQuery* q = opts.query;
    Walk w = q ? decodeWalk(*q) : Walk{};
    if ((entity == Entity::Orders && w.phase == "deleted") || (entity == Entity::Products && w.phase == "inv")) return std::nullopt;
    Page page;
    normalizeRows(entity, *data, opts, page);
    json next;  // Nhanh's next, as the walk keeps it
    const json* nhanhNext = nullptr;
    if (const JsonValue* pag = js::object(body, "paginator")) {
      if (const JsonValue* n = js::field(*pag, "next")) {
        next = toJson(*n);
        nhanhNext = &next;
      }
    }
    if (q == nullptr) {
      if (hasNext(nhanhNext)) page.nextCursor = dumpJson(*nhanhNext);
      return page;
    }
    const int64_t runMs = w.run * 1000;
    for (auto& k : page.sortKeys) k = runMs;
    page.nextCursor = advance(entity, *q, w, nhanhNext, page.rowCount, {});
    return page;
  }

  // Rows built as a nlohmann array (webhooks, v2 maps): the same mapping, through a tape.
  static void normalizeRows(Entity entity, const json& rows, const NormalizeOptions& opts, Page& page) {
    const std::string text = dumpJson(rows);
    JsonDoc doc;
    if (!doc.parse(text)) return;  // a dump of a parsed value always parses
    normalizeRows(entity, doc.root(), opts, page);
  }

  static void normalizeRows(Entity entity, const JsonValue& rows, const NormalizeOptions& opts, Page& page) {
    Mapper map = mapperFor(entity);
    page.rowCount = rows.size();
    size_t i = 0;
    for (const JsonValue& row : rows) {
      const size_t index = i++;
      auto rec = row.is_object() ? map(row, opts) : std::nullopt;
      if (!rec) {
        page.rowErrors.push_back(rowWithoutId("Nhanh.vn", index));
        continue;
      }
      page.sortKeys.push_back(rec->updatedAtMs);
      page.records.push_back(std::move(*rec));
    }
  }

  // The walk after one page: follow Nhanh's next, else move to the next window / phase.
  STORELINK_COLD static std::optional<std::string> advance(Entity entity, const PageQuery& q, Walk w, const json* nhanhNext,
                                            size_t rows, const std::vector<std::string>& stockIds) {
    const bool incremental = q.modifiedFromMs.has_value();
    if (entity == Entity::Products) {
      if (w.phase == "inv") {
        if (!stockIds.empty()) {
          w.invNext = hasNext(nhanhNext) ? *nhanhNext : json();
          w.ids = json::array();
          for (const auto& id : stockIds) {  // ids go back as numbers, as the API documents them
            int64_t n = 0;
            auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
            if (ec == std::errc() && ptr == id.data() + id.size()) w.ids.push_back(n);
            else w.ids.push_back(id);
          }
          w.phase = "ids";
          w.next = json();
          return encodeWalk(w);
        }
        if (!hasNext(nhanhNext)) return std::nullopt;
        w.next = *nhanhNext;
        return encodeWalk(w);
      }
      if (hasNext(nhanhNext)) {
        w.next = *nhanhNext;
        return encodeWalk(w);
      }
      if (w.phase == "ids") {
        if (w.invNext.is_null()) return std::nullopt;
        w.phase = "inv";
        w.next = w.invNext;
        w.invNext = json();
        w.ids = json();
        return encodeWalk(w);
      }
      if (!incremental) return std::nullopt;
      // Product updatedAt ignores stock: read the stock changes of the same period too.
      w.phase = "inv";
      w.next = json();
      return encodeWalk(w);
    }
    if (entity != Entity::Orders) {
      if (!hasNext(nhanhNext)) return std::nullopt;
      w.next = *nhanhNext;
      return encodeWalk(w);
    }
    // Orders: windows of ≤ 31 days, walked back from the run start.
    if (hasNext(nhanhNext)) {
      w.next = *nhanhNext;
      w.rows = w.rows || rows > 0;
      return encodeWalk(w);
    }
    const Floor f = floorOf(q);
    const bool had = w.rows || rows > 0;
    w.quiet = had ? 0 : w.quiet + 1;
    const int64_t start = windowStart(w.end, f);
    const bool atFloor = start <= f.sec;
    const bool quietLongEnough = !f.explicitBound && w.phase == "list" && w.quiet >= kQuietWindowsToStop;
    if (!atFloor && !quietLongEnough) {
      w.end = start;  // the bound second is read twice rather than risk an exclusive upper bound
      w.next = json();
      w.rows = false;
      return encodeWalk(w);
    }
    if (w.phase == "list" && incremental) {
      // Then the deletion log of the same period (order/deleted, 2026-07-24).
      w.phase = "deleted";
      w.end = w.run;
      w.quiet = 0;
      w.rows = false;
      w.next = json();
      return encodeWalk(w);
    }
    return std::nullopt;
  }

  STORELINK_COLD static Result<Page> parseWebhook(Entity entity, const json& body, const NormalizeOptions& opts) {
    Page page;
    const std::string event = js::str(body, "event").value_or("");
    const json* data = js::field(body, "data");
    std::optional<Entity> about;
    if (event.rfind("product", 0) == 0 || event == "inventoryChange") about = Entity::Products;
    else if (event.rfind("order", 0) == 0) about = Entity::Orders;
    else if (event.rfind("customer", 0) == 0) about = Entity::Customers;
    if (about != entity || js::isNull(data)) return page;  // another entity, or a lifecycle event

    const bool isDelete = event.size() > 6 && event.compare(event.size() - 6, 6, "Delete") == 0;
    if (isDelete) {
      // v3: data = [12345, 12346]; v2: {orderId | productId, ...} or a list of them.
      auto take = [&](const json& v) {
        if (auto id = js::id(&v)) page.removedIds.push_back(*id);
        else if (v.is_object()) {
          for (const char* k : {"orderId", "productId", "id"})
            if (auto id2 = js::id(v, k)) {
              page.removedIds.push_back(*id2);
              break;
            }
        }
      };
      if (data->is_array()) {
        for (const auto& v : *data) take(v);
        page.rowCount = data->size();
      } else {
        take(*data);
        page.rowCount = 1;
      }
      return page;
    }
    if (event == "inventoryChange") {
      // Stock snapshots only ({id, remain, available, depots}): not a whole product, so no
      // record; connectStep("webhookRefresh") gives the product/list reads the server sends.
      page.rowCount = data->is_array() ? data->size() : (data->is_object() ? data->size() : 0);
      return page;
    }
    json rows = data->is_array() ? *data : json::array({*data});
    normalizeRows(entity, rows, opts, page);
    return page;
  }

  PlatformInfo info_;
};

STORELINK_COLD_BEGIN
// --- connect flow building blocks ----------------------------------------------------------

Error badConnectInput(std::string message, std::string detail, std::string field) {
  Error e = Error::make(ErrorCode::InvalidInput, std::move(message), std::move(detail));
  e.field = std::move(field);
  return e;
}

bool digitsOnly(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The getaccesstoken / checkaccesstoken answer: {"code":1,"data":{accessToken, version,
// expiredAt, businessId, depotIds, pageIds, permissions}} (v2 puts the fields at the top).
Result<json> tokenResult(const json& input) {
  const json* bodyField = js::field(input, "body");
  std::string text = bodyField && bodyField->is_string() ? bodyField->get<std::string>() : "";
  json body = parseJson(text);
  if (!body.is_object()) {
    return Error::make(ErrorCode::InvalidJson, "Phản hồi cấp quyền của Nhanh.vn không hợp lệ.", "token body is not JSON");
  }
  if (isErrorEnvelope(body)) {
    Error e = platformError(body);
    std::string all = e.detail;
    for (auto& c : all) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e.platformCode == "ERR_BUSINESS_NOT_ENABLE_API") return e;
    if (all.find("accesscode") != std::string::npos) {
      e.code = ErrorCode::InvalidCredentials;
      e.message = "Mã cấp quyền của Nhanh.vn đã hết hạn (10 phút) hoặc đã được dùng. Vui lòng bấm kết nối lại.";
    } else if (all.find("secretkey") != std::string::npos || e.platformCode == "ERR_INVALID_APP_ID") {
      e.code = ErrorCode::InvalidCredentials;
      e.message = "Cấu hình ứng dụng StoreLink trên Nhanh.vn (App ID / Secret key) không đúng. Vui lòng liên hệ hỗ trợ.";
    } else if (e.code == ErrorCode::PlatformError) {
      e.code = ErrorCode::InvalidCredentials;
      e.message = "Nhanh.vn không cấp quyền cho StoreLink: " + (e.detail.empty() ? std::string("không rõ nguyên nhân") : e.detail) +
                  ". Vui lòng kết nối lại.";
    }
    return e;
  }
  const json* data = js::object(body, "data");
  const json& d = data ? *data : body;
  auto businessId = js::id(d, "businessId");
  if (!businessId) {
    return Error::make(ErrorCode::UnexpectedShape, "Phản hồi cấp quyền của Nhanh.vn thiếu mã doanh nghiệp.",
                       "token response without businessId");
  }
  json out = json::object();
  out["businessId"] = *businessId;
  // depotIds: empty or "All" = every depot, now and later (v3 GA option).
  json depots = json::array();
  bool allDepots = true;
  if (const json* ids = js::field(d, "depotIds"); ids && ids->is_array()) {
    for (const auto& v : *ids) {
      if (auto id = js::id(&v)) {
        if (lower(*id) == "all") continue;
        depots.push_back(*id);
        allDepots = false;
      }
    }
  }
  out["depotIds"] = depots;
  out["allDepots"] = allDepots;
  auto expiredAt = nhTime(d, "expiredAt");
  if (!expiredAt) {
    if (auto s = js::text(d, "expiredDateTime")) expiredAt = parseDateTime(*s, kVietnamOffsetMinutes);
  }
  out["expiresAtMs"] = expiredAt ? json(*expiredAt) : json(nullptr);
  out["expiredAt"] = expiredAt ? json(formatIsoUtc(*expiredAt)) : json(nullptr);
  json perms = json::array();
  if (const json* p = js::array(d, "permissions"))
    for (const auto& v : *p)
      if (auto s = js::str(&v)) perms.push_back(*s);
  out["permissions"] = perms;
  out["version"] = js::str(d, "version") ? json(*js::str(d, "version")) : json(nullptr);
  // The proxy replaced the token by its placeholder when it kept it (keepSecrets).
  auto token = js::str(d, "accessToken");
  out["accessTokenKept"] = token.has_value() && token->rfind("{{secret.", 0) == 0;
  return out;
}

STORELINK_COLD_END
}  // namespace

STORELINK_COLD_BEGIN
Result<json> NhanhConnector::connectStep(std::string_view step, const json& input) const {
  if (step == "consentUrl") {
    // Step 1 (nh.md §B.2.2): https://nhanh.vn/oauth?appId=…&returnLink=…; returnLink must be an
    // https URL registered in the app (loopback http is let through for the sandbox).
    auto appId = js::id(input, "appId");
    auto returnLink = js::text(input, "returnLink");
    if (!appId || !digitsOnly(*appId)) return badConnectInput("App ID Nhanh.vn không hợp lệ.", "appId must be numeric", "appId");
    if (!returnLink) return badConnectInput("Thiếu địa chỉ trả về (returnLink).", "returnLink required", "returnLink");
    const std::string& rl = *returnLink;
    bool https = rl.rfind("https://", 0) == 0;
    bool loopback = rl.rfind("http://127.0.0.1", 0) == 0 || rl.rfind("http://localhost", 0) == 0;
    if (!https && !loopback) {
      return badConnectInput("Địa chỉ trả về phải dùng https.", "returnLink must be https (Nhanh.vn requirement)", "returnLink");
    }
    HttpRequest r;
    r.url = kOAuthUrl;
    r.query = {{"appId", *appId}, {"returnLink", rl}};
    return json{{"url", buildUrl(r)}};
  }
  if (step == "tokenRequest" || step == "checkTokenRequest") {
    // Step 3 (nh.md §B.2.3): POST /v3.0/app/getaccesstoken?appId= {accessCode, secretKey}; the
    // token stays in the proxy (keepSecrets), the rest comes back for "tokenResult".
    // checkaccesstoken verifies a stored token (expiry, depots, permissions) the same way.
    HttpRequest r;
    r.method = "POST";
    r.purpose = step == "tokenRequest" ? "auth" : "verify";
    r.headers = {{"Content-Type", "application/json"}};
    std::string appId = "{{secret.appId}}";
    if (auto given = js::id(input, "appId")) {
      if (!digitsOnly(*given)) return badConnectInput("App ID Nhanh.vn không hợp lệ.", "appId must be numeric", "appId");
      appId = *given;
    }
    if (step == "tokenRequest") {
      auto code = js::text(input, "accessCode");
      if (!code) return badConnectInput("Thiếu mã cấp quyền (accessCode) từ Nhanh.vn.", "accessCode required", "accessCode");
      r.url = std::string(kApiBase) + "/app/getaccesstoken";
      r.query = {{"appId", appId}};
      std::string codeJson = dumpJson(json(*code));
      r.body = "{\"accessCode\":" + codeJson + ",\"secretKey\":\"{{secret.secretKey|json}}\"}";
      r.keepSecrets = {{"data.accessToken", "accessToken"}, {"accessToken", "accessToken"}};
    } else {
      r.url = std::string(kApiBase) + "/app/checkaccesstoken";
      r.query = {{"appId", appId}, {"businessId", "{{secret.businessId}}"}};
      r.headers.emplace_back("Authorization", "{{secret.accessToken}}");
      r.body = "{\"secretKey\":\"{{secret.secretKey|json}}\"}";
    }
    return json{{"request", requestToJson(r)}};
  }
  if (step == "tokenResult") return tokenResult(input);
  if (step == "webhookRefresh") {
    // A delivery that carries part of a record (inventoryChange: stock snapshots only, so
    // parsePage makes no record of it): the requests that read the whole records again.
    json hook = parseJson(js::str(input, "body").value_or(""));
    if (js::str(hook, "event").value_or("") != "inventoryChange") return json{{"requests", json::array()}};
    auto reads = connectStep("productsRequest", json{{"body", js::str(input, "body").value_or("")}});
    if (!reads) return json{{"requests", json::array()}};  // names no product
    json out = *reads;
    out["entity"] = "products";
    return out;
  }
  if (step == "productsRequest") {
    // The follow-up of an inventoryChange webhook (stock only, nh.md §B.7.4): product/list for
    // the ids it names (or given ids), ≤ 100 per request; normalize the answers as "products".
    std::vector<json> ids;
    auto addId = [&](const json& v) {
      if (auto id = js::id(&v); id && digitsOnly(*id)) {
        int64_t n = 0;
        std::from_chars(id->data(), id->data() + id->size(), n);
        if (std::find(ids.begin(), ids.end(), json(n)) == ids.end()) ids.emplace_back(n);
      }
    };
    if (const json* list = js::array(input, "ids")) {
      for (const auto& v : *list) addId(v);
    } else if (auto text = js::str(input, "body")) {
      json hook = parseJson(*text);
      const json* data = js::field(hook, "data");
      if (data && data->is_array()) {
        for (const auto& row : *data) addId(row.is_object() ? (js::field(row, "id") ? row["id"] : json()) : row);
      } else if (data && data->is_object()) {
        if (js::field(*data, "id")) addId((*data)["id"]);
        else
          for (auto it = data->begin(); it != data->end(); ++it) addId(json(it.key()));  // v2: keyed by id
      }
    }
    if (ids.empty()) return badConnectInput("Không có mã sản phẩm nào để cập nhật.", "ids (or a webhook body naming them) required", "ids");
    json requests = json::array();
    for (size_t i = 0; i < ids.size(); i += kPageSize) {
      json filters = filtersWithStatuses();
      filters["ids"] = json::array();
      for (size_t k = i; k < ids.size() && k < i + kPageSize; ++k) filters["ids"].push_back(ids[k]);
      HttpRequest r;
      r.method = "POST";
      r.purpose = "page";
      r.url = std::string(kApiBase) + "/product/list";
      r.query = {{"appId", "{{secret.appId}}"}, {"businessId", "{{secret.businessId}}"}};
      r.headers = {{"Authorization", "{{secret.accessToken}}"}, {"Content-Type", "application/json"}};
      r.body = dumpJson(json{{"filters", filters}, {"paginator", {{"size", kPageSize}}}});
      requests.push_back(requestToJson(r));
    }
    return json{{"requests", requests}};
  }
  return Connector::connectStep(step, input);
}

const Connector& nhanh() {
  static const NhanhConnector instance;
  return instance;
}

STORELINK_COLD_END
}  // namespace storelink::connectors
