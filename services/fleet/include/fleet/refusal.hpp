// Why the kiosk refuses a configuration bundle or a root rotation (docs/fleet.md, "Refusals"). Every
// refusal is one of these reasons, with the field or certificate it is about and what was found; the kiosk
// keeps its current configuration and puts sentence() in its log and status, code() in its heartbeat.
#pragma once

#include <string>
#include <string_view>

namespace fleet {

enum class Refusal {
  TooLarge,             // the bundle (or its content) is over the size cap
  MalformedCms,         // not DER CMS SignedData with attached id-data content
  Unsigned,             // no SignerInfo
  BadSignature,         // a SignerInfo's signature or message digest does not verify, or a weak digest
  SignerUntrusted,      // a signer does not chain to a pinned configuration root
  SignerNoRole,         // a signer lacks the configuration-signing extended key usage, or is a CA
  SignerOutOfScope,     // a signer's scopes do not cover a target
  SignerExpired,        // a signer's certificate is not valid at the platform's time
  SignerRevoked,        // a signer is on its root's CRL
  CrlMissing,           // no CRL of the root that issued a signer travels with the bundle
  CrlInvalid,           // a root's CRL with a bad signature, no CRL number, or from the future
  CrlOlder,             // a root's CRL older than the newest this kiosk has seen
  CrlExpired,           // a root's CRL past its nextUpdate
  NeedsTwoSigners,      // a fleet-wide bundle signed by fewer than two distinct signers
  MalformedJson,        // the content is not the settings document (syntax, types, unknown keys)
  SchemaTooNew,         // the document needs newer software
  SettingOutOfRange,    // a value outside its range
  Expired,              // expires_at is not after the platform's time
  NotTargeted,          // no target includes this kiosk (scope or cohort)
  OlderVersion,         // version lower than the applied one
  VersionReused,        // the applied version with other content
  LayerRegressed,       // a layer this kiosk applied is missing, older, or reused with other content
  RootRotationInvalid,  // a root rotation document that is malformed or not signed by its new roots
  RootRotationSkipped,  // a rotation whose sequence is not the current one + 1
  RootThresholdNotMet,  // fewer than k of the current roots signed a rotation
};

struct Refused {
  Refusal reason = Refusal::MalformedCms;
  std::string field;   // the JSON field ("layers[1].settings.idle_timeout_s") or certificate it is about
  std::string detail;  // what was found and what was expected

  // One line for the log and the status: "refused: <what> — <field>: <detail>". Names no secret (a bundle
  // holds none).
  [[nodiscard]] std::string sentence() const;
};

// A stable machine code for the heartbeat and tests: "fleet.signer_revoked".
std::string_view code(Refusal r) noexcept;
// The reason in a few words: "a signer is revoked".
std::string_view describe(Refusal r) noexcept;

}  // namespace fleet
