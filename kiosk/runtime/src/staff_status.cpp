// The status page's items (docs/staff.md, "Status"): what each shows and when it is amber or red. Values
// are language-neutral (numbers, units, versions, ISO dates); the words are the label and reason keys.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "host_facts.hpp"
#include "kiosk_version.hpp"
#include "platform/kiosk_identity.hpp"
#include "runtime/service_checks.hpp"
#include "runtime/staff_text.hpp"
#include "runtime_impl.hpp"
#include "staff_status.hpp"

namespace runtime {
namespace {

using core::Health;
using core::StatusItem;

// The thresholds docs/staff.md's table gives.
constexpr std::int64_t kClockAmberS = 60;              // chrony should hold it far closer
constexpr std::uint64_t kMemoryAmberKib = 128 * 1024;  // MemAvailable
constexpr std::uint64_t kMemoryRedKib = 32 * 1024;
constexpr std::uint64_t kDiskAmberUsedPercent = 85;
constexpr std::uint64_t kDiskAmberFactor = 4;  // free below this many times journal_min_free_mb

StatusItem status_item(std::string id, std::string label_id) {
  StatusItem i;
  i.id = std::move(id);
  i.label_key = "staff.status." + label_id;
  return i;
}

void judge(StatusItem& i, Health h, std::string reason) {
  i.health = h;
  i.reason_key = h == Health::Green ? std::string() : "staff.reason." + reason;
}

std::string mib_text(std::uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

StatusItem platform_item(const ServiceMonitor* monitor) {
  StatusItem i = status_item("platform", "platform");
  if (!monitor) {
    judge(i, Health::Amber, "platform_unchecked");
    i.detail = "this process runs no service checks";
    return i;
  }
  const auto seen = monitor->seen();
  const std::string last =
      seen.last_success_at > 0 ? "last success " + utc_iso(seen.last_success_at) : "no success yet";
  i.detail = seen.platform.detail;
  if (seen.checked_at == 0) {
    judge(i, Health::Amber, "platform_unchecked");
    i.detail = "no check has run yet";
    return i;
  }
  switch (seen.platform.state) {
    case core::CheckState::Ok:
      i.value = fmt::format("{} ms, {}", seen.round_trip_ms, utc_iso(seen.last_success_at));
      break;
    case core::CheckState::Failing:
      judge(i, Health::Red, "platform_down");
      i.value = last;
      break;
    case core::CheckState::Unknown:  // the link refused a certificate's time: the clock item says why
      judge(i, Health::Amber, "platform_unchecked");
      i.value = last;
      break;
  }
  return i;
}

StatusItem certificate_item(const KioskConfig& config, std::int64_t now) {
  StatusItem i = status_item("certificate", "certificate");
  auto days = platform::certificate_days_left(
      config.platform.client_cert, std::chrono::system_clock::time_point(std::chrono::seconds(now)));
  if (!days) {
    judge(i, Health::Red, "certificate_unreadable");
    i.detail = days.error().to_string();
    return i;
  }
  i.value = fmt::format("{} d", *days);
  i.detail = config.platform.client_cert.string();
  if (*days < 0)
    judge(i, Health::Red, "certificate_expired");
  else if (*days < platform::kKioskRenewBeforeDays)
    judge(i, Health::Amber, "certificate_expiring");
  return i;
}

StatusItem clock_item(const ServiceMonitor* monitor) {
  StatusItem i = status_item("clock", "clock");
  if (!monitor) {
    judge(i, Health::Amber, "clock_unknown");
    i.detail = "this process runs no service checks";
    return i;
  }
  const auto seen = monitor->seen();
  i.detail = seen.clock.detail;
  if (seen.skew_s) i.value = fmt::format("{:+} s", *seen.skew_s);
  if (seen.clock.state == core::CheckState::Failing) {
    judge(i, Health::Red, "clock_wrong");  // beyond kClockMaxSkewS, or TLS refused a certificate's time
  } else if (!seen.skew_s) {
    judge(i, Health::Amber, "clock_unknown");
  } else if (std::llabs(*seen.skew_s) > kClockMaxSkewS) {
    judge(i, Health::Red, "clock_wrong");
  } else if (std::llabs(*seen.skew_s) > kClockAmberS) {
    judge(i, Health::Amber, "clock_off");
  }
  return i;
}

StatusItem config_item(const FleetStatus& s, bool fleet_expected) {
  StatusItem i = status_item("config", "config");
  i.value = fmt::format("v{} {}", s.version, to_string(s.state));
  if (s.applied_at > 0) i.value += " " + utc_iso(s.applied_at);
  if (s.pending_version > 0) i.value += fmt::format(" (v{} pending)", s.pending_version);
  i.detail = s.code.empty() ? s.detail : s.code + ": " + s.detail;
  if (!s.fetch_error.empty()) i.detail += (i.detail.empty() ? "" : "; ") + ("last fetch: " + s.fetch_error);
  if (s.expired_out)
    judge(i, Health::Red, "config_expired");
  else if (s.state == FleetState::Refused)
    judge(i, Health::Amber, "config_refused");
  else if (s.state == FleetState::RolledBack)
    judge(i, Health::Amber, "config_rolled_back");
  else if (s.expired)
    judge(i, Health::Amber, "config_expired");
  else if (s.state == FleetState::Disabled && fleet_expected)
    judge(i, Health::Amber, "config_disabled");  // roots pinned, yet no configuration can be applied
  return i;
}

StatusItem journal_item(const JournalCheck& c, const std::filesystem::path& path) {
  StatusItem i = status_item("journal", "journal");
  i.value = mib_text(c.bytes);
  if (!c.integrity.empty()) {
    judge(i, Health::Red, c.damaged ? "journal_damaged" : "journal_unreadable");
    i.detail = "integrity_check: " + c.integrity;
    return i;
  }
  if (!c.chain.empty()) {
    judge(i, Health::Red, c.damaged ? "journal_damaged" : "journal_unreadable");
    i.detail = "audit chain: " + c.chain;
    return i;
  }
  i.value += fmt::format(", {} audit entries", c.entries);
  i.detail = fmt::format("integrity ok, audit chain verified, in {} ms ({})", c.ms, path.string());
  return i;
}

StatusItem disk_item(const KioskConfig& config) {
  StatusItem i = status_item("disk", "disk");
  const auto dir =
      config.journal_path.has_parent_path() ? config.journal_path.parent_path() : std::filesystem::path(".");
  const DiskSpace d = disk_space(dir);
  if (!d.error.empty()) {
    judge(i, Health::Red, "disk_full");
    i.detail = d.error;
    return i;
  }
  // Used as the owner of the journal sees it: what it may not use (the root reserve counts as used).
  const std::uint64_t used_percent =
      d.total_mib == 0 ? 100 : (d.total_mib - std::min(d.free_mib, d.total_mib)) * 100 / d.total_mib;
  i.value = fmt::format("{} MiB free of {} MiB ({} % used)", d.free_mib, d.total_mib, used_percent);
  i.detail = fmt::format("{}; the kiosk stops taking business below {} MiB (journal_min_free_mb)",
                         dir.string(), config.journal_min_free_mb);
  if (d.free_mib < config.journal_min_free_mb)
    judge(i, Health::Red, "disk_full");
  else if (used_percent >= kDiskAmberUsedPercent ||
           d.free_mib < kDiskAmberFactor * config.journal_min_free_mb)
    judge(i, Health::Amber, "disk_low");
  return i;
}

StatusItem memory_item() {
  StatusItem i = status_item("memory", "memory");
  const MemoryFacts m = memory_facts();
  const auto mib = [](std::optional<std::uint64_t> kib) {
    return kib ? std::to_string(*kib / 1024) + " MiB" : std::string("?");
  };
  i.value = "RSS " + mib(m.rss_kib) + ", " + mib(m.available_kib) + " available of " + mib(m.total_kib);
  if (m.available_kib && *m.available_kib < kMemoryRedKib)
    judge(i, Health::Red, "memory_critical");
  else if (m.available_kib && *m.available_kib < kMemoryAmberKib)
    judge(i, Health::Amber, "memory_low");
  return i;
}

StatusItem uptime_item() {
  StatusItem i = status_item("uptime", "uptime");
  const UptimeFacts u = uptime_facts();
  i.value = "process " + (u.process_s ? duration_text(*u.process_s) : std::string("?")) + ", system " +
            (u.system_s ? duration_text(*u.system_s) : std::string("?"));
  return i;
}

StatusItem network_item() {
  StatusItem i = status_item("network", "network");
  const auto addresses = interface_addresses();
  for (const auto& a : addresses) i.value += (i.value.empty() ? "" : ", ") + a;
  if (addresses.empty()) {
    judge(i, Health::Red, "no_network");
    i.detail = "no interface but loopback is up with an address";
  }
  return i;
}

}  // namespace

JournalCheck check_journal_now(StepJournal& journal, const std::filesystem::path& path) {
  JournalCheck c;
  std::error_code ec;
  for (const auto& p : {path, std::filesystem::path(path.string() + "-wal")}) {
    const auto n = std::filesystem::file_size(p, ec);
    if (!ec) c.bytes += n;
  }
  // Under the journal's lock, as every write of the business lane: a renewal step's next journal write
  // waits for it (docs/staff.md, "Status", says how long it takes).
  const auto t0 = std::chrono::steady_clock::now();
  journal.with([&](journal::Journal& j) {
    if (auto r = j.integrity_check(); !r) {
      c.integrity = r.error().detail;
      c.damaged = r.error().code == journal::ErrorCode::Corrupt;
      return;
    }
    auto chain = j.verify_chain();
    if (!chain) {
      c.chain = chain.error().detail;
      c.damaged = chain.error().code == journal::ErrorCode::Chain ||
                  chain.error().code == journal::ErrorCode::Corrupt;
      return;
    }
    c.entries = *chain;
    if (auto start = j.chain_start()) c.chain_start = *start;
    if (auto tail = j.audit_tail(1); tail && !tail->empty()) {
      c.head_seq = tail->front().seq;
      c.head_sha256 = tail->front().hash_hex;
    }
  });
  c.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

std::vector<core::StatusItem> gather_status(KioskRuntime::Impl& rt, const FleetStatus& fleet,
                                            JournalCheck& journal) {
  const KioskConfig& c = rt.opt.config;
  std::vector<StatusItem> items;
  items.push_back(platform_item(rt.monitor.get()));
  items.push_back(certificate_item(c, rt.wall()));
  items.push_back(clock_item(rt.monitor.get()));
  items.push_back(config_item(fleet, rt.opt.fleet && !c.fleet.roots_file.empty()));
  StatusItem software = status_item("software", "software");
  software.value = kiosk_version();
  items.push_back(std::move(software));
  for (const auto& d : rt.hub->drivers()) {
    StatusItem i = status_item("driver." + d.brand_id, "driver");
    i.value = d.brand_id + (d.loaded ? " " + d.manufacturer + " " + d.library_version : std::string());
    i.detail = d.module + (d.problem.empty() ? "" : ": " + d.problem);
    if (!d.loaded) judge(i, Health::Red, "driver_missing");
    items.push_back(std::move(i));
  }
  journal = check_journal_now(*rt.journal, c.journal_path);
  items.push_back(journal_item(journal, c.journal_path));
  items.push_back(disk_item(c));
  items.push_back(memory_item());
  items.push_back(uptime_item());
  items.push_back(network_item());
  return items;
}

std::vector<core::StatusItem> KioskRuntime::staff_status() {
  JournalCheck journal;
  return gather_status(*impl_, fleet_status(), journal);
}

}  // namespace runtime
