#include "runtime/staff_text.hpp"

#include <fmt/core.h>

#include <ctime>

namespace runtime {

std::string utc_minute(core::UnixSeconds t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string utc_iso(core::UnixSeconds t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string yuan(core::Fen fen) {
  return fmt::format("¥{}.{:02}", fen / 100, fen % 100);
}

}  // namespace runtime
