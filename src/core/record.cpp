// Record → JSON text. A hand-written writer: records are the hot output path, and writing
// text directly keeps every field present and in contract order without building a DOM.
#include "storelink/record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstdio>

#include "storelink/json.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"

namespace storelink {

const char* recordTypeName(RecordType t) {
  switch (t) {
    case RecordType::Product: return "product";
    case RecordType::Order: return "order";
    case RecordType::Customer: return "customer";
    case RecordType::Location: return "location";
  }
  return "product";
}

const char* orderStatusName(OrderStatus s) {
  switch (s) {
    case OrderStatus::Pending: return "pending";
    case OrderStatus::Confirmed: return "confirmed";
    case OrderStatus::Processing: return "processing";
    case OrderStatus::Shipping: return "shipping";
    case OrderStatus::Completed: return "completed";
    case OrderStatus::Cancelled: return "cancelled";
    case OrderStatus::Returned: return "returned";
  }
  return "pending";
}

const char* paymentStatusName(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::Unpaid: return "unpaid";
    case PaymentStatus::PartiallyPaid: return "partially_paid";
    case PaymentStatus::Paid: return "paid";
    case PaymentStatus::Refunded: return "refunded";
    case PaymentStatus::PartiallyRefunded: return "partially_refunded";
  }
  return "unpaid";
}

Record Record::tombstone(RecordType type, std::string platform, std::string externalId) {
  Record r;
  r.type = type;
  r.platform = std::move(platform);
  r.externalId = std::move(externalId);
  r.deleted = true;
  return r;
}

std::optional<PaymentStatus> paymentStatusFromAmounts(OptNumber paid, OptNumber total) {
  if (!paid || !total) return std::nullopt;
  if (*paid <= 0) return *total <= 0 ? PaymentStatus::Paid : PaymentStatus::Unpaid;
  if (*paid + 0.005 >= *total) return PaymentStatus::Paid;
  return PaymentStatus::PartiallyPaid;
}

namespace {

// A growable byte buffer whose appends inline (std::string's are out-of-line calls into the
// prebuilt libc++ under Emscripten, one per character written). Records are written here and
// copied to the caller's string once.
class JsonOut {
 public:
  JsonOut() = default;
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;
  ~JsonOut() { std::free(p_); }
  void clear() { n_ = 0; }
  JsonOut& operator+=(char c) {
    if (n_ == cap_) grow(1);
    p_[n_++] = c;
    return *this;
  }
  JsonOut& operator+=(std::string_view s) {
    append(s.data(), s.size());
    return *this;
  }
  JsonOut& operator+=(const char* s) { return *this += std::string_view(s); }
  void append(const char* s, size_t n) {
    if (cap_ - n_ < n) grow(n);
    std::memcpy(p_ + n_, s, n);
    n_ += n;
  }
  template <size_t N>
  void literal(const char (&s)[N]) {
    append(s, N - 1);
  }
  std::string_view view() const { return {p_, n_}; }
  // `n` more bytes for the caller to fill: where they start.
  char* extend(size_t n) {
    if (cap_ - n_ < n) grow(n);
    char* d = p_ + n_;
    n_ += n;
    return d;
  }

 private:
  void grow(size_t need) {
    const size_t cap = std::max(cap_ * 2, n_ + need + 1024);
    char* p = static_cast<char*>(std::realloc(p_, cap));
    if (p == nullptr) std::abort();  // out of memory: as std::string would (no exceptions)
    p_ = p;
    cap_ = cap;
  }
  char* p_ = nullptr;
  size_t n_ = 0, cap_ = 0;
};

void appendUnicodeEscape(JsonOut& out, uint32_t unit) {
  static const char* hex = "0123456789abcdef";
  const char buf[6] = {'\\', 'u', hex[(unit >> 12) & 15], hex[(unit >> 8) & 15], hex[(unit >> 4) & 15], hex[unit & 15]};
  out.append(buf, 6);
}

// Writes a JSON string literal. Invalid UTF-8 bytes become U+FFFD so output is always valid.
// asciiOnly writes every non-ASCII character as \uXXXX (surrogate pairs above U+FFFF): the
// same JSON value, but bytes a JS engine turns into a string without a UTF-8 decoder.
void appendString(JsonOut& out, std::string_view s, bool asciiOnly = false) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t done = 0;  // bytes before this are written
  size_t i = 0;
  while (i < n) {
    // Plain ASCII and, unless asciiOnly, valid UTF-8 sequences stay in the current run,
    // copied in one append when something must be escaped or the string ends.
    i += detail::plainJsonRun(s.data() + i, n - i);
    if (i == n) break;
    const unsigned char c = u[i];
    size_t len = 0;
    if (c >= 0x80) {
      // One UTF-8 sequence, validated (F8 B8 B8 once passed as a 3-byte one: tests/fuzz).
      len = detail::utf8Length(u + i, u + n);
      if (len != 0 && !asciiOnly) {
        i += len;
        continue;
      }
    }
    out.append(s.data() + done, i - done);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
          } else {
            out += static_cast<char>(c);  // DEL
          }
      }
      ++i;
    } else if (len == 0) {
      if (asciiOnly) appendUnicodeEscape(out, 0xFFFD);
      else out += "\xEF\xBF\xBD";
      ++i;
    } else {  // asciiOnly: the character as \u escapes
      uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (u[i + k] & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        appendUnicodeEscape(out, 0xD800 + (cp >> 10));
        appendUnicodeEscape(out, 0xDC00 + (cp & 0x3FF));
      } else {
        appendUnicodeEscape(out, cp);
      }
      i += len;
    }
    done = i;
  }
  out.append(s.data() + done, n - done);
  out += '"';
}

// Serialized JSON text with its non-ASCII characters (which can only sit inside strings)
// turned into \u escapes: the same JSON value.
void appendJsonAscii(JsonOut& out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && static_cast<unsigned char>(text[run]) < 0x80) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    size_t end = run;
    while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80) ++end;
    // appendString validates and escapes; strip the quotes it adds.
    JsonOut tmp;
    appendString(tmp, text.substr(run, end - run), true);
    out.append(tmp.view().data() + 1, tmp.view().size() - 2);
    i = end;
  }
}

void appendNumber(JsonOut& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) d = 0;  // no "-0"
  if (d == std::floor(d) && std::fabs(d) < 1e15) {  // whole amounts: no ".0"
    char buf[24];
    char* end = buf + sizeof buf;
    char* q = end;
    int64_t v = static_cast<int64_t>(d);
    const bool neg = v < 0;
    uint64_t u = neg ? static_cast<uint64_t>(-v) : static_cast<uint64_t>(v);
    do {
      *--q = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    if (neg) *--q = '-';
    out.append(q, static_cast<size_t>(end - q));
    return;
  }
  // Shortest round-trip form (nlohmann's Grisu2; libc++ 14 has no floating to_chars).
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, static_cast<size_t>(end - buf));
}

class Writer {
 public:
  explicit Writer(JsonOut& out, bool ascii = false) : out_(out), ascii_(ascii) {}
  void open() { out_ += '{'; first_ = true; }
  void close() { out_ += '}'; first_ = false; }
  template <size_t N>
  void key(const char (&k)[N]) {
    // One capacity check for `,"key":` (a literal: no strlen, a fixed-size copy).
    char* d = out_.extend(N + 3 - (first_ ? 1 : 0));
    if (!first_) *d++ = ',';
    first_ = false;
    *d++ = '"';
    std::memcpy(d, k, N - 1);
    d[N - 1] = '"';
    d[N] = ':';
  }
  template <size_t N>
  void str(const char (&k)[N], const OptString& v) {
    key(k);
    if (v) appendString(out_, *v, ascii_);
    else out_ += "null";
  }
  template <size_t N>
  void str(const char (&k)[N], const std::string& v) {
    key(k);
    appendString(out_, v, ascii_);
  }
  template <size_t N>
  void lit(const char (&k)[N], const char* v) {  // enum names, already valid JSON string content
    key(k);
    if (v == nullptr) {
      out_ += "null";
      return;
    }
    out_ += '"';
    out_ += v;
    out_ += '"';
  }
  template <size_t N>
  void num(const char (&k)[N], const OptNumber& v) {
    key(k);
    if (v) appendNumber(out_, *v);
    else out_ += "null";
  }
  template <size_t N>
  void boolean(const char (&k)[N], const OptBool& v) {
    key(k);
    out_ += v ? (*v ? "true" : "false") : "null";
  }
  template <size_t N>
  void time(const char (&k)[N], const std::optional<int64_t>& ms) {
    key(k);
    if (ms) {
      char buf[64];
      const size_t n = formatIsoUtcInto(buf, *ms);  // digits, '-', ':', '.', 'T', 'Z': nothing to escape
      out_ += '"';
      out_.append(buf, n);
      out_ += '"';
    } else {
      out_ += "null";
    }
  }
  template <size_t N>
  void strings(const char (&k)[N], const std::vector<std::string>& v) {
    key(k);
    out_ += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_ += ',';
      appendString(out_, v[i], ascii_);
    }
    out_ += ']';
  }
  template <size_t N>
  void address(const char (&k)[N], const std::optional<Address>& a) {
    key(k);
    if (!a) {
      out_ += "null";
      return;
    }
    open();
    str("name", a->name);
    str("phone", a->phone);
    str("address", a->address);
    str("ward", a->ward);
    str("district", a->district);
    str("province", a->province);
    str("country", a->country);
    close();
  }
  // Begins an array of objects under key k; call item() before each element.
  template <size_t N>
  void beginArray(const char (&k)[N]) {
    key(k);
    out_ += '[';
    firstItem_ = true;
  }
  void item() {
    if (!firstItem_) out_ += ',';
    firstItem_ = false;
  }
  void endArray() {
    out_ += ']';
    first_ = false;
  }
  JsonOut& out() { return out_; }
  bool ascii() const { return ascii_; }

 private:
  JsonOut& out_;
  bool ascii_;
  bool first_ = true;
  bool firstItem_ = true;
};

void writeVariant(Writer& w, const Variant& v) {
  w.open();
  w.str("externalId", v.externalId);
  w.str("sku", v.sku);
  w.str("barcode", v.barcode);
  w.str("name", v.name);
  w.key("options");
  w.out() += '{';
  for (size_t i = 0; i < v.options.size(); ++i) {
    if (i) w.out() += ',';
    appendString(w.out(), v.options[i].first, w.ascii());
    w.out() += ':';
    appendString(w.out(), v.options[i].second, w.ascii());
  }
  w.out() += '}';
  w.num("price", v.price);
  w.num("compareAtPrice", v.compareAtPrice);
  w.num("cost", v.cost);
  w.num("weightGrams", v.weightGrams);
  w.beginArray("stock");
  for (const auto& s : v.stock) {
    w.item();
    Writer inner(w.out(), w.ascii());
    inner.open();
    inner.str("locationId", s.locationId);
    inner.num("onHand", s.onHand);
    inner.num("available", s.available);
    inner.close();
  }
  w.endArray();
  w.num("totalStock", v.totalStock);
  w.close();
}

void writeProduct(Writer& w, const Product& p) {
  w.str("name", p.name);
  w.str("sku", p.sku);
  w.str("barcode", p.barcode);
  w.str("description", p.description);
  w.str("category", p.category);
  w.str("brand", p.brand);
  w.boolean("active", p.active);
  w.strings("images", p.images);
  w.num("taxRate", p.taxRate);
  w.str("parentExternalId", p.parentExternalId);
  w.beginArray("variants");
  for (const auto& v : p.variants) {
    w.item();
    Writer inner(w.out(), w.ascii());
    writeVariant(inner, v);
  }
  w.endArray();
  w.num("totalStock", p.totalStock);
}

void writeOrder(Writer& w, const Order& o) {
  w.str("code", o.code);
  w.lit("status", o.status ? orderStatusName(*o.status) : nullptr);
  w.str("platformStatus", o.platformStatus);
  w.lit("paymentStatus", o.paymentStatus ? paymentStatusName(*o.paymentStatus) : nullptr);
  w.key("customer");
  if (o.customer) {
    Writer c(w.out(), w.ascii());
    c.open();
    c.str("externalId", o.customer->externalId);
    c.str("name", o.customer->name);
    c.str("phone", o.customer->phone);
    c.str("email", o.customer->email);
    c.close();
  } else {
    w.out() += "null";
  }
  w.beginArray("lines");
  for (const auto& l : o.lines) {
    w.item();
    Writer c(w.out(), w.ascii());
    c.open();
    c.str("productExternalId", l.productExternalId);
    c.str("variantExternalId", l.variantExternalId);
    c.str("sku", l.sku);
    c.str("name", l.name);
    c.num("quantity", l.quantity);
    c.num("unitPrice", l.unitPrice);
    c.num("discount", l.discount);
    c.num("total", l.total);
    c.close();
  }
  w.endArray();
  w.num("subtotal", o.subtotal);
  w.num("discount", o.discount);
  w.num("shippingFee", o.shippingFee);
  w.num("tax", o.tax);
  w.num("total", o.total);
  w.str("currency", o.currency);
  w.address("shippingAddress", o.shippingAddress);
  w.str("locationId", o.locationId);
  w.str("note", o.note);
}

void writeCustomer(Writer& w, const Customer& c) {
  w.str("name", c.name);
  w.str("phone", c.phone);
  w.str("email", c.email);
  w.str("gender", c.gender);
  w.str("birthday", c.birthday);
  w.address("address", c.address);
  w.num("totalSpent", c.totalSpent);
  w.num("orderCount", c.orderCount);
  w.strings("groups", c.groups);
}

void writeLocation(Writer& w, const Location& l) {
  w.str("name", l.name);
  w.str("address", l.address);
  w.str("phone", l.phone);
}

// --- the record stream (RecordStream in record.hpp) ---------------------------------------

#define STREAM_CALL __attribute__((noinline))

class StreamWriter {
 public:
  explicit StreamWriter(RecordStream& s) : s_(s) {}

  // The writer's methods stay out of line (STREAM_CALL): inlined into every field of
  // appendRecordStream they cost ≈ 10 KB of wasm for no measurable speed.
  STREAM_CALL void str(std::string_view v) {
    const char* p = v.data();
    const size_t n = v.size();
    size_t i = 0;
    constexpr uint64_t high = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & high) break;
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
    uint32_t* ref = s_.words.extend(2);
    if (i == n) {
      const size_t start = s_.ascii.size();
      s_.ascii.append(p, n);
      ref[0] = static_cast<uint32_t>(start * 2 + 1);
      ref[1] = static_cast<uint32_t>(n);
      return;
    }
    const size_t start = s_.wide.size();
    uint16_t* d = s_.wide.extend(n);  // never more UTF-16 units than UTF-8 bytes
    size_t k = 0;
    for (size_t j = 0; j < i; ++j) d[k++] = static_cast<unsigned char>(p[j]);
    // The same validation and code points as appendString's asciiOnly branch.
    while (i < n) {
      const unsigned char c = static_cast<unsigned char>(p[i]);
      if (c < 0x80) {
        d[k++] = c;
        ++i;
        continue;
      }
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      const size_t len = detail::utf8Length(u + i, u + n);
      if (len == 0) {
        d[k++] = 0xFFFD;
        ++i;
        continue;
      }
      uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (size_t q = 1; q < len; ++q) cp = (cp << 6) | (static_cast<unsigned char>(p[i + q]) & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        d[k++] = static_cast<uint16_t>(0xD800 + (cp >> 10));
        d[k++] = static_cast<uint16_t>(0xDC00 + (cp & 0x3FF));
      } else {
        d[k++] = static_cast<uint16_t>(cp);
      }
      i += len;
    }
    s_.wide.shrinkTo(start + k);
    ref[0] = static_cast<uint32_t>(start * 2 + 2);
    ref[1] = static_cast<uint32_t>(k);
  }
  void str(const std::string& v) { str(std::string_view(v)); }
  STREAM_CALL void str(const OptString& v) {
    if (v) str(std::string_view(*v));
    else s_.words.push(0);
  }
  STREAM_CALL void lit(const char* v) {  // enum names: ASCII
    if (v == nullptr) {
      s_.words.push(0);
      return;
    }
    const size_t n = std::strlen(v), start = s_.ascii.size();
    s_.ascii.append(v, n);
    uint32_t* ref = s_.words.extend(2);
    ref[0] = static_cast<uint32_t>(start * 2 + 1);
    ref[1] = static_cast<uint32_t>(n);
  }
  STREAM_CALL void num(const OptNumber& v) {
    // NaN is null: the text writes non-finite numbers as null, and never "-0".
    s_.numbers.push(v && std::isfinite(*v) ? (*v == 0 ? 0.0 : *v) : std::nan(""));
  }
  STREAM_CALL void boolean(const OptBool& v) { s_.words.push(v ? (*v ? 2 : 1) : 0); }
  STREAM_CALL void word(uint32_t w) { s_.words.push(w); }
  STREAM_CALL void time(const std::optional<int64_t>& ms) {
    if (!ms) {
      s_.words.push(0);
      return;
    }
    char buf[64];
    const size_t n = formatIsoUtcInto(buf, *ms);
    const size_t start = s_.ascii.size();
    s_.ascii.append(buf, n);
    uint32_t* ref = s_.words.extend(2);
    ref[0] = static_cast<uint32_t>(start * 2 + 1);
    ref[1] = static_cast<uint32_t>(n);
  }
  void strings(const std::vector<std::string>& v) {
    word(static_cast<uint32_t>(v.size()));
    for (const auto& x : v) str(x);
  }
  void address(const std::optional<Address>& a) {
    word(a ? 1 : 0);
    if (!a) return;
    str(a->name);
    str(a->phone);
    str(a->address);
    str(a->ward);
    str(a->district);
    str(a->province);
    str(a->country);
  }

 private:
  RecordStream& s_;
};

void streamProduct(StreamWriter& w, const Product& p) {
  w.str(p.name);
  w.str(p.sku);
  w.str(p.barcode);
  w.str(p.description);
  w.str(p.category);
  w.str(p.brand);
  w.boolean(p.active);
  w.strings(p.images);
  w.num(p.taxRate);
  w.str(p.parentExternalId);
  w.word(static_cast<uint32_t>(p.variants.size()));
  for (const auto& v : p.variants) {
    w.str(v.externalId);
    w.str(v.sku);
    w.str(v.barcode);
    w.str(v.name);
    w.word(static_cast<uint32_t>(v.options.size()));
    for (const auto& [name, value] : v.options) {
      w.str(name);
      w.str(value);
    }
    w.num(v.price);
    w.num(v.compareAtPrice);
    w.num(v.cost);
    w.num(v.weightGrams);
    w.word(static_cast<uint32_t>(v.stock.size()));
    for (const auto& s : v.stock) {
      w.str(s.locationId);
      w.num(s.onHand);
      w.num(s.available);
    }
    w.num(v.totalStock);
  }
  w.num(p.totalStock);
}

void streamOrder(StreamWriter& w, const Order& o) {
  w.str(o.code);
  w.lit(o.status ? orderStatusName(*o.status) : nullptr);
  w.str(o.platformStatus);
  w.lit(o.paymentStatus ? paymentStatusName(*o.paymentStatus) : nullptr);
  w.word(o.customer ? 1 : 0);
  if (o.customer) {
    w.str(o.customer->externalId);
    w.str(o.customer->name);
    w.str(o.customer->phone);
    w.str(o.customer->email);
  }
  w.word(static_cast<uint32_t>(o.lines.size()));
  for (const auto& l : o.lines) {
    w.str(l.productExternalId);
    w.str(l.variantExternalId);
    w.str(l.sku);
    w.str(l.name);
    w.num(l.quantity);
    w.num(l.unitPrice);
    w.num(l.discount);
    w.num(l.total);
  }
  w.num(o.subtotal);
  w.num(o.discount);
  w.num(o.shippingFee);
  w.num(o.tax);
  w.num(o.total);
  w.str(o.currency);
  w.address(o.shippingAddress);
  w.str(o.locationId);
  w.str(o.note);
}

void streamCustomer(StreamWriter& w, const Customer& c) {
  w.str(c.name);
  w.str(c.phone);
  w.str(c.email);
  w.str(c.gender);
  w.str(c.birthday);
  w.address(c.address);
  w.num(c.totalSpent);
  w.num(c.orderCount);
  w.strings(c.groups);
}

}  // namespace

void appendRecordJson(std::string& out, const Record& r) { appendRecordJson(out, r, false); }

void appendRecordJson(std::string& out, const Record& r, bool asciiOnly) {
#ifdef __EMSCRIPTEN__
  static JsonOut buf;  // the wasm module has one thread (and TLS would need the atomics feature)
#else
  thread_local JsonOut buf;  // reused: records are written at the rate pages arrive
#endif
  buf.clear();
  Writer w(buf, asciiOnly);
  w.open();
  w.lit("type", recordTypeName(r.type));
  w.str("platform", r.platform);
  w.str("externalId", r.externalId);
  w.time("createdAt", r.createdAtMs);
  w.time("updatedAt", r.updatedAtMs);
  w.boolean("deleted", r.deleted);
  if (!r.deleted) {
    if (const auto* p = std::get_if<Product>(&r.body)) writeProduct(w, *p);
    else if (const auto* o = std::get_if<Order>(&r.body)) writeOrder(w, *o);
    else if (const auto* c = std::get_if<Customer>(&r.body)) writeCustomer(w, *c);
    else if (const auto* l = std::get_if<Location>(&r.body)) writeLocation(w, *l);
  }
  if (r.rawJson) {
    w.key("raw");
    if (asciiOnly) appendJsonAscii(buf, *r.rawJson);
    else buf += *r.rawJson;  // already serialized JSON
  }
  w.close();
  out.append(buf.view());
}

void appendJsonString(std::string& out, std::string_view s, bool asciiOnly) {
  JsonOut buf;
  appendString(buf, s, asciiOnly);
  out.append(buf.view());
}

void appendJsonNumber(std::string& out, double d) {
  JsonOut buf;
  appendNumber(buf, d);
  out.append(buf.view());
}

void appendRecordStream(RecordStream& out, const Record& r) {
  StreamWriter w(out);
  // The kind tells the reader which fields follow: the text writes no body for a tombstone.
  w.word(r.deleted ? 0 : static_cast<uint32_t>(r.body.index()) + 1);
  w.lit(recordTypeName(r.type));
  w.str(r.platform);
  w.str(r.externalId);
  w.time(r.createdAtMs);
  w.time(r.updatedAtMs);
  w.boolean(r.deleted);
  if (!r.deleted) {
    if (const auto* p = std::get_if<Product>(&r.body)) streamProduct(w, *p);
    else if (const auto* o = std::get_if<Order>(&r.body)) streamOrder(w, *o);
    else if (const auto* c = std::get_if<Customer>(&r.body)) streamCustomer(w, *c);
    else if (const auto* l = std::get_if<Location>(&r.body)) {
      w.str(l->name);
      w.str(l->address);
      w.str(l->phone);
    }
  }
  w.word(r.rawJson ? 1 : 0);
  if (r.rawJson) w.str(*r.rawJson);  // JSON text, parsed by the reader
}

std::string recordToJson(const Record& r) {
  std::string out;
  appendRecordJson(out, r);
  return out;
}

}  // namespace storelink
