// The record writer: the ASCII-only form (the wasm boundary's) is the same JSON as the UTF-8
// form, byte-for-byte ASCII, for every kind of text a platform may send.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storelink/api.hpp"
#include "storelink/json.hpp"
#include "storelink/json_view.hpp"
#include "storelink/record.hpp"

namespace storelink {
namespace {

bool isAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

Record tricky() {
  Record r;
  r.type = RecordType::Customer;
  r.platform = "kiotviet";
  r.externalId = "9007199254740993";
  r.createdAtMs = 1742381916447;
  Customer c;
  c.name = "Đỗ Thị Ánh \"Chị\" \\ \t\n\x01\x7f";
  c.email = std::string("bad \xC3\x28 utf8 \xED\xA0\x80 end \xF0\x9F\x98\x80 emoji \xE2\x82");
  c.groups = {"Khách VIP", "", "a/b"};
  Address a;
  a.province = "Bà Rịa - Vũng Tàu";
  c.address = a;
  c.totalSpent = -0.0;
  c.orderCount = 0.1 + 0.2;
  r.body = c;
  r.rawJson = R"({"name":"Đỗ Thị Ánh","x":[1,"€",{"k":"𝄞"}]})";
  return r;
}

TEST(RecordJson, AsciiFormIsTheSameJson) {
  const Record r = tricky();
  std::string utf8, ascii;
  appendRecordJson(utf8, r);
  appendRecordJson(ascii, r, true);
  EXPECT_TRUE(isAscii(ascii)) << ascii;
  EXPECT_FALSE(isAscii(utf8));
  const json a = parseJson(utf8), b = parseJson(ascii);
  ASSERT_FALSE(a.is_discarded()) << utf8;
  ASSERT_FALSE(b.is_discarded()) << ascii;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["email"], "bad \xEF\xBF\xBD( utf8 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end \xF0\x9F\x98\x80 emoji \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(b["raw"]["x"][2]["k"], "𝄞");
  EXPECT_NE(ascii.find("\\ud834\\udd1e"), std::string::npos);  // U+1D11E as a surrogate pair
  EXPECT_EQ(utf8, recordToJson(r));                            // the default form is unchanged
}

TEST(RecordJson, EveryLeadByteIsValidatedByBothWriters) {
  // fuzz_normalize (2026-11-29): "F8 B8 B8" in a Getfly form field was written as-is — lead bytes
  // F5–FF passed as 3-byte sequences — and normalizeJson returned text JSON.parse refuses. Each
  // lead byte followed by continuation bytes: the text is valid JSON, both forms agree, and the
  // column stream (the wasm boundary) keeps the same characters.
  for (int lead = 0x80; lead <= 0xFF; ++lead) {
    for (const char* tail : {"\xB8\xB8\xB8", "\x80", "\xBF\xBF", ""}) {
      const std::string id = std::string("id.") + static_cast<char>(lead) + tail + "end";
      Record r = Record::tombstone(RecordType::Customer, "getfly", id);
      std::string utf8, ascii;
      appendRecordJson(utf8, r);
      appendRecordJson(ascii, r, true);
      const json a = parseJson(utf8), b = parseJson(ascii);
      ASSERT_FALSE(a.is_discarded()) << "lead " << lead;
      ASSERT_FALSE(b.is_discarded()) << "lead " << lead;
      EXPECT_EQ(a, b) << "lead " << lead;
      const std::string shown = a["externalId"].get<std::string>();
      // What survives is exactly what JsonDoc (the reader's validator) takes as UTF-8.
      const std::string quoted = "\"" + shown + "\"";
      JsonDoc doc;
      ASSERT_TRUE(doc.parse(quoted)) << "lead " << lead;
      EXPECT_EQ(doc.root().stringValue(), shown);
      if (lead >= 0xF5 || (lead >= 0x80 && lead < 0xC2)) {
        EXPECT_EQ(shown.rfind("id.\xEF\xBF\xBD", 0), 0u) << "lead " << lead << " is never a character";
      }
      RecordStream stream;
      appendRecordStream(stream, r);
      size_t units = 0;
      for (size_t k = 0; k < stream.wide.size(); ++k) units += stream.wide[k] == 0xFFFD;
      size_t replaced = 0;
      for (size_t at = shown.find("\xEF\xBF\xBD"); at != std::string::npos; at = shown.find("\xEF\xBF\xBD", at + 3)) ++replaced;
      EXPECT_EQ(units, replaced) << "lead " << lead << ": the stream replaces the same bytes";
    }
  }
}

TEST(RecordJson, NormalizeIntoMatchesNormalizeJson) {
  std::ifstream in(std::string(STORELINK_FIXTURES) + "/kiotviet/customers_page.json", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string body = ss.str();
  for (const char* opts : {"", "{\"raw\":true}", "[]"}) {
    const std::string text = api::normalizeJson("kiotviet", "customers", body, opts);
    std::string ascii = "stale";
    api::normalizeInto(ascii, "kiotviet", "customers", body, opts, true);
    EXPECT_TRUE(isAscii(ascii));
    EXPECT_EQ(parseJson(text), parseJson(ascii)) << opts;
  }
  std::string out;
  api::normalizeInto(out, "kiotviet", "products", "{\"data\":[", "", true);
  EXPECT_EQ(parseJson(out)["errors"][0]["code"], "invalid_json");
}

}  // namespace
}  // namespace storelink
