// Proof that a key on the token holds the private key of one of its certificates: the staff sign-in
// (docs/staff.md, "Signing in") asks the staff KEY to sign a fresh challenge, and checks the signature with
// the certificate's public key, so a staff certificate copied onto another key is refused.
//
// The key signs only what this file builds: a structure tagged for this use, with a context the caller
// names and 32 bytes from the CSPRNG made here. No caller bytes are signed with it.
#pragma once

#include <string>
#include <string_view>

#include "token/session.hpp"

namespace token {

// The to-be-signed bytes (the contract with whoever verifies; never change it):
//   SEQUENCE { UTF8String "CN-CA-KIOSK/possession/v1", UTF8String context, OCTET STRING nonce }
inline constexpr std::string_view kPossessionTag = "CN-CA-KIOSK/possession/v1";
Bytes encode_possession_tbs(std::string_view context, std::span<const std::uint8_t> nonce);

struct PossessionProof {
  Bytes nonce;      // 32 random bytes
  Bytes tbs;        // encode_possession_tbs(context, nonce)
  Bytes signature;  // RSA: PKCS#1 v1.5 with SHA-256; EC: DER ECDSA-Sig-Value over SHA-256(tbs)
};

// Signs a fresh challenge with the private key whose CKA_ID is the certificate's (C_FindObjects,
// C_GetAttributeValue, C_SignInit/C_Sign; a C_Login(CKU_CONTEXT_SPECIFIC) for an ALWAYS_AUTHENTICATE
// key). The signature is not checked here: the caller checks it against the certificate it trusts.
// `context` is 1–128 bytes ("staff-sign-in:<kiosk id>").
// Errors: NotLoggedIn, InvalidArgument (context), KeyNotFound (no private key with the certificate's
// CKA_ID), PinIncorrect/PinLocked (context login), TokenRemoved, DeviceError.
Result<PossessionProof> prove_possession(Session& session, const CertInfo& cert, std::string_view context);

}  // namespace token
