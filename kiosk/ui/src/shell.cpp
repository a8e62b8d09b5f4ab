#include "ui/shell.hpp"

#include "core/view.hpp"
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

void configure_imgui(ImGuiIO& io, ImGuiStyle& style) {
  io.IniFilename = nullptr;  // no files: kiosk/ui does no I/O, and nothing of a session may persist
  io.LogFilename = nullptr;
  io.ConfigFlags &= ~(ImGuiConfigFlags_NavEnableKeyboard | ImGuiConfigFlags_NavEnableGamepad);
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
  io.MouseDrawCursor = false;
  io.ConfigInputTextCursorBlink = false;  // a blinking cursor would need frames while idle
  io.MouseDragThreshold = metric::kTapSlop;
  apply_style(style);
}

Shell::Shell(const I18n& i18n, FontBook& fonts, TextureSource& textures, ShellOptions options)
    : i18n_(i18n), fonts_(fonts), textures_(textures), options_(std::move(options)) {}

FrameResult Shell::frame(const core::Model& m) {
  if (!scratch_ || scratch_->session != m.session) {
    // Replaced, not cleared: the old struct (and every SecretBuffer in it) is destroyed and zeroed.
    scratch_.reset();
    scratch_ = std::make_unique<SessionScratch>(m.session, options_.seed ? options_.seed() : 1u);
  }
  widgets_.clear();
  ImGui::NewFrame();
  const core::ChromeView chrome = core::chrome_view(m);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  layout_ = make_layout(display, chrome.do_not_remove_key, !chrome.staff_entry_refused_key.empty());
  Ctx c(i18n_.of(chrome.language), fonts_, widgets_, textures_, layout_);
  c.settings.shuffle_pin_keypad = options_.shuffle_pin_keypad;
  c.seed = scratch_->seed;
  c.next_secret_id = next_secret_id_;
  c.ime = options_.ime;

  FrameResult result;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  ImGui::Begin("###kiosk.screen", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoNav |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
  // No window background: the renderer clears to the background colour, and a second full-screen fill
  // would cost the software rasteriser a whole 1080p pass per frame.
  auto chrome_events = draw_chrome(chrome, chrome_extras(m), scratch_->chrome, c);
  auto screen_event = draw_screen(m, *scratch_, c);
  ImGui::End();
  std::optional<core::Event> overlay_event;
  if (chrome.idle_overlay) overlay_event = draw_idle_overlay(IdleOverlayView{chrome.idle_seconds_left}, c);
  if (options_.demo_panel) {
    c.layer = 2;
    options_.demo_panel(c, m);
    c.layer = 0;
  }
  ImGui::Render();

  for (auto& e : chrome_events) result.events.push_back(std::move(e));
  if (screen_event) result.events.push_back(std::move(*screen_event));
  if (overlay_event) result.events.push_back(std::move(*overlay_event));
  result.secrets = c.take_handoffs();
  next_secret_id_ = c.next_secret_id;
  missing_ = c.missing_keys();
  return result;
}

}  // namespace ui
