// The personal centre's screens by synthetic touch on the flow core: every screen in every state drawn in
// both languages and orientations (with each keyboard up); what a tap hands over (secrets to the runtime,
// intents to the core); the rules said in words; a new session's empty fields. The same paths against the
// real runtime and the reference platform are in tests/engine/account_app_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"
#include "screen_states.hpp"
#include "ui/account_screens.hpp"
#include "ui/keyboard.hpp"
#include "ui_test_support.hpp"

namespace {

constexpr const char* kPhone = "13812345678";

core::Profile profile() {
  core::Profile p;
  p.account_id = "A-1";
  p.username = kPhone;
  p.member_level = "普通用户";
  p.real_name = "李四";
  p.phone = kPhone;
  p.email = "lisi@example.com";
  p.registered_at = 1'616'741'520;  // 2021-03-26 14:52 CST
  return p;
}

struct Flow {
  ui_test::UiHarness h;
  core::Model m = core::initial_model(core::Settings{}, 1'000'000, 1'790'000'000);
  std::vector<core::Effect> effects;  // since the last take_effects()
  std::vector<ui::SecretHandoff> secrets;

  void apply(const core::Event& e) {
    auto u = core::update(std::move(m), e);
    m = std::move(u.model);
    for (auto& fx : u.effects) effects.push_back(std::move(fx));
  }
  std::vector<core::Event> tap(std::string_view key) {
    h.settle(m);
    auto events = h.tap(m, key);
    for (auto& s : h.take_secrets()) secrets.push_back(std::move(s));
    for (const auto& e : events) apply(e);
    h.settle(m);
    return events;
  }
  bool has(std::string_view key) {
    h.settle(m);
    return h.widgets().find(key) != nullptr;
  }
  const ui::WidgetInfo& widget(std::string_view key) {
    h.settle(m);
    const auto* w = h.widgets().find(key);
    REQUIRE_MESSAGE(w, "no widget " << std::string(key));
    return *w;
  }
  void digits(std::string_view pad, std::string_view ds) {
    for (char d : ds) tap(std::string(pad) + ".d" + d);
  }
  // Types on a Latin keyboard (symbols page and shift as needed).
  void type(std::string_view kb, std::string_view text) {
    for (char ch : text) {
      auto k = ui::latin_key(ch);
      REQUIRE(k.has_value());
      const bool on_symbols = has(std::string(kb) + ".letters");
      if (k->symbols != on_symbols) tap(std::string(kb) + (k->symbols ? ".symbols" : ".letters"));
      if (k->shift && widget(std::string(kb) + "." + k->name).text == k->name)
        tap(std::string(kb) + ".shift");
      tap(std::string(kb) + "." + k->name);
    }
  }
  template <typename T>
  const T* effect() const {
    for (const auto& e : effects)
      if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
  }
  // The typed secret of this kind an effect uses: the one handed over under the slot the effect names.
  std::string secret(core::SecretKind kind) const {
    for (const auto& fx : effects)
      for (const auto& slot : core::secrets_used(fx))
        for (const auto& s : secrets)
          if (slot.kind == kind && s.slot == slot) return std::string(s.secret.reveal());
    return "<none>";
  }
  void layouts(const std::string& what) {
    for (const auto& p : ui_test::check_all_layouts(h, m)) FAIL_CHECK(what << ": " << p);
    h.set_display(ImVec2(1920, 1080));
  }
  void login() {
    apply(core::PersonalCentreTapped{});
    apply(core::LoginSubmitted{kPhone});
    apply(core::LoggedIn{m.session, false, profile()});
    REQUIRE(core::screen_of(m) == core::Screen::AccountHome);
    effects.clear();
  }
};

core::BusinessItem item(std::string id, core::OrderStatus status, bool can_continue) {
  core::BusinessItem b;
  b.order_id = std::move(id);
  b.product_id = "e-bidding-feitian-renew";
  b.product_title = "电子招投标项目-飞天诚信KEY-续费";
  b.created_at = 1'790'000'000;
  b.amount = 30'000;
  b.status = status;
  b.can_continue = can_continue;
  return b;
}

}  // namespace

TEST_CASE("login: phone on the keypad, password on the keyboard; 【登录】 hands the password over first") {
  Flow f;
  f.apply(core::PersonalCentreTapped{});
  REQUIRE(core::screen_of(f.m) == core::Screen::Login);
  f.layouts("login, empty");
  CHECK_FALSE(f.widget("login.submit").enabled);
  f.digits("login.pad", kPhone);
  CHECK(f.widget("login.phone").text == kPhone);
  f.tap("login.password");
  f.layouts("login, password keyboard");
  f.type("login.kb", "Secret#2024");
  CHECK(f.widget("login.password").text == "●●●●●●●●●●●");  // masked, never the password
  f.tap("login.submit");
  REQUIRE(f.effect<core::AccountLogin>());
  CHECK(f.effect<core::AccountLogin>()->phone == kPhone);
  CHECK_FALSE(f.effect<core::AccountLogin>()->with_code);
  CHECK(f.secret(core::SecretKind::Password) == "Secret#2024");
  CHECK(f.widget("login.submit").text == "正在登录…");
  // A wrong password: said in words, the same whether or not the phone is known; type it again.
  f.apply(core::LoginFailed{f.m.session, "error.platform.account.login_failed", 0, false});
  CHECK(f.widget("login.error").text == "手机号码或密码不正确，请重新输入。");
  CHECK(f.widget("login.password").text == "首次登录为手机号后6位");  // empty: the placeholder
  f.layouts("login, wrong password");
}

TEST_CASE("login: the default password needs an SMS code; the countdown; then 修改密码 is forced") {
  Flow f;
  f.apply(core::PersonalCentreTapped{});
  f.digits("login.pad", kPhone);
  f.tap("login.password");
  f.type("login.kb", "345678");
  f.tap("login.submit");
  f.apply(core::LoginFailed{f.m.session, "error.platform.account.sms_code_required", 0, true});
  CHECK(f.has("login.code"));
  CHECK(f.has("login.get_code"));
  CHECK_FALSE(f.widget("login.submit").enabled);  // no code yet
  f.effects.clear();
  f.tap("login.get_code");
  REQUIRE(f.effect<core::SendSms>());
  CHECK(f.effect<core::SendSms>()->purpose == core::SmsPurpose::Login);
  f.apply(core::SmsSent{f.m.session, 60, 6});
  CHECK(f.widget("login.get_code").text == "请在60秒后重新发送");
  CHECK_FALSE(f.widget("login.get_code").enabled);
  f.layouts("login, code sent");
  f.apply(core::Tick{f.m.now + 11'000, f.m.wall + 11});
  CHECK(f.widget("login.get_code").text == "请在49秒后重新发送");
  f.tap("login.password");
  f.type("login.kb", "345678");
  f.tap("login.code");
  f.digits("login.pad", "123456");
  f.secrets.clear();
  f.effects.clear();
  f.tap("login.submit");
  REQUIRE(f.effect<core::AccountLogin>());
  CHECK(f.effect<core::AccountLogin>()->with_code);
  CHECK(f.secret(core::SecretKind::SmsCode) == "123456");
  CHECK(f.secret(core::SecretKind::Password) == "345678");
  f.apply(core::LoggedIn{f.m.session, true, profile()});
  REQUIRE(core::screen_of(f.m) == core::Screen::ChangePassword);
  CHECK(f.has("password.forced"));
  CHECK_FALSE(f.has("chrome.back"));  // nothing else until it is changed
  CHECK(f.has("account.logout"));
  f.layouts("change password, forced");
}

TEST_CASE("login: throttled after failures, a countdown on 【登录】; login by SMS code") {
  Flow f;
  f.apply(core::PersonalCentreTapped{});
  f.digits("login.pad", kPhone);
  for (int i = 0; i < 5; ++i) {
    f.apply(core::LoginSubmitted{kPhone});
    f.apply(core::LoginFailed{f.m.session, "error.platform.account.login_failed", 0, false});
  }
  CHECK(f.widget("login.submit").text == "请在30秒后重试");
  CHECK_FALSE(f.widget("login.submit").enabled);
  f.layouts("login, throttled");
  f.apply(core::Tick{f.m.now + 29'500, f.m.wall + 29});
  CHECK(f.widget("login.submit").text == "请在1秒后重试");
  f.apply(core::Tick{f.m.now + 600, f.m.wall + 1});
  CHECK(f.widget("login.submit").text == "登录");

  f.tap("login.method.sms");
  CHECK_FALSE(f.has("login.password"));
  CHECK(f.has("login.code"));
  f.tap("login.get_code");
  f.apply(core::SmsSent{f.m.session, 60, 6});
  f.tap("login.code");
  f.digits("login.pad", "654321");
  f.secrets.clear();
  f.effects.clear();
  f.tap("login.submit");
  REQUIRE(f.effect<core::AccountLogin>());
  CHECK(f.effect<core::AccountLogin>()->method == core::LoginMethod::Sms);
  CHECK(f.secret(core::SecretKind::SmsCode) == "654321");
  CHECK(f.secret(core::SecretKind::Password) == "<none>");
  f.layouts("login by sms, submitting");
}

TEST_CASE("account home: the three tiles and 【退出登录】, which wipes the session and the typed fields") {
  Flow f;
  f.apply(core::PersonalCentreTapped{});
  f.digits("login.pad", kPhone);  // typed in this session's scratch
  f.apply(core::LoginSubmitted{kPhone});
  f.apply(core::LoggedIn{f.m.session, false, profile()});
  f.layouts("account home");
  CHECK(f.widget("account.hello").text == "李四，您好");
  f.tap("account.profile");
  CHECK(core::screen_of(f.m) == core::Screen::Profile);
  f.tap("chrome.back");
  const auto session = f.m.session;
  f.tap("account.logout");
  CHECK(f.effect<core::Logout>());
  CHECK(f.effect<core::WipeSession>());
  CHECK(core::screen_of(f.m) == core::Screen::Home);
  CHECK(f.m.session == session + 1);
  CHECK_FALSE(core::account_of(f.m));
  f.tap("home.personal");
  // The scratch was replaced: no trace of the last customer, the placeholder again.
  CHECK(f.widget("login.phone").text == "请输入手机号码");
}

TEST_CASE("my business: rows with 【继续操作】, the counter's business, loading, empty, errors, a resume") {
  Flow f;
  f.login();
  f.tap("account.my_business");
  CHECK(f.effect<core::LoadBusiness>());
  CHECK(f.has("business.loading"));
  f.layouts("my business, loading");
  f.apply(core::BusinessLoaded{f.m.session, {}});
  CHECK(f.has("business.empty"));
  f.layouts("my business, empty");
  f.apply(core::BusinessLoadFailed{f.m.session, "error.platform.offline"});
  f.layouts("my business, failed");

  std::vector<core::BusinessItem> items{item("O-PAID", core::OrderStatus::Paid, true),
                                        item("O-STAFF", core::OrderStatus::NeedsStaff, false),
                                        item("O-DONE", core::OrderStatus::Installed, false)};
  items[1].needs_staff_reason = "order.next_step.go_to_counter";
  items[0].stopped_at_key = "business.stopped.install";  // begun on this kiosk (its journal)
  for (int i = 0; i < 6; ++i)
    items.push_back(item("O-OLD" + std::to_string(i), core::OrderStatus::Closed, false));
  f.apply(core::BusinessLoaded{f.m.session, items});
  f.layouts("my business, nine rows");
  CHECK(f.widget("business.row.0.status").text == "已支付，未完成");
  CHECK(f.widget("business.row.1.staff").text == "请携带KEY到柜台办理，并出示订单号。");
  CHECK(f.widget("business.row.1.details").text.find("订单号 O-STAFF") !=
        std::string::npos);  // the number to show
  CHECK(f.widget("business.row.0.stopped").text == "在本机办理，中断于：将新证书写入KEY");
  CHECK_FALSE(f.has("business.row.1.stopped"));
  CHECK(f.widget("business.row.2.status").text == "已完成");
  CHECK_FALSE(f.has("business.continue.1"));
  CHECK(f.widget("business.row.0.details").text.find("¥300.00") != std::string::npos);
  // The list scrolls by dragging; the drag taps nothing.
  const auto list = f.widget("business.list").rect;
  const auto events = f.h.drag(f.m, list.GetCenter(), ImVec2(0, -400));
  CHECK(events.empty());
  f.h.settle(f.m);
  CHECK(f.h.shell().scratch()->my_business.list.scroll > 100.0f);
  f.h.drag(f.m, list.GetCenter(), ImVec2(0, 800));

  f.effects.clear();
  f.tap("business.continue.0");
  REQUIRE(f.effect<core::ResumeBusiness>());
  CHECK(f.effect<core::ResumeBusiness>()->order_id == "O-PAID");
  CHECK(f.has("business.resuming"));
  CHECK_FALSE(f.widget("business.continue.0").enabled);
  f.layouts("my business, resuming");
  f.apply(core::ResumeFailed{f.m.session, std::string(core::msg::kResumeInsertKey)});
  CHECK(f.widget("business.resume_error").text == "请插入这笔业务所用的KEY，再点击【继续操作】。");
  f.layouts("my business, insert the key");
}

TEST_CASE("profile: real name by pinyin, e-mail on the Latin keyboard, a new phone needs its own code") {
  Flow f;
  f.login();
  f.tap("account.profile");
  REQUIRE(core::screen_of(f.m) == core::Screen::Profile);
  CHECK(f.widget("profile.username").text == "用户名：13812345678");
  CHECK(f.widget("profile.registered").text == "注册日期：2021-03-26 14:52");
  CHECK(f.widget("profile.real_name").text == "李四");
  f.layouts("profile");
  f.tap("profile.real_name");
  f.layouts("profile, Chinese keyboard");
  f.tap("profile.name_kb.clear");
  for (char ch : std::string("wangwu")) f.tap(std::string("profile.name_kb.") + ch);
  CHECK(f.widget("profile.real_name").text == "wangwu");  // the letters, composing
  CHECK_FALSE(f.widget("profile.submit").enabled);        // not while letters are waiting
  f.tap("profile.name_kb.cand0");
  CHECK(f.widget("profile.real_name").text == "王五");
  f.tap("profile.name_kb.done");
  f.tap("profile.email");
  f.layouts("profile, e-mail keyboard");
  for (int i = 0; i < 16; ++i) f.tap("profile.email_kb.backspace");
  f.type("profile.email_kb", "wangwu@");
  f.effects.clear();
  f.tap("profile.submit");
  CHECK_FALSE(f.effect<core::SaveProfile>());
  CHECK(f.widget("profile.problem.0").text == "请输入正确的电子邮箱地址。");
  CHECK_FALSE(f.has("profile.problem.1"));
  f.layouts("profile, bad e-mail");
  // Every rule broken at once, each in words (the keyboards' fields as typed).
  f.apply(core::ProfileSubmitted{"王5", "wangwu@", "139"});
  CHECK(f.widget("profile.problem.0").text ==
        "真实姓名只能包含汉字、字母、“·”和空格，不能有数字或其他符号。");
  CHECK(f.widget("profile.problem.1").text == "请输入正确的11位手机号码。");
  CHECK(f.widget("profile.problem.2").text == "请输入正确的电子邮箱地址。");
  f.layouts("profile, three problems");
  // A field taken up again: the problems under the fields (as many as fit), with an SMS error below them.
  f.tap("profile.phone");
  f.apply(core::SmsFailed{f.m.session, "error.platform.sms.hourly_limit", 0});
  CHECK(f.has("profile.problem.0"));
  CHECK(f.has("profile.error"));
  f.layouts("profile, problems and an SMS error, keypad up");
  f.tap("profile.email");
  f.type("profile.email_kb", "example.cn");

  // A new phone: a code to the new number first.
  f.tap("profile.phone");
  f.tap("profile.pad.clear");
  f.digits("profile.pad", "13900001111");
  CHECK(f.has("profile.code"));
  CHECK_FALSE(f.widget("profile.submit").enabled);
  f.layouts("profile, new phone");
  f.tap("profile.get_code");
  REQUIRE(f.effect<core::SendSms>());
  CHECK(f.effect<core::SendSms>()->purpose == core::SmsPurpose::ChangePhone);
  CHECK(f.effect<core::SendSms>()->phone == "13900001111");
  f.apply(core::SmsSent{f.m.session, 60, 6});
  f.digits("profile.pad", "246810");
  f.effects.clear();
  f.secrets.clear();
  f.tap("profile.submit");
  REQUIRE(f.effect<core::SaveProfile>());
  CHECK(f.effect<core::SaveProfile>()->real_name == "王五");
  CHECK(f.effect<core::SaveProfile>()->email == "wangwu@example.cn");
  CHECK(f.effect<core::SaveProfile>()->phone == "13900001111");
  CHECK(f.effect<core::SaveProfile>()->phone_changed);
  CHECK(f.secret(core::SecretKind::SmsCode) == "246810");
  core::Profile saved = profile();
  saved.real_name = "王五";
  saved.email = "wangwu@example.cn";
  saved.phone = "13900001111";
  f.apply(core::ProfileSaved{f.m.session, saved});
  CHECK(f.widget("profile.saved").text == "修改成功");
  CHECK_FALSE(f.has("profile.code"));  // the new phone is the account's now
  f.layouts("profile, saved");
  f.apply(core::ProfileFailed{f.m.session, "error.platform.account.phone_in_use"});
  f.layouts("profile, phone in use");
}

TEST_CASE("profile: a real name by handwriting") {
  Flow f;
  f.login();
  f.tap("account.profile");
  f.tap("profile.real_name");
  f.tap("profile.name_kb.clear");
  f.tap("profile.name_kb.handwriting");
  f.layouts("profile, handwriting");
  const auto pad = f.widget("profile.name_kb.pad").rect;
  auto stroke = [&](ImVec2 a, ImVec2 b) {
    auto at = [&](ImVec2 p) {
      return ImVec2(pad.Min.x + p.x * pad.GetWidth(), pad.Min.y + p.y * pad.GetHeight());
    };
    f.h.drag(f.m, at(a), ImVec2(at(b).x - at(a).x, at(b).y - at(a).y), 6);
  };
  stroke(ImVec2(0.15f, 0.5f), ImVec2(0.85f, 0.5f));
  stroke(ImVec2(0.5f, 0.12f), ImVec2(0.5f, 0.9f));
  CHECK(f.widget("profile.name_kb.cand0").text == "十");
  f.layouts("profile, handwriting candidates");
  f.tap("profile.name_kb.cand0");
  CHECK(f.widget("profile.real_name").text == "十");
}

TEST_CASE("修改密码: every rule broken is said in words and nothing leaves the screen; then 修改成功") {
  Flow f;
  f.login();
  f.tap("account.password");
  REQUIRE(core::screen_of(f.m) == core::Screen::ChangePassword);
  f.layouts("change password");
  f.tap("password.current");
  f.type("password.kb", "345678");
  f.tap("password.new");
  f.type("password.kb", "x5678");
  f.tap("password.confirm");
  f.type("password.kb", "y");
  f.tap("password.submit");
  CHECK_FALSE(f.effect<core::ChangePassword>());
  CHECK(f.secrets.empty());
  CHECK(f.widget("password.problem.0").text == "新密码至少需要8个字符。");
  CHECK(f.widget("password.problem.1").text == "新密码不能由手机号码组成。");  // x5678: the last four digits
  CHECK(f.widget("password.problem.2").text == "两次输入的新密码不一致。");
  f.layouts("change password, problems");
  // Derived from the phone.
  f.tap("password.new");
  for (int i = 0; i < 5; ++i) f.tap("password.kb.backspace");
  f.type("password.kb", "ab12345678");
  f.tap("password.confirm");
  f.tap("password.kb.backspace");
  f.type("password.kb", "ab12345678");
  f.tap("password.submit");
  CHECK(f.widget("password.problem.0").text == "新密码不能由手机号码组成。");
  CHECK_FALSE(f.has("password.problem.1"));
  // All rules kept: the current and the new password go to the runtime.
  f.tap("password.new");
  for (int i = 0; i < 10; ++i) f.tap("password.kb.backspace");
  f.type("password.kb", "Kiosk!2024");
  f.tap("password.confirm");
  for (int i = 0; i < 10; ++i) f.tap("password.kb.backspace");
  f.type("password.kb", "Kiosk!2024");
  f.tap("password.submit");
  REQUIRE(f.effect<core::ChangePassword>());
  CHECK(f.secret(core::SecretKind::Password) == "345678");
  CHECK(f.secret(core::SecretKind::NewPassword) == "Kiosk!2024");
  CHECK(f.widget("password.current").text == "默认为手机号后6位");  // handed over: the field is empty
  f.apply(core::PasswordRejected{f.m.session, "error.platform.account.password_wrong"});
  CHECK(f.widget("password.problem.0").text == "当前密码不正确，请重新输入。");
  f.apply(core::PasswordSubmitted{{}});
  f.apply(core::PasswordChanged{f.m.session});
  CHECK(f.widget("password.saved").text == "修改成功");
  f.layouts("change password, saved");
  f.tap("password.back_to_centre");
  CHECK(core::screen_of(f.m) == core::Screen::AccountHome);
}

TEST_CASE(
    "idle on a personal screen: the overlay, then everything personal is wiped from memory and screen") {
  Flow f;
  f.login();
  f.tap("account.profile");
  f.tap("profile.real_name");
  f.tap("profile.name_kb.clear");
  for (char ch : std::string("zhao")) f.tap(std::string("profile.name_kb.") + ch);
  const auto session = f.m.session;
  f.apply(core::Tick{f.m.now + 61'000, f.m.wall + 61});
  REQUIRE(f.m.idle_overlay);
  CHECK(f.has("idle.continue"));
  f.apply(core::Tick{f.m.now + 21'000, f.m.wall + 21});
  CHECK(core::screen_of(f.m) == core::Screen::Home);
  CHECK_FALSE(core::account_of(f.m));
  CHECK(f.m.session == session + 1);
  CHECK(f.effect<core::Logout>());
  CHECK(f.effect<core::WipeSession>());
  f.h.settle(f.m);
  // The new session's scratch: nothing typed, no pinyin letters, no profile.
  const ui::SessionScratch* s = f.h.shell().scratch();
  REQUIRE(s);
  CHECK(s->session == f.m.session);
  CHECK(s->profile.real_name.empty());
  CHECK(s->profile.name_keyboard.letters.empty());
  CHECK_FALSE(s->profile.filled);
  for (const auto& w : f.h.widgets().all()) CHECK(w.text.find("李四") == std::string::npos);
}

TEST_CASE("【退出登录】 on every personal-centre screen, with any keyboard up; it wipes the session") {
  // Each case: how to reach the screen and state from a fresh login; then 【退出登录】 must be drawn,
  // enabled, a full touch target and tappable, and end the personal session.
  struct Case {
    const char* what;
    bool forced;
    std::vector<std::string> taps;
  };
  const std::vector<Case> cases{
      {"account home", false, {}},
      {"my business", false, {"account.my_business"}},
      {"profile", false, {"account.profile"}},
      {"profile, Chinese keyboard", false, {"account.profile", "profile.real_name"}},
      {"profile, handwriting",
       false,
       {"account.profile", "profile.real_name", "profile.name_kb.handwriting"}},
      {"profile, phone keypad", false, {"account.profile", "profile.phone"}},
      {"profile, e-mail keyboard", false, {"account.profile", "profile.email"}},
      {"change password", false, {"account.password"}},
      {"change password, new", false, {"account.password", "password.new"}},
      {"change password, forced", true, {}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    Flow f;
    f.apply(core::PersonalCentreTapped{});
    f.apply(core::LoginSubmitted{kPhone});
    f.apply(core::LoggedIn{f.m.session, c.forced, profile()});
    if (c.taps.size() > 0 && c.taps[0] == "account.my_business") {
      f.tap(c.taps[0]);
      f.apply(core::BusinessLoaded{f.m.session, {item("O-1", core::OrderStatus::Paid, true)}});
    } else {
      for (const auto& t : c.taps) f.tap(t);
    }
    for (const auto& size : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
      f.h.set_display(size);
      const auto& w = f.widget("account.logout");
      CHECK(w.enabled);
      CHECK(w.interactive);
      CHECK(w.visible.GetWidth() >= 60.0f);
      CHECK(w.visible.GetHeight() >= 60.0f);
      CHECK(w.text == "退出登录");
    }
    f.h.set_display(ImVec2(1920, 1080));
    const auto session = f.m.session;
    f.effects.clear();
    f.tap("account.logout");
    CHECK(core::screen_of(f.m) == core::Screen::Home);
    CHECK_FALSE(core::account_of(f.m));
    CHECK(f.m.session == session + 1);
    CHECK(f.effect<core::Logout>());
    CHECK(f.effect<core::WipeSession>());
    for (const auto& w : f.h.widgets().all()) {
      CHECK(w.text.find("李四") == std::string::npos);
      CHECK(w.text.find(kPhone) == std::string::npos);
    }
  }
}

TEST_CASE(
    "every personal-centre screen in its states passes the layout rules in both languages and orientations") {
  ui_test::UiHarness h;
  const auto states = ui_test::account_states();
  CHECK(states.size() >= 15);
  for (const auto& s : states) {
    INFO(s.name);
    for (const auto& p : ui_test::check_all_layouts(h, s.model)) FAIL_CHECK(s.name << ": " << p);
  }
}
