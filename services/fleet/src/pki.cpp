#include "pki.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "fleet/trust.hpp"
#include "foundation/sha256.hpp"

namespace fleet::detail {

void clear_openssl_errors() noexcept {
  ERR_clear_error();
}

X509Ptr x509_from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    clear_openssl_errors();
    return nullptr;
  }
  return cert;
}

Bytes der_of(X509* cert) {
  unsigned char* out = nullptr;
  int n = i2d_X509(cert, &out);
  if (n <= 0) return {};
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

Bytes der_of(X509_CRL* crl) {
  unsigned char* out = nullptr;
  int n = i2d_X509_CRL(crl, &out);
  if (n <= 0) return {};
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

std::string fingerprint(X509* cert) {
  return foundation::sha256_hex(der_of(cert));
}

std::string subject_of(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string("(no subject)");
}

std::string describe_cert(X509* cert) {
  std::string s = subject_of(cert);
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert)) {
    std::int64_t v = 0;
    if (ASN1_INTEGER_get_int64(&v, serial) == 1) s += ", serial " + std::to_string(v);
  }
  clear_openssl_errors();
  return s;
}

std::expected<SignedData, Refused> read_signed_data(std::span<const std::uint8_t> der,
                                                    std::size_t max_bytes) {
  if (der.size() > max_bytes)
    return std::unexpected(Refused{
        Refusal::TooLarge, "", std::to_string(der.size()) + " bytes, at most " + std::to_string(max_bytes)});
  auto bad = [](std::string detail) {
    return std::unexpected(Refused{Refusal::MalformedCms, "", std::move(detail)});
  };
  if (der.empty()) return bad("empty");
  const unsigned char* p = der.data();
  SignedData sd;
  sd.cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!sd.cms) {
    clear_openssl_errors();
    return bad("not DER CMS");
  }
  if (p != der.data() + der.size()) return bad("bytes after the CMS structure");
  if (OBJ_obj2nid(CMS_get0_type(sd.cms.get())) != NID_pkcs7_signed) return bad("not SignedData");
  if (OBJ_obj2nid(CMS_get0_eContentType(sd.cms.get())) != NID_pkcs7_data)
    return bad("content type is not id-data");
  ASN1_OCTET_STRING** content = CMS_get0_content(sd.cms.get());
  if (!content || !*content) return bad("detached content (the bundle must carry it)");
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(sd.cms.get());
  sd.signer_infos = infos ? sk_CMS_SignerInfo_num(infos) : 0;
  if (sd.signer_infos > kMaxSignerInfos)
    return bad(std::to_string(sd.signer_infos) + " SignerInfos, at most " + std::to_string(kMaxSignerInfos));
  sd.certs.reset(CMS_get1_certs(sd.cms.get()));
  sd.crls.reset(CMS_get1_crls(sd.cms.get()));
  clear_openssl_errors();
  return sd;
}

std::string raw_content(const SignedData& sd) {
  ASN1_OCTET_STRING** content = CMS_get0_content(sd.cms.get());
  if (!content || !*content) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                     static_cast<std::size_t>(ASN1_STRING_length(*content)));
}

std::expected<CheckedSignatures, Refused> check_signatures(SignedData& sd, STACK_OF(X509) * extra) {
  BioPtr out(BIO_new(BIO_s_mem()));
  // The certificates are judged by the caller against the pinned roots, the platform's time and the CRLs;
  // here only the signatures.
  int ok =
      CMS_verify(sd.cms.get(), extra, nullptr, nullptr, out.get(), CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY);
  if (ok != 1) {
    unsigned long err = ERR_peek_error();
    clear_openssl_errors();
    if (ERR_GET_LIB(err) == ERR_LIB_CMS && ERR_GET_REASON(err) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
      return std::unexpected(
          Refused{Refusal::SignerUntrusted, "", "a signer's certificate is neither in the bundle nor known"});
    return std::unexpected(
        Refused{Refusal::BadSignature, "", "a SignerInfo does not verify over the content"});
  }
  CheckedSignatures c;
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  if (n > 0) c.content.assign(data, static_cast<std::size_t>(n));
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(sd.cms.get());
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    X509* signer = nullptr;
    X509_ALGOR* digest = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, &signer, &digest, nullptr);
    const ASN1_OBJECT* digest_oid = nullptr;
    if (digest) X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest);
    int nid = digest_oid ? OBJ_obj2nid(digest_oid) : NID_undef;
    if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
      return std::unexpected(
          Refused{Refusal::BadSignature, "",
                  "SignerInfo " + std::to_string(i + 1) + " uses a digest other than SHA-256/384/512"});
    if (!signer)
      return std::unexpected(Refused{Refusal::SignerUntrusted, "", "a SignerInfo without a certificate"});
    X509_up_ref(signer);
    c.signers.emplace_back(signer);
  }
  clear_openssl_errors();
  return c;
}

bool has_signing_role(X509* cert) {
  AsnObjectPtr role(OBJ_txt2obj(std::string(kConfigSigningEku).c_str(), 1));
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  bool found = false;
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); ++i)
    found = found || OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), role.get()) == 0;
  if (eku) sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  // X509_get_key_usage: all bits when the extension is absent.
  bool may_sign = (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) != 0;
  clear_openssl_errors();
  return found && may_sign;
}

bool is_root_ca(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  bool self_issued = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
  bool ok = key && self_issued && X509_verify(cert, key) == 1 && X509_check_ca(cert) == 1 &&
            (X509_get_key_usage(cert) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN);
  clear_openssl_errors();
  return ok;
}

bool same_identity(X509* a, X509* b) {
  bool same = X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) == 0 ||
              EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)) == 1;
  clear_openssl_errors();
  return same;
}

std::time_t to_time_t(std::chrono::sys_seconds t) {
  return static_cast<std::time_t>(t.time_since_epoch().count());
}

}  // namespace fleet::detail
