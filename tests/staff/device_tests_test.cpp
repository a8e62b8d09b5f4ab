// The maintenance screens' device tests (runtime/device_tests.hpp, docs/staff.md "Device tests"): the key
// reader against SoftHSM KEYs behind the counting fault module (a customer's KEY reported whole, without a
// login or a write), and the network test against the reference platform over TLS on loopback (green, the
// platform stopped, a name that does not resolve, a CA that is not the platform's).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "fault_control.hpp"
#include "provision.hpp"
#include "runtime/device_tests.hpp"
#include "support.hpp"
#include "token_fixture.hpp"

namespace {

using testsupport::FaultControl;

bool has(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

runtime::KioskConfig key_config(const std::filesystem::path& module, std::string manufacturer) {
  runtime::KioskConfig c;
  c.brands.push_back({"softhsm", "SoftHSM KEY", module, std::move(manufacturer), "SoftHSM v2"});
  return c;
}

// The PKCS#11 calls that change a token or log in: none of them may come from the key-reader test.
constexpr const char* kForbidden[] = {"C_Login.user",      "C_Login.so",          "C_Login.context_specific",
                                      "C_CreateObject",    "C_SetAttributeValue", "C_DestroyObject",
                                      "C_GenerateKeyPair", "C_GenerateKey",       "C_InitPIN",
                                      "C_SetPIN",          "C_InitToken",         "C_CopyObject"};

const core::StatusItem& item(const core::NetworkReport& r, std::string_view id) {
  for (const auto& i : r.items)
    if (i.id == id) return i;
  FAIL("no item " << id);
  throw std::logic_error("unreachable");
}

std::string describe(const core::NetworkReport& r) {
  std::string s;
  for (const auto& i : r.items)
    s += i.id + " " + std::string(core::to_string(i.health)) + " [" + i.value + "] " + i.reason_key + " (" +
         i.detail + ")\n";
  return s;
}

runtime::KioskConfig platform_config(const platform_test::Platform& p, const std::string& base_url) {
  runtime::KioskConfig c;
  const auto o = p.client_options();
  c.platform.base_url = base_url;
  c.platform.ca_file = o.ca_file;
  c.platform.client_cert = o.client_cert;
  c.platform.client_key = o.client_key;
  c.platform.connect_timeout_ms = 2000;
  c.platform.request_timeout_ms = 10000;
  return c;
}

}  // namespace

TEST_CASE("the key reader reports a customer's KEY whole, without a login and without a write") {
  FaultControl fault;  // first: the environment must be set before the module loads
  testsupport::TokenFixture fx{"customer-key", testsupport::fault_module()};
  const auto customer = testsupport::provision_customer(*fx.raw, fx.slot, fx.ca, {});
  // A PIN that has been typed wrong once, as the customer's KEY may come in.
  fault.set("pin_count_low_after 1\npin_failures 1\n");
  const auto before = fault.stats();

  auto r = runtime::inspect_key(key_config(testsupport::fault_module(), "SoftHSM project"));
  REQUIRE_MESSAGE(r, (r ? "" : r.error().detail));
  CHECK(r->module == testsupport::fault_module().string());
  CHECK_FALSE(r->library_version.empty());
  CHECK(r->token.manufacturer == "SoftHSM project");
  CHECK(r->token.model == "SoftHSM v2");
  CHECK_FALSE(r->token.serial.empty());
  CHECK(r->brand_id == "softhsm");
  CHECK(r->pin.count_low);
  CHECK_FALSE(r->pin.locked);
  // Every mechanism the driver lists, by name: the renewal's among them.
  for (std::string_view m :
       {"CKM_EC_KEY_PAIR_GEN", "CKM_ECDSA", "CKM_RSA_PKCS_KEY_PAIR_GEN", "CKM_SHA256_RSA_PKCS"})
    CHECK_MESSAGE(has(r->mechanisms, m), std::string(m));
  for (const auto& m : r->mechanisms)
    CHECK_MESSAGE(m.rfind("CKM_0x", 0) != 0, "a mechanism without a name: " << m);
  REQUIRE(r->certificates.size() == 1);
  const core::CertSummary& cert = r->certificates[0];
  CHECK(cert.fingerprint_sha256 == customer.fingerprint);
  CHECK(cert.holder == "张三");
  CHECK(cert.organisation == "内蒙古自治区政府采购中心");
  CHECK(cert.algorithm == domain::KeyAlgorithm::EcP256);
  CHECK(cert.has_private_key);  // its public key stands in before a login (runtime/src/mapping.cpp)

  const auto after = fault.stats();
  auto calls = [&](const std::map<std::string, unsigned long>& m, const char* name) {
    auto it = m.find(name);
    return it == m.end() ? 0UL : it->second;
  };
  CHECK(calls(after, "C_GetMechanismList") > calls(before, "C_GetMechanismList"));  // the module was asked
  for (const char* name : kForbidden)
    CHECK_MESSAGE(calls(after, name) == calls(before, name), std::string(name));
}

TEST_CASE("the key reader reads any KEY: another brand's, a staff member's; none, or no driver, says so") {
  FaultControl fault;
  testsupport::TokenFixture fx{"other-key", testsupport::fault_module()};
  // Not the configured brand: reported all the same, with no brand.
  auto other = runtime::inspect_key(key_config(testsupport::fault_module(), "Haitai"));
  REQUIRE_MESSAGE(other, (other ? "" : other.error().detail));
  CHECK(other->brand_id.empty());
  CHECK(other->certificates.empty());
  // The driver makes the KEY look like the configured brand's: matched.
  fault.set("manufacturer Haitai\n");
  auto haitai = runtime::inspect_key(key_config(testsupport::fault_module(), "Haitai"));
  REQUIRE(haitai);
  CHECK(haitai->brand_id == "softhsm");
  CHECK(haitai->token.manufacturer == "Haitai");

  fault.set("removed 1\n");
  auto absent = runtime::inspect_key(key_config(testsupport::fault_module(), "SoftHSM project"));
  REQUIRE_FALSE(absent);
  CHECK(absent.error().message_key == "error.token.absent");

  auto missing = runtime::inspect_key(key_config("/nonexistent/libvendor-pkcs11.so", "Haitai"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message_key == "error.token.module_missing");
  CHECK(missing.error().detail.find("/nonexistent/libvendor-pkcs11.so") != std::string::npos);
}

TEST_CASE("the network test against the reference platform over TLS on loopback: every step green") {
  platform_test::Platform p;
  // By name (the reference platform's certificate is for localhost too), so the lookup is a real one.
  auto r = runtime::network_test(
      platform_config(p, "https://localhost:" + std::to_string(p.server->port()) + "/v1/"));
  INFO(describe(r));
  REQUIRE(r.items.size() == 4);
  CHECK(r.items[0].id == "network.address");
  CHECK(r.items[0].label_key == "staff.status.network.address");
  const auto& dns = item(r, "network.dns");
  CHECK(dns.health == core::Health::Green);
  CHECK(dns.label_key == "staff.status.network.dns");
  CHECK((dns.value.find("127.0.0.1") != std::string::npos || dns.value.find("::1") != std::string::npos));
  const auto& tls = item(r, "network.tls");
  CHECK(tls.health == core::Health::Green);
  CHECK(tls.reason_key.empty());
  CHECK(tls.value.find("CN=localhost") != std::string::npos);  // the platform's certificate
  CHECK(tls.value.find(" d") != std::string::npos);            // and its days left
  CHECK(tls.detail.find("issued by") != std::string::npos);
  const auto& trip = item(r, "network.round_trip");
  CHECK(trip.health == core::Health::Green);
  CHECK(trip.value.find(" ms") != std::string::npos);
}

TEST_CASE(
    "the network test: the platform stopped, a name that does not resolve, a CA that is not the platform's") {
  ::setenv("RES_OPTIONS", "timeout:1 attempts:1",
           1);  // a resolver that does not answer is not waited for long
  platform_test::Platform p;
  const std::string port = std::to_string(p.server->port());
  const std::string url = p.server->base_url();

  SUBCASE("the platform's CA not pinned: TLS red, no round trip") {
    auto c = platform_config(p, url);
    c.platform.ca_file = p.server->pki().fleet_ca;
    auto r = runtime::network_test(c);
    INFO(describe(r));
    CHECK(item(r, "network.dns").health == core::Health::Green);
    CHECK(item(r, "network.dns").detail.find("nothing to look up") != std::string::npos);  // an address
    CHECK(item(r, "network.tls").health == core::Health::Red);
    CHECK(item(r, "network.tls").reason_key == "staff.reason.network.tls_failed");
    CHECK(item(r, "network.round_trip").health == core::Health::Red);
    CHECK(item(r, "network.round_trip").detail.find("not tried") != std::string::npos);
  }
  SUBCASE("a name that does not resolve: DNS red, nothing else tried") {
    auto r = runtime::network_test(platform_config(p, "https://no-such-platform.invalid:" + port + "/v1/"));
    INFO(describe(r));
    CHECK(item(r, "network.dns").health == core::Health::Red);
    CHECK(item(r, "network.dns").reason_key == "staff.reason.network.dns_failed");
    CHECK(item(r, "network.dns").detail.find("no-such-platform.invalid") != std::string::npos);
    for (auto id : {"network.tls", "network.round_trip"}) {
      CHECK(item(r, id).health == core::Health::Red);
      CHECK(item(r, id).reason_key == "staff.reason.network.dns_failed");
    }
  }
  SUBCASE("the platform stopped: TLS and the round trip red, unreachable") {
    auto c = platform_config(p, url);
    p.server->stop();
    auto r = runtime::network_test(c);
    INFO(describe(r));
    CHECK(item(r, "network.dns").health == core::Health::Green);
    CHECK(item(r, "network.tls").health == core::Health::Red);
    CHECK(item(r, "network.tls").reason_key == "staff.reason.network.unreachable");
    CHECK(item(r, "network.round_trip").health == core::Health::Red);
    CHECK(item(r, "network.round_trip").reason_key == "staff.reason.network.unreachable");
  }
  ::unsetenv("RES_OPTIONS");
}
