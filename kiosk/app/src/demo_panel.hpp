// The demo's panel (`ca-kiosk --demo` only), drawn above every screen and marked 演示 in a colour of its
// own: the customer's phone (the newest SMS code from the platform's outbox), 【模拟扫码支付】, 【拔出KEY】 /
// 【插入KEY】 (the fault module), and a fresh demo key of either product. Folded to a small 【演示】 tab in
// the bottom bar until tapped, so the screenshots show the kiosk as a customer sees it.
#pragma once

#include <functional>
#include <string>

#include "core/model.hpp"
#include "harness.hpp"
#include "demo/controls.hpp"
#include "ui/ctx.hpp"

namespace app {

struct DemoPanelState {
  demo::Controls* controls = nullptr;  // null until the demo's world is up (after the first frame)
  bool open = false;
  std::string result_key;   // the last action's outcome (a demo.* message key), shown under the buttons
  std::string sms;          // the outbox's newest "phone code", read when the panel opens or is drawn open
};

// The panel as AppConfig::demo_panel. `state` outlives the app.
std::function<void(ui::Ctx&, const core::Model&)> demo_panel(DemoPanelState& state);

// What the demo gives a harness script (assets/harness/demo.txt, tests/engine/renewal_app_test.cpp): the
// customer's SMS codes, and by name new-key-paid, new-key-free, pull-during-keygen (the fault module pulls
// the key right after the token made the new key pair, mid-rollover).
HarnessHooks demo_hooks(demo::Controls& d);

}  // namespace app
