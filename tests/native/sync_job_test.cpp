// The sync engine against an in-process KiotViet double that keeps the real API's query
// semantics (offset paging over modifiedDate ascending, inclusive lastModifiedFrom, removeId,
// pageSize ≤ 100, TokenException). Secrets go through fillSecrets/keepSecrets as in the proxy.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "storelink/normalize.hpp"
#include "storelink/platforms.hpp"
#include "storelink/sync_job.hpp"

namespace storelink {
namespace {

struct Row {
  int64_t id;
  int64_t modifiedMs;
  std::string name;
};

class FakeKiotViet {
 public:
  std::vector<Row> rows;
  std::vector<std::pair<int64_t, int64_t>> removed;  // id, deletedAtMs
  std::deque<HttpResponse> scripted;                 // answered before anything else
  std::string clientSecret = "s3cret";
  int64_t tokenTtlMs = 24 * 3600 * 1000;
  int tokensIssued = 0;
  std::vector<HttpRequest> log;  // filled requests, as the platform saw them

  void revokeTokens() { tokenExpiry_.clear(); }

  HttpResponse handle(const HttpRequest& r, int64_t nowMs) {
    log.push_back(r);
    if (!scripted.empty()) {
      HttpResponse s = scripted.front();
      scripted.pop_front();
      return s;
    }
    if (r.url == "https://id.kiotviet.vn/connect/token") {
      if (r.body.find("client_secret=" + clientSecret) == std::string::npos ||
          r.body.find("scopes=PublicApi.Access") == std::string::npos) {
        return {400, {}, R"({"error":"invalid_client"})", ""};
      }
      std::string token = "tok" + std::to_string(++tokensIssued);
      tokenExpiry_[token] = nowMs + tokenTtlMs;
      return {200, {}, R"({"access_token":")" + token + R"(","expires_in":)" + std::to_string(tokenTtlMs / 1000) +
                           R"(,"token_type":"Bearer"})", ""};
    }
    std::string auth, retailer;
    for (const auto& [k, v] : r.headers) {
      if (k == "Authorization") auth = v;
      if (k == "Retailer") retailer = v;
    }
    auto t = tokenExpiry_.find(auth.substr(7));
    if (auth.rfind("Bearer ", 0) != 0 || t == tokenExpiry_.end() || nowMs >= t->second || retailer != "demoshop") {
      return {401, {}, R"({"responseStatus":{"errorCode":"TokenException","message":"Token không hợp lệ","errors":[]}})", ""};
    }
    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    int pageSize = q.count("pageSize") ? std::stoi(q["pageSize"]) : 20;
    if (pageSize > 100) return {400, {}, R"({"responseStatus":{"errorCode":"BadRequest","message":"pageSize tối đa 100"}})", ""};
    int64_t offset = q.count("currentItem") ? std::stoll(q["currentItem"]) : 0;
    std::optional<int64_t> from;
    if (q.count("lastModifiedFrom")) from = parseDateTime(q["lastModifiedFrom"], kVietnamOffsetMinutes);
    std::vector<Row> match;
    for (const auto& row : rows)
      if (!from || row.modifiedMs >= *from) match.push_back(row);
    std::sort(match.begin(), match.end(), [](const Row& a, const Row& b) {
      return a.modifiedMs != b.modifiedMs ? a.modifiedMs < b.modifiedMs : a.id < b.id;
    });
    json body = {{"total", match.size()}, {"pageSize", pageSize}, {"data", json::array()}};
    for (int64_t i = offset; i < static_cast<int64_t>(match.size()) && i < offset + pageSize; ++i) {
      const Row& row = match[i];
      body["data"].push_back({{"id", row.id},
                              {"code", "SP" + std::to_string(row.id)},
                              {"name", row.name},
                              {"createdDate", "2020-01-01T08:00:00.0000000"},
                              {"modifiedDate", formatLocal(row.modifiedMs, kVietnamOffsetMinutes, 7)}});
    }
    if (q["includeRemoveIds"] == "true" && from) {
      json ids = json::array();
      for (auto [id, at] : removed)
        if (at >= *from) ids.push_back(id);
      body["removeId"] = ids;
    }
    return {200, {}, dumpJson(body), ""};
  }

  void touch(int64_t id, int64_t nowMs, const std::string& name) {
    for (auto& row : rows)
      if (row.id == id) {
        row.modifiedMs = nowMs;
        row.name = name;
      }
  }
  void remove(int64_t id, int64_t nowMs) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const Row& r) { return r.id == id; }), rows.end());
    removed.emplace_back(id, nowMs);
  }

 private:
  std::map<std::string, int64_t> tokenExpiry_;
};

constexpr int64_t kT0 = 1'740'000'000'000;  // 2025-02-19

// Drives a job like runSync does: secrets filled and tokens kept as the proxy would.
struct Driver {
  explicit Driver(FakeKiotViet& s) : server(s) {}
  FakeKiotViet& server;
  int64_t now = kT0 + 86'400'000LL * 30;
  int64_t requestCostMs = 40;
  std::map<std::string, std::string> vault{{"retailer", "demoshop"}, {"clientId", "id-1"}, {"clientSecret", "s3cret"}};
  std::vector<Record> records;
  std::vector<int64_t> pageRequestTimes;
  std::function<void(int)> afterPage;  // called with the page number, between pages
  int pagesSeen = 0;

  Step run(SyncJob& job, int maxSteps = 100000) {
    Step s;
    for (int i = 0; i < maxSteps; ++i) {
      s = job.next(now);
      if (s.kind == Step::Kind::Done || s.kind == Step::Kind::Failed) return s;
      if (s.kind == Step::Kind::Wait) {
        now += s.waitMs;
        continue;
      }
      auto filled = fillSecrets(s.request, vault);
      EXPECT_TRUE(filled.ok());
      HttpResponse resp = server.handle(*filled, now);
      if (s.request.purpose == "page") pageRequestTimes.push_back(now);
      auto kept = keepSecretsFromBody(s.request, resp.body);
      for (auto& [k, v] : kept.captured) vault[k] = v;
      resp.body = kept.body;
      now += requestCostMs;
      job.receive(s.requestId, resp, now);
      for (auto& r : job.takeRecords()) records.push_back(std::move(r));
      if (s.request.purpose == "page" && resp.status == 200 && afterPage) afterPage(++pagesSeen);
    }
    ADD_FAILURE() << "job did not finish";
    return s;
  }
};

std::unique_ptr<SyncJob> makeJob(const std::string& entity = "products", const std::string& checkpoint = "",
                                  const std::string& mode = "auto") {
  SyncOptions o;
  o.platform = "kiotviet";
  o.entity = entity;
  o.checkpoint = checkpoint;
  o.mode = mode;
  o.seed = 42;
  auto job = SyncJob::create(o);
  EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().detail);
  return job.ok() ? std::move(job.value()) : nullptr;
}

// 537 rows; 150 of them share one timestamp (a bulk import), the rest spread over days.
FakeKiotViet seeded(int n = 537) {
  FakeKiotViet s;
  for (int i = 0; i < n; ++i) {
    int64_t id = 1'000'000 + i * 7;
    int64_t ms = (i >= 200 && i < 350) ? kT0 + 5'000'000 : kT0 + static_cast<int64_t>(i) * 60'000;
    s.rows.push_back({id, ms, "Sản phẩm " + std::to_string(i)});
  }
  return s;
}

std::multiset<std::string> idsOf(const std::vector<Record>& rs, bool tombstones = false) {
  std::multiset<std::string> ids;
  for (const auto& r : rs) {
    if (r.deleted == tombstones) ids.insert(r.externalId);
  }
  return ids;
}

std::set<std::string> allIds(const FakeKiotViet& s) {
  std::set<std::string> ids;
  for (const auto& r : s.rows) ids.insert(std::to_string(r.id));
  return ids;
}

TEST(SyncJob, FullSyncEmitsEveryRowExactlyOnce) {
  FakeKiotViet server = seeded();
  Driver d(server);
  auto job = makeJob();
  Step end = d.run(*job);
  ASSERT_EQ(end.kind, Step::Kind::Done);
  auto ids = idsOf(d.records);
  EXPECT_EQ(ids.size(), 537u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), allIds(server));  // no duplicate, no gap
  // 1 token + ⌈537 / 98⌉ pages (two rows re-read at each re-anchor).
  EXPECT_EQ(server.tokensIssued, 1);
  EXPECT_LE(job->progress().requests, 1 + 6);
  EXPECT_EQ(job->progress().fetched, 537);
  EXPECT_EQ(job->progress().total, 537);
  for (const auto& r : server.log) {
    for (const auto& [k, v] : r.query) {
      if (k == "pageSize") {
        EXPECT_LE(std::stoi(v), 100);
      }
    }
  }
}

TEST(SyncJob, ChangesDuringTheSweepNeverSkipARow) {
  FakeKiotViet server = seeded(800);
  Driver d(server);
  int64_t nextId = 9'000'000;
  // Between pages: update rows ahead of and behind the cursor, delete one, insert one.
  std::unique_ptr<SyncJob> job;
  d.afterPage = [&](int page) {
    if (job->finished()) return;  // changes after the last page belong to the next run
    server.touch(1'000'000 + ((page * 37) % 800) * 7, d.now, "đã sửa " + std::to_string(page));
    server.touch(1'000'000 + ((page * 11) % 800) * 7, d.now, "đã sửa lần 2 " + std::to_string(page));
    if (page % 2 == 0) server.remove(1'000'000 + ((page * 53 + 5) % 800) * 7, d.now);
    server.rows.push_back({nextId++, d.now, "mới " + std::to_string(page)});
  };
  job = makeJob();
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  std::map<std::string, std::string> last;  // id → last emitted name
  for (const auto& r : d.records) last[r.externalId] = *std::get<Product>(r.body).name;
  for (const auto& row : server.rows) {
    auto it = last.find(std::to_string(row.id));
    ASSERT_NE(it, last.end()) << "row " << row.id << " was skipped";
    EXPECT_EQ(it->second, row.name) << "stale version of " << row.id;
  }
}

TEST(SyncJob, ResumesFromACheckpointWithoutDuplicateOrGap) {
  FakeKiotViet server = seeded();
  Driver d(server);
  auto first = makeJob();
  std::string checkpoint;
  d.afterPage = [&](int page) {
    if (page == 3) {
      checkpoint = first->checkpoint();
      first->cancel();  // the tab was closed
    }
  };
  Step s = d.run(*first);
  ASSERT_EQ(s.kind, Step::Kind::Failed);
  EXPECT_EQ(s.error.code, ErrorCode::Cancelled);
  ASSERT_FALSE(checkpoint.empty());
  size_t before = d.records.size();
  EXPECT_GT(before, 250u);
  EXPECT_LT(before, 537u);

  d.afterPage = nullptr;
  auto second = makeJob("products", checkpoint);
  ASSERT_EQ(d.run(*second).kind, Step::Kind::Done);
  auto ids = idsOf(d.records);
  EXPECT_EQ(ids.size(), 537u) << "duplicates or gaps across the resume";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), allIds(server));
  EXPECT_EQ(second->progress().fetched, 537);  // counts carried over
}

TEST(SyncJob, IncrementalRunReadsOnlyChangesAndTombstones) {
  FakeKiotViet server = seeded();
  Driver d(server);
  auto full = makeJob();
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  std::string done = full->checkpoint();
  EXPECT_NE(done.find("\"state\":\"done\""), std::string::npos);

  d.now += 3'600'000;
  for (int i = 0; i < 5; ++i) server.touch(1'000'000 + i * 7, d.now, "giá mới");
  server.remove(1'000'000 + 10 * 7, d.now);
  server.remove(1'000'000 + 11 * 7, d.now);
  d.records.clear();
  server.log.clear();

  auto inc = makeJob("products", done);
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  EXPECT_EQ(inc->progress().mode, "incremental");
  // The 5 changed rows, plus the rows inside the 5-minute overlap before the watermark, which
  // are re-read on purpose (a late commit there would otherwise be missed); nothing else.
  auto changed = idsOf(d.records);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(changed.count(std::to_string(1'000'000 + i * 7)), 1u);
  for (const auto& r : d.records) {
    if (r.deleted || std::get<Product>(r.body).name == "giá mới") continue;
    EXPECT_GE(*r.updatedAtMs, kT0 + 536LL * 60'000 - 5 * 60'000) << r.externalId;
  }
  EXPECT_EQ(changed.size(), 5u + 6u);
  EXPECT_EQ(idsOf(d.records, true), (std::multiset<std::string>{"1000070", "1000077"}));
  // token + one page: the minimum.
  EXPECT_EQ(inc->progress().requests, 2);
  const HttpRequest& page = server.log.back();
  std::map<std::string, std::string> q(page.query.begin(), page.query.end());
  EXPECT_EQ(q["includeRemoveIds"], "true");
  EXPECT_EQ(q["orderBy"], "modifiedDate");
  ASSERT_TRUE(q.count("lastModifiedFrom"));
  // watermark (newest row of the full run) − 5 min overlap, sent as Vietnam local time.
  int64_t newest = kT0 + 536LL * 60'000;
  EXPECT_EQ(q["lastModifiedFrom"], formatLocal(newest - 5 * 60'000, kVietnamOffsetMinutes, 3));
}

TEST(SyncJob, RateLimitedResponsesWaitAndContinue) {
  FakeKiotViet server = seeded(150);
  Driver d(server);
  HttpResponse tooMany{429, {}, R"({"responseStatus":{"errorCode":"TooManyRequests","message":"Quá nhiều yêu cầu"}})", ""};
  HttpResponse withHint = tooMany;
  withHint.headers["retry-after"] = "7";
  auto job = makeJob();
  job->next(d.now);  // the token request
  server.scripted = {};
  Step first = job->next(d.now);
  ASSERT_EQ(first.kind, Step::Kind::Request);
  // Feed the token, then two 429s for the first page.
  job->receive(first.requestId, {200, {}, R"({"access_token":"{{secret.accessToken}}","expires_in":86400})", ""}, d.now);
  d.vault["accessToken"] = "tok-manual";
  server.tokensIssued = 0;
  Step page = job->next(d.now);
  ASSERT_EQ(page.kind, Step::Kind::Request);
  job->receive(page.requestId, withHint, d.now);
  Step wait = job->next(d.now);
  ASSERT_EQ(wait.kind, Step::Kind::Wait);
  EXPECT_EQ(wait.waitMs, 7000);  // Retry-After honoured exactly
  EXPECT_EQ(wait.waitReason, "retry_after");
  d.now += 7000;
  page = job->next(d.now);
  job->receive(page.requestId, tooMany, d.now);
  wait = job->next(d.now);
  ASSERT_EQ(wait.kind, Step::Kind::Wait);
  EXPECT_GE(wait.waitMs, 1000);  // backoff without a hint
  EXPECT_EQ(wait.waitReason, "rate_limit");
  EXPECT_EQ(job->progress().retries, 2);
}

TEST(SyncJob, TransientFailuresAreRetriedThenTheSyncCompletes) {
  FakeKiotViet server = seeded(250);
  Driver d(server);
  int injected = 0;
  d.afterPage = [&](int page) {
    if (page == 1) {
      server.scripted.push_back({503, {}, "Service Unavailable", ""});
      server.scripted.push_back({0, {}, "", "timeout"});
      server.scripted.push_back({200, {}, R"({"total":250,"pageSize":100,"data":[{"id":1,)", ""});  // truncated
      server.scripted.push_back({502, {}, "", ""});
      injected = 4;
    }
  };
  auto job = makeJob();
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(injected, 4);
  EXPECT_EQ(job->progress().retries, 4);
  auto ids = idsOf(d.records);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), allIds(server));
  EXPECT_EQ(ids.size(), 250u);
}

TEST(SyncJob, PersistentServerErrorsFailWithATypedErrorAndAResumableCheckpoint) {
  FakeKiotViet server = seeded(250);
  Driver d(server);
  d.afterPage = [&](int page) {
    if (page == 1)
      for (int i = 0; i < 20; ++i) server.scripted.push_back({500, {}, "oops", ""});
  };
  auto job = makeJob();
  Step s = d.run(*job);
  ASSERT_EQ(s.kind, Step::Kind::Failed);
  EXPECT_EQ(s.error.code, ErrorCode::ServerError);
  EXPECT_FALSE(s.error.message.empty());
  std::string cp = job->checkpoint();
  EXPECT_NE(cp.find("\"state\":\"running\""), std::string::npos);
  server.scripted.clear();
  d.afterPage = nullptr;
  auto resumed = makeJob("products", cp);
  ASSERT_EQ(d.run(*resumed).kind, Step::Kind::Done);
  auto ids = idsOf(d.records);
  EXPECT_EQ(ids.size(), 250u);
}

TEST(SyncJob, ExpiredTokenIsRefreshedOnceAndTheSyncGoesOn) {
  FakeKiotViet server = seeded(450);
  Driver d(server);
  d.afterPage = [&](int page) {
    if (page == 2) server.revokeTokens();
  };
  auto job = makeJob();
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(server.tokensIssued, 2);
  EXPECT_EQ(idsOf(d.records).size(), 450u);
}

TEST(SyncJob, TokenLifetimeFromTheResponseIsHonoured) {
  FakeKiotViet server = seeded(450);
  server.tokenTtlMs = 60'000;  // much shorter than the documented 24 h
  Driver d(server);
  d.requestCostMs = 20'000;
  auto job = makeJob();
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_GE(server.tokensIssued, 2);
  for (const auto& r : server.log) EXPECT_NE(r.url, "");  // no 401 loop: every page succeeded
  EXPECT_EQ(job->progress().retries, 0);
}

TEST(SyncJob, WrongCredentialsFailFastWithAReadableMessage) {
  FakeKiotViet server = seeded(10);
  server.clientSecret = "other";
  Driver d(server);
  auto job = makeJob();
  Step s = d.run(*job);
  ASSERT_EQ(s.kind, Step::Kind::Failed);
  EXPECT_EQ(s.error.code, ErrorCode::InvalidCredentials);
  EXPECT_NE(s.error.message.find("Mã bảo mật"), std::string::npos);
  EXPECT_EQ(job->progress().requests, 1);
}

TEST(SyncJob, PacingStaysUnderTheHourlyBudget) {
  FakeKiotViet server = seeded(50'000);
  Driver d(server);
  d.requestCostMs = 5;
  auto job = makeJob();
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  const auto& t = d.pageRequestTimes;
  ASSERT_GT(t.size(), 250u);
  // Never more than 10 requests per second, and never more than 5,000 in any hour; the
  // burst of 100 is followed by the sustained rate of 4,900/h.
  for (size_t i = 1; i < t.size(); ++i) EXPECT_GE(t[i] - t[i - 1], 100);
  for (size_t i = 0, j = 0; i < t.size(); ++i) {
    while (t[i] - t[j] >= 3'600'000) ++j;
    ASSERT_LE(i - j + 1, 5000u);
  }
  // Sustained rate, measured after the initial burst has drained.
  double sustained = (t.size() - 1 - 200) / ((t.back() - t[200]) / 3'600'000.0);
  EXPECT_GT(sustained, 4900 * 0.97);
  EXPECT_LE(sustained, 4900 * 1.01);
}

TEST(SyncJob, BadOptionsAndCheckpointsAreTypedErrors) {
  SyncOptions o;
  o.platform = "kiotviet";
  o.entity = "invoices";
  EXPECT_EQ(SyncJob::create(o).error().field, "entity");
  o.entity = "products";
  o.checkpoint = "garbage";
  EXPECT_EQ(SyncJob::create(o).error().code, ErrorCode::InvalidInput);
  o.checkpoint = R"({"v":1,"platform":"kiotviet","entity":"orders","state":"done","watermark":1})";
  EXPECT_EQ(SyncJob::create(o).error().field, "checkpoint");
  o.checkpoint = "";
  o.settings = {{"branchId", "abc"}};
  EXPECT_EQ(SyncJob::create(o).error().field, "branchId");
  o.settings = {{"branchId", 15132}};
  EXPECT_TRUE(SyncJob::create(o).ok());
  for (const auto& p : allPlatforms()) {  // listed but not built yet
    if (p.status != "coming_soon") continue;
    o.platform = p.id;
    auto planned = SyncJob::create(o);
    ASSERT_FALSE(planned.ok()) << p.id;
    EXPECT_EQ(planned.error().code, ErrorCode::Unsupported) << p.id;
  }
}

TEST(SyncJob, BranchSettingFiltersOrdersAndProducts) {
  SyncOptions o;
  o.platform = "kiotviet";
  o.entity = "orders";
  o.settings = {{"branchId", 15132}};
  auto job = std::move(SyncJob::create(o).value());
  Step token = job->next(kT0);
  job->receive(token.requestId, {200, {}, R"({"access_token":"x","expires_in":86400})", ""}, kT0);
  Step page = job->next(kT0);
  ASSERT_EQ(page.kind, Step::Kind::Request);
  std::map<std::string, std::string> q(page.request.query.begin(), page.request.query.end());
  EXPECT_EQ(q["branchIds"], "15132");
  EXPECT_EQ(q["includePayment"], "true");
  EXPECT_EQ(page.request.url, "https://public.kiotapi.com/orders");
  // Credentials only ever appear as placeholders.
  EXPECT_EQ(page.request.headers[1].second, "Bearer {{secret.accessToken}}");
  EXPECT_NE(token.request.body.find("{{secret.clientSecret|urlencode}}"), std::string::npos);
}

}  // namespace
}  // namespace storelink
