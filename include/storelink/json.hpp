// nlohmann/json, used without exceptions: parse with the non-throwing overload and read
// values only through these accessors, which check types instead of throwing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace storelink {

using json = nlohmann::json;

// Parses `text`; returns a discarded value on any syntax error, truncation or bad UTF-8.
inline json parseJson(std::string_view text) { return json::parse(text.begin(), text.end(), nullptr, false); }

// Serializes without ever aborting on invalid UTF-8 (replaced with U+FFFD).
inline std::string dumpJson(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Parses a whole string as a decimal number ("150000.00", "-3", "1e3"); no locale, no throw.
// (libc++ 14 in Emscripten 3.1.6 has no floating-point from_chars.)
std::optional<double> parseNumber(std::string_view s);

// double → int64 that is defined for every input: nullopt for NaN, ±Inf and values outside
// [lo, hi] (default ±2^53, the integers a JS number holds exactly). A bare static_cast there
// is undefined behaviour; found by tests/fuzz (huge "expires_in", "maxPages", checkpoints).
inline std::optional<int64_t> toInt64(double d, double lo = -9007199254740992.0, double hi = 9007199254740992.0) {
  if (!(d >= lo && d <= hi)) return std::nullopt;  // false for NaN too
  return static_cast<int64_t>(d);
}

// double → int for codes, statuses and counts read from platform bodies: `fallback` for NaN,
// ±Inf and anything outside int's range (MISA "ErrorType": 5e+200 was UB, tests/fuzz).
inline int toIntOr(double d, int fallback) {
  if (!(d >= -2147483648.0 && d <= 2147483647.0)) return fallback;
  return static_cast<int>(d);
}
// The same for int64 (times, ids): `fallback` outside ±2^53.
inline int64_t toInt64Or(double d, int64_t fallback) { return toInt64(d).value_or(fallback); }

namespace js {

// The member `key` of `obj`, or nullptr when obj is not an object or has no such key.
// Keys are looked up exactly as given; use `anyField` for platforms whose casing varies.
inline const json* field(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

inline bool isNull(const json* v) { return v == nullptr || v->is_null(); }

// String value; numbers are rendered as text (ids often arrive as either). null/absent → nullopt.
std::optional<std::string> str(const json* v);
inline std::optional<std::string> str(const json& obj, std::string_view key) { return str(field(obj, key)); }

// Like str() but an empty or blank string is nullopt too ("strings empty in the source are null").
std::optional<std::string> text(const json* v);
inline std::optional<std::string> text(const json& obj, std::string_view key) { return text(field(obj, key)); }

// Number value; numeric strings ("150000.00") are accepted. Anything else → nullopt.
std::optional<double> num(const json* v);
inline std::optional<double> num(const json& obj, std::string_view key) { return num(field(obj, key)); }

// Integer id rendered as a decimal string without loss (ids can exceed 2^53 in some platforms).
std::optional<std::string> id(const json* v);
inline std::optional<std::string> id(const json& obj, std::string_view key) { return id(field(obj, key)); }

// Booleans; also 0/1 and "true"/"false" strings.
std::optional<bool> boolean(const json* v);
inline std::optional<bool> boolean(const json& obj, std::string_view key) { return boolean(field(obj, key)); }

// Array member, or nullptr when absent or not an array.
inline const json* array(const json& obj, std::string_view key) {
  const json* v = field(obj, key);
  return (v && v->is_array()) ? v : nullptr;
}
inline const json* object(const json& obj, std::string_view key) {
  const json* v = field(obj, key);
  return (v && v->is_object()) ? v : nullptr;
}

}  // namespace js
}  // namespace storelink
