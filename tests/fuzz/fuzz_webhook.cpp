// Webhook inspection with fuzzed headers and body, for every connector of the registry.
// Input: "name: value" header lines, an optional "@secret: …" pseudo-header, an empty line,
// then the raw body (seeds: tests/fixtures bodies behind such a head).
// Each delivery is inspected without a secret, with the fuzzed secret and headers, and with
// a signature computed over the body (so the verified path is reached, not only rejections).
// Invariants: typed errors only; a bad signature is `forbidden`; an event names an entity the
// connector syncs; the body of an accepted event normalizes without crashing; the string API
// returns JSON.
#include <algorithm>
#include <cstdint>

#include "fuzz_util.hpp"
#include "storelink/crypto.hpp"

using namespace storelink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  WebhookDelivery d;
  std::map<std::string, std::string> pseudo;
  d.body = std::string(fuzz::parseHead(in, d.headers, pseudo));
  const std::string secret = pseudo.count("secret") ? pseudo["secret"] : std::string();

  for (const Connector* c : fuzz::connectors()) {
    const auto& ents = c->info().entities;
    auto check = [&](const Result<WebhookEvent>& ev, bool secretGiven) {
      if (!ev) {
        fuzz::checkError(ev.error());
        return;
      }
      FUZZ_CHECK(!secretGiven || ev->signatureChecked, "with a secret, an accepted event was verified");
      if (ev->entity) {
        FUZZ_CHECK(std::find(ents.begin(), ents.end(), *ev->entity) != ents.end(), "event entity is synced by the connector");
        auto page = c->parsePage(*ev->entity, d.body, NormalizeOptions{});
        if (!page) fuzz::checkError(page.error());
      }
    };
    check(c->inspectWebhook(d, ""), false);
    if (!secret.empty()) check(c->inspectWebhook(d, secret), true);

    // A correctly signed delivery (hex HMAC-SHA256 of the body) under the usual header names.
    WebhookDelivery signed_ = d;
    const std::string key = secret.empty() ? "whsec" : secret;
    const std::string mac = crypto::toHex(crypto::hmacSha256(key, d.body));
    for (const char* h : {"x-hub-signature", "x-haravan-hmac-sha256", "x-sapo-hmac-sha256", "x-signature"})
      signed_.headers[h] = mac;
    check(c->inspectWebhook(signed_, key), true);

    json headers = json::object();
    for (const auto& [k, v] : d.headers) headers[k] = v;
    fuzz::checkJsonText(api::inspectWebhookJson(c->info().id, dumpJson(headers), d.body, secret), "inspectWebhookJson");
  }
  return 0;
}
