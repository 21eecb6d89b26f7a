// The engine's connector-driven steps: setup requests before the first page, follow-ups that
// complete a page before its records are released, plain-offset runs (reanchor = false) and
// run-start watermarks. A small fake connector keeps the mechanics visible.
#include <gtest/gtest.h>

#include <functional>

#include "storelink/sync_job.hpp"

namespace storelink {
namespace {

struct FakeConnector : Connector {
  PlatformInfo info_;
  PagingPolicy policy;
  FakeConnector() {
    info_.id = "fake";
    info_.displayName = "Fake";
    info_.entities = {Entity::Products};
    policy.pageSize = 2;
  }
  const PlatformInfo& info() const override { return info_; }
  PagingPolicy paging(Entity) const override { return policy; }
  RatePolicy rate() const override { return {1000, 1000, 0}; }

  std::optional<HttpRequest> setupRequest(Entity, const json&, const json& learned) const override {
    if (js::field(learned, "x")) return std::nullopt;
    HttpRequest r;
    r.url = "https://fake/setup";
    return r;
  }
  Result<json> applySetup(Entity, const json& learned, const HttpRequest&, const HttpResponse& resp) const override {
    if (resp.status == 403) return Error::make(ErrorCode::Forbidden, "no");
    json out = learned;
    out["x"] = parseJson(resp.body)["x"];
    return out;
  }
  HttpRequest pageRequest(const PageQuery& q) const override {
    HttpRequest r;
    r.url = "https://fake/page";
    r.query = {{"offset", std::to_string(q.offset)}, {"x", q.learned ? dumpJson((*q.learned)["x"]) : "none"}};
    if (q.modifiedFromMs) r.query.emplace_back("from", std::to_string(*q.modifiedFromMs));
    return r;
  }
  Result<Page> parsePage(Entity, std::string_view body, const NormalizeOptions&) const override {
    json j = parseJson(body);
    if (j.is_discarded()) return Error::make(ErrorCode::InvalidJson, "bad");
    Page p;
    for (const auto& row : j["rows"]) {
      Record r;
      r.type = RecordType::Product;
      r.platform = "fake";
      r.externalId = row["id"].get<std::string>();
      r.body = Product{};
      p.records.push_back(std::move(r));
      p.sortKeys.push_back(row.contains("t") ? std::optional<int64_t>(row["t"].get<int64_t>()) : std::nullopt);
    }
    p.rowCount = p.records.size();
    return p;
  }
  std::vector<HttpRequest> followUpRequests(const PageQuery& q, const Page& page) const override {
    std::vector<HttpRequest> out;
    for (const auto& r : page.records) {
      HttpRequest d;
      d.url = "https://fake/detail/" + r.externalId;
      out.push_back(d);
    }
    return out;
  }
  std::optional<Error> applyFollowUp(const PageQuery&, Page& page, size_t i, const HttpResponse& resp) const override {
    json j = parseJson(resp.body);
    if (j.is_discarded()) return Error::make(ErrorCode::InvalidJson, "bad detail");
    std::get<Product>(page.records[i].body).name = j["name"].get<std::string>();
    return std::nullopt;
  }
};

// Rows: id → modified time; answers pages of `policy.pageSize`.
struct Server {
  std::vector<std::pair<std::string, int64_t>> rows;
  std::vector<std::string> log;
  std::function<std::optional<HttpResponse>(const HttpRequest&)> intercept;
  HttpResponse handle(const HttpRequest& r, int pageSize) {
    std::string line = r.url;
    for (const auto& [k, v] : r.query) line += " " + k + "=" + v;
    log.push_back(line);
    if (intercept)
      if (auto res = intercept(r)) return *res;
    if (r.url == "https://fake/setup") return {200, {}, R"({"x":42})", ""};
    if (r.url.rfind("https://fake/detail/", 0) == 0) return {200, {}, R"({"name":"detail of )" + r.url.substr(20) + R"("})", ""};
    int64_t offset = 0, from = INT64_MIN;
    for (const auto& [k, v] : r.query) {
      if (k == "offset") offset = std::stoll(v);
      if (k == "from") from = std::stoll(v);
    }
    std::vector<std::pair<std::string, int64_t>> match;
    for (const auto& row : this->rows)
      if (row.second >= from) match.push_back(row);
    json rows = json::array();
    for (int64_t i = offset; i < static_cast<int64_t>(match.size()) && i < offset + pageSize; ++i)
      rows.push_back({{"id", match[i].first}, {"t", match[i].second}});
    return {200, {}, dumpJson(json{{"rows", rows}}), ""};
  }
};

struct DriveResult {
  std::vector<Record> records;
  Step last;
  int64_t firstPageAt = -1;
};

DriveResult drive(SyncJob& job, Server& server, int pageSize, int64_t now, int maxSteps = 200,
          std::function<bool(const std::string&)> stopBefore = nullptr) {
  DriveResult run;
  for (int i = 0; i < maxSteps; ++i) {
    Step s = job.next(now);
    run.last = s;
    if (s.kind == Step::Kind::Done || s.kind == Step::Kind::Failed) break;
    if (s.kind == Step::Kind::Wait) {
      now += s.waitMs;
      continue;
    }
    if (stopBefore && stopBefore(s.request.url)) break;
    if (run.firstPageAt < 0 && s.request.url == "https://fake/page") run.firstPageAt = now;
    job.receive(s.requestId, server.handle(s.request, pageSize), now);
    for (auto& r : job.takeRecords()) run.records.push_back(std::move(r));
    now += 10;
  }
  return run;
}

TEST(SyncJobSteps, SetupThenPagesWithFollowUpsReleasedWhole) {
  FakeConnector fake;
  fake.policy.reanchor = false;
  Server server;
  server.rows = {{"a", 1000}, {"b", 2000}, {"c", 3000}};
  SyncJob job(fake, Entity::Products, json::object(), false);
  int released = 0;
  server.intercept = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    // While a page's follow-ups are in flight nothing of it is released yet.
    if (r.url == "https://fake/detail/b") {
      EXPECT_EQ(released, 0);
    }
    static int failures = 0;
    if (r.url == "https://fake/detail/c" && failures++ == 0) return HttpResponse{503, {}, "", ""};  // retried
    return std::nullopt;
  };
  DriveResult run;
  int64_t now = 1'000'000;
  for (int i = 0; i < 100; ++i) {
    Step s = job.next(now);
    if (s.kind == Step::Kind::Done || s.kind == Step::Kind::Failed) {
      run.last = s;
      break;
    }
    if (s.kind == Step::Kind::Wait) {
      now += s.waitMs;
      continue;
    }
    job.receive(s.requestId, server.handle(s.request, 2), now);
    auto recs = job.takeRecords();
    released += static_cast<int>(recs.size());
    for (auto& r : recs) run.records.push_back(std::move(r));
  }
  ASSERT_EQ(run.last.kind, Step::Kind::Done) << run.last.error.detail;
  ASSERT_EQ(run.records.size(), 3u);
  for (const auto& r : run.records) EXPECT_EQ(std::get<Product>(r.body).name, "detail of " + r.externalId);
  std::vector<std::string> expected = {"https://fake/setup",          "https://fake/page offset=0 x=42",
                                       "https://fake/detail/a",       "https://fake/detail/b",
                                       "https://fake/page offset=2 x=42", "https://fake/detail/c",
                                       "https://fake/detail/c"};
  EXPECT_EQ(server.log, expected) << "setup once, learned values reach the pages, plain offsets";
  EXPECT_EQ(job.progress().pages, 2);
  EXPECT_EQ(job.progress().retries, 1);
}

TEST(SyncJobSteps, InterruptedFollowUpsReReadThePageAndSetupFailuresEndTheJob) {
  FakeConnector fake;
  Server server;
  server.rows = {{"a", 1000}, {"b", 5000}, {"c", 9000}};  // spaced beyond the tie window
  SyncJob first(fake, Entity::Products, json::object(), false);
  // Stop after the first page arrived but before its second follow-up.
  int details = 0;
  DriveResult run = drive(first, server, 2, 1'000'000, 200, [&](const std::string& url) {
    return url.rfind("https://fake/detail/", 0) == 0 && ++details == 2;
  });
  EXPECT_TRUE(run.records.empty()) << "a page is released only whole";
  std::string cp = first.checkpoint();
  EXPECT_EQ(parseJson(cp)["run"]["offset"], 0) << "the checkpoint still points at the held page";

  SyncJob second(fake, Entity::Products, json::object(), false);
  DriveResult rest = drive(second, server, 2, 2'000'000);
  EXPECT_EQ(rest.last.kind, Step::Kind::Done);
  EXPECT_EQ(rest.records.size(), 3u);

  Server refusing;
  refusing.intercept = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url == "https://fake/setup") return HttpResponse{403, {}, "", ""};
    return std::nullopt;
  };
  SyncJob denied(fake, Entity::Products, json::object(), false);
  DriveResult failed = drive(denied, refusing, 2, 1'000'000);
  ASSERT_EQ(failed.last.kind, Step::Kind::Failed);
  EXPECT_EQ(failed.last.error.code, ErrorCode::Forbidden);
  EXPECT_EQ(refusing.log.size(), 1u) << "no page after a failed setup";
}

TEST(SyncJobSteps, RunStartWatermarkForLastSyncDateApis) {
  FakeConnector fake;
  fake.policy.reanchor = false;
  fake.policy.watermarkIsRunStart = true;
  Server server;
  server.rows = {{"a", 5}, {"b", 6}, {"c", 7}};  // row times say nothing about the sync's clock
  SyncJob job(fake, Entity::Products, json::object(), false);
  DriveResult run = drive(job, server, 2, 1'000'000);
  ASSERT_EQ(run.last.kind, Step::Kind::Done);
  json cp = parseJson(job.checkpoint());
  EXPECT_EQ(cp["state"], "done");
  EXPECT_EQ(cp["watermark"], run.firstPageAt) << "the next run asks for changes since this run started";
}

}  // namespace
}  // namespace storelink
