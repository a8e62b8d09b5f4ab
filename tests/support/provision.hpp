// Raw PKCS#11 for test set-up only: put a "customer" key pair and certificate on a token the way a CA's
// issuing station would, and count objects. The product never needs this; it goes through token::.
//
// RawP11 shares the module instance of token::Module (same path → same instance, kept initialised while
// the RawP11 lives) and calls the function list directly, without the module lock: single-threaded tests.
#pragma once

#include <p11-kit/pkcs11.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "softhsm_env.hpp"
#include "test_ca.hpp"
#include "token/module.hpp"

namespace testsupport {

class RawP11 {
public:
  explicit RawP11(const std::filesystem::path& module_path);
  [[nodiscard]] CK_FUNCTION_LIST* f() const noexcept { return fl_; }
  [[nodiscard]] token::Module& module() noexcept { return module_; }
  [[nodiscard]] CK_SLOT_ID slot_of(std::string_view token_label) const;

  CK_SESSION_HANDLE open(CK_SLOT_ID slot) const;             // RW session; throws
  void login(CK_SESSION_HANDLE h, std::string_view pin) const;  // CKR_USER_ALREADY_LOGGED_IN is fine
  void close(CK_SESSION_HANDLE h) const noexcept;

  // Handles of the objects matching class (and label / id, when not empty).
  std::vector<CK_OBJECT_HANDLE> find(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, std::string_view label = {},
                                     const Bytes& id = {}) const;
  std::vector<CK_OBJECT_HANDLE> find_all(CK_SESSION_HANDLE h) const;  // every object the session sees
  Bytes attribute(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) const;  // empty if none
  bool attribute_bool(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) const;
  // SubjectPublicKeyInfo DER of a public-key object (RSA or EC).
  Bytes spki(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub) const;

private:
  token::Module module_;
  void* dl_ = nullptr;
  CK_FUNCTION_LIST* fl_ = nullptr;
};

enum class CustomerKey { Rsa2048, EcP256 };

struct CustomerSpec {
  CustomerKey key = CustomerKey::EcP256;
  SubjectSpec subject{"张三", "内蒙古自治区政府采购中心", "", "CN", false};
  std::string label = "张三的签名证书";
  Bytes key_id = {0x01, 0x02, 0x03, 0x04};
  Validity validity = Validity::from_now(std::chrono::hours(-24 * 300), 365);
  bool always_authenticate = false;  // CKA_ALWAYS_AUTHENTICATE on the private key
};

struct Customer {
  Bytes key_id;
  std::string label;
  Bytes cert_der;
  std::string fingerprint;  // SHA-256, lower-case hex
};

// Certificates on the token that are valid now and whose private key (same CKA_ID) makes a signature the
// certificate verifies: what "the customer can still sign" means.
int count_usable_pairs(const RawP11& p11, CK_SLOT_ID slot, std::string_view pin = kUserPin);

// A template attribute over `n` bytes at `p` (PKCS#11 takes a non-const pointer; templates only read it).
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE t, const void* p, std::size_t n);

// The key-pair generation mechanism for a customer's key type; appends to `pub` what that type needs
// (RSA-2048 with F4, or the P-256 curve). The values it points at are static.
CK_MECHANISM key_pair_mechanism(CustomerKey key, std::vector<CK_ATTRIBUTE>& pub);

// Generates the key pair on the token (logged in with `pin`), has `ca` certify it with the spec's
// subject, writes the certificate with the same CKA_ID and label.
Customer provision_customer(const RawP11& p11, CK_SLOT_ID slot, TestCa& ca, const CustomerSpec& spec,
                            std::string_view pin = kUserPin);

}  // namespace testsupport
