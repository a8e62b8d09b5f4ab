// Reliability: a renewal SIGKILLed at every named crash point (after every journal write, before and after
// every external effect), then the kiosk restarted and the renewal resumed; the invariants checked after
// each: at most one order, a paid order ends installed, one issuance per order, the key always holds a
// valid certificate with its private key, the journal passes integrity_check and its hash chain, and no
// run makes more PIN logins than PINs typed. CI runs a quick sweep; KIOSK_FULL_SWEEP=1 every point of
// both algorithms.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "engine_env.hpp"

using namespace enginetest;

namespace {

struct SweepResult {
  int points = 0;
  int killed = 0;
  int runs = 0;
  std::vector<std::string> violations;
};

std::vector<std::string> trace_points(EngineEnv& env, Brand brand) {
  env.new_customer(brand);
  const auto trace = env.dir() / "trace.txt";
  std::filesystem::remove(trace);
  auto r = env.renew({{"KIOSK_CRASH_TRACE", trace.string()}});
  REQUIRE_MESSAGE(r.rc == 0, r.output);
  std::vector<std::string> points;
  std::set<std::string> seen;
  std::ifstream in(trace);
  for (std::string line; std::getline(in, line);)
    if (seen.insert(line).second) points.push_back(line);
  return points;
}

// Runs the renewal to its end after a crash the way a customer and the kiosk would: resume what the
// journal has; if the journal has nothing to resume (the crash came before the order was recorded), start
// again (the platform hands back a paid order of this certificate instead of a second one).
void recover(EngineEnv& env, const Customer& c, const std::string& point, SweepResult& res) {
  auto finished = [&] {
    auto recs = env.records(c.fingerprint);
    return !recs.orders.empty() && recs.orders.back().status == "installed";
  };
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (attempt > 0 && finished()) return;  // it had finished; the kiosk just stopped before saying so
    Run r = env.resume({{"LC_ALL", "C"}});  // English sentences: "... there is nothing to resume."
    ++res.runs;
    if (env.user_logins() > 1) res.violations.push_back(point + ": more logins than PINs typed on resume");
    if (r.rc == 0) return;
    if (r.output.find("nothing to resume") != std::string::npos) {
      r = env.renew();
      ++res.runs;
      if (env.user_logins() > 1) res.violations.push_back(point + ": more logins than PINs typed on restart");
      if (r.rc == 0) return;
    }
    MESSAGE(point << " attempt " << attempt << " rc=" << r.rc << "\n" << r.output);
  }
  if (!finished()) res.violations.push_back(point + ": did not finish after 4 attempts");
}

SweepResult sweep(Brand brand, bool all_points) {
  EngineEnv env;
  SweepResult res;
  auto points = trace_points(env, brand);
  REQUIRE(points.size() > 20);
  std::vector<std::string> chosen;
  for (std::size_t i = 0; i < points.size(); ++i)
    // The quick sweep keeps every third point and every point of the steps that move money or keys.
    if (all_points || i % 3 == 0 || points[i].starts_with("submit") || points[i].starts_with("install") ||
        points[i].starts_with("finalize") || points[i].starts_with("order.create") ||
        points[i].starts_with("stage_key") || points[i].starts_with("outbox") ||
        points[i].starts_with("order.installed"))
      chosen.push_back(points[i]);
  for (const auto& point : chosen) {
    CAPTURE(point);
    auto c = env.new_customer(brand);
    Run r = env.renew({{"KIOSK_CRASH_AT", point}});
    ++res.points;
    ++res.runs;
    if (r.killed) ++res.killed;
    else res.violations.push_back(point + ": not reached (rc " + std::to_string(r.rc) + ")");
    if (env.user_logins() > 1) res.violations.push_back(point + ": more logins than PINs typed");
    recover(env, c, point, res);
    for (const auto& v : env.violations(c, true)) res.violations.push_back(point + ": " + v);
  }
  return res;
}

void report(const char* name, const SweepResult& r) {
  fmt::print("crash sweep {}: {} points, {} killed there, {} kioskctl runs, {} violations\n", name, r.points, r.killed,
             r.runs, r.violations.size());
  for (const auto& v : r.violations) fmt::print("  violation: {}\n", v);
}

}  // namespace

TEST_CASE("SIGKILL at every crash point, restart, resume: P-256 (¥0 product)") {
  auto r = sweep(Brand::Haitai, true);
  report("ec-p256", r);
  CHECK(r.violations.empty());
  CHECK(r.killed == r.points);
}

// The outbox's steps for needs_staff (a paid renewal whose PIN locks): the key kept, the message written,
// sent, acknowledged. After each kill a plain resume tells the platform what it has not acknowledged: the
// order ends needs_staff, having become so exactly once as the platform sees it.
TEST_CASE("SIGKILL at every outbox step of needs_staff, then resume: told exactly once") {
  EngineEnv env;
  const std::vector<std::string> points{"outbox.needs_staff.written", "outbox.needs_staff.sent",
                                        "outbox.needs_staff.acknowledged"};
  int violations = 0;
  for (const auto& point : points) {
    CAPTURE(point);
    auto c = env.new_customer(Brand::Haitai);
    env.set_faults("pin_lock_after 1\n");
    Run r = env.renew({{"PIN", "000000"}, {"KIOSK_CRASH_AT", point}});
    CHECK_MESSAGE(r.killed, r.output);
    Run again = env.resume({{"LC_ALL", "C"}});
    INFO(again.output);
    // Told now (50), or already told before the kill and nothing left to do.
    CHECK((again.rc == 50 || again.output.find("nothing to resume") != std::string::npos));
    auto recs = env.records(c.fingerprint);
    REQUIRE(recs.orders.size() == 1);
    std::vector<std::string> v = env.violations(c, false);
    if (recs.orders[0].status != "needs_staff") v.push_back("ended " + recs.orders[0].status);
    if (recs.orders[0].needs_staff_marks != 1)
      v.push_back("needs_staff " + std::to_string(recs.orders[0].needs_staff_marks) + " times");
    if (env.journal_status(recs.orders[0].id) != "needs_staff")
      v.push_back("journal: " + env.journal_status(recs.orders[0].id));
    if (!env.old_certificate_on_token(c)) v.push_back("the old certificate is gone");
    for (const auto& x : v) MESSAGE(point << ": " << x);
    violations += static_cast<int>(v.size());
  }
  fmt::print("crash sweep needs_staff outbox: {} points, {} violations\n", points.size(), violations);
  CHECK(violations == 0);
}

TEST_CASE("SIGKILL at every crash point, restart, resume: RSA-2048 (paid product)") {
  auto r = sweep(Brand::Feitian, full_sweep());
  report("rsa-2048", r);
  CHECK(r.violations.empty());
  CHECK(r.killed == r.points);
}
