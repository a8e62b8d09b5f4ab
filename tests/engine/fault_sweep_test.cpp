// Reliability against the world: the platform failing before it commits, or committing and then dropping
// the connection (its answer lost), at every mutating call of a renewal; the platform process stopped
// and started again; and the key pulled at PKCS#11 calls of the renewal, before and after the token did
// the work. After each: resume, then the invariants (no second order, no second certificate, a paid order
// ends installed, a usable key, a sound journal).
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <fstream>
#include <map>
#include <sstream>

#include "engine_env.hpp"

using namespace enginetest;

namespace {

// Runs resumes (or a fresh start when the journal has nothing) until the renewal is done.
bool finish(EngineEnv& env, const Customer& c, std::string& log) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto recs = env.records(c.fingerprint);
    if (!recs.orders.empty() && recs.orders.back().status == "installed") return true;
    Run r = env.resume();
    if (r.rc == 0) return true;
    if (r.output.find("nothing to resume") != std::string::npos) r = env.renew();
    if (r.rc == 0) return true;
    log += r.output;
  }
  auto recs = env.records(c.fingerprint);
  return !recs.orders.empty() && recs.orders.back().status == "installed";
}

}  // namespace

TEST_CASE("the platform fails before committing, or commits and drops its answer, at every mutating call") {
  EngineEnv env;
  const std::vector<std::string> calls{"sms.send", "sms.verify", "orders.create", "renewal.nonce", "renewal.submit",
                                       "orders.installed"};
  int points = 0, violations = 0;
  for (Brand brand : {Brand::Haitai, Brand::Feitian}) {
    for (const auto& call : calls) {
      for (const std::string mode : {"fail", "drop"}) {
        CAPTURE(call);
        CAPTURE(mode);
        auto c = env.new_customer(brand);
        // Three in a row outlast the client's retries: the renewal stops and is resumed later.
        REQUIRE(platform::dev::set_fault(env.client(), call, mode, 3));
        Run r = env.renew();
        REQUIRE(platform::dev::clear_faults(env.client()));
        std::string log = r.output;
        const bool done = r.rc == 0 || finish(env, c, log);
        ++points;
        auto v = env.violations(c, true);
        if (!done) v.push_back("did not finish");
        for (const auto& x : v) MESSAGE(call << " " << mode << ": " << x << "\n" << log);
        violations += static_cast<int>(v.size());
        CHECK(v.empty());
      }
    }
  }
  fmt::print("platform fault sweep: {} points (6 calls × fail/drop × 2 algorithms), {} violations\n", points, violations);
}

TEST_CASE("the platform stopped mid-renewal and started again: the renewal resumes from its journal") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  // The platform goes away right after the order (a wrong PIN stops the first run there)...
  auto r = env.renew({{"PIN", "000000"}});
  REQUIRE(r.rc == 14);
  env.restart_platform();
  // ...and comes back with its database: the same paid order is renewed.
  auto again = env.resume();
  INFO(again.output);
  CHECK(again.rc == 0);
  CHECK(env.violations(c, true).empty());
  CHECK(env.records(c.fingerprint).orders.size() == 1);
}

TEST_CASE("the key pulled at PKCS#11 calls of the renewal, before and after the token did the work") {
  for (Brand brand : {Brand::Haitai, Brand::Feitian}) {
    EngineEnv env;
    // The calls a clean renewal makes, in order (the hot-plug polls excepted: they vary with timing).
    env.new_customer(brand);
    const auto trace = env.dir() / "p11trace.txt";
    Run clean = env.renew({{"P11FAULT_TRACE", trace.string()}});
    REQUIRE_MESSAGE(clean.rc == 0, clean.output);
    std::vector<std::pair<std::string, int>> points;  // (function, its n-th call)
    std::map<std::string, int> seen;
    std::ifstream in(trace);
    for (std::string line; std::getline(in, line);) {
      std::istringstream ls(line);
      std::string seq, fn;
      ls >> seq >> fn;
      if (fn == "C_GetSlotList" || fn == "C_GetTokenInfo" || fn == "C_GetSlotInfo" || fn == "C_Initialize" ||
          fn == "C_Finalize" || fn == "C_GetFunctionList" || fn == "C_GetInfo" || fn.empty())
        continue;
      points.emplace_back(fn, ++seen[fn]);
    }
    REQUIRE(points.size() > 20);
    const std::size_t step = full_sweep() ? 1 : points.size() / 12 + 1;
    int runs = 0, violations = 0;
    for (std::size_t i = 0; i < points.size(); i += step) {
      for (const char* when : {"before", "after"}) {
        const auto& [fn, nth] = points[i];
        CAPTURE(fn);
        CAPTURE(nth);
        CAPTURE(when);
        auto c = env.new_customer(brand);
        env.set_faults(fmt::format("pull {} {} {}\n", fn, nth, when));
        Run r = env.renew({}, {"--wait-key", "1"});
        env.set_faults("");  // the key is put back
        std::string log = r.output;
        const bool done = r.rc == 0 || finish(env, c, log);
        ++runs;
        auto v = env.violations(c, true);
        if (!done) v.push_back("did not finish");
        for (const auto& x : v) MESSAGE(fn << "#" << nth << " " << when << ": " << x << "\n" << log);
        violations += static_cast<int>(v.size());
        CHECK(v.empty());
      }
    }
    fmt::print("pulled-key sweep {}: {} of {} PKCS#11 calls × before/after = {} runs, {} violations\n",
               brand == Brand::Haitai ? "ec-p256" : "rsa-2048", (points.size() + step - 1) / step, points.size(), runs,
               violations);
  }
}
