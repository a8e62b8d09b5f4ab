// Named crash points for the reliability tests (docs/testing.md): after every journal write and after every
// external effect the runtime calls crash_point("<step>.<where>"). With KIOSK_CRASH_AT=<name> in the
// environment the process kills itself there with SIGKILL (no destructor, no flush: a power cut as far
// as the process can tell); KIOSK_CRASH_AT=<name>#<n> at the n-th pass. KIOSK_CRASH_TRACE=<file> appends
// every point passed, so a sweep can list them from one clean run. KIOSK_PAUSE_AT=<name> stops the process
// there once (SIGSTOP) so that a test can change the world at that moment (fill the disk, stop the
// platform) and let it go on (SIGCONT). KIOSK_CRASH_SIGNAL=TERM sends the process SIGTERM at the crash point
// instead and goes on (the safe stop's sweep). Without these variables it does nothing. Tests only: the
// kiosk's service unit never sets them, and the package build (KIOSK_TEST_HOOKS=OFF) compiles them out.
#pragma once

#include <string_view>

namespace runtime {

void crash_point(std::string_view name);
// With KIOSK_CRASH_TRACE and KIOSK_TRACE_EFFECTS=1: appends "begin:<effect>" when an effect starts on the
// business lane, so the safe stop's sweep can tell that none began after the stop. Never a crash point.
void trace_effect_begins(std::string_view effect);

}  // namespace runtime
