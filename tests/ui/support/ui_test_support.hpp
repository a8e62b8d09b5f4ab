// Drawing kiosk screens in tests without SDL: an ImGui context with the kiosk's real fonts and language
// files, the Shell, and a synthetic pointer. Every screen test uses it the same way:
//
//   ui_test::UiHarness h;                       // 1920×1080, fonts from build/assets, text from assets/
//   core::Model m = ...;                        // the state to draw (core::update from a scripted history)
//   for (const auto& p : ui_test::check_all_layouts(h, m)) FAIL_CHECK(p);   // both languages × orientations
//   auto events = h.tap(m, "home.renew");       // press + release on the widget, as a finger would
//
// check_all_layouts() is the rule every screen must pass: no text wider than its widget, touch targets
// ≥ 60 px, nothing off screen or overlapping, no missing text, and widget IDs that stay the same when the
// language changes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <imgui.h>

#include "core/events.hpp"
#include "core/model.hpp"
#include "ime.hpp"
#include "ui/ctx.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/image.hpp"
#include "ui/input.hpp"
#include "ui/registry.hpp"
#include "ui/shell.hpp"

namespace ui_test {

// assets/ in the source tree (language files) and build/assets (fonts made at build time).
std::string source_assets();
std::string build_assets();
std::vector<unsigned char> read_bytes(const std::string& path);
// Every language file of assets/i18n, merged per language (as the app loads them).
ui::I18n load_i18n();
// The file names of one language in assets/i18n ("account.zh-CN.json", "zh-CN.json"), sorted.
std::vector<std::string> language_files(core::Language language);

class UiHarness {
 public:
  explicit UiHarness(ImVec2 display = ImVec2(1920, 1080));
  ~UiHarness();
  UiHarness(const UiHarness&) = delete;
  UiHarness& operator=(const UiHarness&) = delete;

  void set_display(ImVec2 display) { display_ = display; }
  [[nodiscard]] ImVec2 display() const { return display_; }

  // One frame of `m`: the pointer's next state, NewFrame → Render. Rebuilds the atlas first when the last
  // frame asked for characters it lacked (as the app does between frames).
  ui::FrameResult frame(const core::Model& m);
  // Frames until the pointer queue is empty and ImGui has settled; the events of all of them. The secrets
  // those frames handed over are kept for take_secrets().
  std::vector<core::Event> settle(const core::Model& m, int frames = 4);
  std::vector<ui::SecretHandoff> take_secrets() { return std::exchange(secrets_, {}); }

  // A bare frame for widget tests: one full-screen window, a Ctx in `language`, `draw` inside it.
  void frame_with(const std::function<void(ui::Ctx&)>& draw, core::Language language = core::Language::ZhCN);
  // frame_with until the pointer queue is empty (plus `frames`).
  void settle_with(const std::function<void(ui::Ctx&)>& draw, int frames = 4);

  void pointer(ui::PointerEvent e) { pointer_.push(e); }
  // A finger's tap on the widget registered under `key` in the last frame (its visible centre); the
  // events of the frames until settled. Fails the test when the widget is not there.
  std::vector<core::Event> tap(const core::Model& m, std::string_view key);
  std::vector<core::Event> tap_at(const core::Model& m, ImVec2 p);
  // Press at `from`, move by `by` in steps (one frame each), release.
  std::vector<core::Event> drag(const core::Model& m, ImVec2 from, ImVec2 by, int steps = 10);

  [[nodiscard]] const ui::WidgetRegistry& widgets() const {
    return last_was_bare_ ? bare_widgets_ : shell_->widgets();
  }
  // check_layout() on the last frame plus keys with no text in the current language.
  [[nodiscard]] std::vector<std::string> problems() const;

  ui::Shell& shell() { return *shell_; }
  ui::FontBook& fonts() { return *fonts_; }
  ui::NullTextures& textures() { return textures_; }
  app::ImeEngines& ime() { return *ime_; }  // the app's pinyin and handwriting engines
  const ui::I18n& i18n() const { return i18n_; }
  // The messages the fonts and the input engines recorded in the event log, oldest first.
  std::vector<std::string> log() const {
    std::vector<std::string> out;
    for (const auto& e : events_.last(events_.capacity())) out.push_back(e.message);
    return out;
  }

 private:
  events::EventLog events_;  // before the parts that record in it
  ImGuiContext* ctx_ = nullptr;
  ImVec2 display_;
  ui::I18n i18n_;
  std::vector<unsigned char> start_font_;
  std::vector<unsigned char> extended_font_;
  std::unique_ptr<ui::FontBook> fonts_;
  ui::NullTextures textures_;
  std::unique_ptr<app::ImeEngines> ime_;
  std::unique_ptr<ui::Shell> shell_;
  ui::PointerInput pointer_;
  ui::WidgetRegistry bare_widgets_;
  bool last_was_bare_ = false;
  std::vector<ui::SecretHandoff> secrets_;
};

// Draws `m` in zh-CN and en, landscape and portrait; each problem is prefixed with the case
// ("en 1080x1920: home.renew: text ... is wider ..."). Also fails when an interactive widget's ImGui ID
// differs between the languages, or a widget is drawn in one language and not the other.
std::vector<std::string> check_all_layouts(UiHarness& h, core::Model m);

// A model at rest on `screen`: its phase as it is when nothing has happened in it yet (home, help, ...; a
// renewal or personal-centre screen with empty data).
core::Model model_on(core::Screen screen, core::Language language = core::Language::ZhCN);

}  // namespace ui_test
