#include "process_stats.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>

namespace app {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::pair<long, long> rss_kb() {
  long anon_kb = 0;
  long file_kb = 0;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char l[256];
    while (std::fgets(l, sizeof l, f)) {
      std::sscanf(l, "RssAnon: %ld", &anon_kb);
      std::sscanf(l, "RssFile: %ld", &file_kb);
    }
    std::fclose(f);
  }
  return {anon_kb, file_kb};
}

std::size_t heap_kb() {
  const struct mallinfo2 mi = mallinfo2();
  return (mi.uordblks + mi.hblkhd) / 1024;
}

long long sqlite_kb() {
  void* lib = dlopen("libsqlite3.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (!lib) return -1;
  using Used = long long (*)();
  auto used = reinterpret_cast<Used>(dlsym(lib, "sqlite3_memory_used"));
  const long long n = used ? used() / 1024 : -1;
  dlclose(lib);
  return n;
}

}  // namespace app
