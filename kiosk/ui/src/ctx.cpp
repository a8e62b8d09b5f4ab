#include "ui/ctx.hpp"

#include <algorithm>

#include "ui/style.hpp"

namespace ui {

Layout make_layout(ImVec2 display, bool do_not_remove_banner, bool staff_notice) {
  Layout l;
  l.display = display;
  l.orientation = display.x >= display.y ? core::Orientation::Landscape : core::Orientation::Portrait;
  const float w = display.x;
  const float h = display.y;
  float y = 0;
  l.top_bar = ImRect(ImVec2(0, 0), ImVec2(w, metric::kTopBarH));
  y = metric::kTopBarH;
  if (l.portrait()) {
    // 1080 px is too narrow for the title, the key badge and the language switch on one line: the badge
    // gets its own strip right under the bar, still at the top of every screen.
    l.status = ImRect(ImVec2(0, y), ImVec2(w, y + 80.0f));
    y += 80.0f;
  }
  if (staff_notice) {
    // Two lines of body text: under the bars, so it pushes the screen down instead of covering it.
    l.notice = ImRect(ImVec2(0, y), ImVec2(w, y + 100.0f));
    y += 100.0f;
  }
  float bottom = h - metric::kBottomBarH;
  l.bottom_bar = ImRect(ImVec2(0, bottom), ImVec2(w, h));
  if (do_not_remove_banner) {
    l.banner = ImRect(ImVec2(0, bottom - 88.0f), ImVec2(w, bottom));
    bottom -= 88.0f;
  }
  l.content = ImRect(ImVec2(metric::kPad, y + metric::kPad),
                     ImVec2(w - metric::kPad, std::max(y + metric::kPad, bottom - metric::kGap)));
  return l;
}

std::string_view Ctx::tr(std::string_view key) {
  if (keys_seen) keys_seen->emplace_back(key);
  if (!text_.contains(key) && std::find(missing_.begin(), missing_.end(), key) == missing_.end())
    missing_.emplace_back(key);
  return text_.text(key);
}

std::optional<std::string_view> Ctx::tr_if(std::string_view key) {
  if (key.empty() || !text_.contains(key)) return std::nullopt;
  if (keys_seen) keys_seen->emplace_back(key);
  return text_.text(key);
}

core::SecretSlot Ctx::hand_over(core::SecretKind kind, foundation::SecretBuffer&& secret) {
  const core::SecretSlot slot{kind, next_secret_id++};
  handoffs_.push_back(SecretHandoff{slot, std::move(secret)});
  return slot;
}

}  // namespace ui
