// Typed errors and Result<T>. The core never throws: every failure is a value with a
// stable machine code (for programs) and a Vietnamese message (for shop owners).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace storelink {

enum class ErrorCode {
  InvalidJson,         // a body that is not JSON at all (or truncated)
  UnexpectedShape,     // JSON, but not the documented envelope
  InvalidInput,        // a caller-side mistake: unknown platform/entity, bad setting, bad checkpoint
  InvalidCredentials,  // 401/400 from the token endpoint, wrong client id/secret, revoked key
  Forbidden,           // 403: the credentials lack a permission
  NotFound,            // 404 on a resource the job needs
  RateLimited,         // 429 after the retry budget is spent
  PlatformError,       // the platform answered with its own error envelope
  ServerError,         // 5xx after the retry budget is spent
  Network,             // timeouts / connection failures reported by the caller
  Cancelled,
  Unsupported,         // an entity or feature this platform does not offer
};

// Stable string form ("invalid_json", ...): what JS sees as `error.code`.
const char* errorCodeName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(const std::string& name);

struct Error {
  ErrorCode code = ErrorCode::InvalidInput;
  std::string message;        // Vietnamese, readable by a shop owner
  std::string detail;         // technical detail for developers (English), may be empty
  int httpStatus = 0;         // 0 when no HTTP response was involved
  std::string platformCode;   // the platform's own error code (e.g. KiotViet "TokenException")
  std::string field;          // the input field at fault, when there is one

  static Error make(ErrorCode code, std::string message, std::string detail = {}) {
    Error e;
    e.code = code;
    e.message = std::move(message);
    e.detail = std::move(detail);
    return e;
  }
};

// A minimal expected<T, Error>.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace storelink
