#include "fleet_pki.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <stdexcept>

#include "fleet/trust.hpp"

namespace fleetpki {

namespace {

using namespace std::chrono_literals;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
using AsnIntPtr = foundation::CPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using AsnTimePtr = foundation::CPtr<ASN1_TIME, ASN1_TIME_free>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  ERR_clear_error();
  throw std::runtime_error("fleet test PKI: " + what + ": " + buf);
}

void check(int ok, const char* what) {
  if (ok != 1) fail(what);
}

time_t to_time_t(sys_seconds t) {
  return static_cast<time_t>(t.time_since_epoch().count());
}

long next_serial() {
  static long serial = 4096;  // distinct serials within a run, so a CRL names exactly one certificate
  return ++serial;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("extension " + value);
  check(X509_add_ext(cert, ext, -1), "add extension");
  X509_EXTENSION_free(ext);
}

X509Ptr new_cert(const std::string& cn, const EVP_PKEY* key, sys_seconds nb, sys_seconds na,
                 const std::string& o = "Kiosk Test CA") {
  X509Ptr cert(X509_new());
  check(X509_set_version(cert.get(), 2), "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), next_serial()), "serial");
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), to_time_t(nb));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), to_time_t(na));
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0),
        "O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        "CN");
  check(X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(key)), "public key");
  return cert;
}

}  // namespace

Bytes Credential::der() const {
  unsigned char* out = nullptr;
  int n = i2d_X509(cert.get(), &out);
  if (n <= 0) fail("encode certificate");
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

std::string Credential::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert.get()), "PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

EvpPkeyPtr make_key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key");
  return key;
}

Credential make_root(const std::string& cn, sys_seconds not_before, sys_seconds not_after) {
  Credential c;
  c.key = make_key();
  c.cert = new_cert(cn, c.key.get(), not_before, not_after);
  check(X509_set_issuer_name(c.cert.get(), X509_get_subject_name(c.cert.get())), "issuer");
  add_ext(c.cert.get(), c.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c.cert.get(), c.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c.cert.get(), c.cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(c.cert.get(), c.key.get(), EVP_sha256()) <= 0) fail("sign root");
  return c;
}

Credential issue_ca(const Credential& issuer, const std::string& cn, sys_seconds not_before,
                    sys_seconds not_after) {
  Credential c;
  c.key = make_key();
  c.cert = new_cert(cn, c.key.get(), not_before, not_after);
  check(X509_set_issuer_name(c.cert.get(), X509_get_subject_name(issuer.cert.get())), "issuer");
  add_ext(c.cert.get(), issuer.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c.cert.get(), issuer.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c.cert.get(), issuer.cert.get(), NID_subject_key_identifier, "hash");
  add_ext(c.cert.get(), issuer.cert.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(c.cert.get(), issuer.key.get(), EVP_sha256()) <= 0) fail("sign CA");
  return c;
}

Credential issue_signer(const Credential& issuer, const SignerSpec& spec) {
  Credential c;
  if (spec.reuse_key) {
    c.key.reset(const_cast<EVP_PKEY*>(spec.reuse_key));
    EVP_PKEY_up_ref(c.key.get());
  } else {
    c.key = make_key();
  }
  c.cert = new_cert(spec.cn, c.key.get(), spec.not_before, spec.not_after, spec.cn_o);
  check(X509_set_issuer_name(c.cert.get(), X509_get_subject_name(issuer.cert.get())), "issuer");
  add_ext(c.cert.get(), issuer.cert.get(), NID_basic_constraints,
          spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(c.cert.get(), issuer.cert.get(), NID_key_usage,
          spec.ca ? "critical,digitalSignature,keyCertSign" : "critical,digitalSignature");
  if (spec.role)
    add_ext(c.cert.get(), issuer.cert.get(), NID_ext_key_usage,
            spec.eku.empty() ? std::string(fleet::kConfigSigningEku) : spec.eku);
  if (!spec.policy.empty()) {
    // Built by hand: OpenSSL's text form of certificatePolicies wants a configuration database.
    CERTIFICATEPOLICIES* policies = sk_POLICYINFO_new_null();
    POLICYINFO* info = POLICYINFO_new();
    ASN1_OBJECT_free(info->policyid);
    info->policyid = OBJ_txt2obj(spec.policy.c_str(), 1);
    if (!info->policyid) fail("policy OID " + spec.policy);
    sk_POLICYINFO_push(policies, info);
    check(X509_add1_ext_i2d(c.cert.get(), NID_certificate_policies, policies, 0, X509V3_ADD_DEFAULT),
          "certificate policies");
    CERTIFICATEPOLICIES_free(policies);
  }
  if (!spec.scopes.empty()) {
    std::string san;
    for (const auto& s : spec.scopes)
      san += (san.empty() ? "URI:" : ",URI:") + std::string(fleet::kScopeUriPrefix) + s;
    add_ext(c.cert.get(), issuer.cert.get(), NID_subject_alt_name, san);
  }
  add_ext(c.cert.get(), issuer.cert.get(), NID_subject_key_identifier, "hash");
  add_ext(c.cert.get(), issuer.cert.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(c.cert.get(), issuer.key.get(), EVP_sha256()) <= 0) fail("sign certificate");
  return c;
}

CrlPtr make_crl(const Credential& issuer, std::int64_t number,
                std::initializer_list<const Credential*> revoked, sys_seconds this_update,
                sys_seconds next_update) {
  CrlPtr crl(X509_CRL_new());
  check(X509_CRL_set_version(crl.get(), 1), "CRL version");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get())), "CRL issuer");
  AsnTimePtr last(ASN1_TIME_set(nullptr, to_time_t(this_update)));
  AsnTimePtr next(ASN1_TIME_set(nullptr, to_time_t(next_update)));
  check(X509_CRL_set1_lastUpdate(crl.get(), last.get()), "lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "nextUpdate");
  for (const Credential* r : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    check(X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(r->cert.get())), "revoked serial");
    check(X509_REVOKED_set_revocationDate(entry, last.get()), "revocation date");
    check(X509_CRL_add0_revoked(crl.get(), entry), "add revoked");
  }
  AsnIntPtr n(ASN1_INTEGER_new());
  check(ASN1_INTEGER_set_int64(n.get(), number), "CRL number");
  check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, n.get(), 0, 0), "CRL number extension");
  check(X509_CRL_sort(crl.get()), "sort CRL");
  if (X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) <= 0) fail("sign CRL");
  return crl;
}

void write_file(const std::filesystem::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

void write_file(const std::filesystem::path& p, const Bytes& der) {
  write_file(p, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
}

std::string crl_pem(X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509_CRL(bio.get(), crl), "CRL PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

FleetPki::FleetPki(sys_seconds at, int years, int crl_days) : now(at) {
  const sys_seconds from = now - 24h * 30;
  const sys_seconds until = now + 24h * 366 * years;
  root_a = make_root("Config Root A", from, until + 24h * 366);
  root_b = make_root("Config Root B", from, until + 24h * 366);
  root_c = make_root("Config Root C", from, until + 24h * 366);
  auto signer = [&](const std::string& cn, std::vector<std::string> scopes, bool role = true) {
    return issue_signer(root_a, {cn, std::move(scopes), role, from, until});
  };
  fleet_admin_1 = signer("Fleet Admin 1", {"fleet"});
  fleet_admin_2 = signer("Fleet Admin 2", {"fleet"});
  fleet_admin_1_again = issue_signer(
      root_a, {"Fleet Admin 1 (second certificate)", {"fleet"}, true, from, until, fleet_admin_1.key.get()});
  region_admin = signer("Region NMG Admin", {"region:NMG"});
  hall_admin = signer("Hall H001 Admin", {"hall:H001"});
  other_hall_admin = signer("Hall H002 Admin", {"hall:H002"});
  no_role = signer("No Role", {"fleet", "hall:H001"}, false);
  foreign_root = make_root("Config Root A", from, until);  // the same name as ours, another key
  foreign = issue_signer(foreign_root, {"Foreign Admin", {"fleet", "hall:H001"}, true, from, until});
  expired = issue_signer(root_a, {"Expired Admin", {"hall:H001"}, true, now - 24h * 60, now - 24h});
  revoked = signer("Revoked Admin", {"hall:H001"});
  crl_a = make_crl(root_a, 5, {&revoked}, now - 1h, now + 24h * crl_days);
}

fleet::RootSet FleetPki::root_set() const {
  return {1, 2, {root_a.der(), root_b.der(), root_c.der()}};
}

Bytes FleetPki::sign(std::string_view content, std::initializer_list<const Credential*> signers,
                     X509_CRL* crl, bool with_crl) const {
  std::vector<fleet::SignerKey> keys;
  for (const Credential* c : signers) keys.push_back(c->signer());
  std::vector<X509_CRL*> crls;
  if (with_crl) crls.push_back(crl ? crl : crl_a.get());
  auto der = fleet::sign_bundle(content, keys, crls);
  if (!der) throw std::runtime_error("sign_bundle: " + der.error().message);
  return *der;
}

}  // namespace fleetpki
