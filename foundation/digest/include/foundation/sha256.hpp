// SHA-256, one call: certificate fingerprints, the renewal proof's digest of the P10, the journal's audit
// chain, the reference platform's token hashes. Target `digest` (OpenSSL does the work; callers see bytes
// and hex only), namespace foundation like the rest of foundation/.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace foundation {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::span<const std::uint8_t> bytes);
Sha256 sha256(std::string_view text);

// Lower-case hex of the digest (64 characters): a fingerprint.
std::string sha256_hex(std::span<const std::uint8_t> bytes);
std::string sha256_hex(std::string_view text);

}  // namespace foundation
