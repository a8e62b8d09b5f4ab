// The personal centre's view-models and its clock, and what it shares with the renewal: 【获取验证码】 and a
// 【继续操作】 renewal that runs inside the login.
#include "driver.hpp"

#include "core/messages.hpp"

using namespace core_test;

TEST_CASE("login view: method, the default password's code, the resend countdown, the throttle countdown") {
  AccountDriver d;
  d.send(PersonalCentreTapped{});
  LoginView v = d.view<login_view>();
  CHECK(v.method == LoginMethod::Password);
  CHECK_FALSE(v.code_field);
  CHECK(v.can_send);
  d.send(LoginMethodChosen{LoginMethod::Sms});
  v = d.view<login_view>();
  CHECK(v.code_field);
  d.send(LoginGetCodeTapped{"13812345678"});
  CHECK(d.view<login_view>().sending);
  CHECK_FALSE(d.view<login_view>().can_send);
  d.send(SmsSent{d.m.session, 60, 6});
  v = d.view<login_view>();
  CHECK(v.code_sent);
  CHECK(v.code_phone == "13812345678");
  CHECK(v.resend_seconds_left == 60);
  CHECK_FALSE(v.can_send);
  // The loop wakes for each second of the countdown.
  REQUIRE(next_wakeup(d.m).has_value());
  CHECK(*next_wakeup(d.m) == d.m.now + 1000);
  d.advance_ms(11'000).send(Activity{});
  CHECK(d.view<login_view>().resend_seconds_left == 49);
  d.advance_ms(49'000).send(Activity{});
  CHECK(d.view<login_view>().can_send);

  d.send(LoginMethodChosen{LoginMethod::Password});
  for (int i = 0; i < 5; ++i) {
    d.send(LoginSubmitted{"13812345678"});
    d.send(LoginFailed{d.m.session, "error.platform.account.login_failed", 0, false});
  }
  v = d.view<login_view>();
  CHECK(v.error_key == "error.platform.account.login_failed");
  CHECK(v.wait_seconds_left == 30);
  CHECK(*next_wakeup(d.m) == d.m.now + 1000);
  d.send(LoginSubmitted{"13812345678"});
  CHECK(d.view<login_view>().error_key == msg::kLoginErrorWait);
  d.advance_ms(12'500).send(Activity{});
  CHECK(d.view<login_view>().wait_seconds_left == 18);
  CHECK(*next_wakeup(d.m) == d.m.now + 500);  // the countdown's next whole second
  // The default password's answer: not a failure, a code is needed.
  d.advance_ms(18'000).send(Activity{});  // a customer who keeps touching: no idle overlay
  d.send(LoginSubmitted{"13812345678"});
  d.send(LoginFailed{d.m.session, "error.platform.account.sms_code_required", 0, true});
  v = d.view<login_view>();
  CHECK(v.needs_code);
  CHECK(v.code_field);
  CHECK(v.wait_seconds_left == 0);
}

TEST_CASE("account home, my business, profile and password views") {
  AccountDriver d;
  d.login_ok();
  AccountHomeView h = d.view<account_home_view>();
  CHECK(h.display_name == "李四");
  CHECK(h.member_level == "普通用户");
  CHECK_FALSE(h.must_change_password);

  d.send(MyBusinessTapped{});
  CHECK(d.view<my_business_view>().loading);
  BusinessItem paid;
  paid.order_id = "O-1";
  paid.product_id = "e-bidding-feitian-renew";
  paid.product_title = "电子招投标项目-飞天诚信KEY-续费";
  paid.amount = 30000;
  paid.status = OrderStatus::Paid;
  paid.can_continue = true;
  BusinessItem staff = paid;
  staff.order_id = "O-2";
  staff.status = OrderStatus::NeedsStaff;
  staff.can_continue = false;
  staff.needs_staff_reason = "failure.pin_locked";
  BusinessItem untitled = paid;
  untitled.order_id = "O-3";
  untitled.product_title.clear();
  untitled.status = OrderStatus::Installed;
  untitled.can_continue = false;
  d.send(BusinessLoaded{d.m.session, {paid, staff, untitled}});
  MyBusinessView b = d.view<my_business_view>();
  REQUIRE(b.rows.size() == 3);
  CHECK_FALSE(b.loading);
  CHECK(b.rows[0].can_continue);
  CHECK(b.rows[1].needs_staff_reason == "failure.pin_locked");
  CHECK(b.rows[2].product_title == "e-bidding-feitian-renew");  // the id when the catalog has no title
  d.send(ContinueBusinessTapped{"O-1"});
  b = d.view<my_business_view>();
  CHECK(b.resuming);
  CHECK(b.rows[0].resuming);
  CHECK_FALSE(b.rows[1].resuming);
  d.send(ResumeFailed{d.m.session, std::string(msg::kResumeInsertKey)});
  b = d.view<my_business_view>();
  CHECK_FALSE(b.resuming);
  CHECK(b.resume_error_key == msg::kResumeInsertKey);

  d.send(BackTapped{});
  d.send(ProfileTapped{});
  ProfileView p = d.view<profile_view>();
  CHECK(p.profile.real_name == "李四");
  CHECK(p.can_send);
  d.send(ProfileGetCodeTapped{"13900001111"});
  d.send(SmsSent{d.m.session, 60, 6});
  p = d.view<profile_view>();
  CHECK(p.code_sent);
  CHECK(p.code_phone == "13900001111");
  CHECK(p.resend_seconds_left == 60);
  CHECK(*next_wakeup(d.m) == d.m.now + 1000);
  d.send(ProfileSubmitted{"王五", "bad-mail", "13812345678"});
  CHECK(d.view<profile_view>().problem_keys ==
        std::vector<std::string>{std::string(msg::kProfileErrorEmail)});

  d.send(BackTapped{});
  d.send(ChangePasswordTapped{});
  ChangePasswordView c = d.view<change_password_view>();
  CHECK_FALSE(c.forced);
  CHECK(c.phone == "13812345678");
  d.send(PasswordSubmitted{{std::string(msg::kPasswordTooShort), std::string(msg::kPasswordMismatch)}});
  CHECK(d.view<change_password_view>().problem_keys.size() == 2);
  d.send(PasswordSubmitted{{}});
  CHECK(d.view<change_password_view>().saving);
  d.send(PasswordChanged{d.m.session});
  c = d.view<change_password_view>();
  CHECK(c.saved);
  CHECK(c.problem_keys.empty());
}

TEST_CASE("the 10-minute cap wakes the loop even on a quiet screen") {
  AccountDriver d;
  d.login_ok(true);
  CHECK(d.view<change_password_view>().forced);
  // Keep touching so the idle timeout never comes first.
  for (int i = 0; i < 9; ++i) {
    d.advance_ms(59'000);
    d.send(Activity{});
  }
  REQUIRE(next_wakeup(d.m).has_value());
  CHECK(*next_wakeup(d.m) <= account_of(d.m)->logged_in_at + d.m.settings.session_max_ms);
  d.send(Tick{account_of(d.m)->logged_in_at + d.m.settings.session_max_ms, d.m.wall + 70});
  CHECK(d.screen() == Screen::Home);
  CHECK_FALSE(account_of(d.m));
  CHECK(d.effect<Logout>());
  CHECK(d.effect<WipeSession>());
}

TEST_CASE("【继续操作】 keeps the login through the renewal, and its end logs out") {
  AccountDriver d;
  d.login_ok();
  d.send(MyBusinessTapped{});
  BusinessItem paid;
  paid.order_id = "ORD-7";
  paid.status = OrderStatus::Paid;
  paid.can_continue = true;
  d.send(BusinessLoaded{d.m.session, {paid}});
  d.send(ContinueBusinessTapped{"ORD-7"});
  REQUIRE(d.effect<ResumeBusiness>());
  BusinessRecovered b;
  b.session = d.m.session;
  b.product_id = "gov-haitai-renew";
  b.order.id = "ORD-7";
  b.order.status = OrderStatus::Issued;
  b.cert = cert_expiring_in(20);
  b.token = token_of("haitai");
  b.resume_at = RenewalStep::Done;
  d.send(b);
  REQUIRE(d.screen() == Screen::Success);
  REQUIRE(account_of(d.m));
  CHECK(account_of(d.m)->profile.real_name == "李四");
  d.send(DoneTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK_FALSE(account_of(d.m));
  CHECK(d.effect<Logout>());
  CHECK(d.effect<WipeSession>());
}

TEST_CASE("【获取验证码】 is one logic: the login's and the renewal's phone step answer alike") {
  AccountDriver login;
  login.send(PersonalCentreTapped{});
  Driver renewal;
  renewal.insert_key("haitai");
  renewal.send(RenewTapped{}).send(StartRenewalTapped{}).send(renewal.key_read("haitai", 20));
  REQUIRE(renewal.screen() == Screen::Phone);
  auto step = [&](const Event& on_login, const Event& on_renewal) {
    login.send(on_login);
    renewal.send(on_renewal);
    CHECK(login.login().phone == renewal.at<phase::Phone>().renewal.phone);
    CHECK(login.fx.size() == renewal.fx.size());
  };
  step(LoginGetCodeTapped{"1381234"}, GetCodeTapped{"1381234"});  // the format
  step(LoginGetCodeTapped{"13812345678"}, GetCodeTapped{"13812345678"});
  step(LoginGetCodeTapped{"13812345678"}, GetCodeTapped{"13812345678"});  // still sending
  step(SmsSent{login.m.session, 60, 4}, SmsSent{renewal.m.session, 60, 4});
  login.advance_ms(30'000);
  renewal.advance_ms(30'000);
  step(LoginGetCodeTapped{"13812345678"}, GetCodeTapped{"13812345678"});  // counting down
  login.advance_ms(30'000);
  renewal.advance_ms(30'000);
  step(LoginGetCodeTapped{"13900001111"}, GetCodeTapped{"13900001111"});  // another number
  step(SmsFailed{login.m.session, "error.platform.sms.hourly_limit", 1800},
       SmsFailed{renewal.m.session, "error.platform.sms.hourly_limit", 1800});
  CHECK(login.login().phone.resend_at == login.m.now + 1'800'000);
}
