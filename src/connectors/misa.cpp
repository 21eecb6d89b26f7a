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
#include <map>

#include "connectors.hpp"
#include "storelink/normalize.hpp"
#include "storelink/cold.hpp"

namespace storelink::connectors {

namespace {

constexpr const char* kLoginUrl = "https://graphapi.mshopkeeper.vn/auth/api/Account/Login";
constexpr const char* kData = "https://graphapi.mshopkeeper.vn/{{secret.environment|urlencode}}/api/v1";
constexpr int64_t kTokenLifetimeMs = 60 * 60 * 1000;  // integrations cache the token ~1 h [CODE]
// Full invoice syncs start here: mShopKeeper accepts dates from 1753 (ErrorType 6 below).
constexpr int64_t kInvoicesFromMs = 1262304000000;  // 2010-01-01

// PascalCase in the docs; accept camelCase too.
const json* mf(const json& o, std::string_view key) {
  if (const json* v = js::field(o, key)) return v;
  if (key.empty()) return nullptr;
  std::string camel(key);
  camel[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(camel[0])));
  return js::field(o, camel);
}
std::optional<std::string> mtext(const json& o, std::string_view k) { return js::text(mf(o, k)); }
std::optional<double> mnum(const json& o, std::string_view k) { return js::num(mf(o, k)); }
std::optional<std::string> mid(const json& o, std::string_view k) { return js::id(mf(o, k)); }
std::optional<bool> mbool(const json& o, std::string_view k) { return js::boolean(mf(o, k)); }
// Times carry +07:00 in invoices; naive ones are Vietnam local time (CukCuk's samples).
std::optional<int64_t> mtime(const json& o, std::string_view k) {
  auto s = mtext(o, k);
  return s ? parseDateTime(*s, kVietnamOffsetMinutes) : std::nullopt;
}
// Branch addresses hold administrative codes ("VN101"), not names: drop those.
std::optional<std::string> placeName(const json& o, std::string_view k) {
  auto s = mtext(o, k);
  if (s && s->size() >= 3 && (*s)[0] == 'V' && (*s)[1] == 'N' &&
      std::all_of(s->begin() + 2, s->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return s;
}
std::optional<std::string> phoneOf(const json& o) {
  for (const char* k : {"Tel", "StandardTel", "NormalizedTel", "CustomerTel", "Phone", "Mobile"})
    if (auto raw = mtext(o, k))
      if (auto p = normalizePhone(*raw)) return p;
  return std::nullopt;
}
bool isHttpUrl(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

std::string vnDateTime(int64_t ms, char sep) {
  std::string s = formatLocal(ms, kVietnamOffsetMinutes, 0);
  s[10] = sep;
  return s;
}

STORELINK_COLD_BEGIN
// --- errors ----------------------------------------------------------------------------

// ErrorType → our error (ServiceResult, shared/platforms/misa.md 4.2).
Error serviceError(const json& body, int httpStatus, bool& retry, std::optional<int64_t>& waitMs) {
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

bool failed(const json& body) {
  auto ok = mbool(body, "Success");
  if (ok) return !*ok;
  return mnum(body, "ErrorType").value_or(0) != 0;
}

STORELINK_COLD_END
STORELINK_COLD_BEGIN
// --- mapping ---------------------------------------------------------------------------------

void common(Record& r, RecordType type, const json& o, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = "misa";
  r.createdAtMs = mtime(o, "CreatedDate");
  r.updatedAtMs = mtime(o, "ModifiedDate");
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  if (opts.includeRaw) r.rawJson = dumpJson(o);
}

// One sellable item → a variant (its own row, or a ListDetail child).
Variant itemVariant(const json& item, const std::string& id) {
  Variant v;
  v.externalId = id;
  v.sku = mtext(item, "Code");
  v.barcode = mtext(item, "Barcode");
  v.name = mtext(item, "Name");
  // Variant attributes [CODE mocks: Color, Size, Material on children].
  static const std::pair<const char*, const char*> kAxes[] = {{"Color", "Màu sắc"}, {"Size", "Kích cỡ"}, {"Material", "Chất liệu"}};
  for (const auto& [key, label] : kAxes)
    if (auto value = mtext(item, key)) v.options.emplace_back(label, *value);
  v.price = mnum(item, "SellingPrice");
  if (!v.price) v.price = mnum(item, "Price");
  v.cost = mnum(item, "CostPrice");
  if (!v.cost) v.cost = mnum(item, "AvgUnitPrice");
  if (const json* inv = js::array(item, "Inventories")) {
    double total = 0;
    bool any = false;
    for (const auto& i : *inv) {
      auto branch = mid(i, "BranchId");
      if (!branch) continue;
      StockLevel s;
      s.locationId = *branch;
      s.onHand = mnum(i, "OnHand");
      if (s.onHand) {
        s.available = *s.onHand - mnum(i, "Ordered").value_or(0);  // on hand − ordered [UNCONFIRMED semantics]
        total += *s.available;
        any = true;
      }
      v.stock.push_back(std::move(s));
    }
    if (any) v.totalStock = total;
  }
  return v;
}

std::optional<Record> mapProduct(const json& o, const NormalizeOptions& opts) {
  auto id = mid(o, "Id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Product, o, opts);
  Product p;
  p.name = mtext(o, "Name");
  p.sku = mtext(o, "Code");
  p.barcode = mtext(o, "Barcode");
  p.description = mtext(o, "Description");
  p.category = mtext(o, "CategoryName");
  if (!p.category) p.category = mtext(o, "InventoryItemCategoryName");
  if (auto inactive = mbool(o, "Inactive")) p.active = !*inactive;
  if (auto pic = mtext(o, "Picture"); pic && isHttpUrl(*pic)) p.images.push_back(*pic);
  p.taxRate = mnum(o, "VATRate");
  p.parentExternalId = mid(o, "ParentId");  // a child listed on its own
  const json* children = js::array(o, "ListDetail");
  if (children && !children->empty()) {
    for (const auto& child : *children) {
      auto cid = mid(child, "Id");
      if (!cid) continue;
      p.variants.push_back(itemVariant(child, *cid));
    }
  } else {
    p.variants.push_back(itemVariant(o, *id));
  }
  double total = 0;
  bool any = false;
  for (const auto& v : p.variants)
    if (v.totalStock) {
      total += *v.totalStock;
      any = true;
    }
  if (any) p.totalStock = total;
  r.body = std::move(p);
  return r;
}

std::optional<Record> mapCustomer(const json& o, const NormalizeOptions& opts) {
  auto id = mid(o, "Id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Customer, o, opts);
  Customer c;
  c.name = mtext(o, "Name");
  c.phone = phoneOf(o);
  c.email = mtext(o, "Email");
  if (auto b = mtext(o, "Birthday")) c.birthday = dateOnly(*b);
  Address a;
  a.address = mtext(o, "Addr");
  if (!a.address) a.address = mtext(o, "Address");
  a.ward = placeName(o, "CommuneAddr");
  a.district = placeName(o, "DistrictAddr");
  a.province = placeName(o, "ProvinceAddr");
  if (a.address || a.ward || a.district || a.province) {
    a.country = "VN";
    c.address = a;
  }
  c.totalSpent = mnum(o, "TotalAmount");
  for (const char* k : {"CustomerCategoryName", "MemberLevelName"})
    if (auto g = mtext(o, k)) c.groups.push_back(*g);
  // Gender is 0/1 with no documented meaning [UNCONFIRMED]: left null.
  r.body = std::move(c);
  return r;
}

std::optional<Record> mapBranch(const json& o, const NormalizeOptions& opts) {
  auto id = mid(o, "Id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Location, o, opts);
  Location l;
  l.name = mtext(o, "Name");
  l.address = mtext(o, "Address");
  l.phone = phoneOf(o);
  r.body = std::move(l);
  return r;
}

std::optional<std::string> invoiceId(const json& o) {
  for (const char* k : {"InvoiceId", "RefID", "RefId", "InvoiceID", "Id"})
    if (auto id = mid(o, k)) return id;
  return std::nullopt;
}

std::optional<Record> mapInvoice(const json& o, const NormalizeOptions& opts) {
  auto id = invoiceId(o);
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(r, RecordType::Order, o, opts);
  auto at = mtime(o, "InvoiceTime");
  if (!at) at = mtime(o, "InvoiceDate");
  if (!r.createdAtMs) r.createdAtMs = at;
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  Order ord;
  ord.code = mtext(o, "InvoiceNumber");
  // A sales invoice (InvoiceType 550) is a finished sale; other types are not mapped.
  auto type = mnum(o, "InvoiceType");
  if (!type || *type == 550) ord.status = OrderStatus::Completed;
  ord.platformStatus = js::str(mf(o, "PaymentStatus"));  // its enum is undocumented [UNCONFIRMED]
  ord.total = mnum(o, "TotalAmount");
  if (auto debt = mnum(o, "DebitAmount"); debt && ord.total) ord.paymentStatus = paymentStatusFromAmounts(*ord.total - *debt, ord.total);
  auto customerId = mid(o, "CustomerId");
  auto name = mtext(o, "CustomerName");
  if (customerId || name) {
    OrderCustomer c;
    c.externalId = customerId;
    c.name = name;
    c.phone = phoneOf(o);
    ord.customer = c;
  }
  ord.subtotal = mnum(o, "TotalItemAmount");
  ord.discount = mnum(o, "DiscountAmount");
  ord.shippingFee = mnum(o, "DeliveryAmount");
  ord.tax = mnum(o, "VATAmount");
  ord.currency = "VND";
  ord.locationId = mid(o, "BranchId");
  ord.note = mtext(o, "Note");
  if (!ord.note) ord.note = mtext(o, "Description");
  auto addr = mtext(o, "DeliveryAddress");
  if (!addr) addr = mtext(o, "Address");
  if (addr) {
    Address a;
    a.name = name;
    a.phone = phoneOf(o);
    a.address = addr;
    ord.shippingAddress = a;
  }
  r.body = std::move(ord);
  return r;
}

// The detail answer completes an invoice: lines, customer id, delivery fee and address.
void mergeDetail(Order& ord, const json& d) {
  const json* lines = js::array(d, "InvocieDetails");  // sic: the API's spelling
  if (lines == nullptr) lines = js::array(d, "InvoiceDetails");
  if (lines == nullptr) lines = js::array(d, "invocieDetails");
  double subtotal = 0;
  bool any = false;
  if (lines) {
    ord.lines.clear();
    for (const auto& l : *lines) {
      OrderLine ol;
      ol.sku = mtext(l, "SKU");
      ol.name = mtext(l, "Name");
      if (!ol.name) ol.name = mtext(l, "EncodeInventoryItemName");
      if (!ol.sku && !ol.name) continue;  // not a goods line
      for (const char* k : {"InventoryItemId", "InventoryItemID", "ItemId", "ItemID", "ProductId"})
        if (!ol.variantExternalId) ol.variantExternalId = mid(l, k);
      ol.productExternalId = mid(l, "ParentId");  // the model the variant belongs to
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
      ord.lines.push_back(std::move(ol));
    }
  }
  if (any) ord.subtotal = subtotal;
  if (auto fee = mnum(d, "DeliveryAmount")) ord.shippingFee = fee;
  if (auto disc = mnum(d, "DiscountAmount")) ord.discount = disc;
  if (auto vat = mnum(d, "VATAmount")) ord.tax = vat;
  if (auto cid = mid(d, "CustomerId")) {
    if (!ord.customer) ord.customer = OrderCustomer{};
    ord.customer->externalId = cid;
  }
  if (auto addr = mtext(d, "DeliveryAddress")) {
    if (!ord.shippingAddress) ord.shippingAddress = Address{};
    ord.shippingAddress->address = addr;
    if (!ord.shippingAddress->name) ord.shippingAddress->name = mtext(d, "CustomerName");
    if (!ord.shippingAddress->phone) ord.shippingAddress->phone = phoneOf(d);
  }
  if (!ord.note) ord.note = mtext(d, "Note");
}

using Mapper = std::optional<Record> (*)(const json&, const NormalizeOptions&);
STORELINK_COLD_END
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
    json body = parseJson(response.body);
    if (body.is_discarded()) return Error::make(ErrorCode::InvalidJson, "Phản hồi đăng nhập MISA không hợp lệ.", "login body not JSON");
    const json* data = js::object(body, "Data");
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
    json lastSync = q.modifiedFromMs ? json(vnDateTime(*q.modifiedFromMs, ' ')) : json(nullptr);  // "yyyy-MM-dd HH:mm:ss"
    json body;
    switch (q.entity) {
      case Entity::Products:
        r.url = std::string(kData) + "/inventoryitems/pagingwithdetail";
        body = {{"Page", page},           {"Limit", limit},         {"SortField", "Code"},
                {"SortType", 1},          {"IncludeInventory", true}, {"IncludeInActive", true},
                {"InventoryItemCategoryID", nullptr}, {"LastSyncDate", lastSync}};
        break;
      case Entity::Customers:
        r.url = std::string(kData) + "/customers/paging";
        body = {{"Page", page}, {"Limit", limit}, {"SortField", "Name"}, {"SortType", 1}, {"IncludeInactive", true},
                {"LastSyncDate", lastSync}};
        break;
      case Entity::Orders: {
        r.url = std::string(kData) + "/invoices/pagingbycustomer";
        const int64_t from = q.modifiedFromMs.value_or(kInvoicesFromMs);
        const int64_t to = std::max(q.nowMs, from) + 60 * 1000;
        body = {{"Page", page},
                {"Limit", limit},
                {"SortField", "InvoiceDate"},
                {"SortType", 1},
                {"FromDate", vnDateTime(from, 'T')},
                {"ToDate", vnDateTime(to, 'T')},
                {"DateRangeType", 1}};
        break;
      }
      case Entity::Locations:
        r.url = std::string(kData) + "/branchs/all";  // sic
        body = {{"IsIncludeInactiveBranch", true}, {"IsIncludeChainOfBranch", false}};
        break;
    }
    r.body = dumpJson(body);
    return r;
  }

  STORELINK_COLD ResponseVerdict classify(const HttpResponse& resp) const override {
    ResponseVerdict v = Connector::classify(resp);
    if (resp.status == 401) {
      v.error.message = "Phiên đăng nhập MISA đã hết hạn hoặc bị thu hồi.";
      return v;  // AuthExpired: log in again once
    }
    json body = parseJson(resp.body);
    if (body.is_discarded() || !body.is_object() || !failed(body)) return v;
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
    json body = parseJson(text);
    if (body.is_discarded()) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu MISA trả về bị lỗi hoặc không đầy đủ.", "body is not valid JSON");
    }
    if (body.is_object() && failed(body)) {
      bool retry = false;
      std::optional<int64_t> wait;
      return serviceError(body, 200, retry, wait);
    }
    const json* data = body.is_object() ? mf(body, "Data") : &body;
    json one = json::array();
    if (data == nullptr || data->is_null()) {
      one = json::array();  // Success with Data null: nothing (an empty page)
      data = &one;
    } else if (data->is_object()) {
      one.push_back(*data);  // a detail answer normalizes too
      data = &one;
    }
    if (!data->is_array()) {
      return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu MISA trả về không đúng định dạng.",
                         "expected ServiceResult {Success, Data:[...]}");
    }
    Page page;
    if (auto total = mnum(body, "Total"); total && *total > 0) page.total = total;
    Mapper map = mapperFor(entity);
    page.rowCount = data->size();
    for (size_t i = 0; i < data->size(); ++i) {
      const json& row = (*data)[i];
      auto rec = row.is_object() ? map(row, opts) : std::nullopt;
      if (!rec) {
        page.rowErrors.push_back(Error::make(ErrorCode::UnexpectedShape, "Một dòng dữ liệu MISA thiếu mã (Id) nên đã bỏ qua.",
                                             "row " + std::to_string(i) + " has no Id"));
        continue;
      }
      if (entity == Entity::Orders) {
        if (const json* lines = js::array(row, "InvocieDetails"); lines || js::array(row, "InvoiceDetails"))
          mergeDetail(std::get<Order>(rec->body), row);  // a detail body given to normalize
        page.sortKeys.push_back(rec->createdAtMs);
      } else {
        page.sortKeys.push_back(mtime(row, "ModifiedDate"));
      }
      page.records.push_back(std::move(*rec));
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
    json body = parseJson(resp.body);
    if (body.is_discarded()) {
      return Error::make(ErrorCode::InvalidJson, "Dữ liệu MISA trả về bị lỗi hoặc không đầy đủ.", "detail body is not JSON");
    }
    if (failed(body)) {
      bool retry = false;
      std::optional<int64_t> wait;
      return serviceError(body, resp.status, retry, wait);
    }
    const json* data = mf(body, "Data");
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
