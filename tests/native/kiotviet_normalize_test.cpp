// KiotViet bodies → unified records. Fixtures follow shared/platforms/kiotviet.md (A.10 examples
// and the documented webhook shapes).
#include <gtest/gtest.h>

#include <algorithm>

#include "storelink/crypto.hpp"
#include "storelink/platforms.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

Page mustNormalize(const std::string& entity, const std::string& body, bool raw = false) {
  NormalizeOptions opts;
  opts.includeRaw = raw;
  auto page = normalizeBody("kiotviet", entity, body, opts);
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

json asJson(const Record& r) { return parseJson(recordToJson(r)); }

TEST(KiotVietProducts, SiblingVariantsUnitsAndStock) {
  Page p = mustNormalize("products", test::readFixture("kiotviet/products_page.json"));
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.total, 5);
  ASSERT_EQ(p.removedIds, std::vector<std::string>{"3011877"});

  json master = asJson(p.records[0]);
  EXPECT_EQ(master["type"], "product");
  EXPECT_EQ(master["platform"], "kiotviet");
  EXPECT_EQ(master["externalId"], "3065552");
  EXPECT_EQ(master["name"], "Áo thun basic");
  EXPECT_EQ(master["sku"], "AT-DO-S");
  EXPECT_EQ(master["barcode"], "8935000000011");
  EXPECT_TRUE(master["description"].is_null());  // "" in the source → null
  EXPECT_EQ(master["category"], "Áo");
  EXPECT_EQ(master["brand"], "NoBrand");
  EXPECT_EQ(master["active"], true);
  EXPECT_TRUE(master["parentExternalId"].is_null());  // the master row has no masterProductId
  // Local time without offset (UTC+7) → UTC.
  EXPECT_EQ(master["updatedAt"], "2025-03-19T10:58:36.447Z");
  EXPECT_EQ(master["createdAt"], "2020-08-22T01:40:34.097Z");
  ASSERT_EQ(master["images"].size(), 1u);
  const json& v = master["variants"][0];
  EXPECT_EQ(v["externalId"], "3065552");
  EXPECT_EQ(v["name"], "Áo thun basic - Đỏ - S (cái)");
  EXPECT_EQ(v["options"], json({{"MÀU SẮC", "Đỏ"}, {"KÍCH THƯỚC", "S"}}));
  EXPECT_EQ(v["price"], 150000);
  EXPECT_EQ(v["cost"], 80000);
  EXPECT_EQ(v["weightGrams"], 200);
  ASSERT_EQ(v["stock"].size(), 2u);
  EXPECT_EQ(v["stock"][0], json({{"locationId", "15132"}, {"onHand", 12}, {"available", 10}}));  // 12 − 2 reserved
  EXPECT_EQ(v["totalStock"], 10);
  EXPECT_EQ(master["totalStock"], 10);

  json sibling = asJson(p.records[1]);
  EXPECT_EQ(sibling["parentExternalId"], "3065552");
  EXPECT_TRUE(sibling["barcode"].is_null());
  EXPECT_TRUE(sibling["brand"].is_null());  // tradeMarkName omitted → null
  EXPECT_EQ(sibling["variants"][0]["totalStock"], -3);  // negative stock is real

  json unitRow = asJson(p.records[2]);
  EXPECT_EQ(unitRow["parentExternalId"], "3299733");  // masterUnitId
  EXPECT_EQ(unitRow["variants"][0]["options"]["Đơn vị tính"], "thùng");
  EXPECT_DOUBLE_EQ(unitRow["variants"][0]["stock"][0]["onHand"].get<double>(), 10.5);
  EXPECT_FALSE(unitRow.contains("raw"));  // only when asked for
}

TEST(KiotVietProducts, RawOnlyWhenAsked) {
  Page p = mustNormalize("products", test::readFixture("kiotviet/products_page.json"), true);
  json r = asJson(p.records[0]);
  ASSERT_TRUE(r.contains("raw"));
  EXPECT_EQ(r["raw"]["fullName"], "Áo thun basic - Đỏ - S (cái)");
}

TEST(KiotVietOrders, StatusPaymentCustomerAndAddress) {
  Page p = mustNormalize("orders", test::readFixture("kiotviet/orders_page.json"));
  ASSERT_EQ(p.records.size(), 2u);
  json o = asJson(p.records[0]);
  EXPECT_EQ(o["code"], "DH000123");
  EXPECT_EQ(o["status"], "pending");  // 1 Phiếu tạm
  EXPECT_EQ(o["platformStatus"], "Phiếu tạm");
  EXPECT_EQ(o["paymentStatus"], "partially_paid");  // 100,000 of 300,000
  EXPECT_EQ(o["customer"], json({{"externalId", "698643"}, {"name", "Cô Mỹ Lan"}, {"phone", nullptr}, {"email", nullptr}}));
  ASSERT_EQ(o["lines"].size(), 1u);
  EXPECT_EQ(o["lines"][0]["productExternalId"], "3065552");
  EXPECT_EQ(o["lines"][0]["quantity"], 2);
  EXPECT_EQ(o["lines"][0]["total"], 300000);
  EXPECT_EQ(o["subtotal"], 300000);
  EXPECT_EQ(o["total"], 300000);
  EXPECT_EQ(o["shippingFee"], 0);
  EXPECT_EQ(o["currency"], "VND");
  EXPECT_EQ(o["locationId"], "15132");
  const json& a = o["shippingAddress"];
  EXPECT_EQ(a["name"], "Trần Thị Lan");
  EXPECT_EQ(a["phone"], "+84909123456");
  EXPECT_EQ(a["province"], "Hồ Chí Minh");
  EXPECT_EQ(a["district"], "Quận 1");
  EXPECT_EQ(a["ward"], "Phường Đa Kao");

  json walkIn = asJson(p.records[1]);
  EXPECT_EQ(walkIn["status"], "cancelled");
  EXPECT_TRUE(walkIn["customer"].is_null());  // no customerId, customerName ""
  EXPECT_TRUE(walkIn["shippingAddress"].is_null());
  EXPECT_TRUE(walkIn["note"].is_null());
  EXPECT_EQ(walkIn["paymentStatus"], "paid");
}

TEST(KiotVietOrders, EveryDocumentedStatusCodeMaps) {
  const std::pair<int, const char*> cases[] = {
      {1, "pending"}, {2, "shipping"}, {3, "completed"}, {4, "cancelled"}, {5, "confirmed"}};
  for (auto [code, expected] : cases) {
    std::string body = R"({"total":1,"pageSize":1,"data":[{"id":1,"status":)" + std::to_string(code) +
                       R"(,"createdDate":"2025-01-01T00:00:00"}]})";
    Page p = mustNormalize("orders", body);
    ASSERT_EQ(p.records.size(), 1u);
    EXPECT_EQ(asJson(p.records[0])["status"], expected) << code;
    EXPECT_EQ(asJson(p.records[0])["platformStatus"], std::to_string(code));
  }
  // Unknown code, known text: mapped by text like the official plugin does.
  Page t = mustNormalize("orders", R"({"data":[{"id":2,"status":9,"statusValue":"Hoàn thành"}]})");
  EXPECT_EQ(asJson(t.records[0])["status"], "completed");
}

TEST(KiotVietCustomers, PhonesGenderBirthdayGroupsHugeIds) {
  Page p = mustNormalize("customers", test::readFixture("kiotviet/customers_page.json"));
  ASSERT_EQ(p.records.size(), 3u);
  json c = asJson(p.records[0]);
  EXPECT_EQ(c["name"], "Cà Phê Song Nam");
  EXPECT_EQ(c["phone"], "+84769811117");
  EXPECT_EQ(c["gender"], "female");  // false = female
  EXPECT_EQ(c["birthday"], "1988-02-14");
  EXPECT_EQ(c["address"]["province"], "Hồ Chí Minh");
  EXPECT_EQ(c["address"]["district"], "Quận Bình Thạnh");
  EXPECT_EQ(c["address"]["ward"], "Phường 24");
  EXPECT_EQ(c["totalSpent"], 5320000);
  EXPECT_EQ(c["groups"], json::array({"Khách thường"}));

  json legacy = asJson(p.records[1]);
  EXPECT_EQ(legacy["externalId"], "9007199254740993");  // > 2^53: exact as a string
  EXPECT_EQ(legacy["phone"], "+84362345678");           // 0166 → 036
  EXPECT_TRUE(legacy["gender"].is_null());              // omitted key → null
  EXPECT_TRUE(legacy["email"].is_null());
  EXPECT_EQ(legacy["groups"], json::array({"Khách VIP", "Khách sỉ"}));
  EXPECT_EQ(legacy["updatedAt"], "2024-02-01T16:30:00.000Z");

  json company = asJson(p.records[2]);
  EXPECT_EQ(company["phone"], "+84912345678");
  EXPECT_EQ(company["gender"], "male");
  EXPECT_TRUE(company["email"].is_null());
  EXPECT_EQ(company["address"]["province"], "Hà Nội");
  EXPECT_TRUE(company["address"]["district"].is_null());
  EXPECT_EQ(p.removedIds, std::vector<std::string>{"698001"});
}

TEST(KiotVietCustomers, SingleObjectBodyNormalizesToo) {
  Page p = mustNormalize("customers", test::readFixture("kiotviet/customer_single.json"));
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].externalId, "698246");
}

TEST(KiotVietErrors, BrokenJsonIsTyped) {
  for (const char* body : {"", "{", "not json", "[1,2"}) {
    auto page = normalizeBody("kiotviet", "products", body, {});
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.error().code, ErrorCode::InvalidJson);
  }
  auto truncated = normalizeBody("kiotviet", "products", test::readFixture("kiotviet/truncated_products.json"), {});
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::InvalidJson);
}

TEST(KiotVietErrors, ResponseStatusEnvelope) {
  auto page = normalizeBody("kiotviet", "products", test::readFixture("kiotviet/error_token.json"), {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().platformCode, "TokenException");
  EXPECT_EQ(page.error().code, ErrorCode::InvalidCredentials);
  EXPECT_NE(page.error().message.find("KiotViet"), std::string::npos);
}

TEST(KiotVietErrors, WrongShapesAreTypedNotCrashes) {
  for (const char* body : {"[]", "42", "{\"data\":5}", "{\"data\":{}}", "null", "\"x\""}) {
    auto page = normalizeBody("kiotviet", "orders", body, {});
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.error().code, ErrorCode::UnexpectedShape) << body;
  }
  // Rows of the wrong type or without id are skipped with a row error, the rest survive.
  Page p = mustNormalize("products", R"({"total":3,"data":[{"id":1,"name":"A"}, 7, {"name":"no id"}]})");
  EXPECT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.rowErrors.size(), 2u);
  // Fields of unexpected types become null instead of aborting.
  Page q = mustNormalize("products", R"({"data":[{"id":"9","name":5,"basePrice":"12.5","images":"x","inventories":{}}]})");
  json r = asJson(q.records[0]);
  EXPECT_EQ(r["name"], "5");
  EXPECT_EQ(r["variants"][0]["price"], 12.5);
  EXPECT_EQ(r["images"], json::array());
}

TEST(KiotVietWebhooks, ProductUpdateIsPascalCaseWithOffset) {
  Page p = mustNormalize("products", test::readFixture("kiotviet/webhook_product_update.json"));
  ASSERT_EQ(p.records.size(), 1u);
  json r = asJson(p.records[0]);
  EXPECT_EQ(r["externalId"], "26254255");
  EXPECT_EQ(r["name"], "Cà phê sữa đá");
  EXPECT_EQ(r["parentExternalId"], "26254250");
  EXPECT_EQ(r["updatedAt"], "2023-09-07T15:15:22.397Z");  // +07:00 honoured
  EXPECT_EQ(r["variants"][0]["stock"][0]["available"], -3.5);
  EXPECT_EQ(r["variants"][0]["options"]["SIZE"], "Lớn");
  EXPECT_EQ(r["images"][0], "https://cdn2-retail-images.kiotviet.vn/a.jpg");
  // The same webhook asked for as orders yields nothing (it is about products).
  EXPECT_TRUE(mustNormalize("orders", test::readFixture("kiotviet/webhook_product_update.json")).records.empty());
}

TEST(KiotVietWebhooks, DeleteBecomesTombstones) {
  Page p = mustNormalize("products", test::readFixture("kiotviet/webhook_product_delete.json"));
  EXPECT_TRUE(p.records.empty());
  EXPECT_EQ(p.removedIds, (std::vector<std::string>{"26254255", "26254256"}));
  Page docShape = mustNormalize(
      "customers", R"({"Id":"x","Attempt":1,"Notifications":[{"Action":"customer.delete.1","Data":[{"RemoveId":[5,6]}]}]})");
  EXPECT_EQ(docShape.removedIds, (std::vector<std::string>{"5", "6"}));
}

// Counter sales exist only as invoices (kiotviet.md "Orders vs invoices").
TEST(KiotVietInvoices, InvoicesAreOrdersWithTheirOwnIdsAndStatusCodes) {
  Page p = mustNormalize("orders", test::readFixture("kiotviet/invoices_page.json"));
  ASSERT_EQ(p.records.size(), 2u);
  json pos = asJson(p.records[0]);
  EXPECT_EQ(pos["externalId"], "invoice-122011346") << "invoice and order ids are separate sequences";
  EXPECT_EQ(pos["code"], "HD056988");
  EXPECT_EQ(pos["status"], "completed") << "invoice status 1 is Hoàn thành, not the order's Phiếu tạm";
  EXPECT_EQ(pos["platformStatus"], "Hoàn thành");
  EXPECT_EQ(pos["paymentStatus"], "paid");
  EXPECT_TRUE(pos["customer"].is_null()) << "a walk-in counter sale";
  ASSERT_EQ(pos["lines"].size(), 1u);
  EXPECT_EQ(pos["lines"][0]["total"], 26000.0);
  EXPECT_EQ(pos["createdAt"], "2025-04-13T05:05:58.417Z");
  json online = asJson(p.records[1]);
  EXPECT_EQ(online["status"], "cancelled") << "invoice status 2 is Đã hủy (order status 2 would be shipping)";
  EXPECT_EQ(online["shippingFee"], 25000.0);
  EXPECT_EQ(online["shippingAddress"]["province"], "Hồ Chí Minh");
  EXPECT_EQ(online["customer"]["externalId"], "698246");
  // Order slips keep their ids and codes.
  EXPECT_EQ(asJson(mustNormalize("orders", test::readFixture("kiotviet/orders_page.json")).records[0])["externalId"].get<std::string>().find("invoice-"),
            std::string::npos);
  for (auto [code, want] : std::vector<std::pair<int, std::string>>{{1, "completed"}, {2, "cancelled"}, {3, "processing"}, {5, "returned"}}) {
    Page one = mustNormalize("orders", R"({"data":[{"id":7,"orderCode":"","status":)" + std::to_string(code) + "}]}");
    EXPECT_EQ(asJson(one.records[0])["status"], want) << code;
  }
}

TEST(KiotVietInvoices, TheSettingSwitchesTheOrdersSourceForPagesAndWebhooks) {
  const Connector& kv = *findConnector("kiotviet");
  json on = {{"invoicesAsOrders", true}};
  PageQuery q;
  q.entity = Entity::Orders;
  q.settings = &on;
  HttpRequest r = kv.pageRequest(q);
  EXPECT_EQ(r.url, "https://public.kiotapi.com/invoices");
  auto has = [&](const char* k) { return std::any_of(r.query.begin(), r.query.end(), [&](const auto& kv) { return kv.first == k; }); };
  EXPECT_TRUE(has("includeInvoiceDelivery"));
  EXPECT_FALSE(has("includeOrderDelivery"));
  json off = json::object();
  q.settings = &off;
  EXPECT_EQ(kv.pageRequest(q).url, "https://public.kiotapi.com/orders");

  const std::string invoiceHook = R"({"Id":"d1","Attempt":1,"Notifications":[{"Action":"invoice.update.744514","Data":[{"Id":122011346,"Code":"HD056988","PurchaseDate":"2025-04-13T12:05:58.2930000+07:00","Status":1,"StatusValue":"Hoàn thành","Total":26000,"TotalPayment":26000,"InvoiceDetails":[{"ProductId":3299733,"Quantity":4,"Price":6500,"SubTotal":26000}]}]}]})";
  const std::string invoiceDelete = R"({"Id":"d2","Attempt":1,"Notifications":[{"Action":"invoice.delete.744514","Data":[122011346]}]})";
  const std::string orderHook = R"({"Id":"d3","Attempt":1,"Notifications":[{"Action":"order.update.744514","Data":[{"Id":31208999,"Code":"DH000124","Status":4,"StatusValue":"Đã hủy"}]}]})";
  NormalizeOptions withOn;
  withOn.settings = &on;
  auto pOn = normalizeBody("kiotviet", "orders", invoiceHook, withOn);
  ASSERT_TRUE(pOn.ok());
  ASSERT_EQ(pOn.value().records.size(), 1u);
  EXPECT_EQ(pOn.value().records[0].externalId, "invoice-122011346");
  EXPECT_EQ(asJson(pOn.value().records[0])["status"], "completed");
  EXPECT_EQ(normalizeBody("kiotviet", "orders", invoiceDelete, withOn).value().removedIds, (std::vector<std::string>{"invoice-122011346"}));
  EXPECT_TRUE(normalizeBody("kiotviet", "orders", orderHook, withOn).value().records.empty()) << "order slips are not this connection's orders";
  // Off (the default): order events only; an invoice event would be a record no sync produces.
  EXPECT_TRUE(mustNormalize("orders", invoiceHook).records.empty());
  EXPECT_EQ(mustNormalize("orders", orderHook).records.size(), 1u);

  json bad = {{"invoicesAsOrders", "yes"}};
  auto err = kv.validateSettings(bad);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "invoicesAsOrders");
}

TEST(Registry, UnknownAndPlannedPlatforms) {
  auto unknown = normalizeBody("shopee", "products", "{}", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(unknown.error().field, "platform");
  // A listed platform whose connector is not built yet (none once every connector lands).
  for (const auto& p : allPlatforms()) {
    if (p.status != "coming_soon") continue;
    auto planned = normalizeBody(p.id, "products", "{}", {});
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().code, ErrorCode::Unsupported) << p.id;
  }
  auto entity = normalizeBody("kiotviet", "invoices", "{}", {});
  ASSERT_FALSE(entity.ok());
  EXPECT_EQ(entity.error().field, "entity");
  EXPECT_EQ(allPlatforms().size(), 8u);
}

}  // namespace
}  // namespace storelink

namespace storelink {
namespace {

TEST(KiotVietWebhooks, SignatureIsVerifiedInEveryTolerableEncoding) {
  const Connector& kv = *findConnector("kiotviet");
  WebhookDelivery d;
  d.body = test::readFixture("kiotviet/webhook_product_update.json");
  const std::string secret = "c2VjcmV0LWtleQ==";  // base64 of "secret-key", registered as is
  auto mac = crypto::hmacSha256(secret, d.body);
  for (const std::string& sig : {crypto::toHex(mac), "sha256=" + crypto::toHex(mac), crypto::toBase64(mac)}) {
    d.headers["x-hub-signature"] = sig;
    auto ev = kv.inspectWebhook(d, secret);
    ASSERT_TRUE(ev.ok()) << sig;
    EXPECT_TRUE(ev->signatureChecked);
    EXPECT_EQ(ev->topic, "product.update");
    EXPECT_EQ(ev->storeKey, "744514");
    EXPECT_EQ(ev->eventId, "d42dcce1-3919-4303-b829-d473a163845f");
    ASSERT_TRUE(ev->entity.has_value());
    EXPECT_EQ(*ev->entity, Entity::Products);
    EXPECT_FALSE(ev->deletion);
  }
  // Keyed with the decoded secret bytes: accepted too.
  d.headers["x-hub-signature"] = crypto::toHex(crypto::hmacSha256("secret-key", d.body));
  EXPECT_TRUE(kv.inspectWebhook(d, secret).ok());
  // One byte changed in the body: refused.
  d.headers["x-hub-signature"] = crypto::toHex(mac);
  WebhookDelivery tampered = d;
  tampered.body[10] = tampered.body[10] == 'a' ? 'b' : 'a';
  auto bad = kv.inspectWebhook(tampered, secret);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::Forbidden);
  d.headers.erase("x-hub-signature");
  EXPECT_EQ(kv.inspectWebhook(d, secret).error().code, ErrorCode::Forbidden);
  // No secret configured: classified but not marked verified.
  auto unchecked = kv.inspectWebhook(d, "");
  ASSERT_TRUE(unchecked.ok());
  EXPECT_FALSE(unchecked->signatureChecked);
}

TEST(KiotVietWebhooks, DeletionAndShapeErrors) {
  const Connector& kv = *findConnector("kiotviet");
  WebhookDelivery d;
  d.body = test::readFixture("kiotviet/webhook_product_delete.json");
  auto ev = kv.inspectWebhook(d, "");
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->deletion);
  EXPECT_EQ(ev->topic, "product.delete");
  d.body = "{\"not\":\"a webhook\"}";
  EXPECT_EQ(kv.inspectWebhook(d, "").error().code, ErrorCode::UnexpectedShape);
  d.body = "garbage";
  EXPECT_EQ(kv.inspectWebhook(d, "").error().code, ErrorCode::UnexpectedShape);
}

}  // namespace
}  // namespace storelink
