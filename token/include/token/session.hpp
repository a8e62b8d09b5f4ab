// A session on one token: PIN state, login, certificates. The rollover (rollover.hpp) works on a Session.
//
// Move-only; the noexcept destructor logs out (if this session logged in) and closes. After a
// TokenRemoved error the session is dead: every later call returns TokenRemoved without touching the
// module, and the caller goes back to discovery (Watcher) and opens a new one. One thread at a time per
// Session (the module's lock serialises the C_* calls of all sessions). A session also remembers the
// objects of the renewal in progress that it found or made (rollover.hpp), so later steps need not search
// the token again; that memory goes with any failed step, logout and removal.
//
// PIN rules (docs/token.md, "PIN"): one typed PIN = at most one C_Login(CKU_USER). The flags are read fresh
// with C_GetTokenInfo before it, and no C_Login is attempted when the token says LOCKED or TO_BE_CHANGED,
// when FINAL_TRY is set and the caller has not acknowledged it (the screen must warn first), or when the
// PIN's length is outside the token's min/max. A key with CKA_ALWAYS_AUTHENTICATE gets one
// C_Login(CKU_CONTEXT_SPECIFIC) per signature with the same PIN, counted apart. The PIN is kept in a
// SecretBuffer for those context logins and wiped on logout/destruction.
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <optional>
#include <vector>

#include "foundation/secret.hpp"
#include "token/certificate.hpp"
#include "token/module.hpp"

namespace token {

namespace detail {
struct SessionAccess;
struct RolloverCache;
}

struct LoginOptions {
  // The customer was told that this is the last try before the key locks. Without it, login() refuses
  // (PinFinalTry) when the token reports FINAL_TRY, and makes no C_Login.
  bool final_try_acknowledged = false;
};

struct LoginCounts {
  unsigned user = 0;              // C_Login(CKU_USER) calls made by this session
  unsigned context_specific = 0;  // C_Login(CKU_CONTEXT_SPECIFIC) calls (one per ALWAYS_AUTHENTICATE signature)
};

// ReadOnly: a session that can change nothing on the token (the maintenance screens' key-reader test reads
// any KEY that way; a write-protected token also refuses read-write sessions).
enum class SessionMode { ReadWrite, ReadOnly };

class Session {
public:
  // C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION), or without CKF_RW_SESSION for ReadOnly.
  // Errors: TokenRemoved (token gone), DeviceError.
  static Result<Session> open(const Module& module, CK_SLOT_ID slot,
                              SessionMode mode = SessionMode::ReadWrite);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  [[nodiscard]] CK_SLOT_ID slot() const noexcept { return slot_; }
  [[nodiscard]] bool alive() const noexcept { return handle_ != CK_INVALID_HANDLE; }
  [[nodiscard]] bool logged_in() const noexcept { return logged_in_; }
  [[nodiscard]] LoginCounts login_counts() const noexcept { return counts_; }

  // C_GetTokenInfo, fresh.
  [[nodiscard]] Result<TokenInfo> token_info();
  // C_GetTokenInfo, fresh: the PIN flags now. Call it before asking for the PIN, to warn on FINAL_TRY.
  [[nodiscard]] Result<PinFlags> pin_status();
  // C_GetTokenInfo, then at most one C_Login(CKU_USER). CKR_USER_ALREADY_LOGGED_IN counts as success.
  // Errors: PinLocked, PinToBeChanged, PinFinalTry, PinLenRange (all without C_Login); PinIncorrect with
  // the flags read after the failure; PinLocked (CKR_PIN_LOCKED); TokenRemoved; DeviceError.
  [[nodiscard]] Result<void> login(const foundation::SecretBuffer& pin, LoginOptions options = {});
  // C_Logout if logged in; wipes the kept PIN.
  void logout() noexcept;

  // C_GetMechanismList, and C_GetMechanismInfo for the mechanisms a renewal uses (RSA/EC key-pair
  // generation, CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_ECDSA, CKM_ECDSA_SHA256); cached after the first
  // call. Module::mechanisms() lists them all.
  [[nodiscard]] Result<Mechanisms> mechanisms();
  // Every X.509 certificate object (C_FindObjects, C_GetAttributeValue), parsed, with the CKA_ID of the
  // key objects it pairs with. Certificates that do not parse are skipped.
  [[nodiscard]] Result<std::vector<CertInfo>> certificates();
  // The certificate on this token whose SHA-256 fingerprint is `sha256_hex`. Errors: CertificateNotFound.
  [[nodiscard]] Result<CertInfo> certificate(std::string_view sha256_hex);

private:
  Session(std::shared_ptr<detail::ModuleCore> core, CK_SLOT_ID slot, CK_SESSION_HANDLE h) noexcept;
  void release() noexcept;
  friend struct detail::SessionAccess;

  std::shared_ptr<detail::ModuleCore> core_;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
  bool logged_in_ = false;
  LoginCounts counts_;
  foundation::SecretBuffer pin_;  // for CKU_CONTEXT_SPECIFIC logins only
  std::optional<Mechanisms> mechanisms_;
  std::unique_ptr<detail::RolloverCache> rollover_;  // the rollover's memory of the renewal in progress
};

}  // namespace token
