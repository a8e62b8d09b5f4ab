#include "ui/keyboard.hpp"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

#include "ui/glyphs.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {
namespace {

constexpr float kKeyGap = 8.0f;
constexpr float kKeyPad = 6.0f;         // room beside a key's label
constexpr std::size_t kPinyinMax = 60;  // candidates asked for a pinyin input (paged in the bar)
constexpr std::size_t kInkMax = 9;      // handwriting candidates (a 3×3 grid)

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  return n;
}

// The byte where the last UTF-8 character of `s` starts.
std::size_t last_char(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0) {
    --i;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) break;
  }
  return i;
}

struct Sym {
  char ch;
  const char* name;
};
// The symbols page, three rows; the letters page has @ . - _ of its own.
constexpr std::array<Sym, 10> kSymRow1{{{'!', "exclaim"},
                                        {'#', "hash"},
                                        {'$', "dollar"},
                                        {'%', "percent"},
                                        {'&', "amp"},
                                        {'*', "star"},
                                        {'+', "plus"},
                                        {'=', "equal"},
                                        {'?', "question"},
                                        {'/', "slash"}}};
constexpr std::array<Sym, 10> kSymRow2{{{'(', "lparen"},
                                        {')', "rparen"},
                                        {'[', "lbracket"},
                                        {']', "rbracket"},
                                        {'{', "lbrace"},
                                        {'}', "rbrace"},
                                        {'<', "less"},
                                        {'>', "greater"},
                                        {'~', "tilde"},
                                        {'^', "caret"}}};
constexpr std::array<Sym, 8> kSymRow3{{{':', "colon"},
                                       {';', "semicolon"},
                                       {',', "comma"},
                                       {'\'', "apostrophe"},
                                       {'"', "quote"},
                                       {'|', "bar"},
                                       {'\\', "backslash"},
                                       {'`', "backtick"}}};
constexpr std::array<Sym, 4> kLetterPageSyms{
    {{'@', "at"}, {'.', "dot"}, {'-', "hyphen"}, {'_', "underscore"}}};
constexpr std::string_view kRow1 = "qwertyuiop";
constexpr std::string_view kRow2 = "asdfghjkl";
constexpr std::string_view kRow3 = "zxcvbnm";

// Cells of `units` widths across `row`.
std::vector<ImRect> cells(const ImRect& row, std::initializer_list<float> units) {
  float total = 0;
  for (float u : units) total += u;
  const float unit = (row.GetWidth() - kKeyGap * static_cast<float>(units.size() - 1)) / total;
  std::vector<ImRect> out;
  float x = row.Min.x;
  for (float u : units) {
    const float w = unit * u;
    out.emplace_back(ImVec2(std::floor(x), row.Min.y), ImVec2(std::floor(x + w), row.Max.y));
    x += w + kKeyGap;
  }
  return out;
}

std::vector<ImRect> even(const ImRect& row, std::size_t n) {
  return split_h(row, static_cast<int>(n), kKeyGap);
}

ButtonStyle char_key() {
  ButtonStyle s;
  s.kind = ButtonKind::Secondary;
  s.font = FontRole::Title;
  s.pad_x = kKeyPad;
  return s;
}
ButtonStyle fn_key(bool enabled = true, ButtonKind kind = ButtonKind::Secondary) {
  ButtonStyle s;
  s.kind = kind;
  s.font = FontRole::Body;
  s.enabled = enabled;
  s.pad_x = kKeyPad * 2;
  return s;
}

struct Keys {
  Ctx& c;
  const std::string& base;
  KeyboardScratch& s;
  TextTarget& t;
  KeyboardResult result = KeyboardResult::None;

  std::string id(std::string_view name) const { return base + "." + std::string(name); }
  void type(std::string_view text) {
    if (t.append(text)) result = KeyboardResult::Edited;
  }
  bool key(std::string_view name, std::string_view label, const ImRect& r, const ButtonStyle& st) {
    return button_text(c, id(name), label, r, st);
  }
  void char_key_at(char ch, std::string_view name, const ImRect& r) {
    if (key(name, std::string_view(&ch, 1), r, char_key())) type(std::string_view(&ch, 1));
  }
  void backspace(const ImRect& r) {
    if (key("backspace", c.tr("keyboard.backspace"), r, fn_key())) {
      if (!s.letters.empty())
        s.letters.pop_back();
      else
        t.backspace();
      result = KeyboardResult::Edited;
    }
  }
  void done(const ImRect& r, std::string_view done_key) {
    if (key("done", c.tr(done_key), r, fn_key(true, ButtonKind::Primary))) result = KeyboardResult::Done;
  }
};

// ---- Latin ------------------------------------------------------------------------------------------------
void latin(Keys& k, const ImRect& r, const KeyboardOptions& o) {
  KeyboardScratch& s = k.s;
  if (!s.mode || (*s.mode != KeyboardMode::Letters && *s.mode != KeyboardMode::Symbols))
    s.mode = KeyboardMode::Letters;
  const bool symbols = *s.mode == KeyboardMode::Symbols;
  const auto rows = split_v(r, 5, kKeyGap);
  {
    const auto cs = even(rows[0], 10);
    constexpr std::string_view kDigits = "1234567890";
    for (std::size_t i = 0; i < kDigits.size(); ++i) {
      const char d = kDigits[i];
      k.char_key_at(d, std::string("d") + d, cs[i]);
    }
  }
  if (!symbols) {
    auto letter = [&](char lower, const ImRect& cell) {
      const char shown = s.shift ? static_cast<char>(lower - 'a' + 'A') : lower;
      if (k.key(std::string_view(&lower, 1), std::string_view(&shown, 1), cell, char_key())) {
        k.type(std::string_view(&shown, 1));
        s.shift = false;
      }
    };
    const auto r1 = even(rows[1], 10);
    for (std::size_t i = 0; i < kRow1.size(); ++i) letter(kRow1[i], r1[i]);
    const auto r2 = even(rows[2], 10);
    for (std::size_t i = 0; i < kRow2.size(); ++i) letter(kRow2[i], r2[i]);
    k.char_key_at(kLetterPageSyms[0].ch, kLetterPageSyms[0].name, r2[9]);  // @
    const auto r3 = cells(rows[3], {1.5f, 1, 1, 1, 1, 1, 1, 1, 1.5f});
    ButtonStyle shift = fn_key(true, s.shift ? ButtonKind::Primary : ButtonKind::Secondary);
    if (k.key("shift", k.c.tr("keyboard.shift"), r3[0], shift)) s.shift = !s.shift;
    for (std::size_t i = 0; i < kRow3.size(); ++i) letter(kRow3[i], r3[i + 1]);
    k.backspace(r3[8]);
  } else {
    const auto r1 = even(rows[1], 10);
    for (std::size_t i = 0; i < kSymRow1.size(); ++i) k.char_key_at(kSymRow1[i].ch, kSymRow1[i].name, r1[i]);
    const auto r2 = even(rows[2], 10);
    for (std::size_t i = 0; i < kSymRow2.size(); ++i) k.char_key_at(kSymRow2[i].ch, kSymRow2[i].name, r2[i]);
    const auto r3 = cells(rows[3], {1, 1, 1, 1, 1, 1, 1, 1, 2});
    for (std::size_t i = 0; i < kSymRow3.size(); ++i) k.char_key_at(kSymRow3[i].ch, kSymRow3[i].name, r3[i]);
    k.backspace(r3[8]);
  }
  const auto r4 = cells(rows[4], {1.5f, 1, 1, 3, 1, 2.5f});
  if (symbols) {
    if (k.key("letters", k.c.tr("keyboard.letters"), r4[0], fn_key())) s.mode = KeyboardMode::Letters;
  } else if (k.key("symbols", k.c.tr("keyboard.symbols"), r4[0], fn_key())) {
    s.mode = KeyboardMode::Symbols;
    s.shift = false;
  }
  k.char_key_at(kLetterPageSyms[3].ch, kLetterPageSyms[3].name, r4[1]);  // _
  k.char_key_at(kLetterPageSyms[2].ch, kLetterPageSyms[2].name, r4[2]);  // -
  if (k.key("space", k.c.tr("keyboard.space"), r4[3], fn_key())) k.type(" ");
  k.char_key_at(kLetterPageSyms[1].ch, kLetterPageSyms[1].name, r4[4]);  // .
  k.done(r4[5], o.done_key);
}

// ---- Chinese ----------------------------------------------------------------------------------------------
void take_candidate(Keys& k, std::size_t index) {
  KeyboardScratch& s = k.s;
  if (index >= s.candidates.size()) return;
  if (*s.mode == KeyboardMode::Pinyin) {
    if (!k.c.ime) return;
    const PinyinPick p = k.c.ime->pick(s.letters, index);
    if (p.text.empty() || !k.t.append(p.text)) return;
    s.letters = p.rest;
  } else {
    if (!k.t.append(s.candidates[index])) return;
    s.ink.strokes.clear();
    s.candidates.clear();
  }
  k.result = KeyboardResult::Edited;
}

// A row of candidates, as many as fit at their own width, with 【上一页】【下一页】.
void candidate_bar(Keys& k, const ImRect& row) {
  KeyboardScratch& s = k.s;
  ImRect bar = row;
  const float nav_w = std::max(button_width(k.c, k.c.tr("keyboard.prev"), FontRole::Body),
                               button_width(k.c, k.c.tr("keyboard.next"), FontRole::Body));
  const ImRect next = cut_right(bar, nav_w, kKeyGap);
  const ImRect prev = cut_right(bar, nav_w, kKeyGap);
  fill(bar, color::kSurface, metric::kRounding);
  std::size_t i = s.first;
  float x = bar.Min.x;
  std::size_t shown = 0;
  std::optional<std::size_t> picked;
  while (i < s.candidates.size()) {
    const std::string& text = s.candidates[i];
    const float w =
        std::max(metric::kTouchMin + 12.0f, std::ceil(text_size(k.c, text, FontRole::Title).x) + 4 * kKeyPad);
    if (x + w > bar.Max.x) break;
    ButtonStyle st = char_key();
    st.kind = shown == 0 ? ButtonKind::Primary : ButtonKind::Secondary;
    if (k.key("cand" + std::to_string(shown), text, ImRect(ImVec2(x, bar.Min.y), ImVec2(x + w, bar.Max.y)),
              st))
      picked = i;
    x += w + kKeyGap;
    ++i;
    ++shown;
  }
  if (k.key("prev", k.c.tr("keyboard.prev"), prev, fn_key(!s.earlier.empty()))) {
    s.first = s.earlier.back();
    s.earlier.pop_back();
  }
  if (k.key("next", k.c.tr("keyboard.next"), next, fn_key(i < s.candidates.size()))) {
    s.earlier.push_back(s.first);
    s.first = i;
  }
  if (picked) take_candidate(k, *picked);
}

void refresh_pinyin(Ctx& c, KeyboardScratch& s) {
  if (s.letters == s.candidates_for) return;
  s.candidates_for = s.letters;
  s.first = 0;
  s.earlier.clear();
  s.candidates =
      s.letters.empty() || !c.ime ? std::vector<std::string>{} : c.ime->pinyin(s.letters, kPinyinMax);
}

void pinyin(Keys& k, const ImRect& area) {
  KeyboardScratch& s = k.s;
  refresh_pinyin(k.c, s);
  const auto rows = split_v(area, 4, kKeyGap);
  candidate_bar(k, rows[0]);
  auto letter = [&](char ch, const ImRect& cell) {
    if (k.key(std::string_view(&ch, 1), std::string_view(&ch, 1), cell, char_key()) &&
        s.letters.size() < 40) {
      s.letters.push_back(ch);
      k.result = KeyboardResult::Edited;
    }
  };
  const auto r1 = even(rows[1], 10);
  for (std::size_t i = 0; i < kRow1.size(); ++i) letter(kRow1[i], r1[i]);
  const auto r2 = even(rows[2], 10);
  for (std::size_t i = 0; i < kRow2.size(); ++i) letter(kRow2[i], r2[i]);
  if (k.key("middot", "·", r2[9], char_key()) && s.letters.empty()) k.type("·");
  const auto r3 = cells(rows[3], {1, 1, 1, 1, 1, 1, 1, 3});
  for (std::size_t i = 0; i < kRow3.size(); ++i) letter(kRow3[i], r3[i]);
  k.backspace(r3[7]);
}

void handwriting(Keys& k, const ImRect& area) {
  Ctx& c = k.c;
  KeyboardScratch& s = k.s;
  const float side = std::min(area.GetHeight(), std::floor(area.GetWidth() * 0.55f));
  ImRect rest = area;
  const ImRect pad = cut_left(rest, side, kKeyGap * 2);

  // The pad: a finger's strokes, sampled every few pixels while it is down.
  const std::string pad_key = k.id("pad");
  const std::string hashed = "###" + pad_key;
  const ImGuiID id = ImGui::GetCurrentWindow()->GetID(hashed.data(), hashed.data() + hashed.size());
  ImGui::ItemAdd(pad, id);
  bool hovered = false;
  bool held = false;
  ImGui::ButtonBehavior(pad, id, &hovered, &held, ImGuiButtonFlags_PressedOnClick);
  const ImGuiIO& io = ImGui::GetIO();
  auto point = [&](ImVec2 p) {
    return InkPoint{std::clamp((p.x - pad.Min.x) / pad.GetWidth(), 0.0f, 1.0f),
                    std::clamp((p.y - pad.Min.y) / pad.GetHeight(), 0.0f, 1.0f)};
  };
  if (held) {
    if (!s.drawing) {
      s.drawing = true;
      s.ink.strokes.emplace_back();
      s.ink.strokes.back().push_back(point(io.MouseClickedPos[0]));
    }
    const InkPoint p = point(io.MousePos);
    const InkPoint& last = s.ink.strokes.back().back();
    const float dx = (p.x - last.x) * pad.GetWidth();
    const float dy = (p.y - last.y) * pad.GetHeight();
    if (dx * dx + dy * dy >= 9.0f) s.ink.strokes.back().push_back(p);
  } else if (s.drawing) {
    // The stroke ended: what can the ink so far be?
    s.drawing = false;
    s.candidates = c.ime ? c.ime->handwriting(s.ink, kInkMax) : std::vector<std::string>{};
    s.candidates_for.clear();
    s.first = 0;
    s.earlier.clear();
  }
  fill(pad, color::kSurface, metric::kRounding);
  outline(pad, held ? color::kPrimary : color::kBorder, metric::kRounding, 3.0f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 guide = to_u32(color::kDisabled);
  dl->AddLine(ImVec2(pad.GetCenter().x, pad.Min.y + 12), ImVec2(pad.GetCenter().x, pad.Max.y - 12), guide,
              2.0f);
  dl->AddLine(ImVec2(pad.Min.x + 12, pad.GetCenter().y), ImVec2(pad.Max.x - 12, pad.GetCenter().y), guide,
              2.0f);
  if (s.ink.empty()) {
    text_line(c, k.id("pad_hint"), c.tr("keyboard.write_here"), inset(pad, 16.0f, 0.0f),
              {FontRole::Body, color::kTextMuted, Align::Center});
  }
  for (const auto& stroke : s.ink.strokes) {
    std::vector<ImVec2> pts;
    for (const auto& p : stroke)
      pts.emplace_back(pad.Min.x + p.x * pad.GetWidth(), pad.Min.y + p.y * pad.GetHeight());
    // Round joints: ImGui's thick polyline leaves notches where a stroke bends.
    for (const auto& p : pts) dl->AddCircleFilled(p, 4.0f, to_u32(color::kText));
    if (pts.size() > 1)
      dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), to_u32(color::kText), 0, 8.0f);
  }
  WidgetInfo w;
  w.key = pad_key;
  w.id = id;
  w.rect = pad;
  w.visible = pad;
  w.kind = WidgetKind::Field;
  w.interactive = true;
  w.layer = c.layer;
  c.widgets.add(std::move(w));

  // Beside it: the candidates (3×3), 【重写】 and 【删除】.
  const ImRect tools = cut_bottom(rest, (rest.GetHeight() - 3 * kKeyGap) / 4.0f, kKeyGap);
  const auto grid = split_v(rest, 3, kKeyGap);
  std::optional<std::size_t> picked;
  std::size_t n = 0;
  for (const auto& row : grid)
    for (const auto& cell : even(row, 3)) {
      if (n < s.candidates.size()) {
        ButtonStyle st = char_key();
        st.kind = n == 0 ? ButtonKind::Primary : ButtonKind::Secondary;
        if (k.key("cand" + std::to_string(n), s.candidates[n], cell, st)) picked = n;
      }
      ++n;
    }
  const auto tool = even(tools, 2);
  if (k.key("rewrite", c.tr("keyboard.rewrite"), tool[0], fn_key(!s.ink.empty()))) {
    s.ink.strokes.clear();
    s.candidates.clear();
  }
  k.backspace(tool[1]);
  if (picked) take_candidate(k, *picked);
}

void chinese(Keys& k, const ImRect& r, const KeyboardOptions& o) {
  Ctx& c = k.c;
  KeyboardScratch& s = k.s;
  const bool pinyin_ok = c.ime && c.ime->has_pinyin();
  const bool hand_ok = c.ime && c.ime->has_handwriting();
  if (!s.mode || (*s.mode != KeyboardMode::Pinyin && *s.mode != KeyboardMode::Handwriting))
    s.mode = pinyin_ok || !hand_ok ? KeyboardMode::Pinyin : KeyboardMode::Handwriting;
  ImRect area = r;
  const ImRect bottom = cut_bottom(area, (r.GetHeight() - 4 * kKeyGap) / 5.0f, kKeyGap);
  const auto b = cells(bottom, {2, 2, 2, 4});
  const bool writing = *s.mode == KeyboardMode::Handwriting;
  if (k.key("pinyin", c.tr("keyboard.pinyin"), b[0],
            fn_key(pinyin_ok, writing ? ButtonKind::Secondary : ButtonKind::Primary)) &&
      writing) {
    s.mode = KeyboardMode::Pinyin;
    s.candidates_for = "\x01";  // ask again for the letters
  }
  if (k.key("handwriting", c.tr("keyboard.handwriting"), b[1],
            fn_key(hand_ok, writing ? ButtonKind::Primary : ButtonKind::Secondary)) &&
      !writing) {
    s.mode = KeyboardMode::Handwriting;
    s.letters.clear();
    s.candidates.clear();
    s.candidates_for.clear();
  }
  if (k.key("clear", c.tr("keyboard.clear"), b[2],
            fn_key(!k.t.empty() || !s.letters.empty() || !s.ink.empty()))) {
    k.t.clear();
    s.letters.clear();
    s.ink.strokes.clear();
    s.candidates.clear();
    s.candidates_for.clear();
    k.result = KeyboardResult::Edited;
  }
  k.done(b[3], o.done_key);
  if (!pinyin_ok && !hand_ok) {
    paragraph(c, k.id("unavailable"), c.tr("keyboard.ime_unavailable"), inset(area, 0.0f, metric::kPad),
              {FontRole::Body, color::kDanger, Align::Center});
    return;
  }
  if (*s.mode == KeyboardMode::Pinyin)
    pinyin(k, area);
  else
    handwriting(k, area);
}

}  // namespace

// ---- TextTarget -------------------------------------------------------------------------------------------
bool TextTarget::append(std::string_view utf8) {
  if (utf8.empty()) return false;
  if (chars() + (secret_ ? utf8.size() : count_chars(utf8)) > max_) return false;
  if (text_) {
    text_->append(utf8);
    return true;
  }
  secret_->append(utf8);
  return true;
}

void TextTarget::backspace() {
  if (text_) {
    if (!text_->empty()) text_->erase(last_char(*text_));
  } else {
    secret_->pop_back();
  }
}

void TextTarget::clear() {
  if (text_)
    text_->clear();
  else
    secret_->clear();
}

std::size_t TextTarget::chars() const {
  return text_ ? count_chars(*text_) : secret_->size();
}

// ---- keyboard
// -----------------------------------------------------------------------------------------------
KeyboardResult keyboard(Ctx& c, std::string_view key, const ImRect& r, KeyboardScratch& s, TextTarget target,
                        const KeyboardOptions& o) {
  const std::string base(key);
  Keys k{c, base, s, target};
  fill(inset(r, -12.0f), color::kSecondaryPressed, metric::kRounding);
  if (o.kind == KeyboardKind::Latin)
    latin(k, r, o);
  else
    chinese(k, r, o);
  return k.result;
}

std::optional<LatinKey> latin_key(char ch) {
  if (ch >= 'a' && ch <= 'z') return LatinKey{std::string(1, ch), false, false};
  if (ch >= 'A' && ch <= 'Z') return LatinKey{std::string(1, static_cast<char>(ch - 'A' + 'a')), false, true};
  if (ch >= '0' && ch <= '9') return LatinKey{std::string("d") + ch, false, false};
  if (ch == ' ') return LatinKey{"space", false, false};
  for (const auto& sym : kLetterPageSyms)
    if (sym.ch == ch) return LatinKey{sym.name, false, false};
  for (const auto* row : {kSymRow1.data(), kSymRow2.data()})
    for (std::size_t i = 0; i < 10; ++i)
      if (row[i].ch == ch) return LatinKey{row[i].name, true, false};
  for (const auto& sym : kSymRow3)
    if (sym.ch == ch) return LatinKey{sym.name, true, false};
  return std::nullopt;
}

// ---- the entry field
// ----------------------------------------------------------------------------------------
bool entry_field(Ctx& c, std::string_view key, const ImRect& r, std::string_view shown,
                 const FieldStyle& st) {
  const std::string hashed = "###" + std::string(key);
  const ImGuiID id = ImGui::GetCurrentWindow()->GetID(hashed.data(), hashed.data() + hashed.size());
  const bool on_screen = ImGui::ItemAdd(r, id);
  bool hovered = false;
  bool held = false;
  bool pressed = false;
  if (on_screen)
    pressed = ImGui::ButtonBehavior(r, id, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
  const bool tap =
      pressed && ImGui::GetIO().MouseDragMaxDistanceSqr[0] <= metric::kTapSlop * metric::kTapSlop;

  fill(r, color::kSurface, metric::kRounding);
  if (st.focused)
    outline(r, color::kPrimary, metric::kRounding, 5.0f);
  else
    outline(r, st.invalid ? color::kDanger : color::kBorder, metric::kRounding, st.invalid ? 3.0f : 2.0f);
  const ImRect inner = inset(r, 20.0f, 4.0f);
  ImFont* f = c.fonts.font(FontRole::Body);
  std::string visible;
  ImVec2 size{0, f->FontSize};
  if (shown.empty() && st.composing.empty() && !st.placeholder_key.empty()) {
    visible = std::string(c.tr(st.placeholder_key));
    size = text_size(c, visible, FontRole::Body);
    ImGui::GetWindowDrawList()->AddText(
        f, f->FontSize, ImVec2(inner.Min.x, std::floor(inner.GetCenter().y - size.y * 0.5f)),
        to_u32(color::kTextMuted), visible.data(), visible.data() + visible.size());
  } else {
    // The tail when it is longer than the box: what was typed last stays in view.
    std::string_view text = shown;
    const float composing_w =
        st.composing.empty() ? 0.0f : text_size(c, st.composing, FontRole::Body).x + 8.0f;
    const float room = inner.GetWidth() - composing_w - 6.0f;
    while (!text.empty() && text_size(c, text, FontRole::Body).x > room) {
      std::size_t skip = 1;
      while (skip < text.size() && (static_cast<unsigned char>(text[skip]) & 0xC0) == 0x80) ++skip;
      text.remove_prefix(skip);
    }
    const ImVec2 ts = text_size(c, text, FontRole::Body);
    const float y = std::floor(inner.GetCenter().y - f->FontSize * 0.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddText(f, f->FontSize, ImVec2(inner.Min.x, y), to_u32(color::kText), text.data(),
                text.data() + text.size());
    float x = inner.Min.x + ts.x;
    if (!st.composing.empty()) {
      x += 4.0f;
      const ImVec2 cs = text_size(c, st.composing, FontRole::Body);
      dl->AddText(f, f->FontSize, ImVec2(x, y), to_u32(color::kPrimary), st.composing.data(),
                  st.composing.data() + st.composing.size());
      dl->AddLine(ImVec2(x, y + f->FontSize + 2), ImVec2(x + cs.x, y + f->FontSize + 2),
                  to_u32(color::kPrimary), 2.0f);
      x += cs.x;
    }
    if (st.focused)
      dl->AddLine(ImVec2(x + 3, y + 2), ImVec2(x + 3, y + f->FontSize - 2), to_u32(color::kPrimary), 3.0f);
    visible = std::string(text) + std::string(st.composing);
    size = ImVec2(x - inner.Min.x, f->FontSize);
  }
  record_widget(c, key, id, r, WidgetKind::Field, visible, size, inner.GetSize(), true);
  return tap;
}

std::string masked(Ctx& c, std::size_t n) {
  const std::string_view mask = c.tr("keypad.mask");
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.append(mask);
  return out;
}

std::vector<std::string> keyboard_keys() {
  return {"keyboard.shift",       "keyboard.symbols",
          "keyboard.letters",     "keyboard.space",
          "keyboard.backspace",   "keyboard.done",
          "keyboard.clear",       "keyboard.pinyin",
          "keyboard.handwriting", "keyboard.prev",
          "keyboard.next",        "keyboard.rewrite",
          "keyboard.write_here",  "keyboard.ime_unavailable",
          "keypad.mask"};
}

}  // namespace ui
