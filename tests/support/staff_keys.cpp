#include "staff_keys.hpp"

#include <openssl/x509.h>

#include <stdexcept>

#include "token/personalise.hpp"

namespace stafftest {

using namespace std::chrono_literals;

StaffPki::StaffPki(sys_seconds at) : now(at) {
  ca = fleetpki::make_root("Hall Staff CA", now - 24h * 400, now + 24h * 3650);
  other_ca = fleetpki::make_root("Hall Staff CA", now - 24h * 400, now + 24h * 3650);  // same name, other key
}

fleetpki::SignerSpec StaffPki::spec(const std::string& cn, std::vector<std::string> scopes) const {
  fleetpki::SignerSpec s;
  s.cn = cn;
  s.scopes = std::move(scopes);
  s.role = true;
  s.eku = std::string(kStaffRoleOid);
  s.not_before = now - 24h * 30;
  s.not_after = now + 24h * 335;
  s.cn_o = "Hall Staff";
  return s;
}

foundation::Bytes der_of_crl(X509_CRL* crl) {
  unsigned char* out = nullptr;
  int n = i2d_X509_CRL(crl, &out);
  if (n <= 0) throw std::runtime_error("encode CRL");
  foundation::Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

foundation::Bytes StaffPki::crl(std::int64_t number, std::initializer_list<const Credential*> revoked,
                                sys_seconds next_update) const {
  return der_of_crl(fleetpki::make_crl(ca, number, revoked, now - 1h, next_update).get());
}

void StaffPki::write_ca(const std::filesystem::path& pem) const {
  fleetpki::write_file(pem, ca.pem());
}

Credential make_staff_key(token::Session& session, const Credential& issuer, fleetpki::SignerSpec spec,
                          const foundation::Bytes& id, const std::string& label) {
  auto pair = token::generate_pair(session, domain::KeyAlgorithm::EcP256, id, label);
  if (!pair) throw std::runtime_error("generate staff pair: " + pair.error().to_string());
  const unsigned char* p = pair->spki_der.data();
  fleetpki::EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(pair->spki_der.size())));
  if (!pub) throw std::runtime_error("staff public key");
  spec.reuse_key = pub.get();
  Credential c = fleetpki::issue_signer(issuer, spec);
  const foundation::Bytes der = c.der();
  if (auto w = token::write_certificate(session, der, id, label); !w)
    throw std::runtime_error("write staff certificate: " + w.error().to_string());
  return c;
}

void copy_certificate(token::Session& session, const Credential& other, const foundation::Bytes& id) {
  const foundation::Bytes der = other.der();
  if (auto w = token::write_certificate(session, der, id, "copied"); !w)
    throw std::runtime_error("write copied certificate: " + w.error().to_string());
}

}  // namespace stafftest
