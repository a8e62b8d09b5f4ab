// "您还在吗？": over any screen when nobody has touched it for the idle time; 【继续】 keeps the session,
// the countdown's end wipes it (the core decides both).
#include <string>

#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_idle_overlay(const IdleOverlayView& v, Ctx& c) {
  std::optional<core::Event> out;
  const float w = c.layout.portrait() ? 960.0f : 1040.0f;
  ImRect card = inset(begin_overlay(c, "idle.overlay", ImVec2(w, 600.0f)), 56.0f, 48.0f);
  // The seconds left, large, in a ring: the one thing to see from a step away.
  const std::string seconds = std::to_string(v.seconds_left);
  const ImRect ring = centered(cut_top(card, 128.0f, metric::kGap), ImVec2(128, 128));
  ImGui::GetWindowDrawList()->AddCircle(ring.GetCenter(), 60.0f, to_u32(color::kPrimary), 48, 8.0f);
  text_line(c, "idle.seconds", seconds, ring, {FontRole::Title, color::kPrimary, Align::Center});
  text_line(c, "idle.title", c.tr("idle.title"), cut_top(card, 64.0f, metric::kGap),
            {FontRole::Title, color::kText, Align::Center});
  const ImRect button_row = cut_bottom(card, metric::kPrimaryH, metric::kGap);
  paragraph(c, "idle.body", format(c.tr("idle.body"), {{"seconds", seconds}}), card,
            {FontRole::Body, color::kText, Align::Center});
  if (button(c, "idle.continue", centered(button_row, ImVec2(520.0f, metric::kPrimaryH)),
             {ButtonKind::Primary, FontRole::Title, true, false}))
    out = core::ContinueTapped{};
  end_overlay(c);
  return out;
}

}  // namespace ui
