// Step 3: the renewal proof, signed by the old certificate's key over bytes this file builds itself.
#include <openssl/err.h>
#include <openssl/x509.h>

#include "foundation/sha256.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Bytes encode_renewal_proof_tbs(std::string_view order_id, std::span<const std::uint8_t, 32> p10_sha256,
                               std::span<const std::uint8_t> nonce) {
  Bytes body;
  der_tlv(body, 0x0c, bytes_of(kRenewalProofTag));  // UTF8String
  der_tlv(body, 0x0c, bytes_of(order_id));          // UTF8String
  der_tlv(body, 0x04, p10_sha256);                  // OCTET STRING
  der_tlv(body, 0x04, nonce);                       // OCTET STRING
  Bytes out;
  der_tlv(out, 0x30, body);  // SEQUENCE
  return out;
}

Result<RenewalProof> sign_renewal_proof(Session& s, const RenewalRef& ref, const CertInfo& old_cert,
                                        std::span<const std::uint8_t> p10_der,
                                        std::span<const std::uint8_t> nonce) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  if (nonce.size() < 16 || nonce.size() > 64)
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "nonce must have 16–64 bytes");

  // Only a proof for a real request of this renewal: a valid P10 of the staged key, old subject.
  const unsigned char* p = p10_der.data();
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(p10_der.size())));
  if (!req || p != p10_der.data() + p10_der.size()) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "not a DER PKCS#10 request");
  }
  EVP_PKEY* req_key = X509_REQ_get0_pubkey(req.get());
  if (req_key == nullptr || X509_REQ_verify(req.get(), req_key) != 1) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "the request's signature does not verify");
  }
  const unsigned char* subject_der = nullptr;
  std::size_t subject_len = 0;
  X509_NAME_get0_der(X509_REQ_get_subject_name(req.get()), &subject_der, &subject_len);
  if (Bytes(subject_der, subject_der + subject_len) != old_cert.subject.der)
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument,
                                   "the request's subject is not the old certificate's");

  StepGuard step(s);
  auto staged = load_staged(s, ref);
  if (!staged) return std::unexpected(staged.error());
  if (*staged == nullptr)
    return fail_with<RenewalProof>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  EvpPkeyPtr staged_key = key_from_spki((*staged)->spki);
  if (!staged_key || EVP_PKEY_eq(staged_key.get(), req_key) != 1) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument,
                                   "the request is not for this renewal's staged key");
  }

  // The old certificate's private key, on this token; the signature is checked against the certificate.
  if (old_cert.key_id.empty())
    return fail_with<RenewalProof>(ErrorCode::KeyNotFound,
                                   "the old certificate has no CKA_ID to find its key by");
  auto keys = objects_with_id(s, CKO_PRIVATE_KEY, old_cert.key_id);
  if (!keys) return std::unexpected(keys.error());
  if (keys->empty())
    return fail_with<RenewalProof>(ErrorCode::KeyNotFound, "the old certificate's private key is missing");

  auto digest = foundation::sha256(p10_der);
  RenewalProof proof;
  proof.tbs = encode_renewal_proof_tbs(ref.order_id, digest, nonce);
  auto sig = sign_sha256(s, keys->front(), proof.tbs);
  if (!sig) return std::unexpected(sig.error());
  proof.signature = std::move(*sig);

  const unsigned char* cp = old_cert.der.data();
  X509Ptr x(d2i_X509(nullptr, &cp, static_cast<long>(old_cert.der.size())));
  EVP_PKEY* old_pub = x ? X509_get0_pubkey(x.get()) : nullptr;
  if (old_pub == nullptr || !verify_sha256(old_pub, proof.tbs, proof.signature))
    return fail_with<RenewalProof>(
        ErrorCode::VerificationFailed,
        "the proof does not verify with the old certificate (key and certificate differ?)");
  proof.algorithm =
      EVP_PKEY_get_base_id(old_pub) == EVP_PKEY_RSA ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256";
  step.done();
  return proof;
}

}  // namespace token
