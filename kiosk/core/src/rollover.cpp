// The rollover's results: each step done or failed (where the customer goes), the platform's answer to
// needs_staff, and a business found again (【继续操作】, kioskctl renew --resume).
#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core::detail {

void on_rollover(Model& m, std::vector<Effect>& fx, const StepDone& s) {
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

void on_rollover(Model& m, std::vector<Effect>& fx, const StepFailed& s) {
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
    case StepErrorKind::Journal:
      // Nothing goes on without its record: the business stops here, the platform is told directly
      // (MarkNeedsStaff, best effort) and the customer goes to the counter with the business number.
      needs_staff(m, fx, s.error_key.empty() ? "error.journal.io" : s.error_key, s.detail,
                  msg::kFailureJournalTitle);
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

void on_rollover(Model& m, std::vector<Effect>&, const NeedsStaffRecorded& n) {
  if (m.renewal && m.renewal->failure && m.renewal->order && m.renewal->order->id == n.order_id)
    m.renewal->failure->told = n.told ? Failure::Told::Yes : Failure::Told::NotYet;
}

void on_rollover(Model& m, std::vector<Effect>& fx, const BusinessRecovered& b) {
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

}  // namespace core::detail
