// The renewal's rules shared by update()'s halves (update.cpp: taps, the order and payment; rollover.cpp:
// the rollover's results): the product, the key check, the steps, failures and needs_staff.
#include <algorithm>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core::detail {
namespace {

constexpr UnixSeconds kDay = 86'400;

}  // namespace

const Product* find_product(const Model& m, std::string_view id) {
  for (const auto& p : m.catalog.products)
    if (p.id == id) return &p;
  return nullptr;
}

bool order_paid(const Model& m) {
  if (!m.renewal || !m.renewal->order) return false;
  auto s = m.renewal->order->status;
  return s == OrderStatus::Paid || s == OrderStatus::Issued || s == OrderStatus::Installed;
}

void preselect_product(Model& m) {
  if (!m.renewal || !m.renewal->product_id.empty()) return;
  const Product* pick = nullptr;
  if (m.key.presence == KeyPresence::Recognised)
    for (const auto& p : m.catalog.products)
      if (p.brand_id == m.key.brand_id) {
        pick = &p;
        break;
      }
  if (pick) {
    m.renewal->product_id = pick->id;
    m.renewal->years = pick->allowed_years.empty() ? 1 : pick->allowed_years.front();
  }
}

void read_key(Model& m, std::vector<Effect>& fx) {
  m.renewal->reading_key = true;
  m.renewal->key_problem_key.clear();
  fx.push_back(ReadKey{});
}

RunStep step_effect(const Model& m) {
  const Renewal& r = *m.renewal;
  const Product* p = find_product(m, r.product_id);
  return RunStep{r.step,
                 r.order ? r.order->id : std::string{},
                 r.product_id,
                 r.cert ? r.cert->fingerprint_sha256 : std::string{},
                 r.token,
                 p ? p->key_algorithm : domain::KeyAlgorithm::EcP256,
                 r.final_try_acknowledged};
}

void run_step(Model& m, std::vector<Effect>& fx) {
  m.renewal->step_running = true;
  m.renewal->failure.reset();
  fx.push_back(step_effect(m));
}

RenewalStep next_step(RenewalStep s) {
  return s == RenewalStep::Done ? s : static_cast<RenewalStep>(static_cast<int>(s) + 1);
}

bool step_needs_token(RenewalStep s) {
  switch (s) {
    case RenewalStep::RequestNonce:
    case RenewalStep::Submit:
    case RenewalStep::Confirm:
    case RenewalStep::Done:
      return false;
    default:
      return true;
  }
}

void fail(Model& m, Failure f) {
  m.renewal->failure = std::move(f);
  m.renewal->step_running = false;
  m.screen = Screen::Failure;
  m.dialog = Dialog::None;
}

void needs_staff(Model& m, std::vector<Effect>& fx, std::string reason_key, std::string detail,
                 std::string_view title_key) {
  Failure f;
  f.title_key = std::string(title_key.empty() ? msg::kFailureNeedsStaffTitle : title_key);
  f.body_key = reason_key;
  f.next_key = std::string(msg::kFailureNeedsStaffNext);
  f.needs_staff = true;
  f.detail = std::move(detail);
  if (m.renewal->order) fx.push_back(MarkNeedsStaff{m.renewal->order->id, reason_key});
  fail(m, std::move(f));
}

std::string check_key(const Model& m, const KeyRead& k, const CertSummary** picked) {
  const Product* p = chosen_product(m);
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

void go_paid(Model& m, std::vector<Effect>& fx) {
  Renewal& r = *m.renewal;
  // The customer stood still while paying on the phone (no idle limit there): the usual idle time counts
  // from the payment, or 您还在吗 would greet them the moment the key's details appear.
  m.last_activity = m.now;
  if (r.order) r.order->status = OrderStatus::Paid;
  r.closing_order = false;
  m.screen = Screen::KeyDetails;
  m.dialog = Dialog::None;
  read_key(m, fx);
}

void create_order(Model& m, std::vector<Effect>& fx) {
  Renewal& r = *m.renewal;
  r.ordering = true;
  r.phone.error_key.clear();
  fx.push_back(CreateOrder{r.product_id, r.years, r.cert ? r.cert->fingerprint_sha256 : std::string{},
                           r.token, r.phone.phone, r.order_attempt});
}

void start_rollover(Model& m, std::vector<Effect>& fx) {
  Renewal& r = *m.renewal;
  r.pin_failed = false;
  r.step = RenewalStep::Login;
  run_step(m, fx);
}

}  // namespace core::detail
