#include "foundation/sha256.hpp"

#include <openssl/sha.h>

#include "foundation/hex.hpp"

namespace foundation {

Sha256 sha256(std::span<const std::uint8_t> bytes) {
  Sha256 out{};
  SHA256(bytes.data(), bytes.size(), out.data());
  return out;
}

Sha256 sha256(std::string_view text) {
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  return hex_encode(sha256(bytes));
}

std::string sha256_hex(std::string_view text) {
  return hex_encode(sha256(text));
}

}  // namespace foundation
