#include "test_ca.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <stdexcept>

#include "softhsm_env.hpp"

namespace testsupport {
namespace {

using X509NamePtr = foundation::CPtr<X509_NAME, X509_NAME_free>;
using X509ReqPtr = foundation::CPtr<X509_REQ, X509_REQ_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;

[[noreturn]] void die(const std::string& what) {
  char buf[256] = "";
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error(what + ": " + buf);
}

// UTF-8 → UTF-16BE for BMPString (BMP only: every CJK character in practice).
Bytes utf16be(std::string_view s) {
  Bytes out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    unsigned cp = 0;
    std::size_t len = 1;
    if (c < 0x80) cp = c;
    else if ((c >> 5) == 6) { cp = c & 0x1fu; len = 2; }
    else if ((c >> 4) == 14) { cp = c & 0x0fu; len = 3; }
    else throw std::runtime_error("only BMP characters in BMPString");
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
    out.push_back(static_cast<std::uint8_t>(cp >> 8));
    out.push_back(static_cast<std::uint8_t>(cp & 0xff));
    i += len;
  }
  return out;
}

void add_entry(X509_NAME* name, int nid, const std::string& value, bool bmp) {
  if (value.empty()) return;
  int ok = 0;
  if (bmp) {
    Bytes u = utf16be(value);
    ok = X509_NAME_add_entry_by_NID(name, nid, V_ASN1_BMPSTRING, u.data(), static_cast<int>(u.size()), -1, 0);
  } else {
    ok = X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()), -1, 0);
  }
  if (ok != 1) die("X509_NAME_add_entry");
}

void set_time(ASN1_TIME* t, std::chrono::sys_seconds s) {
  if (ASN1_TIME_set(t, static_cast<time_t>(s.time_since_epoch().count())) == nullptr) die("ASN1_TIME_set");
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) die("X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

Validity Validity::from_now(std::chrono::seconds start_offset, int days) {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return {now + start_offset, now + start_offset + std::chrono::hours(24 * days)};
}

Bytes make_subject(const SubjectSpec& s) {
  X509NamePtr name(X509_NAME_new());
  add_entry(name.get(), NID_countryName, s.country, false);
  add_entry(name.get(), NID_organizationName, s.organization, s.bmp);
  add_entry(name.get(), NID_organizationalUnitName, s.organizational_unit, s.bmp);
  add_entry(name.get(), NID_commonName, s.common_name, s.bmp);
  int n = i2d_X509_NAME(name.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509_NAME(name.get(), &p);
  return out;
}

TestCa::TestCa(std::string common_name) {
  key_.reset(EVP_EC_gen("P-256"));
  if (!key_) die("EVP_EC_gen");
  cert_.reset(X509_new());
  X509_set_version(cert_.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert_.get()), 1);
  X509NamePtr name(X509_NAME_new());
  add_entry(name.get(), NID_countryName, "CN", false);
  add_entry(name.get(), NID_organizationName, "内蒙古数字证书认证测试", false);
  add_entry(name.get(), NID_commonName, common_name, false);
  X509_set_subject_name(cert_.get(), name.get());
  X509_set_issuer_name(cert_.get(), name.get());
  auto v = Validity::from_now(std::chrono::hours(-24), 3650);
  set_time(X509_getm_notBefore(cert_.get()), v.not_before);
  set_time(X509_getm_notAfter(cert_.get()), v.not_after);
  X509_set_pubkey(cert_.get(), key_.get());
  add_ext(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert_.get(), key_.get(), EVP_sha256()) <= 0) die("X509_sign CA");
}

Bytes TestCa::issue_for(EVP_PKEY* pub, X509_NAME* subject, const Validity& v) {
  X509Ptr c(X509_new());
  X509_set_version(c.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), ++serial_);
  // X509_set_subject_name duplicates the name; an unmodified X509_NAME keeps its DER, so the bytes are
  // the ones the caller gave (the test for "subject DER identical" relies on OpenSSL doing exactly this).
  X509_set_subject_name(c.get(), subject);
  X509_set_issuer_name(c.get(), X509_get_subject_name(cert_.get()));
  set_time(X509_getm_notBefore(c.get()), v.not_before);
  set_time(X509_getm_notAfter(c.get()), v.not_after);
  X509_set_pubkey(c.get(), pub);
  add_ext(c.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(c.get(), cert_.get(), NID_key_usage, "critical,digitalSignature,nonRepudiation");
  add_ext(c.get(), cert_.get(), NID_authority_key_identifier, "keyid");
  if (X509_sign(c.get(), key_.get(), EVP_sha256()) <= 0) die("X509_sign");
  int n = i2d_X509(c.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(c.get(), &p);
  return out;
}

Bytes TestCa::issue_from_p10(std::span<const std::uint8_t> p10_der, const Validity& v) {
  const unsigned char* p = p10_der.data();
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(p10_der.size())));
  if (!req) die("d2i_X509_REQ");
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
  if (pub == nullptr || X509_REQ_verify(req.get(), pub) != 1) die("P10 signature");
  return issue_for(pub, X509_REQ_get_subject_name(req.get()), v);
}

Bytes TestCa::issue(std::span<const std::uint8_t> spki_der, std::span<const std::uint8_t> subject_der, const Validity& v) {
  const unsigned char* p = spki_der.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!pub) die("d2i_PUBKEY");
  p = subject_der.data();
  X509NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(subject_der.size())));
  if (!name) die("d2i_X509_NAME");
  return issue_for(pub.get(), name.get(), v);
}

Bytes TestCa::cert_der() const {
  int n = i2d_X509(cert_.get(), nullptr);
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert_.get(), &p);
  return out;
}

void TestCa::write_pem(const std::filesystem::path& path) const {
  Bytes der = cert_der();
  write_file(path, cert_pem(der));
}

Bytes der_of_file(const std::filesystem::path& p) {
  std::string s = read_file(p);
  return Bytes(s.begin(), s.end());
}

void write_der(const std::filesystem::path& p, std::span<const std::uint8_t> der) {
  write_file(p, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
}

std::string cert_pem(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) die("d2i_X509");
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace testsupport
