// Issue #10: webhooks StoreLink can authenticate. KiotViet's registration connect steps
// (kiotviet.md §A.8: the Secret registered with each Type signs the deliveries), Getfly's paste
// view (getfly.md §3.6), Haravan's optional webhook authentication string (haravan.md A.5.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "storelink/api.hpp"
#include "storelink/crypto.hpp"
#include "storelink/http.hpp"
#include "storelink/platforms.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

constexpr const char* kAddress = "https://sync.example.vn/webhooks/kiotviet?connection=cn_kv";

json step(const std::string& platform, const std::string& name, const json& input) {
  auto out = findConnector(platform)->connectStep(name, input);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().detail);
  return out.ok() ? *out : json();
}

std::set<std::string> createdTypes(const json& plan) {
  std::set<std::string> types;
  for (const auto& c : plan["create"]) types.insert(parseJson(c["body"].get<std::string>())["Webhook"]["Type"].get<std::string>());
  return types;
}

std::string listOf(const std::vector<json>& rows) {
  json data = json::array();
  for (const auto& r : rows) data.push_back(r);
  return dumpJson(json{{"total", rows.size()}, {"pageSize", 100}, {"data", data}});
}

json hook(int64_t id, const std::string& type, const std::string& url, bool active = true) {
  return {{"id", id}, {"type", type}, {"url", url}, {"isActive", active}, {"retailerId", 744514},
          {"description", "StoreLink"}, {"modifiedDate", "2026-01-02T10:00:00.0000000"}};
}

// Delete Types have their own URL: their documented body ({"RemoveId":[...]}) names no topic.
std::string urlFor(const std::string& type) {
  return type.find(".delete") == std::string::npos ? std::string(kAddress) : std::string(kAddress) + "&topic=" + type;
}

const std::set<std::string> kAllTypes = {"product.update",  "product.delete", "stock.update",  "order.update",
                                         "customer.update", "customer.delete", "branch.update", "branch.delete"};

TEST(KiotVietWebhookRegistration, ListRequestIsAuthenticatedAndAsksForAFullPage) {
  json r = step("kiotviet", "webhooksListRequest", {{"address", kAddress}})["request"];
  EXPECT_EQ(r["method"], "GET");
  EXPECT_EQ(r["url"], "https://public.kiotapi.com/webhooks");
  const std::string headers = dumpJson(r["headers"]);
  EXPECT_NE(headers.find("{{secret.retailer}}"), std::string::npos);
  EXPECT_NE(headers.find("Bearer {{secret.accessToken}}"), std::string::npos);
  EXPECT_NE(dumpJson(r["query"]).find("pageSize"), std::string::npos);  // default 20 (docs 2.11.11)
}

TEST(KiotVietWebhookRegistration, CreateCarriesTheSecretAsAPlaceholderNeverAValue) {
  json plan = step("kiotviet", "webhooksRegister", {{"address", kAddress}, {"status", 200}, {"body", listOf({})}});
  EXPECT_EQ(createdTypes(plan), kAllTypes);
  EXPECT_TRUE(plan["remove"].empty());
  EXPECT_TRUE(plan["registered"].empty());
  const json& c = plan["create"][0];
  EXPECT_EQ(c["method"], "POST");
  EXPECT_EQ(c["url"], "https://public.kiotapi.com/webhooks");
  json w = parseJson(c["body"].get<std::string>())["Webhook"];
  EXPECT_EQ(w["Url"], kAddress);
  EXPECT_EQ(w["IsActive"], true);
  EXPECT_EQ(w["Secret"], "{{secret.webhookSecret|json}}");
  // The proxy fills it in: the body becomes valid JSON with the secret in it.
  auto req = requestFromJson(c);
  ASSERT_TRUE(req.ok());
  auto filled = fillSecrets(*req, {{"webhookSecret", "c2VjcmV0LXdpdGgtInF1b3RlIg=="}, {"retailer", "shop"}, {"accessToken", "t"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(parseJson(filled->body)["Webhook"]["Secret"], "c2VjcmV0LXdpdGgtInF1b3RlIg==");
  auto missing = fillSecrets(*req, {{"retailer", "shop"}, {"accessToken", "t"}});
  EXPECT_FALSE(missing.ok()) << "no secret, no registration: never an unsigned one";
}

TEST(KiotVietWebhookRegistration, IdempotentPlanKeepsOursRemovesDuplicatesAndNeverTouchesOthers) {
  const std::string other = "https://other-app.example/kv";
  const std::string body = listOf({hook(1, "product.update", kAddress), hook(2, "product.update", kAddress),  // a duplicate
                                   hook(3, "order.update", kAddress, false),                                  // inactive
                                   hook(4, "invoice.update", kAddress),  // not wanted (invoicesAsOrders off)
                                   hook(5, "customer.update", other), hook(6, "stock.update", kAddress)});
  json plan = step("kiotviet", "webhooksRegister", {{"address", kAddress}, {"status", 200}, {"body", body}});
  std::set<std::string> kept;
  for (const auto& r : plan["registered"]) kept.insert(r["id"].get<std::string>() + ":" + r["topic"].get<std::string>());
  EXPECT_EQ(kept, (std::set<std::string>{"1:product.update", "6:stock.update"}));
  std::set<std::string> removed;
  for (const auto& r : plan["remove"]) {
    EXPECT_EQ(r["method"], "DELETE");
    removed.insert(r["url"].get<std::string>());
  }
  EXPECT_EQ(removed, (std::set<std::string>{"https://public.kiotapi.com/webhooks/2", "https://public.kiotapi.com/webhooks/3",
                                            "https://public.kiotapi.com/webhooks/4"}));
  std::set<std::string> want = kAllTypes;
  want.erase("product.update");
  want.erase("stock.update");
  EXPECT_EQ(createdTypes(plan), want) << "order.update again (the inactive one is replaced), never a second product.update";

  // All there already: nothing to do.
  std::vector<json> all;
  int64_t id = 100;
  for (const auto& t : kAllTypes) all.push_back(hook(id++, t, urlFor(t)));
  json again = step("kiotviet", "webhooksRegister", {{"address", kAddress}, {"status", 200}, {"body", listOf(all)}});
  EXPECT_TRUE(again["create"].empty());
  EXPECT_TRUE(again["remove"].empty());
  EXPECT_EQ(again["registered"].size(), kAllTypes.size());

  // Disconnect: every registration at our address, none elsewhere.
  json gone = step("kiotviet", "webhooksUnregister", {{"address", kAddress}, {"status", 200}, {"body", body}});
  EXPECT_EQ(gone["remove"].size(), 5u);
  EXPECT_FALSE(gone.contains("create"));
}

TEST(KiotVietWebhookRegistration, TopicsFollowTheSettingsAndTheSyncedEntities) {
  json invoices = step("kiotviet", "webhooksRegister",
                       {{"address", kAddress}, {"status", 200}, {"body", listOf({hook(7, "order.update", kAddress)})},
                        {"settings", {{"invoicesAsOrders", true}}}});
  auto types = createdTypes(invoices);
  EXPECT_TRUE(types.count("invoice.update"));
  EXPECT_FALSE(types.count("order.update"));
  ASSERT_EQ(invoices["remove"].size(), 1u) << "the order source's events are not this connection's records";

  json some = step("kiotviet", "webhooksRegister",
                   {{"address", kAddress}, {"status", 200}, {"body", listOf({})}, {"entities", {"products", "orders"}}});
  EXPECT_EQ(createdTypes(some), (std::set<std::string>{"product.update", "product.delete", "stock.update", "order.update"}));
}

TEST(KiotVietWebhookRegistration, DeleteTypesHaveTheirOwnUrlAndTheirBareBodyIsUnderstoodThere) {
  json plan = step("kiotviet", "webhooksRegister", {{"address", kAddress}, {"status", 200}, {"body", listOf({})}});
  for (const auto& c : plan["create"]) {
    json w = parseJson(c["body"].get<std::string>())["Webhook"];
    EXPECT_EQ(w["Url"], urlFor(w["Type"].get<std::string>()));
  }
  // A delete registered at the bare address by an older StoreLink: replaced by one at its URL.
  json moved = step("kiotviet", "webhooksRegister",
                    {{"address", kAddress}, {"status", 200}, {"body", listOf({hook(9, "product.delete", kAddress)})}});
  ASSERT_EQ(moved["remove"].size(), 1u);
  EXPECT_TRUE(createdTypes(moved).count("product.delete"));
  json gone = step("kiotviet", "webhooksUnregister",
                   {{"address", kAddress}, {"status", 200}, {"body", listOf({hook(9, "product.delete", urlFor("product.delete"))})}});
  EXPECT_EQ(gone["remove"].size(), 1u) << "ours too, for disconnect";

  // The docs' bare body, signed, at the product.delete URL (the server's x-storelink-topic).
  const auto* kv = findConnector("kiotviet");
  const std::string secret = "c3RvcmVsaW5rLXNlY3JldA==";
  WebhookDelivery d;
  d.body = R"({"RemoveId":[26254255,26254256]})";
  d.headers["x-hub-signature"] = "sha256=" + crypto::toHex(crypto::hmacSha256(secret, d.body));
  EXPECT_EQ(kv->inspectWebhook(d, secret).error().code, ErrorCode::UnexpectedShape) << "no topic: nothing to guess from";
  d.headers["x-storelink-topic"] = "product.delete";
  auto ev = kv->inspectWebhook(d, secret);
  ASSERT_TRUE(ev.ok()) << ev.error().detail;
  EXPECT_EQ(ev->topic, "product.delete");
  EXPECT_EQ(ev->entity, Entity::Products);
  EXPECT_TRUE(ev->deletion);
  EXPECT_TRUE(ev->signatureChecked);
  d.headers["x-storelink-topic"] = "product.update";
  EXPECT_FALSE(kv->inspectWebhook(d, secret).ok()) << "a bare id list is only ever a deletion";
  auto page = kv->parsePage(Entity::Products, d.body, {});
  ASSERT_TRUE(page.ok()) << page.error().detail;
  EXPECT_EQ(page->removedIds, (std::vector<std::string>{"26254255", "26254256"}));
  EXPECT_TRUE(page->records.empty());
}

TEST(KiotVietWebhookRegistration, AnswersAndRefusals) {
  json ok = step("kiotviet", "webhookResult",
                 {{"status", 200},
                  {"body", R"({"id":1200001,"type":"product.update","url":"https://sync.example.vn/h","isActive":true,"retailerId":744514,"description":"StoreLink"})"}});
  EXPECT_EQ(ok["webhook"]["id"], "1200001");
  EXPECT_EQ(ok["webhook"]["topic"], "product.update");
  EXPECT_EQ(step("kiotviet", "webhookResult", {{"status", 200}, {"body", R"({"message":"Hủy đăng ký webhook thành công"})"}})["ok"], true);
  EXPECT_EQ(step("kiotviet", "webhookResult", {{"status", 404}, {"body", "{}"}})["ok"], true);  // already gone

  const Connector* kv = findConnector("kiotviet");
  auto bad = kv->connectStep("webhookResult", {{"status", 400}, {"body", R"({"responseStatus":{"errorCode":"ArgumentException","message":"Type không hợp lệ"}})"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Type không hợp lệ"), std::string::npos);
  auto denied = kv->connectStep("webhooksRegister", {{"address", kAddress}, {"status", 403}, {"body", "{}"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().httpStatus, 403);
  auto shape = kv->connectStep("webhooksRegister", {{"address", kAddress}, {"status", 200}, {"body", R"({"webhooks":[]})"}});
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error().code, ErrorCode::UnexpectedShape);
  auto plain = kv->connectStep("webhooksListRequest", {{"address", "http://sync.example.vn/h"}});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().field, "address");
  EXPECT_EQ(kv->connectStep("nope", json::object()).error().code, ErrorCode::Unsupported);
}

// What KiotViet sends once registered with the secret: accepted with it, refused without.
TEST(KiotVietWebhookRegistration, DeliveriesVerifyWithTheRegisteredSecret) {
  const std::string secret = "q3Jw0l2m1ZkXo5bE4yT7uH9cVnB8aS6d";  // base64 of 24 random bytes, as the server makes it
  const std::string body =
      R"({"Id":"a1","Attempt":1,"Notifications":[{"Action":"stock.update.744514","Data":[{"ProductId":1,"BranchId":2,"OnHand":3}]}]})";
  const Connector* kv = findConnector("kiotviet");
  WebhookDelivery d;
  d.body = body;
  d.headers["x-hub-signature"] = "sha256=" + crypto::toHex(crypto::hmacSha256(secret, body));
  auto ev = kv->inspectWebhook(d, secret);
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->signatureChecked);
  EXPECT_EQ(ev->storeKey, "744514");
  auto decodedKey = crypto::fromBase64(secret);
  ASSERT_TRUE(decodedKey);
  d.headers["x-hub-signature"] = crypto::toBase64(crypto::hmacSha256(*decodedKey, body));  // the other reading of the docs
  EXPECT_TRUE(kv->inspectWebhook(d, secret).ok());

  d.headers["x-hub-signature"] = "sha256=" + crypto::toHex(crypto::hmacSha256("another-secret", body));
  EXPECT_EQ(kv->inspectWebhook(d, secret).error().code, ErrorCode::Forbidden);
  d.headers.clear();
  EXPECT_EQ(kv->inspectWebhook(d, secret).error().code, ErrorCode::Forbidden) << "unsigned";
}

TEST(GetflyWebhookSettings, TheSecretKeyToPaste) {
  json out = step("getfly", "webhookSettings", {{"secret", "gf-generated-secret"}});
  ASSERT_EQ(out["fields"].size(), 1u);
  EXPECT_EQ(out["fields"][0]["name"], "Secret Key");
  EXPECT_EQ(out["fields"][0]["value"], "gf-generated-secret");
  EXPECT_TRUE(step("getfly", "webhookSettings", json::object())["fields"].empty());
  EXPECT_EQ(findConnector("getfly")->connectStep("nope", json::object()).error().code, ErrorCode::Unsupported);

  const Connector* gf = findConnector("getfly");
  WebhookDelivery d;
  d.body = "event=order.created&secret_key=gf-generated-secret&data%5Border_id%5D=93&domain=hoamai.getflycrm.com&uid=u1";
  EXPECT_TRUE(gf->inspectWebhook(d, "gf-generated-secret")->signatureChecked);
  EXPECT_EQ(gf->inspectWebhook(d, "rotated-secret").error().code, ErrorCode::Forbidden);
}

TEST(HaravanCredentials, TheWebhookAuthenticationStringIsOptional) {
  const Connector* hrv = findConnector("haravan");
  const auto& creds = hrv->info().credentials;
  auto it = std::find_if(creds.begin(), creds.end(), [](const CredentialField& f) { return f.key == "webhookSecret"; });
  ASSERT_NE(it, creds.end());
  EXPECT_TRUE(it->optional);
  EXPECT_TRUE(it->secret);
  EXPECT_NE(it->help.find("Webhook"), std::string::npos);
  auto check = hrv->checkCredentials({{"shop", "ten-shop"}, {"accessToken", "abc"}});
  EXPECT_TRUE(check.errors.empty());
  auto missing = hrv->checkCredentials({{"shop", "ten-shop"}});
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].field, "accessToken");
  EXPECT_NE(api::platformsJson().find("\"optional\":true"), std::string::npos);
}

}  // namespace
}  // namespace storelink

namespace storelink {
namespace {

// stock.update carries stock rows, not products (kiotviet.md §A.8): parsePage makes no record
// of it, and webhookRefresh names the single-product reads that give the whole products again.
TEST(WebhookRefresh, KiotVietStockUpdateReadsTheProductsItNames) {
  const std::string body = test::readFixture("kiotviet/webhook_stock_update.json");
  auto page = normalizeBody("kiotviet", "products", body, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->records.empty());
  json out = step("kiotviet", "webhookRefresh", {{"body", body}});
  EXPECT_EQ(out["entity"], "products");
  ASSERT_EQ(out["requests"].size(), 1u) << out.dump();
  auto r = requestFromJson(out["requests"][0]);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->url, "https://public.kiotapi.com/products/8352705");
  EXPECT_EQ(r->purpose, "page");
  // Two branches of one product, a second product, a row without ProductId: two reads.
  const std::string two =
      R"({"Id":"x","Attempt":1,"Notifications":[{"Action":"stock.update.1","Data":[{"ProductId":5,"BranchId":1},{"ProductId":5,"BranchId":2},{"ProductId":"6","BranchId":1},{"BranchId":3}]}]})";
  EXPECT_EQ(step("kiotviet", "webhookRefresh", {{"body", two}})["requests"].size(), 2u);
  // Other topics (whole records already) and a flood (a stock count: the next sync reads it).
  EXPECT_TRUE(step("kiotviet", "webhookRefresh", {{"body", test::readFixture("kiotviet/webhook_product_update.json")}})["requests"].empty());
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back({{"ProductId", 100 + i}, {"BranchId", 1}});
  json flood{{"Notifications", {{{"Action", "stock.update.1"}, {"Data", many}}}}};
  json skipped = step("kiotviet", "webhookRefresh", {{"body", flood.dump()}});
  EXPECT_TRUE(skipped["requests"].empty());
  EXPECT_EQ(skipped["tooMany"], 21);
  EXPECT_TRUE(step("kiotviet", "webhookRefresh", {{"body", "not json"}})["requests"].empty());
}

TEST(WebhookRefresh, KiotVietSingleProductKeepsTheChosenBranchOnly) {
  const std::string one =
      R"({"id":7,"code":"SP7","name":"Áo","basePrice":100000,"createdDate":"2024-05-01T10:00:00.0000000",)"
      R"("inventories":[{"productId":7,"branchId":1,"onHand":4,"reserved":1},{"productId":7,"branchId":2,"onHand":9,"reserved":0}]})";
  json settings{{"branchId", "2"}};
  NormalizeOptions opts;
  opts.settings = &settings;
  auto page = normalizeBody("kiotviet", "products", one, opts);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  const auto& v = std::get<Product>(page->records[0].body).variants.at(0);
  ASSERT_EQ(v.stock.size(), 1u);
  EXPECT_EQ(v.stock[0].locationId, "2");
  EXPECT_EQ(v.stock[0].onHand, 9);
  auto all = normalizeBody("kiotviet", "products", one, {});
  EXPECT_EQ(std::get<Product>(all->records[0].body).variants.at(0).stock.size(), 2u);
}

TEST(WebhookRefresh, NhanhInventoryChangeReadsProductListOthersNothing) {
  json out = step("nhanh", "webhookRefresh", {{"body", test::readFixture("nhanh/webhook_inventory_change.json")}});
  EXPECT_EQ(out["entity"], "products");
  ASSERT_EQ(out["requests"].size(), 1u);
  EXPECT_NE(out["requests"][0]["url"].get<std::string>().find("/product/list"), std::string::npos);
  EXPECT_TRUE(step("nhanh", "webhookRefresh", {{"body", test::readFixture("nhanh/webhook_product_update.json")}})["requests"].empty());
  EXPECT_EQ(findConnector("sapo")->connectStep("webhookRefresh", {{"body", "{}"}}).error().code, ErrorCode::Unsupported);
}

TEST(WebhookRefresh, PancakeVariationReadsItsWholeProduct) {
  json out = step("pancake", "webhookRefresh", {{"body", test::readFixture("pancake/webhook_variation.json")}});
  EXPECT_EQ(out["entity"], "products");
  ASSERT_EQ(out["requests"].size(), 1u) << out.dump();
  auto r = requestFromJson(out["requests"][0]);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->url.find("/products/8f0c5a4e-2b1d-4c7e-9a61-3f5d2e7b9c10"), std::string::npos) << r->url;
  for (const char* whole : {"pancake/webhook_order.json", "pancake/webhook_customer.json"})
    EXPECT_TRUE(step("pancake", "webhookRefresh", {{"body", test::readFixture(whole)}})["requests"].empty()) << whole;
}

}  // namespace
}  // namespace storelink
