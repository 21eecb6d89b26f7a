// Regression tests for what tests/fuzz (libFuzzer + ASan/UBSan) and the fault-injection suite
// (tests/js/faults.test.js) found. Each test names the finding; the fix carries a comment
// pointing back here. Under the `asan` preset, a reintroduced UB fails these tests loudly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <limits>

#include "storelink/api.hpp"
#include "storelink/http.hpp"
#include "storelink/normalize.hpp"
#include "storelink/platforms.hpp"
#include "storelink/sync_job.hpp"

namespace storelink {
namespace {

constexpr int64_t kNow = 1'750'000'000'000;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

json parsed(const std::string& text) {
  json j = parseJson(text);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

Result<std::unique_ptr<SyncJob>> jobFrom(const std::string& checkpoint, const std::string& entity = "products") {
  SyncOptions o;
  o.platform = "kiotviet";
  o.entity = entity;
  o.checkpoint = checkpoint;
  o.seed = 7;
  return SyncJob::create(o);
}

std::string runningCheckpoint(const std::string& runMembers, const std::string& top = R"("watermark":null)") {
  return R"({"v":1,"platform":"kiotviet","entity":"products","state":"running",)" + top + R"(,"run":{)" + runMembers + "}}";
}

const HttpResponse kToken{200, {}, R"({"access_token":"{{secret.accessToken}}","expires_in":86400})", ""};

// --- fuzz_api: doubles from JavaScript cast without a range check ----------------------

TEST(FuzzRegression, JobInitHugeMaxPagesAndSeed) {
  // fuzz_api: {"maxPages": 1.75e12} → static_cast<int> UB.
  api::Job job;
  EXPECT_EQ(job.init(R"({"platform":"kiotviet","entity":"products","maxPages":1.75e12,"seed":1e300})"), "");
  EXPECT_EQ(parsed(job.next(static_cast<double>(kNow)))["kind"], "request");
}

TEST(FuzzRegression, JobNextAndReceiveRejectNonTimes) {
  api::Job job;
  ASSERT_EQ(job.init(R"({"platform":"kiotviet","entity":"products"})"), "");
  for (double bad : {kNaN, kInf, -kInf, 1e300, -1e300}) {
    json step = parsed(job.next(bad));
    EXPECT_EQ(step["kind"], "failed");
    EXPECT_EQ(step["error"]["code"], "invalid_input");
    EXPECT_EQ(step["error"]["field"], "nowMs");
  }
  json step = parsed(job.next(static_cast<double>(kNow)));
  ASSERT_EQ(step["kind"], "request");
  const std::string meta = R"({"status":200,"headers":{}})";
  for (double badId : {kNaN, -1.0, 1e300, kInf}) EXPECT_FALSE(job.receive(badId, meta, kToken.body, kNow));
  EXPECT_FALSE(job.receive(step["id"].get<double>(), meta, kToken.body, kNaN));
  EXPECT_TRUE(job.receive(step["id"].get<double>(), meta, kToken.body, static_cast<double>(kNow)));
}

TEST(FuzzRegression, ResponseStatusOutOfRange) {
  // fuzz_api: {"status": 1.75e12} → static_cast<int> UB before the range check.
  for (const char* meta : {R"({"status":1.75e12})", R"({"status":-1})", R"({"status":1000})", R"({"status":-1e300})"}) {
    auto r = responseFromJson(parsed(meta), "");
    ASSERT_FALSE(r.ok()) << meta;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  }
  auto ok = responseFromJson(parsed(R"({"status":"503"})"), "x");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 503);
}

// --- fuzz_checkpoint ---------------------------------------------------------------

TEST(FuzzRegression, HugeTokenLifetime) {
  // fuzz_checkpoint: "expires_in": 8.6e126 → static_cast<int64_t> UB.
  const Connector* kv = findConnector("kiotviet");
  HttpResponse r{200, {}, R"({"access_token":"x","expires_in":8.64222e126})", ""};
  auto life = kv->tokenLifetimeMs(r);
  ASSERT_TRUE(life.ok());
  EXPECT_EQ(*life, 365LL * 86'400'000);
  HttpResponse wait{429, {{"retry-after", "1e300"}}, "", ""};
  EXPECT_EQ(retryAfterMs(wait), 86'400'000);
}

TEST(FuzzRegression, CheckpointNumbersOutOfRangeAreRefused) {
  // fuzz_checkpoint: "from": -1e300 → static_cast<int64_t> UB.
  const std::vector<std::string> bad = {
      R"({"v":1,"platform":"kiotviet","entity":"products","state":"done","watermark":1e300})",
      runningCheckpoint(R"("from":-1e300)"),
      runningCheckpoint(R"("offset":9.3e18)"),
      runningCheckpoint(R"("runMax":1e300)"),
      runningCheckpoint(R"("window":[["1",1e300]])"),
      runningCheckpoint(R"("fetched":1e300)"),
      // ...and negative counters, which surfaced as negative progress.
      runningCheckpoint(R"("fetched":-5)"),
      runningCheckpoint(R"("pages":-1)"),
      // ...and counters so close to 2^53 that the run's own next checkpoint would be out of
      // range (fuzz_checkpoint: seeds/fuzz_checkpoint/crash-counters-near-2pow53).
      runningCheckpoint(R"("fetched":9007199254740990)"),
      runningCheckpoint(R"("deleted":9007199254740992)"),
      runningCheckpoint(R"("offset":9007199254740000)"),
  };
  for (const auto& cp : bad) {
    auto job = jobFrom(cp);
    ASSERT_FALSE(job.ok()) << cp;
    EXPECT_EQ(job.error().code, ErrorCode::InvalidInput);
    EXPECT_EQ(job.error().field, "checkpoint");
  }
  EXPECT_TRUE(jobFrom(runningCheckpoint(R"("from":1742381916447,"offset":98,"fetched":100,"pages":1)")).ok());
}

// Runs a job against `page` answers (a token first), returning the number of steps it needed to
// issue `pages` page requests; waits advance the virtual clock.
int stepsForPages(SyncJob& job, int pages, const std::string& pageBody, int64_t& now, int maxSteps = 64) {
  int seen = 0;
  for (int i = 0; i < maxSteps; ++i) {
    Step s = job.next(now);
    if (s.kind == Step::Kind::Wait) {
      now += s.waitMs;
      continue;
    }
    if (s.kind != Step::Kind::Request) return -1;
    const bool page = s.request.purpose == "page";
    job.receive(s.requestId, page ? HttpResponse{200, {}, pageBody, ""} : kToken, now);
    if (page && ++seen == pages) return i + 1;
  }
  return -1;
}

std::string fullPage(int firstId, int64_t ms, int n = 100, const std::string& total = "100000") {
  json rows = json::array();
  for (int i = 0; i < n; ++i) rows.push_back({{"id", firstId + i}, {"modifiedDate", formatLocal(ms + i, kVietnamOffsetMinutes, 7)}});
  return R"({"total":)" + total + R"(,"pageSize":100,"data":)" + dumpJson(rows) + "}";
}

TEST(FuzzRegression, BucketRefillAfterTheClockWentBack) {
  // fuzz_checkpoint (a stuck wait): a checkpoint whose bucket was last refilled 34 days
  // "in the future" (written by a machine whose clock runs ahead) left the bucket empty until
  // this clock caught up: the job waited in rate-limit steps forever. Now it refills from now.
  const int64_t ahead = kNow + 34LL * 86'400'000;
  auto job = jobFrom(runningCheckpoint(R"("from":1742381916447,"bucket":[0,)" + std::to_string(ahead) + "]"));
  ASSERT_TRUE(job.ok());
  int64_t now = kNow;
  int steps = stepsForPages(**job, 1, fullPage(1, kNow - 3'600'000), now);
  EXPECT_GT(steps, 0) << "the job never asked for a page";
  EXPECT_LE(now - kNow, 5'000) << "waited " << (now - kNow) << " ms for a bucket refill";
}

TEST(FuzzRegression, HugePlatformTotal) {
  // fuzz_checkpoint: {"total": 1e300} in a list body → static_cast<int64_t> UB.
  auto job = jobFrom("");
  ASSERT_TRUE(job.ok());
  int64_t now = kNow;
  ASSERT_GT(stepsForPages(**job, 1, fullPage(1, kNow - 3'600'000, 100, "1e300"), now), 0);
  auto total = (*job)->progress().total;
  ASSERT_TRUE(total.has_value());
  EXPECT_GE(*total, 100);
  EXPECT_LE(*total, 9007199254740992LL + 100);  // the remaining count is capped at 2^53
}

TEST(FuzzRegression, HugeCodesStatusesAndTimesInPlatformBodies) {
  // fuzz_normalize (CI, 2026-11-29): MISA {"ErrorType": 5e+200} → static_cast<int> UB in
  // serviceError. The same unchecked double → int cast sat on status codes, page numbers and
  // unix times in other connectors; all now go through toIntOr / toInt64. Every connector ×
  // entity reads each body (as a page and through classify) without UB: the asan preset aborts
  // on the first one, and a typed result comes back otherwise.
  const std::vector<std::string> bodies = {
      R"({"Code":200,"ErrorType":5e200,"Success":false,"Data":null})",
      R"({"Code":-5e200,"ErrorType":-1e300,"Success":false,"ErrorMessage":"x"})",
      R"({"data":[{"id":1,"code":"A","status":1e300,"statusValue":"x","createdDate":"2024-01-01T00:00:00"}],"total":1,"pageSize":100})",
      R"({"code":1,"data":{"paginator":{"next":null},"orders":[{"id":1,"status":-9e300,"createdAt":1e300,"updatedAt":-1e300}],"products":[{"id":2,"status":7e300,"updatedAt":5e299}]}})",
      R"({"data":[{"id":"1","status":1e300,"inserted_at":"2024-01-01T00:00:00"}],"page_number":1e300,"total_pages":-1e300})",
      R"({"orders":[{"id":1,"status":1e300,"financial_status":1e300}],"products":[{"id":1,"status":-1e300}]})",
      R"({"jsonrpc":"2.0","id":1,"result":[{"id":1e300,"write_date":"2024-01-01 00:00:00","state":1e300}]})",
      R"({"code":429,"data":{"lockedSeconds":1e300},"errorCode":"ERR_429","messages":"locked"})",
  };
  for (const auto& platform : allPlatforms()) {
    const Connector* c = findConnector(platform.id);
    if (c == nullptr) continue;
    for (Entity e : c->info().entities) {
      for (const std::string& body : bodies) {
        SCOPED_TRACE(c->info().id + " " + entityName(e) + " " + body);
        auto page = normalizeBody(c->info().id, entityName(e), body, NormalizeOptions{});
        if (!page) {
          EXPECT_NE(page.error().message, "");
        }
        for (int status : {200, 400, 429, 500}) {
          ResponseVerdict v = c->classifyPage(e, HttpResponse{status, {}, body, ""});
          if (v.retryAfterMs) {
            EXPECT_GE(*v.retryAfterMs, 0);
          }
        }
      }
    }
  }
  EXPECT_EQ(toIntOr(5e200, -7), -7);
  EXPECT_EQ(toIntOr(-5e200, -7), -7);
  EXPECT_EQ(toIntOr(kNaN, 3), 3);
  EXPECT_EQ(toIntOr(kInf, 3), 3);
  EXPECT_EQ(toIntOr(2147483647.0, 0), 2147483647);
  EXPECT_EQ(toIntOr(-12.9, 0), -12);
  EXPECT_EQ(toInt64Or(1e300, 42), 42);
}

TEST(FuzzRegression, GetflyBareDataFieldBetweenDataFields) {
  // fuzz_normalize (2026-11-29): a form body with data[a]=…, then a bare data=…, then
  // data[account_id]=… — the bare field replaced the object with a string and the next
  // data[...] indexed it (nlohmann type_error → abort without exceptions).
  const std::string body =
      "event=customer.deleted&secret_key=k&data%5Bfirst%5D=1&data=_ins&data%5Baccount_id%5D=42";
  auto page = normalizeBody("getfly", "customers", body, {});
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->removedIds.size(), 1u);
  EXPECT_EQ(page->removedIds[0], "42");
  // JSON text in the bare field is merged into the data object.
  auto merged = normalizeBody("getfly", "customers", "event=customer.deleted&data=%7B%22account_id%22%3A7%7D", {});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->removedIds.size(), 1u);
  EXPECT_EQ(merged->removedIds[0], "7");
}

TEST(FuzzRegression, KeptSetupWithoutLocationIdsListsLocationsAgain) {
  // Reviewed after the Getfly finding: the family's stock probe indexed learned["locIds"][0]
  // of a kept setup unchecked; one without ids (a checkpoint from elsewhere) lists again.
  for (const char* platform : {"sapo", "haravan"}) {
    const Connector* c = findConnector(platform);
    for (const json& learned : {json{{"stock", "probe"}}, json{{"stock", "probe"}, {"locIds", json::array()}},
                                json{{"stock", "probe"}, {"locIds", 5}}, json{{"stock", "probe"}, {"locIds", {nullptr}}}}) {
      auto r = c->setupRequest(Entity::Products, json::object(), learned);
      ASSERT_TRUE(r.has_value()) << platform << " " << learned.dump();
      EXPECT_NE(r->url.find("locations"), std::string::npos) << platform << " " << learned.dump();
    }
    auto probe = c->setupRequest(Entity::Products, json::object(), json{{"stock", "probe"}, {"locIds", {"77"}}});
    ASSERT_TRUE(probe.has_value());
    EXPECT_EQ(probe->query.front().second, "77");
  }
}

// --- fuzz_placeholders ---------------------------------------------------------------

TEST(FuzzRegression, PlaceholderRightAfterABrace) {
  // fuzz_placeholders: "{{{secret.a}}}" left the placeholder unfilled (sent as
  // text) because the scan took the first "{{" of the run of braces.
  std::map<std::string, std::string> secrets{{"a", "x"}, {"tok", "T"}};
  EXPECT_EQ(*fillSecretsIn("{{{secret.a}}}", secrets), "{x}");
  EXPECT_EQ(*fillSecretsIn(R"({"filter":{"id":{{secret.a}}}})", secrets), R"({"filter":{"id":x}})");
  EXPECT_EQ(*fillSecretsIn("{{{{secret.tok|base64}}", secrets), "{{VA==");
  EXPECT_EQ(*fillSecretsIn("{{not ours}} {{secret.a}}", secrets), "{{not ours}} x");
  // A stray "{{" earlier in the text took the placeholder's "}}" as its own.
  EXPECT_EQ(*fillSecretsIn("a {{ b {{secret.a}} c", secrets), "a {{ b x c");
  EXPECT_EQ(*fillSecretsIn("{{}} {{{}} {{secret.a}}", secrets), "{{}} {{{}} x");
  auto missing = fillSecretsIn("{{{secret.nope}}}", secrets);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidCredentials);
}

// --- found by review while fixing the bucket: platform call-limit headers ----------------

// A connector whose platform reports its remaining calls on every response (Haravan-style).
class CallLimitConnector final : public Connector {
 public:
  CallLimitConnector() {
    info_.id = "kiotviet";  // records/checkpoints only; never registered
    info_.displayName = "CallLimit";
    info_.entities = {Entity::Products};
  }
  double left = 0;
  const PlatformInfo& info() const override { return info_; }
  PagingPolicy paging(Entity) const override { return findConnector("kiotviet")->paging(Entity::Products); }
  RatePolicy rate() const override { return {1.0, 10, 0}; }
  HttpRequest pageRequest(const PageQuery& q) const override {
    HttpRequest r;
    r.url = "https://example.invalid/products";
    r.purpose = "page";
    r.query = {{"offset", std::to_string(q.offset)}};
    return r;
  }
  std::optional<double> remainingCalls(const HttpResponse&) const override { return left; }
  Result<Page> parsePage(Entity e, std::string_view body, const NormalizeOptions& o) const override {
    return findConnector("kiotviet")->parsePage(e, body, o);
  }

 private:
  PlatformInfo info_;
};

TEST(FuzzRegression, NoCallsLeftMeansWaitNotFullBucket) {
  // remainingCalls() == 0 set the bucket to -1, the "full at first use" sentinel: the engine
  // then fired a whole burst at a platform that had just said it had no call left.
  CallLimitConnector c;
  c.left = 0;
  SyncJob job(c, Entity::Products, json::object(), false);
  int64_t now = kNow;
  Step s = job.next(now);
  ASSERT_EQ(s.kind, Step::Kind::Request);
  job.receive(s.requestId, {200, {}, fullPage(1, kNow - 3'600'000), ""}, now);
  Step after = job.next(now);
  EXPECT_EQ(after.kind, Step::Kind::Wait) << "no call left: the next page must wait";
  EXPECT_GE(after.waitMs, 900);
}

// --- found by tests/js/faults.test.js: the engine against edits and deletions mid-sweep ---

// A list endpoint with KiotViet's query semantics (modifiedDate ascending, ties by id, an
// inclusive lastModifiedFrom in Vietnam local time, removeId since that time), driven in-process.
struct Shop {
  struct Row {
    int64_t id;
    int64_t modifiedMs;
    int version = 0;
  };
  std::vector<Row> rows;
  std::vector<std::pair<int64_t, int64_t>> removed;  // id, at

  HttpResponse serve(const HttpRequest& r) const {
    if (r.purpose == "auth") return kToken;
    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    int64_t offset = std::stoll(q["currentItem"]);
    int size = std::stoi(q["pageSize"]);
    std::optional<int64_t> from;
    if (q.count("lastModifiedFrom")) from = parseDateTime(q["lastModifiedFrom"], kVietnamOffsetMinutes);
    std::vector<Row> match;
    for (const auto& row : rows)
      if (!from || row.modifiedMs >= *from) match.push_back(row);
    std::sort(match.begin(), match.end(), [](const Row& a, const Row& b) {
      return a.modifiedMs != b.modifiedMs ? a.modifiedMs < b.modifiedMs : a.id < b.id;
    });
    json data = json::array();
    for (int64_t i = offset; i < static_cast<int64_t>(match.size()) && i < offset + size; ++i) {
      const Row& row = match[static_cast<size_t>(i)];
      data.push_back({{"id", row.id},
                      {"name", "v" + std::to_string(row.version)},
                      {"createdDate", "2020-01-01T08:00:00.0000000"},
                      {"modifiedDate", formatLocal(row.modifiedMs, kVietnamOffsetMinutes, 7)}});
    }
    json body = {{"total", match.size()}, {"pageSize", size}, {"data", data}};
    if (q["includeRemoveIds"] == "true") {
      json ids = json::array();
      for (auto [id, at] : removed)
        if (!from || at >= *from) ids.push_back(id);
      body["removeId"] = ids;
    }
    return {200, {}, dumpJson(body), ""};
  }
  void touch(int64_t id, int64_t now) {
    for (auto& row : rows)
      if (row.id == id) row = {id, now, row.version + 1};
  }
  void remove(int64_t id, int64_t now) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const Row& r) { return r.id == id; }), rows.end());
    removed.emplace_back(id, now);
  }
};

// Runs a job to its end; `between(page)` runs after each page answer. Applies records to a
// store the way a caller does (latest updatedAt wins, tombstones delete).
struct StoreRun {
  std::map<std::string, Record> store;
  int64_t now = kNow;
  std::string checkpoint;
  void run(SyncJob& job, Shop& shop, const std::function<void(int)>& between = {}, int64_t pageCostMs = 1000) {
    int pages = 0;
    for (int i = 0; i < 1000; ++i) {
      Step s = job.next(now);
      if (s.kind == Step::Kind::Done) break;
      ASSERT_NE(s.kind, Step::Kind::Failed) << s.error.detail;
      if (s.kind == Step::Kind::Wait) {
        now += s.waitMs;
        continue;
      }
      job.receive(s.requestId, shop.serve(s.request), now);
      now += pageCostMs;
      for (auto& r : job.takeRecords()) {
        if (r.deleted) store.erase(r.externalId);
        else if (!store.count(r.externalId) || r.updatedAtMs >= store[r.externalId].updatedAtMs) store[r.externalId] = r;
      }
      if (s.request.purpose == "page" && between) between(++pages);
    }
    ASSERT_TRUE(job.finished());
    checkpoint = job.checkpoint();
  }
  void expectEquals(const Shop& shop) {
    std::map<std::string, int64_t> want;
    for (const auto& r : shop.rows) want[std::to_string(r.id)] = r.modifiedMs;
    std::map<std::string, int64_t> got;
    for (const auto& [id, r] : store) got[id] = r.updatedAtMs.value_or(-1);
    EXPECT_EQ(got, want);
  }
};

std::unique_ptr<SyncJob> kvJob(const std::string& checkpoint = "") {
  auto job = jobFrom(checkpoint);
  EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().detail);
  return std::move(job.value());
}

// 60 ordinary rows, then a bulk import: 120 rows sharing one modifiedDate (a tie group wider
// than a page; page 1 ends inside it, so its rows 2000..2039 form the re-anchor window), then
// `after` more rows.
Shop bulkShop(int after = 30) {
  Shop shop;
  const int64_t base = kNow - 40LL * 86'400'000;
  for (int i = 0; i < 60; ++i) shop.rows.push_back({1000 + i, base + i * 60'000});
  for (int i = 0; i < 120; ++i) shop.rows.push_back({2000 + i, base + 86'400'000});
  for (int i = 0; i < after; ++i) shop.rows.push_back({3000 + i, base + 2 * 86'400'000 + i * 60'000});
  return shop;
}

TEST(FaultRegression, EditedWindowRowIsEmittedAgain) {
  // A row already read in the re-anchor window, edited between pages, comes back at the end
  // of the list with a newer modifiedDate; it was dropped as a re-read duplicate (store stale
  // until the next run).
  Shop shop = bulkShop(0);  // page 2 is the last: the edited row comes back while in the window
  StoreRun s;
  auto job = kvJob();
  s.run(*job, shop, [&](int page) {
    if (page == 1) shop.touch(2030, s.now);  // read on page 1, inside the tie group
  });
  s.expectEquals(shop);
}

TEST(FaultRegression, MoreWindowEditsThanRereadRowsLoseNothing) {
  // Three rows of the window edited (or deleted) between two pages: the re-read margin (2
  // rows) no longer covers the shift and an unread row fell behind the offset, lost for good
  // (it is not modified, so no incremental run returns it). Now detected and re-read.
  for (bool deleteThem : {false, true}) {
    Shop shop = bulkShop(0);
    StoreRun s;
    auto job = kvJob();
    s.run(*job, shop, [&](int page) {
      if (page != 1) return;
      for (int64_t id : {2001, 2010, 2020}) {  // read on page 1, in the window: 2040 shifts to 37 < 38
        if (deleteThem) shop.remove(id, s.now);
        else shop.touch(id, s.now);
      }
    });
    for (const auto& r : shop.rows) EXPECT_TRUE(s.store.count(std::to_string(r.id))) << "lost " << r.id << (deleteThem ? " (deletions)" : " (edits)");
  }
}

TEST(FaultRegression, DeletionsDuringALongSweepReachTheNextRun) {
  // A full sweep lasting longer than the 5-minute overlap: a row deleted early in it (after it
  // was read) was never reported, because the next run asked for deletions only from the
  // newest record's time − 5 min. Now from the previous run's start.
  Shop shop = bulkShop();
  StoreRun s;
  auto job = kvJob();
  s.run(*job, shop, [&](int page) {
    if (page == 1) shop.remove(1005, s.now);             // read on page 1
    if (page == 2) shop.touch(3005, s.now + 3'600'000);  // an edit an hour later: the watermark
  }, 30 * 60'000 /* 30 minutes a page: rate limits */);
  s.now += 86'400'000;
  auto inc = kvJob(s.checkpoint);
  s.run(*inc, shop);
  EXPECT_EQ(inc->progress().mode, "incremental");
  s.expectEquals(shop);
  EXPECT_FALSE(s.store.count("1005")) << "deleted row left in the store";
}

TEST(FaultRegression, KiotVietRowsWithoutModifiedDateSortByCreatedDate) {
  // Never-edited KiotViet branches carry no modifiedDate: the page had no sort key, the run no
  // watermark, every later run was full and never asked for removedIds (deleted branches
  // stayed). createdDate is the fallback sort key.
  auto page = normalizeBody("kiotviet", "locations",
                            R"({"total":1,"pageSize":100,"data":[{"id":7,"branchName":"CN1","createdDate":"2024-01-02T03:04:05.0000000"}]})",
                            {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->sortKeys.size(), 1u);
  EXPECT_EQ(page->sortKeys[0], parseDateTime("2024-01-02T03:04:05", kVietnamOffsetMinutes));
}

}  // namespace
}  // namespace storelink
