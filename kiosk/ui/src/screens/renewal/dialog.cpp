// The core's dialogs over the screen that opened them: the one-chance confirmation (确定续费吗，本次购买只有
// 一次续费机会！), the read-failure dialog, the final PIN try (a customer's KEY or a staff KEY), leaving the
// payment, 订单支付成功, and staff's restart, reboot or power off (asked once more before it happens).
#include <string>

#include "ui/renewal.hpp"

namespace ui {
namespace {

struct DialogText {
  std::string_view title;
  std::string_view body;
  std::string_view ok;
  std::string_view cancel;  // empty: one button
  bool danger = false;
};

DialogText text_of(const DialogView& v) {
  switch (v.dialog) {
    case core::Dialog::ConfirmRenewal:
      return {"dialog.confirm_renewal.title", "dialog.confirm_renewal.body", "dialog.ok", "dialog.cancel", false};
    case core::Dialog::KeyReadFailed:
      return {"dialog.key_read_failed.title", "dialog.key_read_failed.body", "dialog.ok", {}, true};
    case core::Dialog::FinalPinTry:
      return {"dialog.final_try.title", "dialog.final_try.body", "dialog.final_try.ok", "dialog.cancel", true};
    case core::Dialog::CancelPayment:
      return {"dialog.cancel_payment.title", "dialog.cancel_payment.body", "dialog.cancel_payment.ok",
              "dialog.cancel_payment.back", false};
    case core::Dialog::PaidNotice:
      return {"dialog.paid.title", "dialog.paid.body", "dialog.ok", {}, false};
    case core::Dialog::ConfirmPower:
      switch (v.power) {
        case core::PowerAction::RestartApp:
          return {"dialog.power.restart_app.title", "dialog.power.restart_app.body", "dialog.ok",
                  "dialog.cancel", false};
        case core::PowerAction::Reboot:
          return {"dialog.power.reboot.title", "dialog.power.reboot.body", "dialog.ok", "dialog.cancel",
                  true};
        case core::PowerAction::PowerOff:
          return {"dialog.power.power_off.title", "dialog.power.power_off.body", "dialog.ok", "dialog.cancel",
                  true};
      }
      break;
    case core::Dialog::None:
      break;
  }
  return {};
}

}  // namespace

DialogView dialog_view(const core::Model& m) {
  DialogView v;
  v.dialog = core::dialog_of(m);
  if (const auto* p = std::get_if<core::phase::KeyDetails>(&m.flow)) v.problem_key = p->problem_key;
  if (const auto* p = std::get_if<core::phase::Maintenance>(&m.flow); p && p->asking_power)
    v.power = *p->asking_power;
  return v;
}

std::optional<core::Event> draw_dialog(const DialogView& v, Ctx& c) {
  if (v.dialog == core::Dialog::None) return std::nullopt;
  std::optional<core::Event> out;
  const DialogText t = text_of(v);
  const float w = c.layout.portrait() ? 960.0f : 1100.0f;
  const float inner_w = w - 2 * 56.0f;
  const std::string_view body = c.tr(t.body);
  const std::string_view reason =
      v.dialog == core::Dialog::KeyReadFailed && !v.problem_key.empty() ? c.tr(v.problem_key) : std::string_view{};
  float h = 48.0f + 64.0f + metric::kGap + paragraph_height(c, body, inner_w, FontRole::Title) + metric::kPad +
            metric::kPrimaryH + 48.0f;
  if (!reason.empty()) h += notice_height(c, reason, inner_w) + metric::kGap;
  ImRect card = inset(begin_overlay(c, "dialog", ImVec2(w, h)), 56.0f, 48.0f);
  const ImRect head = cut_top(card, 64.0f, metric::kGap);
  draw_icon(t.danger ? Icon::Warning : Icon::Help, ImRect(head.Min, ImVec2(head.Min.x + 56.0f, head.Max.y)),
            t.danger ? color::kDanger : color::kPrimary);
  text_line(c, "dialog.title", c.tr(t.title), ImRect(ImVec2(head.Min.x + 76.0f, head.Min.y), head.Max),
            {FontRole::Title, t.danger ? color::kDanger : color::kText, Align::Left});
  paragraph(c, "dialog.body", body, cut_top(card, paragraph_height(c, body, inner_w, FontRole::Title), metric::kPad),
            {FontRole::Title, color::kText, Align::Left});
  if (!reason.empty()) notice(c, "dialog.reason", reason, cut_top(card, notice_height(c, reason, inner_w), metric::kGap),
                              NoticeKind::Error);
  ImRect buttons = cut_bottom(card, metric::kPrimaryH);
  const std::string_view ok_label = c.tr(t.ok);
  const float ok_w = std::max(300.0f, button_width(c, ok_label, FontRole::Title));
  if (button_text(c, "dialog.ok", ok_label, cut_right(buttons, ok_w, metric::kGap),
                  {ButtonKind::Primary, FontRole::Title, true, false}))
    out = core::DialogConfirmed{};
  if (!t.cancel.empty()) {
    const std::string_view cancel_label = c.tr(t.cancel);
    const float cw = std::max(260.0f, button_width(c, cancel_label, FontRole::Title));
    if (button_text(c, "dialog.cancel", cancel_label, cut_right(buttons, cw, metric::kGap),
                    {ButtonKind::Secondary, FontRole::Title, true, false}))
      out = core::DialogDismissed{};
  }
  end_overlay(c);
  return out;
}

}  // namespace ui
