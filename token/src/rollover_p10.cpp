// Step 2: the PKCS#10 request for the staged key, signed on the token.
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "foundation/sha256.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Result<CertificationRequest> build_p10(Session& s, const RenewalRef& ref, const CertInfo& old_cert) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  StepGuard step(s);
  auto staged = load_staged(s, ref);
  if (!staged) return std::unexpected(staged.error());
  if (*staged == nullptr)
    return fail_with<CertificationRequest>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  const RolloverCache& st = **staged;
  EvpPkeyPtr key = key_from_spki(st.spki);

  X509ReqPtr req(X509_REQ_new());
  // The subject's DER verbatim: d2i keeps the encoding, and an unmodified X509_NAME is written back as is.
  const unsigned char* p = old_cert.subject.der.data();
  X509NamePtr subject(d2i_X509_NAME(nullptr, &p, static_cast<long>(old_cert.subject.der.size())));
  X509AlgorPtr alg(X509_ALGOR_new());
  if (!key || !req || !subject || !alg || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), subject.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "X509_REQ: " + openssl_errors());
  if (st.key_type == CKK_RSA)
    X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, nullptr);
  else
    X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, nullptr);
  if (X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "X509_REQ algorithm: " + openssl_errors());

  unsigned char* tbs_raw = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs_raw);
  if (tbs_len <= 0)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "P10 TBS: " + openssl_errors());
  Bytes tbs(tbs_raw, tbs_raw + tbs_len);
  OPENSSL_free(tbs_raw);

  auto sig = sign_sha256(s, st.priv, st.key_type, st.always_auth, tbs);
  if (!sig) return std::unexpected(sig.error());

  BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits || ASN1_BIT_STRING_set(bits.get(), sig->data(), static_cast<int>(sig->size())) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "signature: " + openssl_errors());
  // Without BITS_LEFT OpenSSL would compute "unused bits" from the last byte and drop trailing zero bits
  // of a signature that happens to end in them.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07L);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits.release());

  if (X509_REQ_verify(req.get(), key.get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::VerificationFailed,
                                           "P10 does not verify: " + openssl_errors());
  CertificationRequest out;
  out.der = to_der(req.get(), i2d_X509_REQ);
  out.sha256 = foundation::sha256(out.der);
  step.done();
  return out;
}

}  // namespace token
