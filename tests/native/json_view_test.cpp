// JsonDoc must accept, reject and read exactly like parseJson (nlohmann): a connector moved
// from `json` to `JsonValue` may not change a single record. Differential tests against
// nlohmann on hand-picked corner cases, on the fixtures, and on deterministic mutations.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "storelink/json.hpp"
#include "storelink/json_view.hpp"

namespace storelink {
namespace {

std::string typeName(const json& j) {
  if (j.is_number_unsigned()) return "unsigned";
  if (j.is_number_integer()) return "integer";
  if (j.is_number_float()) return "float";
  return j.type_name();
}

// Same structure, same number kinds, same values (bit-for-bit for doubles).
void expectSameTree(const json& a, const json& b, const std::string& where) {
  ASSERT_EQ(typeName(a), typeName(b)) << where;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << where << "." << it.key();
      expectSameTree(it.value(), b.at(it.key()), where + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i) expectSameTree(a[i], b[i], where + "[" + std::to_string(i) + "]");
  } else if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    ASSERT_EQ(0, std::memcmp(&x, &y, sizeof x)) << where << ": " << x << " vs " << y;
  } else {
    ASSERT_EQ(a, b) << where;
  }
}

// Every accessor gives the same answer on both representations, for every member.
void expectSameAccessors(const json& j, const JsonValue& v, const std::string& where) {
  EXPECT_EQ(js::str(&j), js::str(&v)) << where;
  EXPECT_EQ(js::text(&j), js::text(&v)) << where;
  EXPECT_EQ(js::num(&j), js::num(&v)) << where;
  EXPECT_EQ(js::id(&j), js::id(&v)) << where;
  EXPECT_EQ(js::boolean(&j), js::boolean(&v)) << where;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const JsonValue* m = js::field(v, it.key());
      ASSERT_NE(m, nullptr) << where << "." << it.key();
      expectSameAccessors(it.value(), *m, where + "." + it.key());
      EXPECT_EQ(js::array(j, it.key()) != nullptr, js::array(v, it.key()) != nullptr);
      EXPECT_EQ(js::object(j, it.key()) != nullptr, js::object(v, it.key()) != nullptr);
    }
    EXPECT_EQ(js::field(v, "no such key"), nullptr);
  } else if (j.is_array()) {
    size_t i = 0;
    for (const JsonValue& e : v) {
      ASSERT_LT(i, j.size());
      expectSameAccessors(j[i], e, where + "[" + std::to_string(i) + "]");
      ++i;
    }
    EXPECT_EQ(i, j.size());
  }
}

void expectSameAsNlohmann(const std::string& text) {
  const json j = parseJson(text);
  JsonDoc doc;
  const bool ok = doc.parse(text);
  ASSERT_EQ(!j.is_discarded(), ok) << "accept/reject differs on: " << text.substr(0, 200);
  if (!ok) return;
  expectSameTree(j, toJson(doc.root()), "$");
  expectSameAccessors(j, doc.root(), "$");
  EXPECT_EQ(dumpJson(j), dumpJson(doc.root()));
}

TEST(JsonView, CornerCasesMatchNlohmann) {
  const std::vector<std::string> cases = {
      // valid
      "{}", "[]", "0", "-0", "1", "-1", "true", "false", "null", "\"\"", " \t\r\n[ 1 , 2 ] \n",
      "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
      "9223372036854775807", "9223372036854775808", "0.1", "-0.0", "1e2", "1E-2", "1e+2", "16500.000000",
      "0.000001234", "123456789012345678901234567890", "1.7976931348623157e308", "4.9e-324", "1e-400",
      "2.2250738585072014e-308", "0.30000000000000004", "9007199254740993.0", "1234567890123456789.5",
      "0.0000000000000000000000001", "123456789012345678.5", "1234567890123456789012", "-12345678901234567890",
      "12345678901234567890", "-1234567890123456789", "0e5", "-0e-5", "1.0e-22", "1e22", "1e23", "9007199254740993e-3",
      "12345678901234567890123e-10", "0.1e1", "100.25e-2", "[-0.0,0.000,1E0,2e-0]",
      "\"\\u00e9\\u1EA1\\uD83D\\uDE00 \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u0000\"", "\"caf\xC3\xA9 \xE1\xBA\xA1 \xF0\x9F\x98\x80\"",
      "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"x\"}", "[[[[[]]]]]", "\xEF\xBB\xBF{\"bom\":1}",
      "{\"id\":\"  42 \",\"n\":\" 150000.00 \",\"b\":\"True\",\"e\":\"\",\"s\":\" \xC2\xA0 \"}",
      "{\"f\":1.0,\"g\":0,\"h\":1,\"i\":2,\"j\":\"0\",\"k\":\"1e3\",\"l\":\"0x10\",\"m\":\"inf\"}",
      // invalid
      "", " ", "{", "[", "]", "{]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "+1", "1e",
      "1e+", "-01", "tru", "nul", "falsey", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDC00\"",
      "\"\\uD800\\u0041\"", "\"a\tb\"", "\"\x01\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
      "\"\xE2\x82\"", "\"\xFF\"", "1e400", "-1e400", "[1] x", "{} {}", "\xEF\xBB{}", "\xEF{}", "\x00",
      "{\"a\":1}\x00", "nan", "Infinity", "[1 2]", "{\"a\":1 \"b\":2}", "//c\n1", "[\"\xC3\"]",
  };
  for (const auto& c : cases) expectSameAsNlohmann(c);
}

TEST(JsonView, DeepNestingNeedsNoRecursion) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  JsonDoc doc;
  ASSERT_TRUE(doc.parse(deep));
  EXPECT_TRUE(doc.root().is_array());
  EXPECT_FALSE(doc.parse(deep.substr(0, deep.size() - 1)));
}

TEST(JsonView, FailedParseLeavesANullRoot) {
  JsonDoc doc;
  ASSERT_TRUE(doc.parse("{\"a\":1}"));
  EXPECT_FALSE(doc.parse("{\"a\":"));
  EXPECT_TRUE(doc.root().is_null());
  EXPECT_EQ(js::field(doc.root(), "a"), nullptr);
}

TEST(JsonView, LastDuplicateKeyWinsAndIterationKeepsDocumentOrder) {
  JsonDoc doc;
  ASSERT_TRUE(doc.parse(R"({"z":1,"a":2,"z":3})"));
  EXPECT_EQ(js::num(doc.root(), "z"), 3.0);
  std::vector<std::string> keys;
  for (auto it = doc.root().begin(); it != doc.root().end(); ++it) keys.emplace_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "z"}));
  EXPECT_EQ(doc.root().size(), 3u);
}

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(STORELINK_FIXTURES) + "/kiotviet/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(JsonView, FixturesAndTheirMutationsMatchNlohmann) {
  const char* files[] = {"products_page.json", "orders_page.json", "customers_page.json", "customer_single.json",
                         "error_token.json", "truncated_products.json", "webhook_product_update.json",
                         "webhook_stock_update.json"};
  // Deterministic byte-level mutations (truncate, flip, insert JSON-significant bytes): most
  // break the syntax, some keep it; either way both parsers must agree.
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto rnd = [&state](uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % n;
  };
  const char bytes[] = {'"', '\\', ',', ':', '{', '}', '[', ']', '0', '-', 'e', '.', ' ', 'u', '\xC3', '\xA9', '\x80', '\n'};
  for (const char* f : files) {
    const std::string text = readFixture(f);
    ASSERT_FALSE(text.empty()) << f;
    expectSameAsNlohmann(text);
    for (int k = 0; k < 150; ++k) {
      std::string m = text;
      switch (rnd(3)) {
        case 0: m.resize(rnd(m.size() + 1)); break;
        case 1: m[rnd(m.size())] = bytes[rnd(sizeof bytes)]; break;
        default: m.insert(m.begin() + static_cast<long>(rnd(m.size() + 1)), bytes[rnd(sizeof bytes)]); break;
      }
      expectSameAsNlohmann(m);
    }
  }
}

}  // namespace
}  // namespace storelink
