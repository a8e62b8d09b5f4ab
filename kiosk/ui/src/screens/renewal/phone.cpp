// 验证手机: the number on the keypad, 【获取验证码】 with its resend countdown
// ("请在49秒后重新发送"), then the code on the same keypad. The code goes beside CodeSubmitted on submit
// (Ctx::hand_over; the event names its slot only); the number goes with GetCodeTapped (the core keeps it
// for the order, and wipes it with the session).
#include <string>

#include "core/update.hpp"
#include "ui/renewal.hpp"

namespace ui {
namespace {

// A field the customer taps to type into it: a card with the keypad field inside.
bool field(Ctx& c, std::string_view key, const ImRect& r, const KeypadScratch& k, bool focused,
           std::string_view placeholder_key, std::size_t group) {
  const bool tapped = card(c, key, r, focused);
  keypad_field(c, std::string(key) + ".text", inset(r, focused ? 8.0f : 4.0f), k,
               {.masked = false, .placeholder_key = placeholder_key, .group = group});
  if (focused) outline(r, color::kPrimary, metric::kRounding, 6.0f);
  return tapped;
}

}  // namespace

std::optional<core::Event> draw_phone(const core::PhoneView& v, PhoneScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  if (!s.seeded) {
    s.seeded = true;
    if (s.phone.value.empty() && !v.phone.empty()) s.phone.value.assign(v.phone);
  }
  if (v.code_sent && !s.moved_to_code) {
    s.moved_to_code = true;
    s.on_code = true;
  }
  const bool busy = v.sending || v.verifying;
  const std::size_t code_len = static_cast<std::size_t>(std::clamp(v.code_length, 4, 8));
  const bool phone_ok = core::valid_phone(s.phone.value.reveal());
  const bool code_ok = v.code_sent && s.code.value.size() == code_len && !busy;

  ImRect area = screen_title(c, "screen.phone.title", c.layout.content);
  ImRect form;
  ImRect pad;
  if (c.layout.portrait()) {
    form = cut_top(area, 640.0f, metric::kPad);
    pad = centered(area, ImVec2(std::min(area.GetWidth(), 860.0f), std::min(area.GetHeight(), 760.0f)));
  } else {
    form = cut_left(area, area.GetWidth() * 0.56f, metric::kPad * 2);
    pad = area;
  }

  auto get_code = [&] {
    std::string phone(s.phone.value.reveal());
    out = core::GetCodeTapped{std::move(phone)};
  };
  auto submit_code = [&] {
    out = core::CodeSubmitted{c.hand_over(core::SecretKind::SmsCode, std::move(s.code.value))};
  };

  // ---- the number and 【获取验证码】 ----
  text_line(c, "phone.label", c.tr("phone.label"), cut_top(form, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  ImRect phone_row = cut_top(form, 96.0f, metric::kGap);
  std::string send_label(c.tr("phone.get_code"));
  if (v.sending) send_label = c.tr("phone.sending");
  else if (v.resend_seconds_left > 0)
    send_label = format(c.tr("phone.resend_in"), {{"seconds", std::to_string(v.resend_seconds_left)}});
  const float send_w = std::max(300.0f, button_width(c, send_label, FontRole::Body));
  const ImRect send = cut_right(phone_row, std::min(send_w, phone_row.GetWidth() * 0.5f), metric::kGap);
  if (field(c, "phone.field", phone_row, s.phone, !s.on_code, "phone.placeholder", 0)) s.on_code = false;
  if (button_text(c, "phone.get_code", send_label, send,
                  {ButtonKind::Secondary, FontRole::Body, v.can_send && phone_ok, false}))
    get_code();

  // ---- the code ----
  text_line(c, "phone.code.label", c.tr("phone.code.label"), cut_top(form, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  ImRect code_row = cut_top(form, 96.0f, metric::kGap);
  const ImRect next = cut_right(code_row, std::min(send_w, code_row.GetWidth() * 0.5f), metric::kGap);
  if (field(c, "phone.code", code_row, s.code, s.on_code, "phone.code.placeholder", 0) && v.code_sent)
    s.on_code = true;
  if (button(c, "phone.next", next, {ButtonKind::Primary, FontRole::Body, code_ok, false})) submit_code();

  // ---- where things stand ----
  std::string status;
  if (v.verifying) status = c.tr("phone.verifying");
  else if (v.code_sent) status = format(c.tr("phone.code_sent"), {{"phone", mask_phone(v.phone)}});
  else status = c.tr("phone.intro");
  paragraph(c, "phone.status", status, cut_top(form, paragraph_height(c, status, form.GetWidth(), FontRole::Body), 12.0f),
            {FontRole::Body, color::kText, Align::Left});
  if (!v.error_key.empty()) {
    const std::string_view err = c.tr(v.error_key);
    notice(c, "phone.error", err, cut_top(form, notice_height(c, err, form.GetWidth())), NoticeKind::Error);
  }

  // ---- the keypad: into the focused field; its 【确定】 does that field's action ----
  KeypadScratch& k = s.on_code ? s.code : s.phone;
  const bool ok_enabled = s.on_code ? code_ok : (phone_ok && v.can_send);
  const auto r = keypad(c, "keypad", pad, k,
                        {.max_length = s.on_code ? code_len : 11, .shuffle = false, .seed = c.seed, .show_ok = true,
                         .ok_enabled = ok_enabled, .ok_key = s.on_code ? "phone.next" : "phone.get_code"});
  if (r == KeypadResult::Submitted) {
    if (s.on_code)
      submit_code();
    else
      get_code();
  }
  return out;
}

}  // namespace ui
