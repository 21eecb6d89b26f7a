// Tests for storelink/normalize.hpp: phones, times, dates, addresses, text.
#include "storelink/normalize.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace storelink {
namespace {

using OptStr = std::optional<std::string>;

// ---------------------------------------------------------------------------
// nonEmpty

TEST(NonEmpty, TrimsAsciiWhitespace) {
  EXPECT_EQ(nonEmpty("  Nguyễn Văn An \t\r\n"), OptStr("Nguyễn Văn An"));
  EXPECT_EQ(nonEmpty("\v\fabc\f"), OptStr("abc"));
}

TEST(NonEmpty, TrimsNbsp) {
  EXPECT_EQ(nonEmpty("\xC2\xA0 Áo thun nam\xC2\xA0"), OptStr("Áo thun nam"));
  EXPECT_EQ(nonEmpty("\xC2\xA0\xC2\xA0"), std::nullopt);
}

TEST(NonEmpty, KeepsInnerWhitespace) {
  EXPECT_EQ(nonEmpty(" Quận  1 "), OptStr("Quận  1"));
  EXPECT_EQ(nonEmpty("a\xC2\xA0" "b"), OptStr("a\xC2\xA0" "b"));
}

TEST(NonEmpty, EmptyAndBlankAreNullopt) {
  EXPECT_EQ(nonEmpty(""), std::nullopt);
  EXPECT_EQ(nonEmpty("   "), std::nullopt);
  EXPECT_EQ(nonEmpty("\t\n"), std::nullopt);
}

TEST(NonEmpty, DoesNotEatOtherMultibyteCharacters) {
  // "à" is C3 A0: its A0 byte must not be mistaken for an NBSP tail.
  EXPECT_EQ(nonEmpty("Hà"), OptStr("Hà"));
  EXPECT_EQ(nonEmpty(" cà "), OptStr("cà"));
}

// ---------------------------------------------------------------------------
// normalizePhone

TEST(NormalizePhone, MobileNationalFormats) {
  EXPECT_EQ(normalizePhone("0912345678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("0912 345 678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("0912.345.678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("0912-345-678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("(091) 234-5678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("  0987 654 321  "), OptStr("+84987654321"));
}

TEST(NormalizePhone, AllMobileRanges) {
  EXPECT_EQ(normalizePhone("0321234567"), OptStr("+84321234567"));  // Viettel 03x
  EXPECT_EQ(normalizePhone("0561234567"), OptStr("+84561234567"));  // Vietnamobile 05x
  EXPECT_EQ(normalizePhone("0701234567"), OptStr("+84701234567"));  // MobiFone 07x
  EXPECT_EQ(normalizePhone("0831234567"), OptStr("+84831234567"));  // VinaPhone 08x
  EXPECT_EQ(normalizePhone("0961234567"), OptStr("+84961234567"));  // 09x
}

TEST(NormalizePhone, InternationalPrefixes) {
  EXPECT_EQ(normalizePhone("+84912345678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("+84 912 345 678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("+84-912.345.678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("(+84) 912 345 678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("84912345678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("0084912345678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("0084 912 345 678"), OptStr("+84912345678"));
  EXPECT_EQ(normalizePhone("+84 (0) 912 345 678"), OptStr("+84912345678"));
}

TEST(NormalizePhone, Landlines) {
  EXPECT_EQ(normalizePhone("024 3826 1234"), OptStr("+842438261234"));   // Hà Nội
  EXPECT_EQ(normalizePhone("028 3823 4567"), OptStr("+842838234567"));   // TP.HCM
  EXPECT_EQ(normalizePhone("(0236) 382 1234"), OptStr("+842363821234")); // Đà Nẵng
  EXPECT_EQ(normalizePhone("+84 28 3823 4567"), OptStr("+842838234567"));
  EXPECT_EQ(normalizePhone("842838234567"), OptStr("+842838234567"));
}

TEST(NormalizePhone, LegacyElevenDigitMobiles) {
  EXPECT_EQ(normalizePhone("01623456789"), OptStr("+84323456789"));
  EXPECT_EQ(normalizePhone("0169 345 6789"), OptStr("+84393456789"));
  EXPECT_EQ(normalizePhone("01201234567"), OptStr("+84701234567"));
  EXPECT_EQ(normalizePhone("01211234567"), OptStr("+84791234567"));
  EXPECT_EQ(normalizePhone("01221234567"), OptStr("+84771234567"));
  EXPECT_EQ(normalizePhone("01261234567"), OptStr("+84761234567"));
  EXPECT_EQ(normalizePhone("01281234567"), OptStr("+84781234567"));
  EXPECT_EQ(normalizePhone("01231234567"), OptStr("+84831234567"));
  EXPECT_EQ(normalizePhone("01241234567"), OptStr("+84841234567"));
  EXPECT_EQ(normalizePhone("01251234567"), OptStr("+84851234567"));
  EXPECT_EQ(normalizePhone("01271234567"), OptStr("+84811234567"));
  EXPECT_EQ(normalizePhone("01291234567"), OptStr("+84821234567"));
  EXPECT_EQ(normalizePhone("01861234567"), OptStr("+84561234567"));
  EXPECT_EQ(normalizePhone("01881234567"), OptStr("+84581234567"));
  EXPECT_EQ(normalizePhone("01991234567"), OptStr("+84591234567"));
}

TEST(NormalizePhone, LegacyWithCountryCode) {
  EXPECT_EQ(normalizePhone("+84 162 345 6789"), OptStr("+84323456789"));
  EXPECT_EQ(normalizePhone("+841683456789"), OptStr("+84383456789"));
  EXPECT_EQ(normalizePhone("841683456789"), OptStr("+84383456789"));
  EXPECT_EQ(normalizePhone("00841683456789"), OptStr("+84383456789"));
}

TEST(NormalizePhone, UnknownLegacyPrefixIsKept) {
  // 0130, 0187, 0161 were never mobile prefixes.
  EXPECT_EQ(normalizePhone("01301234567"), OptStr("01301234567"));
  EXPECT_EQ(normalizePhone("01871234567"), OptStr("01871234567"));
  EXPECT_EQ(normalizePhone("01611234567"), OptStr("01611234567"));
}

TEST(NormalizePhone, InvalidVietnameseNumbersAreKeptTrimmed) {
  EXPECT_EQ(normalizePhone(" 091234567 "), OptStr("091234567"));        // 9 digits
  EXPECT_EQ(normalizePhone("09123456789"), OptStr("09123456789"));      // 11-digit 09x
  EXPECT_EQ(normalizePhone("0212345678"), OptStr("0212345678"));        // 10-digit 02x
  EXPECT_EQ(normalizePhone("0412345678"), OptStr("0412345678"));        // no 04x mobiles
  EXPECT_EQ(normalizePhone("0612345678"), OptStr("0612345678"));
  EXPECT_EQ(normalizePhone("+84 91234"), OptStr("+84 91234"));
  EXPECT_EQ(normalizePhone("8491234567"), OptStr("8491234567"));        // 84 + 8 digits
  EXPECT_EQ(normalizePhone("912345678"), OptStr("912345678"));          // no prefix at all
}

TEST(NormalizePhone, LongestValidFormAndLongerInputs) {
  // The digits are gathered in a 16-byte buffer: the longest valid form has 15 ("0084", the
  // "(0)", 10 more), and anything longer is kept as written, never cut to a valid-looking number.
  EXPECT_EQ(normalizePhone("0084 (0) 24 3826 1234"), OptStr("+842438261234"));
  EXPECT_EQ(normalizePhone("0084 (0) 162 345 6789"), OptStr("+84323456789"));
  EXPECT_EQ(normalizePhone("0084 (0) 24 3826 12345"), OptStr("0084 (0) 24 3826 12345"));             // 16
  EXPECT_EQ(normalizePhone("0912345678 0912345678"), OptStr("0912345678 0912345678"));               // 20
  EXPECT_EQ(normalizePhone("+84 912 345 678 912 345 678"), OptStr("+84 912 345 678 912 345 678"));  // 20
}

TEST(NormalizePhone, ForeignNumbersAreKept) {
  EXPECT_EQ(normalizePhone("+1 415 555 0100"), OptStr("+1 415 555 0100"));
  EXPECT_EQ(normalizePhone("+65 6123 4567"), OptStr("+65 6123 4567"));
  EXPECT_EQ(normalizePhone("0065 6123 4567"), OptStr("0065 6123 4567"));
}

TEST(NormalizePhone, GarbageAndExtensionsAreKept) {
  EXPECT_EQ(normalizePhone("028 3823 4567 ext 12"), OptStr("028 3823 4567 ext 12"));
  EXPECT_EQ(normalizePhone("028 3823 4567 máy lẻ 12"), OptStr("028 3823 4567 máy lẻ 12"));
  EXPECT_EQ(normalizePhone("0912345678 / 0987654321"), OptStr("0912345678 / 0987654321"));
  EXPECT_EQ(normalizePhone("chưa có"), OptStr("chưa có"));
  EXPECT_EQ(normalizePhone("---"), OptStr("---"));
  EXPECT_EQ(normalizePhone("0912+345678"), OptStr("0912+345678"));  // '+' after digits
  EXPECT_EQ(normalizePhone("++84912345678"), OptStr("++84912345678"));
}

TEST(NormalizePhone, EmptyIsNullopt) {
  EXPECT_EQ(normalizePhone(""), std::nullopt);
  EXPECT_EQ(normalizePhone("   "), std::nullopt);
  EXPECT_EQ(normalizePhone("\xC2\xA0\t"), std::nullopt);
}

TEST(NormalizePhone, NbspInsideNumber) {
  EXPECT_EQ(normalizePhone("0912\xC2\xA0" "345\xC2\xA0" "678"), OptStr("+84912345678"));
}

// ---------------------------------------------------------------------------
// parseDateTime

constexpr int kVn = kVietnamOffsetMinutes;

TEST(ParseDateTime, UtcWithZ) {
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36.447Z", kVn), std::optional<int64_t>(1742381916447));
  EXPECT_EQ(parseDateTime("2025-03-19t10:58:36.447z", kVn), std::optional<int64_t>(1742381916447));
}

TEST(ParseDateTime, KiotVietSevenFractionDigitsWithoutOffset) {
  EXPECT_EQ(parseDateTime("2025-03-19T17:58:36.4470000", kVn), std::optional<int64_t>(1742381916447));
}

TEST(ParseDateTime, FractionTruncatedNotRounded) {
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36.4479999Z", 0), std::optional<int64_t>(1742381916447));
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36.4Z", 0), std::optional<int64_t>(1742381916400));
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36.04Z", 0), std::optional<int64_t>(1742381916040));
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36.999999999999Z", 0), std::optional<int64_t>(1742381916999));
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36,447Z", 0), std::optional<int64_t>(1742381916447));
}

TEST(ParseDateTime, Offsets) {
  const std::optional<int64_t> want(1742381916000);
  EXPECT_EQ(parseDateTime("2025-03-19T17:58:36+07:00", 0), want);
  EXPECT_EQ(parseDateTime("2025-03-19T17:58:36+0700", 0), want);
  EXPECT_EQ(parseDateTime("2025-03-19T17:58:36+07", 0), want);
  EXPECT_EQ(parseDateTime("2025-03-19T05:58:36-05:00", kVn), want);
  EXPECT_EQ(parseDateTime("2025-03-19T16:28:36+05:30", kVn), want);
  EXPECT_EQ(parseDateTime("2025-03-19T10:58:36+00:00", kVn), want);
  // Ruby/Rails-style (Sapo, Haravan): space before the offset.
  EXPECT_EQ(parseDateTime("2025-03-19 17:58:36 +07:00", 0), want);
  EXPECT_EQ(parseDateTime("2025-03-19 17:58:36 +0700", 0), want);
}

TEST(ParseDateTime, DefaultOffsetAppliesWithoutOffset) {
  EXPECT_EQ(parseDateTime("2025-03-19 17:58:36", kVn), std::optional<int64_t>(1742381916000));
  EXPECT_EQ(parseDateTime("2025-03-19 10:58:36", 0), std::optional<int64_t>(1742381916000));  // Odoo (UTC)
  EXPECT_EQ(parseDateTime("2025-01-01T00:00:00", -300), std::optional<int64_t>(1735707600000));
}

TEST(ParseDateTime, MinutesOnlyAndPureDate) {
  EXPECT_EQ(parseDateTime("2025-03-19T17:58", kVn), std::optional<int64_t>(1742381880000));
  EXPECT_EQ(parseDateTime("2025-03-19", kVn), std::optional<int64_t>(1742317200000));  // 00:00 +07:00
  EXPECT_EQ(parseDateTime("2000-02-29", 0), std::optional<int64_t>(951782400000));
}

TEST(ParseDateTime, TrimsSurroundingWhitespace) {
  EXPECT_EQ(parseDateTime("  2025-03-19T10:58:36Z \n", 0), std::optional<int64_t>(1742381916000));
}

TEST(ParseDateTime, YearRange) {
  EXPECT_EQ(parseDateTime("1900-01-01T00:00:00Z", 0), std::optional<int64_t>(-2208988800000));
  EXPECT_EQ(parseDateTime("9999-12-31T23:59:59.999Z", 0), std::optional<int64_t>(253402300799999));
  EXPECT_EQ(parseDateTime("1969-12-31T23:59:59.999Z", 0), std::optional<int64_t>(-1));
  EXPECT_EQ(parseDateTime("1899-12-31T23:59:59Z", 0), std::nullopt);
  EXPECT_EQ(parseDateTime("0001-01-01T00:00:00Z", 0), std::nullopt);  // .NET DateTime.MinValue
}

TEST(ParseDateTime, LeapYears) {
  EXPECT_EQ(parseDateTime("2024-02-29T12:00:00Z", 0), std::optional<int64_t>(1709208000000));
  EXPECT_TRUE(parseDateTime("2000-02-29", 0));
  EXPECT_FALSE(parseDateTime("2025-02-29", 0));
  EXPECT_FALSE(parseDateTime("1900-02-29", 0));  // divisible by 100, not 400
  EXPECT_FALSE(parseDateTime("2024-02-30", 0));
}

TEST(ParseDateTime, RejectsOutOfRangeFields) {
  EXPECT_FALSE(parseDateTime("2025-00-10", 0));
  EXPECT_FALSE(parseDateTime("2025-13-10", 0));
  EXPECT_FALSE(parseDateTime("2025-04-31", 0));
  EXPECT_FALSE(parseDateTime("2025-01-00", 0));
  EXPECT_FALSE(parseDateTime("2025-01-32", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T24:00:00", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T23:60:00", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T23:59:60", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:00:00+24:00", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:00:00+07:60", 0));
}

TEST(ParseDateTime, RejectsMalformed) {
  EXPECT_FALSE(parseDateTime("", 0));
  EXPECT_FALSE(parseDateTime("   ", 0));
  EXPECT_FALSE(parseDateTime("19/03/2025", 0));
  EXPECT_FALSE(parseDateTime("2025-3-19", 0));
  EXPECT_FALSE(parseDateTime("25-03-19", 0));
  EXPECT_FALSE(parseDateTime("2025/03/19", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:5", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:3", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:36.", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:36.447ZZ", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:36+7", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:36+07:0", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19T10:58:36 Z", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19Z", 0));
  EXPECT_FALSE(parseDateTime("2025-03-19x10:58:36", 0));
  EXPECT_FALSE(parseDateTime("/Date(1742381916447)/", 0));
  EXPECT_FALSE(parseDateTime("1742381916447", 0));
}

// ---------------------------------------------------------------------------
// formatIsoUtc / formatLocal

TEST(FormatIsoUtc, Basic) {
  EXPECT_EQ(formatIsoUtc(1742381916447), "2025-03-19T10:58:36.447Z");
  EXPECT_EQ(formatIsoUtc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatIsoUtc(1709208000000), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(formatIsoUtc(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(FormatIsoUtc, NegativeEpoch) {
  EXPECT_EQ(formatIsoUtc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatIsoUtc(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(formatIsoUtc(-2208988800000), "1900-01-01T00:00:00.000Z");
  EXPECT_EQ(formatIsoUtc(-2208988799999), "1900-01-01T00:00:00.001Z");
}

TEST(FormatIsoUtc, RoundTripsThroughParse) {
  const char* samples[] = {"1900-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2000-02-29T23:59:59.001Z",
                           "2025-03-19T10:58:36.447Z", "2100-03-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"};
  for (const char* s : samples) {
    const auto ms = parseDateTime(s, kVn);
    ASSERT_TRUE(ms) << s;
    EXPECT_EQ(formatIsoUtc(*ms), s);
  }
  // Every day boundary across several leap cycles (1896..2104 around 1900 and 2000/2100).
  for (int64_t day = -25567; day <= 48000; day += 1) {
    const int64_t ms = day * 86400000 + 12345;
    const auto back = parseDateTime(formatIsoUtc(ms), 0);
    ASSERT_TRUE(back) << formatIsoUtc(ms);
    ASSERT_EQ(*back, ms);
  }
}

TEST(FormatLocal, VietnamTime) {
  EXPECT_EQ(formatLocal(1742381916447, kVn, 3), "2025-03-19T17:58:36.447");
  EXPECT_EQ(formatLocal(1742381916447, kVn, 0), "2025-03-19T17:58:36");
  EXPECT_EQ(formatLocal(1742381916447, kVn, 1), "2025-03-19T17:58:36.4");
  EXPECT_EQ(formatLocal(1742381916447, kVn, 7), "2025-03-19T17:58:36.4470000");
  EXPECT_EQ(formatLocal(1742381916447, 0, 3), "2025-03-19T10:58:36.447");
}

TEST(FormatLocal, CrossesDayAndOffsets) {
  EXPECT_EQ(formatLocal(1742317200000, kVn, 0), "2025-03-19T00:00:00");  // 2025-03-18T17:00Z
  EXPECT_EQ(formatLocal(1735707600000, -300, 0), "2025-01-01T00:00:00");
  EXPECT_EQ(formatLocal(0, -60, 3), "1969-12-31T23:00:00.000");
}

TEST(FormatLocal, ClampsFractionDigits) {
  EXPECT_EQ(formatLocal(1742381916447, kVn, -2), "2025-03-19T17:58:36");
  EXPECT_EQ(formatLocal(1742381916447, kVn, 12), "2025-03-19T17:58:36.4470000");
}

TEST(FormatLocal, RoundTripsKiotVietFormat) {
  const std::string s = "2025-03-19T17:58:36.4470000";
  const auto ms = parseDateTime(s, kVn);
  ASSERT_TRUE(ms);
  EXPECT_EQ(formatLocal(*ms, kVn, 7), s);
}

// ---------------------------------------------------------------------------
// dateOnly

TEST(DateOnly, IsoForms) {
  EXPECT_EQ(dateOnly("1988-02-14"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("1988-02-14T00:00:00"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("1988-02-14T00:00:00.0000000"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("1988-02-14 00:00:00"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("1988-02-14T23:30:00+07:00"), OptStr("1988-02-14"));  // as written
  EXPECT_EQ(dateOnly("1988-02-13T17:00:00Z"), OptStr("1988-02-13"));       // as written, no zone shift
  EXPECT_EQ(dateOnly("  2000-02-29 "), OptStr("2000-02-29"));
}

TEST(DateOnly, VietnameseDayMonthYear) {
  EXPECT_EQ(dateOnly("14/02/1988"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("4/2/1988"), OptStr("1988-02-04"));
  EXPECT_EQ(dateOnly("29/02/2024"), OptStr("2024-02-29"));
  EXPECT_EQ(dateOnly("31-12-1999"), OptStr("1999-12-31"));
  EXPECT_EQ(dateOnly("14/02/1988 00:00:00"), OptStr("1988-02-14"));
  EXPECT_EQ(dateOnly("14/02/1988 08:30"), OptStr("1988-02-14"));
}

TEST(DateOnly, Invalid) {
  EXPECT_EQ(dateOnly(""), std::nullopt);
  EXPECT_EQ(dateOnly("   "), std::nullopt);
  EXPECT_EQ(dateOnly("1988-02-30"), std::nullopt);
  EXPECT_EQ(dateOnly("1988-13-01"), std::nullopt);
  EXPECT_EQ(dateOnly("1988-02-14Tgarbage"), std::nullopt);
  EXPECT_EQ(dateOnly("0001-01-01T00:00:00"), std::nullopt);
  EXPECT_EQ(dateOnly("30/02/1988"), std::nullopt);
  EXPECT_EQ(dateOnly("29/02/2025"), std::nullopt);
  EXPECT_EQ(dateOnly("14/13/1988"), std::nullopt);
  EXPECT_EQ(dateOnly("00/01/1988"), std::nullopt);
  EXPECT_EQ(dateOnly("14/02/88"), std::nullopt);
  EXPECT_EQ(dateOnly("14/02-1988"), std::nullopt);
  EXPECT_EQ(dateOnly("014/02/1988"), std::nullopt);
  EXPECT_EQ(dateOnly("14/02/19880"), std::nullopt);
  EXPECT_EQ(dateOnly("14/02/1988 25:00"), std::nullopt);
  EXPECT_EQ(dateOnly("14/02/1988 abc"), std::nullopt);
  EXPECT_EQ(dateOnly("ngày 14 tháng 2"), std::nullopt);
}

// ---------------------------------------------------------------------------
// splitProvinceDistrict

using Split = std::pair<OptStr, OptStr>;

TEST(SplitProvinceDistrict, ProvinceAndDistrict) {
  EXPECT_EQ(splitProvinceDistrict("Hồ Chí Minh - Quận 1"), Split("Hồ Chí Minh", "Quận 1"));
  EXPECT_EQ(splitProvinceDistrict("Hà Nội - Quận Ba Đình"), Split("Hà Nội", "Quận Ba Đình"));
  EXPECT_EQ(splitProvinceDistrict("Đà Nẵng - Quận Hải Châu"), Split("Đà Nẵng", "Quận Hải Châu"));
}

TEST(SplitProvinceDistrict, ProvinceOnly) {
  EXPECT_EQ(splitProvinceDistrict("Hà Nội"), Split("Hà Nội", std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("  Cần Thơ  "), Split("Cần Thơ", std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("Hà Nội -"), Split("Hà Nội", std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("Hà Nội - "), Split("Hà Nội", std::nullopt));
}

TEST(SplitProvinceDistrict, DistrictOnly) {
  EXPECT_EQ(splitProvinceDistrict(" - Quận 1"), Split(std::nullopt, "Quận 1"));
  EXPECT_EQ(splitProvinceDistrict("- Quận 1"), Split(std::nullopt, "Quận 1"));
}

TEST(SplitProvinceDistrict, ExtraSpacesTrimmed) {
  EXPECT_EQ(splitProvinceDistrict("  Hồ Chí Minh   -   Quận 1  "), Split("Hồ Chí Minh", "Quận 1"));
  EXPECT_EQ(splitProvinceDistrict("\xC2\xA0Hồ Chí Minh - Quận 1\xC2\xA0"), Split("Hồ Chí Minh", "Quận 1"));
}

TEST(SplitProvinceDistrict, SplitsOnFirstSeparatorOnly) {
  EXPECT_EQ(splitProvinceDistrict("Hồ Chí Minh - Quận 1 - Phường Bến Nghé"),
            Split("Hồ Chí Minh", "Quận 1 - Phường Bến Nghé"));
}

TEST(SplitProvinceDistrict, HyphenWithoutSpacesIsNotASeparator) {
  EXPECT_EQ(splitProvinceDistrict("Hồ Chí Minh-Quận 1"), Split("Hồ Chí Minh-Quận 1", std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("Bà Rịa-Vũng Tàu - Thành phố Vũng Tàu"),
            Split("Bà Rịa-Vũng Tàu", "Thành phố Vũng Tàu"));
}

TEST(SplitProvinceDistrict, BaRiaVungTauKeepsItsOwnHyphen) {
  // The province's official name contains " - "; it is never split in two.
  EXPECT_EQ(splitProvinceDistrict("Bà Rịa - Vũng Tàu - Thành phố Vũng Tàu"),
            Split("Bà Rịa - Vũng Tàu", "Thành phố Vũng Tàu"));
  EXPECT_EQ(splitProvinceDistrict("Bà Rịa - Vũng Tàu"), Split("Bà Rịa - Vũng Tàu", std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("BÀ RỊA - VŨNG TÀU - Huyện Côn Đảo"), Split("BÀ RỊA - VŨNG TÀU", "Huyện Côn Đảo"));
  EXPECT_EQ(splitProvinceDistrict("Ba Ria - Vung Tau - Thanh pho Ba Ria"), Split("Ba Ria - Vung Tau", "Thanh pho Ba Ria"));
}

TEST(SplitProvinceDistrict, Empty) {
  EXPECT_EQ(splitProvinceDistrict(""), Split(std::nullopt, std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("   "), Split(std::nullopt, std::nullopt));
  EXPECT_EQ(splitProvinceDistrict(" - "), Split(std::nullopt, std::nullopt));
  EXPECT_EQ(splitProvinceDistrict("-"), Split(std::nullopt, std::nullopt));
}

// ---------------------------------------------------------------------------
// foldVietnamese

TEST(FoldVietnamese, Names) {
  EXPECT_EQ(foldVietnamese("Đỗ Thị Ánh"), "do thi anh");
  EXPECT_EQ(foldVietnamese("Nguyễn Văn Hưởng"), "nguyen van huong");
  EXPECT_EQ(foldVietnamese("Trần Quốc Tuấn"), "tran quoc tuan");
  EXPECT_EQ(foldVietnamese("Phạm Thị Thủy"), "pham thi thuy");
  EXPECT_EQ(foldVietnamese("Lê Ngọc Hân"), "le ngoc han");
}

TEST(FoldVietnamese, PlacesAndProducts) {
  EXPECT_EQ(foldVietnamese("Hồ Chí Minh"), "ho chi minh");
  EXPECT_EQ(foldVietnamese("Thừa Thiên Huế"), "thua thien hue");
  EXPECT_EQ(foldVietnamese("Áo sơ mi trắng cổ bẻ"), "ao so mi trang co be");
  EXPECT_EQ(foldVietnamese("Cà phê sữa đá"), "ca phe sua da");
}

TEST(FoldVietnamese, AllLowerCaseVowelsWithDiacritics) {
  const std::string lower =
      "àáảãạ ăằắẳẵặ âầấẩẫậ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ đ";
  EXPECT_EQ(foldVietnamese(lower), "aaaaa aaaaaa aaaaaa eeeee eeeeee iiiii ooooo oooooo oooooo uuuuu uuuuuu yyyyy d");
}

TEST(FoldVietnamese, AllUpperCaseVowelsWithDiacritics) {
  const std::string upper =
      "ÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ ÈÉẺẼẸ ÊỀẾỂỄỆ ÌÍỈĨỊ ÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ ÙÚỦŨỤ ƯỪỨỬỮỰ ỲÝỶỸỴ Đ";
  EXPECT_EQ(foldVietnamese(upper), "aaaaa aaaaaa aaaaaa eeeee eeeeee iiiii ooooo oooooo oooooo uuuuu uuuuuu yyyyy d");
}

TEST(FoldVietnamese, DecomposedInput) {
  // NFD: "Đỗ Thị Ánh" as base letters + combining marks (U+0302, U+0303, U+0323, U+0301).
  EXPECT_EQ(foldVietnamese("\xC4\x90o\xCC\x82\xCC\x83 Thi\xCC\xA3 A\xCC\x81nh"), "do thi anh");
  // "Ư" + combining hook above as U+031B horn.
  EXPECT_EQ(foldVietnamese("U\xCC\x9B\xCC\x80"), "u");
}

TEST(FoldVietnamese, AsciiAndOthersUnchangedExceptCase) {
  EXPECT_EQ(foldVietnamese("SKU-ABC 123_x"), "sku-abc 123_x");
  EXPECT_EQ(foldVietnamese(""), "");
  // Non-Vietnamese letters and scripts pass through unchanged (not lower-cased).
  EXPECT_EQ(foldVietnamese("Ñ ü Ä ß"), "Ñ ü Ä ß");
  EXPECT_EQ(foldVietnamese("Hàng 日本 😀"), "hang 日本 😀");
  EXPECT_EQ(foldVietnamese("50\xC2\xA0%"), "50\xC2\xA0%");
}

TEST(FoldVietnamese, InvalidUtf8BytesCopied) {
  EXPECT_EQ(foldVietnamese("A\xFF" "B"), "a\xFF" "b");
  EXPECT_EQ(foldVietnamese("x\xE1\xBA"), "x\xE1\xBA");  // truncated sequence
}

TEST(AddImage, KeepsHttpLinksOnceInFirstSeenOrder) {
  std::vector<std::string> images;
  addImage(images, std::string("https://cdn.example.vn/a.jpg"));
  addImage(images, std::string("http://cdn.example.vn/b.jpg"));
  addImage(images, std::string("https://cdn.example.vn/a.jpg"));  // seen: once only
  addImage(images, std::string("//cdn.example.vn/c.jpg"));         // not absolute
  addImage(images, std::string("ftp://cdn.example.vn/d.jpg"));
  addImage(images, std::string("HTTPS://cdn.example.vn/e.jpg"));  // the scheme as platforms send it: lower case
  addImage(images, std::string("https:/"));
  addImage(images, std::nullopt);
  EXPECT_EQ(images, (std::vector<std::string>{"https://cdn.example.vn/a.jpg", "http://cdn.example.vn/b.jpg"}));
  EXPECT_TRUE(isHttpUrl("http://x"));
  EXPECT_FALSE(isHttpUrl("http:/"));
}

}  // namespace
}  // namespace storelink
