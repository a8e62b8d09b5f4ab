#include "ui/widgets.hpp"

#include "ui/qr.hpp"

#include <algorithm>
#include <cfloat>
#include <string>

#include "foundation/utf8.hpp"

namespace ui {
namespace {

ImDrawList* draw_list() {
  return ImGui::GetWindowDrawList();
}

std::string hash_id(std::string_view key) {
  std::string s = "###";
  s.append(key);
  return s;
}

ImVec2 measure(ImFont* f, std::string_view text, float wrap_width) {
  if (text.empty()) return {0, f->FontSize};
  return f->CalcTextSizeA(f->FontSize, FLT_MAX, wrap_width, text.data(), text.data() + text.size());
}

void draw_text(ImFont* f, ImVec2 pos, Rgb color, std::string_view text, float wrap_width = 0.0f) {
  draw_list()->AddText(f, f->FontSize, ImVec2(std::floor(pos.x), std::floor(pos.y)), to_u32(color),
                       text.data(), text.data() + text.size(), wrap_width);
}

ImVec2 aligned(const ImRect& r, ImVec2 size, Align a) {
  float x = r.Min.x;
  if (a == Align::Center) x = r.Min.x + (r.GetWidth() - size.x) * 0.5f;
  if (a == Align::Right) x = r.Max.x - size.x;
  return {x, r.Min.y + (r.GetHeight() - size.y) * 0.5f};
}

}  // namespace

ImGuiID widget_id(std::string_view key) {
  const std::string s = hash_id(key);
  return ImGui::GetCurrentWindow()->GetID(s.data(), s.data() + s.size());
}

void record_widget(Ctx& c, std::string_view key, ImGuiID id, const ImRect& r, WidgetKind kind,
                   std::string_view text, ImVec2 text_size, ImVec2 room, bool interactive, bool enabled) {
  WidgetInfo w;
  w.key = std::string(key);
  w.id = id;
  w.rect = r;
  w.visible = r;
  if (c.in_list) w.visible.ClipWithFull(c.list_clip);
  w.kind = kind;
  w.text = std::string(text);
  w.text_size = text_size;
  w.text_room = room;
  w.interactive = interactive;
  w.enabled = enabled;
  w.layer = c.layer;
  w.in_list = c.in_list;
  c.widgets.add(std::move(w));
}

// ---- rectangles -----------------------------------------------------------------------------------------
ImRect cut_top(ImRect& r, float h, float gap) {
  h = std::min(h, r.GetHeight());
  ImRect out(r.Min, ImVec2(r.Max.x, r.Min.y + h));
  r.Min.y = std::min(r.Max.y, r.Min.y + h + gap);
  return out;
}
ImRect cut_bottom(ImRect& r, float h, float gap) {
  h = std::min(h, r.GetHeight());
  ImRect out(ImVec2(r.Min.x, r.Max.y - h), r.Max);
  r.Max.y = std::max(r.Min.y, r.Max.y - h - gap);
  return out;
}
ImRect cut_left(ImRect& r, float w, float gap) {
  w = std::min(w, r.GetWidth());
  ImRect out(r.Min, ImVec2(r.Min.x + w, r.Max.y));
  r.Min.x = std::min(r.Max.x, r.Min.x + w + gap);
  return out;
}
ImRect cut_right(ImRect& r, float w, float gap) {
  w = std::min(w, r.GetWidth());
  ImRect out(ImVec2(r.Max.x - w, r.Min.y), r.Max);
  r.Max.x = std::max(r.Min.x, r.Max.x - w - gap);
  return out;
}
ImRect inset(const ImRect& r, float by) {
  return inset(r, by, by);
}
ImRect inset(const ImRect& r, float x, float y) {
  ImRect out(ImVec2(r.Min.x + x, r.Min.y + y), ImVec2(r.Max.x - x, r.Max.y - y));
  if (out.Max.x < out.Min.x) out.Max.x = out.Min.x = r.GetCenter().x;
  if (out.Max.y < out.Min.y) out.Max.y = out.Min.y = r.GetCenter().y;
  return out;
}
ImRect centered(const ImRect& r, ImVec2 size) {
  size.x = std::min(size.x, r.GetWidth());
  size.y = std::min(size.y, r.GetHeight());
  const ImVec2 min(std::floor(r.Min.x + (r.GetWidth() - size.x) * 0.5f),
                   std::floor(r.Min.y + (r.GetHeight() - size.y) * 0.5f));
  return {min, ImVec2(min.x + size.x, min.y + size.y)};
}
std::vector<ImRect> split_h(const ImRect& r, int n, float gap) {
  std::vector<ImRect> out;
  if (n <= 0) return out;
  const float w = (r.GetWidth() - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
  for (int i = 0; i < n; ++i) {
    const float x = r.Min.x + static_cast<float>(i) * (w + gap);
    out.emplace_back(ImVec2(std::floor(x), r.Min.y), ImVec2(std::floor(x + w), r.Max.y));
  }
  return out;
}
std::vector<ImRect> split_v(const ImRect& r, int n, float gap) {
  std::vector<ImRect> out;
  if (n <= 0) return out;
  const float h = (r.GetHeight() - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
  for (int i = 0; i < n; ++i) {
    const float y = r.Min.y + static_cast<float>(i) * (h + gap);
    out.emplace_back(ImVec2(r.Min.x, std::floor(y)), ImVec2(r.Max.x, std::floor(y + h)));
  }
  return out;
}

// ---- drawing --------------------------------------------------------------------------------------------
void fill(const ImRect& r, Rgb color, float rounding, std::uint8_t alpha) {
  draw_list()->AddRectFilled(r.Min, r.Max, to_u32(color, alpha), rounding);
}
void outline(const ImRect& r, Rgb color, float rounding, float thickness) {
  const float h = thickness * 0.5f;
  draw_list()->AddRect(ImVec2(r.Min.x + h, r.Min.y + h), ImVec2(r.Max.x - h, r.Max.y - h), to_u32(color),
                       rounding, 0, thickness);
}

// ---- text -----------------------------------------------------------------------------------------------
ImVec2 text_size(Ctx& c, std::string_view text, FontRole font) {
  c.fonts.want(text, font);
  return measure(c.fonts.font(font), text, -1.0f);
}

namespace {

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) || c > 0xFFFF;
}
// Closing punctuation (Chinese and Latin) never starts a line.
bool no_break_before(char32_t c) {
  constexpr std::u32string_view kClosing = U"，。、；：？！）】」』”’》〉…%,.;:!?)]}\u00B7\u3015\uFF3D\uFF5D";
  return kClosing.find(c) != std::u32string_view::npos;
}
// Opening punctuation never ends a line.
bool no_break_after(char32_t c) {
  constexpr std::u32string_view kOpening = U"（【「『“‘《〈([{\u3014\uFF3B\uFF5B";
  return kOpening.find(c) != std::u32string_view::npos;
}

float advance(ImFont* f, char32_t c) {
  return f->GetCharAdvance(static_cast<ImWchar>(c > kLastBmp ? FontBook::kPlaceholder : c));
}

}  // namespace

Wrapped wrap_text(ImFont* f, std::string_view text, float max_width) {
  Wrapped out;
  struct Cp {
    char32_t c;
    std::size_t pos;
    std::size_t next;
  };
  std::vector<Cp> cps;
  cps.reserve(text.size());
  foundation::for_each_codepoint_at(text, [&](char32_t c, std::size_t pos, std::size_t len) {
    cps.push_back({c, pos, pos + len});
  });
  auto width_of = [&](std::size_t from, std::size_t to) {
    float w = 0;
    for (std::size_t k = from; k < to; ++k) w += advance(f, cps[k].c);
    return w;
  };
  auto push = [&](std::size_t from, std::size_t to) {
    std::size_t end = to;
    while (end > from && cps[end - 1].c == ' ') --end;  // a line does not end in spaces
    const std::size_t b = from < cps.size() ? cps[from].pos : text.size();
    const std::size_t e = end > from ? cps[end - 1].next : b;
    const float w = width_of(from, end);
    out.lines.push_back({text.substr(b, e - b), w});
    out.size.x = std::max(out.size.x, w);
  };

  std::size_t line = 0;  // index of the line's first code point
  std::size_t brk = 0;   // a break opportunity: the line may end before cps[brk]
  bool have_brk = false;
  float w = 0;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i].c;
    if (c == '\n') {
      push(line, i);
      line = i + 1;
      have_brk = false;
      w = 0;
      continue;
    }
    if (i > line) {
      const char32_t prev = cps[i - 1].c;
      const bool space_before = prev == ' ' && c != ' ';
      const bool cjk_edge = (is_cjk(c) || is_cjk(prev)) && c != ' ' && prev != ' ';
      if ((space_before || cjk_edge) && !no_break_before(c) && !no_break_after(prev)) {
        brk = i;
        have_brk = true;
      }
    }
    const float adv = advance(f, c);
    if (c != ' ' && w + adv > max_width && i > line) {
      if (have_brk && brk > line) {
        push(line, brk);
        line = brk;
      } else {
        // Nowhere to break: cut here and say so (check_layout reports it as text wider than its widget).
        std::size_t run_start = line;
        for (std::size_t k = i; k > line; --k)
          if (cps[k - 1].c == ' ') {
            run_start = k;
            break;
          }
        std::size_t run_end = i;
        while (run_end < cps.size() && cps[run_end].c != ' ' && cps[run_end].c != '\n' &&
               !is_cjk(cps[run_end].c))
          ++run_end;
        out.overflow = std::max(out.overflow, width_of(run_start, run_end));
        push(line, i);
        line = i;
      }
      have_brk = false;
      while (line < cps.size() && cps[line].c == ' ') ++line;
      w = width_of(line, i);
      if (line > i) continue;  // the spaces that ended the line are gone
    }
    w += adv;
  }
  if (line < cps.size() || out.lines.empty()) push(line, cps.size());
  out.size.y = static_cast<float>(out.lines.size()) * f->FontSize;
  return out;
}

void text_line(Ctx& c, std::string_view key, std::string_view text, const ImRect& r, const TextStyle& s) {
  ImFont* f = c.fonts.font(s.font);
  c.fonts.want(text, s.font);
  const ImVec2 size = measure(f, text, -1.0f);
  draw_text(f, aligned(r, size, s.align), s.color, text);
  record_widget(c, key, 0, r, s.font == FontRole::Title ? WidgetKind::Title : WidgetKind::Text, text, size,
                r.GetSize(), false, true);
}

float paragraph_height(Ctx& c, std::string_view text, float width, FontRole font) {
  c.fonts.want(text, font);
  return wrap_text(c.fonts.font(font), text, width).size.y;
}

std::string elide(Ctx& c, std::string_view text, float width, FontRole font) {
  if (text_size(c, text, font).x <= width) return std::string(text);
  constexpr std::string_view kEllipsis = "…";
  ImFont* f = c.fonts.font(font);
  c.fonts.want(kEllipsis, font);
  float used = measure(f, kEllipsis, -1.0f).x;
  std::size_t end = 0;
  bool full = false;
  foundation::for_each_codepoint_at(text, [&](char32_t ch, std::size_t pos, std::size_t len) {
    if (full) return;
    const float a = advance(f, ch);
    if (used + a > width) {
      full = true;
      return;
    }
    used += a;
    end = pos + len;
  });
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

float paragraph(Ctx& c, std::string_view key, std::string_view text, const ImRect& r, const TextStyle& s) {
  ImFont* f = c.fonts.font(s.font);
  c.fonts.want(text, s.font);
  const float width = r.GetWidth();
  const Wrapped wrapped = wrap_text(f, text, width);
  float y = r.Min.y;
  for (const auto& line : wrapped.lines) {
    float x = r.Min.x;
    if (s.align == Align::Center) x += (width - line.width) * 0.5f;
    if (s.align == Align::Right) x += width - line.width;
    draw_text(f, ImVec2(x, y), s.color, line.text);
    y += f->FontSize;
  }
  ImVec2 size = wrapped.size;
  if (wrapped.overflow > 0) size.x = std::max(size.x, wrapped.overflow);
  record_widget(c, key, 0, ImRect(r.Min, ImVec2(r.Max.x, r.Min.y + size.y)), WidgetKind::Text, text, size,
                r.GetSize(), false, true);
  return size.y;
}

// ---- buttons --------------------------------------------------------------------------------------------
float button_width(Ctx& c, std::string_view label, FontRole font) {
  return std::max(metric::kTouchMin, std::ceil(text_size(c, label, font).x) + 2 * metric::kButtonPadX);
}

bool button_text(Ctx& c, std::string_view key, std::string_view label, const ImRect& r,
                 const ButtonStyle& s) {
  const ImGuiID id = widget_id(key);
  const bool shown = ImGui::ItemAdd(r, id);
  bool hovered = false;
  bool held = false;
  bool pressed = false;
  if (shown && s.enabled)
    pressed = ImGui::ButtonBehavior(r, id, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
  const ImGuiIO& io = ImGui::GetIO();
  const bool tap = pressed && io.MouseDragMaxDistanceSqr[0] <= metric::kTapSlop * metric::kTapSlop;

  ImFont* f = c.fonts.font(s.font);
  c.fonts.want(label, s.font);
  const ImVec2 size = measure(f, label, -1.0f);
  if (shown) {
    const bool down = held && hovered;
    Rgb bg = color::kSurface;
    Rgb fg = color::kPrimary;
    bool border = true;
    Rgb border_color = color::kPrimary;
    switch (s.kind) {
      case ButtonKind::Primary:
        bg = down ? color::kPrimaryPressed : color::kPrimary;
        fg = color::kOnPrimary;
        border = false;
        break;
      case ButtonKind::Secondary:
        bg = down ? color::kSecondaryPressed : color::kSurface;
        break;
      case ButtonKind::OnBar:
        bg = s.selected || down ? color::kSurface : color::kBar;
        fg = s.selected || down ? color::kBar : color::kOnBar;
        border_color = color::kOnBar;
        break;
      case ButtonKind::Danger:
        bg = color::kDanger;
        fg = color::kOnDanger;
        border = false;
        break;
    }
    if (!s.enabled) {
      bg = color::kDisabled;
      fg = color::kOnDisabled;
      border = false;
    }
    fill(r, bg, metric::kRounding);
    if (border) outline(r, border_color, metric::kRounding, 3.0f);
    draw_text(f, aligned(r, size, Align::Center), fg, label);
  }
  record_widget(c, key, id, r, WidgetKind::Button, label, size,
                ImVec2(r.GetWidth() - 2 * s.pad_x, r.GetHeight() - 8.0f), true, s.enabled);
  return tap;
}

bool button(Ctx& c, std::string_view key, const ImRect& r, const ButtonStyle& s) {
  return button_text(c, key, c.tr(key), r, s);
}

bool tile(Ctx& c, std::string_view key, std::string_view hint_key, const ImRect& r, ButtonKind kind,
          Icon icon, bool enabled) {
  const ImGuiID id = widget_id(key);
  const bool shown = ImGui::ItemAdd(r, id);
  bool hovered = false;
  bool held = false;
  bool pressed = false;
  if (shown && enabled)
    pressed = ImGui::ButtonBehavior(r, id, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
  const bool tap =
      pressed && ImGui::GetIO().MouseDragMaxDistanceSqr[0] <= metric::kTapSlop * metric::kTapSlop;
  const bool down = held && hovered;
  const bool primary = kind == ButtonKind::Primary;
  const Rgb bg = !enabled  ? color::kDisabled
                 : primary ? (down ? color::kPrimaryPressed : color::kPrimary)
                           : (down ? color::kSecondaryPressed : color::kSurface);
  const Rgb fg = !enabled ? color::kOnDisabled : primary ? color::kOnPrimary : color::kPrimary;
  const Rgb hint_fg = !enabled ? color::kOnDisabled : primary ? color::kOnPrimary : color::kTextMuted;
  fill(r, bg, metric::kRounding * 1.5f);
  if (!primary || !enabled)
    outline(r, enabled ? color::kPrimary : color::kBorder, metric::kRounding * 1.5f, 3.0f);

  const std::string_view title = c.tr(key);
  const std::string_view hint = c.tr(hint_key);
  ImFont* tf = c.fonts.font(FontRole::Title);
  ImFont* bf = c.fonts.font(FontRole::Body);
  c.fonts.want(title, FontRole::Title);
  c.fonts.want(hint, FontRole::Body);
  const ImVec2 ts = measure(tf, title, -1.0f);
  const ImVec2 hs = measure(bf, hint, -1.0f);
  const float room_w = r.GetWidth() - 2 * metric::kPad;
  const float icon_h = icon == Icon::None ? 0.0f : std::min(120.0f, r.GetHeight() * 0.3f);
  const float icon_gap = icon == Icon::None ? 0.0f : metric::kGap * 1.5f;
  const float block = icon_h + icon_gap + ts.y + metric::kGap + hs.y;
  float top = r.Min.y + (r.GetHeight() - block) * 0.5f;
  if (icon != Icon::None) {
    draw_icon(icon,
              centered(ImRect(ImVec2(r.Min.x, top), ImVec2(r.Max.x, top + icon_h)), ImVec2(icon_h, icon_h)),
              fg);
    top += icon_h + icon_gap;
  }
  draw_text(tf, ImVec2(r.Min.x + (r.GetWidth() - ts.x) * 0.5f, top), fg, title);
  draw_text(bf, ImVec2(r.Min.x + (r.GetWidth() - hs.x) * 0.5f, top + ts.y + metric::kGap), hint_fg, hint);
  record_widget(c, key, id, r, WidgetKind::Button, title, ts,
                ImVec2(room_w, r.GetHeight() - hs.y - metric::kGap - icon_h - icon_gap), true, enabled);
  record_widget(c, hint_key, 0, ImRect(ImVec2(r.Min.x, top + ts.y), ImVec2(r.Max.x, top + block)),
                WidgetKind::Text, hint, hs, ImVec2(room_w, FLT_MAX), false, true);
  return tap;
}

// ---- icons ----------------------------------------------------------------------------------------------
void draw_icon(Icon icon, const ImRect& r, Rgb color) {
  ImDrawList* dl = draw_list();
  const ImU32 col = to_u32(color);
  const float s = std::min(r.GetWidth(), r.GetHeight());
  const ImVec2 o = r.GetCenter();
  const float t = std::max(3.0f, s * 0.07f);  // stroke
  auto at = [&](float x, float y) { return ImVec2(o.x + x * s, o.y + y * s); };
  switch (icon) {
    case Icon::None:
      break;
    case Icon::Key:  // a ring, a shaft and two teeth
      dl->AddCircle(at(-0.25f, 0.0f), s * 0.2f, col, 32, t);
      dl->AddLine(at(-0.05f, 0.0f), at(0.45f, 0.0f), col, t);
      dl->AddLine(at(0.3f, 0.0f), at(0.3f, 0.17f), col, t);
      dl->AddLine(at(0.42f, 0.0f), at(0.42f, 0.13f), col, t);
      break;
    case Icon::Person:  // a head and shoulders
      dl->AddCircle(at(0.0f, -0.2f), s * 0.17f, col, 32, t);
      dl->PathArcTo(at(0.0f, 0.45f), s * 0.36f, 3.14159f * 1.08f, 3.14159f * 1.92f, 24);
      dl->PathStroke(col, 0, t);
      break;
    case Icon::Help:  // a ring with a question mark
      dl->AddCircle(o, s * 0.45f, col, 40, t);
      dl->PathArcTo(at(0.0f, -0.1f), s * 0.15f, 3.14159f * 1.0f, 3.14159f * 2.35f, 16);
      dl->PathLineTo(at(0.0f, 0.12f));
      dl->PathStroke(col, 0, t);
      dl->AddCircleFilled(at(0.0f, 0.26f), t * 0.75f, col);
      break;
    case Icon::Clock:
      dl->AddCircle(o, s * 0.45f, col, 40, t);
      dl->AddLine(o, at(0.0f, -0.28f), col, t);
      dl->AddLine(o, at(0.2f, 0.0f), col, t);
      break;
    case Icon::Warning:
      dl->AddTriangle(at(0.0f, -0.42f), at(0.46f, 0.38f), at(-0.46f, 0.38f), col, t);
      dl->AddLine(at(0.0f, -0.15f), at(0.0f, 0.12f), col, t);
      dl->AddCircleFilled(at(0.0f, 0.25f), t * 0.7f, col);
      break;
  }
}

// ---- scrolling list -------------------------------------------------------------------------------------
void begin_list(Ctx& c, std::string_view key, const ImRect& r, ListScratch& s) {
  record_widget(c, key, widget_id(key), r, WidgetKind::List, {}, {}, r.GetSize(), false, true);
  ImGui::SetCursorScreenPos(r.Min);
  ImGui::SetNextWindowScroll(ImVec2(-1.0f, s.scroll));
  const std::string id = hash_id(key);
  ImGui::BeginChild(
      id.c_str(), r.GetSize(), false,
      ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoSavedSettings);
  c.in_list = true;
  c.list_clip = r;
}

ImRect list_row(Ctx&, float height) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::Dummy(ImVec2(w, height));
  return {p, ImVec2(p.x + w, p.y + height)};
}

void end_list(Ctx& c, ListScratch& s) {
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && hovered &&
      c.list_clip.Contains(io.MouseClickedPos[0])) {
    s.dragging = true;
    s.scroll_at_press = s.scroll;
  }
  if (!io.MouseDown[0]) s.dragging = false;
  s.max_scroll = ImGui::GetScrollMaxY();
  if (s.dragging && io.MouseDragMaxDistanceSqr[0] > metric::kTapSlop * metric::kTapSlop)
    s.scroll = s.scroll_at_press - (io.MousePos.y - io.MouseClickedPos[0].y);
  s.scroll = std::clamp(s.scroll, 0.0f, std::max(0.0f, s.max_scroll));
  ImGui::EndChild();
  c.in_list = false;
}

// ---- images -------------------------------------------------------------------------------------------
void image(Ctx& c, std::string_view key, const Texture& t, const ImRect& r) {
  const ImRect px(ImVec2(std::floor(r.Min.x), std::floor(r.Min.y)),
                  ImVec2(std::floor(r.Max.x), std::floor(r.Max.y)));
  if (t.valid()) draw_list()->AddImage(t.id, px.Min, px.Max);
  record_widget(c, key, 0, px, WidgetKind::Image, {}, {}, px.GetSize(), false, t.valid());
}

Texture qr_texture(Ctx& c, std::string_view text, int module_px) {
  std::string cache_key = "qr:" + std::to_string(module_px) + ":";
  cache_key.append(text);
  bool ok = true;
  Texture t = c.textures.image(cache_key, [&] {
    auto img = qr_image(text, {.module_px = module_px, .quiet_modules = 4});
    ok = img.has_value();
    return ok ? std::move(*img) : Image{};
  });
  return ok && t.width > 0 ? t : Texture{};
}

// ---- overlay --------------------------------------------------------------------------------------------
ImRect begin_overlay(Ctx& c, std::string_view key, ImVec2 card_size) {
  const ImVec2 display = c.layout.display;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  ImGui::SetNextWindowFocus();
  const std::string id = hash_id(key);
  ImGui::Begin(id.c_str(), nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoBackground |
                   ImGuiWindowFlags_NoScrollWithMouse);
  c.layer = 1;
  const ImRect screen(ImVec2(0, 0), display);
  fill(screen, color::kScrim, 0, 150);
  const ImRect card = centered(screen, card_size);
  fill(card, color::kSurface, metric::kRounding * 1.5f);
  return card;
}

void end_overlay(Ctx& c) {
  ImGui::End();
  c.layer = 0;
}

}  // namespace ui
