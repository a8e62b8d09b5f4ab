// The personal centre in the flow core, by scripted events with a fake clock.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"

using namespace core;

namespace {

struct Driver {
  Model m;
  std::vector<Effect> fx;
  std::vector<Effect> all;

  Driver() { m = initial_model(Settings{}, 0, 1'790'000'000); }
  Driver& send(const Event& e) {
    auto u = update(m, e);
    m = std::move(u.model);
    fx = std::move(u.effects);
    all.insert(all.end(), fx.begin(), fx.end());
    return *this;
  }
  Driver& advance_ms(Millis ms) { return send(Tick{m.now + ms, m.wall + ms / 1000}); }
  template <typename T>
  const T* effect() const {
    for (const auto& e : fx)
      if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
  }
  Profile profile() const {
    Profile p;
    p.account_id = "A-1";
    p.username = "13812345678";
    p.member_level = "普通用户";
    p.real_name = "李四";
    p.phone = "13812345678";
    return p;
  }
  void login_ok(bool must_change = false) {
    send(PersonalCentreTapped{});
    REQUIRE(m.screen == Screen::Login);
    send(LoginSubmitted{"13812345678"});
    REQUIRE(effect<AccountLogin>());
    send(LoggedIn{m.session, must_change, profile()});
  }
};

}  // namespace

TEST_CASE("login with phone and password opens the personal centre") {
  Driver d;
  d.login_ok();
  CHECK(d.m.screen == Screen::AccountHome);
  CHECK(d.m.account->profile.real_name == "李四");
  CHECK_FALSE(d.m.login);
}

TEST_CASE("the default password needs an SMS code, then only 修改密码 is reachable until it is changed") {
  Driver d;
  d.send(PersonalCentreTapped{});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK_FALSE(d.effect<AccountLogin>()->with_code);
  d.send(LoginFailed{d.m.session, "error.platform.default_password_needs_sms", 0, true});
  CHECK(d.m.login->needs_code);
  CHECK(d.m.login->failures == 0);
  d.send(LoginSubmitted{"13812345678"});
  CHECK_FALSE(d.effect<AccountLogin>());  // no code sent yet
  CHECK(d.m.login->error_key == msg::kPhoneErrorGetCodeFirst);
  d.send(LoginGetCodeTapped{"13812345678"});
  REQUIRE(d.effect<SendSms>());
  CHECK(d.effect<SendSms>()->purpose == SmsPurpose::Login);
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK(d.effect<AccountLogin>()->with_code);
  d.send(LoggedIn{d.m.session, true, d.profile()});
  CHECK(d.m.screen == Screen::ChangePassword);
  d.send(BackTapped{});
  CHECK(d.m.screen == Screen::ChangePassword);
  d.send(PasswordSubmitted{{std::string(msg::kPasswordTooShort)}});
  CHECK(d.m.account->password_form.problem_keys.size() == 1);
  CHECK_FALSE(d.effect<ChangePassword>());
  d.send(PasswordSubmitted{{}});
  REQUIRE(d.effect<ChangePassword>());
  d.send(PasswordChanged{d.m.session});
  CHECK(d.m.account->password_form.saved);
  CHECK_FALSE(d.m.account->must_change_password);
  d.send(BackTapped{});
  CHECK(d.m.screen == Screen::AccountHome);
}

TEST_CASE("login by SMS code") {
  Driver d;
  d.send(PersonalCentreTapped{});
  d.send(LoginMethodChosen{LoginMethod::Sms});
  d.send(LoginGetCodeTapped{"13812345678"});
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK(d.effect<AccountLogin>()->method == LoginMethod::Sms);
  d.send(LoggedIn{d.m.session, false, d.profile()});
  CHECK(d.m.screen == Screen::AccountHome);
}

TEST_CASE("after 5 failures a growing wait: 30 s, doubling, capped at 15 minutes") {
  Driver d;
  d.send(PersonalCentreTapped{});
  for (int i = 0; i < 4; ++i) {
    d.send(LoginSubmitted{"13812345678"});
    d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
    CHECK(d.m.login->wait_until <= d.m.now);
  }
  d.send(LoginSubmitted{"13812345678"});
  d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  CHECK(d.m.login->wait_until == d.m.now + 30'000);
  d.send(LoginSubmitted{"13812345678"});
  CHECK_FALSE(d.effect<AccountLogin>());
  CHECK(d.m.login->error_key == msg::kLoginErrorWait);
  d.advance_ms(30'000);
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  CHECK(d.m.login->wait_until == d.m.now + 60'000);
  for (int i = 0; i < 8; ++i) {
    d.advance_ms(900'000);
    d.send(Activity{});
    d.send(LoginSubmitted{"13812345678"});
    d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  }
  CHECK(d.m.login->wait_until == d.m.now + 900'000);
  // The platform's own (per account) wait wins when it is longer.
  Driver e;
  e.send(PersonalCentreTapped{});
  e.send(LoginSubmitted{"13812345678"});
  e.send(LoginFailed{e.m.session, "error.platform.login_failed", 120});
  CHECK(e.m.login->wait_until == e.m.now + 120'000);
}

TEST_CASE("profile: validation in words; a new phone needs its own code; 修改成功") {
  Driver d;
  d.login_ok();
  d.send(ProfileTapped{});
  REQUIRE(d.m.screen == Screen::Profile);
  d.send(ProfileSubmitted{"李", "a@b.cn", "13812345678"});
  CHECK(d.m.account->profile_form.error_key == msg::kProfileErrorName);
  d.send(ProfileSubmitted{"李四", "not-an-email", "13812345678"});
  CHECK(d.m.account->profile_form.error_key == msg::kProfileErrorEmail);
  d.send(ProfileSubmitted{"李四", "a@b.cn", "1234"});
  CHECK(d.m.account->profile_form.error_key == msg::kPhoneErrorFormat);
  d.send(ProfileSubmitted{"李四", "a@b.cn", "13900001111"});
  CHECK(d.m.account->profile_form.error_key == msg::kProfileErrorPhoneCode);
  CHECK_FALSE(d.effect<SaveProfile>());
  d.send(ProfileGetCodeTapped{"13900001111"});
  REQUIRE(d.effect<SendSms>());
  CHECK(d.effect<SendSms>()->purpose == SmsPurpose::ChangePhone);
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(ProfileSubmitted{"李四", "a@b.cn", "13900001111"});
  REQUIRE(d.effect<SaveProfile>());
  CHECK(d.effect<SaveProfile>()->phone_changed);
  auto p = d.profile();
  p.phone = "13900001111";
  p.email = "a@b.cn";
  d.send(ProfileSaved{d.m.session, p});
  CHECK(d.m.account->profile_form.saved);
  CHECK(d.m.account->profile.phone == "13900001111");
  CHECK(d.m.account->profile.account_id == "A-1");
}

TEST_CASE("继续操作 asks the runtime to resume; without the key it waits for it") {
  Driver d;
  d.login_ok();
  d.send(MyBusinessTapped{});
  REQUIRE(d.effect<LoadBusiness>());
  BusinessItem paid;
  paid.order_id = "ORD-7";
  paid.status = OrderStatus::Paid;
  paid.can_continue = true;
  BusinessItem done;
  done.order_id = "ORD-6";
  done.status = OrderStatus::Installed;
  d.send(BusinessLoaded{d.m.session, {paid, done}});
  d.send(ContinueBusinessTapped{"ORD-6"});
  CHECK_FALSE(d.effect<ResumeBusiness>());
  d.send(ContinueBusinessTapped{"ORD-7"});
  REQUIRE(d.effect<ResumeBusiness>());
  d.send(ResumeFailed{d.m.session, std::string(msg::kResumeInsertKey)});
  CHECK(d.m.account->resume_error_key == msg::kResumeInsertKey);
  KeyStatus k;
  k.presence = KeyPresence::Recognised;
  k.identity = {"Haitai", "HaiKey", "1"};
  d.send(KeyStatusChanged{k});
  REQUIRE(d.effect<ResumeBusiness>());
  CHECK(d.effect<ResumeBusiness>()->order_id == "ORD-7");
}

TEST_CASE("logout, home, idle and the 10-minute cap all wipe the personal session") {
  {
    Driver d;
    d.login_ok();
    d.send(LogoutTapped{});
    CHECK(d.effect<Logout>());
    CHECK(d.effect<WipeSession>());
    CHECK_FALSE(d.m.account);
    CHECK(d.m.screen == Screen::Home);
  }
  {
    Driver d;
    d.login_ok();
    d.send(ProfileTapped{}).send(HomeTapped{});
    CHECK_FALSE(d.m.account);
  }
  {
    Driver d;
    d.login_ok();
    for (int i = 0; i < 10; ++i) d.advance_ms(59'000).send(Activity{});
    CHECK(d.m.account);  // 590 s, active all along
    d.advance_ms(10'000);  // the cap at 600 s, whatever the customer is doing
    CHECK_FALSE(d.m.account);
    CHECK(d.m.screen == Screen::Home);
  }
  {
    Driver d;
    d.login_ok();
    d.advance_ms(60'000);
    CHECK(d.m.idle_overlay);
    d.advance_ms(20'000);
    CHECK_FALSE(d.m.account);
  }
}

TEST_CASE("password rules, each in words") {
  auto has = [](const std::vector<std::string>& v, std::string_view k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  CHECK(password_problems("old-pass", "Longer-pass1", "Longer-pass1", "13812345678").empty());
  auto p = password_problems("", "short", "shorT", "13812345678");
  CHECK(has(p, msg::kPasswordCurrentEmpty));
  CHECK(has(p, msg::kPasswordTooShort));
  CHECK(has(p, msg::kPasswordMismatch));
  CHECK(has(password_problems("x", "ab345678cd", "ab345678cd", "13812345678"), msg::kPasswordFromPhone));
  CHECK(has(password_problems("x", "13812345678", "13812345678", "13812345678"), msg::kPasswordFromPhone));
  CHECK(has(password_problems("x", "87654321xx", "87654321xx", "13812345678"), msg::kPasswordFromPhone));
  CHECK(has(password_problems("same-pass1", "same-pass1", "same-pass1", "13812345678"), msg::kPasswordSameAsCurrent));
}

TEST_CASE("e-mail and real-name checks") {
  CHECK(valid_email("li.si@example.com.cn"));
  CHECK_FALSE(valid_email("li si@example.com"));
  CHECK_FALSE(valid_email("@example.com"));
  CHECK_FALSE(valid_email("a@b"));
  CHECK_FALSE(valid_email("a@@b.cn"));
  CHECK(valid_real_name("欧阳娜娜"));
  CHECK_FALSE(valid_real_name("李"));
  CHECK_FALSE(valid_real_name("李4"));
}
