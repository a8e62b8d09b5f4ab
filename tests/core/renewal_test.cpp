// The renewal before the rollover: the manual's steps in order, the product, the key check before any
// money, the phone and its code.
#include "driver.hpp"

#include "core/messages.hpp"

using namespace core_test;

TEST_CASE("a paid renewal, every step of the manual in order") {
  Driver d;
  d.to_order_list("feitian");
  auto ol = d.view<order_list_view>();
  REQUIRE(ol.rows.size() == 1);
  CHECK(ol.rows[0].unit_price == 30000);
  d.send(YearsChosen{2});
  CHECK(d.view<order_list_view>().total == 60000);
  d.send(SubmitOrderTapped{});
  auto* co = d.effect<CreateOrder>();
  REQUIRE(co);
  CHECK(co->years == 2);
  CHECK(co->cert_fingerprint == "f00d");
  CHECK(co->token == token_of("feitian"));
  CHECK(co->attempt == 1);
  d.send(OrderCreated{d.m.session, d.order(60000, OrderStatus::PendingPayment)});
  REQUIRE(d.screen() == Screen::Payment);
  REQUIRE(d.effect<WatchOrder>());
  auto pv = d.view<payment_view>();
  CHECK(pv.code_url == "weixin://wxpay/bizpayurl?pr=abc");
  CHECK(pv.seconds_left == 600);
  // Still pending after a long-poll: watch again.
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::PendingPayment});
  REQUIRE(d.effect<WatchOrder>());
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::Paid});
  REQUIRE(d.screen() == Screen::KeyDetails);
  REQUIRE(d.effect<ReadKey>());
  CHECK(d.view<key_details_view>().paid_banner);
  d.send(d.key_read("feitian", 20));
  CHECK(d.view<key_details_view>().ok);
  d.confirm_and_roll_over();
  CHECK(d.screen() == Screen::Success);
  auto sv = d.view<success_view>();
  CHECK(sv.holder == "张三");
  CHECK(sv.not_after == d.m.wall + 385 * kDay);
  // 请取走KEY: taking the key ends the session.
  d.pull_key();
  CHECK(d.m.flow == Flow{phase::Home{}});
  CHECK(d.effect<WipeSession>());
}

TEST_CASE("a ¥0 product skips the payment screen") {
  Driver d;
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(0, OrderStatus::Paid)});
  CHECK(d.screen() == Screen::KeyDetails);
  CHECK(d.count_all<WatchOrder>() == 0);
  d.send(d.key_read("haitai", 20));
  d.confirm_and_roll_over();
  CHECK(d.screen() == Screen::Success);
}

TEST_CASE("the product is pre-selected from the inserted key's brand") {
  Driver d;
  d.insert_key("feitian");
  d.send(RenewTapped{});
  CHECK(d.at<phase::Products>().renewal.product_id == "bid-feitian-renew");
  auto pv = d.view<products_view>();
  REQUIRE(pv.cards.size() == 2);
  CHECK(pv.cards[1].selected);
  CHECK(pv.cards[1].matches_key);
  CHECK(pv.can_start);
  // ... also when the catalog arrives after the key.
  Driver late(false);
  late.insert_key("feitian");
  late.send(RenewTapped{});
  REQUIRE(late.effect<LoadCatalog>() == nullptr);  // start() asked for it already
  CHECK(late.view<products_view>().loading);
  late.send(CatalogLoaded{late.m.session, {gov_product(), paid_product()}});
  CHECK(late.at<phase::Products>().renewal.product_id == "bid-feitian-renew");
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
    CHECK(d.screen() == Screen::KeyCheck);
    CHECK(d.view<key_check_view>().problem_key == c.expect);
    CHECK(d.count_all<SendSms>() == 0);
    CHECK(d.count_all<CreateOrder>() == 0);
    // 【读取证书】 reads again; a good key then goes on.
    d.send(ReadKeyTapped{});
    REQUIRE(d.effect<ReadKey>());
    d.send(d.key_read("haitai", 20));
    CHECK(d.screen() == Screen::Phone);
  }
}

TEST_CASE("a key that cannot be read shows the token's error with 读取证书") {
  Driver d;
  d.send(RenewTapped{});
  d.send(ProductChosen{"gov-haitai-renew"});
  d.send(StartRenewalTapped{});
  d.send(KeyReadFailed{d.m.session, "error.token.module_missing", "dlopen"});
  CHECK(d.view<key_check_view>().problem_key == "error.token.module_missing");
  CHECK(d.screen() == Screen::KeyCheck);
}

TEST_CASE("phone: format check, resend countdown, wrong code") {
  Driver d;
  d.insert_key("haitai");
  d.send(RenewTapped{}).send(StartRenewalTapped{}).send(d.key_read("haitai", 20));
  REQUIRE(d.screen() == Screen::Phone);
  d.send(GetCodeTapped{"1381234567"});
  CHECK(d.view<phone_view>().error_key == msg::kPhoneErrorFormat);
  CHECK_FALSE(d.effect<SendSms>());
  d.send(GetCodeTapped{"12812345678"});
  CHECK_FALSE(d.effect<SendSms>());
  d.send(CodeSubmitted{});
  CHECK(d.view<phone_view>().error_key == msg::kPhoneErrorGetCodeFirst);
  d.send(GetCodeTapped{"13812345678"});
  REQUIRE(d.effect<SendSms>());
  d.send(SmsSent{d.m.session, 60, 4});
  auto pv = d.view<phone_view>();
  CHECK(pv.code_length == 4);
  CHECK(pv.resend_seconds_left == 60);
  CHECK_FALSE(pv.can_send);
  d.advance_ms(11'000);
  CHECK(d.view<phone_view>().resend_seconds_left == 49);  // 请在49秒后重新发送
  d.send(GetCodeTapped{"13812345678"});
  CHECK_FALSE(d.effect<SendSms>());  // still counting down
  d.send(CodeSubmitted{});
  d.send(SmsRejected{d.m.session, "error.platform.sms_code_wrong"});
  CHECK(d.view<phone_view>().error_key == "error.platform.sms_code_wrong");
  CHECK(d.screen() == Screen::Phone);
  d.advance_ms(49'000);
  CHECK(d.view<phone_view>().can_send);
  d.send(GetCodeTapped{"13812345678"});
  CHECK(d.effect<SendSms>());
}

TEST_CASE("phone: stepping back keeps the number and its countdown; the code's answer still lands") {
  Driver d;
  d.insert_key("haitai");
  d.send(RenewTapped{}).send(StartRenewalTapped{}).send(d.key_read("haitai", 20));
  d.send(GetCodeTapped{"13812345678"});
  d.send(BackTapped{});  // while the code is being sent
  REQUIRE(d.screen() == Screen::Products);
  d.send(SmsSent{d.m.session, 60, 6});
  d.advance_ms(5'000);
  d.send(StartRenewalTapped{}).send(d.key_read("haitai", 20));
  auto pv = d.view<phone_view>();
  CHECK(pv.phone == "13812345678");
  CHECK(pv.code_sent);
  CHECK(pv.resend_seconds_left == 55);  // no new code before the countdown's end, back or not
  CHECK_FALSE(pv.can_send);
  d.send(CodeSubmitted{});
  REQUIRE(d.effect<VerifySms>());
  d.send(SmsVerified{d.m.session});
  CHECK(d.screen() == Screen::OrderList);
  // 返回 from the order list: the phone step as it was, verified code and all.
  d.send(BackTapped{});
  CHECK(d.view<phone_view>().phone == "13812345678");
}
