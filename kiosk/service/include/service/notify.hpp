// The service manager's notification protocol (systemd's sd_notify(3), written here without libsystemd):
// each message is one datagram of "KEY=VALUE" lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a
// path, or "@name" for the abstract namespace). Without $NOTIFY_SOCKET (a developer's shell, the tests'
// default) every call does nothing and says so by returning false.
//
// The watchdog: the manager sets $WATCHDOG_USEC (and $WATCHDOG_PID, the process it expects the pings
// from). ca-kiosk runs under cage, so the unit's main process is cage, our parent: a ping is accepted
// from us because the unit says NotifyAccess=all, and WATCHDOG_PID naming our parent is taken as ours.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace service {

class Notifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID once.
  static Notifier from_environment();
  // A notifier that sends to `socket_path` ("@name": abstract) with the given watchdog period (tests).
  Notifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);
  Notifier() = default;

  // One datagram; false when there is no socket or the send failed (the service goes on either way:
  // a missed READY shows as a start timeout in the unit's status, which is where it belongs).
  bool send(std::string_view message) const;
  bool ready(std::string_view status) const;     // READY=1 + STATUS=
  bool watchdog() const;                         // WATCHDOG=1
  bool stopping(std::string_view status) const;  // STOPPING=1 + STATUS=
  bool status(std::string_view status) const;    // STATUS=

  [[nodiscard]] bool enabled() const { return !socket_.empty(); }
  // How often to ping: half the manager's WatchdogSec (sd_watchdog_enabled(3) advises it); none when the
  // unit has no watchdog.
  [[nodiscard]] std::optional<std::chrono::milliseconds> watchdog_interval() const;

 private:
  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace service
