// Hall staff's way in and the sign-in, drawn headless from models the flow core produced: every staff state
// passes the layout rules in both languages and orientations; 【维护】 shows only for a staff KEY and never
// on a customer's screen otherwise; the code's gesture on the title; the PIN and the code handed over beside
// their events, never in them; the handover and the KEY-left reminder say what they must.
#include <doctest/doctest.h>

#include <string>

#include "core/update.hpp"
#include "screen_states.hpp"
#include "staff_states.hpp"
#include "ui/screens.hpp"
#include "ui/staff_screens.hpp"
#include "ui_test_support.hpp"

namespace {

namespace fx = ui_test::staff_fixture;

using ui_test::step;

const ui_test::NamedModel& state(const std::vector<ui_test::NamedModel>& all, const std::string& name) {
  for (const auto& s : all)
    if (s.name == name) return s;
  FAIL("no state " << name);
  return all.front();
}

using ui_test::find;

void type_latin(ui_test::UiHarness& h, const core::Model& m, std::string_view kb, std::string_view text) {
  bool symbols = false;
  for (char ch : text) {
    const auto k = ui::latin_key(ch);
    REQUIRE(k);
    if (k->symbols != symbols) {
      h.tap(m, std::string(kb) + (k->symbols ? ".symbols" : ".letters"));
      symbols = k->symbols;
    }
    if (k->shift) h.tap(m, std::string(kb) + ".shift");
    h.tap(m, std::string(kb) + "." + k->name);
  }
  if (symbols) h.tap(m, std::string(kb) + ".letters");
}

}  // namespace

TEST_CASE("every staff screen in every state passes the layout rules in both languages and orientations") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  CHECK(states.size() >= 60);
  for (const auto& s : states) {
    INFO(s.name);
    for (const auto& p : ui_test::check_all_layouts(h, s.model)) FAIL_CHECK(s.name << ": " << p);
  }
}

TEST_CASE("【维护】 only for a staff KEY: never on a customer's screen without one") {
  ui_test::UiHarness h;
  // Every customer state there is: no staff KEY judged, no 【维护】, no way to staff mode but the gesture.
  for (const auto& s : ui_test::screen_states()) {
    const core::Screen screen = core::screen_of(s.model);
    if (screen == core::Screen::StaffSignIn || screen == core::Screen::Maintenance ||
        screen == core::Screen::Handover || (s.model.staff_key && !s.model.staff_key->name.empty()))
      continue;
    CAPTURE(s.name);
    h.settle(s.model);
    CHECK_FALSE(h.widgets().find("chrome.staff"));
    CHECK_FALSE(h.widgets().find("chrome.staff_exit"));
  }
  // A customer's KEY judged by the runtime (no staff certificate: no name) offers nothing.
  core::Model m = ui_test::model_on(core::Screen::Home);
  m.settings.staff_keys = true;
  m = step(m, core::KeyStatusChanged{fx::customer_key()});
  core::StaffKeyInfo not_staff;
  not_staff.token = fx::customer_key().identity;
  m = step(m, core::StaffKeyChecked{not_staff});
  h.settle(m);
  CHECK_FALSE(h.widgets().find("chrome.staff"));
  // The staff KEY: 【维护】 beside the key badge, in both orientations; it opens the sign-in.
  m = fx::home_with_staff_key();
  for (ImVec2 d : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    h.set_display(d);
    h.settle(m);
    REQUIRE(h.widgets().find("chrome.staff"));
  }
  h.set_display(ImVec2(1920, 1080));
  h.settle(m);
  const auto e = h.tap(m, "chrome.staff");
  REQUIRE(find<core::MaintenanceTapped>(e));
  m = step(m, e.at(0));
  CHECK(core::screen_of(m) == core::Screen::StaffSignIn);
  // Pulled: 【维护】 goes with it.
  m = step(fx::home_with_staff_key(), core::KeyStatusChanged{core::KeyStatus{}});
  h.settle(m);
  CHECK_FALSE(h.widgets().find("chrome.staff"));
}

TEST_CASE("【维护】 mid-step is refused, and why is said under the bars") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  const core::Model m = state(states, "progress-staff-refused").model;
  h.settle(m);
  const auto* why = h.widgets().find("chrome.staff_refused");
  REQUIRE(why);
  CHECK(why->text.find("不能进入维护") != std::string::npos);
  // The screen moved down for it: nothing of the screen lies under the notice.
  const auto* notice = why;
  for (const auto& w : h.widgets().all())
    if (w.key.starts_with("progress.")) CHECK(w.rect.Min.y >= notice->rect.Max.y);
}

TEST_CASE("the maintenance code's gesture: five taps on the title within 3 s, and only then") {
  ui_test::UiHarness h;
  core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  REQUIRE(h.widgets().find("chrome.title"));
  std::vector<core::Event> got;
  auto tap_title = [&] {
    for (auto& e : h.tap(m, "chrome.title")) got.push_back(std::move(e));
  };
  // Four quick taps, then a pause past the window: the fifth starts over.
  for (int i = 0; i < 4; ++i) tap_title();
  m.now += ui::kStaffGestureWindowMs;
  tap_title();
  CHECK(got.empty());
  for (int i = 0; i < 3; ++i) tap_title();
  CHECK(got.empty());
  tap_title();  // the fifth within 3 s of the first of these
  REQUIRE(got.size() == 1);
  CHECK(std::holds_alternative<core::StaffCodeRequested>(got[0]));
  m = step(m, got[0]);
  CHECK(core::screen_of(m) == core::Screen::StaffSignIn);
  CHECK(std::get<core::phase::StaffSignIn>(m.flow).by_code);
  // From a customer's failure screen too (a stuck customer is where staff come).
  int failures = 0;
  for (const auto& s : ui_test::screen_states())
    if (s.name == "failure-needs-staff-recorded") {
      ++failures;
      core::Model f = s.model;
      h.settle(f);
      got.clear();
      for (int i = 0; i < ui::kStaffGestureTaps; ++i)
        for (auto& e : h.tap(f, "chrome.title")) got.push_back(std::move(e));
      REQUIRE(got.size() == 1);
      CHECK(core::screen_of(step(f, got[0])) == core::Screen::StaffSignIn);
    }
  CHECK(failures == 1);
}

TEST_CASE("sign-in by KEY: the name, the PIN masked and handed over beside its event, the flags, refusals") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  core::Model m = state(states, "staff-pin").model;
  h.settle(m);
  CHECK(h.widgets().find("staff.sign_in.key")->text == "员工KEY：王芳");
  for (char d : std::string("123456")) h.tap(m, std::string("staff.keypad.d") + d);
  h.settle(m);
  CHECK(h.widgets().find("staff.pin.field")->text.find('1') == std::string::npos);  // masked
  const auto e = h.tap(m, "staff.keypad.ok");
  const auto* pin = find<core::StaffPinSubmitted>(e);
  REQUIRE(pin);
  const auto secrets = h.take_secrets();
  REQUIRE(secrets.size() == 1);
  CHECK(secrets[0].slot == pin->pin);
  CHECK(secrets[0].secret.reveal() == "123456");
  // A wrong PIN with few tries left; the final try; the core's question over this screen.
  h.settle(state(states, "staff-pin-wrong-count-low").model);
  CHECK(h.widgets().find("staff.sign_in.error"));
  CHECK(h.widgets().find("pin.count_low"));
  h.settle(state(states, "staff-pin-final-try").model);
  CHECK(h.widgets().find("pin.final_try"));
  m = state(states, "staff-pin-final-try-dialog").model;
  h.settle(m);
  REQUIRE(h.widgets().find("dialog.ok"));
  CHECK(h.widgets().find("dialog.title")->text == "最后一次机会");
  CHECK(find<core::DialogConfirmed>(h.tap(m, "dialog.ok")));
  // Refused before any PIN: no keypad, the reason in words, how to leave.
  m = state(states, "staff-refused-revoked").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("staff.keypad.ok"));
  CHECK(h.widgets().find("staff.sign_in.error")->text.find("吊销") != std::string::npos);
  CHECK(h.widgets().find("staff.sign_in.refused_next"));
  CHECK(h.widgets().find("staff.sign_in.detail"));
  h.settle(state(states, "staff-pin-locked-long-name").model);
  CHECK_FALSE(h.widgets().find("staff.keypad.ok"));
  CHECK(h.widgets().find("staff.sign_in.error"));
}

TEST_CASE(
    "sign-in by code: the staff ID and the code on the Latin keyboard, the code handed over; throttled") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  core::Model m = state(states, "staff-code").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("staff.sign_in.submit")->enabled);
  type_latin(h, m, "staff.kb", "wang.fang-1");
  h.tap(m, "staff.sign_in.code");
  type_latin(h, m, "staff.kb", "Xy7_-Q2");
  h.settle(m);
  CHECK(h.widgets().find("staff.sign_in.name")->text == "wang.fang-1");
  const auto e = h.tap(m, "staff.sign_in.submit");
  const auto* sub = find<core::StaffCodeSubmitted>(e);
  REQUIRE(sub);
  CHECK(sub->staff == "wang.fang-1");
  const auto secrets = h.take_secrets();
  REQUIRE(secrets.size() == 1);
  CHECK(secrets[0].slot == sub->code);
  CHECK(secrets[0].secret.reveal() == "Xy7_-Q2");
  // Throttled: the countdown on 【登录】, which takes no tap, and the platform's words with the wait.
  m = state(states, "staff-code-throttled").model;
  h.settle(m);
  const auto* submit = h.widgets().find("staff.sign_in.submit");
  CHECK_FALSE(submit->enabled);
  CHECK(submit->text == "请在37秒后重试");
  CHECK(h.widgets().find("staff.sign_in.error")->text.find("37") != std::string::npos);
}

TEST_CASE("维护模式 in the top bar with the staff member's name; 【退出维护】 is the only way out") {
  ui_test::UiHarness h;
  core::Model m = fx::signed_in(true);
  h.settle(m);
  CHECK(h.widgets().find("chrome.staff_mode")->text == "维护模式 · 王芳");
  CHECK_FALSE(h.widgets().find("app.title"));
  CHECK_FALSE(h.widgets().find("chrome.title"));  // no gesture inside staff mode
  CHECK_FALSE(h.widgets().find("chrome.home"));
  CHECK_FALSE(h.widgets().find("chrome.back"));
  const auto e = h.tap(m, "chrome.staff_exit");
  REQUIRE(find<core::StaffExitTapped>(e));
  m = step(m, e.at(0));
  CHECK(core::screen_of(m) == core::Screen::Home);
  // A name too long for the bar is cut, never spilling.
  const auto states = ui_test::staff_states();
  h.settle(state(states, "maint-long-name").model);
  CHECK(h.widgets().find("chrome.staff_mode")->text.ends_with("…"));
}

TEST_CASE("handover: the business number, insert its KEY, the resume's state and errors; home ends it") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  core::Model m = state(states, "handover-insert").model;
  h.settle(m);
  CHECK(h.widgets().find("handover.order")->text == "业务号：R20261207-0042");
  CHECK(h.widgets().find("handover.insert"));
  REQUIRE(h.widgets().find("chrome.home"));
  h.settle(state(states, "handover-resuming").model);
  CHECK(h.widgets().find("handover.resuming"));
  h.settle(state(states, "handover-other-key").model);
  CHECK(h.widgets().find("handover.error"));
  h.settle(state(states, "handover-staff-key-in").model);
  CHECK(h.widgets().find("handover.staff_key"));
  CHECK_FALSE(h.widgets().find("handover.insert"));
  const auto e = h.tap(m, "chrome.home");
  REQUIRE(find<core::HomeTapped>(e));
  CHECK(core::screen_of(step(m, e.at(0))) == core::Screen::Home);
}

TEST_CASE("home reminds 请取走您的KEY while a KEY is left behind, and stops when it is taken") {
  ui_test::UiHarness h;
  const auto states = ui_test::staff_states();
  core::Model m = state(states, "home-key-left").model;
  h.settle(m);
  REQUIRE(h.widgets().find("home.key_left"));
  CHECK(h.widgets().find("home.key_left")->text == "请取走您的KEY");
  CHECK(h.widgets().find("home.key_left.since")->text.find("2026-12-07") != std::string::npos);
  CHECK_FALSE(h.widgets().find("home.welcome"));
  m = step(m, core::KeyStatusChanged{core::KeyStatus{}});
  h.settle(m);
  CHECK_FALSE(h.widgets().find("home.key_left"));
  CHECK(h.widgets().find("home.welcome"));
}
