// What this process uses, for the harness's figures (hold, frames, memory) and the benchmarks that read them:
// CPU time, RSS as the kernel splits it, the C heap in use, and SQLite's share of it.
#pragma once

#include <cstddef>
#include <utility>

namespace app {

// User + system CPU of the whole process, in seconds.
double cpu_seconds();
// RSS now in kB: anonymous (heap, surfaces) and file-backed (code, mapped fonts).
std::pair<long, long> rss_kb();
// The C heap in use in kB (glibc's count: its arenas' allocated blocks and the mmapped ones).
std::size_t heap_kb();
// SQLite's own count of what it holds, in kB, once the runtime has loaded it (the app does not link it);
// -1 before.
long long sqlite_kb();

}  // namespace app
