// 我的业务: the customer's business from the platform, merged with this kiosk's
// journal, newest first, in a list that scrolls by dragging: product, date, amount, status. An unfinished
// renewal (paid but not issued, issued but not installed, installed but not confirmed) has 【继续操作】: it
// asks for the same key and resumes where it stopped. Business waiting for the counter says what to do.
//
// Widget keys: business.list; per row i (0 = newest): business.row.i.title, business.row.i.details (order
// number, date, amount, years), business.row.i.stopped (begun here: where it stopped), business.row.i.staff
// (what to do at the counter), business.row.i.status, business.continue.i; business.resume_error,
// business.resuming, business.empty, business.loading.
#include <algorithm>
#include <string>

#include "account_common.hpp"

namespace ui {
namespace {

std::string_view status_key(core::OrderStatus s) {
  switch (s) {
    case core::OrderStatus::PendingPayment:
      return "business.status.pending_payment";
    case core::OrderStatus::Paid:
      return "business.status.paid";
    case core::OrderStatus::Issued:
      return "business.status.issued";
    case core::OrderStatus::Installed:
      return "business.status.installed";
    case core::OrderStatus::Closed:
      return "business.status.closed";
    case core::OrderStatus::Expired:
      return "business.status.expired";
    case core::OrderStatus::NeedsStaff:
      return "business.status.needs_staff";
    case core::OrderStatus::RefundRequested:
      return "business.status.refund_requested";
  }
  return "business.status.closed";
}

Rgb status_color(const core::BusinessRow& r) {
  if (r.status == core::OrderStatus::NeedsStaff) return color::kDanger;
  if (r.can_continue) return color::kOnWarning;
  if (r.status == core::OrderStatus::Installed) return color::kOk;
  return color::kTextMuted;
}

}  // namespace

std::optional<core::Event> draw_my_business(const core::MyBusinessView& v, MyBusinessScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  bool logout = false;
  ImRect area = account::title_row(c, "screen.my_business.title", c.layout.content, logout);
  if (logout) out = core::LogoutTapped{};

  // What the last 【继续操作】 found, above the list.
  if (v.resuming) {
    const float h = paragraph_height(c, c.tr("business.resuming"), area.GetWidth(), FontRole::Body);
    paragraph(c, "business.resuming", c.tr("business.resuming"), cut_top(area, h, metric::kGap * 0.5f),
              {FontRole::Body, color::kPrimary, Align::Left});
  } else if (!v.resume_error_key.empty()) {
    const std::string_view text = c.tr(v.resume_error_key);
    const float h = paragraph_height(c, text, area.GetWidth(), FontRole::Body);
    paragraph(c, "business.resume_error", text, cut_top(area, h, metric::kGap * 0.5f),
              {FontRole::Body, color::kDanger, Align::Left});
  }
  if (v.loading || !v.error_key.empty() || v.rows.empty()) {
    const std::string_view key = v.loading              ? "business.loading"
                                 : !v.error_key.empty() ? "business.error"
                                                        : "business.empty";
    fill(area, color::kSurface, metric::kRounding);
    ImRect box = inset(area, metric::kPad);
    if (!v.error_key.empty() && !v.loading) {
      const std::string_view why = c.tr(v.error_key);
      const float h = paragraph_height(c, why, box.GetWidth(), FontRole::Body);
      paragraph(c, "business.error_detail", why, cut_top(box, h, metric::kGap),
                {FontRole::Body, color::kDanger, Align::Left});
    }
    paragraph(c, key, c.tr(key), box, {FontRole::Body, color::kTextMuted, Align::Left});
    return out;
  }

  begin_list(c, "business.list", area, s.list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  const float pad = 28.0f;
  const float button_w = std::max(button_width(c, c.tr("business.continue"), FontRole::Body), 260.0f);
  for (std::size_t i = 0; i < v.rows.size(); ++i) {
    const core::BusinessRow& r = v.rows[i];
    const std::string row = "business.row." + std::to_string(i);
    const std::string details = format(c.tr("business.details"), {{"order", r.order_id},
                                                                  {"date", format_cst(r.created_at)},
                                                                  {"amount", format_yuan(r.amount)},
                                                                  {"years", std::to_string(r.years)}});
    const bool staff = r.status == core::OrderStatus::NeedsStaff;
    std::string staff_text;
    if (staff)  // the platform's next step for the customer, else ours
      staff_text =
          std::string(c.tr(r.needs_staff_reason.empty() ? std::string_view("business.needs_staff.next")
                                                        : std::string_view(r.needs_staff_reason)));
    const float text_w = width - 2 * pad - button_w - metric::kGap;
    const float details_h = paragraph_height(c, details, text_w, FontRole::Body);
    const float staff_h = staff ? paragraph_height(c, staff_text, text_w, FontRole::Body) + 8.0f : 0.0f;
    // Begun on this kiosk: where it stopped (from the journal).
    const std::string stopped_text =
        r.stopped_at_key.empty()
            ? std::string()
            : format(c.tr("business.stopped"), {{"step", std::string(c.tr(r.stopped_at_key))}});
    const float stopped_h =
        stopped_text.empty() ? 0.0f : paragraph_height(c, stopped_text, text_w, FontRole::Body) + 8.0f;
    const float left_h = 52.0f + details_h + stopped_h + staff_h;
    const float right_h = 52.0f + 8.0f + (r.can_continue ? metric::kButtonH : 0.0f);
    ImRect card = list_row(c, pad + std::max(left_h, right_h) + pad);
    card.Max.x = card.Min.x + width;
    fill(card, color::kSurface, metric::kRounding);
    ImRect inner = inset(card, pad);
    ImRect right = cut_right(inner, button_w, metric::kGap);
    text_line(c, row + ".title", r.product_title, cut_top(inner, 52.0f),
              {FontRole::Body, color::kText, Align::Left});
    paragraph(c, row + ".details", details, cut_top(inner, details_h, 8.0f),
              {FontRole::Body, color::kTextMuted, Align::Left});
    if (!stopped_text.empty())
      paragraph(c, row + ".stopped", stopped_text, cut_top(inner, stopped_h - 8.0f, 8.0f),
                {FontRole::Body, color::kTextMuted, Align::Left});
    if (staff) paragraph(c, row + ".staff", staff_text, inner, {FontRole::Body, color::kDanger, Align::Left});
    text_line(c, row + ".status", c.tr(status_key(r.status)), cut_top(right, 52.0f, 8.0f),
              {FontRole::Body, status_color(r), Align::Center});
    if (r.can_continue) {
      const std::string label(c.tr(r.resuming ? "business.continuing" : "business.continue"));
      if (button_text(c, "business.continue." + std::to_string(i), label, cut_top(right, metric::kButtonH),
                      {ButtonKind::Primary, FontRole::Body, !v.resuming, false}))
        out = core::ContinueBusinessTapped{r.order_id};
    }
    list_row(c, metric::kGap * 0.5f);  // room between the cards
  }
  end_list(c, s.list);
  return out;
}

}  // namespace ui
