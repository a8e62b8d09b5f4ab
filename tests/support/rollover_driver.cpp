#include "rollover_driver.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "foundation/sha256.hpp"

namespace testsupport {

Bytes StandInPlatform::nonce(const std::string& order_id) {
  auto it = nonces_.find(order_id);
  if (it != nonces_.end()) return it->second;
  Bytes n(32);
  RAND_bytes(n.data(), static_cast<int>(n.size()));
  nonces_[order_id] = n;
  return n;
}

Bytes StandInPlatform::submit(const std::string& order_id, std::span<const std::uint8_t> p10_der,
                              const token::RenewalProof& proof, std::span<const std::uint8_t> old_cert_der) {
  ++submissions;
  if (auto it = issued_.find(order_id); it != issued_.end()) return it->second;
  // The proof, as the platform checks it: rebuild the TBS, verify with the old certificate's key.
  auto digest = foundation::sha256(p10_der);
  Bytes tbs = token::encode_renewal_proof_tbs(order_id, digest, nonce(order_id));
  if (tbs != proof.tbs) throw std::runtime_error("proof TBS differs");
  const unsigned char* p = old_cert_der.data();
  X509Ptr old(d2i_X509(nullptr, &p, static_cast<long>(old_cert_der.size())));
  foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  if (!old || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(old.get())) != 1 ||
      EVP_DigestVerify(ctx.get(), proof.signature.data(), proof.signature.size(), tbs.data(), tbs.size()) != 1)
    throw std::runtime_error("proof signature does not verify with the old certificate");
  Bytes cert = ca_.issue_from_p10(p10_der, validity_);
  issued_[order_id] = cert;
  return cert;
}

std::optional<Bytes> StandInPlatform::issued(const std::string& order_id) const {
  auto it = issued_.find(order_id);
  if (it == issued_.end()) return std::nullopt;
  return it->second;
}

token::Result<DriverOutcome> drive_rollover(token::Session& session, const token::RenewalRef& ref,
                                            const token::CertInfo& old_cert, domain::KeyAlgorithm algorithm,
                                            StandInPlatform& platform, domain::OldKeyPolicy policy,
                                            const BeforeFinalize& before_finalize) {
  DriverOutcome out;
  auto state = token::find_renewal(session, ref);
  if (!state) return std::unexpected(state.error());
  out.stage_at_start = state->stage;
  if (state->stage == token::RenewalStage::Nothing || state->stage == token::RenewalStage::KeyStaged) {
    auto staged = token::stage_key(session, ref, old_cert, algorithm);
    if (!staged) return std::unexpected(staged.error());
    out.generated_key = !staged->reused;
    Bytes cert;
    if (auto issued = platform.issued(ref.order_id)) {
      cert = *issued;
    } else {
      auto p10 = token::build_p10(session, ref, old_cert);
      if (!p10) return std::unexpected(p10.error());
      Bytes nonce = platform.nonce(ref.order_id);
      auto proof = token::sign_renewal_proof(session, ref, old_cert, p10->der, nonce);
      if (!proof) return std::unexpected(proof.error());
      cert = platform.submit(ref.order_id, p10->der, *proof, old_cert.der);
    }
    auto installed = token::install_certificate(session, ref, cert);
    if (!installed) return std::unexpected(installed.error());
  }
  if (before_finalize)
    if (auto b = before_finalize(session); !b) return std::unexpected(b.error());
  token::FinalizeOptions options;
  options.old_key_policy = policy;
  auto done = token::finalize(session, ref, options);
  if (!done) return std::unexpected(done.error());
  out.result = std::move(*done);
  return out;
}

}  // namespace testsupport
