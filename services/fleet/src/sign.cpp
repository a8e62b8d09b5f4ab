#include "fleet/sign.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "fleet/settings.hpp"
#include "fleet/trust.hpp"
#include "pki.hpp"
#include "rotation_format.hpp"

namespace fleet {

namespace {

std::unexpected<SignError> openssl_failure(std::string what) {
  char buf[256] = {};
  unsigned long err = ERR_peek_last_error();
  if (err) {
    ERR_error_string_n(err, buf, sizeof buf);
    what += ": ";
    what += buf;
  }
  detail::clear_openssl_errors();
  return std::unexpected(SignError{std::move(what)});
}

std::expected<foundation::Bytes, SignError> sign(std::string_view content, std::span<const SignerKey> signers,
                                                 std::span<X509_CRL* const> crls,
                                                 std::span<X509* const> extra) {
  if (signers.empty()) return std::unexpected(SignError{"no signer given"});
  detail::BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  // CMS_BINARY throughout: the content is signed byte for byte, no MIME canonicalisation.
  const unsigned flags = CMS_BINARY | CMS_PARTIAL;
  detail::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, in.get(), flags));
  if (!cms) return openssl_failure("cannot start the SignedData");
  for (const auto& s : signers) {
    if (!s.cert || !s.key) return std::unexpected(SignError{"a signer without certificate or key"});
    if (X509_check_private_key(s.cert, s.key) != 1)
      return openssl_failure("the key does not match the certificate of " + detail::subject_of(s.cert));
    if (!CMS_add1_signer(cms.get(), s.cert, s.key, EVP_sha256(), CMS_BINARY))
      return openssl_failure("cannot sign as " + detail::subject_of(s.cert));
  }
  for (X509* c : extra)
    if (CMS_add1_cert(cms.get(), c) != 1) return openssl_failure("cannot add a certificate");
  for (X509_CRL* crl : crls)
    if (CMS_add1_crl(cms.get(), crl) != 1) return openssl_failure("cannot add a CRL");
  if (CMS_final(cms.get(), in.get(), nullptr, CMS_BINARY) != 1)
    return openssl_failure("cannot finish the SignedData");
  unsigned char* out = nullptr;
  int n = i2d_CMS_ContentInfo(cms.get(), &out);
  if (n <= 0) return openssl_failure("cannot encode the SignedData");
  foundation::Bytes der(out, out + n);
  OPENSSL_free(out);
  detail::clear_openssl_errors();
  return der;
}

}  // namespace

std::expected<foundation::Bytes, SignError> sign_bundle(std::string_view content,
                                                        std::span<const SignerKey> signers,
                                                        std::span<X509_CRL* const> crls,
                                                        std::span<X509* const> extra_certs) {
  return sign(content, signers, crls, extra_certs);
}

std::expected<foundation::Bytes, SignError> sign_root_rotation(const RootSet& next,
                                                               std::span<const SignerKey> roots) {
  return sign(detail::rotation_json(next), roots, {}, {});
}

std::vector<Refused> check_for_signing(std::string_view content, std::span<const SignerKey> signers,
                                       std::chrono::sys_seconds now) {
  std::vector<Refused> out;
  auto doc = parse_document(content);
  if (!doc) return {doc.error()};
  const std::int64_t now_s = now.time_since_epoch().count();
  if (doc->expires_at <= now_s) out.push_back({Refusal::Expired, "expires_at", "already past"});
  if (doc->expires_at - now_s > kMaxBundleLifetime.count())
    out.push_back({Refusal::SettingOutOfRange, "expires_at", "more than 366 days ahead"});
  std::time_t t = detail::to_time_t(now);
  // No kiosk here: a wider scope is taken to cover a narrower target (each kiosk checks its own path).
  const KioskPlace nowhere{};
  for (const auto& s : signers) {
    const std::string who = detail::describe_cert(s.cert);
    if (!detail::has_signing_role(s.cert))
      out.push_back({Refusal::SignerNoRole, who, "no configuration-signing role"});
    if (X509_cmp_time(X509_get0_notBefore(s.cert), &t) > 0 ||
        X509_cmp_time(X509_get0_notAfter(s.cert), &t) <= 0)
      out.push_back({Refusal::SignerExpired, who, "not valid now"});
    auto scopes = certificate_scopes(s.cert);
    for (const auto& target : doc->targets) {
      bool covered = false;
      for (const auto& scope : scopes) covered = covered || covers(scope, target.scope, nowhere);
      if (!covered)
        out.push_back({Refusal::SignerOutOfScope, who, "may not sign for " + to_string(target.scope)});
    }
  }
  if (doc->fleet_wide()) {
    bool two = false;
    for (std::size_t a = 0; a < signers.size(); ++a)
      for (std::size_t b = a + 1; b < signers.size(); ++b)
        two = two || !detail::same_identity(signers[a].cert, signers[b].cert);
    if (!two)
      out.push_back({Refusal::NeedsTwoSigners, "targets", "a fleet-wide bundle needs two distinct signers"});
  }
  detail::clear_openssl_errors();
  return out;
}

}  // namespace fleet
