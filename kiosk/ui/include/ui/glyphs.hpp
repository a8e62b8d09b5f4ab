// Characters: UTF-8 decoding and the sets of code points the font atlas holds.
//
// Dear ImGui 1.86 keeps characters in 16 bits (ImWchar16): anything above U+FFFF cannot be drawn. Such a
// character is shown as the placeholder glyph (a visible box, see fonts.hpp) and reported, never dropped.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace ui {

inline constexpr char32_t kReplacement = 0xFFFD;  // what a bad UTF-8 sequence decodes to
inline constexpr char32_t kLastBmp = 0xFFFF;

// Calls f(char32_t) for every code point of `utf8`; a malformed byte gives one kReplacement.
template <typename F>
void for_each_codepoint(std::string_view utf8, F&& f);
// The same with where each code point lies: f(char32_t c, std::size_t byte_offset, std::size_t byte_length).
template <typename F>
void for_each_codepoint_at(std::string_view utf8, F&& f);

std::vector<char32_t> decode_utf8(std::string_view utf8);
void append_utf8(std::string& out, char32_t c);

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

// ---- implementation of the template ----------------------------------------------------------------
template <typename F>
void for_each_codepoint(std::string_view s, F&& f) {
  for_each_codepoint_at(s, [&](char32_t c, std::size_t, std::size_t) { f(c); });
}

template <typename F>
void for_each_codepoint_at(std::string_view s, F&& f) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t c = 0;
    if (b0 < 0x80) {
      len = 1;
      c = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      c = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      c = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      c = b0 & 0x07u;
    }
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (b & 0x3Fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are malformed too.
    if (ok && ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
               c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)))
      ok = false;
    if (!ok) {
      f(kReplacement, i, std::size_t{1});
      ++i;
      continue;
    }
    f(c, i, len);
    i += len;
  }
}

}  // namespace ui
