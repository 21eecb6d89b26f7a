// Pancake POS (pos.pages.fm/api/v1). Facts: shared/platforms/pancake.md (cited "pc.md §1.x").
//
// What shapes this connector:
// - a shop API key in the query (`api_key`), also sent as a Bearer header because some
//   endpoints answer "Missing access_token" without it (pc.md §1.1, [OBS]);
// - everything lives under /shops/{shopId}; the user picks the shop after verifying the key
//   (connectStep "shopsRequest" / "shopsResult");
// - page-number paging (`page_number`, `page_size`, `total_pages`); only orders filter by
//   update time (`updateStatus=updated_at&startDateTime=<unix s>`, sorted
//   `last_updated_order_asc`), so products and customers are re-paged whole every run;
// - times are naive ISO-8601 in UTC with microseconds;
// - products nest their `variations` (each with per-warehouse stock);
// - webhooks are the raw object (no envelope, no event name, no signature) POSTed with the
//   custom headers the shop configured: `x-store-id` names the shop.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "connectors.hpp"
#include "storelink/cold.hpp"
#include "storelink/crypto.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kApiBase = "https://pos.pages.fm/api/v1";
constexpr int kPageSize = 100;  // maximum unconfirmed; integrations use 100–200 (pc.md §1.3)

// The mappers read JsonDoc values (json_view.hpp), for list pages and for the single objects
// and webhook bodies parsePage also takes. They are the hot path: outside the cold regions.

// out = js::text(o, key) / js::id(o, key), out of line: one call per field rather than a
// temporary optional<string> moved in and destroyed inline at each of some thirty sites.
void setText(std::optional<std::string>& out, const JsonValue& o, std::string_view key) { out = js::text(o, key); }
void setId(std::optional<std::string>& out, const JsonValue& o, std::string_view key) { out = js::id(o, key); }

// Naive ISO-8601, UTC (pc.md §1.9). A string is read in place: parseDateTime trims as
// js::text does, and a blank one is no time either way.
std::optional<int64_t> pcTime(const JsonValue& o, std::string_view key) {
  const JsonValue* v = js::field(o, key);
  if (v != nullptr && v->is_string()) return parseDateTime(v->stringValue(), 0);
  auto s = js::text(v);
  if (!s) return std::nullopt;
  return parseDateTime(*s, 0);
}

// normalizePhone(js::text(o, key)), a string read in place: normalizePhone trims as js::text
// does and answers nullopt exactly for a blank one.
std::optional<std::string> phone(const JsonValue& o, std::string_view key) {
  const JsonValue* v = js::field(o, key);
  if (v != nullptr && v->is_string()) return normalizePhone(v->stringValue());
  auto s = js::text(v);
  return s ? normalizePhone(*s) : std::nullopt;
}

std::optional<std::string> firstText(const JsonValue& o, std::string_view key) {
  const JsonValue* a = js::array(o, key);
  if (a == nullptr) return js::text(o, key);
  for (const auto& v : *a)
    if (auto s = js::text(&v)) return s;
  return std::nullopt;
}

void common(Record& r, RecordType type, const JsonValue& raw, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "pancake";
  if (opts.includeRaw) r.rawJson = dumpJson(raw);
}

// ASCII case-insensitive equality with a lower-case word (what lowering a copy and comparing did).
bool sameWord(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower[i]) return false;
  return true;
}

// Option values: [{name, value}] (items may also carry id/keyValue).
void readFields(const JsonValue& v, std::vector<std::pair<std::string, std::string>>& out) {
  if (const JsonValue* fields = js::array(v, "fields")) {
    for (const auto& f : *fields) {
      auto n = js::text(f, "name");
      auto val = js::text(f, "value");
      if (n && val) out.emplace_back(*n, *val);
    }
  }
}

// "Áo thun" + [[Màu, Đỏ], [Size, M]] → "Áo thun - Đỏ / M".
void appendOptions(std::string& name, const std::vector<std::pair<std::string, std::string>>& options) {
  for (size_t i = 0; i < options.size(); ++i) name.append(i == 0 ? " - " : " / ").append(options[i].second);
}

bool flag(const JsonValue& o, std::string_view key) { return js::boolean(o, key).value_or(false); }

std::optional<Variant> mapVariation(const JsonValue& v, const std::optional<std::string>& productName,
                                    std::vector<std::string>& images) {
  auto id = js::id(v, "id");
  if (!id || flag(v, "is_removed")) return std::nullopt;
  Variant out;
  out.externalId = *id;
  setText(out.sku, v, "display_id");
  setText(out.barcode, v, "barcode");
  readFields(v, out.options);
  if (productName) {
    std::string name = *productName;
    appendOptions(name, out.options);
    out.name = std::move(name);
  }
  // retail_price_after_discount is the promotional price when lower than the list price.
  auto retail = js::num(v, "retail_price");
  auto after = js::num(v, "retail_price_after_discount");
  if (retail && after && *after > 0 && *after < *retail) {
    out.price = after;
    out.compareAtPrice = retail;
  } else {
    out.price = retail;
  }
  out.cost = js::num(v, "average_imported_price");
  if (!out.cost || *out.cost <= 0) out.cost = js::num(v, "last_imported_price");
  if (out.cost && *out.cost <= 0) out.cost.reset();
  out.weightGrams = js::num(v, "weight");
  if (const JsonValue* imgs = js::array(v, "images"))
    for (const auto& u : *imgs) addImage(images, js::text(&u));
  // remain_quantity = sellable, actual_remain_quantity = physically on hand (pc.md §1.6).
  if (const JsonValue* whs = js::array(v, "variations_warehouses")) {
    double sum = 0;
    bool any = false;
    for (const auto& w : *whs) {
      auto wid = js::id(w, "warehouse_id");
      if (!wid) continue;
      StockLevel s;
      s.locationId = *wid;
      s.available = js::num(w, "remain_quantity");
      s.onHand = js::num(w, "actual_remain_quantity");
      if (!s.onHand) s.onHand = js::num(w, "total_quantity");
      if (s.available) {
        sum += *s.available;
        any = true;
      }
      out.stock.push_back(std::move(s));
    }
    if (any) out.totalStock = sum;
  }
  if (auto total = js::num(v, "remain_quantity")) out.totalStock = total;  // already summed by Pancake
  return out;
}

std::optional<Record> mapProduct(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Product, o, opts);
  r.createdAtMs = pcTime(o, "inserted_at");
  // Products carry no updated_at of their own in the fixtures: the newest of their variations'.
  r.updatedAtMs = pcTime(o, "updated_at");
  Product p;
  setText(p.name, o, "name");
  setText(p.sku, o, "custom_id");
  if (!p.sku) setText(p.sku, o, "display_id");
  setText(p.description, o, "description");
  if (const JsonValue* cats = js::array(o, "categories")) {
    for (const auto& c : *cats) {
      if (auto n = c.is_string() ? js::text(&c) : js::text(c, "name")) {
        p.category = std::move(n);
        break;
      }
    }
  }
  setText(p.brand, o, "brand_name");
  addImage(p.images, js::text(o, "image"));
  if (const JsonValue* imgs = js::array(o, "images"))
    for (const auto& u : *imgs) addImage(p.images, js::text(&u));
  p.taxRate = js::num(o, "tax_rate");
  double total = 0;
  bool anyStock = false;
  bool anyVisible = false;
  if (const JsonValue* vars = js::array(o, "variations")) {
    for (const auto& v : *vars) {
      if (!v.is_object()) continue;
      if (auto u = pcTime(v, "updated_at")) r.updatedAtMs = std::max(*u, r.updatedAtMs.value_or(*u));
      auto mapped = mapVariation(v, p.name, p.images);
      if (!mapped) continue;
      if (!flag(v, "is_hidden")) anyVisible = true;
      if (mapped->totalStock) {
        total += *mapped->totalStock;
        anyStock = true;
      }
      p.variants.push_back(std::move(*mapped));
    }
  }
  if (anyStock) p.totalStock = total;
  if (flag(o, "is_removed")) p.active = false;
  else if (js::array(o, "variations")) p.active = anyVisible;  // every variation hidden or removed → off sale
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  r.body = std::move(p);
  return r;
}

// Status codes (pc.md §1.5, §5): new/waiting → pending; confirmed → confirmed; print/pack/
// waiting for pickup → processing; shipped → shipping; delivered/money collected → completed;
// returning/partly returned/returned → returned; cancelled/removed → cancelled.
std::optional<OrderStatus> orderStatus(int code) {
  switch (code) {
    case 0: case 11: case 17: case 20: return OrderStatus::Pending;
    case 1: return OrderStatus::Confirmed;
    case 8: case 9: case 12: case 13: return OrderStatus::Processing;
    case 2: return OrderStatus::Shipping;
    case 3: case 16: return OrderStatus::Completed;
    case 4: case 5: case 15: return OrderStatus::Returned;
    case 6: case 7: return OrderStatus::Cancelled;
    default: return std::nullopt;
  }
}

Address mapAddress(const JsonValue& a) {
  Address out;
  setText(out.name, a, "full_name");
  out.phone = phone(a, "phone_number");
  setText(out.address, a, "address");
  setText(out.ward, a, "commune_name");
  if (!out.ward) setText(out.ward, a, "commnue_name");  // the typo key exists next to the right one
  setText(out.district, a, "district_name");
  setText(out.province, a, "province_name");
  if (!out.address) setText(out.address, a, "full_address");
  auto cc = js::str(a, "country_code");
  if (cc && (*cc == "84" || *cc == "VN")) out.country = "VN";
  else if (out.address || out.province) out.country = "VN";
  return out;
}

bool hasAddress(const Address& a) { return a.address || a.ward || a.district || a.province || a.name || a.phone; }

std::optional<Record> mapOrder(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;  // per-shop number; a connection is one shop
  common(r, RecordType::Order, o, opts);
  r.createdAtMs = pcTime(o, "inserted_at");
  r.updatedAtMs = pcTime(o, "updated_at");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Order ord;
  ord.code = *id;
  auto st = js::num(o, "status");
  if (st) ord.status = orderStatus(toIntOr(*st, -1));
  setText(ord.platformStatus, o, "status_name");
  if (!ord.platformStatus) ord.platformStatus = js::str(o, "status");

  const JsonValue* cust = js::object(o, "customer");
  OrderCustomer c;
  if (cust) setId(c.externalId, *cust, "id");
  setText(c.name, o, "bill_full_name");
  if (!c.name && cust) setText(c.name, *cust, "name");
  if (auto ph = phone(o, "bill_phone_number")) c.phone = std::move(ph);
  else if (cust) {
    if (auto ph2 = firstText(*cust, "phone_numbers")) c.phone = normalizePhone(*ph2);
  }
  setText(c.email, o, "bill_email");
  if (!c.email && cust) c.email = firstText(*cust, "emails");
  if (c.externalId || c.name || c.phone) ord.customer = std::move(c);

  double subtotal = 0, lineDiscounts = 0;
  bool anyLine = false;
  if (const JsonValue* items = js::array(o, "items")) {
    for (const auto& it : *items) {
      if (!it.is_object()) continue;
      OrderLine l;
      setId(l.productExternalId, it, "product_id");
      setId(l.variantExternalId, it, "variation_id");
      const JsonValue* vi = js::object(it, "variation_info");
      if (vi) {
        setText(l.sku, *vi, "display_id");
        setText(l.name, *vi, "name");
        std::vector<std::pair<std::string, std::string>> opts2;
        readFields(*vi, opts2);
        if (l.name) appendOptions(*l.name, opts2);
        l.unitPrice = js::num(*vi, "retail_price");
      }
      if (!l.unitPrice) l.unitPrice = js::num(it, "retail_price");
      l.quantity = js::num(it, "quantity");
      const double q = l.quantity.value_or(0);
      // total_discount is the line's; otherwise discount_each_product per unit (a percent when
      // is_discount_percent). The exact formula is unconfirmed (pc.md §1.6).
      auto td = js::num(it, "total_discount");
      auto each = js::num(it, "discount_each_product").value_or(0);
      if (td && *td > 0) l.discount = td;
      else if (flag(it, "is_discount_percent") && l.unitPrice) l.discount = std::round(*l.unitPrice * q * each / 100.0);
      else l.discount = each * q;
      if (l.unitPrice && l.quantity) {
        l.total = *l.unitPrice * q - *l.discount;
        subtotal += *l.total;
        lineDiscounts += *l.discount;
        anyLine = true;
      }
      ord.lines.push_back(std::move(l));
    }
  }
  if (anyLine) ord.subtotal = subtotal;
  // total_discount on the order includes the lines' discounts: the order-level part is the rest.
  const auto orderDiscount = js::num(o, "total_discount");
  if (orderDiscount) ord.discount = std::max(0.0, *orderDiscount - lineDiscounts);
  ord.shippingFee = js::num(o, "shipping_fee");
  ord.tax = js::num(o, "tax");
  // What the buyer owes: items (total_price, before any discount) − total_discount + shipping
  // (unless free) + surcharge + tax. Not total_price_after_sub_discount: real bodies already
  // count the shipping fee in it (pancake-pos-mcp order fixture: 3725000 + 180000 = 3905000 =
  // cod), so adding the fee again would overstate every shipped order.
  std::optional<double> afterDiscount;
  if (auto gross = js::num(o, "total_price")) afterDiscount = *gross - orderDiscount.value_or(0);
  else if (anyLine) afterDiscount = subtotal - ord.discount.value_or(0);
  if (afterDiscount) {
    double shipping = flag(o, "is_free_shipping") ? 0 : ord.shippingFee.value_or(0);
    ord.total = *afterDiscount + shipping + js::num(o, "surcharge").value_or(0) + ord.tax.value_or(0);
  } else {
    ord.total = js::num(o, "total_price_after_sub_discount");  // shipping already in it
  }
  double paid = 0;
  for (const char* k : {"prepaid", "cash", "transfer_money", "charged_by_card", "charged_by_momo", "charged_by_qrpay",
                        "exchange_payment"})
    paid += js::num(o, k).value_or(0);
  if (ord.status == OrderStatus::Completed) ord.paymentStatus = PaymentStatus::Paid;
  else ord.paymentStatus = paymentStatusFromAmounts(paid, ord.total);
  ord.currency = js::text(o, "order_currency").value_or("VND");
  if (const JsonValue* sa = js::object(o, "shipping_address")) {
    Address a = mapAddress(*sa);
    if (hasAddress(a)) ord.shippingAddress = std::move(a);
  }
  setId(ord.locationId, o, "warehouse_id");
  setText(ord.note, o, "note");
  r.body = std::move(ord);
  return r;
}

std::optional<Record> mapCustomer(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;  // orders' embedded customer carries the same id (and customer_id besides)
  common(r, RecordType::Customer, o, opts);
  r.createdAtMs = pcTime(o, "inserted_at");
  r.updatedAtMs = pcTime(o, "updated_at");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Customer c;
  setText(c.name, o, "name");
  if (auto ph = firstText(o, "phone_numbers")) c.phone = normalizePhone(*ph);
  c.email = firstText(o, "emails");
  if (auto g = js::text(o, "gender")) {
    if (sameWord(*g, "male")) c.gender = "male";
    else if (sameWord(*g, "female")) c.gender = "female";
  }
  if (auto b = js::text(o, "date_of_birth")) c.birthday = dateOnly(*b);
  if (const JsonValue* addrs = js::array(o, "shop_customer_addresses"); addrs && !addrs->empty() && addrs->begin()->is_object()) {
    Address a = mapAddress(*addrs->begin());
    if (hasAddress(a)) c.address = std::move(a);
  }
  c.totalSpent = js::num(o, "purchased_amount");
  c.orderCount = js::num(o, "order_count");
  if (const JsonValue* level = js::object(o, "level")) {
    if (auto n = js::text(*level, "name")) c.groups.push_back(std::move(*n));
  }
  if (const JsonValue* tags = js::array(o, "tags")) {
    for (const auto& t : *tags) {
      auto n = t.is_object() ? js::text(t, "name") : js::text(&t);
      if (n) c.groups.push_back(std::move(*n));
    }
  }
  r.body = std::move(c);
  return r;
}

STORELINK_COLD_BEGIN  // locations: a handful of rows per sync
std::optional<Record> mapWarehouse(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Location, o, opts);
  Location l;
  setText(l.name, o, "name");
  setText(l.address, o, "full_address");
  if (!l.address) setText(l.address, o, "address");
  l.phone = phone(o, "phone_number");
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
    case Entity::Locations: return mapWarehouse;
  }
  return mapProduct;
}

// Webhook bodies have no event name: tell them apart by their keys (pc.md §1.8).
STORELINK_COLD_BEGIN
std::optional<Entity> entityOfObject(const JsonValue& o) {
  if (!o.is_object()) return std::nullopt;
  if (js::field(o, "items") || js::field(o, "bill_phone_number") || js::field(o, "bill_full_name")) return Entity::Orders;
  if (js::field(o, "variations") || js::field(o, "variations_warehouses") ||
      (js::field(o, "product_id") && js::field(o, "remain_quantity")))
    return Entity::Products;
  if (js::field(o, "phone_numbers") || js::field(o, "customer_id")) return Entity::Customers;
  return std::nullopt;
}

// The webhook's object: the raw body, or (defensively, as other receivers do) body.order/data.
const JsonValue* webhookObject(const JsonValue& body) {
  if (!body.is_object()) return nullptr;
  if (entityOfObject(body)) return &body;
  for (const char* k : {"order", "data", "customer", "product", "variation"})
    if (const JsonValue* inner = js::object(body, k); inner && entityOfObject(*inner)) return inner;
  return nullptr;
}

bool mentionsKey(const std::string& s) {
  std::string t = s;
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t.find("api_key") != std::string::npos || t.find("access_token") != std::string::npos ||
         t.find("api key") != std::string::npos || t.find("unauthorized") != std::string::npos;
}

Error badKey(int status, std::string detail) {
  Error e = Error::make(ErrorCode::InvalidCredentials,
                        "API key Pancake POS không đúng hoặc đã bị thu hồi. Vào Pancake POS → Cấu hình → Cấu hình ứng "
                        "dụng → API KEY để lấy lại key, rồi kết nối lại.",
                        std::move(detail));
  e.httpStatus = status;
  return e;
}

// {success: false, message} on a 2xx answer.
Error envelopeError(const std::string& message) {
  return Error::make(ErrorCode::PlatformError,
                     "Pancake POS báo lỗi: " + (message.empty() ? std::string("không rõ nguyên nhân") : message) + ".",
                     "success: false");
}

// The parsed body, or a null value when it is not JSON (as parseJson's discarded value reads).
const JsonValue& parsedOrNull(JsonDoc& doc, std::string_view text) {
  static const JsonValue kNull;
  return doc.parse(text) ? doc.root() : kNull;
}

// A GET under the API with the key in the query and as a Bearer header (pc.md §1.1).
HttpRequest apiGet(const char* purpose, std::string url) {
  HttpRequest r;
  r.purpose = purpose;
  r.url = std::move(url);
  r.headers = {{"Authorization", "Bearer {{secret.apiKey}}"}};
  r.query = {{"api_key", "{{secret.apiKey}}"}};
  return r;
}

STORELINK_COLD_END
class PancakeConnector final : public Connector {
 public:
  STORELINK_COLD PancakeConnector() {
    info_.id = "pancake";
    info_.displayName = "Pancake POS";
    info_.description = "Phần mềm bán hàng đa kênh Pancake POS.";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"apiKey", "API key", "Pancake POS → Cấu hình → Cấu hình ứng dụng → API KEY: tạo và sao chép key.", true, "", "user"},
        {"shopId", "Mã cửa hàng (x-store-id)",
         "Số trên đường dẫn cửa hàng Pancake POS (ví dụ 1234567 trong pos.pages.fm/shop/1234567); chọn sau khi kiểm tra API key.",
         false, "1234567", "user"},
    };
    info_.status = "available";
    info_.apiHosts = {"pos.pages.fm", "pos.pancake.vn"};
    info_.webhooks = true;
  }

  const PlatformInfo& info() const override { return info_; }

  PagingPolicy paging(Entity e) const override {
    PagingPolicy p;
    p.pageSize = kPageSize;
    if (e == Entity::Orders) {
      // updateStatus=updated_at + startDateTime, sorted by last update ascending: the engine
      // re-anchors the filter and restarts at page 1 (page-number API).
      p.kind = PagingPolicy::Kind::ModifiedTimeOffset;
      p.pageNumbered = true;
    } else {
      p.kind = PagingPolicy::Kind::Cursor;  // the cursor is the next page number
    }
    return p;
  }

  // Unconfirmed limits, "1000 requests/minute, 10000/hour" (pancake-pos-mcp, pc.md §1.7): the
  // hour binds a long sync (2.78/s). 2.7/s with a burst of 60 keeps any hour at ≤ 9,780 and any
  // minute at ≤ 222.
  RatePolicy rate() const override { return {2.7, 60, 0}; }

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    static const char* kPath[] = {"/products", "/orders", "/customers", "/warehouses"};
    HttpRequest r = apiGet("page", std::string(kApiBase) + "/shops/{{secret.shopId|urlencode}}" + kPath[static_cast<int>(q.entity)]);
    const int size = std::clamp(q.pageSize, 1, kPageSize);
    if (q.entity == Entity::Orders) {
      r.query.emplace_back("page_number", std::to_string(q.offset / size + 1));
      r.query.emplace_back("page_size", std::to_string(size));
      r.query.emplace_back("updateStatus", "updated_at");
      r.query.emplace_back("option_sort", "last_updated_order_asc");
      r.query.emplace_back("include_removed", "1");  // removed orders (status 7) come back as cancelled
      if (q.modifiedFromMs) {
        r.query.emplace_back("startDateTime", std::to_string(*q.modifiedFromMs / 1000));
        // An hour ahead of our clock: a server clock ahead of ours never hides fresh updates.
        r.query.emplace_back("endDateTime", std::to_string(q.nowMs / 1000 + 3600));
      }
    } else if (q.entity != Entity::Locations) {
      r.query.emplace_back("page_number", q.cursor.empty() ? "1" : q.cursor);
      r.query.emplace_back("page_size", std::to_string(size));
    }
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    JsonDoc doc;
    const JsonValue& body = parsedOrNull(doc, resp.body);
    std::string message = js::text(body, "message").value_or("");
    if (auto code = js::str(body, "error_code")) v.error.platformCode = *code;
    const bool failedEnvelope = js::boolean(body, "success") == std::optional<bool>(false);
    if (resp.status == 401 || resp.status == 403 || (failedEnvelope && mentionsKey(message))) {
      v.kind = ResponseVerdict::Kind::Fatal;  // a shop API key has no refresh
      std::string pc = v.error.platformCode;
      v.error = badKey(resp.status, message.empty() ? "HTTP " + std::to_string(resp.status) : message);
      v.error.platformCode = pc;
      return v;
    }
    if (v.kind == ResponseVerdict::Kind::Ok && failedEnvelope) {
      v.kind = ResponseVerdict::Kind::Fatal;
      v.error = envelopeError(message);
      v.error.httpStatus = resp.status;
    } else if (v.kind == ResponseVerdict::Kind::Fatal && !message.empty()) {
      v.error.detail += ": " + message;
    }
    return v;
  }

  STORELINK_COLD Result<WebhookEvent> inspectWebhook(const WebhookDelivery& d, const std::string& secret) const override {
    JsonDoc body;
    const JsonValue* obj = body.parse(d.body) ? webhookObject(body.root()) : nullptr;
    if (obj == nullptr) {
      return Error::make(ErrorCode::UnexpectedShape, "Webhook Pancake POS không đúng định dạng.",
                         "expected an order, customer or product object");
    }
    WebhookEvent ev;
    ev.entity = entityOfObject(*obj);
    static const char* kTopic[] = {"product", "order", "customer", "warehouse"};
    ev.topic = kTopic[static_cast<int>(*ev.entity)];
    if (*ev.entity == Entity::Products && !js::field(*obj, "variations")) ev.topic = "variation";  // stock update
    if (auto it = d.headers.find("x-store-id"); it != d.headers.end()) ev.storeKey = it->second;
    else ev.storeKey = js::id(*obj, "shop_id").value_or("");
    // No delivery id: the same object is pushed again on every change, so (id, updated_at)
    // names one version (pc.md §1.8).
    if (auto id = js::id(*obj, "id")) ev.eventId = ev.topic + ":" + *id + ":" + js::str(*obj, "updated_at").value_or("");
    if (secret.empty()) return ev;
    // No signature exists: the shop adds a secret header of its own to the webhook settings.
    for (const char* h : {"x-webhook-secret", "x-pancake-secret", "x-storelink-secret"}) {
      auto it = d.headers.find(h);
      if (it != d.headers.end() && crypto::constantTimeEquals(it->second, secret)) {
        ev.signatureChecked = true;
        return ev;
      }
    }
    return Error::make(ErrorCode::Forbidden, "Khóa bí mật của webhook Pancake POS không đúng.",
                       "x-webhook-secret header missing or different");
  }

  STORELINK_COLD Result<json> connectStep(std::string_view step, const json& input) const override {
    if (step == "shopsRequest") {
      // Verifying the key = listing the shops it reaches; the user then picks the shop id.
      return json{{"request", requestToJson(apiGet("verify", std::string(kApiBase) + "/shops"))}};
    }
    if (step == "shopsResult") {
      const json* b = js::field(input, "body");
      std::string text = b && b->is_string() ? b->get<std::string>() : "";
      int status = toIntOr(js::num(input, "status").value_or(200), 0);
      JsonDoc doc;
      const JsonValue& body = parsedOrNull(doc, text);
      std::string message = js::text(body, "message").value_or("");
      if (status == 401 || status == 403 || (js::boolean(body, "success") == std::optional<bool>(false) && mentionsKey(message)))
        return badKey(status, message.empty() ? "HTTP " + std::to_string(status) : message);
      const JsonValue* shops = js::array(body, "shops");
      if (shops == nullptr) shops = js::array(body, "data");
      if (status >= 300 || shops == nullptr) {
        Error e = Error::make(ErrorCode::PlatformError, "Không lấy được danh sách cửa hàng từ Pancake POS.",
                              "HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message));
        e.httpStatus = status;
        return e;
      }
      json out = json::array();
      for (const auto& s : *shops) {
        auto id = js::id(s, "id");
        if (!id) continue;
        auto name = js::text(s, "name");
        auto avatar = js::text(s, "avatar_url");
        out.push_back({{"id", *id}, {"name", name ? json(*name) : json(nullptr)}, {"avatarUrl", avatar ? json(*avatar) : json(nullptr)}});
      }
      return json{{"shops", out}};
    }
    if (step == "webhookRefresh") {
      // A variation delivery (stock, no `variations` of its own) makes no record: the whole
      // product is read again (productRequest). Anything else is whole already.
      const std::string text = js::str(input, "body").value_or("");
      JsonDoc hook;
      const JsonValue* obj = hook.parse(text) ? webhookObject(hook.root()) : nullptr;
      const bool variation = obj != nullptr && !js::field(*obj, "variations") && js::field(*obj, "product_id") &&
                             entityOfObject(*obj) == Entity::Products;
      if (!variation) return json{{"requests", json::array()}};
      auto read = connectStep("productRequest", json{{"body", text}});
      if (!read) return json{{"requests", json::array()}};
      return json{{"requests", json::array({(*read)["request"]})}, {"entity", "products"}};
    }
    if (step == "productRequest") {
      // The follow-up of a stock (variation) webhook: the whole product, GET /products/{id}.
      auto id = js::text(input, "id");
      if (!id) {
        if (auto text = js::str(input, "body")) {
          JsonDoc hook;
          const JsonValue* obj = hook.parse(*text) ? webhookObject(hook.root()) : nullptr;
          if (obj != nullptr) id = js::text(*obj, js::field(*obj, "variations") ? "id" : "product_id");
        }
      }
      if (!id) {
        Error e = Error::make(ErrorCode::InvalidInput, "Không có mã sản phẩm để cập nhật.", "id (or a variation webhook body) required");
        e.field = "id";
        return e;
      }
      return json{{"request", requestToJson(apiGet("page", std::string(kApiBase) + "/shops/{{secret.shopId|urlencode}}/products/" + percentEncode(*id)))}};
    }
    if (step == "webhookSettings") {
      // What the shop owner types into Pancake POS → Cấu hình → Nâng cao → Kết nối bên thứ 3 →
      // Webhook/API (pc.md §1.8): our receiver URL and the x-store-id header.
      auto base = js::text(input, "baseUrl");
      auto shop = js::id(input, "shopId");
      if (!base || !shop) {
        Error e = Error::make(ErrorCode::InvalidInput, "Thiếu địa chỉ máy chủ hoặc mã cửa hàng.", "baseUrl and shopId required");
        e.field = base ? "shopId" : "baseUrl";
        return e;
      }
      std::string url = *base;
      while (!url.empty() && url.back() == '/') url.pop_back();
      json headers = {{"x-store-id", *shop}};
      if (auto secret = js::text(input, "secret")) headers["x-webhook-secret"] = *secret;
      return json{{"url", url + "/webhooks/pancakepos"}, {"headers", headers}, {"data", {"orders", "customers", "stock"}}};
    }
    return Connector::connectStep(step, input);
  }

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    // List pages are the hot path: parsed with JsonDoc (same accept/reject rules as parseJson)
    // and read in place; a single object or a webhook body goes through the same mappers.
    JsonDoc doc;
    if (!doc.parse(text)) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu Pancake POS trả về bị lỗi hoặc không đầy đủ.",
                         "body is not valid JSON");
    }
    const JsonValue& body = doc.root();
    if (!body.is_object()) {
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu Pancake POS trả về không đúng định dạng.",
                         "expected {data: [...], page_number, total_pages}");
    }
    if (js::boolean(body, "success") == std::optional<bool>(false)) return failedEnvelope(body);
    const Mapper map = mapperFor(entity);
    const JsonValue* data = js::array(body, "data");
    if (data == nullptr) return parseOne(entity, map, body, opts);
    Page page;
    page.rowCount = data->size();
    page.records.reserve(data->size());
    page.sortKeys.reserve(data->size());
    size_t i = 0;
    for (const JsonValue& row : *data) normalizeRow(map, row, i++, opts, page);
    page.total = js::num(body, "total_entries");
    if (entity == Entity::Orders) {
      // startDateTime filters by whole seconds while updated_at has microseconds: the engine
      // re-anchors on these keys, so they must have the filter's granularity, or a burst of
      // updates within two seconds could make it re-read the same page forever.
      for (auto& k : page.sortKeys)
        if (k) k = *k - ((*k % 1000) + 1000) % 1000;
    }
    if (entity != Entity::Orders) {
      // Page-number cursor: the next page while total_pages says there is one.
      int current = toIntOr(js::num(body, "page_number").value_or(0), 0);
      if (current <= 0 && opts.query) current = opts.query->cursor.empty() ? 1 : std::max(1, toIntOr(parseNumber(opts.query->cursor).value_or(1), 1));
      auto pages = js::num(body, "total_pages");
      bool more = pages ? current < *pages : page.rowCount > 0;
      if (more && page.rowCount > 0 && current > 0) page.nextCursor = std::to_string(current + 1);
    }
    return page;
  }

 private:
  static void normalizeRow(Mapper map, const JsonValue& row, size_t i, const NormalizeOptions& opts, Page& page) {
    auto rec = row.is_object() ? map(row, opts) : std::nullopt;
    if (!rec) {
      page.rowErrors.push_back(rowWithoutId("Pancake POS", i));
      return;
    }
    page.sortKeys.push_back(rec->updatedAtMs);
    page.records.push_back(std::move(*rec));
  }

  // Off the list path: kept out of parsePage (noinline) and compiled for size.
  STORELINK_COLD __attribute__((noinline)) static Error failedEnvelope(const JsonValue& body) {
    std::string message = js::text(body, "message").value_or("");
    if (mentionsKey(message)) return badKey(0, message);
    return envelopeError(message);
  }

  // A single object: GET /orders/{id} ({data: {...}}) or a webhook (the raw object).
  STORELINK_COLD __attribute__((noinline)) static Result<Page> parseOne(Entity entity, Mapper map, const JsonValue& body, const NormalizeOptions& opts) {
    Page page;
    const JsonValue* one = js::object(body, "data");
    if (one == nullptr) one = webhookObject(body);
    if (one == nullptr) {
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu Pancake POS trả về không đúng định dạng.",
                         "expected {data: [...]} or one object");
    }
    auto about = entityOfObject(*one);
    if (about && about != entity) return page;  // a webhook about something else
    page.rowCount = 1;
    if (entity == Entity::Products && !js::field(*one, "variations") && js::field(*one, "product_id")) {
      // A single variation (a stock webhook): not a whole product, so no record; the server
      // re-pulls products (pc.md §1.8: stock payload shapes are unconfirmed).
      return page;
    }
    normalizeRow(map, *one, 0, opts, page);
    return page;
  }

  PlatformInfo info_;
};

}  // namespace

const Connector& pancake() {
  static const PancakeConnector instance;
  return instance;
}

}  // namespace storelink::connectors
