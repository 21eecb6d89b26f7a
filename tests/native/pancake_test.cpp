// Pancake POS bodies → unified records, webhooks, the shop picker, and paging through the
// engine against an in-process double (page_number/page_size, updateStatus=updated_at +
// startDateTime in unix seconds, option_sort=last_updated_order_asc, api_key in the query).
// Fixtures follow shared/platforms/pancake.md §1.11 (anonymized real responses) plus quirks.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "storelink/api.hpp"
#include "storelink/normalize.hpp"
#include "storelink/platforms.hpp"
#include "storelink/sync_job.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

Page normalize(const std::string& entity, const std::string& body) {
  auto page = normalizeBody("pancake", entity, body, NormalizeOptions{});
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

json asJson(const Record& r) { return parseJson(recordToJson(r)); }

TEST(PancakeProducts, NestedVariationsWithWarehouseStock) {
  Page p = normalize("products", test::readFixture("pancake/products_page.json"));
  ASSERT_EQ(p.records.size(), 2u);
  ASSERT_EQ(p.rowErrors.size(), 1u);
  EXPECT_EQ(p.total, 37);
  EXPECT_EQ(p.nextCursor, std::optional<std::string>("2"));  // page 1 of 19

  json a = asJson(p.records[0]);
  EXPECT_EQ(a["platform"], "pancake");
  EXPECT_EQ(a["externalId"], "8f0c5a4e-2b1d-4c7e-9a61-3f5d2e7b9c10");
  EXPECT_EQ(a["name"], "Áo thun cotton basic");
  EXPECT_EQ(a["sku"], "ATB01");
  EXPECT_EQ(a["category"], "Áo");
  EXPECT_EQ(a["active"], true);
  EXPECT_TRUE(a["parentExternalId"].is_null());
  EXPECT_EQ(a["createdAt"], "2025-11-02T03:15:20.000Z");  // naive ISO = UTC
  EXPECT_EQ(a["updatedAt"], "2026-02-14T08:40:00.000Z");  // the newest variation's
  EXPECT_EQ(a["images"], json({"https://content.pancake.vn/1/products/atb01.jpg",
                               "https://content.pancake.vn/1/products/atb01-white.jpg"}));
  ASSERT_EQ(a["variants"].size(), 2u);
  const json& v1 = a["variants"][0];
  EXPECT_EQ(v1["externalId"], "b7a1d2c3-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  EXPECT_EQ(v1["sku"], "ATB01-TR-M");
  EXPECT_EQ(v1["barcode"], "8936012345678");
  EXPECT_EQ(v1["name"], "Áo thun cotton basic - Trắng / M");
  EXPECT_EQ(v1["options"], json({{"Màu", "Trắng"}, {"Size", "M"}}));
  EXPECT_EQ(v1["price"], 150000);
  EXPECT_TRUE(v1["compareAtPrice"].is_null());
  EXPECT_EQ(v1["cost"], 80000);
  EXPECT_EQ(v1["weightGrams"], 250);
  EXPECT_EQ(v1["stock"], json::array({{{"locationId", "0d6a1f7e-3c2b-4e8a-9f10-55aa77bb99cc"}, {"onHand", 45}, {"available", 42}}}));
  EXPECT_EQ(v1["totalStock"], 42);
  const json& v2 = a["variants"][1];
  EXPECT_EQ(v2["price"], 144000);  // retail_price_after_discount
  EXPECT_EQ(v2["compareAtPrice"], 160000);
  EXPECT_EQ(v2["cost"], 84000);
  EXPECT_EQ(a["totalStock"], 54);

  // A removed variation is dropped; the only one left is hidden → off sale; strings as numbers.
  json b = asJson(p.records[1]);
  EXPECT_EQ(b["sku"], "103");  // no custom_id: the display number
  EXPECT_EQ(b["active"], false);
  EXPECT_EQ(b["images"], json::array());
  ASSERT_EQ(b["variants"].size(), 1u);
  EXPECT_EQ(b["variants"][0]["price"], 85000);
  EXPECT_TRUE(b["variants"][0]["cost"].is_null());
  EXPECT_TRUE(b["variants"][0]["barcode"].is_null());
  EXPECT_EQ(b["variants"][0]["totalStock"], -2);  // selling into negative stock is allowed
  EXPECT_EQ(b["variants"][0]["options"], json::object());
  EXPECT_EQ(b["updatedAt"], "2026-04-01T00:00:00.000Z");
}

TEST(PancakeOrders, ItemsDiscountsAndStatuses) {
  Page p = normalize("orders", test::readFixture("pancake/orders_page.json"));
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.total, 14);
  EXPECT_FALSE(p.nextCursor.has_value());  // orders page by update time, not by cursor
  json o = asJson(p.records[0]);
  EXPECT_EQ(o["externalId"], "480");
  EXPECT_EQ(o["code"], "480");
  EXPECT_EQ(o["status"], "confirmed");
  EXPECT_EQ(o["platformStatus"], "submitted");
  EXPECT_EQ(o["customer"], json({{"externalId", "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"}, {"name", "Nguyễn Thị Hoa"},
                                 {"phone", "+84912345678"}, {"email", nullptr}}));
  ASSERT_EQ(o["lines"].size(), 1u);
  EXPECT_EQ(o["lines"][0], json({{"productExternalId", "8f0c5a4e-2b1d-4c7e-9a61-3f5d2e7b9c10"},
                                 {"variantExternalId", "b7a1d2c3-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
                                 {"sku", "ATB01-TR-M"}, {"name", "Áo thun cotton basic - Trắng / M"}, {"quantity", 2},
                                 {"unitPrice", 150000}, {"discount", 20000}, {"total", 280000}}));
  EXPECT_EQ(o["subtotal"], 280000);
  EXPECT_EQ(o["discount"], 0);  // the order's total_discount is the lines' own
  EXPECT_EQ(o["shippingFee"], 30000);
  EXPECT_EQ(o["tax"], 0);
  EXPECT_EQ(o["total"], 310000);  // = cod in the fixture
  EXPECT_EQ(o["paymentStatus"], "unpaid");
  EXPECT_EQ(o["currency"], "VND");
  EXPECT_EQ(o["shippingAddress"], json({{"name", "Nguyễn Thị Hoa"}, {"phone", "+84912345678"}, {"address", "12 Nguyễn Trãi"},
                                        {"ward", "Phường Bến Thành"}, {"district", "Quận 1"}, {"province", "Hồ Chí Minh"},
                                        {"country", "VN"}}));
  EXPECT_EQ(o["locationId"], "0d6a1f7e-3c2b-4e8a-9f10-55aa77bb99cc");
  EXPECT_EQ(o["note"], "Giao giờ hành chính");
  EXPECT_EQ(o["createdAt"], "2026-05-07T11:04:38.590Z");
  EXPECT_EQ(o["updatedAt"], "2026-05-07T11:20:02.000Z");

  json removed = asJson(p.records[1]);
  EXPECT_EQ(removed["status"], "cancelled");  // 7 "Đã xóa", listed with include_removed=1
  EXPECT_TRUE(removed["customer"].is_null());
  EXPECT_TRUE(removed["shippingAddress"].is_null());
  EXPECT_EQ(removed["lines"][0]["discount"], 15000);  // 10 % of 150000
  EXPECT_EQ(removed["total"], 135000);  // free shipping
  EXPECT_EQ(removed["paymentStatus"], "paid");  // transferred in full
}

// GET /orders/{id} in the shape of the anonymized real response kept by trinhhaox/pancake-pos-mcp
// (tests/fixtures/orders-get-full-response.json), values changed: there total_price_after_sub_discount
// already counts the shipping fee (3725000 + 180000 = 3905000 = cod), unlike pancake.md §1.11.
TEST(PancakeOrders, RealDetailShapeCountsShippingOnce) {
  Page p = normalize("orders", test::readFixture("pancake/order_detail_mcp_shape.json"));
  ASSERT_EQ(p.records.size(), 1u);
  json o = asJson(p.records[0]);
  EXPECT_EQ(o["externalId"], "512");
  EXPECT_EQ(o["status"], "pending");
  EXPECT_EQ(o["platformStatus"], "new");
  ASSERT_EQ(o["lines"].size(), 2u);
  EXPECT_EQ(o["lines"][0], json({{"productExternalId", "5a0c1e2d-1111-4a2b-8c3d-000000000001"},
                                 {"variantExternalId", "7b1d2e3f-2222-4b3c-9d4e-000000000001"},
                                 {"sku", "NCKD-01"}, {"name", "Nồi chiên không dầu"}, {"quantity", 4},
                                 {"unitPrice", 150000}, {"discount", 0}, {"total", 600000}}));  // fields: null
  EXPECT_EQ(o["lines"][1]["name"], "Chảo chống dính - 26cm");
  EXPECT_EQ(o["lines"][1]["unitPrice"], 210000);  // retail_price, not exact_price
  EXPECT_EQ(o["lines"][1]["total"], 420000);
  EXPECT_EQ(o["subtotal"], 1020000);
  EXPECT_EQ(o["discount"], 0);
  EXPECT_EQ(o["shippingFee"], 40000);
  EXPECT_EQ(o["total"], 1060000);  // = cod = money_to_collect, nothing prepaid
  EXPECT_EQ(o["paymentStatus"], "unpaid");
  EXPECT_EQ(o["customer"], json({{"externalId", "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6c0"}, {"name", "Lê Văn Tâm"},
                                 {"phone", "+84903111222"}, {"email", nullptr}}));
  EXPECT_EQ(o["shippingAddress"], json({{"name", "Lê Văn Tâm"}, {"phone", "+84903111222"}, {"address", "88 Trần Hưng Đạo"},
                                        {"ward", nullptr}, {"district", nullptr}, {"province", "Thành phố Hồ Chí Minh"},
                                        {"country", "VN"}}));
  EXPECT_EQ(o["note"], "Gọi trước khi giao");
  EXPECT_EQ(o["createdAt"], "2026-05-07T11:04:38.590Z");
  EXPECT_EQ(o["updatedAt"], "2026-05-07T11:04:39.135Z");
}

TEST(PancakeOrders, EveryStatusCodeIsMapped) {
  const std::map<int, std::string> table = {
      {0, "pending"},     {17, "pending"},    {11, "pending"},   {20, "pending"},  {1, "confirmed"},
      {12, "processing"}, {13, "processing"}, {8, "processing"}, {9, "processing"}, {2, "shipping"},
      {3, "completed"},   {16, "completed"},  {4, "returned"},   {15, "returned"}, {5, "returned"},
      {6, "cancelled"},   {7, "cancelled"},
  };
  for (const auto& [code, expected] : table) {
    json body = {{"data", json::array({{{"id", 100 + code}, {"status", code}}})}, {"success", true}};
    EXPECT_EQ(asJson(normalize("orders", dumpJson(body)).records.at(0))["status"], expected) << code;
  }
}

TEST(PancakeCustomersAndWarehouses, Map) {
  Page p = normalize("customers", test::readFixture("pancake/customers_page.json"));
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.nextCursor, std::optional<std::string>("2"));
  json c = asJson(p.records[0]);
  EXPECT_EQ(c["externalId"], "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7");
  EXPECT_EQ(c["phone"], "+84912345678");
  EXPECT_EQ(c["email"], "hoa.nguyen@example.com");
  EXPECT_EQ(c["gender"], "female");
  EXPECT_EQ(c["birthday"], "1994-03-12");
  EXPECT_EQ(c["address"]["address"], "12 Nguyễn Trãi");
  EXPECT_EQ(c["address"]["country"], "VN");
  EXPECT_EQ(c["totalSpent"], 620000);
  EXPECT_EQ(c["orderCount"], 3);
  EXPECT_EQ(c["groups"], json::array());
  EXPECT_EQ(c["updatedAt"], "2026-05-07T11:04:38.590Z");

  Page w = normalize("locations", test::readFixture("pancake/warehouses.json"));
  ASSERT_EQ(w.records.size(), 1u);
  json l = asJson(w.records[0]);
  EXPECT_EQ(l["name"], "Kho Quận 1");
  EXPECT_EQ(l["address"], "45 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh");
  EXPECT_EQ(l["phone"], *normalizePhone("02838123456"));
  EXPECT_FALSE(w.nextCursor.has_value());
}

WebhookDelivery delivery(const std::string& body, std::map<std::string, std::string> headers = {}) {
  WebhookDelivery d;
  d.body = body;
  d.headers = std::move(headers);
  return d;
}

TEST(PancakeWebhooks, RawObjectsByKeysWithTheStoreHeader) {
  const Connector& c = *findConnector("pancake");
  std::string order = test::readFixture("pancake/webhook_order.json");
  auto ev = c.inspectWebhook(delivery(order, {{"x-store-id", "1234567"}}), "");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->entity, Entity::Orders);
  EXPECT_EQ(ev->topic, "order");
  EXPECT_EQ(ev->storeKey, "1234567");
  EXPECT_EQ(ev->eventId, "order:480:2026-05-08T02:00:10.000000");
  EXPECT_FALSE(ev->signatureChecked);
  // Without the header, the body's shop_id names the shop.
  EXPECT_EQ(c.inspectWebhook(delivery(order), "")->storeKey, "1234567");

  // A secret header the shop added is checked when the connection has one.
  auto good = c.inspectWebhook(delivery(order, {{"x-store-id", "1234567"}, {"x-webhook-secret", "6QwB2hXk"}}), "6QwB2hXk");
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->signatureChecked);
  auto bad = c.inspectWebhook(delivery(order, {{"x-store-id", "1234567"}, {"x-webhook-secret", "nope"}}), "6QwB2hXk");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::Forbidden);

  EXPECT_EQ(c.inspectWebhook(delivery(test::readFixture("pancake/webhook_customer.json")), "")->entity, Entity::Customers);
  auto stock = c.inspectWebhook(delivery(test::readFixture("pancake/webhook_variation.json")), "");
  EXPECT_EQ(stock->entity, Entity::Products);
  EXPECT_EQ(stock->topic, "variation");
  // Wrapped bodies ({"order": {...}}) some senders use are read too.
  EXPECT_EQ(c.inspectWebhook(delivery("{\"order\":" + order + "}"), "")->entity, Entity::Orders);
  EXPECT_FALSE(c.inspectWebhook(delivery(R"({"hello":1})"), "").ok());
}

TEST(PancakeWebhooks, ParsePageNormalizesTheWebhookLikeTheList) {
  json list = asJson(normalize("orders", test::readFixture("pancake/orders_page.json")).records.at(0));
  Page hook = normalize("orders", test::readFixture("pancake/webhook_order.json"));
  ASSERT_EQ(hook.records.size(), 1u);
  json w = asJson(hook.records[0]);
  EXPECT_EQ(w["status"], "shipping");
  EXPECT_EQ(w["updatedAt"], "2026-05-08T02:00:10.000Z");
  for (const char* k : {"externalId", "customer", "lines", "subtotal", "discount", "shippingFee", "total", "shippingAddress",
                        "locationId", "note", "createdAt"})
    EXPECT_EQ(w[k], list[k]) << k;
  // The same body asked as customers gives nothing; a customer webhook gives the customer.
  EXPECT_TRUE(normalize("customers", test::readFixture("pancake/webhook_order.json")).records.empty());
  EXPECT_EQ(normalize("customers", test::readFixture("pancake/webhook_customer.json")).records.size(), 1u);
  // A lone variation is no whole product: no record, no error.
  Page v = normalize("products", test::readFixture("pancake/webhook_variation.json"));
  EXPECT_TRUE(v.records.empty());
  EXPECT_TRUE(v.rowErrors.empty());
}

TEST(PancakeErrors, BadKeyIsInvalidCredentials) {
  const Connector& c = *findConnector("pancake");
  HttpResponse r{401, {}, test::readFixture("pancake/error_invalid_key.json"), ""};
  auto v = c.classify(r);
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(v.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(v.error.platformCode, "401");
  EXPECT_NE(v.error.message.find("API KEY"), std::string::npos);
  HttpResponse soft{200, {}, R"({"success":false,"message":"Shop not found"})", ""};
  EXPECT_EQ(c.classify(soft).kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(c.classify({429, {{"retry-after", "3"}}, "{}", ""}).retryAfterMs, 3000);
  auto bad = normalizeBody("pancake", "orders", test::readFixture("pancake/error_invalid_key.json"), NormalizeOptions{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidCredentials);
}

// A body that is not JSON (a proxy's HTML page) reads as one without message or envelope:
// the base verdict, the key's own texts, nothing appended.
TEST(PancakeErrors, BodiesThatAreNotJson) {
  const Connector& c = *findConnector("pancake");
  auto gateway = c.classify({502, {}, "<html>Bad gateway</html>", ""});
  EXPECT_EQ(gateway.kind, ResponseVerdict::Kind::Retry);
  EXPECT_EQ(gateway.error.code, ErrorCode::ServerError);
  EXPECT_EQ(gateway.error.detail, "HTTP 502");
  EXPECT_EQ(gateway.error.platformCode, "");
  auto denied = c.classify({401, {}, "<html>Unauthorized</html>", ""});
  EXPECT_EQ(denied.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(denied.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(denied.error.detail, "HTTP 401");
  EXPECT_EQ(c.classify({200, {}, "{\"success\":false", ""}).kind, ResponseVerdict::Kind::Ok);  // cut short: parsePage says so
  auto cut = normalizeBody("pancake", "orders", "{\"data\":[{\"id\":1}", NormalizeOptions{});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::InvalidJson);
  auto notAnObject = normalizeBody("pancake", "orders", "[{\"id\":1}]", NormalizeOptions{});
  ASSERT_FALSE(notAnObject.ok());
  EXPECT_EQ(notAnObject.error().code, ErrorCode::UnexpectedShape);
}

// raw: the row exactly as parseJson + dumpJson gives it, from a list page, a single object
// ({data: {...}}), a webhook and a wrapped webhook; escapes, duplicate keys (the last wins) and
// number forms included.
TEST(PancakeRaw, RawIsTheRowAsParsed) {
  NormalizeOptions raw;
  raw.includeRaw = true;
  const std::string odd =
      R"({"data":[{"id":1,"name":"\u00c1o \"thun\"\n","id":"p-2","price":1.50,"big":1e21,"neg":-0,"u":18446744073709551615,)"
      R"("variations":[{"id":"v","fields":[{"name":"Màu","value":"Đỏ"}]}],"nested":{"a":[null,true,{}]}}]})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"products", test::readFixture("pancake/products_page.json")},
      {"orders", test::readFixture("pancake/orders_page.json")},
      {"customers", test::readFixture("pancake/customers_page.json")},
      {"products", odd},
  };
  for (const auto& [entity, body] : cases) {
    auto page = normalizeBody("pancake", entity, body, raw);
    ASSERT_TRUE(page.ok()) << entity;
    std::vector<std::string> expected;  // the rows that made a record (the others are row errors)
    const json rows = parseJson(body)["data"];
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string skipped = "row " + std::to_string(i) + " has no id";
      if (std::none_of(page->rowErrors.begin(), page->rowErrors.end(), [&](const Error& e) { return e.detail == skipped; }))
        expected.push_back(dumpJson(rows[i]));
    }
    ASSERT_EQ(page->records.size(), expected.size()) << entity;
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(page->records[i].rawJson, expected[i]) << entity << " record " << i;
  }
  const std::string detail = test::readFixture("pancake/order_detail_mcp_shape.json");
  auto one = normalizeBody("pancake", "orders", detail, raw);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->records[0].rawJson, dumpJson(parseJson(detail)["data"]));
  const std::string hook = test::readFixture("pancake/webhook_order.json");
  auto bare = normalizeBody("pancake", "orders", hook, raw);
  auto wrapped = normalizeBody("pancake", "orders", "{\"order\":" + hook + "}", raw);
  ASSERT_TRUE(bare.ok() && wrapped.ok());
  ASSERT_EQ(bare->records.size(), 1u);
  ASSERT_EQ(wrapped->records.size(), 1u);
  EXPECT_EQ(bare->records[0].rawJson, dumpJson(parseJson(hook)));
  EXPECT_EQ(recordToJson(wrapped->records[0]), recordToJson(bare->records[0]));  // the inner object, raw included
  EXPECT_FALSE(normalize("orders", test::readFixture("pancake/orders_page.json")).records.at(0).rawJson);
}

json connect(const std::string& step, const json& input) { return parseJson(api::connectJson("pancake", step, dumpJson(input))); }

TEST(PancakeConnect, ShopPickerAndWebhookSettings) {
  json req = connect("shopsRequest", json::object());
  auto r = requestFromJson(req["request"]);
  ASSERT_TRUE(r.ok());
  auto filled = fillSecrets(*r, {{"apiKey", "k&y"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(buildUrl(*filled), "https://pos.pages.fm/api/v1/shops?api_key=k%26y");
  json shops = connect("shopsResult", {{"body", test::readFixture("pancake/shops.json")}, {"status", 200}});
  EXPECT_EQ(shops["shops"], json::array({{{"id", "1234567"}, {"name", "Thời Trang Hoa Mai"},
                                          {"avatarUrl", "https://content.pancake.vn/1/s200x200/fwebp/avatar.jpg"}}}));
  json denied = connect("shopsResult", {{"body", test::readFixture("pancake/error_invalid_key.json")}, {"status", 401}});
  EXPECT_EQ(denied["error"]["code"], "invalid_credentials");
  json pr = connect("productRequest", {{"body", test::readFixture("pancake/webhook_variation.json")}});
  auto preq = requestFromJson(pr["request"]);
  ASSERT_TRUE(preq.ok()) << pr.dump();
  EXPECT_EQ(preq->url, "https://pos.pages.fm/api/v1/shops/{{secret.shopId|urlencode}}/products/8f0c5a4e-2b1d-4c7e-9a61-3f5d2e7b9c10");
  EXPECT_EQ(connect("productRequest", json::object())["error"]["field"], "id");
  json hook = connect("webhookSettings", {{"baseUrl", "https://sync.storelink.vn/"}, {"shopId", 1234567}});
  EXPECT_EQ(hook["url"], "https://sync.storelink.vn/webhooks/pancakepos");
  EXPECT_EQ(hook["headers"], json({{"x-store-id", "1234567"}}));
}

// --- paging through the engine ------------------------------------------------------

struct POrder {
  int id;
  int64_t updatedMs;
};

class FakePancake {
 public:
  std::vector<POrder> orders;
  int products = 0;
  std::vector<HttpRequest> log;

  HttpResponse handle(const HttpRequest& r) {
    log.push_back(r);
    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    if (q["api_key"] != "key-1") return {401, {}, R"({"success":false,"message":"api_key is invalid","error_code":401})", ""};
    int pageNo = std::stoi(q["page_number"].empty() ? "1" : q["page_number"]);
    int size = std::stoi(q["page_size"].empty() ? "30" : q["page_size"]);
    json data = json::array();
    size_t total = 0;
    if (r.url == "https://pos.pages.fm/api/v1/shops/1234567/orders") {
      std::vector<POrder> match;
      for (const auto& o : orders)
        if (q["startDateTime"].empty() || o.updatedMs / 1000 >= std::stoll(q["startDateTime"])) match.push_back(o);
      EXPECT_EQ(q["option_sort"], "last_updated_order_asc");
      std::sort(match.begin(), match.end(), [](const POrder& a, const POrder& b) {
        return a.updatedMs != b.updatedMs ? a.updatedMs < b.updatedMs : a.id < b.id;
      });
      total = match.size();
      for (size_t i = static_cast<size_t>((pageNo - 1) * size); i < match.size() && i < static_cast<size_t>(pageNo * size); ++i)
        data.push_back({{"id", match[i].id}, {"status", 1}, {"updated_at", formatLocal(match[i].updatedMs, 0, 6)}});
    } else if (r.url == "https://pos.pages.fm/api/v1/shops/1234567/products") {
      total = static_cast<size_t>(products);
      for (int i = (pageNo - 1) * size; i < products && i < pageNo * size; ++i)
        data.push_back({{"id", "p-" + std::to_string(i)}, {"name", "SP"}, {"variations", json::array()}});
    } else {
      return {404, {}, R"({"success":false,"message":"not found"})", ""};
    }
    size_t pages = (total + static_cast<size_t>(size) - 1) / static_cast<size_t>(size);
    json body = {{"data", data}, {"page_number", pageNo}, {"page_size", size}, {"total_entries", total},
                 {"total_pages", pages}, {"success", true}};
    return {200, {}, dumpJson(body), ""};
  }
};

std::vector<Record> runJob(FakePancake& server, SyncJob& job, int64_t& now, std::function<void(int)> between = nullptr) {
  std::vector<Record> out;
  std::map<std::string, std::string> vault{{"apiKey", "key-1"}, {"shopId", "1234567"}};
  int pages = 0;
  for (int i = 0; i < 5000; ++i) {
    Step s = job.next(now);
    if (s.kind == Step::Kind::Done || s.kind == Step::Kind::Failed) {
      EXPECT_EQ(s.kind, Step::Kind::Done) << s.error.message;
      return out;
    }
    if (s.kind == Step::Kind::Wait) {
      now += s.waitMs;
      continue;
    }
    auto filled = fillSecrets(s.request, vault);
    EXPECT_TRUE(filled.ok());
    HttpResponse resp = server.handle(*filled);
    now += 50;
    job.receive(s.requestId, resp, now);
    for (auto& r : job.takeRecords()) out.push_back(std::move(r));
    if (between && !job.finished()) between(++pages);
  }
  ADD_FAILURE() << "job did not finish";
  return out;
}

std::unique_ptr<SyncJob> makeJob(const std::string& entity, const std::string& checkpoint = "") {
  SyncOptions o;
  o.platform = "pancake";
  o.entity = entity;
  o.checkpoint = checkpoint;
  o.seed = 3;
  auto job = SyncJob::create(o);
  EXPECT_TRUE(job.ok());
  return std::move(job.value());
}

TEST(PancakeSync, OrdersByUpdateTimeSurviveEditsDuringTheSweep) {
  FakePancake server;
  const int64_t t0 = 1'778'112'000'000;  // 2026-05-07
  for (int i = 0; i < 430; ++i) server.orders.push_back({i + 1, t0 + i * 60'000 + (i * 7919) % 1000});
  int64_t now = t0 + 30LL * 86'400'000;
  auto job = makeJob("orders");
  int next = 1000;
  auto out = runJob(server, *job, now, [&](int page) {
    server.orders[static_cast<size_t>((page * 37) % 430)].updatedMs = now;  // behind or ahead of the cursor
    server.orders.push_back({next++, now});
  });
  std::map<std::string, int> seen;
  for (const auto& r : out) seen[r.externalId]++;
  for (const auto& o : server.orders) EXPECT_TRUE(seen.count(std::to_string(o.id))) << o.id;
  for (const auto& r : server.log) {
    std::map<std::string, std::string> q(r.query.begin(), r.query.end());
    EXPECT_EQ(q["updateStatus"], "updated_at");
    EXPECT_EQ(q["include_removed"], "1");
    EXPECT_LE(std::stoi(q["page_size"]), 100);
  }
  // Incremental: only what changed since, with startDateTime in unix seconds.
  server.log.clear();
  server.orders[5].updatedMs = now + 1000;
  now += 60'000;
  auto inc = makeJob("orders", job->checkpoint());
  auto changed = runJob(server, *inc, now);
  EXPECT_LE(server.log.size(), 2u);
  std::map<std::string, std::string> q(server.log[0].query.begin(), server.log[0].query.end());
  EXPECT_FALSE(q["startDateTime"].empty());
  EXPECT_EQ(q["startDateTime"].size(), 10u);  // seconds, not ms
  bool found = false;
  for (const auto& r : changed) found = found || r.externalId == "6";
  EXPECT_TRUE(found);
}

TEST(PancakeSync, ABurstOfUpdatesWithinTwoSecondsEndsWithEveryOrder) {
  // A bulk status change: 169 orders updated within one second, one more in the next, between
  // older and newer orders. startDateTime has whole seconds: with millisecond sort keys the
  // re-anchored filter would hand back the same already-read page forever.
  FakePancake server;
  const int64_t t0 = 1'778'112'000'000;
  int id = 1;
  for (int i = 0; i < 30; ++i) server.orders.push_back({id++, t0 - 3'600'000 + i * 1000});
  for (int i = 0; i < 169; ++i) server.orders.push_back({id++, t0 + i});  // one second, 169 rows
  server.orders.push_back({id++, t0 + 1500});                          // the next second, one row
  for (int i = 0; i < 40; ++i) server.orders.push_back({id++, t0 + 60'000 + i * 1000});
  int64_t now = t0 + 86'400'000;
  auto job = makeJob("orders");
  auto out = runJob(server, *job, now);
  std::set<std::string> ids;
  for (const auto& r : out) ids.insert(r.externalId);
  EXPECT_EQ(ids.size(), server.orders.size());
  EXPECT_LE(server.log.size(), 12u);
}

TEST(PancakeSync, ProductsWalkPageNumbersToTheLastPage) {
  FakePancake server;
  server.products = 250;
  int64_t now = 1'778'112'000'000;
  auto job = makeJob("products");
  auto out = runJob(server, *job, now);
  EXPECT_EQ(out.size(), 250u);
  EXPECT_EQ(server.log.size(), 3u);  // pages 1..3 of 100, no empty trailing request
  EXPECT_EQ(server.log[0].headers, (Pairs{{"Authorization", "Bearer key-1"}}));
}

}  // namespace
}  // namespace storelink
