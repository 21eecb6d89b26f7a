// Getfly CRM v6.1: requests (tenant origin, X-API-KEY, id order + updated_at filter), mapping
// of documented list bodies, webhooks (form-encoded, secret_key in the body).
#include <gtest/gtest.h>

#include "../../src/connectors/connectors.hpp"
#include "storelink/normalize.hpp"
#include "storelink/sync_job.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

const Connector& getfly() { return connectors::getfly(); }

Page parse(Entity e, const std::string& fixture) {
  auto page = getfly().parsePage(e, test::readFixture("getfly/" + fixture), {});
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

std::string queryValue(const HttpRequest& r, const std::string& key) {
  for (const auto& [k, v] : r.query)
    if (k == key) return v;
  return "<absent>";
}

TEST(Getfly, RequestsUseTheTenantHostAndKeepOneFilterPerRun) {
  PageQuery q;
  q.entity = Entity::Orders;
  q.pageSize = 100;
  q.cursor = "1203";
  q.modifiedFromMs = parseDateTime("2026-05-01T00:00:00+07:00", 0);
  HttpRequest r = getfly().pageRequest(q);
  EXPECT_EQ(r.url, "{{secret.domain|origin:getflycrm.com}}/api/v6.1/sale_orders");
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"X-API-KEY", "{{secret.apiKey}}"}));
  EXPECT_EQ(queryValue(r, "limit"), "100");
  EXPECT_EQ(queryValue(r, "offset"), "0") << "keyset, never an offset";
  EXPECT_EQ(queryValue(r, "filtering[id:gt]"), "1203");
  EXPECT_EQ(queryValue(r, "sort"), "id") << "lists sort by id, never by updated_at";
  EXPECT_EQ(queryValue(r, "direction"), "asc");
  EXPECT_EQ(queryValue(r, "filtering[updated_at:gte]"), "2026-05-01 00:00:00") << "tenant local time (GMT+7)";
  EXPECT_NE(queryValue(r, "fields").find("order_details"), std::string::npos);
  EXPECT_EQ(buildUrl(r).find("filtering%5Bupdated_at%3Agte%5D=2026-05-01%2000%3A00%3A00") != std::string::npos, true);
  EXPECT_FALSE(getfly().paging(Entity::Orders).reanchor);
  EXPECT_FALSE(getfly().tokenRequest(json::object())) << "an API key, no token";

  auto filled = fillSecrets(r, {{"domain", "https://HoaMai.getflycrm.com/#/dashboard"}, {"apiKey", "k"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(filled->url, "https://hoamai.getflycrm.com/api/v6.1/sale_orders");
  auto bare = fillSecrets(r, {{"domain", "hoamai"}, {"apiKey", "k"}});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->url, "https://hoamai.getflycrm.com/api/v6.1/sale_orders");
  auto elsewhere = fillSecrets(r, {{"domain", "crm.example.com"}, {"apiKey", "k"}});
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(elsewhere.error().field, "domain");
}

// Regression (tests/js/faults.test.js, seed 1 getfly/customers): with offsets over id order,
// a customer deleted on page 1 while the sweep ran shifted customer 12133 from offset 100 to
// 99, and page 2 (offset 100) never read it. Keyset paging after the last id cannot skip one.
TEST(Getfly, PagesFollowTheLastIdSoADeletionMidSweepSkipsNothing) {
  PageQuery q;
  q.entity = Entity::Customers;
  q.pageSize = 100;
  HttpRequest first = getfly().pageRequest(q);
  EXPECT_EQ(queryValue(first, "filtering[id:gt]"), "<absent>");
  EXPECT_EQ(getfly().paging(Entity::Customers).kind, PagingPolicy::Kind::Cursor);
  EXPECT_TRUE(getfly().paging(Entity::Customers).watermarkIsRunStart) << "edits behind the cursor are the next run's";

  NormalizeOptions opts;
  opts.query = &q;
  auto page = getfly().parsePage(Entity::Customers, R"({"data":[{"id":12033,"account_code":"KH1"},{"id":"12132","account_code":"KH2"}],"has_more":true,"offset":0,"limited":2})", opts);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->nextCursor, "12132") << "the highest id read";
  q.cursor = *page->nextCursor;
  EXPECT_EQ(queryValue(getfly().pageRequest(q), "filtering[id:gt]"), "12132");
  auto end = getfly().parsePage(Entity::Customers, R"({"data":[{"id":12133,"account_code":"KH3"}],"has_more":false,"offset":0,"limited":2})", opts);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->nextCursor) << "has_more false ends the run";

  // A server that ignored the filter would send page 1 again: a typed error, never a loop.
  auto again = getfly().parsePage(Entity::Customers, R"({"data":[{"id":12033,"account_code":"KH1"}],"has_more":true})", opts);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::UnexpectedShape);
}

TEST(Getfly, ProductsAreOneSellableItemEach) {
  Page page = parse(Entity::Products, "products_page.json");
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.rowErrors.size(), 1u);
  EXPECT_FALSE(page.total) << "has_more: true, no total";
  const auto& p = std::get<Product>(page.records[0].body);
  EXPECT_EQ(page.records[0].externalId, "101");
  EXPECT_EQ(page.records[0].updatedAtMs, parseDateTime("2026-01-05T09:11:09+07:00", 0));
  EXPECT_EQ(p.sku, "SP.00192");
  EXPECT_EQ(p.name, "Áo thun cotton basic - Trắng M");
  EXPECT_EQ(p.category, "Áo");
  EXPECT_EQ(p.brand, "Hoa Mai");
  EXPECT_EQ(p.taxRate, 8.0) << "product_vat is the tax rate";
  EXPECT_EQ(p.description, "Áo thun 100% cotton\nForm rộng") << "empty short description → HTML description as text";
  EXPECT_EQ(p.images, (std::vector<std::string>{"https://hoamai.getflycrm.com/uploads/products/sp00192.jpg",
                                                "https://hoamai.getflycrm.com/uploads/products/sp00192-2.jpg"}));
  ASSERT_EQ(p.variants.size(), 1u);
  EXPECT_EQ(p.variants[0].price, 150000.0);
  EXPECT_FALSE(p.variants[0].compareAtPrice);
  EXPECT_EQ(p.variants[0].cost, 80000.0);
  EXPECT_FALSE(p.parentExternalId);
  const auto& p2 = std::get<Product>(page.records[1].body);
  EXPECT_EQ(p2.variants[0].price, 144000.0) << "cover_price as a string, less a 10% discount";
  EXPECT_EQ(p2.variants[0].compareAtPrice, 160000.0);
  EXPECT_FALSE(p2.taxRate);
}

// getfly.md 3.4: v3 bodies return numbers as strings and dates day first ("dd/mm/yyyy" or
// "dd-mm-yyyy"); the v3 product list sample is {"records": [{"product_id": "4371", ...,
// "cover_price": "1299000", "created_at": "11-11-2017"}]}. The dates were dropped.
TEST(Getfly, V3DayFirstDatesAreRead) {
  auto page = getfly().parsePage(
      Entity::Products,
      R"({"records": [{"product_id": "4371", "product_code": "SP01", "product_name": "Áo", "cover_price": "1299000",
                       "created_at": "11-11-2017", "updated_at": "03/01/2024 08:15:00"}]})",
      {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  const Record& r = page->records[0];
  EXPECT_EQ(r.externalId, "4371");
  EXPECT_EQ(r.createdAtMs, parseDateTime("2017-11-11T00:00:00+07:00", 0)) << "dd-mm-yyyy, tenant (Vietnam) time";
  EXPECT_EQ(r.updatedAtMs, parseDateTime("2024-01-03T08:15:00+07:00", 0)) << "dd/mm/yyyy HH:MM:SS";
  EXPECT_EQ(std::get<Product>(r.body).variants[0].price, 1299000.0);
  // Not dates at all stay unknown rather than guessed.
  auto odd = getfly().parsePage(Entity::Products, R"({"data": [{"id": 1, "created_at": "32/13/2017", "updated_at": "1-1-17"}]})", {});
  ASSERT_TRUE(odd.ok());
  EXPECT_FALSE(odd->records[0].createdAtMs);
  EXPECT_FALSE(odd->records[0].updatedAtMs);
}

// Stock: the products job reads the warehouse list once (names → ids), then follows each
// products page with /product/inventories for its ids, walking has_more.
TEST(Getfly, ProductStockComesFromInventoriesPerWarehouse) {
  auto setup = getfly().setupRequest(Entity::Products, json::object(), json::object());
  ASSERT_TRUE(setup);
  EXPECT_EQ(setup->url, "{{secret.domain|origin:getflycrm.com}}/api/v6.1/warehouses");
  auto learned = getfly().applySetup(Entity::Products, json::object(), *setup, {200, {}, test::readFixture("getfly/warehouses_page.json"), ""});
  ASSERT_TRUE(learned.ok());
  EXPECT_FALSE(getfly().setupRequest(Entity::Products, json::object(), learned.value())) << "once per job";
  EXPECT_FALSE(getfly().setupRequest(Entity::Orders, json::object(), json::object())) << "only products need it";

  Page page = parse(Entity::Products, "products_page.json");
  PageQuery q;
  q.entity = Entity::Products;
  q.learned = &learned.value();
  auto ups = getfly().followUpRequests(q, page);
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].url, "{{secret.domain|origin:getflycrm.com}}/api/v6.1/product/inventories");
  std::vector<std::string> ids;
  for (const auto& [k, v] : ups[0].query)
    if (k == "filtering[product_id:in][]") ids.push_back(v);
  EXPECT_EQ(ids, (std::vector<std::string>{"101", "102"}));
  EXPECT_EQ(queryValue(ups[0], "offset"), "0");

  HttpResponse first{200, {}, test::readFixture("getfly/inventories_page.json"), ""};
  EXPECT_FALSE(getfly().applyFollowUp(q, page, 0, first));
  auto next = getfly().moreFollowUps(q, page);
  ASSERT_EQ(next.size(), 1u) << "has_more: the next inventory page";
  EXPECT_EQ(queryValue(next[0], "filtering[id:gt]"), "3") << "keyset on the row id: a deletion cannot shift it";
  EXPECT_EQ(queryValue(next[0], "offset"), "0");
  EXPECT_EQ(queryValue(ups[0], "filtering[id:gt]"), "<absent>");
  HttpResponse second{200, {}, test::readFixture("getfly/inventories_page2.json"), ""};
  EXPECT_FALSE(getfly().applyFollowUp(q, page, 0, second));
  EXPECT_TRUE(getfly().moreFollowUps(q, page).empty()) << "has_more: false ends the walk";

  const auto& v1 = std::get<Product>(page.records[0].body).variants[0];
  ASSERT_EQ(v1.stock.size(), 2u);
  EXPECT_EQ(v1.stock[0].locationId, "1") << "warehouse_name → the warehouse's id";
  EXPECT_EQ(v1.stock[0].onHand, 45.0);
  EXPECT_EQ(v1.stock[0].available, 45.0);
  EXPECT_EQ(v1.stock[1].locationId, "2");
  EXPECT_EQ(v1.totalStock, 55.0) << "the sum over warehouses, as /product/quantity would say";
  const auto& v2 = std::get<Product>(page.records[1].body).variants[0];
  ASSERT_EQ(v2.stock.size(), 1u);
  EXPECT_EQ(v2.stock[0].locationId, "Kho Hà Nội") << "a warehouse the list did not show keeps its name";
  EXPECT_EQ(v2.totalStock, 2.5);

  // A garbled answer is retried (InvalidJson), and an empty one means no stock at all.
  Page again = parse(Entity::Products, "products_page.json");
  auto bad = getfly().applyFollowUp(q, again, 0, {200, {}, "{\"data\": [", ""});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, ErrorCode::InvalidJson);
  EXPECT_FALSE(getfly().applyFollowUp(q, again, 0, {200, {}, R"({"data": [], "has_more": false})", ""}));
  EXPECT_EQ(std::get<Product>(again.records[0].body).variants[0].totalStock, 0.0);
  Page empty = parse(Entity::Products, "products_page.json");
  EXPECT_FALSE(getfly().applyFollowUp(q, empty, 0, {200, {}, R"({"data": [], "has_more": true})", ""}));
  EXPECT_TRUE(getfly().moreFollowUps(q, empty).empty()) << "has_more with no rows never loops";
}

// The warehouse list is kept in the checkpoint: an incremental products run within the hour
// does not list it again, and its stock rows still map names to the warehouses' ids.
TEST(Getfly, IncrementalRunsReuseTheWarehouseListForAnHour) {
  std::vector<std::string> paths;
  auto run = [&](const std::string& checkpoint, int64_t& now, const std::string& mode = "auto") {
    SyncOptions o;
    o.platform = "getfly";
    o.entity = "products";
    o.checkpoint = checkpoint;
    o.mode = mode;
    auto job = SyncJob::create(o);
    EXPECT_TRUE(job.ok());
    std::vector<Record> records;
    paths.clear();
    for (int i = 0; i < 50; ++i) {
      Step s = job.value()->next(now);
      if (s.kind == Step::Kind::Done) break;
      EXPECT_NE(s.kind, Step::Kind::Failed) << s.error.detail;
      if (s.kind == Step::Kind::Failed) break;
      if (s.kind == Step::Kind::Wait) {
        now += s.waitMs;
        continue;
      }
      const std::string path = s.request.url.substr(s.request.url.find("/api/v6.1") + 9);
      paths.push_back(path);
      std::string body = path == "/warehouses"           ? test::readFixture("getfly/warehouses_page.json")
                         : path == "/product/inventories" ? R"({"data": [{"id": 1, "product_id": 101, "quantity": 45, "warehouse_name": "Kho Quận 1"}], "has_more": false})"
                                                          : test::readFixture("getfly/products_page.json");
      if (path == "/products") {  // one page, no more
        json j = parseJson(body);
        j["has_more"] = false;
        body = dumpJson(j);
      }
      job.value()->receive(s.requestId, {200, {}, body, ""}, now += 100);
      for (auto& r : job.value()->takeRecords()) records.push_back(std::move(r));
    }
    EXPECT_TRUE(job.value()->finished());
    return std::make_pair(job.value()->checkpoint(), records);
  };
  int64_t now = 1'780'000'000'000;
  auto [full, fullRecords] = run("", now);
  EXPECT_EQ(paths, (std::vector<std::string>{"/warehouses", "/products", "/product/inventories"}));
  EXPECT_NE(full.find("\"setup\""), std::string::npos) << full;

  now += 20 * 60'000;
  auto [inc, incRecords] = run(full, now);
  EXPECT_EQ(paths, (std::vector<std::string>{"/products", "/product/inventories"})) << "no warehouse list within the hour";
  ASSERT_FALSE(incRecords.empty());
  const auto& v = std::get<Product>(incRecords[0].body).variants[0];
  ASSERT_EQ(v.stock.size(), 1u);
  EXPECT_EQ(v.stock[0].locationId, "2") << "the kept list still turns names into ids (Kho Quận 1 is warehouse 2)";

  now += 45 * 60'000;  // 65 minutes since the list was read
  run(inc, now);
  EXPECT_EQ(paths.front(), "/warehouses");
  run(full, now -= 60 * 60'000, "full");
  EXPECT_EQ(paths.front(), "/warehouses") << "a full run always lists them";
}

// The right to see stock withdrawn within the hour after the warehouses were listed (kept
// setup) or after this job listed them: product/inventories' 403 no longer fails the products
// job; the products go out without per-warehouse stock (later pages ask none: learned "stock": "forbidden"),
// and the warehouse list is not kept, so the next job lists it and asks for stock again.
TEST(Getfly, AStockPermissionWithdrawnFallsBackAndDropsTheKeptWarehouses) {
  std::vector<std::string> paths;
  bool forbidden = false;
  auto run = [&](const std::string& checkpoint, int64_t& now) {
    SyncOptions o;
    o.platform = "getfly";
    o.entity = "products";
    o.checkpoint = checkpoint;
    auto job = SyncJob::create(o);
    EXPECT_TRUE(job.ok());
    std::vector<Record> records;
    paths.clear();
    for (int i = 0; i < 50; ++i) {
      Step s = job.value()->next(now);
      if (s.kind == Step::Kind::Done) break;
      EXPECT_NE(s.kind, Step::Kind::Failed) << s.error.message << " " << s.error.detail;
      if (s.kind == Step::Kind::Failed) break;
      if (s.kind == Step::Kind::Wait) {
        now += s.waitMs;
        continue;
      }
      const std::string path = s.request.url.substr(s.request.url.find("/api/v6.1") + 9);
      paths.push_back(path);
      HttpResponse resp{200, {}, "", ""};
      if (path == "/warehouses") {
        resp.body = test::readFixture("getfly/warehouses_page.json");
      } else if (path == "/product/inventories") {
        if (forbidden) resp = {403, {}, R"({"message": "Bạn không có quyền xem tồn kho", "code": 403})", ""};
        else resp.body = R"({"data": [{"id": 1, "product_id": 101, "quantity": 45, "warehouse_name": "Kho Quận 1"}], "has_more": false})";
      } else {
        json j = parseJson(test::readFixture("getfly/products_page.json"));
        j["has_more"] = false;
        resp.body = dumpJson(j);
      }
      job.value()->receive(s.requestId, resp, now += 100);
      for (auto& r : job.value()->takeRecords()) records.push_back(std::move(r));
    }
    EXPECT_TRUE(job.value()->finished());
    return std::make_pair(job.value()->checkpoint(), records);
  };
  int64_t now = 1'780'000'000'000;
  auto [full, fullRecords] = run("", now);
  ASSERT_NE(full.find("\"setup\""), std::string::npos) << full;

  forbidden = true;
  now += 10 * 60'000;
  auto [inc, incRecords] = run(full, now);
  EXPECT_EQ(paths, (std::vector<std::string>{"/products", "/product/inventories"})) << "the kept list is used";
  ASSERT_FALSE(incRecords.empty());
  for (const auto& r : incRecords) EXPECT_TRUE(std::get<Product>(r.body).variants[0].stock.empty());
  EXPECT_EQ(inc.find("\"setup\""), std::string::npos) << inc;

  now += 60'000;
  run(inc, now);
  EXPECT_EQ(paths, (std::vector<std::string>{"/warehouses", "/products", "/product/inventories"})) << "asked again";

  // Freshly listed in this job, refused at the stock: the same.
  auto [fresh, freshRecords] = run("", now);
  EXPECT_EQ(paths, (std::vector<std::string>{"/warehouses", "/products", "/product/inventories"}));
  EXPECT_FALSE(freshRecords.empty());
  EXPECT_EQ(fresh.find("\"setup\""), std::string::npos) << fresh;
}

TEST(Getfly, OrdersWithDetailsDiscountsAndStatus) {
  Page page = parse(Entity::Orders, "orders_page.json");
  ASSERT_EQ(page.records.size(), 3u);
  ASSERT_TRUE(page.total);
  EXPECT_EQ(*page.total, 203.0) << "has_more false: offset + rows";
  const auto& o = std::get<Order>(page.records[0].body);
  EXPECT_EQ(o.code, "DH_00093");
  EXPECT_EQ(o.status, OrderStatus::Pending);
  EXPECT_EQ(o.platformStatus, "Chờ duyệt");
  EXPECT_EQ(o.paymentStatus, PaymentStatus::Unpaid);
  EXPECT_EQ(o.total, 83706.5);
  EXPECT_EQ(o.tax, 5791.5);
  EXPECT_EQ(o.discount, 6435.0) << "discount_amount is money; discount is a percent";
  EXPECT_EQ(o.locationId, "2");
  ASSERT_TRUE(o.customer);
  EXPECT_EQ(o.customer->externalId, "12033");
  EXPECT_EQ(o.customer->name, "Nguyễn Thị Hoa");
  EXPECT_EQ(o.customer->phone, "+84912345678");
  ASSERT_TRUE(o.shippingAddress);
  EXPECT_EQ(o.shippingAddress->address, "12 Nguyễn Trãi - Phường Bến Thành - Hồ Chí Minh");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].productExternalId, "2507");
  EXPECT_EQ(o.lines[0].sku, "SP2507");
  EXPECT_EQ(o.lines[0].discount, 650.0);
  EXPECT_EQ(o.lines[0].total, 64350.0);
  EXPECT_EQ(o.lines[1].discount, 0.0);
  EXPECT_EQ(o.lines[1].total, 300000.0);
  EXPECT_EQ(o.subtotal, 364350.0);
  const auto& paid = std::get<Order>(page.records[1].body);
  EXPECT_EQ(paid.status, OrderStatus::Completed) << "status code unknown: the label decides";
  EXPECT_EQ(paid.paymentStatus, PaymentStatus::Paid);
  EXPECT_FALSE(paid.customer) << "account_id 0 and no name: walk-in";
  EXPECT_FALSE(paid.locationId) << "store_id 0";
  EXPECT_EQ(paid.discount, 0.0);
  const auto& cancelled = std::get<Order>(page.records[2].body);
  EXPECT_EQ(cancelled.status, OrderStatus::Cancelled);
  EXPECT_EQ(cancelled.paymentStatus, PaymentStatus::PartiallyPaid);
  EXPECT_EQ(cancelled.customer->name, "Chị Lan");
}

TEST(Getfly, AccountsAreCustomers) {
  Page page = parse(Entity::Customers, "accounts_page.json");
  ASSERT_EQ(page.records.size(), 2u);
  const auto& c = std::get<Customer>(page.records[0].body);
  EXPECT_EQ(c.name, "Nguyễn Thị Hoa");
  EXPECT_EQ(c.phone, "+84912345678") << "phone_office";
  EXPECT_EQ(c.totalSpent, 620000.0) << "total_revenue";
  EXPECT_EQ(c.birthday, "1994-03-12");
  EXPECT_FALSE(c.gender) << "numeric gender codes are undocumented";
  EXPECT_EQ(c.groups, std::vector<std::string>{"Khách hàng"});
  EXPECT_EQ(c.address->address, "12 Nguyễn Trãi, Phường Bến Thành, Hồ Chí Minh");
  const auto& c2 = std::get<Customer>(page.records[1].body);
  EXPECT_EQ(c2.phone, "+84323456789") << "empty phone_office: the contact's legacy mobile, renumbered";
  EXPECT_EQ(c2.gender, "male");
  EXPECT_FALSE(c2.birthday) << "0000-00-00";
  EXPECT_FALSE(c2.email);
  EXPECT_FALSE(c2.address);
  EXPECT_TRUE(c2.groups.empty());
  EXPECT_EQ(c2.totalSpent, 0.0);

  Page wh = parse(Entity::Locations, "warehouses_page.json");
  ASSERT_EQ(wh.records.size(), 2u);
  EXPECT_EQ(std::get<Location>(wh.records[1].body).name, "Kho Quận 1");
}

TEST(Getfly, WebhooksCheckTheSecretKeyAndCarryIdsOnly) {
  WebhookDelivery d;
  d.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  d.body = test::readFixture("getfly/webhook_order_created.txt");
  auto ev = getfly().inspectWebhook(d, "s3cr3t-value");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->topic, "order.created");
  EXPECT_EQ(ev->entity, Entity::Orders);
  EXPECT_FALSE(ev->deletion);
  EXPECT_EQ(ev->eventId, "6f1c2a7e9b");
  EXPECT_EQ(ev->storeKey, "hoamai.getflycrm.com");
  EXPECT_TRUE(ev->signatureChecked);
  auto wrong = getfly().inspectWebhook(d, "another-secret");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::Forbidden);
  auto unchecked = getfly().inspectWebhook(d, "");
  ASSERT_TRUE(unchecked.ok());
  EXPECT_FALSE(unchecked->signatureChecked);
  // Ids only: nothing to normalize, a sync fetches the order.
  auto page = getfly().parsePage(Entity::Orders, d.body, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->records.empty());

  d.body = test::readFixture("getfly/webhook_customer_deleted.txt");
  ev = getfly().inspectWebhook(d, "s3cr3t-value");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->entity, Entity::Customers);
  EXPECT_TRUE(ev->deletion);
  page = getfly().parsePage(Entity::Customers, d.body, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->removedIds, std::vector<std::string>{"12040"});

  d.body = test::readFixture("getfly/webhook_json.json");  // the JSON variant receivers have seen
  ev = getfly().inspectWebhook(d, "s3cr3t-value");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->entity, Entity::Products);
  d.body = "hello";
  EXPECT_EQ(getfly().inspectWebhook(d, "x").error().code, ErrorCode::UnexpectedShape);
}

TEST(Getfly, ErrorsAndBackoff) {
  auto v = getfly().classify({401, {}, test::readFixture("getfly/error_401.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal) << "a wrong key cannot be refreshed";
  EXPECT_EQ(v.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(v.error.field, "apiKey");
  v = getfly().classify({429, {{"retry-after", "5"}}, "", ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Retry);
  EXPECT_EQ(v.retryAfterMs, 5000);
  v = getfly().classify({400, {}, R"({"message":"Field không hợp lệ: foo"})", ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_NE(v.error.message.find("foo"), std::string::npos);
  auto cut = getfly().parsePage(Entity::Products, R"({"data":[{"id":1,"product_)", {});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::InvalidJson);
}

}  // namespace
}  // namespace storelink
