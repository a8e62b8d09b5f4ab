// KEY已拔出: the key left in the middle of the renewal. The same key put back resumes (before the
// rollover: read again; during it: the PIN again, then from where it stopped); another key is refused.
#include <string>

#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_key_pulled(const core::KeyPulledView& v, KeyPulledScratch&, Ctx& c) {
  ImRect area = screen_title(c, "screen.key_pulled.title", c.layout.content);
  const float w = std::min(area.GetWidth(), 1300.0f);
  ImRect col = centered(area, ImVec2(w, area.GetHeight()));
  draw_icon(v.other_key ? Icon::Warning : Icon::Key, centered(cut_top(col, 180.0f, metric::kGap), ImVec2(180, 180)),
            v.other_key ? color::kDanger : color::kPrimary);
  const std::string_view head = c.tr(v.other_key ? "keypulled.other_key.title" : "keypulled.body");
  paragraph(c, "keypulled.head", head, cut_top(col, paragraph_height(c, head, w, FontRole::Title), metric::kGap),
            {FontRole::Title, v.other_key ? color::kDanger : color::kText, Align::Center});
  const std::string_view what = c.tr(v.other_key ? "keypulled.other_key" : v.mid_rollover ? "keypulled.mid_rollover"
                                                                                          : "keypulled.reinsert");
  paragraph(c, "keypulled.what", what, cut_top(col, paragraph_height(c, what, w, FontRole::Body), metric::kGap),
            {FontRole::Body, color::kText, Align::Center});
  if (!v.order_id.empty())
    text_line(c, "keypulled.order", format(c.tr("keypulled.order"), {{"id", v.order_id}}), cut_top(col, 48.0f),
              {FontRole::Body, color::kTextMuted, Align::Center});
  return std::nullopt;
}

}  // namespace ui
