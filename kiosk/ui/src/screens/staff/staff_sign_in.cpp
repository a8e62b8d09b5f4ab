// 员工登录 (docs/staff.md): by staff KEY, the KEY's name and its PIN on the keypad under the renewal's PIN
// rules (the flags warned; the final try asked once more by the core, core::Dialog::FinalPinTry; one typed
// PIN, one login), or, refused before any PIN, why in words and what to do next. By maintenance code: the
// staff ID and the code on the Latin keyboard (the platform's codes are base64url text), 【登录】 with the
// throttle's countdown, and what the platform said.
//
// Widget keys: staff.sign_in.key (the KEY's name), staff.pin.field, the keypad staff.keypad (.d0 … .ok),
// staff.sign_in.error, pin.final_try / pin.count_low, staff.sign_in.refused; by code staff.sign_in.name,
// staff.sign_in.code (fields), staff.sign_in.submit, the keyboard staff.kb (.a …).
#include "staff_common.hpp"

namespace ui {
namespace sign_in {

std::optional<core::Event> by_key(const StaffSignInView& v, StaffSignInScratch& s, Ctx& c, ImRect area) {
  std::optional<core::Event> out;
  const bool portrait = c.layout.portrait();
  const bool refused = !v.refusal_key.empty() || v.locked;
  ImRect form = area;
  ImRect pad;
  if (!refused) {
    if (portrait) {
      pad = cut_bottom(form, std::min(760.0f, form.GetHeight() * 0.55f), metric::kGap);
      pad = centered(pad, ImVec2(std::min(pad.GetWidth(), 860.0f), pad.GetHeight()));
    } else {
      pad = form;
      form = cut_left(pad, pad.GetWidth() * 0.52f, metric::kPad * 2);
    }
  }
  const float w = form.GetWidth();
  const std::string_view pattern = c.tr("staff.sign_in.key");
  const float name_room = w - text_size(c, format(pattern, {{"name", ""}}), FontRole::Title).x;
  text_line(c, "staff.sign_in.key",
            format(pattern, {{"name", elide(c, v.name, std::max(0.0f, name_room), FontRole::Title)}}),
            cut_top(form, 64.0f, metric::kGap), {FontRole::Title, color::kText, Align::Left});

  auto block = [&](std::string_view key, std::string_view text, NoticeKind kind) {
    notice(c, key, text, cut_top(form, notice_height(c, text, w), 16.0f), kind);
  };
  auto para = [&](std::string_view key, std::string_view text, Rgb colour) {
    paragraph(c, key, text, cut_top(form, paragraph_height(c, text, w, FontRole::Body), 16.0f),
              {FontRole::Body, colour, Align::Left});
  };
  if (refused) {
    // Refused before any PIN (the certificate, its role, hall or revocation; a locked KEY): nothing to
    // type, the reason in words (each says what to do next) and how to leave.
    text_line(c, "staff.sign_in.refused", c.tr("staff.sign_in.refused"), cut_top(form, 60.0f, 8.0f),
              {FontRole::Title, color::kDanger, Align::Left});
    const std::string_view key = !v.refusal_key.empty() ? std::string_view(v.refusal_key)
                                 : !v.error_key.empty() ? std::string_view(v.error_key)
                                                        : std::string_view("error.token.pin_locked");
    block("staff.sign_in.error", c.tr(key), NoticeKind::Error);
    para("staff.sign_in.refused_next", c.tr("staff.sign_in.refused_next"), color::kText);
    if (!v.detail.empty())
      para("staff.sign_in.detail",
           format(c.tr("staff.sign_in.detail"), {{"detail", staff::tame(c, v.detail, w, FontRole::Body)}}),
           color::kTextMuted);
    return out;
  }

  para("staff.sign_in.pin_hint", c.tr("staff.sign_in.pin_hint"), color::kText);
  keypad_field(c, "staff.pin.field", cut_top(form, 96.0f, metric::kGap), s.pin,
               {.masked = true, .placeholder_key = "pin.placeholder", .group = 0});
  if (v.verifying) {
    text_line(c, "staff.sign_in.verifying", c.tr("staff.sign_in.verifying"), cut_top(form, 52.0f, 16.0f),
              {FontRole::Body, color::kPrimary, Align::Left});
  } else if (!v.error_key.empty()) {
    block("staff.sign_in.error", c.tr(v.error_key), NoticeKind::Error);
  }
  // The KEY's flags, as the renewal's PIN screen says them: few tries left, the final try.
  if (v.flags.final_try)
    block("pin.final_try", c.tr("pin.final_try"), NoticeKind::Warning);
  else if (v.flags.count_low)
    block("pin.count_low", c.tr("pin.count_low"), NoticeKind::Warning);

  const core::PinView rules{};  // the renewal's PIN lengths
  const auto r =
      keypad(c, "staff.keypad", pad, s.pin,
             {.max_length = static_cast<std::size_t>(rules.max_length),
              .shuffle = c.settings.shuffle_pin_keypad,
              .seed = c.seed,
              .show_ok = true,
              .ok_enabled = !v.verifying && s.pin.value.size() >= static_cast<std::size_t>(rules.min_length),
              .ok_key = "keypad.ok"});
  if (r == KeypadResult::Submitted) {
    out = core::StaffPinSubmitted{c.hand_over(core::SecretKind::Pin, std::move(s.pin.value))};
    s.pin.arranged = false;  // a shuffled keypad gets a new order for the next PIN
  }
  return out;
}

std::optional<core::Event> by_code(const StaffSignInView& v, StaffSignInScratch& s, Ctx& c, ImRect area) {
  std::optional<core::Event> out;
  using Field = StaffSignInScratch::Field;
  const auto split = account::split_form(c, area, 880.0f, 640.0f);
  ImRect form = split.form;
  const float w = form.GetWidth();
  const std::string_view intro = c.tr("staff.sign_in.code_intro");
  paragraph(c, "staff.sign_in.code_intro", intro,
            cut_top(form, paragraph_height(c, intro, w, FontRole::Body), account::kRowGap * 2),
            {FontRole::Body, color::kText, Align::Left});
  const float label_w = account::label_width(c, {"staff.sign_in.name.label", "staff.sign_in.code.label"});
  {
    const ImRect field = account::labelled(c, "staff.sign_in.name.label",
                                           cut_top(form, account::kRowH, account::kRowGap), label_w);
    FieldStyle st;
    st.focused = s.focus == Field::Name;
    st.placeholder_key = "staff.sign_in.name.placeholder";
    if (entry_field(c, "staff.sign_in.name", field, s.staff_id, st)) s.focus = Field::Name;
  }
  {
    const ImRect field = account::labelled(c, "staff.sign_in.code.label",
                                           cut_top(form, account::kRowH, account::kRowGap), label_w);
    FieldStyle st;
    st.focused = s.focus == Field::Code;
    st.placeholder_key = "staff.sign_in.code.placeholder";
    // Shown as typed, like an SMS code: single use, bound to this staff member and this kiosk, and 20
    // random characters are hard to type blind.
    if (entry_field(c, "staff.sign_in.code", field, s.code.reveal(), st)) s.focus = Field::Code;
  }
  const ImRect submit = cut_bottom(form, metric::kPrimaryH, account::kRowGap);
  std::string label;
  if (v.wait_seconds_left > 0)
    label = format(c.tr("staff.sign_in.wait_button"), {{"seconds", std::to_string(v.wait_seconds_left)}});
  else
    label = std::string(c.tr(v.verifying ? "staff.sign_in.code_verifying" : "staff.sign_in.submit"));
  const bool can = !s.staff_id.empty() && !s.code.empty() && !v.verifying && v.wait_seconds_left == 0;
  if (button_text(c, "staff.sign_in.submit", label, submit,
                  {ButtonKind::Primary, FontRole::Title, can, false}))
    out = core::StaffCodeSubmitted{s.staff_id, c.hand_over(core::SecretKind::SmsCode, std::move(s.code))};
  if (!v.error_key.empty()) {
    const std::string why =
        format(c.tr(v.error_key), {{"seconds", std::to_string(std::max(1, v.wait_seconds_left))}});
    paragraph(c, "staff.sign_in.error", why, form, {FontRole::Body, color::kDanger, Align::Left});
  }

  KeyboardOptions o;
  o.kind = KeyboardKind::Latin;
  const bool on_name = s.focus == Field::Name;
  const auto r = on_name ? keyboard(c, "staff.kb", split.keys, s.keyboard, TextTarget(s.staff_id, 64), o)
                         : keyboard(c, "staff.kb", split.keys, s.keyboard, TextTarget(s.code, 64), o);
  if (r == KeyboardResult::Done) s.focus = on_name ? Field::Code : Field::Name;
  return out;
}

}  // namespace sign_in

std::optional<core::Event> draw_staff_sign_in(const StaffSignInView& v, StaffSignInScratch& s, Ctx& c) {
  const ImRect area = screen_title(c, "screen.staff_sign_in.title", c.layout.content);
  return v.by_code ? sign_in::by_code(v, s, c, area) : sign_in::by_key(v, s, c, area);
}

}  // namespace ui
