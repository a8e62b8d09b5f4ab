#include "ui/keypad.hpp"

#include <string>

#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

void shuffle_digits(std::array<char, 10>& order, std::uint32_t seed) {
  std::uint32_t x = seed != 0 ? seed : 0x9E3779B9u;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    const std::size_t j = next() % (i + 1);
    std::swap(order[i], order[j]);
  }
}

KeypadResult keypad(Ctx& c, std::string_view key, const ImRect& r, KeypadScratch& s, const KeypadOptions& o) {
  if (!s.arranged) {
    s.order = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
    if (o.shuffle) shuffle_digits(s.order, o.seed);
    s.arranged = true;
  }
  const int rows = o.show_ok ? 5 : 4;
  const auto row_rects = split_v(r, rows, metric::kGap * 0.5f);
  KeypadResult result = KeypadResult::None;
  const std::string base(key);
  auto digit_key = [&](char d) { return base + ".d" + d; };
  auto press_digit = [&](char d) {
    if (s.value.size() < o.max_length) {
      s.value.push_back(d);
      result = KeypadResult::Edited;
    }
  };
  const ButtonStyle digit_style{ButtonKind::Secondary, FontRole::Title, true, false};
  for (int row = 0; row < 3; ++row) {
    const auto cells = split_h(row_rects[static_cast<std::size_t>(row)], 3, metric::kGap * 0.5f);
    for (int col = 0; col < 3; ++col) {
      const char d = s.order[static_cast<std::size_t>(row * 3 + col)];
      if (button_text(c, digit_key(d), std::string_view(&d, 1), cells[static_cast<std::size_t>(col)],
                      digit_style))
        press_digit(d);
    }
  }
  const auto last = split_h(row_rects[3], 3, metric::kGap * 0.5f);
  // Labelled by the shared keys, identified under this keypad's key.
  if (button_text(c, base + ".delete", c.tr("keypad.delete"), last[0],
                  {ButtonKind::Secondary, FontRole::Body, !s.value.empty(), false})) {
    s.value.pop_back();
    result = KeypadResult::Edited;
  }
  const char d9 = s.order[9];
  if (button_text(c, digit_key(d9), std::string_view(&d9, 1), last[1], digit_style)) press_digit(d9);
  if (button_text(c, base + ".clear", c.tr("keypad.clear"), last[2],
                  {ButtonKind::Secondary, FontRole::Body, !s.value.empty(), false})) {
    s.value.clear();
    result = KeypadResult::Edited;
  }
  if (o.show_ok) {
    const std::string ok_id = base + ".ok";
    if (button_text(c, ok_id, c.tr(o.ok_key), row_rects[4],
                    {ButtonKind::Primary, FontRole::Title, o.ok_enabled && !s.value.empty(), false}))
      result = KeypadResult::Submitted;
  }
  return result;
}

void keypad_field(Ctx& c, std::string_view key, const ImRect& r, const KeypadScratch& s,
                  const FieldOptions& o) {
  fill(r, color::kSurface, metric::kRounding);
  outline(r, color::kBorder, metric::kRounding, 2.0f);
  std::string shown;
  if (o.masked) {
    const std::string_view mask = c.tr("keypad.mask");
    for (std::size_t i = 0; i < s.value.size(); ++i) shown.append(mask);
  } else {
    const std::string_view v = s.value.reveal();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (o.group > 0 && i > 0 && i % o.group == 0) shown.push_back(' ');
      shown.push_back(v[i]);
    }
  }
  const ImRect inner = inset(r, metric::kButtonPadX, 4.0f);
  if (shown.empty() && !o.placeholder_key.empty()) {
    text_line(c, key, c.tr(o.placeholder_key), inner, {FontRole::Body, color::kTextMuted, Align::Left});
  } else {
    text_line(c, key, shown, inner, {FontRole::Title, color::kText, Align::Left});
  }
  // The field itself: a Field entry over the whole box (the text line above registered the text).
  WidgetInfo w;
  w.key = std::string(key) + ".box";
  w.rect = r;
  w.visible = r;
  w.kind = WidgetKind::Field;
  w.layer = c.layer;
  c.widgets.add(std::move(w));
}

}  // namespace ui
