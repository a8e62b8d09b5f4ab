// 登录: phone + password, or phone + SMS code. The first password is the last six digits
// of the phone; the platform takes it only together with an SMS code to that phone, then the customer must
// change it. The form on one side, the keyboard of the chosen field on the other: the numeric keypad for
// the phone and the code, the Latin keyboard for the password.
//
// Widget keys: login.method.password, login.method.sms (the two ways in); login.phone, login.password,
// login.code (fields: tap to type there); login.get_code; login.submit; the keypad login.pad (.d0 …),
// the keyboard login.kb (.a …).
#include "account_common.hpp"
#include "core/update.hpp"

namespace ui {

using LoginField = LoginScratch::Field;

std::optional<core::Event> draw_login(const core::LoginView& v, LoginScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  const bool by_password = v.method == core::LoginMethod::Password;
  // The focus follows what the form asks for.
  const std::string phone(s.phone.value.reveal());
  if (s.focus == LoginField::Password && !by_password)
    s.focus = v.code_field && core::valid_phone(phone) ? LoginField::Code : LoginField::Phone;
  if (s.focus == LoginField::Code && !v.code_field) s.focus = LoginField::Phone;

  const auto split = account::split_form(c, c.layout.content, 880.0f, 640.0f);
  ImRect form = split.form;

  // The two ways in, as tabs.
  {
    const auto tabs = split_h(cut_top(form, account::kRowH, account::kRowGap * 1.5f), 2, metric::kGap);
    const ButtonStyle on{ButtonKind::Primary, FontRole::Body, !v.submitting, false};
    const ButtonStyle off{ButtonKind::Secondary, FontRole::Body, !v.submitting, false};
    if (button(c, "login.method.password", tabs[0], by_password ? on : off) && !by_password)
      out = core::LoginMethodChosen{core::LoginMethod::Password};
    if (button(c, "login.method.sms", tabs[1], by_password ? off : on) && by_password)
      out = core::LoginMethodChosen{core::LoginMethod::Sms};
  }

  const float label_w =
      account::label_width(c, {"login.phone.label", "login.password.label", "login.code.label"});
  {
    const ImRect field =
        account::labelled(c, "login.phone.label", cut_top(form, account::kRowH, account::kRowGap), label_w);
    FieldStyle st;
    st.focused = s.focus == LoginField::Phone;
    st.placeholder_key = "login.phone.placeholder";
    if (entry_field(c, "login.phone", field, phone, st)) s.focus = LoginField::Phone;
  }
  if (by_password) {
    const ImRect field = account::labelled(c, "login.password.label",
                                           cut_top(form, account::kRowH, account::kRowGap), label_w);
    FieldStyle st;
    st.focused = s.focus == LoginField::Password;
    st.placeholder_key = "login.password.placeholder";
    if (entry_field(c, "login.password", field, masked(c, s.password.size()), st)) s.focus = LoginField::Password;
  }
  if (v.code_field) {
    ImRect row =
        account::labelled(c, "login.code.label", cut_top(form, account::kRowH, account::kRowGap), label_w);
    std::string send_label;
    if (v.sending)
      send_label = std::string(c.tr("login.sending"));
    else if (v.resend_seconds_left > 0)
      send_label = format(c.tr("login.resend_in"), {{"seconds", std::to_string(v.resend_seconds_left)}});
    else
      send_label = std::string(c.tr(v.code_sent ? "login.get_code_again" : "login.get_code"));
    const float send_w = std::max({button_width(c, c.tr("login.get_code_again"), FontRole::Body),
                                   button_width(c, c.tr("login.get_code"), FontRole::Body),
                                   button_width(c, send_label, FontRole::Body)});
    const ImRect send = cut_right(row, send_w, metric::kGap * 0.5f);
    const bool can_send = v.can_send && core::valid_phone(phone);
    if (button_text(c, "login.get_code", send_label, send,
                    {ButtonKind::Secondary, FontRole::Body, can_send, false})) {
      out = core::LoginGetCodeTapped{phone};
      s.focus = LoginField::Code;
    }
    FieldStyle st;
    st.focused = s.focus == LoginField::Code;
    st.placeholder_key = "login.code.placeholder";
    if (entry_field(c, "login.code", row, s.code.value.reveal(), st)) s.focus = LoginField::Code;
  }

  // 【登录】 at the bottom; above it what went wrong, or how the first login works.
  const ImRect submit = cut_bottom(form, metric::kPrimaryH, account::kRowGap);
  const bool complete = core::valid_phone(phone) && (!by_password || !s.password.empty()) &&
                        (!v.code_field || (v.code_sent && !s.code.value.empty()));
  std::string submit_label;
  if (v.wait_seconds_left > 0)
    submit_label = format(c.tr("login.wait_button"), {{"seconds", std::to_string(v.wait_seconds_left)}});
  else
    submit_label = std::string(c.tr(v.submitting ? "login.submitting" : "login.submit"));
  const bool can_submit = complete && !v.submitting && v.wait_seconds_left == 0;
  if (button_text(c, "login.submit", submit_label, submit,
                  {ButtonKind::Primary, FontRole::Title, can_submit, false})) {
    // The secrets go beside the intent, which names their slots.
    core::LoginSubmitted e{phone, {}, {}};
    if (v.code_field) e.code = c.hand_over(core::SecretKind::SmsCode, std::move(s.code.value));
    if (by_password) e.password = c.hand_over(core::SecretKind::Password, std::move(s.password));
    out = std::move(e);
  }
  if (!v.error_key.empty()) {
    paragraph(c, "login.error", c.tr(v.error_key), form, {FontRole::Body, color::kDanger, Align::Left});
  } else if (v.needs_code) {
    paragraph(c, "login.needs_code", c.tr("login.needs_code"), form,
              {FontRole::Body, color::kOnWarning, Align::Left});
  } else if (by_password) {
    paragraph(c, "login.hint.first", c.tr("login.hint.first"), form,
              {FontRole::Body, color::kTextMuted, Align::Left});
  } else {
    paragraph(c, "login.hint.sms", c.tr("login.hint.sms"), form,
              {FontRole::Body, color::kTextMuted, Align::Left});
  }

  // The keyboard of the field being typed.
  switch (s.focus) {
    case LoginField::Phone:
      account::number_pad(c, "login.pad", split.keys, s.phone, 11);
      break;
    case LoginField::Code:
      account::number_pad(c, "login.pad", split.keys, s.code,
                          static_cast<std::size_t>(std::max(4, v.code_length)));
      break;
    case LoginField::Password: {
      KeyboardOptions o;
      o.kind = KeyboardKind::Latin;
      if (keyboard(c, "login.kb", split.keys, s.keyboard, TextTarget(s.password, kPasswordMax), o) ==
          KeyboardResult::Done)
        s.focus = v.code_field ? LoginField::Code : LoginField::Phone;
      break;
    }
  }
  return out;
}

}  // namespace ui
