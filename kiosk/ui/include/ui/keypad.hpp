// The on-screen numeric keypad: big keys, an optional shuffle of the digits, and the typed value kept in a
// zeroizing foundation::SecretBuffer inside the screen's scratch struct. Nothing typed here passes through
// ImGui's InputText (which keeps copies and an undo history) or through the core.
//
//   KeypadScratch& k = scratch.pin;          // in the per-session scratch: replaced when the session ends
//   keypad_field(c, "pin.field", field_rect, k, {.masked = true});
//   if (keypad(c, "pin.keypad", pad_rect, k, {.max_length = 16, .shuffle = v.shuffle}) ==
//   KeypadResult::Submitted) {
//     return core::PinSubmitted{c.hand_over(core::SecretKind::Pin, std::move(k.value))};
//   }
//
// Keys are registered as "<key>.d0" … "<key>.d9", "<key>.delete", "<key>.clear", "<key>.ok".
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <imgui.h>
#include <imgui_internal.h>

#include "foundation/secret.hpp"
#include "ui/ctx.hpp"

namespace ui {

struct KeypadScratch {
  foundation::SecretBuffer value;
  std::array<char, 10> order{'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
  bool arranged = false;  // the order was set (shuffled or not) for this entry
};

struct KeypadOptions {
  std::size_t max_length = 16;
  bool shuffle = false;    // a new digit order for every entry (set once per scratch)
  std::uint32_t seed = 1;  // from the session scratch; tests fix it
  bool show_ok = true;
  bool ok_enabled = true;  // e.g. only once the value is long enough
  std::string_view ok_key = "keypad.ok";
};

enum class KeypadResult { None, Edited, Submitted };

KeypadResult keypad(Ctx& c, std::string_view key, const ImRect& r, KeypadScratch& s,
                    const KeypadOptions& o = {});

struct FieldOptions {
  bool masked = true;                  // one mask character per typed character
  std::string_view placeholder_key{};  // shown when empty (muted), e.g. "phone.placeholder"
  std::size_t group = 0;               // unmasked: a space every `group` digits from the left (0 = none)
};
// The entry field above a keypad, registered as a Field under `key`.
void keypad_field(Ctx& c, std::string_view key, const ImRect& r, const KeypadScratch& s,
                  const FieldOptions& o = {});

// Fisher–Yates with a small xorshift generator: the same seed gives the same order.
void shuffle_digits(std::array<char, 10>& order, std::uint32_t seed);

}  // namespace ui
