// dev: a staff KEY's certificate (docs/staff.md, "The staff PKI"), for the demo and the walk-through tests.
// The first call makes a throwaway staff CA in DIR/pki (staff-ca.pem, staff-ca.key); every call writes its
// CRL again to DIR/pki/staff-crl.der (what GET kiosk/staff-crl serves), dated by the platform's clock so a
// seeded demo's frozen time accepts it. Never a production path: a CA's staff PKI is its own, offline.
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {

namespace {

using StaffCa = State::DevStaffCa;

// Caller holds ca.m.
StaffCa& staff_ca(State& s) {
  StaffCa& ca = s.dev_staff_ca;
  if (ca.cert) return ca;
  const auto pem = s.pki.dir / "staff-ca.pem";
  const auto key = s.pki.dir / "staff-ca.key";
  if (std::filesystem::exists(pem) && std::filesystem::exists(key)) {
    ca.cert = read_pem_cert(pem);
    ca.key = read_pem_key(key);
    return ca;
  }
  ca.key = generate_ec_p256();
  X509NamePtr name = make_name({{"O", "Example CA (dev)"}, {"CN", "Hall Staff CA (dev)"}});
  CertSpec spec;
  spec.subject = name.get();
  spec.public_key = ca.key.get();
  spec.issuer_key = ca.key.get();
  spec.serial = {0x01, 0x5a};
  spec.not_before = s.now() - 86400;
  spec.not_after = add_years(s.now(), 10);
  spec.ca = true;
  ca.cert = make_certificate(spec);
  if (!ca.cert) throw std::runtime_error("dev staff CA");
  write_pem_cert(pem, ca.cert.get());
  write_pem_key(key, ca.key.get());
  return ca;
}

// The CA's CRL from an hour before the platform's now to a week after, with the next number.
void write_crl(State& s, StaffCa& ca) {
  X509_CRL* crl = X509_CRL_new();
  auto set_time = [](std::int64_t t) { return ASN1_TIME_set(nullptr, static_cast<time_t>(t)); };
  ASN1_TIME* last = set_time(s.now() - 3600);
  ASN1_TIME* next = set_time(s.now() + 7 * 86400);
  ASN1_INTEGER* number = ASN1_INTEGER_new();
  ASN1_INTEGER_set(number, ++ca.number + 1);
  bool ok = X509_CRL_set_version(crl, 1) == 1 &&
            X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert.get())) == 1 &&
            X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1 &&
            X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) == 1;
  for (const auto& serial : ca.revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    BIGNUM* bn = nullptr;
    BN_hex2bn(&bn, serial.c_str());
    ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, nullptr);
    ok = ok && X509_REVOKED_set_serialNumber(r, sn) == 1 && X509_REVOKED_set_revocationDate(r, last) == 1 &&
         X509_CRL_add0_revoked(crl, r) == 1;
    ASN1_INTEGER_free(sn);
    BN_free(bn);
  }
  ok = ok && X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, ca.key.get(), EVP_sha256()) > 0;
  unsigned char* der = nullptr;
  const int n = ok ? i2d_X509_CRL(crl, &der) : -1;
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  ASN1_INTEGER_free(number);
  X509_CRL_free(crl);
  if (n <= 0) {
    ERR_clear_error();
    throw std::runtime_error("dev staff CRL");
  }
  std::ofstream(s.pki.dir / "staff-crl.der", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(der), n);
  OPENSSL_free(der);
}

}  // namespace

// POST dev/staff-keys {public_key, common_name, scopes, role_oid, not_before, not_after}
Reply h_dev_staff_key(State& s, Ctx& c) {
  const Json& b = c.body;
  auto str = [&](const char* k) {
    return b.contains(k) && b[k].is_string() ? b[k].get<std::string>() : std::string();
  };
  Bytes pk_bytes;
  const std::string pk = str("public_key");
  if (auto d = foundation::base64_decode(pk)) pk_bytes = *d;
  EvpPkeyPtr key = parse_public_key(pk_bytes);
  if (!key) return error_reply(code::kBadRequest, "public_key: base64 DER SubjectPublicKeyInfo");
  if (str("common_name").empty() || str("role_oid").empty() || !b.contains("scopes") || !b["scopes"].is_array() ||
      !b.contains("not_before") || !b["not_before"].is_number_integer() || !b.contains("not_after") ||
      !b["not_after"].is_number_integer())
    return error_reply(code::kBadRequest, "common_name, role_oid, scopes, not_before, not_after");
  std::lock_guard lock(s.dev_staff_ca.m);
  StaffCa& ca = staff_ca(s);
  X509NamePtr name = make_name({{"O", "Example CA (dev)"}, {"OU", "Hall Staff"}, {"CN", str("common_name")}});
  Bytes serial = s.id_bytes("serial", 16);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);
  CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key.get();
  spec.issuer = ca.cert.get();
  spec.issuer_key = ca.key.get();
  spec.serial = serial;
  spec.not_before = b["not_before"].get<std::int64_t>();
  spec.not_after = b["not_after"].get<std::int64_t>();
  spec.eku_oids = {str("role_oid")};
  for (const auto& sc : b["scopes"])
    if (sc.is_string()) spec.uri_sans.push_back("kiosk-scope:" + sc.get<std::string>());
  X509Ptr cert = make_certificate(spec);
  if (!cert) return error_reply(code::kBadRequest, "cannot issue with these fields");
  write_crl(s, ca);
  const Bytes der = der_of(cert.get());
  return {200, Json{{"certificate", foundation::base64_encode(der)},
                    {"serial", foundation::hex_encode(serial)},
                    {"sha256", foundation::sha256_hex(der)},
                    {"chain", Json::array({foundation::base64_encode(der_of(ca.cert.get()))})}}};
}

// POST dev/staff-keys/{serial}/revoke: on the next CRL (written now).
Reply h_dev_staff_revoke(State& s, Ctx& c) {
  std::lock_guard lock(s.dev_staff_ca.m);
  StaffCa& ca = staff_ca(s);
  ca.revoked.insert(c.param());
  write_crl(s, ca);
  return {200, Json::object()};
}

}  // namespace reference
