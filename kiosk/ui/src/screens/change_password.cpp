// 修改密码: 当前密码 [默认手机后六位], 新登录密码, 确认新密码, on the Latin keyboard (a
// password may hold letters, digits and symbols). The rules are checked here, where the typed passwords are
// (core::password_problems: at least 8 characters, not derived from the phone, not the current one, both
// entries the same); every rule broken is said in words and nothing leaves the screen. When all hold, the
// current and the new password go to the runtime and the platform checks them again. After a login with
// the default password this screen is forced: nothing else until it is changed.
//
// Widget keys: password.current, password.new, password.confirm (fields); password.submit;
// password.problem.0 …; password.saved; password.back_to_centre; the keyboard password.kb.
#include "account_common.hpp"
#include "core/update.hpp"

namespace ui {

using PasswordField = ChangePasswordScratch::Field;

std::optional<core::Event> draw_change_password(const core::ChangePasswordView& v, ChangePasswordScratch& s,
                                                Ctx& c) {
  std::optional<core::Event> out;
  bool logout = false;
  ImRect area = account::title_row(c, "screen.change_password.title", c.layout.content, logout);
  if (logout) out = core::LogoutTapped{};
  if (v.forced) {
    const std::string_view text = c.tr("password.forced");
    const float h =
        paragraph_height(c, text, area.GetWidth() - 2 * metric::kGap, FontRole::Body) + metric::kGap;
    const ImRect banner = cut_top(area, h, metric::kGap * 0.5f);
    fill(banner, color::kWarningSurface, metric::kRounding);
    paragraph(c, "password.forced", text, inset(banner, metric::kGap, metric::kGap * 0.5f),
              {FontRole::Body, color::kOnWarning, Align::Left});
  }
  const auto split = account::split_form(c, area, 900.0f, 640.0f);
  ImRect form = split.form;

  if (v.saved) {
    text_line(c, "password.saved", c.tr("password.saved"), cut_top(form, 72.0f, metric::kGap),
              {FontRole::Title, color::kOk, Align::Left});
    if (button(c, "password.back_to_centre", cut_top(form, metric::kPrimaryH, metric::kGap),
               {ButtonKind::Primary, FontRole::Title, true, false}))
      out = core::BackTapped{};
    account::keys_hint(c, "password.saved_hint", split.keys);
    return out;
  }

  const float label_w =
      account::label_width(c, {"password.current.label", "password.new.label", "password.confirm.label"});
  auto field = [&](PasswordField f, std::string_view key, std::string_view label_key, std::string_view placeholder,
                   const foundation::SecretBuffer& value) {
    const ImRect r =
        account::labelled(c, label_key, cut_top(form, account::kRowH, account::kRowGap), label_w);
    FieldStyle st;
    st.focused = s.focus == f;
    st.placeholder_key = placeholder;
    if (entry_field(c, key, r, masked(c, value.size()), st)) s.focus = f;
  };
  field(PasswordField::Current, "password.current", "password.current.label", "password.current.placeholder",
        s.current);
  field(PasswordField::New, "password.new", "password.new.label", "password.new.placeholder", s.next);
  field(PasswordField::Confirm, "password.confirm", "password.confirm.label", {}, s.confirm);

  const ImRect submit = cut_bottom(form, metric::kPrimaryH, account::kRowGap);
  const bool typed = !s.current.empty() || !s.next.empty() || !s.confirm.empty();
  if (button(c, "password.submit", submit,
             {ButtonKind::Primary, FontRole::Title, typed && !v.saving, false})) {
    core::PasswordSubmitted e{
        core::password_problems(s.current.reveal(), s.next.reveal(), s.confirm.reveal(), v.phone), {}, {}};
    if (e.problem_keys.empty()) {
      e.current = c.hand_over(core::SecretKind::Password, std::move(s.current));
      e.next = c.hand_over(core::SecretKind::NewPassword, std::move(s.next));
      s.confirm.clear();
      s.focus = PasswordField::Current;
    }
    out = std::move(e);
  }
  if (v.problem_keys.empty()) {
    paragraph(c, "password.rules", c.tr("password.rules"), form,
              {FontRole::Body, color::kTextMuted, Align::Left});
  } else {
    for (std::size_t i = 0; i < v.problem_keys.size(); ++i) {
      const std::string_view text = c.tr(v.problem_keys[i]);
      const float h = paragraph_height(c, text, form.GetWidth(), FontRole::Body);
      paragraph(c, "password.problem." + std::to_string(i), text, cut_top(form, h, 6.0f),
                {FontRole::Body, color::kDanger, Align::Left});
    }
  }

  KeyboardOptions o;
  o.kind = KeyboardKind::Latin;
  foundation::SecretBuffer& target = s.focus == PasswordField::Current ? s.current
                                     : s.focus == PasswordField::New   ? s.next
                                                               : s.confirm;
  if (keyboard(c, "password.kb", split.keys, s.keyboard, TextTarget(target, kPasswordMax), o) ==
      KeyboardResult::Done)
    s.focus = s.focus == PasswordField::Current ? PasswordField::New : PasswordField::Confirm;
  return out;
}

}  // namespace ui
