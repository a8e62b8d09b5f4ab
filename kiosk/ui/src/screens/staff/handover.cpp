// 继续办理: staff handed a paid business back to its customer (【继续办理】 on the maintenance screen). The
// customer reads that staff reopened it, its business number, and to insert its KEY: the kiosk goes on by
// itself in the customer's own flow, with the customer's own PIN. While the KEY is read, that; when it is
// the wrong KEY or the business is finished, why (resume.error.*). 【返回首页】 is the chrome's.
//
// Widget keys: handover.title, handover.order, handover.insert (or handover.staff_key), handover.resuming,
// handover.error.
#include "staff_common.hpp"

namespace ui {

std::optional<core::Event> draw_handover(const HandoverView& v, HandoverScratch&, Ctx& c) {
  ImRect area = screen_title(c, "screen.handover.title", c.layout.content);
  const bool portrait = c.layout.portrait();
  ImRect col = portrait ? area : inset(area, area.GetWidth() * 0.12f, 0.0f);
  const float w = col.GetWidth();
  const ImRect icon = cut_top(col, 140.0f, metric::kPad);
  draw_icon(Icon::Key, centered(icon, ImVec2(140.0f, 140.0f)), color::kPrimary);
  const std::string_view title = c.tr("handover.title");
  paragraph(c, "handover.title", title,
            cut_top(col, paragraph_height(c, title, w, FontRole::Title), metric::kGap),
            {FontRole::Title, color::kText, Align::Center});
  const std::string order =
      format(c.tr("handover.order"), {{"id", elide(c, v.order_id, w * 0.7f, FontRole::Title)}});
  text_line(c, "handover.order", order, cut_top(col, 64.0f, metric::kPad),
            {FontRole::Title, color::kPrimary, Align::Center});

  auto para = [&](std::string_view key, std::string_view text, Rgb colour) {
    paragraph(c, key, text, cut_top(col, paragraph_height(c, text, w, FontRole::Body), metric::kGap),
              {FontRole::Body, colour, Align::Center});
  };
  if (v.resuming) {
    para("handover.resuming", c.tr("handover.resuming"), color::kPrimary);
    return std::nullopt;
  }
  // "Insert the KEY, then tap 继续操作" is the personal centre's: here the KEY alone goes on, so that
  // error is this screen's own instruction, in red.
  const bool insert_again = v.error_key == "resume.error.insert_key";
  if (v.staff_key_in)
    para("handover.staff_key", c.tr("handover.staff_key"), color::kOnWarning);
  else
    para("handover.insert", c.tr("handover.insert"), insert_again ? color::kDanger : color::kText);
  if (!v.error_key.empty() && !insert_again) {
    const std::string_view why = c.tr(v.error_key);
    notice(c, "handover.error", why, cut_top(col, notice_height(c, why, w), metric::kGap), NoticeKind::Error);
  }
  return std::nullopt;
}

}  // namespace ui
