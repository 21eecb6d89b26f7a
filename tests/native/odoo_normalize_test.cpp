// Odoo: setup requests (version → authenticate/JSON-2 → context → fields_get), requests built
// from the fields the server has, mapping of documented bodies (14–19 variants), follow-ups.
#include <gtest/gtest.h>

#include "../../src/connectors/connectors.hpp"
#include "storelink/normalize.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

const Connector& odoo() { return connectors::odoo(); }

HttpResponse ok(std::string body, int status = 200) { return {status, {}, std::move(body), ""}; }

json rpcResult(const json& v) { return json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", v}}; }

// What a real exchange of the setup requests teaches the connector for `version`.
json learnedFor(int version, const std::vector<std::string>& productFields) {
  json fields = json::object();
  fields["product.product"] = productFields;
  fields["product.template.attribute.value"] = {"id", "name", "attribute_id"};
  fields["stock.quant"] = {"id", "product_id", "location_id", "warehouse_id", "quantity", "reserved_quantity"};
  fields["sale.order"] = {"id", "name", "partner_id", "partner_shipping_id", "date_order", "state", "amount_total", "write_date"};
  fields["sale.order.line"] = {"id", "order_id", "display_type", "product_id", "name", "product_uom_qty", "price_unit",
                               "discount", "price_subtotal"};
  fields["res.partner"] = {"id", "name", "phone", "email", "street", "city", "state_id", "country_id"};
  fields["stock.warehouse"] = {"id", "name", "partner_id", "write_date"};
  return {{"version", version}, {"api", "jsonrpc"}, {"uid", 7}, {"context", {{"lang", "vi_VN"}, {"tz", "Asia/Ho_Chi_Minh"}}},
          {"fields", fields}};
}

Page parse(Entity e, const std::string& fixture) {
  auto page = odoo().parsePage(e, test::readFixture("odoo/" + fixture), {});
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

TEST(Odoo, SetupLearnsVersionUidContextAndFieldsOverJsonRpc) {
  json learned = json::object();
  // 1. version: no credentials at all.
  auto r = odoo().setupRequest(Entity::Products, json::object(), learned);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "{{secret.url|origin}}/jsonrpc");
  json body = parseJson(r->body);
  EXPECT_EQ(body["params"]["service"], "common");
  EXPECT_EQ(body["params"]["method"], "version");
  auto l = odoo().applySetup(Entity::Products, learned, *r, ok(test::readFixture("odoo/version_17.json")));
  ASSERT_TRUE(l.ok());
  learned = *l;
  EXPECT_EQ(learned["version"], 17);

  // 2. authenticate: `false` is bad credentials, not a server error.
  r = odoo().setupRequest(Entity::Products, json::object(), learned);
  body = parseJson(r->body);
  EXPECT_EQ(body["params"]["method"], "authenticate");
  EXPECT_EQ(body["params"]["args"][0], "{{secret.database|json}}");
  EXPECT_EQ(body["params"]["args"][2], "{{secret.apiKey|json}}");
  auto bad = odoo().applySetup(Entity::Products, learned, *r, ok(test::readFixture("odoo/authenticate_false.json")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidCredentials);
  EXPECT_NE(bad.error().message.find("Custom"), std::string::npos) << "mentions Odoo Online's plan restriction";
  l = odoo().applySetup(Entity::Products, learned, *r, ok(dumpJson(rpcResult(7))));
  ASSERT_TRUE(l.ok());
  learned = *l;
  EXPECT_EQ(learned["uid"], 7);

  // 3. the user's context (lang), through execute_kw with the learned uid.
  r = odoo().setupRequest(Entity::Products, json::object(), learned);
  body = parseJson(r->body);
  EXPECT_EQ(body["params"]["method"], "execute_kw");
  EXPECT_EQ(body["params"]["args"][1], 7);
  EXPECT_EQ(body["params"]["args"][3], "res.users");
  EXPECT_EQ(body["params"]["args"][4], "context_get");
  learned = *odoo().applySetup(Entity::Products, learned, *r, ok(dumpJson(rpcResult({{"lang", "vi_VN"}, {"tz", "Asia/Ho_Chi_Minh"}, {"uid", 7}}))));

  // 4. fields_get per model, restricted to what we want: product.product, attribute values,
  //    then stock.quant because the Inventory app is there (qty_available exists).
  std::vector<std::string> models;
  for (int i = 0; i < 5; ++i) {
    r = odoo().setupRequest(Entity::Products, json::object(), learned);
    if (!r) break;
    body = parseJson(r->body);
    std::string model = body["params"]["args"][3];
    models.push_back(model);
    EXPECT_EQ(body["params"]["args"][4], "fields_get");
    json answer = json::object();
    for (const auto& f : body["params"]["args"][6]["allfields"]) {
      std::string name = f;
      if (name != "is_storable") answer[name] = {{"type", "char"}};  // a 17 server: no is_storable
    }
    learned = *odoo().applySetup(Entity::Products, learned, *r, ok(dumpJson(rpcResult(answer))));
  }
  EXPECT_EQ(models, (std::vector<std::string>{"product.product", "product.template.attribute.value", "stock.quant"}));
  EXPECT_FALSE(odoo().setupRequest(Entity::Products, json::object(), learned)) << "ready for pages";

  // Requested fields are exactly the ones this server has.
  PageQuery q;
  q.entity = Entity::Products;
  q.learned = &learned;
  q.pageSize = 100;
  q.offset = 200;
  q.modifiedFromMs = parseDateTime("2026-05-01T00:00:00.900Z", 0);
  HttpRequest page = odoo().pageRequest(q);
  body = parseJson(page.body);
  const json& kw = body["params"]["args"][6];
  std::string fields = dumpJson(kw["fields"]);
  EXPECT_NE(fields.find("\"detailed_type\""), std::string::npos);
  EXPECT_EQ(fields.find("\"is_storable\""), std::string::npos) << "never ask a 17 server for is_storable";
  EXPECT_EQ(kw["order"], "write_date asc, id asc");
  EXPECT_EQ(kw["limit"], 100);
  EXPECT_EQ(kw["offset"], 200);
  EXPECT_EQ(kw["context"]["lang"], "vi_VN");
  std::string domain = dumpJson(body["params"]["args"][5]);
  EXPECT_NE(domain.find(R"(["write_date",">=","2026-05-01 00:00:00"])"), std::string::npos) << domain;
  EXPECT_NE(domain.find(R"(["active","in",[true,false]])"), std::string::npos) << "archived products sync as inactive";
}

TEST(Odoo, SaasVersionStringsAndNonOdooServers) {
  json learned = json::object();
  auto r = odoo().setupRequest(Entity::Orders, json::object(), learned);
  auto l = odoo().applySetup(Entity::Orders, learned, *r, ok(test::readFixture("odoo/version_saas.json")));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)["version"], 17);
  // A non-Odoo server answers the same each time: asked six times, then called wrong.
  json asked = learned;
  for (int i = 0; i < 5; ++i) {
    auto again = odoo().applySetup(Entity::Orders, asked, *r, ok("<html><body>Welcome to nginx</body></html>"));
    ASSERT_TRUE(again.ok()) << i;
    asked = *again;
    EXPECT_FALSE(asked.contains("version"));
    auto next = odoo().setupRequest(Entity::Orders, json::object(), asked);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, r->body) << "the version is asked again";
  }
  auto html = odoo().applySetup(Entity::Orders, asked, *r, ok("<html><body>Welcome to nginx</body></html>"));
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.error().code, ErrorCode::NotFound);
  EXPECT_EQ(html.error().field, "url");
  auto old = odoo().applySetup(Entity::Orders, learned, *r,
                               ok(dumpJson(rpcResult({{"server_version", "12.0"}, {"server_version_info", {12, 0, 0, "final", 0, ""}}}))));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::Unsupported);
}

// Regression (tests/js/faults.test.js, seed 1): one garbled 200 to common.version — a proxy's
// error page, a cut-off body — failed the whole sync as "no Odoo server at this address".
TEST(Odoo, OneGarbledVersionAnswerIsAskedAgainNotCalledAWrongAddress) {
  json learned = json::object();
  auto r = odoo().setupRequest(Entity::Products, json::object(), learned);
  auto cut = odoo().applySetup(Entity::Products, learned, *r, ok(R"({"jsonrpc": "2.0", "id": 1, "result": {"server_ver)"));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::InvalidJson) << "retried by the engine like a cut-off page";
  for (const char* garbled : {"", "<html>Bad Gateway</html>", "\x01\x02"}) {
    auto once = odoo().applySetup(Entity::Products, learned, *r, ok(garbled));
    ASSERT_TRUE(once.ok()) << garbled;
    EXPECT_FALSE(once->contains("version"));
    auto good = odoo().applySetup(Entity::Products, *once, *r, ok(test::readFixture("odoo/version_saas.json")));
    ASSERT_TRUE(good.ok());
    EXPECT_EQ((*good)["version"], 17);
    EXPECT_FALSE(good->contains("versionMisses")) << "a good answer clears the count";
  }
}

TEST(Odoo, Version19UsesJson2WithAKeyAndFallsBackToJsonRpcForAPassword) {
  json learned = {{"version", 19}, {"api", "jsonrpc"}};
  auto r = odoo().setupRequest(Entity::Customers, json::object(), learned);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "{{secret.url|origin}}/json/2/res.users/context_get");
  bool bearer = false, db = false;
  for (const auto& [k, v] : r->headers) {
    bearer = bearer || (k == "Authorization" && v == "bearer {{secret.apiKey}}");
    db = db || (k == "X-Odoo-Database" && v == "{{secret.database}}");
  }
  EXPECT_TRUE(bearer && db);
  // A password is not a bearer key: 401, then JSON-RPC authenticate.
  auto l = odoo().applySetup(Entity::Customers, learned, *r, ok(test::readFixture("odoo/json2_401.json"), 401));
  ASSERT_TRUE(l.ok());
  auto next = odoo().setupRequest(Entity::Customers, json::object(), *l);
  EXPECT_EQ(parseJson(next->body)["params"]["method"], "authenticate");
  // A key: the context names the uid and the lang; everything after goes through /json/2.
  l = odoo().applySetup(Entity::Customers, learned, *r, ok(R"({"lang": "vi_VN", "tz": "Asia/Ho_Chi_Minh", "uid": 9})"));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)["uid"], 9);
  next = odoo().setupRequest(Entity::Customers, json::object(), *l);
  EXPECT_EQ(next->url, "{{secret.url|origin}}/json/2/res.partner/fields_get");
  json fields = json::object();
  for (const char* f : {"id", "name", "phone", "email", "customer_rank", "write_date"}) fields[f] = {{"type", "char"}};
  auto done = odoo().applySetup(Entity::Customers, *l, *next, ok(dumpJson(fields)));
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(odoo().setupRequest(Entity::Customers, json::object(), *done));
  PageQuery q;
  q.entity = Entity::Customers;
  q.learned = &*done;
  HttpRequest page = odoo().pageRequest(q);
  EXPECT_EQ(page.url, "{{secret.url|origin}}/json/2/res.partner/search_read");
  json body = parseJson(page.body);
  EXPECT_EQ(dumpJson(body["domain"][0]), R"(["customer_rank",">",0])");
  EXPECT_EQ(dumpJson(body["fields"]).find("mobile"), std::string::npos) << "19 has no res.partner.mobile";
  // JSON-2 answers are bare arrays.
  auto p = odoo().parsePage(Entity::Products, test::readFixture("odoo/json2_products.json"), {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->records.size(), 1u);
  EXPECT_EQ(std::get<Product>(p->records[0].body).totalStock, 42.0);
}

TEST(Odoo, ProductsAreVariantRowsWithTheirTemplateAsParent) {
  Page page = parse(Entity::Products, "products_page_17.json");
  ASSERT_EQ(page.records.size(), 3u);
  ASSERT_EQ(page.rowErrors.size(), 1u) << "the row without id is reported, not fatal";
  EXPECT_EQ(page.rowCount, 4u);
  const Record& r = page.records[0];
  EXPECT_EQ(r.externalId, "31");
  EXPECT_EQ(r.updatedAtMs, parseDateTime("2026-05-02T08:15:42Z", 0)) << "Odoo times are UTC without offset";
  EXPECT_EQ(page.sortKeys[0], r.updatedAtMs);
  const auto& p = std::get<Product>(r.body);
  EXPECT_EQ(p.name, "Áo thun cotton basic");
  EXPECT_EQ(p.sku, "ATB01-TR-M");
  EXPECT_EQ(p.barcode, "8936012345678");
  EXPECT_EQ(p.category, "Áo");
  EXPECT_EQ(p.parentExternalId, "12");
  EXPECT_EQ(p.active, true);
  ASSERT_EQ(p.variants.size(), 1u);
  const Variant& v = p.variants[0];
  EXPECT_EQ(v.externalId, "31");
  EXPECT_EQ(v.name, "[ATB01-TR-M] Áo thun cotton basic (Trắng, M)");
  EXPECT_EQ(v.price, 150000.0);
  EXPECT_EQ(v.cost, 80000.0);
  EXPECT_EQ(v.weightGrams, 250.0);
  EXPECT_EQ(v.totalStock, 42.0) << "free_qty: on hand − reserved";
  const auto& p2 = std::get<Product>(page.records[1].body);
  EXPECT_FALSE(p2.barcode) << "false is null";
  EXPECT_EQ(p2.description, "Cotton 100%");
  EXPECT_EQ(p2.totalStock, 0.0);
  EXPECT_FALSE(p2.variants[0].weightGrams);
  const auto& service = std::get<Product>(page.records[2].body);
  EXPECT_FALSE(service.totalStock) << "services carry no stock";
  EXPECT_EQ(service.active, false);
  EXPECT_FALSE(service.sku);

  Page p18 = parse(Entity::Products, "products_page_18.json");
  ASSERT_EQ(p18.records.size(), 2u);
  EXPECT_EQ(std::get<Product>(p18.records[0].body).totalStock, 18.0) << "18+: consu + is_storable";
  EXPECT_FALSE(std::get<Product>(p18.records[1].body).totalStock) << "18+: consu, not storable";
  EXPECT_EQ(std::get<Product>(p18.records[1].body).active, false) << "not sold (sale_ok false)";
}

TEST(Odoo, ProductFollowUpsAddOptionsAndStockPerWarehouse) {
  Page page = parse(Entity::Products, "products_page_17.json");
  json learned = learnedFor(17, {"id", "name", "qty_available", "free_qty", "product_template_attribute_value_ids"});
  PageQuery q;
  q.entity = Entity::Products;
  q.learned = &learned;
  auto ups = odoo().followUpRequests(q, page);
  ASSERT_EQ(ups.size(), 2u);
  json values = parseJson(ups[0].body);
  EXPECT_EQ(values["params"]["args"][3], "product.template.attribute.value");
  EXPECT_EQ(dumpJson(values["params"]["args"][5][0]), R"([["id","in",[7,8,9,10]]])");
  json quants = parseJson(ups[1].body);
  EXPECT_EQ(quants["params"]["args"][3], "stock.quant");
  EXPECT_EQ(dumpJson(quants["params"]["args"][5][0]), R"([["product_id","in",[31,32,40]],["location_id.usage","=","internal"]])");
  EXPECT_FALSE(odoo().applyFollowUp(q, page, 0, ok(test::readFixture("odoo/attribute_values.json"))));
  EXPECT_FALSE(odoo().applyFollowUp(q, page, 1, ok(test::readFixture("odoo/quants.json"))));
  const Variant& v = std::get<Product>(page.records[0].body).variants[0];
  ASSERT_EQ(v.options.size(), 2u);
  EXPECT_EQ(v.options[0], (std::pair<std::string, std::string>{"Màu sắc", "Trắng"}));
  EXPECT_EQ(v.options[1], (std::pair<std::string, std::string>{"Kích thước", "M"}));
  ASSERT_EQ(v.stock.size(), 2u);
  EXPECT_EQ(v.stock[0].locationId, "1");
  EXPECT_EQ(v.stock[0].onHand, 35.0);
  EXPECT_EQ(v.stock[0].available, 32.0);
  EXPECT_EQ(v.stock[1].locationId, "2");
  EXPECT_EQ(v.totalStock, 42.0) << "the platform's own free_qty stays the total";
  const Variant& v2 = std::get<Product>(page.records[1].body).variants[0];
  EXPECT_EQ(v2.stock[0].available, 0.0);
  // Odoo 14 quants may not name the warehouse: no per-warehouse split then.
  json l14 = learnedFor(14, {"id", "qty_available"});
  l14["fields"]["stock.quant"] = {"id", "product_id", "location_id", "quantity"};
  q.learned = &l14;
  EXPECT_EQ(odoo().followUpRequests(q, page).size(), 1u);
}

TEST(Odoo, OrderStatesLinesAndPartners) {
  Page page = parse(Entity::Orders, "orders_page_16.json");
  ASSERT_EQ(page.records.size(), 3u);
  auto order = [&](size_t i) -> Order& { return std::get<Order>(page.records[i].body); };
  EXPECT_EQ(order(0).status, OrderStatus::Confirmed);
  EXPECT_EQ(order(1).status, OrderStatus::Completed) << "done (≤16) is locked = completed";
  EXPECT_EQ(order(2).status, OrderStatus::Pending);
  EXPECT_EQ(order(0).code, "S00042");
  EXPECT_EQ(order(0).note, "Giao giờ hành chính\nGọi trước & hẹn giờ");
  EXPECT_EQ(order(0).currency, "VND");
  EXPECT_EQ(order(0).locationId, "1");
  EXPECT_EQ(order(0).total, 332400.0);
  EXPECT_EQ(order(0).tax, 22400.0);
  EXPECT_FALSE(order(2).customer) << "no partner";
  EXPECT_FALSE(order(2).note) << "empty note is null";

  json learned = learnedFor(16, {"id"});
  PageQuery q;
  q.entity = Entity::Orders;
  q.learned = &learned;
  auto ups = odoo().followUpRequests(q, page);
  ASSERT_EQ(ups.size(), 2u) << "one request for all lines of the page, one for all partners";
  json lines = parseJson(ups[0].body);
  EXPECT_EQ(lines["params"]["args"][3], "sale.order.line");
  EXPECT_EQ(dumpJson(lines["params"]["args"][5][0]), R"([["order_id","in",[42,43,44]]])");
  EXPECT_EQ(dumpJson(lines["params"]["args"][6]["fields"]).find("tax_id"), std::string::npos);
  json partners = parseJson(ups[1].body);
  EXPECT_EQ(dumpJson(partners["params"]["args"][5][0]), R"([["id","in",[14,15,16]]])");
  EXPECT_EQ(partners["params"]["args"][6]["context"]["active_test"], false);
  EXPECT_FALSE(odoo().applyFollowUp(q, page, 0, ok(test::readFixture("odoo/order_lines_16.json"))));
  EXPECT_FALSE(odoo().applyFollowUp(q, page, 1, ok(test::readFixture("odoo/order_partners.json"))));

  const Order& o = order(0);
  ASSERT_EQ(o.lines.size(), 1u) << "section and note lines are skipped, the delivery line is shipping";
  const OrderLine& l = o.lines[0];
  EXPECT_EQ(l.productExternalId, "31");
  EXPECT_EQ(l.variantExternalId, "31");
  EXPECT_EQ(l.sku, "ATB01-TR-M");
  EXPECT_EQ(l.name, "[ATB01-TR-M] Áo thun cotton basic (Trắng, M)");
  EXPECT_EQ(l.quantity, 2.0);
  EXPECT_EQ(l.unitPrice, 150000.0);
  EXPECT_NEAR(*l.discount, 20010.0, 1e-6) << "discount is a percentage of price × qty";
  EXPECT_EQ(l.total, 280000.0);
  EXPECT_EQ(o.subtotal, 280000.0);
  EXPECT_EQ(o.shippingFee, 30000.0);
  ASSERT_TRUE(o.customer);
  EXPECT_EQ(o.customer->externalId, "14");
  EXPECT_EQ(o.customer->phone, "+84912345678");
  EXPECT_EQ(o.customer->email, "hoa.nguyen@example.com");
  ASSERT_TRUE(o.shippingAddress);
  EXPECT_EQ(o.shippingAddress->address, "45 Lê Lợi, Tầng 3");
  EXPECT_EQ(o.shippingAddress->province, "Hà Nội");
  EXPECT_EQ(o.shippingAddress->phone, "+84987654321") << "phone is false, mobile is used";
  EXPECT_EQ(order(1).lines.size(), 1u);
  EXPECT_EQ(order(1).shippingFee, 0.0);

  Page p17 = parse(Entity::Orders, "orders_page_17.json");
  EXPECT_EQ(std::get<Order>(p17.records[0].body).status, OrderStatus::Completed) << "sale + locked (17+)";
  EXPECT_EQ(std::get<Order>(p17.records[0].body).platformStatus, "sale (locked)");
  EXPECT_EQ(std::get<Order>(p17.records[1].body).status, OrderStatus::Confirmed);
  EXPECT_EQ(std::get<Order>(p17.records[2].body).status, OrderStatus::Cancelled);
}

TEST(Odoo, CustomersAndWarehouses) {
  Page page = parse(Entity::Customers, "customers_page.json");
  ASSERT_EQ(page.records.size(), 2u);
  const auto& c = std::get<Customer>(page.records[0].body);
  EXPECT_EQ(c.name, "Nguyễn Thị Hoa");
  EXPECT_EQ(c.phone, "+84912345678");
  EXPECT_EQ(c.email, "hoa.nguyen@example.com");
  ASSERT_TRUE(c.address);
  EXPECT_EQ(c.address->address, "12 Nguyễn Trãi");
  EXPECT_EQ(c.address->province, "Hồ Chí Minh");
  EXPECT_EQ(c.address->country, "Vietnam");
  EXPECT_EQ(c.orderCount, 3.0);
  const auto& company = std::get<Customer>(page.records[1].body);
  EXPECT_FALSE(company.email);
  EXPECT_FALSE(company.address) << "all-false address parts are no address";
  EXPECT_TRUE(company.phone);

  Page wh = parse(Entity::Locations, "warehouses_page.json");
  ASSERT_EQ(wh.records.size(), 2u);
  json learned = learnedFor(17, {"id"});
  PageQuery q;
  q.entity = Entity::Locations;
  q.learned = &learned;
  auto ups = odoo().followUpRequests(q, wh);
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_FALSE(odoo().applyFollowUp(
      q, wh, 0,
      ok(R"({"jsonrpc":"2.0","id":1,"result":[{"id":1,"name":"Hoa Mai Fashion","street":"126 Tô Hiệu","city":"Hà Nội","phone":"0243 123 4567"}]})")));
  EXPECT_EQ(std::get<Location>(wh.records[0].body).name, "Kho Quận 1");
  EXPECT_EQ(std::get<Location>(wh.records[0].body).address, "126 Tô Hiệu, Hà Nội");
  EXPECT_FALSE(std::get<Location>(wh.records[1].body).address);
}

// Regression (review): res.country.state display names end in " (VN)", the two-letter country
// code. stateName's index checks were one byte off, so only a three-letter code was cut: the
// province came out as "Hà Nội (VN)", and a city equal to the province ("Hà Nội") was then
// taken for a different place and kept as the district.
TEST(Odoo, StateDisplayNameLosesItsCountryCode) {
  auto page = odoo().parsePage(Entity::Customers, R"J({"jsonrpc":"2.0","id":1,"result":[
      {"id":1,"name":"A","street":"1 Tràng Tiền","city":"Hà Nội","state_id":[1201,"Hà Nội (VN)"],"country_id":[241,"Vietnam"]},
      {"id":2,"name":"B","street":"12 Nguyễn Trãi","city":"Quận 1","state_id":[1234,"Hồ Chí Minh (VN)"],"country_id":false},
      {"id":3,"name":"C","city":false,"state_id":[9,"Tỉnh Mới (VNM)"]}]})J", {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 3u);
  const auto& hn = *std::get<Customer>(page->records[0].body).address;
  EXPECT_EQ(hn.province, "Hà Nội");
  EXPECT_FALSE(hn.district) << "the city is the province itself, not a district";
  const auto& hcm = *std::get<Customer>(page->records[1].body).address;
  EXPECT_EQ(hcm.province, "Hồ Chí Minh");
  EXPECT_EQ(hcm.district, "Quận 1");
  EXPECT_EQ(std::get<Customer>(page->records[2].body).address->province, "Tỉnh Mới (VNM)")
      << "country codes have two letters: anything else is part of the name";

  // The same for an order's shipping partner (the partners follow-up).
  Page orders = parse(Entity::Orders, "orders_page_16.json");
  json learned = learnedFor(16, {"id"});
  PageQuery q;
  q.entity = Entity::Orders;
  q.learned = &learned;
  ASSERT_EQ(odoo().followUpRequests(q, orders).size(), 2u);
  EXPECT_FALSE(odoo().applyFollowUp(q, orders, 1, ok(R"J({"jsonrpc":"2.0","id":1,"result":[
      {"id":15,"name":"Hoa","street":"45 Lê Lợi","city":"Hà Nội","state_id":[1201,"Hà Nội (VN)"],"country_id":[241,"Vietnam"]}]})J")));
  const auto& ship = *std::get<Order>(orders.records[0].body).shippingAddress;
  EXPECT_EQ(ship.province, "Hà Nội");
  EXPECT_FALSE(ship.district);
}

// Regression (review): an order without create_date/write_date (a body whose fields omit them)
// takes its creation time from date_order, but updatedAt stayed null: common() copied the
// (still empty) createdAt into it before mapOrder filled createdAt. Like Getfly and KiotViet,
// updatedAt falls back to the final createdAt.
TEST(Odoo, OrderWithoutCreateAndWriteDatesIsUpdatedWhenOrdered) {
  auto page = odoo().parsePage(Entity::Orders, R"J({"jsonrpc":"2.0","id":1,"result":[
      {"id":42,"name":"S00042","state":"sale","date_order":"2026-05-07 04:04:38"},
      {"id":43,"name":"S00043","state":"sale","date_order":"2026-05-07 04:04:38","write_date":"2026-05-08 01:00:00"},
      {"id":44,"name":"S00044","state":"draft","date_order":false,"create_date":false,"write_date":false}]})J", {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 3u);
  const auto ordered = parseDateTime("2026-05-07T04:04:38Z", 0);
  EXPECT_EQ(page->records[0].createdAtMs, ordered);
  EXPECT_EQ(page->records[0].updatedAtMs, ordered) << "no write_date: updatedAt is the creation time";
  EXPECT_EQ(page->records[1].createdAtMs, ordered);
  EXPECT_EQ(page->records[1].updatedAtMs, parseDateTime("2026-05-08T01:00:00Z", 0)) << "write_date still wins";
  EXPECT_FALSE(page->records[2].createdAtMs);
  EXPECT_FALSE(page->records[2].updatedAtMs);
}

TEST(Odoo, ErrorsBecomeClearVietnameseMessages) {
  auto verdict = odoo().classify(ok(test::readFixture("odoo/error_access_denied.json")));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(verdict.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(verdict.error.platformCode, "odoo.exceptions.AccessDenied");
  verdict = odoo().classify(ok(test::readFixture("odoo/error_access_error.json")));
  EXPECT_EQ(verdict.error.code, ErrorCode::Forbidden);
  EXPECT_NE(verdict.error.message.find("quyền"), std::string::npos);
  verdict = odoo().classify(ok(test::readFixture("odoo/error_invalid_field.json")));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(verdict.error.code, ErrorCode::PlatformError);
  verdict = odoo().classify(ok(test::readFixture("odoo/json2_401.json"), 401));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Fatal) << "a key has no refresh";
  EXPECT_EQ(verdict.error.code, ErrorCode::InvalidCredentials);
  verdict = odoo().classify(ok(R"({"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error","data":{"name":"psycopg2.errors.SerializationFailure","message":"could not serialize access due to concurrent update"}}})"));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Retry);
  verdict = odoo().classify(ok("<html>502</html>", 502));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Retry);
  verdict = odoo().classify(ok(test::readFixture("odoo/products_page_17.json")));
  EXPECT_EQ(verdict.kind, ResponseVerdict::Kind::Ok);
  auto page = odoo().parsePage(Entity::Products, test::readFixture("odoo/error_access_denied.json"), {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::InvalidCredentials);
  auto cut = odoo().parsePage(Entity::Products, R"({"jsonrpc":"2.0","id":1,"result":[{"id":31,"na)", {});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::InvalidJson);
  // An automation-rule webhook body (17+: many2one as bare ids) normalizes as one row.
  auto hook = odoo().parsePage(
      Entity::Products, R"J({"_action":"Sync(#12)","_id":31,"_model":"product.product","id":31,"name":"Áo","categ_id":5,"lst_price":1.0})J", {});
  ASSERT_TRUE(hook.ok());
  ASSERT_EQ(hook->records.size(), 1u);
  EXPECT_EQ(hook->records[0].externalId, "31");
}

// odoo.md 2.7: an automation rule may send a webhook for another model than the entity's
// (the documented example is a stock.quant). Its `id`/`_id` is that model's id (quant 77),
// not a product.product id: it must not become a product record.
TEST(Odoo, AutomationWebhookOfAnotherModelIsNoRecord) {
  auto quant = odoo().parsePage(Entity::Products,
                                R"J({"_action": "Sync stock(#123)", "_id": 77, "_model": "stock.quant", "id": 77,
                                     "location_id": 8, "product_id": 31, "quantity": 45.0, "reserved_quantity": 3.0})J",
                                {});
  ASSERT_TRUE(quant.ok());
  EXPECT_TRUE(quant->records.empty()) << "quant 77 is not product 77";
  EXPECT_TRUE(quant->rowErrors.empty());
  auto partner = odoo().parsePage(Entity::Orders, R"J({"_action":"Hook(#3)","_id":14,"_model":"res.partner","name":"Hoa"})J", {});
  ASSERT_TRUE(partner.ok());
  EXPECT_TRUE(partner->records.empty()) << "a res.partner body is no sale.order";
  // The entity's own model still normalizes (many2one as bare ids, 18/19).
  auto order = odoo().parsePage(Entity::Orders,
                                R"J({"_action":"Hook(#4)","_id":42,"_model":"sale.order","name":"S00042","state":"sale",
                                     "partner_id":14,"amount_total":302400.0,"write_date":"2026-05-07 04:20:02"})J",
                                {});
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->records.size(), 1u);
  EXPECT_EQ(order->records[0].externalId, "42");
  EXPECT_EQ(std::get<Order>(order->records[0].body).customer->externalId, "14");
}

TEST(Odoo, PlatformInfoMatchesTheConnectForm) {
  const PlatformInfo& info = odoo().info();
  EXPECT_EQ(info.status, "available");
  ASSERT_EQ(info.credentials.size(), 4u);
  EXPECT_EQ(info.credentials[0].key, "url");
  EXPECT_EQ(info.credentials[1].key, "database");
  EXPECT_EQ(info.credentials[2].key, "login");
  EXPECT_EQ(info.credentials[3].key, "apiKey");
  EXPECT_TRUE(info.credentials[3].secret);
  EXPECT_NE(info.credentials[3].help.find("Khóa API mới"), std::string::npos);
  EXPECT_NE(info.credentials[3].help.find("Custom"), std::string::npos);
  EXPECT_EQ(info.apiHostPatterns, std::vector<std::string>{"*"});
}

}  // namespace
}  // namespace storelink
