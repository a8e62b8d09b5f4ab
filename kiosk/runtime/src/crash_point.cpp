#include "runtime/crash_point.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace runtime {

#if !KIOSK_TEST_HOOKS
// The package build (KIOSK_TEST_HOOKS=OFF): no crash on request, no trace written to any path.
void crash_point(std::string_view) {}
#else
void crash_point(std::string_view name) {
  static std::mutex mutex;  // process-wide: the points are counted across lanes
  static int passes = 0;
  const char* at = std::getenv("KIOSK_CRASH_AT");
  const char* trace = std::getenv("KIOSK_CRASH_TRACE");
  if (!at && !trace) return;
  std::lock_guard lock(mutex);
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
#endif

}  // namespace runtime
