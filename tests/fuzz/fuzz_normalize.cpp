// Response normalization: every connector of the registry × every entity it offers, fed the
// same bytes as a list body (or webhook body, or single-record body — parsePage takes all).
// Invariants: typed errors only; every record has an id, its connector's platform and the
// entity's type; its JSON text is valid JSON; times survive the ISO round trip; the string
// API (normalizeJson) returns JSON whatever the bytes.
#include <cstdint>

#include "fuzz_util.hpp"
#include "storelink/normalize.hpp"

using namespace storelink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const auto& t : fuzz::targets()) {
    const std::string& platform = t.connector->info().id;
    NormalizeOptions opts;
    opts.includeRaw = size % 2 == 1;  // both paths, deterministically per input
    auto page = normalizeBody(platform, entityName(t.entity), body, opts);
    if (!page) {
      fuzz::checkError(page.error());
      continue;
    }
    for (const Record& r : page->records) {
      FUZZ_CHECK(!r.externalId.empty(), "record has an externalId");
      FUZZ_CHECK(r.platform == platform, "record names its platform");
      FUZZ_CHECK(r.type == recordTypeOf(t.entity), "record type matches the entity");
      FUZZ_CHECK(!r.deleted, "list rows are not tombstones");
      const std::string text = recordToJson(r);
      FUZZ_CHECK(parseJson(text).is_object(), "record JSON is a valid object");
      for (const auto& ms : {r.createdAtMs, r.updatedAtMs}) {
        if (!ms) continue;
        auto back = parseDateTime(formatIsoUtc(*ms), 0);
        // Outside years 1900..9999 the ISO text is not re-parsed (by design); inside, exact.
        if (back) FUZZ_CHECK(*back == *ms, "time survives formatIsoUtc → parseDateTime");
      }
    }
    for (const auto& id : page->removedIds) FUZZ_CHECK(!id.empty(), "removed ids are non-empty");
    for (const auto& e : page->rowErrors) fuzz::checkError(e);
    fuzz::checkJsonText(api::normalizeJson(platform, entityName(t.entity), std::string(body), ""), "normalizeJson");
  }
  return 0;
}
