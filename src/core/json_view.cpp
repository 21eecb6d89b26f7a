// JsonDoc: a one-pass, allocation-light JSON parser with nlohmann's accept/reject rules.
// The grammar and the corner cases follow nlohmann/detail/input/lexer.hpp (v3.11):
// BOM skipped only at the very start, whitespace = space/tab/LF/CR, strings must be valid
// UTF-8 (RFC 3629 ranges) without raw control characters, \u surrogates must pair, positive
// integers are unsigned, negative ones signed, either falls back to a double when it does
// not fit, and a double that overflows is an error.
#include "storelink/json_view.hpp"

#include <cmath>
#include <cstdlib>

namespace storelink {

namespace {

inline bool isWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

inline int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (p + 4 <= end checked by the caller) → code unit, or -1.
inline int32_t hex4(const char* p) {
  int32_t v = 0;
  for (int k = 0; k < 4; ++k) {
    const int h = hexValue(p[k]);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Exact powers of ten for the fast path (10^22 is the largest exact double power).
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The double strtod gives for the JSON number text [b, e). Clinger's fast path when the
// significand fits 53 bits and the power of ten is exact (one correctly rounded operation,
// so the same bits as a correctly rounded strtod); strtod itself otherwise.
bool parseDouble(const char* b, const char* e, double& out) {
  const char* p = b;
  const bool neg = *p == '-';
  if (neg) ++p;
  uint64_t mant = 0;
  int significant = 0, exp10 = 0;
  bool seenDot = false, tooLong = false;
  for (; p < e && (isDigit(*p) || *p == '.'); ++p) {
    if (*p == '.') {
      seenDot = true;
      continue;
    }
    const int d = *p - '0';
    if (mant == 0 && d == 0) {  // leading zeros: only their place in the fraction counts
      if (seenDot) --exp10;
      continue;
    }
    if (significant == 19) {
      tooLong = true;
      break;
    }
    mant = mant * 10 + static_cast<uint64_t>(d);
    ++significant;
    if (seenDot) --exp10;
  }
  if (!tooLong) {
    if (p < e && (*p == 'e' || *p == 'E')) {
      ++p;
      bool eneg = false;
      if (*p == '+' || *p == '-') eneg = *p++ == '-';
      int ev = 0;
      for (; p < e; ++p) {
        if (ev < 100000) ev = ev * 10 + (*p - '0');
      }
      exp10 += eneg ? -ev : ev;
    }
    if (mant == 0) {  // zero with any exponent
      out = neg ? -0.0 : 0.0;
      return true;
    }
    if (mant <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
      double d = static_cast<double>(mant);
      d = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
      out = neg ? -d : d;
      return true;
    }
  }
  char buf[64];
  std::string big;
  const size_t n = static_cast<size_t>(e - b);
  const char* s;
  if (n < sizeof buf) {
    std::memcpy(buf, b, n);
    buf[n] = '\0';
    s = buf;
  } else {
    big.assign(b, n);
    s = big.c_str();
  }
  out = std::strtod(s, nullptr);
  return std::isfinite(out);
}

}  // namespace

bool JsonDoc::parse(std::string_view text) {
  nodes_.clear();
  keys_.clear();
  strings_.clear();
  objects_.clear();
  if (text.size() >= UINT32_MAX / 2) return false;
  nodes_.reserve(text.size() / 6 + 8);

  const char* p = text.data();
  const char* const end = p + text.size();
  const auto fail = [&] {
    nodes_.clear();
    keys_.clear();
    objects_.clear();
    nodes_.emplace_back();  // root() stays valid: a null
    return false;
  };
  if (p < end && static_cast<unsigned char>(*p) == 0xEF) {
    if (end - p < 3 || static_cast<unsigned char>(p[1]) != 0xBB || static_cast<unsigned char>(p[2]) != 0xBF) return fail();
    p += 3;
  }

  struct Frame {
    uint32_t node;
    uint32_t firstKey;  // index into pendingKeys
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> pendingKeys;  // key node indices of the open objects, innermost last

  const auto push = [&](JsonValue::Type t) {
    nodes_.emplace_back();
    nodes_.back().type_ = t;
    return static_cast<uint32_t>(nodes_.size() - 1);
  };

  // Parses the string whose opening quote is at p; pushes a String node.
  const auto parseString = [&]() -> bool {
    const char* start = ++p;
    for (;;) {
      p += detail::plainJsonRun(p, static_cast<size_t>(end - p));
      if (p >= end) return false;
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c == '\\') goto slow;
      if (c < 0x80) return false;  // a control character (plainJsonRun stops only on these)
      // Vietnamese text: validate consecutive multi-byte characters without going back to
      // the ASCII scanner between them.
      do {
        const size_t len = detail::utf8Length(reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
        if (len == 0) return false;
        p += len;
      } while (p < end && static_cast<unsigned char>(*p) >= 0x80);
    }
    {
      const uint32_t i = push(JsonValue::Type::String);
      nodes_[i].u_.s = start;
      nodes_[i].size_ = static_cast<uint32_t>(p - start);
      ++p;
      return true;
    }
  slow:
    // Escapes: decode into strings_. Its capacity is the whole text, and a decoded string is
    // never longer than its source, so the data never moves and earlier pointers stay valid.
    if (strings_.capacity() < text.size()) strings_.reserve(text.size());
    const size_t from = strings_.size();
    strings_.append(start, static_cast<size_t>(p - start));
    for (;;) {
      if (p >= end) return false;
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c == '\\') {
        if (p + 1 >= end) return false;
        const char esc = p[1];
        p += 2;
        switch (esc) {
          case '"': strings_ += '"'; break;
          case '\\': strings_ += '\\'; break;
          case '/': strings_ += '/'; break;
          case 'b': strings_ += '\b'; break;
          case 'f': strings_ += '\f'; break;
          case 'n': strings_ += '\n'; break;
          case 'r': strings_ += '\r'; break;
          case 't': strings_ += '\t'; break;
          case 'u': {
            if (end - p < 4) return false;
            int32_t cp = hex4(p);
            if (cp < 0) return false;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return false;
              const int32_t lo = hex4(p + 2);
              if (lo < 0xDC00 || lo > 0xDFFF) return false;
              p += 6;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
              return false;
            }
            appendUtf8(strings_, static_cast<uint32_t>(cp));
            break;
          }
          default: return false;
        }
        continue;
      }
      if (c < 0x20) return false;
      if (c < 0x80) {
        strings_ += static_cast<char>(c);
        ++p;
        continue;
      }
      const size_t len = detail::utf8Length(reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
      if (len == 0) return false;
      strings_.append(p, len);
      p += len;
    }
    const uint32_t i = push(JsonValue::Type::String);
    nodes_[i].u_.s = strings_.data() + from;
    nodes_[i].size_ = static_cast<uint32_t>(strings_.size() - from);
    ++p;
    return true;
  };

  // One pass: checks the grammar and gathers the significand for the common cases (integers
  // of up to 19 digits, decimals with up to 19 significant digits); others go to parseDouble /
  // an exact overflow check.
  const auto parseNumber = [&]() -> bool {
    const char* b = p;
    const bool neg = *p == '-';
    if (neg) ++p;
    if (p >= end) return false;
    uint64_t mant = 0;
    int significant = 0, intDigits = 0, exp10 = 0;
    bool tooLong = false;
    if (*p == '0') {
      ++p;
      intDigits = 1;
    } else if (*p >= '1' && *p <= '9') {
      for (; p < end && isDigit(*p); ++p, ++intDigits) {
        if (significant < 19) {
          mant = mant * 10 + static_cast<uint64_t>(*p - '0');
          ++significant;
        } else {
          tooLong = true;
        }
      }
    } else {
      return false;
    }
    bool integer = true;
    if (p < end && *p == '.') {
      ++p;
      if (p >= end || !isDigit(*p)) return false;
      for (; p < end && isDigit(*p); ++p) {
        const int d = *p - '0';
        if (mant == 0 && d == 0) {
          --exp10;  // a leading zero of the value: only its place counts
        } else if (significant < 19) {
          mant = mant * 10 + static_cast<uint64_t>(d);
          ++significant;
          --exp10;
        } else {
          tooLong = true;
        }
      }
      integer = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      ++p;
      bool eneg = false;
      if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
      if (p >= end || !isDigit(*p)) return false;
      int ev = 0;
      for (; p < end && isDigit(*p); ++p) {
        if (ev < 100000) ev = ev * 10 + (*p - '0');
      }
      exp10 += eneg ? -ev : ev;
      integer = false;
    }
    if (integer) {
      // strtoull / strtoll semantics: fits → integer, out of range → a double below.
      uint64_t mag = mant;
      bool overflow = false;
      if (intDigits > 19) {
        mag = 0;
        for (const char* q = neg ? b + 1 : b; q < p; ++q) {
          const uint64_t d = static_cast<uint64_t>(*q - '0');
          if (mag > (UINT64_MAX - d) / 10) {
            overflow = true;
            break;
          }
          mag = mag * 10 + d;
        }
      }
      if (!overflow && !neg) {
        const uint32_t i = push(JsonValue::Type::Unsigned);
        nodes_[i].u_.u = mag;
        return true;
      }
      if (!overflow && neg && mag <= (uint64_t{1} << 63)) {
        const uint32_t i = push(JsonValue::Type::Integer);
        nodes_[i].u_.i = mag == (uint64_t{1} << 63) ? INT64_MIN : -static_cast<int64_t>(mag);
        return true;
      }
    }
    double d = 0;
    if (!integer && !tooLong && mant <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
      d = static_cast<double>(mant);  // Clinger's fast path, as in parseDouble
      d = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
      if (neg) d = -d;
    } else if (!parseDouble(b, p, d)) {
      return false;  // nlohmann: "number overflow"
    }
    const uint32_t i = push(JsonValue::Type::Double);
    nodes_[i].u_.d = d;
    return true;
  };

  const auto literal = [&](const char* word, size_t n) {
    if (static_cast<size_t>(end - p) < n || std::memcmp(p, word, n) != 0) return false;
    p += n;
    return true;
  };

  const auto skipWs = [&] {
    while (p < end && isWs(*p)) ++p;
  };

  // Closes the innermost container: its span, and for objects its block of key offsets.
  const auto close = [&] {
    const Frame f = stack.back();
    stack.pop_back();
    JsonValue& n = nodes_[f.node];
    n.span_ = static_cast<uint32_t>(nodes_.size() - f.node);
    if (n.type_ == JsonValue::Type::Object) {
      n.u_.u = keys_.size();  // the block's start; turned into a pointer once keys_ is final
      // One resize and a plain loop (push_back per key is a call per key under Emscripten).
      const size_t base = keys_.size(), count = pendingKeys.size() - f.firstKey;
      keys_.resize(base + count);
      uint32_t* dst = keys_.data() + base;
      const uint32_t* src = pendingKeys.data() + f.firstKey;
      for (size_t k = 0; k < count; ++k) dst[k] = src[k] - f.node;
      pendingKeys.resize(f.firstKey);
      objects_.push_back(f.node);
    }
  };

  skipWs();
value:
  if (p >= end) return fail();
  switch (*p) {
    case '{': {
      const uint32_t i = push(JsonValue::Type::Object);
      stack.push_back({i, static_cast<uint32_t>(pendingKeys.size())});
      ++p;
      skipWs();
      if (p < end && *p == '}') {
        ++p;
        close();
        goto after;
      }
      goto key;
    }
    case '[': {
      const uint32_t i = push(JsonValue::Type::Array);
      stack.push_back({i, 0});
      ++p;
      skipWs();
      if (p < end && *p == ']') {
        ++p;
        close();
        goto after;
      }
      goto value;
    }
    case '"':
      if (!parseString()) return fail();
      goto after;
    case 't':
      if (!literal("true", 4)) return fail();
      nodes_[push(JsonValue::Type::Boolean)].u_.b = true;
      goto after;
    case 'f':
      if (!literal("false", 5)) return fail();
      nodes_[push(JsonValue::Type::Boolean)].u_.b = false;
      goto after;
    case 'n':
      if (!literal("null", 4)) return fail();
      push(JsonValue::Type::Null);
      goto after;
    default:
      if (*p == '-' || isDigit(*p)) {
        if (!parseNumber()) return fail();
        goto after;
      }
      return fail();
  }

key:
  if (p >= end || *p != '"') return fail();
  if (!parseString()) return fail();
  pendingKeys.push_back(static_cast<uint32_t>(nodes_.size() - 1));
  skipWs();
  if (p >= end || *p != ':') return fail();
  ++p;
  skipWs();
  goto value;

after:
  if (stack.empty()) {
    skipWs();
    if (p != end) return fail();
    for (uint32_t o : objects_) nodes_[o].u_.keys = keys_.data() + nodes_[o].u_.u;
    return true;
  }
  ++nodes_[stack.back().node].size_;
  skipWs();
  if (p >= end) return fail();
  if (nodes_[stack.back().node].type_ == JsonValue::Type::Object) {
    if (*p == ',') {
      ++p;
      skipWs();
      goto key;
    }
    if (*p == '}') {
      ++p;
      close();
      goto after;
    }
    return fail();
  }
  if (*p == ',') {
    ++p;
    skipWs();
    goto value;
  }
  if (*p == ']') {
    ++p;
    close();
    goto after;
  }
  return fail();
}

json toJson(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::Null: return json(nullptr);
    case JsonValue::Type::Boolean: return json(v.boolValue());
    case JsonValue::Type::Integer: return json(v.intValue());
    case JsonValue::Type::Unsigned: return json(v.unsignedValue());
    case JsonValue::Type::Double: return json(v.doubleValue());
    case JsonValue::Type::String: return json(std::string(v.stringValue()));
    case JsonValue::Type::Array: {
      json a = json::array();
      for (const JsonValue& e : v) a.push_back(toJson(e));
      return a;
    }
    case JsonValue::Type::Object: {
      json o = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) o[std::string(it.key())] = toJson(*it);  // last duplicate wins
      return o;
    }
  }
  return json(nullptr);
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (type_ != Type::Object) return nullptr;
  const char* want = key.data();
  const size_t n = key.size();
  for (uint32_t i = size_; i-- > 0;) {  // backwards: the first match is the last duplicate
    const JsonValue* k = this + u_.keys[i];
    if (k->size_ != n) continue;
    size_t j = 0;  // keys are short: an inline loop beats a memcmp call (wasm)
    while (j < n && k->u_.s[j] == want[j]) ++j;
    if (j == n) return k + 1;
  }
  return nullptr;
}

}  // namespace storelink
