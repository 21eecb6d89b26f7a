// Shared helpers for the libFuzzer targets (tests/fuzz/fuzz_*.cpp, built by the `fuzz` preset).
//
// Targets iterate over the connector REGISTRY (allPlatforms() + findConnector()), never over
// a hard-coded list, so a connector added later is fuzzed without touching this directory.
// A broken invariant is a crash (FUZZ_CHECK → abort) so libFuzzer saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storelink/api.hpp"
#include "storelink/connector.hpp"
#include "storelink/platforms.hpp"

#define FUZZ_CHECK(cond, what)                                                         \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace storelink::fuzz {

// Every implemented connector, in registry order.
inline const std::vector<const Connector*>& connectors() {
  static const std::vector<const Connector*> all = [] {
    std::vector<const Connector*> v;
    for (const auto& p : allPlatforms())
      if (const Connector* c = findConnector(p.id)) v.push_back(c);
    return v;
  }();
  return all;
}

// (connector, entity) pairs the connectors offer.
struct Target {
  const Connector* connector;
  Entity entity;
};
inline const std::vector<Target>& targets() {
  static const std::vector<Target> all = [] {
    std::vector<Target> v;
    for (const Connector* c : connectors())
      for (Entity e : c->info().entities) v.push_back({c, e});
    return v;
  }();
  return all;
}

// A typed error: a known code and a message for the shop owner.
inline void checkError(const Error& e) {
  FUZZ_CHECK(errorCodeFromName(errorCodeName(e.code)).has_value(), "error code has a stable name");
  FUZZ_CHECK(!e.message.empty(), "typed error carries a message");
}

// Text returned by the api:: boundary must always be JSON; when it is an error, a typed one.
inline json checkJsonText(const std::string& text, const char* what) {
  json j = parseJson(text);
  if (j.is_discarded()) {
    std::fprintf(stderr, "%s returned non-JSON text: %.200s\n", what, text.c_str());
    std::abort();
  }
  if (const json* err = js::object(j, "error")) {
    auto code = js::str(*err, "code");
    FUZZ_CHECK(code && errorCodeFromName(*code).has_value(), "api error has a known code");
    FUZZ_CHECK(js::text(*err, "message").has_value(), "api error has a message");
  }
  return j;
}

// Splits `s` on `sep` (the last part may be empty).
inline std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
}

// "name: value" header lines up to the first empty line → lower-cased map; the rest is the body.
// Returns the body. Lines starting with '@' are pseudo-headers the caller reads (e.g. @secret).
inline std::string_view parseHead(std::string_view in, std::map<std::string, std::string>& headers,
                                  std::map<std::string, std::string>& pseudo) {
  size_t pos = 0;
  while (pos < in.size()) {
    size_t nl = in.find('\n', pos);
    std::string_view line = in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? in.size() : nl + 1;
    if (line.empty()) return in.substr(pos);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    bool isPseudo = !name.empty() && name[0] == '@';
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    (isPseudo ? pseudo : headers)[isPseudo ? name.substr(1) : name] = std::string(value);
  }
  return {};
}

}  // namespace storelink::fuzz
