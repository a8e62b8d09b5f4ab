// The staff credential (docs/staff.md, "The staff PKI"): a staff KEY's certificate judged against what the
// kiosk pinned at install — the staff CA, the staff role's OID and this kiosk's place — at the platform's
// time, with the staff CA's CRL that the kiosk keeps from the platform. Pure X.509 over DER bytes (OpenSSL);
// the token side (reading the KEY, the PIN, the challenge) is the runtime's
// (kiosk/runtime/staff_sign_in.hpp).
//
// A staff certificate is accepted when, in this order:
//   it parses and is an end-entity certificate (no CA:TRUE) whose key usage, when present, allows
//   digitalSignature; it is issued directly by one of the pinned staff CAs (signature checked) —
//   otherwise NotStaffCa (a customer's KEY lands here);
//   the platform's time is inside its validity — NotYetValid, Expired;
//   it carries the role OID as an extended key usage or a certificate policy — NoRole;
//   one of its subjectAltName URIs "kiosk-scope:<scope>" (the fleet's scopes, fleet/scope.hpp) contains
//   this kiosk — OtherHall;
//   a CRL of its issuer is kept, signed by it, not past nextUpdate plus the grace — CrlMissing, CrlExpired;
//   its serial is not on that CRL — Revoked.
// Then the KEY must sign a fresh challenge that the certificate's public key verifies — ChallengeFailed.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/scope.hpp"
#include "foundation/bytes.hpp"

namespace staff {

using foundation::Bytes;
using std::chrono::sys_seconds;

enum class Refusal {
  NoCertificate,    // the KEY holds no certificate at all
  NotStaffCa,       // no certificate on the KEY under a pinned staff CA (a customer's KEY, another CA)
  NotYetValid,      // the platform's time is before notBefore
  Expired,          // ... or after notAfter
  NoRole,           // neither an EKU nor a policy with the staff role's OID
  OtherHall,        // no kiosk-scope: URI that contains this kiosk
  CrlMissing,       // the kiosk keeps no CRL of the staff CA (it has not reached the platform yet)
  CrlExpired,       // the kept CRL is past its nextUpdate plus the grace
  Revoked,          // on the staff CA's CRL
  ChallengeFailed,  // the KEY's signature over the challenge does not verify with the certificate's key
};

// "staff.refused.not_staff_ca", ... (assets/i18n; the list is in docs/staff.md, "Refusals").
std::string_view message_key(Refusal r) noexcept;
std::string_view to_string(Refusal r) noexcept;  // "not_staff_ca"

struct Refused {
  Refusal reason = Refusal::NotStaffCa;
  std::string detail;  // for the event log and kioskctl: which certificate, which date, which CRL
};

// What the kiosk pinned at install (the configuration's "staff" section).
struct Trust {
  std::vector<Bytes> ca_der;  // the staff CA certificates (DER); one file may hold several
  std::string role_oid;       // dotted OID: an extended key usage or a certificate policy
  fleet::KioskPlace place;    // this kiosk: its id, hall, region
  std::chrono::seconds crl_grace{std::chrono::hours(24)};  // how long past nextUpdate a CRL still counts

  // Reads `ca_file` (PEM, one or more CA certificates: CA:TRUE, keyCertSign and cRLSign). The error says
  // what is wrong with the file or the OID; a start-up failure.
  static std::expected<Trust, std::string> load(const std::filesystem::path& ca_file, std::string role_oid,
                                                fleet::KioskPlace place, std::chrono::seconds crl_grace);
};

// A CRL the kiosk may keep: signed by a pinned staff CA, a full CRL with a CRL number, not issued after
// `now`.
struct CrlInfo {
  std::int64_t number = 0;
  sys_seconds this_update{};
  std::optional<sys_seconds> next_update;
  std::string issuer;  // RFC 2253
};
// Errors: the reason in words (not signed by a staff CA, a delta CRL, no number, not DER, from the future).
std::expected<CrlInfo, std::string> check_crl(const Trust& trust, std::span<const std::uint8_t> crl_der,
                                              sys_seconds now);

// Who signed in, as the audit chain and the screens name them.
struct Identity {
  std::string subject;      // RFC 2253, UTF-8: "CN=王芳,OU=Hall Staff,O=…"
  std::string common_name;  // CN
  std::string serial_hex;   // upper-case hex
  std::string fingerprint;  // SHA-256 of the certificate, lower-case hex
  std::vector<fleet::Scope> scopes;
  sys_seconds not_after{};
};

// Whether `cert_der` is issued by a pinned staff CA (the first test above only). The home screen offers
// 【维护】 for a KEY with such a certificate; everything else about it is judged at sign-in.
bool issued_by_staff_ca(const Trust& trust, std::span<const std::uint8_t> cert_der);

// Every check above but the challenge, at the platform's time `now`. `crl_der`: the kept CRL, empty when
// none.
std::expected<Identity, Refused> check_certificate(const Trust& trust, std::span<const std::uint8_t> cert_der,
                                                   std::span<const std::uint8_t> crl_der, sys_seconds now);

// Whether `signature` over `tbs` verifies with the certificate's public key (RSA PKCS#1 v1.5 or ECDSA,
// SHA-256). Refused{ChallengeFailed} otherwise.
std::expected<void, Refused> check_possession(std::span<const std::uint8_t> cert_der,
                                              std::span<const std::uint8_t> tbs,
                                              std::span<const std::uint8_t> signature);

// The subjectAltName URI scheme for a staff member's halls is the fleet's (docs/staff.md).
inline constexpr std::string_view kHallUriPrefix = fleet::kScopeUriPrefix;

}  // namespace staff
