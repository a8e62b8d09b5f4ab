#include "runtime/headless.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"
#include "journal/journal.hpp"
#include "runtime/dispatcher.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "runtime/staff_text.hpp"
#include "foundation/clock.hpp"

namespace runtime {
namespace {

using namespace std::chrono_literals;
using Kind = HeadlessResult::Kind;

// A resumed order the counter has taken over (the platform's needs_staff).
constexpr std::string_view kWithCounter = "error.platform.order.needs_staff";

core::Millis now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}


class Driver {
public:
 Driver(KioskRuntime& rt, HeadlessCustomer& c, const HeadlessOptions& o)
     : rt_(rt), dispatcher_(rt), c_(c), o_(o) {
   core::Settings s;
   s.idle_ms = 24LL * 3600 * 1000;  // nobody walks away from a terminal session: no idle wipe
   s.session_max_ms = 24LL * 3600 * 1000;
   model_ = core::initial_model(s, now_ms(), foundation::unix_seconds_now());
   model_.key = rt.key_status();  // the key is already in: no KeyStatusChanged will say so again
 }

  HeadlessResult run() {
    apply(core::start(model_));
    if (o_.resume) {
      // What the platform has not acknowledged goes first: no business is skipped while it waits.
      std::optional<HeadlessResult> told = deliver_outbox();
      std::string order = o_.order.empty() ? newest_unfinished() : o_.order;
      if (order.empty() && !told) order = lost_by_the_journal();
      if (order.empty() && told) return *told;
      if (order.empty()) {
        c_.say("nothing to resume: no unfinished business in this kiosk's journal");
        return {Kind::NothingToResume, {}, {}};
      }
      say("resuming business {}", order);
      rt_.run(core::ResumeBusiness{order}, model_.session, {});
    } else {
      send(core::RenewTapped{});
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(2);
    while (std::chrono::steady_clock::now() < deadline) {
      if (o_.stop && o_.stop->load()) {
        if (!stopping_) {
          stopping_ = true;
          c_.say("stopping: the current step finishes, no new one starts");
        }
        if (rt_.stop_at_safe_point()) return {Kind::Unfinished, "stopped", order_id()};
        rt_.wait(1000);
        for (auto& e : rt_.drain()) handle_result(e);  // new effects they ask for are not started
        continue;
      }
      const auto sent = sent_;
      if (auto r = react(); r) {
        if (const core::Order* o = core::order_of(model_); o && r->order_id.empty()) r->order_id = o->id;
        return *r;
      }
      if (sent_ != sent) continue;  // the answer changed the screen: look again before waiting
      rt_.wait(1000);
      for (auto& e : rt_.drain()) handle_result(e);
      send(core::Tick{now_ms(), foundation::unix_seconds_now()});
    }
    return {Kind::Unfinished, {}, {}};
  }

private:
 std::string tr(std::string_view key) const {
   return o_.text && !key.empty() ? o_.text(key) : std::string(key);
 }

 // The view-model of the current phase (the caller is on its screen).
 template <auto View>
 auto view() const {
   return View(model_, std::get<core::PhaseOf<View>>(model_.flow));
 }
 // An order is being created (its answer may be an earlier renewal of this certificate to continue).
 bool ordering() const {
   const auto* p = std::get_if<core::phase::OrderList>(&model_.flow);
   return p && p->submitting;
 }

  template <typename... A>
  void say(fmt::format_string<A...> f, A&&... a) {
    c_.say(fmt::format(f, std::forward<A>(a)...));
  }

  void log(const std::vector<core::Effect>& effects) {
    if (o_.verbose)
      for (const auto& fx : effects) say("→ {}", core::effect_name(fx));
  }
  void apply(core::Update u) {
    model_ = std::move(u.model);
    log(u.effects);
    dispatcher_.run(model_, u.effects);
  }
  // The event, and the secret typed for it, if any: into the core together (runtime/dispatcher.hpp).
  void send(const core::Event& e, Secrets secrets = {}) {
    ++sent_;
    core::Update u = dispatcher_.dispatch(std::move(model_), e, std::move(secrets));
    model_ = std::move(u.model);
    log(u.effects);
  }
  // A secret the customer typed, under a slot of its own for the event that brings it.
  std::pair<core::SecretSlot, Secrets> typed(core::SecretKind kind, foundation::SecretBuffer value) {
    const core::SecretSlot slot{kind, ++secret_ids_};
    Secrets s;
    s.put(slot, std::move(value));
    return {slot, std::move(s)};
  }

  void handle_result(const core::Event& e) {
    if (o_.verbose) say("← {}", core::event_name(e));
    if (const auto* d = std::get_if<core::StepDone>(&e)) say("✓ {}", step_label(d->step));
    if (const auto* f = std::get_if<core::StepFailed>(&e); f && f->kind == core::StepErrorKind::NotYetValid)
      say("waiting: the new certificate is not valid yet by the platform's time; the old one stays in use "
          "and the step is tried again shortly");
    if (const auto* r = std::get_if<core::ResumeFailed>(&e); r && !ordering()) {
      resume_error_ = r->error_key;
      return;
    }
    if (const auto* f = std::get_if<core::CatalogFailed>(&e)) catalog_error_ = f->error_key;
    if (const auto* b = std::get_if<core::BusinessRecovered>(&e))
      say("business {} found: resuming at '{}'", b->order.id, step_label(b->resume_at));
    send(e);
  }

  // Sends every message the platform has not acknowledged, saying what became of each; the result when
  // that was all there was to do (nullopt: there was nothing to send).
  std::optional<HeadlessResult> deliver_outbox() {
    const auto sent = rt_.deliver_outbox_now();
    if (sent.empty()) return std::nullopt;
    int rank = 0;  // the most pressing outcome decides the result
    HeadlessResult result{Kind::Renewed, {}, {}};
    auto worse = [&](int r, Kind k, const journal::OutboxMessage& m) {
      if (r <= rank) return;
      rank = r;
      result = {k, m.kind, m.order_id};
    };
    for (const auto& m : sent) {
      const bool needs_staff = m.kind == "needs_staff";
      switch (m.state) {
        case journal::OutboxState::Delivered:
          say("business {}: the platform has it now ({})", m.order_id,
              needs_staff ? tr(core::msg::kFailureRecorded) : m.kind);
          worse(needs_staff ? 1 : 0, needs_staff ? Kind::NeedsStaff : Kind::Renewed, m);
          break;
        case journal::OutboxState::Pending:
          say("business {}: the platform has not acknowledged {} yet ({}); the kiosk keeps trying",
              m.order_id, m.kind, m.last_error);
          worse(needs_staff ? 4 : 3, needs_staff ? Kind::NeedsStaffNotTold : Kind::Unfinished, m);
          break;
        case journal::OutboxState::Refused:
          say("business {}: the platform refused {} for good ({}); see `kioskctl business list`", m.order_id,
              m.kind, m.last_error);
          worse(2, Kind::Failed, m);
          break;
      }
    }
    return result;
  }

  // The newest paid business of this kiosk that the platform has and the journal lost; empty when none
  // (or the platform cannot be asked). One with the counter is the counter's, not resumed here.
  std::string lost_by_the_journal() {
    auto lost = rt_.orders_the_journal_lost();
    if (!lost) {
      say("the platform could not be asked for this kiosk's orders: {}", lost.error());
      return {};
    }
    for (const auto& [order, status] : *lost) {
      if (status == "needs_staff") continue;
      say("business {} ({}) is on the platform but not in this kiosk's journal: it is taken up again", order,
          status);
      return order;
    }
    return {};
  }

  std::string newest_unfinished() {
    std::string order;
    rt_.with_journal([&](journal::Journal& j) {
      if (auto list = j.unfinished_businesses())
        for (const auto& b : *list)
          if (!b.order_id.empty() && b.status != journal::Status::NeedsStaff) order = b.order_id;
      if (!order.empty()) return;
      // An order created but not paid when the kiosk stopped: its QR code may still be paid.
      if (auto recent = j.recent(20))
        for (const auto& b : *recent)
          if (b.status == journal::Status::Open && !b.order_id.empty()) {
            order = b.order_id;
            return;
          }
    });
    return order;
  }

  // What the screen in front of a customer would now wait for, answered by the customer.
  std::optional<HeadlessResult> react() {
    if (!resume_error_.empty()) {
      say("cannot resume: {}", tr(resume_error_));
      Kind kind = resume_error_ == core::msg::kResumeNothingToDo ? Kind::NothingToResume : Kind::NotResumable;
      if (resume_error_ == kWithCounter) {
        kind = Kind::NeedsStaff;  // the platform has it: the customer goes to the counter
        say("{}", tr(core::msg::kFailureRecorded));
      }
      return HeadlessResult{kind, resume_error_, o_.order};
    }
    const core::Screen screen = core::screen_of(model_);
    const bool new_screen = screen != last_screen_;
    last_screen_ = screen;
    left_home_ = left_home_ || screen != core::Screen::Home;
    switch (screen) {
      case core::Screen::Products: {
        auto v = view<core::products_view>();
        if (v.loading) return std::nullopt;
        // Nothing is started before the catalog: not a safe point to resume from, the platform's failure.
        if (v.failed)
          return HeadlessResult{
              Kind::PlatformUnusable, catalog_error_.empty() ? "error.platform.offline" : catalog_error_, {}};
        auto chosen = [&]() -> const core::ProductCard* {
          for (const auto& c : v.cards)
            if (c.selected) return &c;
          return nullptr;
        };
        if (!o_.product.empty() && (!chosen() || chosen()->id != o_.product)) {
          send(core::ProductChosen{o_.product});
          v = view<core::products_view>();
          if (!chosen() || chosen()->id != o_.product) {
            say("no product '{}' in the catalog", o_.product);
            return HeadlessResult{Kind::Usage, "product", {}};
          }
        }
        if (!v.can_start || !chosen()) {
          say("choose a product (the inserted key's brand matched none):");
          for (const auto& c : v.cards) say("  {}  {}  {}/year", c.id, c.title, yuan(c.price_per_year));
          return HeadlessResult{Kind::Usage, "product", {}};
        }
        say("product: {}", chosen()->title);
        send(core::StartRenewalTapped{});
        return std::nullopt;
      }
      case core::Screen::KeyCheck: {
        auto v = view<core::key_check_view>();
        if (v.reading || v.problem_key.empty()) return std::nullopt;
        say("this key cannot be renewed: {}", tr(v.problem_key));
        return HeadlessResult{Kind::KeyProblem, v.problem_key, {}};
      }
      case core::Screen::Phone: {
        auto v = view<core::phone_view>();
        if (v.sending || v.verifying) return std::nullopt;
        if (new_screen) {
          const core::CertSummary& cert = std::get<core::phase::Phone>(model_.flow).key.cert;
          say("key: {} / {} (serial {}, valid until {})", cert.organisation, cert.holder, cert.serial_hex,
              utc_minute(cert.not_after));
        }
        const bool new_error = !v.error_key.empty() && v.error_key != last_error_;
        if (new_error) {
          last_error_ = v.error_key;
          say("! {}", tr(v.error_key));
        }
        if (!v.code_sent) {
          if (v.error_key == core::msg::kPhoneErrorFormat) phone_.clear();
          if (phone_.empty()) phone_ = c_.phone();
          if (phone_.empty()) return HeadlessResult{Kind::Usage, "phone", {}};
          if (!v.can_send) return std::nullopt;
          if (new_error && v.error_key != core::msg::kPhoneErrorFormat) return HeadlessResult{Kind::Refused, v.error_key, {}};
          send(core::GetCodeTapped{phone_});
          return std::nullopt;
        }
        if (code_submitted_ && !new_error) return std::nullopt;
        auto code = c_.sms_code(v.phone, v.code_length, code_submitted_);
        if (!code) return HeadlessResult{Kind::Refused, v.error_key.empty() ? "sms" : v.error_key, {}};
        code_submitted_ = true;
        auto [slot, secret] = typed(core::SecretKind::SmsCode, std::move(*code));
        send(core::CodeSubmitted{slot}, std::move(secret));
        return std::nullopt;
      }
      case core::Screen::OrderList: {
        if (ordering()) return std::nullopt;
        if (o_.years > 0) send(core::YearsChosen{o_.years});
        auto v = view<core::order_list_view>();
        for (const auto& row : v.rows)
          say("order: {} × {} year(s) at {}/year = {}", row.title, row.years, yuan(row.unit_price), yuan(row.subtotal));
        send(core::SubmitOrderTapped{});
        return std::nullopt;
      }
      case core::Screen::Payment: {
        auto v = view<core::payment_view>();
        if (v.order_id != paying_order_) {
          paying_order_ = v.order_id;
          say("order {}: pay {} by WeChat (请使用微信扫一扫) before {}", v.order_id, yuan(v.amount),
              utc_minute(std::get<core::phase::Payment>(model_.flow).order.expires_at));
          c_.payment(v);
        }
        if (v.expired && !v.closing) {
          say("the QR code expired without payment; the order is closed and a new one made");
          send(core::NewOrderTapped{});
        }
        return std::nullopt;
      }
      case core::Screen::KeyDetails: {
        auto v = view<core::key_details_view>();
        if (v.reading) return std::nullopt;
        if (core::dialog_of(model_) == core::Dialog::KeyReadFailed) {
          say("证书读取失败: {}", tr(v.problem_key));
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (core::dialog_of(model_) == core::Dialog::ConfirmRenewal) {
          if (!c_.confirm("确定续费吗，本次购买只有一次续费机会！")) return HeadlessResult{Kind::Unfinished, "declined", {}};
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (v.paid_banner && new_screen) say("订单支付成功");
        if (!v.ok) {
          say("the key cannot be read: {} (insert the key the order is bound to)", tr(v.problem_key));
          if (waited_for_key_++ > o_.wait_key_s) return HeadlessResult{Kind::Unfinished, v.problem_key, {}};
          std::this_thread::sleep_for(1s);
          send(core::ReadKeyTapped{});
          return std::nullopt;
        }
        send(core::ConfirmRenewalTapped{});
        return std::nullopt;
      }
      case core::Screen::Pin: {
        auto v = view<core::pin_view>();
        if (v.verifying) return std::nullopt;
        if (core::dialog_of(model_) == core::Dialog::FinalPinTry) {
          if (!c_.confirm("最后一次机会：再输错PIN码KEY将被锁定。继续吗？"))
            return HeadlessResult{Kind::PinWrong, "error.token.pin_final_try", {}};
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (v.last_failed)
          say("产生签名证书P10申请书失败: the PIN may be wrong{}",
              v.flags.final_try ? " — the next wrong PIN locks the key" : (v.flags.count_low ? " (few tries left)" : ""));
        if (v.again_after_pull) say("the key was put back: the PIN again to continue");
        auto p = c_.pin(v);
        // None given: after a wrong one, the run ends on that wrong PIN; else nothing was tried on the key,
        // and the renewal waits at a safe point for the PIN (--resume).
        if (!p && v.last_failed) return HeadlessResult{Kind::PinWrong, "error.token.pin_incorrect", {}};
        if (!p) {
          say("{}", tr(kPinMissingKey));
          return HeadlessResult{Kind::Unfinished, kPinMissingKey, {}};
        }
        auto [slot, secret] = typed(core::SecretKind::Pin, std::move(*p));
        send(core::PinSubmitted{slot}, std::move(secret));
        return std::nullopt;
      }
      case core::Screen::Progress:
        return std::nullopt;
      case core::Screen::KeyPulled: {
        auto v = view<core::key_pulled_view>();
        if (new_screen)
          say("{} (order {})", v.other_key ? "another key is inserted: put back the key of this order"
                                           : "the key was pulled: put it back",
              v.order_id);
        if (waited_for_key_++ > o_.wait_key_s) return HeadlessResult{Kind::Unfinished, "error.token.removed", {}};
        return std::nullopt;
      }
      case core::Screen::Success: {
        auto v = view<core::success_view>();
        say("续费成功: {} / {}", v.organisation, v.holder);
        say("the new certificate is valid from {} to {}", utc_minute(v.not_before), utc_minute(v.not_after));
        say("请取走KEY");
        return HeadlessResult{Kind::Renewed, {}, v.order_id};
      }
      case core::Screen::Failure: {
        auto v = view<core::failure_view>();
        if (!failure_said_) {  // once, though the screen is looked at again while needs_staff is recorded
          failure_said_ = true;
          say("{} {}", tr(v.failure.title_key), tr(v.failure.body_key));
          if (!v.failure.next_key.empty()) say("next: {}", tr(v.failure.next_key));
          if (!v.failure.detail.empty()) say("detail: {}", v.failure.detail);
          if (!v.order_id.empty()) say("business number: {}", v.order_id);
        }
        using Told = core::Failure::Told;
        if (v.failure.needs_staff && v.failure.told == Told::Asking && !v.order_id.empty())
          return std::nullopt;  // the platform's answer to needs_staff first: never "told" before it
        if (v.failure.needs_staff && !v.order_id.empty())
          say("{}", v.failure.told == Told::Yes ? tr(core::msg::kFailureRecorded)
                                                : tr(core::msg::kFailureNotYetTold));
        if (v.failure.body_key.starts_with("error.journal."))
          return HeadlessResult{Kind::Journal, v.failure.body_key, v.order_id};
        if (v.failure.needs_staff)
          return HeadlessResult{v.failure.told == Told::Yes ? Kind::NeedsStaff : Kind::NeedsStaffNotTold,
                                v.failure.body_key, v.order_id};
        if (v.failure.can_retry) return HeadlessResult{Kind::Unfinished, v.failure.body_key, v.order_id};
        return HeadlessResult{v.paid ? Kind::Failed : Kind::Refused, v.failure.body_key, v.order_id};
      }
      case core::Screen::Home:
        // Back home after having left it: the session was wiped (cancelled, or a result sent it home).
        if (left_home_ || model_.session > 1) return HeadlessResult{Kind::Failed, "cancelled", {}};
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  std::string order_id() const {
    const core::Order* o = core::order_of(model_);
    return o ? o->id : std::string();
  }

  KioskRuntime& rt_;
  Dispatcher dispatcher_;
  std::uint32_t secret_ids_ = 0;
  HeadlessCustomer& c_;
  const HeadlessOptions& o_;
  core::Model model_;
  core::Screen last_screen_ = core::Screen::Home;
  std::string phone_;
  std::string last_error_;
  std::string resume_error_;
  std::string paying_order_;
  bool code_submitted_ = false;
  std::string catalog_error_;  // the last CatalogFailed's message key
  bool failure_said_ = false;
  bool left_home_ = false;
  int waited_for_key_ = 0;
  unsigned long sent_ = 0;
  bool stopping_ = false;
};

}  // namespace

std::string_view step_label(core::RenewalStep s) {
  switch (s) {
    case core::RenewalStep::Login: return "PIN verified";
    case core::RenewalStep::StageKey: return "new key pair on the key";
    case core::RenewalStep::BuildP10: return "P10 signed on the key";
    case core::RenewalStep::RequestNonce: return "platform nonce";
    case core::RenewalStep::SignProof: return "renewal proof signed with the old key";
    case core::RenewalStep::Submit: return "certificate issued";
    case core::RenewalStep::Install: return "certificate written and verified";
    case core::RenewalStep::Finalize: return "new key in place, old one retired per policy";
    case core::RenewalStep::Confirm: return "platform told: installed";
    default: return "done";
  }
}

HeadlessResult run_headless(KioskRuntime& runtime, HeadlessCustomer& customer, const HeadlessOptions& options) {
  Driver d(runtime, customer, options);
  return d.run();
}

}  // namespace runtime
