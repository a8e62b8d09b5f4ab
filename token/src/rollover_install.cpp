// Step 4: the new certificate written next to the staged key, read back and test-signed.
#include <openssl/err.h>
#include <openssl/rand.h>

#include "keys.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Result<CertInfo> install_certificate(Session& s, const RenewalRef& ref,
                                     std::span<const std::uint8_t> cert_der) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto cert = parse_certificate(cert_der);
  if (!cert) return cert;
  StepGuard step(s);

  RolloverCache* c = cached(s, ref);
  if (c == nullptr) {
    auto st = scan(s, ref);
    if (!st) return std::unexpected(st.error());
    if (st->stage == RenewalStage::Finalised) {
      // Installing the same certificate again is a no-op, another one is refused.
      for (CK_OBJECT_HANDLE h : st->certs) {
        auto got = read_certificate(s, h);
        if (!got) return got;
        if (got->der == cert->der) {
          got->public_key_found = st->pub != CK_INVALID_HANDLE;
          got->private_key_found = st->priv != CK_INVALID_HANDLE;
          step.done();
          return got;
        }
      }
      return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder,
                                 "renewal already finalised with another certificate");
    }
    if (st->stage == RenewalStage::Nothing)
      return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
    auto staged = load_staged(s, ref);
    if (!staged) return std::unexpected(staged.error());
    c = *staged;
  }

  EvpPkeyPtr staged_key = key_from_spki(c->spki);
  EvpPkeyPtr cert_key = key_from_spki(cert->spki_der);
  if (!staged_key || !cert_key || EVP_PKEY_eq(cert_key.get(), staged_key.get()) != 1) {
    ERR_clear_error();
    return fail_with<CertInfo>(ErrorCode::CertificateMismatch,
                               "the certificate's public key is not the staged key");
  }

  CK_OBJECT_HANDLE written = CK_INVALID_HANDLE;
  for (CK_OBJECT_HANDLE h : c->certs) {
    auto v = SessionAccess::attribute(s, h, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v && **v == cert->der && written == CK_INVALID_HANDLE) {
      written = h;  // written before a crash or a lost answer
    } else if (auto d = SessionAccess::destroy(s, h); !d) {
      return std::unexpected(d.error());
    }
  }
  c->certs.clear();
  if (written == CK_INVALID_HANDLE) {
    Template t;
    certificate_template(t, *cert, c->id, ref.pending_label());
    auto h = SessionAccess::create(s, t);
    if (!h) return std::unexpected(h.error());
    written = *h;
  }
  c->certs.push_back(written);
  auto back = SessionAccess::attribute(s, written, CKA_VALUE);
  if (!back) return std::unexpected(back.error());
  if (!*back || **back != cert->der)
    return fail_with<CertInfo>(ErrorCode::VerificationFailed,
                               "the certificate read back differs from the one written");

  // The new key and the new certificate work together: a signature on the token that the certificate
  // verifies.
  std::uint8_t challenge[32];
  RAND_bytes(challenge, sizeof challenge);
  auto sig = sign_sha256(s, c->priv, c->key_type, c->always_auth, challenge);
  if (!sig) return std::unexpected(sig.error());
  if (!verify_sha256(cert_key.get(), challenge, *sig))
    return fail_with<CertInfo>(ErrorCode::VerificationFailed,
                               "test signature of the new key does not verify");

  c->cert_der = cert->der;
  cert->key_id = c->id;
  cert->label = ref.pending_label();
  cert->public_key_found = true;
  cert->private_key_found = true;
  step.done();
  return cert;
}

}  // namespace token
