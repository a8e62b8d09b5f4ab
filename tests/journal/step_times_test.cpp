// The steps' usual durations (kiosk/runtime/src/step_times.hpp): defaults before any measurement, the median
// of the last nine measured per brand and key type, kept in a file that a restarted kiosk reads, and a file
// that cannot be read costs the measurements, not the kiosk.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "events/event_log.hpp"
#include "step_times.hpp"

namespace {

using core::RenewalStep;
using domain::KeyAlgorithm;

struct Dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("kiosk-step-times-" + std::to_string(getpid()));
  Dir() { std::filesystem::create_directories(path); }
  ~Dir() { std::filesystem::remove_all(path); }
};

const core::TokenIdentity kFeitian{"Feitian", "ePass3003", "FT0001"};
const core::TokenIdentity kHaitai{"Haitai", "HaiKey", "HT0001"};

}  // namespace

TEST_CASE("usual durations: defaults, then the median of what was measured, kept across a restart") {
  Dir d;
  const auto file = d.path / "step-times.json";
  events::EventLog log;
  {
    runtime::StepTimes t(file, events::Channel(&log, "runtime"));
    CHECK(t.usual(kFeitian, KeyAlgorithm::Rsa2048).of(RenewalStep::StageKey) == 60'000);
    CHECK(t.usual(kFeitian, KeyAlgorithm::EcP256).of(RenewalStep::StageKey) == 10'000);
    CHECK_FALSE(std::filesystem::exists(file));
    for (core::Millis ms : {90'000, 70'000, 80'000})
      t.record(kFeitian, KeyAlgorithm::Rsa2048, RenewalStep::StageKey, ms);
    CHECK(t.usual(kFeitian, KeyAlgorithm::Rsa2048).of(RenewalStep::StageKey) == 80'000);
    // Another kind of key, or another step, is not touched.
    CHECK(t.usual(kFeitian, KeyAlgorithm::EcP256).of(RenewalStep::StageKey) == 10'000);
    CHECK(t.usual(kHaitai, KeyAlgorithm::Rsa2048).of(RenewalStep::StageKey) == 60'000);
    CHECK(t.usual(kFeitian, KeyAlgorithm::Rsa2048).of(RenewalStep::BuildP10) == 5'000);
  }
  {
    runtime::StepTimes again(file, events::Channel(&log, "runtime"));
    CHECK(again.usual(kFeitian, KeyAlgorithm::Rsa2048).of(RenewalStep::StageKey) == 80'000);
    // Only the last nine count: ten fast ones push the slow ones out.
    for (int i = 0; i < 10; ++i)
      again.record(kFeitian, KeyAlgorithm::Rsa2048, RenewalStep::StageKey, 1'000 + i);
    CHECK(again.usual(kFeitian, KeyAlgorithm::Rsa2048).of(RenewalStep::StageKey) == 1'005);
  }
  CHECK(log.total() == 0);
}

TEST_CASE("a usual-durations file that cannot be read: the defaults, said once, and measuring goes on") {
  Dir d;
  const auto file = d.path / "step-times.json";
  std::ofstream(file) << "{ not json";
  events::EventLog log;
  runtime::StepTimes t(file, events::Channel(&log, "runtime"));
  CHECK(t.usual(kHaitai, KeyAlgorithm::EcP256).of(RenewalStep::StageKey) == 10'000);
  CHECK(log.total() == 1);
  t.record(kHaitai, KeyAlgorithm::EcP256, RenewalStep::StageKey, 4'200);
  runtime::StepTimes again(file, events::Channel(&log, "runtime"));
  CHECK(again.usual(kHaitai, KeyAlgorithm::EcP256).of(RenewalStep::StageKey) == 4'200);
  CHECK(log.total() == 1);
}
