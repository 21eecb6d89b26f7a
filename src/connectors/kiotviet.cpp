// KiotViet Public API (public.kiotapi.com + id.kiotviet.vn). Facts: shared/platforms/kiotviet.md.
//
// What shapes this connector:
// - client-credentials token (form field `scopes`, plural) → Bearer + `Retailer` header;
// - offset paging (`currentItem`, `pageSize` ≤ 100) sorted by `modifiedDate` with
//   `lastModifiedFrom`, which the engine re-anchors page by page;
// - REST times are Vietnam local time without offset; webhook times carry +07:00;
// - null properties are omitted, not sent as null;
// - variants and selling units are sibling product rows (`masterProductId`, `masterUnitId`);
// - deleted ids arrive as `removeId`, `removedIds` or `removeIds` depending on the resource;
// - webhooks are PascalCase envelopes {Id, Attempt, Notifications:[{Action, Data:[...]}]};
// - orders ≠ sales (kiotviet.md, "Orders vs invoices"): counter sales exist only as invoices
//   (`/invoices`, no order behind them). The `invoicesAsOrders` setting makes the orders entity
//   read invoices instead; an invoice record's externalId is "invoice-<id>" (invoice and order
//   ids are separate sequences) and its status follows the invoice codes, not the order ones.
#include <algorithm>
#include <cctype>
#include <set>

#include "connectors.hpp"
#include "storelink/cold.hpp"
#include "storelink/crypto.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kApiBase = "https://public.kiotapi.com";
constexpr const char* kTokenUrl = "https://id.kiotviet.vn/connect/token";

// String members are read in place (no copy: these run several times per row); other types
// go through js::str exactly as before.
std::optional<int64_t> kvTime(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = js::field(obj, key);
  if (v != nullptr && v->is_string()) return parseDateTime(v->stringValue(), kVietnamOffsetMinutes);
  auto s = js::str(v);
  if (!s) return std::nullopt;
  return parseDateTime(*s, kVietnamOffsetMinutes);
}

std::optional<std::string> kvPhone(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = js::field(obj, key);
  if (v != nullptr && v->is_string()) return normalizePhone(v->stringValue());
  auto s = js::str(v);
  return s ? normalizePhone(*s) : std::nullopt;
}

// Webhook payloads are PascalCase ("Id", "OnHand"); REST is camelCase. Lower-casing the first
// letter of every key lets one mapping serve both ("isActive" is camel in both already).
STORELINK_COLD_BEGIN
json camelize(const json& j) {
  if (j.is_array()) {
    json a = json::array();
    for (const auto& e : j) a.push_back(camelize(e));
    return a;
  }
  if (!j.is_object()) return j;
  json o = json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string k = it.key();
    if (!k.empty() && k[0] >= 'A' && k[0] <= 'Z') k[0] = static_cast<char>(k[0] - 'A' + 'a');
    o[k] = camelize(it.value());
  }
  return o;
}
STORELINK_COLD_END

std::optional<OrderStatus> orderStatus(const std::optional<double>& code, const std::optional<std::string>& text) {
  // Codes per shared/platforms/kiotviet.md (third-party consensus; the vendor lists none).
  if (code) {
    switch (toIntOr(*code, 0)) {
      case 1: return OrderStatus::Pending;     // Phiếu tạm
      case 2: return OrderStatus::Shipping;    // Đang giao hàng
      case 3: return OrderStatus::Completed;   // Hoàn thành
      case 4: return OrderStatus::Cancelled;   // Đã hủy
      case 5: return OrderStatus::Confirmed;   // Đã xác nhận
      case 6: return OrderStatus::Processing;  // Ra một phần hóa đơn (UNCONFIRMED)
      default: break;
    }
  }
  if (text) {  // the official plugin maps by text; do the same when the code is unknown
    std::string t = foldVietnamese(*text);
    if (t == "phieu tam") return OrderStatus::Pending;
    if (t == "dang xu ly") return OrderStatus::Processing;
    if (t == "dang giao hang") return OrderStatus::Shipping;
    if (t == "hoan thanh") return OrderStatus::Completed;
    if (t == "da huy") return OrderStatus::Cancelled;
    if (t == "da xac nhan") return OrderStatus::Confirmed;
  }
  return std::nullopt;
}

// Invoice status codes differ from the order ones (kiotviet.md "Invoice status").
std::optional<OrderStatus> invoiceStatus(const std::optional<double>& code, const std::optional<std::string>& text) {
  if (code) {
    switch (toIntOr(*code, 0)) {
      case 1: return OrderStatus::Completed;   // Hoàn thành
      case 2: return OrderStatus::Cancelled;   // Đã hủy
      case 3: return OrderStatus::Processing;  // Đang xử lý (being delivered)
      case 5: return OrderStatus::Returned;    // Không giao được: the goods come back
      default: break;
    }
  }
  if (text) {
    std::string t = foldVietnamese(*text);
    if (t == "hoan thanh") return OrderStatus::Completed;
    if (t == "da huy") return OrderStatus::Cancelled;
    if (t == "dang xu ly") return OrderStatus::Processing;
    if (t == "khong giao duoc") return OrderStatus::Returned;
  }
  return std::nullopt;
}

constexpr std::string_view kInvoiceIdPrefix = "invoice-";

// The branch chosen in the settings ("Chi nhánh"): stock of that branch only. List pages are
// filtered by the request (BranchIds); webhooks and single-product reads carry every branch.
std::optional<std::string> chosenBranch(const NormalizeOptions& opts) {
  const json* s = opts.settings;
  if (s == nullptr && opts.query != nullptr) s = opts.query->settings;
  return s != nullptr ? js::id(*s, "branchId") : std::nullopt;
}

bool invoicesAsOrders(const NormalizeOptions& opts) {
  const json* s = opts.settings;
  if (s == nullptr && opts.query != nullptr) s = opts.query->settings;
  return s != nullptr && js::boolean(*s, "invoicesAsOrders").value_or(false);
}

// "Hồ Chí Minh - Quận 1" + ward + street → Address.
Address kvAddress(const JsonValue& o, std::optional<std::string> name, std::optional<std::string> phone,
                  std::string_view streetKey) {
  Address a;
  a.name = std::move(name);
  a.phone = std::move(phone);
  a.address = js::text(o, streetKey);
  a.ward = js::text(o, "wardName");
  const JsonValue* locField = js::field(o, "locationName");
  std::optional<std::string> locCopy;  // only for non-string values (rendered by js::str)
  if (locField != nullptr && !locField->is_string()) locCopy = js::str(locField);
  if (locField != nullptr && (locField->is_string() || locCopy)) {
    auto [province, district] = splitProvinceDistrict(locCopy ? std::string_view(*locCopy) : locField->stringValue());
    a.province = province;
    a.district = district;
  }
  if (a.address || a.ward || a.district || a.province) a.country = "VN";  // KiotViet is Vietnam-only
  return a;
}

bool hasAddress(const Address& a) { return a.name || a.phone || a.address || a.ward || a.district || a.province; }

void common(Record& r, RecordType type, const JsonValue& o, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "kiotviet";
  r.createdAtMs = kvTime(o, "createdDate");
  r.updatedAtMs = kvTime(o, "modifiedDate");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  if (opts.includeRaw) r.rawJson = dumpJson(o);
}

std::optional<Record> mapProduct(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Product, o, opts);
  Product p;
  p.name = js::text(o, "name");
  if (!p.name) p.name = js::text(o, "fullName");
  p.sku = js::text(o, "code");
  p.barcode = js::text(o, "barCode");
  p.description = js::text(o, "description");
  p.category = js::text(o, "categoryName");
  p.brand = js::text(o, "tradeMarkName");
  p.active = js::boolean(o, "isActive");
  if (const JsonValue* imgs = js::array(o, "images")) {
    p.images.reserve(imgs->size());
    for (const auto& img : *imgs) {
      // Real payloads carry URL strings; the docs draw {"Image": url}. Accept both.
      std::optional<std::string> url = img.is_string() ? js::text(&img) : js::text(img, "Image");
      if (!url) url = js::text(img, "image");
      if (url) p.images.push_back(*url);
    }
  }
  p.taxRate = js::num(o, "taxRate");
  p.parentExternalId = js::id(o, "masterProductId");
  if (!p.parentExternalId) p.parentExternalId = js::id(o, "masterUnitId");

  Variant v;
  v.externalId = *id;
  v.sku = p.sku;
  v.barcode = p.barcode;
  v.name = js::text(o, "fullName");
  if (!v.name) v.name = p.name;
  if (const JsonValue* attrs = js::array(o, "attributes")) {
    for (const auto& a : *attrs) {
      auto n = js::text(a, "attributeName");
      auto val = js::text(a, "attributeValue");
      if (n && val) v.options.emplace_back(*n, *val);
    }
  }
  // A row of a unit family (base unit or a derived unit) names its unit as an option.
  const JsonValue* units = js::array(o, "units");
  bool unitFamily = js::id(o, "masterUnitId").has_value() || (units && !units->empty());
  if (unitFamily) {
    if (auto unit = js::text(o, "unit")) v.options.emplace_back("Đơn vị tính", *unit);
  }
  v.price = js::num(o, "basePrice");
  v.weightGrams = js::num(o, "weight");
  const std::optional<std::string> branch = chosenBranch(opts);
  double total = 0;
  bool anyStock = false;
  if (const JsonValue* inv = js::array(o, "inventories")) {
    v.stock.reserve(inv->size());
    for (const auto& i : *inv) {
      auto loc = js::id(i, "branchId");
      if (!loc || (branch && *loc != *branch)) continue;
      StockLevel s;
      s.locationId = *loc;
      s.onHand = js::num(i, "onHand");
      if (!s.onHand) s.onHand = js::num(i, "onhand");  // the docs spell it both ways
      auto reserved = js::num(i, "reserved").value_or(0);
      if (s.onHand) {
        s.available = *s.onHand - reserved;  // available to sell = on hand − reserved
        total += *s.available;
        anyStock = true;
      }
      if (!v.cost) v.cost = js::num(i, "cost");
      v.stock.push_back(std::move(s));
    }
  }
  if (anyStock) v.totalStock = total;
  p.totalStock = v.totalStock;
  p.variants.push_back(std::move(v));
  r.body = std::move(p);
  return r;
}

std::optional<Record> mapOrder(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  // An invoice: read from /invoices (the setting), or recognised by what only invoices carry.
  const bool invoice = invoicesAsOrders(opts) || js::field(o, "invoiceDetails") || js::field(o, "invoiceDelivery") ||
                       js::field(o, "orderCode");
  Record r;
  r.externalId = invoice ? std::string(kInvoiceIdPrefix) + *id : std::move(*id);
  common(r, RecordType::Order, o, opts);
  if (!r.createdAtMs) r.createdAtMs = kvTime(o, "purchaseDate");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Order ord;
  ord.code = js::text(o, "code");
  auto statusCode = js::num(o, "status");
  auto statusText = js::text(o, "statusValue");
  ord.status = invoice ? invoiceStatus(statusCode, statusText) : orderStatus(statusCode, statusText);
  ord.platformStatus = statusText ? statusText : js::str(o, "status");
  ord.total = js::num(o, "total");
  ord.paymentStatus = paymentStatusFromAmounts(js::num(o, "totalPayment"), ord.total);

  auto customerId = js::id(o, "customerId");
  auto customerName = js::text(o, "customerName");
  if (customerId || customerName) {  // walk-in orders carry neither
    OrderCustomer c;
    c.externalId = customerId;
    c.name = customerName;
    ord.customer = c;
  }

  double subtotal = 0;
  bool anyLine = false;
  const JsonValue* details = js::array(o, "orderDetails");
  if (!details) details = js::array(o, "invoiceDetails");
  if (details) {
    ord.lines.reserve(details->size());
    for (const auto& d : *details) {
      OrderLine l;
      l.productExternalId = js::id(d, "productId");
      l.variantExternalId = l.productExternalId;  // every KiotViet row is its own single variant
      l.sku = js::text(d, "productCode");
      l.name = js::text(d, "productName");
      l.quantity = js::num(d, "quantity");
      l.unitPrice = js::num(d, "price");
      // `discount` is per unit (money); `discountRatio` a percentage when no amount is given.
      auto perUnit = js::num(d, "discount");
      auto ratio = js::num(d, "discountRatio");
      double q = l.quantity.value_or(0);
      if (perUnit && *perUnit != 0) l.discount = *perUnit * q;
      else if (ratio && *ratio != 0 && l.unitPrice) l.discount = *l.unitPrice * *ratio / 100.0 * q;
      else l.discount = 0.0;
      // Invoice lines carry their own `subTotal`; order lines leave it to price × quantity.
      if (auto sub = js::num(d, "subTotal")) l.total = sub;
      else if (l.unitPrice && l.quantity) l.total = *l.unitPrice * q - *l.discount;
      if (l.total) {
        subtotal += *l.total;
        anyLine = true;
      }
      ord.lines.push_back(std::move(l));
    }
  }
  if (anyLine) ord.subtotal = subtotal;
  ord.discount = js::num(o, "discount");
  ord.tax = js::num(o, "totalTax");
  ord.currency = "VND";
  ord.locationId = js::id(o, "branchId");
  ord.note = js::text(o, "description");
  const JsonValue* delivery = js::object(o, "orderDelivery");
  if (!delivery) delivery = js::object(o, "invoiceDelivery");
  if (delivery) {
    ord.shippingFee = js::num(*delivery, "price");
    Address a = kvAddress(*delivery, js::text(*delivery, "receiver"), kvPhone(*delivery, "contactNumber"), "address");
    if (hasAddress(a)) ord.shippingAddress = a;
  }
  r.body = std::move(ord);
  return r;
}

std::optional<Record> mapCustomer(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = std::move(*id);
  common(r, RecordType::Customer, o, opts);
  Customer c;
  c.name = js::text(o, "name");
  c.phone = kvPhone(o, "contactNumber");
  c.email = js::text(o, "email");
  if (auto g = js::boolean(o, "gender")) c.gender = *g ? "male" : "female";
  if (auto b = js::str(o, "birthDate")) c.birthday = dateOnly(*b);
  Address a = kvAddress(o, std::nullopt, std::nullopt, "address");
  if (hasAddress(a)) c.address = a;
  c.totalSpent = js::num(o, "totalRevenue");
  if (!c.totalSpent) c.totalSpent = js::num(o, "totalInvoiced");
  if (auto groups = js::str(o, "groups")) {
    size_t start = 0;
    while (start <= groups->size()) {
      size_t comma = groups->find(',', start);
      if (comma == std::string::npos) comma = groups->size();
      if (auto g = nonEmpty(std::string_view(*groups).substr(start, comma - start))) c.groups.push_back(*g);
      start = comma + 1;
    }
  }
  r.body = std::move(c);
  return r;
}

STORELINK_COLD_BEGIN  // locations: a handful of rows per sync
std::optional<Record> mapBranch(const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = std::move(*id);
  common(r, RecordType::Location, o, opts);
  Location l;
  l.name = js::text(o, "branchName");
  if (!l.name) l.name = js::text(o, "name");  // branch.update webhook sends Name
  // One line: street, ward, "Tỉnh - Quận" as KiotViet shows it.
  std::string line;
  for (const char* k : {"address", "wardName", "locationName"}) {
    if (auto part = js::text(o, k)) {
      if (!line.empty()) line += ", ";
      line += *part;
    }
  }
  if (!line.empty()) l.address = line;
  l.phone = kvPhone(o, "contactNumber");
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
    case Entity::Locations: return mapBranch;
  }
  return mapProduct;
}

STORELINK_COLD_BEGIN
Error platformError(const json& rs) {
  auto msg = js::text(rs, "message");
  Error e = Error::make(ErrorCode::PlatformError, "KiotViet báo lỗi: " + msg.value_or("không rõ nguyên nhân") + ".",
                        "responseStatus");
  e.platformCode = js::str(rs, "errorCode").value_or("");
  if (e.platformCode == "TokenException") e.code = ErrorCode::InvalidCredentials;
  return e;
}
STORELINK_COLD_END

// Over json (webhook items) and JsonValue (list pages) alike.
template <class Json>
void readRemovedIds(const Json& body, Page& page) {
  for (const char* key : {"removeId", "removedIds", "removeIds", "RemoveId"}) {
    if (const auto* ids = js::array(body, key)) {
      for (const auto& v : *ids)
        if (auto id = js::id(&v)) page.removedIds.push_back(*id);
    }
  }
}

template <class Json>
bool hasRemovedIds(const Json& body) {
  for (const char* key : {"removeId", "removedIds", "removeIds", "RemoveId"})
    if (js::array(body, key)) return true;
  return false;
}

// Delete events are documented as a bare {"RemoveId":[...]} (no Action to tell what was
// deleted), while the official plugin reads them as the usual envelope (kiotviet.md §A.8,
// UNCONFIRMED): both are accepted. For the bare form, each delete Type is registered at its own
// URL naming it (`&topic=product.delete`), which the server hands over as x-storelink-topic.
std::string webhookUrlFor(const std::string& address, const std::string& type) {
  if (type.find(".delete") == std::string::npos) return address;
  return address + (address.find('?') == std::string::npos ? "?" : "&") + "topic=" + type;
}

// {Id, Attempt, Notifications:[{Action:"product.update.<retailer>", Data:[...]}]}
STORELINK_COLD_BEGIN
Result<Page> parseWebhook(Entity entity, const json& body, const NormalizeOptions& opts) {
  Page page;
  static const char* kPrefix[] = {"product.", "order.", "customer.", "branch."};
  const std::string wanted = kPrefix[static_cast<int>(entity)];
  Mapper map = mapperFor(entity);
  for (const auto& n : *js::array(body, "Notifications")) {
    std::string action = js::str(n, "Action").value_or("");
    const json* data = js::array(n, "Data");
    // Orders come from one source per connection: order.* events, or invoice.* ones when the
    // connection takes invoices as its orders (the other source's events are not its records).
    const bool invoiceEvent = action.rfind("invoice.", 0) == 0;
    const bool wantedAction = entity == Entity::Orders ? (invoicesAsOrders(opts) ? invoiceEvent : action.rfind(wanted, 0) == 0)
                                                        : action.rfind(wanted, 0) == 0;
    if (!wantedAction) continue;
    if (!data) continue;
    const bool isDelete = action.find(".delete") != std::string::npos;
    const std::string idPrefix = invoiceEvent ? std::string(kInvoiceIdPrefix) : std::string();
    for (const auto& item : *data) {
      ++page.rowCount;
      if (isDelete) {
        // Docs show {"RemoveId":[...]}; the official plugin reads Data as a list of ids.
        const size_t before = page.removedIds.size();
        if (auto id = js::id(&item)) page.removedIds.push_back(*id);
        else if (item.is_object()) readRemovedIds(item, page);
        for (size_t k = before; k < page.removedIds.size(); ++k) page.removedIds[k] = idPrefix + page.removedIds[k];
        continue;
      }
      json camel = camelize(item);
      if (camel.is_object()) camel.erase("__type");
      // The mappers read JsonValue: hand them the camelized item re-read (small bodies).
      const std::string camelText = dumpJson(camel);
      JsonDoc doc;
      if (!doc.parse(camelText)) continue;  // cannot happen: dumpJson writes valid JSON
      if (auto rec = map(doc.root(), opts)) {
        page.sortKeys.push_back(rec->updatedAtMs);
        page.records.push_back(std::move(*rec));
      }
    }
  }
  return page;
}
STORELINK_COLD_END

class KiotVietConnector final : public Connector {
 public:
  STORELINK_COLD KiotVietConnector() {
    info_.id = "kiotviet";
    info_.displayName = "KiotViet";
    info_.description = "Phần mềm quản lý bán hàng phổ biến cho cửa hàng bán lẻ.";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"retailer", "Tên gian hàng",
         "Tên gian hàng KiotViet của bạn, là phần đầu địa chỉ đăng nhập (ví dụ: tencuahang trong tencuahang.kiotviet.vn).",
         false, "tencuahang"},
        {"clientId", "Client ID",
         "Trên KiotViet: Thiết lập → Xem tất cả → mục \"Thiết lập kết nối API\" ở thanh bên, sao chép Client ID.", true,
         "83a5bcbe-3c39-458c-bdd9-128112cef3f7"},
        {"clientSecret", "Mã bảo mật (Secret Key)",
         "Cùng trang \"Thiết lập kết nối API\" của KiotViet, sao chép Mã bảo mật.", true, ""},
    };
    info_.settings = {
        {"branchId", "Chi nhánh", "branch", "Khi cửa hàng có nhiều chi nhánh, chọn chi nhánh dùng để đồng bộ tồn kho và đơn hàng."},
        {"invoicesAsOrders", "Lấy hóa đơn bán hàng làm đơn hàng", "boolean",
         "Bật khi cửa hàng bán tại quầy (POS): bán tại quầy chỉ tạo hóa đơn, không có phiếu đặt hàng. Khi bật, mỗi hóa đơn "
         "(kể cả của khách lẻ) là một đơn hàng; khi tắt, chỉ lấy phiếu đặt hàng (Đặt hàng)."},
    };
    info_.status = "available";
    info_.apiHosts = {"public.kiotapi.com", "id.kiotviet.vn"};
    info_.webhooks = true;
  }

  // X-Hub-Signature: HMAC-SHA256 of the raw body with the secret registered for the webhook.
  // The exact encoding is unconfirmed (shared/platforms/kiotviet.md A.8), so accept an optional
  // "sha256=" prefix, hex or base64, and the key either as registered or base64-decoded.
  STORELINK_COLD Result<WebhookEvent> inspectWebhook(const WebhookDelivery& d, const std::string& secret) const override {
    json body = parseJson(d.body);
    const json* notes = js::array(body, "Notifications");
    WebhookEvent ev;
    std::string action;
    if (notes != nullptr && !notes->empty() && (*notes)[0].is_object()) {
      ev.eventId = js::str(body, "Id").value_or("");
      action = js::str((*notes)[0], "Action").value_or("");
    } else if (auto topic = d.headers.find("x-storelink-topic");
               topic != d.headers.end() && topic->second.size() < 64 &&
               topic->second.find(".delete") != std::string::npos && hasRemovedIds(body)) {
      action = topic->second;  // a bare delete body at the URL registered for its Type
    } else {
      return Error::make(ErrorCode::UnexpectedShape, "Webhook KiotViet không đúng định dạng.",
                         "expected {Id, Attempt, Notifications:[{Action, Data}]}, or {RemoveId:[...]} at a delete topic's URL");
    }
    // "<entity>.<event>.<retailerId>"
    size_t lastDot = action.rfind('.');
    if (lastDot != std::string::npos && lastDot + 1 < action.size() &&
        std::all_of(action.begin() + static_cast<long>(lastDot) + 1, action.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ev.storeKey = action.substr(lastDot + 1);
      ev.topic = action.substr(0, lastDot);
    } else {
      ev.topic = action;
    }
    std::string kind = ev.topic.substr(0, ev.topic.find('.'));
    if (kind == "product" || kind == "stock") ev.entity = Entity::Products;
    else if (kind == "order" || kind == "invoice") ev.entity = Entity::Orders;
    else if (kind == "customer") ev.entity = Entity::Customers;
    else if (kind == "branch") ev.entity = Entity::Locations;
    ev.deletion = ev.topic.find(".delete") != std::string::npos;
    if (secret.empty()) return ev;

    auto it = d.headers.find("x-hub-signature");
    if (it == d.headers.end()) return badSignature("missing X-Hub-Signature");
    std::string sig = it->second;
    if (auto eq = sig.find('='); eq != std::string::npos && eq < 8) sig = sig.substr(eq + 1);
    std::vector<std::string> keys = {secret};
    if (auto decoded = crypto::fromBase64(secret); decoded && !decoded->empty()) keys.push_back(*decoded);
    for (const auto& key : keys) {
      auto mac = crypto::hmacSha256(key, d.body);
      std::string hex = crypto::toHex(mac);
      std::string upper = hex;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (crypto::constantTimeEquals(sig, hex) || crypto::constantTimeEquals(sig, upper) ||
          crypto::constantTimeEquals(sig, crypto::toBase64(mac))) {
        ev.signatureChecked = true;
        return ev;
      }
    }
    return badSignature("X-Hub-Signature does not match");
  }

 private:
  STORELINK_COLD static Error badSignature(std::string detail) {
    return Error::make(ErrorCode::Forbidden, "Chữ ký webhook KiotViet không hợp lệ.", std::move(detail));
  }

  // --- webhook registration (connect steps; the server sends the descriptors through its proxy)
  //
  // kiotviet.md A.8: POST /webhooks {"Webhook":{Type, Url, IsActive, Description, Secret}}, one
  // registration per Type, listed by GET /webhooks ({total, pageSize ≤ 100, data}), removed by
  // DELETE /webhooks/{id}. The Secret (base64, as the docs ask) is the connection's
  // webhookSecret, filled in by the proxy: KiotViet then signs every delivery with it.
  // Idempotent by (Url, Type), like the Shopify family's: registrations at this connection's
  // address are listed first, missing Types created, duplicates, inactive ones and Types no
  // longer wanted removed; another address is never touched.
  //   "webhooksListRequest" {address, settings?, entities?} → {request}
  //   "webhooksRegister" {address, status, body: the list answer, settings?, entities?}
  //       → {create: [requests], remove: [requests], registered: [{id, topic}]}
  //   "webhooksUnregister" {address, status, body} → {remove: [requests]}
  //   "webhookResult" {status, body} → {ok, webhook?} (or the error)
  STORELINK_COLD static std::vector<std::string> webhookTypes(const json& input) {
    const json* settings = js::object(input, "settings");
    const json* entities = js::array(input, "entities");
    auto wants = [&](const char* e) {
      if (entities == nullptr) return true;
      return std::any_of(entities->begin(), entities->end(), [&](const json& x) { return x.is_string() && x.get<std::string>() == e; });
    };
    std::vector<std::string> out;
    if (wants("products")) out.insert(out.end(), {"product.update", "product.delete", "stock.update"});
    // Orders come from one source per connection (parseWebhook keeps the other source's events
    // out): invoices when the connection takes them as its orders, else orders.
    const bool invoices = settings != nullptr && js::boolean(*settings, "invoicesAsOrders").value_or(false);
    if (wants("orders")) out.emplace_back(invoices ? "invoice.update" : "order.update");
    if (wants("customers")) out.insert(out.end(), {"customer.update", "customer.delete"});
    if (wants("locations")) out.insert(out.end(), {"branch.update", "branch.delete"});
    return out;
  }

  STORELINK_COLD static HttpRequest webhookCall(const std::string& method, const std::string& path, const char* purpose) {
    HttpRequest r;
    r.method = method;
    r.purpose = purpose;
    r.url = std::string(kApiBase) + path;
    r.headers = {{"Retailer", "{{secret.retailer}}"}, {"Authorization", "Bearer {{secret.accessToken}}"}};
    if (method == "POST") r.headers.emplace_back("Content-Type", "application/json");
    return r;
  }

  // An answer (list, create or delete) as {status, body}: a failure is the error a page would get.
  STORELINK_COLD std::optional<Error> webhookAnswerError(const json& in) const {
    HttpResponse resp;
    resp.status = toIntOr(js::num(in, "status").value_or(0), 0);
    resp.body = js::str(in, "body").value_or("");
    if (resp.status >= 200 && resp.status < 300) return std::nullopt;
    if (resp.status == 0) return Error::make(ErrorCode::Network, "Không kết nối được tới KiotViet.", "no answer");
    ResponseVerdict v = classify(resp);
    if (resp.status == 403) {
      v.error.message = "KiotViet chưa cho ứng dụng quyền quản lý webhook; StoreLink sẽ không nhận được thay đổi tức thời "
                        "(dữ liệu vẫn được đồng bộ theo lịch).";
    }
    v.error.httpStatus = resp.status;
    return v.error;
  }

  // A stock.update delivery carries stock rows ({ProductId, BranchId, OnHand, Reserved, …},
  // kiotviet.md §A.8), not products, so parsePage makes no record of it: the products it names
  // are read again, one GET /products/{id} each (a single product, no envelope; its
  // inventories included as on list pages — UNCONFIRMED for this endpoint, the list's
  // `includeInventory` is sent along). At most kMaxRefresh per delivery: more than that is a
  // stock count or an import, which the next scheduled incremental sync reads in pages.
  STORELINK_COLD Result<json> refreshRequests(const json& input) const {
    constexpr size_t kMaxRefresh = 20;
    json hook = parseJson(js::str(input, "body").value_or(""));
    json requests = json::array();
    std::vector<std::string> ids;
    const json* notes = js::array(hook, "Notifications");
    for (const json& n : notes ? *notes : json::array()) {
      const std::string action = js::str(n, "Action").value_or("");
      const json* data = js::array(n, "Data");
      if (action.rfind("stock.update", 0) != 0 || data == nullptr) continue;
      for (const json& row : *data) {
        auto id = js::id(row, "ProductId");
        if (!id) id = js::id(row, "productId");
        if (!id || id->empty() || !std::all_of(id->begin(), id->end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
      }
    }
    if (ids.size() > kMaxRefresh) return json{{"requests", requests}, {"entity", "products"}, {"tooMany", ids.size()}};
    for (const auto& id : ids) {
      HttpRequest r;
      r.purpose = "page";
      r.url = std::string(kApiBase) + "/products/" + id;
      r.headers = {{"Retailer", "{{secret.retailer}}"}, {"Authorization", "Bearer {{secret.accessToken}}"}};
      r.query = {{"includeInventory", "true"}};  // the chosen branch is kept by the normalizer
      requests.push_back(requestToJson(r));
    }
    return json{{"requests", requests}, {"entity", "products"}};
  }

  // A registration as listed ({id, type, url, isActive}); PascalCase tolerated.
  STORELINK_COLD static std::optional<std::string> hookText(const json& w, const char* camel, const char* pascal) {
    auto v = js::text(w, camel);
    return v ? v : js::text(w, pascal);
  }

 public:
  STORELINK_COLD Result<json> connectStep(std::string_view step, const json& input) const override {
    const bool known = step == "webhooksListRequest" || step == "webhooksRegister" || step == "webhooksUnregister" ||
                       step == "webhookResult";
    if (step == "webhookRefresh") return refreshRequests(input);
    if (!known) return Connector::connectStep(step, input);
    if (step == "webhookResult") {
      const int status = toIntOr(js::num(input, "status").value_or(0), 0);
      if (status == 404) return json{{"ok", true}, {"webhook", nullptr}};  // a delete of one already gone
      if (auto err = webhookAnswerError(input)) return *err;
      json body = parseJson(js::str(input, "body").value_or(""));
      json out{{"ok", true}, {"webhook", nullptr}};
      if (auto id = js::id(body, "id")) {
        out["webhook"] = {{"id", *id}, {"topic", hookText(body, "type", "Type").value_or("")},
                          {"address", hookText(body, "url", "Url").value_or("")}};
      }
      return out;
    }
    auto address = js::text(input, "address");
    const bool loopback = address && (address->rfind("http://127.0.0.1", 0) == 0 || address->rfind("http://localhost", 0) == 0);
    if (!address || address->size() > 2000 || address->find_first_of(" \t\r\n\"") != std::string::npos ||
        (!(address->rfind("https://", 0) == 0 && address->size() > 8) && !loopback)) {
      Error e = Error::make(ErrorCode::InvalidInput, "Địa chỉ nhận webhook phải là một URL https.", "address must be an https URL");
      e.field = "address";
      return e;
    }
    if (step == "webhooksListRequest") {
      HttpRequest r = webhookCall("GET", "/webhooks", "verify");
      r.query = {{"pageSize", "100"}};  // default 20; each address holds at most 9 of ours
      return json{{"request", requestToJson(r)}};
    }
    if (auto err = webhookAnswerError(input)) return *err;
    json body = parseJson(js::str(input, "body").value_or(""));
    const json* list = js::array(body, "data");
    if (list == nullptr) list = js::array(body, "Data");
    if (list == nullptr) {
      return Error::make(ErrorCode::UnexpectedShape, "Danh sách webhook KiotViet trả về không đúng định dạng.",
                         "expected {total, pageSize, data:[...]}");
    }
    const std::vector<std::string> wanted = webhookTypes(input);
    json out{{"create", json::array()}, {"remove", json::array()}, {"registered", json::array()}};
    std::set<std::string> have;
    const std::string topicUrls = *address + (address->find('?') == std::string::npos ? "?" : "&") + "topic=";
    for (const auto& w : *list) {
      auto id = js::id(w, "id");
      if (!id) id = js::id(w, "Id");
      const std::string url = hookText(w, "url", "Url").value_or("");
      if (!id || (url != *address && url.rfind(topicUrls, 0) != 0)) continue;  // another address: not ours
      const std::string type = hookText(w, "type", "Type").value_or("");
      const json* activeField = js::field(w, "isActive");
      const bool active = js::boolean(w, activeField ? "isActive" : "IsActive").value_or(true);
      const bool wantedType = std::find(wanted.begin(), wanted.end(), type) != wanted.end();
      const bool rightUrl = url == webhookUrlFor(*address, type);
      if (step == "webhooksUnregister" || !wantedType || !active || !rightUrl || !have.insert(type).second) {
        out["remove"].push_back(requestToJson(webhookCall("DELETE", "/webhooks/" + percentEncode(*id), "write")));
      } else {
        out["registered"].push_back({{"id", *id}, {"topic", type}});
      }
    }
    if (step == "webhooksUnregister") {
      out.erase("create");
      out.erase("registered");
      return out;
    }
    for (const auto& type : wanted) {
      if (have.count(type)) continue;
      HttpRequest r = webhookCall("POST", "/webhooks", "write");
      r.body = dumpJson(json{{"Webhook",
                              {{"Type", type},
                               {"Url", webhookUrlFor(*address, type)},
                               {"IsActive", true},
                               {"Description", "StoreLink"},
                               {"Secret", "{{secret.webhookSecret|json}}"}}}});
      out["create"].push_back(requestToJson(r));
    }
    return out;
  }

  const PlatformInfo& info() const override { return info_; }

  STORELINK_COLD std::optional<Error> validateSettings(const json& settings) const override {
    const json* inv = js::field(settings, "invoicesAsOrders");
    if (!js::isNull(inv) && !inv->is_boolean()) {
      Error e = Error::make(ErrorCode::InvalidInput, "Cài đặt \"Lấy hóa đơn bán hàng làm đơn hàng\" phải là bật hoặc tắt.",
                            "invoicesAsOrders must be a boolean");
      e.field = "invoicesAsOrders";
      return e;
    }
    const json* b = js::field(settings, "branchId");
    if (!js::isNull(b)) {
      auto id = js::id(b);
      bool digits = id && std::all_of(id->begin(), id->end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        Error e = Error::make(ErrorCode::InvalidInput, "Chi nhánh đã chọn không hợp lệ.", "branchId must be numeric");
        e.field = "branchId";
        return e;
      }
    }
    return std::nullopt;
  }

  STORELINK_COLD std::optional<HttpRequest> tokenRequest(const json&) const override {
    HttpRequest r;
    r.method = "POST";
    r.url = kTokenUrl;
    r.purpose = "auth";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    // The form field really is `scopes` (plural) in the docs and every SDK.
    r.body = "scopes=PublicApi.Access&grant_type=client_credentials&client_id={{secret.clientId|urlencode}}"
             "&client_secret={{secret.clientSecret|urlencode}}";
    r.keepSecrets = {{"access_token", "accessToken"}};
    return r;
  }

  STORELINK_COLD PagingPolicy paging(Entity e) const override {
    PagingPolicy p;
    p.kind = PagingPolicy::Kind::ModifiedTimeOffset;
    p.pageSize = 100;  // documented maximum
    p.reportsDeletions = e != Entity::Orders;  // orders have no includeRemoveIds
    return p;
  }

  // 5,000 GET per hour per retailer. Burst 100 + 4,900/h keeps any hour ≤ 5,000; at most
  // 10 requests per second, since bursts above that are reported to draw 429s.
  RatePolicy rate() const override { return {4900.0 / 3600.0, 100, 100}; }

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    HttpRequest r;
    r.purpose = "page";
    static const char* kPath[] = {"/products", "/orders", "/customers", "/branches"};
    const bool invoices = q.entity == Entity::Orders && q.settings && js::boolean(*q.settings, "invoicesAsOrders").value_or(false);
    r.url = std::string(kApiBase) + (invoices ? "/invoices" : kPath[static_cast<int>(q.entity)]);
    r.headers = {{"Retailer", "{{secret.retailer}}"}, {"Authorization", "Bearer {{secret.accessToken}}"}};
    r.query = {{"orderBy", "modifiedDate"},
               {"orderDirection", "Asc"},
               {"pageSize", std::to_string(std::clamp(q.pageSize, 1, 100))},
               {"currentItem", std::to_string(q.offset)}};
    if (q.modifiedFromMs) {
      // Sent as local time without offset: how KiotViet reads an explicit offset is unconfirmed.
      r.query.emplace_back("lastModifiedFrom", formatLocal(*q.modifiedFromMs, kVietnamOffsetMinutes, 3));
    }
    std::optional<std::string> branch;
    if (q.settings) branch = js::id(*q.settings, "branchId");
    switch (q.entity) {
      case Entity::Products:
        r.query.emplace_back("includeInventory", "true");
        if (branch) r.query.emplace_back("BranchIds", *branch);
        break;
      case Entity::Orders:
        r.query.emplace_back("includePayment", "true");
        r.query.emplace_back(invoices ? "includeInvoiceDelivery" : "includeOrderDelivery", "true");
        if (branch) r.query.emplace_back("branchIds", *branch);
        break;
      case Entity::Customers:
        r.query.emplace_back("includeTotal", "true");
        r.query.emplace_back("includeCustomerGroup", "true");
        break;
      case Entity::Locations:
        break;
    }
    if (q.includeDeleted && q.modifiedFromMs) r.query.emplace_back("includeRemoveIds", "true");
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    if (v.kind == ResponseVerdict::Kind::Ok) return v;
    json body = parseJson(resp.body);
    if (const json* rs = js::object(body, "responseStatus")) {
      Error e = platformError(*rs);
      e.httpStatus = resp.status;
      if (e.platformCode == "TokenException") {
        v.kind = ResponseVerdict::Kind::AuthExpired;  // refresh the token once and retry
      }
      if (v.kind == ResponseVerdict::Kind::Fatal) v.error = e;
      else v.error.platformCode = e.platformCode;
    } else if (auto oauth = js::text(body, "error")) {  // token endpoint: {"error":"invalid_client"}
      v.error.platformCode = *oauth;
    }
    return v;
  }

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    // List pages are the hot path: parsed with JsonDoc (same accept/reject rules as parseJson).
    JsonDoc doc;
    if (!doc.parse(text)) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu KiotViet trả về bị lỗi hoặc không đầy đủ.",
                         "body is not valid JSON");
    }
    const JsonValue& body = doc.root();
    if (const JsonValue* rs = js::object(body, "responseStatus")) return platformError(toJson(*rs));
    if (js::array(body, "Notifications")) return parseWebhook(entity, parseJson(text), opts);

    Page page;
    const Mapper map = mapperFor(entity);
    const JsonValue* data = js::array(body, "data");
    if (data == nullptr) {
      // A single object (GET /products/{id}) normalizes too.
      if (body.is_object() && js::field(body, "id") && !js::field(body, "data")) {
        page.rowCount = 1;
        normalizeRow(entity, map, body, 0, opts, page);
        return page;
      }
      // A delete webhook as the docs show it: a bare {"RemoveId":[...]} (see inspectWebhook).
      if (hasRemovedIds(body)) {
        readRemovedIds(body, page);
        page.rowCount = page.removedIds.size();
        return page;
      }
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu KiotViet trả về không đúng định dạng.",
                         "expected {total, pageSize, data:[...]}");
    }
    page.total = js::num(body, "total");
    readRemovedIds(body, page);
    page.rowCount = data->size();
    page.records.reserve(data->size());
    page.sortKeys.reserve(data->size());
    size_t i = 0;
    for (const JsonValue& row : *data) normalizeRow(entity, map, row, i++, opts, page);
    return page;
  }

 private:
  static void normalizeRow(Entity entity, Mapper map, const JsonValue& row, size_t i, const NormalizeOptions& opts, Page& page) {
    auto rec = row.is_object() ? map(row, opts) : std::nullopt;
    if (!rec) {
      page.rowErrors.push_back(rowWithoutId("KiotViet", i));
      return;
    }
    // modifiedDate is nullable (never-edited branches have none; kiotviet.md "datetime?"):
    // such rows sort and filter by createdDate. Without this fallback a branch list had no
    // sort key, the run no watermark, and every later run was a full one that never asked
    // for removedIds, so deleted branches stayed forever (tests/js/faults.test.js).
    // Outside orders (whose updatedAtMs may fall back to purchaseDate) that is exactly the
    // record's updatedAtMs: no second parse of the dates.
    if (entity != Entity::Orders) {
      page.sortKeys.push_back(rec->updatedAtMs);
    } else {
      auto key = kvTime(row, "modifiedDate");
      page.sortKeys.push_back(key ? key : kvTime(row, "createdDate"));
    }
    page.records.push_back(std::move(*rec));
  }

  PlatformInfo info_;
};

}  // namespace

const Connector& kiotviet() {
  static const KiotVietConnector instance;
  return instance;
}

}  // namespace storelink::connectors
