// Sapo Admin API (`https://{store}.mysapo.net/admin/{resource}.json`), the Shopify-style API
// inherited from Bizweb. Facts: shared/platforms/sapo.md (B.x). Shared mapping, paging and
// webhook code: shopify_family.cpp; this file holds what is Sapo's own:
// - private app: HTTP Basic with API Key : API Secret (B.1); an OAuth token instead goes in
//   `X-Sapo-Access-Token` (setting {"auth": "token"}, secret `accessToken`);
// - `_on` names (`modified_on_min`), `limit` ≤ 250, bucket 40 leaking 2/s, `X-Sapo-Api-Call-Limit`
//   (the same value also comes as `X-Bizweb-Api-Call-Limit`) (B.2, B.6);
// - orders: `status=any` answers an EMPTY list and no status means `open` only (B.9.1), so
//   orders are swept once per status: open, closed, cancelled;
// - no sort parameter is documented (B.2 "Ordering"): we ask `order=modified_on asc` as on
//   Haravan (UNCONFIRMED on Sapo); if it is ignored, the engine sees keys out of order and
//   finishes that sweep with plain page numbers.
#include <algorithm>

#include "connectors.hpp"
#include "shopify_family.hpp"
#include "storelink/normalize.hpp"
#include "storelink/cold.hpp"

STORELINK_COLD_BEGIN
namespace storelink::connectors {

namespace {

family::Dialect sapoDialect() {
  family::Dialect d;
  d.platform = "sapo";
  d.displayName = "Sapo";
  d.productNameKey = "name";
  d.createdKey = "created_on";
  d.updatedKey = "modified_on";
  d.modifiedMinParam = "modified_on_min";
  d.orderParam = "modified_on asc";
  d.maxLimit = 250;
  d.bucketSize = 40;
  d.leakPerSecond = 2;
  d.secondPrecisionFilter = true;  // documented format "2008-12-31 03:00"; ISO seconds are what clients send
  d.callLimitHeaders = {"x-sapo-api-call-limit", "x-bizweb-api-call-limit"};
  d.hmacHeaders = {"x-sapo-hmac-sha256", "x-bizweb-hmac-sha256"};
  d.topicHeader = "x-sapo-topic";
  d.storeHeaders = {"x-sapo-shop-domain", "x-sapo-store-domain", "x-sapo-tenant-domain"};
  d.eventIdHeaders = {"x-sapo-webhook-id", "x-sapo-event-id"};
  // Per-branch stock: inventory_levels keyed by inventory_item_id (≠ variant id), `page` + `limit`
  // ≤ 250 (B.3, B.9.7). No documented cap on ids per request (B.3; a live integration asks 40 at
  // a time, SP-INV): up to 250, so the id list is bounded by what fits one answer (249 / the
  // shop's locations: 124 items with 2 branches, 83 with 3, 249 with one) rather than by 40. The query
  // stays under ~2.5 KB (ids of 9–10 digits). UNCONFIRMED that Sapo accepts that many ids.
  d.stockResource = "inventory_levels";
  d.stockIdsParam = "inventory_item_ids";
  d.stockVariantKey = "inventory_item_id";
  d.stockRowKey = "inventory_item_id";
  d.stockMaxIds = 250;
  d.stockLimit = 250;
  // Registered on connect (B.8): the topics the family reads, in the docs' spelling
  // (`orders/updated`; deliveries spelled `orders/update` are accepted too).
  d.webhookTopics = {"products/create",  "products/update",  "products/delete",  "orders/create",   "orders/updated",
                     "orders/delete",    "customers/create", "customers/update", "customers/delete"};
  return d;
}

Error fieldError(const std::string& field, std::string message) {
  Error e = Error::make(ErrorCode::InvalidInput, std::move(message), "invalid credential " + field);
  e.field = field;
  return e;
}

bool hasSpace(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

const char* kStatuses[] = {"open", "closed", "cancelled"};

class SapoConnector final : public family::ShopifyFamilyConnector {
 public:
  SapoConnector() : ShopifyFamilyConnector(sapoDialect()) {
    info_.description = "Nền tảng quản lý bán hàng đa kênh Sapo (Sapo Web, Sapo Omnichannel).";
    info_.credentials = {
        {"store", "Tên cửa hàng",
         "Tên cửa hàng Sapo: phần đầu địa chỉ trang quản trị (tencuahang trong tencuahang.mysapo.net). Có thể dán cả địa chỉ.",
         false, "tencuahang"},
        {"apiKey", "API Key",
         "Trên Sapo: Ứng dụng → Ứng dụng riêng → Tạo ứng dụng riêng, cấp quyền \"Đọc và ghi\" cho Sản phẩm, Đơn hàng, "
         "Khách hàng rồi Lưu; sao chép API Key.",
         true, ""},
        {"apiSecret", "API Secret", "Cùng trang ứng dụng riêng trên Sapo, ngay dưới API Key (bấm Hiện để xem).", true, ""},
    };
    info_.apiHostPatterns = {"*.mysapo.net"};
  }

  PagingPolicy paging(Entity e) const override {
    PagingPolicy p = ShopifyFamilyConnector::paging(e);
    if (e == Entity::Orders) {
      for (const char* s : kStatuses) p.partitions.push_back({s, false});
    }
    return p;
  }

  std::optional<Error> validateSettings(const json& settings) const override {
    const json* auth = js::field(settings, "auth");
    if (js::isNull(auth)) return std::nullopt;
    auto mode = js::str(auth);
    if (mode && (*mode == "basic" || *mode == "token")) return std::nullopt;
    Error e = Error::make(ErrorCode::InvalidInput, "Kiểu xác thực Sapo không hợp lệ.", "auth must be \"basic\" or \"token\"");
    e.field = "auth";
    return e;
  }

  CredentialCheck checkCredentials(const json& values) const override {
    CredentialCheck out = Connector::checkCredentials(values);  // required + trimmed
    if (out.values.contains("store")) {
      auto shop = family::normalizeShopName(out.values["store"].get<std::string>(), "mysapo.net");
      if (shop.name.empty()) {
        out.values.erase("store");
        out.errors.push_back(fieldError(
            "store", shop.customDomain
                         ? "Hãy nhập tên cửa hàng trên Sapo (phần trước .mysapo.net), không phải tên miền riêng của website."
                         : "Tên cửa hàng Sapo chỉ gồm chữ không dấu, số và dấu gạch ngang, ví dụ tencuahang hoặc "
                           "tencuahang.mysapo.net."));
      } else {
        out.values["store"] = shop.name;
      }
    }
    for (const char* key : {"apiKey", "apiSecret"}) {
      if (out.values.contains(key) && hasSpace(out.values[key].get<std::string>())) {
        out.values.erase(key);
        out.errors.push_back(fieldError(key, std::string(key == std::string("apiKey") ? "API Key" : "API Secret") +
                                                 " không được chứa khoảng trắng; hãy sao chép lại từ trang ứng dụng riêng."));
      }
    }
    return out;
  }

 protected:
  std::string resourceUrl(const std::string& resource) const override {
    return "https://{{secret.store}}.mysapo.net/admin/" + resource + ".json";
  }

  Pairs authHeaders(const json* settings) const override {
    if (settings && js::str(*settings, "auth").value_or("") == "token") {
      return {{"X-Sapo-Access-Token", "{{secret.accessToken}}"}};
    }
    return {{"Authorization", "Basic {{basic:secret.apiKey:secret.apiSecret}}"}};
  }

  void addListQuery(const PageQuery& q, HttpRequest& r) const override {
    if (q.entity == Entity::Orders && !q.partition.empty()) r.query.emplace_back("status", q.partition);
  }

  std::string credentialsMessage() const override {
    return "Sapo từ chối API Key hoặc API Secret (hoặc ứng dụng riêng đã bị xóa). Vui lòng kiểm tra lại API Key và "
           "API Secret trong Ứng dụng → Ứng dụng riêng trên Sapo.";
  }

  std::string permissionMessage(std::optional<Entity> e) const override {
    const char* what = nullptr;
    if (e == Entity::Products) what = "Sản phẩm";
    if (e == Entity::Orders) what = "Đơn hàng";
    if (e == Entity::Customers) what = "Khách hàng";
    if (what) {
      return std::string("Ứng dụng riêng trên Sapo chưa được cấp quyền ") + what +
             ". Vào Sapo → Ứng dụng → Ứng dụng riêng → chọn ứng dụng, đặt quyền \"" + what +
             "\" thành \"Đọc và ghi\" rồi Lưu (API Key và API Secret không đổi).";
    }
    if (e == Entity::Locations) {
      // UNCONFIRMED which permission row of a private app covers /admin/locations.json.
      return "Ứng dụng riêng trên Sapo chưa được cấp quyền xem chi nhánh (kho). Vào Sapo → Ứng dụng → Ứng dụng riêng → "
             "chọn ứng dụng và cấp quyền đọc cho Cửa hàng / Chi nhánh, cùng quyền \"Đọc và ghi\" cho Sản phẩm, Đơn hàng, "
             "Khách hàng.";
    }
    return "Ứng dụng riêng trên Sapo chưa đủ quyền. Vào Ứng dụng → Ứng dụng riêng, cấp quyền \"Đọc và ghi\" cho Sản phẩm, "
           "Đơn hàng và Khách hàng.";
  }

  std::string notFoundMessage() const override {
    return "Không tìm thấy cửa hàng Sapo này. Vui lòng kiểm tra Tên cửa hàng (phần trước .mysapo.net).";
  }
};

}  // namespace

const Connector& sapo() {
  static const SapoConnector instance;
  return instance;
}

STORELINK_COLD_END
}  // namespace storelink::connectors
