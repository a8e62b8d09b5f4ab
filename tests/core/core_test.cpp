// The flow core driven by scripted event sequences with a fake clock: no screen, no token, no network.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"

#include "core_driver.hpp"

using namespace coretest;

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
  CHECK_FALSE(close->leaving);  // the customer goes on with a new order
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
  REQUIRE(d.effect<CloseOrder>());
  CHECK(
      d.effect<CloseOrder>()->leaving);  // nobody goes on if it turns out paid: the runtime tells the counter
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
