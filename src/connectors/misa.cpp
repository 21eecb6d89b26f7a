// MISA eShop through the mShopKeeper OpenPlatform (graphapi.mshopkeeper.vn). Facts:
// shared/platforms/misa.md; integrations read as evidence: the Python EshopHelper (login
// signature, endpoint bodies), its invoice ETL (list rows keyed `InvoiceId`, detail lines in
// `InvocieDetails`), the Laravel MShopKeeperService and its config (paths, ErrorType table).
//
// What shapes this connector:
// - Login signs the compact JSON {"AppID":…,"Domain":…,"LoginTime":…} (that key order, no
//   spaces) with HMAC-SHA256 of the SecretKey, lower-case hex. The secret never leaves the
//   proxy: the body carries {{hmac_sha256_hex:secret.secretKey:<base64 of the message>}} and
//   the proxy signs the same bytes it sends. LoginTime is the job's clock in UTC.
// - The answer's Data.AccessToken, Data.CompanyCode and Data.Environment are kept as secrets;
//   data URLs are /{Environment}/api/v1/… with Authorization + CompanyCode headers. No
//   lifetime is given: we re-login hourly, and on HTTP 401 at once.
// - Every answer is a ServiceResult {Code, ErrorType, ErrorMessage, Success, Data, Total};
//   business errors come with HTTP 200 and Success:false. ErrorType 102 ("an identical request
//   is still running") is retried after a pause; the engine never sends two at once.
// - Products: a model with its `ListDetail` children is ONE product whose variants are the
//   children (options from Color/Size), stock per branch from `Inventories`, available =
//   OnHand − Ordered. Incremental via LastSyncDate; rows carry no modification time, so the
//   watermark is the time the run started (PagingPolicy::watermarkIsRunStart).
// - Orders are sales invoices (pagingbycustomer, by InvoiceDate window); their lines come
//   from one invoices/detailbyrefid follow-up per invoice.
// - No webhooks.
#include <algorithm>
#include <cstring>
#include <map>

#include "connectors.hpp"
#include "storelink/cold.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kLoginUrl = "https://graphapi.mshopkeeper.vn/auth/api/Account/Login";
constexpr const char* kData = "https://graphapi.mshopkeeper.vn/{{secret.environment|urlencode}}/api/v1";
constexpr int64_t kTokenLifetimeMs = 60 * 60 * 1000;  // integrations cache the token ~1 h [CODE]
// Full invoice syncs start here: mShopKeeper accepts dates from 1753 (ErrorType 6 below).
constexpr int64_t kInvoicesFromMs = 1262304000000;  // 2010-01-01

STORELINK_COLD_BEGIN
// mf() for a key longer than its stack buffer (none so far).
const JsonValue* camelField(const JsonValue& o, std::string_view key) {
  std::string camel(key);
  camel[0] = static_cast<char>(camel[0] - 'A' + 'a');
  return js::field(o, camel);
}
STORELINK_COLD_END
// PascalCase in the docs; accept camelCase too. The PascalCase key first; its camelCase twin,
// built in a stack buffer, only when it is missing (this runs for every field of every row:
// no allocation per lookup). Only a key starting A–Z has a different twin.
const JsonValue* mf(const JsonValue& o, std::string_view key) {
  if (const JsonValue* v = js::field(o, key)) return v;
  if (key.empty() || key[0] < 'A' || key[0] > 'Z') return nullptr;
  char camel[32];
  if (key.size() > sizeof camel) return camelField(o, key);
  std::memcpy(camel, key.data(), key.size());
  camel[0] = static_cast<char>(camel[0] - 'A' + 'a');
  return js::field(o, std::string_view(camel, key.size()));
}
std::optional<std::string> mtext(const JsonValue& o, std::string_view k) { return js::text(mf(o, k)); }
std::optional<double> mnum(const JsonValue& o, std::string_view k) { return js::num(mf(o, k)); }
std::optional<std::string> mid(const JsonValue& o, std::string_view k) { return js::id(mf(o, k)); }
std::optional<bool> mbool(const JsonValue& o, std::string_view k) { return js::boolean(mf(o, k)); }
// The same, written straight into a record's field (one call per field, no temporary).
void setText(OptString& out, const JsonValue& o, std::string_view k) { out = js::text(mf(o, k)); }
void setId(OptString& out, const JsonValue& o, std::string_view k) { out = js::id(mf(o, k)); }
// Times carry +07:00 in invoices; naive ones are Vietnam local time (CukCuk's samples).
// Strings are read in place: parseDateTime trims as js::text does.
std::optional<int64_t> mtime(const JsonValue& o, std::string_view k) {
  const JsonValue* v = mf(o, k);
  if (v != nullptr && v->is_string()) return parseDateTime(v->stringValue(), kVietnamOffsetMinutes);
  auto s = js::text(v);
  return s ? parseDateTime(*s, kVietnamOffsetMinutes) : std::nullopt;
}
// Branch addresses hold administrative codes ("VN101"), not names: drop those.
void setPlaceName(OptString& out, const JsonValue& o, std::string_view k) {
  setText(out, o, k);
  const std::optional<std::string>& s = out;
  if (s && s->size() >= 3 && (*s)[0] == 'V' && (*s)[1] == 'N' &&
      std::all_of(s->begin() + 2, s->end(), [](char c) { return c >= '0' && c <= '9'; }))
    out.reset();
}
// The first phone field with text. Strings go to normalizePhone in place (it trims as
// js::text does, and answers nullopt only for a blank one).
void setPhone(OptString& out, const JsonValue& o) {
  out.reset();
  for (const char* k : {"Tel", "StandardTel", "NormalizedTel", "CustomerTel", "Phone", "Mobile"}) {
    const JsonValue* v = mf(o, k);
    if (v != nullptr && v->is_string()) {
      out = normalizePhone(v->stringValue());
    } else if (auto raw = js::text(v)) {
      out = normalizePhone(*raw);
    }
    if (out) return;
  }
}

std::string vnDateTime(int64_t ms, char sep) {
  std::string s = formatLocal(ms, kVietnamOffsetMinutes, 0);
  s[10] = sep;
  return s;
}

STORELINK_COLD_BEGIN
// --- errors ----------------------------------------------------------------------------

// ErrorType → our error (ServiceResult, shared/platforms/misa.md 4.2).
Error serviceError(const JsonValue& body, int httpStatus, bool& retry, std::optional<int64_t>& waitMs) {
  retry = false;
  const int type = toIntOr(mnum(body, "ErrorType").value_or(0), 0);
  const std::string given = mtext(body, "ErrorMessage").value_or("");
  const std::string detail = "ErrorType " + std::to_string(type) + (given.empty() ? "" : ": " + given);
  Error e;
  switch (type) {
    case 2:
      e = Error::make(ErrorCode::InvalidCredentials, "MISA không tìm thấy cửa hàng với tên miền đã nhập.", detail);
      e.field = "domain";
      break;
    case 3:
      e = Error::make(ErrorCode::InvalidCredentials, "MISA không nhận AppID đã nhập.", detail);
      e.field = "appId";
      break;
    case 4:
      e = Error::make(ErrorCode::InvalidCredentials,
                      "MISA từ chối chữ ký đăng nhập: Secret key không đúng (hoặc đồng hồ máy chủ lệch giờ).", detail);
      e.field = "secretKey";
      break;
    case 7:
      e = Error::make(ErrorCode::Forbidden,
                      "Kết nối ứng dụng (Open Platform) đang bị tắt trên MISA eShop nên không lấy được dữ liệu. Hãy vào "
                      "MISA eShop, mục Thiết lập → Kết nối ứng dụng, bật lại kết nối rồi thử lại.",
                      detail);
      break;
    case 100:
      e = Error::make(ErrorCode::ServerError, "Máy chủ MISA đang gặp sự cố; đã thử lại nhiều lần.", detail);
      retry = true;
      break;
    case 102:
      // An identical request is still running on MISA's side: wait for it, then ask again.
      e = Error::make(ErrorCode::RateLimited, "MISA đang xử lý một yêu cầu giống hệt; đã chờ và thử lại nhiều lần.", detail);
      retry = true;
      waitMs = 3000;
      break;
    case 5:
    case 6:
    case 1:
    default:
      e = Error::make(ErrorCode::PlatformError,
                      "MISA báo lỗi: " + (given.empty() ? std::string("không rõ nguyên nhân") : given.substr(0, 200)), detail);
      break;
  }
  e.platformCode = std::to_string(type);
  e.httpStatus = httpStatus;
  return e;
}

bool failed(const JsonValue& body) {
  auto ok = mbool(body, "Success");
  if (ok) return !*ok;
  return mnum(body, "ErrorType").value_or(0) != 0;
}

STORELINK_COLD_END
// --- mapping ---------------------------------------------------------------------------------
// The hot path (list pages, read in place from a JsonDoc); the invoice detail follow-up and a
// detail answer given to normalize go through the same mappers. Each fills the record the page
// holds for it and answers false when the row has no id (the record is then dropped);
// `modified` gets the row's ModifiedDate, the sort key of products and customers.

void common(Record& r, RecordType type, const JsonValue& o, const NormalizeOptions& opts, std::optional<int64_t>& modified) {
  r.type = type;
  r.platform = "misa";
  r.createdAtMs = mtime(o, "CreatedDate");
  modified = mtime(o, "ModifiedDate");
  r.updatedAtMs = modified ? modified : r.createdAtMs;
  if (opts.includeRaw) r.rawJson = dumpJson(o);
}

// One sellable item → a variant (its own row, or a ListDetail child).
void itemVariant(Variant& v, const JsonValue& item) {
  setText(v.sku, item, "Code");
  setText(v.barcode, item, "Barcode");
  setText(v.name, item, "Name");
  // Variant attributes [CODE mocks: Color, Size, Material on children].
  static const std::pair<const char*, const char*> kAxes[] = {{"Color", "Màu sắc"}, {"Size", "Kích cỡ"}, {"Material", "Chất liệu"}};
  for (const auto& [key, label] : kAxes)
    if (auto value = mtext(item, key)) v.options.emplace_back(label, std::move(*value));
  v.price = mnum(item, "SellingPrice");
  if (!v.price) v.price = mnum(item, "Price");
  v.cost = mnum(item, "CostPrice");
  if (!v.cost) v.cost = mnum(item, "AvgUnitPrice");
  if (const JsonValue* inv = js::array(item, "Inventories")) {
    double total = 0;
    bool any = false;
    v.stock.reserve(inv->size());
    for (const auto& i : *inv) {
      auto branch = mid(i, "BranchId");
      if (!branch) continue;
      StockLevel& s = v.stock.emplace_back();
      s.locationId = std::move(*branch);
      s.onHand = mnum(i, "OnHand");
      if (s.onHand) {
        s.available = *s.onHand - mnum(i, "Ordered").value_or(0);  // on hand − ordered [UNCONFIRMED semantics]
        total += *s.available;
        any = true;
      }
    }
    if (any) v.totalStock = total;
  }
}

bool mapProduct(const JsonValue& o, const NormalizeOptions& opts, Record& r, std::optional<int64_t>& modified) {
  auto id = mid(o, "Id");
  if (!id) return false;
  common(r, RecordType::Product, o, opts, modified);
  Product& p = r.body.emplace<Product>();
  setText(p.name, o, "Name");
  setText(p.sku, o, "Code");
  setText(p.barcode, o, "Barcode");
  setText(p.description, o, "Description");
  setText(p.category, o, "CategoryName");
  if (!p.category) setText(p.category, o, "InventoryItemCategoryName");
  if (auto inactive = mbool(o, "Inactive")) p.active = !*inactive;
  addImage(p.images, mtext(o, "Picture"));
  p.taxRate = mnum(o, "VATRate");
  setId(p.parentExternalId, o, "ParentId");  // a child listed on its own
  const JsonValue* children = js::array(o, "ListDetail");
  if (children && !children->empty()) {
    p.variants.reserve(children->size());
    for (const auto& child : *children) {
      auto cid = mid(child, "Id");
      if (!cid) continue;
      Variant& v = p.variants.emplace_back();
      v.externalId = std::move(*cid);
      itemVariant(v, child);
    }
  } else {
    Variant& v = p.variants.emplace_back();
    v.externalId = *id;
    itemVariant(v, o);
  }
  double total = 0;
  bool any = false;
  for (const auto& v : p.variants)
    if (v.totalStock) {
      total += *v.totalStock;
      any = true;
    }
  if (any) p.totalStock = total;
  r.externalId = std::move(*id);
  return true;
}

bool mapCustomer(const JsonValue& o, const NormalizeOptions& opts, Record& r, std::optional<int64_t>& modified) {
  auto id = mid(o, "Id");
  if (!id) return false;
  r.externalId = std::move(*id);
  common(r, RecordType::Customer, o, opts, modified);
  Customer& c = r.body.emplace<Customer>();
  setText(c.name, o, "Name");
  setPhone(c.phone, o);
  setText(c.email, o, "Email");
  if (auto b = mtext(o, "Birthday")) c.birthday = dateOnly(*b);
  Address& a = c.address.emplace();
  setText(a.address, o, "Addr");
  if (!a.address) setText(a.address, o, "Address");
  setPlaceName(a.ward, o, "CommuneAddr");
  setPlaceName(a.district, o, "DistrictAddr");
  setPlaceName(a.province, o, "ProvinceAddr");
  if (a.address || a.ward || a.district || a.province) {
    a.country = "VN";
  } else {
    c.address.reset();
  }
  c.totalSpent = mnum(o, "TotalAmount");
  for (const char* k : {"CustomerCategoryName", "MemberLevelName"})
    if (auto g = mtext(o, k)) c.groups.push_back(std::move(*g));
  // Gender is 0/1 with no documented meaning [UNCONFIRMED]: left null.
  return true;
}

std::optional<std::string> invoiceId(const JsonValue& o) {
  for (const char* k : {"InvoiceId", "RefID", "RefId", "InvoiceID", "Id"})
    if (auto id = mid(o, k)) return id;
  return std::nullopt;
}

bool mapInvoice(const JsonValue& o, const NormalizeOptions& opts, Record& r, std::optional<int64_t>& modified) {
  auto id = invoiceId(o);
  if (!id) return false;
  r.externalId = std::move(*id);
  common(r, RecordType::Order, o, opts, modified);
  if (!r.createdAtMs) {
    r.createdAtMs = mtime(o, "InvoiceTime");
    if (!r.createdAtMs) r.createdAtMs = mtime(o, "InvoiceDate");
  }
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Order& ord = r.body.emplace<Order>();
  setText(ord.code, o, "InvoiceNumber");
  // A sales invoice (InvoiceType 550) is a finished sale; other types are not mapped.
  auto type = mnum(o, "InvoiceType");
  if (!type || *type == 550) ord.status = OrderStatus::Completed;
  ord.platformStatus = js::str(mf(o, "PaymentStatus"));  // its enum is undocumented [UNCONFIRMED]
  ord.total = mnum(o, "TotalAmount");
  if (auto debt = mnum(o, "DebitAmount"); debt && ord.total) ord.paymentStatus = paymentStatusFromAmounts(*ord.total - *debt, ord.total);
  auto customerId = mid(o, "CustomerId");
  auto name = mtext(o, "CustomerName");
  if (customerId || name) {
    OrderCustomer& c = ord.customer.emplace();
    c.externalId = std::move(customerId);
    c.name = name;
    setPhone(c.phone, o);
  }
  ord.subtotal = mnum(o, "TotalItemAmount");
  ord.discount = mnum(o, "DiscountAmount");
  ord.shippingFee = mnum(o, "DeliveryAmount");
  ord.tax = mnum(o, "VATAmount");
  ord.currency = "VND";
  setId(ord.locationId, o, "BranchId");
  setText(ord.note, o, "Note");
  if (!ord.note) setText(ord.note, o, "Description");
  auto addr = mtext(o, "DeliveryAddress");
  if (!addr) addr = mtext(o, "Address");
  if (addr) {
    Address& a = ord.shippingAddress.emplace();
    a.name = std::move(name);
    if (ord.customer) a.phone = ord.customer->phone;  // the same fields, read once
    else setPhone(a.phone, o);
    a.address = std::move(addr);
  }
  return true;
}

// The detail answer completes an invoice: lines, customer id, delivery fee and address.
void mergeDetail(Order& ord, const JsonValue& d) {
  const JsonValue* lines = js::array(d, "InvocieDetails");  // sic: the API's spelling
  if (lines == nullptr) lines = js::array(d, "InvoiceDetails");
  if (lines == nullptr) lines = js::array(d, "invocieDetails");
  double subtotal = 0;
  bool any = false;
  if (lines) {
    ord.lines.clear();
    for (const auto& l : *lines) {
      auto sku = mtext(l, "SKU");
      auto name = mtext(l, "Name");
      if (!name) name = mtext(l, "EncodeInventoryItemName");
      if (!sku && !name) continue;  // not a goods line
      OrderLine& ol = ord.lines.emplace_back();
      ol.sku = std::move(sku);
      ol.name = std::move(name);
      for (const char* k : {"InventoryItemId", "InventoryItemID", "ItemId", "ItemID", "ProductId"})
        if (!ol.variantExternalId) setId(ol.variantExternalId, l, k);
      setId(ol.productExternalId, l, "ParentId");  // the model the variant belongs to
      if (!ol.productExternalId) ol.productExternalId = ol.variantExternalId;
      ol.quantity = mnum(l, "Quantity");
      ol.unitPrice = mnum(l, "UnitPrice");
      ol.discount = mnum(l, "DiscountAmount").value_or(0);
      ol.total = mnum(l, "TotalAmount");
      if (!ol.total) {
        if (auto amount = mnum(l, "Amount")) ol.total = *amount - *ol.discount;
      }
      if (ol.total) {
        subtotal += *ol.total;
        any = true;
      }
    }
  }
  if (any) ord.subtotal = subtotal;
  if (auto fee = mnum(d, "DeliveryAmount")) ord.shippingFee = fee;
  if (auto disc = mnum(d, "DiscountAmount")) ord.discount = disc;
  if (auto vat = mnum(d, "VATAmount")) ord.tax = vat;
  if (auto cid = mid(d, "CustomerId")) {
    if (!ord.customer) ord.customer.emplace();
    ord.customer->externalId = std::move(cid);
  }
  if (auto addr = mtext(d, "DeliveryAddress")) {
    if (!ord.shippingAddress) ord.shippingAddress.emplace();
    ord.shippingAddress->address = std::move(addr);
    if (!ord.shippingAddress->name) setText(ord.shippingAddress->name, d, "CustomerName");
    if (!ord.shippingAddress->phone) setPhone(ord.shippingAddress->phone, d);
  }
  if (!ord.note) setText(ord.note, d, "Note");
}

STORELINK_COLD_BEGIN
// Errors of a whole body (off the hot path: kept out of parsePage).
[[gnu::noinline]] Error bodyError(ErrorCode code, const char* message, const char* detail) { return Error::make(code, message, detail); }
[[gnu::noinline]] Error failedBody(const JsonValue& body, int httpStatus) {
  bool retry = false;
  std::optional<int64_t> wait;
  return serviceError(body, httpStatus, retry, wait);
}

// A row without an id: its record is dropped, the page notes why.
[[gnu::noinline]] void skipRow(Page& page, size_t i) {
  page.records.pop_back();
  page.rowErrors.push_back(rowWithoutId("MISA", i, "Id"));
}

// Branches: one small list per sync, not the hot path.
bool mapBranch(const JsonValue& o, const NormalizeOptions& opts, Record& r, std::optional<int64_t>& modified) {
  auto id = mid(o, "Id");
  if (!id) return false;
  r.externalId = std::move(*id);
  common(r, RecordType::Location, o, opts, modified);
  Location& l = r.body.emplace<Location>();
  setText(l.name, o, "Name");
  setText(l.address, o, "Address");
  setPhone(l.phone, o);
  return true;
}
STORELINK_COLD_END

using Mapper = bool (*)(const JsonValue&, const NormalizeOptions&, Record&, std::optional<int64_t>&);
Mapper mapperFor(Entity e) {
  switch (e) {
    case Entity::Products: return mapProduct;
    case Entity::Orders: return mapInvoice;
    case Entity::Customers: return mapCustomer;
    case Entity::Locations: return mapBranch;
  }
  return mapProduct;
}

class MisaConnector final : public Connector {
 public:
  STORELINK_COLD MisaConnector() {
    info_.id = "misa";
    info_.displayName = "MISA eShop";
    info_.description = "Phần mềm quản lý bán hàng MISA eShop (mShopKeeper), kết nối qua MISA Open Platform.";
    info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
    info_.credentials = {
        {"domain", "Tên miền cửa hàng (Domain)",
         "Tên miền cửa hàng trên MISA eShop, ví dụ tencuahang.mshopkeeper.vn — đúng như mục Domain ở trang kết nối ứng dụng.",
         false, "tencuahang.mshopkeeper.vn"},
        {"appId", "AppID",
         "Trên MISA eShop, vào Thiết lập → Kết nối ứng dụng (Open Platform), bật kết nối rồi sao chép AppID.", false,
         "MShopKeeperOpenPlatform"},
        {"secretKey", "Secret key",
         "Cùng trang Kết nối ứng dụng, sao chép Secret key (chuỗi 64 ký tự). Khóa chỉ lưu trên máy chủ StoreLink để ký "
         "yêu cầu đăng nhập, không bao giờ gửi về trình duyệt.",
         true, ""},
    };
    info_.status = "available";
    info_.apiHosts = {"graphapi.mshopkeeper.vn"};
    info_.webhooks = false;
  }

  const PlatformInfo& info() const override { return info_; }

  STORELINK_COLD std::optional<HttpRequest> tokenRequestAt(const json&, int64_t nowMs) const override {
    HttpRequest r;
    r.method = "POST";
    r.url = kLoginUrl;
    r.purpose = "auth";
    r.headers = {{"Content-Type", "application/json"}};
    // The signed bytes and the body must agree exactly: same values, same LoginTime, key
    // order AppID, Domain, LoginTime, no spaces (EshopHelper.get_login_param).
    const std::string loginTime = formatIsoUtc(nowMs);
    const std::string fields = R"("AppID":"{{secret.appId|json}}","Domain":"{{secret.domain|host}}","LoginTime":")" + loginTime + "\"";
    r.body = "{" + fields + R"(,"SignatureInfo":")" + hmacSha256HexPlaceholder("secretKey", "{" + fields + "}") + "\"}";
    r.keepSecrets = {{"Data.AccessToken", "accessToken"}, {"Data.CompanyCode", "companyCode"}, {"Data.Environment", "environment"}};
    return r;
  }

  std::optional<HttpRequest> tokenRequest(const json& settings) const override { return tokenRequestAt(settings, 0); }

  STORELINK_COLD Result<int64_t> tokenLifetimeMs(const HttpResponse& response) const override {
    JsonDoc doc;
    if (!doc.parse(response.body)) return Error::make(ErrorCode::InvalidJson, "Phản hồi đăng nhập MISA không hợp lệ.", "login body not JSON");
    const JsonValue* data = js::object(doc.root(), "Data");
    if (data == nullptr || !mtext(*data, "AccessToken")) {
      return Error::make(ErrorCode::UnexpectedShape, "MISA không trả về phiên đăng nhập.", "login answer without Data.AccessToken");
    }
    return kTokenLifetimeMs;
  }

  PagingPolicy paging(Entity e) const override {
    PagingPolicy p;
    p.kind = PagingPolicy::Kind::ModifiedTimeOffset;
    p.pageSize = e == Entity::Locations ? 1000 : 100;  // Limit ≤ 100 (ErrorType 5); branchs/all is not paged
    p.pageNumbered = true;                              // Page (1-based) + Limit
    p.reanchor = e == Entity::Orders;                   // invoices sort by InvoiceDate; the rest by Code/Name
    p.watermarkIsRunStart = e == Entity::Products || e == Entity::Customers;
    return p;
  }

  // No published limit; ErrorType 102 forbids parallel identical calls (the engine is serial).
  RatePolicy rate() const override { return {3, 3, 0}; }

  STORELINK_COLD HttpRequest pageRequest(const PageQuery& q) const override {
    HttpRequest r;
    r.method = "POST";
    r.purpose = "page";
    r.headers = {{"Authorization", "Bearer {{secret.accessToken}}"},
                 {"CompanyCode", "{{secret.companyCode}}"},
                 {"Content-Type", "application/json"}};
    const int limit = std::clamp(q.pageSize, 1, 100);
    const int64_t page = q.offset / limit + 1;
    // The bodies are written as dumpJson wrote the json objects they once were: keys in
    // std::map order, compact; every value is a number, a literal or our own ASCII date.
    const std::string paging = "\"Limit\":" + std::to_string(limit) + ",\"Page\":" + std::to_string(page);
    const std::string lastSync = q.modifiedFromMs ? "\"" + vnDateTime(*q.modifiedFromMs, ' ') + "\"" : "null";  // "yyyy-MM-dd HH:mm:ss"
    switch (q.entity) {
      case Entity::Products:
        r.url = std::string(kData) + "/inventoryitems/pagingwithdetail";
        r.body = R"({"IncludeInActive":true,"IncludeInventory":true,"InventoryItemCategoryID":null,"LastSyncDate":)" + lastSync +
                 "," + paging + R"(,"SortField":"Code","SortType":1})";
        break;
      case Entity::Customers:
        r.url = std::string(kData) + "/customers/paging";
        r.body = R"({"IncludeInactive":true,"LastSyncDate":)" + lastSync + "," + paging + R"(,"SortField":"Name","SortType":1})";
        break;
      case Entity::Orders: {
        r.url = std::string(kData) + "/invoices/pagingbycustomer";
        const int64_t from = q.modifiedFromMs.value_or(kInvoicesFromMs);
        const int64_t to = std::max(q.nowMs, from) + 60 * 1000;
        r.body = R"({"DateRangeType":1,"FromDate":")" + vnDateTime(from, 'T') + "\"," + paging +
                 R"(,"SortField":"InvoiceDate","SortType":1,"ToDate":")" + vnDateTime(to, 'T') + "\"}";
        break;
      }
      case Entity::Locations:
        r.url = std::string(kData) + "/branchs/all";  // sic
        r.body = R"({"IsIncludeChainOfBranch":false,"IsIncludeInactiveBranch":true})";
        break;
    }
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    if (resp.status == 401) {
      v.error.message = "Phiên đăng nhập MISA đã hết hạn hoặc bị thu hồi.";
      return v;  // AuthExpired: log in again once
    }
    JsonDoc doc;
    if (!doc.parse(resp.body)) return v;
    const JsonValue& body = doc.root();
    if (!body.is_object() || !failed(body)) return v;
    if (mnum(body, "Code").value_or(0) == 401) {
      v.kind = ResponseVerdict::Kind::AuthExpired;
      return v;
    }
    bool retry = false;
    std::optional<int64_t> wait;
    Error e = serviceError(body, resp.status, retry, wait);
    v.kind = retry ? ResponseVerdict::Kind::Retry : ResponseVerdict::Kind::Fatal;
    if (wait && !v.retryAfterMs) v.retryAfterMs = wait;
    v.error = e;
    return v;
  }

  Result<Page> parsePage(Entity entity, std::string_view text, const NormalizeOptions& opts) const override {
    // List pages are the hot path: parsed with JsonDoc (same accept/reject rules as parseJson)
    // and read in place.
    JsonDoc doc;
    if (!doc.parse(text)) return bodyError(ErrorCode::InvalidJson, "Dữ liệu MISA trả về bị lỗi hoặc không đầy đủ.", "body is not valid JSON");
    const JsonValue& body = doc.root();
    if (body.is_object() && failed(body)) return failedBody(body, 200);
    const JsonValue* data = body.is_object() ? mf(body, "Data") : &body;
    std::vector<const JsonValue*> rows;
    if (data == nullptr || data->is_null()) {
      // Success with Data null: nothing (an empty page)
    } else if (data->is_object()) {
      rows.push_back(data);  // a detail answer normalizes too
    } else if (data->is_array()) {
      rows.reserve(data->size());
      for (const JsonValue& row : *data) rows.push_back(&row);
    } else {
      return bodyError(ErrorCode::UnexpectedShape, "Dữ liệu MISA trả về không đúng định dạng.", "expected ServiceResult {Success, Data:[...]}");
    }
    Page page;
    if (auto total = mnum(body, "Total"); total && *total > 0) page.total = total;
    Mapper map = mapperFor(entity);
    page.rowCount = rows.size();
    page.records.reserve(rows.size());
    page.sortKeys.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const JsonValue& row = *rows[i];
      Record& rec = page.records.emplace_back();
      std::optional<int64_t> modified;
      if (!row.is_object() || !map(row, opts, rec, modified)) {
        skipRow(page, i);
        continue;
      }
      if (entity == Entity::Orders) {
        if (js::array(row, "InvocieDetails") || js::array(row, "InvoiceDetails"))
          mergeDetail(std::get<Order>(rec.body), row);  // a detail body given to normalize
        page.sortKeys.push_back(rec.createdAtMs);
      } else {
        page.sortKeys.push_back(modified);
      }
    }
    return page;
  }

  STORELINK_COLD std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const override {
    std::vector<HttpRequest> out;
    if (q.entity != Entity::Orders) return out;
    for (const auto& rec : page.records) {
      HttpRequest r;
      r.method = "POST";
      r.purpose = "page";
      r.url = std::string(kData) + "/invoices/detailbyrefid";
      r.headers = {{"Authorization", "Bearer {{secret.accessToken}}"},
                   {"CompanyCode", "{{secret.companyCode}}"},
                   {"Content-Type", "application/json"}};
      r.body = dumpJson(json{{"RefID", rec.externalId}});
      out.push_back(std::move(r));
    }
    return out;
  }

  STORELINK_COLD std::optional<Error> applyFollowUp(const PageQuery&, Page& page, size_t index, const HttpResponse& resp) const override {
    // The detail answer goes through the list pages' mappers (JsonDoc, read in place).
    JsonDoc doc;
    if (!doc.parse(resp.body)) return bodyError(ErrorCode::InvalidJson, "Dữ liệu MISA trả về bị lỗi hoặc không đầy đủ.", "detail body is not JSON");
    const JsonValue& body = doc.root();
    if (failed(body)) return failedBody(body, resp.status);
    const JsonValue* data = mf(body, "Data");
    if (index >= page.records.size() || data == nullptr || !data->is_object()) return std::nullopt;
    if (auto* ord = std::get_if<Order>(&page.records[index].body)) mergeDetail(*ord, *data);
    return std::nullopt;
  }

 private:
  PlatformInfo info_;
};

}  // namespace

const Connector& misa() {
  static const MisaConnector instance;
  return instance;
}

}  // namespace storelink::connectors
