// ca-kiosk as a service of the service manager (docs/packaging.md, "The units" and "Stopping safely"):
//   - READY=1 once the first frame is presented (the home screen is on the display);
//   - WATCHDOG=1 from the UI loop, every WatchdogSec/2 ($WATCHDOG_USEC), none while the loop is blocked;
//   - SIGTERM/SIGINT start the safe stop, which says STOPPING=1;
//   - an upgrade installed while running (the program file replaced) restarts the kiosk the next time it
//     is idle on home, through the same safe stop, never in front of a customer.
// Without $NOTIFY_SOCKET the notifications go nowhere and the rest works the same.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "app.hpp"
#include "service/notify.hpp"
#include "service/stop_signals.hpp"

namespace app {

class InService {
 public:
  // Call first in the interactive path, before any thread starts (StopSignals::block()).
  explicit InService(service::Notifier notifier);
  // The loop's heartbeat and stop hooks.
  void configure(AppConfig& config);
  // Once the app exists: READY after its first frame (after any on_frame already set), and the signal
  // watcher that asks it to stop. Keep the result no longer than the app: its end stops the watcher.
  class Attachment {
   public:
    Attachment() = default;
    explicit Attachment(InService& s) : s_(&s) {}
    ~Attachment() {
      if (s_) s_->detach();
    }
    Attachment(Attachment&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Attachment& operator=(Attachment&&) = delete;
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

   private:
    InService* s_ = nullptr;
  };
  [[nodiscard]] Attachment attach(App& app);

 private:
  void on_heartbeat();
  void detach();
  service::Notifier notifier_;
  App* app_ = nullptr;
  std::unique_ptr<service::StopSignals> signals_;
  int pings_ = 0;
  std::optional<std::chrono::milliseconds> block_after_ping_;  // a test build's blocked loop
};

// The running program's file was replaced or removed since it started (a package upgrade).
bool program_replaced();

}  // namespace app
