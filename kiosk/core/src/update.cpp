#include "core/update.hpp"

#include <algorithm>
#include <type_traits>

#include "core/messages.hpp"
#include "internal.hpp"

namespace core {

using detail::wipe;

namespace {

constexpr Millis kSecond = 1000;
constexpr UnixSeconds kDay = 86'400;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// A result event from an earlier session (the customer was wiped meanwhile) is dropped.
template <typename E>
bool stale(const Model& m, const E& e) {
  if constexpr (requires { e.session; })
    return e.session != m.session;
  else
    return false;
}

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

// Does this step talk to the token (and so need a logged-in session)?
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

// A paid renewal that cannot finish here: the platform and the journal record needs_staff, the key is
// left as it is, and the customer is sent to the counter with the business number.
void needs_staff(Model& m, std::vector<Effect>& fx, std::string reason_key, std::string detail) {
  Failure f;
  f.title_key = std::string(msg::kFailureNeedsStaffTitle);
  f.body_key = reason_key;
  f.next_key = std::string(msg::kFailureNeedsStaffNext);
  f.needs_staff = true;
  f.detail = std::move(detail);
  if (m.renewal->order) fx.push_back(MarkNeedsStaff{m.renewal->order->id, reason_key});
  fail(m, std::move(f));
}

// Checks the key read at 【开始续费】 against the chosen product, before any money. Returns the problem's
// message key, empty when the renewal may go on.
std::string check_key(const Model& m, const KeyRead& k, const CertSummary** picked) {
  const Product* p = chosen_product(m);
  if (!p) return std::string(msg::kKeyCheckNoProduct);
  if (k.brand_id.empty()) return std::string(msg::kKeyCheckBrandUnknown);
  if (k.brand_id != p->brand_id) return std::string(msg::kKeyCheckBrandMismatch);
  const CertSummary* best = nullptr;
  for (const auto& c : k.certificates)
    if (c.has_private_key && (!best || c.not_after > best->not_after)) best = &c;
  if (!best) return std::string(k.certificates.empty() ? msg::kKeyCheckNoCertificate : msg::kKeyCheckNoPrivateKey);
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
  fx.push_back(CreateOrder{r.product_id, r.years, r.cert ? r.cert->fingerprint_sha256 : std::string{}, r.token,
                           r.phone.phone, r.order_attempt});
}

void start_rollover(Model& m, std::vector<Effect>& fx) {
  Renewal& r = *m.renewal;
  r.pin_failed = false;
  r.step = RenewalStep::Login;
  run_step(m, fx);
}

struct Handler {
  Model& m;
  std::vector<Effect>& fx;

  // ---- the clock and the world ----
  void operator()(const Tick& t) {
    m.now = t.now;
    m.wall = t.wall;
    if (m.renewal && m.renewal->order && m.renewal->order->status == OrderStatus::PendingPayment &&
        m.wall >= m.renewal->order->expires_at)
      m.renewal->qr_expired = true;
    if (detail::account_tick(m, fx)) return;
    if (m.idle_overlay) {
      if (m.now >= m.idle_deadline) wipe(m, fx);
      return;
    }
    if (auto limit = idle_limit(m); limit && m.now - m.last_activity >= *limit) {
      m.idle_overlay = true;
      m.idle_deadline = m.now + m.settings.idle_warning_ms;
    } else if (m.screen == Screen::Home && m.language != m.settings.default_language &&
               m.now - m.last_activity >= m.settings.idle_ms) {
      m.language = m.settings.default_language;  // the next customer starts in the default language
    }
  }

  void operator()(const KeyStatusChanged& k) {
    const bool same_key = !k.status.identity.empty() && m.renewal && k.status.identity == m.renewal->token;
    m.key = k.status;
    detail::account_key_changed(m, fx);
    if (!m.renewal) return;
    Renewal& r = *m.renewal;
    switch (m.screen) {
      case Screen::Products:
        preselect_product(m);
        break;
      case Screen::KeyCheck:
        if (!r.reading_key) read_key(m, fx);
        break;
      case Screen::KeyDetails:
      case Screen::Pin:
        if (m.key.presence == KeyPresence::NoKey && !r.step_running) {
          r.pulled_from = m.screen;
          m.screen = Screen::KeyPulled;
          m.dialog = Dialog::None;
        }
        break;
      case Screen::KeyPulled:
        if (same_key) {
          r.other_key_inserted = false;
          // Before the rollover the key is simply read again; during it the session is gone, so the
          // customer types the PIN again and the rollover resumes where it stopped (the staged key is
          // found again by its label).
          if (r.pulled_from == Screen::KeyDetails || r.step == RenewalStep::Login) {
            m.screen = Screen::KeyDetails;
            read_key(m, fx);
          } else {
            r.resume_step = r.step;
            m.screen = Screen::Pin;
          }
        } else if (m.key.presence != KeyPresence::NoKey) {
          r.other_key_inserted = true;
        }
        break;
      case Screen::Success:
        if (m.key.presence == KeyPresence::NoKey) wipe(m, fx);  // 请取走KEY: taken, we are done
        break;
      default:
        break;
    }
  }

  // ---- intents ----
  void operator()(const Activity&) {
    m.last_activity = m.now;
    m.idle_overlay = false;
  }
  void operator()(const ContinueTapped&) {
    m.last_activity = m.now;
    m.idle_overlay = false;
  }
  void operator()(const LanguageChosen& l) { m.language = l.language; }
  void operator()(const HelpTapped&) {
    if (m.screen == Screen::Home) m.screen = Screen::Help;
  }
  void operator()(const RenewTapped&) {
    if (m.screen != Screen::Home) return;
    m.renewal = Renewal{};
    m.screen = Screen::Products;
    if (m.catalog.products.empty() && !m.catalog.loading) {
      m.catalog.loading = true;
      m.catalog.failed = false;
      fx.push_back(LoadCatalog{});
    }
    preselect_product(m);
  }
  void operator()(const HomeTapped&) {
    // Before any money the customer may leave at any time. Once paid, only the failure and success
    // screens lead home (the business stays open for 继续操作 either way).
    switch (m.screen) {
      case Screen::Help:
      case Screen::ComingSoon:
        m.screen = Screen::Home;
        break;
      case Screen::Products:
      case Screen::KeyCheck:
      case Screen::Phone:
      case Screen::OrderList:
      case Screen::Success:
      case Screen::Failure:
        wipe(m, fx);
        break;
      case Screen::KeyPulled:
        if (!order_paid(m)) wipe(m, fx);
        break;
      case Screen::Payment:
        m.dialog = Dialog::CancelPayment;
        break;
      case Screen::Login:
      case Screen::AccountHome:
      case Screen::MyBusiness:
      case Screen::Profile:
      case Screen::ChangePassword:
        wipe(m, fx);  // home ends the personal session: the next customer must not find it open
        break;
      default:
        break;
    }
  }
  void operator()(const BackTapped&) {
    switch (m.screen) {
      case Screen::Help:
      case Screen::ComingSoon:
        m.screen = Screen::Home;
        break;
      case Screen::Products:
        wipe(m, fx);
        break;
      case Screen::KeyCheck:
        m.screen = Screen::Products;
        break;
      case Screen::Phone:
        m.screen = Screen::Products;
        break;
      case Screen::OrderList:
        if (!m.renewal->ordering) m.screen = Screen::Phone;
        break;
      case Screen::Payment:
        m.dialog = Dialog::CancelPayment;
        break;
      case Screen::Login:
        wipe(m, fx);
        break;
      case Screen::MyBusiness:
      case Screen::Profile:
        m.screen = Screen::AccountHome;
        break;
      case Screen::ChangePassword:
        if (m.account && !m.account->must_change_password) m.screen = Screen::AccountHome;
        break;
      default:
        break;
    }
  }
  void operator()(const ProductChosen& p) {
    if (m.screen != Screen::Products || !m.renewal) return;
    if (const Product* prod = find_product(m, p.product_id)) {
      m.renewal->product_id = prod->id;
      m.renewal->years = prod->allowed_years.empty() ? 1 : prod->allowed_years.front();
    }
  }
  void operator()(const YearsChosen& y) {
    if (!m.renewal || (m.screen != Screen::OrderList && m.screen != Screen::Products) || m.renewal->ordering) return;
    const Product* p = chosen_product(m);
    if (p && std::find(p->allowed_years.begin(), p->allowed_years.end(), y.years) != p->allowed_years.end())
      m.renewal->years = y.years;
  }
  void operator()(const StartRenewalTapped&) {
    if (m.screen != Screen::Products || !chosen_product(m)) return;
    m.screen = Screen::KeyCheck;
    read_key(m, fx);
  }
  void operator()(const ReadKeyTapped&) {
    if (!m.renewal || m.renewal->reading_key) return;
    if (m.screen == Screen::KeyCheck || m.screen == Screen::KeyDetails) read_key(m, fx);
  }
  void operator()(const GetCodeTapped& g) {
    if (m.screen != Screen::Phone || !m.renewal) return;
    PhoneStep& p = m.renewal->phone;
    if (p.sms == SmsState::Sending || p.sms == SmsState::Verifying || m.now < p.resend_at) return;
    if (!valid_phone(g.phone)) {
      p.error_key = std::string(msg::kPhoneErrorFormat);
      return;
    }
    if (p.phone != g.phone) p.code_sent_once = false;  // a code for another number does not count
    p.phone = g.phone;
    p.error_key.clear();
    p.sms = SmsState::Sending;
    fx.push_back(SendSms{p.phone, SmsPurpose::Renewal});
  }
  void operator()(const CodeSubmitted&) {
    if (m.screen != Screen::Phone || !m.renewal) return;
    PhoneStep& p = m.renewal->phone;
    if (!p.code_sent_once) {
      p.error_key = std::string(msg::kPhoneErrorGetCodeFirst);
      return;
    }
    if (p.sms == SmsState::Verifying || p.sms == SmsState::Sending) return;
    p.sms = SmsState::Verifying;
    p.error_key.clear();
    fx.push_back(VerifySms{p.phone, SmsPurpose::Renewal});
  }
  void operator()(const SubmitOrderTapped&) {
    if (m.screen != Screen::OrderList || !m.renewal || m.renewal->ordering || !m.renewal->phone_verified) return;
    create_order(m, fx);
  }
  void operator()(const CancelTapped&) {
    if (m.screen == Screen::Payment)
      m.dialog = Dialog::CancelPayment;
    else if (m.screen == Screen::Products || m.screen == Screen::KeyCheck || m.screen == Screen::Phone ||
             m.screen == Screen::OrderList)
      wipe(m, fx);
  }
  void operator()(const NewOrderTapped&) {
    if (m.screen != Screen::Payment || !m.renewal || !m.renewal->order || m.renewal->closing_order) return;
    if (!m.renewal->qr_expired && m.renewal->order->status != OrderStatus::Expired) return;
    // Close the old order first: if it was paid at the last second, the renewal goes on with it.
    m.renewal->closing_order = true;
    m.renewal->reorder_after_close = true;
    fx.push_back(CloseOrder{m.renewal->order->id});
  }
  void operator()(const ConfirmRenewalTapped&) {
    if (m.screen != Screen::KeyDetails || !m.renewal || m.renewal->reading_key || !m.renewal->key_ok) return;
    if (m.renewal->resumed)
      m.screen = Screen::Pin;  // the one-chance confirmation was given when the business began
    else
      m.dialog = Dialog::ConfirmRenewal;
  }
  void operator()(const DialogConfirmed&) {
    Dialog d = m.dialog;
    m.dialog = Dialog::None;
    switch (d) {
      case Dialog::ConfirmRenewal:
        m.screen = Screen::Pin;
        break;
      case Dialog::KeyReadFailed:
        m.renewal->show_read_hint = true;  // the red hint, with 【读取证书】 to retry
        break;
      case Dialog::FinalPinTry:
        m.renewal->final_try_acknowledged = true;
        start_rollover(m, fx);
        break;
      case Dialog::CancelPayment:
        if (m.renewal && m.renewal->order && !m.renewal->closing_order) {
          m.renewal->closing_order = true;
          m.renewal->reorder_after_close = false;
          fx.push_back(CloseOrder{m.renewal->order->id});
        }
        break;
      default:
        break;
    }
  }
  void operator()(const DialogDismissed&) {
    if (m.dialog == Dialog::KeyReadFailed && m.renewal) m.renewal->show_read_hint = true;
    m.dialog = Dialog::None;
  }
  void operator()(const PinSubmitted&) {
    if (m.screen != Screen::Pin || !m.renewal || m.renewal->step_running) return;
    Renewal& r = *m.renewal;
    if (r.pin.locked) return;
    if (r.pin.final_try && !r.final_try_acknowledged) {
      m.dialog = Dialog::FinalPinTry;
      return;
    }
    start_rollover(m, fx);
  }
  void operator()(const RetryTapped&) {
    if (m.screen != Screen::Failure || !m.renewal || !m.renewal->failure || !m.renewal->failure->can_retry) return;
    if (m.renewal->failure_from_order) {
      m.renewal->failure.reset();
      m.screen = Screen::OrderList;
      create_order(m, fx);
      return;
    }
    m.screen = Screen::Progress;
    if (step_needs_token(m.renewal->step) && !m.renewal->logged_in) {
      m.renewal->resume_step = m.renewal->step;
      m.screen = Screen::Pin;
      return;
    }
    run_step(m, fx);
  }
  void operator()(const DoneTapped&) {
    if (m.screen == Screen::Success || m.screen == Screen::Failure) wipe(m, fx);
  }

  // ---- results ----
  void operator()(const CatalogLoaded& c) {
    m.catalog.products = c.products;
    m.catalog.loading = false;
    m.catalog.failed = false;
    m.catalog.loaded_at = m.now;
    preselect_product(m);
  }
  void operator()(const CatalogFailed&) {
    m.catalog.loading = false;
    m.catalog.failed = m.catalog.products.empty();
  }
  void operator()(const KeyRead& k) {
    if (!m.renewal || !m.renewal->reading_key) return;
    Renewal& r = *m.renewal;
    r.reading_key = false;
    if (m.screen == Screen::KeyCheck) {
      const CertSummary* picked = nullptr;
      std::string problem = check_key(m, k, &picked);
      r.key_problem_key = problem;
      if (!problem.empty()) return;
      r.cert = *picked;
      r.token = k.token;
      r.pin = k.pin;
      r.key_ok = true;
      m.screen = Screen::Phone;
    } else if (m.screen == Screen::KeyDetails) {
      // Still the key and the certificate the order is bound to?
      const CertSummary* same = nullptr;
      for (const auto& c : k.certificates)
        if (r.cert && c.fingerprint_sha256 == r.cert->fingerprint_sha256) same = &c;
      if (k.token != r.token || !same) {
        r.key_ok = false;
        r.key_problem_key = std::string(msg::kKeyDetailsOtherKey);
        return;
      }
      r.pin = k.pin;
      r.key_ok = true;
      r.show_read_hint = false;
      if (k.pin.locked) needs_staff(m, fx, std::string(msg::kFailurePinLocked), {});
    }
  }
  void operator()(const KeyReadFailed& k) {
    if (!m.renewal || !m.renewal->reading_key) return;
    Renewal& r = *m.renewal;
    r.reading_key = false;
    r.key_ok = false;
    r.key_problem_key = k.error_key;
    if (m.screen == Screen::KeyDetails) m.dialog = Dialog::KeyReadFailed;
  }
  void operator()(const SmsSent& s) {
    if (detail::account_sms(m, s) || !m.renewal) return;
    PhoneStep& p = m.renewal->phone;
    p.sms = SmsState::Sent;
    p.code_sent_once = true;
    p.code_length = s.code_length;
    p.resend_at = m.now + s.resend_after_s * kSecond;
  }
  void operator()(const SmsFailed& s) {
    if (detail::account_sms(m, s) || !m.renewal) return;
    PhoneStep& p = m.renewal->phone;
    p.sms = p.code_sent_once ? SmsState::Sent : SmsState::None;
    p.error_key = s.error_key;
    if (s.retry_after_s > 0) p.resend_at = m.now + s.retry_after_s * kSecond;
  }
  void operator()(const SmsVerified&) {
    if (!m.renewal || m.screen != Screen::Phone) return;
    m.renewal->phone.sms = SmsState::Sent;
    m.renewal->phone_verified = true;
    m.screen = Screen::OrderList;
  }
  void operator()(const SmsRejected& s) {
    if (!m.renewal) return;
    PhoneStep& p = m.renewal->phone;
    p.sms = SmsState::Sent;
    p.error_key = s.error_key;
    ++p.wrong_codes;
  }
  void operator()(const OrderCreated& o) {
    if (!m.renewal || !m.renewal->ordering) return;
    Renewal& r = *m.renewal;
    r.ordering = false;
    r.order = o.order;
    r.qr_expired = false;
    if (o.order.status == OrderStatus::Paid || o.order.amount == 0) {
      go_paid(m, fx);  // ¥0 (e.g. government procurement): paid on creation, no QR
      return;
    }
    m.screen = Screen::Payment;
    fx.push_back(WatchOrder{o.order.id, o.order.status});
  }
  void operator()(const OrderFailed& o) {
    if (!m.renewal || !m.renewal->ordering) return;
    Renewal& r = *m.renewal;
    r.ordering = false;
    if (o.error_key == "error.platform.verification.invalid") {
      // The phone's verification lapsed (e.g. a QR left to expire, then 【重新下单】): nothing was charged;
      // the number is kept and a new code is all it takes.
      r.phone_verified = false;
      ++r.order_attempt;  // the next order carries a new verification: a new idempotency key
      r.order.reset();
      r.qr_expired = false;
      r.phone.sms = SmsState::None;
      r.phone.code_sent_once = false;
      r.phone.error_key = std::string(msg::kPhoneErrorVerificationLapsed);
      m.screen = Screen::Phone;
      return;
    }
    Failure f;
    f.title_key = std::string(msg::kFailureOrderTitle);
    f.body_key = o.error_key;
    f.next_key = std::string(o.retryable ? msg::kFailureRetryNext : msg::kFailureNotChargedNext);
    f.can_retry = o.retryable;
    f.detail = o.detail;
    r.failure_from_order = true;
    fail(m, std::move(f));
  }
  void operator()(const OrderStatusChanged& o) {
    if (!m.renewal || !m.renewal->order || m.renewal->order->id != o.order_id) return;
    Renewal& r = *m.renewal;
    switch (o.status) {
      case OrderStatus::Paid:
      case OrderStatus::Issued:
      case OrderStatus::Installed:
        if (m.screen == Screen::Payment) go_paid(m, fx);
        break;
      case OrderStatus::Expired:
        r.order->status = OrderStatus::Expired;
        r.qr_expired = true;
        break;
      case OrderStatus::Closed:
        r.order->status = OrderStatus::Closed;
        break;
      default:
        // Unchanged: keep watching while the customer is on the payment screen.
        if (m.screen == Screen::Payment && !r.closing_order && !r.qr_expired)
          fx.push_back(WatchOrder{r.order->id, r.order->status});
        break;
    }
  }
  void operator()(const OrderClosed& o) {
    if (!m.renewal || !m.renewal->order || m.renewal->order->id != o.order_id) return;
    Renewal& r = *m.renewal;
    if (o.already_paid) {  // paid just as it was closed: it is paid, the renewal goes on
      go_paid(m, fx);
      return;
    }
    r.closing_order = false;
    r.order->status = OrderStatus::Closed;
    if (r.reorder_after_close) {
      r.reorder_after_close = false;
      ++r.order_attempt;
      r.order.reset();
      m.screen = Screen::OrderList;
      create_order(m, fx);
    } else {
      wipe(m, fx);
    }
  }
  void operator()(const StepDone& s) {
    if (!m.renewal || !m.renewal->step_running || s.step != m.renewal->step) return;
    Renewal& r = *m.renewal;
    r.step_running = false;
    switch (s.step) {
      case RenewalStep::Login:
        r.logged_in = true;
        r.pin_failed = false;
        r.final_try_acknowledged = false;
        m.screen = Screen::Progress;
        r.step = r.resume_step ? *r.resume_step : RenewalStep::StageKey;
        r.resume_step.reset();
        if (r.step == RenewalStep::Login) r.step = RenewalStep::StageKey;
        break;
      case RenewalStep::StageKey:
        r.staged_key_reused = s.reused;
        r.step = next_step(s.step);
        break;
      case RenewalStep::Submit:
        r.new_not_before = s.not_before;
        r.new_not_after = s.not_after;
        if (r.order) r.order->status = OrderStatus::Issued;
        r.step = next_step(s.step);
        break;
      case RenewalStep::Confirm:
        if (r.order) r.order->status = OrderStatus::Installed;
        r.step = RenewalStep::Done;
        break;
      default:
        r.step = next_step(s.step);
        break;
    }
    if (r.step == RenewalStep::Done) {
      m.screen = Screen::Success;
      m.last_activity = m.now;
      return;
    }
    run_step(m, fx);
  }
  void operator()(const StepFailed& s) {
    if (!m.renewal || !m.renewal->step_running || s.step != m.renewal->step) return;
    Renewal& r = *m.renewal;
    r.step_running = false;
    switch (s.kind) {
      case StepErrorKind::PinIncorrect:
        r.pin = s.pin;
        r.pin_failed = true;
        r.final_try_acknowledged = false;
        m.screen = Screen::Pin;
        if (s.pin.locked) needs_staff(m, fx, std::string(msg::kFailurePinLocked), s.detail);
        break;
      case StepErrorKind::PinLocked:
        r.pin.locked = true;
        needs_staff(m, fx, std::string(msg::kFailurePinLocked), s.detail);
        break;
      case StepErrorKind::TokenRemoved:
        r.logged_in = false;
        r.pulled_from = Screen::Progress;
        if (r.step == RenewalStep::Login) r.pulled_from = Screen::KeyDetails;
        m.screen = Screen::KeyPulled;
        break;
      case StepErrorKind::WrongToken:
        r.logged_in = false;
        r.other_key_inserted = true;
        r.pulled_from = Screen::Progress;
        m.screen = Screen::KeyPulled;
        break;
      case StepErrorKind::TokenFull:
        needs_staff(m, fx, std::string(msg::kFailureTokenFull), s.detail);
        break;
      case StepErrorKind::Refused:
        needs_staff(m, fx, std::string(msg::kFailurePlatformRefused), s.detail);
        break;
      case StepErrorKind::DeviceError:
        needs_staff(m, fx, std::string(msg::kFailureDevice), s.detail);
        break;
      case StepErrorKind::NotYetValid:
        // The new certificate starts a moment in the future (clock skew): wait, then try again.
        r.waiting_until = m.now + m.settings.token_retry_ms;
        break;
      case StepErrorKind::Unavailable: {
        Failure f;
        f.title_key = std::string(msg::kFailureUnavailableTitle);
        f.body_key = s.error_key.empty() ? std::string(msg::kFailureUnavailableBody) : s.error_key;
        f.next_key = std::string(msg::kFailureRetryNext);
        f.can_retry = true;
        f.detail = s.detail;
        r.failure_from_order = false;
        fail(m, std::move(f));
        break;
      }
    }
  }
  void operator()(const NeedsStaffRecorded& n) {
    if (m.renewal && m.renewal->failure && m.renewal->order && m.renewal->order->id == n.order_id)
      m.renewal->failure->recorded = true;
  }
  // An order attempt that turned into continuing an earlier paid renewal of this certificate, and
  // could not: say why, nothing was charged by this attempt.
  void operator()(const ResumeFailed& e) {
    if (m.renewal && m.renewal->ordering) {
      m.renewal->ordering = false;
      Failure f;
      f.title_key = std::string(msg::kFailureOrderTitle);
      f.body_key = e.error_key;
      f.next_key = std::string(msg::kFailureNotChargedNext);
      fail(m, std::move(f));
      return;
    }
    detail::on_account(m, fx, e);
  }

  // The personal centre's events are in account.cpp.
  template <typename E>
  void operator()(const E& e) {
    detail::on_account(m, fx, e);
  }

  void operator()(const BusinessRecovered& b) {
    if (m.account) m.account->resuming = false;
    m.renewal = Renewal{};
    Renewal& r = *m.renewal;
    r.product_id = b.product_id;
    r.years = b.order.years;
    r.order = b.order;
    r.cert = b.cert;
    r.token = b.token;
    r.phone_verified = true;
    r.resumed = true;
    r.new_not_before = b.new_not_before;
    r.new_not_after = b.new_not_after;
    r.step = b.resume_at;
    if (b.order.status == OrderStatus::PendingPayment) {
      // Not paid yet: back to its QR code. The one-chance confirmation is still to come.
      r.resumed = false;
      r.key_ok = true;
      r.step = RenewalStep::Login;
      m.screen = Screen::Payment;
      fx.push_back(WatchOrder{b.order.id, b.order.status});
      return;
    }
    if (b.resume_at == RenewalStep::Done) {
      m.screen = Screen::Success;
      return;
    }
    if (!step_needs_token(b.resume_at)) {
      // Only the platform is left to do (fetch the certificate again, confirm): no PIN needed yet.
      m.screen = Screen::Progress;
      run_step(m, fx);
      return;
    }
    r.resume_step = b.resume_at == RenewalStep::Login ? std::nullopt : std::optional(b.resume_at);
    r.step = RenewalStep::Login;
    m.screen = Screen::KeyDetails;
    read_key(m, fx);
  }
};

}  // namespace

namespace detail {

void wipe(Model& m, std::vector<Effect>& fx) {
  // A still-unpaid order is closed, so nobody pays for a QR nobody watches; a paid one stays open on the
  // platform and in the journal for 继续操作.
  if (m.renewal && m.renewal->order && m.renewal->order->status == OrderStatus::PendingPayment &&
      !m.renewal->closing_order)
    fx.push_back(CloseOrder{m.renewal->order->id});
  if (m.account) fx.push_back(Logout{});
  fx.push_back(WipeSession{});
  m.renewal.reset();
  m.login.reset();
  m.account.reset();
  m.screen = Screen::Home;
  m.dialog = Dialog::None;
  m.language = m.settings.default_language;
  m.idle_overlay = false;
  m.idle_deadline = 0;
  m.last_activity = m.now;
  ++m.session;
}

}  // namespace detail

Model initial_model(const Settings& settings, Millis now, UnixSeconds wall) {
  Model m;
  m.settings = settings;
  m.now = now;
  m.wall = wall;
  m.language = settings.default_language;
  m.last_activity = now;
  return m;
}

Update start(Model m) {
  Update u{std::move(m), {}};
  u.model.catalog.loading = true;
  u.effects.push_back(LoadCatalog{});
  return u;
}

Update update(Model m, const Event& e) {
  std::vector<Effect> fx;
  const bool is_stale = std::visit([&](const auto& ev) { return stale(m, ev); }, e);
  if (!is_stale) std::visit(Handler{m, fx}, e);
  // A step that waits for the clock (NotYetValid) is retried on the first tick after its time.
  if (m.renewal && m.renewal->waiting_until && m.now >= *m.renewal->waiting_until && !m.renewal->step_running) {
    m.renewal->waiting_until.reset();
    run_step(m, fx);
  }
  return {std::move(m), std::move(fx)};
}

std::optional<Millis> idle_limit(const Model& m) {
  switch (m.screen) {
    case Screen::Home:
      return std::nullopt;
    case Screen::Progress:
      return std::nullopt;  // the rollover runs to a safe point by itself, whoever is in front of it
    case Screen::Payment:
      // The customer is paying on the phone: the order's expiry is the limit, not the usual idle time.
      if (m.renewal && m.renewal->order && !m.renewal->qr_expired &&
          m.renewal->order->status == OrderStatus::PendingPayment)
        return std::nullopt;
      return m.settings.idle_ms;
    default:
      if (m.renewal && m.renewal->step_running) return std::nullopt;
      return m.settings.idle_ms;
  }
}

std::optional<Millis> next_wakeup(const Model& m) {
  std::optional<Millis> at;
  auto consider = [&](Millis t) {
    if (t > m.now && (!at || t < *at)) at = t;
  };
  auto next_second = [&](Millis deadline) {
    // A countdown shown in whole seconds changes at deadline - k·1000.
    Millis left = deadline - m.now;
    if (left > 0) consider(m.now + ((left - 1) % kSecond) + 1);
  };
  if (m.idle_overlay) {
    next_second(m.idle_deadline);
  } else if (auto limit = idle_limit(m)) {
    consider(m.last_activity + *limit);
  } else if (m.screen == Screen::Home && m.language != m.settings.default_language) {
    consider(m.last_activity + m.settings.idle_ms);
  }
  if (m.renewal) {
    const Renewal& r = *m.renewal;
    if (m.screen == Screen::Phone && r.phone.resend_at > m.now) next_second(r.phone.resend_at);
    if (m.screen == Screen::Payment && r.order && !r.qr_expired) {
      // The wall clock drives the QR's countdown; tick once a second.
      consider(m.now + kSecond);
    }
    if (r.waiting_until) consider(*r.waiting_until);
  }
  // The personal centre's countdowns (resend, throttled login) and its 10-minute cap.
  if (m.login && m.screen == Screen::Login) {
    if (m.login->phone.resend_at > m.now) next_second(m.login->phone.resend_at);
    if (m.login->wait_until > m.now) next_second(m.login->wait_until);
  }
  if (m.account) {
    if (m.screen == Screen::Profile && m.account->profile_form.new_phone.resend_at > m.now)
      next_second(m.account->profile_form.new_phone.resend_at);
    consider(m.account->logged_in_at + m.settings.session_max_ms);
  }
  return at;
}

const Product* chosen_product(const Model& m) {
  if (!m.renewal || m.renewal->product_id.empty()) return nullptr;
  return find_product(m, m.renewal->product_id);
}

}  // namespace core
