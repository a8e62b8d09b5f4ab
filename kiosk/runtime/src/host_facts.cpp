#include "host_facts.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace runtime {
namespace {

// The number after `key` in a "Key:   123 kB" line of a /proc file.
std::optional<std::uint64_t> proc_kib(const char* file, std::string_view key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    std::istringstream rest(line.substr(key.size() + 1));
    std::uint64_t v = 0;
    if (rest >> v) return v;
  }
  return std::nullopt;
}

}  // namespace

DiskSpace disk_space(const std::filesystem::path& dir) {
  DiskSpace d;
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) {
    d.error = dir.string() + ": " + std::strerror(errno);
    return d;
  }
  const auto frsize = static_cast<std::uint64_t>(st.f_frsize);
  d.free_mib = static_cast<std::uint64_t>(st.f_bavail) * frsize / (1024 * 1024);
  d.total_mib = static_cast<std::uint64_t>(st.f_blocks) * frsize / (1024 * 1024);
  return d;
}

MemoryFacts memory_facts() {
  return {proc_kib("/proc/self/status", "VmRSS"), proc_kib("/proc/meminfo", "MemAvailable"),
          proc_kib("/proc/meminfo", "MemTotal")};
}

UptimeFacts uptime_facts() {
  UptimeFacts u;
  double system = 0;
  if (std::ifstream in("/proc/uptime"); in >> system) u.system_s = static_cast<std::int64_t>(system);
  // Field 22 of /proc/self/stat is the process's start in clock ticks after boot; the command's name
  // (field 2, in parentheses) may hold spaces, so the fields are counted after its closing parenthesis.
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (close != std::string::npos && u.system_s && ticks > 0) {
    std::istringstream fields(text.substr(close + 1));
    std::string f;
    for (int i = 3; i <= 22 && fields >> f; ++i)
      if (i == 22) {
        const auto start_s =
            static_cast<std::int64_t>(std::stoull(f) / static_cast<unsigned long long>(ticks));
        u.process_s = *u.system_s - start_s;
      }
  }
  return u;
}

std::vector<std::string> interface_addresses() {
  std::vector<std::string> out;
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return out;
  for (ifaddrs* a = all; a; a = a->ifa_next) {
    if (!a->ifa_addr || (a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const int family = a->ifa_addr->sa_family;
    const void* where = nullptr;
    if (family == AF_INET)
      where = &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr;
    else if (family == AF_INET6)
      where = &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
    if (!where || !::inet_ntop(family, where, buf, sizeof buf)) continue;
    out.push_back(std::string(a->ifa_name) + " " + buf);
  }
  ::freeifaddrs(all);
  return out;
}

std::string duration_text(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const std::int64_t d = seconds / 86400;
  char hms[64];
  std::snprintf(hms, sizeof hms, "%02d:%02d:%02d", static_cast<int>(seconds / 3600 % 24),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return (d > 0 ? std::to_string(d) + " d " : std::string()) + hms;
}

}  // namespace runtime
