// What the runtime offers hall staff (docs/staff.md, "Status", "Business that needs someone", "The
// diagnostics bundle"): the status items, the business that needs someone and the actions on it, the
// diagnostics bundle, and the audit of a staff member's action. KioskRuntime implements it; the app and the
// maintenance screens reach it through Runtime::staff_desk() (null where no real runtime runs), kioskctl
// through the local staff channel.
//
// Threads: every call may be made from any thread, several at once. None may be made from the app's frame
// loop: each may wait for the journal's lock (a renewal step's journal write, milliseconds), staff_status()
// and the diagnostics also run the journal's integrity check and chain walk under that lock, and the
// send and upload calls talk to the platform (seconds at worst, bounded by the client's timeouts).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "core/staff.hpp"

namespace runtime {

// The status items' ids in the order staff_status() lists them; each configured brand's driver comes as
// "driver.<brand id>" after "software". Label keys are "staff.status.<id>" ("staff.status.driver" for
// every brand).
inline constexpr std::array<std::string_view, 11> kStaffStatusLabelKeys = {
    "staff.status.platform", "staff.status.certificate", "staff.status.clock",   "staff.status.config",
    "staff.status.software", "staff.status.driver",      "staff.status.journal", "staff.status.disk",
    "staff.status.memory",   "staff.status.uptime",      "staff.status.network"};

// Every reason an item can be amber or red for (docs/staff.md, "Status").
inline constexpr std::array<std::string_view, 20> kStaffReasonKeys = {"staff.reason.platform_down",
                                                                      "staff.reason.platform_unchecked",
                                                                      "staff.reason.certificate_expiring",
                                                                      "staff.reason.certificate_expired",
                                                                      "staff.reason.certificate_unreadable",
                                                                      "staff.reason.clock_off",
                                                                      "staff.reason.clock_wrong",
                                                                      "staff.reason.clock_unknown",
                                                                      "staff.reason.config_refused",
                                                                      "staff.reason.config_rolled_back",
                                                                      "staff.reason.config_expired",
                                                                      "staff.reason.config_disabled",
                                                                      "staff.reason.driver_missing",
                                                                      "staff.reason.journal_damaged",
                                                                      "staff.reason.journal_unreadable",
                                                                      "staff.reason.disk_low",
                                                                      "staff.reason.disk_full",
                                                                      "staff.reason.memory_low",
                                                                      "staff.reason.memory_critical",
                                                                      "staff.reason.no_network"};

// Why an action on the business or the bundle could not be done (besides the journal's error.journal.*
// and the platform's error.platform.* keys).
inline constexpr std::array<std::string_view, 5> kStaffErrorKeys = {
    "staff.error.no_message", "staff.error.no_business", "staff.error.note_too_long",
    "staff.error.not_available", "staff.error.bundle_too_large"};

// Why staff take the kiosk out of service (the staff source of the out-of-service model): each name's
// customer text is "service.reason.staff.<name>" (assets/i18n/service.*.json). A fixed list: the customer
// reads it on home, so nothing typed by staff reaches the screen.
inline constexpr std::array<std::string_view, 4> kStaffServiceReasons = {"repair", "cleaning", "network",
                                                                         "other"};

// A note handed over with a business to the counter is at most this many characters (UTF-8 code points).
inline constexpr std::size_t kCounterNoteMaxChars = 200;

// A message sent at staff's request: its state afterwards ("delivered", "pending", "refused") and the
// platform's words when it was not delivered.
struct StaffSendResult {
  std::int64_t outbox_id = 0;
  std::string state;
  std::string error;
};

class StaffDesk {
 public:
  virtual ~StaffDesk() = default;

  // The status page's items (docs/staff.md, "Status": each item's green, amber and red).
  virtual std::vector<core::StatusItem> staff_status() = 0;
  // This kiosk's business that needs someone, oldest first: needs_staff and unfinished (paid) business
  // not handed to the counter, and any business with a message the platform has not acknowledged or
  // refused. Phones masked as the journal keeps them.
  virtual std::vector<core::StaffBusiness> staff_business() = 0;
  // Sends that outbox message now (its business's earlier ones first), recorded in the audit chain as
  // staff.send_now by `actor`. Errors: staff.error.no_message, the journal's.
  virtual std::expected<StaffSendResult, std::string> staff_send_now(std::string_view actor,
                                                                     std::int64_t outbox_id) = 0;
  // Marks the business handed to the counter with `note` (at most kCounterNoteMaxChars; phone numbers in
  // it are masked before it is kept), recorded as staff.hand_to_counter by `actor`. It leaves
  // staff_business() and stays in the journal as it was. Errors: staff.error.no_business,
  // staff.error.note_too_long, the journal's.
  virtual std::expected<void, std::string> staff_hand_to_counter(std::string_view actor,
                                                                 std::int64_t business_id,
                                                                 std::string_view note) = 0;
  // A staff action of the caller's (out of service, in service), in the audit chain as staff.<action>
  // naming `actor`; `detail_json` a JSON object without secrets. Errors: the journal's key.
  virtual std::expected<void, std::string> staff_audit(std::string_view actor, std::string_view action,
                                                       std::string_view detail_json) = 0;
  // The diagnostics bundle (docs/staff.md, "The diagnostics bundle"), JSON text.
  virtual std::string export_diagnostics() = 0;
  // The bundle sent to the platform (POST kiosk/diagnostics): the id the platform gave it, or a message
  // key (error.platform.*, staff.error.bundle_too_large).
  virtual std::expected<std::string, std::string> upload_diagnostics() = 0;
};

}  // namespace runtime
