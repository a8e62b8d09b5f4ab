#include "runtime/crash_point.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace runtime {

void crash_point(std::string_view name) {
  static std::mutex mutex;  // process-wide: the points are counted across lanes
  static int passes = 0;
  static bool paused = false;
  const char* at = std::getenv("KIOSK_CRASH_AT");
  const char* trace = std::getenv("KIOSK_CRASH_TRACE");
  const char* pause = std::getenv("KIOSK_PAUSE_AT");
  if (!at && !trace && !pause) return;
  std::lock_guard lock(mutex);
  if (pause && !paused && name == pause) {
    paused = true;
    std::raise(SIGSTOP);  // the test changes the world (fills the disk, stops the platform), then SIGCONT
  }
  if (trace && *trace) {
    if (FILE* f = std::fopen(trace, "a")) {
      std::fprintf(f, "%.*s\n", static_cast<int>(name.size()), name.data());
      std::fclose(f);
    }
  }
  if (!at || !*at) return;
  std::string_view want(at);
  int nth = 1;
  if (auto hash = want.find('#'); hash != std::string_view::npos) {
    nth = std::atoi(std::string(want.substr(hash + 1)).c_str());
    want = want.substr(0, hash);
  }
  if (want != name) return;
  if (++passes >= nth) std::raise(SIGKILL);
}

}  // namespace runtime
