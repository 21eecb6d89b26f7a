// The string API (include/storelink/api.hpp), exactly what the wasm bindings expose, with
// arbitrary strings and numbers — including NaN, ±Inf and huge doubles for the numeric
// parameters JavaScript may pass (nowMs, request ids).
// Invariants: nothing aborts or hits UB; every JSON-returning function returns JSON; errors
// are typed ({"error": {code, message}} with a known code).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "fuzz_util.hpp"

using namespace storelink;

namespace {

double anyDouble(FuzzedDataProvider& fdp) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 6)) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return -std::numeric_limits<double>::infinity();
    case 3: return fdp.ConsumeFloatingPoint<double>();
    case 4: return static_cast<double>(fdp.ConsumeIntegral<int64_t>());
    case 5: return 1750000000000.0 + fdp.ConsumeIntegralInRange<int>(0, 1 << 20);
    default: return static_cast<double>(fdp.ConsumeIntegralInRange<int>(-2, 10));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int which = fdp.ConsumeIntegralInRange<int>(0, 4);
  const std::string a = fdp.ConsumeRandomLengthString(512);
  const std::string b = fdp.ConsumeRandomLengthString(512);
  const std::string c = fdp.ConsumeRandomLengthString(2048);
  const std::string d = fdp.ConsumeRandomLengthString(64);

  switch (which) {
    case 0:
      fuzz::checkJsonText(api::normalizeJson(a, b, c, d), "normalizeJson");
      for (const Connector* con : fuzz::connectors())
        fuzz::checkJsonText(api::normalizeJson(con->info().id, b, c, d), "normalizeJson(platform)");
      break;
    case 1:
      fuzz::checkJsonText(api::fillSecretsJson(a, b), "fillSecretsJson");
      fuzz::checkJsonText(api::keepSecretsJson(a, c), "keepSecretsJson");
      fuzz::checkJsonText(api::buildUrlJson(a), "buildUrlJson");
      break;
    case 2:
      fuzz::checkJsonText(api::inspectWebhookJson(a, b, c, d), "inspectWebhookJson");
      for (const Connector* con : fuzz::connectors())
        fuzz::checkJsonText(api::inspectWebhookJson(con->info().id, b, c, d), "inspectWebhookJson(platform)");
      break;
    default: {
      // A job: options text is either fuzzed outright or a valid shell with fuzzed members.
      api::Job job;
      std::string options = a;
      if (which == 4 && !fuzz::connectors().empty()) {
        const Connector* con = fuzz::connectors()[fdp.ConsumeIntegralInRange<size_t>(0, fuzz::connectors().size() - 1)];
        json o = {{"platform", con->info().id}, {"entity", entityName(con->info().entities.front())}};
        json extra = parseJson(b);
        if (extra.is_object()) o.update(extra);
        o["seed"] = anyDouble(fdp);
        o["maxPages"] = anyDouble(fdp);
        options = dumpJson(o);
      }
      std::string err = job.init(options);
      if (!err.empty()) fuzz::checkJsonText(err, "Job.init");
      for (int i = 0; i < 8 && fdp.remaining_bytes() > 0; ++i) {
        json step = fuzz::checkJsonText(job.next(anyDouble(fdp)), "Job.next");
        double id = fdp.ConsumeBool() ? js::num(step, "id").value_or(0) : anyDouble(fdp);
        std::string meta = fdp.ConsumeRandomLengthString(128);
        if (fdp.ConsumeBool()) meta = dumpJson(json{{"status", anyDouble(fdp)}, {"headers", {{"retry-after", d}}}});
        (void)job.receive(id, meta, c, anyDouble(fdp));
        fuzz::checkJsonText(job.takeRecords(), "Job.takeRecords");
        fuzz::checkJsonText(job.progress(), "Job.progress");
        std::string cp = job.checkpoint();
        if (!cp.empty()) fuzz::checkJsonText(cp, "Job.checkpoint");
      }
      job.cancel();
      break;
    }
  }
  return 0;
}
