// The unified record model, v1 contract (schema/*.json is the published form).
// Every field is always serialized; unknown values are null; ids are strings; times are
// ISO-8601 UTC ending in Z; money is a number in the currency's major unit.
#pragma once

#include <cstdint>
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

// Derives a payment status from amount paid vs total (for platforms that have none).
std::optional<PaymentStatus> paymentStatusFromAmounts(OptNumber paid, OptNumber total);

}  // namespace storelink
