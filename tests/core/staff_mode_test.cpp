// Maintenance mode in the core (docs/staff.md, "Maintenance mode"): 【维护】 only for a staff KEY, entry
// refused while a step with side effects runs and allowed on the failure screen (the customer's session
// wiped), the PIN rules (the final try asked first), codes throttled, the three ways out (【退出维护】, the
// KEY pulled, two minutes untouched), out of service by staff, a business handed to its customer, and an
// audit entry for every staff action.
#include <algorithm>
#include <string>

#include "driver.hpp"

using namespace core_test;

namespace {

constexpr const char* kActor = "CN=王芳,OU=Hall Staff,O=Example CA sha256:ab12";

Driver staff_driver() {
  Driver d;
  d.m.settings.staff_keys = true;
  return d;
}

StaffKeyInfo staff_info(const Driver& d, std::string refusal = {}) {
  StaffKeyInfo i;
  i.token = d.m.key.identity;
  i.name = "王芳";
  i.refusal_key = std::move(refusal);
  return i;
}

// A staff KEY inserted (the runtime says it is one), 【维护】, the PIN, signed in.
void sign_in(Driver& d) {
  d.insert_key("staff");
  REQUIRE(d.effect<CheckStaffKey>());
  d.send(StaffKeyChecked{staff_info(d)});
  d.send(MaintenanceTapped{});
  REQUIRE(d.screen() == Screen::StaffSignIn);
  d.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
  REQUIRE(d.effect<StaffKeySignIn>());
  d.send(StaffSignedIn{d.m.session, StaffMember{kActor, "王芳", true, d.m.key.identity, kNow}});
  REQUIRE(d.screen() == Screen::Maintenance);
}

std::vector<RecordStaffAction> audits(const Driver& d) {
  std::vector<RecordStaffAction> out;
  for (const auto& e : d.all_fx)
    if (auto* r = std::get_if<RecordStaffAction>(&e)) out.push_back(*r);
  return out;
}

bool audited(const Driver& d, const std::string& action) {
  auto a = audits(d);
  return std::any_of(a.begin(), a.end(), [&](const RecordStaffAction& r) { return r.action == action; });
}

}  // namespace

TEST_CASE("a customer's KEY offers nothing; a staff KEY offers 【维护】 and the sign-in asks its PIN") {
  Driver d = staff_driver();
  d.insert_key("haitai");
  REQUIRE(d.effect<CheckStaffKey>());
  StaffKeyInfo customer;
  customer.token = d.m.key.identity;  // no name: not a staff KEY
  d.send(StaffKeyChecked{customer});
  CHECK_FALSE(chrome_view(d.m).staff_entry);
  d.send(MaintenanceTapped{});  // whoever sends it
  CHECK(d.screen() == Screen::Home);

  d.pull_key();
  d.insert_key("staff");
  d.send(StaffKeyChecked{staff_info(d)});
  CHECK(chrome_view(d.m).staff_entry);
  d.send(MaintenanceTapped{});
  CHECK(d.screen() == Screen::StaffSignIn);
  CHECK(d.at<phase::StaffSignIn>().error_key.empty());
}

TEST_CASE("without staff KEYs configured nothing is read at insertion") {
  Driver d;
  d.insert_key("haitai");
  CHECK_FALSE(d.effect<CheckStaffKey>());
}

TEST_CASE("an answer for a KEY no longer in is dropped") {
  Driver d = staff_driver();
  d.insert_key("staff");
  StaffKeyInfo info = staff_info(d);
  d.pull_key();
  d.insert_key("haitai");
  d.send(StaffKeyChecked{info});
  CHECK_FALSE(d.m.staff_key);
  CHECK_FALSE(chrome_view(d.m).staff_entry);
}

TEST_CASE("a refused staff KEY shows why and asks no PIN") {
  Driver d = staff_driver();
  d.insert_key("staff");
  d.send(StaffKeyChecked{staff_info(d, "staff.refused.revoked")});
  d.send(MaintenanceTapped{});
  auto& p = d.at<phase::StaffSignIn>();
  CHECK(p.error_key == "staff.refused.revoked");
  d.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
  CHECK_FALSE(d.effect<StaffKeySignIn>());
}

TEST_CASE("a wrong PIN: one sign-in per PIN typed, the flags shown, never retried; the final try asked first") {
  Driver d = staff_driver();
  d.insert_key("staff");
  d.send(StaffKeyChecked{staff_info(d)});
  d.send(MaintenanceTapped{});
  d.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
  REQUIRE(d.count_all<StaffKeySignIn>() == 1);
  PinFlags after;
  after.final_try = true;
  d.send(StaffSignInFailed{d.m.session, "error.token.pin_incorrect", "", after, 0});
  CHECK(d.count_all<StaffKeySignIn>() == 1);  // nothing retries it
  CHECK(d.at<phase::StaffSignIn>().error_key == "error.token.pin_incorrect");
  d.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 2}});
  CHECK(d.count_all<StaffKeySignIn>() == 1);  // the last try: asked first
  CHECK(d.dialog() == Dialog::FinalPinTry);
  CHECK(secrets_held(d.m) == std::vector<SecretSlot>{SecretSlot{SecretKind::Pin, 2}});
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<StaffKeySignIn>());
  CHECK(d.effect<StaffKeySignIn>()->final_try_acknowledged);
  CHECK(d.effect<StaffKeySignIn>()->pin == SecretSlot{SecretKind::Pin, 2});
  CHECK(secrets_used(*std::find_if(d.fx.begin(), d.fx.end(), [](const Effect& e) {
          return std::holds_alternative<StaffKeySignIn>(e);
        })) == std::vector<SecretSlot>{SecretSlot{SecretKind::Pin, 2}});
}

TEST_CASE("entry is refused while a step with side effects runs and allowed on the failure screen") {
  Driver d = staff_driver();
  d.to_pin(false);
  d.send(PinSubmitted{});  // the Login step runs
  REQUIRE(d.m.key.presence != KeyPresence::NoKey);
  // (one port: staff cannot insert a KEY while the customer's is in, but a 【维护】 from anywhere is judged)
  d.m.staff_key = staff_info(d);
  d.send(MaintenanceTapped{});
  CHECK(d.screen() == Screen::Pin);
  CHECK(d.m.staff_entry_refused_key == "staff.entry.busy");

  // The step fails for good: the failure screen, where a stuck customer waits for staff.
  d.send(StepFailed{d.m.session, RenewalStep::Login, StepErrorKind::PinLocked, "error.token.pin_locked", ""});
  REQUIRE(d.screen() == Screen::Failure);
  const auto session = d.m.session;
  d.pull_key();
  d.insert_key("staff");
  REQUIRE(d.effect<CheckStaffKey>());
  d.send(StaffKeyChecked{staff_info(d)});
  d.send(MaintenanceTapped{});
  CHECK(d.screen() == Screen::StaffSignIn);
  CHECK(d.m.session > session);  // the customer's session wiped first
  CHECK(d.count_all<WipeSession>() >= 1);
  CHECK_FALSE(d.m.key_left_since);  // the KEY in the reader is staff's: no reminder
}

TEST_CASE("entry is refused while the payment's QR is live") {
  Driver d = staff_driver();
  d.to_order_list("haitai");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(2000, OrderStatus::PendingPayment)});
  REQUIRE(d.screen() == Screen::Payment);
  d.m.staff_key = staff_info(d);
  d.send(MaintenanceTapped{});
  CHECK(d.screen() == Screen::Payment);
  CHECK_FALSE(d.effect<CloseOrder>());
}

TEST_CASE("staff mode ends by 【退出维护】, by pulling the staff KEY and after two minutes untouched, audited") {
  SUBCASE("exit") {
    Driver d = staff_driver();
    sign_in(d);
    d.send(StaffExitTapped{});
    CHECK(d.screen() == Screen::Home);
    auto a = audits(d);
    REQUIRE_FALSE(a.empty());
    CHECK(a.back().action == "sign_out");
    CHECK(a.back().actor == kActor);
    CHECK(a.back().detail == R"({"reason":"exit"})");
    CHECK(d.m.key_left_since);  // the staff KEY is still in: 请取走您的KEY
    CHECK(d.effect<Chime>());
  }
  SUBCASE("key pulled") {
    Driver d = staff_driver();
    sign_in(d);
    d.pull_key();
    CHECK(d.screen() == Screen::Home);
    CHECK(audits(d).back().detail == R"({"reason":"key_pulled"})");
    CHECK_FALSE(d.m.key_left_since);
  }
  SUBCASE("two minutes untouched; a touch restarts them") {
    Driver d = staff_driver();
    sign_in(d);
    CHECK(next_wakeup(d.m) == d.m.last_activity + 120'000);
    d.advance_ms(100'000);
    d.send(Activity{});
    d.advance_ms(100'000);
    CHECK(d.screen() == Screen::Maintenance);
    CHECK_FALSE(d.m.idle_overlay);  // no customer overlay in staff mode
    d.advance_ms(20'001);
    CHECK(d.screen() == Screen::Home);
    CHECK(audits(d).back().detail == R"({"reason":"idle"})");
  }
}

TEST_CASE("a maintenance code: sent once, throttled with a countdown, then signed in as code:<staff>") {
  Driver d = staff_driver();
  d.send(StaffCodeRequested{});
  REQUIRE(d.screen() == Screen::StaffSignIn);
  CHECK(d.at<phase::StaffSignIn>().by_code);
  d.send(StaffCodeSubmitted{"li", SecretSlot{SecretKind::MaintenanceCode, 7}});
  REQUIRE(d.effect<StaffCodeSignIn>());
  CHECK(d.effect<StaffCodeSignIn>()->staff == "li");
  d.send(StaffSignInFailed{d.m.session, "staff.code.throttled", "", {}, 30});
  d.send(StaffCodeSubmitted{"li", SecretSlot{SecretKind::MaintenanceCode, 8}});
  CHECK_FALSE(d.effect<StaffCodeSignIn>());  // not before the wait
  d.advance_ms(30'000);
  d.send(StaffCodeSubmitted{"li", SecretSlot{SecretKind::MaintenanceCode, 9}});
  REQUIRE(d.effect<StaffCodeSignIn>());
  d.send(StaffSignedIn{d.m.session, StaffMember{"code:li", "li", false, {}, kNow}});
  CHECK(d.screen() == Screen::Maintenance);
  CHECK(d.effect<LoadStaffStatus>());
}

TEST_CASE("out of service by staff and back: the customer reads the staff reason; both audited") {
  Driver d = staff_driver();
  sign_in(d);
  d.send(StaffServiceOutTapped{"service.reason.staff.repair"});
  REQUIRE(d.m.service.sources.of(ServiceSource::Staff));
  CHECK(d.m.service.sources.reason()->reason_key == "service.reason.staff.repair");
  CHECK(d.effect<ServiceChanged>());
  CHECK(audited(d, "service.out"));
  d.send(StaffServiceOutTapped{"anything.else"});  // only the staff list's reasons
  CHECK(d.m.service.sources.reason()->reason_key == "service.reason.staff.repair");
  d.send(StaffServiceInTapped{});
  CHECK_FALSE(d.m.service.sources.out());
  CHECK(audited(d, "service.in"));
}

TEST_CASE("staff's actions go to the runtime with the staff member; the business list reloads after") {
  Driver d = staff_driver();
  sign_in(d);
  d.send(StaffPageChosen{MaintenancePage::Business});
  REQUIRE(d.effect<LoadStaffBusiness>());
  StaffBusiness b;
  b.business_id = 4;
  b.order_id = "K4";
  b.outbox_id = 9;
  b.outbox_state = "pending";
  d.send(StaffBusinessLoaded{d.m.session, {b}});
  d.send(StaffSendNowTapped{9});
  REQUIRE(d.effect<StaffAction>());
  CHECK(d.effect<StaffAction>()->actor == kActor);
  CHECK(d.effect<StaffAction>()->id == 9);
  d.send(StaffCounterTapped{4, "note"});  // one action at a time
  CHECK_FALSE(d.effect<StaffAction>());
  d.send(StaffActionDone{d.m.session, StaffActionKind::SendNow, true, "staff.business.sent", ""});
  CHECK(d.effect<LoadStaffBusiness>());
  CHECK(d.at<phase::Maintenance>().result_key == "staff.business.sent");

  d.send(StaffPageChosen{MaintenancePage::Service});
  d.send(StaffPowerTapped{PowerAction::Reboot});
  CHECK(d.dialog() == Dialog::ConfirmPower);
  CHECK_FALSE(d.effect<StaffAction>());
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<StaffAction>());
  CHECK(d.effect<StaffAction>()->kind == StaffActionKind::Reboot);
}

TEST_CASE("【继续办理】 ends staff mode and hands the business to its customer's own flow") {
  Driver d = staff_driver();
  sign_in(d);
  d.send(StaffPageChosen{MaintenancePage::Business});
  StaffBusiness b;
  b.order_id = "K7";
  b.can_continue = true;
  d.send(StaffBusinessLoaded{d.m.session, {b}});
  d.send(StaffContinueTapped{"K7"});
  REQUIRE(d.screen() == Screen::Handover);
  CHECK(audited(d, "business.continue"));
  CHECK(audits(d).back().action == "sign_out");
  CHECK(d.m.staff_key);  // the staff KEY is still in: nothing resumes on it
  CHECK_FALSE(d.effect<ResumeBusiness>());
  d.pull_key();
  d.insert_key("haitai");  // the customer's KEY
  REQUIRE(d.effect<ResumeBusiness>());
  CHECK(d.effect<ResumeBusiness>()->order_id == "K7");
  BusinessRecovered r;
  r.session = d.m.session;
  r.product_id = gov_product().id;
  r.order = Order{"K7", 2000, "", kNow + 600, OrderStatus::Paid, 1};
  r.cert = cert_expiring_in(20);
  r.token = token_of("haitai");
  d.send(r);
  CHECK(d.screen() == Screen::KeyDetails);  // the customer's own flow, with the customer's PIN to come
}

TEST_CASE("the touch test's outcome is audited; the key-reader test holds staff mode while the KEY is out") {
  Driver d = staff_driver();
  sign_in(d);
  d.send(TouchTestDone{12, 1, 3.5F, 22.0F});
  CHECK(audited(d, "device.touch"));
  CHECK(audits(d).back().detail.find(R"("misses":1)") != std::string::npos);
  d.send(DeviceTestChosen{DeviceTest::KeyReader});
  CHECK(d.effect<InspectKey>());  // the staff KEY itself, first
  d.pull_key();
  CHECK(d.screen() == Screen::Maintenance);
  d.insert_key("haitai");
  CHECK(d.effect<InspectKey>());
  d.send(DeviceTestChosen{DeviceTest::None});  // leaving the test without the staff KEY: out
  CHECK(d.screen() == Screen::Home);
  CHECK(audits(d).back().detail == R"({"reason":"key_pulled"})");
}

TEST_CASE("a session ending with a KEY in the reader reminds until the KEY is taken") {
  Driver d;
  d.insert_key("haitai");
  d.send(RenewTapped{});
  d.send(HomeTapped{});
  CHECK(d.screen() == Screen::Home);
  REQUIRE(d.m.key_left_since);
  CHECK(*d.m.key_left_since == d.m.wall);
  CHECK(d.effect<Chime>());
  d.pull_key();
  CHECK_FALSE(d.m.key_left_since);
}
