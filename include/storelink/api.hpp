// The string-in/string-out boundary the wasm bindings expose (one JSON text per call, so JS
// parses each result once and no objects are built field by field across the boundary).
// Nothing here throws or aborts on bad input: errors come back as {"error": {...}}.
#pragma once

#include <memory>
#include <string>

#include "storelink/sync_job.hpp"

namespace storelink::api {

json errorToJson(const Error& e);

std::string version();
// [{id, displayName, description, entities, credentials:[{key,label,help,secret,example}], settings, status, apiHosts}]
std::string platformsJson();
// {"records":[...], "errors":[...], "total": n|null, "removedIds": [...]}; options
// {"raw": bool, "settings": {...}} (settings: the connection's, e.g. Nhanh.vn taxSync).
std::string normalizeJson(const std::string& platform, const std::string& entity, const std::string& body,
                          const std::string& optionsJson);
// The same into a reusable buffer (cleared first). asciiOnly writes non-ASCII characters as
// \u escapes — the same JSON — so the wasm boundary hands JS bytes it decodes without UTF-8.
void normalizeInto(std::string& out, std::string_view platform, std::string_view entity, std::string_view body,
                   const std::string& optionsJson, bool asciiOnly);
// The same records as columns (RecordStream, read by wasm/js/core.js) and the rest of the
// envelope as ASCII JSON text in `tail`: {"errors":[...],"total":n|null,"removedIds":[...]}
// or {"error": {...}}. → the number of records.
size_t normalizeRecords(RecordStream& out, std::string& tail, std::string_view platform, std::string_view entity,
                        std::string_view body, const std::string& optionsJson);
// {"request": {...}} with placeholders filled, or {"error": {...}}
std::string fillSecretsJson(const std::string& requestJson, const std::string& secretsJson);
// {"body": "...", "captured": {name: value}}: what the proxy keeps and what it returns
std::string keepSecretsJson(const std::string& requestJson, const std::string& body);
// Verifies and classifies a webhook delivery: {"event": {topic, entity, deletion, eventId,
// storeKey, signatureChecked}} or {"error": ...} (a bad signature is code "forbidden").
std::string inspectWebhookJson(const std::string& platform, const std::string& headersJson, const std::string& body,
                               const std::string& secret);
// Checks and normalizes connect-form values as the user types:
// {"values": {key: normalized}, "errors": [{code, message, field, ...}]}.
std::string checkCredentialsJson(const std::string& platform, const std::string& valuesJson);
// The full URL of a request descriptor (query encoded), or {"error":...} text on bad input.
std::string buildUrlJson(const std::string& requestJson);
// One step of a platform's connect flow (Connector::connectStep): the step's JSON result, or
// {"error": {...}}. Nhanh.vn: consentUrl, tokenRequest, tokenResult, checkTokenRequest;
// Pancake POS: shopsRequest, shopsResult, webhookSettings.
std::string connectJson(const std::string& platform, const std::string& step, const std::string& inputJson);

class Job {
 public:
  // "" on success, else {"error": {...}}.
  std::string init(const std::string& optionsJson);
  // {"kind":"request","id":n,"request":{...}} | {"kind":"wait","waitMs":n,"reason":"..."}
  // | {"kind":"done"} | {"kind":"failed","error":{...}}
  std::string next(double nowMs);
  // meta: {"status": n, "headers": {...}, "error": "timeout"?}
  bool receive(double requestId, const std::string& metaJson, const std::string& body, double nowMs);
  std::string takeRecords();
  std::string progress() const;
  std::string checkpoint() const;
  void cancel();

 private:
  std::unique_ptr<SyncJob> job_;
  std::string platform_, entity_;
};

}  // namespace storelink::api
