// The Shopify-style family shared by Sapo and Haravan (see shopify_family.hpp).
//
// Mapping is tolerant on purpose: both platforms are read with either spelling of a field
// (`name`/`title`, `modified_on`/`updated_at`, `dob`/`birthday`), enums are compared
// case- and underscore-insensitively (Haravan sends "Disabled" and "partiallypaid"), money
// may be a number or a numeric string (Sapo's doc examples quote it), and timestamps without
// an offset are UTC (Haravan image timestamps lack the Z; every other time carries it).
#include "shopify_family.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "storelink/crypto.hpp"
#include "storelink/json_view.hpp"
#include "storelink/normalize.hpp"
#include "storelink/cold.hpp"

namespace storelink::connectors::family {

namespace {

constexpr const char* kListKeys[] = {"products", "orders", "customers", "locations"};
constexpr const char* kSingleKeys[] = {"product", "order", "customer", "location"};
constexpr const char* kResources[] = {"products", "orders", "customers", "locations"};

// Lower-case ASCII without '_', '-' and spaces: "Partially_Paid" → "partiallypaid".
std::string fold(std::string_view s) {
  // Written in place, then cut: std::string's push_back is an out-of-line call into the
  // prebuilt libc++ under Emscripten (this runs for every variant's option titles).
  std::string out(s.size(), '\0');
  size_t n = 0;
  for (char c : s) {
    if (c == '_' || c == '-' || c == ' ') continue;
    out[n++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out.resize(n);
  return out;
}

std::string foldedText(const JsonValue& o, std::string_view key) {
  auto s = js::str(o, key);
  return s ? fold(*s) : std::string();
}

// The first of `keys` that carries a non-null value.
const JsonValue* firstField(const JsonValue& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const JsonValue* v = js::field(o, k);
    if (!js::isNull(v)) return v;
  }
  return nullptr;
}

std::optional<std::string> firstText(const JsonValue& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto t = js::text(o, k)) return t;
  }
  return std::nullopt;
}

std::optional<double> firstNum(const JsonValue& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto n = js::num(o, k)) return n;
  }
  return std::nullopt;
}

// Times are UTC ("2025-05-13T08:53:30Z"); the few without an offset (Haravan images) are UTC too.
std::optional<int64_t> timeOf(const JsonValue& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto s = js::text(o, k)) {
      if (auto ms = parseDateTime(*s, 0)) return ms;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> updatedOf(const Dialect& d, const JsonValue& o) {
  return timeOf(o, {d.updatedKey.c_str(), "modified_on", "updated_at", "updated_on"});
}
std::optional<int64_t> createdOf(const Dialect& d, const JsonValue& o) {
  return timeOf(o, {d.createdKey.c_str(), "created_on", "created_at"});
}

std::optional<std::string> phoneOf(const JsonValue& o, std::string_view key) {
  auto s = js::str(o, key);
  return s ? normalizePhone(*s) : std::nullopt;
}

// "https:" for protocol-relative CDN links ("//product.hstatic.net/..."); other schemes dropped.
std::optional<std::string> absoluteUrl(std::optional<std::string> url) {
  if (!url) return std::nullopt;
  if (url->rfind("//", 0) == 0) return "https:" + *url;
  if (isHttpUrl(*url)) return url;
  return std::nullopt;
}

void common(const Dialect& d, Record& r, RecordType type, const JsonValue& o, const NormalizeOptions& opts) {
  r.type = type;
  r.platform = d.platform;
  r.createdAtMs = createdOf(d, o);
  r.updatedAtMs = updatedOf(d, o);
  if (!r.updatedAtMs) r.updatedAtMs = r.createdAtMs;
  if (opts.includeRaw) r.rawJson = dumpJson(o);
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (auto part = nonEmpty(std::string_view(s).substr(start, comma - start))) out.push_back(*part);
    start = comma + 1;
  }
  return out;
}

// --- addresses -------------------------------------------------------------------

std::optional<std::string> countryOf(const JsonValue& a) {
  if (auto code = js::text(a, "country_code"); code && code->size() == 2) {
    std::string up = *code;
    for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return up;
  }
  auto country = js::text(a, "country");
  if (country) {
    std::string f = foldVietnamese(*country);
    if (f == "vietnam" || f == "viet nam" || f == "vn") return std::string("VN");
  }
  return country;
}

std::optional<std::string> joinParts(std::initializer_list<std::optional<std::string>> parts) {
  std::string line;
  std::optional<std::string> last;
  for (const auto& p : parts) {
    if (!p || (last && *last == *p)) continue;  // Sapo repeats the province as the city
    if (!line.empty()) line += ", ";
    line += *p;
    last = p;
  }
  return line.empty() ? std::nullopt : std::optional<std::string>(line);
}

std::optional<Address> addressOf(const JsonValue* a) {
  if (a == nullptr || !a->is_object()) return std::nullopt;
  Address out;
  out.name = js::text(*a, "name");
  if (!out.name) out.name = vietnameseName(*a);
  out.phone = phoneOf(*a, "phone");
  out.address = joinParts({js::text(*a, "address1"), js::text(*a, "address2")});
  out.ward = js::text(*a, "ward");
  out.district = js::text(*a, "district");
  out.province = js::text(*a, "province");
  if (!out.province) out.province = js::text(*a, "city");  // Haravan leaves city null, Sapo fills both
  out.country = countryOf(*a);
  if (!(out.name || out.phone || out.address || out.ward || out.district || out.province)) return std::nullopt;
  return out;
}

// --- products ----------------------------------------------------------------------

// Per-location stock when the body carries it: Sapo `inventory_levels` are keyed by
// inventory_item_id (≠ the variant id), Haravan `inventory_locations` by variant_id + loc_id.
struct StockIndex {
  std::map<std::string, std::vector<StockLevel>> byItem;
  std::map<std::string, std::vector<StockLevel>> byVariant;
};

StockIndex stockIndex(const JsonValue& body) {
  StockIndex idx;
  for (const char* key : {"inventory_levels", "inventory_locations"}) {
    const JsonValue* levels = js::array(body, key);
    if (!levels) continue;
    for (const auto& l : *levels) {
      auto loc = js::id(l, "location_id");
      if (!loc) loc = js::id(l, "loc_id");
      if (!loc) continue;
      StockLevel s;
      s.locationId = *loc;
      s.onHand = firstNum(l, {"on_hand", "qty_onhand"});
      s.available = firstNum(l, {"available", "qty_available"});
      if (auto item = js::id(l, "inventory_item_id")) idx.byItem[*item].push_back(s);
      if (auto variant = js::id(l, "variant_id")) idx.byVariant[*variant].push_back(s);
    }
  }
  return idx;
}

const std::vector<StockLevel>* levelsFor(const StockIndex& idx, const JsonValue& v, const std::string& variantId) {
  if (auto item = js::id(v, "inventory_item_id")) {
    if (auto it = idx.byItem.find(*item); it != idx.byItem.end()) return &it->second;
  }
  if (auto it = idx.byVariant.find(variantId); it != idx.byVariant.end()) return &it->second;
  return nullptr;
}

std::optional<double> weightGrams(const JsonValue& v) {
  if (auto w = js::num(v, "weight")) {
    std::string unit = foldedText(v, "weight_unit");
    if (unit.empty() || unit == "g" || unit == "gram" || unit == "grams") return *w;
    if (unit == "kg") return *w * 1000;
    if (unit == "lb") return *w * 453.59237;
    if (unit == "oz") return *w * 28.349523125;
  }
  return js::num(v, "grams");
}

// inventory_management: Sapo "bizweb" / Haravan "haravan" = tracked; "" or null = not tracked.
bool stockTracked(const JsonValue& v) {
  const JsonValue* m = js::field(v, "inventory_management");
  if (m == nullptr) return true;  // not given at all: trust inventory_quantity
  auto t = js::text(m);
  return t.has_value() && fold(*t) != "none";
}

bool isDefaultTitle(const std::optional<std::string>& s) { return s && fold(*s) == "defaulttitle"; }

std::vector<std::string> optionNames(const JsonValue& o) {
  std::vector<std::pair<double, std::string>> named;
  if (const JsonValue* opts = js::array(o, "options")) {
    double i = 0;
    for (const auto& opt : *opts) {
      ++i;
      auto name = js::text(opt, "name");
      if (!name) name = std::string();
      named.emplace_back(js::num(opt, "position").value_or(i), *name);
    }
  }
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [pos, name] : named) out.push_back(std::move(name));
  return out;
}

std::optional<Record> mapProduct(const Dialect& d, const JsonValue& o, const StockIndex& stock, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(d, r, RecordType::Product, o, opts);
  Product p;
  p.name = js::text(o, d.productNameKey);
  if (!p.name) p.name = firstText(o, {"name", "title"});
  p.description = firstText(o, {"content", "body_html", "summary", "body_plain"});
  p.category = js::text(o, "product_type");
  p.brand = js::text(o, "vendor");
  std::string status = foldedText(o, "status");
  if (status == "active") p.active = true;
  else if (status == "archived" || status == "draft" || status == "inactive" || status == "hidden") p.active = false;
  else if (const JsonValue* pub = js::field(o, "published_on") ? js::field(o, "published_on") : js::field(o, "published_at")) {
    p.active = !pub->is_null();  // no status field (Haravan): unpublished = not on sale
  }

  std::vector<std::pair<double, std::string>> images;
  if (const JsonValue* imgs = js::array(o, "images")) {
    double i = 0;
    for (const auto& img : *imgs) {
      ++i;
      auto url = absoluteUrl(img.is_string() ? js::text(&img) : js::text(img, "src"));
      if (url) images.emplace_back(js::num(img, "position").value_or(i), *url);
    }
  }
  std::stable_sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pos, url] : images) p.images.push_back(std::move(url));
  if (p.images.empty()) {
    if (const JsonValue* img = js::object(o, "image")) {
      if (auto url = absoluteUrl(js::text(*img, "src"))) p.images.push_back(*url);
    }
  }

  const std::vector<std::string> names = optionNames(o);
  double total = 0;
  bool anyStock = false;
  if (const JsonValue* vs = js::array(o, "variants")) {
    for (const auto& v : *vs) {
      auto vid = js::id(v, "id");
      if (!vid) continue;
      Variant var;
      var.externalId = *vid;
      var.sku = js::text(v, "sku");
      var.barcode = js::text(v, "barcode");
      auto title = js::text(v, "title");
      if (!title || isDefaultTitle(title)) var.name = p.name;
      else var.name = p.name ? *p.name + " - " + *title : *title;
      for (int i = 0; i < 3; ++i) {
        auto value = js::text(v, "option" + std::to_string(i + 1));
        if (!value || isDefaultTitle(value)) continue;  // single-variant products: "Title" / "Default Title"
        std::string name = static_cast<size_t>(i) < names.size() && !names[i].empty() ? names[i]
                                                                                       : "Tùy chọn " + std::to_string(i + 1);
        var.options.emplace_back(name, *value);
      }
      var.price = js::num(v, "price");
      var.compareAtPrice = js::num(v, "compare_at_price");
      if (var.compareAtPrice && *var.compareAtPrice <= 0) var.compareAtPrice.reset();  // Sapo sends 0.0 for none
      var.weightGrams = weightGrams(v);
      if (const auto* levels = levelsFor(stock, v, *vid)) {
        double sum = 0;
        bool known = false;
        for (const auto& s : *levels) {
          var.stock.push_back(s);
          if (s.available) {
            sum += *s.available;
            known = true;
          }
        }
        if (known) var.totalStock = sum;
      }
      // Without per-location data: the variant's own figure, which is available-to-sell on
      // both platforms (Sapo per live checks, Haravan = inventory_advance.qty_available).
      if (!var.totalStock && stockTracked(v)) var.totalStock = js::num(v, "inventory_quantity");
      if (var.totalStock) {
        total += *var.totalStock;
        anyStock = true;
      }
      p.variants.push_back(std::move(var));
    }
  }
  if (p.variants.empty()) {  // a trimmed body (fields=...) still yields the one sellable unit
    Variant var;
    var.externalId = *id;
    var.name = p.name;
    p.variants.push_back(std::move(var));
  }
  if (p.variants.size() == 1) {
    p.sku = p.variants[0].sku;
    p.barcode = p.variants[0].barcode;
  }
  if (anyStock) p.totalStock = total;
  r.body = std::move(p);
  return r;
}

// --- orders ------------------------------------------------------------------------

bool hasTime(const JsonValue& o, std::initializer_list<const char*> keys) { return firstField(o, keys) != nullptr; }

std::optional<PaymentStatus> paymentStatus(const std::string& financial) {
  if (financial.empty()) return std::nullopt;
  if (financial == "paid") return PaymentStatus::Paid;
  if (financial == "partiallypaid") return PaymentStatus::PartiallyPaid;
  if (financial == "refunded") return PaymentStatus::Refunded;
  if (financial == "partiallyrefunded") return PaymentStatus::PartiallyRefunded;
  if (financial == "pending" || financial == "authorized" || financial == "unpaid" || financial == "voided" ||
      financial == "expired") {
    return PaymentStatus::Unpaid;
  }
  return std::nullopt;
}

bool carrierDelivered(const JsonValue& o) {
  if (const JsonValue* fs = js::array(o, "fulfillments")) {
    for (const auto& f : *fs) {
      std::string s = foldedText(f, "shipment_status");       // Sapo
      std::string c = foldedText(f, "carrier_status_code");   // Haravan
      if (s == "delivered" || c == "delivered") return true;
    }
  }
  return false;
}

// financial, fulfillment, cancelled and closed states → one unified status.
std::optional<OrderStatus> orderStatus(const JsonValue& o) {
  const std::string state = foldedText(o, "status");  // Sapo: open | closed | cancelled
  const std::string financial = foldedText(o, "financial_status");
  const std::string fulfillment = foldedText(o, "fulfillment_status");
  const std::string returns = foldedText(o, "return_status");  // Sapo: no_return | returned ...
  if (state == "cancelled" || foldedText(o, "cancelled_status") == "cancelled" ||
      hasTime(o, {"cancelled_on", "cancelled_at"})) {
    return OrderStatus::Cancelled;
  }
  const bool fulfilled = fulfillment == "fulfilled" || fulfillment == "shipped";
  if (returns == "returned" || returns == "fullyreturned" || fulfillment == "restocked" ||
      (fulfilled && financial == "refunded")) {
    return OrderStatus::Returned;
  }
  const bool closed = state == "closed" || foldedText(o, "closed_status") == "closed" || hasTime(o, {"closed_on", "closed_at"});
  const bool paid = financial == "paid" || financial == "partiallyrefunded";
  if (closed || hasTime(o, {"completed_on", "complete_at"}) || hasTime(o, {"delivered_on"}) ||
      (fulfilled && (paid || carrierDelivered(o)))) {
    return OrderStatus::Completed;
  }
  if (fulfilled) return OrderStatus::Shipping;
  if (fulfillment == "partial" || fulfillment == "partiallyfulfilled") return OrderStatus::Processing;
  if (foldedText(o, "confirmed_status") == "confirmed" || hasTime(o, {"confirmed_on", "confirmed_at"})) {
    return OrderStatus::Confirmed;
  }
  return OrderStatus::Pending;
}

// "open/pending/fulfilled": the three platform states side by side, unmapped.
std::optional<std::string> platformStatus(const JsonValue& o) {
  std::optional<std::string> state = js::text(o, "status");
  if (!state) {
    if (foldedText(o, "cancelled_status") == "cancelled") state = "cancelled";
    else if (foldedText(o, "closed_status") == "closed") state = "closed";
    else if (js::field(o, "closed_status") || js::field(o, "cancelled_status")) state = "open";
  }
  std::string out;
  for (const auto& part : {state, js::text(o, "financial_status"), js::text(o, "fulfillment_status")}) {
    if (!part) continue;
    if (!out.empty()) out += '/';
    out += *part;
  }
  return out.empty() ? std::nullopt : std::optional<std::string>(out);
}

double sumAmounts(const JsonValue* arr) {
  double s = 0;
  if (arr) {
    for (const auto& a : *arr) s += js::num(a, "amount").value_or(0);
  }
  return s;
}

std::optional<Record> mapOrder(const Dialect& d, const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(d, r, RecordType::Order, o, opts);
  Order ord;
  ord.code = js::text(o, "name");
  if (!ord.code) ord.code = js::text(o, "order_number");
  ord.status = orderStatus(o);
  ord.platformStatus = platformStatus(o);
  ord.paymentStatus = paymentStatus(foldedText(o, "financial_status"));

  if (const JsonValue* c = js::object(o, "customer")) {
    OrderCustomer oc;
    oc.externalId = js::id(*c, "id");
    oc.name = vietnameseName(*c);
    const JsonValue* addr = js::object(*c, "default_address");
    if (!oc.name && addr) oc.name = js::text(*addr, "name");
    oc.phone = phoneOf(*c, "phone");
    if (!oc.phone && addr) oc.phone = phoneOf(*addr, "phone");
    oc.email = js::text(*c, "email");
    ord.customer = oc;
  } else {
    // No customer account (guest checkout): who the order is for, from its own fields.
    const JsonValue* billing = js::object(o, "billing_address");
    OrderCustomer oc;
    oc.email = firstText(o, {"email", "contact_email"});
    oc.phone = phoneOf(o, "phone");
    if (billing) {
      oc.name = js::text(*billing, "name");
      if (!oc.name) oc.name = vietnameseName(*billing);
      if (!oc.phone) oc.phone = phoneOf(*billing, "phone");
    }
    if (oc.email || oc.phone || oc.name) ord.customer = oc;  // else a walk-in sale
  }

  double subtotal = 0;
  double lineDiscounts = 0;
  bool anyLine = false;
  if (const JsonValue* lines = js::array(o, "line_items")) {
    for (const auto& li : *lines) {
      OrderLine l;
      l.productExternalId = js::id(li, "product_id");
      l.variantExternalId = js::id(li, "variant_id");
      l.sku = js::text(li, "sku");
      l.name = js::text(li, "name");
      if (!l.name) {
        auto title = js::text(li, "title");
        auto vt = js::text(li, "variant_title");
        l.name = (title && vt && !isDefaultTitle(vt)) ? std::optional<std::string>(*title + " - " + *vt) : title;
      }
      l.quantity = js::num(li, "quantity");
      l.unitPrice = js::num(li, "price");
      // total_discount is the line's own; newer bodies spread discounts as allocations.
      double disc = js::num(li, "total_discount").value_or(0);
      if (disc == 0) disc = sumAmounts(js::array(li, "discount_allocations"));
      if (disc == 0) disc = sumAmounts(js::array(li, "applied_discounts"));
      l.discount = disc;
      lineDiscounts += disc;
      if (l.unitPrice && l.quantity) {
        l.total = *l.unitPrice * *l.quantity - disc;
        subtotal += *l.total;
        anyLine = true;
      }
      ord.lines.push_back(std::move(l));
    }
  }
  ord.subtotal = anyLine ? std::optional<double>(subtotal) : js::num(o, "total_line_items_price");
  if (auto totalDiscounts = js::num(o, "total_discounts")) {
    ord.discount = std::max(0.0, *totalDiscounts - lineDiscounts);  // the order-level part only
  }
  ord.shippingFee = js::num(o, "total_shipping_price");
  if (!ord.shippingFee) {
    if (const JsonValue* sl = js::array(o, "shipping_lines")) {
      double fee = 0;
      for (const auto& s : *sl) fee += js::num(s, "price").value_or(0);
      ord.shippingFee = fee;
    }
  }
  ord.tax = js::num(o, "total_tax");
  ord.total = js::num(o, "total_price");
  ord.currency = js::text(o, "currency");
  if (!ord.currency) ord.currency = "VND";
  ord.shippingAddress = addressOf(js::object(o, "shipping_address"));
  ord.locationId = js::id(o, "location_id");
  ord.note = js::text(o, "note");
  r.body = std::move(ord);
  return r;
}

// --- customers -----------------------------------------------------------------------

std::optional<std::string> genderOf(const JsonValue& o) {
  const JsonValue* g = js::field(o, "gender");
  if (js::isNull(g)) return std::nullopt;
  if (g->is_number()) {  // Haravan: 1 = male, 0 = female
    auto n = js::num(g);
    if (n && *n == 1) return std::string("male");
    if (n && *n == 0) return std::string("female");
    return std::nullopt;
  }
  std::string f = foldVietnamese(js::str(g).value_or(""));
  if (f == "male" || f == "m" || f == "nam" || f == "1") return std::string("male");
  if (f == "female" || f == "f" || f == "nu" || f == "0") return std::string("female");
  return std::nullopt;  // "other", "Khác", unknown
}

// Sapo `dob` "1990-06-15"; Haravan `birthday` a timestamp ("1990-06-15T00:00:00Z", or the
// shop's midnight as UTC "1990-06-14T17:00:00Z"): zoned values are read as a Vietnam date.
std::optional<std::string> birthdayOf(const JsonValue& o) {
  auto s = firstText(o, {"dob", "birthday", "birth_date"});
  if (!s) return std::nullopt;
  std::optional<std::string> date;
  const bool zoned = s->size() > 10 && (s->back() == 'Z' || s->back() == 'z' || s->find('+', 10) != std::string::npos ||
                                        s->find('-', 10) != std::string::npos);
  if (zoned) {
    if (auto ms = parseDateTime(*s, 0)) date = formatIsoUtc(*ms + kVietnamOffsetMinutes * 60'000LL).substr(0, 10);
  } else {
    date = dateOnly(*s);
  }
  if (date && *date < "1900") return std::nullopt;  // "0001-01-01": an unset .NET date
  return date;
}

std::optional<Record> mapCustomer(const Dialect& d, const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(d, r, RecordType::Customer, o, opts);
  Customer c;
  const JsonValue* addr = js::object(o, "default_address");
  if (!addr) {
    if (const JsonValue* all = js::array(o, "addresses")) {
      for (const auto& a : *all) {
        if (!a.is_object()) continue;
        if (!addr || js::boolean(a, "default").value_or(false)) addr = &a;
      }
    }
  }
  c.name = vietnameseName(o);
  if (!c.name && addr) c.name = js::text(*addr, "name");
  c.phone = phoneOf(o, "phone");
  if (!c.phone && addr) c.phone = phoneOf(*addr, "phone");
  c.email = js::text(o, "email");
  c.gender = genderOf(o);
  c.birthday = birthdayOf(o);
  c.address = addressOf(addr);
  c.totalSpent = js::num(o, "total_spent");
  c.orderCount = js::num(o, "orders_count");
  std::set<std::string> seen;
  auto add = [&](const std::string& g) {
    if (seen.insert(g).second) c.groups.push_back(g);
  };
  if (auto group = js::text(o, "group_name")) add(*group);  // Haravan customer group
  if (auto tags = js::str(o, "tags")) {                     // tags stand in for groups on Sapo
    for (const auto& t : splitList(*tags)) add(t);
  }
  r.body = std::move(c);
  return r;
}

std::optional<Record> mapLocation(const Dialect& d, const JsonValue& o, const NormalizeOptions& opts) {
  auto id = js::id(o, "id");
  if (!id) return std::nullopt;
  Record r;
  r.externalId = *id;
  common(d, r, RecordType::Location, o, opts);
  Location l;
  l.name = js::text(o, "name");
  l.address = joinParts({js::text(o, "address1"), js::text(o, "address2"), js::text(o, "ward"), js::text(o, "district"),
                         js::text(o, "city"), js::text(o, "province")});
  l.phone = phoneOf(o, "phone");
  r.body = std::move(l);
  return r;
}

// Events (`verb=destroy`) as deletions of `e`: Product and Order are the documented subjects.
void readDeletedEvents(Entity e, const JsonValue& events, Page& page) {
  const std::string wanted = fold(kSingleKeys[static_cast<int>(e)]);
  page.rowCount = events.size();
  for (const auto& ev : events) {
    std::string verb = foldedText(ev, "verb");
    if (verb != "destroy" && verb != "delete" && verb != "deleted") continue;
    if (foldedText(ev, "subject_type") != wanted) continue;
    if (auto id = js::id(ev, "subject_id")) page.removedIds.push_back(*id);
  }
}

STORELINK_COLD_BEGIN
// The text of an `{"errors": ...}` body: a string, a list, or {field: [messages]}.
std::string errorsText(const json& body) {
  const json* errs = js::field(body, "errors");
  if (errs == nullptr) errs = js::field(body, "error");
  if (errs == nullptr) errs = js::field(body, "message");
  if (errs == nullptr) return "";
  if (auto s = js::text(errs)) return *s;
  std::string out;
  auto addAll = [&](const json& list, const std::string& prefix) {
    if (auto s = js::text(&list)) {
      out += (out.empty() ? "" : "; ") + prefix + *s;
      return;
    }
    if (!list.is_array()) return;
    for (const auto& m : list) {
      if (auto s = js::text(&m)) out += (out.empty() ? "" : "; ") + prefix + *s;
    }
  };
  if (errs->is_array()) addAll(*errs, "");
  if (errs->is_object()) {
    for (auto it = errs->begin(); it != errs->end(); ++it) addAll(it.value(), it.key() + ": ");
  }
  if (out.size() > 300) out = out.substr(0, 300) + "…";
  return out;
}

// --- per-location stock (follow-ups) -------------------------------------------------
//
// page.pending["stock"] = {"keys": {key: [[record, variant], ...]}, "order": [key, ...]}: the
// stock key (Sapo inventory_item_id, Haravan variant id) of every tracked variant of the page,
// noted by parsePage. "batch" holds the specs of follow-ups added by moreFollowUps, "next"
// those the answers so far asked for.

STORELINK_COLD_END
void noteStockKeys(const Dialect& d, const JsonValue& row, size_t recordIndex, json& pending) {
  const JsonValue* vs = js::array(row, "variants");
  if (!vs) return;
  size_t vi = 0;
  for (const auto& v : *vs) {
    if (!js::id(v, "id")) continue;  // mapProduct skips these too
    const size_t index = vi++;
    if (!stockTracked(v)) continue;
    auto key = js::id(v, d.stockVariantKey);
    if (!key) continue;
    json& stock = pending["stock"];
    json& at = stock["keys"][*key];
    if (at.is_null()) stock["order"].push_back(*key);
    at.push_back(json::array({recordIndex, index}));
  }
}

// Merges stock rows into the page's variants (one level per location, the latest wins) and
// recomputes totals from them: totalStock = Σ available over locations.
// `body` is the follow-up answer, {"inventory_levels": [...]} or {"inventory_locations": [...]}.
STORELINK_COLD_BEGIN
void mergeStock(const Dialect& d, Page& page, const JsonValue& body) {
  const json* keys = js::object(page.pending["stock"], "keys");
  if (!keys) return;
  const StockIndex idx = stockIndex(body);
  std::set<size_t> touched;
  {
    const auto* byKey = d.stockRowKey == "inventory_item_id" ? &idx.byItem : &idx.byVariant;
    for (const auto& [key, levels] : *byKey) {
      const json* at = js::array(*keys, key);
      if (!at) continue;
      for (const auto& pos : *at) {
        const size_t ri = pos[0].get<size_t>(), vi = pos[1].get<size_t>();
        if (ri >= page.records.size()) continue;
        auto* p = std::get_if<Product>(&page.records[ri].body);
        if (!p || vi >= p->variants.size()) continue;
        auto& stock = p->variants[vi].stock;
        for (const auto& level : levels) {
          auto same = std::find_if(stock.begin(), stock.end(), [&](const StockLevel& s) { return s.locationId == level.locationId; });
          if (same != stock.end()) *same = level;
          else stock.push_back(level);
        }
        touched.insert(ri);
      }
    }
  }
  for (size_t ri : touched) {
    auto& p = std::get<Product>(page.records[ri].body);
    double total = 0;
    bool any = false;
    for (auto& var : p.variants) {
      if (!var.stock.empty()) {
        double sum = 0;
        bool known = false;
        for (const auto& s : var.stock) {
          if (s.available) {
            sum += *s.available;
            known = true;
          }
        }
        if (known) var.totalStock = sum;
      }
      if (var.totalStock) {
        total += *var.totalStock;
        any = true;
      }
    }
    p.totalStock = any ? std::optional<double>(total) : std::nullopt;
  }
}

STORELINK_COLD_END
}  // namespace

STORELINK_COLD_BEGIN
ShopName normalizeShopName(std::string_view typed, std::string_view suffix) {
  ShopName out;
  std::string s;
  for (char c : typed) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto trimmed = nonEmpty(s);
  if (!trimmed) return out;
  s = *trimmed;
  if (auto p = s.find("://"); p != std::string::npos) s = s.substr(p + 3);
  if (auto p = s.find_first_of("/?#"); p != std::string::npos) s = s.substr(0, p);
  if (auto p = s.find('@'); p != std::string::npos) s = s.substr(p + 1);  // "key:secret@shop" pasted whole
  if (auto p = s.find(':'); p != std::string::npos) s = s.substr(0, p);
  while (!s.empty() && s.back() == '.') s.pop_back();
  const std::string dotted = "." + std::string(suffix);
  if (s.size() > dotted.size() && s.compare(s.size() - dotted.size(), dotted.size(), dotted) == 0) {
    s = s.substr(0, s.size() - dotted.size());
  } else if (s.find('.') != std::string::npos) {
    out.customDomain = true;
    return out;
  }
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return out;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return out;
  }
  out.name = s;
  return out;
}

STORELINK_COLD_END
std::optional<std::string> vietnameseName(const JsonValue& o) {
  auto first = js::text(o, "first_name");
  auto last = js::text(o, "last_name");
  if (first && last) return *last + " " + *first;
  return last ? last : first;
}

STORELINK_COLD_BEGIN
ShopifyFamilyConnector::ShopifyFamilyConnector(Dialect d) : d_(std::move(d)) {
  info_.id = d_.platform;
  info_.displayName = d_.displayName;
  info_.entities = {Entity::Products, Entity::Orders, Entity::Customers, Entity::Locations};
  info_.status = "available";
  info_.webhooks = true;
}

PagingPolicy ShopifyFamilyConnector::paging(Entity e) const {
  PagingPolicy p;
  p.kind = PagingPolicy::Kind::ModifiedTimeOffset;
  p.pageSize = d_.maxLimit;
  p.pageNumbered = true;  // `page=N`: the engine re-anchors and restarts at page 1
  p.reportsDeletions = false;  // list endpoints carry no deletions (webhooks, events do)
  return p;
}

// The platform's leaky bucket, one call kept back for the shop's other apps; after each
// response the engine trims its own bucket to what the call-limit header says is left.
RatePolicy ShopifyFamilyConnector::rate() const { return {d_.leakPerSecond, d_.bucketSize - 1, 0}; }

HttpRequest ShopifyFamilyConnector::pageRequest(const PageQuery& q) const {
  HttpRequest r;
  r.purpose = "page";
  r.url = resourceUrl(kResources[static_cast<int>(q.entity)]);
  r.headers = authHeaders(q.settings);
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("Content-Type", "application/json");  // Sapo docs: mandatory on every call
  const int limit = std::clamp(q.pageSize, 1, d_.maxLimit);
  r.query = {{"limit", std::to_string(limit)}, {"page", std::to_string(q.offset / limit + 1)}};
  if (q.entity != Entity::Locations) {  // locations take no documented filter: always the full list
    r.query.emplace_back("order", d_.orderParam);
    if (q.modifiedFromMs) {
      std::string t = formatIsoUtc(*q.modifiedFromMs);
      if (d_.secondPrecisionFilter) {
        // Floor to the second ("…:45Z"): an inclusive lower bound may only move earlier.
        int64_t ms = *q.modifiedFromMs;
        int64_t floored = ms - (((ms % 1000) + 1000) % 1000);
        t = formatIsoUtc(floored);
        if (t.size() == 24 && t[19] == '.') t.erase(19, 4);  // "...:45.000Z" -> "...:45Z"
      }
      r.query.emplace_back(d_.modifiedMinParam, t);
    }
  }
  addListQuery(q, r);
  return r;
}

std::optional<double> ShopifyFamilyConnector::parseCallLimit(std::string_view h) {
  auto slash = h.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto used = parseNumber(nonEmpty(h.substr(0, slash)).value_or(""));
  auto cap = parseNumber(nonEmpty(h.substr(slash + 1)).value_or(""));
  if (!used || !cap || *cap <= 0) return std::nullopt;
  return std::max(0.0, *cap - *used);
}

std::optional<double> ShopifyFamilyConnector::remainingCalls(const HttpResponse& response) const {
  for (const auto& name : d_.callLimitHeaders) {
    if (const std::string* h = response.header(name)) {
      if (auto left = parseCallLimit(*h)) return left;
    }
  }
  return std::nullopt;
}

ResponseVerdict ShopifyFamilyConnector::classify(const HttpResponse& resp) const {
  ResponseVerdict v = Connector::classify(resp);
  if (v.kind == ResponseVerdict::Kind::Ok) return v;
  json body = parseJson(resp.body);
  std::string text = body.is_object() ? errorsText(body) : "";
  if (!text.empty()) v.error.detail += ": " + text;
  if (resp.status == 401) {
    v.error.message = credentialsMessage();
  } else if (resp.status == 403) {
    v.error.message = permissionMessage(std::nullopt);
  } else if (resp.status == 404 || (resp.status >= 300 && resp.status < 400)) {
    // A shop name that does not exist answers 404 (or a redirect to the vendor's site).
    v.kind = ResponseVerdict::Kind::Fatal;
    v.error.code = ErrorCode::NotFound;
    v.error.message = notFoundMessage();
  } else if (resp.status == 400 || resp.status == 422) {
    v.error.message = d_.displayName + " từ chối yêu cầu" + (text.empty() ? "" : ": " + text) + ".";
  }
  return v;
}

ResponseVerdict ShopifyFamilyConnector::classifyPage(Entity e, const HttpResponse& resp) const {
  ResponseVerdict v = classify(resp);
  if (resp.status == 403) v.error.message = permissionMessage(e);
  return v;
}

Result<WebhookEvent> ShopifyFamilyConnector::inspectWebhook(const WebhookDelivery& d, const std::string& secret) const {
  json body = parseJson(d.body);
  if (!body.is_object()) {
    return Error::make(ErrorCode::UnexpectedShape, "Webhook " + d_.displayName + " không đúng định dạng.",
                       "the body is not a JSON object");
  }
  auto header = [&](const std::vector<std::string>& names) -> std::string {
    for (const auto& n : names) {
      auto it = d.headers.find(n);
      if (it != d.headers.end()) return nonEmpty(it->second).value_or("");
    }
    return "";
  };
  WebhookEvent ev;
  ev.topic = header({d_.topicHeader});
  ev.storeKey = header(d_.storeHeaders);
  ev.eventId = header(d_.eventIdHeaders);
  const std::string resource = fold(ev.topic.substr(0, ev.topic.find('/')));
  const std::string action = ev.topic.find('/') == std::string::npos ? "" : fold(ev.topic.substr(ev.topic.find('/') + 1));
  // Both spellings where the platforms disagree: orders/updated vs orders/update,
  // products/deleted vs products/delete. Fulfillment/refund/transaction topics carry those
  // objects, not orders, so they name no entity (the order's own orders/updated follows).
  if (resource == "products" || resource == "product") ev.entity = Entity::Products;
  else if (resource == "orders" || resource == "order") ev.entity = Entity::Orders;
  else if (resource == "customers" || resource == "customer") ev.entity = Entity::Customers;
  else if (resource == "locations" || resource == "location") ev.entity = Entity::Locations;
  else if (resource == "inventorylocationbalances" || resource == "inventorylevels") ev.entity = Entity::Products;
  ev.deletion = action == "delete" || action == "deleted" || action == "destroy";
  if (secret.empty()) return ev;

  std::string sig = header(d_.hmacHeaders);
  if (sig.empty()) {
    return Error::make(ErrorCode::Forbidden, "Chữ ký webhook " + d_.displayName + " không hợp lệ.",
                       "missing " + d_.hmacHeaders.front() + " header");
  }
  // Base64 of HMAC-SHA256(secret, raw body), as both platforms document; hex tolerated.
  auto mac = crypto::hmacSha256(secret, d.body);
  if (crypto::constantTimeEquals(sig, crypto::toBase64(mac)) || crypto::constantTimeEquals(sig, crypto::toHex(mac))) {
    ev.signatureChecked = true;
    return ev;
  }
  return Error::make(ErrorCode::Forbidden, "Chữ ký webhook " + d_.displayName + " không hợp lệ.",
                     d_.hmacHeaders.front() + " does not match the body");
}

STORELINK_COLD_END
Result<Page> ShopifyFamilyConnector::parsePage(Entity e, std::string_view text, const NormalizeOptions& opts) const {
  // One pass into a flat tape (json_view.hpp), read in place: list pages are the hot path.
  JsonDoc doc;
  if (!doc.parse(text)) {
    return Error::make(ErrorCode::InvalidJson, "Dữ liệu " + d_.displayName + " trả về bị lỗi hoặc không đầy đủ.",
                       "body is not valid JSON");
  }
  const JsonValue& body = doc.root();
  auto shapeError = [&](std::string detail) {
    return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu " + d_.displayName + " trả về không đúng định dạng.",
                       std::move(detail));
  };
  if (!body.is_object()) return shapeError("expected a JSON object");
  const char* listKey = kListKeys[static_cast<int>(e)];
  Page page;
  if (const JsonValue* events = js::array(body, "events")) {
    readDeletedEvents(e, *events, page);
    return page;
  }

  std::vector<const JsonValue*> rows;
  if (const JsonValue* list = js::array(body, listKey)) {
    rows.reserve(list->size());
    for (const JsonValue& row : *list) rows.push_back(&row);
  } else {
    if (js::field(body, "errors")) {
      Error err = Error::make(ErrorCode::PlatformError, d_.displayName + " báo lỗi: " + errorsText(toJson(body)) + ".", "errors");
      return err;
    }
    if (const JsonValue* one = js::object(body, kSingleKeys[static_cast<int>(e)])) {
      rows.push_back(one);  // GET /{resource}/{id}.json
    } else if (js::field(body, "id")) {
      // A webhook body: the bare resource object.
      bool onlyId = true;
      for (auto it = body.begin(); it != body.end(); ++it) onlyId = onlyId && (it.key() == "id" || it.key() == "admin_graphql_api_id");
      if (onlyId) {  // delete topics carry {"id": …} alone
        page.rowCount = 1;
        if (auto id = js::id(body, "id")) page.removedIds.push_back(*id);
        return page;
      }
      if (e == Entity::Products && (js::field(body, "loc_id") || js::field(body, "inventory_item_id")) &&
          !js::field(body, "variants")) {
        page.rowCount = 1;  // a stock-balance webhook: about products, but not a product
        return page;
      }
      rows.push_back(&body);
    } else {
      return shapeError(std::string("expected {\"") + listKey + "\": [...]}");
    }
  }

  const StockIndex stock = e == Entity::Products ? stockIndex(body) : StockIndex{};
  page.rowCount = rows.size();
  page.records.reserve(rows.size());
  page.sortKeys.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const JsonValue& row = *rows[i];
    std::optional<Record> rec;
    if (row.is_object()) {
      switch (e) {
        case Entity::Products: rec = mapProduct(d_, row, stock, opts); break;
        case Entity::Orders: rec = mapOrder(d_, row, opts); break;
        case Entity::Customers: rec = mapCustomer(d_, row, opts); break;
        case Entity::Locations: rec = mapLocation(d_, row, opts); break;
      }
    }
    if (!rec) {
      page.rowErrors.push_back(rowWithoutId(d_.displayName, i));
      continue;
    }
    if (e == Entity::Products && !d_.stockVariantKey.empty()) noteStockKeys(d_, row, page.records.size(), page.pending);
    page.sortKeys.push_back(rec->updatedAtMs);  // the filter's field (created time when never modified)
    page.records.push_back(std::move(*rec));
  }
  return page;
}

STORELINK_COLD_BEGIN
// --- products: locations and per-location stock ---------------------------------------
//
// Setup (once per products job): the shop's locations, page by page (their ids go with
// Haravan's stock requests and size every request so its rows fit one answer), then one probe
// of the stock endpoint. A 403 on either (Haravan com.read_shop / com.read_inventories not
// granted), or a 400/404/422, leaves stock to the variants' own available figures instead of
// failing the products sync.
// learned: {"locIds": [...], "locPage": n, "stock": "probe"|"ok"|"forbidden"|"unavailable"|"none"}.

std::optional<HttpRequest> ShopifyFamilyConnector::setupRequest(Entity e, const json& settings, const json& learned) const {
  if (e != Entity::Products || d_.stockResource.empty()) return std::nullopt;
  const std::string stage = js::str(learned, "stock").value_or("");
  if (!stage.empty() && stage != "probe") return std::nullopt;
  HttpRequest r;
  r.purpose = "page";
  r.headers = authHeaders(&settings);
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("Content-Type", "application/json");
  // The probe needs a location id; a kept setup without one (a checkpoint from elsewhere) lists
  // the locations again rather than index what is not there.
  const json* ids = js::array(learned, "locIds");
  const std::optional<std::string> firstLocation = ids && !ids->empty() ? js::id(&(*ids)[0]) : std::nullopt;
  if (stage.empty() || !firstLocation) {
    r.url = resourceUrl("locations");
    r.query = {{"limit", std::to_string(d_.maxLimit)},
               {"page", std::to_string(toInt64Or(js::num(learned, "locPage").value_or(1), 1))}};
    return r;
  }
  // The probe: the first location's first level, the cheapest call the endpoint takes.
  r.url = resourceUrl(d_.stockResource);
  r.query = {{"location_ids", *firstLocation}, {"limit", "1"}};
  return r;
}

Result<json> ShopifyFamilyConnector::applySetup(Entity, const json& learned, const HttpRequest&,
                                                const HttpResponse& response) const {
  json out = learned.is_object() ? learned : json::object();
  const bool locations = js::str(out, "stock").value_or("").empty();
  // Refused (permission) or not understood (an endpoint or parameter this shop does not know):
  // products sync all the same, with the variants' own figures. 401 and other failures end the job.
  if (response.status == 403 || response.status == 404 || response.status == 400 || response.status == 422) {
    out["stock"] = response.status == 403 ? "forbidden" : "unavailable";
    return out;
  }
  if (response.status < 200 || response.status >= 300) {
    ResponseVerdict v = classifyPage(locations ? Entity::Locations : Entity::Products, response);
    Error err = v.error;
    if (err.message.empty()) err = Error::make(ErrorCode::PlatformError, d_.displayName + " trả về lỗi không xác định.");
    err.httpStatus = response.status;
    return err;
  }
  json body = parseJson(response.body);
  if (body.is_discarded()) {
    return Error::make(ErrorCode::InvalidJson, "Dữ liệu " + d_.displayName + " trả về bị lỗi hoặc không đầy đủ.",
                       "body is not valid JSON");
  }
  if (!locations) {
    out["stock"] = "ok";
    return out;
  }
  const json* rows = js::array(body, "locations");
  if (!rows) {
    return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu " + d_.displayName + " trả về không đúng định dạng.",
                       "expected {\"locations\": [...]}");
  }
  if (!out["locIds"].is_array()) out["locIds"] = json::array();
  for (const auto& l : *rows) {
    if (auto id = js::id(l, "id")) out["locIds"].push_back(*id);
  }
  if (static_cast<int>(rows->size()) >= d_.maxLimit) {
    out["locPage"] = js::num(out, "locPage").value_or(1) + 1;
  } else {
    out["stock"] = out["locIds"].empty() ? "none" : "probe";
  }
  return out;
}

// A location added on the platform reaches the stock requests within this long (Haravan sends
// the known location ids with them; Sapo answers for every location anyway), and a probe's
// verdict is re-checked as often. Only a finished setup that found stock readable ("ok") or
// no location at all ("none") is kept: a shop whose token lacks the inventory scope asks again
// on every job, so a permission granted later takes effect at once.
constexpr int64_t kSetupReuseMs = 60 * 60 * 1000;

std::optional<Connector::ReusableSetup> ShopifyFamilyConnector::reusableSetup(Entity e, const json& learned) const {
  if (e != Entity::Products || d_.stockResource.empty()) return std::nullopt;
  const std::string stage = js::str(learned, "stock").value_or("");
  if (stage != "ok" && stage != "none") return std::nullopt;
  const json* locIds = js::array(learned, "locIds");
  json keep = {{"stock", stage}, {"locIds", locIds ? *locIds : json::array()}};
  for (const auto& id : keep["locIds"]) {
    if (!id.is_string()) return std::nullopt;  // not what applySetup writes: ask again
  }
  if (stage == "ok" && keep["locIds"].empty()) return std::nullopt;
  return ReusableSetup{std::move(keep), kSetupReuseMs};
}

json ShopifyFamilyConnector::stockPlan(const PageQuery& q, const Page& page) const {
  json specs = json::array();
  if (q.entity != Entity::Products || !q.partition.empty() || q.learned == nullptr) return specs;
  if (js::str(*q.learned, "stock").value_or("") != "ok") return specs;
  const json* stock = js::object(page.pending, "stock");
  const json* order = stock ? js::array(*stock, "order") : nullptr;
  if (!order || order->empty()) return specs;
  const json* locIds = js::array(*q.learned, "locIds");
  const size_t nLocs = locIds ? locIds->size() : 0;
  // Location groups: Haravan sends them (≤ stockMaxLocations each); Sapo answers for all.
  std::vector<json> groups;
  if (!d_.stockLocationsParam.empty() && locIds) {
    for (size_t i = 0; i < nLocs; i += d_.stockMaxLocations) {
      groups.push_back(json(std::vector<json>(locIds->begin() + i, locIds->begin() + std::min(nLocs, i + d_.stockMaxLocations))));
    }
  } else {
    groups.push_back(json::array());
  }
  for (const auto& locs : groups) {
    // One level per id and location: ids × locations rows should fit one answer (a fuller
    // answer is followed by its next rows all the same). Paged by `page` (Sapo), they must
    // fit strictly: an exactly full answer costs an empty page 2, and a page 2 asked after a
    // product of the group was deleted starts past rows never read (tests/js/faults.test.js,
    // seed 4 sapo/products, when groups were filled to the id cap and paged).
    const size_t perAnswer = std::max<size_t>(1, locs.empty() ? nLocs : locs.size());
    const size_t room = static_cast<size_t>(std::max(1, d_.stockSinceId ? d_.stockLimit : d_.stockLimit - 1));
    const size_t n = std::clamp<size_t>(room / perAnswer, 1, static_cast<size_t>(std::max(1, d_.stockMaxIds)));
    for (size_t i = 0; i < order->size(); i += n) {
      json ids(std::vector<json>(order->begin() + i, order->begin() + std::min(order->size(), i + n)));
      specs.push_back({{"ids", ids}, {"locs", locs}, {"page", 1}});
    }
  }
  return specs;
}

HttpRequest ShopifyFamilyConnector::stockRequest(const json& spec, const json* settings) const {
  auto joined = [](const json& list) {
    std::string out;
    for (const auto& v : list) out += (out.empty() ? "" : ",") + v.get<std::string>();
    return out;
  };
  HttpRequest r;
  r.purpose = "page";
  r.url = resourceUrl(d_.stockResource);
  r.headers = authHeaders(settings);
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("Content-Type", "application/json");
  if (!d_.stockLocationsParam.empty() && !spec["locs"].empty()) r.query.emplace_back(d_.stockLocationsParam, joined(spec["locs"]));
  r.query.emplace_back(d_.stockIdsParam, joined(spec["ids"]));
  r.query.emplace_back("limit", std::to_string(d_.stockLimit));
  if (d_.stockSinceId) {
    r.query.emplace_back("order", "id");
    r.query.emplace_back("direction", "asc");
    if (auto since = js::text(spec, "since")) r.query.emplace_back("since_id", *since);
  } else {
    r.query.emplace_back("page", std::to_string(toInt64Or(js::num(spec, "page").value_or(1), 1)));
  }
  return r;
}

std::vector<HttpRequest> ShopifyFamilyConnector::followUpRequests(const PageQuery& q, const Page& page) const {
  std::vector<HttpRequest> out;
  for (const auto& spec : stockPlan(q, page)) out.push_back(stockRequest(spec, q.settings));
  return out;
}

std::optional<Error> ShopifyFamilyConnector::applyFollowUp(const PageQuery& q, Page& page, size_t index,
                                                           const HttpResponse& response) const {
  JsonDoc doc;
  if (!doc.parse(response.body)) {
    return Error::make(ErrorCode::InvalidJson, "Dữ liệu " + d_.displayName + " trả về bị lỗi hoặc không đầy đủ.",
                       "stock body is not valid JSON");
  }
  const JsonValue& body = doc.root();
  const JsonValue* rows = body.is_object() ? js::array(body, d_.stockResource) : nullptr;
  if (!rows) {
    return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu tồn kho " + d_.displayName + " trả về không đúng định dạng.",
                       "expected {\"" + d_.stockResource + "\": [...]}");
  }
  const json specs = page.pending.contains("batch") ? page.pending["batch"] : stockPlan(q, page);
  mergeStock(d_, page, body);
  if (index < specs.size() && static_cast<int>(rows->size()) >= d_.stockLimit) {
    // A full answer: more rows may follow.
    json next = specs[index];
    if (d_.stockSinceId) {
      std::optional<std::string> last;
      double lastId = -1;
      for (const auto& row : *rows) {
        auto id = js::num(row, "id");
        if (id && *id > lastId) {
          lastId = *id;
          last = js::id(row, "id");
        }
      }
      if (!last) return std::nullopt;  // rows without ids cannot be continued
      next["since"] = *last;
    } else {
      next["page"] = js::num(next, "page").value_or(1) + 1;
    }
    page.pending["next"].push_back(std::move(next));
  }
  return std::nullopt;
}

// The rest of the job asks no stock ("forbidden", as a refused probe leaves it), and
// reusableSetup keeps nothing, so the next job lists locations and probes again. Variants
// whose levels came in before the refusal keep them; the others keep their own figures.
std::optional<json> ShopifyFamilyConnector::followUpRefused(const PageQuery& q, Page& page, const HttpResponse& response) const {
  if (q.entity != Entity::Products || d_.stockResource.empty() || response.status != 403) return std::nullopt;
  json out = q.learned && q.learned->is_object() ? *q.learned : json::object();
  out["stock"] = "forbidden";
  if (page.pending.is_object()) {
    page.pending.erase("next");
    page.pending.erase("batch");
  }
  return out;
}

std::vector<HttpRequest> ShopifyFamilyConnector::moreFollowUps(const PageQuery& q, Page& page) const {
  std::vector<HttpRequest> out;
  json next = page.pending.contains("next") ? std::move(page.pending["next"]) : json::array();
  page.pending.erase("next");
  page.pending["batch"] = next;
  for (const auto& spec : next) out.push_back(stockRequest(spec, q.settings));
  return out;
}

// --- webhook registration (connect steps) -------------------------------------------------
//
// Idempotent by (address, topic): the shop's registrations at this connection's address are
// listed first; only missing topics are created and duplicates removed, so a reconnect never
// registers twice. Disconnect removes every registration at the address.

namespace {

Error connectInputError(std::string message, std::string detail, std::string field) {
  Error e = Error::make(ErrorCode::InvalidInput, std::move(message), std::move(detail));
  e.field = std::move(field);
  return e;
}

// The connection's webhook URL: https, or plain http on loopback (the sandbox).
bool acceptableAddress(const std::string& a) {
  if (a.size() > 2000 || a.find_first_of(" \t\r\n\"") != std::string::npos) return false;
  if (a.rfind("https://", 0) == 0) return a.size() > 8;
  return a.rfind("http://127.0.0.1", 0) == 0 || a.rfind("http://localhost", 0) == 0;
}

}  // namespace

Result<json> ShopifyFamilyConnector::connectStep(std::string_view step, const json& input) const {
  const bool known = step == "webhooksListRequest" || step == "webhooksRegister" || step == "webhooksUnregister" ||
                     step == "webhookResult";
  if (!known) return Connector::connectStep(step, input);
  if (d_.webhookTopics.empty()) {
    Error e = Error::make(ErrorCode::Unsupported, d_.webhookManualHint, d_.displayName + " private apps cannot register webhooks through the API");
    e.field = "step";
    return e;
  }
  const json* settings = js::object(input, "settings");
  auto base = [&](const std::string& method, const std::string& url, const char* purpose) {
    HttpRequest r;
    r.method = method;
    r.purpose = purpose;
    r.url = url;
    r.headers = authHeaders(settings);
    r.headers.emplace_back("Accept", "application/json");
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
  };
  // An answer (list, create or delete) as {status, body}: a failure is the same typed error a page would get.
  auto answerError = [&](const json& in) -> std::optional<Error> {
    HttpResponse resp;
    resp.status = toIntOr(js::num(in, "status").value_or(0), 0);
    resp.body = js::str(in, "body").value_or("");
    if (resp.status >= 200 && resp.status < 300) return std::nullopt;
    if (resp.status == 0) return Error::make(ErrorCode::Network, "Không kết nối được tới " + d_.displayName + ".", "no answer");
    ResponseVerdict v = classify(resp);
    if (resp.status == 403) v.error.message = d_.displayName + " chưa cho ứng dụng quyền quản lý webhook; StoreLink sẽ không nhận được thay đổi tức thời (dữ liệu vẫn được đồng bộ theo lịch).";
    v.error.httpStatus = resp.status;
    return v.error;
  };

  if (step == "webhookResult") {
    // A delete answering 404 is already gone: fine.
    const int status = toIntOr(js::num(input, "status").value_or(0), 0);
    if (status == 404) return json{{"ok", true}, {"webhook", nullptr}};
    if (auto err = answerError(input)) return *err;
    json body = parseJson(js::str(input, "body").value_or(""));
    json out{{"ok", true}, {"webhook", nullptr}};
    if (const json* w = js::object(body, "webhook")) {
      out["webhook"] = {{"id", js::id(*w, "id").value_or("")}, {"topic", js::text(*w, "topic").value_or("")},
                        {"address", js::text(*w, "address").value_or("")}};
    }
    return out;
  }

  auto address = js::text(input, "address");
  if (!address || !acceptableAddress(*address)) {
    return connectInputError("Địa chỉ nhận webhook phải là một URL https.", "address must be an https URL", "address");
  }
  if (step == "webhooksListRequest") {
    HttpRequest r = base("GET", resourceUrl("webhooks"), "verify");
    r.query = {{"address", *address}, {"limit", "250"}};
    return json{{"request", requestToJson(r)}};
  }

  if (auto err = answerError(input)) return *err;
  json body = parseJson(js::str(input, "body").value_or(""));
  const json* list = js::array(body, "webhooks");
  if (!list) {
    return Error::make(ErrorCode::UnexpectedShape, "Dữ liệu webhook " + d_.displayName + " trả về không đúng định dạng.",
                       "expected {\"webhooks\": [...]}");
  }
  auto removal = [&](const std::string& id) {
    return requestToJson(base("DELETE", resourceUrl("webhooks/" + id), "write"));
  };
  json out{{"create", json::array()}, {"remove", json::array()}, {"registered", json::array()}};
  std::set<std::string> have;
  for (const auto& w : *list) {
    auto id = js::id(w, "id");
    if (!id || js::text(w, "address").value_or("") != *address) continue;  // another address: not ours
    const std::string topic = js::text(w, "topic").value_or("");
    if (step == "webhooksUnregister" || !have.insert(topic).second) {
      out["remove"].push_back(removal(*id));  // ours on disconnect, or a duplicate of a topic
    } else {
      out["registered"].push_back({{"id", *id}, {"topic", topic}});
    }
  }
  if (step == "webhooksUnregister") {
    out.erase("create");
    out.erase("registered");
    return out;
  }
  for (const auto& topic : d_.webhookTopics) {
    if (have.count(topic)) continue;
    HttpRequest r = base("POST", resourceUrl("webhooks"), "write");
    r.body = dumpJson(json{{"webhook", {{"topic", topic}, {"address", *address}, {"format", "json"}}}});
    out["create"].push_back(requestToJson(r));
  }
  return out;
}

STORELINK_COLD_END
}  // namespace storelink::connectors::family
