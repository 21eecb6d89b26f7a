// The registry of connectors.
#pragma once

#include <string_view>
#include <vector>

#include "storelink/connector.hpp"

namespace storelink {

// The connector for a platform id, or nullptr when the platform is unknown or not built yet.
const Connector* findConnector(std::string_view platformId);

// Every platform the product lists, implemented or not (status says which).
const std::vector<PlatformInfo>& allPlatforms();

// sl.normalize: one body → records, or typed errors.
Result<Page> normalizeBody(std::string_view platform, std::string_view entity, std::string_view body,
                           const NormalizeOptions& opts);

}  // namespace storelink
