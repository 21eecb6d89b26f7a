// The sync engine through the Sapo and Haravan connectors, against an in-process double that
// keeps the platforms' query semantics: `page`/`limit` paging, an inclusive modified-since
// filter, `order` by update time (or ignored), Sapo's order statuses (`status=any` answers
// nothing, no status = open only), Haravan's events feed, and the leaky bucket with its
// call-limit header and 429 + Retry-After. Exercises PagingPolicy::pageNumbered and
// PagingPolicy::partitions end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "storelink/normalize.hpp"
#include "storelink/sync_job.hpp"

namespace storelink {
namespace {

constexpr int64_t kT0 = 1'740'000'000'000;  // 2025-02-19

struct Row {
  int64_t id;
  int64_t modifiedMs;
  std::string name;
  std::string status = "open";  // orders
};

class FakeShop {
 public:
  enum class Kind { Sapo, Haravan };
  explicit FakeShop(Kind k) : kind(k) {
    bucketSize = k == Kind::Sapo ? 40 : 80;
    leakPerSecond = k == Kind::Sapo ? 2 : 4;
    maxLimit = k == Kind::Sapo ? 250 : 50;
  }

  Kind kind;
  std::vector<Row> rows;
  std::vector<std::pair<int64_t, int64_t>> destroyed;  // product id, when (events feed)
  std::deque<HttpResponse> scripted;
  std::vector<HttpRequest> log;
  bool honourOrder = true;
  double bucketSize, leakPerSecond;
  int maxLimit;
  double otherAppCallsPerSecond = 0;  // another app of the shop spending the same bucket
  int rateLimited = 0;

  HttpResponse handle(const HttpRequest& r, int64_t nowMs) {
    log.push_back(r);
    if (!scripted.empty()) {
      HttpResponse s = scripted.front();
      scripted.pop_front();
      return s;
    }
    const std::string limitHeader = kind == Kind::Sapo ? "x-sapo-api-call-limit" : "x-haravan-api-call-limit";
    // The leaky bucket, drained continuously; the other app adds its calls as they happen.
    if (levelAtMs_ >= 0) {
      double dt = static_cast<double>(nowMs - levelAtMs_) / 1000.0;
      level_ = std::max(0.0, level_ + dt * otherAppCallsPerSecond - dt * leakPerSecond);
      level_ = std::min(level_, bucketSize);
    }
    levelAtMs_ = nowMs;
    if (level_ + 1 > bucketSize + 1e-9) {
      ++rateLimited;
      double wait = (level_ + 1 - bucketSize) / leakPerSecond;
      char ra[32];
      std::snprintf(ra, sizeof ra, "%.1f", std::ceil(wait * 10) / 10);
      return {429, {{limitHeader, fmtLimit(bucketSize)}, {"retry-after", ra}}, R"({"errors":"Exceeded call limit"})", ""};
    }
    level_ += 1;
    std::map<std::string, std::string> h{{limitHeader, fmtLimit(level_)}};

    std::string auth;
    for (const auto& [k, v] : r.headers)
      if (k == "Authorization") auth = v;
    const std::string want = kind == Kind::Sapo ? "Basic " + base64Encode("key-1:secret-1") : "Bearer tok-1";
    if (auth != want) return {401, h, R"({"errors":"[API] Invalid API key or access token"})", ""};

    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    int limit = q.count("limit") ? std::stoi(q["limit"]) : 50;
    if (limit > maxLimit) return {400, h, R"({"errors":"limit too large"})", ""};
    int page = q.count("page") ? std::stoi(q["page"]) : 1;
    pages.push_back(page);

    const bool events = r.url.find("/events.json") != std::string::npos;
    if (events) {
      json list = json::array();
      auto from = q.count("created_at_min") ? parseDateTime(q["created_at_min"], kVietnamOffsetMinutes) : std::nullopt;
      std::vector<std::pair<int64_t, int64_t>> match;
      for (auto d : destroyed)
        if (!from || d.second >= *from) match.push_back(d);
      for (size_t i = (page - 1) * limit; i < match.size() && i < static_cast<size_t>(page * limit); ++i) {
        list.push_back({{"id", 900000 + i}, {"subject_id", match[i].first}, {"subject_type", "Product"}, {"verb", "destroy"},
                        {"created_at", formatIsoUtc(match[i].second)}});
      }
      return {200, h, dumpJson(json{{"events", list}}), ""};
    }

    const bool orders = r.url.find("/orders.json") != std::string::npos;
    const std::string minKey = kind == Kind::Sapo ? "modified_on_min" : "updated_at_min";
    std::optional<int64_t> from;
    if (q.count(minKey)) from = parseDateTime(q[minKey], 0);
    std::vector<Row> match;
    for (const auto& row : rows) {
      if (from && row.modifiedMs < *from) continue;
      if (orders && kind == Kind::Sapo) {
        std::string st = q.count("status") ? q["status"] : "open";  // documented default
        if (st == "any") continue;  // live quirk: status=any answers an empty list
        if (row.status != st) continue;
      }
      match.push_back(row);
    }
    const std::string wantOrder = kind == Kind::Sapo ? "modified_on asc" : "updated_at asc";
    if (honourOrder && q["order"] == wantOrder) {
      std::sort(match.begin(), match.end(), [](const Row& a, const Row& b) {
        return a.modifiedMs != b.modifiedMs ? a.modifiedMs < b.modifiedMs : a.id < b.id;
      });
    } else {
      std::sort(match.begin(), match.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
    }
    json list = json::array();
    const std::string createdKey = kind == Kind::Sapo ? "created_on" : "created_at";
    const std::string updatedKey = kind == Kind::Sapo ? "modified_on" : "updated_at";
    for (size_t i = (page - 1) * static_cast<size_t>(limit); i < match.size() && i < static_cast<size_t>(page) * limit; ++i) {
      const Row& row = match[i];
      json o = {{"id", row.id}, {createdKey, formatIsoUtc(kT0 - 86'400'000)}, {updatedKey, formatIsoUtc(row.modifiedMs)}};
      if (orders) {
        o["name"] = "#" + std::to_string(row.id);
        o["status"] = row.status;
        o["note"] = row.name;
        o["financial_status"] = "paid";
      } else {
        o[kind == Kind::Sapo ? "name" : "title"] = row.name;
        o["variants"] = json::array({{{"id", row.id * 10}, {"price", 100000}, {"inventory_quantity", 3}}});
      }
      list.push_back(o);
    }
    const char* key = orders ? "orders" : r.url.find("/locations.json") != std::string::npos ? "locations" : "products";
    return {200, h, dumpJson(json{{key, list}}), ""};
  }

  void touch(int64_t id, int64_t nowMs, const std::string& name, const std::string& status = "") {
    for (auto& row : rows) {
      if (row.id != id) continue;
      row.modifiedMs = roundTime(nowMs);
      row.name = name;
      if (!status.empty()) row.status = status;
    }
  }
  void remove(int64_t id, int64_t nowMs) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const Row& r) { return r.id == id; }), rows.end());
    destroyed.emplace_back(id, nowMs);
  }
  // Sapo timestamps have whole seconds; Haravan's milliseconds.
  int64_t roundTime(int64_t ms) const { return kind == Kind::Sapo ? ms - ms % 1000 : ms; }

  std::vector<int> pages;

 private:
  std::string fmtLimit(double used) const {
    return std::to_string(static_cast<int>(std::ceil(used - 1e-9))) + "/" + std::to_string(static_cast<int>(bucketSize));
  }
  double level_ = 0;
  int64_t levelAtMs_ = -1;
};

struct Driver {
  explicit Driver(FakeShop& s) : shop(s) {}
  FakeShop& shop;
  int64_t now = kT0 + 86'400'000LL * 30;
  int64_t requestCostMs = 30;
  std::map<std::string, std::string> vault{{"store", "demoshop"}, {"apiKey", "key-1"}, {"apiSecret", "secret-1"},
                                           {"shop", "ten-shop"}, {"accessToken", "tok-1"}};
  std::vector<Record> records;
  std::vector<int64_t> sentAt;
  std::function<void(int)> afterPage;
  int pagesSeen = 0;

  Step run(SyncJob& job, int maxSteps = 200000) {
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
      sentAt.push_back(now);
      HttpResponse resp = shop.handle(*filled, now);
      now += requestCostMs;
      job.receive(s.requestId, resp, now);
      for (auto& r : job.takeRecords()) records.push_back(std::move(r));
      if (resp.status == 200 && afterPage) afterPage(++pagesSeen);
    }
    ADD_FAILURE() << "job did not finish";
    return s;
  }
};

std::unique_ptr<SyncJob> makeJob(const std::string& platform, const std::string& entity, const std::string& checkpoint = "",
                                  int maxPages = 0) {
  SyncOptions o;
  o.platform = platform;
  o.entity = entity;
  o.checkpoint = checkpoint;
  o.seed = 7;
  o.maxPages = maxPages;
  auto job = SyncJob::create(o);
  EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().detail);
  return job.ok() ? std::move(job.value()) : nullptr;
}

void seed(FakeShop& s, int n, int64_t stepMs = 60'000) {
  for (int i = 0; i < n; ++i) s.rows.push_back({2'000'000 + i * 3, s.roundTime(kT0 + i * stepMs), "Sản phẩm " + std::to_string(i)});
}

std::string nameOf(const Record& r) {
  if (const auto* p = std::get_if<Product>(&r.body)) return p->name.value_or("");
  if (const auto* o = std::get_if<Order>(&r.body)) return o->note.value_or("");
  return "";
}

// id → how many times emitted, and the last emitted name.
struct Seen {
  std::map<std::string, int> count;
  std::map<std::string, std::string> last;
  std::set<std::string> tombstones;
};
Seen seen(const std::vector<Record>& rs) {
  Seen s;
  for (const auto& r : rs) {
    if (r.deleted) {
      s.tombstones.insert(r.externalId);
      continue;
    }
    ++s.count[r.externalId];
    s.last[r.externalId] = nameOf(r);
  }
  return s;
}

std::string queryValue(const HttpRequest& r, const std::string& key) {
  for (const auto& [k, v] : r.query)
    if (k == key) return v;
  return "";
}

TEST(FamilyPageNumbered, SapoFullSweepReAnchorsAndRestartsAtPageOne) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 600);
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  Seen s = seen(d.records);
  ASSERT_EQ(s.count.size(), 600u);
  for (const auto& [id, n] : s.count) EXPECT_EQ(n, 1) << id;  // the re-read window is de-duplicated
  EXPECT_EQ(job->progress().fetched, 600);
  // 250 per page, one row re-read at each re-anchor: 250 + 249 + 103 → three pages.
  EXPECT_EQ(job->progress().requests, 3);
  for (int p : shop.pages) EXPECT_EQ(p, 1);  // re-anchoring always starts again at page 1
  std::string prev;
  for (const auto& r : shop.log) {
    EXPECT_EQ(queryValue(r, "order"), "modified_on asc");
    EXPECT_EQ(queryValue(r, "limit"), "250");
    std::string from = queryValue(r, "modified_on_min");
    if (!prev.empty()) {
      EXPECT_GT(from, prev);  // the filter moves forward page by page
    }
    if (!from.empty()) prev = from;
  }
}

TEST(FamilyPageNumbered, EditsInsertsAndDeletesDuringTheSweepNeverSkipARow) {
  for (auto kind : {FakeShop::Kind::Sapo, FakeShop::Kind::Haravan}) {
    FakeShop shop(kind);
    seed(shop, kind == FakeShop::Kind::Sapo ? 1500 : 400);
    Driver d(shop);
    d.requestCostMs = 1500;  // time passes between pages, so edits get new timestamps
    int64_t nextId = 9'000'000;
    std::unique_ptr<SyncJob> job;
    const int n = static_cast<int>(shop.rows.size());
    d.afterPage = [&](int page) {
      if (job->finished()) return;  // edits after the last page belong to the next run
      // Ahead of and behind the sweep, a delete and an insert, between every two pages.
      shop.touch(2'000'000 + ((page * 37) % n) * 3, d.now, "sửa " + std::to_string(page));
      shop.touch(2'000'000 + ((page * 11 + 5) % n) * 3, d.now, "sửa lần 2 " + std::to_string(page));
      if (page % 2 == 0) shop.remove(2'000'000 + ((page * 53 + 7) % n) * 3, d.now);
      shop.rows.push_back({nextId++, shop.roundTime(d.now), "mới " + std::to_string(page)});
    };
    const std::string platform = kind == FakeShop::Kind::Sapo ? "sapo" : "haravan";
    job = makeJob(platform, "products");
    ASSERT_EQ(d.run(*job).kind, Step::Kind::Done) << platform;
    Seen s = seen(d.records);
    for (const auto& row : shop.rows) {
      auto it = s.last.find(std::to_string(row.id));
      ASSERT_NE(it, s.last.end()) << platform << ": row " << row.id << " was skipped";
      EXPECT_EQ(it->second, row.name) << platform << ": stale version of " << row.id;
    }
    EXPECT_GT(d.pagesSeen, 5) << platform;
  }
}

TEST(FamilyPageNumbered, BulkEditSharingOneSecondIsWalkedPageByPage) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 900);
  for (int i = 100; i < 700; ++i) shop.rows[i].modifiedMs = kT0 + 500'000'000;  // an import touched 600 rows at once
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  Seen s = seen(d.records);
  ASSERT_EQ(s.count.size(), 900u);
  for (const auto& [id, n] : s.count) EXPECT_EQ(n, 1) << id;
  EXPECT_NE(std::find(shop.pages.begin(), shop.pages.end(), 2), shop.pages.end()) << "the tie was not walked by page";
  EXPECT_LE(job->progress().requests, 6);
}

TEST(FamilyPartitions, SapoOrdersSweepEachStatusAndNeverAskAny) {
  FakeShop shop(FakeShop::Kind::Sapo);
  const char* statuses[] = {"open", "closed", "cancelled"};
  for (int i = 0; i < 700; ++i) {
    shop.rows.push_back({5'000'000 + i, shop.roundTime(kT0 + i * 30'000), "đơn " + std::to_string(i), statuses[i % 7 == 0 ? 2 : i % 3 == 0 ? 1 : 0]});
  }
  Driver d(shop);
  d.requestCostMs = 2000;
  // While the open orders are swept, one of them (already read) is completed and archived.
  std::unique_ptr<SyncJob> job;
  d.afterPage = [&](int page) {
    if (page == 1) shop.touch(5'000'001, d.now, "đã giao, lưu trữ", "closed");
  };
  job = makeJob("sapo", "orders");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  std::set<std::string> asked;
  for (const auto& r : shop.log) asked.insert(queryValue(r, "status"));
  EXPECT_EQ(asked, (std::set<std::string>{"open", "closed", "cancelled"}));
  Seen s = seen(d.records);
  EXPECT_EQ(s.count.size(), 700u);
  EXPECT_EQ(s.last["5000001"], "đã giao, lưu trữ");
  for (const auto& r : d.records) {
    if (r.externalId == "5000001") {
      // Read open first, then again (its final state) in the closed sweep.
      EXPECT_TRUE(std::get<Order>(r.body).status == OrderStatus::Pending ||
                  std::get<Order>(r.body).status == OrderStatus::Completed);
    }
  }
  EXPECT_EQ(s.count["5000001"], 2);
}

TEST(FamilyPartitions, ResumeInsideALaterStatusSweepWithoutGapOrDuplicate) {
  FakeShop shop(FakeShop::Kind::Sapo);
  for (int i = 0; i < 1200; ++i) shop.rows.push_back({6'000'000 + i, shop.roundTime(kT0 + i * 30'000), "đơn", i < 300 ? "open" : "closed"});
  Driver d(shop);
  auto first = makeJob("sapo", "orders");
  std::string checkpoint;
  d.afterPage = [&](int page) {
    if (page == 3) {  // pages 1-2 = the 300 open orders, page 3 = the first of the closed sweep
      checkpoint = first->checkpoint();
      first->cancel();
    }
  };
  ASSERT_EQ(d.run(*first).kind, Step::Kind::Failed);
  EXPECT_NE(checkpoint.find("\"partition\":1"), std::string::npos) << checkpoint;
  d.afterPage = nullptr;
  auto second = makeJob("sapo", "orders", checkpoint);
  ASSERT_EQ(d.run(*second).kind, Step::Kind::Done);
  Seen s = seen(d.records);
  EXPECT_EQ(s.count.size(), 1200u);
  for (const auto& [id, n] : s.count) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(second->progress().fetched, 1200);
}

TEST(FamilyPartitions, AnOrderMovedBackIntoAPassedStatusIsReadByTheNextRun) {
  FakeShop shop(FakeShop::Kind::Sapo);
  for (int i = 0; i < 1200; ++i) {
    shop.rows.push_back({7'000'000 + i, shop.roundTime(kT0 + i * 30'000), "đơn", i % 4 == 0 ? "open" : "closed"});
  }
  Driver d(shop);
  d.now = kT0 + 1200 * 30'000;
  d.requestCostMs = 2000;
  // While the closed orders are read, a closed one is reopened and a new order arrives: both
  // now sit in the open sweep, already passed, so this run cannot see them. Twenty minutes
  // later another closed order is edited, which this run does read: its time must not become
  // the watermark, or the next run would start after the two changes it has to pick up.
  const int64_t reopened = 7'000'000 + 1199;
  d.afterPage = [&](int page) {
    if (page == 3) {
      shop.touch(reopened, d.now, "mở lại", "open");
      shop.rows.push_back({7'999'999, shop.roundTime(d.now), "đơn mới", "open"});
    }
    if (page == 4) {
      d.now += 20 * 60'000;
      shop.touch(7'000'001, d.now, "sửa sau");
    }
  };
  auto full = makeJob("sapo", "orders");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  ASSERT_GE(d.pagesSeen, 5);
  d.afterPage = nullptr;
  d.records.clear();
  d.now += 60'000;
  auto next = makeJob("sapo", "orders", full->checkpoint());
  ASSERT_EQ(d.run(*next).kind, Step::Kind::Done);
  EXPECT_EQ(next->progress().mode, "incremental");
  Seen s = seen(d.records);
  EXPECT_EQ(s.last[std::to_string(reopened)], "mở lại") << "the reopened order";
  EXPECT_EQ(s.count.count("7999999"), 1u) << "the order created in a passed status";
  EXPECT_LT(s.count.size(), 100u) << "an incremental run, not another full one";
}

TEST(FamilyPacing, HaravanLongSyncFollowsTheBucketAndNeverHits429) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 6'000, 1000);
  Driver d(shop);
  d.requestCostMs = 40;
  auto job = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(shop.rateLimited, 0);
  EXPECT_EQ(seen(d.records).count.size(), 6'000u);
  const auto& t = d.sentAt;
  ASSERT_GT(t.size(), 120u);
  // After the first burst (the bucket's 79 free calls) the rate is held under the leak (4/s);
  // keeping one call back for the shop's other apps costs a little of it.
  double sustained = (t.size() - 1 - 90) / ((t.back() - t[90]) / 1000.0);
  EXPECT_LE(sustained, 4.0 * 1.001);
  EXPECT_GT(sustained, 3.0);
  std::printf("[figures] haravan: %zu requests, sustained %.2f req/s, %d x 429\n", t.size(), sustained, shop.rateLimited);
}

TEST(FamilyPacing, AnotherAppSpendingTheBucketCostsRetriesNotData) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 6'000, 1000);
  shop.otherAppCallsPerSecond = 2;  // half the leak rate goes to another app of the shop
  Driver d(shop);
  auto job = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(seen(d.records).count.size(), 6'000u);
  // The header shows the other app's calls, so pacing slows down to what is left. (A header
  // reading "80/80" is a deficit, not an unstarted bucket: this once caused a 429 storm.)
  EXPECT_EQ(shop.rateLimited, 0);
  const auto& t = d.sentAt;
  double ours = (t.size() - 1 - 90) / ((t.back() - t[90]) / 1000.0);
  EXPECT_LE(ours, 2.0 * 1.05);  // what the other app leaves: 4/s − 2/s
  std::printf("[figures] haravan + other app: %lld requests, ours %.2f req/s, %d x 429\n", (long long)job->progress().requests, ours, shop.rateLimited);
  EXPECT_EQ(job->progress().retries, shop.rateLimited);
}

TEST(FamilyIncremental, HaravanDeletedProductsFromTheEventsSweep) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 120);
  Driver d(shop);
  auto full = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  for (const auto& r : shop.log) EXPECT_EQ(r.url.find("/events.json"), std::string::npos) << "no deletions on a full run";
  std::string done = full->checkpoint();

  d.now += 3'600'000;
  for (int i = 0; i < 3; ++i) shop.touch(2'000'000 + i * 3, d.now, "giá mới");
  shop.remove(2'000'000 + 50 * 3, d.now);
  shop.remove(2'000'000 + 51 * 3, d.now);
  d.records.clear();
  shop.log.clear();
  auto inc = makeJob("haravan", "products", done);
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  EXPECT_EQ(inc->progress().mode, "incremental");
  Seen s = seen(d.records);
  EXPECT_EQ(s.tombstones, (std::set<std::string>{"2000150", "2000153"}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.last[std::to_string(2'000'000 + i * 3)], "giá mới");
  // The 3 edits plus the rows inside the 5-minute overlap; one products page, one events page.
  EXPECT_EQ(s.count.size(), 3u + 6u);
  ASSERT_EQ(shop.log.size(), 2u);
  EXPECT_NE(shop.log[1].url.find("/events.json"), std::string::npos);
  EXPECT_EQ(queryValue(shop.log[1], "verb"), "destroy");
  EXPECT_EQ(inc->progress().deleted, 2);
}

TEST(FamilyEngine, APlatformIgnoringTheOrderFallsBackToPageNumbers) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 800);
  shop.honourOrder = false;  // answers in id order whatever we ask
  for (size_t i = 0; i < shop.rows.size(); ++i) shop.rows[i].modifiedMs = kT0 + static_cast<int64_t>((i * 7919) % 800) * 1000;
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  Seen s = seen(d.records);
  EXPECT_EQ(s.count.size(), 800u);
  EXPECT_EQ(shop.pages, (std::vector<int>{1, 2, 3, 4}));
}

TEST(FamilyEngine, LocationsVerifyIsOneCheapRequestWithReadableFailures) {
  FakeShop shop(FakeShop::Kind::Haravan);
  Driver d(shop);
  auto verify = makeJob("haravan", "locations", "", 1);
  ASSERT_EQ(d.run(*verify).kind, Step::Kind::Done);
  EXPECT_EQ(verify->progress().requests, 1);

  shop.scripted.push_back({403, {}, R"({"errors":"Forbidden"})", ""});
  auto denied = makeJob("haravan", "locations", "", 1);
  Step s = d.run(*denied);
  ASSERT_EQ(s.kind, Step::Kind::Failed);
  EXPECT_EQ(s.error.code, ErrorCode::Forbidden);
  EXPECT_NE(s.error.message.find("com.read_shop"), std::string::npos);

  d.vault["apiSecret"] = "wrong";
  FakeShop sapo(FakeShop::Kind::Sapo);
  Driver ds(sapo);
  ds.vault["apiSecret"] = "wrong";
  auto bad = makeJob("sapo", "locations", "", 1);
  Step b = ds.run(*bad);
  ASSERT_EQ(b.kind, Step::Kind::Failed);
  EXPECT_EQ(b.error.code, ErrorCode::InvalidCredentials);
  EXPECT_NE(b.error.message.find("API Secret"), std::string::npos);
  EXPECT_EQ(bad->progress().requests, 1);  // no token to refresh: fails at once
}

}  // namespace
}  // namespace storelink
