// What the terminal itself says about its disk, memory, uptime and network, for the status page
// (docs/staff.md, "Status"): statvfs, /proc/self/status, /proc/meminfo, /proc/uptime, /proc/self/stat and
// getifaddrs. Each answer says when it could not be read instead of inventing a value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace runtime {

struct DiskSpace {
  std::uint64_t free_mib = 0;  // for an unprivileged user (f_bavail), as the journal check counts it
  std::uint64_t total_mib = 0;
  std::string error;  // statvfs failed: errno's words
};
DiskSpace disk_space(const std::filesystem::path& dir);

struct MemoryFacts {
  std::optional<std::uint64_t> rss_kib;        // this process's resident set (VmRSS)
  std::optional<std::uint64_t> available_kib;  // the system's MemAvailable
  std::optional<std::uint64_t> total_kib;      // MemTotal
};
MemoryFacts memory_facts();

struct UptimeFacts {
  std::optional<std::int64_t> process_s;  // since this process started
  std::optional<std::int64_t> system_s;   // since the system booted
};
UptimeFacts uptime_facts();

// The addresses of every interface that is up, loopback left out: "eth0 192.168.1.20", "wlan0 fe80::1".
std::vector<std::string> interface_addresses();

// "3 d 04:05:06" (days, then hours:minutes:seconds): language-neutral.
std::string duration_text(std::int64_t seconds);

}  // namespace runtime
