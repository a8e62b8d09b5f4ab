// Every widget drawn in a frame, by its message-key ID: where it is, what it says, how much room its text
// had. The headless harness taps a widget by key ("tap home.renew" → the centre of its visible part), and
// check_layout() holds every screen to the touch rules: no text wider than its widget, touch targets big
// enough, nothing off screen, no two buttons on top of each other, each key once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

namespace ui {

enum class WidgetKind { Button, Text, Title, Field, Badge, List, Image };

struct WidgetInfo {
  std::string key;  // the part after ### ("home.renew")
  ImGuiID id = 0;   // ImGui's ID for it (stable across a language switch)
  ImRect rect;      // screen rectangle
  ImRect visible;   // the part not clipped away by a scrolling list
  WidgetKind kind = WidgetKind::Text;
  std::string text;        // as drawn
  ImVec2 text_size{0, 0};  // CalcTextSize at the font it was drawn with
  ImVec2 text_room{0, 0};  // the room the text had (FLT_MAX = unbounded)
  bool interactive = false;
  bool enabled = true;
  int layer = 0;         // 0 the screen, 1 an overlay above it
  bool in_list = false;  // inside a scrolling list (may be partly out of view)
};

class WidgetRegistry {
 public:
  void clear() { items_.clear(); }
  void add(WidgetInfo w) { items_.push_back(std::move(w)); }
  // The last widget registered under `key`, or null.
  [[nodiscard]] const WidgetInfo* find(std::string_view key) const;
  [[nodiscard]] const std::vector<WidgetInfo>& all() const { return items_; }
  // The point a synthetic tap on `key` aims at: the centre of its visible part, nullopt when not shown or
  // scrolled entirely out of view.
  [[nodiscard]] std::optional<ImVec2> tap_point(std::string_view key) const;

 private:
  std::vector<WidgetInfo> items_;
};

struct LayoutProblem {
  std::string key;
  std::string what;
};

struct LayoutRules {
  float touch_min = 60.0f;
  float slack = 0.5f;  // sub-pixel rounding
};

// Problems with one frame's widgets on a display of `display` size. Empty = the frame passes.
std::vector<LayoutProblem> check_layout(const WidgetRegistry& widgets, ImVec2 display,
                                        const LayoutRules& rules = {});

std::string to_string(const LayoutProblem& p);

}  // namespace ui
