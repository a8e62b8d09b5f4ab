// The kiosk as it starts, for the tests that drive it by synthetic touch (account_app_test,
// renewal_app_test): the real runtime from a configuration file, the app offscreen, harness scripts
// (kiosk/app/src/harness.hpp, the verbs of assets/harness/*.txt), the texts of the last frame's widgets.
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

#include "app.hpp"
#include "files.hpp"
#include "harness.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"

namespace enginetest {

class AppKiosk {
 public:
  using DemoPanel = std::function<void(ui::Ctx&, const core::Model&)>;

  // `shots`: where a script's `shot` writes when the call names no folder. `demo_panel`: AppConfig's.
  AppKiosk(const std::filesystem::path& config, std::filesystem::path shots, DemoPanel demo_panel = {})
      : shots_(std::move(shots)) {
    auto cfg = runtime::load_config(config);
    REQUIRE(cfg.has_value());
    runtime::RuntimeOptions o;
    o.config = *cfg;
    auto rt = runtime::KioskRuntime::create(std::move(o));
    REQUIRE_MESSAGE(rt.has_value(), (rt ? std::string() : rt.error().to_string()));
    rt_ = std::move(*rt);
    app::AppConfig ac;
    ac.mode = app::DisplayMode::Headless;
    ac.assets = app::load_assets(KIOSK_TEST_ASSETS);
    ac.seed = [] { return 7u; };
    ac.log = [](const std::string&) {};
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
    const auto r = app::run_script(*app_, *steps, shots.empty() ? shots_ : shots, log, hooks_);
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
  std::unique_ptr<runtime::KioskRuntime> rt_;
  std::unique_ptr<app::App> app_;
  app::HarnessHooks hooks_;
};

}  // namespace enginetest
