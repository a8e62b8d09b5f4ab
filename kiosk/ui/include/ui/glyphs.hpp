// Characters: the sets of code points the font atlas holds (UTF-8 itself: foundation/utf8.hpp).
//
// Dear ImGui 1.86 keeps characters in 16 bits (ImWchar16): anything above U+FFFF cannot be drawn. Such a
// character is shown as the placeholder glyph (a visible box, see fonts.hpp) and reported, never dropped.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace ui {

inline constexpr char32_t kLastBmp = 0xFFFF;

// A set of BMP code points (a 64 Ki-bit map), plus whatever lies beyond the BMP seen on the way.
class GlyphSet {
 public:
  void add(char32_t c);
  void add_text(std::string_view utf8);
  void add_range(char32_t first, char32_t last);
  void add_all(const GlyphSet& other);
  void remove(char32_t c);
  [[nodiscard]] bool contains(char32_t c) const;
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  // Code points beyond the BMP passed to add(): not in the set, kept for reporting.
  [[nodiscard]] const std::vector<char32_t>& beyond_bmp() const { return beyond_; }
  // ImGui's glyph-range form: pairs of inclusive [first, last], then a terminating 0.
  [[nodiscard]] std::vector<ImWchar> ranges() const;
  [[nodiscard]] std::vector<char32_t> codepoints() const;

 private:
  std::vector<std::uint64_t> bits_ = std::vector<std::uint64_t>(0x10000 / 64, 0);
  std::size_t count_ = 0;
  std::vector<char32_t> beyond_;
};

// Printable ASCII: digits, Latin letters and the punctuation of numbers, dates and e-mail addresses. The
// start atlas holds these plus every character of the language files.
GlyphSet base_glyphs();

}  // namespace ui
