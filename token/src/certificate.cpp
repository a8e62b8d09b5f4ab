#include "token/certificate.hpp"

#include <fmt/core.h>
#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "ossl.hpp"

namespace token {
namespace detail {

std::string openssl_errors() {
  std::string s;
  unsigned long e = 0;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!s.empty()) s += "; ";
    s += buf;
  }
  return s;
}

Bytes spki_of(const EVP_PKEY* key) { return to_der(key, i2d_PUBKEY); }

EvpPkeyPtr key_from_spki(std::span<const std::uint8_t> spki) {
  const unsigned char* p = spki.data();
  return EvpPkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
}

}  // namespace detail

namespace {

using namespace detail;

std::string entry_utf8(const X509_NAME* name, int nid) {
  std::string out;
  int pos = -1;
  while ((pos = X509_NAME_get_index_by_NID(name, nid, pos)) >= 0) {
    const ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, v);
    if (n >= 0) {
      if (!out.empty()) out += ", ";
      out.append(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  return out;
}

NameInfo name_info(const X509_NAME* name) {
  NameInfo n;
  n.common_name = entry_utf8(name, NID_commonName);
  n.organization = entry_utf8(name, NID_organizationName);
  n.organizational_unit = entry_utf8(name, NID_organizationalUnitName);
  n.country = entry_utf8(name, NID_countryName);
  n.state = entry_utf8(name, NID_stateOrProvinceName);
  n.locality = entry_utf8(name, NID_localityName);
  // RFC 2253 without escaping bytes above 0x7F: UTF-8 as is.
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio && X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    if (len > 0) n.one_line.assign(data, static_cast<std::size_t>(len));
  }
  // The encoding cached at parse time: the bytes exactly as in the certificate.
  const unsigned char* der = nullptr;
  std::size_t der_len = 0;
  if (X509_NAME_get0_der(name, &der, &der_len) == 1) n.der.assign(der, der + der_len);
  return n;
}

UnixSeconds to_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return UnixSeconds{};
  return UnixSeconds{std::chrono::seconds{timegm(&tm)}};
}

}  // namespace

Result<CertInfo> parse_certificate(std::span<const std::uint8_t> der) {
  if (der.size() > kMaxCertificateBytes)
    return std::unexpected(
        make_error(ErrorCode::CertificateInvalid, "a certificate of " + std::to_string(der.size()) +
                                                      " bytes is larger than " +
                                                      std::to_string(kMaxCertificateBytes / 1024) + " KiB"));
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size())
    return std::unexpected(make_error(ErrorCode::CertificateInvalid, "not a DER X.509 certificate: " + openssl_errors()));
  CertInfo c;
  c.der.assign(der.begin(), der.end());
  c.subject = name_info(X509_get_subject_name(x.get()));
  c.issuer = name_info(X509_get_issuer_name(x.get()));
  if (BnPtr bn{ASN1_INTEGER_to_BN(X509_get0_serialNumber(x.get()), nullptr)}) {
    char* hex = BN_bn2hex(bn.get());
    c.serial_hex = hex;
    OPENSSL_free(hex);
  }
  c.not_before = to_time(X509_get0_notBefore(x.get()));
  c.not_after = to_time(X509_get0_notAfter(x.get()));
  // X509_get_key_usage also computes the extension flags.
  std::uint32_t ku = X509_get_key_usage(x.get());
  if ((X509_get_extension_flags(x.get()) & EXFLAG_KUSAGE) != 0) {
    c.key_usage = ku;
    static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
        {kDigitalSignature, "digitalSignature"}, {kNonRepudiation, "nonRepudiation"},
        {kKeyEncipherment, "keyEncipherment"},   {kDataEncipherment, "dataEncipherment"},
        {kKeyAgreement, "keyAgreement"},         {kKeyCertSign, "keyCertSign"},
        {kCrlSign, "cRLSign"}};
    for (auto [bit, name] : kNames)
      if ((ku & bit) != 0) c.key_usage_names.emplace_back(name);
  }
  if (EVP_PKEY* key = X509_get0_pubkey(x.get())) {
    c.key_bits = EVP_PKEY_get_bits(key);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
      if (c.key_bits == 2048) c.algorithm = domain::KeyAlgorithm::Rsa2048;
      c.key_description = fmt::format("RSA-{}", c.key_bits);
    } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
      char group[80] = {};
      std::size_t glen = 0;
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen);
      std::string_view g(group);
      if (g == "prime256v1") c.algorithm = domain::KeyAlgorithm::EcP256;
      c.key_description = g == "prime256v1" ? std::string("EC P-256") : fmt::format("EC {}", g);
    } else {
      c.key_description = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
    }
  }
  if (const X509_PUBKEY* pub = X509_get_X509_PUBKEY(x.get())) c.spki_der = to_der(pub, i2d_X509_PUBKEY);
  auto fp = foundation::sha256(der);
  c.sha256_hex = foundation::hex_encode(fp);
  ERR_clear_error();
  return c;
}

}  // namespace token
