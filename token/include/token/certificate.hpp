// X.509 certificates as the kiosk shows and uses them, parsed with OpenSSL.
//
// Name fields are UTF-8 whatever the certificate's string type (UTF8String, BMPString, PrintableString):
// for display only. Anything that goes back to the CA (the P10's subject) uses `der`, the bytes exactly as
// they are in the certificate.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "token/error.hpp"
#include "token/token_info.hpp"

namespace token {

using UnixSeconds = std::chrono::sys_seconds;

struct NameInfo {
  std::string common_name;          // CN
  std::string organization;         // O
  std::string organizational_unit;  // OU (several joined with ", ")
  std::string country;              // C
  std::string state;                // ST
  std::string locality;             // L
  std::string one_line;             // RFC 2253 order, UTF-8: "CN=张三,O=内蒙古自治区政府采购中心,C=CN"
  Bytes der;                        // the Name's DER, verbatim
};

// X.509 KeyUsage bits as OpenSSL reports them (X509v3_KU_*).
enum KeyUsageBit : std::uint32_t {
  kDigitalSignature = 0x0080,
  kNonRepudiation = 0x0040,
  kKeyEncipherment = 0x0020,
  kDataEncipherment = 0x0010,
  kKeyAgreement = 0x0008,
  kKeyCertSign = 0x0004,
  kCrlSign = 0x0002,
};

struct CertInfo {
  Bytes der;
  NameInfo subject;
  NameInfo issuer;
  std::string serial_hex;      // upper-case hex, no separators
  UnixSeconds not_before{};
  UnixSeconds not_after{};
  std::optional<std::uint32_t> key_usage;  // KeyUsageBit mask; nullopt when the extension is absent
  std::vector<std::string> key_usage_names;  // "digitalSignature", "nonRepudiation", ...
  std::optional<domain::KeyAlgorithm> algorithm;  // nullopt: another kind (RSA-1024, EC P-384, SM2, ...)
  int key_bits = 0;
  std::string key_description;  // "RSA-2048", "EC P-256", "EC secp384r1", "RSA-1024"
  std::string sha256_hex;       // fingerprint of `der`, lower-case hex
  Bytes spki_der;               // SubjectPublicKeyInfo

  // Filled when read from a token (Session::certificates):
  Bytes key_id;                 // the certificate object's CKA_ID
  std::string label;            // its CKA_LABEL
  bool public_key_found = false;  // a public-key object with the same CKA_ID
  // A private-key object with the same CKA_ID. Private keys are only visible after login: nullopt when
  // the session is not logged in and none was seen.
  std::optional<bool> private_key_found;

  [[nodiscard]] bool valid_at(UnixSeconds t) const noexcept { return not_before <= t && t <= not_after; }
};

// A key's certificate is a few KiB; anything past this, read from a key, is refused before OpenSSL parses
// it (its nesting is bounded by OpenSSL's own limit on constructed ASN.1).
inline constexpr std::size_t kMaxCertificateBytes = 64 * 1024;

// Parses DER. Errors: CertificateInvalid (also past kMaxCertificateBytes).
Result<CertInfo> parse_certificate(std::span<const std::uint8_t> der);

// Lower-case hex of bytes; and the SHA-256 of bytes.

}  // namespace token
