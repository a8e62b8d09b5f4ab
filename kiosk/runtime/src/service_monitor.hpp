// The service checks and the heartbeat, on a thread of their own with their own platform client
// (docs/operations.md, "In service or not"; docs/platform.md, "The heartbeat").
//
// Every service.check_s one round: the journal (room to spare), the drivers (the token hub's load
// problems), then one call to the platform — the heartbeat when it is due (at start, then every
// service.heartbeat_s; a heartbeat that was not acknowledged is due again at the next round), else GET
// catalog — which judges the platform and the clock (runtime/service_checks.hpp). The round's results go
// to the core as one ServiceChecked event; the core holds the model (the platform's hysteresis, the
// sources) and answers with ServiceChanged, which report() keeps for the heartbeats and logs for staff.
//
// The heartbeat carries the software version, the clock's skew, every check's last state, the outbox's
// pending messages and the out-of-service sources; later parts add theirs (contract::Heartbeat).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "contract/types.hpp"
#include "core/events.hpp"
#include "core/service.hpp"
#include "events/event_log.hpp"
#include "platform/client.hpp"
#include "runtime/config.hpp"
#include "step_journal.hpp"

namespace runtime {

class ServiceMonitor {
 public:
  struct Parts {
    const KioskConfig* config = nullptr;  // outlives the monitor
    platform::Client client;              // its own: one thread uses it
    StepJournal* journal = nullptr;       // the outbox's pending messages
    std::function<std::vector<std::string>()> driver_problems;
    std::function<std::int64_t()> wall;  // this kiosk's clock (the dev clock in the seeded demo)
    std::function<void(core::Event)> push;
    events::Channel events;  // "service"
    // The fleet's part of the heartbeat (FleetAgent::fill), and its heartbeat interval (the fleet's
    // heartbeat_s); none: service.heartbeat_s.
    std::function<void(contract::Heartbeat&)> fill;
    std::function<std::uint32_t()> heartbeat_s;
  };
  explicit ServiceMonitor(Parts parts);
  ~ServiceMonitor();
  ServiceMonitor(const ServiceMonitor&) = delete;
  ServiceMonitor& operator=(const ServiceMonitor&) = delete;

  void start();
  void stop();  // waits for a round in progress (bounded by the platform client's timeouts)

  // The core's decision (the ServiceChanged effect): logged when the kiosk goes out of service or comes
  // back, carried by the next heartbeats. Any thread.
  void report(const core::OutOfService& sources);

  // The heartbeat as it would be sent now (tests, and the round itself).
  contract::Heartbeat heartbeat();

  // What the rounds saw, for the status page (docs/staff.md, "Status"). Any thread.
  struct Seen {
    core::CheckResult platform{core::Check::Platform};  // the last round's call (Unknown before the first)
    core::CheckResult clock{core::Check::Clock};        // what that call said of the clock
    std::int64_t round_trip_ms = -1;                    // that call's, answered or not (-1: none yet)
    std::int64_t checked_at = 0;                        // unix seconds of that call (0: none yet)
    std::int64_t last_success_at = 0;                   // of the last call that succeeded (0: none yet)
    std::optional<std::int64_t> skew_s;                 // this kiosk's clock minus the platform's
    core::OutOfService sources;                         // as the core last decided (report())
  };
  [[nodiscard]] Seen seen() const;

 private:
  void run();
  void round();
  void log_changes(const std::vector<core::CheckResult>& now);

  Parts p_;
  mutable std::mutex mutex_;  // guards the four below
  std::vector<core::CheckResult> last_;
  std::optional<std::int64_t> skew_s_;
  core::OutOfService sources_;
  Seen seen_;  // its platform and timing fields (skew_s_ and sources_ are the others)
  // The monitor's thread only: when the next heartbeat is due, and each check's state as last logged.
  std::optional<std::chrono::steady_clock::time_point> next_heartbeat_;
  std::array<core::CheckState, core::kChecks> logged_{};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace runtime
