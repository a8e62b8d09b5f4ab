// What the maintenance screens show hall staff (docs/staff.md, "Maintenance mode"), as plain values: the
// runtime gathers them, the core keeps them in the maintenance phase, the screens and `kioskctl` over the
// local staff channel show them. Nothing here is secret; phone numbers are masked wherever they appear.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace core {

// Green: fine. Amber: works, but someone should look soon (a certificate with 20 days left, a disk 85 %
// full). Red: broken, or takes the kiosk out of service.
enum class Health { Green, Amber, Red };
std::string_view to_string(Health h);  // "green", "amber", "red"

// One line of the status page. The label and the reason are message keys (both languages); the value is
// language-neutral (numbers, units, versions, dates in ISO form); the detail is for the CA's support, in
// English.
struct StatusItem {
  std::string id;          // "platform", "certificate", "clock", "config", "software", "driver.haitai",
                           // "journal", "disk", "memory", "uptime", "network", "service", "key_left"
  Health health = Health::Green;
  std::string label_key;   // "staff.status.platform"
  std::string value;       // "84 ms, 2026-12-07 14:02:10Z", "212 d", "v43"
  std::string reason_key;  // amber/red: what is wrong, in words ("staff.reason.platform_down"); else empty
  std::string detail;      // "offline: Connection refused"
  friend bool operator==(const StatusItem&, const StatusItem&) = default;
};

// The worst of the items (Green for none).
Health overall(const std::vector<StatusItem>& items);

// A business of this kiosk that needs someone: needs_staff, unfinished (paid, not done), or with a message
// the platform has not acknowledged or refused. Staff see no PIN, no code and no full phone number.
struct StaffBusiness {
  std::int64_t business_id = 0;  // the journal's
  std::string order_id;          // the business number the customer holds
  std::string product_id;
  std::string phone_masked;      // 138****5678
  std::string status;            // the journal's: "paid", "issued", "needs_staff", ...
  std::string stopped_at;        // the last step and its phase: "install failed"
  std::string why;               // the reason recorded (a message key or the platform's code)
  std::int64_t since = 0;        // unix seconds of the last change
  std::int64_t outbox_id = 0;    // its oldest message the platform has not acknowledged (0: none)
  std::string outbox_state;      // "pending", "refused" (empty: none)
  std::string outbox_error;      // the last send's failure, or the refusal
  bool can_continue = false;     // a paid renewal the customer's own flow can finish here
  bool handed_to_counter = false;
  friend bool operator==(const StaffBusiness&, const StaffBusiness&) = default;
};

// One event of the kiosk's event log, as the log page lists it (already masked by the log).
struct LogLine {
  std::int64_t time_ms = 0;
  std::string level;  // "debug", "info", "warning", "error"
  std::string component;
  std::string business;
  std::string step;
  std::string code;
  std::string message;
  friend bool operator==(const LogLine&, const LogLine&) = default;
};

// The key-reader test: any KEY inserted, read without a login.
struct KeyReport {
  std::string module;  // the PKCS#11 module that found it
  std::string library_version;
  TokenIdentity token;
  std::string brand_id;  // the configured brand it matched (empty: none)
  PinFlags pin;
  std::vector<std::string> mechanisms;  // "CKM_ECDSA", "CKM_EC_KEY_PAIR_GEN", ...
  std::vector<CertSummary> certificates;
  friend bool operator==(const KeyReport&, const KeyReport&) = default;
};

// The network test: DNS, TLS to the platform with the pinned CA, one round trip.
struct NetworkReport {
  std::vector<StatusItem> items;  // "network.address", "network.dns", "network.tls", "network.round_trip"
  friend bool operator==(const NetworkReport&, const NetworkReport&) = default;
};

}  // namespace core
