// Whether business can start now (docs/operations.md, "In service or not"). One out-of-service model with
// several sources: the automatic one (the service checks the runtime reports), staff, the fleet and the
// service hours. Each source sets and clears only its own reason; the kiosk is out of service while any
// reason is set, and the customer reads the reason of the first source set in precedence order. Plain
// values: the core holds them in its model, tests build them by hand.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// Who takes the kiosk out of service, in precedence order: the first one set is the one the customer
// reads. Staff decided here and now; the fleet planned it (a holiday, an upgrade); outside the service
// hours the hall is closed anyway; the automatic checks come last, because a planned outage is often what
// makes them fail.
enum class ServiceSource { Staff, Fleet, Hours, Automatic };
inline constexpr std::size_t kServiceSources = 4;
inline constexpr std::array<ServiceSource, kServiceSources> kAllServiceSources = {
    ServiceSource::Staff, ServiceSource::Fleet, ServiceSource::Hours, ServiceSource::Automatic};
std::string_view to_string(ServiceSource s);  // "staff", "fleet", "hours", "automatic"

struct OutOfServiceReason {
  std::string reason_key;  // the customer's words, by message key ("service.reason.platform")
  // The source's own words (a fleet's announcement, written by an admin in both languages): shown instead
  // of reason_key when set.
  std::string text_zh_cn;
  std::string text_en;
  std::string detail;  // for staff and the heartbeat ("platform, clock"); never shown to the customer
  // When the source ends by itself, as home says it (the service hours): the day ("today", "tomorrow",
  // "mon" … "sun") and the time ("09:00"); empty: not known.
  std::string opens_day;
  std::string opens_time;
  friend bool operator==(const OutOfServiceReason&, const OutOfServiceReason&) = default;
};

class OutOfService {
 public:
  // `source`'s own reason, set (replacing its earlier one) or cleared; every other source's stays.
  void set(ServiceSource source, OutOfServiceReason reason);
  void clear(ServiceSource source);

  [[nodiscard]] bool out() const;
  // The source whose reason the customer reads: the first set in precedence order; nullopt in service.
  [[nodiscard]] std::optional<ServiceSource> shown() const;
  // shown()'s reason; null in service.
  [[nodiscard]] const OutOfServiceReason* reason() const;
  [[nodiscard]] const std::optional<OutOfServiceReason>& of(ServiceSource source) const;

  friend bool operator==(const OutOfService&, const OutOfService&) = default;

 private:
  std::array<std::optional<OutOfServiceReason>, kServiceSources> by_source_{};
};

// ---- the automatic source: the service checks ------------------------------------------------------
// What the runtime checks (kiosk/runtime/include/runtime/service_checks.hpp says how), in the order staff
// read them.
enum class Check { Platform, Clock, Journal, Drivers };
inline constexpr std::size_t kChecks = 4;
inline constexpr std::array<Check, kChecks> kAllChecks = {Check::Platform, Check::Clock, Check::Journal,
                                                          Check::Drivers};
std::string_view to_string(Check c);  // "platform", "clock", "journal", "drivers"
// The customer's words when this check takes the kiosk out of service ("service.reason.clock").
std::string_view reason_key(Check c);

// Unknown: the check could not be judged this time (the clock without an answer from the platform; the
// platform when a TLS failure was the clock's): the last known state stands.
enum class CheckState { Unknown, Ok, Failing };
std::string_view to_string(CheckState s);  // "unknown", "ok", "failing"

struct CheckResult {
  Check check = Check::Platform;
  CheckState state = CheckState::Unknown;
  std::string detail;  // for staff: "offline: Connection refused", "212 MiB free, 512 MiB wanted"
  friend bool operator==(const CheckResult&, const CheckResult&) = default;
};

// The platform check's hysteresis: `out_after` failures in a row take the platform away, `back_after`
// successes in a row bring it back, so one lost packet does not flash 暂停服务 and one lucky answer does
// not reopen a kiosk whose link keeps failing.
struct Hysteresis {
  int failures = 0;   // in a row
  int successes = 0;  // in a row
  bool down = false;
  // One observation; true when `down` changed.
  bool observe(bool ok, int out_after, int back_after);
  friend bool operator==(const Hysteresis&, const Hysteresis&) = default;
};

// The model's part: the sources, and what the checks said last.
struct Service {
  OutOfService sources;
  std::array<CheckResult, kChecks> checks{CheckResult{Check::Platform}, CheckResult{Check::Clock},
                                          CheckResult{Check::Journal}, CheckResult{Check::Drivers}};
  Hysteresis platform;
  friend bool operator==(const Service&, const Service&) = default;
};

// The automatic source's reason from the checks as they stand (the platform's after its hysteresis), or
// nullopt when every check passes. The customer reads the first failing in this order: the clock (a wrong
// clock also breaks TLS), the journal, the drivers, the platform; the detail names every failing one.
std::optional<OutOfServiceReason> automatic_reason(const Service& s);

}  // namespace core
