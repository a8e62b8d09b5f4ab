// A configuration bundle checked against this kiosk's trust state (docs/fleet.md, "The bundle and its
// trust"). A bundle is DER CMS SignedData with the settings document attached, signed by one or more
// configuration-signing certificates issued by a root of the pinned set, with that root's CRL carried in
// the CMS. verify_bundle() decides; it never changes the state. next_state() is the state after applying
// what it accepted, and fleet/store.hpp writes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/refusal.hpp"
#include "fleet/roots.hpp"
#include "fleet/scope.hpp"
#include "fleet/settings.hpp"
#include "foundation/bytes.hpp"

namespace fleet {

// The configuration-signing role: an extended key usage of this project's own, an OID under the UUID arc
// 2.25 (ITU-T X.667, no registration needed) from UUID 455f2f5e-1f25-45bc-82f6-e93a652b0d55.
inline constexpr std::string_view kConfigSigningEku = "2.25.92210960641057746704930372403625397589";

// A bundle may set expires_at at most this far after the platform's time (a bundle that never expires would
// defeat the freeze check).
inline constexpr std::chrono::seconds kMaxBundleLifetime{366 * 24 * 3600};

struct AppliedBundle {
  std::int64_t version = 0;
  std::string content_sha256;  // hex, of the signed JSON as it was signed
  foundation::Bytes bundle;    // the DER as received
  friend bool operator==(const AppliedBundle&, const AppliedBundle&) = default;
};

struct LayerMark {
  std::int64_t version = 0;
  std::string sha256_hex;  // Layer::sha256_hex
  friend bool operator==(const LayerMark&, const LayerMark&) = default;
};

// What the kiosk remembers between bundles (persisted by fleet/store.hpp).
struct TrustState {
  RootChain roots;
  std::map<std::string, std::int64_t>
      crl_numbers;  // root fingerprint (SHA-256 hex of its DER) → highest seen
  std::optional<AppliedBundle> applied;
  std::optional<AppliedBundle> previous;    // the one applied before, for a return to the last known good
  std::map<std::string, LayerMark> layers;  // scope on this kiosk's path → the newest layer applied
  static TrustState initial(RootSet installed);
  friend bool operator==(const TrustState&, const TrustState&) = default;
};

struct SignerSummary {
  std::string subject;      // RFC 2253
  std::string fingerprint;  // SHA-256 hex of the certificate
  std::vector<Scope> scopes;
};

enum class Outcome {
  New,        // a newer version: apply it
  Unchanged,  // the applied version with the same content: nothing to apply (the CRL numbers may advance)
};

struct Verified {
  Outcome outcome = Outcome::New;
  Document document;
  std::string content;  // the signed JSON
  std::string content_sha256;
  foundation::Bytes bundle;
  std::vector<SignerSummary> signers;               // distinct signers, in SignerInfo order
  std::map<std::string, std::int64_t> crl_numbers;  // the current roots' CRLs carried, by root fingerprint
};

// Checks a bundle for this kiosk at the platform's time `now`, in this order: size, CMS, signatures,
// the roots' CRLs, each signer (chain to a current root directly, validity at `now`, role, not revoked),
// the document (JSON, schema, ranges), the signers' scopes over every target, two distinct signers for a
// fleet-wide bundle, expiry, this kiosk targeted (scope and cohort), the version against the applied one,
// and the layers against those applied. Every Refusal but the rotation ones can come back.
std::expected<Verified, Refused> verify_bundle(std::span<const std::uint8_t> der, const TrustState& state,
                                               const KioskPlace& here, std::chrono::sys_seconds now);

// The state once `v` is applied on this kiosk: the CRL numbers raised, and for a New bundle the applied
// bundle (the old one kept as previous) and the marks of its layers on this kiosk's path.
TrustState next_state(const TrustState& state, const Verified& v, const KioskPlace& here);

// The signed JSON of a bundle, read without checking anything (the applied bundle in the kiosk's own state
// directory; to show what a refused bundle said). nullopt when it is not CMS SignedData with content.
std::optional<std::string> bundle_content(std::span<const std::uint8_t> der);

}  // namespace fleet
