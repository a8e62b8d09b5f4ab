// The staff PKI by hand (docs/staff.md, "Issuing a staff KEY"): tests/staff/issue_staff_key.sh makes a
// staff CA, a staff KEY on a SoftHSM token with pkcs11-tool and openssl, and the CA's CRLs; the kiosk's
// sign-in accepts the KEY, and refuses it once it is on the CRL.
#include <doctest/doctest.h>

#include "runtime/staff_sign_in.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

void script(const std::string& args) {
  std::string out;
  const int rc = run_command(shell_quote(KIOSK_ISSUE_STAFF_KEY) + " " + args + " 2>&1", &out);
  REQUIRE_MESSAGE(rc == 0, out);
}

}  // namespace

TEST_CASE("a staff KEY issued with openssl and pkcs11-tool signs in, and is refused once revoked") {
  SoftHsmEnv env;
  env.init_token("staff-wangfang");
  const std::string dir = shell_quote(env.dir().string());
  script("ca " + dir);
  script("key " + dir + " " + shell_quote(softhsm_module().string()) + " staff-wangfang " + std::string(kUserPin) +
         " 王芳 HALL1");

  auto trust = staff::Trust::load(env.dir() / "staff-ca.pem", "2.25.161466141967956400798317720578276031232",
                                  {"NMG-HOHHOT-HALL1-K01", "HALL1", "NMG"}, 24h);
  REQUIRE_MESSAGE(trust, (trust ? "" : trust.error()));
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  RawP11 raw(softhsm_module());
  auto s = token::Session::open(raw.module(), raw.slot_of("staff-wangfang"));
  REQUIRE(s);
  const Bytes crl = der_of_file(env.dir() / "staff-crl.der");
  auto key = runtime::read_staff_key(*s, *trust, crl, now);
  REQUIRE_MESSAGE(key, key.error().to_string());
  CHECK(key->identity.common_name == "王芳");
  auto in = runtime::sign_in_staff(*s, *key, foundation::SecretBuffer(kUserPin), {}, *trust, crl, now);
  CHECK_MESSAGE(in, (in ? "" : in.error().to_string()));

  script("revoke " + dir);
  auto revoked = runtime::read_staff_key(*s, *trust, der_of_file(env.dir() / "staff-crl.der"), now);
  REQUIRE_FALSE(revoked);
  CHECK(revoked.error().refusal() == staff::Refusal::Revoked);
}
