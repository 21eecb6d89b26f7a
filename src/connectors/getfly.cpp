// Getfly CRM, public API v6.1 on the tenant's own host. Facts: shared/platforms/getfly.md;
// vendor docs developer.getfly.vn/docs/6.1 (sale-order/list, product/list, accounts,
// warehouse/detail) and /docs/6.0/warehouse/list.
//
// What shapes this connector:
// - One host per tenant: https://{ten}.getflycrm.com. The address the shop types goes
//   through {{secret.domain|origin:getflycrm.com}}, which accepts "ten", "ten.getflycrm.com"
//   or a pasted URL and refuses any other domain; `X-API-KEY` on every request.
// - Lists are {data, has_more, offset, limited} with limit/offset paging and no total.
// - The lists sort only by id (sale orders: id or order_date; accounts: id, name, code,
//   email), never by updated_at, so a run keeps one `filtering[updated_at:gte]` filter and
//   walks id order by keyset (`filtering[id:gt]` = the last id read, offset 0): a record
//   edited during the sweep keeps its place, new ones land at the end, and one deleted
//   mid-sweep cannot shift an unread one behind the next page (plain offsets lost a record
//   each time, found by tests/js/faults.test.js). An edit to a row already passed is the
//   next run's, so the watermark is the run's start.
// - Times are "YYYY-MM-DD HH:MM:SS" in the tenant's local time, taken as Vietnam time
//   [UNCONFIRMED zone, getfly.md 3.7]; money is numbers in VND; `discount` is a percent,
//   `discount_amount` money.
// - Webhooks: form-encoded bodies with bracketed `data[...]` keys and the shared secret in
//   the `secret_key` field (compared in constant time); they carry ids only.
// - 429 happens under bulk syncs [CODE mcp-getfly-sync]: the engine backs off; pacing ≤ 2/s.
// - Products carry no stock: each products page is followed by `/product/inventories` for
//   its ids (`filtering[product_id:in]`, paged by `has_more`), rows per product per warehouse
//   named by `warehouse_name` (warehouse_id is UNCONFIRMED), so a products job first reads the
//   warehouse list once (setup) to turn names into the ids location records carry.
#include <algorithm>
#include <cctype>
#include <map>

#include "connectors.hpp"
#include "storelink/cold.hpp"
#include "storelink/crypto.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink::connectors {

namespace {

// A Getfly id ("1203", 1203) as a number; nullopt for anything else.
std::optional<int64_t> idNumber(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::stoll(s);
}

constexpr const char* kBase = "{{secret.domain|origin:getflycrm.com}}/api/v6.1";

// Field lists: v6.1 returns only `id` unless `fields` names the rest (product/list marks it required).
constexpr const char* kProductFields =
    "id,product_code,product_name,category_id,category_name,unit_name,manufacturer_name,services,cover_price,"
    "price_online,price_wholesale,price_average_in,discount,saleoff_price,product_vat,short_description,description,"
    "featured_image,images,created_at,updated_at";
constexpr const char* kOrderFields =
    "id,order_code,real_amount,f_amount,discount,discount_amount,vat_amount,account_id,account_code,account_name,"
    "account_email,account_phone,account_address,contact_name,contact_phone,contact_email,order_date,created_at,"
    "updated_at,status,status_label,payment_status,has_pay_off,store_id,lading_code,lading_status,order_details";
constexpr const char* kAccountFields =
    "id,account_code,account_name,phone_office,email,billing_address_street,gender,birthday,relation_name,"
    "total_revenue,contacts,created_at,updated_at";
constexpr const char* kWarehouseFields = "id,store_name";
constexpr int kInventoryPageSize = 100;
// A page of 100 products with stock in many warehouses spans several inventory pages; past
// this offset the answer is taken as runaway (has_more never false) and the walk stops.
constexpr int kMaxInventoryOffset = 20'000;

STORELINK_COLD_BEGIN
HttpRequest apiGet(std::string_view path, Pairs query) {
  HttpRequest r;
  r.purpose = "page";
  r.url = std::string(kBase) + std::string(path);
  r.headers = {{"X-API-KEY", "{{secret.apiKey}}"}, {"Content-Type", "application/json"}};
  r.query = std::move(query);
  return r;
}

// Paged by keyset on the row id, not by offset: a product of the page deleted between two
// inventory pages removes its rows and would shift every later row one offset back, so the
// next page would start past rows never read (tests/js/faults.test.js, getfly/products seeds
// 46, 85, 118, 160: "stale after the full sync"). `filtering[id:gt]` on product/inventories is
// UNCONFIRMED (the docs list product_id eq,in for it; the lists' keyset uses the same operator,
// equally unconfirmed, getfly.md 3.2).
HttpRequest inventoriesRequest(const std::vector<std::string>& productIds, const std::string& afterId) {
  Pairs q;
  // `in` takes an array [DOC product/inventory: product_id eq,in]; PHP-style repeated keys
  // (the bracket form is UNCONFIRMED, getfly.md 3.2).
  for (const auto& id : productIds) q.emplace_back("filtering[product_id:in][]", id);
  if (!afterId.empty()) q.emplace_back("filtering[id:gt]", afterId);
  q.emplace_back("limit", std::to_string(kInventoryPageSize));
  q.emplace_back("offset", "0");
  q.emplace_back("sort", "id");
  q.emplace_back("direction", "asc");
  return apiGet("/product/inventories", std::move(q));
}
STORELINK_COLD_END

// A string whose trimmed form (js::text) is itself, so it can be read in place.
bool untrimmed(std::string_view s) {
  const auto edge = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  return !s.empty() && !edge(s.front()) && !edge(s.back()) && s.front() != '\xC2' && s.back() != '\xA0';
}

// v3 bodies write dates day first, "11-11-2017" or "03/01/2024 10:00" (getfly.md 3.4, "v3
// variants return ... dates as dd/mm/yyyy or dd-mm-yyyy"). dateOnly reads exactly those forms
// (and checks the optional " HH:mm[:ss]"); the time is put back after its ISO date.
std::optional<int64_t> dayFirstTime(std::string_view s) {
  auto date = dateOnly(s);
  if (!date) return std::nullopt;
  s = s.substr(s.find_first_not_of(" \t"));
  const size_t space = s.find(' ');
  if (space != std::string_view::npos) date->append(s.substr(space));
  return parseDateTime(*date, kVietnamOffsetMinutes);
}

std::optional<int64_t> gfTime(const JsonValue& o, std::string_view key) {
  // Strings are read in place (no copy: this runs three times per row); others as js::text.
  const JsonValue* v = js::field(o, key);
  if (v != nullptr && v->is_string() && untrimmed(v->stringValue())) {
    const std::string_view s = v->stringValue();
    if (s.substr(0, 10) == "0000-00-00") return std::nullopt;
    if (auto t = parseDateTime(s, kVietnamOffsetMinutes)) return t;
    return dayFirstTime(s);
  }
  auto s = js::text(v);
  if (!s || s->rfind("0000-00-00", 0) == 0) return std::nullopt;
  if (auto t = parseDateTime(*s, kVietnamOffsetMinutes)) return t;
  return dayFirstTime(*s);
}

std::optional<std::string> gfPhone(const JsonValue& o, std::string_view key) {
  // normalizePhone trims as js::text does (and answers nullopt for a blank string).
  const JsonValue* v = js::field(o, key);
  if (v != nullptr && v->is_string()) return normalizePhone(v->stringValue());
  auto s = js::text(v);
  return s ? normalizePhone(*s) : std::nullopt;
}


void common(Record& r, RecordType type, const JsonValue& o, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "getfly";
  r.createdAtMs = gfTime(o, "created_at");
  r.updatedAtMs = gfTime(o, "updated_at");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  if (opts.includeRaw) r.rawJson = dumpJson(o);
}

// Getfly has no variant model: every product is one sellable item.
std::optional<Record> mapProduct(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) id = js::id(o, "product_id");  // v3 rows
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Product, o, opts);
  Product p;
  p.name = js::text(o, "product_name");
  p.sku = js::text(o, "product_code");
  p.description = js::text(o, "short_description");
  if (auto html = js::text(o, "description")) {
    if (!p.description) p.description = htmlToText(*html);
  }
  p.category = js::text(o, "category_name");
  p.brand = js::text(o, "manufacturer_name");
  p.taxRate = js::num(o, "product_vat");
  addImage(p.images, js::text(o, "featured_image"));
  if (const JsonValue* imgs = js::array(o, "images")) {
    for (const auto& i : *imgs) {
      std::optional<std::string> url = i.is_string() ? js::text(&i) : std::nullopt;
      for (const char* k : {"url", "file_url", "image_url"})
        if (!url) url = js::text(i, k);
      addImage(p.images, std::move(url));
    }
  }
  Variant v;
  v.externalId = *id;
  v.sku = p.sku;
  v.name = p.name;
  // cover_price is the retail price; `discount` a percentage off it.
  auto cover = js::num(o, "cover_price");
  auto pct = js::num(o, "discount").value_or(0);
  if (cover && pct > 0 && pct < 100) {
    v.price = *cover * (1 - pct / 100.0);
    v.compareAtPrice = cover;
  } else {
    v.price = cover;
  }
  v.cost = js::num(o, "price_average_in");
  p.variants.push_back(std::move(v));
  r.body = std::move(p);
  return r;
}

std::optional<OrderStatus> orderStatus(std::optional<double> code, const std::optional<std::string>& label) {
  // value_or, not `code && *code == 1`: g++ -O2 may compare the unset payload before testing
  // the flag, which valgrind reports as a jump on an uninitialised value.
  if (code.value_or(0) == 1) return OrderStatus::Pending;  // "Chờ duyệt", the one code the docs give
  // Other codes are undocumented [UNCONFIRMED]: read the label, Vietnamese or English.
  if (!label) return std::nullopt;
  std::string t = foldVietnamese(*label);
  auto has = [&](std::string_view w) { return t.find(w) != std::string::npos; };
  if (has("cho duyet") || has("pending")) return OrderStatus::Pending;
  if (has("huy") || has("cancel")) return OrderStatus::Cancelled;
  if (has("tra hang") || has("hoan hang") || has("return")) return OrderStatus::Returned;
  if (has("hoan thanh") || has("complete") || has("da giao") || has("delivered")) return OrderStatus::Completed;
  if (has("dang giao") || has("van chuyen") || has("shipping")) return OrderStatus::Shipping;
  if (has("dang xu ly") || has("processing")) return OrderStatus::Processing;
  if (has("da duyet") || has("approved") || has("xac nhan") || has("confirm")) return OrderStatus::Confirmed;
  return std::nullopt;
}

std::optional<PaymentStatus> paymentStatus(const JsonValue& o, OptNumber total) {
  if (js::boolean(o, "has_pay_off").value_or(false)) return PaymentStatus::Paid;
  if (auto label = js::text(o, "payment_status")) {
    std::string t = foldVietnamese(*label);
    if (t.find("mot phan") != std::string::npos || t.find("partial") != std::string::npos) return PaymentStatus::PartiallyPaid;
    if (t.find("chua") != std::string::npos || t.find("unpaid") != std::string::npos) return PaymentStatus::Unpaid;
    if (t.find("da thanh toan") != std::string::npos || t == "paid") return PaymentStatus::Paid;
  }
  return paymentStatusFromAmounts(js::num(o, "f_amount"), total);
}

std::optional<Record> mapOrder(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) id = js::id(o, "order_id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Order, o, opts);
  if (!r.createdAtMs) r.createdAtMs = gfTime(o, "order_date");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Order ord;
  ord.code = js::text(o, "order_code");
  auto code = js::num(o, "status");
  auto label = js::text(o, "status_label");
  ord.status = orderStatus(code, label);
  ord.platformStatus = label ? label : js::str(o, "status");
  ord.total = js::num(o, "real_amount");
  ord.paymentStatus = paymentStatus(o, ord.total);

  auto accountId = js::id(o, "account_id");
  if (accountId && *accountId == "0") accountId.reset();
  auto name = js::text(o, "account_name");
  if (!name) name = js::text(o, "contact_name");
  if (accountId || name) {
    OrderCustomer c;
    c.externalId = accountId;
    c.name = name;
    c.phone = gfPhone(o, "account_phone");
    if (!c.phone) c.phone = gfPhone(o, "contact_phone");
    c.email = js::text(o, "account_email");
    if (!c.email) c.email = js::text(o, "contact_email");
    ord.customer = c;
  }
  if (auto addr = js::text(o, "account_address")) {
    Address a;
    a.name = js::text(o, "contact_name");
    if (!a.name) a.name = name;
    a.phone = gfPhone(o, "contact_phone");
    if (!a.phone) a.phone = gfPhone(o, "account_phone");
    a.address = addr;
    ord.shippingAddress = a;
  }

  double subtotal = 0;
  bool anyLine = false;
  if (const JsonValue* details = js::array(o, "order_details")) {
    for (const auto& d : *details) {
      OrderLine l;
      l.productExternalId = js::id(d, "product_id");
      l.variantExternalId = l.productExternalId;  // one sellable item per product
      l.sku = js::text(d, "product_code");
      l.name = js::text(d, "product_name");
      l.quantity = js::num(d, "quantity");
      l.unitPrice = js::num(d, "price");
      const double q = l.quantity.value_or(0);
      auto amount = js::num(d, "amount");       // after the line discount (sample: 64350 of 65000)
      auto origin = js::num(d, "origin_amount");  // before it
      if (amount && origin) {
        l.discount = *origin - *amount;
      } else if (auto cash = js::num(d, "cash_discount")) {
        l.discount = *cash;
      } else if (auto pct = js::num(d, "product_sale_off"); pct && l.unitPrice) {
        l.discount = *l.unitPrice * q * *pct / 100.0;
      } else {
        l.discount = 0.0;
      }
      if (amount) l.total = amount;
      else if (l.unitPrice) l.total = *l.unitPrice * q - l.discount.value_or(0);
      if (l.total) {
        subtotal += *l.total;
        anyLine = true;
      }
      ord.lines.push_back(std::move(l));
    }
  }
  if (anyLine) ord.subtotal = subtotal;
  // Order-level discount: money when given, else the percentage of the lines.
  auto discountMoney = js::num(o, "discount_amount");
  auto discountPct = js::num(o, "discount");
  if (discountMoney && *discountMoney > 0) ord.discount = discountMoney;
  else if (discountPct && *discountPct > 0 && ord.subtotal) ord.discount = *ord.subtotal * *discountPct / 100.0;
  else ord.discount = 0.0;
  ord.tax = js::num(o, "vat_amount");
  ord.currency = "VND";
  ord.locationId = js::id(o, "store_id");
  if (ord.locationId && *ord.locationId == "0") ord.locationId.reset();
  r.body = std::move(ord);
  return r;
}

std::optional<std::string> gender(const JsonValue& o) {
  // Numeric codes are undocumented [UNCONFIRMED getfly.md 3.4]; only words are trusted.
  const JsonValue* g = js::field(o, "gender");
  if (g == nullptr || !g->is_string()) return std::nullopt;
  std::string t = foldVietnamese(g->stringValue());
  if (t == "nam" || t == "male") return "male";
  if (t == "nu" || t == "female") return "female";
  return std::nullopt;
}

std::optional<Record> mapAccount(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) id = js::id(o, "account_id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Customer, o, opts);
  Customer c;
  c.name = js::text(o, "account_name");
  c.phone = gfPhone(o, "phone_office");
  c.email = js::text(o, "email");
  if (const JsonValue* contacts = js::array(o, "contacts")) {  // contact persons fill what the account lacks
    for (const auto& ct : *contacts) {
      if (!c.phone) c.phone = gfPhone(ct, "phone_mobile");
      if (!c.phone) c.phone = gfPhone(ct, "phone");
      if (!c.email) c.email = js::text(ct, "email");
    }
  }
  c.gender = gender(o);
  if (auto b = js::text(o, "birthday")) c.birthday = dateOnly(*b);
  if (auto street = js::text(o, "billing_address_street")) {
    Address a;
    a.address = street;
    c.address = a;
  }
  c.totalSpent = js::num(o, "total_revenue");
  if (auto rel = js::text(o, "relation_name")) c.groups.push_back(*rel);
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
  l.name = js::text(o, "store_name");
  r.body = std::move(l);
  return r;
}
STORELINK_COLD_END

using Mapper = std::optional<Record> (*)(const JsonValue&, const NormalizeOptions&);
Mapper mapperFor(Entity e) {
  switch (e) {
    case Entity::Products: return mapProduct;
    case Entity::Orders: return mapOrder;
    case Entity::Customers: return mapAccount;
    case Entity::Locations: return mapWarehouse;
  }
  return mapProduct;
}

STORELINK_COLD_BEGIN
// A webhook delivery as {event, secret_key, data: {...}, domain, uid, created_at}: the form
// body with `data[key]` folded into an object, or a JSON body (also seen: data.data nesting).
json webhookFields(const std::string& body) {
  json j = parseJson(body);
  if (j.is_object()) {
    if (const json* d = js::object(j, "data"); d && js::object(*d, "data") && !js::field(*d, "order_id")) j["data"] = (*d)["data"];
    return j;
  }
  json out = json::object();
  out["data"] = json::object();
  for (auto& [k, v] : formDecode(body)) {
    if (k.rfind("data[", 0) == 0 && k.size() > 6 && k.back() == ']') {
      out["data"][k.substr(5, k.size() - 6)] = v;
    } else if (k == "data") {
      // A bare `data` field must not replace the object the data[...] fields fill (a later
      // data[...] would then index a string: abort, tests/fuzz). JSON text there is merged.
      json d = parseJson(v);
      if (d.is_object()) out["data"].update(d);
    } else {
      out[k] = v;
    }
  }
  return out;
}

std::optional<Entity> webhookEntity(const std::string& event) {
  std::string kind = event.substr(0, event.find('.'));
  if (kind == "order") return Entity::Orders;
  if (kind == "customer") return Entity::Customers;
  if (kind == "product" || kind.rfind("store_sheet", 0) == 0) return Entity::Products;  // stock sheets change stock
  return std::nullopt;
}
STORELINK_COLD_END

class GetflyConnector final : public Connector {
 public:
  STORELINK_COLD GetflyConnector() {
    info_.id = "getfly";
    info_.displayName = "Getfly CRM";
    info_.description = "Phần mềm quản lý khách hàng và bán hàng Getfly CRM (API v6.1).";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"domain", "Địa chỉ Getfly",
         "Địa chỉ bạn đăng nhập Getfly, dạng tencongty.getflycrm.com (có thể dán cả đường dẫn).", false,
         "tencongty.getflycrm.com"},
        {"apiKey", "API Key",
         "Trên Getfly: Cài đặt → Tích hợp → Tích hợp phần mềm khác → mục Getfly API Key, bấm tạo (nếu chưa có) rồi "
         "sao chép khóa (khoảng 30 ký tự). Khóa có toàn quyền đọc dữ liệu của công ty.",
         true, ""},
    };
    info_.status = "available";
    info_.apiHostPatterns = {"*.getflycrm.com"};
    info_.webhooks = true;
  }

  const PlatformInfo& info() const override { return info_; }

  STORELINK_COLD PagingPolicy paging(Entity) const override {
    PagingPolicy p;
    p.kind = PagingPolicy::Kind::Cursor;  // the last id read
    p.pageSize = 100;  // 1–100 [3P glama.ai Getfly MCP]; the docs give no maximum
    p.reanchor = false;
    p.watermarkIsRunStart = true;
    return p;
  }

  // No documented limit; 429s happen under bulk sync and the one figure given is "aim for
  // ≤ 2–5 requests/s per tenant" (getfly.md §3.5, UNCONFIRMED). 4.8/s with a burst of 5 stays
  // within its upper end; a 429 still empties the bucket and waits (Retry-After or backoff).
  RatePolicy rate() const override { return {4.8, 5, 0}; }

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    static const char* kPath[] = {"/products", "/sale_orders", "/accounts", "/warehouses"};
    static const char* kFields[] = {kProductFields, kOrderFields, kAccountFields, kWarehouseFields};
    HttpRequest r = apiGet(kPath[static_cast<int>(q.entity)],
                           {{"fields", kFields[static_cast<int>(q.entity)]},
                            {"limit", std::to_string(std::clamp(q.pageSize, 1, 100))},
                            {"offset", "0"},
                            {"sort", "id"},
                            {"direction", "asc"}});
    if (!q.cursor.empty()) r.query.emplace_back("filtering[id:gt]", q.cursor);
    if (q.modifiedFromMs && q.entity != Entity::Locations) {
      r.query.emplace_back("filtering[updated_at:gte]", formatLocal(*q.modifiedFromMs, kVietnamOffsetMinutes, 0).replace(10, 1, " "));
    }
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    if (v.kind == ResponseVerdict::Kind::Ok) return v;
    json body = parseJson(resp.body);
    std::string msg = js::text(body, "message").value_or(js::text(body, "error").value_or(""));
    if (resp.status == 401) {
      // A key, not a token: nothing to refresh.
      v.kind = ResponseVerdict::Kind::Fatal;
      v.error = Error::make(ErrorCode::InvalidCredentials,
                            "Getfly từ chối API Key: khóa không đúng, đã bị tạo lại hoặc bị thu hồi. Vào Getfly → Cài đặt → "
                            "Tích hợp → Getfly API Key để lấy khóa mới.",
                            "HTTP 401 " + msg);
      v.error.httpStatus = 401;
      v.error.field = "apiKey";
    } else if (resp.status == 404) {
      v.error.message = "Không tìm thấy API Getfly ở địa chỉ đã nhập (kiểm tra tên công ty trong địa chỉ .getflycrm.com).";
      v.error.field = "domain";
    } else if (v.kind == ResponseVerdict::Kind::Fatal && !msg.empty()) {
      v.error.message = "Getfly từ chối yêu cầu: " + msg.substr(0, 200);
    }
    if (!msg.empty()) v.error.detail += ": " + msg;
    return v;
  }

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    // List pages are the hot path: parsed with JsonDoc (same accept/reject rules as parseJson)
    // and read in place; webhooks keep the nlohmann path.
    JsonDoc doc;
    if (!doc.parse(text)) {
      // A form-encoded webhook body is not JSON.
      std::string s(text);
      if (s.find("event=") != std::string::npos && s.find('{') == std::string::npos) return parseWebhook(entity, s);
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu Getfly trả về bị lỗi hoặc không đầy đủ.", "body is not valid JSON");
    }
    const JsonValue& body = doc.root();
    if (body.is_object() && js::field(body, "event")) return parseWebhook(entity, std::string(text));
    Page page;
    const JsonValue* list = js::array(body, "data");
    if (list == nullptr) list = js::array(body, "records");  // v3 lists
    if (list == nullptr && body.is_array()) list = &body;
    std::vector<const JsonValue*> rows;
    if (list != nullptr) {
      rows.reserve(list->size());
      for (const JsonValue& row : *list) rows.push_back(&row);
    } else if (body.is_object() && (js::field(body, "id") || js::field(body, "order_code") || js::field(body, "product_code"))) {
      rows.push_back(&body);  // singular detail endpoints return the bare object
    } else {
      std::string msg = js::text(body, "message").value_or("");
      return Error::make(ErrorCode::UnexpectedShape,
                         msg.empty() ? "Dữ liệu Getfly trả về không đúng định dạng." : "Getfly báo lỗi: " + msg,
                         "expected {data:[...], has_more}");
    }
    Mapper map = mapperFor(entity);
    page.rowCount = rows.size();
    // Keyset: the next page starts after the highest id of this one. A server that ignored
    // filtering[id:gt] would answer the same page forever: refuse it rather than loop.
    const std::string after = opts.query ? opts.query->cursor : std::string();
    std::optional<int64_t> afterId = after.empty() ? std::nullopt : idNumber(after);
    std::optional<int64_t> lastId;
    for (const JsonValue* row : rows) {
      auto id = idNumber(js::id(*row, "id").value_or(""));
      if (!id) continue;
      if (afterId && *id <= *afterId) {
        return Error::make(ErrorCode::UnexpectedShape, "Getfly trả về dữ liệu không đúng thứ tự, không thể đồng bộ tiếp.",
                           "row id " + std::to_string(*id) + " not after filtering[id:gt]=" + after);
      }
      lastId = std::max(*id, lastId.value_or(*id));
    }
    auto more = js::boolean(body, "has_more");
    if (lastId && more.value_or(page.rowCount > 0)) page.nextCursor = std::to_string(*lastId);
    page.records.reserve(rows.size());
    page.sortKeys.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const JsonValue& row = *rows[i];
      auto rec = row.is_object() ? map(row, opts) : std::nullopt;
      if (!rec) {
        page.rowErrors.push_back(rowWithoutId("Getfly", i));
        continue;
      }
      page.sortKeys.push_back(gfTime(row, "updated_at"));
      page.records.push_back(std::move(*rec));
    }
    // No total count: the last page (has_more false) ends the run, so progress needs no more.
    if (more && !*more) {
      page.total = js::num(body, "offset").value_or(0) + static_cast<double>(page.rowCount);
    }
    return page;
  }

  // --- stock: the warehouse names once per products job, then inventories per page ---------

  STORELINK_COLD std::optional<HttpRequest> setupRequest(Entity e, const json&, const json& learned) const override {
    if (e != Entity::Products || js::field(learned, "warehouses")) return std::nullopt;
    return apiGet("/warehouses", {{"fields", kWarehouseFields}, {"limit", "100"}, {"offset", "0"}, {"sort", "id"}, {"direction", "asc"}});
  }

  STORELINK_COLD Result<json> applySetup(Entity, const json& learned, const HttpRequest&, const HttpResponse& resp) const override {
    if (resp.status < 200 || resp.status >= 300) return classify(resp).error;
    json body = parseJson(resp.body);
    if (body.is_discarded()) return Error::make(ErrorCode::InvalidJson, "Dữ liệu Getfly trả về bị lỗi hoặc không đầy đủ.", "warehouses body is not JSON");
    json names = json::object();
    if (const json* rows = js::array(body, "data")) {
      for (const auto& w : *rows) {
        auto id = js::id(w, "id");
        auto name = js::text(w, "store_name");
        if (id && name) names[*name] = *id;
      }
    }
    json out = learned.is_object() ? learned : json::object();
    out["warehouses"] = std::move(names);
    return out;
  }

  // The warehouse names carry over to the next products job for an hour (kept in the
  // checkpoint), so an incremental run does not list them again. A warehouse added meanwhile
  // still counts: its rows fall back to the name as the location id until the list is re-read.
  STORELINK_COLD std::optional<ReusableSetup> reusableSetup(Entity e, const json& learned) const override {
    const json* names = e == Entity::Products ? js::object(learned, "warehouses") : nullptr;
    if (!names || js::str(learned, "stock").value_or("") == "forbidden") return std::nullopt;
    for (const auto& [name, id] : names->items()) {
      if (!id.is_string()) return std::nullopt;  // not what applySetup writes: ask again
    }
    return ReusableSetup{json{{"warehouses", *names}}, 60 * 60 * 1000};
  }

  STORELINK_COLD std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const override {
    if (q.entity != Entity::Products || page.records.empty()) return {};
    if (q.learned && js::str(*q.learned, "stock").value_or("") == "forbidden") return {};
    std::vector<std::string> ids;
    for (const auto& r : page.records) ids.push_back(r.externalId);
    return {inventoriesRequest(ids, "")};
  }

  STORELINK_COLD std::optional<Error> applyFollowUp(const PageQuery& q, Page& page, size_t, const HttpResponse& resp) const override {
    json body = parseJson(resp.body);
    if (body.is_discarded()) return Error::make(ErrorCode::InvalidJson, "Dữ liệu Getfly trả về bị lỗi hoặc không đầy đủ.", "inventories body is not JSON");
    const json* rows = js::array(body, "data");
    if (rows == nullptr) return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu tồn kho Getfly không đúng định dạng.", "expected {data:[...]}");
    const json* names = q.learned ? js::object(*q.learned, "warehouses") : nullptr;
    std::map<std::string, Variant*> byProduct;
    for (auto& r : page.records) {
      if (auto* p = std::get_if<Product>(&r.body); p && !p->variants.empty()) {
        Variant& v = p->variants.front();
        if (!v.totalStock) v.totalStock = 0.0;  // stock was fetched: a product no row lists holds none
        byProduct[r.externalId] = &v;
      }
    }
    for (const auto& row : *rows) {
      auto pid = js::id(row, "product_id");
      auto it = pid ? byProduct.find(*pid) : byProduct.end();
      if (it == byProduct.end()) continue;
      // The location: warehouse_id when sent, else the id of the warehouse with that name, else
      // the name itself (a warehouse the list did not show still counts in the total).
      auto name = js::text(row, "warehouse_name");
      auto loc = js::id(row, "warehouse_id");
      if (!loc && name && names) loc = js::id(*names, *name);
      if (!loc) loc = name;
      if (!loc) continue;
      StockLevel level;
      level.locationId = *loc;
      level.onHand = js::num(row, "quantity");  // no reservations in Getfly: on hand is what sells
      level.available = level.onHand;
      Variant& v = *it->second;
      v.totalStock = v.totalStock.value_or(0) + level.available.value_or(0);
      v.stock.push_back(std::move(level));
    }
    if (js::boolean(body, "has_more").value_or(false) && !rows->empty()) {
      // The next page starts after the highest row id read (rows without a numeric id cannot
      // be continued: the walk stops, as a runaway one would). Counted too, for the cap.
      std::optional<int64_t> last;
      for (const auto& row : *rows) {
        if (auto id = idNumber(js::id(row, "id").value_or(""))) last = std::max(*id, last.value_or(*id));
      }
      const int64_t read = (page.pending.is_object() ? page.pending.value("inventoryRead", int64_t{0}) : 0) +
                           static_cast<int64_t>(rows->size());
      const std::string after = page.pending.is_object() ? page.pending.value("inventoryAfter", std::string()) : std::string();
      if (last && (after.empty() || *last > idNumber(after).value_or(-1))) {
        page.pending["inventoryNext"] = std::to_string(*last);
        page.pending["inventoryRead"] = read;
      }
    }
    return std::nullopt;
  }

  // A 403 on product/inventories (the key's user lost the right to see stock since the
  // warehouses were listed, possibly by a job an hour back): products go on without
  // per-warehouse stock for the rest of the job, as they carry none of their own, and the
  // warehouse list is no longer kept, so the next job lists it and asks for stock again.
  STORELINK_COLD std::optional<json> followUpRefused(const PageQuery& q, Page& page, const HttpResponse& resp) const override {
    if (q.entity != Entity::Products || resp.status != 403) return std::nullopt;
    json out = q.learned && q.learned->is_object() ? *q.learned : json::object();
    out["stock"] = "forbidden";
    if (page.pending.is_object()) {
      page.pending.erase("inventoryNext");
      page.pending.erase("inventoryAfter");
    }
    return out;
  }

  // The inventories list is paged too (has_more): applyFollowUp notes the next offset in
  // page.pending, and the engine asks for it here once the answer is merged.
  STORELINK_COLD std::vector<HttpRequest> moreFollowUps(const PageQuery&, Page& page) const override {
    if (!page.pending.is_object() || !page.pending.contains("inventoryNext")) return {};
    const std::string after = page.pending["inventoryNext"].get<std::string>();
    page.pending.erase("inventoryNext");
    if (page.pending.value("inventoryRead", int64_t{0}) > kMaxInventoryOffset) return {};
    page.pending["inventoryAfter"] = after;
    std::vector<std::string> ids;
    for (const auto& r : page.records) ids.push_back(r.externalId);
    return {inventoriesRequest(ids, after)};
  }

  // secret_key travels in the body in clear; compare it in constant time.
  STORELINK_COLD Result<WebhookEvent> inspectWebhook(const WebhookDelivery& d, const std::string& secret) const override {
    json f = webhookFields(d.body);
    auto event = js::text(f, "event");
    if (!event) {
      return Error::make(ErrorCode::UnexpectedShape, "Webhook Getfly không đúng định dạng.",
                         "expected form fields event, secret_key, data[...]");
    }
    WebhookEvent ev;
    ev.topic = *event;
    ev.entity = webhookEntity(*event);
    ev.deletion = event->find(".deleted") != std::string::npos || event->find(".hard_deleted") != std::string::npos;
    ev.eventId = js::str(f, "uid").value_or("");
    ev.storeKey = js::str(f, "domain").value_or("");
    if (secret.empty()) return ev;
    auto given = js::str(f, "secret_key");
    if (!given || !crypto::constantTimeEquals(*given, secret)) {
      return Error::make(ErrorCode::Forbidden, "Khóa bí mật (Secret Key) của webhook Getfly không khớp.",
                         given ? "secret_key does not match" : "secret_key missing");
    }
    ev.signatureChecked = true;
    return ev;
  }

  // What the shop types into Getfly → Cài đặt → Tích hợp hệ thống → Getfly Webhook (getfly.md
  // §3.6): the Callback URL (the connection's webhook URL) and the Secret Key StoreLink
  // generated, which Getfly sends back in clear as `secret_key`. "webhookSettings" {secret?} →
  // {fields: [{name, value}]} (the form's labels; no field without a secret).
  STORELINK_COLD Result<json> connectStep(std::string_view step, const json& input) const override {
    if (step != "webhookSettings") return Connector::connectStep(step, input);
    json fields = json::array();
    if (auto secret = js::text(input, "secret")) fields.push_back({{"name", "Secret Key"}, {"value", *secret}});
    return json{{"fields", fields}};
  }

 private:
  // Ids only: deletions become tombstones; anything else has to be fetched by a sync.
  STORELINK_COLD static Result<Page> parseWebhook(Entity entity, const std::string& body) {
    json f = webhookFields(body);
    Page page;
    std::string event = js::str(f, "event").value_or("");
    if (webhookEntity(event) != entity) return page;
    page.rowCount = 1;
    if (event.find("deleted") == std::string::npos) return page;
    const json* data = js::object(f, "data");
    if (data == nullptr) return page;
    for (const char* k : {"account_id", "customer_id", "id", "order_id", "product_id"}) {
      if (auto id = js::id(*data, k)) {
        page.removedIds.push_back(*id);
        break;
      }
    }
    return page;
  }

  PlatformInfo info_;
};

}  // namespace

const Connector& getfly() {
  static const GetflyConnector instance;
  return instance;
}

}  // namespace storelink::connectors
