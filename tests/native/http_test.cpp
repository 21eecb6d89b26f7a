#include <gtest/gtest.h>

#include "storelink/http.hpp"

namespace storelink {
namespace {

const std::map<std::string, std::string> kSecrets = {
    {"clientId", "83a5bcbe-3c39"}, {"clientSecret", "a&b=c d+é"}, {"retailer", "demoshop"}, {"user", "key"}, {"pass", "s3cr:t"}};

TEST(Placeholders, FillsUrlQueryHeadersAndBody) {
  HttpRequest r;
  r.url = "https://{{secret.retailer}}.example.vn/x";
  r.query = {{"shop", "{{secret.retailer}}"}};
  r.headers = {{"Retailer", "{{secret.retailer}}"}};
  r.body = "client_id={{secret.clientId|urlencode}}&client_secret={{secret.clientSecret|urlencode}}";
  auto f = fillSecrets(r, kSecrets);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->url, "https://demoshop.example.vn/x");
  EXPECT_EQ(f->query[0].second, "demoshop");
  EXPECT_EQ(f->headers[0].second, "demoshop");
  EXPECT_EQ(f->body, "client_id=83a5bcbe-3c39&client_secret=a%26b%3Dc%20d%2B%C3%A9");
  // The original descriptor is untouched: the page never holds filled values.
  EXPECT_EQ(r.headers[0].second, "{{secret.retailer}}");
}

TEST(Placeholders, JsonAndBase64AndBasicFilters) {
  auto j = fillSecretsIn(R"({"k":"{{secret.clientSecret|json}}"})", {{"clientSecret", "a\"b\\c"}});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(*j, R"({"k":"a\"b\\c"})");
  auto b = fillSecretsIn("{{secret.user|base64}}", kSecrets);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "a2V5");
  auto basic = fillSecretsIn("Basic {{basic:secret.user:secret.pass}}", kSecrets);
  ASSERT_TRUE(basic.ok());
  EXPECT_EQ(*basic, "Basic " + base64Encode("key:s3cr:t"));
}

TEST(Placeholders, MissingSecretIsAnErrorNotLeftAsText) {
  auto f = fillSecretsIn("Bearer {{secret.accessToken}}", kSecrets);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::InvalidCredentials);
  auto bad = fillSecretsIn("{{secret.clientId|rot13}}", kSecrets);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
}

TEST(Placeholders, OtherBracesAreLeftAlone) {
  auto f = fillSecretsIn("{{not a secret}} and {{secret.retailer}} and {{", kSecrets);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, "{{not a secret}} and demoshop and {{");
}

TEST(KeepSecrets, TokenIsCapturedAndRedacted) {
  HttpRequest r;
  r.keepSecrets = {{"access_token", "accessToken"}};
  auto red = keepSecretsFromBody(r, R"({"access_token":"eyJ.secret","expires_in":86400,"token_type":"Bearer"})");
  EXPECT_EQ(red.captured.at("accessToken"), "eyJ.secret");
  EXPECT_EQ(red.body.find("eyJ.secret"), std::string::npos);
  json j = parseJson(red.body);
  EXPECT_EQ(j["access_token"], "{{secret.accessToken}}");
  EXPECT_EQ(j["expires_in"], 86400);
}

TEST(KeepSecrets, DottedPathReachesANestedToken) {
  // Nhanh.vn v3 getaccesstoken: {"code":1,"data":{"accessToken":...,"businessId":...}}.
  HttpRequest r;
  r.keepSecrets = {{"data.accessToken", "accessToken"}, {"data.missing.deeper", "nope"}, {"code.x", "nope2"}};
  auto red = keepSecretsFromBody(r, R"({"code":1,"data":{"accessToken":"tok-123","businessId":110668}})");
  EXPECT_EQ(red.captured.at("accessToken"), "tok-123");
  EXPECT_EQ(red.captured.count("nope"), 0u);
  EXPECT_EQ(red.captured.count("nope2"), 0u);
  json j = parseJson(red.body);
  EXPECT_EQ(j["data"]["accessToken"], "{{secret.accessToken}}");
  EXPECT_EQ(j["data"]["businessId"], 110668);
  // A literal top-level key with a dot in its name still wins.
  HttpRequest lit;
  lit.keepSecrets = {{"a.b", "s"}};
  auto red2 = keepSecretsFromBody(lit, R"({"a.b":"top","a":{"b":"nested"}})");
  EXPECT_EQ(red2.captured.at("s"), "top");
  EXPECT_EQ(parseJson(red2.body)["a"]["b"], "nested");
}

TEST(Descriptors, RoundTripThroughJson) {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://id.kiotviet.vn/connect/token";
  r.query = {{"a", "1"}, {"a", "2"}};
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = "x=1";
  r.keepSecrets = {{"access_token", "accessToken"}};
  r.idempotencyKey = "order-42";
  auto back = requestFromJson(requestToJson(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->query, r.query);
  EXPECT_EQ(back->keepSecrets, r.keepSecrets);
  EXPECT_EQ(back->idempotencyKey, "order-42");
  EXPECT_EQ(buildUrl(*back), "https://id.kiotviet.vn/connect/token?a=1&a=2");
  EXPECT_FALSE(requestFromJson(json::array()).ok());
  EXPECT_FALSE(requestFromJson(json{{"url", ""}}).ok());
}

TEST(Descriptors, ResponseHeadersAreLowerCased) {
  auto r = responseFromJson(json{{"status", 429}, {"headers", {{"Retry-After", "3"}}}}, "");
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->header("retry-after"), nullptr);
  EXPECT_EQ(*r->header("retry-after"), "3");
  auto none = responseFromJson(json{{"status", 0}, {"error", "timeout"}}, "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->transportError, "timeout");
}

}  // namespace
}  // namespace storelink
