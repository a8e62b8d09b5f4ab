// A service that is not open on this kiosk yet: say so plainly and where to go instead.
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_coming_soon(const ComingSoonView&, ComingSoonScratch&, Ctx& c) {
  ImRect area = c.layout.content;
  const float w = std::min(area.GetWidth(), 1000.0f);
  ImRect col = centered(area, ImVec2(w, 480.0f));
  draw_icon(Icon::Clock, centered(cut_top(col, 160.0f, metric::kPad), ImVec2(160, 160)), color::kPrimary);
  text_line(c, "coming_soon.title", c.tr("coming_soon.title"), cut_top(col, 64.0f, metric::kGap),
            {FontRole::Title, color::kText, Align::Center});
  paragraph(c, "coming_soon.body", c.tr("coming_soon.body"), col,
            {FontRole::Body, color::kTextMuted, Align::Center});
  return std::nullopt;
}

}  // namespace ui
