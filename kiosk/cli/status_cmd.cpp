// kioskctl status: what a technician at the terminal asks first (docs/operations.md, "kioskctl status"):
// the version, the kiosk's id and configuration, then the service checks that decide whether business can
// start (runtime/service_checks.hpp, judged as the running kiosk judges them), the unfinished business, and
// an exit code that says whether the kiosk can take business and, if not, why.
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "contract/json.hpp"
#include "core/service.hpp"
#include "exit_codes.hpp"
#include "journal/journal.hpp"
#include "kiosk_version.hpp"
#include "platform/client.hpp"
#include "runtime/platform_options.hpp"
#include "runtime/service_checks.hpp"
#include "runtime/staff_text.hpp"

namespace kioskctl {
namespace {

using core::Check;
using core::CheckResult;
using core::CheckState;

std::string state_word(CheckState s) {
  switch (s) {
    case CheckState::Ok:
      return "ok";
    case CheckState::Failing:
      return "FAILING";
    case CheckState::Unknown:
      return "unknown";
  }
  return "unknown";
}

struct Status {
  std::vector<CheckResult> checks;  // platform, clock, journal, drivers
  std::optional<platform::Error> platform_error;
  std::optional<std::int64_t> skew_s;
  std::optional<std::int64_t> platform_now;
  std::string next_journal, next_drivers;
  int drivers_code = kOk;
  std::size_t unfinished = 0;
  std::int64_t outbox_pending = 0;  // messages the platform has not acknowledged yet
  bool journal_readable = true;
};

Status gather(const runtime::KioskConfig& cfg) {
  Status st;
  platform::ClientOptions o = runtime::client_options(cfg);
  o.max_attempts = 1;  // one observation, as each of the kiosk's own rounds is
  auto client = platform::Client::create(o);
  CheckResult platform_check{Check::Platform};
  CheckResult clock_check{Check::Clock};
  if (!client) {
    st.platform_error = client.error();
    platform_check = {Check::Platform, CheckState::Failing, client.error().to_string()};
    clock_check = {Check::Clock, CheckState::Unknown, "no answer from the platform"};
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    auto cat = client->catalog();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (!cat) st.platform_error = cat.error();
    if (const auto offset = client->platform_clock_offset()) {
      st.skew_s = -*offset;  // this machine's clock minus the platform's
      st.platform_now = static_cast<std::int64_t>(std::time(nullptr)) + *offset;
    }
    auto verdict = runtime::judge_platform(st.platform_error ? &*st.platform_error : nullptr, st.skew_s);
    platform_check = verdict.platform;
    clock_check = verdict.clock;
    if (cat)
      platform_check.detail =
          fmt::format("{} ({} ms, catalog {})", client->options().base_url, ms, cat->version);
  }
  st.checks.push_back(platform_check);
  st.checks.push_back(clock_check);
  st.checks.push_back(runtime::check_journal(cfg.journal_path, cfg.journal_min_free_mb));
  if (st.checks.back().state == CheckState::Failing)
    st.next_journal = "free space on the journal's disk, or fix its folder's permissions (journal_path)";
  st.checks.push_back(runtime::check_drivers(cfg));
  if (st.checks.back().state == CheckState::Failing) {
    st.drivers_code = kModuleLoadFailed;
    for (const auto& b : cfg.brands) {
      std::error_code ec;
      if (!std::filesystem::exists(b.module, ec)) st.drivers_code = kModuleMissing;
    }
    st.next_drivers = st.drivers_code == kModuleMissing
                          ? "install the brand's PKCS#11 library at brands[].module (kioskctl token modules)"
                          : "the library is there but does not load: reinstall it, or ask its vendor";
  }
  auto j = journal::Journal::open(cfg.journal_path);
  auto open = j ? j->unfinished_businesses() : journal::Result<std::vector<journal::Business>>{};
  if (!j || !open)
    st.journal_readable = false;
  else
    st.unfinished = open->size();
  if (j)
    if (auto messages = j->outbox(false))
      for (const auto& m : *messages) st.outbox_pending += m.state == journal::OutboxState::Pending ? 1 : 0;
  return st;
}

// The one the customer would read on the kiosk's home: the first failing in the core's order (the clock,
// the journal, the drivers, the platform), and its exit code.
int exit_code(const Status& st) {
  auto failing = [&](Check c) {
    for (const auto& r : st.checks)
      if (r.check == c) return r.state == CheckState::Failing;
    return false;
  };
  if (failing(Check::Clock)) return kClock;
  if (failing(Check::Journal) || !st.journal_readable) return kJournal;
  if (failing(Check::Drivers)) return st.drivers_code;
  if (failing(Check::Platform)) return st.platform_error ? platform_exit_code(*st.platform_error) : kFailure;
  return kOk;
}

void print_text(const runtime::KioskConfig& cfg, const Globals& g, const Status& st, int code) {
  fmt::print("kioskctl {}\nkiosk {} (configuration {})\n", kiosk_version(), cfg.kiosk_id,
             g.config_path.empty() ? "$KIOSK_CONFIG or /etc/ca-kiosk/kiosk.json" : g.config_path.string());
  for (const auto& r : st.checks) {
    std::string line = fmt::format("{} {}: {}", core::to_string(r.check), state_word(r.state), r.detail);
    if (r.check == Check::Clock && st.platform_now)
      line += fmt::format("; platform time {} (certificates are judged by the platform's time)",
                          runtime::utc_minute(*st.platform_now));
    fmt::print("{}\n", line);
    if (r.state != CheckState::Failing) continue;
    if (r.check == Check::Platform && st.platform_error)
      fmt::print("  next: {}\n", platform_next_step(*st.platform_error));
    if (r.check == Check::Clock)
      fmt::print(
          "  next: set this kiosk's clock (timedatectl, chronyc tracking); the platform's is "
          "authoritative\n");
    if (r.check == Check::Journal) fmt::print("  next: {}\n", st.next_journal);
    if (r.check == Check::Drivers) fmt::print("  next: {}\n", st.next_drivers);
  }
  if (st.journal_readable)
    fmt::print(
        "business: {} unfinished business{}, {} message{} the platform has not acknowledged yet "
        "(kioskctl business list)\n",
        st.unfinished, st.unfinished == 1 ? "" : "es", st.outbox_pending, st.outbox_pending == 1 ? "" : "s");
  else
    fmt::print("business: the journal {} cannot be read (kioskctl journal-verify)\n",
               cfg.journal_path.string());
  if (code == kOk)
    fmt::print("in service: business can start\n");
  else
    fmt::print(
        "out of service (exit {}): the kiosk's home says 暂停服务 while this lasts (the platform only "
        "after {} failed checks in a row)\n",
        code, cfg.service.platform_out_after);
}

// The same in the heartbeat's form (services/platform/openapi.yaml, Heartbeat), for scripts.
void print_json(const Status& st, int code) {
  contract::Heartbeat h;
  h.software_version = kiosk_version();
  h.clock_skew_s = st.skew_s;
  h.outbox_pending = st.outbox_pending;
  for (const auto& r : st.checks)
    h.health.push_back({std::string(core::to_string(r.check)),
                        r.state == CheckState::Ok        ? "ok"
                        : r.state == CheckState::Failing ? "down"
                                                         : "unknown",
                        r.detail});
  if (code != kOk) {
    core::Service s;
    for (const auto& r : st.checks) s.checks[static_cast<std::size_t>(r.check)] = r;
    s.platform.down = s.checks[0].state == CheckState::Failing;
    if (auto reason = core::automatic_reason(s))
      h.out_of_service.push_back({"automatic", reason->reason_key, reason->detail});
  }
  fmt::print("{}\n", contract::encode(h).dump(2));
}

}  // namespace

void add_status_command(CLI::App& app, Globals& g) {
  CLI::App* status = app.add_subcommand("status",
                                        "this kiosk at a glance: version, configuration, the service checks "
                                        "(platform, clock, journal, drivers), "
                                        "unfinished business; the exit code says whether business can start");
  status->callback([&g] {
    auto cfg = load_config_or_report(g);
    if (!cfg) throw CLI::RuntimeError(kConfig);
    const Status st = gather(*cfg);
    const int code = exit_code(st);
    if (g.json_output)
      print_json(st, code);
    else
      print_text(*cfg, g, st, code);
    if (code != kOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace kioskctl
