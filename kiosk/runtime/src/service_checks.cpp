#include "runtime/service_checks.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "token/module.hpp"

namespace runtime {

core::CheckResult check_journal(const std::filesystem::path& journal, std::uint32_t min_free_mb) {
  core::CheckResult r{core::Check::Journal, core::CheckState::Failing, ""};
  const std::filesystem::path dir = journal.has_parent_path() ? journal.parent_path() : ".";
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) {
    r.detail = dir.string() + ": " + std::strerror(errno);
    return r;
  }
  if ((st.f_flag & ST_RDONLY) != 0) {
    r.detail = dir.string() + ": the filesystem is read-only";
    return r;
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    r.detail = dir.string() + ": not writable (" + std::strerror(errno) + ")";
    return r;
  }
  std::error_code ec;
  if (std::filesystem::exists(journal, ec) && ::access(journal.c_str(), W_OK) != 0) {
    r.detail = journal.string() + ": not writable (" + std::strerror(errno) + ")";
    return r;
  }
  const std::uint64_t free_mib =
      static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize) / (1024 * 1024);
  r.detail = std::to_string(free_mib) + " MiB free on " + dir.string() + ", " + std::to_string(min_free_mb) +
             " MiB wanted (journal_min_free_mb)";
  r.state = free_mib < min_free_mb ? core::CheckState::Failing : core::CheckState::Ok;
  return r;
}

core::CheckResult check_drivers(const std::vector<std::string>& problems) {
  core::CheckResult r{core::Check::Drivers, core::CheckState::Ok, "every configured brand's module loaded"};
  if (problems.empty()) return r;
  r.state = core::CheckState::Failing;
  r.detail.clear();
  for (const auto& p : problems) r.detail += (r.detail.empty() ? "" : "; ") + p;
  return r;
}

core::CheckResult check_drivers(const KioskConfig& config) {
  // One load per distinct library, as the runtime's token hub does; the problem under the first brand
  // that names it.
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& brand : config.brands) {
    if (!seen.insert(brand.module.string()).second) continue;
    auto m = token::Module::load(brand.module);
    if (!m) problems.push_back(brand.id + ": " + m.error().to_string());
  }
  return check_drivers(problems);
}

std::string describe_skew(std::int64_t skew_s) {
  if (skew_s == 0) return "in step with the platform's, within a second";
  return std::to_string(std::llabs(skew_s)) + " s " + (skew_s < 0 ? "behind" : "ahead of") +
         " the platform's";
}

PlatformVerdict judge_platform(const platform::Error* failed, std::optional<std::int64_t> skew_s) {
  PlatformVerdict v;
  using core::CheckState;
  if (failed && failed->kind == platform::ErrorKind::Tls && failed->certificate_time) {
    // The link works far enough to show a certificate that this kiosk's clock, or the platform's, puts
    // outside its validity: the clock is what staff must look at.
    v.platform.state = CheckState::Unknown;
    v.platform.detail = failed->to_string();
    v.clock.state = CheckState::Failing;
    v.clock.detail = "TLS refused a certificate outside its validity window: " + failed->to_string();
    return v;
  }
  if (failed) {
    v.platform.state = CheckState::Failing;
    v.platform.detail = failed->to_string();
  } else {
    v.platform.state = CheckState::Ok;
  }
  // Only an answer carries the platform's time: after a failure without one, the last offset is old news.
  const bool answered = !failed || failed->kind == platform::ErrorKind::Http;
  if (!answered || !skew_s) {
    v.clock.state = CheckState::Unknown;
    v.clock.detail = answered ? "the platform sent no time (no Date header)" : "no answer from the platform";
    return v;
  }
  v.clock.state = std::llabs(*skew_s) > kClockMaxSkewS ? CheckState::Failing : CheckState::Ok;
  v.clock.detail = "this kiosk's clock is " + describe_skew(*skew_s) +
                   " (allowed: " + std::to_string(kClockMaxSkewS) + " s either way)";
  return v;
}

}  // namespace runtime
