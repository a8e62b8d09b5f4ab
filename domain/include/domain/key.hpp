// The key a renewal makes and what becomes of the old one: one type each for the token layer, the platform
// contract, the kiosk's configuration and the flow core. The names are the ones the kiosk configuration and
// the platform API (services/platform/openapi.yaml) spell them with.
#pragma once

#include <initializer_list>
#include <string_view>

namespace domain {

// The key types a renewal can generate (per product family). A certificate's key of another type (RSA-1024,
// EC P-384, SM2, ...) is std::nullopt where a layer must say so.
enum class KeyAlgorithm { Rsa2048, EcP256 };

// What finalising a renewal does with the old key pair and certificate once the new certificate is in place.
enum class OldKeyPolicy { Keep, Delete };

constexpr std::string_view to_string(KeyAlgorithm a) noexcept {
  switch (a) {
    case KeyAlgorithm::Rsa2048: return "rsa-2048";
    case KeyAlgorithm::EcP256: return "ec-p256";
  }
  return "unknown";
}

constexpr std::string_view to_string(OldKeyPolicy p) noexcept {
  switch (p) {
    case OldKeyPolicy::Keep: return "keep";
    case OldKeyPolicy::Delete: return "delete";
  }
  return "unknown";
}

// Each returns false (and leaves `out` alone) for an unknown name.
constexpr bool parse(std::string_view s, KeyAlgorithm& out) noexcept {
  for (auto a : {KeyAlgorithm::Rsa2048, KeyAlgorithm::EcP256})
    if (s == to_string(a)) {
      out = a;
      return true;
    }
  return false;
}

constexpr bool parse(std::string_view s, OldKeyPolicy& out) noexcept {
  for (auto p : {OldKeyPolicy::Keep, OldKeyPolicy::Delete})
    if (s == to_string(p)) {
      out = p;
      return true;
    }
  return false;
}

}  // namespace domain
