#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>

#include "runtime/fleet.hpp"

namespace runtime {
namespace {

// p11-kit's directory for module files named by a relative "module:" line (its p11_module_path).
constexpr const char* kP11KitModulePath = "/usr/lib/x86_64-linux-gnu/pkcs11";

constexpr const char* kHoursDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string hours_hhmm(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return buf;
}

std::string trim_module_line(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::string_view to_string(FleetState s) {
  switch (s) {
    case FleetState::Install:
      return "install";
    case FleetState::Trial:
      return "trial";
    case FleetState::Applied:
      return "applied";
    case FleetState::Waiting:
      return "waiting";
    case FleetState::RolledBack:
      return "rolled_back";
    case FleetState::Refused:
      return "refused";
    case FleetState::Disabled:
      return "disabled";
  }
  return "disabled";
}

fleet::Settings install_settings(const KioskConfig& c) {
  fleet::Settings s;
  s.idle_timeout_s = c.timeouts.idle_s;
  s.session_timeout_s = c.timeouts.session_max_s;
  s.languages = {c.ui.language, c.ui.language == "en" ? "zh-CN" : "en"};
  s.config_poll_s = c.fleet.config_poll_s;
  s.heartbeat_s = c.service.heartbeat_s;
  for (const auto& f : c.product_families) s.old_key_policy[f.id] = f.old_key_policy;
  s.journal_retention_days = c.journal_retention_days;
  return s;
}

core::FleetSettings core_settings(const fleet::Settings& s) {
  core::FleetSettings f;
  f.idle_ms = core::Millis{s.idle_timeout_s} * 1000;
  f.session_max_ms = core::Millis{s.session_timeout_s} * 1000;
  f.default_language =
      !s.languages.empty() && s.languages.front() == "en" ? core::Language::En : core::Language::ZhCN;
  f.products = s.products;
  if (s.announcement) {
    f.announcement_zh_cn = s.announcement->zh_cn;
    f.announcement_en = s.announcement->en;
  }
  return f;
}

std::expected<std::filesystem::path, std::string> resolve_p11kit_module(const std::filesystem::path& dir,
                                                                        std::string_view name) {
  // The settings document checks the name already; checked again here because this is where it becomes a
  // file name.
  if (!std::regex_match(std::string(name), std::regex("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")))
    return std::unexpected("\"" + std::string(name) + "\" is not a p11-kit module name");
  const std::filesystem::path file = dir / (std::string(name) + ".module");
  std::ifstream in(file);
  if (!in) return std::unexpected("no p11-kit module \"" + std::string(name) + "\" (" + file.string() + ")");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (line.starts_with('#') || colon == std::string::npos || trim_module_line(line.substr(0, colon)) != "module")
      continue;
    std::filesystem::path p = trim_module_line(line.substr(colon + 1));
    if (p.empty()) break;
    return p.is_absolute() ? p : std::filesystem::path(kP11KitModulePath) / p;
  }
  return std::unexpected(file.string() + " names no module");
}

std::optional<core::OutOfServiceReason> hours_reason(const fleet::ServiceHours& hours, std::int64_t wall) {
  const std::time_t t = static_cast<std::time_t>(wall);
  std::tm tm{};
  if (!::localtime_r(&t, &tm)) return std::nullopt;
  const int today = (tm.tm_wday + 6) % 7;  // Monday first, as ServiceHours
  const int minute = tm.tm_hour * 60 + tm.tm_min;
  for (const auto& i : hours.days[static_cast<std::size_t>(today)])
    if (i.start_min <= minute && minute < i.end_min) return std::nullopt;
  core::OutOfServiceReason r;
  r.reason_key = "service.reason.hours";
  r.detail = "outside the service hours";
  for (int d = 0; d <= 7; ++d) {
    const int day = (today + d) % 7;
    for (const auto& i : hours.days[static_cast<std::size_t>(day)]) {
      if (d == 0 && i.start_min <= minute) continue;
      r.opens_day = d == 0 ? "today" : d == 1 ? "tomorrow" : kHoursDayNames[day];
      r.opens_time = hours_hhmm(i.start_min);
      r.detail += "; opens " + r.opens_day + " " + r.opens_time;
      return r;
    }
  }
  return r;
}

std::optional<core::OutOfServiceReason> fleet_reason(const std::optional<fleet::OutOfService>& planned,
                                                     bool expired_out, std::int64_t wall) {
  if (planned && (!planned->from || wall >= *planned->from) && (!planned->until || wall < *planned->until)) {
    core::OutOfServiceReason r;
    r.reason_key = "service.reason.fleet";
    r.text_zh_cn = planned->reason.zh_cn;
    r.text_en = planned->reason.en;
    r.detail = "the fleet's configuration";
    if (planned->until) r.detail += " until " + std::to_string(*planned->until);
    return r;
  }
  if (expired_out) {
    core::OutOfServiceReason r;
    r.reason_key = "service.reason.config_expired";
    r.detail = "the applied configuration expired and no newer one came";
    return r;
  }
  return std::nullopt;
}

}  // namespace runtime
