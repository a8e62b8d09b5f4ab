// The renewal end to end, by synthetic touch on the real ca-kiosk app (offscreen) with the real runtime,
// in the demo's world (kiosk/demo, the same libkiosk_demo.so `ca-kiosk --demo` loads): the reference
// platform in this process over mutual TLS on loopback, a SoftHSM key behind the fault module. One world
// for the whole run (SoftHSM reads SOFTHSM2_CONF once per process); each case gets a fresh key.
//
// Cases: a paid product (the payment QR decoded by zbarimg from the rendered PNG = the order's code_url), a
// ¥0 product (no payment screen), a wrong PIN then the right one, the key pulled mid-rollover and put back
// (the renewal goes on, one issuance), the QR expired (a new order, the old one closed or expired on the
// platform), a payment made just as the customer cancels (goes on as paid), the idle timeout mid-flow and
// its wipe (no phone number or name in the next session's screens or view-model).
#include <dlfcn.h>
#include <unistd.h>
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <variant>

#include "demo_kiosk.hpp"
#include "zbar.hpp"

namespace {

constexpr const char* kPhone = "13812345678";

using enginetest::world;

// A fresh key of `key`'s product in the reader (demo_kiosk.hpp).
class Kiosk : public enginetest::DemoKiosk {
 public:
  explicit Kiosk(demo::KeyKind key) : DemoKiosk(key, "kiosk-renewal-app") {}
};

// From the home screen to the order list: the product pre-selected from the key, the phone verified.
const char* kToOrderList = R"(tap home.renew
wait enabled products.start 8000
tap products.start
wait screen Phone 15000
type keypad 13812345678
tap phone.get_code
type-code keypad 13812345678
tap phone.next
wait screen OrderList 8000
)";

const char* kConfirmAndPin = R"(wait screen KeyDetails 15000
wait enabled keydetails.confirm 15000
tap keydetails.confirm
wait widget dialog.ok 3000
tap dialog.ok
expect screen Pin
)";

using testsupport::zbar;

int count_status(const std::vector<std::pair<std::string, std::string>>& orders, std::string_view status) {
  int n = 0;
  for (const auto& o : orders) n += o.second == status;
  return n;
}

}  // namespace

TEST_CASE("a paid product: the QR scans back to the order's code_url, paid on the phone, 续费成功") {
  Kiosk k(demo::KeyKind::Paid);
  k.script(std::string(kToOrderList) + "tap order.submit\nwait screen Payment 8000\nwait widget payment.qr 8000\n" +
           "shot payment\n");
  REQUIRE(core::order_of(k.model()));
  const std::string url = core::order_of(k.model())->code_url;
  CHECK(url.rfind("weixin://", 0) == 0);
  CHECK(k.text("payment.amount").find("300") != std::string::npos);
  CHECK(zbar(k.shots() / "01-payment.png") == url);
  REQUIRE(world().pay().has_value());
  k.script(std::string(kConfirmAndPin) +
           "type keypad 123456\ntap keypad.ok\nwait screen Success 90000\nshot success\n");
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second == "installed");
  CHECK(k.text("success.validity.value").find("2027") != std::string::npos);
}

TEST_CASE("a ¥0 product skips the payment screen") {
  Kiosk k(demo::KeyKind::Free);
  k.script(std::string(kToOrderList) + "tap order.submit\n" + kConfirmAndPin +
           "type keypad 123456\ntap keypad.ok\nwait screen Success 90000\n");
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second == "installed");
}

TEST_CASE("a wrong PIN is said in words; the right one renews") {
  Kiosk k(demo::KeyKind::Free);
  k.script(std::string(kToOrderList) + "tap order.submit\n" + kConfirmAndPin +
           "type keypad 654321\ntap keypad.ok\nwait widget pin.failed 15000\n");
  CHECK(core::screen_of(k.model()) == core::Screen::Pin);
  CHECK(k.text("pin.failed") != "<no widget pin.failed>");
  CHECK(k.text("pin.field").find("6") == std::string::npos);  // nothing typed is shown
  k.script("type keypad 123456\ntap keypad.ok\nwait screen Success 90000\n");
  CHECK(world().orders().at(0).second == "installed");
  // Neither PIN, nor the phone, nor the SMS code reached the event log; the rollover's steps did.
  k.check_no_secrets({"654321", "123456", kPhone});
  CHECK(k.event_text().find(" step=install: done") != std::string::npos);
}

TEST_CASE("the key pulled mid-rollover and put back: the renewal goes on, one order, installed") {
  Kiosk k(demo::KeyKind::Paid);
  k.script(std::string(kToOrderList) + "tap order.submit\nwait screen Payment 8000\n");
  REQUIRE(world().pay().has_value());
  k.script(std::string(kConfirmAndPin) +
           "hook pull-during-keygen\ntype keypad 123456\ntap keypad.ok\nwait screen KeyPulled 60000\n");
  // The rollover's failed call brings the screen; the hot-plug report follows (asked for at once, still
  // from another thread).
  k.script("wait key none 3000\n");
  CHECK(k.model().key.presence == core::KeyPresence::NoKey);
  // The same key back in (the demo panel's button): the renewal resumes, the PIN asked again.
  k.script("tap demo.tab\ntap demo.key.insert\ntap demo.tab\nwait key recognised 8000\n");
  const auto& m = k.model();
  if (core::screen_of(m) == core::Screen::KeyDetails || core::screen_of(m) == core::Screen::KeyPulled)
    k.script("wait enabled keydetails.confirm 15000\ntap keydetails.confirm\n");
  k.script("wait screen Pin 15000\ntype keypad 123456\ntap keypad.ok\nwait screen Success 90000\n");
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second == "installed");
}

TEST_CASE("the key out and back in between two hot-plug polls: KEY已拔出, then the PIN again, one issuance") {
  // The token answers "removed" to the key generation (its work done, the answer lost) but is in the
  // reader again before the watcher's next poll: a status the watcher never sees change. The kiosk must
  // still learn that the same key is back, or the customer waits on KEY已拔出 with the key in.
  Kiosk k(demo::KeyKind::Free);
  k.script(std::string(kToOrderList) + "tap order.submit\n" + kConfirmAndPin);
  world().set_key_faults("fail C_GenerateKeyPair 1 CKR_DEVICE_REMOVED after");
  k.script("type keypad 123456\ntap keypad.ok\n");
  // Back on the PIN screen to resume from where it stopped, with the staged key.
  const bool resumed = k.wait(
      [&] {
        const auto& m = k.model();
        const auto* pin = std::get_if<core::phase::Pin>(&m.flow);
        return pin && pin->paid.resume_step.has_value();
      },
      30000);
  REQUIRE_MESSAGE(resumed, "screen " << core::screen_name(core::screen_of(k.model())));
  CHECK(k.model().key.presence != core::KeyPresence::NoKey);
  world().set_key_faults("");
  k.script("type keypad 123456\ntap keypad.ok\nwait screen Success 90000\n");
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second == "installed");
}

TEST_CASE("the QR expires: 重新下单 makes a new order and the old one is closed on the platform") {
  Kiosk k(demo::KeyKind::Paid);
  k.script(std::string(kToOrderList) + "tap order.submit\nwait screen Payment 8000\nwait widget payment.qr 8000\n");
  const std::string first = core::order_of(k.model())->id;
  // The customer never pays: ten minutes and a second pass on both clocks. The screen's idle timeout is
  // the order's expiry: no 您还在吗 before it, at it the overlay; 【继续】 shows 【重新下单】. The kiosk's
  // clock goes first: were the platform's ahead, the order's long poll could bring "expired" early.
  // (Ten seconds short of the expiry, not one: the clocks count whole seconds, and the real time since the
  // order was made counts too.)
  k.script("advance 590\nexpect overlay off\n");
  REQUIRE(world().advance_platform_clock(601).has_value());
  k.script("advance 11\nexpect overlay on\ntap idle.continue\n"
           "wait widget payment.new_order 8000\nexpect overlay off\n");
  CHECK(core::screen_of(k.model()) == core::Screen::Payment);
  // Ten minutes also lapsed the phone's verification on the platform: back to the phone step, in words,
  // the number kept; a new code, and the new order.
  k.script("tap payment.new_order\nwait screen Phone 15000\nwait widget phone.error 3000\n");
  CHECK(k.text("phone.error") == "手机验证已过期，未扣费。请点击【获取验证码】重新验证后再下单。");
  CHECK(k.text("phone.field.text") == kPhone);
  k.script("tap phone.get_code\ntype-code keypad 13812345678\ntap phone.next\nwait screen OrderList 8000\n"
           "tap order.submit\n");
  k.wait(
      [&] {
        return k.app().widgets().find("payment.qr") || core::screen_of(k.model()) == core::Screen::Failure;
      },
      15000);
  if (const auto* p = std::get_if<core::phase::Failure>(&k.model().flow))
    FAIL("failure: " << p->failure.body_key << " " << p->failure.detail);
  REQUIRE(core::order_of(k.model()));
  CHECK(core::order_of(k.model())->id != first);
  const auto orders = world().orders();
  REQUIRE(orders.size() == 2);
  CHECK((orders[0].second == "closed" || orders[0].second == "expired"));
  CHECK(orders[1].second == "pending_payment");
  k.script("tap payment.cancel\nwait widget dialog.ok 3000\ntap dialog.ok\nwait screen Home 15000\n");
  const auto after = world().orders();
  std::string statuses;
  for (const auto& o : after) statuses += o.first + " " + o.second + "; ";
  CHECK_MESSAGE(count_status(after, "pending_payment") == 0, statuses);  // cancelling closes it too
  REQUIRE(world().advance_platform_clock(0).has_value());
}

TEST_CASE("paid on the phone just as the customer cancels: the renewal goes on as paid") {
  Kiosk k(demo::KeyKind::Paid);
  k.script(std::string(kToOrderList) + "tap order.submit\nwait screen Payment 8000\nwait widget payment.qr 8000\n" +
           "tap payment.cancel\nwait widget dialog.ok 3000\n");
  REQUIRE(world().pay().has_value());  // the phone paid while the dialog was up
  k.script("tap dialog.ok\nwait screen KeyDetails 15000\n");
  const auto orders = world().orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second == "paid");
  k.script(std::string("wait enabled keydetails.confirm 15000\ntap keydetails.confirm\nwait widget dialog.ok 3000\n") +
           "tap dialog.ok\ntype keypad 123456\ntap keypad.ok\nwait screen Success 90000\n");
  CHECK(world().orders().at(0).second == "installed");
}

TEST_CASE("the idle timeout mid-flow wipes the session: no phone number or name afterwards") {
  Kiosk k(demo::KeyKind::Paid);
  k.script(std::string(kToOrderList) + "tap order.submit\nwait screen Payment 8000\n");
  REQUIRE(world().pay().has_value());
  k.script("wait enabled keydetails.confirm 15000\n");
  CHECK(k.all_text().find("张三") != std::string::npos);
  const auto session = k.model().session;
  // Walked away on the key's details: the overlay, then home with nothing kept.
  k.script("advance 61\nexpect overlay on\nadvance 30\nexpect screen Home\nexpect overlay off\n");
  CHECK(k.model().session != session);
  CHECK(k.model().flow == core::Flow{core::phase::Home{}});  // nothing of the customer's kept
  const auto no_trace = [&](const std::string& where) {
    const std::string t = k.all_text();
    CHECK_MESSAGE(t.find(kPhone) == std::string::npos, where);
    CHECK_MESSAGE(t.find("5678") == std::string::npos, where);
    CHECK_MESSAGE(t.find("张三") == std::string::npos, where);
    CHECK_MESSAGE(t.find("内蒙古") == std::string::npos, where);
  };
  no_trace("home");
  // The next customer's renewal starts from nothing: an empty phone field, no code.
  k.script("tap home.renew\nwait enabled products.start 8000\n");
  no_trace("products");
  k.script("tap products.start\nwait screen Phone 15000\n");
  no_trace("phone");
  CHECK(std::get<core::phase::Phone>(k.model().flow).renewal.phone.phone.empty());
  k.script("tap chrome.home\nexpect screen Home\n");
  // The paid order is not lost: 我的业务 offers 【继续操作】 (tests/engine/account_app_test.cpp goes on).
  CHECK(world().orders().at(0).second == "paid");
}

TEST_CASE("a slow key generation shows it is alive: frames drawn, its time so far moving, what is usual") {
  Kiosk k(demo::KeyKind::Free);
  world().set_key_faults(
      "keygen_sleep_ms 3500");  // a token that takes its time (a real one: a minute or more)
  k.script(std::string(kToOrderList) + "tap order.submit\n" + kConfirmAndPin +
           "type keypad 123456\ntap keypad.ok\nwait screen Progress 15000\n");
  auto generating = [&] {
    const auto* p = std::get_if<core::phase::Progress>(&k.model().flow);
    return p && p->paid.step == core::RenewalStep::StageKey;
  };
  // Nobody touches the kiosk: the loop draws by itself while the key pair is made, and what it says moves.
  const auto frames = k.app().frames_drawn();
  std::set<std::string> said;
  for (int i = 0; i < 60 && generating(); ++i) {
    k.app().pump(1000);
    if (const auto* w = k.app().widgets().find("progress.row0.time")) said.insert(w->text);
  }
  CHECK(k.app().frames_drawn() - frames >= 3);
  REQUIRE(said.size() >= 3);
  for (const auto& s : said) {
    CHECK(s.find("已用时") == 0);
    CHECK(s.find("通常需要约") != std::string::npos);
  }
  k.script("wait screen Success 90000\n");
  // What it took is kept next to the journal for the next customer with this kind of key.
  auto cfg = runtime::load_config(world().config_path());
  REQUIRE(cfg.has_value());
  auto bytes = app::read_file(cfg->journal_path.parent_path() / "step-times.json");
  REQUIRE(bytes.has_value());
  const std::string file(bytes->begin(), bytes->end());
  CHECK(file.find("ec-p256") != std::string::npos);
  CHECK(file.find("\"stage_key\"") != std::string::npos);
}
