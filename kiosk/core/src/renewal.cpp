// The renewal before any money (docs/architecture.md, "The renewal engine"): the product, the key checked,
// the phone verified, the order and its payment.
#include <algorithm>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core::detail {
namespace {

const Product* find_product(const Model& m, std::string_view id) {
  for (const auto& p : m.catalog.products)
    if (p.id == id) return &p;
  return nullptr;
}

void choose(Renewal& r, const Product& p) {
  r.product_id = p.id;
  r.years = p.allowed_years.empty() ? 1 : p.allowed_years.front();
}

// The inserted key's brand picks the product when the customer has not chosen one.
void preselect_product(const Model& m, Renewal& r) {
  if (!r.product_id.empty() || m.key.presence != KeyPresence::Recognised) return;
  for (const auto& p : m.catalog.products)
    if (p.brand_id == m.key.brand_id) {
      choose(r, p);
      return;
    }
}

void choose_years(const Model& m, Renewal& r, int years) {
  const Product* p = chosen_product(m, r);
  if (p && std::find(p->allowed_years.begin(), p->allowed_years.end(), years) != p->allowed_years.end())
    r.years = years;
}

// Checks the key read at 【开始续费】 against the chosen product, before any money. Returns the problem's
// message key, empty when the renewal may go on.
std::string check_key(const Model& m, const Renewal& r, const KeyRead& k, const CertSummary** picked) {
  const Product* p = chosen_product(m, r);
  if (!p) return std::string(msg::kKeyCheckNoProduct);
  if (k.brand_id.empty()) return std::string(msg::kKeyCheckBrandUnknown);
  if (k.brand_id != p->brand_id) return std::string(msg::kKeyCheckBrandMismatch);
  const CertSummary* best = nullptr;
  for (const auto& c : k.certificates)
    if (c.has_private_key && (!best || c.not_after > best->not_after)) best = &c;
  if (!best)
    return std::string(k.certificates.empty() ? msg::kKeyCheckNoCertificate : msg::kKeyCheckNoPrivateKey);
  *picked = best;
  if (k.pin.locked) return std::string(msg::kKeyCheckPinLocked);
  if (k.pin.to_be_changed) return std::string(msg::kKeyCheckPinToBeChanged);
  if (std::find(k.can_generate.begin(), k.can_generate.end(), p->key_algorithm) == k.can_generate.end())
    return std::string(msg::kKeyCheckMechanism);
  if (m.wall < best->not_after - p->window_days_before * kDay) return std::string(msg::kKeyCheckTooEarly);
  if (m.wall > best->not_after + p->window_days_after * kDay) return std::string(msg::kKeyCheckTooLate);
  return {};
}

void close_order(Ctx& c, phase::Payment& p, bool reorder) {
  p.closing = true;
  p.reorder_after_close = reorder;
  c.fx.push_back(CloseOrder{p.order.id});
}

}  // namespace

const Product* chosen_product(const Model& m, const Renewal& r) {
  if (r.product_id.empty()) return nullptr;
  return find_product(m, r.product_id);
}

bool order_paid(const Order& o) {
  return o.status == OrderStatus::Paid || o.status == OrderStatus::Issued ||
         o.status == OrderStatus::Installed;
}

void go_paid(Ctx& c, Renewal renewal, BoundKey key, Order order) {
  // The customer stood still while paying on the phone (no idle limit there): the usual idle time counts
  // from the payment, or 您还在吗 would greet them the moment the key's details appear.
  c.m.last_activity = c.m.now;
  order.status = OrderStatus::Paid;
  auto& next = go(c, phase::KeyDetails{std::move(renewal), Paid{std::move(key), std::move(order)}});
  read_key(c, next);
}

void create_order(Ctx& c, phase::OrderList& p) {
  Renewal& r = p.renewal;
  p.submitting = true;
  r.phone.error_key.clear();
  c.fx.push_back(CreateOrder{r.product_id, r.years, p.key.cert.fingerprint_sha256, p.key.token, r.phone.phone,
                             r.order_attempt});
}

// ---- products ----
void on(Ctx& c, phase::Home&, const RenewTapped&) {
  Catalog& cat = c.m.catalog;
  if (cat.products.empty() && !cat.loading) {
    cat.loading = true;
    cat.failed = false;
    c.fx.push_back(LoadCatalog{});
  }
  auto& next = go(c, phase::Products{});
  preselect_product(c.m, next.renewal);
}

void on(Ctx& c, phase::Products&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Products&, const BackTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Products&, const CancelTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Products& p, const KeyStatusChanged&) {
  preselect_product(c.m, p.renewal);
}
void on(Ctx& c, phase::Products& p, const CatalogLoaded&) {
  preselect_product(c.m, p.renewal);
}

void on(Ctx& c, phase::Products& p, const ProductChosen& e) {
  const auto& offered = c.m.settings.products;  // the fleet's choice; empty: every product of the catalog
  if (!offered.empty() && std::find(offered.begin(), offered.end(), e.product_id) == offered.end()) return;
  if (const Product* prod = find_product(c.m, e.product_id)) choose(p.renewal, *prod);
}

void on(Ctx& c, phase::Products& p, const YearsChosen& e) {
  choose_years(c.m, p.renewal, e.years);
}

void on(Ctx& c, phase::Products& p, const StartRenewalTapped&) {
  if (!chosen_product(c.m, p.renewal)) return;
  auto& next = go(c, phase::KeyCheck{std::move(p.renewal)});
  read_key(c, next);
}

// ---- the key check ----
void on(Ctx& c, phase::KeyCheck&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::KeyCheck&, const CancelTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::KeyCheck& p, const BackTapped&) {
  go(c, phase::Products{std::move(p.renewal)});
}

void on(Ctx& c, phase::KeyCheck& p, const KeyStatusChanged&) {
  if (!p.reading) read_key(c, p);
}

void on(Ctx& c, phase::KeyCheck& p, const ReadKeyTapped&) {
  if (!p.reading) read_key(c, p);
}

void on(Ctx& c, phase::KeyCheck& p, const KeyRead& k) {
  if (!p.reading) return;
  p.reading = false;
  const CertSummary* picked = nullptr;
  p.problem_key = check_key(c.m, p.renewal, k, &picked);
  if (!p.problem_key.empty()) return;
  go(c, phase::Phone{std::move(p.renewal), BoundKey{*picked, k.token, k.pin}});
}

void on(Ctx&, phase::KeyCheck& p, const KeyReadFailed& k) {
  if (!p.reading) return;
  p.reading = false;
  p.problem_key = k.error_key;
}

// ---- the phone ----
void on(Ctx& c, phase::Phone&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Phone&, const CancelTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Phone& p, const BackTapped&) {
  go(c, phase::Products{std::move(p.renewal)});
}

void on(Ctx& c, phase::Phone& p, const GetCodeTapped& e) {
  get_code(c, p.renewal.phone, e.phone, SmsPurpose::Renewal);
}

void on(Ctx& c, phase::Phone& p, const CodeSubmitted& e) {
  PhoneStep& ph = p.renewal.phone;
  if (!ph.code_sent_once) {
    ph.error_key = std::string(msg::kPhoneErrorGetCodeFirst);
    return;
  }
  if (ph.sms == SmsState::Verifying || ph.sms == SmsState::Sending) return;
  ph.sms = SmsState::Verifying;
  ph.error_key.clear();
  c.fx.push_back(VerifySms{ph.phone, SmsPurpose::Renewal, e.code});
}

void on(Ctx& c, phase::Phone& p, const SmsVerified&) {
  p.renewal.phone.sms = SmsState::Sent;
  go(c, phase::OrderList{std::move(p.renewal), std::move(p.key)});
}

void on(Ctx& c, Renewal& r, const SmsSent& e) {
  code_sent(c.m, r.phone, e);
}
void on(Ctx& c, Renewal& r, const SmsFailed& e) {
  code_not_sent(c.m, r.phone, e);
}

void on(Ctx&, Renewal& r, const SmsRejected& e) {
  r.phone.sms = SmsState::Sent;
  r.phone.error_key = e.error_key;
  ++r.phone.wrong_codes;
}

// ---- the order list ----
void on(Ctx& c, phase::OrderList&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::OrderList&, const CancelTapped&) {
  wipe(c);
}

void on(Ctx& c, phase::OrderList& p, const BackTapped&) {
  if (!p.submitting) go(c, phase::Phone{std::move(p.renewal), std::move(p.key)});
}

void on(Ctx& c, phase::OrderList& p, const YearsChosen& e) {
  if (!p.submitting) choose_years(c.m, p.renewal, e.years);
}

void on(Ctx& c, phase::OrderList& p, const SubmitOrderTapped&) {
  if (!p.submitting) create_order(c, p);
}

void on(Ctx& c, phase::OrderList& p, const OrderCreated& o) {
  if (!p.submitting) return;
  if (o.order.status == OrderStatus::Paid || o.order.amount == 0) {
    go_paid(c, std::move(p.renewal), std::move(p.key), o.order);  // ¥0 (e.g. government procurement): no QR
    return;
  }
  go(c, phase::Payment{std::move(p.renewal), std::move(p.key), o.order});
  c.fx.push_back(WatchOrder{o.order.id, o.order.status});
}

void on(Ctx& c, phase::OrderList& p, const OrderFailed& o) {
  if (!p.submitting) return;
  p.submitting = false;
  Renewal& r = p.renewal;
  if (o.reason == OrderFailure::VerificationLapsed) {
    // The phone's verification lapsed (e.g. a QR left to expire, then 【重新下单】): nothing was charged;
    // the number is kept and a new code is all it takes.
    ++r.order_attempt;  // the next order carries a new verification: a new idempotency key
    r.phone.sms = SmsState::None;
    r.phone.code_sent_once = false;
    r.phone.error_key = std::string(msg::kPhoneErrorVerificationLapsed);
    go(c, phase::Phone{std::move(p.renewal), std::move(p.key)});
    return;
  }
  Failure f;
  f.title_key = std::string(msg::kFailureOrderTitle);
  f.body_key = o.error_key;
  f.next_key = std::string(o.retryable ? msg::kFailureRetryNext : msg::kFailureNotChargedNext);
  f.can_retry = o.retryable;
  f.detail = o.detail;
  go(c, phase::Failure{std::move(p.renewal), std::move(f), std::move(p.key)});
}

// An order attempt that turned into continuing an earlier paid renewal of this certificate, and could not:
// say why; nothing was charged by this attempt.
void on(Ctx& c, phase::OrderList& p, const ResumeFailed& e) {
  if (!p.submitting) return;
  Failure f;
  f.title_key = std::string(msg::kFailureOrderTitle);
  f.body_key = e.error_key;
  f.next_key = std::string(msg::kFailureNotChargedNext);
  go(c, phase::Failure{std::move(p.renewal), std::move(f), std::move(p.key)});
}

// ---- payment ----
// Leaving the payment asks first (the order is closed, so nobody pays for a QR nobody watches).
void on(Ctx&, phase::Payment& p, const HomeTapped&) {
  p.asking_cancel = true;
}
void on(Ctx&, phase::Payment& p, const BackTapped&) {
  p.asking_cancel = true;
}
void on(Ctx&, phase::Payment& p, const CancelTapped&) {
  p.asking_cancel = true;
}
void on(Ctx&, phase::Payment& p, const DialogDismissed&) {
  p.asking_cancel = false;
}

void on(Ctx& c, phase::Payment& p, const DialogConfirmed&) {
  if (!p.asking_cancel) return;
  p.asking_cancel = false;
  if (!p.closing) close_order(c, p, false);
}

void on(Ctx& c, phase::Payment& p, const NewOrderTapped&) {
  if (p.closing || (!p.qr_expired && p.order.status != OrderStatus::Expired)) return;
  // Close the old order first: if it was paid at the last second, the renewal goes on with it.
  close_order(c, p, true);
}

void on(Ctx& c, phase::Payment& p, const OrderStatusChanged& o) {
  if (p.order.id != o.order_id) return;
  switch (o.status) {
    case OrderStatus::Paid:
    case OrderStatus::Issued:
    case OrderStatus::Installed:
      go_paid(c, std::move(p.renewal), std::move(p.key), std::move(p.order));
      break;
    case OrderStatus::Expired:
      p.order.status = OrderStatus::Expired;
      p.qr_expired = true;
      break;
    case OrderStatus::Closed:
      p.order.status = OrderStatus::Closed;
      break;
    default:
      // Unchanged: keep watching while the customer is on the payment screen.
      if (!p.closing && !p.qr_expired) c.fx.push_back(WatchOrder{p.order.id, p.order.status});
      break;
  }
}

void on(Ctx& c, phase::Payment& p, const OrderClosed& o) {
  if (p.order.id != o.order_id) return;
  if (o.already_paid) {  // paid just as it was closed: it is paid, the renewal goes on
    go_paid(c, std::move(p.renewal), std::move(p.key), std::move(p.order));
    return;
  }
  if (!p.reorder_after_close) {
    wipe(c);
    return;
  }
  ++p.renewal.order_attempt;
  auto& next = go(c, phase::OrderList{std::move(p.renewal), std::move(p.key)});
  create_order(c, next);
}

}  // namespace core::detail
