// Checkpoint restore + the engine loop: SyncJob::create with a fuzzed checkpoint, then a few
// steps driven by fuzzed responses on a virtual clock.
// Input: byte 0 picks (connector, entity, mode) from the registry and, with its high bit,
// the input format:
//  - text (high bit clear): the rest is split on "\n--\n": part 0 is the checkpoint text,
//    each further part one response written as "@status: 200" / "@error: timeout"
//    pseudo-headers + "name: value" headers, an empty line, the body;
//  - structured (high bit set): the bytes drive a generator of well-formed checkpoints and
//    responses whose numbers are extreme (NaN, ±1e300, 2^63, negative, near now…): mutating
//    text rarely produces a valid checkpoint with a huge but finite number in it.
// When the responses run out, the job is fed 200 + an empty list body.
// Invariants: typed errors only; every checkpoint the job hands out is accepted by create()
// (resume must never be refused); waits are positive and bounded; a job keeps making
// requests (no endless waiting); progress counters stay non-negative.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <limits>

#include "fuzz_util.hpp"
#include "storelink/normalize.hpp"
#include "storelink/sync_job.hpp"

using namespace storelink;

namespace {

constexpr int kMaxSteps = 96;
constexpr int kMaxWaitsInARow = 64;
constexpr int64_t kMaxWaitMs = 11 * 60 * 1000;  // the engine caps Retry-After at 10 minutes

HttpResponse responseFrom(std::string_view chunk) {
  HttpResponse r;
  std::map<std::string, std::string> pseudo;
  r.body = std::string(fuzz::parseHead(chunk, r.headers, pseudo));
  int status = 200;
  if (auto it = pseudo.find("status"); it != pseudo.end()) {
    status = 0;
    for (char c : it->second.substr(0, 3))
      if (c >= '0' && c <= '9') status = status * 10 + (c - '0');
  }
  r.status = status;
  if (auto it = pseudo.find("error"); it != pseudo.end()) r.transportError = it->second;
  if (r.status == 0 && r.transportError.empty()) r.transportError = "network";
  return r;
}

json anyNumber(FuzzedDataProvider& f) {
  switch (f.ConsumeIntegralInRange<int>(0, 11)) {
    case 0: return nullptr;
    case 1: return 1e300;
    case 2: return -1e300;
    case 3: return 9223372036854775807LL;
    case 4: return std::numeric_limits<int64_t>::min();
    case 5: return 9007199254740993.0;
    case 6: return f.ConsumeFloatingPoint<double>();
    case 7: return f.ConsumeIntegral<int64_t>();
    case 8: return std::to_string(f.ConsumeIntegral<int32_t>());  // numbers as strings
    case 9: return 1750000000000LL + f.ConsumeIntegralInRange<int64_t>(-4000000000LL, 4000000000LL);
    default: return f.ConsumeIntegralInRange<int>(-3, 120);
  }
}

// A checkpoint with every member present or not, each number drawn from anyNumber().
std::string structuredCheckpoint(FuzzedDataProvider& f, const SyncOptions& o) {
  if (f.ConsumeIntegralInRange<int>(0, 7) == 0) return {};
  json cp = {{"v", f.ConsumeIntegralInRange<int>(0, 9) == 0 ? anyNumber(f) : json(1)},
             {"platform", o.platform},
             {"entity", o.entity},
             {"state", f.ConsumeBool() ? "running" : "done"}};
  auto maybe = [&](json& obj, const char* key, json value) {
    if (f.ConsumeIntegralInRange<int>(0, 5) != 0) obj[key] = std::move(value);
  };
  maybe(cp, "watermark", anyNumber(f));
  json run = json::object();
  maybe(run, "mode", f.ConsumeBool() ? "full" : "incremental");
  maybe(run, "from", anyNumber(f));
  maybe(run, "offset", anyNumber(f));
  maybe(run, "cursor", f.ConsumeRandomLengthString(16));
  maybe(run, "askDeletions", f.ConsumeBool());
  maybe(run, "plainOffset", f.ConsumeBool());
  json window = json::array();
  for (int n = f.ConsumeIntegralInRange<int>(0, 4); n > 0; --n)
    window.push_back(json::array({std::to_string(f.ConsumeIntegralInRange<int>(1, 40)), anyNumber(f)}));
  maybe(run, "window", window);
  maybe(run, "runMax", anyNumber(f));
  maybe(run, "fetched", anyNumber(f));
  maybe(run, "deleted", anyNumber(f));
  maybe(run, "pages", anyNumber(f));
  maybe(run, "bucket", json::array({anyNumber(f), anyNumber(f)}));
  maybe(cp, "run", run);
  return dumpJson(cp);
}

// A response: token bodies and KiotViet-shaped list envelopes with extreme numbers, or bytes.
HttpResponse structuredResponse(FuzzedDataProvider& f) {
  static const int kStatus[] = {200, 200, 200, 200, 0, 400, 401, 403, 404, 408, 429, 500, 502, 503};
  HttpResponse r;
  r.status = f.ConsumeBool() ? kStatus[f.ConsumeIntegralInRange<size_t>(0, std::size(kStatus) - 1)]
                             : f.ConsumeIntegralInRange<int>(0, 999);
  if (r.status == 0) r.transportError = f.ConsumeBool() ? "timeout" : "network";
  if (f.ConsumeBool()) r.headers["retry-after"] = dumpJson(anyNumber(f));
  switch (f.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      r.body = dumpJson(json{{"access_token", "{{secret.accessToken}}"}, {"expires_in", anyNumber(f)}});
      break;
    case 1: {
      json rows = json::array();
      for (int n = f.ConsumeIntegralInRange<int>(0, 120); n > 0; --n) {
        int64_t ms = 1750000000000LL + f.ConsumeIntegralInRange<int64_t>(-4000000000LL, 4000000000LL);
        json row = {{"id", f.ConsumeIntegralInRange<int>(1, 150)}, {"modifiedDate", formatLocal(ms, kVietnamOffsetMinutes, 7)}};
        if (f.ConsumeIntegralInRange<int>(0, 15) == 0) row["modifiedDate"] = anyNumber(f);
        rows.push_back(row);
      }
      json body = {{"data", rows}, {"pageSize", 100}};
      if (f.ConsumeBool()) body["total"] = anyNumber(f);
      if (f.ConsumeBool()) body["removeId"] = json::array({f.ConsumeIntegralInRange<int>(1, 150), anyNumber(f)});
      r.body = dumpJson(body);
      break;
    }
    case 2:
      r.body = R"({"responseStatus":{"errorCode":"TokenException","message":"expired"}})";
      break;
    default:
      r.body = f.ConsumeRandomLengthString(256);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || fuzz::targets().empty()) return 0;
  static const char* kModes[] = {"auto", "full", "incremental"};
  const auto& t = fuzz::targets()[(data[0] & 0x7f) % fuzz::targets().size()];
  const char* mode = kModes[((data[0] & 0x7f) / fuzz::targets().size()) % 3];
  const bool structured = (data[0] & 0x80) != 0;
  FuzzedDataProvider fdp(data + 1, size - 1);
  std::vector<std::string_view> parts;
  if (!structured) parts = fuzz::split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), "\n--\n");

  SyncOptions o;
  o.platform = t.connector->info().id;
  o.entity = entityName(t.entity);
  o.checkpoint = structured ? structuredCheckpoint(fdp, o) : std::string(parts[0]);
  o.mode = mode;
  o.seed = 42;
  auto created = SyncJob::create(o);
  if (!created) {
    fuzz::checkError(created.error());
    FUZZ_CHECK(created.error().code == ErrorCode::InvalidInput, "a bad checkpoint is invalid_input");
    return 0;
  }
  SyncJob& job = **created;

  int64_t now = 1750000000000;
  size_t next = 1;
  int waitsInARow = 0;
  for (int step = 0; step < kMaxSteps; ++step) {
    Step s = job.next(now);
    if (s.kind == Step::Kind::Done) break;
    if (s.kind == Step::Kind::Failed) {
      fuzz::checkError(s.error);
      break;
    }
    if (s.kind == Step::Kind::Wait) {
      FUZZ_CHECK(s.waitMs > 0 && s.waitMs <= kMaxWaitMs, "waits are positive and bounded");
      if (++waitsInARow > kMaxWaitsInARow) std::fprintf(stderr, "stuck waiting (%s); checkpoint: %s\n", s.waitReason.c_str(), o.checkpoint.c_str());
      FUZZ_CHECK(waitsInARow <= kMaxWaitsInARow, "the job keeps making requests");
      now += s.waitMs;
      continue;
    }
    waitsInARow = 0;
    FUZZ_CHECK(!s.request.url.empty(), "a request has a URL");
    HttpResponse r = structured && fdp.remaining_bytes() > 0 ? structuredResponse(fdp)
                     : next < parts.size()                  ? responseFrom(parts[next++])
                                                            : HttpResponse{200, {}, R"({"data":[]})", ""};
    if (s.request.purpose == "auth" && r.body == R"({"data":[]})") {
      r.body = R"({"access_token":"{{secret.accessToken}}","expires_in":86400})";
    }
    FUZZ_CHECK(job.receive(s.requestId, r, now), "the pending request's answer is taken");
    FUZZ_CHECK(!job.receive(s.requestId, r, now), "an answer is taken once");
    now += 250;
    (void)job.takeRecordsJson();

    // Whatever happened, the job's own checkpoint must resume (or seed the next run).
    SyncOptions again = o;
    again.checkpoint = job.checkpoint();
    again.mode = "auto";
    auto resumed = SyncJob::create(again);
    if (!resumed) std::fprintf(stderr, "refused checkpoint: %s (%s)\n", again.checkpoint.c_str(), resumed.error().detail.c_str());
    FUZZ_CHECK(resumed.ok(), "the job's own checkpoint is accepted");
    Progress p = job.progress();
    FUZZ_CHECK(p.fetched >= 0 && p.deleted >= 0 && p.pages >= 0 && p.requests >= 0 && p.retries >= 0 && p.waitedMs >= 0,
               "progress counters are non-negative");
  }
  fuzz::checkJsonText(job.takeRecordsJson(), "takeRecordsJson");
  return 0;
}
