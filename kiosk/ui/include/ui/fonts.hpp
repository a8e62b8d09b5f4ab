// The font atlas: a small start font loaded before the first frame, and characters added between frames.
//
// The start font is a build-time subset of Noto Sans CJK SC holding exactly the UI strings' characters
// (both languages) and printable ASCII; it is rasterised at the kiosk's two sizes with OversampleH=1 (a CJK
// glyph at 3× horizontal oversampling triples the atlas for no visible gain at these sizes). Names that a
// certificate, a product or a profile brings may hold other characters: text helpers report them with
// want(), and between frames rebuild() merges them from the larger subset (loaded on first need), then the
// app uploads the new texture and draws again. A character in neither font, or beyond U+FFFF (ImGui 1.86
// keeps 16-bit characters), is drawn as a visible placeholder box and recorded in the event log
// (kiosk/events) by code point only (names are personal data).
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "events/event_log.hpp"

#include "ui/glyphs.hpp"

namespace ui {

enum class FontRole { Body, Title };
inline constexpr std::size_t kFontRoles = 2;

struct FontSizes {
  float body = 30.0f;   // ≥ 24 px body text
  float title = 44.0f;  // ≥ 40 px titles and primary actions
};

struct AtlasStats {
  int width = 0;
  int height = 0;
  int glyphs = 0;       // over all sizes
  int added = 0;        // characters merged from the larger font so far
  double build_ms = 0;  // rasterising and packing, this build
};

class FontBook {
 public:
  using Bytes = std::span<const unsigned char>;
  using Loader = std::function<Bytes()>;  // the larger font's bytes, owned by the caller; empty = none

  // `start_chars`: what the start font holds (ASCII + the language files' characters). The bytes must
  // outlive the book (the atlas reads them at every build).
  FontBook(Bytes start_font, GlyphSet start_chars, Loader load_extended, events::Channel events,
           FontSizes sizes = {});

  // Clears `atlas` and builds it with the start characters plus everything added so far, including the
  // pending ones. Call before the first frame and, between frames, when needs_rebuild(); then upload the
  // texture again (the atlas keeps its pixels until the caller clears them).
  AtlasStats build(ImFontAtlas& atlas);

  // Notes the characters of `text` the atlas lacks for `role`. True when it already has them all (the
  // text draws right this frame).
  bool want(std::string_view utf8, FontRole role = FontRole::Body);
  [[nodiscard]] bool needs_rebuild() const;

  [[nodiscard]] ImFont* font(FontRole role) const { return fonts_[static_cast<std::size_t>(role)]; }
  [[nodiscard]] float size(FontRole role) const;
  [[nodiscard]] bool has(char32_t c, FontRole role = FontRole::Body) const;
  [[nodiscard]] const AtlasStats& stats() const { return stats_; }
  // Characters asked for that no font has (drawn as the placeholder), beyond-BMP ones included.
  [[nodiscard]] const GlyphSet& unavailable() const { return unavailable_; }
  [[nodiscard]] const std::vector<char32_t>& beyond_bmp_seen() const { return beyond_seen_; }

  static constexpr char32_t kPlaceholder = 0xFFFD;  // ImGui draws this for a missing or 32-bit character

 private:
  struct PerRole {
    GlyphSet added;    // merged from the larger font
    GlyphSet pending;  // wanted, not yet built
    std::vector<ImWchar> added_ranges;
  };

  void report(std::string_view what, char32_t c);

  Bytes start_;
  GlyphSet start_chars_;
  std::vector<ImWchar> start_ranges_;
  Loader load_extended_;
  Bytes extended_;
  bool extended_tried_ = false;
  events::Channel events_;
  FontSizes sizes_;
  std::array<PerRole, kFontRoles> roles_{};
  std::array<ImFont*, kFontRoles> fonts_{};
  GlyphSet unavailable_;
  std::vector<char32_t> beyond_seen_;
  AtlasStats stats_;
};

}  // namespace ui
