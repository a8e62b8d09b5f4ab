#include "runtime/crash_point.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <unistd.h>

namespace runtime {

#if !KIOSK_TEST_HOOKS
// The package build (KIOSK_TEST_HOOKS=OFF): no crash on request, no trace written to any path.
void crash_point(std::string_view) {}
void trace_effect_begins(std::string_view) {}
#else
namespace {
std::mutex& trace_mutex() {
  static std::mutex mutex;  // process-wide: the points are counted across lanes
  return mutex;
}
void append_trace(const char* trace, std::string_view line) {
  if (FILE* f = std::fopen(trace, "a")) {
    std::fprintf(f, "%.*s\n", static_cast<int>(line.size()), line.data());
    std::fclose(f);
  }
}
}  // namespace

void trace_effect_begins(std::string_view effect) {
  const char* trace = std::getenv("KIOSK_CRASH_TRACE");
  const char* effects = std::getenv("KIOSK_TRACE_EFFECTS");
  if (!trace || !*trace || !effects || std::string_view(effects) != "1") return;
  std::lock_guard lock(trace_mutex());
  append_trace(trace, "begin:" + std::string(effect));
}

void crash_point(std::string_view name) {
  static int passes = 0;
  static bool paused = false;
  const char* at = std::getenv("KIOSK_CRASH_AT");
  const char* trace = std::getenv("KIOSK_CRASH_TRACE");
  const char* pause = std::getenv("KIOSK_PAUSE_AT");
  if (!at && !trace && !pause) return;
  std::lock_guard lock(trace_mutex());
  if (pause && !paused && name == pause) {
    paused = true;
    std::raise(SIGSTOP);  // the test changes the world (fills the disk, stops the platform), then SIGCONT
  }
  if (trace && *trace) append_trace(trace, name);
  if (!at || !*at) return;
  std::string_view want(at);
  int nth = 1;
  if (auto hash = want.find('#'); hash != std::string_view::npos) {
    nth = std::atoi(std::string(want.substr(hash + 1)).c_str());
    want = want.substr(0, hash);
  }
  if (want != name) return;
  ++passes;
  // KIOSK_CRASH_SIGNAL=TERM: the service manager's stop instead of a power cut, once, to the process (not
  // this thread: the stop watcher's signalfd reads process-directed signals); the program goes on.
  if (const char* sig = std::getenv("KIOSK_CRASH_SIGNAL"); sig && std::string_view(sig) == "TERM") {
    if (passes != nth) return;
    ::kill(::getpid(), SIGTERM);
    // Until the watcher has read it, as a real stop arriving during this step would have been by its end.
    for (sigset_t pending; sigpending(&pending) == 0 && sigismember(&pending, SIGTERM) == 1;)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return;
  }
  if (passes >= nth) std::raise(SIGKILL);
}
#endif

}  // namespace runtime
