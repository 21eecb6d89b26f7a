// The sync engine against an in-process Nhanh.vn v3 double that keeps the real API's rules:
// POST + appId/businessId query + raw-token Authorization, keyset cursors `paginator.next`
// ({"id": …}, copied verbatim), short pages that still have a next, product/list hiding status 3
// unless asked for, order/list windows of at most 31 days, order/deleted, product/inventory by
// stock-change time, and ERR_429 {lockedSeconds} envelopes sent with HTTP 200.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "../../src/connectors/connectors.hpp"
#include "storelink/normalize.hpp"
#include "storelink/sync_job.hpp"

namespace storelink {
namespace {

constexpr int64_t kDay = 86'400;
constexpr int64_t kNowSec = 1'748'746'800;  // 2025-06-01T03:00:00Z

struct NOrder {
  int64_t id;
  int64_t updated;  // unix s
  int status = 54;
};
struct NProduct {
  int64_t id;
  int64_t updated;
  int64_t stockAt;
  int status = 2;
  double available = 5;
  std::string name;
};

HttpResponse ok(json body) { return {200, {}, dumpJson(body), ""}; }
HttpResponse nhanhError(const std::string& code, json extra = json::object()) {
  json b = {{"code", 0}, {"errorCode", code}, {"messages", "error"}};
  for (auto it = extra.begin(); it != extra.end(); ++it) b[it.key()] = it.value();
  return ok(b);
}

class FakeNhanh {
 public:
  std::vector<NOrder> orders;
  std::vector<std::pair<int64_t, int64_t>> deleted;  // order id, deletion time
  std::vector<NProduct> products;
  std::deque<HttpResponse> scripted;
  std::vector<std::pair<int64_t, HttpRequest>> log;  // (nowMs, filled request)
  std::string token = "tok-1";
  int windowViolations = 0;

  std::vector<json> bodiesFor(const std::string& path) const {
    std::vector<json> out;
    for (const auto& [t, r] : log)
      if (r.url == "https://pos.open.nhanh.vn/v3.0" + path) out.push_back(parseJson(r.body));
    return out;
  }

  HttpResponse handle(const HttpRequest& r, int64_t nowMs) {
    log.emplace_back(nowMs, r);
    if (!scripted.empty()) {
      HttpResponse s = scripted.front();
      scripted.pop_front();
      return s;
    }
    std::string auth, appId, businessId;
    for (const auto& [k, v] : r.headers)
      if (k == "Authorization") auth = v;
    for (const auto& [k, v] : r.query) {
      if (k == "appId") appId = v;
      if (k == "businessId") businessId = v;
    }
    if (r.method != "POST") return nhanhError("ERR_INVALID_DATA");
    if (appId != "77") return nhanhError("ERR_INVALID_APP_ID");
    if (businessId != "110668") return nhanhError("ERR_INVALID_BUSINESS_ID");
    if (auth != token) return nhanhError("ERR_INVALID_ACCESS_TOKEN");
    json body = parseJson(r.body);
    if (!body.is_object()) return nhanhError("ERR_INVALID_DATA");
    json filters = body.value("filters", json::object());
    json pag = body.value("paginator", json::object());
    int size = pag.value("size", 50);
    if (size > 100) return nhanhError("ERR_INVALID_FORM_FIELDS");
    std::optional<int64_t> after;  // keyset: ids below this one (sort id desc)
    if (pag.contains("next")) {
      const json& n = pag["next"];
      if (!n.is_object()) return nhanhError("ERR_INVALID_FORM_FIELDS");  // a bare string is the classic mistake
      for (const char* k : {"id", "productId"})
        if (n.contains(k)) after = js::num(n, k).has_value() ? std::optional<int64_t>(static_cast<int64_t>(*js::num(n, k))) : std::nullopt;
    }
    const std::string path = r.url.substr(std::string("https://pos.open.nhanh.vn/v3.0").size());
    auto from = js::num(filters, "updatedAtFrom");
    auto to = js::num(filters, "updatedAtTo");

    if (path == "/order/list" || path == "/order/deleted") {
      const bool del = path == "/order/deleted";
      auto f = js::num(filters, del ? "createdAtFrom" : "updatedAtFrom");
      auto t = js::num(filters, del ? "createdAtTo" : "updatedAtTo");
      if (!f || !t || *t - *f > 31 * kDay || *t < *f) {
        ++windowViolations;
        return nhanhError("ERR_INVALID_FORM_FIELDS", {{"messages", {{"filters", "range must be within 31 days"}}}});
      }
      std::vector<std::pair<int64_t, json>> rows;  // id → row
      if (del) {
        for (auto [id, at] : deleted)
          if (at >= *f && at <= *t) rows.push_back({id, {{"id", id}, {"createdAt", at}, {"createdById", 1}}});
      } else {
        for (const auto& o : orders)
          if (o.updated >= *f && o.updated <= *t)
            rows.push_back({o.id, {{"info", {{"id", o.id}, {"status", o.status}, {"updatedAt", o.updated}, {"createdAt", o.updated - 100}}}}});
      }
      return page(rows, after, size, [](const json&) { return true; });
    }
    if (path == "/product/list") {
      // Status 3 ("Ngừng bán") is hidden unless the filter asks for it.
      std::set<int> statuses = {1, 2, 4};
      if (filters.contains("status")) {
        statuses.clear();
        for (const auto& s : filters["status"]) statuses.insert(s.get<int>());
      }
      std::set<int64_t> ids;
      if (filters.contains("ids"))
        for (const auto& v : filters["ids"]) ids.insert(static_cast<int64_t>(*js::num(&v)));
      std::vector<std::pair<int64_t, json>> rows;
      for (const auto& p : products) {
        json row = {{"id", p.id}, {"parentId", -1}, {"name", p.name}, {"status", p.status}, {"updatedAt", p.updated},
                    {"inventory", {{"available", p.available}, {"depots", json::array({{{"id", 31010}, {"remain", p.available}, {"available", p.available}}})}}}};
        rows.push_back({p.id, row});
      }
      // Rows are scanned `size` at a time and filtered afterwards: pages come back short while
      // a next remains, as the docs warn.
      return page(rows, after, size, [&](const json& row) {
        if (!statuses.count(row["status"].get<int>())) return false;
        if (!ids.empty() && !ids.count(row["id"].get<int64_t>())) return false;
        if (from && row["updatedAt"].get<int64_t>() < *from) return false;
        if (to && row["updatedAt"].get<int64_t>() > *to) return false;
        return true;
      });
    }
    if (path == "/product/inventory") {
      std::vector<std::pair<int64_t, json>> rows;
      for (const auto& p : products)
        if (!from || p.stockAt >= *from)
          rows.push_back({p.id, {{"productId", p.id}, {"inventory", {{"available", p.available}}}}});
      return page(rows, after, size, [](const json&) { return true; }, "productId");
    }
    if (path == "/customer/list") return ok({{"code", 1}, {"data", json::array()}});
    return nhanhError("ERR_404");
  }

 private:
  static HttpResponse page(std::vector<std::pair<int64_t, json>> rows, std::optional<int64_t> after, int size,
                           const std::function<bool(const json&)>& keep, const char* nextKey = "id") {
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    json data = json::array();
    size_t i = 0;
    while (i < rows.size() && after && rows[i].first >= *after) ++i;
    size_t scanned = 0;
    int64_t last = 0;
    for (; i < rows.size() && scanned < static_cast<size_t>(size); ++i, ++scanned) {
      last = rows[i].first;
      if (keep(rows[i].second)) data.push_back(rows[i].second);
    }
    json body = {{"code", 1}, {"data", data}};
    body["paginator"] = i < rows.size() ? json{{"next", {{nextKey, last}}}} : json{{"next", nullptr}};
    return ok(body);
  }
};

struct Driver {
  explicit Driver(FakeNhanh& s) : server(s) {}
  FakeNhanh& server;
  int64_t now = kNowSec * 1000;
  std::map<std::string, std::string> vault{{"appId", "77"}, {"businessId", "110668"}, {"accessToken", "tok-1"}};
  std::vector<Record> records;
  std::function<void(int)> afterPage;
  std::vector<int64_t> waits;
  int pages = 0;

  Step run(SyncJob& job, int maxSteps = 20000) {
    Step s;
    for (int i = 0; i < maxSteps; ++i) {
      s = job.next(now);
      if (s.kind == Step::Kind::Done || s.kind == Step::Kind::Failed) return s;
      if (s.kind == Step::Kind::Wait) {
        waits.push_back(s.waitMs);
        now += s.waitMs;
        continue;
      }
      auto filled = fillSecrets(s.request, vault);
      EXPECT_TRUE(filled.ok());
      HttpResponse resp = server.handle(*filled, now);
      now += 40;
      job.receive(s.requestId, resp, now);
      for (auto& r : job.takeRecords()) records.push_back(std::move(r));
      if (afterPage && !job.finished()) afterPage(++pages);
    }
    ADD_FAILURE() << "job did not finish";
    return s;
  }
};

std::unique_ptr<SyncJob> makeJob(const std::string& entity, const std::string& checkpoint = "", json settings = json::object()) {
  SyncOptions o;
  o.platform = "nhanh";
  o.entity = entity;
  o.checkpoint = checkpoint;
  o.settings = std::move(settings);
  o.seed = 7;
  auto job = SyncJob::create(o);
  EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().detail);
  return job.ok() ? std::move(job.value()) : nullptr;
}

std::set<std::string> liveIds(const std::vector<Record>& rs) {
  std::set<std::string> ids;
  for (const auto& r : rs)
    if (!r.deleted) ids.insert(r.externalId);
  return ids;
}

// 260 orders in the last 100 days, a burst 230–240 days ago, then nothing.
FakeNhanh seededOrders() {
  FakeNhanh s;
  int64_t id = 14'900'000;
  for (int i = 0; i < 260; ++i) s.orders.push_back({id += 3, kNowSec - 100 * kDay + i * (100 * kDay / 260) + 17, 54 + i % 7});
  for (int i = 0; i < 30; ++i) s.orders.push_back({id += 3, kNowSec - 240 * kDay + i * 29'000, 60});
  return s;
}

TEST(NhanhSync, FullOrdersWalk31DayWindowsUntilAQuietYear) {
  FakeNhanh server = seededOrders();
  Driver d(server);
  auto job = makeJob("orders");
  Step end = d.run(*job);
  ASSERT_EQ(end.kind, Step::Kind::Done) << end.error.detail;
  std::set<std::string> want;
  for (const auto& o : server.orders) want.insert(std::to_string(o.id));
  EXPECT_EQ(liveIds(d.records), want);
  EXPECT_LE(d.records.size(), want.size() + 2);  // only a boundary second may be read twice
  EXPECT_EQ(server.windowViolations, 0);
  auto bodies = server.bodiesFor("/order/list");
  int64_t earliest = INT64_MAX;
  for (const auto& b : bodies) {
    int64_t f = b["filters"]["updatedAtFrom"], t = b["filters"]["updatedAtTo"];
    EXPECT_LE(t - f, 31 * kDay);
    EXPECT_LE(t, kNowSec + 1);
    earliest = std::min(earliest, f);
  }
  // It went past the gap to the burst 240 days back, then stopped after a year of silence.
  EXPECT_LT(earliest, kNowSec - 240 * kDay);
  EXPECT_GT(earliest, kNowSec - 240 * kDay - 400 * kDay);
  EXPECT_TRUE(server.bodiesFor("/order/deleted").empty());  // a full run reads no deletion log
  EXPECT_EQ(job->progress().fetched, static_cast<int64_t>(d.records.size()));

  // settings.ordersSince bounds the walk exactly.
  FakeNhanh bounded = seededOrders();
  Driver d2(bounded);
  auto job2 = makeJob("orders", "", {{"ordersSince", "2025-03-01"}});
  ASSERT_EQ(d2.run(*job2).kind, Step::Kind::Done);
  for (const auto& b : bounded.bodiesFor("/order/list")) EXPECT_GE(b["filters"]["updatedAtFrom"].get<int64_t>(), 1740762000);
  EXPECT_LT(liveIds(d2.records).size(), want.size());
}

TEST(NhanhSync, IncrementalOrdersWalkALongRangeAndReadDeletions) {
  FakeNhanh server = seededOrders();
  Driver d(server);
  auto full = makeJob("orders");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  std::string checkpoint = full->checkpoint();

  // 70 days later: edits spread over the period, two deletions.
  d.now += 70 * kDay * 1000;
  const int64_t later = d.now / 1000;
  for (int i = 0; i < 6; ++i) {
    server.orders[static_cast<size_t>(i * 40)].updated = later - (65 - i * 12) * kDay;
    server.orders[static_cast<size_t>(i * 40)].status = 60;
  }
  server.deleted.push_back({server.orders[3].id, later - 50 * kDay});
  server.deleted.push_back({server.orders[4].id, later - 2 * kDay});
  server.log.clear();
  d.records.clear();

  auto inc = makeJob("orders", checkpoint);
  EXPECT_EQ(inc->progress().mode, "incremental");
  // An order edited while the run walks is left for the next run, never lost.
  d.afterPage = [&](int page) {
    if (page == 1) server.orders[10].updated = d.now / 1000, server.orders[10].status = 63;
  };
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  std::set<std::string> edited;
  for (int i = 0; i < 6; ++i) edited.insert(std::to_string(server.orders[static_cast<size_t>(i * 40)].id));
  auto got = liveIds(d.records);
  for (const auto& id : edited) EXPECT_TRUE(got.count(id)) << id;
  EXPECT_LE(got.size(), edited.size() + 1);
  std::set<std::string> tombstones;
  for (const auto& r : d.records)
    if (r.deleted) tombstones.insert(r.externalId);
  EXPECT_EQ(tombstones, (std::set<std::string>{std::to_string(server.orders[3].id), std::to_string(server.orders[4].id)}));
  EXPECT_GE(server.bodiesFor("/order/list").size(), 3u);  // 70 days = three windows
  EXPECT_GE(server.bodiesFor("/order/deleted").size(), 3u);
  EXPECT_EQ(server.windowViolations, 0);

  d.records.clear();
  d.afterPage = nullptr;
  auto next = makeJob("orders", inc->checkpoint());
  ASSERT_EQ(d.run(*next).kind, Step::Kind::Done);
  EXPECT_TRUE(liveIds(d.records).count(std::to_string(server.orders[10].id))) << "the mid-run edit is picked up";
}

// Orders have a deleted-id feed (order/deleted): platforms() says "feed", so no sweep is run
// for them, and an order deleted while the full run was paging, after it was read, is reported
// by the next incremental run (which reads the log from the full run's start).
TEST(NhanhSync, OrdersDeclareTheirDeletedIdFeedAndMissNoDeletionMadeMidRun) {
  EXPECT_TRUE(connectors::nhanh().paging(Entity::Orders).reportsDeletions);
  for (Entity e : {Entity::Products, Entity::Customers, Entity::Locations}) EXPECT_FALSE(connectors::nhanh().paging(e).reportsDeletions);

  FakeNhanh server = seededOrders();
  Driver d(server);
  auto full = makeJob("orders");
  int64_t deletedId = 0;
  d.afterPage = [&](int page) {
    if (page != 2) return;
    // The newest order (read on page 1) is deleted now, while the run goes on.
    auto it = std::max_element(server.orders.begin(), server.orders.end(), [](const auto& a, const auto& b) { return a.updated < b.updated; });
    deletedId = it->id;
    server.deleted.push_back({it->id, d.now / 1000});
    server.orders.erase(it);
  };
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  ASSERT_NE(deletedId, 0);
  ASSERT_TRUE(liveIds(d.records).count(std::to_string(deletedId))) << "read before it was deleted";

  d.now += 3'600'000;  // an hour later, well past the overlap
  d.records.clear();
  d.afterPage = nullptr;
  auto inc = makeJob("orders", full->checkpoint());
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  std::set<std::string> tombstones;
  for (const auto& r : d.records)
    if (r.deleted) tombstones.insert(r.externalId);
  EXPECT_TRUE(tombstones.count(std::to_string(deletedId)));
}

TEST(NhanhSync, ResumesAnOrderWalkFromACheckpoint) {
  FakeNhanh server = seededOrders();
  Driver d(server);
  auto first = makeJob("orders");
  std::string saved;
  d.afterPage = [&](int page) {
    if (page == 3) {
      saved = first->checkpoint();
      first->cancel();
    }
  };
  EXPECT_EQ(d.run(*first).kind, Step::Kind::Failed);  // cancelled
  ASSERT_FALSE(saved.empty());
  EXPECT_NE(parseJson(saved)["run"]["cursor"].get<std::string>(), "");
  d.afterPage = nullptr;
  auto second = makeJob("orders", saved);
  ASSERT_EQ(d.run(*second).kind, Step::Kind::Done);
  std::set<std::string> want;
  for (const auto& o : server.orders) want.insert(std::to_string(o.id));
  EXPECT_EQ(liveIds(d.records), want);
}

FakeNhanh seededProducts(int n) {
  FakeNhanh s;
  for (int i = 0; i < n; ++i) {
    int status = i % 5 == 0 ? 3 : i % 7 == 0 ? 4 : i % 2 == 0 ? 1 : 2;
    s.products.push_back({1'231'000'000 + i * 2, kNowSec - 50 * kDay + i * 600, kNowSec - 40 * kDay, status, 5.0,
                          "Sản phẩm " + std::to_string(i)});
  }
  return s;
}

TEST(NhanhSync, ProductsFollowShortPagesAndIncludeStoppedOnes) {
  FakeNhanh server = seededProducts(430);
  Driver d(server);
  auto job = makeJob("products");
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(liveIds(d.records).size(), 430u);
  EXPECT_EQ(d.records.size(), 430u);
  int inactive = 0;
  for (const auto& r : d.records) inactive += std::get<Product>(r.body).active == false;
  EXPECT_EQ(inactive, 86);  // every fifth product is "Ngừng bán"
  for (const auto& b : server.bodiesFor("/product/list")) EXPECT_EQ(b["filters"]["status"], json({1, 2, 3, 4}));
  EXPECT_GE(server.bodiesFor("/product/list").size(), 5u);
}

TEST(NhanhSync, IncrementalProductsPickUpStockOnlyChanges) {
  FakeNhanh server = seededProducts(250);
  Driver d(server);
  auto full = makeJob("products");
  ASSERT_EQ(d.run(*full).kind, Step::Kind::Done);
  d.now += 3'600'000;
  const int64_t t = d.now / 1000;
  // Stock moves without touching updatedAt (nh.md §B.9.3); two products are edited.
  for (int i : {7, 120, 233}) {
    server.products[static_cast<size_t>(i)].stockAt = t - 60;
    server.products[static_cast<size_t>(i)].available = 42;
  }
  for (int i : {11, 12}) {
    server.products[static_cast<size_t>(i)].updated = t - 30;
    server.products[static_cast<size_t>(i)].name = "Đã đổi tên";
  }
  d.records.clear();
  server.log.clear();
  auto inc = makeJob("products", full->checkpoint());
  ASSERT_EQ(d.run(*inc).kind, Step::Kind::Done);
  std::map<std::string, const Record*> got;
  for (const auto& r : d.records) got[r.externalId] = &r;
  for (int i : {7, 120, 233}) {
    auto it = got.find(std::to_string(server.products[static_cast<size_t>(i)].id));
    ASSERT_NE(it, got.end()) << "stock change of product " << i;
    EXPECT_EQ(std::get<Product>(it->second->body).totalStock, 42);
  }
  for (int i : {11, 12}) EXPECT_TRUE(got.count(std::to_string(server.products[static_cast<size_t>(i)].id)));
  EXPECT_LE(got.size(), 5u);
  EXPECT_EQ(server.bodiesFor("/product/inventory").size(), 1u);
  // The edits (updatedAtFrom, short pages), then the stock-changed ids (as numbers).
  size_t idRequests = 0;
  for (const auto& b : server.bodiesFor("/product/list")) {
    if (b["filters"].contains("ids")) {
      ++idRequests;
      EXPECT_EQ(b["filters"]["ids"].size(), 3u);
      EXPECT_TRUE(b["filters"]["ids"][0].is_number());
    } else {
      ASSERT_TRUE(b["filters"].contains("updatedAtFrom")) << b.dump();
      EXPECT_GE(b["filters"]["updatedAtFrom"].get<int64_t>(), kNowSec - 400);
    }
  }
  EXPECT_GE(idRequests, 1u);

  // The next run starts from this run's start, not from the newest product edit.
  json cp = parseJson(inc->checkpoint());
  EXPECT_GE(cp["watermark"].get<int64_t>(), t * 1000 - 1000);
}

TEST(NhanhSync, RateLimitLockIsWaitedOutNotHammered) {
  FakeNhanh server = seededProducts(250);
  Driver d(server);
  auto job = makeJob("products");
  d.afterPage = [&](int page) {
    if (page == 1) {
      server.scripted.push_back(nhanhError("ERR_429", {{"message", "Your app exceeded the API Rate Limit"},
                                                        {"data", {{"lockedSeconds", 10}, {"unlockedAt", kNowSec + 10}}}}));
    }
  };
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  EXPECT_EQ(liveIds(d.records).size(), 250u);
  EXPECT_EQ(job->progress().retries, 1);
  // The request after the ERR_429 came at least lockedSeconds later.
  ASSERT_GE(server.log.size(), 3u);
  EXPECT_GE(server.log[2].first - server.log[1].first, 10'000);
}

TEST(NhanhSync, PacingStaysUnder150RequestsPer30Seconds) {
  FakeNhanh server = seededOrders();
  Driver d(server);
  auto job = makeJob("orders", "", {{"ordersSince", "2012-01-01"}});  // ~165 windows
  ASSERT_EQ(d.run(*job).kind, Step::Kind::Done);
  ASSERT_GT(server.log.size(), 150u);
  size_t lo = 0;
  for (size_t hi = 0; hi < server.log.size(); ++hi) {
    while (server.log[hi].first - server.log[lo].first >= 30'000) ++lo;
    ASSERT_LE(hi - lo + 1, 150u) << "window ending at request " << hi;
  }
}

TEST(NhanhSync, DeadTokenFailsWithAReconnectMessage) {
  FakeNhanh server = seededProducts(10);
  server.token = "another";
  Driver d(server);
  auto job = makeJob("customers");
  Step end = d.run(*job);
  ASSERT_EQ(end.kind, Step::Kind::Failed);
  EXPECT_EQ(end.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(end.error.platformCode, "ERR_INVALID_ACCESS_TOKEN");
  EXPECT_NE(end.error.message.find("kết nối lại"), std::string::npos);
  EXPECT_EQ(server.log.size(), 1u);  // no refresh exists: no retry loop
}

}  // namespace
}  // namespace storelink
