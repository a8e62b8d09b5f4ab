// The account rules' table (account_cases.hpp) against the kiosk's flow core, through its forms as a
// customer fills them: 【获取验证码】 on the login screen, 个人信息's 【提交】, 修改密码's 【提交】 (the
// screen checks the typed passwords with core::password_problems and sends the keys).
#include <doctest/doctest.h>

#include "account_cases.hpp"
#include "core/messages.hpp"
#include "core/update.hpp"

using namespace account_cases;

namespace {

struct Driver {
  core::Model m;
  std::vector<core::Effect> fx;

  Driver() { m = core::initial_model(core::Settings{}, 0, 1'790'000'000); }
  Driver& send(const core::Event& e) {
    auto u = core::update(m, e);
    m = std::move(u.model);
    fx = std::move(u.effects);
    return *this;
  }
  // The phase the customer is in (the test stops when they are elsewhere).
  template <typename P>
  P& at() {
    auto* p = std::get_if<P>(&m.flow);
    REQUIRE_MESSAGE(p, "on " << core::screen_name(core::screen_of(m)));
    return *p;
  }
  template <typename T>
  const T* effect() const {
    for (const auto& e : fx)
      if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
  }
  // Logged in (password already changed) as the account with this phone.
  void log_in(std::string_view phone) {
    send(core::PersonalCentreTapped{});
    REQUIRE(core::screen_of(m) == core::Screen::Login);
    send(core::LoginSubmitted{std::string(phone)});
    REQUIRE(effect<core::AccountLogin>());
    core::Profile p;
    p.account_id = "A-1";
    p.username = std::string(phone);
    p.member_level = "普通用户";
    p.real_name = "李四";
    p.phone = std::string(phone);
    send(core::LoggedIn{m.session, false, p});
    REQUIRE(core::screen_of(m) == core::Screen::AccountHome);
  }
};

void phone_case(const Case& c) {
  {  // 【获取验证码】 on the login screen
    Driver d;
    d.send(core::PersonalCentreTapped{});
    d.send(core::LoginGetCodeTapped{c.input});
    if (c.expected.empty()) {
      REQUIRE(d.effect<core::SendSms>());
      CHECK(d.effect<core::SendSms>()->phone == c.input);
      CHECK(d.at<core::phase::Login>().form.phone.error_key.empty());
    } else {
      CHECK_FALSE(d.effect<core::SendSms>());
      CHECK(d.at<core::phase::Login>().form.phone.error_key == words(c.expected.front()).core_key);
    }
  }
  {  // 个人信息 with this phone (a changed, valid phone needs its code first: the form's own rule)
    Driver d;
    d.log_in(kPhone);
    d.send(core::ProfileTapped{});
    d.send(core::ProfileSubmitted{"李四", "", c.input});
    std::vector<std::string> want = core_keys(c.expected);
    if (c.expected.empty() && c.input != kPhone) want.emplace_back(core::msg::kProfileErrorPhoneCode);
    CHECK(joined(d.at<core::phase::Profile>().form.problem_keys) == joined(want));
  }
}

void profile_case(const Case& c) {
  Driver d;
  d.log_in(kPhone);
  d.send(core::ProfileTapped{});
  REQUIRE(core::screen_of(d.m) == core::Screen::Profile);
  if (c.field == Field::RealName)
    d.send(core::ProfileSubmitted{c.input, "", std::string(kPhone)});
  else
    d.send(core::ProfileSubmitted{"李四", c.input, std::string(kPhone)});
  CHECK(joined(d.at<core::phase::Profile>().form.problem_keys) == joined(core_keys(c.expected)));
  CHECK((d.effect<core::SaveProfile>() != nullptr) == c.expected.empty());
}

void password_case(const Case& c) {
  Driver d;
  d.log_in(c.phone);
  d.send(core::ChangePasswordTapped{});
  REQUIRE(core::screen_of(d.m) == core::Screen::ChangePassword);
  // What the screen does with the typed passwords (confirmed correctly).
  const auto keys = core::password_problems(c.current, c.input, c.input,
                                            d.at<core::phase::ChangePassword>().centre.account.profile.phone);
  CHECK(joined(keys) == joined(core_keys(c.expected)));
  d.send(core::PasswordSubmitted{keys});
  CHECK(joined(d.at<core::phase::ChangePassword>().form.problem_keys) == joined(core_keys(c.expected)));
  CHECK((d.effect<core::ChangePassword>() != nullptr) == c.expected.empty());
}

}  // namespace

TEST_CASE("every case of the account rules, by the core's forms") {
  int checked = 0;
  for (const Case& c : cases()) {
    CAPTURE(describe(c));
    CAPTURE(joined(c.expected));
    switch (c.field) {
      case Field::Phone:
        phone_case(c);
        break;
      case Field::RealName:
      case Field::Email:
        profile_case(c);
        break;
      case Field::Password:
        password_case(c);
        break;
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(cases().size()));
}
