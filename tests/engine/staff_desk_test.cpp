// What the runtime offers hall staff (runtime/staff_desk.hpp; docs/staff.md), against the real parts: the
// runtime with its service monitor talking to the reference platform over mutual TLS, SoftHSM behind the
// fault module, a journal file. The status items green, then the platform stopped (red, with its reason), a
// kiosk certificate with 10 days left (amber) and one expired (red), a driver that does not load (red), a
// damaged audit chain (red); the business that needs someone from a journal written here, sent now and
// handed to the counter, each action in the audit chain with its actor.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine_env.hpp"
#include "events/event_log.hpp"
#include "journal/journal.hpp"
#include "kiosk_version.hpp"
#include "reference/pki.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "softhsm_env.hpp"
#include "test_ca.hpp"

using namespace enginetest;
using core::Health;

namespace {

constexpr const char* kFast =
    R"("service": {"check_s": 1, "heartbeat_s": 60, "platform_out_after": 2, "platform_back_after": 2})";

struct Kiosk {
  events::EventLog log;
  std::unique_ptr<runtime::KioskRuntime> rt;

  explicit Kiosk(EngineEnv& env, bool monitor = true) {
    auto cfg = runtime::load_config(env.config_path());
    REQUIRE(cfg.has_value());
    runtime::RuntimeOptions o;
    o.config = *cfg;
    o.events = &log;
    o.watch_tokens = false;
    o.service_monitor = monitor;
    auto r = runtime::KioskRuntime::create(std::move(o));
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
    rt = std::move(*r);
  }
  ~Kiosk() { rt->stop(); }

  static const core::StatusItem& find(const std::vector<core::StatusItem>& items, std::string_view id) {
    for (const auto& i : items)
      if (i.id == id) return i;
    FAIL("no status item " << id);
    return items.front();
  }
  // The status until `done` holds of the item `id` (the service monitor's rounds come every second).
  std::vector<core::StatusItem> status_when(std::string_view id,
                                            const std::function<bool(const core::StatusItem&)>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(45);
    auto items = rt->staff_status();
    while (!done(find(items, id)) && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      items = rt->staff_status();
    }
    return items;
  }
};

std::string describe(const core::StatusItem& i) {
  return i.id + " " + std::string(core::to_string(i.health)) + " [" + i.value + "] " + i.reason_key + " (" +
         i.detail + ")";
}

// The kiosk's certificate file replaced by one for the same key from a test CA, valid from `from` for
// `days` (the platform would refuse it: these kiosks run no service checks).
void kiosk_certificate_for(EngineEnv& env, std::chrono::seconds from, int days) {
  const auto pki = reference::dev_pki_paths(env.dir() / "platform");
  const auto spki = env.dir() / "kiosk-spki.der";
  std::string out;
  REQUIRE_MESSAGE(testsupport::run_command(
                      "openssl pkey -in " + testsupport::shell_quote(pki.kiosk_key.string()) +
                          " -pubout -outform DER -out " + testsupport::shell_quote(spki.string()) + " 2>&1",
                      &out) == 0,
                  out);
  testsupport::TestCa ca("Test Fleet CA");
  const auto der =
      ca.issue(testsupport::der_of_file(spki), testsupport::make_subject({.common_name = "DEV-KIOSK-01"}),
               testsupport::Validity::from_now(from, days));
  testsupport::write_file(pki.kiosk_cert, testsupport::cert_pem(der));
}

}  // namespace

TEST_CASE(
    "status: the items in their order, green with the platform up; the platform stopped makes its item red") {
  EngineEnv env;
  env.set_config_extra(kFast);
  Kiosk k(env);
  auto items = k.status_when("platform", [](const auto& i) { return i.health == Health::Green; });
  std::vector<std::string> ids;
  for (const auto& i : items) ids.push_back(i.id);
  CHECK(ids == std::vector<std::string>{"platform", "certificate", "clock", "config", "software",
                                        "driver.haitai", "driver.feitian", "journal", "disk", "memory",
                                        "uptime", "network"});
  for (const auto& i : items) {
    CHECK_MESSAGE(
        i.label_key == "staff.status." + (i.id.starts_with("driver.") ? std::string("driver") : i.id),
        describe(i));
    if (i.health == Health::Green) CHECK_MESSAGE(i.reason_key.empty(), describe(i));
  }
  const auto& platform = Kiosk::find(items, "platform");
  REQUIRE_MESSAGE(platform.health == Health::Green, describe(platform));
  CHECK_MESSAGE(platform.value.find(" ms, ") != std::string::npos, describe(platform));
  const auto& cert = Kiosk::find(items, "certificate");
  CHECK_MESSAGE(cert.health == Health::Green, describe(cert));  // the dev PKI's: ten years
  const auto& clock = Kiosk::find(items, "clock");
  CHECK_MESSAGE(clock.health == Health::Green, describe(clock));
  CHECK(clock.value.ends_with(" s"));
  CHECK(Kiosk::find(items, "config").health == Health::Green);  // no configuration roots: install-time values
  CHECK(Kiosk::find(items, "software").value == kiosk_version());
  for (const char* id : {"driver.haitai", "driver.feitian"}) {
    const auto& d = Kiosk::find(items, id);
    CHECK_MESSAGE(d.health == Health::Green, describe(d));
    CHECK_MESSAGE(d.value.find('.') != std::string::npos, describe(d));  // the library's version, "2.6"
  }
  const auto& journal = Kiosk::find(items, "journal");
  CHECK_MESSAGE(journal.health == Health::Green, describe(journal));
  CHECK_MESSAGE(journal.value.find("audit entries") != std::string::npos, describe(journal));
  CHECK(Kiosk::find(items, "disk").value.find("MiB free") != std::string::npos);
  CHECK(Kiosk::find(items, "memory").value.starts_with("RSS "));
  CHECK(Kiosk::find(items, "uptime").value.starts_with("process "));
  const auto& net = Kiosk::find(items, "network");
  CHECK_MESSAGE((net.value.empty() ? net.health == Health::Red : net.health == Health::Green), describe(net));

  env.stop_platform();
  items = k.status_when("platform", [](const auto& i) { return i.health == Health::Red; });
  const auto& down = Kiosk::find(items, "platform");
  CHECK_MESSAGE(down.health == Health::Red, describe(down));
  CHECK(down.reason_key == "staff.reason.platform_down");
  CHECK(down.value.starts_with("last success 20"));
  CHECK_FALSE(down.detail.empty());
  env.start_platform_again();
  items = k.status_when("platform", [](const auto& i) { return i.health == Health::Green; });
  CHECK(Kiosk::find(items, "platform").health == Health::Green);
}

TEST_CASE("status: the kiosk's certificate with 10 days left is amber, an expired one red") {
  EngineEnv env;
  kiosk_certificate_for(env, std::chrono::hours(-1), 10);
  {
    Kiosk k(env, false);
    const auto items = k.rt->staff_status();
    const auto& cert = Kiosk::find(items, "certificate");
    CHECK_MESSAGE(cert.health == Health::Amber, describe(cert));
    CHECK(cert.reason_key == "staff.reason.certificate_expiring");
    CHECK((cert.value == "9 d" || cert.value == "10 d"));
    // Without the service monitor (kioskctl) the platform and the clock are not judged: amber, said so.
    CHECK(Kiosk::find(items, "platform").reason_key == "staff.reason.platform_unchecked");
    CHECK(Kiosk::find(items, "clock").reason_key == "staff.reason.clock_unknown");
  }
  kiosk_certificate_for(env, std::chrono::hours(-24 * 40), 10);
  Kiosk k(env, false);
  const auto expired = k.rt->staff_status();
  const auto& cert = Kiosk::find(expired, "certificate");
  CHECK_MESSAGE(cert.health == Health::Red, describe(cert));
  CHECK(cert.reason_key == "staff.reason.certificate_expired");
}

TEST_CASE("status: a brand whose driver does not load is red; a damaged audit chain makes the journal red") {
  EngineEnv env;
  env.set_config_extra(
      "",
      R"({"id": "gone", "display_name": "无驱动KEY", "module": "/nonexistent/libgone-pkcs11.so", "manufacturer": "Gone", "model": "X"})");
  {
    Kiosk k(env, false);
    const auto items = k.rt->staff_status();
    const auto& gone = Kiosk::find(items, "driver.gone");
    CHECK_MESSAGE(gone.health == Health::Red, describe(gone));
    CHECK(gone.reason_key == "staff.reason.driver_missing");
    CHECK(gone.detail.find("/nonexistent/libgone-pkcs11.so") != std::string::npos);
    CHECK(Kiosk::find(items, "driver.haitai").health == Health::Green);
    REQUIRE(k.rt->staff_audit("unix:root", "test", "{}").has_value());
  }
  // One audit entry's data changed behind the journal's back (its triggers dropped first).
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.journal_path().c_str(), &db) == SQLITE_OK);
  CHECK(
      sqlite3_exec(db,
                   "DROP TRIGGER audit_no_update; UPDATE audit SET data='{\"actor\":\"someone else\"}' WHERE "
                   "seq=(SELECT MAX(seq) FROM audit);",
                   nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  Kiosk k(env, false);
  const auto damaged = k.rt->staff_status();
  const auto& journal = Kiosk::find(damaged, "journal");
  CHECK_MESSAGE(journal.health == Health::Red, describe(journal));
  CHECK(journal.reason_key == "staff.reason.journal_damaged");
}

TEST_CASE(
    "business that needs someone: from the journal; sent now; handed to the counter; each in the audit "
    "chain") {
  EngineEnv env;
  std::int64_t stuck = 0, paid = 0, done = 0, open = 0, message = 0;
  {
    auto j = journal::Journal::open(env.journal_path());
    REQUIRE(j.has_value());
    journal::BusinessStart start{.product_id = "gov-procurement-haitai-renew",
                                 .phone = kPhone,
                                 .cert_fingerprint = "ab",
                                 .token_manufacturer = "Haitai",
                                 .token_model = "HaiKey",
                                 .token_serial = "HT1"};
    stuck = *j->begin(start);
    REQUIRE(j->set_order(stuck, "R-NOT-ON-THE-PLATFORM").has_value());
    REQUIRE(j->set_status(stuck, journal::Status::Paid).has_value());
    REQUIRE(j->atomically([&]() -> journal::Result<void> {
               if (auto r = j->set_status(stuck, journal::Status::NeedsStaff, "error.token.pin_locked"); !r)
                 return r;
               auto id = j->enqueue(stuck, "R-NOT-ON-THE-PLATFORM", "needs_staff",
                                    R"({"reason":"error.token.pin_locked","detail":"test"})", "key-1");
               if (!id) return std::unexpected(id.error());
               message = *id;
               return {};
             }).has_value());
    paid = *j->begin(start);
    REQUIRE(j->set_order(paid, "R-PAID").has_value());
    REQUIRE(j->set_status(paid, journal::Status::Paid).has_value());
    REQUIRE(j->intent(paid, "install").has_value());
    REQUIRE(j->failed(paid, "install", R"({"error":"error.token.removed"})").has_value());
    done = *j->begin(start);
    REQUIRE(j->set_status(done, journal::Status::Done).has_value());
    open = *j->begin(start);
  }
  env.stop_platform();  // the sender's first try at start fails: the message waits
  Kiosk k(env, false);
  auto list = k.rt->staff_business();
  REQUIRE(list.size() == 2);
  for (const auto& b : list) CHECK((b.business_id != done && b.business_id != open));  // over, or never paid
  CHECK(list[0].business_id == stuck);
  CHECK(list[0].order_id == "R-NOT-ON-THE-PLATFORM");
  CHECK(list[0].status == "needs_staff");
  CHECK(list[0].why == "error.token.pin_locked");
  CHECK(list[0].phone_masked == "138****5678");
  CHECK(list[0].outbox_id == message);
  CHECK(list[0].outbox_state == "pending");
  CHECK_FALSE(list[0].can_continue);
  CHECK(list[1].business_id == paid);
  CHECK(list[1].stopped_at == "install failed");
  CHECK(list[1].why == "error.token.removed");
  CHECK(list[1].can_continue);
  CHECK(list[1].outbox_id == 0);
  CHECK(list[1].since > 0);

  // Sent at staff's request: the platform does not know the order and refuses it for good.
  env.start_platform_again();
  auto sent = k.rt->staff_send_now("unix:alice", message);
  REQUIRE(sent.has_value());
  CHECK(sent->state == "refused");
  CHECK(sent->error.find("order.not_found") != std::string::npos);
  CHECK(k.rt->staff_send_now("unix:alice", 9999).error() == "staff.error.no_message");
  list = k.rt->staff_business();
  REQUIRE(list.size() == 2);
  CHECK(list[0].outbox_state == "refused");

  // Handed to the counter with a note: it leaves the list, stays in the journal, the phone masked.
  CHECK(k.rt->staff_hand_to_counter("unix:bob", paid, std::string(201, 'x')).error() ==
        "staff.error.note_too_long");
  CHECK(k.rt->staff_hand_to_counter("unix:bob", 4242, "x").error() == "staff.error.no_business");
  REQUIRE(k.rt->staff_hand_to_counter("unix:bob", paid, "客户手机 138 1234 5678，另 13912345678，已带到柜台")
              .has_value());
  list = k.rt->staff_business();
  REQUIRE(list.size() == 1);
  CHECK(list[0].business_id == stuck);
  k.rt->with_journal([&](journal::Journal& j) {
    auto b = j.business(paid);
    REQUIRE(b.has_value());
    CHECK(b->counter_at > 0);
    CHECK(b->status == journal::Status::Paid);  // the platform's order decides the rest
    CHECK(b->counter_note == "客户手机 138 **** 5678，另 139****5678，已带到柜台");
    auto tail = j.audit_tail(10);
    REQUIRE(tail.has_value());
    int found = 0;
    for (const auto& e : *tail) {
      const auto data = nlohmann::json::parse(e.data);
      if (e.type == "staff.send_now" && data.value("actor", "") == "unix:alice" && e.business_id == stuck)
        ++found;
      if (e.type == "staff.hand_to_counter" && data.value("actor", "") == "unix:bob" &&
          e.business_id == paid) {
        ++found;
        CHECK(e.data.find("1234") == std::string::npos);
      }
    }
    CHECK(found == 2);
    CHECK(j.verify_chain().has_value());
  });
}
