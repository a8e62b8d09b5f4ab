// The flow core driven by scripted event sequences with a fake clock: no screen, no token, no network.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"

using namespace core;

namespace {

constexpr UnixSeconds kNow = 1'790'000'000;  // 2026-09
constexpr UnixSeconds kDay = 86'400;

Product gov_product() {
  Product p;
  p.id = "gov-haitai-renew";
  p.project_id = "gov-procurement";
  p.project_name = "政府采购项目";
  p.brand_id = "haitai";
  p.brand_name = "海泰KEY";
  p.title = "政府采购项目-海泰KEY-续费";
  p.price_per_year = 0;
  p.key_algorithm = domain::KeyAlgorithm::EcP256;
  return p;
}

Product paid_product() {
  Product p;
  p.id = "bid-feitian-renew";
  p.project_id = "e-bidding";
  p.brand_id = "feitian";
  p.brand_name = "飞天诚信KEY";
  p.title = "电子招投标项目-飞天诚信KEY-续费";
  p.price_per_year = 30000;
  p.allowed_years = {1, 2, 3};
  p.key_algorithm = domain::KeyAlgorithm::Rsa2048;
  return p;
}

TokenIdentity token_of(std::string brand) {
  if (brand == "haitai") return {"Haitai", "HaiKey", "HT0001"};
  return {"Feitian", "ePass3003", "FT0001"};
}

CertSummary cert_expiring_in(int days) {
  CertSummary c;
  c.holder = "张三";
  c.organisation = "内蒙古自治区政府采购中心";
  c.serial_hex = "01AB";
  c.not_before = kNow - 345 * kDay;
  c.not_after = kNow + days * kDay;
  c.fingerprint_sha256 = "f00d";
  c.has_private_key = true;
  return c;
}

struct Driver {
  Model m;
  std::vector<Effect> fx;  // effects of the last event
  std::vector<Effect> all_fx;

  Driver() {
    Settings s;
    m = initial_model(s, 0, kNow);
    auto u = start(m);
    m = u.model;
    send(CatalogLoaded{m.session, {gov_product(), paid_product()}});
  }

  Driver& send(const Event& e) {
    auto u = update(m, e);
    m = std::move(u.model);
    fx = std::move(u.effects);
    all_fx.insert(all_fx.end(), fx.begin(), fx.end());
    return *this;
  }

  // The fake clock: advance both clocks and deliver a tick.
  Driver& advance_ms(Millis ms) {
    Millis t = m.now + ms;
    UnixSeconds w = kNow + t / 1000;
    return send(Tick{t, w});
  }

  template <typename T>
  const T* effect() const {
    for (const auto& e : fx)
      if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
  }
  template <typename T>
  int count_all() const {
    return static_cast<int>(std::count_if(all_fx.begin(), all_fx.end(), [](const Effect& e) {
      return std::holds_alternative<T>(e);
    }));
  }

  void insert_key(const std::string& brand) {
    KeyStatus k;
    k.presence = KeyPresence::Recognised;
    k.identity = token_of(brand);
    k.brand_id = brand;
    send(KeyStatusChanged{k});
  }
  void pull_key() { send(KeyStatusChanged{KeyStatus{}}); }

  KeyRead key_read(const std::string& brand, int days_to_expiry, PinFlags pin = {}) const {
    KeyRead k;
    k.session = m.session;
    k.token = token_of(brand);
    k.brand_id = brand;
    k.certificates = {cert_expiring_in(days_to_expiry)};
    k.pin = pin;
    k.can_generate = {domain::KeyAlgorithm::Rsa2048, domain::KeyAlgorithm::EcP256};
    return k;
  }

  // Home → product → 【开始续费】 → key checked → phone verified → order list.
  void to_order_list(const std::string& brand) {
    insert_key(brand);
    send(RenewTapped{});
    REQUIRE(m.screen == Screen::Products);
    send(StartRenewalTapped{});
    REQUIRE(effect<ReadKey>());
    send(key_read(brand, 20));
    REQUIRE(m.screen == Screen::Phone);
    send(GetCodeTapped{"13812345678"});
    REQUIRE(effect<SendSms>());
    send(SmsSent{m.session, 60, 6});
    send(CodeSubmitted{});
    REQUIRE(effect<VerifySms>());
    send(SmsVerified{m.session});
    REQUIRE(m.screen == Screen::OrderList);
  }

  Order order(Fen amount, OrderStatus st) const {
    Order o;
    o.id = "ORD-" + std::to_string(m.renewal ? m.renewal->order_attempt : 0);
    o.amount = amount;
    o.code_url = "weixin://wxpay/bizpayurl?pr=abc";
    o.expires_at = m.wall + 600;
    o.status = st;
    return o;
  }

  // From 【确认续费】 through the PIN to the end of the rollover, every step succeeding.
  void confirm_and_roll_over() {
    REQUIRE(m.screen == Screen::KeyDetails);
    send(ConfirmRenewalTapped{});
    REQUIRE(m.dialog == Dialog::ConfirmRenewal);
    send(DialogConfirmed{});
    REQUIRE(m.screen == Screen::Pin);
    send(PinSubmitted{});
    run_steps_from(RenewalStep::Login);
  }

  void run_steps_from(RenewalStep first) {
    for (int s = static_cast<int>(first); s < static_cast<int>(RenewalStep::Done); ++s) {
      auto* run = effect<RunStep>();
      REQUIRE(run);
      REQUIRE(static_cast<int>(run->step) == s);
      StepDone d{m.session, run->step};
      if (run->step == RenewalStep::Submit) {
        d.not_before = m.wall;
        d.not_after = m.wall + 385 * kDay;
      }
      send(d);
    }
  }
};

}  // namespace

TEST_CASE("a paid renewal, every step of the manual in order") {
  Driver d;
  d.to_order_list("feitian");
  auto ol = order_list_view(d.m);
  REQUIRE(ol.rows.size() == 1);
  CHECK(ol.rows[0].unit_price == 30000);
  d.send(YearsChosen{2});
  CHECK(order_list_view(d.m).total == 60000);
  d.send(SubmitOrderTapped{});
  auto* co = d.effect<CreateOrder>();
  REQUIRE(co);
  CHECK(co->years == 2);
  CHECK(co->cert_fingerprint == "f00d");
  CHECK(co->token == token_of("feitian"));
  CHECK(co->attempt == 1);
  d.send(OrderCreated{d.m.session, d.order(60000, OrderStatus::PendingPayment)});
  REQUIRE(d.m.screen == Screen::Payment);
  REQUIRE(d.effect<WatchOrder>());
  auto pv = payment_view(d.m);
  CHECK(pv.code_url == "weixin://wxpay/bizpayurl?pr=abc");
  CHECK(pv.seconds_left == 600);
  // Still pending after a long-poll: watch again.
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::PendingPayment});
  REQUIRE(d.effect<WatchOrder>());
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::Paid});
  REQUIRE(d.m.screen == Screen::KeyDetails);
  REQUIRE(d.effect<ReadKey>());
  CHECK(key_details_view(d.m).paid_banner);
  d.send(d.key_read("feitian", 20));
  CHECK(key_details_view(d.m).ok);
  d.confirm_and_roll_over();
  CHECK(d.m.screen == Screen::Success);
  auto sv = success_view(d.m);
  CHECK(sv.holder == "张三");
  CHECK(sv.not_after == d.m.wall + 385 * kDay);
  // 请取走KEY: taking the key ends the session.
  d.pull_key();
  CHECK(d.m.screen == Screen::Home);
  CHECK_FALSE(d.m.renewal);
  CHECK(d.effect<WipeSession>());
}

TEST_CASE("a ¥0 product skips the payment screen") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  CHECK(d.m.screen == Screen::KeyDetails);
  CHECK(d.count_all<WatchOrder>() == 0);
  d.send(d.key_read("haitai", 20));
  d.confirm_and_roll_over();
  CHECK(d.m.screen == Screen::Success);
}

TEST_CASE("the product is pre-selected from the inserted key's brand") {
  Driver d;
  d.insert_key("feitian");
  d.send(RenewTapped{});
  CHECK(d.m.renewal->product_id == "bid-feitian-renew");
  auto pv = products_view(d.m);
  REQUIRE(pv.cards.size() == 2);
  CHECK(pv.cards[1].selected);
  CHECK(pv.cards[1].matches_key);
  CHECK(pv.can_start);
}

TEST_CASE("whatever would stop the renewal stops it at the key check, before any money") {
  struct Case {
    const char* name;
    std::string brand;
    int days;
    PinFlags pin;
    std::vector<domain::KeyAlgorithm> algs;
    std::string_view expect;
  };
  PinFlags locked;
  locked.locked = true;
  PinFlags change;
  change.to_be_changed = true;
  std::vector<domain::KeyAlgorithm> both{domain::KeyAlgorithm::Rsa2048, domain::KeyAlgorithm::EcP256};
  std::vector<Case> cases{
      {"wrong brand for the product", "feitian", 20, {}, both, msg::kKeyCheckBrandMismatch},
      {"too early", "haitai", 120, {}, both, msg::kKeyCheckTooEarly},
      {"too late", "haitai", -400, {}, both, msg::kKeyCheckTooLate},
      {"PIN locked", "haitai", 20, locked, both, msg::kKeyCheckPinLocked},
      {"PIN to be changed", "haitai", 20, change, both, msg::kKeyCheckPinToBeChanged},
      {"mechanism missing", "haitai", 20, {}, {domain::KeyAlgorithm::Rsa2048}, msg::kKeyCheckMechanism},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Driver d;
    d.insert_key("haitai");
    d.send(RenewTapped{});
    d.send(ProductChosen{"gov-haitai-renew"});
    d.send(StartRenewalTapped{});
    auto k = d.key_read(c.brand, c.days, c.pin);
    k.can_generate = c.algs;
    d.send(k);
    CHECK(d.m.screen == Screen::KeyCheck);
    CHECK(key_check_view(d.m).problem_key == c.expect);
    CHECK(d.count_all<SendSms>() == 0);
    CHECK(d.count_all<CreateOrder>() == 0);
    // 【读取证书】 reads again; a good key then goes on.
    d.send(ReadKeyTapped{});
    REQUIRE(d.effect<ReadKey>());
    d.send(d.key_read("haitai", 20));
    CHECK(d.m.screen == Screen::Phone);
  }
}

TEST_CASE("a key that cannot be read shows the token's error with 读取证书") {
  Driver d;
  d.send(RenewTapped{});
  d.send(ProductChosen{"gov-haitai-renew"});
  d.send(StartRenewalTapped{});
  d.send(KeyReadFailed{d.m.session, "error.token.module_missing", "dlopen"});
  CHECK(key_check_view(d.m).problem_key == "error.token.module_missing");
  CHECK(d.m.screen == Screen::KeyCheck);
}

TEST_CASE("phone: format check, resend countdown, wrong code") {
  Driver d;
  d.insert_key("haitai");
  d.send(RenewTapped{}).send(StartRenewalTapped{}).send(d.key_read("haitai", 20));
  REQUIRE(d.m.screen == Screen::Phone);
  d.send(GetCodeTapped{"1381234567"});
  CHECK(phone_view(d.m).error_key == msg::kPhoneErrorFormat);
  CHECK_FALSE(d.effect<SendSms>());
  d.send(GetCodeTapped{"12812345678"});
  CHECK_FALSE(d.effect<SendSms>());
  d.send(CodeSubmitted{});
  CHECK(phone_view(d.m).error_key == msg::kPhoneErrorGetCodeFirst);
  d.send(GetCodeTapped{"13812345678"});
  REQUIRE(d.effect<SendSms>());
  d.send(SmsSent{d.m.session, 60, 4});
  auto pv = phone_view(d.m);
  CHECK(pv.code_length == 4);
  CHECK(pv.resend_seconds_left == 60);
  CHECK_FALSE(pv.can_send);
  d.advance_ms(11'000);
  CHECK(phone_view(d.m).resend_seconds_left == 49);  // 请在49秒后重新发送
  d.send(GetCodeTapped{"13812345678"});
  CHECK_FALSE(d.effect<SendSms>());  // still counting down
  d.send(CodeSubmitted{});
  d.send(SmsRejected{d.m.session, "error.platform.sms_code_wrong"});
  CHECK(phone_view(d.m).error_key == "error.platform.sms_code_wrong");
  CHECK(d.m.screen == Screen::Phone);
  d.advance_ms(49'000);
  CHECK(phone_view(d.m).can_send);
  d.send(GetCodeTapped{"13812345678"});
  CHECK(d.effect<SendSms>());
}

TEST_CASE("QR expired: the old order is closed before a new one") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  // No idle timeout while the customer pays on the phone, up to the order's expiry.
  d.advance_ms(300'000);
  CHECK_FALSE(d.m.idle_overlay);
  d.advance_ms(301'000);
  CHECK(payment_view(d.m).expired);
  d.send(NewOrderTapped{});
  auto* close = d.effect<CloseOrder>();
  REQUIRE(close);
  CHECK(close->order_id == "ORD-1");
  CHECK_FALSE(d.effect<CreateOrder>());
  d.send(OrderClosed{d.m.session, "ORD-1", false});
  auto* co = d.effect<CreateOrder>();
  REQUIRE(co);
  CHECK(co->attempt == 2);  // a new idempotency key: a new order
}

TEST_CASE("QR expired but paid at the last second: the renewal goes on with that order") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  d.advance_ms(601'000);
  d.send(NewOrderTapped{});
  d.send(OrderClosed{d.m.session, "ORD-1", true});
  CHECK(d.m.screen == Screen::KeyDetails);
  CHECK(d.count_all<CreateOrder>() == 1);
}

TEST_CASE("payment made just as the customer cancels goes on as paid") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  d.send(CancelTapped{});
  CHECK(d.m.dialog == Dialog::CancelPayment);
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<CloseOrder>());
  d.send(OrderClosed{d.m.session, "ORD-1", true});
  CHECK(d.m.screen == Screen::KeyDetails);
  CHECK(d.m.renewal->order->status == OrderStatus::Paid);
}

TEST_CASE("cancel before paying closes the order and wipes the session") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  auto session = d.m.session;
  d.send(CancelTapped{}).send(DialogConfirmed{});
  d.send(OrderClosed{d.m.session, "ORD-1", false});
  CHECK(d.m.screen == Screen::Home);
  CHECK(d.m.session == session + 1);
  CHECK(d.effect<WipeSession>());
}

TEST_CASE("idle: overlay with a countdown, 继续 keeps the session, timeout wipes it and closes the order") {
  Driver d;
  d.to_order_list("feitian");
  d.advance_ms(59'000);
  CHECK_FALSE(d.m.idle_overlay);
  d.advance_ms(1'000);
  REQUIRE(d.m.idle_overlay);
  CHECK(chrome_view(d.m).idle_seconds_left == 20);
  d.send(ContinueTapped{});
  CHECK_FALSE(d.m.idle_overlay);
  CHECK(d.m.screen == Screen::OrderList);

  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  d.advance_ms(601'000);  // expired: the usual idle rule is back, and nobody touched it for 10 minutes
  REQUIRE(d.m.idle_overlay);
  d.advance_ms(19'000);
  CHECK(chrome_view(d.m).idle_seconds_left == 1);
  d.advance_ms(1'000);
  CHECK(d.m.screen == Screen::Home);
  CHECK_FALSE(d.m.renewal);
  CHECK(d.effect<CloseOrder>());
  CHECK(d.effect<WipeSession>());
  // Nothing of the customer is left in the next session's view-models.
  CHECK(phone_view(d.m).phone.empty());
  CHECK(success_view(d.m).holder.empty());
  CHECK(key_details_view(d.m).cert == std::nullopt);
}

TEST_CASE("a result from a wiped session is dropped") {
  Driver d;
  d.to_order_list("feitian");
  auto old = d.m.session;
  d.send(HomeTapped{});
  REQUIRE(d.m.session == old + 1);
  d.send(RenewTapped{});
  d.send(SmsVerified{old});
  CHECK(d.m.screen == Screen::Products);
}

TEST_CASE("wrong PIN: 产生签名证书P10申请书失败, flags warn, the final try asks first, locked goes to the counter") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{});
  d.send(PinSubmitted{});
  REQUIRE(d.effect<RunStep>());
  PinFlags low;
  low.count_low = true;
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "", low});
  CHECK(d.m.screen == Screen::Pin);
  CHECK(pin_view(d.m).last_failed);
  CHECK(pin_view(d.m).flags.count_low);
  // The token now says the next wrong PIN locks it: an explicit warning before the try.
  PinFlags final_try;
  final_try.final_try = true;
  d.send(PinSubmitted{});
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "",
                    final_try});
  d.send(PinSubmitted{});
  CHECK(d.m.dialog == Dialog::FinalPinTry);
  CHECK_FALSE(d.effect<RunStep>());
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<RunStep>());
  PinFlags locked;
  locked.locked = true;
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinLocked, "error.token.pin_locked", "", locked});
  CHECK(d.m.screen == Screen::Failure);
  auto fv = failure_view(d.m);
  CHECK(fv.failure.needs_staff);
  CHECK(fv.order_id == "ORD-1");
  auto* ns = d.effect<MarkNeedsStaff>();
  REQUIRE(ns);
  CHECK(ns->order_id == "ORD-1");
  // Only the PINs the customer typed were tried: three submissions → three Login steps.
  CHECK(d.count_all<RunStep>() == 3);
}

TEST_CASE("key pulled mid-rollover: the same key resumes after the PIN, another key is refused") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  d.send(StepDone{d.m.session, RenewalStep::StageKey});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::BuildP10);
  CHECK(chrome_view(d.m).do_not_remove_key);
  d.pull_key();
  d.send(StepFailed{d.m.session, RenewalStep::BuildP10, StepErrorKind::TokenRemoved, "error.token.removed"});
  CHECK(d.m.screen == Screen::KeyPulled);
  CHECK(key_pulled_view(d.m).mid_rollover);
  d.insert_key("feitian");
  CHECK(d.m.screen == Screen::KeyPulled);
  CHECK(key_pulled_view(d.m).other_key);
  d.pull_key();
  d.insert_key("haitai");
  CHECK(d.m.screen == Screen::Pin);
  CHECK(pin_view(d.m).again_after_pull);
  d.send(PinSubmitted{});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::Login);
  d.send(StepDone{d.m.session, RenewalStep::Login});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::BuildP10);  // resumes where it stopped
  d.run_steps_from(RenewalStep::BuildP10);
  CHECK(d.m.screen == Screen::Success);
}

TEST_CASE("the platform unavailable mid-rollover: retry re-runs the step, nothing lost") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  for (auto s : {RenewalStep::Login, RenewalStep::StageKey, RenewalStep::BuildP10, RenewalStep::RequestNonce,
                 RenewalStep::SignProof})
    d.send(StepDone{d.m.session, s});
  d.send(StepFailed{d.m.session, RenewalStep::Submit, StepErrorKind::Unavailable, "error.platform.offline"});
  CHECK(d.m.screen == Screen::Failure);
  CHECK(failure_view(d.m).failure.can_retry);
  CHECK_FALSE(failure_view(d.m).failure.needs_staff);
  d.send(RetryTapped{});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Submit);
  d.run_steps_from(RenewalStep::Submit);
  CHECK(d.m.screen == Screen::Success);
}

TEST_CASE("token full or a platform refusal after payment: needs_staff, the key untouched") {
  for (auto kind : {StepErrorKind::TokenFull, StepErrorKind::Refused, StepErrorKind::DeviceError}) {
    Driver d;
    d.to_order_list("haitai");
    d.send(SubmitOrderTapped{});
    d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
    d.send(d.key_read("haitai", 20));
    d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
    d.send(StepDone{d.m.session, RenewalStep::Login});
    d.send(StepFailed{d.m.session, RenewalStep::StageKey, kind, "x"});
    CHECK(d.m.screen == Screen::Failure);
    CHECK(failure_view(d.m).failure.needs_staff);
    CHECK(d.effect<MarkNeedsStaff>());
    CHECK(d.count_all<WipeSession>() == 0);
  }
}

TEST_CASE("the new certificate not yet valid: the step waits for the clock and runs again") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{}).send(DialogConfirmed{}).send(PinSubmitted{});
  for (auto s : {RenewalStep::Login, RenewalStep::StageKey, RenewalStep::BuildP10, RenewalStep::RequestNonce,
                 RenewalStep::SignProof, RenewalStep::Submit, RenewalStep::Install})
    d.send(StepDone{d.m.session, s});
  d.send(StepFailed{d.m.session, RenewalStep::Finalize, StepErrorKind::NotYetValid, "error.token.not_yet_valid"});
  CHECK(d.m.screen == Screen::Progress);
  CHECK(progress_view(d.m).waiting_for_clock);
  auto wake = next_wakeup(d.m);
  REQUIRE(wake);
  d.send(Tick{*wake, d.m.wall + 3});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Finalize);
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
  CHECK(d.m.screen == Screen::KeyDetails);
  d.send(d.key_read("haitai", 20));
  d.send(ConfirmRenewalTapped{});
  CHECK(d.m.dialog == Dialog::None);
  CHECK(d.m.screen == Screen::Pin);
  d.send(PinSubmitted{});
  d.send(StepDone{d.m.session, RenewalStep::Login});
  REQUIRE(d.effect<RunStep>()->step == RenewalStep::Install);
  d.run_steps_from(RenewalStep::Install);
  CHECK(d.m.screen == Screen::Success);
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
  CHECK(d.m.screen == Screen::Progress);
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->step == RenewalStep::Confirm);
}

TEST_CASE("the key read again before 确认续费 must be the one the order is bound to") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  auto other = d.key_read("haitai", 20);
  other.certificates[0].fingerprint_sha256 = "beef";
  d.send(other);
  CHECK_FALSE(key_details_view(d.m).ok);
  CHECK(key_details_view(d.m).problem_key == msg::kKeyDetailsOtherKey);
  d.send(ConfirmRenewalTapped{});
  CHECK(d.m.dialog == Dialog::None);
  // A read failure: the read-failure dialog, then the red text with 【读取证书】.
  d.send(ReadKeyTapped{});
  d.send(KeyReadFailed{d.m.session, "error.token.absent"});
  CHECK(d.m.dialog == Dialog::KeyReadFailed);
  d.send(DialogConfirmed{});
  CHECK(key_details_view(d.m).show_read_hint);
  d.send(ReadKeyTapped{});
  d.send(d.key_read("haitai", 20));
  CHECK(key_details_view(d.m).ok);
}

TEST_CASE("next_wakeup: nothing on an idle home, whole seconds on countdowns") {
  Driver d;
  CHECK_FALSE(next_wakeup(d.m));
  d.to_order_list("feitian");
  auto w = next_wakeup(d.m);
  REQUIRE(w);
  CHECK(*w == d.m.last_activity + 60'000);
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  w = next_wakeup(d.m);
  REQUIRE(w);
  CHECK(*w == d.m.now + 1000);
}

TEST_CASE("event and effect names for logs") {
  CHECK(event_name(Event{GetCodeTapped{"13812345678"}}) == "GetCodeTapped");
  CHECK(effect_name(Effect{WipeSession{}}) == "WipeSession");
}

TEST_CASE("idle: paid on the phone after minutes untouched, the key's details get the whole idle time") {
  Driver d;
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  d.advance_ms(300'000);  // paying on the phone: no idle limit on the payment screen
  CHECK_FALSE(d.m.idle_overlay);
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::Paid});
  REQUIRE(d.m.screen == Screen::KeyDetails);
  d.advance_ms(59'000);
  CHECK_FALSE(d.m.idle_overlay);  // not "您还在吗" the moment the details appear
  d.advance_ms(1'000);
  CHECK(d.m.idle_overlay);
}
