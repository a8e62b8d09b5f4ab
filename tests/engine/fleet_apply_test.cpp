// The fleet's configuration applied by the running kiosk (docs/fleet.md, "On the kiosk"), with the real
// parts: the reference platform over mutual TLS on loopback serving what an admin published, a fleet PKI
// made here (tests/support/fleet_pki.hpp), the runtime's fleet agent and service monitor, and the flow core
// fed what the runtime reports through the dispatcher (which tells the runtime when it is at a safe point).
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/update.hpp"
#include "core/view.hpp"
#include "engine_env.hpp"
#include "events/event_log.hpp"
#include "fleet/store.hpp"
#include "fleet_pki.hpp"
#include "foundation/base64.hpp"
#include "platform/dev.hpp"
#include "runtime/config.hpp"
#include "runtime/dispatcher.hpp"
#include "runtime/fleet.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "softhsm_env.hpp"

using namespace enginetest;
using runtime::FleetState;

namespace {

std::chrono::sys_seconds system_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// The platform, the fleet's PKI and this kiosk's configuration: hall H001 in region NMG, the roots A, B, C
// with k = 2, p11-kit's registry in a folder of the test's with one module whose library is not there.
struct World {
  EngineEnv env;
  fleetpki::FleetPki pki{system_now()};
  std::filesystem::path modules = env.dir() / "p11kit-modules";
  std::optional<platform::Client> admin;

  explicit World(int health_window_s) {
    std::filesystem::create_directories(modules);
    fleetpki::write_file(modules / "broken-vendor.module", "module: /nonexistent/libbroken-pkcs11.so\n");
    const auto roots = env.dir() / "config-roots.pem";
    fleetpki::write_file(roots, pki.root_a.pem() + pki.root_b.pem() + pki.root_c.pem());
    env.set_config_extra(fmt::format(
        R"("service": {{"check_s": 1, "heartbeat_s": 1}},
  "fleet": {{"hall": "H001", "region": "NMG", "roots_file": "{}", "roots_threshold": 2,
            "health_window_s": {}, "p11kit_modules_dir": "{}"}})",
        roots.string(), health_window_s, modules.string()));
    auto a = platform::Client::create(env.admin_options());
    REQUIRE(a.has_value());
    admin = std::move(*a);
  }

  // A bundle for hall H001 (version `v`, the hall's layer version `layer`) with `settings`, signed by the
  // hall's admin (or `signer`).
  foundation::Bytes bundle(int v, int layer, const std::string& settings,
                           const fleetpki::Credential* signer = nullptr) const {
    const auto expires = (pki.now + std::chrono::days(30)).time_since_epoch().count();
    const std::string doc = fmt::format(
        R"({{"schema": 1, "min_software": "0.1.0", "version": {}, "expires_at": {},
  "targets": [{{"scope": "hall:H001"}}],
  "layers": [{{"scope": "hall:H001", "version": {}, "settings": {}}}]}})",
        v, expires, layer, settings);
    return pki.sign(doc, {signer ? signer : &pki.hall_admin});
  }
  void publish(const foundation::Bytes& der) {
    const contract::Json body = {{"bundle", foundation::base64_encode(der)}};
    auto r = admin->call("POST", "admin/bundles", &body, platform::new_idempotency_key());
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
  }
  // This kiosk's last heartbeat as the platform kept it.
  std::optional<contract::Heartbeat> heartbeat() {
    auto all = platform::dev::heartbeats(env.client());
    if (!all || all->empty()) return std::nullopt;
    return all->front().heartbeat;
  }
};

// The runtime as ca-kiosk runs it (fleet agent and service monitor) and the core beside it.
struct Kiosk {
  events::EventLog log;
  std::unique_ptr<runtime::KioskRuntime> rt;
  std::optional<runtime::Dispatcher> d;
  core::Model m;

  explicit Kiosk(EngineEnv& env) {
    auto cfg = runtime::load_config(env.config_path());
    REQUIRE_MESSAGE(cfg.has_value(), (cfg ? std::string() : cfg.error().front().to_string()));
    m = core::initial_model({}, 0, 0);
    runtime::RuntimeOptions o;
    o.config = *cfg;
    o.events = &log;
    o.watch_tokens = false;
    o.service_monitor = true;
    o.fleet = true;
    auto r = runtime::KioskRuntime::create(std::move(o));
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
    rt = std::move(*r);
    d.emplace(*rt);
    d->run(m, {});  // home: a safe point
  }
  ~Kiosk() {
    if (rt) rt->stop();
  }

  void send(const core::Event& e) { m = d->dispatch(std::move(m), e).model; }
  void pump() {
    for (const auto& e : rt->drain()) send(e);
  }
  // Pumps the runtime's events into the core until `done` holds; fails after a minute.
  template <typename F>
  bool until(F done, const std::string& what) {
    for (int i = 0; i < 600; ++i) {
      pump();
      if (done()) return true;
      rt->wait(100);
    }
    FAIL_CHECK("never: " << what << " (fleet state " << runtime::to_string(rt->fleet_status().state) << ": "
                         << rt->fleet_status().detail << ")");
    return false;
  }
  bool state_is(FleetState s) { return rt->fleet_status().state == s; }
  std::string log_text() const {
    std::string s;
    for (const auto& e : log.last(log.capacity())) s += events::format_line(e) + "\n";
    return s;
  }
};

constexpr std::int64_t kMonday = 1796601600;  // 2026-12-07 00:00 UTC, a Monday

constexpr const char* kGood =
    R"({"idle_timeout_s": 90, "announcement": {"zh-CN": "本大厅周六上午营业。", "en": "Open Saturday mornings."}})";

}  // namespace

TEST_CASE("a good bundle waits while a customer is served, is applied at home, and is trusted") {
  World w(30);
  Kiosk k(w.env);
  CHECK(k.until([&] { return k.state_is(FleetState::Install); }, "install-time values"));
  // A customer on the products screen: no safe point.
  k.send(core::RenewTapped{});
  REQUIRE(core::screen_of(k.m) == core::Screen::Products);
  w.publish(w.bundle(1, 1, kGood));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.state_is(FleetState::Waiting); }, "waiting for a safe point"));
  CHECK(k.rt->fleet_status().pending_version == 1);
  CHECK(k.m.settings.announcement_zh_cn.empty());
  // Nothing written while it waits: the state on disk has no applied bundle.
  {
    auto roots = fleet::load_root_set_pem(w.env.dir() / "config-roots.pem", 2);
    REQUIRE(roots.has_value());
    auto s = fleet::load_state(w.env.journal_path().parent_path(), *roots);
    REQUIRE(s.has_value());
    CHECK_FALSE(s->applied.has_value());
  }
  // The customer goes home: applied, then trusted once the health checks pass.
  k.send(core::HomeTapped{});
  REQUIRE(core::at_safe_point(k.m));
  REQUIRE(k.until([&] { return k.state_is(FleetState::Applied); }, "applied and trusted"));
  CHECK(k.until([&] { return k.m.settings.announcement_en == "Open Saturday mornings."; },
                "the core's settings"));
  CHECK(k.m.settings.idle_ms == 90'000);
  CHECK(core::announcement_of(k.m) == "本大厅周六上午营业。");
  const auto st = k.rt->fleet_status();
  CHECK(st.version == 1);
  CHECK(st.sha256.size() == 64);
  // The heartbeat says so.
  CHECK(k.until(
      [&] {
        auto h = w.heartbeat();
        return h && h->config && h->config->state == "applied" && h->config_version == 1;
      },
      "a heartbeat with the applied configuration"));
  auto h = w.heartbeat();
  REQUIRE(h);
  CHECK(h->config->sha256 == st.sha256);
  CHECK(h->pending_business.has_value());
  CHECK(h->software_version.size() > 0);

  // The same bundle again: 304, nothing verified again, nothing changes.
  const auto verified_lines = [&] {
    const std::string t = k.log_text();
    std::size_t n = 0;
    for (auto i = t.find("verified"); i != std::string::npos; i = t.find("verified", i + 1)) ++n;
    return n;
  };
  const std::size_t before = verified_lines();
  k.rt->sync_fleet_now();
  const auto fetched = k.rt->fleet_status().last_fetch;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // lets the sync run; asserts no timing
  k.pump();
  CHECK(k.rt->fleet_status().last_fetch >= fetched);
  CHECK(verified_lines() == before);
  CHECK(k.state_is(FleetState::Applied));
}

TEST_CASE("a refused bundle keeps the configuration, and the heartbeat says refused with its code") {
  World w(30);
  Kiosk k(w.env);
  w.publish(w.bundle(1, 1, kGood));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.state_is(FleetState::Applied); }, "bundle 1 applied"));
  // Version 2 signed by a revoked signer.
  w.publish(w.bundle(2, 2, R"({"idle_timeout_s": 300})", &w.pki.revoked));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.state_is(FleetState::Refused); }, "refused"));
  const auto st = k.rt->fleet_status();
  CHECK(st.code == "fleet.signer_revoked");
  CHECK(st.version == 1);
  k.pump();
  CHECK(k.m.settings.idle_ms == 90'000);
  CHECK(k.log_text().find("fleet.signer_revoked") != std::string::npos);
  CHECK(k.until(
      [&] {
        auto h = w.heartbeat();
        return h && h->config && h->config->state == "refused" && h->config->code == "fleet.signer_revoked" &&
               h->config_version == 1;
      },
      "a heartbeat saying refused"));
}

TEST_CASE("a bundle whose brand module does not load is rolled back after the health window") {
  World w(2);
  Kiosk k(w.env);
  w.publish(w.bundle(1, 1, kGood));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.state_is(FleetState::Applied); }, "bundle 1 applied"));
  // Bundle 2: haitai's KEYs through a module registered with p11-kit whose library is not there.
  w.publish(w.bundle(2, 2, R"({"idle_timeout_s": 120, "brand_modules": {"haitai": "broken-vendor"}})"));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.state_is(FleetState::RolledBack); }, "rolled back"));
  const auto st = k.rt->fleet_status();
  CHECK(st.version == 1);  // the last known good runs
  CHECK(st.detail.find("haitai") != std::string::npos);
  CHECK(k.until([&] { return k.m.settings.idle_ms == 90'000; }, "the good settings back in the core"));
  CHECK(k.log_text().find("rolled back to bundle 1") != std::string::npos);
  CHECK(k.until(
      [&] {
        auto h = w.heartbeat();
        return h && h->config && h->config->state == "rolled_back" && h->config_version == 1;
      },
      "a heartbeat saying rolled back"));
  // Served again, the rolled-back bundle is not applied again (it is the applied one: unchanged).
  k.rt->sync_fleet_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  k.pump();
  CHECK(k.state_is(FleetState::RolledBack));

  // A name that is not registered at all is a refusal of the same kind, never a path.
  w.publish(w.bundle(3, 3, R"({"brand_modules": {"haitai": "no-such-module"}})"));
  k.rt->sync_fleet_now();
  REQUIRE(k.until(
      [&] {
        return k.state_is(FleetState::RolledBack) &&
               k.rt->fleet_status().detail.find("no p11-kit module") != std::string::npos;
      },
      "bundle 3 rolled back"));

  // A restart keeps running the last known good, and knows it rolled back.
  k.rt.reset();  // the journal's owner lock goes with it
  Kiosk again(w.env);
  CHECK(again.until([&] { return again.state_is(FleetState::RolledBack); }, "rolled back after a restart"));
  CHECK(again.rt->fleet_status().version == 1);
}

TEST_CASE("the fleet's out of service and service hours reach home") {
  World w(30);
  Kiosk k(w.env);
  // Closed every day, all day: home says so (no opening within a week).
  w.publish(w.bundle(
      1, 1,
      R"({"out_of_service": {"reason": {"zh-CN": "大厅装修，暂停服务。", "en": "The hall is being refurbished."}}})"));
  k.rt->sync_fleet_now();
  REQUIRE(k.until([&] { return k.m.service.sources.of(core::ServiceSource::Fleet).has_value(); },
                  "fleet source set"));
  CHECK(k.m.service.sources.of(core::ServiceSource::Fleet)->text_en == "The hall is being refurbished.");
  CHECK(core::service_view(k.m).reason_text == "大厅装修，暂停服务。");
  w.publish(w.bundle(
      2, 2,
      R"({"out_of_service": null, "service_hours": {"mon": [], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []}})"));
  k.rt->sync_fleet_now();
  // The hours source set and the fleet's cleared: two events, waited for together.
  REQUIRE(k.until(
      [&] {
        return k.m.service.sources.of(core::ServiceSource::Hours).has_value() &&
               !k.m.service.sources.of(core::ServiceSource::Fleet).has_value();
      },
      "hours source set, fleet source cleared"));
  CHECK(core::service_view(k.m).reason_key == "service.reason.hours");
}

TEST_CASE("SIGKILL while the kiosk applies a bundle: the old state or the new, and the next run trusts it") {
  // The library's steps are swept in tests/fleet/store_test.cpp; here the whole kiosk process (kioskctl
  // sync, which runs the runtime's fleet agent) is killed while it applies, and started again.
  World w(1);
  w.publish(w.bundle(1, 1, kGood));
  const char* at = nullptr;
  SUBCASE("temporary file written") {
    at = "fleet.state.tmp_written";
  }
  SUBCASE("renamed, directory not synced") {
    at = "fleet.state.renamed";
  }
  SUBCASE("state saved, settings not yet taken") {
    at = "fleet.apply.saved";
  }
  REQUIRE(at);
  const Run killed = w.env.kioskctl({"sync"}, {{"KIOSK_CRASH_AT", at}});
  CHECK_MESSAGE(killed.killed, killed.output);
  auto roots = fleet::load_root_set_pem(w.env.dir() / "config-roots.pem", 2);
  REQUIRE(roots.has_value());
  auto s = fleet::load_state(w.env.journal_path().parent_path(), *roots);
  REQUIRE_MESSAGE(s.has_value(), "the state after the kill reads as a state");
  CHECK((!s->applied || s->applied->version == 1));
  const Run again = w.env.kioskctl({"sync"});
  CHECK_MESSAGE(again.rc == 0, again.output);
  CHECK_MESSAGE(again.output.find("configuration: applied (version 1") != std::string::npos, again.output);
}

TEST_CASE("a brand's module is a p11-kit name resolved under the registry, never a path") {
  testsupport::TempDir dir;
  fleetpki::write_file(dir.path() / "vendor.module",
                       "# a comment\nmodule: /opt/vendor/libvendor-pkcs11.so\n");
  fleetpki::write_file(dir.path() / "relative.module", "module: librel-pkcs11.so\n");
  fleetpki::write_file(dir.path() / "empty.module", "critical: yes\n");
  CHECK(runtime::resolve_p11kit_module(dir.path(), "vendor") == "/opt/vendor/libvendor-pkcs11.so");
  CHECK(runtime::resolve_p11kit_module(dir.path(), "relative") ==
        std::filesystem::path("/usr/lib/x86_64-linux-gnu/pkcs11/librel-pkcs11.so"));
  CHECK_FALSE(runtime::resolve_p11kit_module(dir.path(), "empty").has_value());
  CHECK_FALSE(runtime::resolve_p11kit_module(dir.path(), "missing").has_value());
  CHECK_FALSE(runtime::resolve_p11kit_module(dir.path(), "../vendor").has_value());
  CHECK_FALSE(runtime::resolve_p11kit_module(dir.path(), "/opt/vendor/libvendor-pkcs11.so").has_value());
}

TEST_CASE("outside the service hours the hours source says when the kiosk opens") {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  fleet::ServiceHours h;
  using I = fleet::Interval;
  h.days[0] = {I{510, 720}, I{810, 1050}};  // Monday 08:30-12:00, 13:30-17:30
  h.days[1] = {I{510, 1050}};               // Tuesday
  h.days[4] = {I{510, 1050}};               // Friday; the weekend closed
  auto at = [](int day, int hh, int mm) { return kMonday + day * 86400 + hh * 3600 + mm * 60; };
  CHECK_FALSE(runtime::hours_reason(h, at(0, 10, 0)).has_value());
  auto lunch = runtime::hours_reason(h, at(0, 12, 30));
  REQUIRE(lunch);
  CHECK(lunch->reason_key == "service.reason.hours");
  CHECK(lunch->opens_day == "today");
  CHECK(lunch->opens_time == "13:30");
  auto evening = runtime::hours_reason(h, at(0, 18, 0));
  REQUIRE(evening);
  CHECK(evening->opens_day == "tomorrow");
  CHECK(evening->opens_time == "08:30");
  auto tuesday_night = runtime::hours_reason(h, at(1, 20, 0));
  REQUIRE(tuesday_night);
  CHECK(tuesday_night->opens_day == "fri");
  auto weekend = runtime::hours_reason(h, at(5, 9, 0));
  REQUIRE(weekend);
  CHECK(weekend->opens_day == "mon");
  // Closed every day: no opening to say.
  fleet::ServiceHours closed;
  for (auto& d : closed.days) d.clear();
  auto never = runtime::hours_reason(closed, at(2, 9, 0));
  REQUIRE(never);
  CHECK(never->opens_day.empty());
  ::unsetenv("TZ");
  ::tzset();
}
