#include "storelink/json.hpp"
#include "storelink/json_view.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "storelink/normalize.hpp"

namespace storelink {

std::optional<double> parseNumber(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  // strtod accepts hex, inf, nan and leading spaces; JSON-ish decimals only.
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return std::nullopt;
  }
  char buf[65];
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  double d = std::strtod(buf, &end);
  if (end != buf + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

}  // namespace storelink

namespace storelink::js {

namespace {
std::string doubleText(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) {
    return std::to_string(static_cast<std::int64_t>(d));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string numberText(const json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return doubleText(v.get<double>());
}

std::string numberText(const JsonValue& v) {
  if (v.is_number_unsigned()) return std::to_string(v.unsignedValue());
  if (v.is_number_integer()) return std::to_string(v.intValue());
  return doubleText(v.doubleValue());
}
}  // namespace

std::optional<std::string> str(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return numberText(*v);
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  return std::nullopt;
}

std::optional<std::string> text(const json* v) {
  auto s = str(v);
  if (!s) return std::nullopt;
  return nonEmpty(*s);
}

std::optional<double> num(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    double d = v->get<double>();
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
  }
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    auto t = nonEmpty(s);
    if (!t) return std::nullopt;
    return parseNumber(*t);
  }
  return std::nullopt;
}

std::optional<std::string> id(const json* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return nonEmpty(v->get_ref<const std::string&>());
  if (v->is_number()) return numberText(*v);
  return std::nullopt;
}

std::optional<bool> boolean(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_number_integer() || v->is_number_unsigned()) {
    auto i = v->get<std::int64_t>();
    if (i == 0 || i == 1) return i == 1;
    return std::nullopt;
  }
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "true" || s == "True" || s == "1") return true;
    if (s == "false" || s == "False" || s == "0") return false;
  }
  return std::nullopt;
}

// The same rules over JsonValue (json_view.hpp): keep the two sets in step.

std::optional<std::string> str(const JsonValue* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->stringValue());
  if (v->is_number()) return numberText(*v);
  if (v->is_boolean()) return v->boolValue() ? "true" : "false";
  return std::nullopt;
}

std::optional<std::string> text(const JsonValue* v) {
  if (v != nullptr && v->is_string()) return nonEmpty(v->stringValue());  // no copy before trimming
  auto s = str(v);
  if (!s) return std::nullopt;
  return nonEmpty(*s);
}

std::optional<double> num(const JsonValue* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    double d = v->numberValue();
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
  }
  if (v->is_string()) {
    auto t = nonEmpty(v->stringValue());
    if (!t) return std::nullopt;
    return parseNumber(*t);
  }
  return std::nullopt;
}

std::optional<std::string> id(const JsonValue* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return nonEmpty(v->stringValue());
  if (v->is_number()) return numberText(*v);
  return std::nullopt;
}

std::optional<bool> boolean(const JsonValue* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->boolValue();
  if (v->is_number_integer()) {
    auto i = v->is_number_unsigned() ? static_cast<std::int64_t>(v->unsignedValue()) : v->intValue();
    if (i == 0 || i == 1) return i == 1;
    return std::nullopt;
  }
  if (v->is_string()) {
    const auto s = v->stringValue();
    if (s == "true" || s == "True" || s == "1") return true;
    if (s == "false" || s == "False" || s == "0") return false;
  }
  return std::nullopt;
}

}  // namespace storelink::js
