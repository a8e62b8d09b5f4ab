// Nothing left behind on the key: key generation and the certificate's write cut short on a token that
// writes objects non-atomically (the fault module's tear model, token/fault/tear.hpp), at every write,
// then the renewal resumed the way the runtime does it (token::inventory() before the first key
// generation, token::remove_leftovers() before finalize()). After each point the key holds the customer's
// objects exactly as before (every attribute compared; the renewed pair and certificate go by the old-key
// policy), the renewal's three objects, and nothing else.
//
// Points: C_GenerateKeyPair after each of its writes (public half first, as SoftHSM, and private first),
// C_CreateObject of the certificate after each of its writes and finalize()'s C_SetAttributeValue calls
// before and after their write, the key pulled or the call failing (CKR_DEVICE_ERROR) there. Quick mode (CI):
// P-256 every point with the key pulled; RSA-2048 a sample of 8 with the call failing. KIOSK_FULL_SWEEP=1:
// every point, both outcomes, both algorithms. The process-kill version of the sweep is
// tests/engine/leftover_sweep_test.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>

#include "fault_control.hpp"
#include "key_objects.hpp"
#include "rollover_driver.hpp"
#include "token/inventory.hpp"
#include "token/rollover.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using domain::KeyAlgorithm;

namespace {

bool full_sweep() {
  const char* v = std::getenv("KIOSK_FULL_SWEEP");
  return v != nullptr && std::string_view(v) == "1";
}

struct Bench {
  FaultControl fault;  // first: the environment must be set before the module loads
  TokenFixture fx{"leftover-key", fault_module()};
  StandInPlatform platform{fx.ca, Validity::from_now(std::chrono::seconds(-5), 365)};
  KeyAlgorithm algorithm;
  domain::OldKeyPolicy policy;
  std::string current_fp;
  Bytes current_id;
  token::LeftoverReport last_report;

  Bench(KeyAlgorithm a, domain::OldKeyPolicy p) : algorithm(a), policy(p) {
    CustomerSpec spec;
    spec.key = a == KeyAlgorithm::Rsa2048 ? CustomerKey::Rsa2048 : CustomerKey::EcP256;
    auto c = provision_customer(*fx.raw, fx.slot, fx.ca, spec);
    current_fp = c.fingerprint;
    current_id = c.key_id;
    add_customer_extras(*fx.raw, fx.slot, spec.key);
  }

  token::CertInfo read_current() {
    auto s = fx.logged_in();
    auto c = s.certificate(current_fp);
    REQUIRE_MESSAGE(c, c.error().to_string());
    return *c;
  }

  std::vector<token::ObjectPrint> take_inventory() {
    auto s = fx.logged_in();
    auto inv = token::inventory(s);
    REQUIRE_MESSAGE(inv, inv.error().to_string());
    return *inv;
  }

  // One attempt as the kiosk makes it; `before` set: leftovers removed before finalize.
  token::Result<DriverOutcome> attempt(const token::CertInfo& old, const token::RenewalRef& ref,
                                       const std::vector<token::ObjectPrint>* before) {
    auto s = token::Session::open(fx.raw->module(), fx.slot);
    if (!s) return std::unexpected(s.error());
    login_checked(*s);
    BeforeFinalize clean;
    if (before != nullptr)
      clean = [&](token::Session& session) -> token::Result<void> {
        auto r = token::remove_leftovers(session, ref, *before);
        if (!r) return std::unexpected(r.error());
        last_report = *r;
        return {};
      };
    return drive_rollover(*s, ref, old, algorithm, platform, policy, clean);
  }

  // One clean renewal: how many writes the tear model splits its key generation and certificate into.
  std::pair<unsigned long, unsigned long> calibrate() {
    token::CertInfo old = read_current();
    fault.set("");
    auto ref = token::RenewalRef::make("LO-CAL-" + std::string(domain::to_string(algorithm)), old.sha256_hex);
    REQUIRE(ref);
    auto out = attempt(old, *ref, nullptr);
    REQUIRE_MESSAGE(out, out.error().to_string());
    current_fp = out->result.certificate.sha256_hex;
    current_id = out->result.certificate.key_id;
    return {fault.count("writes.C_GenerateKeyPair"), fault.count("writes.C_CreateObject")};
  }

  // One point: the tear, the resume with the clean-up, then the key compared with what it held before.
  void point(const std::string& rules, const std::string& order) {
    CAPTURE(rules);
    token::CertInfo old = read_current();
    auto ref = token::RenewalRef::make(order, old.sha256_hex);
    REQUIRE(ref);
    const auto before = take_inventory();
    const auto dumps_before = dump_objects(*fx.raw, fx.slot);
    auto torn = [&] {
      return fault.count("torn.C_GenerateKeyPair") + fault.count("torn.C_CreateObject") +
             fault.count("torn.C_SetAttributeValue");
    };
    const unsigned long torn_before = torn();
    fault.set(rules);
    auto first = attempt(old, *ref, &before);
    fault.set("");
    CHECK_MESSAGE(torn() == torn_before + 1, "the tear did not happen");
    if (first) MESSAGE("the first attempt went through");
    last_report = {};
    auto resumed = attempt(old, *ref, &before);
    REQUIRE_MESSAGE(resumed, resumed.error().to_string());
    CHECK(last_report.left.empty());
    current_fp = resumed->result.certificate.sha256_hex;
    const Bytes renewal_id = resumed->result.certificate.key_id;
    for (const auto& problem :
         compare_objects(dumps_before, dump_objects(*fx.raw, fx.slot), old.key_id, renewal_id))
      FAIL_CHECK(problem);
    current_id = renewal_id;
  }
};

Bytes ulong_bytes(CK_ULONG v) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(&v),
               reinterpret_cast<const std::uint8_t*>(&v) + sizeof v);
}

// The write after which a public-first generation has made the private object and nothing of it else: the
// private half is 10 writes (created, the 8 attributes of the kiosk's template besides class, key type,
// CKA_TOKEN and CKA_PRIVATE, generated).
unsigned long private_created(unsigned long writes) {
  return writes - 10 + 1;
}

struct SweepPlan {
  bool every_write = true;
  std::vector<std::string> outcomes{"pull"};
};

int sweep(KeyAlgorithm algorithm, const SweepPlan& plan, domain::OldKeyPolicy policy) {
  Bench b(algorithm, policy);
  const auto [gen_writes, cert_writes] = b.calibrate();
  REQUIRE(gen_writes >= 6);
  REQUIRE(cert_writes >= 2);
  // The sample: the first attribute written, the private object just made (what the field saw), the last
  // write before generation completes; one write of the certificate and of the relabelling.
  auto sampled = [&](unsigned long k) {
    return plan.every_write || k == 1 || k == private_created(gen_writes) || k + 1 == gen_writes;
  };
  std::vector<std::string> rules;
  for (const auto& outcome : plan.outcomes) {
    for (const char* order : {"public-first", "private-first"})
      for (unsigned long k = 0; k <= gen_writes; ++k)
        if (sampled(k))
          rules.push_back(fmt::format("tear_order {}\ntear C_GenerateKeyPair 1 {} {}\n", order, k, outcome));
    for (unsigned long k = 0; k <= cert_writes; ++k)
      if (plan.every_write || k == 2)
        rules.push_back(fmt::format("tear C_CreateObject 1 {} {}\n", k, outcome));
    // finalize()'s relabelling: private key, public key, certificate, one attribute each.
    for (int n = 1; n <= 3; ++n)
      for (int k = 0; k <= 1; ++k)
        if (plan.every_write || (n == 3 && k == 0))
          rules.push_back(fmt::format("tear C_SetAttributeValue {} {} {}\n", n, k, outcome));
  }
  int i = 0;
  for (const auto& r : rules) b.point(r, fmt::format("LO-{}", ++i));
  fmt::print("leftover sweep {}: {} writes in key generation, {} in the certificate, {} points ({})\n",
             domain::to_string(algorithm), gen_writes, cert_writes, rules.size(),
             plan.every_write ? "every write" : "sample");
  return i;
}

}  // namespace

TEST_CASE("a private key created but not yet named when key generation stops is removed on resume") {
  // The state the field saw: SoftHSM creates the public half whole, then the private one with its
  // defaults, and writes CKA_ID, the label and the protections after.
  Bench b(KeyAlgorithm::EcP256, domain::OldKeyPolicy::Keep);
  const auto writes = b.calibrate().first;
  token::CertInfo old = b.read_current();
  auto ref = token::RenewalRef::make("LO-NAMELESS", old.sha256_hex);
  REQUIRE(ref);
  const auto before = b.take_inventory();
  const auto dumps_before = dump_objects(*b.fx.raw, b.fx.slot);
  b.fault.set(fmt::format("tear C_GenerateKeyPair 1 {} pull\n", private_created(writes)));
  auto first = b.attempt(old, *ref, &before);
  REQUIRE_FALSE(first);
  CHECK(first.error().code == token::ErrorCode::TokenRemoved);
  b.fault.set("");

  // Deterministically there: a private key without CKA_ID or label, neither sensitive nor generated.
  int nameless = 0;
  for (const auto& d : dump_objects(*b.fx.raw, b.fx.slot))
    if (d.get(CKA_CLASS) == ulong_bytes(CKO_PRIVATE_KEY) && d.get(CKA_ID).empty() &&
        d.get(CKA_LABEL).empty() && d.get(CKA_SENSITIVE) == Bytes{0} && d.get(CKA_LOCAL) == Bytes{0})
      ++nameless;
  CHECK(nameless == 1);

  auto resumed = b.attempt(old, *ref, &before);
  REQUIRE_MESSAGE(resumed, resumed.error().to_string());
  REQUIRE(b.last_report.removed.size() == 1);
  CHECK(b.last_report.removed[0].kind == token::ObjectKind::PrivateKey);
  CHECK(b.last_report.left.empty());
  for (const auto& problem : compare_objects(dumps_before, dump_objects(*b.fx.raw, b.fx.slot), old.key_id,
                                             resumed->result.certificate.key_id))
    FAIL_CHECK(problem);
}

TEST_CASE("what is new on the key but not provably the renewal's is left alone and reported") {
  Bench b(KeyAlgorithm::EcP256, domain::OldKeyPolicy::Keep);
  const auto writes = b.calibrate().first;
  token::CertInfo old = b.read_current();
  auto ref = token::RenewalRef::make("LO-FOREIGN", old.sha256_hex);
  REQUIRE(ref);
  const auto before = b.take_inventory();
  b.fault.set(fmt::format("tear C_GenerateKeyPair 1 {} pull\n", private_created(writes)));
  REQUIRE_FALSE(b.attempt(old, *ref, &before));
  b.fault.set("");
  // Between the crash and the resume the key was elsewhere, and the customer's software added a nameless
  // EC key pair generated on the key, a lone public key and a data object: none provably the renewal's.
  const auto dumps_torn = dump_objects(*b.fx.raw, b.fx.slot);
  add_customer_extras(*b.fx.raw, b.fx.slot, CustomerKey::EcP256);
  const auto dumps_added = dump_objects(*b.fx.raw, b.fx.slot);
  auto resumed = b.attempt(old, *ref, &before);
  REQUIRE_MESSAGE(resumed, resumed.error().to_string());
  std::vector<std::string> left;
  for (const auto& p : b.last_report.left) left.push_back(p.describe());
  CAPTURE(left);
  CHECK(b.last_report.removed.size() == 1);  // the half-made private key
  CHECK(b.last_report.left.size() == 4);
  // Everything the customer added is still there, unchanged.
  const auto after = dump_objects(*b.fx.raw, b.fx.slot);
  for (const auto& d : dumps_added)
    if (std::find(dumps_torn.begin(), dumps_torn.end(), d) == dumps_torn.end())
      CHECK_MESSAGE(std::find(after.begin(), after.end(), d) != after.end(), d.describe());
}

TEST_CASE("key generation cut short at every write: P-256 (both outcomes with KIOSK_FULL_SWEEP=1)") {
  SweepPlan plan;
  if (full_sweep()) plan.outcomes.push_back("CKR_DEVICE_ERROR");
  sweep(KeyAlgorithm::EcP256, plan, domain::OldKeyPolicy::Keep);
}

TEST_CASE(
    "key generation cut short: RSA-2048 (a sample; every write and both outcomes with KIOSK_FULL_SWEEP=1)") {
  SweepPlan plan;
  plan.every_write = full_sweep();
  plan.outcomes = full_sweep() ? std::vector<std::string>{"pull", "CKR_DEVICE_ERROR"}
                               : std::vector<std::string>{"CKR_DEVICE_ERROR"};
  sweep(KeyAlgorithm::Rsa2048, plan, domain::OldKeyPolicy::Delete);
}
