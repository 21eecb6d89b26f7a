#include "storelink/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "storelink/crypto.hpp"
#include "storelink/cold.hpp"

STORELINK_COLD_BEGIN
namespace storelink {

namespace {

json pairsToJson(const Pairs& p) {
  json a = json::array();
  for (const auto& [k, v] : p) a.push_back(json::array({k, v}));
  return a;
}

// Accepts [[k, v], ...] or {k: v, ...}; values must be strings (numbers are rendered).
bool pairsFromJson(const json* j, Pairs& out) {
  if (j == nullptr || j->is_null()) return true;
  if (j->is_array()) {
    for (const auto& e : *j) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_string()) return false;
      auto v = js::str(&e[1]);
      if (!v) return false;
      out.emplace_back(e[0].get<std::string>(), *v);
    }
    return true;
  }
  if (j->is_object()) {
    for (auto it = j->begin(); it != j->end(); ++it) {
      auto v = js::str(&it.value());
      if (!v) return false;
      out.emplace_back(it.key(), *v);
    }
    return true;
  }
  return false;
}

Error badInput(std::string detail) {
  return Error::make(ErrorCode::InvalidInput, "Yêu cầu không hợp lệ.", std::move(detail));
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string jsonEscapeInner(const std::string& v) {
  std::string quoted = dumpJson(json(v));
  return quoted.substr(1, quoted.size() - 2);
}

// "congty.odoo.com", "HTTPS://Congty.Odoo.com/odoo/sales?x=1" → "https://congty.odoo.com".
// With `domain` ("getflycrm.com"): the host must be a subdomain of it; a bare label ("ten")
// gets the domain appended. Errors name the field (the secret) so the form can point at it.
Result<std::string> toOrigin(std::string_view raw, std::string_view domain, const std::string& name) {
  auto bad = [&](std::string detail) {
    Error e = Error::make(ErrorCode::InvalidCredentials,
                          domain.empty() ? "Địa chỉ máy chủ không hợp lệ (ví dụ đúng: https://congty.example.com)."
                                         : "Địa chỉ không hợp lệ: cần có dạng ten." + std::string(domain) + ".",
                          std::move(detail));
    e.field = name;
    return e;
  };
  std::string v;
  for (char c : raw) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t start = 0;
  while (start < v.size() && std::isspace(static_cast<unsigned char>(v[start]))) ++start;
  v = v.substr(start);
  std::string scheme = "https";
  if (v.rfind("https://", 0) == 0) {
    v = v.substr(8);
  } else if (v.rfind("http://", 0) == 0) {
    scheme = "http";
    v = v.substr(7);
  } else if (v.find("://") != std::string::npos) {
    return bad("unsupported scheme");
  }
  std::string host = v.substr(0, v.find_first_of("/?#"));
  std::string port;
  if (size_t colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad("bad port");
    int portNumber = 0;
    std::from_chars(port.data(), port.data() + port.size(), portNumber);
    if (portNumber < 1 || portNumber > 65535) return bad("bad port");
  }
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return bad("empty host");
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return bad("bad character in host");
  }
  if (host.front() == '.' || host.find("..") != std::string::npos) return bad("empty label in host");
  if (!domain.empty()) {
    if (host.find('.') == std::string::npos) host += "." + std::string(domain);
    const std::string suffix = "." + std::string(domain);
    if (host.size() <= suffix.size() || host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
      return bad("host outside " + std::string(domain));
  }
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

}  // namespace

std::string hmacSha256HexPlaceholder(const std::string& keySecretName, std::string_view messageTemplate) {
  return "{{hmac_sha256_hex:secret." + keySecretName + ":" + base64Encode(messageTemplate) + "}}";
}

json requestToJson(const HttpRequest& r) {
  json j = {{"method", r.method}, {"url", r.url}, {"query", pairsToJson(r.query)},
            {"headers", pairsToJson(r.headers)}, {"body", r.body}};
  if (!r.keepSecrets.empty()) {
    json k = json::object();
    for (const auto& [field, name] : r.keepSecrets) k[field] = name;
    j["keepSecrets"] = k;
  }
  if (!r.idempotencyKey.empty()) j["idempotencyKey"] = r.idempotencyKey;
  if (!r.purpose.empty()) j["purpose"] = r.purpose;
  return j;
}

Result<HttpRequest> requestFromJson(const json& j) {
  if (!j.is_object()) return badInput("request must be an object");
  HttpRequest r;
  if (auto m = js::str(j, "method")) r.method = *m;
  auto url = js::str(j, "url");
  if (!url || url->empty()) return badInput("request.url missing");
  r.url = *url;
  if (!pairsFromJson(js::field(j, "query"), r.query)) return badInput("request.query malformed");
  if (!pairsFromJson(js::field(j, "headers"), r.headers)) return badInput("request.headers malformed");
  if (!pairsFromJson(js::field(j, "keepSecrets"), r.keepSecrets)) return badInput("request.keepSecrets malformed");
  if (auto b = js::str(j, "body")) r.body = *b;
  if (auto k = js::str(j, "idempotencyKey")) r.idempotencyKey = *k;
  if (auto p = js::str(j, "purpose")) r.purpose = *p;
  return r;
}

Result<HttpResponse> responseFromJson(const json& meta, std::string body) {
  if (!meta.is_object()) return badInput("response must be an object");
  HttpResponse r;
  // Range-checked before the cast: {"status": 1.75e12} was UB (tests/fuzz).
  auto status = toInt64(js::num(meta, "status").value_or(0), 0, 999);
  if (!status) return badInput("response.status out of range");
  r.status = static_cast<int>(*status);
  if (const json* h = js::object(meta, "headers")) {
    for (auto it = h->begin(); it != h->end(); ++it) {
      auto v = js::str(&it.value());
      if (!v) continue;
      std::string name = it.key();
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = *v;
    }
  }
  if (auto e = js::str(meta, "error")) r.transportError = *e;
  if (r.status == 0 && r.transportError.empty()) r.transportError = "network";
  r.body = std::move(body);
  return r;
}

std::string percentEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string formEncode(const Pairs& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += percentEncode(k);
    out += '=';
    out += percentEncode(v);
  }
  return out;
}

Pairs formDecode(std::string_view body) {
  auto decode = [](std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
        out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  Pairs out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view part = body.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out.emplace_back(decode(part.substr(0, eq)), eq == std::string_view::npos ? "" : decode(part.substr(eq + 1)));
    }
    pos = amp + 1;
  }
  return out;
}

std::string buildUrl(const HttpRequest& r) {
  if (r.query.empty()) return r.url;
  return r.url + (r.url.find('?') == std::string::npos ? "?" : "&") + formEncode(r.query);
}

std::string base64Encode(std::string_view s) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((s.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += tbl[n & 63];
  }
  if (i < s.size()) {
    unsigned n = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += (i + 1 < s.size()) ? tbl[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string placeholder(const std::string& secretName) { return "{{secret." + secretName + "}}"; }

Result<std::string> fillSecretsIn(std::string_view text, const std::map<std::string, std::string>& secrets) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  auto lookup = [&](std::string_view ref, const std::string** value) -> bool {
    // ref is "secret.NAME"
    if (ref.substr(0, 7) != "secret.") return false;
    std::string name(ref.substr(7));
    if (name.empty()) return false;
    for (char c : name)
      if (!isNameChar(c)) return false;
    auto it = secrets.find(name);
    if (it == secrets.end()) return false;
    *value = &it->second;
    return true;
  };
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    // The placeholder is what follows the LAST "{{" before "}}": "{{{secret.X}}}" (a JSON body)
    // or a stray "{{" earlier in the text left the placeholder unfilled, sent as text (tests/fuzz).
    open = text.rfind("{{", close - 2);
    out.append(text.substr(pos, open - pos));
    std::string_view inner = text.substr(open + 2, close - open - 2);
    Error missing = Error::make(ErrorCode::InvalidCredentials, "Thiếu thông tin xác thực cho kết nối này.",
                                "no secret for placeholder {{" + std::string(inner) + "}}");
    if (inner.substr(0, 16) == "hmac_sha256_hex:") {
      // {{hmac_sha256_hex:secret.KEY:BASE64}}: lower-case hex HMAC-SHA256, keyed with the
      // secret, of the base64-decoded message after its own placeholders are filled (MISA's
      // login signature). Base64 keeps braces and colons of the message out of this syntax.
      std::string_view rest = inner.substr(16);
      size_t colon = rest.find(':', 7);
      const std::string* key = nullptr;
      if (colon == std::string_view::npos || !lookup(rest.substr(0, colon), &key)) return missing;
      auto message = crypto::fromBase64(rest.substr(colon + 1));
      if (!message) return Error::make(ErrorCode::InvalidInput, "Yêu cầu không hợp lệ.", "hmac placeholder: bad base64");
      auto filled = fillSecretsIn(*message, secrets);
      if (!filled) return filled.error();
      out += crypto::toHex(crypto::hmacSha256(*key, *filled));
    } else if (inner.substr(0, 6) == "basic:") {
      // {{basic:secret.USER:secret.PASS}}
      std::string_view rest = inner.substr(6);
      size_t colon = rest.find(":secret.");
      const std::string *user = nullptr, *pass = nullptr;
      if (colon == std::string_view::npos || !lookup(rest.substr(0, colon), &user) ||
          !lookup(rest.substr(colon + 1), &pass))
        return missing;
      out += base64Encode(*user + ":" + *pass);
    } else if (inner.substr(0, 7) == "secret.") {
      std::string_view ref = inner;
      std::string_view filter;
      if (size_t bar = inner.find('|'); bar != std::string_view::npos) {
        ref = inner.substr(0, bar);
        filter = inner.substr(bar + 1);
      }
      const std::string* value = nullptr;
      if (!lookup(ref, &value)) return missing;
      if (filter.empty()) out += *value;
      else if (filter == "urlencode") out += percentEncode(*value);
      else if (filter == "json") out += jsonEscapeInner(*value);
      else if (filter == "base64") out += base64Encode(*value);
      else if (filter == "host") {
        auto origin = toOrigin(*value, {}, std::string(ref.substr(7)));
        if (!origin) return origin.error();
        out += origin->substr(origin->find("://") + 3);
      } else if (filter == "origin" || filter.substr(0, 7) == "origin:") {
        auto origin = toOrigin(*value, filter.size() > 7 ? filter.substr(7) : std::string_view(), std::string(ref.substr(7)));
        if (!origin) return origin.error();
        out += *origin;
      } else return Error::make(ErrorCode::InvalidInput, "Yêu cầu không hợp lệ.", "unknown placeholder filter");
    } else {
      out.append(text.substr(open, close + 2 - open));  // not ours: leave "{{...}}" untouched
    }
    pos = close + 2;
  }
  return out;
}

Result<HttpRequest> fillSecrets(const HttpRequest& r, const std::map<std::string, std::string>& secrets) {
  HttpRequest out = r;
  auto url = fillSecretsIn(r.url, secrets);
  if (!url) return url.error();
  out.url = std::move(url.value());
  for (auto& [k, v] : out.query) {
    auto f = fillSecretsIn(v, secrets);
    if (!f) return f.error();
    v = std::move(f.value());
  }
  for (auto& [k, v] : out.headers) {
    auto f = fillSecretsIn(v, secrets);
    if (!f) return f.error();
    v = std::move(f.value());
  }
  auto body = fillSecretsIn(r.body, secrets);
  if (!body) return body.error();
  out.body = std::move(body.value());
  return out;
}

RedactedBody keepSecretsFromBody(const HttpRequest& request, const std::string& body) {
  RedactedBody out{body, {}};
  if (request.keepSecrets.empty()) return out;
  json j = parseJson(body);
  if (!j.is_object()) return out;
  bool changed = false;
  for (const auto& [fieldName, secretName] : request.keepSecrets) {
    // A top-level key, or a dotted path into nested objects ("Data.AccessToken").
    json* at = nullptr;
    if (auto it = j.find(fieldName); it != j.end()) {
      at = &*it;
    } else {
      json* cur = &j;
      size_t pos = 0;
      for (;;) {
        if (!cur->is_object()) {  // the path goes on but the value is not an object
          cur = nullptr;
          break;
        }
        size_t dot = fieldName.find('.', pos);
        auto it2 = cur->find(fieldName.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
        cur = it2 == cur->end() ? nullptr : &*it2;
        if (cur == nullptr || dot == std::string::npos) break;
        pos = dot + 1;
      }
      at = cur;
    }
    // Only strings and numbers are tokens: `false` (Odoo's failed authenticate) stays visible.
    if (at == nullptr || !(at->is_string() || at->is_number())) continue;
    if (auto v = js::str(at)) {
      out.captured[secretName] = *v;
      *at = placeholder(secretName);
      changed = true;
    }
  }
  if (changed) out.body = dumpJson(j);
  return out;
}

}  // namespace storelink
STORELINK_COLD_END
