// 确认订单: the payment method (WeChat Pay, the default), the list — picture, item, unit
// price, years, subtotal — the total, and the red 【提交】. A ¥0 item says it needs no payment.
#include <string>

#include "ui/renewal.hpp"

namespace ui {
namespace {

struct Columns {
  ImRect picture, item, price, years, subtotal;
};

Columns columns(ImRect row, float years_w) {
  Columns k;
  k.picture = cut_left(row, 200.0f, metric::kGap);
  k.subtotal = cut_right(row, 200.0f, metric::kGap);
  k.years = cut_right(row, years_w, metric::kGap);
  k.price = cut_right(row, 200.0f, metric::kGap);
  k.item = row;
  return k;
}

}  // namespace

std::optional<core::Event> draw_order_list(const core::OrderListView& v, OrderListScratch&, Ctx& c) {
  std::optional<core::Event> out;
  const bool portrait = c.layout.portrait();
  ImRect area = screen_title(c, "screen.order_list.title", c.layout.content);
  std::string submit_label(c.tr(v.submitting ? "order.submitting" : "order.submit"));
  const Actions actions = action_row(c, area, submit_label);
  // 【提交】 in red: the one way on from this screen.
  if (button_text(c, "order.submit", submit_label, actions.primary,
                  {ButtonKind::Danger, FontRole::Title, !v.submitting && !v.rows.empty(), false}))
    out = core::SubmitOrderTapped{};

  // ---- 支付方式 ----
  ImRect method_row = cut_top(area, metric::kButtonH, metric::kGap);
  text_line(c, "order.method.label", c.tr("order.method.label"), cut_left(method_row, 200.0f, metric::kGap),
            {FontRole::Body, color::kTextMuted, Align::Left});
  const std::string method = std::string(c.tr(v.payment_method_key)) + std::string(c.tr("order.method.default"));
  const float mw = std::min(button_width(c, method, FontRole::Body) + 20.0f, method_row.GetWidth());
  // The only method today: shown selected; tapping it changes nothing.
  const ImRect method_box = cut_left(method_row, mw);
  (void)card(c, "order.method", method_box, true);
  text_line(c, "order.method.name", method, inset(method_box, 14.0f, 0.0f),
            {FontRole::Body, color::kPrimary, Align::Center});

  // ---- 清单 ----
  text_line(c, "order.list.label", c.tr("order.list.label"), cut_top(area, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  const std::vector<int> years = v.allowed_years.empty() ? std::vector<int>{v.years} : v.allowed_years;
  const float year_button = 120.0f;
  const float years_w = std::max(200.0f, static_cast<float>(years.size()) * (year_button + 12.0f) - 12.0f);
  if (!portrait) {
    ImRect head = cut_top(area, 52.0f, 0.0f);
    fill(head, color::kSecondaryPressed, 0.0f);
    const Columns h = columns(inset(head, 20.0f, 0.0f), years_w);
    const TextStyle hs{FontRole::Body, color::kText, Align::Left};
    text_line(c, "order.col.picture", c.tr("order.col.picture"), h.picture, hs);
    text_line(c, "order.col.item", c.tr("order.col.item"), h.item, hs);
    text_line(c, "order.col.price", c.tr("order.col.price"), h.price, {FontRole::Body, color::kText, Align::Right});
    text_line(c, "order.col.years", c.tr("order.col.years"), h.years, {FontRole::Body, color::kText, Align::Center});
    text_line(c, "order.col.subtotal", c.tr("order.col.subtotal"), h.subtotal,
              {FontRole::Body, color::kText, Align::Right});
  }
  for (std::size_t i = 0; i < v.rows.size(); ++i) {
    const auto& row = v.rows[i];
    const std::string key = "order.row" + std::to_string(i);
    const float row_h = portrait ? 420.0f : 160.0f;
    ImRect r = cut_top(area, row_h, metric::kGap);
    fill(r, color::kSurface, portrait ? metric::kRounding : 0.0f);
    ImRect in = inset(r, 20.0f, 16.0f);
    const std::string price = money(row.unit_price);
    const std::string subtotal = money(row.subtotal);
    ImRect years_box;
    if (!portrait) {
      const Columns k = columns(in, years_w);
      product_picture(c, key + ".picture", row.picture, k.picture);
      paragraph(c, key + ".item", row.title,
                centered(k.item, ImVec2(k.item.GetWidth(),
                                        paragraph_height(c, row.title, k.item.GetWidth(), FontRole::Body))),
                {FontRole::Body, color::kText, Align::Left});
      text_line(c, key + ".price", price, k.price, {FontRole::Body, color::kText, Align::Right});
      text_line(c, key + ".subtotal", subtotal, k.subtotal, {FontRole::Title, color::kText, Align::Right});
      years_box = centered(k.years, ImVec2(years_w, metric::kButtonH));
    } else {
      ImRect top = cut_top(in, 130.0f, 12.0f);
      product_picture(c, key + ".picture", row.picture, cut_left(top, 200.0f, metric::kGap));
      paragraph(c, key + ".item", row.title,
                centered(top, ImVec2(top.GetWidth(), paragraph_height(c, row.title, top.GetWidth(), FontRole::Body))),
                {FontRole::Body, color::kText, Align::Left});
      auto line = [&](std::string_view label_key, const std::string& value, const std::string& k2, FontRole f) {
        ImRect l = cut_top(in, f == FontRole::Title ? 60.0f : 48.0f, 8.0f);
        text_line(c, k2 + ".label", c.tr(label_key), cut_left(l, 240.0f), {FontRole::Body, color::kTextMuted, Align::Left});
        text_line(c, k2, value, l, {f, color::kText, Align::Right});
      };
      line("order.col.price", price, key + ".price", FontRole::Body);
      ImRect yl = cut_top(in, metric::kButtonH, 8.0f);
      text_line(c, key + ".years.label", c.tr("order.col.years"), cut_left(yl, 240.0f),
                {FontRole::Body, color::kTextMuted, Align::Left});
      years_box = cut_right(yl, std::min(years_w, yl.GetWidth()));
      line("order.col.subtotal", subtotal, key + ".subtotal", FontRole::Title);
    }
    // 数量（年）: one toggle per allowed number of years.
    const auto cells = split_h(years_box, static_cast<int>(years.size()), 12.0f);
    for (std::size_t y = 0; y < years.size(); ++y) {
      const int n = years[y];
      const std::string label = format(c.tr("order.years"), {{"years", std::to_string(n)}});
      if (years.size() == 1) {
        text_line(c, "order.years." + std::to_string(n), label, cells[y], {FontRole::Body, color::kText, Align::Center});
        continue;
      }
      // The chosen number of years is filled, the others outlined.
      if (button_text(c, "order.years." + std::to_string(n), label, cells[y],
                      {n == v.years ? ButtonKind::Primary : ButtonKind::Secondary, FontRole::Body, !v.submitting,
                       n == v.years}) &&
          n != v.years)
        out = core::YearsChosen{n};
    }
  }

  // ---- 合计 ----
  ImRect total_row = cut_top(area, 64.0f, 12.0f);
  text_line(c, "order.total", format(c.tr("order.total"), {{"amount", money(v.total)}}), total_row,
            {FontRole::Title, color::kText, Align::Right});
  const std::string_view note_key = v.total == 0 ? "order.free_note" : "order.pay_note";
  paragraph(c, "order.note", c.tr(note_key),
            cut_top(area, paragraph_height(c, c.tr(note_key), area.GetWidth(), FontRole::Body)),
            {FontRole::Body, color::kTextMuted, Align::Right});
  return out;
}

}  // namespace ui
