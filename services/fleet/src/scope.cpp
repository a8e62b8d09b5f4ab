#include "fleet/scope.hpp"

#include <openssl/x509v3.h>

#include "foundation/sha256.hpp"
#include "pki.hpp"

namespace fleet {

namespace {

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

int rank(ScopeKind k) {
  return static_cast<int>(k);
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view text) {
  if (text == "fleet") return Scope{ScopeKind::Fleet, {}};
  struct Prefix {
    std::string_view name;
    ScopeKind kind;
  };
  for (Prefix p : {Prefix{"region:", ScopeKind::Region}, Prefix{"hall:", ScopeKind::Hall},
                   Prefix{"kiosk:", ScopeKind::Kiosk}}) {
    if (text.starts_with(p.name)) {
      std::string_view id = text.substr(p.name.size());
      if (!valid_id(id)) return std::nullopt;
      return Scope{p.kind, std::string(id)};
    }
  }
  return std::nullopt;
}

std::string to_string(const Scope& s) {
  switch (s.kind) {
    case ScopeKind::Fleet:
      return "fleet";
    case ScopeKind::Region:
      return "region:" + s.id;
    case ScopeKind::Hall:
      return "hall:" + s.id;
    case ScopeKind::Kiosk:
      return "kiosk:" + s.id;
  }
  return "fleet";
}

bool contains(const Scope& s, const KioskPlace& here) {
  switch (s.kind) {
    case ScopeKind::Fleet:
      return true;
    case ScopeKind::Region:
      return s.id == here.region;
    case ScopeKind::Hall:
      return s.id == here.hall;
    case ScopeKind::Kiosk:
      return s.id == here.kiosk_id;
  }
  return false;
}

bool covers(const Scope& signer, const Scope& target, const KioskPlace& here) {
  if (signer.kind == ScopeKind::Fleet) return true;
  if (signer == target) return true;
  if (rank(signer.kind) >= rank(target.kind)) return false;  // narrower or another id of the same kind
  // signer is wider than target (region over hall or kiosk, hall over kiosk).
  if (contains(target, here)) return contains(signer, here);
  return true;  // off this kiosk's path: the kiosks it names check it
}

int cohort_bucket(std::string_view kiosk_id, std::string_view seed) {
  std::string input = "kiosk-cohort/v1\n";
  input += seed;
  input += '\n';
  input += kiosk_id;
  const foundation::Sha256 d = foundation::sha256(std::string_view(input));
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
  return static_cast<int>(v % 100);
}

std::vector<Scope> certificate_scopes(X509* cert) {
  std::vector<Scope> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = g->d.uniformResourceIdentifier;
    std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                          static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (!text.starts_with(kScopeUriPrefix)) continue;
    if (auto s = parse_scope(text.substr(kScopeUriPrefix.size()))) out.push_back(*s);
  }
  if (names) GENERAL_NAMES_free(names);
  detail::clear_openssl_errors();
  return out;
}

}  // namespace fleet
