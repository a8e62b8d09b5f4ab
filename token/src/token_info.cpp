#include "token/token_info.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "p11.hpp"

namespace token {

namespace detail {

std::string blank_padded_text(const unsigned char* p, std::size_t n) {
  std::string s(reinterpret_cast<const char*>(p), n);
  auto end = s.find_last_not_of(std::string_view(" \0", 2));
  s.erase(end == std::string::npos ? 0 : end + 1);
  auto begin = s.find_first_not_of(' ');
  return begin == std::string::npos ? std::string() : s.substr(begin);
}

}  // namespace detail

namespace {

std::optional<unsigned long> known(unsigned long v) {
  if (v == CK_UNAVAILABLE_INFORMATION || v == CK_EFFECTIVELY_INFINITE) return std::nullopt;
  return v;
}

}  // namespace


TokenInfo token_info_from(CK_SLOT_ID slot, const CK_TOKEN_INFO& raw) {
  TokenInfo t;
  t.slot = slot;
  t.label = detail::blank_padded_text(raw.label, sizeof raw.label);
  t.identity.manufacturer = detail::blank_padded_text(raw.manufacturerID, sizeof raw.manufacturerID);
  t.identity.model = detail::blank_padded_text(raw.model, sizeof raw.model);
  t.identity.serial = detail::blank_padded_text(raw.serialNumber, sizeof raw.serialNumber);
  t.flags = raw.flags;
  t.pin = PinFlags::from(raw.flags);
  t.initialized = (raw.flags & CKF_TOKEN_INITIALIZED) != 0;
  t.login_required = (raw.flags & CKF_LOGIN_REQUIRED) != 0;
  t.write_protected = (raw.flags & CKF_WRITE_PROTECTED) != 0;
  t.min_pin_len = raw.ulMinPinLen;
  t.max_pin_len = raw.ulMaxPinLen;
  t.free_public_memory = known(raw.ulFreePublicMemory);
  t.free_private_memory = known(raw.ulFreePrivateMemory);
  t.total_public_memory = known(raw.ulTotalPublicMemory);
  t.total_private_memory = known(raw.ulTotalPrivateMemory);
  t.hardware_version = fmt::format("{}.{}", raw.hardwareVersion.major, raw.hardwareVersion.minor);
  t.firmware_version = fmt::format("{}.{}", raw.firmwareVersion.major, raw.firmwareVersion.minor);
  return t;
}

const MechanismInfo* Mechanisms::find(CK_MECHANISM_TYPE type) const noexcept {
  auto it = std::find_if(list.begin(), list.end(), [&](const MechanismInfo& m) { return m.type == type; });
  return it == list.end() ? nullptr : &*it;
}

bool Mechanisms::has(CK_MECHANISM_TYPE type, CK_FLAGS needed) const noexcept {
  const MechanismInfo* m = find(type);
  return m != nullptr && (m->flags & needed) == needed;
}

bool Mechanisms::supports(domain::KeyAlgorithm a) const noexcept {
  // Some tokens report key sizes in bytes or leave them 0: accept a range that is 0 or covers the size.
  auto covers = [](const MechanismInfo* m, unsigned long bits) {
    if (m->max_key_size == 0) return true;
    return (m->min_key_size <= bits && bits <= m->max_key_size) ||
           (m->min_key_size <= bits / 8 && bits / 8 <= m->max_key_size);
  };
  if (a == domain::KeyAlgorithm::Rsa2048) {
    const MechanismInfo* gen = find(CKM_RSA_PKCS_KEY_PAIR_GEN);
    if (gen == nullptr || (gen->flags & CKF_GENERATE_KEY_PAIR) == 0 || !covers(gen, 2048)) return false;
    return has(CKM_SHA256_RSA_PKCS, CKF_SIGN) || has(CKM_RSA_PKCS, CKF_SIGN);
  }
  const MechanismInfo* gen = find(CKM_EC_KEY_PAIR_GEN);
  if (gen == nullptr || (gen->flags & CKF_GENERATE_KEY_PAIR) == 0 || !covers(gen, 256)) return false;
  return has(CKM_ECDSA, CKF_SIGN);
}

// The names of the mechanisms keys and their drivers report (the key-reader test lists them: SoftHSM's whole
// list, the renewal's, and what vendors' RSA/EC keys add). CKM_ECDSA_KEY_PAIR_GEN is CKM_EC_KEY_PAIR_GEN's
// older name: one value, the current name.
std::string mechanism_name(CK_MECHANISM_TYPE type) {
  switch (type) {
#define TOKEN_MECH(x) \
  case x: return #x;
    TOKEN_MECH(CKM_RSA_PKCS_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_RSA_X9_31_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_RSA_PKCS)
    TOKEN_MECH(CKM_RSA_9796)
    TOKEN_MECH(CKM_RSA_X_509)
    TOKEN_MECH(CKM_RSA_X9_31)
    TOKEN_MECH(CKM_RSA_PKCS_OAEP)
    TOKEN_MECH(CKM_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_MD5_RSA_PKCS)
    TOKEN_MECH(CKM_SHA1_RSA_PKCS)
    TOKEN_MECH(CKM_SHA224_RSA_PKCS)
    TOKEN_MECH(CKM_SHA256_RSA_PKCS)
    TOKEN_MECH(CKM_SHA384_RSA_PKCS)
    TOKEN_MECH(CKM_SHA512_RSA_PKCS)
    TOKEN_MECH(CKM_SHA1_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_SHA224_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_SHA256_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_SHA384_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_SHA512_RSA_PKCS_PSS)
    TOKEN_MECH(CKM_SHA1_RSA_X9_31)
    TOKEN_MECH(CKM_DSA_PARAMETER_GEN)
    TOKEN_MECH(CKM_DSA_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_DSA)
    TOKEN_MECH(CKM_DSA_SHA1)
    TOKEN_MECH(CKM_DSA_SHA224)
    TOKEN_MECH(CKM_DSA_SHA256)
    TOKEN_MECH(CKM_DSA_SHA384)
    TOKEN_MECH(CKM_DSA_SHA512)
    TOKEN_MECH(CKM_DH_PKCS_PARAMETER_GEN)
    TOKEN_MECH(CKM_DH_PKCS_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_DH_PKCS_DERIVE)
    TOKEN_MECH(CKM_EC_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_ECDSA)
    TOKEN_MECH(CKM_ECDSA_SHA1)
    TOKEN_MECH(CKM_ECDSA_SHA224)
    TOKEN_MECH(CKM_ECDSA_SHA256)
    TOKEN_MECH(CKM_ECDSA_SHA384)
    TOKEN_MECH(CKM_ECDSA_SHA512)
    TOKEN_MECH(CKM_ECDH1_DERIVE)
    TOKEN_MECH(CKM_ECDH1_COFACTOR_DERIVE)
    TOKEN_MECH(CKM_ECMQV_DERIVE)
    TOKEN_MECH(CKM_EC_EDWARDS_KEY_PAIR_GEN)
    TOKEN_MECH(CKM_EDDSA)
    TOKEN_MECH(CKM_MD5)
    TOKEN_MECH(CKM_SHA_1)
    TOKEN_MECH(CKM_SHA224)
    TOKEN_MECH(CKM_SHA256)
    TOKEN_MECH(CKM_SHA384)
    TOKEN_MECH(CKM_SHA512)
    TOKEN_MECH(CKM_MD5_HMAC)
    TOKEN_MECH(CKM_SHA_1_HMAC)
    TOKEN_MECH(CKM_SHA224_HMAC)
    TOKEN_MECH(CKM_SHA256_HMAC)
    TOKEN_MECH(CKM_SHA384_HMAC)
    TOKEN_MECH(CKM_SHA512_HMAC)
    TOKEN_MECH(CKM_GENERIC_SECRET_KEY_GEN)
    TOKEN_MECH(CKM_DES_KEY_GEN)
    TOKEN_MECH(CKM_DES2_KEY_GEN)
    TOKEN_MECH(CKM_DES3_KEY_GEN)
    TOKEN_MECH(CKM_DES_ECB)
    TOKEN_MECH(CKM_DES_CBC)
    TOKEN_MECH(CKM_DES_CBC_PAD)
    TOKEN_MECH(CKM_DES3_ECB)
    TOKEN_MECH(CKM_DES3_CBC)
    TOKEN_MECH(CKM_DES3_CBC_PAD)
    TOKEN_MECH(CKM_DES3_CMAC)
    TOKEN_MECH(CKM_DES_ECB_ENCRYPT_DATA)
    TOKEN_MECH(CKM_DES_CBC_ENCRYPT_DATA)
    TOKEN_MECH(CKM_DES3_ECB_ENCRYPT_DATA)
    TOKEN_MECH(CKM_DES3_CBC_ENCRYPT_DATA)
    TOKEN_MECH(CKM_AES_KEY_GEN)
    TOKEN_MECH(CKM_AES_ECB)
    TOKEN_MECH(CKM_AES_CBC)
    TOKEN_MECH(CKM_AES_CBC_PAD)
    TOKEN_MECH(CKM_AES_CTR)
    TOKEN_MECH(CKM_AES_GCM)
    TOKEN_MECH(CKM_AES_CMAC)
    TOKEN_MECH(CKM_AES_KEY_WRAP)
    TOKEN_MECH(CKM_AES_KEY_WRAP_PAD)
    TOKEN_MECH(CKM_AES_ECB_ENCRYPT_DATA)
    TOKEN_MECH(CKM_AES_CBC_ENCRYPT_DATA)
#undef TOKEN_MECH
    default: return fmt::format("CKM_0x{:08X}", type);
  }
}

}  // namespace token
