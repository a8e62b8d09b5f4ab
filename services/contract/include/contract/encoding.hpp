// Byte encodings used on the wire: base64 (RFC 4648, padded, no line breaks) for DER and other binary
// fields, lower-case hex for fingerprints and serials.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contract {

using Bytes = std::vector<std::uint8_t>;

std::string base64_encode(const std::uint8_t* data, std::size_t size);
inline std::string base64_encode(const Bytes& b) { return base64_encode(b.data(), b.size()); }
// Strict: padded, only the standard alphabet; nullopt on anything else.
std::optional<Bytes> base64_decode(std::string_view text);

std::string hex_encode(const std::uint8_t* data, std::size_t size);
inline std::string hex_encode(const Bytes& b) { return hex_encode(b.data(), b.size()); }
std::optional<Bytes> hex_decode(std::string_view text);

}  // namespace contract
