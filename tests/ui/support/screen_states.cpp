#include "screen_states.hpp"

#include <stdexcept>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "renewal_states.hpp"
#include "staff_states.hpp"

namespace ui_test {
namespace {

using namespace core;

constexpr const char* kPhone = "13812345678";

Profile profile() {
  Profile p;
  p.account_id = "A-1";
  p.username = kPhone;
  p.member_level = "普通用户";
  p.real_name = "李四";
  p.phone = kPhone;
  p.email = "lisi@example.com";
  p.registered_at = 1'616'741'520;  // 2021-03-26 14:52 CST
  return p;
}

BusinessItem item(std::string id, OrderStatus status, bool can_continue) {
  BusinessItem b;
  b.order_id = std::move(id);
  b.product_id = "e-bidding-feitian-renew";
  b.product_title = "电子招投标项目-飞天诚信KEY-续费";
  b.created_at = 1'790'000'000;
  b.amount = 30'000;
  b.status = status;
  b.can_continue = can_continue;
  return b;
}

struct AccountFlow {
  Model m = initial_model(Settings{}, 1'000'000, 1'790'000'000);
  AccountFlow& send(const Event& e) {
    m = update(std::move(m), e).model;
    return *this;
  }
  AccountFlow& advance(Millis ms) { return send(Tick{m.now + ms, m.wall + ms / 1000}); }
  void expect(Screen s) const {
    if (screen_of(m) != s)
      throw std::logic_error("screen_states: the flow did not reach the expected screen");
  }
  void login(bool forced = false) {
    send(PersonalCentreTapped{});
    send(LoginSubmitted{kPhone});
    send(LoggedIn{m.session, forced, profile()});
  }
};

}  // namespace

std::vector<NamedModel> home_states() {
  std::vector<NamedModel> out;
  for (auto [presence, name] : {std::pair{KeyPresence::NoKey, "home-no-key"},
                                std::pair{KeyPresence::Recognised, "home-key-recognised"},
                                std::pair{KeyPresence::NotRecognised, "home-key-not-recognised"},
                                std::pair{KeyPresence::DriverMissing, "home-driver-missing"}}) {
    AccountFlow f;
    KeyStatus k;
    k.presence = presence;
    if (presence == KeyPresence::Recognised) {
      k.brand_id = "haitai";
      k.brand_name = "海泰KEY";
      k.identity = {"Haitai", "HaiKey", "0001"};
    }
    f.send(KeyStatusChanged{k});
    out.push_back({name, f.m});
  }
  // Out of service (core/service.hpp): the automatic checks' reasons, staff's, and a fleet's own words;
  // the key badge still says what is inserted.
  auto out_of_service = [&](const char* name, const Event& e, bool key_in) {
    AccountFlow f;
    if (key_in) {
      KeyStatus k;
      k.presence = KeyPresence::Recognised;
      k.brand_id = "haitai";
      k.brand_name = "海泰KEY";
      k.identity = {"Haitai", "HaiKey", "0001"};
      f.send(KeyStatusChanged{k});
    }
    f.send(e);
    if (!f.m.service.sources.out())
      throw std::logic_error("screen_states: the kiosk did not go out of service");
    out.push_back({name, f.m});
  };
  auto failing = [](Check c, const char* detail) {
    return ServiceChecked{{CheckResult{c, CheckState::Failing, detail}}};
  };
  {
    AccountFlow f;
    for (int i = 0; i < f.m.settings.platform_out_after; ++i)
      f.send(failing(Check::Platform, "offline: Connection refused"));
    out.push_back({"home-out-platform", f.m});
  }
  out_of_service("home-out-clock", failing(Check::Clock, "skew 600 s"), true);
  out_of_service("home-out-journal", failing(Check::Journal, "12 MiB free"), false);
  out_of_service("home-out-drivers", failing(Check::Drivers, "haitai: module missing"), false);
  OutOfServiceReason staff;
  staff.reason_key = std::string(msg::kServiceReasonStaff);
  out_of_service("home-out-staff", ServiceSourceSet{ServiceSource::Staff, staff}, true);
  OutOfServiceReason fleet;
  fleet.text_zh_cn =
      "本厅今日进行系统升级，暂停自助服务。升级完成后，本机将自动恢复服务，给您带来不便，敬请谅解。";
  fleet.text_en =
      "The hall's systems are being upgraded today, so self-service is paused. This kiosk opens again by "
      "itself "
      "once the upgrade is done. We are sorry for the inconvenience.";
  out_of_service("home-out-fleet", ServiceSourceSet{ServiceSource::Fleet, fleet}, false);
  // Outside the fleet's service hours, home says when it opens (runtime::hours_reason).
  OutOfServiceReason hours;
  hours.reason_key = "service.reason.hours";
  hours.opens_day = "tomorrow";
  hours.opens_time = "08:30";
  out_of_service("home-out-hours", ServiceSourceSet{ServiceSource::Hours, hours}, false);
  {
    // The fleet's announcement under the welcome (FleetSettingsChanged at home takes effect at once).
    AccountFlow f;
    FleetSettings fs;
    fs.announcement_zh_cn = "本大厅周六上午（9:00-12:00）照常营业，其余时间请使用自助终端或到人工窗口办理。";
    fs.announcement_en =
        "The hall is open on Saturday mornings (9:00-12:00); at other times use this kiosk or "
        "the counter.";
    f.send(FleetSettingsChanged{fs});
    out.push_back({"home-announcement", f.m});
  }
  AccountFlow h;
  h.send(HelpTapped{});
  h.expect(Screen::Help);
  out.push_back({"help", h.m});
  AccountFlow c;
  c.m.flow = phase::ComingSoon{};  // nothing leads here yet: a service announced on the home screen
  out.push_back({"coming-soon", c.m});
  return out;
}

std::vector<NamedModel> account_states() {
  std::vector<NamedModel> out;
  auto add = [&](std::string name, const Model& m) { out.push_back({std::move(name), m}); };
  {
    AccountFlow f;
    f.send(PersonalCentreTapped{});
    add("login-empty", f.m);
    f.send(LoginSubmitted{kPhone});
    add("login-submitting", f.m);
    f.send(LoginFailed{f.m.session, "error.platform.account.sms_code_required", 0, true});
    add("login-needs-code", f.m);
    f.send(LoginGetCodeTapped{kPhone});
    f.send(SmsSent{f.m.session, 60, 6});
    f.advance(11'000);
    add("login-code-countdown", f.m);
    AccountFlow g;
    g.send(PersonalCentreTapped{});
    for (int i = 0; i < 5; ++i) {
      g.send(LoginSubmitted{kPhone});
      g.send(LoginFailed{g.m.session, "error.platform.account.login_failed", 0, false});
    }
    add("login-throttled", g.m);
    g.send(LoginMethodChosen{LoginMethod::Sms});
    add("login-by-sms", g.m);
  }
  {
    AccountFlow f;
    f.login();
    f.expect(Screen::AccountHome);
    add("account-home", f.m);
    f.send(MyBusinessTapped{});
    add("business-loading", f.m);
    f.send(BusinessLoaded{f.m.session, {}});
    add("business-empty", f.m);
    f.send(BusinessLoadFailed{f.m.session, "error.platform.offline"});
    add("business-failed", f.m);
    std::vector<BusinessItem> items{item("O-PAID", OrderStatus::Paid, true),
                                    item("O-STAFF", OrderStatus::NeedsStaff, false),
                                    item("O-DONE", OrderStatus::Installed, false)};
    items[1].needs_staff_reason = "order.next_step.go_to_counter";
    items[0].stopped_at_key = "business.stopped.install";
    f.send(BusinessLoaded{f.m.session, items});
    add("business-rows", f.m);
    f.send(ContinueBusinessTapped{"O-PAID"});
    add("business-resuming", f.m);
    f.send(ResumeFailed{f.m.session, std::string(msg::kResumeInsertKey)});
    add("business-insert-key", f.m);
    f.send(BackTapped{});
    f.send(ProfileTapped{});
    f.expect(Screen::Profile);
    add("profile", f.m);
    f.send(ProfileSubmitted{"王5", "wangwu@", "139"});
    add("profile-problems", f.m);
    f.send(ProfileGetCodeTapped{"13900001111"});
    f.send(SmsSent{f.m.session, 60, 6});
    add("profile-code-sent", f.m);
    Profile saved = profile();
    saved.phone = "13900001111";
    f.send(ProfileSubmitted{"李四", "lisi@example.com", "13900001111"});
    f.send(ProfileSaved{f.m.session, saved});
    add("profile-saved", f.m);
    f.send(BackTapped{});
    f.send(ChangePasswordTapped{});
    f.expect(Screen::ChangePassword);
    add("password", f.m);
    f.send(PasswordSubmitted{{std::string(msg::kPasswordTooShort), std::string(msg::kPasswordMismatch)}});
    add("password-problems", f.m);
    f.send(PasswordSubmitted{{}});
    f.send(PasswordChanged{f.m.session});
    add("password-saved", f.m);
  }
  {
    AccountFlow f;
    f.login(true);
    f.expect(Screen::ChangePassword);
    add("password-forced", f.m);
  }
  return out;
}

std::vector<NamedModel> screen_states() {
  std::vector<NamedModel> out = home_states();
  for (auto& s : renewal_states()) out.push_back(std::move(s));
  for (auto& s : account_states()) out.push_back(std::move(s));
  for (auto& s : staff_states()) out.push_back(std::move(s));
  return out;
}

}  // namespace ui_test
