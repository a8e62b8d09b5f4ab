#include "core/update.hpp"

#include <algorithm>
#include <type_traits>

#include "core/messages.hpp"
#include "internal.hpp"

namespace core {

using detail::check_key;
using detail::create_order;
using detail::fail;
using detail::find_product;
using detail::go_paid;
using detail::needs_staff;
using detail::order_paid;
using detail::preselect_product;
using detail::read_key;
using detail::run_step;
using detail::start_rollover;
using detail::step_needs_token;
using detail::wipe;

namespace {

constexpr Millis kSecond = 1000;

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
  void operator()(const StepDone& s) { detail::on_rollover(m, fx, s); }
  void operator()(const StepFailed& s) { detail::on_rollover(m, fx, s); }
  void operator()(const NeedsStaffRecorded& n) { detail::on_rollover(m, fx, n); }
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

  void operator()(const BusinessRecovered& b) { detail::on_rollover(m, fx, b); }
};

}  // namespace

namespace detail {

void wipe(Model& m, std::vector<Effect>& fx) {
  // A still-unpaid order is closed, so nobody pays for a QR nobody watches; a paid one stays open on the
  // platform and in the journal for 继续操作.
  if (m.renewal && m.renewal->order && m.renewal->order->status == OrderStatus::PendingPayment &&
      !m.renewal->closing_order)
    fx.push_back(CloseOrder{m.renewal->order->id, true});
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

const Product* chosen_product(const Model& m) {
  if (!m.renewal || m.renewal->product_id.empty()) return nullptr;
  return find_product(m, m.renewal->product_id);
}

}  // namespace core
