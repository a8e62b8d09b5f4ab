// Typed errors of the token layer. Every CK_RV is mapped here, at the C boundary, to an ErrorCode; every
// ErrorCode a customer can meet has a message key ("error.token.pin_locked") that the UI translates.
// `detail` is for logs and staff (the C_* call and the CK_RV name); it never holds a PIN.
#pragma once

#include <p11-kit/pkcs11.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace token {

// The PIN state flags of CK_TOKEN_INFO. PKCS#11 has no retry count, only these.
struct PinFlags {
  bool count_low = false;      // CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last good one
  bool final_try = false;      // CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token
  bool locked = false;         // CKF_USER_PIN_LOCKED: no login possible; the customer goes to the counter
  bool to_be_changed = false;  // CKF_USER_PIN_TO_BE_CHANGED (or CKR_PIN_EXPIRED)

  static PinFlags from(CK_FLAGS token_flags) noexcept;
  bool operator==(const PinFlags&) const = default;
};

enum class ErrorCode {
  ModuleMissing,           // the brand's PKCS#11 library is not on disk (driver missing)
  ModuleLoadFailed,        // dlopen, C_GetFunctionList or C_Initialize failed
  TokenAbsent,             // no token in any slot
  WrongToken,              // a token is there, but not the one expected (identity differs)
  TokenRemoved,            // CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT / CKR_SESSION_HANDLE_INVALID /
                           // CKR_SESSION_CLOSED: every handle is dropped, go back to discovery
  PinIncorrect,            // CKR_PIN_INCORRECT; Error::pin holds the flags read after the failure
  PinFinalTry,             // refused before C_Login: FINAL_TRY is set and the caller did not acknowledge it
  PinLocked,               // CKR_PIN_LOCKED, or CKF_USER_PIN_LOCKED seen before C_Login (none attempted)
  PinToBeChanged,          // CKR_PIN_EXPIRED, or CKF_USER_PIN_TO_BE_CHANGED before C_Login
  PinLenRange,             // CKR_PIN_LEN_RANGE / CKR_PIN_INVALID, or outside the token's min/max (no C_Login)
  NotLoggedIn,             // CKR_USER_NOT_LOGGED_IN: a step that needs the PIN ran without login
  TokenFull,               // CKR_DEVICE_MEMORY
  MechanismUnsupported,    // CKR_MECHANISM_INVALID, CKR_KEY_SIZE_RANGE, CKR_CURVE_NOT_SUPPORTED, ...
  KeyNotProtected,         // a generated key reads back not LOCAL / not NEVER_EXTRACTABLE / not SENSITIVE
  KeyNotFound,             // the private key of a certificate, or the staged key, is not on the token
  CertificateNotFound,     // no (such) certificate on the token
  CertificateInvalid,      // bytes that do not parse as an X.509 certificate or a P10
  CertificateMismatch,     // the issued certificate's public key is not the staged key's
  CertificateNotYetValid,  // the new certificate's notBefore is still in the future
  RenewalOutOfOrder,       // a rollover step called before the step it needs (e.g. finalize before install)
  InvalidArgument,         // an order id or nonce the contract does not allow
  VerificationFailed,      // a signature made on the token did not verify (P10, proof, test signature)
  DeviceError,             // anything else the token or module reports
};

struct Error {
  ErrorCode code = ErrorCode::DeviceError;
  CK_RV rv = CKR_OK;             // the CK_RV behind it, CKR_OK when it did not come from the token
  std::string detail;            // "C_Login: CKR_PIN_INCORRECT" — for logs; never a PIN
  std::optional<PinFlags> pin;   // PIN errors: the token's flags after the failure (or before, if refused)

  [[nodiscard]] std::string_view message_key() const noexcept;
  [[nodiscard]] std::string to_string() const;  // "error.token.pin_incorrect (C_Login: CKR_PIN_INCORRECT)"
  // TokenRemoved: the session and every object handle are gone; rediscover the token.
  [[nodiscard]] bool drops_handles() const noexcept { return code == ErrorCode::TokenRemoved; }
};

template <typename T>
using Result = std::expected<T, Error>;

// "error.token.module_missing", ... (the list is in docs/token.md, "Errors").
std::string_view message_key(ErrorCode code) noexcept;
// "CKR_PIN_INCORRECT"; "CKR_0x…" for codes without a name here.
std::string rv_name(CK_RV rv);
// Maps a failed C_* call's CK_RV to an Error. `call` names the function ("C_Login").
Error error_from_rv(CK_RV rv, std::string_view call);
Error make_error(ErrorCode code, std::string detail);

}  // namespace token
