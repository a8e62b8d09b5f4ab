// What a token says about itself: identity, label, PIN flags, memory, mechanisms.
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/key.hpp"
#include "domain/token_identity.hpp"
#include "token/error.hpp"

namespace token {

using Bytes = std::vector<std::uint8_t>;

using TokenIdentity = domain::TokenIdentity;

struct TokenInfo {
  CK_SLOT_ID slot = 0;     // valid for this Module instance and this insertion only
  std::string label;
  TokenIdentity identity;
  CK_FLAGS flags = 0;      // raw CK_TOKEN_INFO.flags
  PinFlags pin;
  bool initialized = false;     // CKF_TOKEN_INITIALIZED
  bool login_required = false;  // CKF_LOGIN_REQUIRED
  bool write_protected = false; // CKF_WRITE_PROTECTED
  unsigned long min_pin_len = 0;
  unsigned long max_pin_len = 0;
  // nullopt where the token says CK_UNAVAILABLE_INFORMATION (or CK_EFFECTIVELY_INFINITE).
  std::optional<unsigned long> free_public_memory;
  std::optional<unsigned long> free_private_memory;
  std::optional<unsigned long> total_public_memory;
  std::optional<unsigned long> total_private_memory;
  std::string hardware_version;  // "2.6"
  std::string firmware_version;
};

// Builds a TokenInfo from the raw structure (trims the blank padding).
TokenInfo token_info_from(CK_SLOT_ID slot, const CK_TOKEN_INFO& raw);

struct MechanismInfo {
  CK_MECHANISM_TYPE type = 0;
  unsigned long min_key_size = 0;  // bits for RSA/EC, as the token reports them
  unsigned long max_key_size = 0;
  CK_FLAGS flags = 0;              // CKF_SIGN, CKF_GENERATE_KEY_PAIR, ...
};

struct Mechanisms {
  std::vector<MechanismInfo> list;

  [[nodiscard]] const MechanismInfo* find(CK_MECHANISM_TYPE type) const noexcept;
  [[nodiscard]] bool has(CK_MECHANISM_TYPE type, CK_FLAGS needed_flags = 0) const noexcept;
  // Key-pair generation and signing for the algorithm: RSA-2048 = CKM_RSA_PKCS_KEY_PAIR_GEN covering 2048
  // bits + CKM_SHA256_RSA_PKCS or CKM_RSA_PKCS with CKF_SIGN; EC P-256 = CKM_EC_KEY_PAIR_GEN covering 256
  // bits + CKM_ECDSA with CKF_SIGN.
  [[nodiscard]] bool supports(domain::KeyAlgorithm a) const noexcept;
};

// "CKM_ECDSA"; "CKM_0x…" for mechanisms without a name here.
std::string mechanism_name(CK_MECHANISM_TYPE type);

}  // namespace token
