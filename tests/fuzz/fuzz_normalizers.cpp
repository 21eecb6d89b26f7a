// The value normalizers of include/storelink/normalize.hpp (phones, date-times, dates, text,
// addresses), money/number parsing (parseNumber, js::num) and the codecs they lean on.
// Invariants are properties, not just "no crash":
//   normalizePhone is idempotent, and its E.164 output is +84 and digits;
//   parseDateTime → formatIsoUtc → parseDateTime is exact; formatLocal reads back at its offset;
//   dateOnly gives a parseable YYYY-MM-DD; split parts are trimmed and non-empty;
//   foldVietnamese is idempotent on valid UTF-8 and leaves no ASCII upper case;
//   a parsed amount survives the record JSON writer exactly; base64 round-trips.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>

#include "fuzz_util.hpp"
#include "storelink/crypto.hpp"
#include "storelink/normalize.hpp"
#include "storelink/record.hpp"

using namespace storelink;

namespace {

bool validUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    const auto c1 = len > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return false;
    i += len;
  }
  return true;
}

bool isTrimmedNonEmpty(const std::optional<std::string>& v) { return !v || nonEmpty(*v) == v; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int offset = fdp.ConsumeIntegralInRange<int>(-24 * 60, 24 * 60);
  const int digits = fdp.ConsumeIntegralInRange<int>(-2, 9);
  const int64_t anyMs = fdp.ConsumeIntegral<int64_t>();
  const std::string a = fdp.ConsumeRandomLengthString(256);
  const std::string b = fdp.ConsumeRemainingBytesAsString();

  for (const std::string& s : {a, b}) {
    // Phones.
    auto phone = normalizePhone(s);
    if (phone) {
      FUZZ_CHECK(!phone->empty(), "phone non-empty");
      FUZZ_CHECK(normalizePhone(*phone) == phone, "normalizePhone is idempotent");
      const bool normalized = *phone != nonEmpty(s);  // else kept as typed ("+84" alone stays "+84")
      if (normalized) {
        FUZZ_CHECK(phone->rfind("+84", 0) == 0 && phone->find_first_not_of("0123456789", 1) == std::string::npos &&
                       (phone->size() == 12 || phone->size() == 13),
                   "a normalized phone is +84 and 9 or 10 subscriber digits");
      }
    }
    // Date-times.
    if (auto ms = parseDateTime(s, offset)) {
      auto back = parseDateTime(formatIsoUtc(*ms), 0);
      if (back) FUZZ_CHECK(*back == *ms, "parseDateTime → formatIsoUtc → parseDateTime is exact");
      auto local = parseDateTime(formatLocal(*ms, offset, 3), offset);
      if (local) FUZZ_CHECK(*local == *ms, "formatLocal reads back at its offset");
    }
    if (auto d = dateOnly(s)) {
      FUZZ_CHECK(d->size() == 10 && parseDateTime(*d, 0).has_value(), "dateOnly gives a valid YYYY-MM-DD");
    }
    // Text, addresses.
    auto ne = nonEmpty(s);
    FUZZ_CHECK(!ne || nonEmpty(*ne) == ne, "nonEmpty is idempotent");
    auto [province, district] = splitProvinceDistrict(s);
    FUZZ_CHECK(isTrimmedNonEmpty(province) && isTrimmedNonEmpty(district), "split parts are trimmed, non-empty");
    const std::string folded = foldVietnamese(s);
    for (char c : folded) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "folded text has no ASCII upper case");
    if (validUtf8(s)) FUZZ_CHECK(foldVietnamese(folded) == folded, "foldVietnamese is idempotent on valid UTF-8");
    // Money: a parsed amount (bare or as a JSON string value) survives the record writer.
    const json asString(s), asJson = parseJson(s);
    for (auto amount : {parseNumber(s), js::num(&asString), js::num(&asJson)}) {
      if (!amount) continue;
      FUZZ_CHECK(std::isfinite(*amount), "amounts are finite");
      Record r;
      Variant v;
      v.externalId = "1";
      v.price = *amount;
      Product p;
      p.variants.push_back(v);
      r.externalId = "1";
      r.body = p;
      json out = parseJson(recordToJson(r));
      const json* price = out.is_object() ? &out["variants"][0]["price"] : nullptr;
      FUZZ_CHECK(price && price->is_number() && price->get<double>() == (*amount == 0 ? 0.0 : *amount),
                 "amount survives the record JSON writer exactly");
    }
    // Codecs.
    FUZZ_CHECK(crypto::toBase64(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == base64Encode(s),
               "the two base64 encoders agree");
    auto decoded = crypto::fromBase64(base64Encode(s));
    FUZZ_CHECK(decoded && *decoded == s, "base64 round-trips");
    (void)crypto::fromBase64(s);
    for (char c : percentEncode(s)) {
      FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     c == '-' || c == '_' || c == '.' || c == '~' || c == '%',
                 "percentEncode leaves only unreserved characters");
    }
  }

  // Formatting any instant at any offset never crashes, and reads back when in range.
  const std::string local = formatLocal(anyMs, offset, digits);
  if (auto back = parseDateTime(local, offset); back && digits >= 3) {
    FUZZ_CHECK(*back == anyMs, "formatLocal(ms) reads back to ms");
  }
  const std::string iso = formatIsoUtc(anyMs);
  if (auto back = parseDateTime(iso, 0)) FUZZ_CHECK(*back == anyMs, "formatIsoUtc(ms) reads back to ms");
  return 0;
}
