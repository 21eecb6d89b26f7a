// Sapo and Haravan bodies → unified records, requests, errors, credentials and webhooks.
// Fixtures (tests/fixtures/{sapo,haravan}/) are the documented examples of
// shared/platforms/sapo.md B.10 and haravan.md A.8, plus rows carrying each quirk listed there.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "storelink/api.hpp"
#include "storelink/crypto.hpp"
#include "storelink/normalize.hpp"
#include "storelink/platforms.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

json records(const std::string& platform, const std::string& entity, const std::string& body, Page* out = nullptr) {
  auto page = normalizeBody(platform, entity, body, {});
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  json all = json::array();
  if (!page.ok()) return all;
  for (const auto& r : page->records) all.push_back(parseJson(recordToJson(r)));
  if (out) *out = std::move(page.value());
  return all;
}

json fixture(const std::string& platform, const std::string& entity, const std::string& file, Page* out = nullptr) {
  return records(platform, entity, test::readFixture(platform + "/" + file), out);
}

std::map<std::string, std::string> queryOf(const HttpRequest& r) { return {r.query.begin(), r.query.end()}; }

std::string headerOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// --- Sapo --------------------------------------------------------------------------------

TEST(SapoProducts, VariantsOptionsStockAndQuirks) {
  Page page;
  json p = fixture("sapo", "products", "products_page.json", &page);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(page.rowCount, 3u);
  EXPECT_FALSE(page.total.has_value());  // Sapo lists carry no total

  const json& dove = p[0];
  EXPECT_EQ(dove["platform"], "sapo");
  EXPECT_EQ(dove["externalId"], "46419129");
  EXPECT_EQ(dove["name"], "Sữa tắm Dove");  // Sapo `name`, not `title`
  EXPECT_EQ(dove["sku"], "SKU30");           // one variant: its sku is the product's
  EXPECT_TRUE(dove["barcode"].is_null());
  EXPECT_EQ(dove["description"], "<p>Sữa tắm dưỡng thể Dove…</p>");
  EXPECT_TRUE(dove["category"].is_null());
  EXPECT_TRUE(dove["brand"].is_null());
  EXPECT_EQ(dove["active"], true);
  EXPECT_EQ(dove["createdAt"], "2025-05-13T08:53:30.000Z");
  EXPECT_EQ(dove["updatedAt"], "2025-05-13T08:53:31.000Z");  // modified_on
  ASSERT_EQ(dove["images"].size(), 1u);
  const json& dv = dove["variants"][0];
  EXPECT_EQ(dv["externalId"], "147237422");
  EXPECT_EQ(dv["name"], "Sữa tắm Dove");
  EXPECT_EQ(dv["options"], json::object());  // "Title" / "Default Title" is no option
  EXPECT_EQ(dv["price"], 150000);
  EXPECT_TRUE(dv["compareAtPrice"].is_null());  // 0.0 = none
  EXPECT_EQ(dv["weightGrams"], 100);
  EXPECT_EQ(dv["stock"], json::array());
  EXPECT_EQ(dv["totalStock"], 100);  // inventory_quantity: available to sell
  EXPECT_EQ(dove["totalStock"], 100);

  const json& ao = p[1];
  EXPECT_EQ(ao["category"], "Áo");   // product_type
  EXPECT_EQ(ao["brand"], "NoBrand");  // vendor
  EXPECT_TRUE(ao["sku"].is_null());   // several variants: no product-level sku
  ASSERT_EQ(ao["variants"].size(), 2u);
  const json& s = ao["variants"][0];
  EXPECT_EQ(s["name"], "Áo thun basic - Đỏ / S");
  EXPECT_EQ(s["options"], json({{"Màu sắc", "Đỏ"}, {"Kích thước", "S"}}));
  EXPECT_EQ(s["barcode"], "8935000000011");
  EXPECT_EQ(s["compareAtPrice"], 180000);
  EXPECT_EQ(s["weightGrams"], 200);
  EXPECT_EQ(s["totalStock"], 10);
  EXPECT_EQ(ao["variants"][1]["totalStock"], 0);
  EXPECT_EQ(ao["totalStock"], 10);

  const json& gao = p[2];  // the doc-example style: money as strings, kg, untracked, archived
  EXPECT_EQ(gao["active"], false);
  EXPECT_EQ(gao["images"], json({"https://bizweb.dktcdn.net/100/574/092/products/gao-1.jpg",
                                  "https://bizweb.dktcdn.net/100/574/092/products/gao-2.jpg"}));  // by position
  const json& gv = gao["variants"][0];
  EXPECT_EQ(gv["price"], 185000);
  EXPECT_TRUE(gv["compareAtPrice"].is_null());
  EXPECT_TRUE(gv["barcode"].is_null());
  EXPECT_EQ(gv["weightGrams"], 5000);        // 5.0 kg
  EXPECT_TRUE(gv["totalStock"].is_null());   // inventory_management "" = not tracked
  EXPECT_TRUE(gao["totalStock"].is_null());
}

TEST(SapoProducts, PerBranchStockFromInventoryLevelsKeyedByInventoryItem) {
  json p = fixture("sapo", "products", "products_with_levels.json");
  ASSERT_EQ(p.size(), 1u);
  const json& s = p[0]["variants"][0];  // inventory_item_id 147240008 ≠ variant id 147240010
  ASSERT_EQ(s["stock"].size(), 2u);
  EXPECT_EQ(s["stock"][0], json({{"locationId", "825802"}, {"onHand", 12}, {"available", 10}}));
  EXPECT_EQ(s["stock"][1], json({{"locationId", "825900"}, {"onHand", 7.5}, {"available", 6}}));
  EXPECT_EQ(s["totalStock"], 16);  // Σ available, not the variant's own figure
  const json& m = p[0]["variants"][1];
  ASSERT_EQ(m["stock"].size(), 1u);
  EXPECT_EQ(m["stock"][0]["onHand"], 0);
  EXPECT_EQ(p[0]["totalStock"], 16);
}

TEST(SapoOrders, StatesLinesDiscountsShippingTaxesAndAddress) {
  json o = fixture("sapo", "orders", "orders_page.json");
  ASSERT_EQ(o.size(), 4u);

  const json& a = o[0];  // open, fulfilled, COD not yet paid
  EXPECT_EQ(a["code"], "#1001");
  EXPECT_EQ(a["status"], "shipping");
  EXPECT_EQ(a["platformStatus"], "open/pending/fulfilled");
  EXPECT_EQ(a["paymentStatus"], "unpaid");
  EXPECT_EQ(a["customer"], json({{"externalId", "42145427"}, {"name", "Trần Lan"}, {"phone", "+84909123456"},
                                 {"email", "lan.tran@example.com"}}));  // last + first: Vietnamese order
  ASSERT_EQ(a["lines"].size(), 1u);
  EXPECT_EQ(a["lines"][0], json({{"productExternalId", "46419129"}, {"variantExternalId", "147237422"}, {"sku", "SKU30"},
                                 {"name", "Sữa tắm Dove"}, {"quantity", 1}, {"unitPrice", 150000}, {"discount", 0},
                                 {"total", 150000}}));
  EXPECT_EQ(a["subtotal"], 150000);
  EXPECT_EQ(a["shippingFee"], 0);
  EXPECT_EQ(a["total"], 150000);
  EXPECT_EQ(a["currency"], "VND");
  EXPECT_EQ(a["locationId"], "825802");
  EXPECT_EQ(a["shippingAddress"], json({{"name", "Trần Lan"}, {"phone", "+84909123456"}, {"address", "22 đường số 1"},
                                        {"ward", "Phường Hiệp Bình Phước"}, {"district", "Thành phố Thủ Đức"},
                                        {"province", "TP Hồ Chí Minh"}, {"country", "VN"}}));
  EXPECT_EQ(a["createdAt"], "2026-04-29T19:17:27.000Z");

  const json& b = o[1];  // closed = archived after completion
  EXPECT_EQ(b["status"], "completed");
  EXPECT_EQ(b["paymentStatus"], "paid");
  ASSERT_EQ(b["lines"].size(), 2u);
  EXPECT_EQ(b["lines"][0]["discount"], 30000);  // from discount_allocations
  EXPECT_EQ(b["lines"][0]["total"], 270000);
  EXPECT_EQ(b["lines"][1]["name"], "Áo thun basic - Đỏ / M");  // title + variant_title
  EXPECT_EQ(b["lines"][1]["quantity"], 1);                     // "1" as a string
  EXPECT_EQ(b["lines"][1]["total"], 150000);
  EXPECT_EQ(b["subtotal"], 420000);
  EXPECT_EQ(b["discount"], 20000);  // total_discounts 50000 − 30000 already on the lines
  EXPECT_EQ(b["shippingFee"], 30000);
  EXPECT_EQ(b["tax"], 40000);
  EXPECT_EQ(b["total"], 470000);  // 420000 − 20000 + 30000 + 40000
  EXPECT_EQ(b["note"], "Giao giờ hành chính");

  EXPECT_EQ(o[2]["status"], "cancelled");
  EXPECT_EQ(o[2]["paymentStatus"], "refunded");
  EXPECT_EQ(o[2]["platformStatus"], "cancelled/refunded");

  const json& pos = o[3];  // walk-in POS sale
  EXPECT_TRUE(pos["customer"].is_null());
  EXPECT_TRUE(pos["shippingAddress"].is_null());
  EXPECT_EQ(pos["status"], "pending");
  EXPECT_EQ(pos["paymentStatus"], "partially_paid");
  EXPECT_EQ(pos["locationId"], "825900");
  EXPECT_EQ(pos["lines"][0]["name"], "Gạo ST25 túi 5kg");
}

TEST(SapoCustomers, NamesPhonesGenderDobAddressesGroups) {
  json one = fixture("sapo", "customers", "customer_single.json");  // {"customer": {...}}
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["name"], "Thượng");
  EXPECT_EQ(one[0]["phone"], "+84981242232");
  EXPECT_TRUE(one[0]["gender"].is_null());  // "other"
  EXPECT_TRUE(one[0]["birthday"].is_null());
  EXPECT_EQ(one[0]["address"]["address"], "22 đường số 1, Hiệp Bình Phước");
  EXPECT_EQ(one[0]["address"]["province"], "TP Hồ Chí Minh");
  EXPECT_EQ(one[0]["groups"], json::array());

  json c = fixture("sapo", "customers", "customers_page.json");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1]["name"], "Nguyễn Thị Thủy");
  EXPECT_EQ(c[1]["phone"], "+84912345678");
  EXPECT_EQ(c[1]["gender"], "female");  // "Female"
  EXPECT_EQ(c[1]["birthday"], "1992-11-03");
  EXPECT_EQ(c[1]["address"]["address"], "12 Kim Mã");  // the default one of addresses[]
  EXPECT_EQ(c[1]["address"]["district"], "Quận Ba Đình");
  EXPECT_EQ(c[1]["totalSpent"], 1250000);
  EXPECT_EQ(c[1]["orderCount"], 4);
  EXPECT_EQ(c[1]["groups"], json({"Khách VIP", "Khách sỉ"}));
  EXPECT_EQ(c[2]["name"], "Lê Văn Hùng");
  EXPECT_EQ(c[2]["phone"], "+84389123456");  // legacy 0168… renumbered
  EXPECT_EQ(c[2]["gender"], "male");
  EXPECT_EQ(c[2]["birthday"], "1988-02-14");
  EXPECT_TRUE(c[2]["address"].is_null());
}

TEST(SapoLocations, OneLineAddress) {
  json l = fixture("sapo", "locations", "locations.json");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0]["name"], "Cửa hàng chính");
  EXPECT_EQ(l[0]["address"], "22 đường số 1, Hiệp Bình Phước, TP Hồ Chí Minh");  // city = province once
  EXPECT_EQ(l[0]["phone"], "+84981242232");
  EXPECT_EQ(l[1]["address"], "123 Phố Huế, Hà Nội");
}

TEST(SapoRequests, BasicAuthLimitsOrderFilterAndStatusSweeps) {
  const Connector* c = findConnector("sapo");
  ASSERT_NE(c, nullptr);
  PagingPolicy pp = c->paging(Entity::Products);
  EXPECT_EQ(pp.pageSize, 250);
  EXPECT_TRUE(pp.pageNumbered);
  PageQuery q;
  q.entity = Entity::Products;
  q.pageSize = pp.pageSize;
  q.offset = 500;
  q.modifiedFromMs = *parseDateTime("2025-05-20T04:11:45.678Z", 0);
  HttpRequest r = c->pageRequest(q);
  EXPECT_EQ(r.url, "https://{{secret.store}}.mysapo.net/admin/products.json");
  EXPECT_EQ(headerOf(r, "Authorization"), "Basic {{basic:secret.apiKey:secret.apiSecret}}");
  auto qs = queryOf(r);
  EXPECT_EQ(qs["limit"], "250");
  EXPECT_EQ(qs["page"], "3");
  EXPECT_EQ(qs["modified_on_min"], "2025-05-20T04:11:45Z");  // floored to the second
  EXPECT_EQ(qs["order"], "modified_on asc");
  EXPECT_FALSE(qs.count("status"));

  // Orders: one sweep per status, never status=any (it answers an empty list).
  PagingPolicy op = c->paging(Entity::Orders);
  ASSERT_EQ(op.partitions.size(), 3u);
  std::vector<std::string> statuses;
  for (const auto& part : op.partitions) {
    PageQuery oq;
    oq.entity = Entity::Orders;
    oq.pageSize = op.pageSize;
    oq.partition = part.key;
    statuses.push_back(queryOf(c->pageRequest(oq))["status"]);
    EXPECT_FALSE(part.incrementalOnly);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"open", "closed", "cancelled"}));

  // An OAuth app's token goes in X-Sapo-Access-Token.
  json settings = {{"auth", "token"}};
  q.settings = &settings;
  HttpRequest t = c->pageRequest(q);
  EXPECT_EQ(headerOf(t, "X-Sapo-Access-Token"), "{{secret.accessToken}}");
  EXPECT_EQ(headerOf(t, "Authorization"), "");
  EXPECT_FALSE(c->validateSettings(settings).has_value());
  EXPECT_EQ(c->validateSettings(json{{"auth", "cookie"}})->field, "auth");

  // Locations: the whole list, no filter.
  PageQuery lq;
  lq.entity = Entity::Locations;
  lq.pageSize = 250;
  lq.modifiedFromMs = 1;
  auto lqs = queryOf(c->pageRequest(lq));
  EXPECT_EQ(c->pageRequest(lq).url, "https://{{secret.store}}.mysapo.net/admin/locations.json");
  EXPECT_FALSE(lqs.count("modified_on_min"));
}

TEST(SapoResponses, CallLimitRetryAfterAndReadableErrors) {
  const Connector* c = findConnector("sapo");
  HttpResponse ok{200, {{"x-sapo-api-call-limit", "1/40"}}, "{}", ""};
  EXPECT_EQ(c->remainingCalls(ok), 39);
  HttpResponse bizweb{200, {{"x-bizweb-api-call-limit", "38/40"}}, "{}", ""};
  EXPECT_EQ(c->remainingCalls(bizweb), 2);
  EXPECT_FALSE(c->remainingCalls(HttpResponse{200, {}, "{}", ""}).has_value());
  RatePolicy rate = c->rate();
  EXPECT_DOUBLE_EQ(rate.requestsPerSecond, 2);
  EXPECT_LE(rate.burst, 40);

  HttpResponse tooMany{429, {{"retry-after", "2.0"}, {"x-sapo-api-call-limit", "40/40"}},
                       R"({"errors":"Exceeded 2 calls per second for api client."})", ""};
  auto v = c->classifyPage(Entity::Products, tooMany);
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Retry);
  EXPECT_EQ(v.retryAfterMs, 2000);

  auto denied = c->classifyPage(Entity::Orders, {403, {}, R"({"errors":"Forbidden"})", ""});
  EXPECT_EQ(denied.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(denied.error.code, ErrorCode::Forbidden);
  EXPECT_NE(denied.error.message.find("Đơn hàng"), std::string::npos) << denied.error.message;
  EXPECT_NE(denied.error.message.find("Đọc và ghi"), std::string::npos);
  auto products = c->classifyPage(Entity::Products, {403, {}, "", ""});
  EXPECT_NE(products.error.message.find("Sản phẩm"), std::string::npos);

  auto badKey = c->classifyPage(Entity::Products, {401, {}, R"({"errors":"[API] Invalid API key or access token"})", ""});
  EXPECT_EQ(badKey.error.code, ErrorCode::InvalidCredentials);
  EXPECT_NE(badKey.error.message.find("API Key"), std::string::npos);
  EXPECT_NE(badKey.error.detail.find("Invalid API key"), std::string::npos);

  auto noShop = c->classifyPage(Entity::Products, {404, {}, R"({"errors":"Not Found"})", ""});
  EXPECT_EQ(noShop.error.code, ErrorCode::NotFound);
  EXPECT_NE(noShop.error.message.find("Tên cửa hàng"), std::string::npos);

  auto invalid = c->classify({422, {}, test::readFixture("sapo/error_422.json"), ""});
  EXPECT_EQ(invalid.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(invalid.error.code, ErrorCode::PlatformError);
  EXPECT_NE(invalid.error.message.find("source_name: cannot be set"), std::string::npos) << invalid.error.message;

  // A 200 carrying an error envelope, and garbage, are typed errors too.
  auto env = normalizeBody("sapo", "products", R"({"errors":"Not Found"})", {});
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, ErrorCode::PlatformError);
  EXPECT_EQ(normalizeBody("sapo", "products", R"({"products":[{"id":1,)", {}).error().code, ErrorCode::InvalidJson);
  EXPECT_EQ(normalizeBody("sapo", "orders", R"([1,2])", {}).error().code, ErrorCode::UnexpectedShape);
  Page rows;
  records("sapo", "products", R"({"products":[{"name":"no id"},42,{"id":7,"name":"ok"}]})", &rows);
  EXPECT_EQ(rows.records.size(), 1u);
  EXPECT_EQ(rows.rowErrors.size(), 2u);
  EXPECT_EQ(rows.rowCount, 3u);
}

TEST(SapoCredentials, StoreNameNormalizedAsTyped) {
  const Connector* c = findConnector("sapo");
  auto ok = c->checkCredentials({{"store", "  https://DemoShop.mysapo.net/admin/products "}, {"apiKey", " 999f35603fef "},
                                 {"apiSecret", "abc123def"}});
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.values, json({{"store", "demoshop"}, {"apiKey", "999f35603fef"}, {"apiSecret", "abc123def"}}));
  EXPECT_EQ(c->checkCredentials({{"store", "demo-shop"}, {"apiKey", "k"}, {"apiSecret", "s"}}).values["store"], "demo-shop");
  EXPECT_EQ(c->checkCredentials({{"store", "x.mysapo.net"}, {"apiKey", "k"}, {"apiSecret", "s"}}).values["store"], "x");

  auto custom = c->checkCredentials({{"store", "www.myshop.vn"}, {"apiKey", "k"}, {"apiSecret", "s"}});
  ASSERT_EQ(custom.errors.size(), 1u);
  EXPECT_EQ(custom.errors[0].field, "store");
  EXPECT_NE(custom.errors[0].message.find(".mysapo.net"), std::string::npos);
  EXPECT_FALSE(custom.values.contains("store"));

  auto bad = c->checkCredentials({{"store", "cửa hàng"}, {"apiKey", "a b"}});
  ASSERT_EQ(bad.errors.size(), 3u);  // store invalid, apiSecret missing, apiKey with a space
  std::vector<std::string> fields;
  for (const auto& e : bad.errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"apiSecret", "store", "apiKey"}));
}

// --- Haravan -------------------------------------------------------------------------------

TEST(HaravanProducts, TitleOptionsImagesAndAggregateStock) {
  json p = fixture("haravan", "products", "products_page.json");
  ASSERT_EQ(p.size(), 2u);
  const json& a = p[0];
  EXPECT_EQ(a["platform"], "haravan");
  EXPECT_EQ(a["name"], "Áo thun Basic");  // Haravan `title`
  EXPECT_EQ(a["category"], "Áo thun");
  EXPECT_EQ(a["brand"], "Local Brand");
  EXPECT_EQ(a["active"], true);
  EXPECT_EQ(a["updatedAt"], "2024-05-02T09:01:12.118Z");
  EXPECT_EQ(a["createdAt"], "2024-04-28T02:15:41.327Z");
  const json& v = a["variants"][0];
  EXPECT_EQ(v["options"], json({{"Màu sắc", "Đen"}, {"Kích thước", "M"}}));
  EXPECT_EQ(v["name"], "Áo thun Basic - Đen / M");
  EXPECT_EQ(v["price"], 199000);
  EXPECT_EQ(v["compareAtPrice"], 250000);
  EXPECT_EQ(v["weightGrams"], 200);
  EXPECT_EQ(v["totalStock"], 37);
  EXPECT_EQ(a["totalStock"], 37);

  const json& b = p[1];
  EXPECT_EQ(b["active"], false);  // published_at null
  // by position; the protocol-relative CDN link made absolute
  EXPECT_EQ(b["images"], json({"https://product.hstatic.net/200000244883/product/vay-1.jpg",
                                "https://product.hstatic.net/200000244883/product/vay-7.jpg"}));
  EXPECT_TRUE(b["variants"][0]["totalStock"].is_null());  // inventory_management null: not tracked
  EXPECT_EQ(b["variants"][0]["options"], json({{"Color", "Đen"}, {"Size", "S"}}));
  EXPECT_EQ(b["sku"], "AO551");
}

TEST(HaravanProducts, PerLocationStockFromInventoryLocations) {
  json p = fixture("haravan", "products", "products_with_locations.json");
  const json& v = p[0]["variants"][0];
  ASSERT_EQ(v["stock"].size(), 2u);
  EXPECT_EQ(v["stock"][0], json({{"locationId", "963414"}, {"onHand", 40}, {"available", 37}}));
  EXPECT_EQ(v["stock"][1], json({{"locationId", "1007284"}, {"onHand", 5}, {"available", 5}}));
  EXPECT_EQ(v["totalStock"], 42);
  EXPECT_EQ(p[0]["variants"][1]["totalStock"], -2);  // oversold stays negative
  EXPECT_EQ(p[0]["totalStock"], 40);
}

TEST(HaravanOrders, StatusCasingPaymentDiscountsAndWalkIns) {
  json o = fixture("haravan", "orders", "orders_page.json");
  ASSERT_EQ(o.size(), 4u);
  const json& a = o[0];
  EXPECT_EQ(a["code"], "#101245");
  EXPECT_EQ(a["status"], "pending");  // unconfirmed, notfulfilled
  EXPECT_EQ(a["platformStatus"], "open/pending/notfulfilled");
  EXPECT_EQ(a["paymentStatus"], "unpaid");
  EXPECT_EQ(a["customer"]["name"], "Nguyễn Văn An");  // the whole name in first_name
  EXPECT_EQ(a["customer"]["externalId"], "1045566778");
  EXPECT_EQ(a["customer"]["phone"], "+84901234567");
  EXPECT_EQ(a["lines"][0]["name"], "Áo thun Basic - Đen / M");
  EXPECT_EQ(a["lines"][0]["total"], 398000);
  EXPECT_EQ(a["subtotal"], 398000);
  EXPECT_EQ(a["discount"], 20000);  // the GIAM20K code, order level
  EXPECT_EQ(a["shippingFee"], 30000);
  EXPECT_EQ(a["tax"], 0);
  EXPECT_EQ(a["total"], 408000);
  EXPECT_EQ(a["locationId"], "963414");
  EXPECT_EQ(a["shippingAddress"]["district"], "Quận 1");
  EXPECT_EQ(a["shippingAddress"]["ward"], "Phường Bến Thành");
  EXPECT_EQ(a["shippingAddress"]["province"], "Hồ Chí Minh");
  EXPECT_EQ(a["shippingAddress"]["country"], "VN");

  EXPECT_EQ(o[1]["status"], "completed");  // fulfilled and the carrier delivered
  EXPECT_EQ(o[1]["paymentStatus"], "partially_paid");  // "partiallypaid"
  EXPECT_EQ(o[1]["updatedAt"], "2024-05-04T10:00:00.100Z");
  EXPECT_EQ(o[2]["status"], "cancelled");  // cancelled_status "Cancelled"
  EXPECT_EQ(o[2]["paymentStatus"], "unpaid");  // "Voided"
  EXPECT_EQ(o[2]["platformStatus"], "cancelled/Voided/notfulfilled");
  EXPECT_EQ(o[3]["status"], "completed");  // closed
  EXPECT_TRUE(o[3]["customer"].is_null());
  EXPECT_EQ(o[3]["paymentStatus"], "paid");
}

TEST(HaravanCustomers, GenderOneZeroBirthdayTimestampGroups) {
  json one = fixture("haravan", "customers", "customer_single.json");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["name"], "Nguyễn Văn An");
  EXPECT_EQ(one[0]["gender"], "male");  // 1
  EXPECT_EQ(one[0]["birthday"], "1990-06-15");
  EXPECT_EQ(one[0]["groups"], json({"vip"}));
  EXPECT_EQ(one[0]["address"]["country"], "VN");  // "vn"
  EXPECT_EQ(one[0]["totalSpent"], 1194000);
  EXPECT_EQ(one[0]["orderCount"], 3);

  json c = fixture("haravan", "customers", "customers_page.json");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1]["name"], "Phạm Thu Trang");
  EXPECT_EQ(c[1]["gender"], "female");  // 0
  EXPECT_EQ(c[1]["birthday"], "1995-03-08");  // the shop's midnight sent as 17:00Z the day before
  EXPECT_EQ(c[1]["phone"], "+84971234567");
  EXPECT_EQ(c[1]["groups"], json({"Khách VIP"}));
  EXPECT_TRUE(c[2]["birthday"].is_null());  // 0001-01-01
  EXPECT_TRUE(c[2]["gender"].is_null());
  EXPECT_EQ(c[2]["totalSpent"], 450000);
  EXPECT_EQ(c[2]["updatedAt"], "2021-08-18T05:58:03.361Z");  // seven fraction digits
}

TEST(HaravanLocationsAndEvents, LocationLineAndDestroyEventsAsDeletions) {
  json l = fixture("haravan", "locations", "locations.json");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["address"], "123 Nguyễn Đình Chiểu, Phường 06, Quận 3, Hồ Chí Minh");
  EXPECT_EQ(l[0]["phone"], "+84332456789");

  Page products;
  EXPECT_TRUE(fixture("haravan", "products", "events_destroy.json", &products).empty());
  EXPECT_EQ(products.removedIds, std::vector<std::string>{"1040011111"});
  EXPECT_EQ(products.rowCount, 3u);
  Page orders;
  fixture("haravan", "orders", "events_destroy.json", &orders);
  EXPECT_EQ(orders.removedIds, std::vector<std::string>{"1250099000"});
}

TEST(HaravanRequests, BearerLimitsStatusAnyAndTheEventsSweep) {
  const Connector* c = findConnector("haravan");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->info().apiHosts, std::vector<std::string>{"apis.haravan.com"});
  PagingPolicy op = c->paging(Entity::Orders);
  EXPECT_EQ(op.pageSize, 50);
  PageQuery q;
  q.entity = Entity::Orders;
  q.pageSize = op.pageSize;
  q.offset = 100;
  q.modifiedFromMs = *parseDateTime("2024-05-01T00:00:00.250Z", 0);
  HttpRequest r = c->pageRequest(q);
  EXPECT_EQ(r.url, "https://apis.haravan.com/com/orders.json");
  EXPECT_EQ(headerOf(r, "Authorization"), "Bearer {{secret.accessToken}}");
  auto qs = queryOf(r);
  EXPECT_EQ(qs["limit"], "50");
  EXPECT_EQ(qs["page"], "3");
  EXPECT_EQ(qs["status"], "any");
  EXPECT_EQ(qs["order"], "updated_at asc");
  EXPECT_EQ(qs["updated_at_min"], "2024-05-01T00:00:00.250Z");

  PagingPolicy pp = c->paging(Entity::Products);
  ASSERT_EQ(pp.partitions.size(), 2u);
  EXPECT_TRUE(pp.partitions[1].incrementalOnly);
  PageQuery eq;
  eq.entity = Entity::Products;
  eq.pageSize = 50;
  eq.partition = pp.partitions[1].key;
  eq.modifiedFromMs = *parseDateTime("2024-05-01T00:00:00Z", 0);
  HttpRequest ev = c->pageRequest(eq);
  EXPECT_EQ(ev.url, "https://apis.haravan.com/com/events.json");
  auto es = queryOf(ev);
  EXPECT_EQ(es["filter"], "Product");
  EXPECT_EQ(es["verb"], "destroy");
  EXPECT_EQ(es["created_at_min"], "2024-05-01 07:00:00");  // the shop's time zone

  EXPECT_EQ(c->remainingCalls({200, {{"x-haravan-api-call-limit", "32/80"}}, "", ""}), 48);
  EXPECT_DOUBLE_EQ(c->rate().requestsPerSecond, 4);
  auto scope = c->classifyPage(Entity::Locations, {403, {}, "", ""});
  EXPECT_EQ(scope.error.code, ErrorCode::Forbidden);
  EXPECT_NE(scope.error.message.find("com.read_shop"), std::string::npos);
  EXPECT_NE(c->classifyPage(Entity::Customers, {403, {}, "", ""}).error.message.find("Khách hàng"), std::string::npos);
  EXPECT_NE(c->classify({401, {}, "", ""}).error.message.find("Access Token"), std::string::npos);
}

TEST(HaravanCredentials, ShopAndToken) {
  const Connector* c = findConnector("haravan");
  auto ok = c->checkCredentials({{"shop", "Ten-Shop.myharavan.com"}, {"accessToken", "Bearer 3A9F0C1D2E"}});
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.values, json({{"shop", "ten-shop"}, {"accessToken", "3A9F0C1D2E"}}));
  auto custom = c->checkCredentials({{"shop", "https://shop.example.vn"}, {"accessToken", "x"}});
  ASSERT_EQ(custom.errors.size(), 1u);
  EXPECT_EQ(custom.errors[0].field, "shop");
  EXPECT_NE(custom.errors[0].message.find(".myharavan.com"), std::string::npos);
  auto missing = c->checkCredentials(json::object());
  EXPECT_EQ(missing.errors.size(), 2u);
}

// --- webhooks (both) -------------------------------------------------------------------------

TEST(FamilyWebhooks, SapoSignatureTopicAndBodyNormalizedLikeTheList) {
  const Connector* c = findConnector("sapo");
  WebhookDelivery d;
  d.body = test::readFixture("sapo/webhook_product_update.json");
  // base64(HMAC-SHA256("sapo-webhook-secret", body)), computed outside this code base.
  d.headers = {{"x-sapo-topic", "products/update"},
               {"x-sapo-shop-domain", "demoshop.mysapo.net"},
               {"x-sapo-hmac-sha256", "fyIecutW62zH/m2mJDP7zFXove1Qi3M1zR/0JZdKSps="}};
  auto ev = c->inspectWebhook(d, "sapo-webhook-secret");
  ASSERT_TRUE(ev.ok()) << ev.error().detail;
  EXPECT_TRUE(ev->signatureChecked);
  EXPECT_EQ(ev->topic, "products/update");
  EXPECT_EQ(ev->entity, Entity::Products);
  EXPECT_FALSE(ev->deletion);
  EXPECT_EQ(ev->storeKey, "demoshop.mysapo.net");

  auto wrong = c->inspectWebhook(d, "another-secret");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::Forbidden);
  WebhookDelivery tampered = d;
  tampered.body.back() = ' ';
  EXPECT_EQ(c->inspectWebhook(tampered, "sapo-webhook-secret").error().code, ErrorCode::Forbidden);
  WebhookDelivery unsigned_ = d;
  unsigned_.headers.erase("x-sapo-hmac-sha256");
  EXPECT_EQ(c->inspectWebhook(unsigned_, "sapo-webhook-secret").error().code, ErrorCode::Forbidden);
  EXPECT_FALSE(c->inspectWebhook(unsigned_, "")->signatureChecked);  // no secret configured

  // The bare product body normalizes to the same record as the list row.
  json hook = records("sapo", "products", d.body);
  json list = fixture("sapo", "products", "products_page.json");
  ASSERT_EQ(hook.size(), 1u);
  EXPECT_EQ(hook[0]["variants"], list[1]["variants"]);
  EXPECT_EQ(hook[0]["externalId"], list[1]["externalId"]);
  EXPECT_EQ(hook[0]["updatedAt"], list[1]["updatedAt"]);

  // orders/delete carries only the id: a tombstone.
  WebhookDelivery del;
  del.body = test::readFixture("sapo/webhook_order_delete.json");
  del.headers = {{"x-sapo-topic", "orders/delete"}};
  auto dev = c->inspectWebhook(del, "");
  EXPECT_EQ(dev->entity, Entity::Orders);
  EXPECT_TRUE(dev->deletion);
  Page gone;
  EXPECT_TRUE(records("sapo", "orders", del.body, &gone).empty());
  EXPECT_EQ(gone.removedIds, std::vector<std::string>{"174107355"});
}

TEST(FamilyWebhooks, HaravanHeaderSpellingsTopicSpellingsAndBody) {
  const Connector* c = findConnector("haravan");
  const std::string body = test::readFixture("haravan/webhook_order_updated.json");
  const std::string sig = "TzR988ap2StBVehFaIBWVa+kLIg59Whj3cxee7mv1Ro=";  // key "hrv-auth-string"
  for (const char* header : {"x-haravan-hmacsha256", "x-haravan-hmac-sha256"}) {
    WebhookDelivery d{{{header, sig}, {"x-haravan-topic", "orders/updated"}, {"x-haravan-org-id", "200000123456"}}, body};
    auto ev = c->inspectWebhook(d, "hrv-auth-string");
    ASSERT_TRUE(ev.ok()) << header;
    EXPECT_TRUE(ev->signatureChecked);
    EXPECT_EQ(ev->entity, Entity::Orders);
    EXPECT_EQ(ev->storeKey, "200000123456");
  }
  // What the server hands over: header names lower-cased by the API boundary.
  json out = parseJson(api::inspectWebhookJson("haravan", R"({"X-Haravan-HmacSha256":")" + sig + R"(","X-Haravan-Topic":"orders/update"})",
                                               body, "hrv-auth-string"));
  ASSERT_TRUE(out.contains("event")) << out.dump();
  EXPECT_EQ(out["event"]["entity"], "orders");  // "update" and "updated" both mean an order changed
  EXPECT_EQ(out["event"]["signatureChecked"], true);

  for (const char* topic : {"products/deleted", "products/delete"}) {
    auto ev = c->inspectWebhook({{{"x-haravan-topic", topic}}, R"({"id":1040012345})"}, "");
    EXPECT_TRUE(ev->deletion) << topic;
    EXPECT_EQ(ev->entity, Entity::Products);
  }
  auto app = c->inspectWebhook({{{"x-haravan-topic", "app/uninstalled"}}, R"({"id":1})"}, "");
  EXPECT_FALSE(app->entity.has_value());
  auto stock = c->inspectWebhook({{{"x-haravan-topic", "inventorylocationbalances/update"}}, "{}"}, "");
  EXPECT_EQ(stock->entity, Entity::Products);
  Page balance;
  EXPECT_TRUE(records("haravan", "products", R"({"loc_id":963414,"variant_id":1080055501,"qty_available":3,"id":5})", &balance).empty());
  EXPECT_TRUE(balance.rowErrors.empty());

  json hook = records("haravan", "orders", body);
  json list = fixture("haravan", "orders", "orders_page.json");
  ASSERT_EQ(hook.size(), 1u);
  EXPECT_EQ(hook[0], list[1]);  // the bare order = the list's row, field for field
  EXPECT_EQ(c->inspectWebhook({{}, "not json"}, "").error().code, ErrorCode::UnexpectedShape);
}

TEST(FamilyRobustness, WrongTypesEverywhereNeverAbort) {
  // Every field with the wrong type, nulls, strings for numbers: records or typed errors only.
  const char* bodies[] = {
      R"({"products":[{"id":"1","name":5,"variants":{"id":1},"options":null,"images":"x","image":[1],"status":7}]})",
      R"({"products":[{"id":2,"variants":[null,7,{"id":null},{"id":"3","price":{"a":1},"option1":[1],"weight":"x","weight_unit":5,"inventory_management":false}],"options":[null,{"name":null,"position":"z"}]}],"inventory_levels":{"x":1}})",
      R"({"products":[{"id":4,"variants":[{"id":5,"inventory_item_id":6}]}],"inventory_levels":[null,{"location_id":null},{"loc_id":"9","inventory_item_id":6,"available":"2"}]})",
      R"({"orders":[{"id":1,"line_items":"x","customer":"y","shipping_lines":{"price":1},"fulfillments":[null,{"shipment_status":1}],"financial_status":null,"status":[],"total_discounts":"abc"}]})",
      R"({"orders":[{"id":2,"line_items":[null,{"discount_allocations":[null,{"amount":"x"}],"quantity":"two"}],"shipping_address":[],"customer":{"default_address":"x"}}]})",
      R"({"customers":[{"id":1,"gender":{"a":1},"birthday":12,"dob":"not a date","addresses":[1,null,{"default":"yes"}],"tags":["a"],"total_spent":true}]})",
      R"({"customers":[{"id":2,"birthday":"1990-13-45T00:00:00Z","first_name":"","last_name":"  ","default_address":{"country_code":7}}]})",
      R"({"locations":[{"id":1,"name":null,"address1":1,"phone":{}}],"events":"x"})",
      R"({"events":[null,1,{"verb":"destroy","subject_type":"Product","subject_id":null},{"verb":"destroy","subject_type":"Product","subject_id":"77"}]})",
      R"({"id":{"nested":true}})", R"({"errors":{"base":[1,"x",null]}})", R"(null)", R"("text")", R"({})", "",
  };
  for (const char* platform : {"sapo", "haravan"}) {
    for (const char* entity : {"products", "orders", "customers", "locations"}) {
      for (const char* body : bodies) {
        auto page = normalizeBody(platform, entity, body, {});
        if (!page.ok()) {
          EXPECT_FALSE(page.error().message.empty()) << platform << " " << entity << " " << body;
          continue;
        }
        for (const auto& r : page->records) EXPECT_FALSE(recordToJson(r).empty());
      }
    }
  }
  Page ev;
  records("haravan", "products", bodies[8], &ev);
  EXPECT_EQ(ev.removedIds, std::vector<std::string>{"77"});
  Page stock;
  json p = records("sapo", "products", bodies[2], &stock);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]["variants"][0]["stock"], json::array({{{"locationId", "9"}, {"onHand", nullptr}, {"available", 2}}}));
}

TEST(FamilyRegistry, ListedWithHostsAndWebhooks) {
  std::map<std::string, const PlatformInfo*> byId;
  for (const auto& p : allPlatforms()) byId[p.id] = &p;
  ASSERT_TRUE(byId.count("sapo") && byId.count("haravan"));
  const PlatformInfo& s = *byId["sapo"];
  EXPECT_EQ(s.status, "available");
  EXPECT_TRUE(s.webhooks);
  EXPECT_EQ(s.apiHostPatterns, std::vector<std::string>{"*.mysapo.net"});
  ASSERT_EQ(s.credentials.size(), 3u);
  EXPECT_EQ(s.credentials[0].key, "store");
  EXPECT_EQ(s.credentials[1].key, "apiKey");
  EXPECT_EQ(s.credentials[2].key, "apiSecret");
  EXPECT_EQ(s.entities.size(), 4u);
  const PlatformInfo& h = *byId["haravan"];
  EXPECT_TRUE(h.webhooks);
  ASSERT_EQ(h.credentials.size(), 3u);
  EXPECT_EQ(h.credentials[0].key, "shop");
  EXPECT_EQ(h.credentials[1].key, "accessToken");
  EXPECT_EQ(h.credentials[2].key, "webhookSecret");  // optional: the webhook authentication string
  EXPECT_TRUE(h.credentials[2].optional);
  json creds = parseJson(api::checkCredentialsJson("sapo", R"({"store":"demoshop.mysapo.net","apiKey":"k","apiSecret":"s"})"));
  EXPECT_EQ(creds["values"]["store"], "demoshop");
  EXPECT_EQ(creds["errors"], json::array());
  EXPECT_TRUE(parseJson(api::checkCredentialsJson("shopee", "{}")).contains("error"));
}

}  // namespace
}  // namespace storelink

// --- webhook registration steps (sapo.md B.8: the webhooks API) ----------------------------

namespace storelink {
namespace {

constexpr const char* kHookAddress = "https://sync.example.vn/webhooks/sapo?connection=cn_1";

json hookStep(const std::string& platform, const std::string& step, const json& input) {
  auto out = findConnector(platform)->connectStep(step, input);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().detail);
  return out.ok() ? *out : json();
}

TEST(FamilyWebhookRegistration, ListsFirstThenCreatesOnlyWhatIsMissing) {
  json list = hookStep("sapo", "webhooksListRequest", {{"address", kHookAddress}});
  const json& req = list["request"];
  EXPECT_EQ(req["method"], "GET");
  EXPECT_EQ(req["url"], "https://{{secret.store}}.mysapo.net/admin/webhooks.json");
  EXPECT_NE(dumpJson(req["headers"]).find("{{basic:secret.apiKey:secret.apiSecret}}"), std::string::npos);

  // The documented create answer's shape (B.8), one of ours twice, one at another address.
  const std::string body = R"({"webhooks":[
    {"id":987911590,"address":"https://sync.example.vn/webhooks/sapo?connection=cn_1","topic":"orders/create","format":"json"},
    {"id":987911591,"address":"https://sync.example.vn/webhooks/sapo?connection=cn_1","topic":"orders/create","format":"json"},
    {"id":987911592,"address":"https://other.example/hook","topic":"products/update","format":"json"}]})";
  json plan = hookStep("sapo", "webhooksRegister", {{"address", kHookAddress}, {"status", 200}, {"body", body}});
  ASSERT_EQ(plan["registered"].size(), 1u);
  EXPECT_EQ(plan["registered"][0]["id"], "987911590");
  ASSERT_EQ(plan["remove"].size(), 1u);  // the duplicate
  EXPECT_EQ(plan["remove"][0]["method"], "DELETE");
  EXPECT_EQ(plan["remove"][0]["url"], "https://{{secret.store}}.mysapo.net/admin/webhooks/987911591.json");
  std::set<std::string> topics;
  for (const auto& c : plan["create"]) {
    EXPECT_EQ(c["method"], "POST");
    json b = parseJson(c["body"].get<std::string>());
    EXPECT_EQ(b["webhook"]["address"], kHookAddress);
    EXPECT_EQ(b["webhook"]["format"], "json");
    topics.insert(b["webhook"]["topic"].get<std::string>());
  }
  EXPECT_EQ(topics, (std::set<std::string>{"products/create", "products/update", "products/delete", "orders/updated",
                                           "orders/delete", "customers/create", "customers/update", "customers/delete"}));

  json gone = hookStep("sapo", "webhooksUnregister", {{"address", kHookAddress}, {"status", 200}, {"body", body}});
  EXPECT_EQ(gone["remove"].size(), 2u) << "both of ours, not the other address";
}

TEST(FamilyWebhookRegistration, AnswersAndRefusals) {
  json ok = hookStep("sapo", "webhookResult",
                     {{"status", 201},
                      {"body", R"({"webhook":{"id":987911590,"address":"https://example.com/hook","topic":"orders/create",)"
                               R"("created_on":"2016-01-20T13:01:10Z","format":"json"}})"}});
  EXPECT_EQ(ok["webhook"]["id"], "987911590");
  EXPECT_EQ(hookStep("sapo", "webhookResult", {{"status", 404}, {"body", "{}"}})["ok"], true);  // already gone

  auto invalid = findConnector("sapo")->connectStep(
      "webhookResult", {{"status", 422}, {"body", R"({"errors":{"topic":["can't be blank"],"address":["can't be blank"]}})"}});
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.error().message.find("can't be blank"), std::string::npos);
  auto denied = findConnector("sapo")->connectStep("webhooksRegister", {{"address", kHookAddress}, {"status", 403}, {"body", "{}"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::Forbidden);
  auto plainHttp = findConnector("sapo")->connectStep("webhooksListRequest", {{"address", "http://sync.example.vn/h"}});
  ASSERT_FALSE(plainHttp.ok());
  EXPECT_EQ(plainHttp.error().field, "address");
  // OAuth tokens authenticate these calls too.
  json tok = hookStep("sapo", "webhooksListRequest", {{"address", kHookAddress}, {"settings", {{"auth", "token"}}}});
  EXPECT_NE(dumpJson(tok["request"]["headers"]).find("X-Sapo-Access-Token"), std::string::npos);

  // Haravan private apps cannot: unsupported, with where to set them up by hand.
  auto haravan = findConnector("haravan")->connectStep("webhooksListRequest", {{"address", kHookAddress}});
  ASSERT_FALSE(haravan.ok());
  EXPECT_EQ(haravan.error().code, ErrorCode::Unsupported);
  EXPECT_NE(haravan.error().message.find("Webhook"), std::string::npos);
}

}  // namespace
}  // namespace storelink
