#include "storelink/platforms.hpp"

#include "../connectors/connectors.hpp"

namespace storelink {

namespace {

// Platforms listed by the product whose connectors are not built yet: their connect forms
// are known (shared/seed), so the dashboard can show them honestly as "coming soon".
PlatformInfo planned(std::string id, std::string name, std::string description, std::vector<Entity> entities,
                     std::vector<CredentialField> credentials) {
  PlatformInfo p;
  p.id = std::move(id);
  p.displayName = std::move(name);
  p.description = std::move(description);
  p.entities = std::move(entities);
  p.credentials = std::move(credentials);
  p.status = "coming_soon";
  return p;
}

std::vector<PlatformInfo> buildPlatforms() {
  using E = Entity;
  std::vector<PlatformInfo> all;
  all.push_back(connectors::kiotviet().info());
  all.push_back(planned("sapo", "Sapo", "Nền tảng quản lý bán hàng đa kênh Sapo.", {E::Products, E::Orders, E::Customers},
                        {{"store", "Tên cửa hàng", "Tên cửa hàng Sapo (phần đầu của tencuahang.mysapo.net).", false, "tencuahang"},
                         {"apiKey", "API Key", "Ứng dụng → Quản lý ứng dụng → Tạo ứng dụng riêng, quyền Đọc/Ghi Sản phẩm, Đơn hàng, Khách hàng.", true, ""},
                         {"apiSecret", "API Secret", "Cùng trang ứng dụng riêng trên Sapo.", true, ""}}));
  all.push_back(planned("haravan", "Haravan", "Nền tảng bán hàng đa kênh Haravan.", {E::Products, E::Orders, E::Customers},
                        {{"shop", "Tên cửa hàng", "Tên miền Haravan, ví dụ ten-shop.myharavan.com.", false, "ten-shop.myharavan.com"},
                         {"accessToken", "Access Token", "Ứng dụng riêng (private app) với quyền Đọc & Ghi Sản phẩm, Đơn hàng, Khách hàng.", true, ""}}));
  all.push_back(planned("nhanh", "Nhanh.vn", "Phần mềm quản lý bán hàng Nhanh.vn.", {E::Products, E::Orders, E::Customers},
                        {{"account", "Email hoặc số điện thoại", "Tài khoản Nhanh.vn có quyền Giám đốc.", false, ""}}));
  all.push_back(planned("pancake", "Pancake POS", "Phần mềm bán hàng Pancake POS.", {E::Products, E::Orders, E::Customers},
                        {{"apiKey", "API key", "Pancake POS → Cấu hình → Ứng dụng → API.", true, ""},
                         {"shopId", "Mã cửa hàng (x-store-id)", "Số trên đường dẫn cửa hàng Pancake POS.", false, ""}}));
  all.push_back(connectors::odoo().info());
  all.push_back(connectors::getfly().info());
  all.push_back(connectors::misa().info());
  return all;
}

}  // namespace

const Connector* findConnector(std::string_view platformId) {
  if (platformId == "kiotviet") return &connectors::kiotviet();
  if (platformId == "odoo") return &connectors::odoo();
  if (platformId == "getfly") return &connectors::getfly();
  if (platformId == "misa") return &connectors::misa();
  return nullptr;
}

const std::vector<PlatformInfo>& allPlatforms() {
  static const std::vector<PlatformInfo> all = buildPlatforms();
  return all;
}

Result<Page> normalizeBody(std::string_view platform, std::string_view entity, std::string_view body,
                           const NormalizeOptions& opts) {
  const Connector* c = findConnector(platform);
  if (c == nullptr) {
    for (const auto& p : allPlatforms()) {
      if (p.id == platform) {
        return Error::make(ErrorCode::Unsupported, "Nền tảng " + p.displayName + " chưa hỗ trợ chuẩn hóa dữ liệu.",
                           "connector not implemented");
      }
    }
    Error e = Error::make(ErrorCode::InvalidInput, "Nền tảng không được hỗ trợ.", "unknown platform");
    e.field = "platform";
    return e;
  }
  auto e = entityFromName(entity);
  if (!e) {
    Error err = Error::make(ErrorCode::InvalidInput, "Loại dữ liệu không hợp lệ.", "unknown entity");
    err.field = "entity";
    return err;
  }
  return c->parsePage(*e, body, opts);
}

}  // namespace storelink
