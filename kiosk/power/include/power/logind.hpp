// Rebooting and powering off the terminal through systemd-logind (docs/staff.md, "Reboot and power off"):
// org.freedesktop.login1.Manager on the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else
// /run/dbus/system_bus_socket), by sd-bus. logind asks polkit whether the caller may; the package's rule
// (/usr/share/polkit-1/rules.d/50-ca-kiosk.rules) lets the kiosk's user, ca-kiosk, do exactly
// org.freedesktop.login1.reboot and org.freedesktop.login1.power-off, and nothing else.
//
// Threads: each call opens its own bus connection and closes it, so any thread may call; none may be the
// UI's, since a call waits for logind and polkit (at most `Options::timeout` per D-Bus call, two calls for
// request()).
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace power {

enum class Action { Reboot, PowerOff };
std::string_view to_string(Action a);  // "reboot", "power-off"

// logind's answer to CanReboot / CanPowerOff (org.freedesktop.login1(5)).
enum class Allowed {
  Yes,            // "yes": this process may, now, without anyone typing a password
  Challenge,      // "challenge": polkit would ask for an administrator's password (the rule is missing or
                  // not loaded; someone else is logged in; a program holds a shutdown inhibitor)
  No,             // "no": polkit refuses
  NotApplicable,  // "na": this system cannot do it at all
};
std::string_view to_string(Allowed a);  // "yes", "challenge", "no", "na"

enum class ErrorCode {
  NoBus,       // no system bus, or no logind on it
  Refused,     // logind or polkit refused this caller (AccessDenied, InteractiveAuthorizationRequired), or
               // CanReboot/CanPowerOff answered "challenge"
  NotAllowed,  // CanReboot/CanPowerOff answered "no" or "na"; or a shutdown is already under way
  Failed,      // anything else: a timeout, an answer that makes no sense
};

struct Error {
  ErrorCode code = ErrorCode::Failed;
  std::string detail;  // English, for the event log and the CA's support: the D-Bus error name and message

  // "staff.power.no_bus", "staff.power.refused", "staff.power.not_allowed", "staff.power.failed".
  [[nodiscard]] std::string_view message_key() const;
  [[nodiscard]] std::string to_string() const;
};
std::string_view message_key(ErrorCode code);

template <typename T>
using Result = std::expected<T, Error>;

struct Options {
  std::chrono::milliseconds timeout{10000};  // per D-Bus call
};

// CanReboot() / CanPowerOff(): whether logind would let this process do it now.
// Errors: NoBus, Refused (the call itself denied), Failed (timeout, an answer that is not one of the four).
Result<Allowed> can(Action action, Options options = {});

// CanReboot() / CanPowerOff() first, then, on "yes" only, Reboot(false) / PowerOff(false): `false` is
// interactive = false, so polkit never waits for a password nobody at the kiosk can type. Returns when
// logind has queued the shutdown; the service manager then stops ca-kiosk the safe way (SIGTERM,
// docs/packaging.md, "Stopping safely"). Errors: NoBus; Refused ("challenge", or the call denied);
// NotAllowed ("no", "na", a shutdown already under way: no call made, or logind's
// org.freedesktop.login1.OperationInProgress); Failed.
Result<void> request(Action action, Options options = {});

}  // namespace power
