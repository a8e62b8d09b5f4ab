// A run of bytes: DER, digests, nonces, signatures.
#pragma once

#include <cstdint>
#include <vector>

namespace foundation {

using Bytes = std::vector<std::uint8_t>;

}  // namespace foundation
