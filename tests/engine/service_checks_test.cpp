// In service or not, with the real parts (docs/operations.md, "In service or not"): the runtime's service
// checks and its heartbeat against the reference platform over mutual TLS, the journal's filesystem and the
// token modules — the platform away and back, its clock moved past 5 minutes, the journal short of room, a
// driver that does not load — with the flow core fed what the runtime reports (its hysteresis, its sources),
// and `kioskctl status`'s exit codes for the same.
#include <doctest/doctest.h>
#include <sys/statvfs.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/update.hpp"
#include "engine_env.hpp"
#include "events/event_log.hpp"
#include "kiosk_version.hpp"
#include "platform/dev.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "runtime/service_checks.hpp"

using namespace enginetest;
using core::Check;
using core::CheckState;

namespace {

constexpr const char* kFast =
    R"("service": {"check_s": 1, "heartbeat_s": 1, "platform_out_after": 2, "platform_back_after": 2})";

// The runtime with its service monitor, as ca-kiosk runs it, and the core's model beside it: every round the
// runtime reports goes through core::update, and the core's ServiceChanged goes back to the runtime.
struct Kiosk {
  events::EventLog log;
  std::unique_ptr<runtime::KioskRuntime> rt;
  core::Model m;

  explicit Kiosk(EngineEnv& env) {
    auto cfg = runtime::load_config(env.config_path());
    REQUIRE(cfg.has_value());
    core::Settings s;
    s.platform_out_after = static_cast<int>(cfg->service.platform_out_after);
    s.platform_back_after = static_cast<int>(cfg->service.platform_back_after);
    m = core::initial_model(s, 0, 0);
    runtime::RuntimeOptions o;
    o.config = *cfg;
    o.events = &log;
    o.watch_tokens = false;
    o.service_monitor = true;
    auto r = runtime::KioskRuntime::create(std::move(o));
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
    rt = std::move(*r);
  }
  ~Kiosk() { rt->stop(); }

  // The next round of checks (within 30 s), after the core took it.
  core::ServiceChecked round() {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < end) {
      rt->wait(200);
      for (auto& e : rt->drain()) {
        auto u = core::update(m, e);
        m = std::move(u.model);
        for (const auto& fx : u.effects)
          if (std::holds_alternative<core::ServiceChanged>(fx)) rt->run(fx, m.session, {});
        if (auto* checked = std::get_if<core::ServiceChecked>(&e)) return *checked;
      }
    }
    FAIL("no round of service checks within 30 s");
    return {};
  }
  static const core::CheckResult& of(const core::ServiceChecked& r, Check c) {
    for (const auto& x : r.results)
      if (x.check == c) return x;
    FAIL("the round has no " << core::to_string(c) << " check");
    return r.results.front();
  }
  bool logged(const std::string& text) const {
    for (const auto& e : log.last(log.capacity()))
      if (e.message.find(text) != std::string::npos) return true;
    return false;
  }
};

// This kiosk's last heartbeat as the platform keeps it, once it has `parts` health items.
std::optional<contract::Heartbeat> heartbeat(EngineEnv& env) {
  auto all = platform::dev::heartbeats(env.client());
  REQUIRE_MESSAGE(all.has_value(), (all ? std::string() : all.error().to_string()));
  for (const auto& h : *all)
    if (h.kiosk_id == "DEV-KIOSK-01") return h.heartbeat;
  return std::nullopt;
}

std::uint64_t free_mib(const std::filesystem::path& dir) {
  struct statvfs st {};
  REQUIRE(::statvfs(dir.c_str(), &st) == 0);
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize / (1024 * 1024);
}

}  // namespace

TEST_CASE(
    "the heartbeat: at start and every heartbeat_s, with the version, the skew, every check, the outbox "
    "and the out-of-service sources") {
  EngineEnv env;
  env.set_config_extra(kFast);
  Kiosk k(env);
  auto first = k.round();
  for (Check c : core::kAllChecks)
    CHECK_MESSAGE(Kiosk::of(first, c).state == CheckState::Ok, core::to_string(c));
  CHECK_FALSE(k.m.service.sources.out());
  // The first heartbeat went before the platform was judged; a later one carries all four.
  std::optional<contract::Heartbeat> h;
  for (int i = 0; i < 10 && !(h && h->health.size() == 4); ++i) {
    k.round();
    h = heartbeat(env);
  }
  REQUIRE(h.has_value());
  CHECK(h->software_version == kiosk_version());
  REQUIRE(h->health.size() == 4);
  CHECK(h->health[0].part == "platform");
  CHECK(h->health[1].part == "clock");
  for (const auto& item : h->health) CHECK_MESSAGE(item.status == "ok", item.part << ": " << item.detail);
  REQUIRE(h->clock_skew_s.has_value());
  CHECK(std::llabs(*h->clock_skew_s) <= 2);
  CHECK(h->outbox_pending == 0);
  CHECK(h->out_of_service.empty());

  // Staff's source, through the core: the heartbeats after it carry it.
  k.m = core::update(
            k.m, core::ServiceSourceSet{core::ServiceSource::Staff, {"service.reason.staff", "", "", "test"}})
            .model;
  k.rt->run(core::ServiceChanged{k.m.service.sources}, k.m.session, {});
  CHECK(k.logged("out of service (staff)"));
  for (int i = 0; i < 10 && h->out_of_service.empty(); ++i) {
    k.round();
    h = heartbeat(env);
  }
  REQUIRE(h->out_of_service.size() == 1);
  CHECK(h->out_of_service[0].source == "staff");
  CHECK(h->out_of_service[0].reason_key == "service.reason.staff");
}

TEST_CASE("the platform away: each round fails, the core goes out after N in a row and back after M") {
  EngineEnv env;
  env.set_config_extra(kFast);
  Kiosk k(env);
  REQUIRE(Kiosk::of(k.round(), Check::Platform).state == CheckState::Ok);
  env.stop_platform();
  int failed = 0;
  while (!k.m.service.sources.out()) {
    auto r = k.round();
    if (Kiosk::of(r, Check::Platform).state != CheckState::Failing)
      continue;  // a round begun before the stop
    ++failed;
    CHECK(Kiosk::of(r, Check::Clock).state == CheckState::Unknown);  // no answer, no time to judge by
    REQUIRE_MESSAGE(failed <= 2, "still in service after " << failed << " failed rounds");
    if (failed == 1) CHECK_FALSE(k.m.service.sources.out());  // one lost answer does not go out
  }
  CHECK(failed == 2);
  CHECK(k.m.service.sources.reason()->reason_key == "service.reason.platform");
  CHECK(k.logged("platform check failing"));
  CHECK(k.logged("out of service (automatic)"));

  env.start_platform_again();
  int passed = 0;
  while (k.m.service.sources.out()) {
    auto r = k.round();
    if (Kiosk::of(r, Check::Platform).state != CheckState::Ok) continue;
    ++passed;
    REQUIRE_MESSAGE(passed <= 2, "still out of service after " << passed << " passed rounds");
    if (passed == 1) CHECK(k.m.service.sources.out());
  }
  CHECK(passed == 2);
  CHECK(k.logged("in service: business can start"));
}

TEST_CASE("the clock: the platform's moved more than 5 minutes takes the kiosk out; moved back, it returns") {
  EngineEnv env;
  env.set_config_extra(kFast);
  Kiosk k(env);
  REQUIRE(Kiosk::of(k.round(), Check::Clock).state == CheckState::Ok);
  REQUIRE(platform::dev::advance_clock(env.client(), runtime::kClockMaxSkewS + 100).has_value());
  core::CheckResult clock;
  for (int i = 0; i < 5 && clock.state != CheckState::Failing; ++i)
    clock = Kiosk::of(k.round(), Check::Clock);
  CHECK(clock.state == CheckState::Failing);
  CHECK_MESSAGE(clock.detail.find(" s behind the platform's") != std::string::npos, clock.detail);
  CHECK(k.m.service.sources.out());  // at once: a clock does not flap
  CHECK(k.m.service.sources.reason()->reason_key == "service.reason.clock");
  // Within 5 minutes is fine.
  REQUIRE(platform::dev::advance_clock(env.client(), -(runtime::kClockMaxSkewS + 100) + 200).has_value());
  for (int i = 0; i < 5 && clock.state != CheckState::Ok; ++i) clock = Kiosk::of(k.round(), Check::Clock);
  CHECK_MESSAGE(clock.state == CheckState::Ok, clock.detail);
  CHECK_FALSE(k.m.service.sources.out());
}

TEST_CASE("the journal short of its free-space threshold and a driver that does not load") {
  EngineEnv env;
  const std::uint64_t want = free_mib(env.dir()) + 1024;  // more than there is
  REQUIRE(want <= 1048576);
  env.set_config_extra(
      std::string(kFast) + ", \"journal_min_free_mb\": " + std::to_string(want),
      R"({"id": "gone", "display_name": "某KEY", "module": "/nonexistent/libgone-pkcs11.so", )"
      R"("manufacturer": "Gone", "model": "Gone"})");
  Kiosk k(env);
  auto r = k.round();
  const auto& journal = Kiosk::of(r, Check::Journal);
  CHECK(journal.state == CheckState::Failing);
  CHECK_MESSAGE(journal.detail.find(std::to_string(want) + " MiB wanted") != std::string::npos,
                journal.detail);
  const auto& drivers = Kiosk::of(r, Check::Drivers);
  CHECK(drivers.state == CheckState::Failing);
  CHECK_MESSAGE(drivers.detail.find("gone: ") != std::string::npos, drivers.detail);
  CHECK(drivers.detail.find("haitai") == std::string::npos);  // the brands whose library loads are fine
  CHECK(Kiosk::of(r, Check::Platform).state == CheckState::Ok);
  REQUIRE(k.m.service.sources.out());
  CHECK(k.m.service.sources.reason()->reason_key == "service.reason.journal");  // the journal first
  CHECK(k.m.service.sources.reason()->detail == "journal, drivers");
}

TEST_CASE("a TLS failure on a certificate's validity window is judged the clock's, not the platform's") {
  platform::Error tls;
  tls.kind = platform::ErrorKind::Tls;
  tls.detail = "SSL certificate problem: certificate is not yet valid";
  tls.certificate_time = true;
  auto v = runtime::judge_platform(&tls, std::nullopt);
  CHECK(v.clock.state == CheckState::Failing);
  CHECK(v.platform.state == CheckState::Unknown);  // neither down nor back: the hysteresis holds
  tls.certificate_time = false;                    // another TLS failure (a wrong CA) is the platform's
  v = runtime::judge_platform(&tls, std::nullopt);
  CHECK(v.platform.state == CheckState::Failing);
  CHECK(v.clock.state == CheckState::Unknown);
  // An HTTP error still brought the platform's time: the clock is judged by it.
  platform::Error http;
  http.kind = platform::ErrorKind::Http;
  http.http_status = 503;
  v = runtime::judge_platform(&http, -301);
  CHECK(v.platform.state == CheckState::Failing);
  CHECK(v.clock.state == CheckState::Failing);
  v = runtime::judge_platform(nullptr, 300);
  CHECK(v.clock.state == CheckState::Ok);
}

TEST_CASE("kioskctl status: the same checks for staff, with their exit codes") {
  EngineEnv env;
  auto ok = env.kioskctl({"status"});
  CHECK_MESSAGE(ok.rc == 0, ok.output);
  CHECK(ok.output.find("in service: business can start") != std::string::npos);
  for (const char* part : {"platform ok", "clock ok", "journal ok", "drivers ok"})
    CHECK_MESSAGE(ok.output.find(part) != std::string::npos, part << "\n" << ok.output);

  REQUIRE(platform::dev::advance_clock(env.client(), 600).has_value());
  auto clock = env.kioskctl({"status"});
  CHECK_MESSAGE(clock.rc == 35, clock.output);
  CHECK(clock.output.find("clock FAILING: this kiosk's clock is ") != std::string::npos);
  CHECK(clock.output.find(" s behind the platform's") != std::string::npos);
  REQUIRE(platform::dev::advance_clock(env.client(), -600).has_value());

  env.set_config_extra("\"journal_min_free_mb\": " + std::to_string(free_mib(env.dir()) + 1024));
  auto journal = env.kioskctl({"status"});
  CHECK_MESSAGE(journal.rc == 52, journal.output);
  CHECK(journal.output.find("journal FAILING") != std::string::npos);

  env.set_config_extra("", R"({"id": "gone", "display_name": "某KEY", "module": "/nonexistent/libgone.so", )"
                           R"("manufacturer": "Gone", "model": "Gone"})");
  auto driver = env.kioskctl({"status"});
  CHECK_MESSAGE(driver.rc == 10, driver.output);
  CHECK(driver.output.find("drivers FAILING: gone: ") != std::string::npos);

  env.set_config_extra("");
  env.stop_platform();
  auto away = env.kioskctl({"status"});
  CHECK_MESSAGE(away.rc == 30, away.output);
  CHECK(away.output.find("platform FAILING: offline") != std::string::npos);
  CHECK(away.output.find("clock unknown") != std::string::npos);
  auto json = env.kioskctl({"--json", "status"});
  CHECK(json.rc == 30);
  CHECK(json.output.find("\"reason_key\": \"service.reason.platform\"") != std::string::npos);
  env.start_platform_again();
}
