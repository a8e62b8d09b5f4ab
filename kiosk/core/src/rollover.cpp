// The paid renewal (docs/architecture.md, "The renewal engine"): the key's details read again, the PIN, the
// rollover step by step, a key pulled on the way, and the end (success, or what to do next); and 继续操作,
// which lands here.
#include <type_traits>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core::detail {
namespace {

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

RunStep step_effect(const Model& m, const Renewal& r, const Paid& p, bool final_try_acknowledged,
                    std::optional<SecretSlot> pin) {
  const Product* prod = chosen_product(m, r);
  return RunStep{p.step,
                 p.order.id,
                 r.product_id,
                 p.key.cert.fingerprint_sha256,
                 p.key.token,
                 prod ? prod->key_algorithm : domain::KeyAlgorithm::EcP256,
                 final_try_acknowledged,
                 pin};
}

// The Login step, with the PIN the customer just typed (it goes to the runtime with the effect).
void start_rollover(Ctx& c, phase::Pin& p, SecretSlot pin) {
  p.paid.pin_failed = false;
  p.paid.step = RenewalStep::Login;
  p.verifying = true;
  c.fx.push_back(step_effect(c.m, p.renewal, p.paid, p.paid.final_try_acknowledged, pin));
}

void run_step(Ctx& c, phase::Progress& p) {
  p.running = true;
  c.fx.push_back(step_effect(c.m, p.renewal, p.paid, false, std::nullopt));
}

// The rollover goes on (after the PIN, after a retry, or when 继续操作 finds only the platform's part left).
void roll_on(Ctx& c, Renewal renewal, Paid paid) {
  auto& next = go(c, phase::Progress{std::move(renewal), std::move(paid)});
  run_step(c, next);
}

void fail(Ctx& c, Renewal renewal, Paid paid, Failure f) {
  go(c, phase::Failure{std::move(renewal), std::move(f), std::move(paid)});
}

// A paid renewal that cannot finish here: the platform and the journal record needs_staff, the key is
// left as it is, and the customer is sent to the counter with the business number. `title_key` says what
// happened (the renewal could not be finished; the kiosk could not record it).
void needs_staff(Ctx& c, Renewal renewal, Paid paid, std::string reason_key, std::string detail,
                 std::string_view title_key = {}) {
  Failure f;
  f.title_key = std::string(title_key.empty() ? msg::kFailureNeedsStaffTitle : title_key);
  f.body_key = reason_key;
  f.next_key = std::string(msg::kFailureNeedsStaffNext);
  f.needs_staff = true;
  f.detail = std::move(detail);
  c.fx.push_back(MarkNeedsStaff{paid.order.id, std::move(reason_key)});
  fail(c, std::move(renewal), std::move(paid), std::move(f));
}

void pulled(Ctx& c, Renewal renewal, Paid paid, phase::KeyPulled::From from, bool other_key = false) {
  go(c, phase::KeyPulled{std::move(renewal), std::move(paid), from, other_key});
}

// The Login step (on the PIN screen) and every later step (on the progress screen) end here.
template <typename P>
void step_done(Ctx& c, P& p, const StepDone& s) {
  Paid& r = p.paid;
  switch (s.step) {
    case RenewalStep::Login:
      r.logged_in = true;
      r.pin_failed = false;
      r.final_try_acknowledged = false;
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
      r.order.status = OrderStatus::Issued;
      r.step = next_step(s.step);
      break;
    case RenewalStep::Confirm:
      r.order.status = OrderStatus::Installed;
      r.step = RenewalStep::Done;
      break;
    default:
      r.step = next_step(s.step);
      break;
  }
  if (r.step == RenewalStep::Done) {
    c.m.last_activity = c.m.now;
    go(c, phase::Success{std::move(p.renewal), std::move(p.paid)});
    return;
  }
  if constexpr (std::is_same_v<P, phase::Progress>)
    run_step(c, p);
  else
    roll_on(c, std::move(p.renewal), std::move(p.paid));
}

template <typename P>
void step_failed(Ctx& c, P& p, const StepFailed& s) {
  Paid& r = p.paid;
  switch (s.kind) {
    case StepErrorKind::PinIncorrect:
      r.key.pin = s.pin;
      r.pin_failed = true;
      r.final_try_acknowledged = false;
      if (s.pin.locked)
        needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailurePinLocked),
                    s.detail);
      else if constexpr (!std::is_same_v<P, phase::Pin>)
        go(c, phase::Pin{std::move(p.renewal), std::move(p.paid)});
      break;
    case StepErrorKind::PinLocked:
      r.key.pin.locked = true;
      needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailurePinLocked), s.detail);
      break;
    case StepErrorKind::TokenRemoved: {
      r.logged_in = false;
      const auto from = r.step == RenewalStep::Login ? phase::KeyPulled::From::KeyDetails
                                                      : phase::KeyPulled::From::Progress;
      pulled(c, std::move(p.renewal), std::move(p.paid), from);
      break;
    }
    case StepErrorKind::WrongToken:
      r.logged_in = false;
      pulled(c, std::move(p.renewal), std::move(p.paid), phase::KeyPulled::From::Progress, true);
      break;
    case StepErrorKind::TokenFull:
      needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailureTokenFull), s.detail);
      break;
    case StepErrorKind::Refused:
      needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailurePlatformRefused),
                  s.detail);
      break;
    case StepErrorKind::DeviceError:
      needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailureDevice), s.detail);
      break;
    case StepErrorKind::Journal:
      // Nothing goes on without its record: the business stops here, the platform is told directly
      // (MarkNeedsStaff, best effort) and the customer goes to the counter with the business number.
      needs_staff(c, std::move(p.renewal), std::move(p.paid),
                  s.error_key.empty() ? "error.journal.io" : s.error_key, s.detail, msg::kFailureJournalTitle);
      break;
    case StepErrorKind::NotYetValid: {
      // The new certificate starts a moment in the future (clock skew): wait, then try again.
      const Millis until = c.m.now + c.m.settings.token_retry_ms;
      if constexpr (std::is_same_v<P, phase::Progress>)
        p.waiting_until = until;
      else
        go(c, phase::Progress{std::move(p.renewal), std::move(p.paid), false, until});
      break;
    }
    case StepErrorKind::Unavailable: {
      Failure f;
      f.title_key = std::string(msg::kFailureUnavailableTitle);
      f.body_key = s.error_key.empty() ? std::string(msg::kFailureUnavailableBody) : s.error_key;
      f.next_key = std::string(msg::kFailureRetryNext);
      f.can_retry = true;
      f.detail = s.detail;
      fail(c, std::move(p.renewal), std::move(p.paid), std::move(f));
      break;
    }
  }
}

void order_status(Order& order, const OrderStatusChanged& o) {
  if (order.id != o.order_id) return;
  if (o.status == OrderStatus::Expired || o.status == OrderStatus::Closed) order.status = o.status;
}

}  // namespace

// ---- the key's details ----
void on(Ctx& c, phase::KeyDetails& p, const KeyStatusChanged&) {
  if (c.m.key.presence == KeyPresence::NoKey)
    pulled(c, std::move(p.renewal), std::move(p.paid), phase::KeyPulled::From::KeyDetails);
}

void on(Ctx& c, phase::KeyDetails& p, const ReadKeyTapped&) {
  if (!p.reading) read_key(c, p);
}

void on(Ctx& c, phase::KeyDetails& p, const KeyRead& k) {
  if (!p.reading) return;
  p.reading = false;
  // Still the key and the certificate the order is bound to?
  const BoundKey& bound = p.paid.key;
  bool same = false;
  for (const auto& cert : k.certificates)
    if (cert.fingerprint_sha256 == bound.cert.fingerprint_sha256) same = true;
  if (k.token != bound.token || !same) {
    p.key_ok = false;
    p.problem_key = std::string(msg::kKeyDetailsOtherKey);
    return;
  }
  p.paid.key.pin = k.pin;
  p.key_ok = true;
  p.show_read_hint = false;
  if (k.pin.locked)
    needs_staff(c, std::move(p.renewal), std::move(p.paid), std::string(msg::kFailurePinLocked), {});
}

void on(Ctx&, phase::KeyDetails& p, const KeyReadFailed& k) {
  if (!p.reading) return;
  p.reading = false;
  p.key_ok = false;
  p.problem_key = k.error_key;
  p.asking = phase::KeyDetails::Asking::ReadFailed;
}

void on(Ctx& c, phase::KeyDetails& p, const ConfirmRenewalTapped&) {
  if (p.reading || !p.key_ok) return;
  if (p.paid.resumed)
    go(c, phase::Pin{std::move(p.renewal), std::move(p.paid)});  // confirmed when the business began
  else
    p.asking = phase::KeyDetails::Asking::ConfirmRenewal;
}

void on(Ctx& c, phase::KeyDetails& p, const DialogConfirmed&) {
  const auto asked = std::exchange(p.asking, phase::KeyDetails::Asking::Nothing);
  if (asked == phase::KeyDetails::Asking::ConfirmRenewal)
    go(c, phase::Pin{std::move(p.renewal), std::move(p.paid)});
  else if (asked == phase::KeyDetails::Asking::ReadFailed)
    p.show_read_hint = true;  // the red hint, with 【读取证书】 to retry
}

void on(Ctx&, phase::KeyDetails& p, const DialogDismissed&) {
  if (p.asking == phase::KeyDetails::Asking::ReadFailed) p.show_read_hint = true;
  p.asking = phase::KeyDetails::Asking::Nothing;
}

// ---- the PIN ----
void on(Ctx& c, phase::Pin& p, const KeyStatusChanged&) {
  if (c.m.key.presence == KeyPresence::NoKey && !p.verifying)
    pulled(c, std::move(p.renewal), std::move(p.paid), phase::KeyPulled::From::Pin);
}

void on(Ctx& c, phase::Pin& p, const PinSubmitted& e) {
  if (p.verifying || p.paid.key.pin.locked) return;
  if (p.paid.key.pin.final_try && !p.paid.final_try_acknowledged) {
    p.final_try_pin = e.pin;  // kept (by the driver) until the customer answers
    return;
  }
  start_rollover(c, p, e.pin);
}

void on(Ctx& c, phase::Pin& p, const DialogConfirmed&) {
  const auto pin = std::exchange(p.final_try_pin, std::nullopt);
  if (!pin) return;
  p.paid.final_try_acknowledged = true;
  start_rollover(c, p, *pin);
}

void on(Ctx&, phase::Pin& p, const DialogDismissed&) {
  p.final_try_pin.reset();  // the PIN typed before the question is wiped: a new one is typed
}

void on(Ctx& c, phase::Pin& p, const StepDone& s) {
  if (!p.verifying || s.step != p.paid.step) return;
  p.verifying = false;
  step_done(c, p, s);
}

void on(Ctx& c, phase::Pin& p, const StepFailed& s) {
  if (!p.verifying || s.step != p.paid.step) return;
  p.verifying = false;
  step_failed(c, p, s);
}

// ---- the rollover ----
// A row's time runs from the start of its first step (提交's from the nonce's) until the row is done.
void on(Ctx& c, phase::Progress& p, const StepStarted& s) {
  if (!p.running || s.step != p.paid.step) return;
  const RenewalStep row = progress_step(s.step);
  if (p.timed != row) {
    p.timed = row;
    p.timed_since = c.m.now;
  }
  p.usual = s.usual;
}

void on(Ctx& c, phase::Progress& p, const StepDone& s) {
  if (!p.running || s.step != p.paid.step) return;
  p.running = false;
  step_done(c, p, s);
}

void on(Ctx& c, phase::Progress& p, const StepFailed& s) {
  if (!p.running || s.step != p.paid.step) return;
  p.running = false;
  step_failed(c, p, s);
}

void retry_waiting_step(Ctx& c) {
  auto* p = std::get_if<phase::Progress>(&c.m.flow);
  if (!p || !p->waiting_until || c.m.now < *p->waiting_until || p->running) return;
  p->waiting_until.reset();
  run_step(c, *p);
}

// ---- the key pulled ----
void on(Ctx& c, phase::KeyPulled& p, const KeyStatusChanged& k) {
  const bool same_key = !k.status.identity.empty() && k.status.identity == p.paid.key.token;
  if (!same_key) {
    if (c.m.key.presence != KeyPresence::NoKey) p.other_key = true;
    return;
  }
  // Before the rollover the key is simply read again; during it the session is gone, so the customer types
  // the PIN again and the rollover resumes where it stopped (the staged key is found again by its label).
  if (p.from == phase::KeyPulled::From::KeyDetails || p.paid.step == RenewalStep::Login) {
    auto& next = go(c, phase::KeyDetails{std::move(p.renewal), std::move(p.paid)});
    read_key(c, next);
  } else {
    p.paid.resume_step = p.paid.step;
    go(c, phase::Pin{std::move(p.renewal), std::move(p.paid)});
  }
}

// Once paid, home only from the end screens (the business stays open for 继续操作 either way).
void on(Ctx& c, phase::KeyPulled& p, const HomeTapped&) {
  if (!order_paid(p.paid.order)) wipe(c);
}

// ---- the end ----
void on(Ctx& c, phase::Success&, const KeyStatusChanged&) {
  if (c.m.key.presence == KeyPresence::NoKey) wipe(c);  // 请取走KEY: taken, we are done
}
void on(Ctx& c, phase::Success&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Success&, const DoneTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Failure&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Failure&, const DoneTapped&) {
  wipe(c);
}

void on(Ctx& c, phase::Failure& p, const RetryTapped&) {
  if (!p.failure.can_retry) return;
  if (auto* key = std::get_if<BoundKey>(&p.at)) {  // the order failed: order again
    auto& next = go(c, phase::OrderList{std::move(p.renewal), std::move(*key)});
    create_order(c, next);
    return;
  }
  Paid& paid = std::get<Paid>(p.at);
  if (step_needs_token(paid.step) && !paid.logged_in) {
    paid.resume_step = paid.step;
    go(c, phase::Pin{std::move(p.renewal), std::move(paid)});
    return;
  }
  roll_on(c, std::move(p.renewal), std::move(paid));
}

void on(Ctx&, phase::Failure& p, const NeedsStaffRecorded& n) {
  if (const auto* paid = std::get_if<Paid>(&p.at); paid && paid->order.id == n.order_id)
    p.failure.told = n.told ? Failure::Told::Yes : Failure::Told::NotYet;
}

void on(Ctx&, phase::Failure& p, const OrderStatusChanged& o) {
  if (auto* paid = std::get_if<Paid>(&p.at)) order_status(paid->order, o);
}

void on(Ctx&, Paid& p, const OrderStatusChanged& o) {
  order_status(p.order, o);
}

// ---- 继续操作 ----
void recover(Ctx& c, const BusinessRecovered& b) {
  Renewal r;
  r.product_id = b.product_id;
  r.years = b.order.years;
  if (const Account* a = account_of(c.m)) r.account = *a;  // still logged in
  BoundKey key{b.cert, b.token, {}};
  if (b.order.status == OrderStatus::PendingPayment) {
    // Not paid yet: back to its QR code. The one-chance confirmation is still to come.
    go(c, phase::Payment{std::move(r), std::move(key), b.order});
    c.fx.push_back(WatchOrder{b.order.id, b.order.status});
    return;
  }
  Paid paid{std::move(key), b.order};
  paid.resumed = true;
  paid.new_not_before = b.new_not_before;
  paid.new_not_after = b.new_not_after;
  paid.step = b.resume_at;
  if (b.resume_at == RenewalStep::Done) {
    go(c, phase::Success{std::move(r), std::move(paid)});
    return;
  }
  if (!step_needs_token(b.resume_at)) {
    // Only the platform is left to do (fetch the certificate again, confirm): no PIN needed yet.
    roll_on(c, std::move(r), std::move(paid));
    return;
  }
  if (b.resume_at != RenewalStep::Login) paid.resume_step = b.resume_at;
  paid.step = RenewalStep::Login;
  auto& next = go(c, phase::KeyDetails{std::move(r), std::move(paid)});
  read_key(c, next);
}

}  // namespace core::detail
