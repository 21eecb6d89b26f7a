// Plain-data HTTP descriptors. The core emits HttpRequest values and consumes HttpResponse
// values; whoever runs the job (the JS driver, the server's proxy, a test) does the I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storelink/error.hpp"
#include "storelink/json.hpp"

namespace storelink {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;    // absolute, without query string
  Pairs query;        // appended in order, percent-encoded by whoever sends it
  Pairs headers;
  std::string body;   // already encoded (JSON or form), may contain placeholders
  // Response fields the proxy must keep server-side: JSON field name → secret name.
  // The proxy stores the value under that name and replaces it in the body it returns
  // with the placeholder text, so the page never sees a token.
  Pairs keepSecrets;
  std::string idempotencyKey;  // writes only: the same logical write always carries the same key
  std::string purpose;         // "auth" | "page" | "verify" | "write": for logs and progress
};

struct HttpResponse {
  int status = 0;                           // 0 = no response (see transportError)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string transportError;               // "timeout" | "network" | "aborted" when status == 0

  const std::string* header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? nullptr : &it->second;
  }
};

json requestToJson(const HttpRequest& r);
Result<HttpRequest> requestFromJson(const json& j);
// Response metadata (status, headers, transportError) from JSON; the body travels separately.
Result<HttpResponse> responseFromJson(const json& meta, std::string body);

// The full URL with the query string, percent-encoded (RFC 3986 unreserved kept).
std::string buildUrl(const HttpRequest& r);
std::string percentEncode(std::string_view s);
std::string formEncode(const Pairs& fields);
// application/x-www-form-urlencoded → pairs in order ('+' is a space, %XX decoded; keys keep
// their brackets: "data[order_id]").
Pairs formDecode(std::string_view body);

// --- secret placeholders ------------------------------------------------------
// Syntax, the one definition (docs/placeholders in README):
//   {{secret.NAME}}                 the secret's value as is
//   {{secret.NAME|urlencode}}       percent-encoded (form bodies, query strings)
//   {{secret.NAME|json}}            escaped for use inside a JSON string literal
//   {{secret.NAME|base64}}          base64 of the value
//   {{basic:secret.USER:secret.PASS}}  base64("USER:PASS") for HTTP Basic auth
//   {{secret.NAME|origin}}          a user-typed address as "https://host[:port]" (scheme
//                                   added, path dropped); invalid → invalid_credentials
//   {{secret.NAME|origin:DOMAIN}}   the same, host must be under DOMAIN ("ten" → ten.DOMAIN)
//   {{secret.NAME|host}}            just the host[:port] of such an address
//   {{hmac_sha256_hex:secret.KEY:BASE64}}  hex HMAC-SHA256 keyed with KEY of the base64-
//                                   decoded message, whose own placeholders are filled first
// NAME is [A-Za-z0-9_]+. A placeholder naming a missing secret is an error, never left as text.
std::string placeholder(const std::string& secretName);  // "{{secret.NAME}}"
// "{{hmac_sha256_hex:secret.KEY:<base64 of messageTemplate>}}": a signature computed where
// the secret lives (the proxy), over a message that may itself contain placeholders.
std::string hmacSha256HexPlaceholder(const std::string& keySecretName, std::string_view messageTemplate);

// Replaces every placeholder in url, query values, header values and body.
Result<HttpRequest> fillSecrets(const HttpRequest& r, const std::map<std::string, std::string>& secrets);
// Placeholders in one string.
Result<std::string> fillSecretsIn(std::string_view text, const std::map<std::string, std::string>& secrets);

// Applies `keepSecrets` to a response body: extracts the named fields (top-level keys, or
// dotted paths such as "Data.AccessToken"; string or number values only) into
// `captured` (secret name → value) and replaces them in the body by their placeholders.
struct RedactedBody {
  std::string body;
  std::map<std::string, std::string> captured;
};
RedactedBody keepSecretsFromBody(const HttpRequest& request, const std::string& body);

std::string base64Encode(std::string_view s);

}  // namespace storelink
