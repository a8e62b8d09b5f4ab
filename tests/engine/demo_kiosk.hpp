// The demo's world (kiosk/demo, the same libkiosk_demo.so `ca-kiosk --demo` loads) and the kiosk started in
// it, for the walk-throughs by synthetic touch on the real app (renewal_app_test, staff_app_test): the
// reference platform in this process over mutual TLS on loopback, the customer's SoftHSM key (and the hall's
// staff KEY) behind the fault module. One world per process: SoftHSM reads SOFTHSM2_CONF once.
#pragma once

#include <dlfcn.h>
#include <unistd.h>
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "app_kiosk.hpp"
#include "demo/controls.hpp"
#include "demo_panel.hpp"

namespace enginetest {

inline demo::Controls& world() {
  static std::unique_ptr<demo::Controls> w = [] {
    void* m = dlopen(KIOSK_DEMO_MODULE, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(m != nullptr, dlerror());
    using Create = demo::Controls* (*)(events::EventLog*, std::string*);
    auto create = reinterpret_cast<Create>(dlsym(m, "kiosk_demo_create"));
    REQUIRE_MESSAGE(static_cast<bool>(create), "no kiosk_demo_create");
    std::string error;
    static events::EventLog quiet;  // the world's own events (no sink): it outlives the world
    demo::Controls* c = create(&quiet, &error);
    REQUIRE_MESSAGE(c != nullptr, error);
    return std::unique_ptr<demo::Controls>(c);
  }();
  return *w;
}

// The kiosk as it starts: the real runtime with the demo world's configuration, the app offscreen with the
// demo's panel, and a fresh key of `key`'s product in the reader. Shots go to a folder named after `name`
// (kept with KIOSK_KEEP_SHOTS=1).
class DemoKiosk : public AppKiosk {
 public:
  DemoKiosk(demo::KeyKind key, std::string_view name)
      : AppKiosk(fresh_key(key), std::filesystem::temp_directory_path() / fmt::format("{}-{}", name, getpid()),
                 panel()) {
    hooks() = app::demo_hooks(world());
    std::filesystem::create_directories(shots());
    script("wait key recognised 10000\n");
  }
  ~DemoKiosk() {
    std::error_code ec;
    if (!std::getenv("KIOSK_KEEP_SHOTS")) std::filesystem::remove_all(shots(), ec);
  }

  void script(std::string_view text) {
    std::string printed;
    REQUIRE_MESSAGE(run(text, printed) == 0, printed);
  }

 private:
  // The world's clock back to now and a new key; the world's configuration.
  static std::filesystem::path fresh_key(demo::KeyKind key) {
    auto& w = world();
    REQUIRE(w.advance_platform_clock(0).has_value());
    auto k = w.new_key(key);
    REQUIRE_MESSAGE(k.has_value(), (k ? std::string() : k.error()));
    return w.config_path();
  }
  // The demo's panel; its state lives as long as the panel function.
  static DemoPanel panel() {
    auto state = std::make_shared<app::DemoPanelState>();
    state->controls = &world();
    return [state, draw = app::demo_panel(*state)](ui::Ctx& c, const core::Model& m) { draw(c, m); };
  }
};

}  // namespace enginetest
