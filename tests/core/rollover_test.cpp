// The paid renewal: the key read again, the PIN and its warnings, the rollover's steps, a key pulled on the
// way, failures after payment, and 继续操作.
#include "driver.hpp"

#include "core/messages.hpp"

using namespace core_test;

TEST_CASE(
    "wrong PIN: 产生签名证书P10申请书失败, flags warn, the final try asks first, locked goes to the "
    "counter") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{});
  d.send(PinSubmitted{});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.view<pin_view>().verifying);
  PinFlags low;
  low.count_low = true;
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect,
                    "error.token.pin_incorrect", "", low});
  CHECK(d.screen() == Screen::Pin);
  CHECK(d.view<pin_view>().last_failed);
  CHECK(d.view<pin_view>().flags.count_low);
  CHECK_FALSE(d.view<pin_view>().verifying);
  // The token now says the next wrong PIN locks it: an explicit warning before the try.
  PinFlags final_try;
  final_try.final_try = true;
  d.send(PinSubmitted{});
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect,
                    "error.token.pin_incorrect", "", final_try});
  d.send(PinSubmitted{});
  CHECK(d.dialog() == Dialog::FinalPinTry);
  CHECK_FALSE(d.effect<RunStep>());
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->final_try_acknowledged);
  PinFlags locked;
  locked.locked = true;
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinLocked, "error.token.pin_locked", "",
                    locked});
  CHECK(d.screen() == Screen::Failure);
  auto fv = d.view<failure_view>();
  CHECK(fv.failure.needs_staff);
  CHECK(fv.order_id == "ORD-1");
  CHECK(fv.paid);
  auto* ns = d.effect<MarkNeedsStaff>();
  REQUIRE(ns);
  CHECK(ns->order_id == "ORD-1");
  // Only the PINs the customer typed were tried: three submissions → three Login steps.
  CHECK(d.count_all<RunStep>() == 3);
  CHECK(d.view<failure_view>().failure.told == Failure::Told::Asking);
  d.send(NeedsStaffRecorded{d.m.session, "ORD-1", true});
  CHECK(d.view<failure_view>().failure.told == Failure::Told::Yes);
}

TEST_CASE("key pulled mid-rollover: the same key resumes after the PIN, another key is refused") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  d.send(StepDone{d.m.session, RenewalStep::StageKey});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::BuildP10);
  CHECK(chrome_view(d.m).do_not_remove_key);
  d.pull_key();
  d.send(StepFailed{d.m.session, RenewalStep::BuildP10, StepErrorKind::TokenRemoved, "error.token.removed"});
  CHECK(d.screen() == Screen::KeyPulled);
  CHECK(d.view<key_pulled_view>().mid_rollover);
  CHECK_FALSE(chrome_view(d.m).can_go_home);  // paid: only the end screens lead home
  d.send(HomeTapped{});
  CHECK(d.screen() == Screen::KeyPulled);
  d.insert_key("feitian");
  CHECK(d.screen() == Screen::KeyPulled);
  CHECK(d.view<key_pulled_view>().other_key);
  d.pull_key();
  d.insert_key("haitai");
  CHECK(d.screen() == Screen::Pin);
  CHECK(d.view<pin_view>().again_after_pull);
  d.send(PinSubmitted{});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::Login);
  d.send(StepDone{d.m.session, RenewalStep::Login});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::BuildP10);  // resumes where it stopped
  d.run_steps_from(RenewalStep::BuildP10);
  CHECK(d.screen() == Screen::Success);
}

TEST_CASE("key pulled before the rollover: reinserted, the key's details are read again") {
  Driver d;
  d.to_key_details_free();
  d.pull_key();
  REQUIRE(d.screen() == Screen::KeyPulled);
  CHECK_FALSE(d.view<key_pulled_view>().mid_rollover);
  d.insert_key("haitai");
  CHECK(d.screen() == Screen::KeyDetails);
  CHECK(d.effect<ReadKey>());
  CHECK(d.view<key_details_view>().reading);
  CHECK(chrome_view(d.m).do_not_remove_key);
}

TEST_CASE("the platform unavailable mid-rollover: retry re-runs the step, nothing lost") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  for (auto s : {RenewalStep::Login, RenewalStep::StageKey, RenewalStep::BuildP10,
                 RenewalStep::RequestNonce, RenewalStep::SignProof})
    d.send(StepDone{d.m.session, s});
  d.send(StepFailed{d.m.session, RenewalStep::Submit, StepErrorKind::Unavailable, "error.platform.offline"});
  CHECK(d.screen() == Screen::Failure);
  CHECK(d.view<failure_view>().failure.can_retry);
  CHECK_FALSE(d.view<failure_view>().failure.needs_staff);
  d.send(RetryTapped{});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Submit);
  d.run_steps_from(RenewalStep::Submit);
  CHECK(d.screen() == Screen::Success);
}

TEST_CASE("the phone's verification lapsed: back to the phone for a new code, by the typed reason only") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  REQUIRE(d.effect<CreateOrder>());
  const int attempt = d.effect<CreateOrder>()->attempt;
  d.send(OrderFailed{d.m.session, "error.platform.verification.invalid", "http 400", false,
                     OrderFailure::VerificationLapsed});
  REQUIRE(d.screen() == Screen::Phone);
  auto pv = d.view<phone_view>();
  CHECK(pv.error_key == msg::kPhoneErrorVerificationLapsed);
  CHECK_FALSE(pv.phone.empty());  // the number is kept: a new code is all it takes
  // The next order carries a new verification, so a new idempotency key.
  d.send(GetCodeTapped{"13812345678"});
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(CodeSubmitted{});
  d.send(SmsVerified{d.m.session});
  REQUIRE(d.screen() == Screen::OrderList);
  d.send(SubmitOrderTapped{});
  REQUIRE(d.effect<CreateOrder>());
  CHECK(d.effect<CreateOrder>()->attempt == attempt + 1);

  // The same message key without the reason is an order failure like any other: the flow follows the
  // typed field, not the text.
  Driver e;
  e.to_order_list("feitian");
  e.send(SubmitOrderTapped{});
  e.send(OrderFailed{e.m.session, "error.platform.verification.invalid", "http 400", false});
  CHECK(e.screen() == Screen::Failure);
}

TEST_CASE("the order refused, retryable: 【重试】 orders again with the same attempt") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderFailed{d.m.session, "error.platform.timeout", "timeout", true});
  REQUIRE(d.screen() == Screen::Failure);
  auto fv = d.view<failure_view>();
  CHECK(fv.failure.can_retry);
  CHECK_FALSE(fv.paid);
  CHECK(fv.order_id.empty());
  d.send(RetryTapped{});
  CHECK(d.screen() == Screen::OrderList);
  REQUIRE(d.effect<CreateOrder>());
  CHECK(d.effect<CreateOrder>()->attempt == 1);  // the same idempotency key: one order at most
}

TEST_CASE("token full or a platform refusal after payment: needs_staff, the key untouched") {
  for (auto kind : {StepErrorKind::TokenFull, StepErrorKind::Refused, StepErrorKind::DeviceError}) {
    Driver d;
    d.to_key_details_free();
    d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
    d.send(StepDone{d.m.session, RenewalStep::Login});
    d.send(StepFailed{d.m.session, RenewalStep::StageKey, kind, "x"});
    CHECK(d.screen() == Screen::Failure);
    CHECK(d.view<failure_view>().failure.needs_staff);
    CHECK(d.effect<MarkNeedsStaff>());
    CHECK(d.count_all<WipeSession>() == 0);
  }
}

TEST_CASE("the journal failing after payment: its own title, the counter, the platform told directly") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  d.send(StepFailed{d.m.session, RenewalStep::StageKey, StepErrorKind::Journal, "error.journal.full",
                    "disk full"});
  REQUIRE(d.screen() == Screen::Failure);
  auto v = d.view<failure_view>();
  CHECK(v.failure.title_key == msg::kFailureJournalTitle);
  CHECK(v.failure.body_key == "error.journal.full");
  CHECK(v.failure.needs_staff);
  CHECK_FALSE(v.failure.can_retry);
  auto* mark = d.effect<MarkNeedsStaff>();
  REQUIRE(mark);
  CHECK(mark->reason_key == "error.journal.full");
  CHECK(v.failure.told == Failure::Told::Asking);
}

TEST_CASE("needs_staff is said as told only when the platform acknowledged it") {
  for (bool told : {true, false}) {
    Driver d;
    d.to_key_details_free();
    d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
    d.send(StepDone{d.m.session, RenewalStep::Login});
    d.send(StepFailed{d.m.session, RenewalStep::StageKey, StepErrorKind::TokenFull, "error.token.full"});
    CHECK(d.view<failure_view>().failure.told == Failure::Told::Asking);
    d.send(NeedsStaffRecorded{d.m.session, "ORD-1", told});
    CHECK(d.view<failure_view>().failure.told == (told ? Failure::Told::Yes : Failure::Told::NotYet));
    // An answer about another order changes nothing.
    d.send(NeedsStaffRecorded{d.m.session, "ORD-2", !told});
    CHECK(d.view<failure_view>().failure.told == (told ? Failure::Told::Yes : Failure::Told::NotYet));
  }
}

TEST_CASE("the new certificate not yet valid: the step waits for the clock and runs again") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  for (auto s :
       {RenewalStep::Login, RenewalStep::StageKey, RenewalStep::BuildP10, RenewalStep::RequestNonce,
        RenewalStep::SignProof, RenewalStep::Submit, RenewalStep::Install})
    d.send(StepDone{d.m.session, s});
  d.send(StepFailed{d.m.session, RenewalStep::Finalize, StepErrorKind::NotYetValid,
                    "error.token.not_yet_valid"});
  CHECK(d.screen() == Screen::Progress);
  CHECK(d.view<progress_view>().waiting_for_clock);
  auto wake = next_wakeup(d.m);
  REQUIRE(wake);
  d.send(Tick{*wake, d.m.wall + 3});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Finalize);
  CHECK_FALSE(d.view<progress_view>().waiting_for_clock);
}

TEST_CASE("继续操作: a recovered business resumes at its step without a second confirmation") {
  Driver d;
  d.insert_key("haitai");
  BusinessRecovered b;
  b.session = d.m.session;
  b.product_id = "gov-haitai-renew";
  b.order.id = "ORD-9";
  b.order.status = OrderStatus::Issued;
  b.cert = cert_expiring_in(20);
  b.token = token_of("haitai");
  b.resume_at = RenewalStep::Install;
  d.send(b);
  CHECK(d.screen() == Screen::KeyDetails);
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{});
  CHECK(d.dialog() == Dialog::None);
  CHECK(d.screen() == Screen::Pin);
  d.send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::Install);
  d.run_steps_from(RenewalStep::Install);
  CHECK(d.screen() == Screen::Success);
  CHECK(d.count_all<CreateOrder>() == 0);
}

TEST_CASE("a recovered business with only the platform left needs no PIN") {
  Driver d;
  BusinessRecovered b;
  b.session = d.m.session;
  b.product_id = "gov-haitai-renew";
  b.order.id = "ORD-9";
  b.order.status = OrderStatus::Issued;
  b.cert = cert_expiring_in(20);
  b.token = token_of("haitai");
  b.resume_at = RenewalStep::Confirm;
  d.send(b);
  CHECK(d.screen() == Screen::Progress);
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Confirm);
}

TEST_CASE("a recovered business not paid yet goes back to its QR code") {
  Driver d;
  BusinessRecovered b;
  b.session = d.m.session;
  b.product_id = "bid-feitian-renew";
  b.order.id = "ORD-8";
  b.order.amount = 30000;
  b.order.expires_at = d.m.wall + 300;
  b.cert = cert_expiring_in(20);
  b.token = token_of("feitian");
  d.send(b);
  CHECK(d.screen() == Screen::Payment);
  REQUIRE(d.effect<WatchOrder>());
  CHECK(d.view<payment_view>().order_id == "ORD-8");
  d.send(OrderStatusChanged{d.m.session, "ORD-8", OrderStatus::Paid});
  d.send(d.key_read("feitian", 20));
  d.send(ConfirmRenewalTapped{});
  CHECK(d.dialog() == Dialog::ConfirmRenewal);  // its one-chance confirmation is still to come
}

TEST_CASE("the key read again before 确认续费 must be the one the order is bound to") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  auto other = d.key_read("haitai", 20);
  other.certificates[0].fingerprint_sha256 = "beef";
  d.send(other);
  CHECK_FALSE(d.view<key_details_view>().ok);
  CHECK(d.view<key_details_view>().problem_key == msg::kKeyDetailsOtherKey);
  d.send(ConfirmRenewalTapped{});
  CHECK(d.dialog() == Dialog::None);
  // A read failure: the read-failure dialog, then the red text with 【读取证书】.
  d.send(ReadKeyTapped{});
  d.send(KeyReadFailed{d.m.session, "error.token.absent"});
  CHECK(d.dialog() == Dialog::KeyReadFailed);
  d.send(DialogConfirmed{});
  CHECK(d.view<key_details_view>().show_read_hint);
  d.send(ReadKeyTapped{});
  d.send(d.key_read("haitai", 20));
  CHECK(d.view<key_details_view>().ok);
}

TEST_CASE("a long step shows it is alive: its time so far once a second, and what is usual on this key") {
  Driver d;
  d.to_key_details_free();
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  REQUIRE(d.screen() == Screen::Progress);
  // The step is asked for; until the runtime says it began, no time is shown.
  auto row = [&](RenewalStep s) {
    for (const auto& r : d.view<progress_view>().steps)
      if (r.step == s) return r;
    FAIL("no row");
    return ProgressStep{};
  };
  CHECK_FALSE(row(RenewalStep::StageKey).elapsed_s);
  StepTimes usual;
  usual.usual[static_cast<std::size_t>(RenewalStep::StageKey)] = 61'000;
  usual.usual[static_cast<std::size_t>(RenewalStep::RequestNonce)] = 400;
  usual.usual[static_cast<std::size_t>(RenewalStep::SignProof)] = 300;
  usual.usual[static_cast<std::size_t>(RenewalStep::Submit)] = 2'000;
  d.send(StepStarted{d.m.session, RenewalStep::StageKey, usual});
  CHECK(row(RenewalStep::StageKey).elapsed_s == 0);
  CHECK(row(RenewalStep::StageKey).usual_s == 61);
  CHECK_FALSE(row(RenewalStep::BuildP10).elapsed_s);
  // The loop wakes at each whole second of the step, not before: the time on screen changes, nothing else.
  const Millis started = d.m.now;
  d.advance_ms(300);
  auto wake = next_wakeup(d.m);
  REQUIRE(wake);
  CHECK(*wake == started + 1000);
  d.send(Tick{*wake, d.m.wall + 1});
  CHECK(row(RenewalStep::StageKey).elapsed_s == 1);
  d.advance_ms(99'000);
  CHECK(row(RenewalStep::StageKey).elapsed_s == 100);
  CHECK(next_wakeup(d.m) == started + 101'000);
  // A stale or foreign start changes nothing; the next step starts the next row's time.
  d.send(StepStarted{d.m.session + 1, RenewalStep::StageKey, {}});
  d.send(StepStarted{d.m.session, RenewalStep::Install, {}});
  CHECK(row(RenewalStep::StageKey).elapsed_s == 100);
  d.send(StepDone{d.m.session, RenewalStep::StageKey});
  d.send(StepStarted{d.m.session, RenewalStep::BuildP10, usual});
  CHECK_FALSE(row(RenewalStep::StageKey).elapsed_s);
  CHECK(row(RenewalStep::BuildP10).elapsed_s == 0);
  CHECK(row(RenewalStep::BuildP10).usual_s == 0);  // nobody knows
  // 提交 is one row from the nonce to the certificate: its time runs on, and its usual time is the three's.
  d.send(StepDone{d.m.session, RenewalStep::BuildP10});
  d.send(StepStarted{d.m.session, RenewalStep::RequestNonce, usual});
  d.advance_ms(2'500);
  d.send(StepDone{d.m.session, RenewalStep::RequestNonce});
  d.send(StepStarted{d.m.session, RenewalStep::SignProof, usual});
  CHECK(row(RenewalStep::Submit).elapsed_s == 2);
  CHECK(row(RenewalStep::Submit).usual_s == 3);
  // After the last step, no more wakeups for it.
  for (auto s : {RenewalStep::SignProof, RenewalStep::Submit, RenewalStep::Install, RenewalStep::Finalize,
                 RenewalStep::Confirm})
    d.send(StepDone{d.m.session, s});
  CHECK(d.screen() == Screen::Success);
}
