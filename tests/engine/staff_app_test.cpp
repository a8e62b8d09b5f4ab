// Hall staff end to end, by synthetic touch on the real ca-kiosk app (offscreen) with the real runtime, in
// the demo's world: the reference platform over mutual TLS on loopback with its dev staff CA and CRL, the
// customer's KEY and the hall's staff KEY (王芳, a P-256 pair made on its own SoftHSM token) sharing the
// reader's one port behind the fault module.
//
// One walk-through: a paid renewal left unfinished (the customer walked away: 请取走您的KEY), the staff KEY in,
// 【维护】, its PIN, the status page, out of service and back, the screen test, the business page, 【继续办理】
// handing the business to its customer, whose own KEY brings the renewal back to its details; then staff
// mode's two minutes untouched; every staff action found in the journal's audit chain with the staff
// member's certificate subject.
#include <dlfcn.h>
#include <unistd.h>
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "demo_kiosk.hpp"

namespace {

using enginetest::world;

class Kiosk : public enginetest::DemoKiosk {
 public:
  Kiosk() : DemoKiosk(demo::KeyKind::Paid, "kiosk-staff-app") {}
  std::vector<journal::AuditEntry> audit() {
    std::vector<journal::AuditEntry> out;
    runtime().with_journal([&](journal::Journal& j) {
      auto t = j.audit_tail(500);
      REQUIRE(t.has_value());
      out = *t;
      CHECK(j.verify_chain().has_value());
    });
    return out;
  }
};

const char* kToPayment = R"(tap home.renew
wait enabled products.start 8000
tap products.start
wait screen Phone 15000
type keypad 13812345678
tap phone.get_code
type-code keypad 13812345678
tap phone.next
wait screen OrderList 8000
tap order.submit
wait screen Payment 8000
)";

// The staff KEY in the port instead of the customer's, 【维护】, its PIN: the status page.
const char* kSignIn = R"(wait widget chrome.staff 15000
shot staff-key-home
tap chrome.staff
wait screen StaffSignIn 3000
shot sign-in
type staff.keypad 123456
tap staff.keypad.ok
wait screen Maintenance 20000
wait widget staff.status.overall 20000
shot status
)";

int count(const std::vector<journal::AuditEntry>& a, std::string_view type) {
  return static_cast<int>(std::count_if(a.begin(), a.end(), [&](const auto& e) { return e.type == type; }));
}

}  // namespace

TEST_CASE("staff sign in with their KEY, take the kiosk out of service and back, test the screen, hand a "
          "paid business to its customer, and every action is in the audit chain") {
  Kiosk k;
  // A paid renewal the customer walked away from: unfinished in the journal, 请取走您的KEY on home.
  k.script(kToPayment);
  REQUIRE(world().pay().has_value());
  k.script("wait screen KeyDetails 15000\nadvance 200\nadvance 30\nwait screen Home 5000\nshot key-left\n");
  const core::Order* none = core::order_of(k.model());
  CHECK(none == nullptr);
  REQUIRE(k.model().key_left_since.has_value());
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  const std::string order_id = orders[0].first;
  CHECK(orders[0].second == "paid");

  // The staff KEY instead (one port): 【维护】, the PIN, signed in.
  world().set_staff_key_inserted(true);
  k.script(kSignIn);
  const auto* m = std::get_if<core::phase::Maintenance>(&k.model().flow);
  REQUIRE(m != nullptr);
  CHECK(m->staff.name == "王芳");
  CHECK(m->staff.actor.find("CN=王芳") != std::string::npos);
  CHECK_FALSE(m->status.empty());

  // Out of service with a reason, then back.
  k.script("tap staff.page.service\ntap staff.service.reason.repair\ntap staff.service.out\nshot service-out\n");
  CHECK(k.model().service.sources.of(core::ServiceSource::Staff).has_value());
  k.script("tap staff.service.in\n");
  CHECK_FALSE(k.model().service.sources.of(core::ServiceSource::Staff).has_value());

  // A device test: the screen's colour bars, white, black, back.
  k.script("tap staff.page.devices\ntap staff.devices.screen\nshot screen-test\n");
  CHECK(std::get<core::phase::Maintenance>(k.model().flow).test == core::DeviceTest::Screen);
  k.script("tap staff.screen.stop\n");
  CHECK(std::get<core::phase::Maintenance>(k.model().flow).test == core::DeviceTest::None);

  // The business that needs someone: the walked-away renewal, 【继续办理】.
  k.script("tap staff.page.business\nwait widget staff.biz.continue.0 10000\nshot business\n");
  const auto& biz = std::get<core::phase::Maintenance>(k.model().flow).business;
  REQUIRE_FALSE(biz.empty());
  CHECK(biz[0].order_id == order_id);
  CHECK(biz[0].phone_masked == "138****5678");
  REQUIRE(biz[0].can_continue);
  k.script("tap staff.biz.continue.0\nexpect screen Handover\nshot handover\n");

  // The customer's own KEY back in the port: the renewal's details, the customer's PIN to come.
  world().set_key_inserted(true);
  k.script("wait screen KeyDetails 20000\n");
  CHECK(core::order_of(k.model())->id == order_id);

  // Staff mode's two minutes untouched (the customer walked away again first).
  k.script("advance 200\nadvance 30\nwait screen Home 5000\n");
  world().set_staff_key_inserted(true);
  k.script(kSignIn);
  k.script("advance 121\nwait screen Home 3000\n");

  // The last sign-out's audit entry is written by the runtime's lane after home is drawn: wait for it.
  CHECK(k.wait([&] { return count(k.audit(), "staff.sign_out") == 2; }, 10'000));
  const auto a = k.audit();
  CHECK(count(a, "staff.sign_in") == 2);
  CHECK(count(a, "staff.service.out") == 1);
  CHECK(count(a, "staff.service.in") == 1);
  CHECK(count(a, "staff.business.continue") == 1);
  CHECK(count(a, "staff.sign_out") == 2);
  for (const auto& e : a)
    if (e.type.starts_with("staff.")) CHECK_MESSAGE(e.data.find("CN=王芳") != std::string::npos, e.data);
  const auto out = std::find_if(a.begin(), a.end(), [](const auto& e) { return e.type == "staff.sign_out"; });
  REQUIRE(out != a.end());
  CHECK(out->data.find(R"("reason":"idle")") != std::string::npos);  // the newest first
  k.check_no_secrets({"123456", "13812345678"});
}
