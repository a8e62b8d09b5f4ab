// Help: the questions a customer asks at the counter, in a list that scrolls by dragging.
#include <string>

#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_help(const HelpView&, HelpScratch& s, Ctx& c) {
  ImRect area = screen_title(c, "help.title", c.layout.content);
  begin_list(c, "help.list", area, s.list);
  const float pad = 32.0f;
  // Leave room for the scroll bar at the right.
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  for (int i = 1; i <= kHelpQuestions; ++i) {
    const std::string q = "help.q" + std::to_string(i);
    const std::string a = "help.a" + std::to_string(i);
    const float text_w = width - 2 * pad;
    const float qh = paragraph_height(c, c.tr(q), text_w, FontRole::Body);
    const float ah = paragraph_height(c, c.tr(a), text_w, FontRole::Body);
    ImRect card = list_row(c, pad + qh + 12.0f + ah + pad);
    card.Max.x = card.Min.x + width;
    fill(card, color::kSurface, metric::kRounding);
    ImRect inner = inset(card, pad);
    paragraph(c, q, c.tr(q), cut_top(inner, qh, 12.0f), {FontRole::Body, color::kPrimary, Align::Left});
    paragraph(c, a, c.tr(a), inner, {FontRole::Body, color::kText, Align::Left});
  }
  end_list(c, s.list);
  return std::nullopt;
}

}  // namespace ui
