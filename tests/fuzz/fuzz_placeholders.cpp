// Secret placeholders and request descriptors: fillSecretsIn / fillSecrets / requestFromJson /
// requestToJson / buildUrl / keepSecretsFromBody, and their string API twins.
// Input: up to four "@name: value" secret lines, an empty line, then the text (a template
// string, or a request descriptor as JSON).
// Invariants: typed errors only; text without "{{" is returned unchanged; a filled template
// never keeps a resolvable {{secret.NAME}}; descriptors round-trip through JSON; kept secrets
// are replaced by their placeholders; the string API returns JSON.
#include <cstdint>

#include "fuzz_util.hpp"

using namespace storelink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> ignored, secrets;
  const std::string text(fuzz::parseHead(in, ignored, secrets));

  // Template strings.
  auto filled = fillSecretsIn(text, secrets);
  if (!filled) {
    fuzz::checkError(filled.error());
  } else if (text.find("{{") == std::string::npos) {
    FUZZ_CHECK(*filled == text, "text without placeholders is unchanged");
  } else {
    bool valuesClean = true;
    for (const auto& [k, v] : secrets) valuesClean = valuesClean && v.find("{{") == std::string::npos && v.find("}}") == std::string::npos;
    for (const auto& [k, v] : secrets) {
      bool nameOk = !k.empty() && k.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
      size_t at = filled->find(placeholder(k));
      if (valuesClean && nameOk && at != std::string::npos) {
        std::string ctx = filled->substr(at < 40 ? 0 : at - 40, 100);
        std::fprintf(stderr, "left (%s) at %zu of %zu: ", k.c_str(), at, filled->size());
        std::fwrite(ctx.data(), 1, ctx.size(), stderr);
        std::fprintf(stderr, "\n");
      }
      if (valuesClean && nameOk) FUZZ_CHECK(at == std::string::npos, "no resolvable placeholder is left");
    }
  }

  // Request descriptors.
  json j = parseJson(text);
  auto req = requestFromJson(j);
  if (!req) {
    fuzz::checkError(req.error());
  } else {
    auto again = requestFromJson(requestToJson(*req));
    FUZZ_CHECK(again.ok(), "a descriptor's JSON is a valid descriptor");
    FUZZ_CHECK(again->method == req->method && again->url == req->url && again->query == req->query &&
                   again->headers == req->headers && again->body == req->body &&
                   again->idempotencyKey == req->idempotencyKey && again->purpose == req->purpose,
               "descriptors round-trip through JSON");
    auto f = fillSecrets(*req, secrets);
    if (!f) fuzz::checkError(f.error());
    else (void)buildUrl(*f);
    (void)buildUrl(*req);
    auto red = keepSecretsFromBody(*req, text);
    for (const auto& [name, value] : red.captured) {
      FUZZ_CHECK(red.body.find(placeholder(name)) != std::string::npos, "a kept secret is replaced by its placeholder");
    }
  }

  json s = json::object();
  for (const auto& [k, v] : secrets) s[k] = v;
  const std::string secretsText = dumpJson(s);
  fuzz::checkJsonText(api::fillSecretsJson(text, secretsText), "fillSecretsJson");
  fuzz::checkJsonText(api::fillSecretsJson(text, text), "fillSecretsJson(garbage secrets)");
  fuzz::checkJsonText(api::keepSecretsJson(text, text), "keepSecretsJson");
  fuzz::checkJsonText(api::buildUrlJson(text), "buildUrlJson");
  return 0;
}
