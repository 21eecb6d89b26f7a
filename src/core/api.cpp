#include "storelink/api.hpp"

#include <cctype>
#include <cmath>

#include "storelink/platforms.hpp"
#include "storelink/cold.hpp"

STORELINK_COLD_BEGIN
namespace storelink::api {

namespace {

std::string errorText(const Error& e) { return dumpJson(json{{"error", errorToJson(e)}}); }

constexpr double kMaxTimeMs = 8.64e15;  // ±100,000,000 days: what a JS Date holds

Error badInput(const std::string& detail, const std::string& field = {}) {
  Error e = Error::make(ErrorCode::InvalidInput, "Dữ liệu đầu vào không hợp lệ.", detail);
  e.field = field;
  return e;
}

}  // namespace

json errorToJson(const Error& e) {
  json j = {{"code", errorCodeName(e.code)}, {"message", e.message}};
  j["detail"] = e.detail.empty() ? json(nullptr) : json(e.detail);
  j["httpStatus"] = e.httpStatus ? json(e.httpStatus) : json(nullptr);
  j["platformCode"] = e.platformCode.empty() ? json(nullptr) : json(e.platformCode);
  j["field"] = e.field.empty() ? json(nullptr) : json(e.field);
  return j;
}

std::string version() { return "0.1.0"; }

std::string platformsJson() {
  json all = json::array();
  for (const auto& p : allPlatforms()) {
    json ents = json::array();
    for (auto e : p.entities) ents.push_back(entityName(e));
    // How each entity's deletions reach the caller: "feed" — an incremental sync reports them
    // (tombstones); "sweep" — the list APIs do not, so a completed full sync is the proof
    // (records it did not see are gone; webhooks report them sooner where the platform has them).
    json deletions = json::object();
    json rate = nullptr;
    if (const Connector* c = findConnector(p.id)) {
      for (auto e : p.entities) deletions[entityName(e)] = c->paging(e).reportsDeletions ? "feed" : "sweep";
      // The pacing a job applies to itself; the server holds the same budget per connection.
      const RatePolicy r = c->rate();
      rate = {{"requestsPerSecond", r.requestsPerSecond}, {"burst", r.burst}, {"minSpacingMs", r.minSpacingMs},
              {"scope", r.perUrl ? "url" : "account"}};
    }
    json creds = json::array();
    for (const auto& c : p.credentials) {
      creds.push_back({{"key", c.key}, {"label", c.label}, {"help", c.help}, {"secret", c.secret}, {"example", c.example},
                       {"source", c.source}, {"optional", c.optional}});
    }
    json settings = json::array();
    for (const auto& s : p.settings) {
      settings.push_back({{"key", s.key}, {"label", s.label}, {"kind", s.kind}, {"help", s.help}});
    }
    all.push_back({{"id", p.id},
                   {"displayName", p.displayName},
                   {"description", p.description},
                   {"entities", ents},
                   {"deletions", deletions},
                   {"rate", rate},
                   {"credentials", creds},
                   {"settings", settings},
                   {"status", p.status},
                   {"apiHosts", p.apiHosts},
                   {"apiHostPatterns", p.apiHostPatterns},
                   {"webhooks", p.webhooks}});
  }
  return dumpJson(all);
}

STORELINK_COLD_END

// The normalize path stays -O3.
std::string normalizeJson(const std::string& platform, const std::string& entity, const std::string& body,
                          const std::string& optionsJson) {
  std::string out;
  normalizeInto(out, platform, entity, body, optionsJson, false);
  return out;
}

namespace {

// `"errors":[...],"total":n|null,"removedIds":[...]}`: the envelope after the records.
void appendEnvelopeTail(std::string& out, const Page& p, bool asciiOnly) {
  const auto dump = [asciiOnly](const json& j) { return j.dump(-1, ' ', asciiOnly, json::error_handler_t::replace); };
  if (asciiOnly && p.rowErrors.empty()) {
    // The wasm boundary's common case, written without nlohmann's serializer (whose code the
    // engine would otherwise compile on the first call: cold start). The same JSON values.
    out += "\"errors\":[],\"total\":";
    if (!p.total) out += "null";
    else if (*p.total == 0 && std::signbit(*p.total)) out += "-0.0";
    else appendJsonNumber(out, *p.total);
    out += ",\"removedIds\":[";
    for (size_t i = 0; i < p.removedIds.size(); ++i) {
      if (i) out += ',';
      appendJsonString(out, p.removedIds[i], true);
    }
    out += "]}";
    return;
  }
  json errors = json::array();
  for (const auto& e : p.rowErrors) errors.push_back(errorToJson(e));
  out += "\"errors\":" + dump(errors);
  out += ",\"total\":" + (p.total ? dump(json(*p.total)) : std::string("null"));
  out += ",\"removedIds\":" + dump(json(p.removedIds)) + "}";
}

// Options text → opts (its settings held in `settings`); false when it is not a JSON object.
bool readNormalizeOptions(const std::string& optionsJson, NormalizeOptions& opts, json& settings) {
  settings = json::object();
  if (!optionsJson.empty()) {
    json o = parseJson(optionsJson);
    if (!o.is_object()) return false;
    opts.includeRaw = js::boolean(o, "raw").value_or(false);
    if (const json* st = js::field(o, "settings"); st && st->is_object()) settings = *st;
  }
  opts.settings = &settings;
  return true;
}

std::string badOptionsText(bool asciiOnly) {
  return json{{"error", errorToJson(badInput("options must be a JSON object", "options"))}}.dump(
      -1, ' ', asciiOnly, json::error_handler_t::replace);
}

std::string pageErrorTail(const Error& e, bool asciiOnly) {
  return "\"errors\":[" + errorToJson(e).dump(-1, ' ', asciiOnly, json::error_handler_t::replace) +
         "],\"total\":null,\"removedIds\":[]}";
}

}  // namespace

void normalizeInto(std::string& out, std::string_view platform, std::string_view entity, std::string_view body,
                   const std::string& optionsJson, bool asciiOnly) {
  out.clear();
  NormalizeOptions opts;
  json settings;
  if (!readNormalizeOptions(optionsJson, opts, settings)) {
    out = badOptionsText(asciiOnly);
    return;
  }
  auto page = normalizeBody(platform, entity, body, opts);
  out += "{\"records\":[";
  if (!page) {
    out += "]," + pageErrorTail(page.error(), asciiOnly);
    return;
  }
  const Page& p = page.value();
  out.reserve(body.size() + 256);  // records come out at roughly half to two thirds of the body
  size_t n = 0;
  for (const auto& r : p.records) {
    if (n++) out += ',';
    appendRecordJson(out, r, asciiOnly);
  }
  // Deletions reported in the body become tombstones too, so a caller applying the records
  // does not need to know each platform's field for them.
  for (const auto& id : p.removedIds) {
    if (n++) out += ',';
    Record t = Record::tombstone(recordTypeOf(*entityFromName(entity)), std::string(platform), id);
    appendRecordJson(out, t, asciiOnly);
  }
  out += "],";
  appendEnvelopeTail(out, p, asciiOnly);
}

size_t normalizeRecords(RecordStream& out, std::string& tail, std::string_view platform, std::string_view entity,
                        std::string_view body, const std::string& optionsJson) {
  out.clear();
  tail.clear();
  NormalizeOptions opts;
  json settings;
  if (!readNormalizeOptions(optionsJson, opts, settings)) {
    tail = badOptionsText(true);
    return 0;
  }
  auto page = normalizeBody(platform, entity, body, opts);
  if (!page) {
    tail = "{" + pageErrorTail(page.error(), true);
    return 0;
  }
  const Page& p = page.value();
  for (const auto& r : p.records) appendRecordStream(out, r);
  for (const auto& id : p.removedIds) {
    Record t = Record::tombstone(recordTypeOf(*entityFromName(entity)), std::string(platform), id);
    appendRecordStream(out, t);
  }
  tail += '{';
  appendEnvelopeTail(tail, p, true);
  return p.records.size() + p.removedIds.size();
}

STORELINK_COLD_BEGIN
std::string fillSecretsJson(const std::string& requestJson, const std::string& secretsJson) {
  auto req = requestFromJson(parseJson(requestJson));
  if (!req) return errorText(req.error());
  json s = parseJson(secretsJson);
  if (!s.is_object()) return errorText(badInput("secrets must be a JSON object", "secrets"));
  std::map<std::string, std::string> secrets;
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (auto v = js::str(&it.value())) secrets[it.key()] = *v;
  }
  auto filled = fillSecrets(*req, secrets);
  if (!filled) return errorText(filled.error());
  return dumpJson(json{{"request", requestToJson(*filled)}});
}

std::string keepSecretsJson(const std::string& requestJson, const std::string& body) {
  auto req = requestFromJson(parseJson(requestJson));
  if (!req) return errorText(req.error());
  auto red = keepSecretsFromBody(*req, body);
  return dumpJson(json{{"body", red.body}, {"captured", red.captured}});
}

std::string inspectWebhookJson(const std::string& platform, const std::string& headersJson, const std::string& body,
                               const std::string& secret) {
  const Connector* c = findConnector(platform);
  if (c == nullptr) return errorText(badInput("unknown or unsupported platform: " + platform, "platform"));
  json h = parseJson(headersJson);
  if (!h.is_object()) return errorText(badInput("headers must be a JSON object", "headers"));
  WebhookDelivery d;
  for (auto it = h.begin(); it != h.end(); ++it) {
    auto v = js::str(&it.value());
    if (!v) continue;
    std::string name = it.key();
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    d.headers[name] = *v;
  }
  d.body = body;
  auto ev = c->inspectWebhook(d, secret);
  if (!ev) return errorText(ev.error());
  json e = {{"topic", ev->topic},
            {"entity", ev->entity ? json(entityName(*ev->entity)) : json(nullptr)},
            {"deletion", ev->deletion},
            {"eventId", ev->eventId.empty() ? json(nullptr) : json(ev->eventId)},
            {"storeKey", ev->storeKey.empty() ? json(nullptr) : json(ev->storeKey)},
            {"signatureChecked", ev->signatureChecked}};
  return dumpJson(json{{"event", e}});
}

std::string checkCredentialsJson(const std::string& platform, const std::string& valuesJson) {
  const Connector* c = findConnector(platform);
  if (c == nullptr) return errorText(badInput("unknown or unsupported platform: " + platform, "platform"));
  json v = valuesJson.empty() ? json::object() : parseJson(valuesJson);
  if (!v.is_object()) return errorText(badInput("values must be a JSON object", "values"));
  CredentialCheck check = c->checkCredentials(v);
  json errors = json::array();
  for (const auto& e : check.errors) errors.push_back(errorToJson(e));
  return dumpJson(json{{"values", check.values}, {"errors", errors}});
}

std::string buildUrlJson(const std::string& requestJson) {
  auto req = requestFromJson(parseJson(requestJson));
  if (!req) return errorText(req.error());
  return dumpJson(json{{"url", buildUrl(*req)}});
}

std::string connectJson(const std::string& platform, const std::string& step, const std::string& inputJson) {
  const Connector* c = findConnector(platform);
  if (c == nullptr) return errorText(badInput("unknown or unsupported platform: " + platform, "platform"));
  json input = inputJson.empty() ? json::object() : parseJson(inputJson);
  if (!input.is_object()) return errorText(badInput("input must be a JSON object", "input"));
  auto out = c->connectStep(step, input);
  if (!out) return errorText(out.error());
  return dumpJson(*out);
}

std::string Job::init(const std::string& optionsJson) {
  json o = parseJson(optionsJson);
  if (!o.is_object()) return errorText(badInput("options must be a JSON object", "options"));
  SyncOptions opts;
  opts.platform = js::str(o, "platform").value_or("");
  opts.entity = js::str(o, "entity").value_or("");
  if (const json* s = js::field(o, "settings"); s && !s->is_null()) opts.settings = *s;
  opts.checkpoint = js::str(o, "checkpoint").value_or("");
  opts.mode = js::str(o, "mode").value_or("auto");
  opts.includeRaw = js::boolean(o, "raw").value_or(false);
  // Numbers from JS are doubles: convert only in range (a cast of 1e300 is UB; tests/fuzz).
  if (auto seed = js::num(o, "seed"); seed && *seed > 0) opts.seed = static_cast<uint64_t>(toInt64(*seed).value_or(0));
  if (auto maxPages = js::num(o, "maxPages"); maxPages && *maxPages > 0) {
    opts.maxPages = static_cast<int>(toInt64(*maxPages, 0, 1e9).value_or(0));  // beyond 1e9 pages: no limit
  }
  auto job = SyncJob::create(opts);
  if (!job) return errorText(job.error());
  job_ = std::move(job.value());
  platform_ = opts.platform;
  entity_ = opts.entity;
  return "";
}

std::string Job::next(double nowMs) {
  if (!job_) return dumpJson(json{{"kind", "failed"}, {"error", errorToJson(badInput("job not initialized"))}});
  // A clock reading JS can hold: NaN, ±Inf or |t| > 8.64e15 (the Date range) is a caller bug.
  auto now = toInt64(nowMs, -kMaxTimeMs, kMaxTimeMs);
  if (!now) return dumpJson(json{{"kind", "failed"}, {"error", errorToJson(badInput("nowMs must be a time in ms", "nowMs"))}});
  Step s = job_->next(*now);
  switch (s.kind) {
    case Step::Kind::Request:
      return dumpJson(json{{"kind", "request"}, {"id", s.requestId}, {"request", requestToJson(s.request)}});
    case Step::Kind::Wait:
      return dumpJson(json{{"kind", "wait"}, {"waitMs", s.waitMs}, {"reason", s.waitReason}});
    case Step::Kind::Done:
      return R"({"kind":"done"})";
    case Step::Kind::Failed:
      return dumpJson(json{{"kind", "failed"}, {"error", errorToJson(s.error)}});
  }
  return R"({"kind":"done"})";
}

bool Job::receive(double requestId, const std::string& metaJson, const std::string& body, double nowMs) {
  if (!job_) return false;
  auto resp = responseFromJson(parseJson(metaJson), body);
  if (!resp) return false;
  auto id = toInt64(requestId, 0);
  auto now = toInt64(nowMs, -kMaxTimeMs, kMaxTimeMs);
  if (!id || !now) return false;  // not an id this job handed out / not a clock reading
  return job_->receive(static_cast<uint64_t>(*id), *resp, *now);
}

std::string Job::takeRecords() { return job_ ? job_->takeRecordsJson() : "[]"; }

std::string Job::progress() const {
  if (!job_) return "{}";
  Progress p = job_->progress();
  json j = {{"platform", platform_},   {"entity", entity_},     {"phase", p.phase},
            {"mode", p.mode},          {"fetched", p.fetched},  {"deleted", p.deleted},
            {"pages", p.pages},        {"requests", p.requests}, {"retries", p.retries},
            {"waitedMs", p.waitedMs}};
  j["total"] = p.total ? json(*p.total) : json(nullptr);
  j["lastWaitReason"] = p.lastWaitReason.empty() ? json(nullptr) : json(p.lastWaitReason);
  j["startedAtMs"] = p.startedAtMs ? json(*p.startedAtMs) : json(nullptr);
  return dumpJson(j);
}

std::string Job::checkpoint() const { return job_ ? job_->checkpoint() : ""; }

void Job::cancel() {
  if (job_) job_->cancel();
}

}  // namespace storelink::api
STORELINK_COLD_END
