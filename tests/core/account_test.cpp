// The personal centre in the flow core, by scripted events with a fake clock.
#include "driver.hpp"

#include "core/messages.hpp"

using namespace core_test;

TEST_CASE("login with phone and password opens the personal centre") {
  AccountDriver d;
  d.login_ok();
  CHECK(d.screen() == Screen::AccountHome);
  CHECK(d.at<phase::AccountHome>().centre.account.profile.real_name == "李四");
}

TEST_CASE("the default password needs an SMS code, then only 修改密码 is reachable until it is changed") {
  AccountDriver d;
  d.send(PersonalCentreTapped{});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK_FALSE(d.effect<AccountLogin>()->with_code);
  d.send(LoginFailed{d.m.session, "error.platform.default_password_needs_sms", 0, true});
  CHECK(d.login().needs_code);
  CHECK(d.login().failures == 0);
  d.send(LoginSubmitted{"13812345678"});
  CHECK_FALSE(d.effect<AccountLogin>());  // no code sent yet
  CHECK(d.login().error_key == msg::kPhoneErrorGetCodeFirst);
  d.send(LoginGetCodeTapped{"13812345678"});
  REQUIRE(d.effect<SendSms>());
  CHECK(d.effect<SendSms>()->purpose == SmsPurpose::Login);
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK(d.effect<AccountLogin>()->with_code);
  d.send(LoggedIn{d.m.session, true, profile()});
  CHECK(d.screen() == Screen::ChangePassword);
  d.send(BackTapped{});
  CHECK(d.screen() == Screen::ChangePassword);
  // Nothing else answers, even on the account's other pages (as if some path led there): no list, no
  // profile, no resume, no save. (Home itself holds no login: the personal centre's entry starts a new one.)
  {
    AccountDriver f = d;
    const PersonalCentre centre = f.at<phase::ChangePassword>().centre;
    f.m.flow = phase::AccountHome{centre};
    f.send(MyBusinessTapped{});
    CHECK(f.screen() == Screen::AccountHome);
    CHECK_FALSE(f.effect<LoadBusiness>());
    f.send(ProfileTapped{});
    CHECK(f.screen() == Screen::AccountHome);
    PersonalCentre listed = centre;
    BusinessItem paid;
    paid.order_id = "O-1";
    paid.status = OrderStatus::Paid;
    paid.can_continue = true;
    listed.business = {paid};
    f.m.flow = phase::MyBusiness{listed};
    f.send(ContinueBusinessTapped{"O-1"});
    CHECK_FALSE(f.effect<ResumeBusiness>());
    f.m.flow = phase::Profile{centre};
    f.send(ProfileSubmitted{"李四", "", "13812345678"});
    CHECK_FALSE(f.effect<SaveProfile>());
    f.send(ProfileGetCodeTapped{"13900001111"});
    CHECK_FALSE(f.effect<SendSms>());
  }
  d.send(PasswordSubmitted{{std::string(msg::kPasswordTooShort)}});
  CHECK(d.at<phase::ChangePassword>().form.problem_keys.size() == 1);
  CHECK_FALSE(d.effect<ChangePassword>());
  d.send(PasswordSubmitted{{}});
  REQUIRE(d.effect<ChangePassword>());
  d.send(PasswordChanged{d.m.session});
  CHECK(d.at<phase::ChangePassword>().form.saved);
  CHECK_FALSE(account_of(d.m)->must_change_password);
  d.send(BackTapped{});
  CHECK(d.screen() == Screen::AccountHome);
}

TEST_CASE("login by SMS code") {
  AccountDriver d;
  d.send(PersonalCentreTapped{});
  d.send(LoginMethodChosen{LoginMethod::Sms});
  d.send(LoginGetCodeTapped{"13812345678"});
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  CHECK(d.effect<AccountLogin>()->method == LoginMethod::Sms);
  d.send(LoggedIn{d.m.session, false, profile()});
  CHECK(d.screen() == Screen::AccountHome);
}

TEST_CASE("after 5 failures a growing wait: 30 s, doubling, capped at 15 minutes") {
  AccountDriver d;
  d.send(PersonalCentreTapped{});
  for (int i = 0; i < 4; ++i) {
    d.send(LoginSubmitted{"13812345678"});
    d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
    CHECK(d.login().wait_until <= d.m.now);
  }
  d.send(LoginSubmitted{"13812345678"});
  d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  CHECK(d.login().wait_until == d.m.now + 30'000);
  d.send(LoginSubmitted{"13812345678"});
  CHECK_FALSE(d.effect<AccountLogin>());
  CHECK(d.login().error_key == msg::kLoginErrorWait);
  d.advance_ms(30'000);
  d.send(LoginSubmitted{"13812345678"});
  REQUIRE(d.effect<AccountLogin>());
  d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  CHECK(d.login().wait_until == d.m.now + 60'000);
  for (int i = 0; i < 8; ++i) {
    d.advance_ms(900'000);
    d.send(Activity{});
    d.send(LoginSubmitted{"13812345678"});
    d.send(LoginFailed{d.m.session, "error.platform.login_failed"});
  }
  CHECK(d.login().wait_until == d.m.now + 900'000);
  // The platform's own (per account) wait wins when it is longer.
  AccountDriver e;
  e.send(PersonalCentreTapped{});
  e.send(LoginSubmitted{"13812345678"});
  e.send(LoginFailed{e.m.session, "error.platform.login_failed", 120});
  CHECK(e.login().wait_until == e.m.now + 120'000);
}

TEST_CASE("profile: validation in words; a new phone needs its own code; 修改成功") {
  AccountDriver d;
  d.login_ok();
  d.send(ProfileTapped{});
  REQUIRE(d.screen() == Screen::Profile);
  using Keys = std::vector<std::string>;
  auto problems = [&] { return d.at<phase::Profile>().form.problem_keys; };
  d.send(ProfileSubmitted{"李", "a@b.cn", "13812345678"});
  CHECK(problems() == Keys{std::string(msg::kProfileErrorNameShort)});
  d.send(ProfileSubmitted{"李四", "not-an-email", "13812345678"});
  CHECK(problems() == Keys{std::string(msg::kProfileErrorEmail)});
  d.send(ProfileSubmitted{"李四", "a@b.cn", "1234"});
  CHECK(problems() == Keys{std::string(msg::kPhoneErrorFormat)});
  d.send(ProfileSubmitted{"李四", "a@b.cn", "13900001111"});
  CHECK(problems() == Keys{std::string(msg::kProfileErrorPhoneCode)});
  // Every rule broken at once is said, each in its own words, in the form's order.
  d.send(ProfileSubmitted{"李4", "li si@x", "139"});
  CHECK(problems() == Keys{std::string(msg::kProfileErrorNameChars), std::string(msg::kPhoneErrorFormat),
                           std::string(msg::kProfileErrorEmail)});
  d.send(ProfileSubmitted{"  ", "", "13812345678"});
  CHECK(problems() == Keys{std::string(msg::kProfileErrorName)});
  d.send(ProfileSubmitted{std::string(31 * 3, 'a').substr(0, 31) + "#", "", "13812345678"});
  CHECK(problems() ==
        Keys{std::string(msg::kProfileErrorNameLong), std::string(msg::kProfileErrorNameChars)});
  CHECK_FALSE(d.effect<SaveProfile>());
  CHECK(d.view<profile_view>().problem_keys.size() == 2);
  // The platform's refusal replaces the rules' list (they were kept).
  d.send(ProfileSubmitted{"李四", "a@b.cn", "13812345678"});
  REQUIRE(d.effect<SaveProfile>());
  CHECK(problems().empty());
  d.send(ProfileFailed{d.m.session, "error.platform.account.real_name_invalid"});
  CHECK(d.at<phase::Profile>().form.error_key == "error.platform.account.real_name_invalid");
  CHECK(problems().empty());
  d.send(ProfileGetCodeTapped{"13900001111"});
  REQUIRE(d.effect<SendSms>());
  CHECK(d.effect<SendSms>()->purpose == SmsPurpose::ChangePhone);
  d.send(SmsSent{d.m.session, 60, 6});
  d.send(ProfileSubmitted{"李四", "a@b.cn", "13900001111"});
  REQUIRE(d.effect<SaveProfile>());
  CHECK(d.effect<SaveProfile>()->phone_changed);
  auto p = profile();
  p.phone = "13900001111";
  p.email = "a@b.cn";
  d.send(ProfileSaved{d.m.session, p});
  CHECK(d.at<phase::Profile>().form.saved);
  CHECK(account_of(d.m)->profile.phone == "13900001111");
  CHECK(account_of(d.m)->profile.account_id == "A-1");
}

TEST_CASE("继续操作 asks the runtime to resume; without the key it waits for it") {
  AccountDriver d;
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
  CHECK(d.at<phase::MyBusiness>().centre.resume_error_key == msg::kResumeInsertKey);
  KeyStatus k;
  k.presence = KeyPresence::Recognised;
  k.identity = {"Haitai", "HaiKey", "1"};
  d.send(KeyStatusChanged{k});
  REQUIRE(d.effect<ResumeBusiness>());
  CHECK(d.effect<ResumeBusiness>()->order_id == "ORD-7");
}

TEST_CASE("logout, home, idle and the 10-minute cap all wipe the personal session") {
  {
    AccountDriver d;
    d.login_ok();
    d.send(LogoutTapped{});
    CHECK(d.effect<Logout>());
    CHECK(d.effect<WipeSession>());
    CHECK_FALSE(account_of(d.m));
    CHECK(d.screen() == Screen::Home);
  }
  {
    AccountDriver d;
    d.login_ok();
    d.send(ProfileTapped{}).send(HomeTapped{});
    CHECK_FALSE(account_of(d.m));
  }
  {
    AccountDriver d;
    d.login_ok();
    for (int i = 0; i < 10; ++i) d.advance_ms(59'000).send(Activity{});
    CHECK(account_of(d.m));  // 590 s, active all along
    d.advance_ms(10'000);  // the cap at 600 s, whatever the customer is doing
    CHECK_FALSE(account_of(d.m));
    CHECK(d.screen() == Screen::Home);
  }
  {
    AccountDriver d;
    d.login_ok();
    d.advance_ms(60'000);
    CHECK(d.m.idle_overlay);
    d.advance_ms(20'000);
    CHECK_FALSE(account_of(d.m));
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
  // The platform's rule too: a short password around the number's last four digits.
  CHECK(has(password_problems("x", "abcd5678", "abcd5678", "13812345678"), msg::kPasswordFromPhone));
  CHECK_FALSE(
      has(password_problems("x", "abcdefg5678", "abcdefg5678", "13812345678"), msg::kPasswordFromPhone));
  // Everything at once: each rule in its own words.
  auto all = password_problems("345678", "345678", "34567", "13812345678");
  CHECK(all == std::vector<std::string>{
                   std::string(msg::kPasswordTooShort), std::string(msg::kPasswordFromPhone),
                   std::string(msg::kPasswordSameAsCurrent), std::string(msg::kPasswordMismatch)});
}

TEST_CASE("e-mail and real-name checks") {
  CHECK(valid_email("li.si@example.com.cn"));
  CHECK_FALSE(valid_email("li si@example.com"));
  CHECK_FALSE(valid_email("@example.com"));
  CHECK_FALSE(valid_email("a@b"));
  CHECK_FALSE(valid_email("a@@b.cn"));
  // The platform's characters: what it would refuse is refused here first, in words.
  CHECK_FALSE(valid_email("li!si@example.com"));
  CHECK_FALSE(valid_email("lisi@exa_mple.com"));
  CHECK_FALSE(valid_email("lisi@example..com"));
  CHECK_FALSE(valid_email("lisi@example.com."));
  CHECK(valid_email("li_si+kiosk@mail-1.example.cn"));
  CHECK(valid_real_name("买买提·艾力"));
  CHECK(valid_real_name("Zhang San"));
  CHECK_FALSE(valid_real_name("张三<script>"));
  CHECK_FALSE(valid_real_name("张三😀"));
  CHECK_FALSE(valid_real_name("\xe5\xbc"));  // broken UTF-8
  CHECK(valid_real_name("欧阳娜娜"));
  CHECK_FALSE(valid_real_name("李"));
  CHECK_FALSE(valid_real_name("李4"));
}
