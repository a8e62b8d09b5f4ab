// The staff credential's checks (staff/credential.hpp). OpenSSL's error queue is emptied here and turned
// into refusals; nothing above this file sees it.
#include "staff/credential.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

#include "foundation/c_handle.hpp"
#include "foundation/sha256.hpp"

namespace staff {

namespace {

using X509Ptr = foundation::CPtr<X509, X509_free>;
using CrlPtr = foundation::CPtr<X509_CRL, X509_CRL_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
using AsnObjectPtr = foundation::CPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using MdCtxPtr = foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;

struct ErrorsCleared {
  ErrorsCleared() = default;
  ErrorsCleared(const ErrorsCleared&) = delete;
  ErrorsCleared& operator=(const ErrorsCleared&) = delete;
  ~ErrorsCleared() { ERR_clear_error(); }
};

X509Ptr x509_from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return nullptr;
  return cert;
}

CrlPtr crl_from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size()) return nullptr;
  return crl;
}

std::string name_of(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string common_name_of(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string serial_hex(X509* cert) {
  foundation::CPtr<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::time_t to_time_t(sys_seconds t) {
  return static_cast<std::time_t>(t.time_since_epoch().count());
}

std::optional<sys_seconds> to_sys(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return sys_seconds{std::chrono::seconds{timegm(&tm)}};
}

std::string date_of(sys_seconds t) {
  std::time_t tt = to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool is_ca(X509* cert) {
  bool ok = X509_check_ca(cert) == 1 &&
            (X509_get_key_usage(cert) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN);
  return ok;
}

// The pinned CA that issued `cert` (name and signature), or null.
X509Ptr issuer_among(const Trust& trust, X509* cert) {
  for (const Bytes& der : trust.ca_der) {
    X509Ptr ca = x509_from_der(der);
    if (!ca) continue;
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca.get())) != 0) continue;
    if (X509_verify(cert, X509_get0_pubkey(ca.get())) == 1) return ca;
  }
  return nullptr;
}

bool has_role(X509* cert, const std::string& oid) {
  AsnObjectPtr role(OBJ_txt2obj(oid.c_str(), 1));
  if (!role) return false;
  bool found = false;
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); ++i)
    found = found || OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), role.get()) == 0;
  if (eku) sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  auto* policies =
      static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(cert, NID_certificate_policies, nullptr, nullptr));
  for (int i = 0; policies && i < sk_POLICYINFO_num(policies); ++i)
    found = found || OBJ_cmp(sk_POLICYINFO_value(policies, i)->policyid, role.get()) == 0;
  if (policies) sk_POLICYINFO_pop_free(policies, POLICYINFO_free);
  return found;
}

std::unexpected<Refused> refuse(Refusal r, std::string detail) {
  return std::unexpected(Refused{r, std::move(detail)});
}

}  // namespace

std::string_view to_string(Refusal r) noexcept {
  switch (r) {
    case Refusal::NoCertificate:
      return "no_certificate";
    case Refusal::NotStaffCa:
      return "not_staff_ca";
    case Refusal::NotYetValid:
      return "not_yet_valid";
    case Refusal::Expired:
      return "expired";
    case Refusal::NoRole:
      return "no_role";
    case Refusal::OtherHall:
      return "other_hall";
    case Refusal::CrlMissing:
      return "crl_missing";
    case Refusal::CrlExpired:
      return "crl_expired";
    case Refusal::Revoked:
      return "revoked";
    case Refusal::ChallengeFailed:
      return "challenge_failed";
  }
  return "not_staff_ca";
}

std::string_view message_key(Refusal r) noexcept {
  switch (r) {
    case Refusal::NoCertificate:
      return "staff.refused.no_certificate";
    case Refusal::NotStaffCa:
      return "staff.refused.not_staff_ca";
    case Refusal::NotYetValid:
      return "staff.refused.not_yet_valid";
    case Refusal::Expired:
      return "staff.refused.expired";
    case Refusal::NoRole:
      return "staff.refused.no_role";
    case Refusal::OtherHall:
      return "staff.refused.other_hall";
    case Refusal::CrlMissing:
      return "staff.refused.crl_missing";
    case Refusal::CrlExpired:
      return "staff.refused.crl_expired";
    case Refusal::Revoked:
      return "staff.refused.revoked";
    case Refusal::ChallengeFailed:
      return "staff.refused.challenge_failed";
  }
  return "staff.refused.not_staff_ca";
}

std::expected<Trust, std::string> Trust::load(const std::filesystem::path& ca_file, std::string role_oid,
                                              fleet::KioskPlace place, std::chrono::seconds crl_grace) {
  ErrorsCleared cleared;
  {
    AsnObjectPtr oid(OBJ_txt2obj(role_oid.c_str(), 1));
    if (role_oid.empty() || !oid) return std::unexpected("role_oid: not a dotted OID: \"" + role_oid + "\"");
  }
  std::ifstream in(ca_file, std::ios::binary);
  if (!in) return std::unexpected(ca_file.string() + ": cannot be read");
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Trust t;
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509Ptr cert(raw);
    if (!is_ca(cert.get()))
      return std::unexpected(ca_file.string() + ": " + name_of(X509_get_subject_name(cert.get())) +
                             " is not a CA with keyCertSign and cRLSign");
    unsigned char* out = nullptr;
    int n = i2d_X509(cert.get(), &out);
    if (n <= 0) return std::unexpected(ca_file.string() + ": a certificate does not encode");
    t.ca_der.emplace_back(out, out + n);
    OPENSSL_free(out);
  }
  if (t.ca_der.empty()) return std::unexpected(ca_file.string() + ": no PEM certificate in it");
  t.role_oid = std::move(role_oid);
  t.place = std::move(place);
  t.crl_grace = crl_grace;
  return t;
}

std::expected<CrlInfo, std::string> check_crl(const Trust& trust, std::span<const std::uint8_t> crl_der,
                                              sys_seconds now) {
  ErrorsCleared cleared;
  CrlPtr crl = crl_from_der(crl_der);
  if (!crl) return std::unexpected("not one DER CRL");
  X509Ptr issuer;
  for (const Bytes& der : trust.ca_der) {
    X509Ptr ca = x509_from_der(der);
    if (ca && X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.get())) == 0 &&
        X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())) == 1) {
      issuer = std::move(ca);
      break;
    }
  }
  if (!issuer) return std::unexpected("not signed by a pinned staff CA");
  if (X509_CRL_get_ext_by_NID(crl.get(), NID_delta_crl, -1) >= 0) return std::unexpected("a delta CRL");
  auto* number =
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
  std::int64_t n = -1;
  if (number) {
    if (ASN1_INTEGER_get_int64(&n, number) != 1) n = -1;
    ASN1_INTEGER_free(number);
  }
  if (n < 0) return std::unexpected("no CRL number");
  CrlInfo info;
  info.number = n;
  auto last = to_sys(X509_CRL_get0_lastUpdate(crl.get()));
  if (!last) return std::unexpected("no thisUpdate");
  info.this_update = *last;
  // A minute of slack: the platform's clock and the CA's are not the same clock.
  if (info.this_update > now + std::chrono::minutes(1))
    return std::unexpected("issued after the platform's time (" + date_of(info.this_update) + ")");
  info.next_update = to_sys(X509_CRL_get0_nextUpdate(crl.get()));
  info.issuer = name_of(X509_CRL_get_issuer(crl.get()));
  return info;
}

bool issued_by_staff_ca(const Trust& trust, std::span<const std::uint8_t> cert_der) {
  ErrorsCleared cleared;
  X509Ptr cert = x509_from_der(cert_der);
  return cert && issuer_among(trust, cert.get()) != nullptr;
}

std::expected<Identity, Refused> check_certificate(const Trust& trust, std::span<const std::uint8_t> cert_der,
                                                   std::span<const std::uint8_t> crl_der, sys_seconds now) {
  ErrorsCleared cleared;
  X509Ptr cert = x509_from_der(cert_der);
  if (!cert) return refuse(Refusal::NotStaffCa, "not one DER certificate");
  const std::string subject = name_of(X509_get_subject_name(cert.get()));
  X509Ptr ca = issuer_among(trust, cert.get());
  if (!ca)
    return refuse(Refusal::NotStaffCa, subject + ": issued by " + name_of(X509_get_issuer_name(cert.get())) +
                                           ", not a pinned staff CA");
  if (X509_check_ca(cert.get()) != 0) return refuse(Refusal::NotStaffCa, subject + ": a CA certificate");
  if ((X509_get_key_usage(cert.get()) & KU_DIGITAL_SIGNATURE) == 0)
    return refuse(Refusal::NoRole, subject + ": its key usage does not allow digitalSignature");

  Identity id;
  id.subject = subject;
  id.common_name = common_name_of(cert.get());
  id.serial_hex = serial_hex(cert.get());
  id.fingerprint = foundation::sha256_hex(cert_der);
  id.scopes = fleet::certificate_scopes(cert.get());
  auto nb = to_sys(X509_get0_notBefore(cert.get()));
  auto na = to_sys(X509_get0_notAfter(cert.get()));
  if (!nb || !na) return refuse(Refusal::NotStaffCa, subject + ": unreadable validity");
  id.not_after = *na;
  if (now < *nb) return refuse(Refusal::NotYetValid, subject + ": valid from " + date_of(*nb));
  if (now > *na) return refuse(Refusal::Expired, subject + ": expired " + date_of(*na));
  if (!has_role(cert.get(), trust.role_oid))
    return refuse(Refusal::NoRole, subject + ": no extended key usage or policy " + trust.role_oid);
  bool here = false;
  for (const auto& s : id.scopes) here = here || fleet::contains(s, trust.place);
  if (!here) {
    std::string halls;
    for (const auto& s : id.scopes) halls += (halls.empty() ? "" : ", ") + fleet::to_string(s);
    return refuse(Refusal::OtherHall, subject + ": for " + (halls.empty() ? std::string("no hall") : halls) +
                                          ", this kiosk is in hall:" + trust.place.hall);
  }

  if (crl_der.empty()) return refuse(Refusal::CrlMissing, "no staff CRL kept yet");
  auto info = check_crl(trust, crl_der, now);
  if (!info) return refuse(Refusal::CrlMissing, "the kept staff CRL: " + info.error());
  if (info->issuer != name_of(X509_get_subject_name(ca.get())))
    return refuse(Refusal::CrlMissing, "the kept staff CRL is of " + info->issuer + ", not of the issuer");
  if (!info->next_update || now > *info->next_update + trust.crl_grace)
    return refuse(Refusal::CrlExpired,
                  "CRL number " + std::to_string(info->number) + " is past its next update " +
                      (info->next_update ? date_of(*info->next_update) : std::string("(none)")) +
                      " and the grace");
  CrlPtr crl = crl_from_der(crl_der);
  X509_REVOKED* entry = nullptr;
  if (crl && X509_CRL_get0_by_cert(crl.get(), &entry, cert.get()) == 1)
    return refuse(Refusal::Revoked, subject + ": on CRL number " + std::to_string(info->number));
  return id;
}

std::expected<void, Refused> check_possession(std::span<const std::uint8_t> cert_der,
                                              std::span<const std::uint8_t> tbs,
                                              std::span<const std::uint8_t> signature) {
  ErrorsCleared cleared;
  X509Ptr cert = x509_from_der(cert_der);
  EVP_PKEY* key = cert ? X509_get0_pubkey(cert.get()) : nullptr;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), tbs.data(), tbs.size()) == 1;
  if (!ok)
    return refuse(
        Refusal::ChallengeFailed,
        "the KEY's signature does not verify with the certificate's public key (a copied certificate?)");
  return {};
}

}  // namespace staff
