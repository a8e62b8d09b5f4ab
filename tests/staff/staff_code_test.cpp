// What staff sign-in asks the platform (runtime/staff_code.hpp, docs/staff.md), against the reference
// platform over mutual TLS: a maintenance code (good once, wrong, throttled after five wrong, the platform
// unreachable, each with the message the maintenance keypad shows), and the staff CRL kept only when the
// pinned staff CA signed it.
#include <doctest/doctest.h>

#include "runtime/staff_code.hpp"
#include "staff_keys.hpp"
#include "support.hpp"

using namespace platform_test;

namespace {

std::string make_code(Platform& p, const std::string& staff) {
  auto o = p.client_options();
  o.client_cert = p.server->pki().admin_cert;
  o.client_key = p.server->pki().admin_key;
  auto admin = p.make_client(o);
  REQUIRE(admin);
  contract::Json body = {{"staff", staff}, {"kiosk_id", std::string(reference::kDefaultKioskId)}};
  auto made = admin->call("POST", "admin/maintenance-codes", &body, platform::new_idempotency_key());
  REQUIRE_MESSAGE(made, (made ? "" : made.error().to_string()));
  return (*made)["code"].get<std::string>();
}

}  // namespace

TEST_CASE("a maintenance code signs the staff member in once; wrong codes say so, then wait") {
  Platform p;
  const std::string code = make_code(p, "zhang.wei");
  auto in = runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer(code));
  REQUIRE_MESSAGE(in, (in ? "" : in.error().detail));
  CHECK(in->staff == "zhang.wei");
  CHECK(in->kiosk_id == reference::kDefaultKioskId);

  auto again = runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer(code));
  REQUIRE_FALSE(again);
  CHECK(again.error().message_key == "staff.code.invalid");
  CHECK(again.error().detail.find(code) == std::string::npos);  // the code is never in a message

  auto empty = runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer(""));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message_key == "staff.code.invalid");

  for (int i = 0; i < 4; ++i)
    CHECK(runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer("AAAAAAAAAAAAAAAAAAAA"))
              .error()
              .message_key == "staff.code.invalid");
  auto waited =
      runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer(make_code(p, "zhang.wei")));
  REQUIRE_FALSE(waited);
  CHECK(waited.error().message_key == "staff.code.throttled");
  CHECK(waited.error().retry_after_s.value_or(0) > 0);

  p.server->stop();
  auto offline =
      runtime::sign_in_with_code(p.client, "zhang.wei", foundation::SecretBuffer("AAAAAAAAAAAAAAAAAAAA"));
  REQUIRE_FALSE(offline);
  CHECK(offline.error().message_key == "staff.code.offline");
}

TEST_CASE("the staff CRL from the platform is kept when the staff CA signed it, and only then") {
  Platform p;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  stafftest::StaffPki pki(now);
  pki.write_ca(p.dir.path / "staff-ca.pem");
  auto trust =
      staff::Trust::load(p.dir.path / "staff-ca.pem", std::string(stafftest::kStaffRoleOid),
                         {std::string(reference::kDefaultKioskId), "H001", ""}, std::chrono::hours(24));
  REQUIRE(trust);
  staff::CrlStore store(p.dir.path / "staff-crl.der");

  auto none = runtime::refresh_staff_crl(p.client, *trust, store, now);
  REQUIRE_FALSE(none);
  CHECK(none.error().find("staff_crl.none") != std::string::npos);

  const auto crl = pki.crl(3, {}, now + std::chrono::hours(24 * 7));
  fleetpki::write_file(p.server->pki().dir / "staff-crl.der", crl);
  auto kept = runtime::refresh_staff_crl(p.client, *trust, store, now);
  REQUIRE_MESSAGE(kept, (kept ? "" : kept.error()));
  CHECK(kept->number == 3);
  CHECK(store.load() == crl);

  // A CRL of another CA on the platform changes nothing here.
  auto foreign =
      fleetpki::make_crl(pki.other_ca, 9, {}, now - std::chrono::hours(1), now + std::chrono::hours(24));
  fleetpki::write_file(p.server->pki().dir / "staff-crl.der", stafftest::der_of_crl(foreign.get()));
  CHECK_FALSE(runtime::refresh_staff_crl(p.client, *trust, store, now));
  CHECK(store.load() == crl);
}
