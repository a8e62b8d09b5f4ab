// 输入PIN码: the key's PIN on the keypad (masked; shuffled when the kiosk is configured so), with what the
// key's flags say: few tries left, the final try (the core asks again first: core::Dialog::FinalPinTry).
// A wrong PIN is said in the CA's own words, "产生签名证书P10申请书失败", with the likely cause. The PIN goes
// beside the event, to the runtime (Ctx::hand_over) — one typed PIN, one login; nothing retries by itself.
#include <string>

#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_pin(const core::PinView& v, PinScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  const bool portrait = c.layout.portrait();
  ImRect area = screen_title(c, "screen.pin.title", c.layout.content);
  ImRect form;
  ImRect pad;
  if (portrait) {
    pad = cut_bottom(area, std::min(760.0f, area.GetHeight() * 0.55f), metric::kGap);
    pad = centered(pad, ImVec2(std::min(pad.GetWidth(), 860.0f), pad.GetHeight()));
    form = area;
  } else {
    form = cut_left(area, area.GetWidth() * 0.52f, metric::kPad * 2);
    pad = area;
  }

  const std::string_view hint = c.tr(v.again_after_pull ? "pin.again_after_pull" : "pin.hint");
  paragraph(c, "pin.hint", hint, cut_top(form, paragraph_height(c, hint, form.GetWidth(), FontRole::Body), metric::kGap),
            {FontRole::Body, color::kText, Align::Left});
  keypad_field(c, "pin.field", cut_top(form, 96.0f, metric::kGap), s.pin,
               {.masked = true, .placeholder_key = "pin.placeholder", .group = 0});

  auto block = [&](std::string_view key, std::string_view text, NoticeKind kind) {
    notice(c, key, text, cut_top(form, notice_height(c, text, form.GetWidth()), 16.0f), kind);
  };
  if (v.verifying) {
    text_line(c, "pin.verifying", c.tr("pin.verifying"), cut_top(form, 52.0f, 16.0f),
              {FontRole::Body, color::kText, Align::Left});
  } else if (v.last_failed) {
    // 产生签名证书P10申请书失败 (what the CA's customers know this failure as), then what it likely means.
    text_line(c, "pin.failed", c.tr("pin.failed"), cut_top(form, 60.0f, 8.0f),
              {FontRole::Title, color::kDanger, Align::Left});
    const std::string_view why = c.tr("pin.failed_hint");
    paragraph(c, "pin.failed_hint", why, cut_top(form, paragraph_height(c, why, form.GetWidth(), FontRole::Body), 16.0f),
              {FontRole::Body, color::kDanger, Align::Left});
  }
  if (v.flags.final_try)
    block("pin.final_try", c.tr("pin.final_try"), NoticeKind::Warning);
  else if (v.flags.count_low)
    block("pin.count_low", c.tr("pin.count_low"), NoticeKind::Warning);
  const std::string len = format(c.tr("pin.length"), {{"min", std::to_string(v.min_length)}, {"max", std::to_string(v.max_length)}});
  if (form.GetHeight() >= 44.0f)
    text_line(c, "pin.length", len, cut_top(form, 44.0f), {FontRole::Body, color::kTextMuted, Align::Left});

  const auto max_len = static_cast<std::size_t>(std::max(1, v.max_length));
  const auto min_len = static_cast<std::size_t>(std::max(1, v.min_length));
  const auto r = keypad(c, "keypad", pad, s.pin,
                        {.max_length = max_len, .shuffle = c.settings.shuffle_pin_keypad,
                         .seed = c.seed + static_cast<std::uint32_t>(s.entries) * 7919u, .show_ok = true,
                         .ok_enabled = !v.verifying && s.pin.value.size() >= min_len, .ok_key = "keypad.ok"});
  if (r == KeypadResult::Submitted) {
    out = core::PinSubmitted{c.hand_over(core::SecretKind::Pin, std::move(s.pin.value))};
    ++s.entries;
    s.pin.arranged = false;  // a shuffled keypad gets a new order for the next PIN
  }
  return out;
}

}  // namespace ui
