// A fresh challenge signed on the token (token/possession.hpp).
#include "token/possession.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Bytes encode_possession_tbs(std::string_view context, std::span<const std::uint8_t> nonce) {
  Bytes body;
  der_tlv(body, 0x0c, bytes_of(kPossessionTag));  // UTF8String
  der_tlv(body, 0x0c, bytes_of(context));         // UTF8String
  der_tlv(body, 0x04, nonce);                     // OCTET STRING
  Bytes out;
  der_tlv(out, 0x30, body);  // SEQUENCE
  return out;
}

Result<PossessionProof> prove_possession(Session& s, const CertInfo& cert, std::string_view context) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (context.empty() || context.size() > 128)
    return fail_with<PossessionProof>(ErrorCode::InvalidArgument, "context must have 1–128 bytes");
  if (cert.key_id.empty())
    return fail_with<PossessionProof>(ErrorCode::KeyNotFound, "the certificate object has no CKA_ID");
  auto keys = objects_with_id(s, CKO_PRIVATE_KEY, cert.key_id);
  if (!keys) return std::unexpected(keys.error());
  // Two private keys under one CKA_ID cannot be told apart: which one the certificate names is unknown.
  if (keys->size() != 1)
    return fail_with<PossessionProof>(
        ErrorCode::KeyNotFound, std::to_string(keys->size()) + " private keys with the certificate's CKA_ID");
  PossessionProof proof;
  proof.nonce.resize(32);
  if (RAND_bytes(proof.nonce.data(), static_cast<int>(proof.nonce.size())) != 1) {
    ERR_clear_error();
    return fail_with<PossessionProof>(ErrorCode::DeviceError, "no random bytes for the challenge");
  }
  proof.tbs = encode_possession_tbs(context, proof.nonce);
  auto sig = sign_sha256(s, keys->front(), proof.tbs);
  if (!sig) return std::unexpected(sig.error());
  proof.signature = std::move(*sig);
  return proof;
}

}  // namespace token
