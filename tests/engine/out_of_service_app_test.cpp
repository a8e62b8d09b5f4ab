// Out of service, said plainly, in the real ca-kiosk app (offscreen) with the real runtime and its service
// monitor against the reference platform over mutual TLS: the platform goes away (nothing listens on its
// port), home says 暂停服务 with the reason and where to go instead, the key badge still works, a tap on
// 【证书续费】 and the core's own start event start nothing; the platform comes back and the kiosk opens
// by itself, and 【证书续费】 leads to the products again.
#include <doctest/doctest.h>

#include <string>

#include "app_kiosk.hpp"
#include "engine_env.hpp"

using namespace enginetest;

namespace {

// Whether home's tile `key` takes a tap (it must be drawn).
bool tile_enabled(AppKiosk& k, const char* key) {
  k.app().settle();
  const auto* w = k.app().widgets().find(key);
  REQUIRE_MESSAGE(w, key << " is not drawn (on " << core::screen_name(core::screen_of(k.model())) << ")");
  return w->enabled;
}

}  // namespace

TEST_CASE("home says 暂停服务 while the platform is away, refuses a renewal, and opens again by itself") {
  EngineEnv env;
  env.set_config_extra(
      R"("service": {"check_s": 1, "heartbeat_s": 60, "platform_out_after": 2, "platform_back_after": 2})");
  AppKiosk k(env.config_path(), env.dir() / "shots", {}, /*service_monitor=*/true);
  const auto platform_checked = [&] {
    return k.model().service.checks[static_cast<std::size_t>(core::Check::Platform)].state ==
           core::CheckState::Ok;
  };
  REQUIRE_MESSAGE(k.wait(platform_checked, 30'000), "no platform check passed");
  REQUIRE(core::screen_of(k.model()) == core::Screen::Home);
  CHECK(k.text("home.renew.hint") == "为KEY中的单位证书续期");
  CHECK(tile_enabled(k, "home.renew"));

  env.stop_platform();
  REQUIRE_MESSAGE(k.wait([&] { return k.model().service.sources.out(); }, 60'000),
                  "still in service with the platform away");
  CHECK(k.text("home.renew.paused") == "暂停服务");
  CHECK(k.text("home.personal.paused") == "暂停服务");
  CHECK(k.text("home.service.reason") == "暂停服务：本机暂时连不上证书服务平台，无法办理业务。");
  CHECK(k.text("home.service.next") == "请到人工窗口办理，或稍后再来。");
  CHECK_FALSE(tile_enabled(k, "home.renew"));
  CHECK_FALSE(tile_enabled(k, "home.personal"));
  CHECK_FALSE(k.drawn("home.insert_hint"));
  CHECK(k.text("chrome.key_status") == "未插入KEY");  // the key badge still works
  std::string printed;
  CHECK_MESSAGE(
      k.run(
          "shot out-of-service\ntap home.renew\nexpect screen Home\ntap home.personal\nexpect screen Home\n",
          printed) == 0,
      printed);
  k.app().dispatch(core::RenewTapped{});  // the core refuses it too, whoever sends it
  k.app().dispatch(core::PersonalCentreTapped{});
  CHECK(core::screen_of(k.model()) == core::Screen::Home);
  k.app().dispatch(core::LanguageChosen{core::Language::En});
  CHECK(k.text("home.service.reason") ==
        "Out of service: this kiosk cannot reach the certificate service right now.");
  CHECK(k.text("home.renew.paused") == "Out of service");
  k.app().dispatch(core::LanguageChosen{core::Language::ZhCN});

  env.start_platform_again();
  REQUIRE_MESSAGE(k.wait([&] { return !k.model().service.sources.out(); }, 60'000),
                  "still out of service with the platform back");
  CHECK(k.text("home.renew.hint") == "为KEY中的单位证书续期");
  CHECK(tile_enabled(k, "home.renew"));
  CHECK_MESSAGE(k.run("tap home.renew\nexpect screen Products\n", printed) == 0, printed);
  // Staff read both moments in the event log.
  const std::string log = k.event_text();
  CHECK(log.find("out of service (automatic): service.reason.platform") != std::string::npos);
  CHECK(log.find("in service: business can start") != std::string::npos);
}
