// The rollover's internals, shared by its steps (rollover*.cpp): finding a renewal's objects on the token,
// the session's memory of the renewal in progress, and signing with a key on the token. Not installed.
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ossl.hpp"
#include "p11.hpp"
#include "token/certificate.hpp"
#include "token/rollover.hpp"
#include "token/session.hpp"

namespace token::detail {

inline std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---- the renewal's objects on the token ----

// One object of a renewal (found by the derived CKA_ID).
struct Obj {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS cls = 0;
  std::optional<CK_KEY_TYPE> key_type;
  std::string label;
};

// Every object with this CKA_ID, with its class, key type and label.
Result<std::vector<Obj>> objects_of(Session& s, std::span<const std::uint8_t> id);
// The objects of one class with this CKA_ID.
Result<std::vector<CK_OBJECT_HANDLE>> objects_with_id(Session& s, CK_OBJECT_CLASS cls,
                                                      std::span<const std::uint8_t> id);

// The new key pair's CKA_ID, derived from the renewal: the token alone then tells what a renewal has
// done so far, also after the pending label has been replaced by the final one.
Bytes key_id_for(const RenewalRef& ref);

// Certificates with this CKA_ID (or every certificate when the id is empty) whose SHA-256 is `fp`.
Result<std::vector<CK_OBJECT_HANDLE>> certificates_with_fingerprint(Session& s,
                                                                    std::span<const std::uint8_t> id,
                                                                    std::string_view fp);

// A certificate object, parsed, with its CKA_ID and CKA_LABEL.
Result<CertInfo> read_certificate(Session& s, CK_OBJECT_HANDLE h);

// What the token holds for a renewal: the objects with its derived CKA_ID.
struct Staged {
  Bytes id;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_KEY_TYPE key_type = CKK_EC;
  std::vector<CK_OBJECT_HANDLE> certs;
  std::vector<Obj> objects;  // all of them, with their labels
  RenewalStage stage = RenewalStage::Nothing;
  std::string cert_label;  // the (first) certificate's label
};

inline domain::KeyAlgorithm algorithm_of(CK_KEY_TYPE t) {
  return t == CKK_RSA ? domain::KeyAlgorithm::Rsa2048 : domain::KeyAlgorithm::EcP256;
}

// One C_FindObjects by CKA_ID, one C_GetAttributeValue per object. The stage follows from what is there:
// the certificate is relabelled last in finalize(), so a certificate without the pending label means
// finalised.
Result<Staged> scan(Session& s, const RenewalRef& ref);

// ---- signing on the token ----

// Signs `tbs` with a private key on the token the way X.509 wants it: RSA PKCS#1 v1.5 with SHA-256
// (CKM_SHA256_RSA_PKCS, or CKM_RSA_PKCS over the DigestInfo), EC: CKM_ECDSA over SHA-256, r‖s → DER.
Result<Bytes> sign_sha256(Session& s, CK_OBJECT_HANDLE priv, CK_KEY_TYPE type, bool always_auth,
                          std::span<const std::uint8_t> tbs);
// The same for a key whose type and CKA_ALWAYS_AUTHENTICATE are not known yet.
Result<Bytes> sign_sha256(Session& s, CK_OBJECT_HANDLE priv, std::span<const std::uint8_t> tbs);

bool verify_sha256(EVP_PKEY* key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> sig);

// Reads the new private key's protection back; returns its CKA_ALWAYS_AUTHENTICATE.
Result<bool> check_protected(Session& s, CK_OBJECT_HANDLE priv);

// InvalidArgument unless `old_cert` is the certificate `ref` names.
Result<void> check_ref(const RenewalRef& ref, const CertInfo& old_cert);

// ---- the session's memory of the renewal in progress ----

// The session's memory when it is of this renewal, else nullptr.
RolloverCache* cached(Session& s, const RenewalRef& ref);

RolloverCache& remember(Session& s, const RenewalRef& ref, const Staged& st, Bytes spki, bool always_auth);

// Forgets the session's memory unless the step completes: after a failure the next step reads the token.
class StepGuard {
 public:
  explicit StepGuard(Session& s) : s_(s) {}
  StepGuard(const StepGuard&) = delete;
  StepGuard& operator=(const StepGuard&) = delete;
  ~StepGuard() {
    if (!ok_) SessionAccess::cache(s_).reset();
  }
  void done() noexcept { ok_ = true; }

 private:
  Session& s_;
  bool ok_ = false;
};

// The staged pair of a renewal that is not finalised, from the session's memory or from the token.
// nullptr: nothing staged. Errors: RenewalOutOfOrder when it is finalised already.
Result<RolloverCache*> load_staged(Session& s, const RenewalRef& ref);

}  // namespace token::detail
