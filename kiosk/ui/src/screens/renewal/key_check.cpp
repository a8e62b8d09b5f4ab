// 读取KEY: the key is read and checked at 【开始续费】, before any money (docs/architecture.md, "The renewal
// engine"). While it reads: what is happening; when something stops the renewal: what is wrong in words
// (driver, brand, renewal window, locked PIN …) in red, what to do, and 【读取证书】 to read again.
#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_key_check(const core::KeyCheckView& v, KeyCheckScratch&, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = screen_title(c, "screen.key_check.title", c.layout.content);
  const bool problem = !v.reading && !v.problem_key.empty();
  const Actions actions = action_row(c, area, c.tr("keycheck.read"), c.tr("keycheck.choose_again"));
  if (button(c, "keycheck.read", actions.primary, {ButtonKind::Primary, FontRole::Title, !v.reading, false}))
    out = core::ReadKeyTapped{};
  if (button(c, "keycheck.choose_again", actions.secondary)) out = core::BackTapped{};

  const float w = std::min(area.GetWidth(), 1400.0f);
  ImRect col(area.Min, ImVec2(area.Min.x + w, area.Max.y));
  if (!v.product_title.empty())
    text_line(c, "keycheck.product", format(c.tr("keycheck.product"), {{"title", v.product_title}}),
              cut_top(col, 52.0f, metric::kGap), {FontRole::Body, color::kTextMuted, Align::Left});
  ImRect icon_row = cut_top(col, 96.0f, metric::kGap);
  draw_icon(problem ? Icon::Warning : Icon::Key, cut_left(icon_row, 96.0f, metric::kGap),
            problem ? color::kDanger : color::kPrimary);
  std::string_view status_key = "keycheck.reading";
  if (!v.reading) status_key = problem ? "keycheck.problem" : "keycheck.ok";
  if (!v.key_present && !v.reading) status_key = "keycheck.insert";
  text_line(c, "keycheck.status", c.tr(status_key), icon_row,
            {FontRole::Title, problem ? color::kDanger : color::kText, Align::Left});

  if (problem) {
    const std::string_view why = c.tr(v.problem_key);
    notice(c, "keycheck.why", why, cut_top(col, notice_height(c, why, col.GetWidth()), metric::kGap),
           NoticeKind::Error);
    const std::string next = format(c.tr("keycheck.next"), {{"brand", v.expected_brand}});
    paragraph(c, "keycheck.next", next, cut_top(col, paragraph_height(c, next, col.GetWidth(), FontRole::Body)),
              {FontRole::Body, color::kText, Align::Left});
  } else if (v.reading) {
    paragraph(c, "keycheck.wait", c.tr("keycheck.wait"),
              cut_top(col, paragraph_height(c, c.tr("keycheck.wait"), col.GetWidth(), FontRole::Body)),
              {FontRole::Body, color::kTextMuted, Align::Left});
  }
  return out;
}

}  // namespace ui
