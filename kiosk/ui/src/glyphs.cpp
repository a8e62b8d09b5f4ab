#include "ui/glyphs.hpp"

#include <string>

#include "foundation/utf8.hpp"

namespace ui {

void GlyphSet::add(char32_t c) {
  if (c > kLastBmp) {
    for (char32_t b : beyond_)
      if (b == c) return;
    beyond_.push_back(c);
    return;
  }
  if (c == 0) return;  // ImGui's range terminator
  auto& word = bits_[c / 64];
  const std::uint64_t bit = std::uint64_t{1} << (c % 64);
  if ((word & bit) == 0) {
    word |= bit;
    ++count_;
  }
}

void GlyphSet::add_text(std::string_view utf8) {
  foundation::for_each_codepoint(utf8, [&](char32_t c) {
    if (c >= 0x20 || c == '\t') add(c);  // control characters are never drawn
  });
}

void GlyphSet::add_range(char32_t first, char32_t last) {
  for (char32_t c = first; c <= last; ++c) add(c);
}

void GlyphSet::add_all(const GlyphSet& other) {
  for (char32_t c : other.codepoints()) add(c);
  for (char32_t c : other.beyond_) add(c);
}

void GlyphSet::remove(char32_t c) {
  if (c > kLastBmp || !contains(c)) return;
  bits_[c / 64] &= ~(std::uint64_t{1} << (c % 64));
  --count_;
}

bool GlyphSet::contains(char32_t c) const {
  if (c > kLastBmp) return false;
  return (bits_[c / 64] >> (c % 64)) & 1u;
}

std::vector<ImWchar> GlyphSet::ranges() const {
  std::vector<ImWchar> out;
  char32_t c = 1;
  while (c <= kLastBmp) {
    if (!contains(c)) {
      ++c;
      continue;
    }
    const char32_t first = c;
    while (c + 1 <= kLastBmp && contains(c + 1)) ++c;
    out.push_back(static_cast<ImWchar>(first));
    out.push_back(static_cast<ImWchar>(c));
    ++c;
  }
  out.push_back(0);
  return out;
}

std::vector<char32_t> GlyphSet::codepoints() const {
  std::vector<char32_t> out;
  out.reserve(count_);
  for (char32_t c = 1; c <= kLastBmp; ++c)
    if (contains(c)) out.push_back(c);
  return out;
}

GlyphSet base_glyphs() {
  GlyphSet s;
  s.add_range(0x20, 0x7E);
  return s;
}

}  // namespace ui
