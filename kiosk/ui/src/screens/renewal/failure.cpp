// 未能完成: what happened, why in the customer's words, and what to do next. A paid renewal that cannot be
// finished here (needs_staff) sends the customer to the counter with the business number, large; a
// failure that allows it offers 【重试】 (nothing done so far is lost).
#include <string>

#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_failure(const core::FailureView& v, FailureScratch&, Ctx& c) {
  std::optional<core::Event> out;
  const core::Failure& f = v.failure;
  ImRect area = c.layout.content;
  const Actions actions = action_row(c, area, c.tr(f.can_retry ? "failure.retry" : "failure.done"),
                                     f.can_retry ? c.tr("failure.done") : "");
  if (f.can_retry) {
    if (button(c, "failure.retry", actions.primary, {ButtonKind::Primary, FontRole::Title, true, false}))
      out = core::RetryTapped{};
    if (button(c, "failure.done", actions.secondary)) out = core::DoneTapped{};
  } else if (button(c, "failure.done", actions.primary, {ButtonKind::Primary, FontRole::Title, true, false})) {
    out = core::DoneTapped{};
  }

  const float w = std::min(area.GetWidth(), 1300.0f);
  ImRect col = centered(area, ImVec2(w, area.GetHeight()));
  draw_icon(Icon::Warning, centered(cut_top(col, 120.0f, metric::kGap), ImVec2(120, 120)),
            f.needs_staff ? color::kDanger : color::kOnWarning);
  const std::string_view title = c.tr(f.title_key.empty() ? "screen.failure.title" : f.title_key);
  paragraph(c, "failure.title", title, cut_top(col, paragraph_height(c, title, w, FontRole::Title), metric::kGap),
            {FontRole::Title, color::kText, Align::Center});
  if (!f.body_key.empty()) {
    const std::string_view body = c.tr(f.body_key);
    notice(c, "failure.body", body, cut_top(col, notice_height(c, body, w), metric::kGap),
           f.needs_staff ? NoticeKind::Error : NoticeKind::Warning);
  }
  if (!f.next_key.empty()) {
    const std::string_view next = c.tr(f.next_key);
    paragraph(c, "failure.next", next, cut_top(col, paragraph_height(c, next, w, FontRole::Body), metric::kGap),
              {FontRole::Body, color::kText, Align::Center});
  }
  if (v.paid && !f.needs_staff) {
    const std::string_view paid = c.tr("failure.paid_note");
    paragraph(c, "failure.paid_note", paid, cut_top(col, paragraph_height(c, paid, w, FontRole::Body), metric::kGap),
              {FontRole::Body, color::kOk, Align::Center});
  }
  if (f.needs_staff && !v.order_id.empty()) {
    // The business number, large: the counter finds everything by it.
    ImRect box = cut_top(col, 120.0f, metric::kGap);
    fill(box, color::kSurface, metric::kRounding);
    outline(box, color::kDanger, metric::kRounding, 3.0f);
    ImRect in = inset(box, 24.0f, 8.0f);
    text_line(c, "failure.order.label", c.tr("failure.order_no"), cut_top(in, 40.0f),
              {FontRole::Body, color::kTextMuted, Align::Center});
    text_line(c, "failure.order", v.order_id, in, {FontRole::Title, color::kText, Align::Center});
    // What is true now: the counter has it, or not yet (the kiosk keeps telling the platform by itself).
    if (f.told == core::Failure::Told::Yes) {
      text_line(c, "failure.recorded", c.tr("failure.recorded"), cut_top(col, 44.0f, 8.0f),
                {FontRole::Body, color::kOk, Align::Center});
    } else if (f.told == core::Failure::Told::NotYet) {
      const std::string_view not_yet = c.tr("failure.not_yet_told");
      paragraph(c, "failure.not_yet_told", not_yet,
                cut_top(col, paragraph_height(c, not_yet, w, FontRole::Body), 8.0f),
                {FontRole::Body, color::kTextMuted, Align::Center});
    }
  }
  if (!f.detail.empty()) {
    // For staff, small; left out when the screen has no room for it (the journal and the log have it).
    const std::string detail = format(c.tr("failure.detail"), {{"detail", f.detail}});
    const float dh = paragraph_height(c, detail, w, FontRole::Body);
    if (dh <= col.GetHeight() && wrap_text(c.fonts.font(FontRole::Body), detail, w).overflow == 0.0f)
      paragraph(c, "failure.detail", detail, cut_top(col, dh), {FontRole::Body, color::kTextMuted, Align::Center});
  }
  return out;
}

}  // namespace ui
