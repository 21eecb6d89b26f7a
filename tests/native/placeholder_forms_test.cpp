// The placeholder forms added for user-given hosts and server-side signatures, and the
// keepSecrets rules (nested paths; only strings and numbers are captured).
#include <gtest/gtest.h>

#include "storelink/crypto.hpp"
#include "storelink/http.hpp"

namespace storelink {
namespace {

TEST(PlaceholderForms, OriginNormalizesWhatShopsType) {
  auto origin = [](const std::string& v) { return fillSecretsIn("{{secret.url|origin}}/jsonrpc", {{"url", v}}); };
  EXPECT_EQ(*origin("congty.odoo.com"), "https://congty.odoo.com/jsonrpc");
  EXPECT_EQ(*origin("  HTTPS://CongTy.Odoo.com/odoo/sales?debug=1#x "), "https://congty.odoo.com/jsonrpc");
  EXPECT_EQ(*origin("http://10.0.0.5:8069/web/login"), "http://10.0.0.5:8069/jsonrpc");
  EXPECT_EQ(*origin("erp.example.vn."), "https://erp.example.vn/jsonrpc");
  for (const char* bad : {"", "ftp://x.vn", "https://a b.vn", "https://user@x.vn", "https://x..vn", "https://x.vn:99999", "https://:80"}) {
    auto r = origin(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidCredentials);
    EXPECT_EQ(r.error().field, "url") << "the form can point at the field";
  }
  auto within = [](const std::string& v) { return fillSecretsIn("{{secret.domain|origin:getflycrm.com}}", {{"domain", v}}); };
  EXPECT_EQ(*within("hoamai"), "https://hoamai.getflycrm.com");
  EXPECT_EQ(*within("hoamai.getflycrm.com/"), "https://hoamai.getflycrm.com");
  EXPECT_FALSE(within("getflycrm.com").ok());
  EXPECT_FALSE(within("hoamai.getflycrm.com.evil.vn").ok());
  EXPECT_FALSE(within("evilgetflycrm.com").ok());
  EXPECT_EQ(*fillSecretsIn("{{secret.d|host}}", {{"d", "https://HoaMai.mshopkeeper.vn/"}}), "hoamai.mshopkeeper.vn");
}

TEST(PlaceholderForms, HmacSignsTheFilledMessageWhereTheSecretLives) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  std::string ph = hmacSha256HexPlaceholder("k", "what do ya want for {{secret.what}}?");
  EXPECT_EQ(ph.find("Jefe"), std::string::npos);
  EXPECT_EQ(ph.find("}}?"), std::string::npos) << "the message is base64: its braces cannot end the placeholder";
  auto sig = fillSecretsIn("sig=" + ph + ";", {{"k", "Jefe"}, {"what", "nothing"}});
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(*sig, "sig=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843;");
  // Braces and quotes of a JSON message are safe, and a missing secret inside it is an error.
  auto json = fillSecretsIn(hmacSha256HexPlaceholder("k", R"({"a":"{{secret.missing|json}}"})"), {{"k", "Jefe"}});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::InvalidCredentials);
  auto noKey = fillSecretsIn(hmacSha256HexPlaceholder("absent", "x"), {{"k", "Jefe"}});
  EXPECT_FALSE(noKey.ok());
  EXPECT_FALSE(fillSecretsIn("{{hmac_sha256_hex:secret.k:@@@}}", {{"k", "Jefe"}}).ok()) << "bad base64";
}

TEST(PlaceholderForms, KeepSecretsReadsNestedPathsAndLeavesFalseVisible) {
  HttpRequest r;
  r.keepSecrets = {{"Data.AccessToken", "accessToken"}, {"Data.Environment", "environment"}, {"result", "uid"}};
  auto red = keepSecretsFromBody(r, R"({"Success":true,"Data":{"AccessToken":"eyJ.x","Environment":"g1","Other":1}})");
  EXPECT_EQ(red.captured.at("accessToken"), "eyJ.x");
  EXPECT_EQ(red.captured.at("environment"), "g1");
  json j = parseJson(red.body);
  EXPECT_EQ(j["Data"]["AccessToken"], "{{secret.accessToken}}");
  EXPECT_EQ(j["Data"]["Other"], 1);
  // Odoo's authenticate: `false` means bad credentials and must reach the connector as is.
  auto denied = keepSecretsFromBody(r, R"({"jsonrpc":"2.0","id":1,"result":false})");
  EXPECT_TRUE(denied.captured.empty());
  EXPECT_EQ(parseJson(denied.body)["result"], false);
  auto uid = keepSecretsFromBody(r, R"({"jsonrpc":"2.0","id":1,"result":7})");
  EXPECT_EQ(uid.captured.at("uid"), "7");
}

TEST(PlaceholderForms, FormDecodeKeepsBracketedKeys) {
  auto p = formDecode("event=order.created&data%5Border_id%5D=93&note=a+b%20c&empty=&flag");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"data[order_id]", "93"}));
  EXPECT_EQ(p[2].second, "a b c");
  EXPECT_EQ(p[3].second, "");
  EXPECT_EQ(p[4].first, "flag");
  EXPECT_EQ(formDecode("x=%zz%4").at(0).second, "%zz%4") << "malformed escapes stay as text";
}

}  // namespace
}  // namespace storelink
