// kioskctl sync: the fleet's configuration fetched, verified and applied now, by this process (docs/fleet.md,
// "On the kiosk"), while ca-kiosk is stopped (it owns the journal otherwise: staff use 【立即同步】 there).
// Nobody is served here, so the bundle is applied at once and judged over its health window.
#include <fmt/core.h>

#include <chrono>
#include <thread>

#include "commands.hpp"
#include "events/event_log.hpp"
#include "exit_codes.hpp"
#include "runtime/kiosk_runtime.hpp"

namespace kioskctl {
namespace {

int run_sync(const Globals& g, bool verbose) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  const auto window = std::chrono::seconds(cfg->fleet.health_window_s);
  const auto request =
      std::chrono::milliseconds(cfg->platform.request_timeout_ms + cfg->platform.connect_timeout_ms);
  runtime::RuntimeOptions o;
  o.config = *cfg;
  o.watch_tokens = false;
  o.fleet = true;
  o.program = "kioskctl sync";
  events::EventLog log;
  if (verbose) log.add_sink(std::make_shared<events::StreamSink>(stderr));
  o.events = &log;
  auto rt = runtime::KioskRuntime::create(std::move(o));
  if (!rt) {
    fmt::print(stderr, "kioskctl: sync: {}\n", rt.error().to_string());
    return rt.error().part == runtime::StartError::Part::Busy ? kBusy : kFailure;
  }
  (*rt)->set_safe_point(true);
  // Until the fetch answered or failed, and what it brought is trusted, rolled back or refused; bounded by
  // the request's timeouts and the health window.
  const auto deadline = std::chrono::steady_clock::now() + request + window + std::chrono::seconds(5);
  runtime::FleetStatus s = (*rt)->fleet_status();
  while (std::chrono::steady_clock::now() < deadline) {
    s = (*rt)->fleet_status();
    const bool fetched = s.last_fetch > 0 || !s.fetch_error.empty();
    const bool settled = s.state != runtime::FleetState::Waiting && s.state != runtime::FleetState::Trial;
    if (s.state == runtime::FleetState::Disabled || (fetched && settled)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  (*rt)->stop();
  fmt::print("configuration: {} (version {}{}){}{}\n", runtime::to_string(s.state), s.version,
             s.sha256.empty() ? "" : ", sha256 " + s.sha256.substr(0, 16), s.code.empty() ? "" : " " + s.code,
             s.detail.empty() ? "" : ": " + s.detail);
  if (!s.fetch_error.empty()) fmt::print("last fetch: {}\n", s.fetch_error);
  switch (s.state) {
    case runtime::FleetState::Applied:
    case runtime::FleetState::Install:
      return kOk;
    case runtime::FleetState::Disabled:
      return kConfig;
    default:
      return kFailure;
  }
}

}  // namespace

void add_sync_command(CLI::App& app, Globals& g) {
  auto verbose = std::make_shared<bool>(false);
  CLI::App* c = app.add_subcommand(
      "sync", "fetch the fleet's configuration now, verify and apply it (while ca-kiosk is stopped)");
  c->add_flag("-v,--verbose", *verbose, "the event log on stderr");
  c->callback([&g, verbose] {
    if (const int rc = run_sync(g, *verbose); rc != kOk) throw CLI::RuntimeError(rc);
  });
}

}  // namespace kioskctl
