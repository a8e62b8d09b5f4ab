// UTF-8 decoding, validation and encoding (RFC 3629): overlong forms, surrogates (U+D800-U+DFFF), values past
// U+10FFFF, stray continuation bytes and truncated sequences are all malformed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace foundation {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;  // what a malformed byte decodes to

struct Utf8Char {
  char32_t code_point = kReplacementCharacter;
  std::size_t size = 1;  // bytes: 1-4; 1 for a malformed byte (decoding resumes at the next one)
  bool valid = false;
};

// The character that starts at byte `i` of `s` (i < s.size()).
constexpr Utf8Char utf8_decode_at(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t c = 0;
  if (b0 < 0x80) {
    return {b0, 1, true};
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07u;
  } else {
    return {};  // a continuation byte, or 0xF8-0xFF
  }
  if (len > s.size() - i) return {};
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    c = (c << 6) | (b & 0x3Fu);
  }
  if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
      (c >= 0xD800 && c <= 0xDFFF))
    return {};
  return {c, len, true};
}

// Calls f(code_point, byte_offset, byte_length) for every character of `s`; a malformed byte gives one
// kReplacementCharacter of length 1.
template <typename F>
constexpr void for_each_codepoint_at(std::string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char u = utf8_decode_at(s, i);
    f(u.code_point, i, u.size);
    i += u.size;
  }
}

// Calls f(code_point) for every character of `s`, as for_each_codepoint_at.
template <typename F>
constexpr void for_each_codepoint(std::string_view s, F&& f) {
  for_each_codepoint_at(s, [&](char32_t c, std::size_t, std::size_t) { f(c); });
}

constexpr bool utf8_valid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char u = utf8_decode_at(s, i);
    if (!u.valid) return false;
    i += u.size;
  }
  return true;
}

// Every code point of `s`, malformed bytes as kReplacementCharacter.
inline std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for_each_codepoint(s, [&](char32_t c) { out.push_back(c); });
  return out;
}

// Appends `c` in UTF-8; a surrogate or a value past U+10FFFF goes in as kReplacementCharacter.
inline void append_utf8(std::string& out, char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacementCharacter;
  auto put = [&](char32_t v) { out.push_back(static_cast<char>(v)); };
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
}

}  // namespace foundation
