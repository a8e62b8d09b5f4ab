// What a CA's issuing station does to a blank token: a key pair generated on it, and the certificate the
// CA issued for that key written next to it. The kiosk's demo and the tests make their "customer" keys
// with it; the kiosk itself never personalises a customer's key (it renews through rollover.hpp).
#pragma once

#include <span>
#include <string_view>

#include "token/session.hpp"

namespace token {

struct GeneratedPair {
  Bytes key_id;    // CKA_ID of both halves
  Bytes spki_der;  // the public key as SubjectPublicKeyInfo, for the CA
};

// C_GenerateKeyPair (private key TOKEN, PRIVATE, SENSITIVE, not EXTRACTABLE, sign only) with `id` and
// `label` on both halves, then the public key read back. Needs a logged-in session.
// Errors: NotLoggedIn, MechanismUnsupported, TokenFull, TokenRemoved, DeviceError.
Result<GeneratedPair> generate_pair(Session& session, domain::KeyAlgorithm algorithm,
                                    std::span<const std::uint8_t> id, std::string_view label);

// C_CreateObject of the certificate (CKO_CERTIFICATE, CKC_X_509, CKA_ID, CKA_LABEL, CKA_SUBJECT,
// CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_VALUE). Errors: CertificateInvalid, TokenFull, TokenRemoved, DeviceError.
Result<void> write_certificate(Session& session, std::span<const std::uint8_t> der, std::span<const std::uint8_t> id,
                               std::string_view label);

}  // namespace token
