// The system's wall clock in whole Unix seconds: what the journal, the event log and the runtime stamp
// with. Whoever needs the platform's time adds its offset (docs/platform.md, "Time").
#pragma once

#include <chrono>
#include <cstdint>

namespace foundation {

inline std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace foundation
