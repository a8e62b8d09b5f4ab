// The kiosk as it starts, for the tests that drive it by synthetic touch (account_app_test,
// renewal_app_test): the real runtime from a configuration file, the app offscreen, harness scripts
// (kiosk/app/src/harness.hpp, the verbs of assets/harness/*.txt), the texts of the last frame's widgets,
// and one event log for both as ca-kiosk has, with the lines it would write to stderr (the canary checks).
#pragma once

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app.hpp"
#include "canary.hpp"
#include "events/event_log.hpp"
#include "files.hpp"
#include "harness.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"

namespace enginetest {

class AppKiosk {
 public:
  using DemoPanel = std::function<void(ui::Ctx&, const core::Model&)>;

  // `shots`: where a script's `shot` writes when the call names no folder. `demo_panel`: AppConfig's.
  // `service_monitor`: the runtime runs the service checks and sends the heartbeat, as ca-kiosk's does.
  AppKiosk(const std::filesystem::path& config, std::filesystem::path shots, DemoPanel demo_panel = {},
           bool service_monitor = false)
      : shots_(std::move(shots)) {
    events_.add_sink(lines_);
    auto cfg = runtime::load_config(config);
    REQUIRE(cfg.has_value());
    runtime::RuntimeOptions o;
    o.config = *cfg;
    o.events = &events_;
    o.service_monitor = service_monitor;
    auto rt = runtime::KioskRuntime::create(std::move(o));
    REQUIRE_MESSAGE(rt.has_value(), (rt ? std::string() : rt.error().to_string()));
    rt_ = std::move(*rt);
    app::AppConfig ac;
    ac.settings.staff_keys = cfg->staff.has_value();  // as ca-kiosk's main() sets it
    ac.mode = app::DisplayMode::Headless;
    ac.assets = app::load_assets(KIOSK_TEST_ASSETS);
    ac.seed = [] { return 7u; };
    ac.events = &events_;
    ac.rasterise_only_screenshots = true;
    ac.demo_panel = std::move(demo_panel);
    app_ = std::make_unique<app::App>(std::move(ac), *rt_);
  }
  ~AppKiosk() {
    app_.reset();
    rt_->stop();
    rt_.reset();
  }
  AppKiosk(const AppKiosk&) = delete;
  AppKiosk& operator=(const AppKiosk&) = delete;

  app::App& app() { return *app_; }
  events::EventLog& events() { return events_; }
  // Everything the event log holds (its ring, each event as its line) and every line it wrote.
  std::string event_text() const {
    std::string s;
    for (const auto& e : events_.last(events_.capacity())) s += events::format_line(e) + "\n";
    return s + lines_->text();
  }
  // The canary check: none of `secrets`, nor any SMS code a script typed, in the event log's ring or lines
  // (canary.hpp says how digits count), and the log is not empty (a check of nothing would pass).
  void check_no_secrets(std::vector<std::string> secrets) const {
    CHECK_FALSE(secrets.empty());
    secrets.insert(secrets.end(), codes_.begin(), codes_.end());
    const std::string text = event_text();
    CHECK(events_.total() > 0);
    const auto found = canary::found(text, secrets);
    CHECK_MESSAGE(found.empty(), "secrets in the event log: " << canary::joined(found) << "\n" << text);
  }
  runtime::KioskRuntime& runtime() { return *rt_; }
  const core::Model& model() { return app_->model(); }
  app::HarnessHooks& hooks() { return hooks_; }
  const std::filesystem::path& shots() const { return shots_; }

  // Runs harness lines; returns how many steps failed, and what the harness printed.
  int run(std::string_view text, std::string& printed, const std::filesystem::path& shots = {}) {
    auto steps = app::parse_script(text);
    REQUIRE_MESSAGE(steps.has_value(), "script does not parse");
    char* buf = nullptr;
    std::size_t len = 0;
    std::FILE* log = open_memstream(&buf, &len);
    // The SMS codes the script types are remembered for the canary checks.
    app::HarnessHooks hooks = hooks_;
    if (hooks.sms_code)
      hooks.sms_code = [this, inner = hooks_.sms_code](const std::string& phone) {
        auto code = inner(phone);
        if (code) codes_.push_back(*code);
        return code;
      };
    const auto r = app::run_script(*app_, *steps, shots.empty() ? shots_ : shots, log, hooks);
    std::fclose(log);
    printed.assign(buf, len);
    std::free(buf);
    if (std::getenv("KIOSK_TEST_VERBOSE")) fmt::print("{}", printed);
    return r.failures;
  }
  std::string text(std::string_view key) {
    app_->settle();
    const auto* w = app_->widgets().find(key);
    return w ? w->text : std::string("<no widget ") + std::string(key) + ">";
  }
  bool drawn(std::string_view key) {
    app_->settle();
    return app_->widgets().find(key) != nullptr;
  }
  // Every text drawn in the last frame, joined.
  std::string all_text() {
    app_->settle();
    std::string s;
    for (const auto& w : app_->widgets().all()) s += w.text + "\n";
    return s;
  }
  // Runs the app until `done` (checked after each settled frame) or `ms` pass.
  template <typename Pred>
  bool wait(Pred done, int ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!done() && std::chrono::steady_clock::now() < end) {
      app_->pump(50);
      app_->settle();
    }
    return done();
  }

 private:
  std::filesystem::path shots_;
  events::EventLog events_;  // outlives the runtime and the app (declared before them)
  std::shared_ptr<canary::Lines> lines_ = std::make_shared<canary::Lines>();
  std::unique_ptr<runtime::KioskRuntime> rt_;
  std::unique_ptr<app::App> app_;
  app::HarnessHooks hooks_;
  std::vector<std::string> codes_;  // every SMS code a script typed
};

}  // namespace enginetest
