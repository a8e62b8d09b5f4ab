// Touch widgets. Each registers itself in the frame's WidgetRegistry under its message key, with its
// rectangle and the size of its text, so the harness can tap it by key and check_layout() can hold it to
// the rules. Layout is by rectangles (cut_top, split_h...): the kiosk's screens are fixed, so explicit
// rectangles read better than ImGui's cursor, and they are the same in a test as on the screen.
//
// Taps act on release, and only when the finger moved less than metric::kTapSlop since the press: a finger
// that drags a list does not also press the button it started on.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "ui/ctx.hpp"
#include "ui/style.hpp"

namespace ui {

// ---- rectangles ----------------------------------------------------------------------------------------
ImRect cut_top(ImRect& r, float h, float gap = 0);  // the top h of r; r keeps the rest below the gap
ImRect cut_bottom(ImRect& r, float h, float gap = 0);
ImRect cut_left(ImRect& r, float w, float gap = 0);
ImRect cut_right(ImRect& r, float w, float gap = 0);
ImRect inset(const ImRect& r, float by);
ImRect inset(const ImRect& r, float x, float y);
ImRect centered(const ImRect& r, ImVec2 size);                   // size centred in r (clamped to r)
std::vector<ImRect> split_h(const ImRect& r, int n, float gap);  // n columns
std::vector<ImRect> split_v(const ImRect& r, int n, float gap);  // n rows

// ---- text -----------------------------------------------------------------------------------------------
enum class Align { Left, Center, Right };
struct TextStyle {
  FontRole font = FontRole::Body;
  Rgb color = color::kText;
  Align align = Align::Left;
};
ImVec2 text_size(Ctx& c, std::string_view text, FontRole font);

// Line breaking for Chinese and English: between any two CJK characters, at spaces, never inside a Latin
// word or number ("KEY", "PIN", 13800138000), never before closing punctuation (，。）】”) nor after
// opening punctuation (（【“). ImGui 1.86's own wrapping breaks a space-less Chinese sentence anywhere,
// "KEY" included. A run wider than the line is cut where it must be, and reported as overflow.
struct WrappedLine {
  std::string_view text;
  float width = 0;
};
struct Wrapped {
  std::vector<WrappedLine> lines;
  ImVec2 size{0, 0};   // widest line × lines · line height
  float overflow = 0;  // the widest unbreakable run that had to be cut (0 = none)
};
Wrapped wrap_text(ImFont* font, std::string_view text, float max_width);
// One line in a box, vertically centred. Registered (kind Text or Title) under `key`.
void text_line(Ctx& c, std::string_view key, std::string_view text, const ImRect& r, const TextStyle& s = {});
// A wrapped paragraph from r's top-left within r's width; returns the height used. The text's whole height
// must fit in r (check_layout says so when it does not).
float paragraph(Ctx& c, std::string_view key, std::string_view text, const ImRect& r,
                const TextStyle& s = {});
// The height paragraph() would use.
float paragraph_height(Ctx& c, std::string_view text, float width, FontRole font);
// `text` whole when it fits `width` at `font`, else cut at a character with "…" added: for a name on a
// line that cannot wrap (the top bar, a list row's title). Never cuts inside a UTF-8 sequence.
std::string elide(Ctx& c, std::string_view text, float width, FontRole font);

// ---- for widgets of their own (keyboards, the renewal's cards) ------------------------------------------
// The ImGui ID of a widget key ("###key": the same in every language).
ImGuiID widget_id(std::string_view key);
// Registers a drawn widget for check_layout() and the harness (its visible part clipped to a list's window).
void record_widget(Ctx& c, std::string_view key, ImGuiID id, const ImRect& r, WidgetKind kind,
                   std::string_view text = {}, ImVec2 text_size = {0, 0}, ImVec2 room = {0, 0},
                   bool interactive = false, bool enabled = true);

// ---- buttons --------------------------------------------------------------------------------------------
enum class ButtonKind { Primary, Secondary, OnBar, Danger };
struct ButtonStyle {
  ButtonKind kind = ButtonKind::Secondary;
  FontRole font = FontRole::Body;
  bool enabled = true;
  bool selected = false;              // a toggle that is on (the current language)
  float pad_x = metric::kButtonPadX;  // room beside the label (small keyboard keys use less)
};
// Labelled with the key's text. True once: on release over it, not dragged.
bool button(Ctx& c, std::string_view key, const ImRect& r, const ButtonStyle& s = {});
// Labelled with other text (a countdown, a name); the ID is still the key.
bool button_text(Ctx& c, std::string_view key, std::string_view label, const ImRect& r,
                 const ButtonStyle& s = {});
// Simple line icons drawn with ImGui's draw list (no picture files needed).
enum class Icon { None, Key, Person, Help, Clock, Warning };
void draw_icon(Icon icon, const ImRect& r, Rgb color);

// A large tile: an icon, the key's text in the title font and the text of `hint_key` below it. A disabled
// tile is greyed and takes no tap.
bool tile(Ctx& c, std::string_view key, std::string_view hint_key, const ImRect& r, ButtonKind kind,
          Icon icon = Icon::None, bool enabled = true);
// The width a button needs for its label (label + padding), at least the touch minimum.
float button_width(Ctx& c, std::string_view label, FontRole font);

// ---- scrolling list -------------------------------------------------------------------------------------
// Scrolled by dragging anywhere in it (ImGui 1.86 scrolls only by wheel or scrollbar). The offset lives
// in the screen's scratch, so a new session starts at the top.
struct ListScratch {
  float scroll = 0;
  float max_scroll = 0;   // as of the last frame
  bool dragging = false;  // the finger went down inside the list
  float scroll_at_press = 0;
};
void begin_list(Ctx& c, std::string_view key, const ImRect& r, ListScratch& s);
// The next row's rectangle (full list width, `height` tall), in screen coordinates.
ImRect list_row(Ctx& c, float height);
void end_list(Ctx& c, ListScratch& s);

// ---- images -------------------------------------------------------------------------------------------
// A texture drawn in `r`, registered as an Image under `key`. Give it a rectangle of the texture's own size
// (or an integer multiple) on whole pixels and it stays crisp: the app samples images nearest-neighbour.
void image(Ctx& c, std::string_view key, const Texture& t, const ImRect& r);
// The QR code of `text` (ECC M, 4 modules of quiet zone, `module_px` per module), made once per text and
// size and kept until the session ends. Invalid when the text cannot be encoded.
Texture qr_texture(Ctx& c, std::string_view text, int module_px);

// ---- overlay --------------------------------------------------------------------------------------------
// A window over the whole screen with a dim scrim; widgets inside are on layer 1 and the screen below
// takes no touch while it is up. Returns the card's rectangle (size, centred).
ImRect begin_overlay(Ctx& c, std::string_view key, ImVec2 card_size);
void end_overlay(Ctx& c);

// ---- drawing --------------------------------------------------------------------------------------------
void fill(const ImRect& r, Rgb color, float rounding = 0, std::uint8_t alpha = 0xFF);
void outline(const ImRect& r, Rgb color, float rounding, float thickness);

}  // namespace ui
