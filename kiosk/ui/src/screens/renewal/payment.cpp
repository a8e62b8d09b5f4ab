// 微信支付: the order's code_url as a QR code (libqrencode, ECC M, 4 modules of quiet zone, a whole number
// of pixels per module, at least 6), the amount, 请使用微信扫一扫, and the countdown to the order's expiry.
// The customer pays on the phone; the core moves on by itself when the platform says paid. After the
// expiry: 【重新下单】 (the old order is closed first). 【取消支付】 asks first (core::Dialog::CancelPayment).
#include <string>

#include "ui/qr.hpp"
#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_payment(const core::PaymentView& v, PaymentScratch&, Ctx& c) {
  std::optional<core::Event> out;
  const bool portrait = c.layout.portrait();
  ImRect area = screen_title(c, "screen.payment.title", c.layout.content);
  const std::string_view primary_key = v.expired ? "payment.new_order" : "payment.cancel";
  const Actions actions = action_row(c, area, c.tr(primary_key), v.expired ? c.tr("payment.cancel") : "");
  if (v.expired) {
    if (button(c, "payment.new_order", actions.primary, {ButtonKind::Primary, FontRole::Title, !v.closing, false}))
      out = core::NewOrderTapped{};
    if (button(c, "payment.cancel", actions.secondary, {ButtonKind::Secondary, FontRole::Body, !v.closing, false}))
      out = core::CancelTapped{};
  } else if (button(c, "payment.cancel", actions.primary,
                    {ButtonKind::Secondary, FontRole::Title, !v.closing, false})) {
    out = core::CancelTapped{};
  }

  ImRect qr_area = portrait ? cut_top(area, std::min(area.GetWidth(), area.GetHeight() * 0.6f), metric::kPad)
                            : cut_left(area, std::min(area.GetHeight(), area.GetWidth() * 0.45f), metric::kPad * 2);
  const float side = std::min(qr_area.GetWidth(), qr_area.GetHeight());
  const ImRect box = centered(qr_area, ImVec2(side, side));
  fill(box, color::kSurface, metric::kRounding);
  if (v.expired || v.code_url.empty()) {
    outline(box, color::kBorder, metric::kRounding, 2.0f);
    draw_icon(Icon::Clock, centered(box, ImVec2(side * 0.35f, side * 0.35f)), color::kTextMuted);
    const std::string_view k = v.expired ? "payment.expired" : "payment.preparing";
    text_line(c, "payment.qr_state", c.tr(k),
              ImRect(ImVec2(box.Min.x, box.Max.y - 110.0f), ImVec2(box.Max.x, box.Max.y - 40.0f)),
              {FontRole::Title, color::kText, Align::Center});
  } else {
    const Texture t = qr_texture(c, v.code_url, qr_module_px(v.code_url, side));
    if (t.valid()) {
      image(c, "payment.qr", t, centered(box, ImVec2(static_cast<float>(t.width), static_cast<float>(t.height))));
    } else {
      paragraph(c, "payment.qr_failed", c.tr("payment.qr_failed"), inset(box, 32.0f),
                {FontRole::Body, color::kDanger, Align::Center});
    }
  }

  // ---- what to do, how much, how long ----
  ImRect info = area;
  const TextStyle center_or_left{FontRole::Title, color::kText, portrait ? Align::Center : Align::Left};
  if (!v.expired) {
    ImRect scan = cut_top(info, 72.0f, metric::kGap);
    text_line(c, "payment.scan", c.tr("payment.scan"), scan, {FontRole::Title, color::kOk, center_or_left.align});
  }
  text_line(c, "payment.amount.label", c.tr("payment.amount"), cut_top(info, 44.0f, 4.0f),
            {FontRole::Body, color::kTextMuted, center_or_left.align});
  text_line(c, "payment.amount", money(v.amount), cut_top(info, 64.0f, metric::kGap),
            {FontRole::Title, color::kDanger, center_or_left.align});
  if (v.expired) {
    const std::string_view hint = c.tr("payment.expired_hint");
    paragraph(c, "payment.expired_hint", hint,
              cut_top(info, paragraph_height(c, hint, info.GetWidth(), FontRole::Body), metric::kGap),
              {FontRole::Body, color::kDanger, center_or_left.align});
  } else {
    ImRect row = cut_top(info, 56.0f, metric::kGap);
    const std::string left = format(c.tr("payment.expires_in"), {{"time", mm_ss(v.seconds_left)}});
    text_line(c, "payment.countdown", left, row, {FontRole::Body, color::kText, center_or_left.align});
  }
  std::string status(c.tr(v.closing ? "payment.closing" : "payment.waiting"));
  if (!v.expired || v.closing)
    paragraph(c, "payment.status", status,
              cut_top(info, paragraph_height(c, status, info.GetWidth(), FontRole::Body), metric::kGap),
              {FontRole::Body, color::kTextMuted, center_or_left.align});
  if (!v.order_id.empty())
    text_line(c, "payment.order", format(c.tr("payment.order"), {{"id", v.order_id}}), cut_top(info, 44.0f),
              {FontRole::Body, color::kTextMuted, center_or_left.align});
  return out;
}

}  // namespace ui
