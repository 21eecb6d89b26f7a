// Value normalizers shared by every connector: phones, times, text, addresses.
// Pure functions; no locale, no clock, no exceptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storelink {

// Vietnam local time (UTC+7), the zone KiotViet REST and Nhanh.vn use for strings without offset.
inline constexpr int kVietnamOffsetMinutes = 7 * 60;

// Trimmed copy (ASCII whitespace and NBSP); empty → nullopt.
std::optional<std::string> nonEmpty(std::string_view s);

// An absolute http(s) URL (the only image links a record keeps).
inline bool isHttpUrl(std::string_view s) { return s.substr(0, 7) == "http://" || s.substr(0, 8) == "https://"; }
// Appends an image link: http(s) only, each link once, in the order first seen.
void addImage(std::vector<std::string>& images, std::optional<std::string> url);

// Phones: valid Vietnamese numbers → E.164 ("0912 345 678", "84912345678", "+84-912.345.678"
// → "+84912345678"); legacy 11-digit mobiles mapped through the 2018 renumbering
// (0162–0169 → 032–039, 0120/0121/0122/0126/0128 → 070/079/077/076/078,
// 0123/0124/0125/0127/0129 → 083/084/085/081/082, 0186/0188 → 056/058, 0199 → 059);
// anything else kept trimmed as given; empty → nullopt.
std::optional<std::string> normalizePhone(std::string_view raw);

// ISO-8601 date-time → epoch milliseconds (UTC). Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM",
// seconds, any number of fractional digits (KiotViet sends 7), a space instead of 'T',
// and an offset ("Z", "+07:00", "+0700"). A string without offset is read in
// `defaultOffsetMinutes` east of UTC. Invalid → nullopt.
std::optional<int64_t> parseDateTime(std::string_view s, int defaultOffsetMinutes);

// Epoch ms → "2025-03-19T10:58:36.447Z" (always milliseconds, always Z).
std::string formatIsoUtc(int64_t epochMs);
// The same text written into `buf` (ASCII, at most 30 bytes) → its length: no allocation.
size_t formatIsoUtcInto(char (&buf)[64], int64_t epochMs);

// Epoch ms → wall-clock time at `offsetMinutes` without an offset suffix, with
// `fractionDigits` (0..7) digits: formatLocal(ms, 420, 3) → "2025-03-19T17:58:36.447".
std::string formatLocal(int64_t epochMs, int offsetMinutes, int fractionDigits);

// A date-time or date string → "YYYY-MM-DD" as written (birthdays carry no zone meaning:
// "1988-02-14T00:00:00" → "1988-02-14"). Invalid → nullopt.
std::optional<std::string> dateOnly(std::string_view s);

// KiotViet "Tỉnh - Quận" locationName → {province, district}; either side may be nullopt.
std::pair<std::optional<std::string>, std::optional<std::string>> splitProvinceDistrict(std::string_view s);

// HTML (Odoo notes, Getfly descriptions) → plain text: tags dropped (<br>, </p>, </div>, </li>
// become line breaks), the common entities decoded, blank lines and edges trimmed; "" → nullopt.
std::optional<std::string> htmlToText(std::string_view html);

// Lower-case, diacritics removed ("Đỗ Thị Ánh" → "do thi anh"): for search keys.
std::string foldVietnamese(std::string_view s);

}  // namespace storelink
