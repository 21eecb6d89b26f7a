// Haravan Omni API (`https://apis.haravan.com/com/{resource}.json`). Facts:
// shared/platforms/haravan.md (A.x). Shared mapping, paging and webhook code:
// shopify_family.cpp; this file holds what is Haravan's own:
// - private app token as `Authorization: Bearer` (A.1.2); the shop is not in the URL, the
//   token names it, so the shop name is only checked and kept for display;
// - `_at` names (`updated_at_min`), `limit` ≤ 50, bucket 80 leaking 4/s,
//   `X-Haravan-Api-Call-Limit`, 429 with `Retry-After` (A.4.1);
// - orders: `status=any` (documented) and `order=updated_at asc` (documented for orders; sent
//   for products and customers too, UNCONFIRMED there — the engine falls back to plain page
//   numbers if the keys come back out of order);
// - deleted products from the events API (`filter=Product&verb=destroy`, A.2.5) on incremental
//   runs, as a second sweep of the products job; its `created_at_min` is read in the shop's
//   time zone (Vietnam), so it is sent as local time without offset.
#include <algorithm>

#include "connectors.hpp"
#include "shopify_family.hpp"
#include "storelink/normalize.hpp"
#include "storelink/cold.hpp"

STORELINK_COLD_BEGIN
namespace storelink::connectors {

namespace {

family::Dialect haravanDialect() {
  family::Dialect d;
  d.platform = "haravan";
  d.displayName = "Haravan";
  d.productNameKey = "title";
  d.createdKey = "created_at";
  d.updatedKey = "updated_at";
  d.modifiedMinParam = "updated_at_min";
  d.orderParam = "updated_at asc";
  d.maxLimit = 50;
  d.bucketSize = 80;
  d.leakPerSecond = 4;
  d.callLimitHeaders = {"x-haravan-api-call-limit"};
  // Docs spell it X-Haravan-Hmacsha256 / X-Haravan-HmacSha256; the official Express
  // middleware reads x-haravan-hmac-sha256 (A.5.2). Headers arrive lower-cased.
  d.hmacHeaders = {"x-haravan-hmacsha256", "x-haravan-hmac-sha256"};
  d.topicHeader = "x-haravan-topic";
  d.storeHeaders = {"x-haravan-org-id", "x-haravan-shop-domain"};
  d.eventIdHeaders = {"x-haravan-webhook-id", "x-haravan-event-id"};
  // Per-location stock: inventory_locations?location_ids=&variant_ids= (≤ 50 each), `limit` ≤ 250,
  // next rows by since_id with order=id (no `page` documented) (A.2.2).
  d.stockResource = "inventory_locations";
  d.stockIdsParam = "variant_ids";
  d.stockVariantKey = "id";
  d.stockRowKey = "variant_id";
  d.stockMaxIds = 50;
  d.stockLimit = 250;
  d.stockLocationsParam = "location_ids";
  d.stockMaxLocations = 50;
  d.stockSinceId = true;
  // Private apps cannot register webhooks through the API (app webhooks need a partner app with
  // the wh_api scope); the shop owner adds them in the admin (A.5.1).
  d.webhookManualHint =
      "Haravan không cho ứng dụng riêng đăng ký webhook qua API. Vào Haravan → Cài đặt → Thông báo → Webhook, thêm "
      "webhook cho sản phẩm, đơn hàng và khách hàng với địa chỉ nhận webhook của liên kết này, rồi dán chuỗi xác thực "
      "webhook vào StoreLink.";
  return d;
}

constexpr const char* kDeletedPartition = "deleted";

class HaravanConnector final : public family::ShopifyFamilyConnector {
 public:
  HaravanConnector() : ShopifyFamilyConnector(haravanDialect()) {
    info_.description = "Nền tảng bán hàng đa kênh Haravan.";
    info_.credentials = {
        {"shop", "Tên cửa hàng",
         "Tên miền Haravan của cửa hàng: ten-shop hoặc ten-shop.myharavan.com (tên trước .myharavan.com).", false,
         "ten-shop"},
        {"accessToken", "Access Token",
         "Trên Haravan: Ứng dụng → Ứng dụng riêng → Tạo ứng dụng riêng, cấp quyền Đọc & Ghi Sản phẩm, Đơn hàng, Khách hàng "
         "(và quyền đọc Thông tin cửa hàng, Tồn kho) rồi sao chép Access Token.",
         true, ""},
        // The HMAC key of the webhooks the shop owner adds by hand (A.5.1: private apps cannot
        // register them through the API). Without it deliveries cannot be authenticated.
        {"webhookSecret", "Chuỗi xác thực webhook",
         "Chỉ cần khi cửa hàng tạo webhook gửi về StoreLink: trên Haravan vào Cài đặt → Thông báo → Webhook, sao chép "
         "chuỗi xác thực webhook hiện ở cuối trang. StoreLink dùng chuỗi này để kiểm tra chữ ký, webhook không có chữ ký "
         "đúng sẽ bị từ chối.",
         true, "", "user", true},
    };
    info_.apiHosts = {"apis.haravan.com"};
  }

  PagingPolicy paging(Entity e) const override {
    PagingPolicy p = ShopifyFamilyConnector::paging(e);
    if (e == Entity::Products) {
      p.partitions = {{"", false}, {kDeletedPartition, true}};
    }
    return p;
  }

  HttpRequest pageRequest(const PageQuery& q) const override {
    if (q.partition != kDeletedPartition) return ShopifyFamilyConnector::pageRequest(q);
    HttpRequest r;
    r.purpose = "page";
    r.url = resourceUrl("events");
    r.headers = authHeaders(q.settings);
    r.headers.emplace_back("Accept", "application/json");
    r.headers.emplace_back("Content-Type", "application/json");
    const int limit = std::clamp(q.pageSize, 1, d_.maxLimit);
    r.query = {{"filter", "Product"},
               {"verb", "destroy"},
               {"limit", std::to_string(limit)},
               {"page", std::to_string(q.offset / limit + 1)}};
    if (q.modifiedFromMs) {
      // "2007-12-31 21:00:00", interpreted in the shop's time zone (A.2.5).
      std::string local = formatLocal(*q.modifiedFromMs - (*q.modifiedFromMs % 1000 + 1000) % 1000, kVietnamOffsetMinutes, 0);
      if (local.size() > 10 && local[10] == 'T') local[10] = ' ';
      r.query.emplace_back("created_at_min", local);
    }
    return r;
  }

  CredentialCheck checkCredentials(const json& values) const override {
    json v = values.is_object() ? values : json::object();
    // A token pasted with its scheme ("Bearer eyJ…") is still the token.
    if (auto t = js::text(v, "accessToken"); t && t->size() > 7 && foldVietnamese(t->substr(0, 7)) == "bearer ") {
      v["accessToken"] = t->substr(7);
    }
    CredentialCheck out = Connector::checkCredentials(v);
    if (out.values.contains("shop")) {
      auto shop = family::normalizeShopName(out.values["shop"].get<std::string>(), "myharavan.com");
      if (shop.name.empty()) {
        out.values.erase("shop");
        Error e = Error::make(ErrorCode::InvalidInput,
                              shop.customDomain
                                  ? "Hãy nhập tên cửa hàng trên Haravan (phần trước .myharavan.com), không phải tên miền riêng."
                                  : "Tên cửa hàng Haravan chỉ gồm chữ không dấu, số và dấu gạch ngang, ví dụ ten-shop hoặc "
                                    "ten-shop.myharavan.com.",
                              "invalid credential shop");
        e.field = "shop";
        out.errors.push_back(std::move(e));
      } else {
        out.values["shop"] = shop.name;
      }
    }
    if (out.values.contains("accessToken")) {
      const std::string t = out.values["accessToken"].get<std::string>();
      if (std::any_of(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; })) {
        out.values.erase("accessToken");
        Error e = Error::make(ErrorCode::InvalidInput,
                              "Access Token không được chứa khoảng trắng; hãy sao chép lại từ trang ứng dụng riêng.",
                              "invalid credential accessToken");
        e.field = "accessToken";
        out.errors.push_back(std::move(e));
      }
    }
    return out;
  }

 protected:
  std::string resourceUrl(const std::string& resource) const override {
    return "https://apis.haravan.com/com/" + resource + ".json";
  }

  Pairs authHeaders(const json*) const override { return {{"Authorization", "Bearer {{secret.accessToken}}"}}; }

  void addListQuery(const PageQuery& q, HttpRequest& r) const override {
    // Without it only open orders come back (Shopify's default; unconfirmed on Haravan).
    if (q.entity == Entity::Orders) r.query.emplace_back("status", "any");
  }

  std::string credentialsMessage() const override {
    return "Haravan từ chối Access Token (sai, đã hết hạn hoặc ứng dụng riêng đã bị xóa). Vui lòng tạo lại hoặc sao chép "
           "lại Access Token trong Ứng dụng → Ứng dụng riêng trên Haravan.";
  }

  // Scopes per A.1.3 / A.2.2: com.read_products, com.read_orders, com.read_customers,
  // com.read_shop (locations), com.read_inventories (stock per location).
  std::string permissionMessage(std::optional<Entity> e) const override {
    std::string what;
    if (e == Entity::Products) what = "Sản phẩm (com.read_products)";
    if (e == Entity::Orders) what = "Đơn hàng (com.read_orders)";
    if (e == Entity::Customers) what = "Khách hàng (com.read_customers)";
    if (e == Entity::Locations) what = "Thông tin cửa hàng / chi nhánh (com.read_shop)";
    if (!what.empty()) {
      return "Access Token Haravan chưa có quyền " + what +
             ". Vào Haravan → Ứng dụng → Ứng dụng riêng, cấp thêm quyền này (Sản phẩm, Đơn hàng, Khách hàng: Đọc & Ghi) "
             "rồi dùng Access Token mới.";
    }
    return "Access Token Haravan chưa đủ quyền. Cấp quyền Đọc & Ghi Sản phẩm, Đơn hàng, Khách hàng và quyền đọc Thông tin "
           "cửa hàng trong Ứng dụng → Ứng dụng riêng.";
  }

  std::string notFoundMessage() const override {
    return "Không tìm thấy dữ liệu trên Haravan (đường dẫn API không tồn tại hoặc cửa hàng đã ngừng hoạt động).";
  }
};

}  // namespace

const Connector& haravan() {
  static const HaravanConnector instance;
  return instance;
}

STORELINK_COLD_END
}  // namespace storelink::connectors
