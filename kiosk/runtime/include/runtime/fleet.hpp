// The fleet's configuration on this kiosk (docs/fleet.md, "On the kiosk"): the install-time values as
// fleet::Settings, what the effective settings mean for the core, the service hours and the fleet's
// out-of-service as the out-of-service model's sources, a brand's module resolved through p11-kit's
// registry, and the state the runtime reports (status, heartbeat, event log).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/service.hpp"
#include "fleet/settings.hpp"
#include "runtime/config.hpp"

namespace runtime {

// What the configuration is doing now, in the heartbeat's words (services/platform/openapi.yaml,
// FleetConfigState).
enum class FleetState {
  Install,     // "install": no bundle applied; the install-time values
  Trial,       // "trial": a bundle applied, in its health window
  Applied,     // "applied": a bundle applied and trusted after its health window
  Waiting,     // "waiting": a verified bundle waits for a safe point (a customer is being served)
  RolledBack,  // "rolled_back": the last bundle failed its health window; the last known good runs
  Refused,     // "refused": the last bundle fetched was refused; the running configuration stays
  Disabled,    // "disabled": no configuration roots at install, or the trust state is unreadable
};
std::string_view to_string(FleetState s);

struct FleetStatus {
  FleetState state = FleetState::Disabled;
  std::int64_t version = 0;  // the running bundle's version (0: the install-time values)
  std::string sha256;        // of its signed document
  std::int64_t expires_at = 0;
  std::int64_t applied_at = 0;       // since when it runs here, unix seconds (0: install-time values)
  bool expired = false;              // past expires_at by the platform's time: amber
  bool expired_out = false;          // ... and fleet.expired_out_of_service_days more: out of service
  std::int64_t pending_version = 0;  // Waiting / Trial: the bundle waiting or on trial
  std::string code;  // Refused: the refusal's code ("fleet.signer_revoked"); RolledBack: "fleet.rolled_back"
  std::string detail;           // Refused: the refusal's sentence; RolledBack: why; Disabled: what is missing
  std::int64_t last_fetch = 0;  // unix seconds of the last answer from the platform (0: none yet)
  std::string fetch_error;      // the last fetch's failure ("no bundle published", offline ...); empty: none
  friend bool operator==(const FleetStatus&, const FleetStatus&) = default;
};

// The install-time values of every fleet setting (docs/fleet.md, "Precedence"): the kiosk configuration's
// timeouts, language, poll and heartbeat intervals, product families' old-key policy and journal retention.
fleet::Settings install_settings(const KioskConfig& config);

// The core's part of the effective settings.
core::FleetSettings core_settings(const fleet::Settings& s);

// The module a p11-kit module name stands for: "module:" in <dir>/<name>.module, a relative path taken
// under the system's PKCS#11 directory as p11-kit does. Errors in words: the name not registered, or the
// file naming no module. A bundle names modules, never paths (docs/fleet.md, "Precedence").
std::expected<std::filesystem::path, std::string> resolve_p11kit_module(const std::filesystem::path& dir,
                                                                        std::string_view name);

// The hours source at `wall` (unix seconds, this kiosk's local time): nullopt while open; closed, the
// reason with the day and time it opens next (none within a week: none said).
std::optional<core::OutOfServiceReason> hours_reason(const fleet::ServiceHours& hours, std::int64_t wall);

// The fleet source at `wall`: the bundle's out_of_service while its from/until window holds, else the
// expired configuration's once it is out (FleetStatus::expired_out); nullopt otherwise.
std::optional<core::OutOfServiceReason> fleet_reason(const std::optional<fleet::OutOfService>& planned,
                                                     bool expired_out, std::int64_t wall);

}  // namespace runtime
