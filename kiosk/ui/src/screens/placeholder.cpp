// A renewal step whose screen is not built yet: its title and a plain note, so the flow can be walked.
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_placeholder(const PlaceholderView& v, Ctx& c) {
  ImRect area = screen_title(c, screen_title_key(v.screen), c.layout.content);
  paragraph(c, "placeholder.body", c.tr("placeholder.body"), cut_top(area, 120.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  return std::nullopt;
}

}  // namespace ui
