// A fast read-only JSON document for the hot path: list-page bodies.
//
// JsonDoc::parse reads the text once into a flat array of nodes (a "tape"): no node per heap
// allocation, no std::map, strings point into the input text unless they hold escapes. It
// accepts and rejects exactly what parseJson (nlohmann, strict) does — syntax, truncation,
// bad UTF-8, lone surrogates, numbers that overflow a double — and reads values the same way:
// integers as int64/uint64 when they fit, otherwise a double; duplicate keys → the last wins.
//
// Read it with the same js:: accessors as `json` (js::field, js::str, js::text, js::num,
// js::id, js::boolean, js::array, js::object): a mapper written against `const JsonValue&`
// behaves exactly like one written against `const json&`. The input text must outlive the doc.
//
//   JsonDoc doc;
//   if (!doc.parse(body)) return invalidJson();
//   for (const JsonValue& row : *js::array(doc.root(), "data")) { auto id = js::id(row, "id"); ... }
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storelink/json.hpp"

namespace storelink {

namespace detail {
// Length of the leading run of bytes a JSON string holds verbatim: not '"', not '\\', not a
// control character, not a non-ASCII byte. Eight bytes per step (SWAR); shared by the parser
// and the record writer, which both spend most of their time in such runs.
struct PlainJsonBytes {
  bool plain[256] = {};
  constexpr PlainJsonBytes() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
inline constexpr PlainJsonBytes kPlainJsonBytes{};

inline size_t plainJsonRun(const char* p, size_t n) {
  constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    const uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    // A byte's high bit ends up set iff it is '"', '\\', < 0x20 or >= 0x80 (borrows only
    // start at a byte that is itself a hit, so the word test has no false positives).
    const uint64_t hits = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & high;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // The lowest flagged byte is the first hit (a borrow only flags bytes above a hit), and
    // little-endian puts p[i] lowest: its index without a byte loop. Most strings (keys,
    // codes, dates) end within their first word or two.
    if (hits) return i + static_cast<size_t>(__builtin_ctzll(hits) >> 3);
#else
    if (hits) break;
#endif
  }
  while (i < n && kPlainJsonBytes.plain[static_cast<unsigned char>(p[i])]) ++i;
  return i;
}
// Length of the valid UTF-8 sequence starting with lead byte p[0] (≥ 0x80), or 0 (stray
// continuation, overlong form, surrogate, beyond U+10FFFF, lead bytes F5–FF, cut short).
// The one validator: the JSON reader and both record writers use it.
inline size_t utf8Length(const unsigned char* p, const unsigned char* end) {
  // One bounds check per sequence, then the byte tests (the writers call this for every
  // non-ASCII character: Vietnamese text is mostly 2- and 3-byte sequences).
  const unsigned char c = p[0];
  const size_t avail = static_cast<size_t>(end - p);
  const auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return avail >= 2 && cont(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || !cont(p[1]) || !cont(p[2])) return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) return 0;  // overlong, surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) return 0;  // overlong, > U+10FFFF
    return 4;
  }
  return 0;
}
}  // namespace detail

class JsonDoc;

class JsonValue {
 public:
  enum class Type : uint8_t { Null, Boolean, Integer, Unsigned, Double, String, Array, Object };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_boolean() const { return type_ == Type::Boolean; }
  bool is_number() const { return type_ == Type::Integer || type_ == Type::Unsigned || type_ == Type::Double; }
  bool is_number_integer() const { return type_ == Type::Integer || type_ == Type::Unsigned; }
  bool is_number_unsigned() const { return type_ == Type::Unsigned; }
  bool is_number_float() const { return type_ == Type::Double; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool boolValue() const { return u_.b; }
  int64_t intValue() const { return u_.i; }
  uint64_t unsignedValue() const { return u_.u; }
  double doubleValue() const { return u_.d; }
  // The number as a double, as nlohmann's get<double>() gives it.
  double numberValue() const {
    return type_ == Type::Double ? u_.d : type_ == Type::Unsigned ? static_cast<double>(u_.u) : static_cast<double>(u_.i);
  }
  std::string_view stringValue() const { return {u_.s, size_}; }

  // Arrays: element count; objects: member count; strings: byte length.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Array elements in order (an object iterates its member values).
  class Iterator {
   public:
    explicit Iterator(const JsonValue* p, bool object) : p_(p), object_(object) {}
    const JsonValue& operator*() const { return *(object_ ? p_ + 1 : p_); }
    const JsonValue* operator->() const { return &**this; }
    Iterator& operator++() {
      p_ += object_ ? 1 + p_[1].span_ : p_->span_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return p_ != o.p_; }
    bool operator==(const Iterator& o) const { return p_ == o.p_; }
    // Objects: the member's key.
    std::string_view key() const { return p_->stringValue(); }

   private:
    const JsonValue* p_;
    bool object_;
  };
  Iterator begin() const { return Iterator(this + 1, type_ == Type::Object); }
  Iterator end() const { return Iterator(this + span_, type_ == Type::Object); }

  // Member lookup; the last of duplicate keys wins (nlohmann's behaviour). nullptr when absent
  // or when this is not an object.
  const JsonValue* find(std::string_view key) const;

 private:
  friend class JsonDoc;
  Type type_ = Type::Null;
  uint32_t size_ = 0;
  uint32_t span_ = 1;  // nodes in this value's subtree, itself included
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    const char* s;
    const uint32_t* keys;  // objects: offsets from this node to each member's key node
  } u_{};
};

class JsonDoc {
 public:
  JsonDoc() = default;
  JsonDoc(const JsonDoc&) = delete;
  JsonDoc& operator=(const JsonDoc&) = delete;

  // Parses `text` (which must stay alive and unchanged while the doc is used). false on any
  // input parseJson would discard; the doc is then empty.
  bool parse(std::string_view text);
  const JsonValue& root() const { return nodes_.front(); }

 private:
  std::vector<JsonValue> nodes_;
  std::vector<uint32_t> keys_;    // objects' key offsets, one block per object
  std::string strings_;           // decoded strings that held escapes
  std::vector<uint32_t> objects_; // object node indices, to point them at their key block
};

// The same value as a nlohmann json (e.g. to serialize it exactly as parseJson + dumpJson would).
json toJson(const JsonValue& v);
inline std::string dumpJson(const JsonValue& v) { return dumpJson(toJson(v)); }

namespace js {

inline const JsonValue* field(const JsonValue& obj, std::string_view key) { return obj.find(key); }
inline bool isNull(const JsonValue* v) { return v == nullptr || v->is_null(); }

std::optional<std::string> str(const JsonValue* v);
inline std::optional<std::string> str(const JsonValue& obj, std::string_view key) { return str(field(obj, key)); }
std::optional<std::string> text(const JsonValue* v);
inline std::optional<std::string> text(const JsonValue& obj, std::string_view key) { return text(field(obj, key)); }
std::optional<double> num(const JsonValue* v);
inline std::optional<double> num(const JsonValue& obj, std::string_view key) { return num(field(obj, key)); }
std::optional<std::string> id(const JsonValue* v);
inline std::optional<std::string> id(const JsonValue& obj, std::string_view key) { return id(field(obj, key)); }
std::optional<bool> boolean(const JsonValue* v);
inline std::optional<bool> boolean(const JsonValue& obj, std::string_view key) { return boolean(field(obj, key)); }

inline const JsonValue* array(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = field(obj, key);
  return (v && v->is_array()) ? v : nullptr;
}
inline const JsonValue* object(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = field(obj, key);
  return (v && v->is_object()) ? v : nullptr;
}

}  // namespace js
}  // namespace storelink
