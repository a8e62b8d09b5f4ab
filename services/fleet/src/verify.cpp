// verify_bundle (fleet/trust.hpp): the kiosk's side of a configuration bundle, in the order docs/fleet.md
// gives ("What the kiosk checks").
#include <openssl/x509v3.h>

#include "fleet/trust.hpp"
#include "foundation/sha256.hpp"
#include "pki.hpp"

namespace fleet {

namespace {

using detail::X509Ptr;

std::unexpected<Refused> refuse(Refusal r, std::string field, std::string detail) {
  return std::unexpected(Refused{r, std::move(field), std::move(detail)});
}

// The current roots, owned, with their fingerprints.
struct Roots {
  std::vector<X509Ptr> certs;
  std::vector<std::string> fingerprints;
  explicit Roots(const RootSet& set) {
    for (const auto& der : set.roots)
      if (auto c = detail::x509_from_der(der)) {
        fingerprints.push_back(detail::fingerprint(c.get()));
        certs.push_back(std::move(c));
      }
  }
  [[nodiscard]] int issuer_of(X509_CRL* crl) const {
    for (std::size_t i = 0; i < certs.size(); ++i)
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(certs[i].get())) == 0)
        return static_cast<int>(i);
    return -1;
  }
};

struct RootCrl {
  X509_CRL* crl = nullptr;  // owned by the SignedData
  std::int64_t number = 0;
};

// Judges every CRL the bundle carries that a current root issued; keeps the newest per root. CRLs of other
// issuers are ignored (a bundle may carry a retired root's).
std::expected<std::vector<RootCrl>, Refused> check_crls(STACK_OF(X509_CRL) * crls, const Roots& roots,
                                                        const TrustState& state, std::time_t now) {
  std::vector<RootCrl> best(roots.certs.size());
  for (int i = 0; crls && i < sk_X509_CRL_num(crls); ++i) {
    X509_CRL* crl = sk_X509_CRL_value(crls, i);
    int r = roots.issuer_of(crl);
    if (r < 0) continue;
    const auto ri = static_cast<std::size_t>(r);
    X509* root = roots.certs[ri].get();
    const std::string field = "CRL of " + detail::subject_of(root);
    if (X509_CRL_verify(crl, X509_get0_pubkey(root)) != 1) {
      detail::clear_openssl_errors();
      return refuse(Refusal::CrlInvalid, field, "its signature does not verify with the root's key");
    }
    if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
      return refuse(Refusal::CrlInvalid, field, "a delta CRL; the root's full CRL is needed");
    auto* number = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
    std::int64_t n = -1;
    if (number) {
      if (ASN1_INTEGER_get_int64(&n, number) != 1) n = -1;
      ASN1_INTEGER_free(number);
    }
    detail::clear_openssl_errors();
    if (n < 0) return refuse(Refusal::CrlInvalid, field, "no CRL number");
    if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0)
      return refuse(Refusal::CrlInvalid, field, "issued after the platform's time");
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
    if (!next || X509_cmp_time(next, &now) <= 0)
      return refuse(Refusal::CrlExpired, field, "number " + std::to_string(n) + " is past its next update");
    auto seen = state.crl_numbers.find(roots.fingerprints[ri]);
    if (seen != state.crl_numbers.end() && n < seen->second)
      return refuse(
          Refusal::CrlOlder, field,
          "number " + std::to_string(n) + ", this kiosk has seen number " + std::to_string(seen->second));
    if (!best[ri].crl || n > best[ri].number) best[ri] = {crl, n};
  }
  return best;
}

struct Signer {
  X509* cert = nullptr;  // owned by CheckedSignatures
  std::vector<Scope> scopes;
};

// Chains the signer to a current root directly (no intermediate) at `now`; the root's index.
std::expected<std::size_t, Refused> chain(X509* signer, const Roots& roots, STACK_OF(X509) * carried,
                                          std::time_t now) {
  detail::StorePtr store(X509_STORE_new());
  for (const auto& r : roots.certs) X509_STORE_add_cert(store.get(), r.get());
  detail::StoreCtxPtr ctx(X509_STORE_CTX_new());
  const std::string who = detail::describe_cert(signer);
  if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), signer, carried) != 1) {
    detail::clear_openssl_errors();
    return refuse(Refusal::SignerUntrusted, who, "cannot set up the chain check");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, now);
  X509_VERIFY_PARAM_set_depth(param, 0);  // the signer, then a root: nothing between
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  int ok = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  detail::clear_openssl_errors();
  if (ok != 1) {
    const std::string why = X509_verify_cert_error_string(err);
    if ((err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) && depth == 0)
      return refuse(Refusal::SignerExpired, who, why + " at the platform's time");
    return refuse(Refusal::SignerUntrusted, who, why + " (depth " + std::to_string(depth) + ")");
  }
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  X509* root = sk_X509_value(built, sk_X509_num(built) - 1);
  for (std::size_t i = 0; i < roots.certs.size(); ++i)
    if (X509_cmp(root, roots.certs[i].get()) == 0) return i;
  return refuse(Refusal::SignerUntrusted, who, "chains to no current root");
}

std::expected<std::vector<Signer>, Refused> check_signers(const detail::CheckedSignatures& sigs,
                                                          detail::SignedData& sd, const Roots& roots,
                                                          const std::vector<RootCrl>& crls, std::time_t now) {
  std::vector<Signer> out;
  for (const auto& cert : sigs.signers) {
    const std::string who = detail::describe_cert(cert.get());
    auto root = chain(cert.get(), roots, sd.certs.get(), now);
    if (!root) return std::unexpected(root.error());
    if (!detail::has_signing_role(cert.get()))
      return refuse(Refusal::SignerNoRole, who, "no configuration-signing extended key usage");
    if (X509_check_ca(cert.get()) != 0)
      return refuse(Refusal::SignerNoRole, who, "a CA certificate signs no bundle");
    const RootCrl& crl = crls[*root];
    if (!crl.crl)
      return refuse(Refusal::CrlMissing, who,
                    "the bundle carries no current CRL of " + detail::subject_of(roots.certs[*root].get()));
    X509_REVOKED* entry = nullptr;
    int revoked = X509_CRL_get0_by_cert(crl.crl, &entry, cert.get());
    detail::clear_openssl_errors();
    if (revoked == 1)
      return refuse(Refusal::SignerRevoked, who, "on CRL number " + std::to_string(crl.number));
    bool seen = false;
    for (const auto& s : out) seen = seen || X509_cmp(s.cert, cert.get()) == 0;
    if (!seen) out.push_back({cert.get(), certificate_scopes(cert.get())});
  }
  return out;
}

std::optional<Refused> check_scopes(const std::vector<Signer>& signers, const Document& d,
                                    const KioskPlace& here) {
  for (const auto& s : signers)
    for (std::size_t i = 0; i < d.targets.size(); ++i) {
      bool covered = false;
      for (const auto& scope : s.scopes) covered = covered || covers(scope, d.targets[i].scope, here);
      if (!covered)
        return Refused{Refusal::SignerOutOfScope, detail::describe_cert(s.cert),
                       "may not sign for target " + to_string(d.targets[i].scope)};
    }
  if (d.fleet_wide()) {
    // Two admins: two certificates with different subjects and keys (one admin's two certificates are one).
    bool two = false;
    for (std::size_t a = 0; a < signers.size() && !two; ++a)
      for (std::size_t b = a + 1; b < signers.size() && !two; ++b)
        two = !detail::same_identity(signers[a].cert, signers[b].cert);
    if (!two)
      return Refused{
          Refusal::NeedsTwoSigners, "targets",
          "a fleet-wide bundle needs two distinct signers, it has " + std::to_string(signers.size())};
  }
  return std::nullopt;
}

std::optional<Refused> check_layers(const TrustState& state, const Document& d, const KioskPlace& here) {
  for (const auto& [scope_text, mark] : state.layers) {
    auto scope = parse_scope(scope_text);
    if (!scope || !contains(*scope, here)) continue;  // a hall this kiosk has left
    const Layer* layer = nullptr;
    for (const auto& l : d.layers)
      if (l.scope == *scope) layer = &l;
    const std::string applied = "this kiosk applied its version " + std::to_string(mark.version);
    if (!layer) return Refused{Refusal::LayerRegressed, scope_text, "no layer in this bundle; " + applied};
    if (layer->version < mark.version)
      return Refused{Refusal::LayerRegressed, scope_text,
                     "version " + std::to_string(layer->version) + "; " + applied};
    if (layer->version == mark.version && layer->sha256_hex != mark.sha256_hex)
      return Refused{
          Refusal::LayerRegressed, scope_text,
          "version " + std::to_string(layer->version) + " with other settings than the one applied"};
  }
  return std::nullopt;
}

}  // namespace

TrustState TrustState::initial(RootSet installed) {
  TrustState s;
  s.roots = RootChain::from_installed(std::move(installed));
  return s;
}

std::optional<std::string> bundle_content(std::span<const std::uint8_t> der) {
  auto sd = detail::read_signed_data(der, kMaxBundleBytes);
  if (!sd) return std::nullopt;
  return detail::raw_content(*sd);
}

std::expected<Verified, Refused> verify_bundle(std::span<const std::uint8_t> der, const TrustState& state,
                                               const KioskPlace& here, std::chrono::sys_seconds now) {
  const std::time_t t = detail::to_time_t(now);
  auto sd = detail::read_signed_data(der, kMaxBundleBytes);
  if (!sd) return std::unexpected(sd.error());
  if (sd->signer_infos == 0) return refuse(Refusal::Unsigned, "", "no SignerInfo");
  auto sigs = detail::check_signatures(*sd, nullptr);
  if (!sigs) return std::unexpected(sigs.error());

  const Roots roots(state.roots.current);
  auto crls = check_crls(sd->crls.get(), roots, state, t);
  if (!crls) return std::unexpected(crls.error());
  auto signers = check_signers(*sigs, *sd, roots, *crls, t);
  if (!signers) return std::unexpected(signers.error());

  auto doc = parse_document(sigs->content);
  if (!doc) return std::unexpected(doc.error());
  if (auto r = check_scopes(*signers, *doc, here)) return std::unexpected(*r);

  const std::int64_t now_s = now.time_since_epoch().count();
  if (doc->expires_at <= now_s)
    return refuse(
        Refusal::Expired, "expires_at",
        std::to_string(doc->expires_at) + " is not after the platform's time " + std::to_string(now_s));
  if (doc->expires_at - now_s > kMaxBundleLifetime.count())
    return refuse(Refusal::SettingOutOfRange, "expires_at", "more than 366 days after the platform's time");
  if (!doc->target_for(here))
    return refuse(
        Refusal::NotTargeted, "targets",
        "none includes kiosk " + here.kiosk_id + " (hall " + here.hall + ", region " + here.region + ")");

  Verified v;
  v.content_sha256 = foundation::sha256_hex(std::string_view(sigs->content));
  if (state.applied) {
    const AppliedBundle& a = *state.applied;
    if (doc->version < a.version)
      return refuse(Refusal::OlderVersion, "version",
                    std::to_string(doc->version) + ", the applied one is " + std::to_string(a.version));
    if (doc->version == a.version && v.content_sha256 != a.content_sha256)
      return refuse(Refusal::VersionReused, "version",
                    std::to_string(doc->version) + " is applied with other content");
    if (doc->version == a.version) v.outcome = Outcome::Unchanged;
  }
  if (auto r = check_layers(state, *doc, here)) return std::unexpected(*r);

  v.document = std::move(*doc);
  v.content = std::move(sigs->content);
  v.bundle.assign(der.begin(), der.end());
  for (const auto& s : *signers)
    v.signers.push_back({detail::subject_of(s.cert), detail::fingerprint(s.cert), s.scopes});
  for (std::size_t i = 0; i < crls->size(); ++i)
    if ((*crls)[i].crl) v.crl_numbers[roots.fingerprints[i]] = (*crls)[i].number;
  return v;
}

TrustState next_state(const TrustState& state, const Verified& v, const KioskPlace& here) {
  TrustState s = state;
  for (const auto& [root, number] : v.crl_numbers) {
    auto& n = s.crl_numbers[root];
    n = std::max(n, number);
  }
  if (v.outcome == Outcome::Unchanged) return s;
  s.previous = s.applied;
  s.applied = AppliedBundle{v.document.version, v.content_sha256, v.bundle};
  for (const auto& l : v.document.layers) {
    if (!contains(l.scope, here)) continue;
    s.layers[to_string(l.scope)] = LayerMark{l.version, l.sha256_hex};
  }
  return s;
}

}  // namespace fleet
