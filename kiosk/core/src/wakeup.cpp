// When the core wants the clock again: the idle limit of each screen and the next wakeup (countdowns,
// the QR's expiry, a step waiting for its time, the personal centre's limits).
#include "core/update.hpp"

namespace core {
namespace {

constexpr Millis kSecond = 1000;

}  // namespace

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

}  // namespace core
