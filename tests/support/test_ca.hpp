// A throwaway certificate authority made in the test (OpenSSL, EC P-256), and the subject names of the
// customers it certifies (Chinese O/CN, as UTF8String or BMPString).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "foundation/c_handle.hpp"

namespace testsupport {

using Bytes = std::vector<std::uint8_t>;
using X509Ptr = foundation::CPtr<X509, X509_free>;
using EvpPkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;

struct Validity {
  std::chrono::sys_seconds not_before;
  std::chrono::sys_seconds not_after;
  // From `start_offset` (may be negative) relative to now, for `days`.
  static Validity from_now(std::chrono::seconds start_offset, int days);
};

struct SubjectSpec {
  std::string common_name;          // UTF-8
  std::string organization;         // UTF-8
  std::string organizational_unit;  // UTF-8, optional
  std::string country = "CN";
  bool bmp = false;                 // O, OU and CN as BMPString instead of UTF8String
};
// The Name's DER, built with OpenSSL (C as PrintableString).
Bytes make_subject(const SubjectSpec& s);

class TestCa {
public:
  explicit TestCa(std::string common_name = "Kiosk Test CA");
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  // Checks the P10's signature, then issues for its public key with its subject DER copied verbatim.
  // Throws on a bad request.
  Bytes issue_from_p10(std::span<const std::uint8_t> p10_der, const Validity& v);
  // Issues for a public key (SubjectPublicKeyInfo DER) with the given subject DER.
  Bytes issue(std::span<const std::uint8_t> spki_der, std::span<const std::uint8_t> subject_der, const Validity& v);

  [[nodiscard]] Bytes cert_der() const;
  [[nodiscard]] X509* cert() const noexcept { return cert_.get(); }
  void write_pem(const std::filesystem::path& p) const;

private:
  Bytes issue_for(EVP_PKEY* pub, X509_NAME* subject, const Validity& v);
  EvpPkeyPtr key_;
  X509Ptr cert_;
  long serial_ = 1000;
};

Bytes der_of_file(const std::filesystem::path& p);
void write_der(const std::filesystem::path& p, std::span<const std::uint8_t> der);
// PEM of a DER certificate / request (for the openssl command line).
std::string cert_pem(std::span<const std::uint8_t> der);

}  // namespace testsupport
