// Base64 (RFC 4648 §4: the standard alphabet, padded, no line breaks) for DER and other binary fields on the
// wire and in the journal, and its URL-safe form without padding (§5) for tokens that go into headers and
// URLs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "foundation/bytes.hpp"

namespace foundation {

namespace base64_detail {

inline constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int, 256> make_reverse() {
  std::array<int, 256> r{};
  for (auto& v : r) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    r[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return r;
}
inline constexpr std::array<int, 256> kReverse = make_reverse();

inline std::string encode(std::span<const std::uint8_t> in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    if (i + 1 < in.size()) v |= std::uint32_t{in[i + 1]} << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (i + 1 < in.size())
      out += alphabet[(v >> 6) & 63];
    else if (pad)
      out += '=';
    if (pad) out += '=';
  }
  return out;
}

}  // namespace base64_detail

inline std::string base64_encode(std::span<const std::uint8_t> bytes) {
  return base64_detail::encode(bytes, base64_detail::kAlphabet, true);
}
inline std::string base64_encode(const std::uint8_t* data, std::size_t size) {
  return base64_encode(std::span<const std::uint8_t>(data, size));
}
// The URL-safe alphabet ('-' and '_'), no padding: safe in headers, URLs and file names.
inline std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  return base64_detail::encode(bytes, base64_detail::kUrlAlphabet, false);
}

// Strict: the standard alphabet, padded to a multiple of 4, '=' only in the last quantum's last two places;
// nullopt on anything else (whitespace included).
inline std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=') {
        if (i + 4 != text.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        v[k] = base64_detail::kReverse[static_cast<unsigned char>(c)];
        if (v[k] < 0) return std::nullopt;
      }
    }
    const std::uint32_t n = (static_cast<std::uint32_t>(v[0]) << 18) |
                            (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(n & 0xff));
  }
  return out;
}

}  // namespace foundation
