#include "ui/fonts.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "foundation/utf8.hpp"

namespace ui {
namespace {

std::string code_point_name(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// The placeholder: a hollow box, as wide as a CJK character is tall, drawn into the alpha atlas at the
// custom rectangle the atlas reserved for U+FFFD.
void draw_box(unsigned char* pixels, int stride, const ImFontAtlasCustomRect& r, int stroke) {
  for (int y = 0; y < r.Height; ++y)
    for (int x = 0; x < r.Width; ++x) {
      const bool edge = x < stroke || y < stroke || x >= r.Width - stroke || y >= r.Height - stroke;
      pixels[(r.Y + y) * stride + r.X + x] = edge ? 0xFF : 0x00;
    }
}

// After Build() the atlas needs none of its input (the fonts, glyphs and texture are made): it drops the
// pointers to the font bytes it was lent, so ClearInputData() and a later Clear() cannot free them, and
// clears the rest of the input. Nothing of the atlas refers to the caller's bytes afterwards.
void forget_font_bytes(ImFontAtlas& atlas) {
  for (ImFontConfig& c : atlas.ConfigData) c.FontData = nullptr;
  atlas.ClearInputData();
}

}  // namespace

FontBook::FontBook(Bytes start_font, GlyphSet start_chars, Loader load_extended, events::Channel events,
                   FontSizes sizes)
    : start_(start_font),
      start_chars_(std::move(start_chars)),
      load_extended_(std::move(load_extended)),
      events_(std::move(events)),
      sizes_(sizes) {
  start_ranges_ = start_chars_.ranges();
}

float FontBook::size(FontRole role) const {
  return role == FontRole::Title ? sizes_.title : sizes_.body;
}

bool FontBook::has(char32_t c, FontRole role) const {
  if (c > kLastBmp) return false;
  return start_chars_.contains(c) || roles_[static_cast<std::size_t>(role)].added.contains(c);
}

void FontBook::report(std::string_view what, char32_t c) {
  events_.warning(code_point_name(c) + std::string(what), {.step = "glyph"});
}

bool FontBook::want(std::string_view utf8, FontRole role) {
  bool all = true;
  PerRole& r = roles_[static_cast<std::size_t>(role)];
  foundation::for_each_codepoint(utf8, [&](char32_t c) {
    if (c < 0x20) return;
    if (c > kLastBmp) {
      all = false;
      if (std::find(beyond_seen_.begin(), beyond_seen_.end(), c) == beyond_seen_.end()) {
        beyond_seen_.push_back(c);
        unavailable_.add(c);
        report(" is outside the BMP (ImGui 1.86 has 16-bit characters): shown as a placeholder box", c);
      }
      return;
    }
    if (start_chars_.contains(c) || r.added.contains(c)) return;
    if (unavailable_.contains(c)) {
      all = false;
      return;
    }
    all = false;
    r.pending.add(c);
  });
  return all;
}

bool FontBook::needs_rebuild() const {
  return std::any_of(roles_.begin(), roles_.end(), [](const PerRole& r) { return !r.pending.empty(); });
}

AtlasStats FontBook::build(ImFontAtlas& atlas) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool want_more = needs_rebuild();
  if (want_more && !extended_tried_) {
    extended_tried_ = true;
    if (load_extended_) extended_ = load_extended_();
    if (extended_.empty())
      events_.warning("the larger font is missing: new characters show as placeholder boxes",
                      {.step = "load"});
  }
  std::array<GlyphSet, kFontRoles> asked;
  for (std::size_t i = 0; i < kFontRoles; ++i) {
    PerRole& r = roles_[i];
    if (!r.pending.empty() && !extended_.empty()) r.added.add_all(r.pending);
    asked[i] = std::move(r.pending);
    r.pending = GlyphSet{};
    r.added_ranges = r.added.ranges();
  }

  atlas.Clear();
  atlas.Flags |= ImFontAtlasFlags_NoMouseCursors;  // a kiosk shows no pointer
  // A fixed width and only the height the glyphs need: left to itself ImGui packs ~900 glyphs into a
  // 512-wide strip and doubles its height to 2048 (half of it empty).
  atlas.Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  atlas.TexDesiredWidth = 1024;
  std::array<int, kFontRoles> placeholder_rects{};
  for (std::size_t i = 0; i < kFontRoles; ++i) {
    const auto role = static_cast<FontRole>(i);
    const float px = size(role);
    ImFontConfig cfg;
    // ImGui 1.86 copies bytes it does not own, once per AddFont (IM_ALLOC + memcpy: 10 MB for the larger font
    // at two sizes). Marked as owned it reads ours in place; after Build() the atlas lets go of them
    // (forget_font_bytes) before it could free them.
    cfg.FontDataOwnedByAtlas = true;
    cfg.OversampleH = 1;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    std::snprintf(cfg.Name, sizeof cfg.Name, "kiosk-%s-%.0fpx", role == FontRole::Title ? "title" : "body",
                  static_cast<double>(px));
    // ImGui takes a non-const pointer but only reads it, and never frees it (forget_font_bytes below).
    ImFont* f = atlas.AddFontFromMemoryTTF(const_cast<unsigned char*>(start_.data()),
                                           static_cast<int>(start_.size()), px, &cfg, start_ranges_.data());
    const PerRole& r = roles_[i];
    if (!r.added.empty() && !extended_.empty()) {
      ImFontConfig more = cfg;
      more.MergeMode = true;
      atlas.AddFontFromMemoryTTF(const_cast<unsigned char*>(extended_.data()),
                                 static_cast<int>(extended_.size()), px, &more, r.added_ranges.data());
    }
    const int box_h = static_cast<int>(std::lround(px * 0.72f));
    const int box_w = static_cast<int>(std::lround(px * 0.62f));
    placeholder_rects[i] = atlas.AddCustomRectFontGlyph(
        f, static_cast<ImWchar>(kPlaceholder), box_w, box_h, std::round(px * 0.8f),
        ImVec2(std::round(px * 0.09f), std::round(px * 0.2f)));
    fonts_[i] = f;
  }
  atlas.Build();
  unsigned char* pixels = nullptr;
  int w = 0;
  int h = 0;
  atlas.GetTexDataAsAlpha8(&pixels, &w, &h);
  for (std::size_t i = 0; i < kFontRoles; ++i) {
    const int stroke = size(static_cast<FontRole>(i)) >= 40.0f ? 3 : 2;
    draw_box(pixels, w, *atlas.GetCustomRectByIndex(placeholder_rects[i]), stroke);
  }

  forget_font_bytes(atlas);

  // What the larger font did not have stays a placeholder; report each once.
  for (std::size_t i = 0; i < kFontRoles; ++i) {
    PerRole& r = roles_[i];
    for (char32_t c : asked[i].codepoints()) {
      if (fonts_[i]->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr) continue;
      if (!unavailable_.contains(c)) report(" is in neither font: shown as a placeholder box", c);
      unavailable_.add(c);
      r.added.remove(c);
    }
  }

  stats_.width = w;
  stats_.height = h;
  stats_.glyphs = 0;
  for (ImFont* f : fonts_) stats_.glyphs += f->Glyphs.Size;
  stats_.added = static_cast<int>(roles_[0].added.size());
  stats_.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return stats_;
}

}  // namespace ui
