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
#include "test_util.hpp"

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

  // Locations and per-location stock: every product row has one variant (id ×10, Sapo
  // inventory item id ×10+1) with a level at every location.
  std::vector<int64_t> locations{825802, 825900};
  bool stockForbidden = false;      // Haravan com.read_inventories not granted
  bool stockIdsForbidden = false;   // the permission withdrawn after the probe: only requests with ids are refused
  std::vector<HttpRequest> stockLog;  // locations, probe and stock requests (log has the list pages)
  static double availableAt(int64_t variantId, int64_t loc) { return static_cast<double>((variantId / 10 + loc) % 7); }

  HttpResponse stockOrLocations(const HttpRequest& r, std::map<std::string, std::string>& q, int limit, int page,
                                const std::map<std::string, std::string>& h) {
    stockLog.push_back(r);
    if (r.url.find("/locations.json") != std::string::npos) {
      if (limit > maxLimit) return {400, h, R"({"errors":"limit too large"})", ""};
      json list = json::array();
      for (size_t i = (page - 1) * static_cast<size_t>(limit); i < locations.size() && i < static_cast<size_t>(page) * limit; ++i) {
        list.push_back({{"id", locations[i]}, {"name", "Kho " + std::to_string(i)}});
      }
      return {200, h, dumpJson(json{{"locations", list}}), ""};
    }
    if (stockIdsForbidden && (q.count("inventory_item_ids") || q.count("variant_ids"))) {
      return {403, h, R"({"errors":"[API] This action requires merchant approval for com.read_inventories scope."})", ""};
    }
    if (stockForbidden) return {403, h, R"({"errors":"[API] This action requires merchant approval for com.read_inventories scope."})", ""};
    auto split = [](const std::string& text) {
      std::set<int64_t> out;
      size_t start = 0;
      while (start < text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        out.insert(std::stoll(text.substr(start, comma - start)));
        start = comma + 1;
      }
      return out;
    };
    const bool sapo = kind == Kind::Sapo;
    const std::set<int64_t> ids = split(q[sapo ? "inventory_item_ids" : "variant_ids"]);
    const std::set<int64_t> locs = split(q["location_ids"]);
    if (limit > 250 || (!sapo && (ids.size() > 50 || locs.size() > 50))) return {400, h, R"({"errors":"too many ids"})", ""};
    const int64_t since = q.count("since_id") ? std::stoll(q["since_id"]) : -1;
    std::vector<Row> sorted = rows;
    std::sort(sorted.begin(), sorted.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
    json all = json::array();
    for (const auto& row : sorted) {
      const int64_t vid = row.id * 10, item = vid + 1;
      if (!ids.empty() && !ids.count(sapo ? item : vid)) continue;
      for (size_t li = 0; li < locations.size(); ++li) {
        const int64_t loc = locations[li];
        if (!locs.empty() && !locs.count(loc)) continue;
        const int64_t levelId = row.id * 1000 + static_cast<int64_t>(li);
        if (levelId <= since) continue;
        const double avail = availableAt(vid, loc);
        if (sapo) {
          all.push_back({{"id", levelId}, {"variant_id", vid}, {"inventory_item_id", item}, {"location_id", loc},
                         {"on_hand", avail + 1}, {"available", avail}, {"committed", 1.0}});
        } else {
          all.push_back({{"id", levelId}, {"loc_id", loc}, {"product_id", row.id}, {"variant_id", vid},
                         {"qty_onhand", avail + 1}, {"qty_commited", 1}, {"qty_available", avail}});
        }
      }
    }
    json list = json::array();
    const size_t from = sapo ? (page - 1) * static_cast<size_t>(limit) : 0;  // Haravan: since_id, no page
    for (size_t i = from; i < all.size() && i < from + limit; ++i) list.push_back(all[i]);
    stockRows += static_cast<int>(list.size());
    return {200, h, dumpJson(json{{sapo ? "inventory_levels" : "inventory_locations", list}}), ""};
  }
  int stockRows = 0;
  size_t lastListRows = 0;  // rows of the last list page answered

  HttpResponse handle(const HttpRequest& r, int64_t nowMs) {
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
    int page = q.count("page") ? std::stoi(q["page"]) : 1;
    if (r.url.find("/locations.json") != std::string::npos || r.url.find("/inventory_") != std::string::npos) {
      return stockOrLocations(r, q, limit, page, h);
    }
    log.push_back(r);
    if (limit > maxLimit) return {400, h, R"({"errors":"limit too large"})", ""};
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
        if (kind == Kind::Sapo) o["variants"][0]["inventory_item_id"] = row.id * 10 + 1;
      }
      list.push_back(o);
    }
    lastListRows = list.size();
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
  std::function<void(int)> afterPage;  // after each list page (not locations or stock requests)
  std::function<void()> afterResponse;  // after every answer
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
      const bool listPage = s.request.url.find("/locations.json") == std::string::npos && s.request.url.find("/inventory_") == std::string::npos;
      if (resp.status == 200 && afterPage && listPage) afterPage(++pagesSeen);
      if (afterResponse) afterResponse();
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
  // 250 per page, one row re-read at each re-anchor: 250 + 249 + 103 → three pages (plus the
  // locations, the stock probe and each page's stock follow-ups).
  EXPECT_EQ(shop.log.size(), 3u);
  EXPECT_EQ(job->progress().requests, static_cast<int64_t>(3 + shop.stockLog.size()));
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
      // Edits after the last page (a short one; its stock may still be fetched) belong to the next run.
      if (job->finished() || shop.lastListRows < static_cast<size_t>(shop.maxLimit)) return;
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
  EXPECT_LE(shop.log.size(), 6u);
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

// A long sync runs at the leak rate, not below it, whatever the round trip: the call-limit
// header counts the bucket when the platform answered, and the engine credits what leaked
// since it sent (trimming to the bare count paced each request a whole interval after its
// answer: 71 % of Sapo's rate at 200 ms). It never goes over: no 429.
TEST(FamilyPacing, LongSyncsRunAtTheLeakRateAndNeverHit429) {
  struct Case {
    FakeShop::Kind kind;
    const char* platform;
    double leak;
    int64_t latencyMs;
  };
  for (const Case& c : {Case{FakeShop::Kind::Haravan, "haravan", 4, 40}, Case{FakeShop::Kind::Haravan, "haravan", 4, 125},
                        Case{FakeShop::Kind::Sapo, "sapo", 2, 200}, Case{FakeShop::Kind::Sapo, "sapo", 2, 300}}) {
    FakeShop shop(c.kind);
    const int rows = c.kind == FakeShop::Kind::Sapo ? 12'000 : 16'000;
    seed(shop, rows, 1000);
    Driver d(shop);
    d.requestCostMs = c.latencyMs;
    auto job = makeJob(c.platform, "products");
    ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
    EXPECT_EQ(shop.rateLimited, 0) << c.platform << " " << c.latencyMs;
    EXPECT_EQ(seen(d.records).count.size(), static_cast<size_t>(rows));
    const auto& t = d.sentAt;
    ASSERT_GT(t.size(), 120u);
    // The last third: well after the first burst (the bucket's free calls, which at 8 calls/s
    // against a 4/s leak last some 160 requests).
    const size_t from = t.size() * 2 / 3;
    double sustained = static_cast<double>(t.size() - 1 - from) / ((t.back() - t[from]) / 1000.0);
    EXPECT_LE(sustained, c.leak * 1.01) << c.platform << " " << c.latencyMs;
    EXPECT_GE(sustained, c.leak * 0.95) << c.platform << " " << c.latencyMs;
    std::printf("[figures] %s at %lld ms: %zu requests, sustained %.2f req/s (leak %.0f), %d x 429\n", c.platform,
                static_cast<long long>(c.latencyMs), t.size(), sustained, c.leak, shop.rateLimited);
  }
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

// --- per-location stock ------------------------------------------------------------------

const Product& productOf(const Record& r) { return std::get<Product>(r.body); }

// Every emitted product carries a level per location, equal to the shop's, and its totals sum them.
void expectStockEverywhere(const FakeShop& shop, const std::vector<Record>& records) {
  ASSERT_FALSE(records.empty());
  for (const auto& r : records) {
    if (r.deleted) continue;
    const Product& p = productOf(r);
    ASSERT_EQ(p.variants.size(), 1u);
    const Variant& v = p.variants[0];
    ASSERT_EQ(v.stock.size(), shop.locations.size()) << r.externalId;
    double sum = 0;
    for (const auto& level : v.stock) {
      const double want = FakeShop::availableAt(std::stoll(v.externalId), std::stoll(level.locationId));
      EXPECT_EQ(level.available, want) << r.externalId << " @" << level.locationId;
      EXPECT_EQ(level.onHand, want + 1);
      sum += want;
    }
    EXPECT_EQ(v.totalStock, sum) << r.externalId;
    EXPECT_EQ(p.totalStock, sum);
  }
}

TEST(FamilyStock, SapoLevelsByInventoryItemIdFollowEachPage) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 600);
  shop.locations = {825802, 825900, 826001};
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(seen(d.records).count.size(), 600u);
  expectStockEverywhere(shop, d.records);
  ASSERT_GE(shop.stockLog.size(), 3u);
  EXPECT_NE(shop.stockLog[0].url.find("/admin/locations.json"), std::string::npos);
  EXPECT_NE(shop.stockLog[1].url.find("/admin/inventory_levels.json"), std::string::npos);  // the probe
  for (size_t i = 2; i < shop.stockLog.size(); ++i) {
    const auto& r = shop.stockLog[i];
    EXPECT_NE(r.url.find("/admin/inventory_levels.json"), std::string::npos);
    EXPECT_EQ(queryValue(r, "limit"), "250");
    const std::string ids = queryValue(r, "inventory_item_ids");
    EXPECT_LE(std::count(ids.begin(), ids.end(), ',') + 1, 250) << ids;
    EXPECT_EQ(ids.back(), '1') << "inventory item ids, not variant ids: " << ids;
  }
}

TEST(FamilyStock, HaravanSendsLocationGroupsOfFiftyAndContinuesBySinceId) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 120);
  shop.locations.clear();
  for (int i = 0; i < 60; ++i) shop.locations.push_back(963400 + i * 7);  // 50 + 10 locations
  Driver d(shop);
  auto job = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(seen(d.records).count.size(), 120u);
  expectStockEverywhere(shop, d.records);
  bool continued = false;
  for (const auto& r : shop.stockLog) {
    if (queryValue(r, "variant_ids").empty()) continue;  // the locations pages and the probe
    EXPECT_NE(r.url.find("/com/inventory_locations.json"), std::string::npos);
    const std::string locs = queryValue(r, "location_ids"), ids = queryValue(r, "variant_ids");
    EXPECT_LE(std::count(locs.begin(), locs.end(), ',') + 1, 50);
    EXPECT_LE(std::count(ids.begin(), ids.end(), ',') + 1, 50);
    EXPECT_EQ(queryValue(r, "order"), "id");
    EXPECT_EQ(queryValue(r, "page"), "");
    continued = continued || !queryValue(r, "since_id").empty();
  }
  EXPECT_TRUE(continued) << "50 variants × 50 locations fill an answer: the next rows are asked by since_id";
}

TEST(FamilyStock, AFullAnswerIsFollowedByItsNextPage) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 30);
  shop.locations.clear();
  for (int i = 0; i < 300; ++i) shop.locations.push_back(825000 + i);  // more levels per item than an answer holds
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  expectStockEverywhere(shop, d.records);
  int secondPages = 0;
  for (const auto& r : shop.stockLog) secondPages += queryValue(r, "page") == "2" && r.url.find("inventory_levels") != std::string::npos;
  EXPECT_EQ(secondPages, 30) << "one item per request (300 levels each), each walked to its second page";
}

TEST(FamilyStock, SapoFillsEachAnswerInsteadOfFortyIdsAtATime) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 240);  // one list page (short: the last): 240 items × 2 locations = 480 levels
  Driver d(shop);
  auto job = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  expectStockEverywhere(shop, d.records);
  std::vector<HttpRequest> stock;
  for (const auto& r : shop.stockLog)
    if (!queryValue(r, "inventory_item_ids").empty()) stock.push_back(r);
  // 124 items × 2 locations stay under one answer: 2 requests (not 240 / 40 = 6) and no page 2
  // (125 would fill it exactly and cost an empty page 2; a page 2 of a group could also start
  // past rows never read if one of its products was deleted meanwhile).
  std::string shape;
  for (const auto& r : stock) {
    const std::string ids = queryValue(r, "inventory_item_ids");
    shape += std::to_string(std::count(ids.begin(), ids.end(), ',') + 1) + "@p" + queryValue(r, "page") + " ";
  }
  ASSERT_EQ(stock.size(), 2u) << shape;
  for (size_t i = 0; i < stock.size(); ++i) {
    const std::string ids = queryValue(stock[i], "inventory_item_ids");
    EXPECT_EQ(std::count(ids.begin(), ids.end(), ',') + 1, i == 0 ? 124 : 116);
    EXPECT_EQ(queryValue(stock[i], "page"), "1");
  }
}

// The locations and the probe are kept in the checkpoint: an incremental run within the hour
// asks for neither, and its records still carry every location's current stock.
TEST(FamilySetupReuse, IncrementalRunsReuseTheLocationsForAnHourThenAskAgain) {
  for (auto kind : {FakeShop::Kind::Sapo, FakeShop::Kind::Haravan}) {
    const std::string platform = kind == FakeShop::Kind::Sapo ? "sapo" : "haravan";
    FakeShop shop(kind);
    seed(shop, 80);
    Driver d(shop);
    auto full = makeJob(platform, "products");
    ASSERT_EQ(d.run(*full).kind, Step::Kind::Done) << platform;
    std::string checkpoint = full->checkpoint();
    EXPECT_NE(checkpoint.find("\"setup\""), std::string::npos) << checkpoint;
    auto setupRequests = [&]() {
      int n = 0;
      for (const auto& r : shop.stockLog) {
        n += r.url.find("/locations.json") != std::string::npos ||
             (queryValue(r, "inventory_item_ids").empty() && queryValue(r, "variant_ids").empty());
      }
      return n;
    };
    EXPECT_EQ(setupRequests(), 2) << platform << ": locations and the probe, once";

    // 40 minutes later: three products edited; the incremental run lists no locations.
    d.now += 40 * 60'000;
    for (int i = 0; i < 3; ++i) shop.touch(2'000'000 + i * 3, d.now, "đổi tên");
    shop.stockLog.clear();
    d.records.clear();
    auto inc = makeJob(platform, "products", checkpoint);
    ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done) << platform;
    EXPECT_EQ(inc->progress().mode, "incremental");
    EXPECT_EQ(setupRequests(), 0) << platform;
    ASSERT_FALSE(shop.stockLog.empty()) << platform << ": the edited products' stock is still read";
    expectStockEverywhere(shop, d.records);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(seen(d.records).last[std::to_string(2'000'000 + i * 3)], "đổi tên");
    // The reused setup keeps the time it was learned: its age runs on across runs.
    checkpoint = inc->checkpoint();

    // 30 more minutes: over the hour since the locations were listed → asked again.
    d.now += 30 * 60'000;
    shop.touch(2'000'000 + 9, d.now, "lần nữa");
    shop.stockLog.clear();
    d.records.clear();
    auto late = makeJob(platform, "products", checkpoint);
    ASSERT_EQ(d.run(*late).kind, Step::Kind::Done) << platform;
    EXPECT_EQ(setupRequests(), 2) << platform;
    expectStockEverywhere(shop, d.records);

    // A full run never reuses it, however young.
    shop.stockLog.clear();
    SyncOptions o;
    o.platform = platform;
    o.entity = "products";
    o.checkpoint = late->checkpoint();
    o.mode = "full";
    auto again = SyncJob::create(o);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(d.run(*again.value()).kind, Step::Kind::Done) << platform;
    EXPECT_EQ(setupRequests(), 2) << platform;
  }
}

TEST(FamilySetupReuse, ARefusedProbeIsNotKeptSoAGrantedPermissionCountsAtOnce) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 20);
  shop.stockForbidden = true;
  Driver d(shop);
  auto full = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  EXPECT_EQ(full->checkpoint().find("\"setup\""), std::string::npos) << full->checkpoint();
  shop.stockForbidden = false;  // the shop owner grants com.read_inventories
  d.now += 60'000;
  shop.touch(2'000'000, d.now, "x");
  shop.stockLog.clear();
  d.records.clear();
  auto inc = makeJob("haravan", "products", full->checkpoint());
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  expectStockEverywhere(shop, d.records);
}

// The permission withdrawn within the hour after a probe found it granted: the stock requests'
// 403 falls back to the variants' figures (as a refused probe does) instead of failing the
// job, and the kept setup is dropped, so the next job lists locations and probes again. The
// same when the probe of this very job found it granted (a 403 between probe and stock).
TEST(FamilySetupReuse, AStockPermissionWithdrawnFallsBackAndDropsTheKeptSetup) {
  for (auto kind : {FakeShop::Kind::Sapo, FakeShop::Kind::Haravan}) {
    const std::string platform = kind == FakeShop::Kind::Sapo ? "sapo" : "haravan";
    FakeShop shop(kind);
    seed(shop, 80);
    Driver d(shop);
    auto full = makeJob(platform, "products");
    ASSERT_EQ(d.run(*full).kind, Step::Kind::Done) << platform;
    ASSERT_NE(full->checkpoint().find("\"setup\""), std::string::npos) << full->checkpoint();
    auto setupRequests = [&]() {
      int n = 0;
      for (const auto& r : shop.stockLog) {
        n += r.url.find("/locations.json") != std::string::npos ||
             (queryValue(r, "inventory_item_ids").empty() && queryValue(r, "variant_ids").empty());
      }
      return n;
    };

    // 10 minutes later the shop withdraws the permission; 3 products edited.
    shop.stockForbidden = true;
    d.now += 10 * 60'000;
    for (int i = 0; i < 3; ++i) shop.touch(2'000'000 + i * 3, d.now, "đổi tên");
    shop.stockLog.clear();
    d.records.clear();
    auto inc = makeJob(platform, "products", full->checkpoint());
    Step end = d.run(*inc);
    ASSERT_EQ(end.kind, Step::Kind::Done) << platform << ": " << end.error.message;
    EXPECT_EQ(setupRequests(), 0) << platform << ": the kept setup was used";
    EXPECT_EQ(shop.stockLog.size(), 1u) << platform << ": one refused stock request, then none";
    for (int i = 0; i < 3; ++i) EXPECT_EQ(seen(d.records).last[std::to_string(2'000'000 + i * 3)], "đổi tên") << platform;
    for (const auto& r : d.records) {
      EXPECT_TRUE(productOf(r).variants[0].stock.empty()) << platform;
      EXPECT_EQ(productOf(r).variants[0].totalStock, 3) << platform << ": the variant's own figure";
    }
    const std::string cp = inc->checkpoint();
    EXPECT_EQ(cp.find("\"setup\""), std::string::npos) << platform << ": " << cp;

    // The next job (still within the hour of the first probe) asks again: refused probe, no stock.
    d.now += 60'000;
    shop.touch(2'000'000 + 9, d.now, "lần nữa");
    shop.stockLog.clear();
    d.records.clear();
    auto next = makeJob(platform, "products", cp);
    ASSERT_EQ(d.run(*next).kind, Step::Kind::Done) << platform;
    EXPECT_EQ(setupRequests(), 2) << platform << ": locations and the probe again";
    EXPECT_EQ(shop.stockLog.size(), 2u) << platform;
    EXPECT_FALSE(d.records.empty()) << platform;

    // Freshly probed: the probe passes, the stock requests are refused.
    shop.stockForbidden = false;
    shop.stockIdsForbidden = true;
    shop.stockLog.clear();
    d.records.clear();
    auto fresh = makeJob(platform, "products");
    end = d.run(*fresh);
    ASSERT_EQ(end.kind, Step::Kind::Done) << platform << ": " << end.error.message;
    EXPECT_EQ(seen(d.records).count.size(), 80u) << platform;
    EXPECT_EQ(shop.stockLog.size(), 3u) << platform << ": locations, probe, one refused stock request";
    for (const auto& r : d.records) EXPECT_EQ(productOf(r).variants[0].totalStock, 3) << platform;
    EXPECT_EQ(fresh->checkpoint().find("\"setup\""), std::string::npos) << platform;
  }
}

TEST(FamilySetupReuse, AClockSetBackOrAMalformedSetupMeansAskingAgain) {
  FakeShop shop(FakeShop::Kind::Sapo);
  seed(shop, 10);
  Driver d(shop);
  auto full = makeJob("sapo", "products");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  json cp = parseJson(full->checkpoint());
  ASSERT_TRUE(cp.contains("setup"));
  auto setupCount = [&](const std::string& checkpoint, int64_t now) {
    shop.stockLog.clear();
    d.now = now;
    auto job = makeJob("sapo", "products", checkpoint);
    EXPECT_EQ(d.run(*job).kind, Step::Kind::Done);
    int n = 0;
    for (const auto& r : shop.stockLog) n += queryValue(r, "inventory_item_ids").empty();
    return n;
  };
  const int64_t learnedAt = cp["setup"]["at"].get<int64_t>();
  EXPECT_EQ(setupCount(dumpJson(cp), learnedAt - 60'000), 2) << "a clock behind the time it was learned";
  for (const json& bad : {json("x"), json{{"learned", 5}, {"at", learnedAt}}, json{{"learned", json::object()}},
                         json{{"learned", {{"stock", "ok"}, {"locIds", json::array({825802})}}}, {"at", learnedAt}},
                         json{{"learned", {{"stock", "ok"}, {"locIds", json::array()}}}, {"at", learnedAt}},
                         json{{"learned", {{"stock", "ok"}, {"locIds", json::array({"825802"})}}}, {"at", 1e300}}}) {
    json c = cp;
    c["setup"] = bad;
    EXPECT_EQ(setupCount(dumpJson(c), learnedAt + 1000), 2) << dumpJson(bad);
  }
  EXPECT_EQ(setupCount(dumpJson(cp), learnedAt + 1000), 0) << "the well-formed one is reused";
}

TEST(FamilyStock, AKillBetweenAPageAndItsStockLosesAndRepeatsNothing) {
  for (auto kind : {FakeShop::Kind::Sapo, FakeShop::Kind::Haravan}) {
    const std::string platform = kind == FakeShop::Kind::Sapo ? "sapo" : "haravan";
    FakeShop shop(kind);
    seed(shop, kind == FakeShop::Kind::Sapo ? 600 : 160);
    Driver d(shop);
    auto first = makeJob(platform, "products");
    std::string checkpoint;
    size_t emittedAtKill = 0;
    d.afterResponse = [&]() {
      // The second list page is in, its stock follow-ups not yet: stop here.
      if (checkpoint.empty() && shop.log.size() == 2 && shop.stockLog.back().url.find("/inventory_") != std::string::npos) {
        checkpoint = first->checkpoint();
        emittedAtKill = d.records.size();
        first->cancel();
      }
    };
    ASSERT_EQ(d.run(*first).kind, Step::Kind::Failed) << platform;
    ASSERT_FALSE(checkpoint.empty()) << platform;
    EXPECT_EQ(emittedAtKill, static_cast<size_t>(kind == FakeShop::Kind::Sapo ? 250 : 50)) << "only the first page was released";
    d.afterResponse = nullptr;
    auto second = makeJob(platform, "products", checkpoint);
    ASSERT_EQ(d.run(*second).kind, Step::Kind::Done) << platform;
    Seen s = seen(d.records);
    EXPECT_EQ(s.count.size(), shop.rows.size()) << platform;
    for (const auto& [id, n] : s.count) EXPECT_EQ(n, 1) << platform << " " << id;
    expectStockEverywhere(shop, d.records);
  }
}

TEST(FamilyStock, WithoutTheInventoryPermissionProductsStillSyncWithTheVariantFigure) {
  FakeShop shop(FakeShop::Kind::Haravan);
  seed(shop, 70);
  shop.stockForbidden = true;
  Driver d(shop);
  auto job = makeJob("haravan", "products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(seen(d.records).count.size(), 70u);
  EXPECT_EQ(shop.stockLog.size(), 2u) << "locations and the refused probe, then no stock requests";
  for (const auto& r : d.records) {
    EXPECT_TRUE(productOf(r).variants[0].stock.empty());
    EXPECT_EQ(productOf(r).variants[0].totalStock, 3);  // inventory_quantity
  }
}

// The engine fed the documented bodies (tests/fixtures, from sapo.md B.10 / haravan.md A.8).
struct Scripted {
  std::function<std::string(const HttpRequest&)> body;
  std::vector<HttpRequest> sent;
  std::vector<Record> run(SyncJob& job) {
    std::vector<Record> out;
    int64_t now = kT0;
    for (int i = 0; i < 100; ++i) {
      Step s = job.next(now);
      if (s.kind == Step::Kind::Done) return out;
      EXPECT_NE(s.kind, Step::Kind::Failed) << s.error.detail;
      if (s.kind == Step::Kind::Failed) return out;
      if (s.kind == Step::Kind::Wait) {
        now += s.waitMs;
        continue;
      }
      sent.push_back(s.request);
      job.receive(s.requestId, {200, {}, body(s.request), ""}, now += 10);
      for (auto& r : job.takeRecords()) out.push_back(std::move(r));
    }
    ADD_FAILURE() << "job did not finish";
    return out;
  }
};

const Variant& variantOf(const std::vector<Record>& rs, const std::string& id) {
  static const Variant none;
  for (const auto& r : rs)
    for (const auto& v : productOf(r).variants)
      if (v.externalId == id) return v;
  ADD_FAILURE() << "no variant " << id;
  return none;
}

TEST(FamilyStock, SapoDocumentedBodies) {
  Scripted shop;
  shop.body = [](const HttpRequest& r) -> std::string {
    if (r.url.find("/locations.json") != std::string::npos) return test::readFixture("sapo/locations.json");
    if (r.url.find("/inventory_levels.json") != std::string::npos) return test::readFixture("sapo/inventory_levels.json");
    if (r.url.find("/products.json") != std::string::npos) return test::readFixture("sapo/products_page.json");
    return "{}";
  };
  auto job = makeJob("sapo", "products");
  auto records = shop.run(*job);
  ASSERT_EQ(records.size(), 3u);
  ASSERT_EQ(shop.sent.size(), 4u);  // locations, probe, products, one stock follow-up
  EXPECT_EQ(queryValue(shop.sent[1], "location_ids"), "825802");
  // Tracked variants only (147249999 has inventory_management ""), by inventory item id.
  EXPECT_EQ(queryValue(shop.sent[3], "inventory_item_ids"), "147237420,147240008,147240009");
  const Variant& red = variantOf(records, "147240010");
  ASSERT_EQ(red.stock.size(), 1u);
  EXPECT_EQ(red.stock[0].locationId, "825802");
  EXPECT_EQ(red.stock[0].onHand, 12);
  EXPECT_EQ(red.stock[0].available, 10);
  EXPECT_EQ(red.totalStock, 10);
  EXPECT_EQ(variantOf(records, "147240011").totalStock, 0);
  EXPECT_EQ(productOf(records[1]).totalStock, 10);
  // No level came back for this item: its own available figure stands.
  EXPECT_TRUE(variantOf(records, "147237422").stock.empty());
  EXPECT_EQ(variantOf(records, "147237422").totalStock, 100);
  EXPECT_FALSE(variantOf(records, "147250001").totalStock.has_value());  // not tracked
}

TEST(FamilyStock, AShopWithoutTheLocationsEndpointSyncsWithTheVariantFigures) {
  for (int status : {404, 400}) {
    Scripted shop;
    shop.body = [](const HttpRequest& r) -> std::string {
      if (r.url.find("/products.json") != std::string::npos) return test::readFixture("sapo/products_page.json");
      return "{}";
    };
    int calls = 0;
    auto job = makeJob("sapo", "products");
    // The first call (locations) is refused; the rest are answered.
    std::vector<Record> records;
    int64_t now = kT0;
    for (int i = 0; i < 50 && !job->finished(); ++i) {
      Step st = job->next(now);
      if (st.kind == Step::Kind::Wait) {
        now += st.waitMs;
        continue;
      }
      if (st.kind != Step::Kind::Request) break;
      ++calls;
      const bool first = calls == 1;
      EXPECT_EQ(first, st.request.url.find("/locations.json") != std::string::npos);
      job->receive(st.requestId, {first ? status : 200, {}, first ? R"({"errors":"Not Found"})" : shop.body(st.request), ""}, now += 10);
      for (auto& r : job->takeRecords()) records.push_back(std::move(r));
    }
    EXPECT_EQ(job->progress().phase, "done") << status;
    EXPECT_EQ(calls, 2) << "locations, then the products page; no probe, no stock requests";
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(variantOf(records, "147240010").totalStock, 10);  // inventory_quantity
    EXPECT_TRUE(variantOf(records, "147240010").stock.empty());
  }
}

TEST(FamilyStock, HaravanDocumentedBodies) {
  Scripted shop;
  shop.body = [](const HttpRequest& r) -> std::string {
    if (r.url.find("/locations.json") != std::string::npos) return test::readFixture("haravan/locations.json");
    if (r.url.find("/inventory_locations.json") != std::string::npos) {
      if (queryValue(r, "variant_ids").empty()) return R"({"inventory_locations":[]})";  // the probe
      json j = parseJson(test::readFixture("haravan/products_with_locations.json"));
      return dumpJson(json{{"inventory_locations", j["inventory_locations"]}});
    }
    if (r.url.find("/products.json") != std::string::npos) return test::readFixture("haravan/products_page.json");
    return "{}";
  };
  auto job = makeJob("haravan", "products");
  auto records = shop.run(*job);
  ASSERT_EQ(records.size(), 2u);
  ASSERT_EQ(shop.sent.size(), 4u);
  EXPECT_EQ(queryValue(shop.sent[3], "location_ids"), "963414");
  EXPECT_EQ(queryValue(shop.sent[3], "variant_ids"), "1080055501,1080055502");  // 1063014645 is not tracked
  const Variant& a = variantOf(records, "1080055501");
  ASSERT_EQ(a.stock.size(), 2u);
  EXPECT_EQ(a.stock[0].locationId, "963414");
  EXPECT_EQ(a.stock[0].onHand, 40);
  EXPECT_EQ(a.stock[0].available, 37);
  EXPECT_EQ(a.totalStock, 42);
  EXPECT_EQ(variantOf(records, "1080055502").totalStock, -2);  // oversold (A.2.2)
  EXPECT_EQ(productOf(records[0]).totalStock, 40);
}

}  // namespace
}  // namespace storelink
