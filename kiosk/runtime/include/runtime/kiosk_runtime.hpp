// The real runtime: the core's effects run against the configured token modules (token/), the platform
// (services/platform) and the journal (services/journal).
//
// Threads: one business lane runs every effect in order (token work, platform calls, journal writes);
// a poll lane runs the payment long-poll so a cancel is never stuck behind it; a watcher polls the token
// modules for hot-plug and reports KeyStatusChanged; the outbox's sender delivers what the platform must
// hear once money has moved, until it acknowledges it (src/outbox.hpp). Each has its own platform client.
// Results come back through one queue (drain()); the waker is called after every push.
//
// Every step with a side effect is journaled: intent before, outcome after, so a crash anywhere resumes
// without a second order, a second issuance or a second key pair (ResumeBusiness reconciles the journal,
// the platform and the token). Named crash points (KIOSK_CRASH_AT, tests only) sit after every journal
// write and after every external effect.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event_log.hpp"
#include "journal/journal.hpp"
#include "runtime/config.hpp"
#include "runtime/fleet.hpp"
#include "runtime/runtime.hpp"
#include "runtime/staff_desk.hpp"

namespace runtime {

struct RuntimeOptions {
  KioskConfig config;
  // Wall clock, unix seconds (the dev clock in tests); default: the system clock.
  std::function<std::int64_t()> wall_now;
  // The event log for staff (kiosk/events): the runtime records as "runtime" (steps with their business
  // number, orders, the platform's failures), "journal" and "tokens". Never a secret: the runtime formats
  // none. Not owned: it outlives the runtime. Null: a log of the runtime's own, written to stderr.
  events::EventLog* events = nullptr;
  bool watch_tokens = true;  // start the hot-plug watcher (kioskctl's one-shot commands do not need it)
  // Run the service checks and send the heartbeat (src/service_monitor.hpp): ca-kiosk does; kioskctl's
  // commands and most tests do not.
  bool service_monitor = false;
  // Fetch, verify and apply the fleet's configuration, and renew the kiosk's own certificate
  // (src/fleet_agent.hpp; docs/fleet.md, "On the kiosk"): ca-kiosk does.
  bool fleet = false;
  // Who drives the business, as a second process refused meanwhile is told ("ca-kiosk", "kioskctl renew").
  std::string program = "ca-kiosk";
};

// Why the runtime could not start.
struct StartError {
  // Busy: another process owns this kiosk's journal and key (detail: "<pid> <program>").
  enum class Part { Journal, PlatformClient, Busy };
  Part part = Part::Journal;
  std::string message_key;  // Journal: error.journal.* (io, full, read_only, damaged, too_new)
  std::string detail;       // for the log: what failed, SQLite's or libcurl's words
  [[nodiscard]] std::string to_string() const;
};

class KioskRuntime final : public Runtime, public StaffDesk {
 public:
  // Opens the journal and the platform clients and loads the configured token modules (a module that
  // fails to load is reported as "driver missing", not an error here). Errors: which part could not be
  // set up (the journal, the client certificate files) and why.
  static std::expected<std::unique_ptr<KioskRuntime>, StartError> create(RuntimeOptions options);
  ~KioskRuntime() override;

  void run(const core::Effect& effect, std::uint64_t session, Secrets secrets) override;
  void set_waker(std::function<void()> wake) override;
  std::vector<core::Event> drain() override;
  bool wait(int timeout_ms) override;
  bool stop_at_safe_point() override;
  void set_safe_point(bool safe) override;

  // The fleet's configuration (docs/fleet.md, "On the kiosk"): fetch now (staff's 【立即同步】; what comes
  // is applied at the next safe point), and what it is doing. Any thread. Without RuntimeOptions::fleet:
  // nothing, and the status says disabled.
  void sync_fleet_now() override;
  FleetStatus fleet_status() const;

  // The current key status (also sent as KeyStatusChanged whenever it changes).
  core::KeyStatus key_status() const;
  // Runs `f` with the journal on the business lane's terms (locked); for kioskctl's read-only commands.
  void with_journal(const std::function<void(journal::Journal&)>& f);
  // Every message the platform has not acknowledged yet, sent now (backoff or not), on the caller's thread
  // (`kioskctl renew --resume`); each with its state afterwards. The background sender does the same by
  // itself, at start and when each is due.
  std::vector<journal::OutboxMessage> deliver_outbox_now();
  // This kiosk's unfinished orders on the platform (GET kiosk/orders) that its journal does not know (it
  // lost them: a failed disk, an older copy), newest first, each with its status ("paid", "issued",
  // "needs_staff"); an error in words when the platform cannot be asked. Its own platform client.
  std::expected<std::vector<std::pair<std::string, std::string>>, std::string> orders_the_journal_lost();
  // ---- hall staff (runtime/staff_desk.hpp says what each does and on which threads; docs/staff.md)
  StaffDesk* staff_desk() override { return this; }
  std::vector<core::StatusItem> staff_status() override;       // staff_status.cpp
  std::vector<core::StaffBusiness> staff_business() override;  // staff_business.cpp
  std::expected<StaffSendResult, std::string> staff_send_now(std::string_view actor,
                                                             std::int64_t outbox_id) override;
  std::expected<void, std::string> staff_hand_to_counter(std::string_view actor, std::int64_t business_id,
                                                         std::string_view note) override;
  std::expected<void, std::string> staff_audit(std::string_view actor, std::string_view action,
                                               std::string_view detail_json) override;
  std::string export_diagnostics() override;  // diagnostics.cpp
  std::expected<std::string, std::string> upload_diagnostics() override;

  // Stops the lanes (pending effects are dropped; a running one finishes first). The destructor calls it.
  void stop();

  struct Impl;

 private:
  explicit KioskRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runtime
