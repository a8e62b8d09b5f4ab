// Touch widgets: a tap acts once, on release; a drag scrolls and does not tap; the keypad keeps the
// secret out of ImGui; the layout rules catch what they should.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/update.hpp"
#include "ui/keypad.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"
#include "ui_test_support.hpp"

using ui::PointerEvent;

TEST_CASE("a tap acts once, on release, and the pointer then leaves the screen") {
  ui_test::UiHarness h;
  const core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  const auto p = h.widgets().tap_point("home.renew");
  REQUIRE(p.has_value());

  h.pointer({PointerEvent::Kind::Down, *p});
  auto pressed = h.frame(m);
  CHECK(pressed.events.empty());  // nothing on press
  auto held = h.frame(m);
  CHECK(held.events.empty());
  h.pointer({PointerEvent::Kind::Up, *p});
  auto released = h.frame(m);
  REQUIRE(released.events.size() == 1);
  CHECK(std::holds_alternative<core::RenewTapped>(released.events[0]));
  // After the release the pointer leaves: nothing hovers, nothing fires again.
  auto after = h.settle(m, 4);
  CHECK(after.empty());
  CHECK(ImGui::GetIO().MousePos.x < -1e30f);
  CHECK_FALSE(ImGui::IsAnyItemHovered());
}

TEST_CASE("a press and release in the same batch of events still taps (one transition per frame)") {
  ui_test::UiHarness h;
  const core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  auto events = h.tap(m, "home.personal");
  REQUIRE(events.size() == 1);
  CHECK(std::holds_alternative<core::PersonalCentreTapped>(events[0]));
}

TEST_CASE("a press that slides off the button does not tap") {
  ui_test::UiHarness h;
  const core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  const auto* w = h.widgets().find("home.renew");
  REQUIRE(w);
  auto events = h.drag(m, w->rect.GetCenter(), ImVec2(0, w->rect.GetHeight()));  // released below it
  CHECK(events.empty());
  // Moved beyond the slop but released on the button again: a drag, not a tap.
  events = h.drag(m, w->rect.GetCenter(), ImVec2(0, 0), 1);
  CHECK(events.size() == 1);
  h.pointer({PointerEvent::Kind::Down, w->rect.GetCenter()});
  h.settle(m, 1);
  h.pointer({PointerEvent::Kind::Move, ImVec2(w->rect.GetCenter().x + 100, w->rect.GetCenter().y)});
  h.settle(m, 1);
  h.pointer({PointerEvent::Kind::Up, w->rect.GetCenter()});
  CHECK(h.settle(m).empty());
}

namespace {

// A long list of buttons, the way a screen builds one (my business, products).
struct ListScreen {
  ui::ListScratch list;
  std::vector<std::string> tapped;
  void operator()(ui::Ctx& c) {
    const ImRect area(ImVec2(100, 150), ImVec2(1000, 850));
    ui::begin_list(c, "test.list", area, list);
    for (int i = 0; i < 30; ++i) {
      const std::string key = "test.row" + std::to_string(i);
      if (ui::button_text(c, key, "第" + std::to_string(i + 1) + "项 Row", ui::list_row(c, 100.0f)))
        tapped.push_back(key);
    }
    ui::end_list(c, list);
  }
};

}  // namespace

TEST_CASE("a drag scrolls a long list and does not tap the row it started on") {
  ui_test::UiHarness h;
  ListScreen screen;
  auto draw = [&](ui::Ctx& c) { screen(c); };
  h.settle_with(draw);
  CHECK(screen.list.max_scroll > 1000.0f);
  const auto* row3 = h.widgets().find("test.row3");
  REQUIRE(row3);
  const ImVec2 start = row3->rect.GetCenter();

  h.pointer({PointerEvent::Kind::Down, start});
  h.settle_with(draw, 1);
  for (int i = 1; i <= 10; ++i) {
    h.pointer({PointerEvent::Kind::Move, ImVec2(start.x, start.y - 40.0f * static_cast<float>(i))});
    h.settle_with(draw, 1);
  }
  h.pointer({PointerEvent::Kind::Up, ImVec2(start.x, start.y - 400.0f)});
  h.settle_with(draw);
  CHECK(screen.tapped.empty());
  CHECK(screen.list.scroll == doctest::Approx(400.0f).epsilon(0.02));
  // The rows moved up with the finger; row 0 is out of view and cannot be tapped.
  CHECK_FALSE(h.widgets().tap_point("test.row0").has_value());
  REQUIRE(h.widgets().tap_point("test.row8").has_value());

  // A plain tap on a row still works after scrolling, once.
  const ImVec2 p = *h.widgets().tap_point("test.row8");
  h.pointer({PointerEvent::Kind::Down, p});
  h.pointer({PointerEvent::Kind::Up, p});
  h.settle_with(draw);
  CHECK(screen.tapped == std::vector<std::string>{"test.row8"});

  // Dragging past the end stops at the end.
  h.pointer({PointerEvent::Kind::Down, ImVec2(500, 800)});
  h.settle_with(draw, 1);
  h.pointer({PointerEvent::Kind::Move, ImVec2(500, -5000)});
  h.settle_with(draw, 1);
  h.pointer({PointerEvent::Kind::Up, ImVec2(500, -5000)});
  h.settle_with(draw);
  CHECK(screen.list.scroll == doctest::Approx(screen.list.max_scroll));
}

TEST_CASE("the keypad types into a SecretBuffer, masks it, and never shows the digits") {
  ui_test::UiHarness h;
  ui::KeypadScratch k;
  ui::KeypadResult last = ui::KeypadResult::None;
  bool submitted = false;
  foundation::SecretBuffer handed;
  auto draw = [&](ui::Ctx& c) {
    ui::keypad_field(c, "pin.field", ImRect(ImVec2(560, 160), ImVec2(1360, 260)), k, {.masked = true});
    last = ui::keypad(c, "pin.keypad", ImRect(ImVec2(560, 300), ImVec2(1360, 900)), k, {.max_length = 6});
    if (last == ui::KeypadResult::Submitted) {
      submitted = true;
      c.hand_over(core::SecretKind::Pin, std::move(k.value));
      for (auto& s : c.take_handoffs()) handed = std::move(s.secret);
    }
  };
  h.settle_with(draw);
  auto tap = [&](const std::string& key) {
    const auto p = h.widgets().tap_point(key);
    REQUIRE_MESSAGE(p.has_value(), key);
    h.pointer({PointerEvent::Kind::Down, *p});
    h.pointer({PointerEvent::Kind::Up, *p});
    h.settle_with(draw);
  };
  for (const char* d : {"pin.keypad.d1", "pin.keypad.d2", "pin.keypad.d3", "pin.keypad.d4", "pin.keypad.d5"})
    tap(d);
  CHECK(k.value.reveal() == "12345");
  tap("pin.keypad.delete");
  CHECK(k.value.reveal() == "1234");
  for (int i = 0; i < 4; ++i) tap("pin.keypad.d9");
  CHECK(k.value.reveal() == "123499");  // max_length 6
  const auto* field = h.widgets().find("pin.field");
  REQUIRE(field);
  CHECK(field->text == "●●●●●●");
  for (const auto& w : h.widgets().all())
    CHECK_MESSAGE(w.text.find("1234") == std::string::npos, w.key << " shows the digits");
  for (const auto& p : ui::check_layout(h.widgets(), h.display())) FAIL_CHECK(ui::to_string(p));
  tap("pin.keypad.ok");
  CHECK(submitted);
  CHECK(handed.reveal() == "123499");
  CHECK(k.value.empty());  // moved out, the scratch's copy zeroed
  tap("pin.keypad.d7");
  tap("pin.keypad.clear");
  CHECK(k.value.empty());
}

TEST_CASE("a shuffled keypad: the same seed gives the same order, each digit once") {
  std::array<char, 10> a{'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
  auto b = a;
  auto c = a;
  ui::shuffle_digits(a, 77);
  ui::shuffle_digits(b, 77);
  ui::shuffle_digits(c, 78);
  CHECK(a == b);
  CHECK(a != c);
  std::set<char> digits(a.begin(), a.end());
  CHECK(digits.size() == 10);

  ui_test::UiHarness h;
  ui::KeypadScratch k;
  auto draw = [&](ui::Ctx& ctx) {
    ui::keypad(ctx, "pin.keypad", ImRect(ImVec2(560, 300), ImVec2(1360, 900)), k,
               {.shuffle = true, .seed = 77});
  };
  h.settle_with(draw);
  CHECK(k.order == a);
  // Every digit is still there to tap, by its own key, wherever it landed.
  for (char d = '0'; d <= '9'; ++d) CHECK(h.widgets().tap_point(std::string("pin.keypad.d") + d).has_value());
}

TEST_CASE("every text colour pair meets 4.5:1") {
  for (const auto& p : ui::contrast_pairs())
    CHECK_MESSAGE(ui::contrast(p.text, p.background) >= 4.5,
                  p.what << ": " << ui::contrast(p.text, p.background));
  CHECK(ui::contrast({0, 0, 0}, {255, 255, 255}) == doctest::Approx(21.0));
}

TEST_CASE("the layout rules catch wide text, small targets, overlaps, repeats and off-screen widgets") {
  ui::WidgetRegistry r;
  auto add = [&](std::string key, ImRect rect, std::string text, ImVec2 size, ImVec2 room, bool interactive) {
    ui::WidgetInfo w;
    w.key = std::move(key);
    w.rect = rect;
    w.visible = rect;
    w.text = std::move(text);
    w.text_size = size;
    w.text_room = room;
    w.interactive = interactive;
    r.add(std::move(w));
  };
  add("ok.button", ImRect(ImVec2(0, 0), ImVec2(200, 80)), "OK", ImVec2(40, 30), ImVec2(144, 72), true);
  CHECK(ui::check_layout(r, ImVec2(1920, 1080)).empty());
  add("wide.text", ImRect(ImVec2(0, 200), ImVec2(100, 240)), "Renew certificate", ImVec2(230, 30),
      ImVec2(100, 40), false);
  add("small.button", ImRect(ImVec2(300, 0), ImVec2(340, 40)), "", {}, {}, true);
  add("over.button", ImRect(ImVec2(100, 40), ImVec2(260, 120)), "", {}, {}, true);
  add("ok.button", ImRect(ImVec2(0, 900), ImVec2(200, 980)), "", {}, {}, true);
  add("off.screen", ImRect(ImVec2(1900, 0), ImVec2(2000, 80)), "", {}, {}, false);
  const auto problems = ui::check_layout(r, ImVec2(1920, 1080));
  std::string all;
  for (const auto& p : problems) all += ui::to_string(p) + "\n";
  CHECK(all.find("wide.text: text") != std::string::npos);
  CHECK(all.find("small.button: touch target") != std::string::npos);
  CHECK(all.find("overlaps over.button") != std::string::npos);
  CHECK(all.find("ok.button: the key is used by more than one widget") != std::string::npos);
  CHECK(all.find("off.screen: lies outside") != std::string::npos);
}
