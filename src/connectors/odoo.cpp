// Odoo external API, versions 14 → 19. Facts: shared/platforms/odoo.md; vendor docs
// odoo/documentation content/developer/reference/external_api.rst (JSON-2, 19) and
// external_rpc_api.rst (XML/JSON-RPC, deprecated in 19).
//
// What shapes this connector:
// - The server address is the shop's own (apiHostPatterns "*"): every URL starts with
//   {{secret.url|origin}}, which the proxy normalizes and validates.
// - There is no token: every JSON-RPC call carries db, uid and the key; JSON-2 (19+) a bearer
//   key plus X-Odoo-Database. So the engine's token step is unused, and what a job must know
//   before paging is learned by *setup requests*, once per job:
//     1. common.version (no auth)                 → major version (14…19, "saas~17.2" too)
//     2. on 19+: JSON-2 res.users/context_get     → uid + lang; a 401 falls back to (3),
//        since a password (not an API key) only works over JSON-RPC
//     3. common.authenticate(db, login, key, {})  → uid; `false` = bad credentials, not an error
//     4. res.users.context_get                    → the user's lang/tz (translated names)
//     5. fields_get(allfields=[wanted…]) per model → the fields this database really has
//   Requested fields are always wanted ∩ fields_get, so version differences (detailed_type
//   15–17, is_storable 18+, locked 17+, tax_id/product_uom renamed in 19, mobile gone in 19)
//   and missing modules never produce "Invalid field" errors. Re-learning per job costs a few
//   small requests and can never go stale after an upgrade or a module install.
// - Pages: search_read ordered "write_date asc, id asc" with write_date >= (UTC, no offset),
//   limit/offset; the engine re-anchors the filter and de-duplicates by id.
// - Children come from follow-up requests, one per page (not per record): sale.order.line and
//   res.partner for orders, product.template.attribute.value and stock.quant for products,
//   res.partner for warehouses.
// - `false` means empty; many2one values are [id, "name"] (or a bare id in webhook bodies).
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "connectors.hpp"
#include "storelink/cold.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kBase = "{{secret.url|origin}}";

// --- value access: false → null -------------------------------------------------
//
// List pages are the hot path: they are parsed with JsonDoc and read in place (JsonValue);
// follow-up answers and webhook bodies go through the same helpers and mappers.

const JsonValue* ov(const JsonValue& o, std::string_view key) {
  const JsonValue* v = js::field(o, key);
  if (v == nullptr || v->is_null() || (v->is_boolean() && !v->boolValue())) return nullptr;
  return v;
}
std::optional<std::string> otext(const JsonValue& o, std::string_view key) { return js::text(ov(o, key)); }
std::optional<double> onum(const JsonValue& o, std::string_view key) { return js::num(ov(o, key)); }
std::optional<std::string> m2oId(const JsonValue& o, std::string_view key) {
  const JsonValue* v = ov(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_array()) return v->empty() ? std::nullopt : js::id(&*v->begin());
  return js::id(v);  // automation webhooks send many2one as a plain id
}
// The display name of a many2one [id, "name"], in place: nullptr when there is none.
const JsonValue* m2oNameValue(const JsonValue& o, std::string_view key) {
  const JsonValue* v = ov(o, key);
  if (v == nullptr || !v->is_array() || v->size() < 2) return nullptr;
  return &*++v->begin();
}
std::optional<std::string> m2oName(const JsonValue& o, std::string_view key) { return js::text(m2oNameValue(o, key)); }
// A string whose trimmed form (js::text) is itself, so it can be read in place.
bool untrimmed(std::string_view s) {
  const auto edge = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  return !s.empty() && !edge(s.front()) && !edge(s.back()) && s.front() != '\xC2' && s.back() != '\xA0';
}
// Odoo datetimes are UTC without offset ("2026-05-07 04:04:38").
std::optional<int64_t> otime(const JsonValue& o, std::string_view key) {
  const JsonValue* v = ov(o, key);
  if (v != nullptr && v->is_string() && untrimmed(v->stringValue())) return parseDateTime(v->stringValue(), 0);
  auto s = js::text(v);
  return s ? parseDateTime(*s, 0) : std::nullopt;
}
// "Hồ Chí Minh (VN)" → "Hồ Chí Minh": res.country.state display names carry the country code
// (res.country.code: two letters, upper-cased by Odoo). Any other parenthesis is the name's.
std::optional<std::string> stateName(const JsonValue& o) {
  auto s = m2oName(o, "state_id");
  const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (s && s->size() > 5) {
    const char* tail = s->data() + s->size() - 5;  // " (VN)"
    if (tail[0] == ' ' && tail[1] == '(' && upper(tail[2]) && upper(tail[3]) && tail[4] == ')') s->resize(s->size() - 5);
  }
  return s;
}
std::optional<std::string> partnerPhone(const JsonValue& p) {
  for (const char* k : {"phone", "mobile"}) {
    // normalizePhone trims as js::text does (and answers nullopt for a blank string).
    const JsonValue* v = ov(p, k);
    if (v == nullptr) continue;
    if (auto ph = v->is_string() ? normalizePhone(v->stringValue()) : normalizePhone(js::str(v).value_or(""))) return ph;
  }
  return std::nullopt;
}
std::optional<std::string> streetLine(const JsonValue& p) {
  auto street = otext(p, "street");
  auto street2 = otext(p, "street2");
  if (street && street2) return *street + ", " + *street2;
  return street ? street : street2;
}
// res.partner → Address. Vietnamese data keeps the province in state_id; `city` then holds
// the district or city-level name, so it becomes the district (or the province when no state).
Address partnerAddress(const JsonValue& p, bool withNameAndPhone) {
  Address a;
  if (withNameAndPhone) {
    a.name = otext(p, "name");
    a.phone = partnerPhone(p);
  }
  a.address = streetLine(p);
  auto state = stateName(p);
  auto city = otext(p, "city");
  if (state) {
    a.province = state;
    if (city && *city != *state) a.district = city;
  } else {
    a.province = city;
  }
  a.country = m2oName(p, "country_id");
  return a;
}
bool hasAddress(const Address& a) { return a.name || a.phone || a.address || a.district || a.province || a.country; }

STORELINK_COLD_BEGIN
// --- errors ------------------------------------------------------------------------

struct OdooFault {
  std::string name, message;
};

// The JSON-RPC `error` object (HTTP 200) or a JSON-2 error body (HTTP 4xx/5xx).
std::optional<OdooFault> faultOf(const json& body) {
  if (const json* e = js::object(body, "error")) {
    OdooFault f;
    const json* data = js::object(*e, "data");
    f.name = data ? js::str(*data, "name").value_or("") : "";
    f.message = data ? js::str(*data, "message").value_or("") : "";
    if (f.message.empty()) f.message = js::str(*e, "message").value_or("");
    return f;
  }
  if (body.is_object() && js::field(body, "name") && js::field(body, "message") && !js::field(body, "id")) {
    return OdooFault{js::str(body, "name").value_or(""), js::str(body, "message").value_or("")};
  }
  return std::nullopt;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

const char* kPlanHint =
    " Nếu dùng Odoo Online, API chỉ có ở gói Tùy chỉnh (Custom); gói Tiêu chuẩn (Standard) không cho kết nối.";

// Maps an Odoo exception to our error (retry = worth another attempt).
Error faultError(const OdooFault& f, int httpStatus, bool& retry) {
  retry = false;
  const std::string detail = f.name + ": " + f.message;
  Error e;
  if (contains(f.name, "AccessDenied") || contains(f.name, "Unauthorized") || httpStatus == 401) {
    if (contains(f.message, "Too many login failures")) {
      e = Error::make(ErrorCode::RateLimited,
                      "Odoo đang tạm khóa đăng nhập vì sai thông tin nhiều lần. Vui lòng đợi vài phút rồi thử lại.", detail);
    } else {
      e = Error::make(ErrorCode::InvalidCredentials,
                      std::string("Odoo từ chối thông tin đăng nhập: sai tên đăng nhập, khóa API (hoặc mật khẩu), "
                                  "tên cơ sở dữ liệu, hoặc khóa API đã hết hạn.") + kPlanHint,
                      detail);
    }
  } else if (contains(f.name, "AccessError") || httpStatus == 403) {
    e = Error::make(ErrorCode::Forbidden,
                    "Người dùng Odoo này không có quyền đọc dữ liệu cần đồng bộ. Hãy cấp quyền Bán hàng và Kho "
                    "(ít nhất quyền xem) cho người dùng rồi thử lại.",
                    detail);
  } else if (contains(f.name, "KeyError") || contains(f.name, "NotFound") || httpStatus == 404) {
    e = Error::make(ErrorCode::NotFound, "Máy chủ Odoo không có chức năng cần thiết (ứng dụng chưa được cài?).", detail);
  } else if (contains(f.name, "psycopg2") && contains(f.message, "does not exist")) {
    e = Error::make(ErrorCode::InvalidCredentials, "Không tìm thấy cơ sở dữ liệu Odoo với tên đã nhập.", detail);
    e.field = "database";
  } else if (contains(f.name, "psycopg2") || contains(f.name, "SerializationFailure") ||
             contains(f.name, "ServiceUnavailable") || httpStatus >= 500) {
    e = Error::make(ErrorCode::ServerError, "Máy chủ Odoo đang bận hoặc gặp sự cố; đã thử lại nhiều lần.", detail);
    retry = true;
  } else if (contains(f.name, "ValueError") && contains(f.message, "Invalid field")) {
    e = Error::make(ErrorCode::PlatformError,
                    "Odoo không nhận một trường dữ liệu (máy chủ vừa được nâng cấp hoặc gỡ ứng dụng?). Hãy chạy lại đồng bộ.",
                    detail);
  } else if (contains(f.name, "SessionExpired")) {
    e = Error::make(ErrorCode::InvalidCredentials, "Phiên làm việc Odoo đã hết hạn.", detail);
  } else {
    std::string shown = f.message.substr(0, 200);
    e = Error::make(ErrorCode::PlatformError, "Odoo báo lỗi: " + (shown.empty() ? f.name : shown), detail);
  }
  e.platformCode = f.name;
  e.httpStatus = httpStatus;
  return e;
}

constexpr int kVersionRetries = 5;  // garbled common.version answers asked again before "not Odoo"

Error notOdoo(const HttpResponse& r) {
  Error e = Error::make(ErrorCode::NotFound,
                        "Không tìm thấy máy chủ Odoo ở địa chỉ đã nhập. Hãy kiểm tra địa chỉ (ví dụ https://congty.odoo.com).",
                        "common.version: HTTP " + std::to_string(r.status) + ", body is not a JSON-RPC answer");
  e.field = "url";
  e.httpStatus = r.status;
  return e;
}

// --- what each entity reads ---------------------------------------------------------

struct ModelSpec {
  const char* model;
  std::vector<const char*> wanted;
};

const ModelSpec kProduct{"product.product",
                         {"id", "name", "display_name", "default_code", "barcode", "lst_price", "standard_price",
                          "qty_available", "free_qty", "categ_id", "weight", "active", "sale_ok", "type",
                          "detailed_type", "is_storable", "product_tmpl_id", "product_template_attribute_value_ids",
                          "description_sale", "create_date", "write_date"}};
const ModelSpec kQuant{"stock.quant", {"id", "product_id", "location_id", "warehouse_id", "quantity", "reserved_quantity"}};
const ModelSpec kAttrValue{"product.template.attribute.value", {"id", "name", "attribute_id"}};
const ModelSpec kOrder{"sale.order",
                       {"id", "name", "partner_id", "partner_shipping_id", "date_order", "state", "locked",
                        "amount_untaxed", "amount_tax", "amount_total", "currency_id", "note", "warehouse_id",
                        "client_order_ref", "create_date", "write_date"}};
const ModelSpec kOrderLine{"sale.order.line",
                           {"id", "order_id", "sequence", "display_type", "product_id", "name", "product_uom_qty",
                            "price_unit", "discount", "price_subtotal", "price_total", "is_delivery"}};
const ModelSpec kPartner{"res.partner",
                         {"id", "name", "email", "phone", "mobile", "street", "street2", "city", "state_id",
                          "country_id", "zip", "is_company", "ref", "active", "customer_rank", "sale_order_count",
                          "create_date", "write_date"}};
const ModelSpec kWarehouse{"stock.warehouse", {"id", "name", "code", "partner_id", "active", "create_date", "write_date"}};

const ModelSpec& primary(Entity e) {
  switch (e) {
    case Entity::Products: return kProduct;
    case Entity::Orders: return kOrder;
    case Entity::Customers: return kPartner;
    case Entity::Locations: return kWarehouse;
  }
  return kProduct;
}

bool hasField(const json& learned, std::string_view model, std::string_view field) {
  const json* fields = js::object(learned, "fields");
  const json* list = fields ? js::array(*fields, model) : nullptr;
  if (list == nullptr) return false;
  for (const auto& f : *list)
    if (f.is_string() && f.get_ref<const std::string&>() == field) return true;
  return false;
}
bool knowsModel(const json& learned, std::string_view model) {
  const json* fields = js::object(learned, "fields");
  return fields && js::array(*fields, model);
}

// The models whose fields a job needs, in order; later ones may depend on earlier answers.
std::vector<const ModelSpec*> modelsFor(Entity e, const json& learned) {
  switch (e) {
    case Entity::Products: {
      std::vector<const ModelSpec*> m{&kProduct, &kAttrValue};
      // Per-warehouse stock only when the Inventory app is installed.
      if (hasField(learned, kProduct.model, "qty_available")) m.push_back(&kQuant);
      return m;
    }
    case Entity::Orders: return {&kOrder, &kOrderLine, &kPartner};
    case Entity::Customers: return {&kPartner};
    case Entity::Locations: return {&kWarehouse, &kPartner};
  }
  return {};
}

json fieldsOf(const ModelSpec& spec, const json& learned) {
  json out = json::array();
  for (const char* f : spec.wanted)
    if (std::string_view(f) == "id" || hasField(learned, spec.model, f)) out.push_back(f);
  return out;
}

// --- requests ----------------------------------------------------------------------------

bool json2(const json& learned) { return js::str(learned, "api").value_or("") == "json2"; }

json contextOf(const json& learned, bool inactiveToo) {
  json ctx = json::object();
  if (const json* c = js::object(learned, "context")) {
    for (const char* k : {"lang", "tz"})
      if (auto v = js::text(*c, k)) ctx[k] = *v;
  }
  if (inactiveToo) ctx["active_test"] = false;
  return ctx;
}

HttpRequest rpc(const json& params, const char* purpose) {
  HttpRequest r;
  r.method = "POST";
  r.url = std::string(kBase) + "/jsonrpc";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = dumpJson(json{{"jsonrpc", "2.0"}, {"method", "call"}, {"params", params}, {"id", 1}});
  r.purpose = purpose;
  return r;
}

// One ORM call: execute_kw over JSON-RPC (14–18, and 19 with a password), or JSON-2 (19+).
// `kwargs` are named arguments; search_read's domain is passed positionally over RPC as the
// docs show, and as "domain" over JSON-2.
HttpRequest ormCall(const json& learned, const std::string& model, const std::string& method, json domain, json kwargs,
                    const char* purpose) {
  if (json2(learned)) {
    HttpRequest r;
    r.method = "POST";
    r.url = std::string(kBase) + "/json/2/" + model + "/" + method;
    r.headers = {{"Authorization", "bearer {{secret.apiKey}}"},
                 {"X-Odoo-Database", "{{secret.database}}"},
                 {"Content-Type", "application/json; charset=utf-8"}};
    if (!domain.is_null()) kwargs["domain"] = std::move(domain);
    r.body = dumpJson(kwargs);
    r.purpose = purpose;
    return r;
  }
  json args = json::array();
  if (!domain.is_null()) args.push_back(std::move(domain));
  json uid = js::field(learned, "uid") ? learned["uid"] : json(0);
  return rpc({{"service", "object"},
              {"method", "execute_kw"},
              {"args", {"{{secret.database|json}}", uid, "{{secret.apiKey|json}}", model, method, args, kwargs}}},
             purpose);
}

// "2026-05-07 04:04:38": what write_date compares with (UTC, whole seconds, rounded down so
// the filter is never narrower than asked).
std::string odooTime(int64_t ms) {
  std::string s = formatLocal(ms, 0, 0);
  if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
  return s;
}

json searchRead(const ModelSpec& spec, const json& learned, json domain, std::optional<int> limit, int64_t offset,
                bool inactiveToo) {
  json kw = {{"fields", fieldsOf(spec, learned)}, {"context", contextOf(learned, inactiveToo)}};
  if (limit) {
    kw["limit"] = *limit;
    kw["offset"] = offset;
    kw["order"] = "write_date asc, id asc";
  }
  return json::array({std::move(domain), std::move(kw)});
}

json idsJson(const std::vector<std::string>& ids) {
  json a = json::array();
  for (const auto& id : ids) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    if (ec == std::errc() && p == id.data() + id.size()) a.push_back(n);
  }
  return a;
}

// The raw row as parseJson + dumpJson would give it. A webhook body without `id` is mapped
// with its `_id` as the id (`idv`), and its raw carries that id as "id".
std::string rawJsonOf(const JsonValue& o, const JsonValue* idv) {
  if (idv == nullptr || idv == js::field(o, "id")) return dumpJson(o);
  json j = toJson(o);
  j["id"] = toJson(*idv);
  return dumpJson(j);
}

Error unexpectedShape() {
  return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu Odoo trả về không đúng định dạng.", "expected a JSON-RPC result list");
}

Error invalidJson() {
  return Error::make(ErrorCode::InvalidJson, "Dữ liệu Odoo trả về bị lỗi hoặc không đầy đủ.", "body is not valid JSON");
}

// faultOf's tests on a JsonValue: a JSON-RPC `error` object, or a JSON-2 error body
// {name, message} (without an id, which a record has).
bool looksLikeFault(const JsonValue& body) {
  return body.is_object() &&
         (js::object(body, "error") || (js::field(body, "name") && js::field(body, "message") && !js::field(body, "id")));
}

// An Odoo error body, read with the same faultOf as setup and classify (the text parses:
// JsonDoc and parseJson accept the same inputs).
Error faultIn(std::string_view text, const HttpResponse* resp) {
  auto f = faultOf(parseJson(text));
  bool retry = false;
  return faultError(f.value_or(OdooFault{}), resp ? resp->status : 200, retry);
}

// Reads back the ids parsePage noted for the follow-ups (noteRow), in order: each with its
// record's index and its place among that record's ids.
class NoteReader {
 public:
  explicit NoteReader(const Page& page)
      : s_(page.pending.is_string() ? std::string_view(page.pending.get_ref<const std::string&>()) : std::string_view()) {}
  size_t record = 0, slot = 0;
  std::string_view id;  // a view into page.pending

  bool next() {
    if (started_) ++slot;
    started_ = true;
    while (i_ < s_.size() && s_[i_] == ';') {
      ++record;
      slot = 0;
      ++i_;
    }
    size_t n = 0;
    auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), n);
    i_ = static_cast<size_t>(p - s_.data()) + 1;  // past ':'
    if (ec != std::errc() || i_ > s_.size() || n > s_.size() - i_) return false;  // the end
    id = s_.substr(i_, n);
    i_ += n;
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  bool started_ = false;
};
STORELINK_COLD_END

// --- mapping -------------------------------------------------------------------------------

// A row as the mappers read it, in place.
struct Row {
  const JsonValue& o;
  const JsonValue* id;             // its id value: `id`, or a webhook body's `_id`
  std::optional<int64_t> written;  // write_date, which is also the page's sort key
};

void common(Record& r, RecordType type, const Row& row, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "odoo";
  r.createdAtMs = otime(row.o, "create_date");
  r.updatedAtMs = row.written ? row.written : r.createdAtMs;
  if (opts.includeRaw) r.rawJson = rawJsonOf(row.o, row.id);
}

// Storable (stock-tracked) goods: is_storable (18+), detailed_type (15–17), type (≤17).
std::optional<bool> storable(const JsonValue& o) {
  if (const JsonValue* s = js::field(o, "is_storable"); s && s->is_boolean()) return s->boolValue();
  if (auto dt = otext(o, "detailed_type")) return *dt == "product";
  if (auto t = otext(o, "type")) return *t == "product";
  return std::nullopt;
}

// "All / Saleable / Áo" → "Áo".
std::optional<std::string> leafCategory(const JsonValue& o) {
  auto c = m2oName(o, "categ_id");
  if (!c) return c;
  size_t slash = c->rfind(" / ");
  return slash == std::string::npos ? c : nonEmpty(std::string_view(*c).substr(slash + 3));
}

bool mapProduct(const Row& row, const NormalizeOptions& opts, Record& r) {
  auto id = js::id(row.id);
  if (!id) return false;
  const JsonValue& o = row.o;
  r.externalId = *id;
  common(r, RecordType::Product, row, opts);
  Product& p = r.body.emplace<Product>();
  p.name = otext(o, "name");
  p.sku = otext(o, "default_code");
  p.barcode = otext(o, "barcode");
  p.description = otext(o, "description_sale");
  p.category = leafCategory(o);
  auto active = js::boolean(o, "active");
  auto saleOk = js::boolean(o, "sale_ok");
  if (active || saleOk) p.active = active.value_or(true) && saleOk.value_or(true);
  // Each product.product row is a product whose one variant is itself; the template groups them.
  p.parentExternalId = m2oId(o, "product_tmpl_id");
  Variant& v = p.variants.emplace_back();
  v.externalId = std::move(*id);
  v.sku = p.sku;
  v.barcode = p.barcode;
  v.name = otext(o, "display_name");
  if (!v.name) v.name = p.name;
  v.price = onum(o, "lst_price");
  if (!v.price) v.price = onum(o, "list_price");
  v.cost = onum(o, "standard_price");
  // weight is in kg unless the database is set to pounds (Settings → "Weight in lbs"), which
  // the API does not expose [UNCONFIRMED how common]; kg is Odoo's default unit.
  if (auto w = js::num(js::field(o, "weight")); w && *w > 0) v.weightGrams = *w * 1000.0;
  auto tracked = storable(o);
  if (tracked.value_or(true)) {  // services and untracked consumables have no stock figure
    if (const JsonValue* f = js::field(o, "free_qty"); f && f->is_number()) v.totalStock = f->numberValue();  // on hand − reserved
    else if (const JsonValue* qa = js::field(o, "qty_available"); qa && qa->is_number()) v.totalStock = qa->numberValue();
  }
  p.totalStock = v.totalStock;
  return true;
}

std::optional<OrderStatus> orderStatus(const std::string& state, bool locked) {
  // sale_order.py SALE_ORDER_STATE; `done` (≤16) and `sale` + locked (17+) are the same thing.
  if (state == "draft" || state == "sent") return OrderStatus::Pending;
  if (state == "sale") return locked ? OrderStatus::Completed : OrderStatus::Confirmed;
  if (state == "done") return OrderStatus::Completed;
  if (state == "cancel") return OrderStatus::Cancelled;
  return std::nullopt;
}

bool mapOrder(const Row& row, const NormalizeOptions& opts, Record& r) {
  auto id = js::id(row.id);
  if (!id) return false;
  const JsonValue& o = row.o;
  r.externalId = *id;
  common(r, RecordType::Order, row, opts);
  Order& ord = r.body.emplace<Order>();
  ord.code = otext(o, "name");
  auto state = otext(o, "state");
  bool locked = js::boolean(o, "locked").value_or(false);
  if (state) {
    ord.status = orderStatus(*state, locked);
    ord.platformStatus = locked && *state == "sale" ? *state + " (locked)" : *state;
  }
  if (auto pid = m2oId(o, "partner_id")) {
    OrderCustomer c;
    c.externalId = pid;
    c.name = m2oName(o, "partner_id");
    ord.customer = c;
  }
  ord.total = onum(o, "amount_total");
  ord.tax = onum(o, "amount_tax");
  ord.subtotal = onum(o, "amount_untaxed");  // replaced by Σ product lines once lines arrive
  ord.discount = 0.0;                        // Odoo discounts live on the lines
  ord.currency = m2oName(o, "currency_id");
  if (ord.currency && (ord.currency->size() != 3 ||
                       !std::all_of(ord.currency->begin(), ord.currency->end(), [](char c) { return c >= 'A' && c <= 'Z'; })))
    ord.currency.reset();
  ord.locationId = m2oId(o, "warehouse_id");
  if (auto note = otext(o, "note")) ord.note = htmlToText(*note);  // html since 16, text before
  if (!r.createdAtMs) r.createdAtMs = otime(o, "date_order");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;  // common() ran before date_order was read
  return true;
}

bool mapPartner(const Row& row, const NormalizeOptions& opts, Record& r) {
  auto id = js::id(row.id);
  if (!id) return false;
  const JsonValue& o = row.o;
  r.externalId = *id;
  common(r, RecordType::Customer, row, opts);
  Customer& c = r.body.emplace<Customer>();
  c.name = otext(o, "name");
  c.phone = partnerPhone(o);
  c.email = otext(o, "email");
  Address a = partnerAddress(o, false);
  if (hasAddress(a)) c.address = a;
  if (const JsonValue* n = js::field(o, "sale_order_count"); n && n->is_number()) c.orderCount = n->numberValue();
  return true;
}

// Warehouses are a handful of rows per job: off the hot path.
STORELINK_COLD bool mapWarehouse(const Row& row, const NormalizeOptions& opts, Record& r) {
  auto id = js::id(row.id);
  if (!id) return false;
  const JsonValue& o = row.o;
  r.externalId = *id;
  common(r, RecordType::Location, row, opts);
  Location& l = r.body.emplace<Location>();
  l.name = otext(o, "name");
  return true;
}

using Mapper = bool (*)(const Row&, const NormalizeOptions&, Record&);  // false: the row has no id
Mapper mapperFor(Entity e) {
  switch (e) {
    case Entity::Products: return mapProduct;
    case Entity::Orders: return mapOrder;
    case Entity::Customers: return mapPartner;
    case Entity::Locations: return mapWarehouse;
  }
  return mapProduct;
}

// What follow-ups need from the page's records, in page.pending as one string: per record its
// ids, each written as <length>:<bytes>, then ';'. Products: the attribute value ids; orders:
// the partner, then the shipping partner; locations: the partner ("" where there is none).
void noteId(std::string& notes, std::string_view id) {
  char len[20];
  size_t at = sizeof len;
  for (size_t n = id.size(); at == sizeof len || n > 0; n /= 10) len[--at] = static_cast<char>('0' + n % 10);
  notes.append(len + at, sizeof len - at);
  notes += ':';
  notes += id;
}
void noteRow(std::string& notes, Entity e, const JsonValue& row, const Record& rec) {
  if (e == Entity::Products) {
    if (const JsonValue* a = ov(row, "product_template_attribute_value_ids"); a && a->is_array())
      for (const auto& v : *a)
        if (auto id = js::id(&v)) noteId(notes, *id);
  } else if (e == Entity::Orders) {
    const auto* ord = std::get_if<Order>(&rec.body);
    noteId(notes, ord && ord->customer ? ord->customer->externalId.value_or("") : "");  // m2oId(partner_id)
    noteId(notes, m2oId(row, "partner_shipping_id").value_or(""));
  } else if (e == Entity::Locations) {
    noteId(notes, m2oId(row, "partner_id").value_or(""));
  }
  notes += ';';
}

// The rows of an answer: JSON-RPC {"result": [...]}, JSON-2's bare array, web_search_read's
// {"records": [...]}, or one object (an automation webhook body {"_model", "_id", ...}).
// `text` is the body `doc` was parsed from (error bodies are read from it).
Result<const JsonValue*> rowsOf(const JsonValue& body, std::string_view text, const HttpResponse* resp) {
  if (looksLikeFault(body)) return faultIn(text, resp);
  const JsonValue* result = body.is_object() && js::field(body, "result") ? js::field(body, "result") : &body;
  if (result->is_array()) return result;
  if (const JsonValue* recs = js::array(*result, "records")) return recs;
  if (result->is_object() && (js::field(*result, "id") || js::field(*result, "_id"))) return result;
  return unexpectedShape();
}

class OdooConnector final : public Connector {
 public:
  STORELINK_COLD OdooConnector() {
    info_.id = "odoo";
    info_.displayName = "Odoo";
    info_.description = "Hệ thống ERP Odoo (phiên bản 14 đến 19; Odoo Online, Odoo.sh hoặc máy chủ riêng).";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"url", "Địa chỉ Odoo",
         "Địa chỉ bạn dùng để mở Odoo trên trình duyệt, ví dụ https://congty.odoo.com hoặc tên miền riêng của công ty.",
         false, "https://congty.odoo.com"},
        {"database", "Tên cơ sở dữ liệu (database)",
         "Với Odoo Online thường trùng phần đầu địa chỉ (congty trong congty.odoo.com). Máy chủ riêng hoặc Odoo.sh: "
         "xem ở trang /web/database/selector hoặc hỏi người quản trị.",
         false, "congty"},
        {"login", "Tên đăng nhập",
         "Email (tên đăng nhập) của người dùng Odoo dùng để đồng bộ. Nên tạo một người dùng riêng có quyền Bán hàng và Kho.",
         false, "dongbo@congty.vn"},
        {"apiKey", "Khóa API (hoặc mật khẩu)",
         "Trong Odoo: bấm ảnh đại diện → Hồ sơ của tôi / Tùy chọn → thẻ Bảo mật tài khoản → Khóa API mới, đặt tên "
         "(ví dụ StoreLink), chép khóa ngay vì Odoo chỉ hiện một lần. Bắt buộc dùng khóa API khi bật xác thực hai bước; "
         "từ Odoo 19 khóa có thời hạn tối đa 3 tháng. Odoo Online chỉ cho dùng API ở gói Tùy chỉnh (Custom), "
         "gói Tiêu chuẩn (Standard) và Một ứng dụng miễn phí sẽ bị từ chối.",
         true, ""},
    };
    info_.status = "available";
    info_.apiHostPatterns = {"*"};  // the shop's own server; the proxy checks it like any host
    info_.webhooks = false;
  }

  const PlatformInfo& info() const override { return info_; }

  PagingPolicy paging(Entity) const override {
    PagingPolicy p;
    p.kind = PagingPolicy::Kind::ModifiedTimeOffset;
    p.pageSize = 100;  // no server maximum; 100 keeps each page's follow-ups small
    p.reportsDeletions = false;
    return p;
  }

  // No documented limit; Odoo.sh/Online workers are shared, so stay gentle.
  RatePolicy rate() const override { return {4, 4, 0}; }

  // --- setup ---------------------------------------------------------------------------

  enum class Step { Version, Json2Context, Authenticate, Context, Fields, Ready };

  STORELINK_COLD static Step nextStep(Entity e, const json& learned, const ModelSpec** model) {
    if (!js::field(learned, "version")) return Step::Version;
    if (!js::field(learned, "uid")) {
      if (js::num(learned, "version").value_or(0) >= 19 && !js::boolean(learned, "json2Tried").value_or(false))
        return Step::Json2Context;
      return Step::Authenticate;
    }
    if (!js::field(learned, "context")) return Step::Context;
    for (const ModelSpec* m : modelsFor(e, learned)) {
      if (!knowsModel(learned, m->model)) {
        *model = m;
        return Step::Fields;
      }
    }
    return Step::Ready;
  }

  STORELINK_COLD std::optional<HttpRequest> setupRequest(Entity e, const json&, const json& learned) const override {
    const ModelSpec* model = nullptr;
    switch (nextStep(e, learned, &model)) {
      case Step::Version:
        return rpc({{"service", "common"}, {"method", "version"}, {"args", json::array()}}, "verify");
      case Step::Json2Context: {
        json l = learned;
        l["api"] = "json2";
        return ormCall(l, "res.users", "context_get", nullptr, json::object(), "auth");
      }
      case Step::Authenticate:
        return rpc({{"service", "common"},
                    {"method", "authenticate"},
                    {"args", {"{{secret.database|json}}", "{{secret.login|json}}", "{{secret.apiKey|json}}", json::object()}}},
                   "auth");
      case Step::Context:
        return ormCall(learned, "res.users", "context_get", nullptr, json::object(), "auth");
      case Step::Fields: {
        json wanted = json::array();
        for (const char* f : model->wanted) wanted.push_back(f);
        return ormCall(learned, model->model, "fields_get", nullptr,
                       {{"allfields", wanted}, {"attributes", json::array({"type"})}}, "verify");
      }
      case Step::Ready:
        break;
    }
    return std::nullopt;
  }

  STORELINK_COLD Result<json> applySetup(Entity e, const json& learned, const HttpRequest&, const HttpResponse& resp) const override {
    const ModelSpec* model = nullptr;
    const Step step = nextStep(e, learned, &model);
    json body = parseJson(resp.body);
    json out = learned;
    const json* result = body.is_object() ? js::field(body, "result") : nullptr;
    auto fault = body.is_discarded() ? std::nullopt : faultOf(body);

    if (step == Step::Version) {
      if (body.is_discarded() && resp.status >= 200 && resp.status < 300 && resp.status != 204) {
        // One garbled 200 (a body cut off, a proxy's error page) does not prove the address is
        // no Odoo: a cut-off JSON answer is retried like any page; anything else is asked again,
        // up to five times, before the address is called wrong (found by tests/js/faults.test.js;
        // two retries were not enough under a storm of garbled answers).
        size_t first = resp.body.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && (resp.body[first] == '{' || resp.body[first] == '[')) {
          return Error::make(ErrorCode::InvalidJson, "Dữ liệu Odoo trả về bị lỗi hoặc không đầy đủ.", "common.version: body cut off");
        }
        int misses = toIntOr(js::num(learned, "versionMisses").value_or(0), 0);
        if (misses < kVersionRetries) {
          out["versionMisses"] = misses + 1;
          return out;
        }
      }
      if (body.is_discarded() || resp.status == 404 || (!fault && result == nullptr)) return notOdoo(resp);
      if (fault) {
        bool retry = false;
        return faultError(*fault, resp.status, retry);
      }
      auto major = versionOf(*result);
      if (!major) return notOdoo(resp);
      if (*major < 13) {
        return Error::make(ErrorCode::Unsupported,
                           "Phiên bản Odoo " + std::to_string(*major) + " chưa được hỗ trợ; StoreLink cần Odoo 14 trở lên.",
                           "server_version " + js::str(*result, "server_version").value_or(""));
      }
      out.erase("versionMisses");
      out["version"] = *major;
      out["serverVersion"] = js::str(*result, "server_version").value_or("");
      out["api"] = "jsonrpc";
      return out;
    }
    if (step == Step::Json2Context) {
      // A valid API key answers with the user's context; anything else (a password instead of
      // a key, JSON-2 disabled) falls back to JSON-RPC authenticate, which still works on 19.
      out["json2Tried"] = true;
      if (resp.status == 200 && body.is_object() && !fault) {
        if (auto uid = js::num(body, "uid")) {
          out["api"] = "json2";
          out["uid"] = toInt64Or(*uid, 0);
          out["context"] = body;
        }
      }
      return out;
    }
    if (body.is_discarded()) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu Odoo trả về bị lỗi hoặc không đầy đủ.", "setup body not JSON");
    }
    if (fault) {
      bool retry = false;
      Error err = faultError(*fault, resp.status, retry);
      if (step == Step::Fields && err.code == ErrorCode::NotFound) return missingModel(e, *model, out);
      return err;
    }
    if (resp.status == 404 && step == Step::Fields) return missingModel(e, *model, out);
    if (resp.status < 200 || resp.status >= 300) {
      return Error::make(ErrorCode::PlatformError, "Odoo từ chối yêu cầu (HTTP " + std::to_string(resp.status) + ").",
                         "setup");
    }
    const json& value = result ? *result : body;  // JSON-2 answers without an envelope
    switch (step) {
      case Step::Authenticate: {
        auto uid = value.is_number() ? js::num(&value) : std::nullopt;
        if (!uid || *uid <= 0) {
          // `false`: wrong login, key/password or database, not a server error.
          Error err = Error::make(ErrorCode::InvalidCredentials,
                                  std::string("Odoo không chấp nhận thông tin đăng nhập: kiểm tra lại tên đăng nhập, khóa API "
                                              "(hoặc mật khẩu) và tên cơ sở dữ liệu.") + kPlanHint,
                                  "common.authenticate returned false");
          err.platformCode = "authenticate:false";
          return err;
        }
        out["uid"] = toInt64Or(*uid, 0);
        return out;
      }
      case Step::Context:
        out["context"] = value.is_object() ? value : json::object();
        return out;
      case Step::Fields: {
        json names = json::array();
        if (value.is_object())
          for (auto it = value.begin(); it != value.end(); ++it) names.push_back(it.key());
        out["fields"][model->model] = names;
        return out;
      }
      default:
        return out;
    }
  }

  // --- pages and follow-ups ---------------------------------------------------------------

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    static const json kEmpty = json::object();
    const json& learned = q.learned ? *q.learned : kEmpty;
    const ModelSpec& spec = primary(q.entity);
    json domain = json::array();
    if (q.entity == Entity::Customers) domain.push_back({"customer_rank", ">", 0});
    if (q.entity != Entity::Orders) domain.push_back({"active", "in", {true, false}});  // archived ones too
    if (q.modifiedFromMs) domain.push_back({"write_date", ">=", odooTime(*q.modifiedFromMs)});
    json args = searchRead(spec, learned, domain, std::clamp(q.pageSize, 1, 500), q.offset, false);
    return ormCall(learned, spec.model, "search_read", args[0], args[1], "page");
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    // Every page and follow-up answer passes here (JSON-RPC faults come with HTTP 200): the
    // nlohmann DOM is built only for a body that is an error.
    JsonDoc doc;
    auto fault = doc.parse(resp.body) && looksLikeFault(doc.root()) ? faultOf(parseJson(resp.body)) : std::nullopt;
    if (!fault) {
      if (resp.status == 401) {  // JSON-2 without a readable body: there is no token to refresh
        v.kind = ResponseVerdict::Kind::Fatal;
        bool retry = false;
        v.error = faultError(OdooFault{"werkzeug.exceptions.Unauthorized", ""}, 401, retry);
      }
      return v;
    }
    bool retry = false;
    Error e = faultError(*fault, resp.status, retry);
    if (v.kind == ResponseVerdict::Kind::Retry || retry) {
      v.kind = ResponseVerdict::Kind::Retry;
      v.error = e;
    } else {
      v.kind = ResponseVerdict::Kind::Fatal;
      v.error = e;
    }
    return v;
  }

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    JsonDoc doc;
    if (!doc.parse(text)) return invalidJson();
    auto rows = rowsOf(doc.root(), text, nullptr);
    if (!rows) return rows.error();
    Page page;
    const JsonValue& list = **rows;
    Mapper map = mapperFor(entity);
    std::string notes;
    const auto add = [&](const JsonValue& o, const JsonValue* idv, size_t i) {
      const std::optional<int64_t> written = o.is_object() ? otime(o, "write_date") : std::nullopt;
      Record& rec = page.records.emplace_back();  // mapped in place
      if (!o.is_object() || !map(Row{o, idv, written}, opts, rec)) {
        page.records.pop_back();
        page.rowErrors.push_back(rowWithoutId("Odoo", i));
        return;
      }
      noteRow(notes, entity, o, rec);
      page.sortKeys.push_back(written);
    };
    if (list.is_object()) {
      // An automation webhook names its model (odoo.md 2.7: the documented example is a
      // stock.quant): a body of another model than the entity's carries that model's id, so
      // it is a change about the entity at most, never one of its records.
      page.rowCount = 1;
      if (auto model = js::str(list, "_model"); model && *model != primary(entity).model) return page;
      const JsonValue* idv = js::field(list, "id");
      add(list, idv ? idv : js::field(list, "_id"), 0);
    } else {
      page.rowCount = list.size();
      page.records.reserve(list.size());
      page.sortKeys.reserve(list.size());
      size_t i = 0;
      for (const JsonValue& row : list) add(row, js::field(row, "id"), i++);
    }
    page.pending = std::move(notes);
    return page;
  }

  STORELINK_COLD std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const override {
    std::vector<HttpRequest> out;
    for (auto& [kind, req] : followUpPlan(q, page)) out.push_back(std::move(req));
    return out;
  }

  STORELINK_COLD std::optional<Error> applyFollowUp(const PageQuery& q, Page& page, size_t index, const HttpResponse& resp) const override {
    JsonDoc doc;
    if (!doc.parse(resp.body)) return invalidJson();
    auto rows = rowsOf(doc.root(), resp.body, &resp);
    if (!rows) return rows.error();
    if (!(*rows)->is_array()) return std::nullopt;
    auto plan = followUpPlan(q, page);  // the same list followUpRequests made: page ids do not change
    std::string kind = index < plan.size() ? plan[index].first : "";
    const JsonValue& list = **rows;
    if (kind == "values") applyValues(page, list);
    else if (kind == "quants") applyQuants(page, list);
    else if (kind == "lines") applyLines(page, list);
    else if (kind == "partners") applyPartners(page, list);
    return std::nullopt;
  }

 private:
  // The follow-ups of a page, with what each one fetches.
  STORELINK_COLD static std::vector<std::pair<std::string, HttpRequest>> followUpPlan(const PageQuery& q, const Page& page) {
    std::vector<std::pair<std::string, HttpRequest>> out;
    if (page.records.empty() || q.learned == nullptr) return out;
    const json& learned = *q.learned;
    if (!page.pending.is_string()) return out;  // not a page parsePage made
    auto add = [&](const char* kind, const ModelSpec& spec, json domain) {
      json args = searchRead(spec, learned, std::move(domain), std::nullopt, 0, true);
      out.emplace_back(kind, ormCall(learned, spec.model, "search_read", args[0], args[1], "page"));
    };
    std::vector<std::string> recordIds;
    for (const auto& r : page.records) recordIds.push_back(r.externalId);
    // Every id the records' notes name (attribute values, or partners), in numeric order.
    auto collect = [&] {
      auto numeric = [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
      };
      std::set<std::string, decltype(numeric)> ids(numeric);
      for (NoteReader n(page); n.next();)
        if (!n.id.empty()) ids.insert(std::string(n.id));
      return std::vector<std::string>(ids.begin(), ids.end());
    };
    switch (q.entity) {
      case Entity::Products: {
        auto values = collect();
        if (!values.empty() && hasField(learned, kAttrValue.model, "attribute_id"))
          add("values", kAttrValue, json::array({json::array({"id", "in", idsJson(values)})}));
        // Quants name their warehouse since 15 [UNCONFIRMED for 14]; without it the
        // per-warehouse split is skipped and totalStock stays free_qty.
        if (hasField(learned, kQuant.model, "warehouse_id"))
          add("quants", kQuant,
              json::array({json::array({"product_id", "in", idsJson(recordIds)}),
                           json::array({"location_id.usage", "=", "internal"})}));
        break;
      }
      case Entity::Orders: {
        add("lines", kOrderLine, json::array({json::array({"order_id", "in", idsJson(recordIds)})}));
        auto partners = collect();
        if (!partners.empty()) add("partners", kPartner, json::array({json::array({"id", "in", idsJson(partners)})}));
        break;
      }
      case Entity::Locations: {
        auto partners = collect();
        if (!partners.empty()) add("partners", kPartner, json::array({json::array({"id", "in", idsJson(partners)})}));
        break;
      }
      case Entity::Customers:
        break;
    }
    return out;
  }

  STORELINK_COLD static std::optional<int> versionOf(const json& result) {
    if (const json* info = js::array(result, "server_version_info"); info && !info->empty()) {
      const json& first = (*info)[0];
      if (first.is_number_integer()) return first.get<int>();
      if (auto s = js::str(&first)) {  // "saas~17" on Odoo Online intermediate releases
        size_t tilde = s->find('~');
        std::string digits = tilde == std::string::npos ? *s : s->substr(tilde + 1);
        int v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec == std::errc() && v > 0) return v;
      }
    }
    for (const char* k : {"server_serie", "server_version"}) {
      if (auto s = js::str(result, k)) {  // "17.0", "saas~17.2", "17.0+e"
        size_t at = s->find('~');
        std::string rest = at == std::string::npos ? *s : s->substr(at + 1);
        int v = 0;
        auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
        if (ec == std::errc() && v > 0) return v;
      }
    }
    return std::nullopt;
  }

  STORELINK_COLD static Result<json> missingModel(Entity e, const ModelSpec& model, json learned) {
    std::string m = model.model;
    if (m == kQuant.model || m == kAttrValue.model) {  // optional detail: continue without it
      if (!learned.is_object()) learned = json::object();
      if (!learned["fields"].is_object()) learned["fields"] = json::object();  // never index a non-object
      learned["fields"][m] = json::array();
      return learned;
    }
    const char* app = m.rfind("sale.", 0) == 0 ? "Bán hàng (Sales)" : m.rfind("stock.", 0) == 0 ? "Kho (Inventory)" : nullptr;
    return Error::make(ErrorCode::Unsupported,
                       app ? std::string("Odoo này chưa cài ứng dụng ") + app + " nên không có dữ liệu để đồng bộ."
                           : "Odoo này thiếu dữ liệu cần đồng bộ.",
                       "model " + m + " not found");
  }

  STORELINK_COLD static void applyValues(Page& page, const JsonValue& list) {
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> byId;  // value id → (attribute, value)
    for (const auto& v : list) {
      auto id = js::id(v, "id");
      auto attr = m2oName(v, "attribute_id");
      auto name = otext(v, "name");
      if (id && attr && name) byId[*id] = {*attr, *name};
    }
    for (NoteReader n(page); n.next();) {  // a product's attribute value ids
      auto* p = n.record < page.records.size() ? std::get_if<Product>(&page.records[n.record].body) : nullptr;
      if (p == nullptr || p->variants.empty()) continue;
      if (auto it = byId.find(n.id); it != byId.end()) p->variants[0].options.push_back(it->second);
    }
  }

  STORELINK_COLD static void applyQuants(Page& page, const JsonValue& list) {
    // product id → warehouse id → (on hand, available)
    std::map<std::string, std::map<std::string, std::pair<double, double>>> stock;
    std::vector<std::string> order;
    for (const auto& qrow : list) {
      auto product = m2oId(qrow, "product_id");
      auto wh = m2oId(qrow, "warehouse_id");
      if (!product || !wh) continue;
      double qty = js::num(js::field(qrow, "quantity")).value_or(0);
      double reserved = js::num(js::field(qrow, "reserved_quantity")).value_or(0);
      auto& cell = stock[*product][*wh];
      cell.first += qty;
      cell.second += qty - reserved;
    }
    for (auto& rec : page.records) {
      auto* p = std::get_if<Product>(&rec.body);
      if (p == nullptr || p->variants.empty()) continue;
      auto it = stock.find(rec.externalId);
      if (it == stock.end()) continue;
      Variant& v = p->variants[0];
      double sum = 0;
      for (const auto& [wh, qty] : it->second) {
        v.stock.push_back({wh, qty.first, qty.second});
        sum += qty.second;
      }
      if (!v.totalStock) {
        v.totalStock = sum;
        p->totalStock = sum;
      }
    }
  }

  STORELINK_COLD static void applyLines(Page& page, const JsonValue& list) {
    // order id → its lines as (sequence, line), in sequence order (a stable insertion sort:
    // Odoo answers in sale.order.line's own order, order_id, sequence, id, so this rarely moves).
    std::map<std::string, std::vector<std::pair<double, const JsonValue*>>> byOrder;
    for (const auto& l : list) {
      auto o = m2oId(l, "order_id");
      if (!o) continue;
      auto& lines = byOrder[*o];
      const double seq = js::num(js::field(l, "sequence")).value_or(0);
      lines.emplace_back(seq, &l);
      for (size_t k = lines.size() - 1; k > 0 && lines[k - 1].first > seq; --k) std::swap(lines[k - 1], lines[k]);
    }
    for (auto& rec : page.records) {
      auto* ord = std::get_if<Order>(&rec.body);
      if (ord == nullptr) continue;
      double subtotal = 0, shipping = 0;
      bool anyLine = false, anyShipping = false;
      for (const auto& [seq, lp] : byOrder[rec.externalId]) {
        const JsonValue& l = *lp;
        if (otext(l, "display_type")) continue;  // section and note lines carry no product
        double qty = onum(l, "product_uom_qty").value_or(0);
        double price = onum(l, "price_unit").value_or(0);
        auto lineTotal = onum(l, "price_subtotal");
        if (js::boolean(l, "is_delivery").value_or(false)) {  // the delivery app's shipping line
          shipping += lineTotal.value_or(price * qty);
          anyShipping = true;
          continue;
        }
        OrderLine ol;
        ol.productExternalId = m2oId(l, "product_id");
        ol.variantExternalId = ol.productExternalId;  // product.product rows are their own variant
        auto label = m2oName(l, "product_id");
        if (label && label->size() > 2 && (*label)[0] == '[') {  // "[SKU] Name" display names
          size_t close = label->find(']');
          if (close != std::string::npos) ol.sku = nonEmpty(std::string_view(*label).substr(1, close - 1));
        }
        if (auto n = otext(l, "name")) ol.name = nonEmpty(std::string_view(*n).substr(0, n->find('\n')));
        if (!ol.name) ol.name = label;
        ol.quantity = qty;
        ol.unitPrice = price;
        double pct = onum(l, "discount").value_or(0);  // a percentage, not an amount
        ol.discount = price * qty * pct / 100.0;
        ol.total = lineTotal ? lineTotal : std::optional<double>(price * qty - *ol.discount);
        subtotal += *ol.total;
        anyLine = true;
        ord->lines.push_back(std::move(ol));
      }
      if (anyLine) ord->subtotal = subtotal;
      ord->shippingFee = anyShipping ? std::optional<double>(shipping) : std::optional<double>(0.0);
    }
  }

  STORELINK_COLD static void applyPartners(Page& page, const JsonValue& list) {
    std::map<std::string, const JsonValue*, std::less<>> byId;
    for (const auto& p : list)
      if (auto id = js::id(p, "id")) byId[*id] = &p;
    for (NoteReader n(page); n.next();) {  // orders: partner, shipping partner; warehouses: partner
      auto it = byId.find(n.id);
      if (it == byId.end() || n.record >= page.records.size()) continue;
      const JsonValue& p = *it->second;
      Record& rec = page.records[n.record];
      if (auto* ord = std::get_if<Order>(&rec.body)) {
        if (n.slot == 0 && ord->customer) {
          ord->customer->phone = partnerPhone(p);
          ord->customer->email = otext(p, "email");
        } else if (n.slot == 1) {
          Address a = partnerAddress(p, true);
          if (hasAddress(a)) ord->shippingAddress = a;
        }
      } else if (auto* loc = std::get_if<Location>(&rec.body); loc && n.slot == 0) {
        Address a = partnerAddress(p, false);
        std::string line;
        for (const auto& part : {a.address, a.district, a.province}) {
          if (!part) continue;
          if (!line.empty()) line += ", ";
          line += *part;
        }
        if (!line.empty()) loc->address = line;
        loc->phone = partnerPhone(p);
      }
    }
  }

  PlatformInfo info_;
};

}  // namespace

const Connector& odoo() {
  static const OdooConnector instance;
  return instance;
}

}  // namespace storelink::connectors
