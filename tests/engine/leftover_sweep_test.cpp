// Nothing left behind on the key, end to end: `kioskctl renew` killed (SIGKILL, from inside the fault
// module) in the middle of key generation, of the certificate's write or of finalize's relabelling on a
// token that writes objects non-atomically (token/fault/tear.hpp), at every write; then `kioskctl renew
// --resume` until the renewal is done. After each point: the engine's invariants (one order, paid once,
// issued once, a usable certificate, a sound journal), no object on the key that was not there before except
// the renewal's three, and every object of the customer's exactly as before (the renewed pair and certificate
// go by the product's old-key policy). The customer's key holds, besides the certificate being renewed, a
// nameless key pair of the renewal's type, a lone nameless public key and a data object: look-alikes of
// leftovers.
//
// Quick mode (CI): a few points of each algorithm, among them the one the field saw (the private half
// created, nothing of it written). KIOSK_FULL_SWEEP=1: every write of key generation in both orders
// (public half first, as SoftHSM, and private first), of the certificate and of the relabelling, both
// algorithms.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>

#include "engine_env.hpp"
#include "key_objects.hpp"
#include "platform/client.hpp"

using namespace enginetest;
using testsupport::Bytes;
using testsupport::ObjectDump;

namespace {

struct Result {
  int points = 0;
  int killed = 0;
  int runs = 0;
  std::vector<std::string> violations;
};

testsupport::CustomerKey key_of(Brand b) {
  return b == Brand::Haitai ? testsupport::CustomerKey::EcP256 : testsupport::CustomerKey::Rsa2048;
}

std::vector<ObjectDump> dump() {
  testsupport::RawP11 p11(testsupport::softhsm_module());
  return testsupport::dump_objects(p11, p11.slot_of("cust"));
}

void add_extras(Brand b) {
  testsupport::RawP11 p11(testsupport::softhsm_module());
  testsupport::add_customer_extras(p11, p11.slot_of("cust"), key_of(b));
}

// The CKA_ID of the certificate the renewal installed (the order's).
Bytes renewal_id(EngineEnv& env, const Customer& c, const std::vector<ObjectDump>& after) {
  for (const auto& o : env.records(c.fingerprint).orders) {
    auto order = env.client().order_get(o.id);
    if (!order || !order->certificate) continue;
    for (const auto& d : after)
      if (d.get(CKA_VALUE) == *order->certificate) return d.get(CKA_ID);
  }
  return {};
}

// Resume until the renewal is done, as staff or the customer would.
void recover(EngineEnv& env, const Customer& c, Result& res, const std::string& point) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    Run r = env.resume({{"LC_ALL", "C"}});
    ++res.runs;
    if (r.rc == 0) return;
    if (r.output.find("nothing to resume") != std::string::npos) {
      auto recs = env.records(c.fingerprint);
      if (!recs.orders.empty() && recs.orders.back().status == "installed") return;
      r = env.renew();
      ++res.runs;
      if (r.rc == 0) return;
    }
    MESSAGE(point << " attempt " << attempt << " rc=" << r.rc << "\n" << r.output);
  }
  res.violations.push_back(point + ": did not finish after 4 attempts");
}

void point(EngineEnv& env, Brand brand, const std::string& rules, const std::string& name, Result& res) {
  CAPTURE(name);
  auto c = env.new_customer(brand);
  add_extras(brand);
  const auto before = dump();
  env.set_faults(rules);
  Run r = env.renew();
  env.set_faults("");
  ++res.points;
  ++res.runs;
  if (r.killed)
    ++res.killed;
  else
    res.violations.push_back(name + ": not killed (rc " + std::to_string(r.rc) + ")");
  recover(env, c, res, name);
  for (const auto& v : env.violations(c, true)) res.violations.push_back(name + ": " + v);
  const auto after = dump();
  for (const auto& p : testsupport::compare_objects(before, after, Bytes{0x01}, renewal_id(env, c, after)))
    res.violations.push_back(name + ": " + p);
}

struct Writes {
  unsigned long generate = 0, certificate = 0;
};

// A clean renewal: how many writes the tear model splits its key generation and its certificate into.
Writes calibrate(EngineEnv& env, Brand brand) {
  env.new_customer(brand);
  Run r = env.renew();
  REQUIRE_MESSAGE(r.rc == 0, r.output);
  return {env.fault_count("writes.C_GenerateKeyPair"), env.fault_count("writes.C_CreateObject")};
}

Result sweep(Brand brand, bool every_point) {
  EngineEnv env;
  const Writes w = calibrate(env, brand);
  REQUIRE(w.generate >= 6);
  REQUIRE(w.certificate >= 2);
  // The private half of the kiosk's key generation is 10 writes: public first, after write w - 9 the
  // private object exists with nothing of it written (what the field saw).
  const unsigned long nameless = w.generate - 9;
  std::vector<std::pair<std::string, std::string>> points;
  for (const char* order : {"public-first", "private-first"})
    for (unsigned long k = 0; k <= w.generate; ++k)
      if (every_point || (order == std::string_view("public-first") && k == nameless) ||
          (order == std::string_view("private-first") && k == 5))
        points.emplace_back(fmt::format("tear_order {}\ntear C_GenerateKeyPair 1 {} kill\n", order, k),
                            fmt::format("C_GenerateKeyPair {} after {} writes", order, k));
  for (unsigned long k = 0; k <= w.certificate; ++k)
    if (every_point || k == 2)
      points.emplace_back(fmt::format("tear C_CreateObject 1 {} kill\n", k),
                          fmt::format("C_CreateObject after {} writes", k));
  // finalize's relabelling: private key, public key, certificate (one attribute each).
  for (int n = 1; n <= 3; ++n)
    for (int k = 0; k <= 1; ++k)
      if (every_point || (n == 3 && k == 0))
        points.emplace_back(fmt::format("tear C_SetAttributeValue {} {} kill\n", n, k),
                            fmt::format("C_SetAttributeValue #{} after {} writes", n, k));
  Result res;
  for (const auto& [rules, name] : points) point(env, brand, rules, name, res);
  return res;
}

void report(const char* name, const Result& r) {
  fmt::print("leftover sweep {}: {} points, {} killed there, {} kioskctl runs, {} violations\n", name,
             r.points, r.killed, r.runs, r.violations.size());
  for (const auto& v : r.violations) fmt::print("  violation: {}\n", v);
}

}  // namespace

TEST_CASE("killed inside key generation, resumed: staff see what was removed") {
  EngineEnv env;
  const Writes w = calibrate(env, Brand::Haitai);
  auto c = env.new_customer(Brand::Haitai);
  add_extras(Brand::Haitai);
  env.set_faults(fmt::format("tear C_GenerateKeyPair 1 {} kill\n", w.generate - 9));
  Run r = env.renew();
  env.set_faults("");
  REQUIRE(r.killed);
  Run resumed = env.resume();
  REQUIRE_MESSAGE(resumed.rc == 0, resumed.output);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  Run show = env.kioskctl({"business", "show", recs.orders[0].id});
  INFO(show.output);
  CHECK(show.rc == 0);
  CHECK(show.output.find("removed from the key (1)") != std::string::npos);
  CHECK(show.output.find("private key ec, CKA_ID none, label \"\"") != std::string::npos);
  CHECK(show.output.find("left alone") == std::string::npos);
}

TEST_CASE(
    "SIGKILL inside key generation and the certificate's write: P-256 (every write with "
    "KIOSK_FULL_SWEEP=1)") {
  auto r = sweep(Brand::Haitai, full_sweep());
  report("ec-p256", r);
  CHECK(r.violations.empty());
  CHECK(r.killed == r.points);
}

TEST_CASE(
    "SIGKILL inside key generation and the certificate's write: RSA-2048 (every write with "
    "KIOSK_FULL_SWEEP=1)") {
  auto r = sweep(Brand::Feitian, full_sweep());
  report("rsa-2048", r);
  CHECK(r.violations.empty());
  CHECK(r.killed == r.points);
}
