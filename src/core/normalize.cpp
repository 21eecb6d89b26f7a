// Value normalizers: phones, times, text, addresses. No locale, no clock, no exceptions.
#include "storelink/normalize.hpp"

#include <array>
#include <cstddef>
#include <cstring>

namespace storelink {

namespace {

bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Trims ASCII whitespace and U+00A0 (UTF-8 C2 A0) from both ends.
std::string_view trimView(std::string_view s) {
  for (;;) {
    if (!s.empty() && isAsciiSpace(s.front())) {
      s.remove_prefix(1);
    } else if (s.size() >= 2 && s[0] == '\xC2' && s[1] == '\xA0') {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && isAsciiSpace(s.back())) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s[s.size() - 2] == '\xC2' && s[s.size() - 1] == '\xA0') {
      // C2 is never a continuation byte, so this is always a whole NBSP.
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

// ---------------------------------------------------------------------------
// Phones

// Legacy 11-digit mobile prefix (4 digits incl. the 0) → its 2018 replacement (3 digits).
struct LegacyPrefix {
  const char* from;
  const char* to;
};
constexpr std::array<LegacyPrefix, 21> kLegacyMobile{{
    {"0162", "032"}, {"0163", "033"}, {"0164", "034"}, {"0165", "035"}, {"0166", "036"},
    {"0167", "037"}, {"0168", "038"}, {"0169", "039"},                                    // Viettel
    {"0120", "070"}, {"0121", "079"}, {"0122", "077"}, {"0126", "076"}, {"0128", "078"},  // MobiFone
    {"0123", "083"}, {"0124", "084"}, {"0125", "085"}, {"0127", "081"}, {"0129", "082"},  // VinaPhone
    {"0186", "056"}, {"0188", "058"},                                                     // Vietnamobile
    {"0199", "059"},                                                                      // Gmobile
}};

// A national-format number (leading 0) → "+84" and its subscriber digits, or nullopt if not
// a valid Vietnamese mobile/landline.
std::optional<std::string> vnE164(std::string_view national) {
  if (national.size() < 2 || national[0] != '0') return std::nullopt;
  const char kind = national[1];
  const auto e164 = [](std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(3 + a.size() + b.size());
    out.append("+84").append(a).append(b);
    return std::optional<std::string>(std::move(out));
  };
  if (national.size() == 10) {
    if (kind == '3' || kind == '5' || kind == '7' || kind == '8' || kind == '9') return e164(national.substr(1), {});
    return std::nullopt;
  }
  if (national.size() == 11) {
    if (kind == '2') return e164(national.substr(1), {});  // landline: 02x(x) + subscriber, 11 digits
    if (kind == '1') {
      const std::string_view head = national.substr(0, 4);
      for (const auto& p : kLegacyMobile) {
        if (head == p.from) return e164(std::string_view(p.to + 1), national.substr(4));
      }
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Dates and times

bool isLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                       // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;     // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month, day;
};

Civil civilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads exactly n digits at s[pos..]; advances pos.
bool readDigits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!isDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool validDate(int y, int m, int d) {
  return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

struct DateTimeFields {
  int year = 0, month = 0, day = 0;
  int hour = 0, minute = 0, second = 0, millis = 0;
  bool hasOffset = false;
  int offsetMinutes = 0;
};

// Parses "[+-]HH[:MM]", "[+-]HHMM" or "Z" at s[pos..] to the end of s.
bool parseOffset(std::string_view s, size_t pos, int& minutes) {
  if (pos >= s.size()) return false;
  const char c = s[pos];
  if (c == 'Z' || c == 'z') return pos + 1 == s.size();
  if (c != '+' && c != '-') return false;
  ++pos;
  int hh = 0, mm = 0;
  if (!readDigits(s, pos, 2, hh)) return false;
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    if (!readDigits(s, pos, 2, mm)) return false;
  }
  if (pos != s.size() || hh > 23 || mm > 59) return false;
  minutes = (c == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

// The ISO-8601 grammar documented in the header; the whole (trimmed) string must match.
std::optional<DateTimeFields> parseIsoFields(std::string_view s) {
  s = trimView(s);
  DateTimeFields f;
  size_t pos = 0;
  if (!readDigits(s, pos, 4, f.year) || pos >= s.size() || s[pos++] != '-' ||
      !readDigits(s, pos, 2, f.month) || pos >= s.size() || s[pos++] != '-' ||
      !readDigits(s, pos, 2, f.day)) {
    return std::nullopt;
  }
  if (!validDate(f.year, f.month, f.day)) return std::nullopt;
  if (pos == s.size()) return f;  // pure date

  const char sep = s[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  if (!readDigits(s, pos, 2, f.hour) || pos >= s.size() || s[pos++] != ':' ||
      !readDigits(s, pos, 2, f.minute)) {
    return std::nullopt;
  }
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!readDigits(s, pos, 2, f.second)) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      const size_t start = pos;
      int ms = 0;
      while (pos < s.size() && isDigit(s[pos])) {
        if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
        ++pos;
      }
      const size_t n = pos - start;
      if (n == 0) return std::nullopt;
      for (size_t k = n; k < 3; ++k) ms *= 10;
      f.millis = ms;
    }
  }
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return std::nullopt;
  if (pos == s.size()) return f;
  // "2025-03-19 10:58:36 +07:00": one space before a signed offset is tolerated.
  if (s[pos] == ' ' && pos + 1 < s.size() && (s[pos + 1] == '+' || s[pos + 1] == '-')) ++pos;
  if (!parseOffset(s, pos, f.offsetMinutes)) return std::nullopt;
  f.hasOffset = true;
  return f;
}

void append2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

void appendYear(std::string& out, int64_t y) {
  if (y < 0) {
    out += '-';
    y = -y;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + y % 10);
    y /= 10;
  } while (y > 0);
  for (int k = n; k < 4; ++k) out += '0';
  while (n > 0) out += buf[--n];
}

// "YYYY-MM-DDTHH:MM:SS" + '.' + fractionDigits digits (zeros beyond milliseconds). Built in
// a stack buffer: it runs for every timestamp of every record.
size_t formatWallClockInto(char* buf, int64_t ms, int fractionDigits) {
  constexpr int64_t kDayMs = 86400000;
  const int64_t days = floorDiv(ms, kDayMs);
  int64_t inDay = ms % kDayMs;  // → [0, kDayMs) (no days * kDayMs: it can overflow at the extremes)
  if (inDay < 0) inDay += kDayMs;
  const Civil c = civilFromDays(days);
  const int millis = static_cast<int>(inDay % 1000);
  const int secs = static_cast<int>(inDay / 1000);
  size_t n = 0;
  const auto two = [&](int v) {
    buf[n++] = static_cast<char>('0' + v / 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  int64_t y = c.year;
  if (y < 0) {
    buf[n++] = '-';
    y = -y;
  }
  char digits[24];
  int nd = 0;
  do {
    digits[nd++] = static_cast<char>('0' + y % 10);
    y /= 10;
  } while (y > 0);
  for (int k = nd; k < 4; ++k) buf[n++] = '0';
  while (nd > 0) buf[n++] = digits[--nd];
  buf[n++] = '-';
  two(c.month);
  buf[n++] = '-';
  two(c.day);
  buf[n++] = 'T';
  two(secs / 3600);
  buf[n++] = ':';
  two(secs / 60 % 60);
  buf[n++] = ':';
  two(secs % 60);
  if (fractionDigits > 0) {
    buf[n++] = '.';
    const char frac[3] = {static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                          static_cast<char>('0' + millis % 10)};
    for (int k = 0; k < fractionDigits; ++k) buf[n++] = k < 3 ? frac[k] : '0';
  }
  return n;
}

std::string formatWallClock(int64_t ms, int fractionDigits) {
  char buf[64];
  return std::string(buf, formatWallClockInto(buf, ms, fractionDigits));
}

// ---------------------------------------------------------------------------
// Text

// Decodes one UTF-8 sequence at s[i]; returns its length (0 if invalid).
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t len = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  return len;
}

// A Vietnamese letter with diacritics (precomposed) → its ASCII base, lower-case; 0 if none.
char vietnameseBase(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFD) {
    switch (cp | 0x20) {  // Latin-1: upper and lower differ by 0x20
      case 0xE0: case 0xE1: case 0xE2: case 0xE3: return 'a';  // à á â ã
      case 0xE8: case 0xE9: case 0xEA: return 'e';             // è é ê
      case 0xEC: case 0xED: return 'i';                        // ì í
      case 0xF2: case 0xF3: case 0xF4: case 0xF5: return 'o';  // ò ó ô õ
      case 0xF9: case 0xFA: return 'u';                        // ù ú
      case 0xFD: return 'y';                                   // ý
      default: return 0;
    }
  }
  switch (cp) {
    case 0x0102: case 0x0103: return 'a';  // Ă ă
    case 0x0110: case 0x0111: return 'd';  // Đ đ
    case 0x0128: case 0x0129: return 'i';  // Ĩ ĩ
    case 0x0168: case 0x0169: return 'u';  // Ũ ũ
    case 0x01A0: case 0x01A1: return 'o';  // Ơ ơ
    case 0x01AF: case 0x01B0: return 'u';  // Ư ư
    default: break;
  }
  if (cp >= 0x1EA0 && cp <= 0x1EF9) {  // Latin Extended Additional: Ạ … ỹ
    if (cp <= 0x1EB7) return 'a';
    if (cp <= 0x1EC7) return 'e';
    if (cp <= 0x1ECB) return 'i';
    if (cp <= 0x1EE3) return 'o';
    if (cp <= 0x1EF1) return 'u';
    return 'y';
  }
  return 0;
}

bool startsWithFolded(std::string_view s, std::string_view foldedPrefix, size_t& rawLen) {
  // Compares code point by code point so the raw byte length of the match is known.
  size_t i = 0, j = 0;
  while (j < foldedPrefix.size()) {
    if (i >= s.size()) return false;
    char32_t cp = 0;
    size_t len = decodeUtf8(s, i, cp);
    if (len == 0) return false;
    const std::string folded = foldVietnamese(s.substr(i, len));
    i += len;
    if (folded.empty()) continue;  // combining mark
    if (foldedPrefix.substr(j, folded.size()) != folded) return false;
    j += folded.size();
  }
  rawLen = i;
  return true;
}

}  // namespace

void addImage(std::vector<std::string>& images, std::optional<std::string> url) {
  if (!url || !isHttpUrl(*url)) return;
  for (const auto& have : images)
    if (have == *url) return;
  images.push_back(std::move(*url));
}

std::optional<std::string> nonEmpty(std::string_view s) {
  s = trimView(s);
  if (s.empty()) return std::nullopt;
  return std::string(s);
}

std::optional<std::string> normalizePhone(std::string_view raw) {
  const std::string_view t = trimView(raw);
  if (t.empty()) return std::nullopt;
  const auto keep = [&] { return std::optional<std::string>(std::string(t)); };

  // The digits, in a fixed buffer (this runs for every phone field of every record): the
  // longest valid form, "0084 (0) 2xx…", has 15; more cannot be one Vietnamese number.
  char digits[16];
  size_t n = 0;
  bool plus = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (isDigit(c)) {
      if (n == sizeof digits) return keep();
      digits[n++] = c;
    } else if (c == '+' && !plus && n == 0) {
      plus = true;  // "(+84) 912 …" allowed: '+' before any digit
    } else if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '(' || c == ')') {
      continue;
    } else if (c == '\xC2' && i + 1 < t.size() && t[i + 1] == '\xA0') {
      ++i;  // NBSP inside the number
    } else {
      return keep();  // letters ("ext", "máy lẻ"), '/', ',' …: not a single phone number
    }
  }
  if (n == 0) return keep();

  const std::string_view d(digits, n);
  // After a country code the national number is the rest with its leading 0 ("+84 (0) 912 …"
  // already has it): built in place, the slot before the rest holds the 0.
  char national[17];
  const auto afterCountryCode = [&](std::string_view rest) {
    if (!rest.empty() && rest[0] == '0') return rest;
    national[0] = '0';
    std::memcpy(national + 1, rest.data(), rest.size());
    return std::string_view(national, rest.size() + 1);
  };
  std::string_view nat;
  if (plus) {
    if (d.substr(0, 2) != "84") return keep();  // another country
    nat = afterCountryCode(d.substr(2));
  } else if (d.substr(0, 4) == "0084") {
    nat = afterCountryCode(d.substr(4));
  } else if (d.substr(0, 2) == "84" && d.size() >= 11) {
    // "84912345678"; also "84" + 10 digits (landline / legacy mobile) — a national number
    // never starts with 8, so this cannot misread a local one. Validated below.
    nat = afterCountryCode(d.substr(2));
  } else if (d[0] == '0' && d.substr(0, 2) != "00") {
    nat = d;
  } else {
    return keep();
  }
  auto e164 = vnE164(nat);
  if (!e164) return keep();
  return e164;
}

std::optional<int64_t> parseDateTime(std::string_view s, int defaultOffsetMinutes) {
  const auto f = parseIsoFields(s);
  if (!f) return std::nullopt;
  const int64_t days = daysFromCivil(f->year, f->month, f->day);
  const int64_t secs = days * 86400 + f->hour * 3600 + f->minute * 60 + f->second;
  const int offset = f->hasOffset ? f->offsetMinutes : defaultOffsetMinutes;
  return (secs - static_cast<int64_t>(offset) * 60) * 1000 + f->millis;
}

size_t formatIsoUtcInto(char (&buf)[64], int64_t epochMs) {
  size_t n = formatWallClockInto(buf, epochMs, 3);
  buf[n++] = 'Z';
  return n;
}

std::string formatIsoUtc(int64_t epochMs) {
  char buf[64];
  return std::string(buf, formatIsoUtcInto(buf, epochMs));
}

std::string formatLocal(int64_t epochMs, int offsetMinutes, int fractionDigits) {
  if (fractionDigits < 0) fractionDigits = 0;
  if (fractionDigits > 7) fractionDigits = 7;
  int64_t local = 0;
  if (__builtin_add_overflow(epochMs, static_cast<int64_t>(offsetMinutes) * 60000, &local)) local = epochMs;
  return formatWallClock(local, fractionDigits);
}

std::optional<std::string> dateOnly(std::string_view s) {
  s = trimView(s);
  if (parseIsoFields(s)) return std::string(s.substr(0, 10));

  // "dd/MM/yyyy" (also d/M/yyyy, '-' as separator), optionally followed by " HH:mm[:ss]".
  size_t pos = 0;
  const auto readNumber = [&](size_t minDigits, size_t maxDigits, int& out) {
    const size_t start = pos;
    int v = 0;
    while (pos < s.size() && isDigit(s[pos]) && pos - start < maxDigits) v = v * 10 + (s[pos++] - '0');
    out = v;
    return pos - start >= minDigits && (pos >= s.size() || !isDigit(s[pos]));
  };
  int day = 0, month = 0, year = 0;
  if (!readNumber(1, 2, day) || pos >= s.size()) return std::nullopt;
  const char sep = s[pos++];
  if (sep != '/' && sep != '-') return std::nullopt;
  if (!readNumber(1, 2, month) || pos >= s.size() || s[pos++] != sep) return std::nullopt;
  if (!readNumber(4, 4, year)) return std::nullopt;
  if (!validDate(year, month, day)) return std::nullopt;
  if (pos != s.size()) {
    if (s[pos++] != ' ') return std::nullopt;
    int hh = 0, mm = 0, ss = 0;
    if (!readDigits(s, pos, 2, hh) || pos >= s.size() || s[pos++] != ':' || !readDigits(s, pos, 2, mm)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!readDigits(s, pos, 2, ss)) return std::nullopt;
    }
    if (pos != s.size() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  }
  std::string out;
  out.reserve(10);
  appendYear(out, year);
  out += '-';
  append2(out, month);
  out += '-';
  append2(out, day);
  return out;
}

std::pair<std::optional<std::string>, std::optional<std::string>> splitProvinceDistrict(std::string_view s) {
  const std::string_view t = trimView(s);
  if (t.empty()) return {std::nullopt, std::nullopt};
  // Pad so that a dangling "Hà Nội -" or "- Quận 1" still splits.
  const std::string padded = " " + std::string(t) + " ";
  const std::string_view p = padded;
  size_t from = 0;
  // "Bà Rịa - Vũng Tàu" is one province whose official name contains " - ".
  size_t rawLen = 0;
  // An ASCII first byte folds to itself (lower-cased), so only 'B'/'b' or a non-ASCII byte
  // can start a match: the common case skips the per-character folding.
  const unsigned char first = static_cast<unsigned char>(p[1]);
  const bool mayMatch = first == 'B' || first == 'b' || first >= 0x80;
  if (mayMatch && startsWithFolded(p.substr(1), "ba ria - vung tau", rawLen) && p[1 + rawLen] == ' ') from = 1 + rawLen;
  const size_t cut = p.find(" - ", from);
  if (cut == std::string_view::npos) return {nonEmpty(t), std::nullopt};
  return {nonEmpty(p.substr(0, cut)), nonEmpty(p.substr(cut + 3))};
}

std::string foldVietnamese(std::string_view s) {
  // Folding never lengthens the text: written in place into a buffer of the input's size,
  // then cut (std::string's += is an out-of-line call under Emscripten; this runs on status
  // labels and genders of every row).
  std::string out(s.size(), '\0');
  size_t n = 0;
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    const size_t len = decodeUtf8(s, i, cp);
    if (len == 0) {  // invalid byte: copied unchanged
      out[n++] = s[i++];
      continue;
    }
    if (len == 1) {
      const char c = s[i];
      out[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (cp >= 0x0300 && cp <= 0x036F) {
      // combining mark (NFD input): dropped
    } else if (const char base = vietnameseBase(cp)) {
      out[n++] = base;
    } else {
      s.copy(out.data() + n, len, i);
      n += len;
    }
    i += len;
  }
  out.resize(n);
  return out;
}

std::optional<std::string> htmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;  // a cut-off tag: drop the rest
      std::string tag;
      for (size_t k = i + 1; k < end && tag.size() < 6; ++k) {
        char t = html[k];
        if (t == ' ' || (t == '/' && !tag.empty())) break;
        tag += static_cast<char>(t >= 'A' && t <= 'Z' ? t - 'A' + 'a' : t);
      }
      if (tag == "br" || tag == "br/" || tag == "/p" || tag == "/div" || tag == "/li" || tag == "/h1" || tag == "/h2" ||
          tag == "/h3" || tag == "/tr")
        out += '\n';
      i = end + 1;
      continue;
    }
    if (c == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
      bool matched = false;
      for (const auto& [name, text] : kEntities) {
        std::string_view n(name);
        if (html.substr(i, n.size()) == n) {
          out += text;
          i += n.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    out += c;
    ++i;
  }
  // Trim each line; keep single line breaks between non-empty lines.
  std::string result;
  size_t start = 0;
  while (start <= out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    std::string_view line = trimView(std::string_view(out).substr(start, nl - start));
    if (!line.empty()) {
      if (!result.empty()) result += '\n';
      result += line;
    }
    start = nl + 1;
  }
  return nonEmpty(result);
}

}  // namespace storelink
