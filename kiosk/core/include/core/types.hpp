// Plain value types the flow core, the runtime and the screens share. Standard library only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/key.hpp"
#include "domain/token_identity.hpp"

namespace core {

// Monotonic milliseconds (countdowns, idle) and wall-clock unix seconds (certificate validity, order
// expiry). Both come in with events, so tests drive them with a fake clock.
using Millis = std::int64_t;
using UnixSeconds = std::int64_t;

enum class Language { ZhCN, En };
enum class Orientation { Landscape, Portrait };

// A token is known by what it says about itself, never by the slot it sits in.
using TokenIdentity = domain::TokenIdentity;

// What the home screen's key badge says, from the token layer's hot-plug polling.
enum class KeyPresence {
  NoKey,          // nothing inserted
  Recognised,     // a token of a brand this kiosk serves
  NotRecognised,  // a token, but not of a configured brand
  DriverMissing,  // a configured brand's PKCS#11 library is missing or does not load
};

struct KeyStatus {
  KeyPresence presence = KeyPresence::NoKey;
  TokenIdentity identity;
  std::string brand_id;    // when recognised
  std::string brand_name;  // display name, e.g. "海泰KEY"
  friend bool operator==(const KeyStatus&, const KeyStatus&) = default;
};

// The certificate on the key, as the customer sees it (and as the renewal is bound to it).
struct CertSummary {
  std::string holder;        // subject CN (UTF-8)
  std::string organisation;  // subject O (UTF-8)
  std::string issuer;        // issuer CN or O
  std::string serial_hex;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  std::string fingerprint_sha256;  // hex; the renewal and the order are bound to it
  std::optional<domain::KeyAlgorithm> algorithm;  // nullopt: a key of another kind (RSA-1024, SM2, ...)
  bool has_private_key = false;
  friend bool operator==(const CertSummary&, const CertSummary&) = default;
};

// PKCS#11 gives flags, not a count.
struct PinFlags {
  bool count_low = false;
  bool final_try = false;
  bool locked = false;
  bool to_be_changed = false;
  friend bool operator==(const PinFlags&, const PinFlags&) = default;
};

// Money is in fen (1/100 yuan); the kiosk only ever shows prices the platform sent.
using Fen = std::int64_t;

struct Product {
  std::string id;
  std::string project_id;
  std::string project_name;  // 政府采购项目
  std::string brand_id;
  std::string brand_name;    // 海泰KEY
  std::string title;         // 政府采购项目-海泰KEY-续费
  std::string picture;       // asset name
  Fen price_per_year = 0;
  std::vector<int> allowed_years{1};
  domain::KeyAlgorithm key_algorithm = domain::KeyAlgorithm::EcP256;
  int window_days_before = 90;   // renewable from this many days before expiry
  int window_days_after = 365;   // ... until this many days after
  friend bool operator==(const Product&, const Product&) = default;
};

}  // namespace core
