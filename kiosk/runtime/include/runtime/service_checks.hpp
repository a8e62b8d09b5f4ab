// The service checks (docs/operations.md, "In service or not"): whether business can start now. One
// function per check, so that the kiosk's runtime (every service.check_s, with the platform's hysteresis
// in the core: core/service.hpp) and `kioskctl status` (once) judge alike.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/service.hpp"
#include "platform/error.hpp"
#include "runtime/config.hpp"

namespace runtime {

// The platform's clock and this kiosk's may differ by this much; beyond it the kiosk takes no new business
// (SMS codes expire by the platform's clock, TLS and the customer's certificates are judged by time).
inline constexpr std::int64_t kClockMaxSkewS = 300;

// The journal: its folder writable (SQLite makes its -wal and -shm files there), the file writable when it
// exists, the filesystem not mounted read-only, and at least `min_free_mb` MiB free for an unprivileged
// user (statvfs f_bavail). The detail says what is wrong, or how much is free.
core::CheckResult check_journal(const std::filesystem::path& journal, std::uint32_t min_free_mb);

// The drivers: every configured brand's PKCS#11 module loaded. `problems`: one line per brand whose module
// did not load ("haitai: module_missing: …"), as the runtime's token hub keeps them; empty when all did.
core::CheckResult check_drivers(const std::vector<std::string>& problems);
// The same for a process with no token hub (`kioskctl status`): loads each configured module now
// (C_Initialize, then C_Finalize when it is released).
core::CheckResult check_drivers(const KioskConfig& config);

// The platform and the clock, from one call to the platform: `failed` its error (null when it succeeded),
// `skew_s` this kiosk's clock minus the platform's by the Date header of that call's answer (none when it
// brought no answer, or no Date). The platform passes when the call succeeded. A TLS failure on a
// certificate's validity window is the clock's: the clock fails and the platform is unknown (its
// hysteresis neither counts it as down nor as back). The clock passes within kClockMaxSkewS.
struct PlatformVerdict {
  core::CheckResult platform{core::Check::Platform};
  core::CheckResult clock{core::Check::Clock};
};
PlatformVerdict judge_platform(const platform::Error* failed, std::optional<std::int64_t> skew_s);

// "120 s behind the platform's", "in step with the platform's (within a second)".
std::string describe_skew(std::int64_t skew_s);

}  // namespace runtime
