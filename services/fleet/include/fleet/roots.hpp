// The configuration roots (docs/fleet.md, "Roots and their rotation"): a set of n self-signed root
// certificates with a threshold k, pinned at install. Any root of the set issues signer certificates and
// publishes a CRL. The set changes only by a rotation document — CMS SignedData over a JSON list of the next
// set — signed by at least k roots of the current set and by every root the next set adds; a kiosk that
// missed rotations checks each in order, and one that skips a sequence number is refused.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fleet/refusal.hpp"
#include "foundation/bytes.hpp"

namespace fleet {

inline constexpr std::size_t kMaxRoots = 8;
inline constexpr std::size_t kMaxRotationBytes = 64 * 1024;  // a rotation document (DER)

struct RootSet {
  std::uint64_t sequence = 1;            // 1 at the first install; +1 per rotation
  int threshold = 1;                     // k: roots of this set needed to sign the next
  std::vector<foundation::Bytes> roots;  // n DER certificates: self-signed CAs, distinct subjects and keys
  friend bool operator==(const RootSet&, const RootSet&) = default;
};

// The current set and how it was reached: the install-time set, then every rotation accepted since, in
// order (kept so that the state can be checked again from the pinned set).
struct RootChain {
  RootSet installed;
  std::vector<foundation::Bytes> rotations;  // DER rotation documents, sequence installed+1, +2, ...
  RootSet current;
  static RootChain from_installed(RootSet installed);
  friend bool operator==(const RootChain&, const RootChain&) = default;
};

// Checks a set: 1 ≤ k ≤ n ≤ kMaxRoots, every root a self-signed CA (keyCertSign, cRLSign) whose own
// signature verifies, no two with the same subject or key. Refusal: RootRotationInvalid.
std::expected<RootSet, Refused> check_root_set(RootSet set);
// The install-time set from a PEM file of n root certificates. Refusal: RootRotationInvalid (unreadable file
// too: the caller treats it as a broken installation).
std::expected<RootSet, Refused> load_root_set_pem(const std::filesystem::path& pem, int threshold,
                                                  std::uint64_t sequence = 1);

// One rotation document checked against the current set; the next set. Refusals: TooLarge, MalformedCms,
// Unsigned, BadSignature, RootRotationInvalid (content, a signer that is neither a current nor a new root,
// a new root that did not sign), RootRotationSkipped (sequence ≠ current + 1), RootThresholdNotMet.
// The roots' validity periods are not judged here (a kiosk catching up walks old rotations); the bundles'
// signers are chained to the resulting set at the platform's time.
std::expected<RootSet, Refused> verify_rotation(const RootSet& current, std::span<const std::uint8_t> der);

// Walks rotations in the order given, skipping those at or below the current sequence (served again) and
// accepting the rest one by one; the first refusal stops the walk and nothing of it is taken.
std::expected<RootChain, Refused> advance(const RootChain& chain,
                                          std::span<const foundation::Bytes> rotations);

// The sequence a rotation document claims, read without checking it (to sort what a server lists); nullopt
// when it is not one.
std::optional<std::uint64_t> rotation_sequence(std::span<const std::uint8_t> der);

}  // namespace fleet
