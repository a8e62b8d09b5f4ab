// OpenSSL helpers of the reference platform: keys, certificates, PEM files, signatures, the renewal proof.
// Start-up helpers (PKI generation, reading PEM files) throw std::runtime_error; request-time helpers
// return empty pointers / false.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "contract/types.hpp"
#include "foundation/c_handle.hpp"

namespace reference {

using contract::Bytes;
using EvpPkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = foundation::CPtr<X509, X509_free>;
using X509ReqPtr = foundation::CPtr<X509_REQ, X509_REQ_free>;
using X509NamePtr = foundation::CPtr<X509_NAME, X509_NAME_free>;

inline constexpr std::string_view kRenewalProofTag = "CN-CA-KIOSK/renewal-proof/v1";

// A renewed certificate's notBefore is this far before the platform's now, as public CAs do: a kiosk whose
// clock is a little behind does not hold a certificate that is "not yet valid" (docs/platform.md).
inline constexpr std::int64_t kNotBeforeBackdateS = 300;

// The renewal proof's signed bytes (the contract, shared with token/'s builder):
//   SEQUENCE { UTF8String "CN-CA-KIOSK/renewal-proof/v1", UTF8String order_id,
//              OCTET STRING sha256(p10_der), OCTET STRING nonce }
// in DER. The old certificate's key signs these bytes (RSA PKCS#1 v1.5 / ECDSA, SHA-256).
Bytes renewal_proof_der(std::string_view order_id, const Bytes& p10_der, const Bytes& nonce);

// EVP_DigestVerify(SHA-256) of `signature` over `data` with `key` (RSA PKCS#1 v1.5 or ECDSA DER).
bool verify_sha256(EVP_PKEY* key, const Bytes& data, const Bytes& signature);
// EVP_DigestSign(SHA-256); empty on failure.
Bytes sign_sha256(EVP_PKEY* key, const Bytes& data);

Bytes random_bytes(std::size_t n);  // RAND_bytes; aborts if the CSPRNG fails (nothing safe to do then)

EvpPkeyPtr generate_ec_p256();
EvpPkeyPtr generate_rsa(int bits);

Bytes der_of(X509* cert);
Bytes der_of_pubkey(EVP_PKEY* key);  // SubjectPublicKeyInfo
Bytes der_of_name(const X509_NAME* name);
X509Ptr cert_from_der(const Bytes& der);
std::string subject_cn(X509* cert);  // UTF-8, empty when none

// "rsa-2048", "ec-p256", or another description ("rsa-1024", "ec-secp384r1", ...).
std::string key_type_of(EVP_PKEY* key);

struct CertSpec {
  const X509_NAME* subject = nullptr;
  EVP_PKEY* public_key = nullptr;
  X509* issuer = nullptr;          // nullptr: self-signed (issuer = subject)
  EVP_PKEY* issuer_key = nullptr;  // signs
  Bytes serial;                    // big-endian, positive
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  bool ca = false;
  std::vector<std::string> ip_sans;
  std::vector<std::string> dns_sans;
  bool client_auth = false;
  bool server_auth = false;
  std::vector<std::string> eku_oids;  // more extended key usages, dotted (a staff role)
  std::vector<std::string> uri_sans;  // subjectAltName URIs (kiosk-scope:hall:H1)
};
// Builds and signs an X.509 v3 certificate (SHA-256). nullptr on failure.
X509Ptr make_certificate(const CertSpec& spec);

X509NamePtr make_name(const std::vector<std::pair<std::string, std::string>>& fields);  // {"CN", "..."} UTF-8

void write_pem_cert(const std::filesystem::path& p, X509* cert);
void write_pem_key(const std::filesystem::path& p, EVP_PKEY* key);  // mode 0600
void write_pem_pubkey(const std::filesystem::path& p, EVP_PKEY* key);
X509Ptr read_pem_cert(const std::filesystem::path& p);
EvpPkeyPtr read_pem_key(const std::filesystem::path& p);
EvpPkeyPtr read_pem_pubkey(const std::filesystem::path& p);
// A public key from PEM text ("-----BEGIN PUBLIC KEY-----") or DER SubjectPublicKeyInfo bytes.
EvpPkeyPtr parse_public_key(const Bytes& pem_or_der);

// UNIX time → plus `years` calendar years (29 Feb → 1 Mar).
std::int64_t add_years(std::int64_t t, int years);
std::int64_t asn1_time_to_unix(const ASN1_TIME* t);

}  // namespace reference
