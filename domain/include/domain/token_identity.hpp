// What a USB key says about itself: one type for the token layer (read from CK_TOKEN_INFO), the platform
// contract (an order's `token`) and the flow core (the key badge, the staged renewal).
#pragma once

#include <string>

namespace domain {

// A token is identified by what it reports (CK_TOKEN_INFO, blank-padded fields trimmed), never by slot id:
// slot ids change when a key is pulled and put back.
struct TokenIdentity {
  std::string manufacturer;  // manufacturerID
  std::string model;
  std::string serial;  // serialNumber

  friend bool operator==(const TokenIdentity&, const TokenIdentity&) = default;
  [[nodiscard]] bool empty() const { return manufacturer.empty() && model.empty() && serial.empty(); }
  // "Haitai HaiKey #0123", for logs and staff.
  [[nodiscard]] std::string to_string() const { return manufacturer + " " + model + " #" + serial; }
};

}  // namespace domain
