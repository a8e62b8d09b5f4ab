// What a screen draws with: the current language's text, the fonts, the widget registry, textures, the
// layout, and the hand-off of secrets to the runtime. One per frame, made by the Shell; screens get it by
// reference next to their view-model and scratch:
//
//   std::optional<core::Event> draw_xxx(const XxxView&, XxxScratch&, Ctx&);
//
// A screen that collects a PIN or an SMS code on the keypad hands the buffer over with hand_over() and
// returns PinSubmitted / CodeSubmitted with the slot hand_over() gave: the app dispatches the event and
// the secret together (runtime::Dispatcher), so the secret never passes through the core, the model or
// ImGui, and one the core does not ask for is wiped at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "core/secret_slot.hpp"
#include "core/types.hpp"
#include "foundation/secret.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/image.hpp"
#include "ui/ime.hpp"
#include "ui/registry.hpp"

namespace ui {

struct SecretHandoff {
  core::SecretSlot slot;
  foundation::SecretBuffer secret;
};

// Where things go on this display. The layout works in the display's pixels: 1920×1080 landscape or
// 1080×1920 portrait at scale 1 (a smaller development window is scaled by the app, not re-laid out).
struct Layout {
  ImVec2 display{1920, 1080};
  core::Orientation orientation = core::Orientation::Landscape;
  ImRect top_bar;     // title, key status, language
  ImRect status;      // the key badge's own strip (portrait), else empty
  ImRect notice;      // under the bars: why 【维护】 cannot open now (staff only), else empty
  ImRect content;     // the screen's area
  ImRect banner;      // "请勿拔出KEY" when shown, else empty
  ImRect bottom_bar;  // back / home / help
  [[nodiscard]] bool portrait() const { return orientation == core::Orientation::Portrait; }
};

Layout make_layout(ImVec2 display, bool do_not_remove_banner, bool staff_notice = false);

class Ctx {
 public:
  Ctx(const Strings& text, FontBook& font_book, WidgetRegistry& registry, TextureSource& texture_source,
      Layout frame_layout)
      : fonts(font_book), widgets(registry), textures(texture_source), layout(frame_layout), text_(text) {}

  // The key's text in the current language; a missing key is drawn as itself and recorded.
  std::string_view tr(std::string_view key);
  // The key's text when the language has it (a value that may be a key or already words: a journal's
  // reason, a platform's code), else nullopt; nothing is recorded as missing.
  std::optional<std::string_view> tr_if(std::string_view key);
  // "text###key"
  std::string label(std::string_view key) { return label_id(tr(key), key); }

  // Takes the typed secret (the caller's buffer is left empty) and returns its slot, for the event.
  core::SecretSlot hand_over(core::SecretKind kind, foundation::SecretBuffer&& secret);
  std::vector<SecretHandoff> take_handoffs() { return std::move(handoffs_); }

  [[nodiscard]] const std::vector<std::string>& missing_keys() const { return missing_; }
  // When set (tests), every key tr() is asked for is added here.
  std::vector<std::string>* keys_seen = nullptr;

  // Kiosk settings screens need (from the configuration) and the session's random seed (keypad shuffle).
  struct Settings {
    bool shuffle_pin_keypad = false;
  } settings;
  std::uint32_t seed = 1;
  // The next slot number hand_over() gives (the Shell carries it from frame to frame).
  std::uint32_t next_secret_id = 1;
  // Chinese input for the on-screen keyboard (the app's engines); null when the kiosk has none.
  InputMethods* ime = nullptr;

  // 0 = the screen, 1 = an overlay over it (set by begin_overlay/end_overlay).
  int layer = 0;
  // Set between begin_list/end_list: widgets inside are clipped to it.
  bool in_list = false;
  ImRect list_clip;

  FontBook& fonts;
  WidgetRegistry& widgets;
  TextureSource& textures;
  Layout layout;

 private:
  const Strings& text_;
  std::vector<SecretHandoff> handoffs_;
  std::vector<std::string> missing_;
};

}  // namespace ui
