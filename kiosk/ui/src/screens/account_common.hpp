// Pieces the personal centre's screens share (not a public header): the title row with 【退出登录】, the
// split between the form and its keyboard, labelled rows, the numeric keypad's size.
#pragma once

#include <initializer_list>
#include <string_view>

#include "ui/account_screens.hpp"
#include "ui/style.hpp"

namespace ui::account {

inline constexpr float kRowH = 84.0f;  // an entry field
inline constexpr float kRowGap = 14.0f;

// The screen's title at the left and 【退出登录】 (account.logout) at the right; the content below.
ImRect title_row(Ctx& c, std::string_view title_key, ImRect content, bool& logout_tapped);

// The form and its keyboard: side by side in landscape (the form `form_w` wide), one above the other in
// portrait (the keyboard `keys_h` high at the bottom).
struct FormSplit {
  ImRect form;
  ImRect keys;
};
FormSplit split_form(Ctx& c, ImRect content, float form_w, float keys_h);

// The widest of these labels, for a column that lines the fields up.
float label_width(Ctx& c, std::initializer_list<std::string_view> keys);
// A row: the label at the left of `row` (`label_w` wide), the rest returned for the field.
ImRect labelled(Ctx& c, std::string_view label_key, ImRect row, float label_w);

// The numeric keypad (no 【确定】: the form has its own button) at a size that suits `area`.
KeypadResult number_pad(Ctx& c, std::string_view key, const ImRect& area, KeypadScratch& s, std::size_t max);

// A hint in place of a keyboard when no field is chosen.
void keys_hint(Ctx& c, std::string_view key, const ImRect& area);

}  // namespace ui::account
