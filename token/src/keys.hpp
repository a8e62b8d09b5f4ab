// Key pairs and certificate objects on a token: shared by the rollover and by personalisation.
#pragma once

#include <span>
#include <string_view>

#include "ossl.hpp"
#include "p11.hpp"
#include "token/certificate.hpp"
#include "token/session.hpp"

namespace token::detail {

struct PairHandles {
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
};

// C_GenerateKeyPair with the kiosk's protections: the private key TOKEN, PRIVATE, SENSITIVE, not
// EXTRACTABLE, sign only; both halves with `id`, `label` and (when given) CKA_SUBJECT.
Result<PairHandles> generate_pair(Session& s, domain::KeyAlgorithm algorithm, std::span<const std::uint8_t> id,
                                  std::string_view label, std::span<const std::uint8_t> subject_der);

// The public key of a public-key object as an EVP_PKEY (RSA: modulus + exponent; EC: params + point).
Result<EvpPkeyPtr> public_key_of(Session& s, CK_OBJECT_HANDLE pub, CK_KEY_TYPE type);

// A CKO_CERTIFICATE / CKC_X_509 object's attributes for `cert`.
void certificate_template(Template& t, const CertInfo& cert, std::span<const std::uint8_t> id, std::string_view label);

}  // namespace token::detail
