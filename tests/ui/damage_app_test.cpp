// The real app's software path draws only what changed (docs/kiosk.md, "Drawing only what changed"), and
// what it shows is what a whole frame would show: every screen in every state a customer meets, with a finger
// on its buttons, the idle overlay, the QR of a new order in the old one's texture, a font atlas rebuilt, at
// 1920×1080, 1080×1920 and 1366×768, each frame drawn in part compared byte for byte with the same frame
// drawn whole (AppConfig::check_damage). And the whole frames are ImGui's own SDL_Renderer backend's.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <variant>
#include "app.hpp"

#include "core/model.hpp"
#include "files.hpp"
#include "renewal_states.hpp"
#include "screen_states.hpp"
#include "ui_test_support.hpp"

namespace {

class QuietRuntime final : public runtime::Runtime {
 public:
  void run(const core::Effect&, std::uint64_t, runtime::Secrets) override {}
  void set_waker(std::function<void()>) override {}
  std::vector<core::Event> drain() override { return {}; }
  bool wait(int) override { return false; }
};

app::AppConfig headless(int w, int h) {
  app::AppConfig c;
  c.mode = app::DisplayMode::Headless;
  c.width = w;
  c.height = h;
  c.assets = app::load_assets(ui_test::build_assets());
  c.seed = [] { return 7u; };
  static events::EventLog quiet;  // no sink
  c.events = &quiet;
  return c;
}

std::uint64_t fnv(const ui::Image& img) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto b : img.rgba) h = (h ^ b) * 0x100000001b3ULL;
  return h;
}

// A finger on the widget (its centre), a frame or two, then off it and up: the button shows pressed and
// then not, and nothing is tapped (the release is elsewhere).
void press_and_slide_off(app::App& a, const std::string& key) {
  const auto p = a.widgets().tap_point(key);
  if (!p) return;
  a.pointer({ui::PointerEvent::Kind::Down, *p});
  a.settle();
  a.pointer({ui::PointerEvent::Kind::Move, ImVec2(2, 2)});
  a.pointer({ui::PointerEvent::Kind::Up, ImVec2(2, 2)});
  a.settle();
}

void report(const app::DamageStats& d) {
  for (const auto& m : d.mismatches) FAIL_CHECK(m);
  MESSAGE(d.frames << " frames: " << d.whole << " whole, " << d.nothing << " with nothing to draw, "
                   << d.checked << " drawn in part and compared, " << d.mismatched << " differ");
}

}  // namespace

TEST_CASE("every screen, a finger on its buttons, overlays and dialogs: drawn in part = drawn whole") {
  const auto states = ui_test::screen_states();
  REQUIRE(states.size() > 20);
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1080, 1920}, std::pair{1366, 768}}) {
    CAPTURE(w);
    QuietRuntime rt;
    auto config = headless(w, h);
    config.check_damage = true;
    app::App a(std::move(config), rt);
    a.settle();
    // All states at the design size; every third in the other two (the same code at other scales).
    for (std::size_t i = 0; i < states.size(); i += (w == 1920 ? 1 : 3)) {
      CAPTURE(states[i].name);
      a.replace_model(states[i].model);
      a.settle();
      int pressed = 0;
      for (const auto& widget : a.widgets().all()) {
        if (!widget.interactive || pressed == 2) continue;
        press_and_slide_off(a, widget.key);
        ++pressed;
      }
    }
    // The idle warning over a screen, its countdown, and the customer's touch that takes it away.
    for (const auto& s : states)
      if (s.name == "phone-countdown") a.replace_model(s.model);
    a.settle();
    a.advance(a.model().settings.idle_ms + 1000);
    a.settle();
    CHECK(a.model().idle_overlay);
    a.advance(2000);
    a.settle();
    a.pointer({ui::PointerEvent::Kind::Down, ImVec2(960, 100)});
    a.pointer({ui::PointerEvent::Kind::Up, ImVec2(960, 100)});
    a.settle();
    const auto& d = a.damage_stats();
    report(d);
    CHECK(d.mismatched == 0);
    CHECK(d.checked > 60);
  }
}

TEST_CASE("the QR of a new order replaces the old one's pixels in its texture, and is drawn") {
  const auto states = ui_test::renewal_states();
  const core::Model* payment = nullptr;
  for (const auto& s : states)
    if (s.name == "payment-qr") payment = &s.model;
  REQUIRE(payment);
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1366, 768}}) {
    QuietRuntime rt;
    auto config = headless(w, h);
    config.check_damage = true;
    app::App a(std::move(config), rt);
    a.replace_model(*payment);
    a.settle();
    const ui::Image before = a.screenshot();
    // The same screen and order list, a new code_url of the same length (a QR of the same size): the QR's
    // draw commands are the same, its pixels not.
    core::Model again = *payment;
    std::string& url = std::get<core::phase::Payment>(again.flow).order.code_url;
    REQUIRE(!url.empty());
    url.back() = url.back() == 'Z' ? 'Y' : 'Z';
    a.replace_model(again);
    a.settle();
    const auto& d = a.damage_stats();
    CHECK(d.checked >= 1);
    const ui::Image after = a.screenshot();
    CHECK(fnv(before) != fnv(after));
    report(d);
    CHECK(d.mismatched == 0);
  }
}

TEST_CASE("characters new to the atlas: the frame is drawn whole with the rebuilt font") {
  QuietRuntime rt;
  auto config = headless(1920, 1080);
  config.check_damage = true;
  app::App a(std::move(config), rt);
  const auto states = ui_test::renewal_states();
  for (const auto& s : states) {
    if (s.name != "keydetails-paid") continue;
    core::Model m = s.model;
    a.replace_model(m);
    a.settle();
    const auto whole = a.damage_stats().whole;
    std::get<core::phase::KeyDetails>(m.flow).paid.key.cert.holder = "龘靐齉";  // not in the start atlas
    a.replace_model(m);
    a.settle();
    CHECK(a.damage_stats().whole > whole);
  }
  report(a.damage_stats());
  CHECK(a.damage_stats().mismatched == 0);
}

TEST_CASE("the software path's whole frames are the pixels of ImGui's SDL_Renderer backend") {
  const auto states = ui_test::screen_states();
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1366, 768}}) {
    CAPTURE(w);
    std::vector<std::uint64_t> ours;
    std::vector<std::uint64_t> backend;
    for (const bool tracking : {true, false}) {
      QuietRuntime rt;
      auto config = headless(w, h);
      config.damage_tracking = tracking;
      app::App a(std::move(config), rt);
      for (std::size_t i = 0; i < states.size(); i += 4) {
        a.replace_model(states[i].model);
        a.settle();
        (tracking ? ours : backend).push_back(fnv(a.screenshot()));
      }
    }
    REQUIRE(ours.size() == backend.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      CAPTURE(states[i * 4].name);
      CHECK(ours[i] == backend[i]);
    }
  }
}
