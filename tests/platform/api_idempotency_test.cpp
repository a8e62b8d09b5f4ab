// Idempotency keys and fault hooks through the client against the reference platform over real mutual
// TLS on loopback: one order per key, retries before commit, replays after a lost answer.
#include <doctest/doctest.h>

#include "api_checks.hpp"
#include "reference/crypto.hpp"

TEST_CASE("idempotency: the same create twice is one order; the same key with another body is refused") {
  Platform p;
  Customer c = seed_gov(p);
  auto req = order_request(c, kGovProduct, p.verify_phone("13800000060"));
  std::string key = new_idempotency_key();
  auto a = p.client.order_create(req, key);
  auto b = p.client.order_create(req, key);
  CHECK_OK(a);
  CHECK_OK(b);
  CHECK(a->id == b->id);
  auto rec = platform::dev::records(p.client, c.cert.sha256);
  CHECK_OK(rec);
  CHECK(rec->orders.size() == 1);
  req.years = 2;
  auto other = p.client.order_create(req, key);
  CHECK_CODE(other, code::kIdempotencyKeyReused);
  // A mutating call without a key: the client refuses it itself, the server too.
  auto none = p.client.order_close(a->id, "");
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().kind == ErrorKind::Config);
  contract::Json empty = contract::Json::object();
  auto raw = p.client.call("POST", "orders/" + a->id + "/close", &empty);
  REQUIRE_FALSE(raw.has_value());
  CHECK(raw.error().is(code::kIdempotencyKeyMissing));
  // Keys are per kiosk: another kiosk's same key is its own.
  auto other_kiosk_cert = p.dir.path / "k2.pem";
  auto other_kiosk_key = p.dir.path / "k2.key";
  reference::write_kiosk_certificate(p.dir.path, "DEV-KIOSK-02", other_kiosk_cert, other_kiosk_key);
  auto o2 = p.client_options();
  o2.client_cert = other_kiosk_cert;
  o2.client_key = other_kiosk_key;
  auto k2 = p.make_client(o2);
  REQUIRE(k2.has_value());
  auto hb = k2->heartbeat({"0.1.0", 1, {}}, key);
  CHECK_OK(hb);
  CHECK(hb->kiosk_id == "DEV-KIOSK-02");
}

TEST_CASE(
    "fault hooks: fail before commit is retried; a dropped answer after commit is replayed by its key") {
  Platform p;
  Customer c = seed_gov(p);
  auto req = order_request(c, kGovProduct, p.verify_phone("13800000070"));
  SUBCASE("fail twice, then succeed within three attempts") {
    auto opts = p.client_options();
    opts.max_attempts = 3;
    auto retrying = p.make_client(opts);
    REQUIRE(retrying.has_value());
    REQUIRE(platform::dev::set_fault(p.client, "orders.create", "fail", 2).has_value());
    auto o = retrying->order_create(req, new_idempotency_key());
    CHECK_OK(o);
    // Cleared hooks fail nothing.
    auto set = platform::dev::set_fault(p.client, "catalog", "fail", 5);
    REQUIRE_MESSAGE(set.has_value(), set.error().to_string());
    REQUIRE(platform::dev::clear_faults(p.client).has_value());
    CHECK(p.client.catalog().has_value());
  }
  SUBCASE("fail without retries: the engine sees 503 dev.fault_injected and nothing was committed") {
    REQUIRE(platform::dev::set_fault(p.client, "orders.create", "fail", 1).has_value());
    std::string key = new_idempotency_key();
    auto o = p.client.order_create(req, key);
    CHECK_CODE(o, code::kFaultInjected);
    CHECK(o.error().http_status == 503);
    CHECK(platform::dev::records(p.client, c.cert.sha256)->orders.empty());
    auto again = p.client.order_create(req, key);
    CHECK_OK(again);
  }
  SUBCASE("drop: committed, no answer; the same key gets the same order") {
    REQUIRE(platform::dev::set_fault(p.client, "orders.create", "drop", 1).has_value());
    std::string key = new_idempotency_key();
    auto lost = p.client.order_create(req, key);
    REQUIRE_FALSE(lost.has_value());
    CHECK_MESSAGE(lost.error().kind == ErrorKind::Offline, lost.error().to_string());
    auto rec = platform::dev::records(p.client, c.cert.sha256);
    CHECK_OK(rec);
    REQUIRE(rec->orders.size() == 1);
    auto resumed = p.client.order_create(req, key);
    CHECK_OK(resumed);
    CHECK(resumed->id == rec->orders[0].id);
    CHECK(platform::dev::records(p.client, c.cert.sha256)->orders.size() == 1);
  }
  SUBCASE("drop on submit: resuming with the same key gives the same certificate, one issuance") {
    auto o = p.client.order_create(req, new_idempotency_key());
    CHECK_OK(o);
    auto nonce = p.client.renewal_nonce(o->id, new_idempotency_key());
    CHECK_OK(nonce);
    EvpPkeyPtr k = new_ec_key();
    Bytes p10 = make_p10(k.get(), subject_der_of(c.cert.certificate));
    contract::RenewalSubmitRequest sr{p10, sign_proof(c.key, o->id, p10, nonce->nonce)};
    REQUIRE(platform::dev::set_fault(p.client, "renewal.submit", "drop", 1).has_value());
    std::string key = new_idempotency_key();
    auto lost = p.client.renewal_submit(o->id, sr, key);
    REQUIRE_FALSE(lost.has_value());
    auto resumed = p.client.renewal_submit(o->id, sr, key);
    CHECK_OK(resumed);
    auto fetched = p.client.certificate_get(o->id);
    CHECK_OK(fetched);
    CHECK(fetched->certificate == resumed->certificate);
    CHECK(platform::dev::records(p.client, c.cert.sha256)->issuances == 1);
  }
  SUBCASE("delay beyond the client's timeout: a Timeout error, in time") {
    auto opts = p.client_options();
    opts.request_timeout = std::chrono::milliseconds(600);
    auto impatient = p.make_client(opts);
    REQUIRE(impatient.has_value());
    REQUIRE(platform::dev::set_fault(p.client, "catalog", "delay", 1, 2000).has_value());
    auto t0 = std::chrono::steady_clock::now();
    auto cat = impatient->catalog();
    REQUIRE_FALSE(cat.has_value());
    CHECK(cat.error().kind == ErrorKind::Timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
  }
}

TEST_CASE(
    "a key kept past a day is forgotten: the call is handled afresh, and answered by the order's state") {
  Platform p;
  Customer c = seed_gov(p);
  contract::Order o = create_order(p, c, kGovProduct, "13800000075");  // ¥0: paid at creation
  const std::string key = new_idempotency_key();
  auto first = p.client.order_needs_staff(o.id, {"pin_locked", "first"}, key);
  CHECK_OK(first);
  // Within the day the same key replays; with another body it is refused.
  CHECK_CODE(p.client.order_needs_staff(o.id, {"pin_locked", "changed"}, key), code::kIdempotencyKeyReused);
  REQUIRE(platform::dev::advance_clock(p.client, 48 * 3600).has_value());
  // Two days later the key is gone (no other request has purged it yet): handled afresh, the order is
  // with the counter already, so nothing changes.
  auto later = p.client.order_needs_staff(o.id, {"pin_locked", "changed"}, key);
  CHECK_OK(later);
  CHECK(later->status == OrderStatus::NeedsStaff);
  CHECK(later->needs_staff_reason == "pin_locked");
  auto rec = platform::dev::records(p.client, c.cert.sha256);
  CHECK_OK(rec);
  REQUIRE(rec->orders.size() == 1);
  CHECK(rec->orders[0].needs_staff_marks == 1);
}
