// 个人信息: 用户名, 会员等级, 真实姓名, 手机号码, 电子邮箱, 注册日期. The
// real name (Chinese keyboard: pinyin or handwriting), the phone (numeric keypad; a new number is verified by
// its own SMS code, the account keeps its id and its business) and the e-mail (Latin keyboard) can be
// edited; 【提交】 → 修改成功. The core checks the input and says what is wrong.
//
// Widget keys: profile.username, profile.level, profile.registered (text); profile.real_name,
// profile.phone, profile.code, profile.email (fields); profile.get_code; profile.submit; profile.saved,
// profile.problem.i (every rule broken), profile.error (the platform's answer); the keyboards
// profile.name_kb, profile.email_kb and the keypad profile.pad.
#include <algorithm>

#include "account_common.hpp"
#include "core/update.hpp"

namespace ui {

using ProfileField = ProfileScratch::Field;

namespace {

bool same_profile(const core::Profile& a, const core::Profile& b) {
  return a.account_id == b.account_id && a.real_name == b.real_name && a.phone == b.phone &&
         a.email == b.email;
}

}  // namespace

std::optional<core::Event> draw_profile(const core::ProfileView& v, ProfileScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  // The fields start from the platform's profile, and again whenever it changes (after 修改成功).
  if (!s.filled || !same_profile(s.base, v.profile)) {
    s.base = v.profile;
    s.filled = true;
    s.real_name = v.profile.real_name;
    s.email = v.profile.email;
    s.phone.value.assign(v.profile.phone);
    s.code.value.clear();
  }
  bool logout = false;
  ImRect area = account::title_row(c, "screen.profile.title", c.layout.content, logout);
  if (logout) out = core::LogoutTapped{};
  const std::string phone(s.phone.value.reveal());
  const bool phone_changed = phone != v.profile.phone;
  const float info_h = 48.0f;
  const std::string_view error = !v.error_key.empty() ? v.error_key : std::string_view(v.phone_error_key);
  // Portrait: the keyboard below gives up height so that what went wrong (the platform's answer and, while a
  // field is being corrected, the first broken rule) still fits under the fields.
  float keys_h = 660.0f;
  if (c.layout.portrait()) {
    float msg_h = 0.0f;
    if (!error.empty()) msg_h += paragraph_height(c, c.tr(error), area.GetWidth(), FontRole::Body) + 10.0f;
    if (s.focus != ProfileField::None && !v.problem_keys.empty())
      msg_h += paragraph_height(c, c.tr(v.problem_keys.front()), area.GetWidth(), FontRole::Body) + 10.0f;
    const float rows = phone_changed ? 4.0f : 3.0f;
    const float form_h = 2.0f * (info_h + account::kRowGap) + rows * (account::kRowH + account::kRowGap) +
                         metric::kPrimaryH + account::kRowGap + msg_h + metric::kGap * 1.5f;
    keys_h = std::clamp(area.GetHeight() - form_h, 480.0f, keys_h);
  }
  const auto split = account::split_form(c, area, 900.0f, keys_h);
  ImRect form = split.form;

  const float label_w = account::label_width(
      c, {"profile.real_name.label", "profile.phone.label", "profile.code.label", "profile.email.label"});
  {
    // 用户名 and 会员等级 on one line, as read-only text.
    const auto halves = split_h(cut_top(form, info_h, account::kRowGap), 2, metric::kGap);
    text_line(c, "profile.username", format(c.tr("profile.username"), {{"name", v.profile.username}}),
              halves[0], {FontRole::Body, color::kText, Align::Left});
    text_line(c, "profile.level", format(c.tr("profile.level"), {{"level", v.profile.member_level}}),
              halves[1], {FontRole::Body, color::kText, Align::Left});
  }
  auto field_row = [&](std::string_view label_key) {
    return account::labelled(c, label_key, cut_top(form, account::kRowH, account::kRowGap), label_w);
  };
  auto field_style = [&](ProfileField f, std::string_view placeholder) {
    FieldStyle st;
    st.focused = s.focus == f;
    st.placeholder_key = placeholder;
    return st;
  };
  {
    FieldStyle st = field_style(ProfileField::RealName, "profile.real_name.placeholder");
    st.composing = s.name_keyboard.letters;
    if (entry_field(c, "profile.real_name", field_row("profile.real_name.label"), s.real_name, st))
      s.focus = ProfileField::RealName;
  }
  if (entry_field(c, "profile.phone", field_row("profile.phone.label"), phone, field_style(ProfileField::Phone, {})))
    s.focus = ProfileField::Phone;
  if (phone_changed) {
    ImRect row = field_row("profile.code.label");
    std::string send_label;
    if (v.sending)
      send_label = std::string(c.tr("login.sending"));
    else if (v.resend_seconds_left > 0 && v.code_phone == phone)
      send_label = format(c.tr("login.resend_in"), {{"seconds", std::to_string(v.resend_seconds_left)}});
    else
      send_label = std::string(c.tr("login.get_code"));
    const float send_w = std::max(button_width(c, c.tr("login.get_code"), FontRole::Body),
                                  button_width(c, send_label, FontRole::Body));
    const ImRect send = cut_right(row, send_w, metric::kGap * 0.5f);
    const bool can_send = v.can_send && core::valid_phone(phone);
    if (button_text(c, "profile.get_code", send_label, send,
                    {ButtonKind::Secondary, FontRole::Body, can_send, false})) {
      out = core::ProfileGetCodeTapped{phone};
      s.focus = ProfileField::Code;
    }
    if (entry_field(c, "profile.code", row, s.code.value.reveal(),
                    field_style(ProfileField::Code, "login.code.placeholder")))
      s.focus = ProfileField::Code;
  }
  if (entry_field(c, "profile.email", field_row("profile.email.label"), s.email,
                  field_style(ProfileField::Email, "profile.email.placeholder")))
    s.focus = ProfileField::Email;
  text_line(c, "profile.registered",
            format(c.tr("profile.registered"), {{"date", format_cst(v.profile.registered_at)}}),
            cut_top(form, info_h, account::kRowGap), {FontRole::Body, color::kText, Align::Left});

  const ImRect submit = cut_bottom(form, metric::kPrimaryH, account::kRowGap);
  const bool can_submit = !v.saving && s.name_keyboard.letters.empty() &&
                          (!phone_changed || (v.code_sent && v.code_phone == phone && !s.code.value.empty()));
  if (button(c, "profile.submit", submit, {ButtonKind::Primary, FontRole::Title, can_submit, false})) {
    // A changed phone's code goes beside the intent that uses it.
    std::optional<core::SecretSlot> code;
    if (phone_changed) code = c.hand_over(core::SecretKind::SmsCode, std::move(s.code.value));
    out = core::ProfileSubmitted{s.real_name, s.email, phone, code};
    s.focus = ProfileField::None;
  }
  // What the platform (or the SMS step) answered first, then every rule the fields break, one paragraph each
  // (profile.problem.i): right after 【提交】 (nothing has the focus) all of them, in the keyboard's place;
  // while a field is being corrected, as many as the form has room for under the fields.
  if (!error.empty()) {
    const float h = paragraph_height(c, c.tr(error), form.GetWidth(), FontRole::Body);
    paragraph(c, "profile.error", c.tr(error), cut_top(form, std::min(h, form.GetHeight()), 10.0f),
              {FontRole::Body, color::kDanger, Align::Left});
  }
  auto draw_problems = [&](ImRect& room) {  // takes what it uses off the top of `room`
    for (std::size_t i = 0; i < v.problem_keys.size(); ++i) {
      const std::string_view text = c.tr(v.problem_keys[i]);
      const float h = paragraph_height(c, text, room.GetWidth(), FontRole::Body);
      if (h > room.GetHeight()) break;
      paragraph(c, "profile.problem." + std::to_string(i), text, cut_top(room, h, 10.0f),
                {FontRole::Body, color::kDanger, Align::Left});
    }
  };
  if (s.focus != ProfileField::None) draw_problems(form);
  if (error.empty() && v.saved && v.problem_keys.empty())
    text_line(c, "profile.saved", c.tr("profile.saved"), cut_top(form, 56.0f),
              {FontRole::Title, color::kOk, Align::Left});
  else if (error.empty() && phone_changed && !v.code_sent && v.problem_keys.empty())
    paragraph(c, "profile.phone_hint", c.tr("profile.phone_hint"), form,
              {FontRole::Body, color::kTextMuted, Align::Left});

  switch (s.focus) {
    case ProfileField::None:
      if (v.problem_keys.empty()) {
        account::keys_hint(c, "profile.keys_hint", split.keys);
      } else {
        fill(split.keys, color::kSurface, metric::kRounding);
        ImRect room = inset(split.keys, metric::kPad);
        draw_problems(room);
      }
      break;
    case ProfileField::RealName: {
      KeyboardOptions o;
      o.kind = KeyboardKind::Chinese;
      if (keyboard(c, "profile.name_kb", split.keys, s.name_keyboard, TextTarget(s.real_name, kRealNameMax),
                   o) == KeyboardResult::Done)
        s.focus = ProfileField::None;
      break;
    }
    case ProfileField::Phone:
      account::number_pad(c, "profile.pad", split.keys, s.phone, 11);
      break;
    case ProfileField::Code:
      account::number_pad(c, "profile.pad", split.keys, s.code,
                          static_cast<std::size_t>(std::max(4, v.code_length)));
      break;
    case ProfileField::Email: {
      KeyboardOptions o;
      o.kind = KeyboardKind::Latin;
      if (keyboard(c, "profile.email_kb", split.keys, s.email_keyboard, TextTarget(s.email, kEmailMax), o) ==
          KeyboardResult::Done)
        s.focus = ProfileField::None;
      break;
    }
  }
  return out;
}

}  // namespace ui
