// The safe stop (docs/packaging.md, "Stopping safely"): SIGTERM, as the service manager's stop sends it,
// arrives at the first crash point of every step of a renewal (KIOSK_CRASH_SIGNAL=TERM). Each time the
// renewal must stop on its own (no kill): the step that was running reaches its end, no later step starts
// (no effect begins after the signal), kioskctl says so and exits 51
// (unfinished); then the restarted kiosk resumes and finishes with one order and the invariants of the
// crash sweep.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <fstream>
#include <set>

#include "engine_env.hpp"

using namespace enginetest;

namespace {

std::vector<std::string> read_trace(const std::filesystem::path& file) {
  std::vector<std::string> points;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) points.push_back(line);
  return points;
}

bool is_begin(const std::string& line) {
  return line.starts_with("begin:");
}

// The first crash point of every effect that passes one (every step of the order and the rollover), in
// the order a clean renewal passes them. The trace marks where each effect begins (KIOSK_TRACE_EFFECTS).
std::vector<std::string> first_point_of_each_step(EngineEnv& env, Brand brand) {
  env.new_customer(brand);
  const auto trace = env.dir() / "trace.txt";
  std::filesystem::remove(trace);
  auto r = env.renew({{"KIOSK_CRASH_TRACE", trace.string()}, {"KIOSK_TRACE_EFFECTS", "1"}});
  REQUIRE_MESSAGE(r.rc == 0, r.output);
  std::vector<std::string> chosen;
  std::set<std::string> seen;
  bool after_begin = false;
  for (const auto& p : read_trace(trace)) {
    if (is_begin(p)) {
      after_begin = true;
    } else if (after_begin) {
      after_begin = false;
      if (seen.insert(p).second) chosen.push_back(p);
    }
  }
  return chosen;
}

bool finished(EngineEnv& env, const Customer& c) {
  auto recs = env.records(c.fingerprint);
  return !recs.orders.empty() && recs.orders.back().status == "installed";
}

}  // namespace

TEST_CASE("SIGTERM at every step of a renewal: the step ends, no new one starts, the resume finishes") {
  EngineEnv env;
  const auto points = first_point_of_each_step(env, Brand::Feitian);  // the paid product: money moves
  REQUIRE(points.size() >= 8);
  std::vector<std::string> violations;
  for (const auto& point : points) {
    CAPTURE(point);
    auto c = env.new_customer(Brand::Feitian);
    const auto trace = env.dir() / "stop-trace.txt";
    std::filesystem::remove(trace);
    Run r = env.renew({{"KIOSK_CRASH_AT", point},
                       {"KIOSK_CRASH_SIGNAL", "TERM"},
                       {"KIOSK_CRASH_TRACE", trace.string()},
                       {"KIOSK_TRACE_EFFECTS", "1"}});
    CHECK_MESSAGE(!r.killed, r.output);
    CHECK_MESSAGE(r.output.find("stopping: the current step finishes") != std::string::npos, r.output);
    // 51: stopped unfinished. 0 only when the signal came in the last step and it completed the renewal.
    CHECK_MESSAGE((r.rc == 51 || (r.rc == 0 && finished(env, c))), "rc " << r.rc << "\n" << r.output);
    // After the point no effect began: the running one went on to its end, nothing new started.
    bool after = false;
    for (const auto& p : read_trace(trace)) {
      if (after && is_begin(p)) violations.push_back(point + ": '" + p + "' after the stop");
      if (p == point) after = true;
    }
    CHECK_MESSAGE(after, "the point was not passed: " << point);
    // The restarted kiosk resumes (or, before the order existed, starts again: the platform hands back the
    // same order) and finishes.
    for (int attempt = 0; attempt < 3 && !finished(env, c); ++attempt) {
      Run again = env.resume({{"LC_ALL", "C"}});
      if (again.rc != 0 && again.output.find("nothing to resume") != std::string::npos) again = env.renew();
      if (again.rc != 0)
        MESSAGE(point << " attempt " << attempt << " rc=" << again.rc << "\n" << again.output);
    }
    for (const auto& v : env.violations(c, true)) violations.push_back(point + ": " + v);
  }
  fmt::print("stop sweep: {} steps stopped by SIGTERM, {} violations\n", points.size(), violations.size());
  for (const auto& v : violations) fmt::print("  violation: {}\n", v);
  CHECK(violations.empty());
}
