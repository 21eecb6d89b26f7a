#include "storelink/platforms.hpp"

#include "../connectors/connectors.hpp"
#include "storelink/cold.hpp"

STORELINK_COLD_BEGIN
namespace storelink {

namespace {

std::vector<PlatformInfo> buildPlatforms() {
  std::vector<PlatformInfo> all;
  all.push_back(connectors::kiotviet().info());
  all.push_back(connectors::sapo().info());
  all.push_back(connectors::haravan().info());
  all.push_back(connectors::nhanh().info());
  all.push_back(connectors::pancake().info());
  all.push_back(connectors::odoo().info());
  all.push_back(connectors::getfly().info());
  all.push_back(connectors::misa().info());
  return all;
}

}  // namespace

const Connector* findConnector(std::string_view platformId) {
  if (platformId == "kiotviet") return &connectors::kiotviet();
  if (platformId == "sapo") return &connectors::sapo();
  if (platformId == "haravan") return &connectors::haravan();
  if (platformId == "nhanh") return &connectors::nhanh();
  if (platformId == "pancake") return &connectors::pancake();
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
STORELINK_COLD_END
