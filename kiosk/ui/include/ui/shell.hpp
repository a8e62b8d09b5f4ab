// The shell: one frame of the kiosk from the model. The app (or a test) sets ImGui's display size, time
// step and pointer, calls frame(), renders ImGui's draw data, and then dispatches the events, each with the
// secrets whose slots it names (runtime::Dispatcher).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/model.hpp"
#include "ui/ctx.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/image.hpp"
#include "ui/registry.hpp"
#include "ui/scratch.hpp"

namespace ui {

struct ShellOptions {
  bool shuffle_pin_keypad = false;
  // A fresh random seed for each new session's scratch (keypad shuffle). Tests give a fixed one.
  std::function<std::uint32_t()> seed = [] { return 1u; };
  // Pinyin and handwriting for the on-screen keyboard (owned by the app; may be null).
  InputMethods* ime = nullptr;
  // Drawn last, above everything (the demo's panel, `ca-kiosk --demo` only); its widgets on layer 2.
  std::function<void(Ctx&, const core::Model&)> demo_panel;
};

struct FrameResult {
  std::vector<SecretHandoff> secrets;  // each goes with the event that names its slot
  std::vector<core::Event> events;     // to core::update, in order
};

// Sets what every kiosk ImGui context needs: no .ini or log files, no keyboard navigation, the style.
void configure_imgui(ImGuiIO& io, ImGuiStyle& style);

class Shell {
 public:
  Shell(const I18n& i18n, FontBook& fonts, TextureSource& textures, ShellOptions options = {});

  // NewFrame → the chrome, the current screen, the idle overlay → Render.
  FrameResult frame(const core::Model& m);

  [[nodiscard]] const WidgetRegistry& widgets() const { return widgets_; }
  [[nodiscard]] const Layout& layout() const { return layout_; }
  // Keys the last frame asked for that the language has not got.
  [[nodiscard]] const std::vector<std::string>& missing_keys() const { return missing_; }
  // The current session's scratch (tests look inside; the app never needs to).
  [[nodiscard]] SessionScratch* scratch() { return scratch_.get(); }

 private:
  const I18n& i18n_;
  FontBook& fonts_;
  TextureSource& textures_;
  ShellOptions options_;
  WidgetRegistry widgets_;
  Layout layout_;
  std::vector<std::string> missing_;
  std::unique_ptr<SessionScratch> scratch_;
  std::uint32_t next_secret_id_ = 1;
};

}  // namespace ui
