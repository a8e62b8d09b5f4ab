#include "account_common.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "ui/screens.hpp"

namespace ui {

std::string format_cst(core::UnixSeconds t) {
  // China has one time zone and no daylight saving; a fixed offset keeps the UI free of the C library's
  // time-zone files.
  const std::time_t local = static_cast<std::time_t>(t + 8 * 3600);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string format_yuan(core::Fen fen) {
  const bool negative = fen < 0;
  const core::Fen a = negative ? -fen : fen;
  const std::string cents = std::to_string(a % 100);
  return std::string(negative ? "-" : "") + "¥" + std::to_string(a / 100) + "." +
         (cents.size() < 2 ? "0" : "") + cents;
}

namespace account {

ImRect title_row(Ctx& c, std::string_view title_key, ImRect content, bool& logout_tapped) {
  ImRect row = cut_top(content, 88.0f, metric::kGap * 0.5f);
  const float w = button_width(c, c.tr("account.logout"), FontRole::Body);
  if (button(c, "account.logout", cut_right(row, w, metric::kGap))) logout_tapped = true;
  text_line(c, title_key, c.tr(title_key), row, {FontRole::Title, color::kText, Align::Left});
  return content;
}

FormSplit split_form(Ctx& c, ImRect content, float form_w, float keys_h) {
  FormSplit s;
  if (c.layout.portrait()) {
    s.keys = cut_bottom(content, std::min(keys_h, content.GetHeight() * 0.55f), metric::kGap * 1.5f);
    s.form = content;
  } else {
    s.form = cut_left(content, std::min(form_w, content.GetWidth() * 0.55f), metric::kGap * 2.0f);
    s.keys = inset(content, 12.0f, 12.0f);
  }
  return s;
}

float label_width(Ctx& c, std::initializer_list<std::string_view> keys) {
  float w = 0;
  for (auto k : keys) w = std::max(w, text_size(c, c.tr(k), FontRole::Body).x);
  return std::ceil(w) + metric::kGap;
}

ImRect labelled(Ctx& c, std::string_view label_key, ImRect row, float label_w) {
  const ImRect label = cut_left(row, label_w, 0.0f);
  text_line(c, label_key, c.tr(label_key),
            ImRect(label.Min, ImVec2(label.Max.x - metric::kGap * 0.5f, label.Max.y)),
            {FontRole::Body, color::kTextMuted, Align::Right});
  return row;
}

KeypadResult number_pad(Ctx& c, std::string_view key, const ImRect& area, KeypadScratch& s, std::size_t max) {
  const ImRect pad =
      centered(area, ImVec2(std::min(area.GetWidth(), 720.0f), std::min(area.GetHeight(), 520.0f)));
  KeypadOptions o;
  o.max_length = max;
  o.show_ok = false;
  return keypad(c, key, pad, s, o);
}

void keys_hint(Ctx& c, std::string_view key, const ImRect& area) {
  fill(area, color::kSurface, metric::kRounding);
  paragraph(c, key, c.tr(key), inset(area, metric::kPad, area.GetHeight() * 0.4f),
            {FontRole::Body, color::kTextMuted, Align::Center});
}

}  // namespace account
}  // namespace ui
