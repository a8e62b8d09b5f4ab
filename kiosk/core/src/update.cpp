// update(): the clock, the key, the catalog and the session's own events here; every other event goes to
// the handler of the phase the customer is in (home below, renewal.cpp, rollover.cpp, account.cpp).
#include "core/update.hpp"

#include <algorithm>
#include <type_traits>

#include "internal.hpp"

namespace core {

namespace detail {
namespace {

// A result event from an earlier session (the customer was wiped meanwhile) is dropped.
template <typename E>
bool stale(const Model& m, const E& e) {
  if constexpr (requires { e.session; })
    return e.session != m.session;
  else
    return false;
}

// The one place an event that means nothing where the customer is ends up: a tap that raced the screen's
// change, a result for a phase the customer has left, an intent (kioskctl's, a test's) off its screen.
// The model stays as it was and nothing is asked of the world.
template <typename E>
void ignored(const E&) {}

// To the current phase's handler for the event; failing that, to the part of the phase that outlives it
// (the renewal's phone, a paid renewal's order, the personal centre's account); failing that, ignored.
template <typename E>
void dispatch(Ctx& c, const E& e) {
  std::visit(
      [&](auto& p) {
        if constexpr (requires { on(c, p, e); })
          on(c, p, e);
        else if constexpr (requires { on(c, p.renewal, e); })
          on(c, p.renewal, e);
        else if constexpr (requires { on(c, p.paid, e); })
          on(c, p.paid, e);
        else if constexpr (requires { on(c, p.centre, e); })
          on(c, p.centre, e);
        else
          ignored(e);
      },
      c.m.flow);
}

// ---- events the model answers whatever the phase ----
void handle(Ctx& c, const Tick& t) {
  Model& m = c.m;
  m.now = t.now;
  m.wall = t.wall;
  if (staff_tick(c)) return;
  if (auto* p = std::get_if<phase::Payment>(&m.flow);
      p && p->order.status == OrderStatus::PendingPayment && m.wall >= p->order.expires_at)
    p->qr_expired = true;
  // A login ends after the cap in any case, even mid-edit (not mid-rollover: a 继续操作 renewal in flight
  // ends by itself and wipes at its end).
  if (const Account* a = account_of(m); a && m.now - a->logged_in_at >= m.settings.session_max_ms &&
                                        !token_busy(m) && screen_of(m) != Screen::Progress) {
    wipe(c);
    return;
  }
  if (m.idle_overlay) {
    if (m.now >= m.idle_deadline) wipe(c);
    return;
  }
  if (auto limit = idle_limit(m); limit && m.now - m.last_activity >= *limit) {
    m.idle_overlay = true;
    m.idle_deadline = m.now + m.settings.idle_warning_ms;
  } else if (screen_of(m) == Screen::Home && m.language != m.settings.default_language &&
             m.now - m.last_activity >= m.settings.idle_ms) {
    m.language = m.settings.default_language;  // the next customer starts in the default language
  }
}

void handle(Ctx& c, const KeyStatusChanged& k) {
  c.m.key = k.status;
  staff_key_status(c);
  dispatch(c, k);
}

void handle(Ctx& c, const StaffKeyChecked& e) {
  on_staff_key_checked(c, e);
}
void handle(Ctx& c, const MaintenanceTapped&) {
  enter_staff(c, false);
}
void handle(Ctx& c, const StaffCodeRequested&) {
  enter_staff(c, true);
}

void handle(Ctx& c, const Activity&) {
  c.m.last_activity = c.m.now;
  c.m.idle_overlay = false;
}

void handle(Ctx& c, const ContinueTapped&) {
  c.m.last_activity = c.m.now;
  c.m.idle_overlay = false;
}

void handle(Ctx& c, const LanguageChosen& l) {
  c.m.language = l.language;
}

void handle(Ctx& c, const CatalogLoaded& e) {
  Catalog& cat = c.m.catalog;
  cat.products = e.products;
  cat.loading = false;
  cat.failed = false;
  cat.loaded_at = c.m.now;
  dispatch(c, e);
}

void handle(Ctx& c, const CatalogFailed&) {
  c.m.catalog.loading = false;
  c.m.catalog.failed = c.m.catalog.products.empty();
}

void handle(Ctx& c, const LogoutTapped&) {
  if (account_of(c.m)) wipe(c);
}

void handle(Ctx& c, const BusinessRecovered& b) {
  recover(c, b);
}

// ---- in service or not (core/service.hpp) ----
void handle(Ctx& c, const ServiceChecked& e) {
  Service& s = c.m.service;
  for (const auto& r : e.results) {
    if (r.state == CheckState::Unknown) continue;  // the last known state stands
    s.checks[static_cast<std::size_t>(r.check)] = r;
    if (r.check == Check::Platform)
      s.platform.observe(r.state == CheckState::Ok, c.m.settings.platform_out_after,
                         c.m.settings.platform_back_after);
  }
  if (auto reason = automatic_reason(s))
    s.sources.set(ServiceSource::Automatic, std::move(*reason));
  else
    s.sources.clear(ServiceSource::Automatic);
}

void handle(Ctx& c, const ServiceSourceSet& e) {
  if (e.source != ServiceSource::Automatic) c.m.service.sources.set(e.source, e.reason);
}

void handle(Ctx& c, const ServiceSourceCleared& e) {
  if (e.source != ServiceSource::Automatic) c.m.service.sources.clear(e.source);
}

void handle(Ctx& c, const FleetSettingsChanged& e) {
  c.m.pending_settings = e.settings;
  if (at_safe_point(c.m)) take_pending_settings(c.m);
}

// A customer never starts a business that cannot reach payment: while the kiosk is out of service the
// events that begin one are refused where they would begin it — 【证书续费】 and 【个人中心】 on home, which
// says why; 【开始续费】 and the order's 【提交】 for a customer already on the way, who is taken home to
// read it. Anywhere else the event means what it always did (nothing, or its phase's answer).
template <typename P, typename E>
void start_unless_out(Ctx& c, const E& e) {
  if (c.m.service.sources.out() && std::holds_alternative<P>(c.m.flow)) {
    if constexpr (!std::is_same_v<P, phase::Home>) wipe(c);
    return;
  }
  dispatch(c, e);
}

void handle(Ctx& c, const RenewTapped& e) {
  start_unless_out<phase::Home>(c, e);
}
void handle(Ctx& c, const PersonalCentreTapped& e) {
  start_unless_out<phase::Home>(c, e);
}
void handle(Ctx& c, const StartRenewalTapped& e) {
  start_unless_out<phase::Products>(c, e);
}
void handle(Ctx& c, const SubmitOrderTapped& e) {
  start_unless_out<phase::OrderList>(c, e);
}

template <typename E>
void handle(Ctx& c, const E& e) {
  dispatch(c, e);
}

}  // namespace

// ---- home, help ----
void on(Ctx& c, phase::Home&, const HelpTapped&) {
  go(c, phase::Help{});
}

void on(Ctx& c, phase::Help&, const HomeTapped&) {
  go(c, phase::Home{});
}
void on(Ctx& c, phase::Help&, const BackTapped&) {
  go(c, phase::Home{});
}
void on(Ctx& c, phase::ComingSoon&, const HomeTapped&) {
  go(c, phase::Home{});
}
void on(Ctx& c, phase::ComingSoon&, const BackTapped&) {
  go(c, phase::Home{});
}

void take_pending_settings(Model& m) {
  if (!m.pending_settings) return;
  FleetSettings f = std::move(*m.pending_settings);
  m.pending_settings.reset();
  const bool was_default = m.language == m.settings.default_language;
  m.settings.idle_ms = f.idle_ms;
  m.settings.session_max_ms = f.session_max_ms;
  m.settings.default_language = f.default_language;
  m.settings.products = std::move(f.products);
  m.settings.announcement_zh_cn = std::move(f.announcement_zh_cn);
  m.settings.announcement_en = std::move(f.announcement_en);
  if (was_default) m.language = m.settings.default_language;
}

void wipe(Ctx& c) {
  Model& m = c.m;
  // A still-unpaid order is closed, so nobody pays for a QR nobody watches; a paid one stays open on the
  // platform and in the journal for 继续操作.
  if (const auto* p = std::get_if<phase::Payment>(&m.flow);
      p && p->order.status == OrderStatus::PendingPayment && !p->closing)
    c.fx.push_back(CloseOrder{p->order.id, true});
  if (account_of(m)) c.fx.push_back(Logout{});
  c.fx.push_back(WipeSession{});
  // The session ends with a KEY in the reader: home reminds (请取走您的KEY) until it is taken.
  if (m.key.presence != KeyPresence::NoKey && !m.key_left_since) {
    m.key_left_since = m.wall;
    c.fx.push_back(Chime{});
  }
  m.flow = phase::Home{};
  take_pending_settings(m);
  m.language = m.settings.default_language;
  m.idle_overlay = false;
  m.idle_deadline = 0;
  m.last_activity = m.now;
  ++m.session;
}

bool token_busy(const Model& m) {
  if (const auto* pin = std::get_if<phase::Pin>(&m.flow)) return pin->verifying;
  if (const auto* progress = std::get_if<phase::Progress>(&m.flow)) return progress->running;
  return false;
}

}  // namespace detail

bool at_safe_point(const Model& m) {
  // Staff's screens hold no customer business: 【立即同步】 there applies what it fetched.
  return std::holds_alternative<phase::Home>(m.flow) || std::holds_alternative<phase::Help>(m.flow) ||
         std::holds_alternative<phase::ComingSoon>(m.flow) || std::holds_alternative<phase::StaffSignIn>(m.flow) ||
         std::holds_alternative<phase::Maintenance>(m.flow);
}

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
  detail::Ctx c{m, fx};
  const OutOfService before = m.service.sources;
  std::visit(
      [&](const auto& ev) {
        if (!detail::stale(m, ev)) detail::handle(c, ev);
      },
      e);
  // A step that waits for the clock (NotYetValid) is retried on the first event after its time.
  detail::retry_waiting_step(c);
  if (m.service.sources != before) fx.push_back(ServiceChanged{m.service.sources});
  return {std::move(m), std::move(fx)};
}

Dialog dialog_of(const Model& m) {
  if (const auto* p = std::get_if<phase::KeyDetails>(&m.flow)) {
    switch (p->asking) {
      case phase::KeyDetails::Asking::ConfirmRenewal:
        return Dialog::ConfirmRenewal;
      case phase::KeyDetails::Asking::ReadFailed:
        return Dialog::KeyReadFailed;
      case phase::KeyDetails::Asking::Nothing:
        break;
    }
  }
  if (const auto* p = std::get_if<phase::Pin>(&m.flow); p && p->final_try_pin) return Dialog::FinalPinTry;
  if (const auto* p = std::get_if<phase::Payment>(&m.flow); p && p->asking_cancel)
    return Dialog::CancelPayment;
  if (const auto* p = std::get_if<phase::StaffSignIn>(&m.flow); p && p->final_try_pin) return Dialog::FinalPinTry;
  if (const auto* p = std::get_if<phase::Maintenance>(&m.flow); p && p->asking_power) return Dialog::ConfirmPower;
  return Dialog::None;
}

const Account* account_of(const Model& m) {
  return std::visit(
      [](const auto& p) -> const Account* {
        if constexpr (requires { p.centre.account; })
          return &p.centre.account;
        else if constexpr (requires { p.renewal.account; })
          return p.renewal.account ? &*p.renewal.account : nullptr;
        else
          return nullptr;
      },
      m.flow);
}

const Order* order_of(const Model& m) {
  return std::visit(
      [](const auto& p) -> const Order* {
        if constexpr (requires { p.paid.order; })
          return &p.paid.order;
        else if constexpr (requires { p.order; })
          return &p.order;
        else if constexpr (requires { std::get_if<Paid>(&p.at); })
          return std::holds_alternative<Paid>(p.at) ? &std::get<Paid>(p.at).order : nullptr;
        else
          return nullptr;
      },
      m.flow);
}

std::optional<Millis> idle_limit(const Model& m) {
  switch (screen_of(m)) {
    case Screen::Home:
      return std::nullopt;
    case Screen::Progress:
      return std::nullopt;  // the rollover runs to a safe point by itself, whoever is in front of it
    case Screen::StaffSignIn:
    case Screen::Maintenance:
      return std::nullopt;  // staff mode ends by itself after Settings::staff_idle_ms (no overlay)
    case Screen::Payment: {
      // The customer is paying on the phone: the order's expiry is the limit, not the usual idle time.
      const auto& p = std::get<phase::Payment>(m.flow);
      if (!p.qr_expired && p.order.status == OrderStatus::PendingPayment) return std::nullopt;
      return m.settings.idle_ms;
    }
    default:
      if (detail::token_busy(m)) return std::nullopt;
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
    if (left > 0) consider(m.now + ((left - 1) % detail::kSecond) + 1);
  };
  if (m.idle_overlay) {
    next_second(m.idle_deadline);
  } else if (auto limit = idle_limit(m)) {
    consider(m.last_activity + *limit);
  } else if (screen_of(m) == Screen::Home && m.language != m.settings.default_language) {
    consider(m.last_activity + m.settings.idle_ms);
  }
  // The countdowns on screen: 【获取验证码】's resend, the QR's expiry (the wall clock drives it: once a
  // second), a throttled login; a step waiting for the clock.
  if (const auto* p = std::get_if<phase::Phone>(&m.flow); p && p->renewal.phone.resend_at > m.now)
    next_second(p->renewal.phone.resend_at);
  if (const auto* p = std::get_if<phase::Payment>(&m.flow); p && !p->qr_expired)
    consider(m.now + detail::kSecond);
  if (const auto* p = std::get_if<phase::Progress>(&m.flow); p && p->waiting_until)
    consider(*p->waiting_until);
  // The running row's time so far, in whole seconds.
  if (const auto* p = std::get_if<phase::Progress>(&m.flow); p && p->running && p->timed)
    consider(p->timed_since + ((m.now - p->timed_since) / detail::kSecond + 1) * detail::kSecond);
  if (const auto* p = std::get_if<phase::Login>(&m.flow)) {
    if (p->form.phone.resend_at > m.now) next_second(p->form.phone.resend_at);
    if (p->form.wait_until > m.now) next_second(p->form.wait_until);
  }
  if (const auto* p = std::get_if<phase::Profile>(&m.flow); p && p->form.new_phone.resend_at > m.now)
    next_second(p->form.new_phone.resend_at);
  // Staff mode's two minutes untouched; a throttled maintenance code's countdown.
  if (screen_of(m) == Screen::StaffSignIn || screen_of(m) == Screen::Maintenance)
    consider(m.last_activity + m.settings.staff_idle_ms);
  if (const auto* p = std::get_if<phase::StaffSignIn>(&m.flow); p && p->wait_until > m.now)
    next_second(p->wait_until);
  // The personal centre's 10-minute cap.
  if (const Account* a = account_of(m)) consider(a->logged_in_at + m.settings.session_max_ms);
  return at;
}

}  // namespace core
