// What a platform connector provides to the sync engine. A connector is mostly data
// (endpoints, paging and rate policies, credential fields) plus the body mapping; the
// engine (sync_job) owns the loop: auth, paging, retries, pacing, checkpoints, dedupe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storelink/error.hpp"
#include "storelink/http.hpp"
#include "storelink/json.hpp"
#include "storelink/record.hpp"

namespace storelink {

enum class Entity { Products, Orders, Customers, Locations };
const char* entityName(Entity e);  // "products", ...
std::optional<Entity> entityFromName(std::string_view name);
RecordType recordTypeOf(Entity e);

struct CredentialField {
  std::string key;          // "clientSecret"
  std::string label;        // Vietnamese label shown in the form
  std::string help;         // where to find it on the platform
  bool secret = false;      // masked in the form; never returned by the server
  std::string example;      // placeholder text
  // Who provides the value: "user" (typed in the connect form), "oauth" (filled by the
  // platform's connect flow, e.g. Nhanh.vn accessToken/businessId), "app" (StoreLink's own
  // app credentials on that platform, from the server's configuration).
  std::string source = "user";
  // May be left empty (Haravan's webhook authentication string: only for shops that set up
  // webhooks); a missing required field is an invalid_input error, a missing optional one not.
  bool optional = false;
};

struct SettingField {
  std::string key;          // "branchId"
  std::string label;
  std::string kind;         // "branch" | "boolean" | "entities"
  std::string help;
};

// One incoming webhook delivery, as the server received it.
struct WebhookDelivery {
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // the raw bytes, exactly as received
};

// What a verified delivery is about. The body itself is normalized with parsePage.
struct WebhookEvent {
  std::string topic;             // the platform's own name: "product.update", "orders/updated"
  std::optional<Entity> entity;  // what it carries; nullopt for lifecycle events (app uninstalled)
  bool deletion = false;
  std::string eventId;           // the platform's delivery id, to apply retries once (may be empty)
  std::string storeKey;          // which shop sent it (retailer id, x-store-id, org id), when known
  bool signatureChecked = false; // false when no secret was configured for this connection
};

struct PlatformInfo {
  std::string id;                   // "kiotviet"
  std::string displayName;          // "KiotViet"
  std::string description;          // one line, Vietnamese
  std::vector<Entity> entities;     // what it syncs
  std::vector<CredentialField> credentials;
  std::vector<SettingField> settings;
  std::string status;               // "available" | "coming_soon"
  std::vector<std::string> apiHosts;  // hosts the proxy may reach for this platform
  // Host patterns a shop's own subdomain must match ("*.mysapo.net"); a user-given URL
  // (Odoo) is marked "*" and checked like any other host by the proxy.
  std::vector<std::string> apiHostPatterns;
  bool webhooks = false;              // the platform pushes events
};

struct PageQuery;

struct NormalizeOptions {
  bool includeRaw = false;
  // The query of the request this body answers, when a sync job parses its own page (null
  // for sl.normalize and webhooks). Cursor connectors that keep their own state in the
  // cursor (Nhanh.vn's 31-day order windows) derive the next cursor from it.
  const PageQuery* query = nullptr;
  // The connection's settings (Nhanh.vn taxSync), from the job or from sl.normalize's options.
  const json* settings = nullptr;
};

// One list response, normalized.
struct Page {
  std::vector<Record> records;
  // The timestamp the platform sorts and filters by, per record (parallel to records).
  std::vector<std::optional<int64_t>> sortKeys;
  std::vector<std::string> removedIds;  // deletions reported by the platform → tombstones
  std::optional<double> total;          // records matching the query, when the platform says
  size_t rowCount = 0;                  // rows in the platform's page
  std::optional<std::string> nextCursor;
  std::vector<Error> rowErrors;         // rows that could not be mapped (skipped, not fatal)
  // Connector-owned notes from parsePage for its follow-up requests (ids still to fetch).
  json pending;
};

// How an entity is paged, as data.
struct PagingPolicy {
  enum class Kind {
    // Offset paging over a list sorted by modification time ascending, with a
    // modified-since filter (KiotViet, Haravan, Sapo, Odoo). The engine re-anchors the
    // filter at the newest timestamp seen after every page, so inserts and updates during
    // the sweep never shift unread rows past the offset.
    ModifiedTimeOffset,
    Cursor,  // opaque next-page cursor from the response (Nhanh.vn v3)
  };
  Kind kind = Kind::ModifiedTimeOffset;
  int pageSize = 100;                 // the platform's maximum
  int64_t overlapMs = 5 * 60 * 1000;  // incremental runs re-read this much before the watermark
  int64_t tieWindowMs = 1000;         // re-anchor this far behind the newest timestamp seen
  int rereadRows = 2;                 // rows deliberately re-read at each re-anchor (tolerates deletions)
  bool reportsDeletions = false;      // the first incremental page asks for deleted ids
  // Page-number APIs (Sapo, Haravan: `page=N`): the offset handed to pageRequest is always a
  // multiple of pageSize. Re-anchoring restarts at the first page and de-duplicates the rows
  // of the window; a window of a page or more (a bulk edit) is walked page by page instead.
  bool pageNumbered = false;
  // Sweeps the list once per partition, in order, each from the run's starting filter (Sapo
  // orders: status=open, then closed, then cancelled, because `status=any` answers an empty
  // list). A partition marked incrementalOnly is skipped on full runs (Haravan's feed of
  // deleted ids from the events API). Empty = one sweep. The first partition must not be
  // incrementalOnly.
  struct Partition {
    std::string key;
    bool incrementalOnly = false;
  };
  std::vector<Partition> partitions;
  // Cursor paging: a page shorter than pageSize (even an empty one) ends the run. Platforms
  // whose pages may come back short while more remain (Nhanh.vn v3: "fewer than size items
  // yet still a next") set false: then only an absent/empty nextCursor ends it.
  bool endsOnShortPage = true;
  // false: the platform cannot sort by modification time (Getfly sorts by id, MISA by code),
  // so the run keeps its modified-since filter and walks plain offsets; sort keys still give
  // the watermark for the next incremental run. Rows updated mid-sweep keep their place.
  bool reanchor = true;
  // "Changed since the last sync" APIs (MISA LastSyncDate) whose rows carry no modification
  // time: a completed run's watermark is the time its first page was requested.
  bool watermarkIsRunStart = false;
};

// Client-side pacing, as data. A token bucket sized so that no window of the platform's
// length can exceed its limit: burst + rate·window ≤ limit.
struct RatePolicy {
  double requestsPerSecond = 1;
  double burst = 1;
  int64_t minSpacingMs = 0;
  // What the platform's limit counts: all of an account's requests (KiotViet: 5,000 GET an
  // hour per retailer) or each URL's on its own (Nhanh.vn: 150 per 30 s per URL). A job paces
  // only itself; the server's proxy, where every job of a connection meets, holds this budget
  // per connection (per connection and path when perUrl), so concurrent jobs share it.
  bool perUrl = false;
};

struct PageQuery {
  Entity entity = Entity::Products;
  int64_t nowMs = 0;  // for platforms that need a time window's upper bound (Nhanh.vn orders)
  std::optional<int64_t> modifiedFromMs;
  int64_t offset = 0;
  int pageSize = 100;
  std::string cursor;
  bool includeDeleted = false;
  const json* settings = nullptr;
  const json* learned = nullptr;  // what setup requests taught the job (Odoo: version, fields); {} when none
  std::string partition;  // the PagingPolicy partition being swept ("" when the policy has none)
};

// What the connect form holds, checked and normalized (Connector::checkCredentials).
struct CredentialCheck {
  json values = json::object();  // the values to store: trimmed, normalized (shop names, ...)
  std::vector<Error> errors;     // one per field at fault (Error::field), Vietnamese messages
};

// A list row that could not be mapped (no id, or not an object): it is skipped, and the page's
// rowErrors say which one. `idKey` is the platform's name for the id field.
Error rowWithoutId(std::string_view platformName, size_t row, std::string_view idKey = "id");

struct ResponseVerdict {
  enum class Kind { Ok, Retry, AuthExpired, Fatal };
  Kind kind = Kind::Ok;
  std::optional<int64_t> retryAfterMs;  // from Retry-After or the platform's own hint
  Error error;                          // for Fatal (and the last Retry, if retries run out)
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual const PlatformInfo& info() const = 0;

  // Checks settings given to createSync (branch ids, ...). nullopt = fine.
  virtual std::optional<Error> validateSettings(const json& settings) const { return std::nullopt; }

  // Token-based platforms: the request that obtains an access token (credentials as
  // placeholders, the token marked to stay server-side), and its lifetime from the response.
  virtual std::optional<HttpRequest> tokenRequest(const json& settings) const { return std::nullopt; }
  // The same, for platforms whose login is signed with the current time (MISA LoginTime).
  // The engine calls this one; the default forwards to tokenRequest(settings).
  virtual std::optional<HttpRequest> tokenRequestAt(const json& settings, int64_t nowMs) const {
    return tokenRequest(settings);
  }
  virtual Result<int64_t> tokenLifetimeMs(const HttpResponse& response) const;

  // Setup requests: made once per job, after the token and before the first page, to learn
  // what shapes the page requests (Odoo: the server version and which fields this database
  // has). `learned` starts as {} and becomes whatever applySetup returns; it reaches
  // pageRequest and followUpRequests as PageQuery::learned. nullopt = ready for pages.
  virtual std::optional<HttpRequest> setupRequest(Entity e, const json& settings, const json& learned) const {
    return std::nullopt;
  }
  // Reads a setup answer (every status except those classify() marks Retry, and 401s of token
  // platforms): the new `learned`, or an Error that ends the job.
  virtual Result<json> applySetup(Entity e, const json& learned, const HttpRequest& request,
                                  const HttpResponse& response) const;

  // What setup learned that a later job of the same entity may reuse instead of asking again
  // (the shop's locations, a probe's outcome), for at most `maxAgeMs` of the caller's clock
  // since it was learned: the engine keeps it in the checkpoint and seeds the next job's
  // `learned` with it while it is younger than that (a full run always asks again). nullopt
  // (the default) = nothing is kept; each job runs its setup.
  struct ReusableSetup {
    json learned;
    int64_t maxAgeMs = 0;
  };
  virtual std::optional<ReusableSetup> reusableSetup(Entity e, const json& learned) const { return std::nullopt; }

  // Follow-up requests: some platforms list records without their children (Odoo sale.order
  // → sale.order.line, MISA invoice list → invoice detail). After parsePage, the engine sends
  // these one at a time (paced and retried like pages) and hands each answer to
  // applyFollowUp; the page's records are released only when all are in. Nothing about them
  // is checkpointed: an interrupted job re-reads the page.
  virtual std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const { return {}; }
  // Merges answer `index` into the page. An InvalidJson error is retried; others end the job.
  virtual std::optional<Error> applyFollowUp(const PageQuery& q, Page& page, size_t index,
                                             const HttpResponse& response) const;
  // Asked when every follow-up so far is in: more of them (the next page of a list an answer
  // filled to its limit, noted in page.pending by applyFollowUp). Indexes restart at 0.
  // Empty = the page is complete.
  virtual std::vector<HttpRequest> moreFollowUps(const PageQuery& q, Page& page) const { return {}; }
  // A follow-up the verdict would end the job for (classify: Fatal), which the connector can
  // do without: a stock permission withdrawn since setup found it granted. Returns the new
  // `learned` (which must no longer ask for such follow-ups, nor be kept by reusableSetup);
  // the engine then releases the page with what it holds, asks no more follow-ups for it,
  // and goes on. nullopt (the default) = the refusal ends the job as usual.
  virtual std::optional<json> followUpRefused(const PageQuery& q, Page& page, const HttpResponse& response) const {
    return std::nullopt;
  }

  virtual PagingPolicy paging(Entity e) const = 0;
  virtual RatePolicy rate() const = 0;
  virtual HttpRequest pageRequest(const PageQuery& q) const = 0;

  // Classifies a non-2xx (or 2xx error-envelope) response. The default covers 401/403/404/
  // 408/429/5xx with Retry-After; connectors add their own envelopes.
  virtual ResponseVerdict classify(const HttpResponse& response) const;
  // classify for a page of entity `e` (a 403 can then name the permission that is missing).
  virtual ResponseVerdict classifyPage(Entity e, const HttpResponse& response) const { return classify(response); }

  // Checks what the user typed in the connect form, as they type, and normalizes it before
  // the server stores it ("https://ten.mysapo.net/admin" → "ten"). `values` maps credential
  // keys to strings; absent or blank fields are reported too. The default trims and requires
  // every field.
  virtual CredentialCheck checkCredentials(const json& values) const;

  // Call-limit headers (Haravan `X-Haravan-Api-Call-Limit: 32/80`): calls left in the
  // platform's bucket after this response. The engine never lets its own bucket hold more,
  // so pacing follows the platform's count, which other apps of the shop also spend.
  virtual std::optional<double> remainingCalls(const HttpResponse& response) const { return std::nullopt; }

  // Verifies a webhook delivery's signature with the connection's webhook secret (empty =
  // none configured) and says what it is about. Bad signature → Forbidden.
  virtual Result<WebhookEvent> inspectWebhook(const WebhookDelivery& delivery, const std::string& secret) const;

  // Building blocks of the platform's connect flow (OAuth consent URL, token exchange, shop
  // picker) as data: descriptors with placeholders and parsers; the server does the I/O.
  // Steps are named per platform; the default (and an unknown step) is Unsupported.
  virtual Result<json> connectStep(std::string_view step, const json& input) const;

  // Normalizes one list-endpoint response body (or one webhook body).
  virtual Result<Page> parsePage(Entity e, std::string_view body, const NormalizeOptions& opts) const = 0;
};

// Retry-After as milliseconds (delta-seconds form; HTTP-dates are not used by our platforms).
std::optional<int64_t> retryAfterMs(const HttpResponse& response);

}  // namespace storelink
