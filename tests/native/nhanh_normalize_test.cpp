// Nhanh.vn v3 bodies → unified records. Fixtures (tests/fixtures/nhanh/) are reconstructed from
// shared/platforms/nhanh.md §B.10 and the v3 docs, with the quirks real bodies have: numbers as
// strings, "" for unknown, a row without id, both order shapes (order/list vs webhooks).
#include <gtest/gtest.h>

#include "storelink/api.hpp"
#include "storelink/normalize.hpp"
#include "storelink/platforms.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

Page normalize(const std::string& entity, const std::string& body, bool taxSync = false) {
  json settings = {{"taxSync", taxSync}};
  NormalizeOptions opts;
  opts.settings = &settings;
  auto page = normalizeBody("nhanh", entity, body, opts);
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

json asJson(const Record& r) { return parseJson(recordToJson(r)); }
std::string iso(int64_t unixSec) { return formatIsoUtc(unixSec * 1000); }

TEST(NhanhProducts, ChildParentAndIndependentRows) {
  Page p = normalize("products", test::readFixture("nhanh/products_page.json"));
  ASSERT_EQ(p.records.size(), 4u);
  ASSERT_EQ(p.rowErrors.size(), 1u);  // the row without id
  EXPECT_EQ(p.rowCount, 5u);
  ASSERT_TRUE(p.nextCursor.has_value());  // outside a job, Nhanh's next is passed on as is
  EXPECT_EQ(parseJson(*p.nextCursor), json({{"id", 1231281066}}));

  json child = asJson(p.records[0]);
  EXPECT_EQ(child["platform"], "nhanh");
  EXPECT_EQ(child["externalId"], "1231281071");
  EXPECT_EQ(child["parentExternalId"], "1231281069");
  EXPECT_EQ(child["name"], "Áo thun Basic - Đen - M");
  EXPECT_EQ(child["sku"], "ATB-DEN-M");
  EXPECT_EQ(child["barcode"], "2000214262896");
  EXPECT_EQ(child["active"], true);
  EXPECT_TRUE(child["category"].is_null());  // list rows carry only categoryId
  EXPECT_TRUE(child["taxRate"].is_null());   // tax sync off
  EXPECT_EQ(child["updatedAt"], iso(1714550400));
  EXPECT_EQ(child["createdAt"], iso(1714270541));
  // avatar first, the repeated avatar in `others` once.
  EXPECT_EQ(child["images"], json({"https://pos.nvncdn.com/a1b2c3-110668/ps/20240501_ao-thun-den.jpg",
                                   "https://pos.nvncdn.com/a1b2c3-110668/ps/20240501_ao-thun-den-2.jpg"}));
  ASSERT_EQ(child["variants"].size(), 1u);
  const json& v = child["variants"][0];
  EXPECT_EQ(v["externalId"], "1231281071");
  EXPECT_EQ(v["options"], json({{"Màu sắc", "Đen"}, {"Kích thước", "M"}}));
  EXPECT_EQ(v["price"], 199000);
  EXPECT_EQ(v["compareAtPrice"], 250000);
  EXPECT_EQ(v["cost"], 92000);  // avgCost (giá vốn) before the import price
  EXPECT_EQ(v["weightGrams"], 200);
  ASSERT_EQ(v["stock"].size(), 2u);
  EXPECT_EQ(v["stock"][0], json({{"locationId", "31010"}, {"onHand", 30}, {"available", 25}}));
  EXPECT_EQ(v["stock"][1], json({{"locationId", "31011"}, {"onHand", 10}, {"available", 10}}));
  EXPECT_EQ(v["totalStock"], 35);
  EXPECT_EQ(child["totalStock"], 35);

  // parentId −2: a grouping row, no sellable unit of its own (its stock is its children's).
  json parent = asJson(p.records[1]);
  EXPECT_EQ(parent["externalId"], "1231281069");
  EXPECT_TRUE(parent["parentExternalId"].is_null());
  EXPECT_EQ(parent["variants"], json::array());
  EXPECT_TRUE(parent["totalStock"].is_null());
  EXPECT_TRUE(parent["barcode"].is_null());  // "" → null

  // Numbers as strings; status "3" (Ngừng bán) → inactive; no images; zero old price/avgCost.
  json stopped = asJson(p.records[2]);
  EXPECT_EQ(stopped["externalId"], "1231281068");
  EXPECT_TRUE(stopped["parentExternalId"].is_null());
  EXPECT_EQ(stopped["active"], false);
  EXPECT_EQ(stopped["images"], json::array());
  EXPECT_EQ(stopped["variants"][0]["price"], 110000);
  EXPECT_TRUE(stopped["variants"][0]["compareAtPrice"].is_null());
  EXPECT_EQ(stopped["variants"][0]["cost"], 60000);
  EXPECT_EQ(stopped["variants"][0]["weightGrams"], 150);
  EXPECT_EQ(stopped["variants"][0]["options"], json::object());
  EXPECT_EQ(stopped["variants"][0]["totalStock"], 0);
  EXPECT_EQ(stopped["updatedAt"], iso(1714460000));

  json fresh = asJson(p.records[3]);
  EXPECT_EQ(fresh["active"], true);  // status 1 "Mới": sold in the shop
  EXPECT_EQ(fresh["variants"][0]["cost"], 120000);
}

TEST(NhanhProducts, TaxRateOnlyWhenTaxSyncIsOn) {
  Page p = normalize("products", test::readFixture("nhanh/products_page.json"), /*taxSync=*/true);
  ASSERT_EQ(p.records.size(), 4u);
  // product/list carries the VAT amount: 15920 on 199000 excl. VAT → 8 %.
  EXPECT_EQ(asJson(p.records[0])["taxRate"], 8);
  // priceVatMode 1 (price includes VAT): 10000 of 110000 → 10 % on the net 100000.
  EXPECT_EQ(asJson(p.records[2])["taxRate"], 10);
  EXPECT_TRUE(asJson(p.records[3])["taxRate"].is_null());  // nothing to derive it from

  // Webhooks (product/detail shape) carry `vat` itself; special values follow the docs.
  std::string hook = test::readFixture("nhanh/webhook_product_update.json");
  EXPECT_EQ(asJson(normalize("products", hook, true).records.at(0))["taxRate"], 8);
  EXPECT_TRUE(asJson(normalize("products", hook, false).records.at(0))["taxRate"].is_null());
  for (auto [vat, expected] : std::vector<std::pair<int, json>>{{-1, 0}, {-100, 0}, {-2, nullptr}, {10, 10}}) {
    json b = parseJson(hook);
    b["data"]["vat"] = vat;
    EXPECT_EQ(asJson(normalize("products", dumpJson(b), true).records.at(0))["taxRate"], expected) << "vat " << vat;
  }
}

TEST(NhanhProducts, WebhookProductUpdateHasDetailFields) {
  Page p = normalize("products", test::readFixture("nhanh/webhook_product_update.json"));
  ASSERT_EQ(p.records.size(), 1u);
  json r = asJson(p.records[0]);
  EXPECT_EQ(r["externalId"], "1231281071");
  EXPECT_EQ(r["category"], "Áo thun");
  EXPECT_EQ(r["brand"], "Local Brand");
  EXPECT_EQ(r["description"], "Cotton 100%, form rộng");
  EXPECT_EQ(r["active"], true);  // status "2" as text
  EXPECT_EQ(r["variants"][0]["price"], 209000);
  EXPECT_EQ(r["variants"][0]["totalStock"], 35);
  // Another entity's webhook normalizes to nothing.
  EXPECT_TRUE(normalize("orders", test::readFixture("nhanh/webhook_product_update.json")).records.empty());
}

TEST(NhanhProducts, DeletionsAndStockWebhooks) {
  Page del = normalize("products", test::readFixture("nhanh/webhook_product_delete.json"));
  EXPECT_TRUE(del.records.empty());
  EXPECT_EQ(del.removedIds, std::vector<std::string>{"1231281071"});
  // inventoryChange carries stock only: no partial product record is made of it.
  Page inv = normalize("products", test::readFixture("nhanh/webhook_inventory_change.json"));
  EXPECT_TRUE(inv.records.empty());
  EXPECT_TRUE(inv.removedIds.empty());
  EXPECT_EQ(inv.rowCount, 1u);
}

TEST(NhanhProducts, V2SearchBodyIsReadToo) {
  Page p = normalize("products", test::readFixture("nhanh/products_v2_search.json"), true);
  ASSERT_EQ(p.records.size(), 1u);
  json r = asJson(p.records[0]);
  EXPECT_EQ(r["externalId"], "1231281071");
  EXPECT_EQ(r["parentExternalId"], "1231281069");
  EXPECT_EQ(r["taxRate"], 8);
  EXPECT_EQ(r["active"], true);  // "Active"
  EXPECT_EQ(r["variants"][0]["options"], json({{"Màu sắc", "Đen"}, {"Kích thước", "M"}}));
  EXPECT_EQ(r["variants"][0]["compareAtPrice"], 250000);
  EXPECT_EQ(r["variants"][0]["stock"][0], json({{"locationId", "31010"}, {"onHand", 30}, {"available", 25}}));
  EXPECT_EQ(r["variants"][0]["totalStock"], 35);
  EXPECT_EQ(r["createdAt"], "2024-04-28T02:15:41.000Z");  // "2024-04-28 09:15:41" Vietnam time
}

TEST(NhanhOrders, ListShapeWithTaxOff) {
  Page p = normalize("orders", test::readFixture("nhanh/orders_page.json"));
  ASSERT_EQ(p.records.size(), 3u);
  json o = asJson(p.records[0]);
  EXPECT_EQ(o["externalId"], "14903497");
  EXPECT_EQ(o["code"], "14903497");
  EXPECT_EQ(o["status"], "confirmed");
  EXPECT_EQ(o["platformStatus"], "56");
  EXPECT_EQ(o["createdAt"], iso(1714540222));
  EXPECT_EQ(o["updatedAt"], iso(1714551023));
  EXPECT_EQ(o["customer"], json({{"externalId", "20184482"}, {"name", "Nguyễn Văn An"}, {"phone", "+84901234567"},
                                 {"email", "an.nguyen@example.com"}}));
  ASSERT_EQ(o["lines"].size(), 1u);
  // Tax sync off: amounts include VAT, as the buyer pays them.
  EXPECT_EQ(o["lines"][0], json({{"productExternalId", "1231281071"}, {"variantExternalId", "1231281071"},
                                 {"sku", "ATB-DEN-M"}, {"name", "Áo thun Basic - Đen - M"}, {"quantity", 2},
                                 {"unitPrice", 214920}, {"discount", 21600}, {"total", 408240}}));
  EXPECT_EQ(o["subtotal"], 408240);
  EXPECT_EQ(o["shippingFee"], 30000);  // customerShipFee, not the carrier's shipFee
  EXPECT_EQ(o["discount"], 0);
  EXPECT_TRUE(o["tax"].is_null());
  EXPECT_EQ(o["total"], 438240);  // codAmount + paid before
  EXPECT_EQ(o["paymentStatus"], "unpaid");
  EXPECT_EQ(o["currency"], "VND");
  EXPECT_EQ(o["locationId"], "31010");
  EXPECT_EQ(o["note"], "Giao giờ hành chính");
  EXPECT_EQ(o["shippingAddress"]["address"], "12 Nguyễn Trãi");
  EXPECT_EQ(o["shippingAddress"]["phone"], "+84901234567");
  EXPECT_EQ(o["shippingAddress"]["country"], "VN");

  // A counter sale: ids as strings, no customer, status "60", paid by transfer.
  json counter = asJson(p.records[1]);
  EXPECT_EQ(counter["externalId"], "14903481");
  EXPECT_EQ(counter["status"], "completed");
  EXPECT_EQ(counter["paymentStatus"], "paid");
  EXPECT_TRUE(counter["customer"].is_null());
  EXPECT_TRUE(counter["shippingAddress"].is_null());
  EXPECT_TRUE(counter["note"].is_null());
  EXPECT_EQ(counter["discount"], 5000);
  EXPECT_EQ(counter["total"], 180000);
  EXPECT_EQ(counter["lines"][0]["total"], 185000);  // vatPercent −1: not taxable

  json shipping = asJson(p.records[2]);
  EXPECT_EQ(shipping["status"], "shipping");
  EXPECT_EQ(shipping["customer"]["phone"], "+84912345678");
  EXPECT_EQ(shipping["lines"][0]["unitPrice"], 214920);  // no totalAmount: 199000 + 8 %
  EXPECT_EQ(shipping["total"], 239920);
  EXPECT_EQ(shipping["paymentStatus"], "partially_paid");  // 50000 deposit
}

TEST(NhanhOrders, ListShapeWithTaxOn) {
  Page p = normalize("orders", test::readFixture("nhanh/orders_page.json"), true);
  json o = asJson(p.records.at(0));
  EXPECT_EQ(o["lines"][0]["unitPrice"], 199000);  // before VAT
  EXPECT_EQ(o["lines"][0]["discount"], 20000);
  EXPECT_EQ(o["lines"][0]["total"], 378000);
  EXPECT_EQ(o["subtotal"], 378000);
  EXPECT_EQ(o["tax"], 30240);
  EXPECT_EQ(o["total"], 438240);  // 378000 + 30240 VAT + 30000 shipping
  EXPECT_EQ(asJson(p.records.at(1))["tax"], 0);
  EXPECT_EQ(asJson(p.records.at(2))["tax"], 15920);
}

TEST(NhanhOrders, WebhookShapeNormalizesLikeTheList) {
  for (bool tax : {false, true}) {
    json list = asJson(normalize("orders", test::readFixture("nhanh/orders_page.json"), tax).records.at(0));
    Page hook = normalize("orders", test::readFixture("nhanh/webhook_order_update.json"), tax);
    ASSERT_EQ(hook.records.size(), 1u);
    json w = asJson(hook.records[0]);
    EXPECT_EQ(w["externalId"], list["externalId"]);
    EXPECT_EQ(w["status"], "shipping");  // the update moved it on
    EXPECT_EQ(w["platformStatus"], "59");
    EXPECT_EQ(w["updatedAt"], iso(1714560000));
    for (const char* k : {"code", "customer", "lines", "subtotal", "discount", "shippingFee", "tax", "total", "currency",
                          "shippingAddress", "locationId", "note", "createdAt", "paymentStatus"}) {
      EXPECT_EQ(w[k], list[k]) << k << (tax ? " (tax on)" : " (tax off)");
    }
  }
  // A product webhook is not an order.
  EXPECT_TRUE(normalize("orders", test::readFixture("nhanh/webhook_product_delete.json")).removedIds.empty());
  Page del = normalize("orders", test::readFixture("nhanh/webhook_order_delete.json"));
  EXPECT_EQ(del.removedIds, (std::vector<std::string>{"14903497", "14903498"}));
  EXPECT_TRUE(normalize("orders", test::readFixture("nhanh/webhook_app_uninstalled.json")).records.empty());
}

// nhanh.md §B.10.2 turned into a counter sale (type 2, carrier null, walk-in, codAmount 0, nothing
// prepaid): the docs do not show this case, so the amount is what the lines say, never 0.
TEST(NhanhOrders, CounterSaleWithoutCodIsNotFree) {
  for (bool tax : {false, true}) {
    Page p = normalize("orders", test::readFixture("nhanh/order_counter_cash.json"), tax);
    ASSERT_EQ(p.records.size(), 1u);
    json o = asJson(p.records[0]);
    EXPECT_EQ(o["status"], "completed");
    EXPECT_TRUE(o["customer"].is_null());
    EXPECT_TRUE(o["shippingFee"].is_null());
    EXPECT_EQ(o["subtotal"], tax ? 378000 : 408240);
    EXPECT_EQ(o["total"], 408240) << "tax " << tax;
    EXPECT_EQ(o["paymentStatus"], "paid");
  }
}

TEST(NhanhOrders, EveryStatusCodeIsMapped) {
  const std::vector<std::pair<int, std::string>> table = {
      {54, "pending"},    {55, "pending"},    {57, "pending"},    {56, "confirmed"},  {42, "processing"},
      {40, "processing"}, {43, "processing"}, {73, "processing"}, {59, "shipping"},   {60, "completed"},
      {58, "cancelled"},  {61, "cancelled"},  {63, "cancelled"},  {64, "cancelled"},  {68, "cancelled"},
      {71, "returned"},   {72, "returned"},   {74, "returned"},
  };
  for (const auto& [code, expected] : table) {
    json body = {{"code", 1}, {"data", json::array({{{"info", {{"id", 1000 + code}, {"status", code}}}}})}};
    json o = asJson(normalize("orders", dumpJson(body)).records.at(0));
    EXPECT_EQ(o["status"], expected) << code;
    EXPECT_EQ(o["platformStatus"], std::to_string(code));
  }
  json unknown = {{"code", 1}, {"data", json::array({{{"info", {{"id", 1}, {"status", 99}}}}})}};
  json u = asJson(normalize("orders", dumpJson(unknown)).records.at(0));
  EXPECT_TRUE(u["status"].is_null());
  EXPECT_EQ(u["platformStatus"], "99");
}

TEST(NhanhOrders, V2IndexBodyIsReadToo) {
  Page p = normalize("orders", test::readFixture("nhanh/orders_v2_index.json"), true);
  ASSERT_EQ(p.records.size(), 1u);
  json o = asJson(p.records[0]);
  EXPECT_EQ(o["externalId"], "14903497");
  EXPECT_EQ(o["status"], "confirmed");  // statusCode "Confirmed"
  EXPECT_EQ(o["customer"]["phone"], "+84901234567");
  EXPECT_EQ(o["shippingAddress"]["province"], "Hồ Chí Minh");
  EXPECT_EQ(o["shippingAddress"]["district"], "Quận 1");
  EXPECT_EQ(o["lines"][0]["total"], 378000);
  EXPECT_EQ(o["tax"], 30240);
  EXPECT_EQ(o["total"], 438240);  // calcTotalMoney
  EXPECT_EQ(o["createdAt"], "2024-05-01T05:10:22.000Z");
}

TEST(NhanhCustomers, GenderMobileGroups) {
  Page p = normalize("customers", test::readFixture("nhanh/customers_page.json"));
  ASSERT_EQ(p.records.size(), 3u);
  json c = asJson(p.records[0]);
  EXPECT_EQ(c["externalId"], "20184482");
  EXPECT_EQ(c["name"], "Nguyễn Văn An");
  EXPECT_EQ(c["phone"], "+84901234567");
  EXPECT_EQ(c["email"], "an.nguyen@example.com");
  EXPECT_EQ(c["gender"], "male");
  EXPECT_EQ(c["birthday"], "1990-06-15");
  EXPECT_EQ(c["address"]["address"], "12 Nguyễn Trãi, Phường Bến Thành, Quận 1, Hồ Chí Minh");
  EXPECT_EQ(c["groups"], json({"Khách lẻ online"}));
  EXPECT_EQ(c["totalSpent"], 1194000);
  EXPECT_EQ(c["createdAt"], "2023-11-19T17:00:00.000Z");  // startedDate, Vietnam midnight
  EXPECT_EQ(c["updatedAt"], iso(1714551023));

  json shop = asJson(p.records[1]);
  EXPECT_EQ(shop["gender"], "female");
  EXPECT_EQ(shop["phone"], "+84362345678");  // legacy 0166 → 036
  EXPECT_TRUE(shop["birthday"].is_null());  // "0000-00-00"
  EXPECT_TRUE(shop["email"].is_null());
  EXPECT_TRUE(shop["address"].is_null());
  EXPECT_EQ(shop["groups"], json::array());

  json bare = asJson(p.records[2]);
  EXPECT_TRUE(bare["gender"].is_null());
  EXPECT_TRUE(bare["phone"].is_null());
}

TEST(NhanhLocations, DepotsWithThreeOrTwoLevelAddresses) {
  Page p = normalize("locations", test::readFixture("nhanh/depots.json"));
  ASSERT_EQ(p.records.size(), 2u);
  json a = asJson(p.records[0]);
  EXPECT_EQ(a["externalId"], "31010");
  EXPECT_EQ(a["name"], "Kho Hồ Chí Minh");
  EXPECT_EQ(a["address"], "12 Nguyễn Trãi, Phường Bến Thành, Quận 1, Hồ Chí Minh");
  EXPECT_EQ(asJson(p.records[1])["address"], "5 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội");
  EXPECT_EQ(asJson(p.records[1])["phone"], "+84912000111");
}

TEST(NhanhErrors, EnvelopesBecomeTypedErrors) {
  NormalizeOptions opts;
  auto rate = normalizeBody("nhanh", "products", test::readFixture("nhanh/error_429.json"), opts);
  ASSERT_FALSE(rate.ok());
  EXPECT_EQ(rate.error().code, ErrorCode::RateLimited);
  EXPECT_EQ(rate.error().platformCode, "ERR_429");

  auto off = normalizeBody("nhanh", "orders", test::readFixture("nhanh/error_not_enabled.json"), opts);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::Forbidden);
  EXPECT_NE(off.error().message.find("Cho phép kết nối Open API"), std::string::npos);

  auto token = normalizeBody("nhanh", "orders", test::readFixture("nhanh/error_invalid_token.json"), opts);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, ErrorCode::InvalidCredentials);

  auto form = normalizeBody("nhanh", "orders", test::readFixture("nhanh/error_form_fields.json"), opts);
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.error().code, ErrorCode::PlatformError);
  EXPECT_NE(form.error().message.find("filters.updatedAtTo"), std::string::npos);

  auto truncated = normalizeBody("nhanh", "orders", "{\"code\":1,\"data\":[{\"info\":", opts);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::InvalidJson);
  auto scalar = normalizeBody("nhanh", "orders", "[1,2]", opts);
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.error().code, ErrorCode::UnexpectedShape);
}

TEST(NhanhErrors, ClassifyWaitsOutTheLockAndFailsOnDeadTokens) {
  const Connector& c = *findConnector("nhanh");
  HttpResponse locked{200, {}, test::readFixture("nhanh/error_429.json"), ""};
  auto v = c.classify(locked);
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Retry);
  ASSERT_TRUE(v.retryAfterMs.has_value());
  EXPECT_GE(*v.retryAfterMs, 10'000);  // lockedSeconds
  EXPECT_EQ(v.error.code, ErrorCode::RateLimited);

  HttpResponse dead{200, {}, test::readFixture("nhanh/error_invalid_token.json"), ""};
  EXPECT_EQ(c.classify(dead).kind, ResponseVerdict::Kind::AuthExpired);
  HttpResponse off{200, {}, test::readFixture("nhanh/error_not_enabled.json"), ""};
  EXPECT_EQ(c.classify(off).kind, ResponseVerdict::Kind::Fatal);
  HttpResponse broken{502, {}, R"({"code":0,"errorCode":"ERR_SERVER","messages":["Lỗi hệ thống"]})", ""};
  EXPECT_EQ(c.classify(broken).kind, ResponseVerdict::Kind::Retry);  // 5xx stays transient
  HttpResponse fine{200, {}, test::readFixture("nhanh/customers_page.json"), ""};
  EXPECT_EQ(c.classify(fine).kind, ResponseVerdict::Kind::Ok);
}

// --- webhooks ------------------------------------------------------------------------

WebhookDelivery delivery(const std::string& body, const std::string& auth = "") {
  WebhookDelivery d;
  d.body = body;
  d.headers["content-type"] = "application/json";
  if (!auth.empty()) d.headers["authorization"] = auth;
  return d;
}

TEST(NhanhWebhooks, VerifyTokenInAuthorizationHeader) {
  const Connector& c = *findConnector("nhanh");
  const std::string token = "my-verify-token-1234567890";
  std::string body = test::readFixture("nhanh/webhook_order_delete.json");
  auto ok = c.inspectWebhook(delivery(body, token), token);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->signatureChecked);
  EXPECT_EQ(ok->topic, "orderDelete");
  EXPECT_EQ(ok->entity, Entity::Orders);
  EXPECT_TRUE(ok->deletion);
  EXPECT_EQ(ok->storeKey, "110668");

  auto wrong = c.inspectWebhook(delivery(body, "someone-else-token"), token);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::Forbidden);
  EXPECT_FALSE(c.inspectWebhook(delivery(body), token).ok());  // no header at all

  // v2 deliveries put the token in the body.
  auto v2 = c.inspectWebhook(delivery(R"({"event":"productUpdate","businessId":110668,"webhooksVerifyToken":")" + token +
                                      R"(","data":{"productId":1}})"),
                             token);
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(v2->signatureChecked);
  EXPECT_EQ(v2->entity, Entity::Products);

  // No secret configured: classified, not checked.
  auto unchecked = c.inspectWebhook(delivery(body), "");
  ASSERT_TRUE(unchecked.ok());
  EXPECT_FALSE(unchecked->signatureChecked);
}

// nh.md §B.5.6: v2 /api/customer/search types `mobile` as an int ("treat as string"). A JSON
// number loses the leading 0 (0901234567 → 901234567); the phone must still normalize to the
// same +84 form order bodies give, or customers and their orders no longer match by phone.
TEST(NhanhCustomers, V2MobileAsIntegerKeepsItsLeadingZero) {
  Page p = normalize("customers", R"({"code":1,"messages":[],"data":{"totalPages":1,"customers":[
    {"id":20184482,"type":1,"name":"Nguyễn Văn An","mobile":901234567,"email":"","gender":1,"code":"KH20184482"},
    {"id":20184483,"type":1,"name":"Cửa hàng B","mobile":2838123456,"gender":null}]}})");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(asJson(p.records[0])["phone"], "+84901234567");
  EXPECT_EQ(asJson(p.records[1])["phone"], "+842838123456");  // landline 028…
  // The same number as a string (v3, and v2 in practice) is unchanged.
  Page q = normalize("customers", R"({"code":1,"data":[{"id":1,"name":"A","mobile":"0901234567"}]})");
  ASSERT_EQ(q.records.size(), 1u);
  EXPECT_EQ(asJson(q.records[0])["phone"], "+84901234567");
}

TEST(NhanhWebhooks, TopicsAndLifecycleEvents) {
  const Connector& c = *findConnector("nhanh");
  struct Case {
    const char* fixture;
    std::optional<Entity> entity;
    bool deletion;
  };
  for (const Case& k : {Case{"nhanh/webhook_product_update.json", Entity::Products, false},
                        Case{"nhanh/webhook_product_delete.json", Entity::Products, true},
                        Case{"nhanh/webhook_inventory_change.json", Entity::Products, false},
                        Case{"nhanh/webhook_order_update.json", Entity::Orders, false},
                        Case{"nhanh/webhook_app_uninstalled.json", std::nullopt, false},
                        Case{"nhanh/webhook_enabled.json", std::nullopt, false}}) {
    auto ev = c.inspectWebhook(delivery(test::readFixture(k.fixture), "tok-0123456789abcdef"), "tok-0123456789abcdef");
    ASSERT_TRUE(ev.ok()) << k.fixture;
    EXPECT_EQ(ev->entity, k.entity) << k.fixture;
    EXPECT_EQ(ev->deletion, k.deletion) << k.fixture;
  }
  auto gone = c.inspectWebhook(delivery(test::readFixture("nhanh/webhook_app_uninstalled.json")), "");
  EXPECT_EQ(gone->topic, "appUninstalled");
  EXPECT_EQ(gone->storeKey, "64692");
  EXPECT_FALSE(c.inspectWebhook(delivery("not json"), "").ok());
  EXPECT_FALSE(c.inspectWebhook(delivery(R"({"data":[]})"), "").ok());
}

// --- connect flow building blocks -----------------------------------------------------

json connect(const std::string& step, const json& input) { return parseJson(api::connectJson("nhanh", step, dumpJson(input))); }

TEST(NhanhConnect, ConsentUrlAndTokenExchange) {
  json url = connect("consentUrl", {{"appId", 1234}, {"returnLink", "https://app.storelink.vn/connect/nhanh/return?c=42"}});
  EXPECT_EQ(url["url"], "https://nhanh.vn/oauth?appId=1234&returnLink=https%3A%2F%2Fapp.storelink.vn%2Fconnect%2Fnhanh%2Freturn%3Fc%3D42");
  EXPECT_EQ(connect("consentUrl", {{"appId", 1234}, {"returnLink", "http://evil.example/x"}})["error"]["field"], "returnLink");
  EXPECT_EQ(connect("consentUrl", {{"appId", "abc"}, {"returnLink", "https://x.vn"}})["error"]["field"], "appId");

  json tr = connect("tokenRequest", {{"accessCode", "AC\"0de"}});
  ASSERT_TRUE(tr.contains("request")) << tr.dump();
  auto req = requestFromJson(tr["request"]);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(buildUrl(*req), "https://pos.open.nhanh.vn/v3.0/app/getaccesstoken?appId=%7B%7Bsecret.appId%7D%7D");
  // The secret key stays a placeholder until the proxy fills it; the token is kept there.
  auto filled = fillSecrets(*req, {{"appId", "1234"}, {"secretKey", "s3cr\"t"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(parseJson(filled->body), json({{"accessCode", "AC\"0de"}, {"secretKey", "s3cr\"t"}}));
  auto kept = keepSecretsFromBody(*req, R"({"code":1,"data":{"accessToken":"T0K","expiredAt":1785603599,"businessId":110668,"depotIds":[]}})");
  EXPECT_EQ(kept.captured.at("accessToken"), "T0K");
  EXPECT_EQ(kept.body.find("T0K"), std::string::npos);

  json result = connect("tokenResult", {{"body", kept.body}});
  EXPECT_EQ(result["businessId"], "110668");
  EXPECT_EQ(result["allDepots"], true);
  EXPECT_EQ(result["depotIds"], json::array());
  EXPECT_EQ(result["expiredAt"], iso(1785603599));
  EXPECT_EQ(result["expiresAtMs"], 1785603599000LL);
  EXPECT_EQ(result["accessTokenKept"], true);

  json scoped = connect("tokenResult", {{"body", test::readFixture("nhanh/getaccesstoken_redacted.json")}});
  EXPECT_EQ(scoped["depotIds"], json({"31010", "31011"}));
  EXPECT_EQ(scoped["allDepots"], false);
  EXPECT_EQ(scoped["permissions"], json({"product", "order", "customer"}));

  json check = connect("checkTokenRequest", json::object());
  auto creq = requestFromJson(check["request"]);
  ASSERT_TRUE(creq.ok());
  EXPECT_NE(creq->url.find("/app/checkaccesstoken"), std::string::npos);
  EXPECT_EQ(creq->purpose, "verify");
}

TEST(NhanhConnect, ProductsRequestFollowsAStockWebhook) {
  json out = connect("productsRequest", {{"body", test::readFixture("nhanh/webhook_inventory_change.json")}});
  ASSERT_EQ(out["requests"].size(), 1u) << out.dump();
  auto r = requestFromJson(out["requests"][0]);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "https://pos.open.nhanh.vn/v3.0/product/list");
  json body = parseJson(r->body);
  EXPECT_EQ(body["filters"]["ids"], json({1231281071}));
  EXPECT_EQ(body["filters"]["status"], json({1, 2, 3, 4}));
  json ids = json::array();
  for (int i = 0; i < 230; ++i) ids.push_back(std::to_string(1000 + i));
  EXPECT_EQ(connect("productsRequest", {{"ids", ids}})["requests"].size(), 3u);  // ≤ 100 per request
  EXPECT_EQ(connect("productsRequest", json::object())["error"]["field"], "ids");
}

TEST(NhanhConnect, TokenErrorsSpeakVietnamese) {
  json off = connect("tokenResult", {{"body", test::readFixture("nhanh/error_not_enabled.json")}});
  EXPECT_EQ(off["error"]["code"], "forbidden");
  EXPECT_EQ(off["error"]["platformCode"], "ERR_BUSINESS_NOT_ENABLE_API");
  EXPECT_NE(off["error"]["message"].get<std::string>().find("tài khoản Giám đốc"), std::string::npos);

  json expired = connect("tokenResult", {{"body", R"({"code":0,"errorCode":"ERR_INVALID_FORM_FIELDS","messages":{"accessCode":"accessCode is invalid or expired"}})"}});
  EXPECT_EQ(expired["error"]["code"], "invalid_credentials");
  EXPECT_NE(expired["error"]["message"].get<std::string>().find("10 phút"), std::string::npos);

  EXPECT_EQ(connect("tokenResult", {{"body", "<html>"}})["error"]["code"], "invalid_json");
  EXPECT_EQ(connect("nope", json::object())["error"]["code"], "unsupported");
  EXPECT_EQ(connect("tokenRequest", json::object())["error"]["field"], "accessCode");
}

TEST(NhanhPlatform, ListedWithOAuthAndAppCredentials) {
  json all = parseJson(api::platformsJson());
  json nh;
  for (const auto& p : all)
    if (p["id"] == "nhanh") nh = p;
  ASSERT_FALSE(nh.is_null());
  EXPECT_EQ(nh["status"], "available");
  EXPECT_EQ(nh["webhooks"], true);
  std::map<std::string, std::string> sources;
  for (const auto& c : nh["credentials"]) sources[c["key"]] = c["source"];
  EXPECT_EQ(sources, (std::map<std::string, std::string>{{"account", "user"}, {"accessToken", "oauth"},
                                                         {"businessId", "oauth"}, {"appId", "app"}, {"secretKey", "app"}}));
  EXPECT_EQ(nh["settings"][0]["key"], "taxSync");
}

}  // namespace
}  // namespace storelink
