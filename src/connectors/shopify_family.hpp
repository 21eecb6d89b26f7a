// Sapo and Haravan: two descendants of the same Shopify-style REST admin API (Sapo through
// Bizweb, Haravan directly). One family connector holds what they share — page-numbered
// paging over a modified-since filter, pacing from the call-limit header, product / variant /
// option / stock mapping, order status mapping, webhook verification — and a Dialect holds
// their differences as data (field names, limits, header names). sapo.cpp and haravan.cpp add
// only what cannot be data: base URL, auth headers, shop-name rules, partitions, messages.
//
// Facts: shared/platforms/sapo.md (B.x) and shared/platforms/haravan.md (A.x).
#pragma once

#include <string>
#include <vector>

#include "storelink/connector.hpp"
#include "storelink/json_view.hpp"

namespace storelink::connectors::family {

struct Dialect {
  std::string platform;        // "sapo"
  std::string displayName;     // "Sapo"
  std::string productNameKey;  // Sapo "name", Haravan "title" (the other is tried too)
  std::string createdKey;      // "created_on" | "created_at"
  std::string updatedKey;      // "modified_on" | "updated_at"
  std::string modifiedMinParam;  // "modified_on_min" | "updated_at_min"
  std::string orderParam;        // the `order` value asking for update time ascending
  int maxLimit = 50;             // `limit` ceiling: Sapo 250, Haravan 50
  double bucketSize = 40;        // leaky bucket: Sapo 40 leaking 2/s, Haravan 80 leaking 4/s
  double leakPerSecond = 2;
  bool secondPrecisionFilter = false;  // Sapo: send whole seconds (documented format has none)
  std::vector<std::string> callLimitHeaders;  // lower-case, first found wins
  std::vector<std::string> hmacHeaders;       // lower-case spellings of the signature header
  std::string topicHeader;                    // "x-sapo-topic"
  std::vector<std::string> storeHeaders;      // which shop sent a webhook
  std::vector<std::string> eventIdHeaders;    // delivery id, when the platform sends one

  // Per-location stock, fetched after each products page for that page's variants (follow-ups):
  // Sapo `inventory_levels?inventory_item_ids=` (B.3), Haravan
  // `inventory_locations?location_ids=&variant_ids=` (A.2.2).
  std::string stockResource;        // "inventory_levels" | "inventory_locations"
  std::string stockIdsParam;        // "inventory_item_ids" | "variant_ids"
  std::string stockVariantKey;      // the variant's field its rows are keyed by: "inventory_item_id" | "id"
  std::string stockRowKey;          // the row's field naming it: "inventory_item_id" | "variant_id"
  int stockMaxIds = 50;             // ids per request (rows beyond one answer are paged)
  int stockLimit = 250;             // rows per answer (`limit` ceiling)
  std::string stockLocationsParam;  // sent with the page's locations ("location_ids"); "" = not sent
  int stockMaxLocations = 50;       // location ids per request
  bool stockSinceId = false;        // next rows by `since_id` + `order=id` (Haravan: no `page` documented)

  // Webhooks registered through the API on connect (Sapo `/admin/webhooks.json`, B.8). Empty:
  // the platform's private apps cannot (Haravan: the shop owner adds them in the admin, A.5.1),
  // and `webhookManualHint` says where.
  std::vector<std::string> webhookTopics;
  std::string webhookManualHint;
};

// Shop names as typed ("Ten-Shop", "https://ten-shop.myharavan.com/admin") → "ten-shop".
// Empty when the text is not a name of that platform; `customDomain` says a foreign domain
// was given (so the message can ask for the platform's own subdomain).
struct ShopName {
  std::string name;
  bool customDomain = false;
};
ShopName normalizeShopName(std::string_view typed, std::string_view platformSuffix);

// "Trần" + "Lan" → "Trần Lan": Vietnamese order (family name first) from Shopify-style
// first_name (given) / last_name (family); Haravan often puts the whole name in first_name.
std::optional<std::string> vietnameseName(const JsonValue& o);

class ShopifyFamilyConnector : public Connector {
 public:
  explicit ShopifyFamilyConnector(Dialect d);

  const PlatformInfo& info() const override { return info_; }
  PagingPolicy paging(Entity e) const override;
  RatePolicy rate() const override;
  HttpRequest pageRequest(const PageQuery& q) const override;
  ResponseVerdict classify(const HttpResponse& response) const override;
  ResponseVerdict classifyPage(Entity e, const HttpResponse& response) const override;
  std::optional<double> remainingCalls(const HttpResponse& response) const override;
  Result<WebhookEvent> inspectWebhook(const WebhookDelivery& delivery, const std::string& secret) const override;
  Result<Page> parsePage(Entity e, std::string_view body, const NormalizeOptions& opts) const override;

  // Products: the shop's locations and whether stock may be read (setup), then each page's
  // per-location stock (follow-ups, more when an answer fills its limit).
  std::optional<HttpRequest> setupRequest(Entity e, const json& settings, const json& learned) const override;
  Result<json> applySetup(Entity e, const json& learned, const HttpRequest& request,
                          const HttpResponse& response) const override;
  // The locations and the probe's outcome carry over to the next products job for
  // kSetupReuseMs (kept in the checkpoint): incremental runs skip those requests.
  std::optional<ReusableSetup> reusableSetup(Entity e, const json& learned) const override;
  std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const override;
  std::optional<Error> applyFollowUp(const PageQuery& q, Page& page, size_t index,
                                     const HttpResponse& response) const override;
  // A 403 on a stock request (the inventory permission withdrawn since the probe, possibly
  // by a setup kept from an earlier job): stock falls back to the variants' own figures, as
  // when the probe is refused, and the setup is no longer kept.
  std::optional<json> followUpRefused(const PageQuery& q, Page& page, const HttpResponse& response) const override;
  std::vector<HttpRequest> moreFollowUps(const PageQuery& q, Page& page) const override;

  // Webhook registration, as connect steps (the server sends the descriptors through its proxy):
  // "webhooksListRequest" {address, settings?} → {request}; "webhooksRegister" {address,
  // status, body: the list answer, settings?} → {create: [requests], remove: [requests],
  // registered: [{id, topic}]}; "webhooksUnregister" {address, status, body, settings?} →
  // {remove: [requests]}; "webhookResult" {status, body} → {ok, webhook?} (or the error).
  Result<json> connectStep(std::string_view step, const json& input) const override;

  const Dialect& dialect() const { return d_; }

 protected:
  // The absolute URL of `/{resource}.json` ("products", "orders", "events", ...).
  virtual std::string resourceUrl(const std::string& resource) const = 0;
  virtual Pairs authHeaders(const json* settings) const = 0;
  // Platform extras on a list request (order status, partitions). Called after the common part.
  virtual void addListQuery(const PageQuery& q, HttpRequest& r) const {}
  // 401 / 403 / 404 messages in Vietnamese, naming what to fix.
  virtual std::string credentialsMessage() const = 0;
  virtual std::string permissionMessage(std::optional<Entity> e) const = 0;
  virtual std::string notFoundMessage() const = 0;

  // "{used}/{limit}" → calls left; nullopt when absent or unreadable.
  static std::optional<double> parseCallLimit(std::string_view header);

  Dialect d_;
  PlatformInfo info_;

 private:
  // The first stock requests of a page: [{ids, locs, page | since}] from its variants' keys.
  json stockPlan(const PageQuery& q, const Page& page) const;
  HttpRequest stockRequest(const json& spec, const json* settings) const;
};

}  // namespace storelink::connectors::family
