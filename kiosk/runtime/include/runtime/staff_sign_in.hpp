// Staff sign-in with a staff KEY (docs/staff.md, "Signing in"): the KEY's certificate read without a
// login and judged (staff/credential.hpp) before any PIN is asked for, then the PIN under the renewal's
// rules (token/session.hpp: the flags read fresh, FINAL_TRY warned first, one C_Login per PIN typed, never
// retried), then a fresh challenge signed on the KEY and checked with the certificate's public key. The
// session is logged out before either function returns: staff mode needs the KEY present, not logged in.
//
// Both run on the business lane (or kioskctl's thread); the caller passes the platform's time and the
// CRL the kiosk keeps (staff::CrlStore).
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "foundation/secret.hpp"
#include "runtime/config.hpp"
#include "staff/credential.hpp"
#include "token/session.hpp"

namespace runtime {

struct StaffSignInError {
  std::variant<token::Error, staff::Refused> why;

  // "staff.refused.revoked", "error.token.pin_incorrect", ...
  [[nodiscard]] std::string_view message_key() const;
  // The token's PIN flags when the PIN was refused (to warn: few tries left, final try, locked).
  [[nodiscard]] std::optional<token::PinFlags> pin() const;
  [[nodiscard]] std::optional<staff::Refusal> refusal() const;
  [[nodiscard]] std::string to_string() const;  // for the event log; never a PIN
};

// The trust the configuration's "staff" section pins (staff::Trust::load). nullopt: no staff section, so no
// staff KEY opens the maintenance screens. Errors: the CA file or OID is unusable (a start-up failure).
std::expected<std::optional<staff::Trust>, std::string> load_staff_trust(const KioskConfig& config);

template <typename T>
using StaffResult = std::expected<T, StaffSignInError>;

// A KEY that passed every check a certificate can pass without the PIN.
struct StaffKey {
  token::CertInfo cert;      // as read from the KEY (its CKA_ID names the private key)
  staff::Identity identity;  // who it says it is
  token::PinFlags pin;       // read fresh: the keypad warns on count_low / final_try, refuses on locked
};

// C_GetTokenInfo, the certificates (no login). Picks the first certificate under a pinned staff CA that
// passes every check at `now` with `crl_der` (the first one's refusal when none does). Errors: Refused (no
// certificate, not the staff CA — a customer's KEY —, not yet valid, expired, no role, other hall, CRL
// missing or expired, revoked); token errors (TokenRemoved, DeviceError).
StaffResult<StaffKey> read_staff_key(token::Session& session, const staff::Trust& trust,
                                     std::span<const std::uint8_t> crl_der, std::chrono::sys_seconds now);

// What the signature was made over, kept for the audit chain's entry (never the PIN).
struct StaffSignedIn {
  staff::Identity identity;
  std::string challenge_sha256;  // SHA-256 hex of the signed challenge
};

// The PIN typed on the keypad: at most one C_Login(CKU_USER) (token::Session::login, never retried here),
// then token::prove_possession with the context "staff-sign-in:<kiosk id>", the signature checked with
// the certificate's public key, the certificate checked again at `now`. Logs out before returning.
// Errors: token PIN errors (PinIncorrect with the flags after, PinFinalTry without login when
// `options.final_try_acknowledged` is false and the KEY says FINAL_TRY, PinLocked, PinLenRange,
// PinToBeChanged), KeyNotFound, TokenRemoved; Refused ChallengeFailed (a certificate copied onto another
// key) or any refusal of read_staff_key (the CRL may have changed in between).
StaffResult<StaffSignedIn> sign_in_staff(token::Session& session, const StaffKey& key,
                                         const foundation::SecretBuffer& pin, token::LoginOptions options,
                                         const staff::Trust& trust, std::span<const std::uint8_t> crl_der,
                                         std::chrono::sys_seconds now);

}  // namespace runtime
