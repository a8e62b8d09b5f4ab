// The fleet's configuration applied on this kiosk (docs/fleet.md, "On the kiosk"), on a thread of its own
// with its own platform client:
//
// - polls GET kiosk/config-bundle with If-None-Match every config_poll_s (the fleet's setting, ±10 %
//   jitter so a fleet restarted at once spreads out), and at once on sync_now() (staff's 【立即同步】);
// - verifies what it gets with fleet::verify_bundle against the trust state (the install-time roots of
//   fleet.roots_file, fleet::load_state from fleet.state_dir) at the platform's time; a refusal is logged
//   with its code and sentence, and the running configuration stays;
// - applies a verified bundle only at a safe point (the core's: no customer business; set_safe_point),
//   with fleet::apply (atomic: the old state or the new after a SIGKILL anywhere);
// - trusts it only once the health checks pass with it within fleet.health_window_s (every brand module
//   it names resolves through p11-kit and loads, the token hub's modules load, the platform answers);
//   otherwise goes back to the last known good (kept in DIR/fleet-health.json with its bundle) and says
//   why;
// - turns the effective settings into the core's (FleetSettingsChanged) and the out-of-service model's
//   fleet and hours sources (ServiceSourceSet/Cleared), and watches the running bundle's expiry: amber
//   once expired, out of service fleet.expired_out_of_service_days later;
// - renews the kiosk's own certificate when it is due (fleet.identity_dir), which the platform clients
//   pick up at their next connection (platform::Client reopens when the certificate file changes).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "contract/types.hpp"
#include "core/events.hpp"
#include "events/event_log.hpp"
#include "fleet/store.hpp"
#include "platform/client.hpp"
#include "runtime/config.hpp"
#include "runtime/fleet.hpp"

namespace runtime {

class FleetAgent {
 public:
  struct Parts {
    const KioskConfig* config = nullptr;  // outlives the agent
    platform::Client client;              // its own: one thread uses it
    std::function<std::int64_t()> wall;   // this kiosk's clock (the dev clock in the seeded demo)
    std::function<void(core::Event)> push;
    std::function<std::vector<std::string>()> driver_problems;  // the token hub's
    events::Channel events;                                     // "fleet"
  };
  explicit FleetAgent(Parts parts);
  ~FleetAgent();
  FleetAgent(const FleetAgent&) = delete;
  FleetAgent& operator=(const FleetAgent&) = delete;

  // Reads the trust state and the health record, tells the core the running settings, starts the thread.
  void start();
  void stop();

  void sync_now();                 // fetch now (【立即同步】); any thread
  void set_safe_point(bool safe);  // the core's at_safe_point(); any thread
  [[nodiscard]] FleetStatus status() const;
  [[nodiscard]] fleet::Settings settings() const;  // the effective settings running now
  // The configuration's part of the heartbeat: config_version and config.
  void fill(contract::Heartbeat& h) const;

 private:
  struct Good {
    std::int64_t version = 0;
    std::string sha256;
    foundation::Bytes bundle;  // empty: the install-time values
  };
  struct RolledBack {
    std::int64_t version = 0;
    std::string sha256, why;
  };

  void run();
  void load();
  void fetch();
  void apply_waiting();
  void judge_trial();
  void rollback(const std::string& why);
  void watch_sources();
  void renew_identity();
  // The running configuration from a bundle (empty: the install-time values); publishes it to the core.
  void run_bundle(const foundation::Bytes& der, std::int64_t version, const std::string& sha256);
  void save_record();
  std::int64_t platform_now();
  std::chrono::seconds jittered(std::uint32_t s);

  Parts p_;
  fleet::KioskPlace place_;
  fleet::Settings install_;
  std::filesystem::path dir_;
  bool enabled_ = false;

  // The agent's thread only (after start()).
  fleet::TrustState trust_;
  std::optional<fleet::Verified> waiting_;
  std::optional<std::chrono::steady_clock::time_point> trial_until_;
  std::vector<std::string> problems_before_;  // the token hub's at the trial's start: not the bundle's doing
  std::optional<Good> good_;
  std::optional<RolledBack> rolled_back_;
  std::optional<fleet::Document> running_doc_;
  std::string etag_, last_fetch_error_;
  std::optional<core::OutOfServiceReason> hours_shown_, fleet_shown_;
  bool expired_logged_ = false;
  std::chrono::steady_clock::time_point next_poll_{}, next_renew_{};
  std::mt19937_64 rng_{std::random_device{}()};

  mutable std::mutex mutex_;  // guards the two below
  FleetStatus status_;
  fleet::Settings settings_;

  std::atomic<bool> safe_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  bool sync_requested_ = false;  // under wait_mutex_
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace runtime
