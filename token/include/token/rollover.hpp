// The key rollover (docs/token.md, "The rollover"), for RSA-2048 and EC P-256.
//
// Resumable from the token alone: the journal may lag behind the token after a crash, so every step first
// looks at what is on the token for this renewal (or remembers what it did itself earlier in the same
// session) and is safe to call again after a crash at any point. The token's objects carry the state:
//
//   CKA_ID     = the first 20 bytes of SHA-256("CN-CA-KIOSK/key-id/v1:<order>:<old fingerprint>"), on the
//                new key pair and the new certificate: one C_FindObjects finds everything of a renewal;
//   CKA_LABEL  = "renew-pending:<id16>" until finalize() gives them the final label (keys first, the
//                certificate last), where <id16> = the first 16 hex digits of that CKA_ID: 30 bytes, under
//                the 32 some tokens allow.
//
// So: no object with that id = nothing done; the pair = key staged; a certificate still labelled pending =
// installed; a certificate with another label = finalised. Order ids are 1–64 of [A-Za-z0-9_-]. Nothing
// here deletes or relabels the old key and certificate before the new certificate is written, read back,
// test-signed, and valid (notBefore ≤ now).
//
// The old key signs only what encode_renewal_proof_tbs() builds, and only for a P10 made by this renewal's
// staged key with the old certificate's subject: no function takes caller bytes to sign with it.
//
// Every function needs a logged-in session (the private keys are private objects): NotLoggedIn otherwise.
// TokenRemoved from any of them means: drop the session, wait for the token, call again.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "token/certificate.hpp"
#include "token/session.hpp"

namespace token {

// Ties the token's objects to one renewal: the platform's order id and the old certificate.
struct RenewalRef {
  std::string order_id;
  std::string old_fingerprint;  // SHA-256 of the old certificate, lower-case hex (64 digits)

  // Errors: InvalidArgument (order id not 1–64 of [A-Za-z0-9_-]; fingerprint not 64 hex digits).
  static Result<RenewalRef> make(std::string_view order_id, std::string_view old_sha256_hex);
  [[nodiscard]] std::string pending_label() const;  // "renew-pending:<id16>", 30 bytes
};

inline constexpr std::string_view kPendingLabelPrefix = "renew-pending:";
// The longest CKA_LABEL we write of our own making; some tokens refuse longer (32 = a token label's size).
inline constexpr std::size_t kMaxLabelBytes = 32;
// s cut to kMaxLabelBytes at a UTF-8 character boundary.
std::string fit_label(std::string_view s);

enum class RenewalStage {
  Nothing,               // nothing on the token for this renewal
  KeyStaged,             // the pending key pair, no certificate yet
  CertificateInstalled,  // the new certificate is written next to the pending key, not finalised
  Finalised,             // the new certificate has its final label (finalize() got past relabelling)
};
std::string_view to_string(RenewalStage s) noexcept;

struct RenewalState {
  RenewalStage stage = RenewalStage::Nothing;
  Bytes key_id;                          // the new key's CKA_ID (all stages but Nothing)
  std::optional<domain::KeyAlgorithm> algorithm;  // the staged key's type
  std::optional<CertInfo> new_certificate;  // CertificateInstalled, Finalised
  // Finalised: every new object has its final label. With domain::OldKeyPolicy::Delete the renewal is
  // complete when also !old_certificate_present; otherwise call finalize() again.
  bool finalisation_complete = false;
  bool old_certificate_present = true;
  unsigned staged_pairs = 0;  // private keys with the renewal's id: more than 1 never comes from this code
};

// C_FindObjects by the renewal's CKA_ID, C_GetAttributeValue; when finalised, the certificates (to see
// whether the old one is still there). Errors: NotLoggedIn, TokenRemoved, DeviceError.
Result<RenewalState> find_renewal(Session& session, const RenewalRef& ref);

struct StagedKey {
  Bytes key_id;              // CKA_ID of both halves (derived from the renewal, 20 bytes)
  domain::KeyAlgorithm algorithm = domain::KeyAlgorithm::EcP256;
  Bytes spki_der;            // the public key as SubjectPublicKeyInfo
  std::string label;         // the pending label
  bool reused = false;       // found on the token (a resumed renewal): no key pair was generated
};

// Step 1. Reuses the pair already staged for this renewal (also after finalisation: never a second pair);
// otherwise C_GenerateKeyPair (CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_SIGN, the
// renewal's CKA_ID, pending label, CKA_SUBJECT = the old certificate's), then reads back CKA_LOCAL,
// CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_SENSITIVE, CKA_EXTRACTABLE and refuses
// (KeyNotProtected, the pair destroyed) when they are wrong.
// C_GenerateKeyPair takes seconds to minutes on a real token: run this on a worker.
// `old_cert` must be the certificate `ref` names (InvalidArgument otherwise).
// Errors: NotLoggedIn, MechanismUnsupported, TokenFull, KeyNotProtected, TokenRemoved, DeviceError.
Result<StagedKey> stage_key(Session& session, const RenewalRef& ref, const CertInfo& old_cert,
                            domain::KeyAlgorithm algorithm);

struct CertificationRequest {
  Bytes der;                            // the PKCS#10 request
  std::array<std::uint8_t, 32> sha256{};  // of `der`, for the renewal proof
};

// Step 2. The P10 for the staged key: subject = the old certificate's subject DER verbatim, the staged
// public key, signed on the token (C_SignInit/C_Sign: CKM_SHA256_RSA_PKCS, or CKM_RSA_PKCS over the
// DigestInfo; EC: CKM_ECDSA over SHA-256, r‖s → DER), checked with X509_REQ_verify before it is returned.
// Errors: RenewalOutOfOrder (no staged key), NotLoggedIn, TokenRemoved, VerificationFailed, DeviceError.
Result<CertificationRequest> build_p10(Session& session, const RenewalRef& ref, const CertInfo& old_cert);

// The renewal proof's to-be-signed bytes (the contract with the platform; never change it):
//   SEQUENCE { UTF8String "CN-CA-KIOSK/renewal-proof/v1", UTF8String orderId,
//              OCTET STRING sha256(P10 DER), OCTET STRING nonce }
Bytes encode_renewal_proof_tbs(std::string_view order_id, std::span<const std::uint8_t, 32> p10_sha256,
                               std::span<const std::uint8_t> nonce);
inline constexpr std::string_view kRenewalProofTag = "CN-CA-KIOSK/renewal-proof/v1";

struct RenewalProof {
  Bytes tbs;        // encode_renewal_proof_tbs(...)
  Bytes signature;  // RSA: PKCS#1 v1.5 with SHA-256; EC: DER ECDSA-Sig-Value over SHA-256(tbs)
  std::string algorithm;  // "sha256WithRSAEncryption" or "ecdsa-with-SHA256"
};

// Step 3. Signs the proof with the OLD certificate's private key (found by the old certificate's CKA_ID),
// after checking that `p10_der` is a valid request of this renewal's staged key with the old certificate's
// subject and that the nonce has 16–64 bytes; the signature is verified against the old certificate
// before it is returned. A context-specific login is made when the old key has CKA_ALWAYS_AUTHENTICATE.
// Errors: InvalidArgument (nonce, foreign P10), KeyNotFound, RenewalOutOfOrder, NotLoggedIn,
// PinIncorrect/PinLocked (context login), TokenRemoved, VerificationFailed, DeviceError.
Result<RenewalProof> sign_renewal_proof(Session& session, const RenewalRef& ref, const CertInfo& old_cert,
                                        std::span<const std::uint8_t> p10_der,
                                        std::span<const std::uint8_t> nonce);

// Step 4. Refuses a certificate whose public key is not the staged key's (CertificateMismatch); writes it
// (C_CreateObject: CKO_CERTIFICATE, CKC_X_509, the staged CKA_ID, pending label, CKA_SUBJECT, CKA_ISSUER,
// CKA_SERIAL_NUMBER, CKA_VALUE), reads CKA_VALUE back, signs a random challenge with the new key and
// verifies it with the certificate. Writing the same certificate again is a no-op; a different one for the
// same staged key replaces the pending one. Errors: CertificateInvalid, CertificateMismatch,
// RenewalOutOfOrder (no staged key, or already finalised with another certificate), TokenFull,
// TokenRemoved, VerificationFailed, DeviceError.
Result<CertInfo> install_certificate(Session& session, const RenewalRef& ref, std::span<const std::uint8_t> cert_der);

struct FinalizeOptions {
  domain::OldKeyPolicy old_key_policy = domain::OldKeyPolicy::Keep;  // pass the same one again when resuming
  std::string final_label;  // empty: the old certificate's label (or the new certificate's CN)
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct FinalizeResult {
  CertInfo certificate;       // the new one, as on the token now
  bool old_deleted = false;   // policy Delete: the old certificate (and its key, unless another
                              // certificate still uses it) are gone
  bool already_complete = false;  // nothing was left to do
};

// Step 5. Refuses while the new certificate's notBefore is after `now` (CertificateNotYetValid), before
// anything changes. Then gives the new key pair and, last, the new certificate the final label
// (C_SetAttributeValue), and with Delete destroys the old private key, public key and certificate
// (C_DestroyObject, the certificate last; the key is kept while another certificate still has its CKA_ID).
// Errors: RenewalOutOfOrder (no certificate installed), CertificateNotYetValid, TokenRemoved, DeviceError.
Result<FinalizeResult> finalize(Session& session, const RenewalRef& ref, const FinalizeOptions& options);

}  // namespace token
