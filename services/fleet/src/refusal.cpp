#include "fleet/refusal.hpp"

namespace fleet {

std::string_view code(Refusal r) noexcept {
  switch (r) {
    case Refusal::TooLarge:
      return "fleet.too_large";
    case Refusal::MalformedCms:
      return "fleet.malformed_cms";
    case Refusal::Unsigned:
      return "fleet.unsigned";
    case Refusal::BadSignature:
      return "fleet.bad_signature";
    case Refusal::SignerUntrusted:
      return "fleet.signer_untrusted";
    case Refusal::SignerNoRole:
      return "fleet.signer_no_role";
    case Refusal::SignerOutOfScope:
      return "fleet.signer_out_of_scope";
    case Refusal::SignerExpired:
      return "fleet.signer_expired";
    case Refusal::SignerRevoked:
      return "fleet.signer_revoked";
    case Refusal::CrlMissing:
      return "fleet.crl_missing";
    case Refusal::CrlInvalid:
      return "fleet.crl_invalid";
    case Refusal::CrlOlder:
      return "fleet.crl_older";
    case Refusal::CrlExpired:
      return "fleet.crl_expired";
    case Refusal::NeedsTwoSigners:
      return "fleet.needs_two_signers";
    case Refusal::MalformedJson:
      return "fleet.malformed_json";
    case Refusal::SchemaTooNew:
      return "fleet.schema_too_new";
    case Refusal::SettingOutOfRange:
      return "fleet.setting_out_of_range";
    case Refusal::Expired:
      return "fleet.expired";
    case Refusal::NotTargeted:
      return "fleet.not_targeted";
    case Refusal::OlderVersion:
      return "fleet.older_version";
    case Refusal::VersionReused:
      return "fleet.version_reused";
    case Refusal::LayerRegressed:
      return "fleet.layer_regressed";
    case Refusal::RootRotationInvalid:
      return "fleet.root_rotation_invalid";
    case Refusal::RootRotationSkipped:
      return "fleet.root_rotation_skipped";
    case Refusal::RootThresholdNotMet:
      return "fleet.root_threshold_not_met";
  }
  return "fleet.unknown";
}

std::string_view describe(Refusal r) noexcept {
  switch (r) {
    case Refusal::TooLarge:
      return "the bundle is over the size cap";
    case Refusal::MalformedCms:
      return "not a CMS SignedData bundle";
    case Refusal::Unsigned:
      return "the bundle is unsigned";
    case Refusal::BadSignature:
      return "a signature does not verify";
    case Refusal::SignerUntrusted:
      return "a signer is outside the configuration root";
    case Refusal::SignerNoRole:
      return "a signer lacks the configuration-signing role";
    case Refusal::SignerOutOfScope:
      return "a signer may not sign for a target";
    case Refusal::SignerExpired:
      return "a signer's certificate is expired or not yet valid";
    case Refusal::SignerRevoked:
      return "a signer is revoked";
    case Refusal::CrlMissing:
      return "the root's CRL is missing";
    case Refusal::CrlInvalid:
      return "the root's CRL is invalid";
    case Refusal::CrlOlder:
      return "the root's CRL is older than one already seen";
    case Refusal::CrlExpired:
      return "the root's CRL is past its next update";
    case Refusal::NeedsTwoSigners:
      return "a fleet-wide bundle needs two signers";
    case Refusal::MalformedJson:
      return "the settings document is malformed";
    case Refusal::SchemaTooNew:
      return "the bundle needs newer software";
    case Refusal::SettingOutOfRange:
      return "a setting is outside its range";
    case Refusal::Expired:
      return "the bundle is expired";
    case Refusal::NotTargeted:
      return "the bundle does not target this kiosk";
    case Refusal::OlderVersion:
      return "the bundle is older than the applied one";
    case Refusal::VersionReused:
      return "the applied version with other content";
    case Refusal::LayerRegressed:
      return "the bundle would undo a layer already applied";
    case Refusal::RootRotationInvalid:
      return "the root rotation is invalid";
    case Refusal::RootRotationSkipped:
      return "a root rotation was skipped";
    case Refusal::RootThresholdNotMet:
      return "too few current roots signed the rotation";
  }
  return "unknown reason";
}

std::string Refused::sentence() const {
  std::string s = "configuration refused: ";
  s += describe(reason);
  if (!field.empty() || !detail.empty()) {
    s += " — ";
    if (!field.empty()) s += field;
    if (!field.empty() && !detail.empty()) s += ": ";
    s += detail;
  }
  return s;
}

}  // namespace fleet
