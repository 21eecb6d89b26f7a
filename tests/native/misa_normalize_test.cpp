// MISA eShop (mShopKeeper OpenPlatform): the signed login as the proxy fills it, the kept
// secrets, ServiceResult errors, mapping of models with ListDetail variants, invoices + detail.
#include <gtest/gtest.h>

#include "../../src/connectors/connectors.hpp"
#include "storelink/normalize.hpp"
#include "test_util.hpp"

namespace storelink {
namespace {

const Connector& misa() { return connectors::misa(); }

constexpr int64_t kLoginAt = 1778126678590;  // 2026-05-07T04:04:38.590Z
const std::map<std::string, std::string> kSecrets = {
    {"appId", "MShopKeeperOpenPlatform"},
    {"domain", "https://HoaMai.mshopkeeper.vn/"},  // pasted as a URL: the signed Domain is the host
    {"secretKey", "9dfd836206bc97e25c2b0088d932debd69489265507b2b2758ff652aadca4207"}};

Page parse(Entity e, const std::string& fixture) {
  auto page = misa().parsePage(e, test::readFixture("misa/" + fixture), {});
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().detail);
  return page.ok() ? std::move(page.value()) : Page{};
}

TEST(Misa, LoginIsSignedServerSideOverTheExactBytes) {
  auto login = misa().tokenRequestAt(json::object(), kLoginAt);
  ASSERT_TRUE(login);
  EXPECT_EQ(login->url, "https://graphapi.mshopkeeper.vn/auth/api/Account/Login");
  EXPECT_EQ(login->body.find("9dfd83"), std::string::npos) << "no secret in the descriptor";
  auto filled = fillSecrets(*login, kSecrets);
  ASSERT_TRUE(filled.ok());
  // Expected signature computed independently (Python hmac over the compact JSON):
  //   {"AppID":"MShopKeeperOpenPlatform","Domain":"hoamai.mshopkeeper.vn","LoginTime":"2026-05-07T04:04:38.590Z"}
  EXPECT_EQ(filled->body,
            R"({"AppID":"MShopKeeperOpenPlatform","Domain":"hoamai.mshopkeeper.vn","LoginTime":"2026-05-07T04:04:38.590Z",)"
            R"("SignatureInfo":"c3728dad01f730532a2962571582507ed6c4365f02c5fa02423a6d39c3cac928"})");
  // The token, company code and environment stay with the proxy.
  auto kept = keepSecretsFromBody(*login, test::readFixture("misa/login_ok.json"));
  EXPECT_EQ(kept.captured.at("accessToken"), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJDb21wYW55Q29kZSI6ImhvYW1haSJ9.c2lnbmF0dXJl");
  EXPECT_EQ(kept.captured.at("companyCode"), "hoamai");
  EXPECT_EQ(kept.captured.at("environment"), "g1");
  EXPECT_EQ(kept.body.find("eyJhbGci"), std::string::npos);
  auto life = misa().tokenLifetimeMs({200, {}, kept.body, ""});
  ASSERT_TRUE(life.ok());
  EXPECT_EQ(*life, 3600 * 1000);
  // A bad signature is HTTP 200 with Success:false.
  auto v = misa().classify({200, {}, test::readFixture("misa/login_error_4.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(v.error.code, ErrorCode::InvalidCredentials);
  EXPECT_EQ(v.error.field, "secretKey");
  EXPECT_EQ(v.error.platformCode, "4");
}

TEST(Misa, DataRequestsUseTheKeptEnvironmentAndHeaders) {
  PageQuery q;
  q.entity = Entity::Products;
  q.pageSize = 100;
  q.offset = 200;
  q.modifiedFromMs = parseDateTime("2026-05-01T00:00:00+07:00", 0);
  HttpRequest r = misa().pageRequest(q);
  auto filled = fillSecrets(r, {{"environment", "g1"}, {"accessToken", "tok"}, {"companyCode", "hoamai"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(filled->url, "https://graphapi.mshopkeeper.vn/g1/api/v1/inventoryitems/pagingwithdetail");
  EXPECT_EQ(filled->headers[0].second, "Bearer tok");
  EXPECT_EQ(filled->headers[1], (std::pair<std::string, std::string>{"CompanyCode", "hoamai"}));
  json body = parseJson(r.body);
  EXPECT_EQ(body["Page"], 3) << "1-based pages";
  EXPECT_EQ(body["Limit"], 100);
  EXPECT_EQ(body["IncludeInventory"], true);
  EXPECT_EQ(body["LastSyncDate"], "2026-05-01 00:00:00");
  q.pageSize = 500;
  EXPECT_EQ(parseJson(misa().pageRequest(q).body)["Limit"], 100) << "Limit ≤ 100 (ErrorType 5)";
  q.entity = Entity::Orders;
  q.modifiedFromMs.reset();
  q.nowMs = parseDateTime("2026-05-07T12:00:00+07:00", 0).value();
  q.offset = 0;
  q.pageSize = 100;
  body = parseJson(misa().pageRequest(q).body);
  EXPECT_EQ(body["SortField"], "InvoiceDate");
  EXPECT_EQ(body["FromDate"], "2010-01-01T07:00:00");
  EXPECT_EQ(body["ToDate"], "2026-05-07T12:01:00");
  EXPECT_TRUE(misa().paging(Entity::Products).watermarkIsRunStart) << "rows carry no modification time";
  EXPECT_FALSE(misa().paging(Entity::Orders).watermarkIsRunStart);
}

TEST(Misa, AModelWithListDetailIsOneProductWithVariants) {
  Page page = parse(Entity::Products, "products_page.json");
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.total, 2.0);
  const auto& p = std::get<Product>(page.records[0].body);
  EXPECT_EQ(page.records[0].externalId, "324d4a93-7508-4759-9a44-6174159d2cf8");
  EXPECT_EQ(p.sku, "ATB01");
  EXPECT_EQ(p.category, "Áo");
  EXPECT_EQ(p.active, true);
  EXPECT_EQ(p.images, std::vector<std::string>{"https://graphapi.mshopkeeper.vn/g1/images/ATB01.jpg"});
  ASSERT_EQ(p.variants.size(), 2u);
  const Variant& v = p.variants[0];
  EXPECT_EQ(v.externalId, "6b1f0d2e-8c3a-4d5b-9e7f-1a2b3c4d5e6f");
  EXPECT_EQ(v.sku, "ATB01-TR-M");
  EXPECT_EQ(v.barcode, "8936012345678");
  EXPECT_EQ(v.options, (std::vector<std::pair<std::string, std::string>>{{"Màu sắc", "Trắng"}, {"Kích cỡ", "M"}}));
  ASSERT_EQ(v.stock.size(), 2u);
  EXPECT_EQ(v.stock[0].locationId, "dec16573-519d-405d-8299-3c111714f08c");
  EXPECT_EQ(v.stock[0].onHand, 30.0);
  EXPECT_EQ(v.stock[0].available, 28.0) << "OnHand − Ordered";
  EXPECT_EQ(v.totalStock, 42.0);
  EXPECT_FALSE(p.variants[1].barcode);
  EXPECT_FALSE(p.variants[1].totalStock) << "no inventory rows: unknown";
  EXPECT_EQ(p.totalStock, 42.0);
  const auto& single = std::get<Product>(page.records[1].body);
  ASSERT_EQ(single.variants.size(), 1u);
  EXPECT_EQ(single.variants[0].externalId, "8e3b2f4a-0e5c-4f7d-9a1b-3c4d5e6f7a81") << "an item without children is its own variant";
  EXPECT_EQ(single.variants[0].price, 35000.0);
  EXPECT_EQ(single.active, false);
  EXPECT_TRUE(single.images.empty()) << "relative picture paths are not URLs";
  EXPECT_EQ(single.totalStock, 100.0);
}

TEST(Misa, CustomersBranchesInvoicesAndDetails) {
  Page customers = parse(Entity::Customers, "customers_page.json");
  ASSERT_EQ(customers.records.size(), 2u);
  const auto& c = std::get<Customer>(customers.records[0].body);
  EXPECT_EQ(c.phone, "+84912345678");
  EXPECT_EQ(c.birthday, "1994-03-12");
  EXPECT_EQ(c.address->ward, "Phường Bến Thành");
  EXPECT_EQ(c.address->province, "Hồ Chí Minh");
  EXPECT_EQ(c.groups, (std::vector<std::string>{"Khách lẻ", "Vàng"}));
  EXPECT_FALSE(c.gender);
  const auto& c2 = std::get<Customer>(customers.records[1].body);
  EXPECT_EQ(c2.phone, "+84983111222") << "Tel null: NormalizedTel";
  EXPECT_FALSE(c2.address) << "codes (VN701) are not names";

  Page branches = parse(Entity::Locations, "branches.json");
  ASSERT_EQ(branches.records.size(), 2u);
  EXPECT_EQ(std::get<Location>(branches.records[0].body).name, "Kho tổng");
  EXPECT_EQ(std::get<Location>(branches.records[0].body).address, "126 Tô Hiệu, Hà Nội");

  Page invoices = parse(Entity::Orders, "invoices_page.json");
  ASSERT_EQ(invoices.records.size(), 2u);
  EXPECT_EQ(invoices.records[0].externalId, "5d2c9a1e-7b3f-4e6a-8c0d-2f4e6a8c0b1d") << "InvoiceId";
  EXPECT_EQ(invoices.records[1].externalId, "6e3dab2f-8c4a-4f7b-9d1e-3a5f7b9d1c2e") << "RefID";
  EXPECT_EQ(invoices.sortKeys[0], parseDateTime("2026-05-07T04:04:38Z", 0));
  const auto& o = std::get<Order>(invoices.records[0].body);
  EXPECT_EQ(o.code, "HD000871");
  EXPECT_EQ(o.status, OrderStatus::Completed);
  EXPECT_EQ(o.paymentStatus, PaymentStatus::Unpaid) << "all of it still owed (DebitAmount)";
  EXPECT_EQ(o.total, 310000.0);
  EXPECT_EQ(o.discount, 20000.0);
  EXPECT_EQ(o.locationId, "20d51699-a61d-4736-b965-946400b1b790");
  EXPECT_FALSE(std::get<Order>(invoices.records[1].body).customer) << "walk-in";
  EXPECT_EQ(std::get<Order>(invoices.records[1].body).paymentStatus, PaymentStatus::Paid);

  PageQuery q;
  q.entity = Entity::Orders;
  auto ups = misa().followUpRequests(q, invoices);
  ASSERT_EQ(ups.size(), 2u) << "one detail request per invoice";
  EXPECT_EQ(ups[0].url, "https://graphapi.mshopkeeper.vn/{{secret.environment|urlencode}}/api/v1/invoices/detailbyrefid");
  EXPECT_EQ(ups[0].body, R"({"RefID":"5d2c9a1e-7b3f-4e6a-8c0d-2f4e6a8c0b1d"})");
  EXPECT_FALSE(misa().applyFollowUp(q, invoices, 0, {200, {}, test::readFixture("misa/invoice_detail.json"), ""}));
  const auto& full = std::get<Order>(invoices.records[0].body);
  ASSERT_EQ(full.lines.size(), 1u) << "the empty non-goods line is skipped";
  EXPECT_EQ(full.lines[0].sku, "ATB01-TR-M");
  EXPECT_EQ(full.lines[0].variantExternalId, "6b1f0d2e-8c3a-4d5b-9e7f-1a2b3c4d5e6f");
  EXPECT_EQ(full.lines[0].productExternalId, "324d4a93-7508-4759-9a44-6174159d2cf8");
  EXPECT_EQ(full.lines[0].quantity, 2.0);
  EXPECT_EQ(full.lines[0].total, 300000.0);
  EXPECT_EQ(full.subtotal, 300000.0);
  EXPECT_EQ(full.shippingFee, 30000.0);
  EXPECT_EQ(full.customer->externalId, "99bb83d7-a4c5-4d64-a152-b30d89433838");
  // The detail body alone also normalizes (sl.normalize on a detailbyrefid answer).
  Page detail = parse(Entity::Orders, "invoice_detail.json");
  ASSERT_EQ(detail.records.size(), 0u) << "the detail has no InvoiceId of its own";
}

TEST(Misa, ServiceResultErrors) {
  auto v = misa().classify({200, {}, test::readFixture("misa/error_7.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(v.error.code, ErrorCode::Forbidden);
  EXPECT_NE(v.error.message.find("Kết nối ứng dụng"), std::string::npos) << "says where to switch it on";
  v = misa().classify({200, {}, test::readFixture("misa/error_102.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Retry);
  EXPECT_EQ(v.retryAfterMs, 3000);
  v = misa().classify({200, {}, test::readFixture("misa/error_5.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Fatal);
  EXPECT_EQ(v.error.code, ErrorCode::PlatformError);
  v = misa().classify({401, {}, "", ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::AuthExpired) << "log in again";
  v = misa().classify({200, {}, R"({"Code":200,"ErrorType":100,"Success":false,"Data":null})", ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Retry);
  v = misa().classify({200, {}, test::readFixture("misa/branches.json"), ""});
  EXPECT_EQ(v.kind, ResponseVerdict::Kind::Ok);
  auto page = misa().parsePage(Entity::Products, test::readFixture("misa/error_7.json"), {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::Forbidden);
}

// camelCase twins of the documented PascalCase keys are read too; a PascalCase key that is
// present (even null) wins over its twin.
TEST(Misa, CamelCaseKeysAreReadWhenThePascalCaseOneIsMissing) {
  const std::string products = R"({"success":true,"total":3,"data":[
    {"id":"p1","code":"SKU1","name":"Áo","barcode":"893","description":"  Mô tả  ","categoryName":"Áo","inactive":1,
     "picture":"https://x.vn/p1.jpg","vATRate":"10","parentId":"p0","createdDate":"2026-05-01 10:00:00",
     "modifiedDate":" 2026-05-02T10:00:00+07:00 ","sellingPrice":"150000.00","costPrice":80000,"color":"Đỏ","size":"M",
     "material":"  "},
    {"Id":"p2","id":"other","Name":null,"name":"ignored","Code":"SKU2","price":12,"avgUnitPrice":"7",
     "ModifiedDate":null,"modifiedDate":"2026-05-03 00:00:00",
     "ListDetail":[{"id":"v1","code":"SKU2-A","Inventories":[{"branchId":"b1","onHand":"5","ordered":2},{"onHand":9}]},
                   {"code":"no id: skipped"}]}]})";
  auto page = misa().parsePage(Entity::Products, products, {});
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->total, 3.0) << "total";
  const Record& r1 = page->records[0];
  EXPECT_EQ(r1.externalId, "p1");
  EXPECT_EQ(r1.createdAtMs, parseDateTime("2026-05-01T10:00:00+07:00", 0)) << "naive: Vietnam time";
  EXPECT_EQ(r1.updatedAtMs, parseDateTime("2026-05-02T03:00:00Z", 0)) << "blanks around a time are trimmed";
  EXPECT_EQ(page->sortKeys[0], r1.updatedAtMs);
  const auto& p1 = std::get<Product>(r1.body);
  EXPECT_EQ(p1.name, "Áo");
  EXPECT_EQ(p1.sku, "SKU1");
  EXPECT_EQ(p1.barcode, "893");
  EXPECT_EQ(p1.description, "Mô tả");
  EXPECT_EQ(p1.category, "Áo");
  EXPECT_EQ(p1.active, false) << "inactive: 1";
  EXPECT_EQ(p1.images, std::vector<std::string>{"https://x.vn/p1.jpg"});
  EXPECT_EQ(p1.taxRate, 10.0) << "VATRate → vATRate";
  EXPECT_EQ(p1.parentExternalId, "p0");
  ASSERT_EQ(p1.variants.size(), 1u);
  EXPECT_EQ(p1.variants[0].externalId, "p1");
  EXPECT_EQ(p1.variants[0].price, 150000.0);
  EXPECT_EQ(p1.variants[0].cost, 80000.0);
  EXPECT_EQ(p1.variants[0].options, (std::vector<std::pair<std::string, std::string>>{{"Màu sắc", "Đỏ"}, {"Kích cỡ", "M"}}))
      << "a blank Material is no option";

  const Record& r2 = page->records[1];
  EXPECT_EQ(r2.externalId, "p2") << "Id wins over id";
  EXPECT_EQ(r2.updatedAtMs, std::nullopt) << "ModifiedDate null wins over modifiedDate";
  EXPECT_EQ(page->sortKeys[1], std::nullopt);
  const auto& p2 = std::get<Product>(r2.body);
  EXPECT_EQ(p2.name, std::nullopt) << "Name null wins over name";
  ASSERT_EQ(p2.variants.size(), 1u) << "a child without an id is skipped";
  const Variant& v = p2.variants[0];
  EXPECT_EQ(v.externalId, "v1");
  EXPECT_EQ(v.sku, "SKU2-A");
  ASSERT_EQ(v.stock.size(), 1u) << "an inventory row without a branch is skipped";
  EXPECT_EQ(v.stock[0].locationId, "b1");
  EXPECT_EQ(v.stock[0].onHand, 5.0);
  EXPECT_EQ(v.stock[0].available, 3.0);
  EXPECT_EQ(p2.totalStock, 3.0);

  const std::string customers = R"({"Success":true,"Data":[{"id":77,"name":"Chị Lan","tel":"   ","standardTel":912345678,
    "email":"lan@example.com","birthday":"12/03/1994","addr":"1 Lê Lợi","communeAddr":"VN1012509","districtAddr":"Quận 1",
    "provinceAddr":"Hồ Chí Minh","totalAmount":"250000","customerCategoryName":"Khách lẻ","memberLevelName":" Vàng "}]})";
  auto cpage = misa().parsePage(Entity::Customers, customers, {});
  ASSERT_TRUE(cpage.ok());
  ASSERT_EQ(cpage->records.size(), 1u);
  EXPECT_EQ(cpage->records[0].externalId, "77") << "numeric ids as text";
  const auto& c = std::get<Customer>(cpage->records[0].body);
  EXPECT_EQ(c.name, "Chị Lan");
  EXPECT_EQ(c.phone, normalizePhone("912345678")) << "a blank Tel falls through; a number is read as its text";
  EXPECT_EQ(c.email, "lan@example.com");
  EXPECT_EQ(c.birthday, "1994-03-12");
  ASSERT_TRUE(c.address);
  EXPECT_EQ(c.address->address, "1 Lê Lợi");
  EXPECT_FALSE(c.address->ward) << "an administrative code";
  EXPECT_EQ(c.address->district, "Quận 1");
  EXPECT_EQ(c.address->province, "Hồ Chí Minh");
  EXPECT_EQ(c.totalSpent, 250000.0);
  EXPECT_EQ(c.groups, (std::vector<std::string>{"Khách lẻ", "Vàng"}));

  const std::string invoices = R"({"Success":true,"Data":[{"refId":"i1","invoiceNumber":"HD1","invoiceType":"550",
    "invoiceDate":"2026-05-07T11:04:38.000+07:00","paymentStatus":3,"totalAmount":300000,"debitAmount":100000,
    "customerId":"c1","customerName":"Hoa","mobile":"0912 345 678","branchId":"b1","description":"ghi chú",
    "address":"12 Nguyễn Trãi","totalItemAmount":280000,"discountAmount":0,"deliveryAmount":20000,"vATAmount":0}]})";
  auto ipage = misa().parsePage(Entity::Orders, invoices, {});
  ASSERT_TRUE(ipage.ok());
  ASSERT_EQ(ipage->records.size(), 1u);
  EXPECT_EQ(ipage->records[0].externalId, "i1") << "RefId → refId";
  EXPECT_EQ(ipage->records[0].createdAtMs, parseDateTime("2026-05-07T04:04:38Z", 0)) << "invoiceDate";
  EXPECT_EQ(ipage->sortKeys[0], ipage->records[0].createdAtMs);
  const auto& o = std::get<Order>(ipage->records[0].body);
  EXPECT_EQ(o.code, "HD1");
  EXPECT_EQ(o.status, OrderStatus::Completed);
  EXPECT_EQ(o.platformStatus, "3");
  EXPECT_EQ(o.paymentStatus, PaymentStatus::PartiallyPaid);
  ASSERT_TRUE(o.customer);
  EXPECT_EQ(o.customer->externalId, "c1");
  EXPECT_EQ(o.customer->phone, "+84912345678");
  EXPECT_EQ(o.locationId, "b1");
  EXPECT_EQ(o.note, "ghi chú");
  EXPECT_EQ(o.shippingFee, 20000.0);
  ASSERT_TRUE(o.shippingAddress);
  EXPECT_EQ(o.shippingAddress->address, "12 Nguyễn Trãi");
  EXPECT_EQ(o.shippingAddress->name, "Hoa");
}

// A detailbyrefid answer given to normalize (Data an object) maps through the list mappers
// and merges its own lines; the follow-up reads camelCase details the same way.
TEST(Misa, ADetailAnswerGivenToNormalizeIsOneOrderWithItsLines) {
  const std::string detail = R"json({"Code":200,"ErrorType":0,"Success":true,"Total":0,"Data":{"InvoiceId":"i9","InvoiceNumber":"HD9",
    "InvoiceType":550,"InvoiceDate":"2026-05-07T11:04:38.000+07:00","CustomerId":"c9","CustomerName":"Hoa","Tel":"0912345678",
    "DeliveryAddress":"12 Nguyễn Trãi","TotalAmount":330000,"DebitAmount":0,"TotalItemAmount":1,"DeliveryAmount":30000,
    "InvocieDetails":[
      {"InventoryItemId":"v1","ParentId":"p1","SKU":"A-M","Name":"Áo (M)","Quantity":2,"UnitPrice":150000,"Amount":300000,
       "DiscountAmount":0,"TotalAmount":300000},
      {"ItemID":"v2","EncodeInventoryItemName":"Túi","Quantity":1,"UnitPrice":10000,"Amount":10000,"DiscountAmount":"1000"},
      {"SKU":null,"Name":null,"Quantity":0}]}})json";
  auto page = misa().parsePage(Entity::Orders, detail, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rowCount, 1u);
  EXPECT_FALSE(page->total) << "Total 0: not given";
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].externalId, "i9");
  const auto& o = std::get<Order>(page->records[0].body);
  ASSERT_EQ(o.lines.size(), 2u) << "the non-goods line is skipped";
  EXPECT_EQ(o.lines[0].variantExternalId, "v1");
  EXPECT_EQ(o.lines[0].productExternalId, "p1");
  EXPECT_EQ(o.lines[0].total, 300000.0);
  EXPECT_EQ(o.lines[1].name, "Túi");
  EXPECT_EQ(o.lines[1].variantExternalId, "v2");
  EXPECT_EQ(o.lines[1].productExternalId, "v2") << "no ParentId: the variant's own id";
  EXPECT_EQ(o.lines[1].discount, 1000.0);
  EXPECT_EQ(o.lines[1].total, 9000.0) << "Amount − DiscountAmount";
  EXPECT_EQ(o.subtotal, 309000.0) << "the lines' sum";
  EXPECT_EQ(o.shippingFee, 30000.0);
  EXPECT_EQ(o.paymentStatus, PaymentStatus::Paid);
  EXPECT_EQ(o.customer->externalId, "c9");
  EXPECT_EQ(o.shippingAddress->address, "12 Nguyễn Trãi");
  EXPECT_EQ(o.shippingAddress->phone, "+84912345678");

  // The follow-up: the list row first, then its detail in camelCase.
  Page invoices = parse(Entity::Orders, "invoices_page.json");
  ASSERT_EQ(invoices.records.size(), 2u);
  PageQuery q;
  q.entity = Entity::Orders;
  const std::string camel = R"({"success":true,"data":{"customerId":"c2","deliveryAddress":"9 Lê Lợi","customerName":"Tuấn",
    "tel":"0983111222","note":"gọi trước","deliveryAmount":15000,"discountAmount":5000,"vATAmount":"0",
    "invocieDetails":[{"itemId":"v7","name":"Nón","quantity":1,"unitPrice":35000,"amount":35000}]}})";
  EXPECT_FALSE(misa().applyFollowUp(q, invoices, 1, {200, {}, camel, ""}));
  const auto& walkIn = std::get<Order>(invoices.records[1].body);
  ASSERT_EQ(walkIn.lines.size(), 1u);
  EXPECT_EQ(walkIn.lines[0].variantExternalId, "v7");
  EXPECT_EQ(walkIn.lines[0].total, 35000.0);
  EXPECT_EQ(walkIn.subtotal, 35000.0);
  EXPECT_EQ(walkIn.shippingFee, 15000.0);
  EXPECT_EQ(walkIn.discount, 5000.0);
  EXPECT_EQ(walkIn.tax, 0.0);
  ASSERT_TRUE(walkIn.customer) << "the detail names the customer of a walk-in row";
  EXPECT_EQ(walkIn.customer->externalId, "c2");
  ASSERT_TRUE(walkIn.shippingAddress);
  EXPECT_EQ(walkIn.shippingAddress->address, "9 Lê Lợi");
  EXPECT_EQ(walkIn.shippingAddress->name, "Tuấn");
  EXPECT_EQ(walkIn.shippingAddress->phone, "+84983111222");
  EXPECT_EQ(walkIn.note, "gọi trước");
  // Errors and odd answers of the follow-up.
  auto err = misa().applyFollowUp(q, invoices, 0, {200, {}, test::readFixture("misa/error_102.json"), ""});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ErrorCode::RateLimited);
  err = misa().applyFollowUp(q, invoices, 0, {200, {}, R"({"Success":true,"Data":)", ""});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ErrorCode::InvalidJson);
  EXPECT_FALSE(misa().applyFollowUp(q, invoices, 0, {200, {}, R"({"Success":true,"Data":[1]})", ""}));
  EXPECT_FALSE(misa().applyFollowUp(q, invoices, 5, {200, {}, test::readFixture("misa/invoice_detail.json"), ""}));
  EXPECT_TRUE(std::get<Order>(invoices.records[0].body).lines.empty()) << "neither touched the first invoice";
}

TEST(Misa, PageShapesAndRawRows) {
  auto empty = misa().parsePage(Entity::Products, R"({"Success":true,"Data":null,"Total":5})", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rowCount, 0u);
  EXPECT_EQ(empty->total, 5.0);
  auto bare = misa().parsePage(Entity::Customers, R"([{"Id":"c1"},7,{"Name":"no id"}])", {});
  ASSERT_TRUE(bare.ok()) << "a bare array is a page";
  EXPECT_EQ(bare->rowCount, 3u);
  EXPECT_EQ(bare->records.size(), 1u);
  ASSERT_EQ(bare->rowErrors.size(), 2u);
  EXPECT_EQ(bare->rowErrors[0].detail, "row 1 has no Id");
  EXPECT_TRUE(misa().parsePage(Entity::Products, "null", {}).ok());
  auto shape = misa().parsePage(Entity::Products, R"({"Success":true,"Data":"x"})", {});
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error().code, ErrorCode::UnexpectedShape);
  auto bad = misa().parsePage(Entity::Products, R"({"Success":true,"Data":[{"Id":"a"}])", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidJson);
  auto failedPage = misa().parsePage(Entity::Orders, R"({"success":false,"errorType":2,"errorMessage":"no shop"})", {});
  ASSERT_FALSE(failedPage.ok());
  EXPECT_EQ(failedPage.error().field, "domain") << "camelCase ServiceResult";
  EXPECT_EQ(failedPage.error().detail, "ErrorType 2: no shop");

  NormalizeOptions raw;
  raw.includeRaw = true;
  const std::string row = R"({"Name":"Kho","Id":"b1","Address":" 1 Lê Lợi ","Phone":"0912345678","x":[1.5,null,true,{"b":1,"a":"\u00e9"}],"Id":"b2"})";
  auto branches = misa().parsePage(Entity::Locations, "[" + row + "]", raw);
  ASSERT_TRUE(branches.ok());
  ASSERT_EQ(branches->records.size(), 1u);
  EXPECT_EQ(branches->records[0].externalId, "b2") << "the last of duplicate keys";
  EXPECT_EQ(branches->records[0].rawJson, dumpJson(parseJson(row))) << "raw as parseJson + dumpJson write it";
  const auto& l = std::get<Location>(branches->records[0].body);
  EXPECT_EQ(l.address, "1 Lê Lợi");
  EXPECT_EQ(l.phone, "+84912345678");
}

// The page bodies, byte for byte: once nlohmann objects through dumpJson (keys in std::map
// order), now written directly. The reference below is that old construction.
TEST(Misa, PageRequestBodiesAreExactlyTheDumpedObjects) {
  PageQuery q;
  q.entity = Entity::Products;
  q.pageSize = 100;
  q.offset = 200;
  EXPECT_EQ(misa().pageRequest(q).body,
            R"({"IncludeInActive":true,"IncludeInventory":true,"InventoryItemCategoryID":null,"LastSyncDate":null,"Limit":100,)"
            R"("Page":3,"SortField":"Code","SortType":1})");
  q.entity = Entity::Customers;
  q.modifiedFromMs = parseDateTime("2026-05-01T00:00:00+07:00", 0);
  EXPECT_EQ(misa().pageRequest(q).body,
            R"({"IncludeInactive":true,"LastSyncDate":"2026-05-01 00:00:00","Limit":100,"Page":3,"SortField":"Name","SortType":1})");
  q.entity = Entity::Locations;
  EXPECT_EQ(misa().pageRequest(q).body, R"({"IsIncludeChainOfBranch":false,"IsIncludeInactiveBranch":true})");

  const auto vn = [](int64_t ms, char sep) {
    std::string s = formatLocal(ms, kVietnamOffsetMinutes, 0);
    s[10] = sep;
    return s;
  };
  const auto reference = [&](const PageQuery& q) {
    const int limit = std::clamp(q.pageSize, 1, 100);
    const int64_t page = q.offset / limit + 1;
    json lastSync = q.modifiedFromMs ? json(vn(*q.modifiedFromMs, ' ')) : json(nullptr);
    json body;
    switch (q.entity) {
      case Entity::Products:
        body = {{"Page", page}, {"Limit", limit}, {"SortField", "Code"}, {"SortType", 1}, {"IncludeInventory", true},
                {"IncludeInActive", true}, {"InventoryItemCategoryID", nullptr}, {"LastSyncDate", lastSync}};
        break;
      case Entity::Customers:
        body = {{"Page", page}, {"Limit", limit}, {"SortField", "Name"}, {"SortType", 1}, {"IncludeInactive", true},
                {"LastSyncDate", lastSync}};
        break;
      case Entity::Orders: {
        const int64_t from = q.modifiedFromMs.value_or(1262304000000);
        const int64_t to = std::max(q.nowMs, from) + 60 * 1000;
        body = {{"Page", page}, {"Limit", limit}, {"SortField", "InvoiceDate"}, {"SortType", 1},
                {"FromDate", vn(from, 'T')}, {"ToDate", vn(to, 'T')}, {"DateRangeType", 1}};
        break;
      }
      case Entity::Locations:
        body = {{"IsIncludeInactiveBranch", true}, {"IsIncludeChainOfBranch", false}};
        break;
    }
    return dumpJson(body);
  };
  uint64_t seed = 42;
  const auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  const int64_t times[] = {0, 1, -1, 1262304000000, 1778126678590, 253402300799999, -62135596800000, 4102444800000,
                           -8640000000000000, 8640000000000000};
  for (int i = 0; i < 4000; ++i) {
    PageQuery r;
    r.entity = static_cast<Entity>(next() % 4);
    const int sizes[] = {0, 1, 7, 50, 100, 101, 1000, -3};
    r.pageSize = sizes[next() % 8];
    r.offset = static_cast<int64_t>(next() % 100000) - 50;
    if (next() % 3) r.modifiedFromMs = next() % 2 ? times[next() % 10] : static_cast<int64_t>(next() % 4102444800000ULL);
    r.nowMs = next() % 2 ? times[next() % 10] : static_cast<int64_t>(next() % 4102444800000ULL);
    ASSERT_EQ(misa().pageRequest(r).body, reference(r)) << "query " << i;
  }
}

}  // namespace
}  // namespace storelink
