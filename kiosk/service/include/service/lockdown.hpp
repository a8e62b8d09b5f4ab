// The kiosk's process holds PINs and SMS codes in memory (docs/packaging.md, "Hardening"): no core file
// (RLIMIT_CORE 0, which the unit's LimitCORE=0 also sets) and not dumpable (PR_SET_DUMPABLE 0: no ptrace
// attach by the same user, no core, its /proc files readable only by root).
#pragma once

#include <string>

namespace service {

// Applies both; returns what failed (for the log), empty when both hold.
std::string lock_down_process();

}  // namespace service
