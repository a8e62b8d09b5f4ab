// A pulled token at every PKCS#11 call of the rollover, before and after forwarding (one run per call):
// each time the token keeps a usable certificate with its matching private key, and the next run resumes
// with the staged key instead of generating another (docs/token.md, "The rollover").
//
// Quick mode (CI): every call for P-256, an even sample plus the key-generation and write calls for
// RSA-2048. KIOSK_FULL_SWEEP=1: every call for both. The number of points run is printed.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <cstdlib>
#include <set>

#include "fault_control.hpp"
#include "rollover_driver.hpp"
#include "token/rollover.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using domain::KeyAlgorithm;

namespace {

bool full_sweep() {
  const char* v = std::getenv("KIOSK_FULL_SWEEP");
  return v != nullptr && std::string_view(v) == "1";
}

struct Sweep {
  FaultControl fault;
  TokenFixture fx{"sweep-key", fault_module()};
  StandInPlatform platform{fx.ca, Validity::from_now(std::chrono::seconds(-5), 365)};
  domain::KeyAlgorithm algorithm;
  std::string current_fp;

  explicit Sweep(domain::KeyAlgorithm a) : algorithm(a) {
    CustomerSpec spec;
    spec.key = a == domain::KeyAlgorithm::Rsa2048 ? CustomerKey::Rsa2048 : CustomerKey::EcP256;
    current_fp = provision_customer(*fx.raw, fx.slot, fx.ca, spec).fingerprint;
  }

  token::CertInfo read_current() {
    auto s = fx.logged_in();
    auto c = s.certificate(current_fp);
    REQUIRE_MESSAGE(c, c.error().to_string());
    return *c;
  }

  // One attempt as the kiosk makes it: open, log in, drive. Any error is returned, never retried.
  token::Result<DriverOutcome> attempt(const token::CertInfo& old, const std::string& order) {
    auto s = token::Session::open(fx.raw->module(), fx.slot);
    if (!s) return std::unexpected(s.error());
    if (wrong_pin_latch()) throw std::runtime_error("stopped after an unexpected wrong PIN");
    if (auto l = s->login(foundation::SecretBuffer(kUserPin)); !l) {
      if (l.error().code == token::ErrorCode::PinIncorrect) wrong_pin_latch() = true;
      return std::unexpected(l.error());
    }
    auto ref = token::RenewalRef::make(order, old.sha256_hex);
    REQUIRE(ref);
    return drive_rollover(*s, *ref, old, algorithm, platform, domain::OldKeyPolicy::Delete);
  }

  std::size_t objects(CK_OBJECT_CLASS cls) {
    CK_SESSION_HANDLE h = fx.raw->open(fx.slot);
    fx.raw->login(h, kUserPin);
    std::size_t n = fx.raw->find(h, cls).size();
    fx.raw->close(h);
    return n;
  }

  // The calls of one clean rollover (the session's open to its close).
  unsigned long calibrate() {
    token::CertInfo old = read_current();
    fault.set("");
    unsigned long before = fault.count("total");
    auto out = attempt(old, "SW-CAL-" + std::string(domain::to_string(algorithm)));
    REQUIRE_MESSAGE(out, out.error().to_string());
    unsigned long n = fault.count("total") - before;
    current_fp = out->result.certificate.sha256_hex;
    return n;
  }

  // One point: the fault, the invariant, the resume.
  void point(const std::string& rule, const std::string& order) {
    CAPTURE(rule);
    token::CertInfo old = read_current();
    fault.set(rule);
    auto first = attempt(old, order);
    fault.set("");  // the key is put back
    if (first) {
      current_fp = first->result.certificate.sha256_hex;  // the fault hit after the last step mattered
    } else {
      CHECK_MESSAGE(first.error().code == token::ErrorCode::TokenRemoved, first.error().to_string());
    }
    // Whatever happened, the customer can still sign with a valid certificate.
    CHECK(count_usable_pairs(*fx.raw, fx.slot) >= 1);

    bool staged = false;
    {
      auto s = fx.logged_in();
      auto ref = token::RenewalRef::make(order, old.sha256_hex);
      REQUIRE(ref);
      auto st = token::find_renewal(s, *ref);
      REQUIRE_MESSAGE(st, st.error().to_string());
      staged = st->stage != token::RenewalStage::Nothing;
      CHECK(st->staged_pairs <= 1);
    }
    const unsigned long gens = fault.count("C_GenerateKeyPair");
    auto resumed = attempt(old, order);
    REQUIRE_MESSAGE(resumed, resumed.error().to_string());
    if (staged) {
      CHECK_FALSE(resumed->generated_key);
      CHECK(fault.count("C_GenerateKeyPair") == gens);
    }
    current_fp = resumed->result.certificate.sha256_hex;
    // One renewal, one key pair: the old pair and certificate are gone (Delete), no second pair exists.
    CHECK(objects(CKO_PRIVATE_KEY) == 1);
    CHECK(objects(CKO_PUBLIC_KEY) == 1);
    CHECK(objects(CKO_CERTIFICATE) == 1);
    CHECK(count_usable_pairs(*fx.raw, fx.slot) == 1);
  }
};

void run_sweep(domain::KeyAlgorithm algorithm, bool every_call) {
  Sweep sw(algorithm);
  const unsigned long n = sw.calibrate();
  REQUIRE(n > 10);
  std::vector<std::string> rules;
  for (const char* when : {"before", "after"}) {
    if (every_call) {
      for (unsigned long k = 1; k <= n; ++k) rules.push_back(fmt::format("pull * {} {}\n", k, when));
    } else {
      std::set<unsigned long> ks;
      for (unsigned long i = 0; i < 8; ++i) ks.insert(1 + i * (n - 1) / 7);
      for (unsigned long k : ks) rules.push_back(fmt::format("pull * {} {}\n", k, when));
      for (const char* fn : {"C_Login", "C_GenerateKeyPair", "C_Sign"})
        rules.push_back(fmt::format("pull {} 1 {}\n", fn, when));
      for (int i = 1; i <= 2; ++i) rules.push_back(fmt::format("pull C_CreateObject {} {}\n", i, when));
      for (int i = 1; i <= 3; ++i) rules.push_back(fmt::format("pull C_SetAttributeValue {} {}\n", i, when));
      for (int i = 1; i <= 3; ++i) rules.push_back(fmt::format("pull C_DestroyObject {} {}\n", i, when));
    }
  }
  int i = 0;
  for (const auto& rule : rules) sw.point(rule, fmt::format("SW-{}", ++i));
  fmt::print("fault sweep {}: {} calls per rollover, {} points run ({}), before and after forwarding\n",
             domain::to_string(algorithm), n, rules.size(), every_call ? "every call" : "sample");
}

}  // namespace

TEST_CASE("pulled token at every call of the P-256 rollover") { run_sweep(domain::KeyAlgorithm::EcP256, true); }

TEST_CASE("pulled token during the RSA-2048 rollover (every call with KIOSK_FULL_SWEEP=1)") {
  run_sweep(domain::KeyAlgorithm::Rsa2048, full_sweep());
}
