#include "reference/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

#include "foundation/sha256.hpp"

namespace reference {
namespace {

using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
using MdCtxPtr = foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyCtxPtr = foundation::CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using BnPtr = foundation::CPtr<BIGNUM, BN_free>;

void der_append_length(Bytes& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  Bytes len;
  while (n > 0) {
    len.insert(len.begin(), static_cast<std::uint8_t>(n & 0xff));
    n >>= 8;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | len.size()));
  out.insert(out.end(), len.begin(), len.end());
}

void der_append(Bytes& out, std::uint8_t tag, const std::uint8_t* data, std::size_t size) {
  out.push_back(tag);
  der_append_length(out, size);
  out.insert(out.end(), data, data + size);
}

std::string openssl_error(std::string_view what) {
  unsigned long e = ERR_get_error();
  char buf[256] = {};
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::string(what) + (e != 0 ? std::string(": ") + buf : std::string());
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
  foundation::CPtr<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

Bytes renewal_proof_der(std::string_view order_id, const Bytes& p10_der, const Bytes& nonce) {
  Bytes content;
  der_append(content, 0x0c, reinterpret_cast<const std::uint8_t*>(kRenewalProofTag.data()),
             kRenewalProofTag.size());
  der_append(content, 0x0c, reinterpret_cast<const std::uint8_t*>(order_id.data()), order_id.size());
  const foundation::Sha256 p10_digest = foundation::sha256(p10_der);
  der_append(content, 0x04, p10_digest.data(), p10_digest.size());
  der_append(content, 0x04, nonce.data(), nonce.size());
  Bytes out;
  der_append(out, 0x30, content.data(), content.size());
  return out;
}

bool verify_sha256(EVP_PKEY* key, const Bytes& data, const Bytes& signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

Bytes sign_sha256(EVP_PKEY* key, const Bytes& data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  sig.resize(len);
  return sig;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    std::fputs("reference: RAND_bytes failed\n", stderr);
    std::abort();
  }
  return out;
}

EvpPkeyPtr generate_ec_p256() {
  return EvpPkeyPtr(EVP_EC_gen("P-256"));
}
EvpPkeyPtr generate_rsa(int bits) {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}

Bytes der_of(X509* cert) {
  unsigned char* p = nullptr;
  int n = i2d_X509(cert, &p);
  if (n <= 0) return {};
  Bytes out(p, p + n);
  OPENSSL_free(p);
  return out;
}
Bytes der_of_pubkey(EVP_PKEY* key) {
  unsigned char* p = nullptr;
  int n = i2d_PUBKEY(key, &p);
  if (n <= 0) return {};
  Bytes out(p, p + n);
  OPENSSL_free(p);
  return out;
}
Bytes der_of_name(const X509_NAME* name) {
  const unsigned char* p = nullptr;
  std::size_t n = 0;
  if (X509_NAME_get0_der(name, &p, &n) != 1) return {};
  return Bytes(p, p + n);
}
X509Ptr cert_from_der(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  // Trailing bytes after the certificate are not a certificate.
  if (c && p != der.data() + der.size()) c.reset();
  ERR_clear_error();
  return c;
}

std::string subject_cn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string key_type_of(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) return "rsa-" + std::to_string(EVP_PKEY_get_bits(key));
  if (id == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
      return "ec";
    std::string g(group, len);
    if (g == "prime256v1" || g == "P-256") return "ec-p256";
    return "ec-" + g;
  }
  return "other";
}

X509NamePtr make_name(const std::vector<std::pair<std::string, std::string>>& fields) {
  X509NamePtr name(X509_NAME_new());
  for (const auto& [k, v] : fields) {
    if (X509_NAME_add_entry_by_txt(name.get(), k.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(v.c_str()),
                                   static_cast<int>(v.size()), -1, 0) != 1) {
      ERR_clear_error();
      return {};
    }
  }
  return name;
}

X509Ptr make_certificate(const CertSpec& s) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return {};
  BnPtr bn(BN_bin2bn(s.serial.data(), static_cast<int>(s.serial.size()), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) return {};
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(s.not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(s.not_after)))
    return {};
  if (X509_set_subject_name(cert.get(), s.subject) != 1) return {};
  if (X509_set_issuer_name(cert.get(), s.issuer ? X509_get_subject_name(s.issuer) : s.subject) != 1)
    return {};
  if (X509_set_pubkey(cert.get(), s.public_key) != 1) return {};
  X509* issuer = s.issuer;
  bool ok =
      add_ext(cert.get(), issuer, NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
      add_ext(cert.get(), issuer, NID_subject_key_identifier, "hash") &&
      add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
  if (s.ca) {
    ok = ok && add_ext(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    bool rsa = EVP_PKEY_get_base_id(s.public_key) == EVP_PKEY_RSA;
    ok = ok && add_ext(cert.get(), issuer, NID_key_usage,
                       rsa ? "critical,digitalSignature,nonRepudiation,keyEncipherment"
                           : "critical,digitalSignature,nonRepudiation");
  }
  std::string eku;
  if (s.server_auth) eku = "serverAuth";
  if (s.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  for (const auto& oid : s.eku_oids) eku += (eku.empty() ? "" : ",") + oid;
  if (!eku.empty()) ok = ok && add_ext(cert.get(), issuer, NID_ext_key_usage, eku.c_str());
  std::string san;
  for (const auto& ip : s.ip_sans) san += (san.empty() ? "IP:" : ",IP:") + ip;
  for (const auto& dns : s.dns_sans) san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& uri : s.uri_sans) san += (san.empty() ? "URI:" : ",URI:") + uri;
  if (!san.empty()) ok = ok && add_ext(cert.get(), issuer, NID_subject_alt_name, san.c_str());
  if (!ok || X509_sign(cert.get(), s.issuer_key, EVP_sha256()) <= 0) {
    ERR_clear_error();
    return {};
  }
  return cert;
}

void write_pem_cert(const std::filesystem::path& p, X509* cert) {
  BioPtr bio(BIO_new_file(p.c_str(), "w"));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    throw std::runtime_error(openssl_error("write " + p.string()));
}
void write_pem_key(const std::filesystem::path& p, EVP_PKEY* key) {
  BioPtr bio(BIO_new_file(p.c_str(), "w"));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error(openssl_error("write " + p.string()));
  bio.reset();
  ::chmod(p.c_str(), 0600);
}
void write_pem_pubkey(const std::filesystem::path& p, EVP_PKEY* key) {
  BioPtr bio(BIO_new_file(p.c_str(), "w"));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    throw std::runtime_error(openssl_error("write " + p.string()));
}
X509Ptr read_pem_cert(const std::filesystem::path& p) {
  BioPtr bio(BIO_new_file(p.c_str(), "r"));
  X509Ptr c(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!c) throw std::runtime_error(openssl_error("read certificate " + p.string()));
  return c;
}
EvpPkeyPtr read_pem_key(const std::filesystem::path& p) {
  BioPtr bio(BIO_new_file(p.c_str(), "r"));
  EvpPkeyPtr k(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!k) throw std::runtime_error(openssl_error("read key " + p.string()));
  return k;
}
EvpPkeyPtr read_pem_pubkey(const std::filesystem::path& p) {
  BioPtr bio(BIO_new_file(p.c_str(), "r"));
  EvpPkeyPtr k(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!k) throw std::runtime_error(openssl_error("read public key " + p.string()));
  return k;
}

EvpPkeyPtr parse_public_key(const Bytes& data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  EvpPkeyPtr k;
  if (text.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    k.reset(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  } else {
    const unsigned char* p = data.data();
    k.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size())));
  }
  ERR_clear_error();
  return k;
}

std::int64_t add_years(std::int64_t t, int years) {
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  tm.tm_year += years;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t asn1_time_to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace reference
