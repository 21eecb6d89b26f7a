// The unified record model, v1 contract (schema/*.json is the published form).
// Every field is always serialized; unknown values are null; ids are strings; times are
// ISO-8601 UTC ending in Z; money is a number in the currency's major unit.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace storelink {

using OptString = std::optional<std::string>;
using OptNumber = std::optional<double>;
using OptBool = std::optional<bool>;

enum class RecordType { Product, Order, Customer, Location };
const char* recordTypeName(RecordType t);  // "product", ...

struct Address {
  OptString name, phone, address, ward, district, province, country;
};

struct StockLevel {
  std::string locationId;
  OptNumber onHand;
  OptNumber available;
};

struct Variant {
  std::string externalId;
  OptString sku, barcode, name;
  std::vector<std::pair<std::string, std::string>> options;  // option name → value, in order
  OptNumber price, compareAtPrice, cost, weightGrams;
  std::vector<StockLevel> stock;
  OptNumber totalStock;  // available to sell: Σ stock.available, or the platform's own figure
};

struct Product {
  OptString name, sku, barcode, description, category, brand;
  OptBool active;
  std::vector<std::string> images;
  OptNumber taxRate;
  OptString parentExternalId;  // sibling/child-row platforms (KiotViet masterProductId, Nhanh parentId)
  std::vector<Variant> variants;
  OptNumber totalStock;  // Σ variants' totalStock (null when none is known)
};

struct OrderCustomer {
  OptString externalId, name, phone, email;
};

struct OrderLine {
  OptString productExternalId, variantExternalId, sku, name;
  OptNumber quantity, unitPrice, discount, total;
};

enum class OrderStatus { Pending, Confirmed, Processing, Shipping, Completed, Cancelled, Returned };
enum class PaymentStatus { Unpaid, PartiallyPaid, Paid, Refunded, PartiallyRefunded };
const char* orderStatusName(OrderStatus s);
const char* paymentStatusName(PaymentStatus s);

struct Order {
  OptString code;
  std::optional<OrderStatus> status;
  OptString platformStatus;
  std::optional<PaymentStatus> paymentStatus;
  std::optional<OrderCustomer> customer;  // null for walk-in orders
  std::vector<OrderLine> lines;
  OptNumber subtotal, discount, shippingFee, tax, total;
  OptString currency;
  std::optional<Address> shippingAddress;
  OptString locationId, note;
};

struct Customer {
  OptString name, phone, email;
  OptString gender;    // "male" | "female"
  OptString birthday;  // YYYY-MM-DD
  std::optional<Address> address;
  OptNumber totalSpent, orderCount;
  std::vector<std::string> groups;
};

struct Location {
  OptString name, address, phone;
};

struct Record {
  RecordType type = RecordType::Product;
  std::string platform;
  std::string externalId;
  std::optional<int64_t> createdAtMs, updatedAtMs;
  bool deleted = false;
  std::variant<Product, Order, Customer, Location> body;
  std::optional<std::string> rawJson;  // the platform's own JSON text, only when asked for

  static Record tombstone(RecordType type, std::string platform, std::string externalId);
};

// Appends the record's JSON text to `out` (one object, no trailing newline).
void appendRecordJson(std::string& out, const Record& r);
// asciiOnly: every non-ASCII character written as a \u escape (the same JSON value), for
// boundaries where ASCII bytes become a JS string far faster than UTF-8 does.
void appendRecordJson(std::string& out, const Record& r, bool asciiOnly);
std::string recordToJson(const Record& r);
// The writer's primitives: a JSON string literal (invalid UTF-8 → U+FFFD) and a number
// (whole values without ".0", otherwise the shortest round-trip form; non-finite → null).
void appendJsonString(std::string& out, std::string_view s, bool asciiOnly);
void appendJsonNumber(std::string& out, double d);

// A growable array of plain values whose appends inline (std::string's and std::vector's
// growth paths are out-of-line calls into the prebuilt libc++ under Emscripten).
template <class T>
class PodBuffer {
 public:
  PodBuffer() = default;
  PodBuffer(const PodBuffer&) = delete;
  PodBuffer& operator=(const PodBuffer&) = delete;
  ~PodBuffer() { std::free(p_); }
  void clear() { n_ = 0; }
  void push(T v) {
    if (n_ == cap_) grow(1);
    p_[n_++] = v;
  }
  void append(const T* s, size_t n) {
    if (cap_ - n_ < n) grow(n);
    std::memcpy(p_ + n_, s, n * sizeof(T));
    n_ += n;
  }
  // `n` more values for the caller to fill: where they start.
  T* extend(size_t n) {
    if (cap_ - n_ < n) grow(n);
    T* d = p_ + n_;
    n_ += n;
    return d;
  }
  void shrinkTo(size_t n) { n_ = n; }
  // Frees the storage when it holds more than `bytes` (a huge page once should not pin it).
  void release(size_t bytes) {
    if (cap_ * sizeof(T) > bytes) {
      std::free(p_);
      p_ = nullptr;
      n_ = cap_ = 0;
    }
  }
  T* data() { return p_; }
  const T* data() const { return p_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return p_[i]; }

 private:
  void grow(size_t need) {
    const size_t cap = cap_ * 2 > n_ + need + 256 ? cap_ * 2 : n_ + need + 256;
    T* p = static_cast<T*>(std::realloc(p_, cap * sizeof(T)));
    if (p == nullptr) std::abort();  // out of memory: as std::string would (no exceptions)
    p_ = p;
    cap_ = cap;
  }
  T* p_ = nullptr;
  size_t n_ = 0, cap_ = 0;
};

// Records as columns for the wasm boundary: a JS reader (wasm/js/core.js, readRecords) builds
// the same objects JSON.parse would build from appendRecordJson's text, in the same key order,
// without the text. Fields are written in the writer's order; the reader knows the layout.
//   words:   structure — a record's kind (0 tombstone, 1 product, 2 order, 3 customer,
//            4 location), array counts, booleans (0 null, 1 false, 2 true), objects present
//            (0 null, 1 present), strings (0 null, else start * 2 + 1 + segment, then length);
//   numbers: numbers in field order, NaN for null (as the text writes non-finite ones);
//   ascii:   bytes of strings that are all ASCII (segment 0);
//   wide:    UTF-16 units of the other strings, invalid UTF-8 as U+FFFD (segment 1).
struct RecordStream {
  PodBuffer<uint32_t> words;
  PodBuffer<double> numbers;
  PodBuffer<char> ascii;
  PodBuffer<uint16_t> wide;
  void clear() {
    words.clear();
    numbers.clear();
    ascii.clear();
    wide.clear();
  }
};
void appendRecordStream(RecordStream& out, const Record& r);

// Derives a payment status from amount paid vs total (for platforms that have none).
std::optional<PaymentStatus> paymentStatusFromAmounts(OptNumber paid, OptNumber total);

}  // namespace storelink
