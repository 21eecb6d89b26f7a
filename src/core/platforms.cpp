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
  all.push_back(connectors::sapo().info());
  all.push_back(connectors::haravan().info());
  all.push_back(connectors::nhanh().info());
  all.push_back(connectors::pancake().info());
  all.push_back(planned("odoo", "Odoo", "Hệ thống ERP Odoo (phiên bản 14 trở lên).", {E::Products, E::Orders, E::Customers},
                        {{"url", "Địa chỉ máy chủ", "Ví dụ https://congty.odoo.com.", false, "https://congty.odoo.com"},
                         {"database", "Cơ sở dữ liệu", "Tên database Odoo.", false, ""},
                         {"login", "Tên đăng nhập", "Email đăng nhập Odoo.", false, ""},
                         {"apiKey", "API key", "Tùy chọn → Bảo mật tài khoản → Khóa API mới.", true, ""}}));
  all.push_back(planned("getfly", "Getfly CRM", "Phần mềm CRM Getfly.", {E::Products, E::Orders, E::Customers},
                        {{"domain", "Tên miền", "Ví dụ congty.getflycrm.com.", false, ""},
                         {"apiKey", "API key", "Getfly → Cài đặt → Tích hợp → API.", true, ""}}));
  all.push_back(planned("misa", "MISA eShop", "Phần mềm quản lý bán hàng MISA eShop.", {E::Products, E::Orders, E::Customers},
                        {{"domain", "Tên miền", "Tên miền cửa hàng MISA eShop.", false, ""},
                         {"appId", "App ID", "MISA eShop → Thiết lập → Kết nối ứng dụng.", false, ""},
                         {"secretKey", "Secret key", "Cùng trang Kết nối ứng dụng.", true, ""}}));
  return all;
}

}  // namespace

const Connector* findConnector(std::string_view platformId) {
  if (platformId == "kiotviet") return &connectors::kiotviet();
  if (platformId == "sapo") return &connectors::sapo();
  if (platformId == "haravan") return &connectors::haravan();
  if (platformId == "nhanh") return &connectors::nhanh();
  if (platformId == "pancake") return &connectors::pancake();
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
