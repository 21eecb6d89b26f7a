#include "storelink/connector.hpp"

#include <algorithm>
#include "storelink/cold.hpp"


STORELINK_COLD_BEGIN
namespace storelink {

const char* entityName(Entity e) {
  switch (e) {
    case Entity::Products: return "products";
    case Entity::Orders: return "orders";
    case Entity::Customers: return "customers";
    case Entity::Locations: return "locations";
  }
  return "products";
}

std::optional<Entity> entityFromName(std::string_view name) {
  if (name == "products") return Entity::Products;
  if (name == "orders") return Entity::Orders;
  if (name == "customers") return Entity::Customers;
  if (name == "locations") return Entity::Locations;
  return std::nullopt;
}

RecordType recordTypeOf(Entity e) {
  switch (e) {
    case Entity::Products: return RecordType::Product;
    case Entity::Orders: return RecordType::Order;
    case Entity::Customers: return RecordType::Customer;
    case Entity::Locations: return RecordType::Location;
  }
  return RecordType::Product;
}

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidJson: return "invalid_json";
    case ErrorCode::UnexpectedShape: return "unexpected_shape";
    case ErrorCode::InvalidInput: return "invalid_input";
    case ErrorCode::InvalidCredentials: return "invalid_credentials";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::RateLimited: return "rate_limited";
    case ErrorCode::PlatformError: return "platform_error";
    case ErrorCode::ServerError: return "server_error";
    case ErrorCode::Network: return "network";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Unsupported: return "unsupported";
  }
  return "invalid_input";
}

std::optional<ErrorCode> errorCodeFromName(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::Unsupported); ++i) {
    auto c = static_cast<ErrorCode>(i);
    if (name == errorCodeName(c)) return c;
  }
  return std::nullopt;
}

std::optional<int64_t> retryAfterMs(const HttpResponse& response) {
  const std::string* h = response.header("retry-after");
  if (h == nullptr) return std::nullopt;
  std::string_view v = *h;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  auto seconds = parseNumber(v);
  if (!seconds || *seconds < 0) return std::nullopt;
  // Capped before the cast (a huge value would be UB); the engine caps waits at 10 minutes anyway.
  return static_cast<int64_t>(std::min(*seconds, 86400.0) * 1000);
}

Result<int64_t> Connector::tokenLifetimeMs(const HttpResponse& response) const {
  json j = parseJson(response.body);
  if (j.is_discarded()) return Error::make(ErrorCode::InvalidJson, "Phản hồi xác thực không hợp lệ.", "token body not JSON");
  auto secs = js::num(j, "expires_in");
  if (!secs || *secs <= 0) {
    return Error::make(ErrorCode::UnexpectedShape, "Phản hồi xác thực không hợp lệ.", "token response without expires_in");
  }
  // A year at most: "expires_in": 8e126 (tests/fuzz) must not overflow the expiry arithmetic.
  return static_cast<int64_t>(std::min(*secs, 365.0 * 86400) * 1000);
}

CredentialCheck Connector::checkCredentials(const json& values) const {
  CredentialCheck out;
  for (const auto& f : info().credentials) {
    auto v = js::text(values, f.key);
    if (!v && f.optional) continue;
    if (!v) {
      Error e = Error::make(ErrorCode::InvalidInput, "Vui lòng nhập " + f.label + ".", "missing credential " + f.key);
      e.field = f.key;
      out.errors.push_back(std::move(e));
      continue;
    }
    out.values[f.key] = *v;
  }
  return out;
}

Result<json> Connector::applySetup(Entity, const json& learned, const HttpRequest&, const HttpResponse&) const {
  return learned;
}

std::optional<Error> Connector::applyFollowUp(const PageQuery&, Page&, size_t, const HttpResponse&) const {
  return std::nullopt;
}

Result<WebhookEvent> Connector::inspectWebhook(const WebhookDelivery&, const std::string&) const {
  return Error::make(ErrorCode::Unsupported, info().displayName + " không gửi webhook tới StoreLink.",
                     "no webhook support for " + info().id);
}

Result<json> Connector::connectStep(std::string_view step, const json&) const {
  Error e = Error::make(ErrorCode::Unsupported, info().displayName + " không có bước kết nối này.",
                        "unknown connect step: " + std::string(step));
  e.field = "step";
  return e;
}

ResponseVerdict Connector::classify(const HttpResponse& r) const {
  ResponseVerdict v;
  const std::string& name = info().displayName;
  auto err = [&](ErrorCode code, std::string msg) {
    v.error = Error::make(code, std::move(msg), "HTTP " + std::to_string(r.status));
    v.error.httpStatus = r.status;
  };
  if (r.status >= 200 && r.status < 300) return v;
  v.retryAfterMs = retryAfterMs(r);
  if (r.status == 429) {
    v.kind = ResponseVerdict::Kind::Retry;
    err(ErrorCode::RateLimited, name + " đang giới hạn số lượt gọi API; đã chờ và thử lại nhiều lần không thành công.");
  } else if (r.status == 408 || r.status >= 500) {
    v.kind = ResponseVerdict::Kind::Retry;
    err(ErrorCode::ServerError, "Máy chủ " + name + " đang gặp sự cố (HTTP " + std::to_string(r.status) + ").");
  } else if (r.status == 401) {
    v.kind = ResponseVerdict::Kind::AuthExpired;
    err(ErrorCode::InvalidCredentials, "Phiên đăng nhập " + name + " đã hết hạn hoặc thông tin xác thực bị thu hồi.");
  } else if (r.status == 403) {
    v.kind = ResponseVerdict::Kind::Fatal;
    err(ErrorCode::Forbidden, "Tài khoản " + name + " không có quyền truy cập dữ liệu này.");
  } else if (r.status == 404) {
    v.kind = ResponseVerdict::Kind::Fatal;
    err(ErrorCode::NotFound, "Không tìm thấy dữ liệu trên " + name + ".");
  } else {
    v.kind = ResponseVerdict::Kind::Fatal;
    err(ErrorCode::PlatformError, name + " từ chối yêu cầu (HTTP " + std::to_string(r.status) + ").");
  }
  return v;
}

Error rowWithoutId(std::string_view platformName, size_t row, std::string_view idKey) {
  const std::string key(idKey);
  return Error::make(ErrorCode::UnexpectedShape,
                     "Một dòng dữ liệu " + std::string(platformName) + " thiếu mã (" + key + ") nên đã bỏ qua.",
                     "row " + std::to_string(row) + " has no " + key);
}

}  // namespace storelink
STORELINK_COLD_END
