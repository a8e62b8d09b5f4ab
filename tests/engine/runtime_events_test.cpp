// The runtime in this process (kiosk/runtime) against the bench's real parts — the reference platform over
// mutual TLS, a SoftHSM key behind the fault module, the journal: what it records in the event log (each
// failure with its business number, step and error code), a login with no PIN handed over, and what the
// outbox's sender keeps of the messages it finished (each reported once, then nothing).
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "canary.hpp"
#include "core/effects.hpp"
#include "core/events.hpp"
#include "engine_env.hpp"
#include "events/event_log.hpp"
#include "journal/journal.hpp"
#include "platform/dev.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"

using namespace enginetest;

namespace {

// A runtime with the bench's configuration, recording in `log`.
std::unique_ptr<runtime::KioskRuntime> start(EngineEnv& env, events::EventLog& log) {
  auto cfg = runtime::load_config(env.config_path());
  REQUIRE(cfg.has_value());
  runtime::RuntimeOptions o;
  o.config = *cfg;
  o.events = &log;
  o.watch_tokens = false;
  auto rt = runtime::KioskRuntime::create(std::move(o));
  REQUIRE_MESSAGE(rt.has_value(), (rt ? std::string() : rt.error().to_string()));
  return std::move(*rt);
}

// The first result of type T within 30 s.
template <typename T>
std::optional<T> next(runtime::KioskRuntime& rt) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < end) {
    rt.wait(200);
    for (auto& e : rt.drain())
      if (auto* t = std::get_if<T>(&e)) return *t;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a login with no PIN handed over: its own error, not a wrong PIN, and no C_Login") {
  EngineEnv env;
  events::EventLog log;
  auto rt = start(env, log);
  core::RunStep login;
  login.step = core::RenewalStep::Login;
  login.order_id = "K-NO-PIN";
  rt->run(login, 1, {});  // no PIN handed over with it
  auto failed = next<core::StepFailed>(*rt);
  REQUIRE(failed.has_value());
  CHECK(failed->error_key == "error.token.pin_missing");
  CHECK(failed->kind != core::StepErrorKind::PinIncorrect);
  CHECK(env.user_logins() == 0);
  // The event log has it with the business number and the step.
  bool recorded = false;
  for (const auto& e : log.last(log.capacity()))
    recorded |= e.business == "K-NO-PIN" && e.step == "login" && e.code == "error.token.pin_missing";
  CHECK(recorded);
}

TEST_CASE("the runtime's events: the catalog's failure as the platform said it; a failed step's fields") {
  EngineEnv env;
  events::EventLog log;
  auto rt = start(env, log);
  REQUIRE(platform::dev::set_fault(env.client(), "catalog", "fail", 20).has_value());  // every retry
  rt->run(core::LoadCatalog{}, 1, {});
  auto failed = next<core::CatalogFailed>(*rt);
  REQUIRE(failed.has_value());
  auto last = log.last(log.capacity());
  REQUIRE_FALSE(last.empty());
  const events::Event& e = last.back();
  CHECK(e.level == events::Level::Warning);
  CHECK(e.component == "runtime");
  CHECK(e.step == "catalog");
  CHECK(e.code == "error.platform.dev.fault_injected");
  CHECK(e.message.find("503") != std::string::npos);
  CHECK(e.time_ms > 0);

  // A rollover step on a key that is not logged in (the PIN again: a warning, not an error for staff), with
  // the business number, the step and the token's code.
  auto c = env.new_customer(Brand::Haitai);
  core::RunStep stage;
  stage.step = core::RenewalStep::StageKey;
  stage.order_id = "K-STAGE";
  stage.cert_fingerprint = c.fingerprint;
  rt->run(stage, 1, {});
  auto step = next<core::StepFailed>(*rt);
  REQUIRE(step.has_value());
  CHECK(step->error_key == "error.token.not_logged_in");
  bool recorded = false;
  for (const auto& ev : log.last(log.capacity()))
    recorded |= ev.business == "K-STAGE" && ev.step == "stage_key" &&
                ev.code == "error.token.not_logged_in" && ev.level == events::Level::Warning;
  CHECK(recorded);
}

TEST_CASE(
    "what the outbox finished is reported once: the sender keeps no list of it for a kiosk's lifetime") {
  EngineEnv env;
  // Messages for orders the platform has never seen: refused for good (a 4xx), so finished by the sender.
  const int kMessages = 3;
  {
    auto j = journal::Journal::open(env.journal_path());
    REQUIRE(j);
    for (int i = 0; i < kMessages; ++i) {
      auto b = j->begin({});
      REQUIRE(b);
      const std::string order = "K-NOBODY-" + std::to_string(i);
      REQUIRE(j->set_order(*b, order));
      REQUIRE(j->enqueue(*b, order, "close", "{}", "close-" + order));
    }
  }
  events::EventLog log;
  auto rt = start(env, log);
  // Whether the background sender or this call sends them, each is reported, finished, by this call...
  const auto first = rt->deliver_outbox_now();
  CHECK(first.size() == static_cast<std::size_t>(kMessages));
  for (const auto& m : first) CHECK(m.state != journal::OutboxState::Pending);
  // ...and not again: nothing kept of them in the sender.
  CHECK(rt->deliver_outbox_now().empty());
}
