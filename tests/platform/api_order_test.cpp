// Orders through the client against the reference platform over real mutual TLS on loopback: eligibility
// at creation and the order's life (expiry, close, needs_staff, one paid order per certificate).
#include <doctest/doctest.h>
#include <openssl/x509.h>

#include "api_checks.hpp"
#include "reference/crypto.hpp"

TEST_CASE("order rules: eligibility is decided and bound at creation") {
  Platform p;
  std::string token = p.verify_phone("13800000030");
  auto create = [&](const contract::OrderCreateRequest& r) {
    return p.client.order_create(r, new_idempotency_key());
  };
  SUBCASE("another project's certificate for the ¥0 product") {
    Customer c = seed_customer(p, "e-bidding", "haitai", 30, false);
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateWrongProject);
  }
  SUBCASE("another brand's certificate") {
    Customer c = seed_customer(p, "gov-procurement", "feitian", 30, false);
    c.token = {"Haitai", "HaiKey", "X"};
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateWrongBrand);
  }
  SUBCASE("a key type that does not fit the product") {
    Customer c = seed_customer(p, "gov-procurement", "haitai", 30, true);
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateKeyType);
  }
  SUBCASE("the token is not the product's brand") {
    Customer c = seed_gov(p);
    c.token = {"Feitian", "ePass3003", "X"};
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kTokenMismatch);
  }
  SUBCASE("revoked") {
    Customer c = seed_gov(p);
    REQUIRE(platform::dev::revoke(p.client, c.cert.serial).has_value());
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateRevoked);
  }
  SUBCASE("window not open yet (more than 90 days before expiry)") {
    Customer c = seed_gov(p, 120);
    auto r = create(order_request(c, kGovProduct, token));
    CHECK_CODE(r, code::kCertificateTooEarly);
    CHECK(r.error().detail.starts_with("opens_at="));
  }
  SUBCASE("window closed (expired more than 365 days ago)") {
    Customer c = seed_gov(p, -400);
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateTooLate);
  }
  SUBCASE("inside the window at both ends") {
    Customer early = seed_gov(p, 89);
    CHECK(create(order_request(early, kGovProduct, token)).has_value());
    Customer late = seed_gov(p, -364);
    CHECK(create(order_request(late, kGovProduct, token)).has_value());
  }
  SUBCASE("a certificate this CA did not issue") {
    Customer c = seed_gov(p);
    // Same subject and key, but self-signed.
    auto cert = reference::cert_from_der(c.cert.certificate);
    reference::CertSpec s;
    s.subject = X509_get_subject_name(cert.get());
    s.public_key = c.key;
    s.issuer_key = c.key;
    s.serial = {1, 2, 3};
    s.not_before = platform_now(p) - 86400;
    s.not_after = platform_now(p) + 86400 * 30;
    auto fake = reference::make_certificate(s);
    REQUIRE(fake);
    c.cert.certificate = reference::der_of(fake.get());
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateUnknown);
  }
  SUBCASE("not a certificate") {
    Customer c = seed_gov(p);
    c.cert.certificate = {0x30, 0x03, 0x02, 0x01, 0x01};
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kCertificateMalformed);
  }
  SUBCASE("no phone verification") {
    Customer c = seed_gov(p);
    CHECK_CODE(create(order_request(c, kGovProduct, "not-a-token")), code::kVerificationInvalid);
  }
  SUBCASE("a phone verification older than 10 minutes") {
    Customer c = seed_gov(p);
    REQUIRE(platform::dev::advance_clock(p.client, 601).has_value());
    CHECK_CODE(create(order_request(c, kGovProduct, token)), code::kVerificationInvalid);
  }
  SUBCASE("unknown product, years not offered") {
    Customer c = seed_gov(p);
    CHECK_CODE(create(order_request(c, "nope", token)), code::kProductUnknown);
    CHECK_CODE(create(order_request(c, kGovProduct, token, 3)), code::kYearsInvalid);
  }
}

TEST_CASE("order life: expiry, close, needs_staff, one paid order per certificate") {
  Platform p;
  SUBCASE("not paid within 10 minutes: expired; paying it then is refused") {
    Customer c = seed_bid(p, 20);
    contract::Order o = create_order(p, c, kBidProduct, "13800000040");
    REQUIRE(platform::dev::advance_clock(p.client, 601).has_value());
    auto got = p.client.order_get(o.id);
    CHECK_OK(got);
    CHECK(got->status == OrderStatus::Expired);
    CHECK_CODE(platform::dev::pay(p.client, o.id), code::kOrderExpired);
    auto closed = p.client.order_close(o.id, new_idempotency_key());
    CHECK_OK(closed);
    CHECK(closed->status == OrderStatus::Expired);
    auto nonce = p.client.renewal_nonce(o.id, new_idempotency_key());
    CHECK_CODE(nonce, code::kOrderExpired);
  }
  SUBCASE("closed before payment; cannot be paid then") {
    Customer c = seed_bid(p, 20);
    contract::Order o = create_order(p, c, kBidProduct, "13800000041");
    auto closed = p.client.order_close(o.id, new_idempotency_key());
    CHECK_OK(closed);
    CHECK(closed->status == OrderStatus::Closed);
    CHECK_CODE(platform::dev::pay(p.client, o.id), code::kOrderClosed);
  }
  SUBCASE("renewal before payment is refused") {
    Customer c = seed_bid(p, 20);
    contract::Order o = create_order(p, c, kBidProduct, "13800000042");
    CHECK_CODE(p.client.renewal_nonce(o.id, new_idempotency_key()), code::kOrderNotPaid);
    CHECK_CODE(p.client.order_needs_staff(o.id, {"pin_locked", ""}, new_idempotency_key()),
               code::kOrderNotPaid);
  }
  SUBCASE("needs_staff: a paid order the kiosk cannot finish") {
    Customer c = seed_gov(p);
    contract::Order o = create_order(p, c, kGovProduct, "13800000043");
    auto ns =
        p.client.order_needs_staff(o.id, {"pin_locked", "PIN locked before P10"}, new_idempotency_key());
    CHECK_OK(ns);
    CHECK(ns->status == OrderStatus::NeedsStaff);
    CHECK(ns->needs_staff_reason == "pin_locked");
    REQUIRE(ns->needs_staff_next_step.has_value());
    CHECK(ns->needs_staff_next_step->starts_with("order.next_step."));
    CHECK_CODE(p.client.renewal_nonce(o.id, new_idempotency_key()), code::kOrderNeedsStaff);
    // The certificate is bound to that unfinished paid order: no second order for it.
    auto second = p.client.order_create(order_request(c, kGovProduct, p.verify_phone("13800000043")),
                                        new_idempotency_key());
    CHECK_CODE(second, code::kRenewalInProgress);
    CHECK(second.error().detail == o.id);
    // Counter staff ask for the money back.
    auto refund = platform::dev::request_refund(p.client, o.id);
    CHECK_OK(refund);
    CHECK(refund->status == OrderStatus::RefundRequested);
    CHECK_CODE(p.client.renewal_nonce(o.id, new_idempotency_key()), code::kOrderStateInvalid);
  }
  SUBCASE("unknown order") {
    CHECK_CODE(p.client.order_get("R20260101deadbeef0000"), code::kOrderNotFound);
    CHECK_CODE(p.client.certificate_get("R20260101deadbeef0000"), code::kOrderNotFound);
  }
  SUBCASE("installed before issued is refused; certificate before issuance is 404") {
    Customer c = seed_gov(p);
    contract::Order o = create_order(p, c, kGovProduct, "13800000044");
    CHECK_CODE(p.client.order_installed(o.id, new_idempotency_key()), code::kOrderStateInvalid);
    CHECK_CODE(p.client.certificate_get(o.id), code::kNotIssued);
  }
}

TEST_CASE(
    "kiosk orders: the orders this kiosk made, by its certificate, with the unfinished ones on their own") {
  Platform p;
  Customer paid = seed_gov(p);
  contract::Order a = create_order(p, paid, kGovProduct, "13800000045");  // ¥0: paid at creation
  Customer pending = seed_bid(p, 20);
  contract::Order b = create_order(p, pending, kBidProduct, "13800000046");  // awaits payment
  auto all = p.client.kiosk_orders();
  CHECK_OK(all);
  REQUIRE(all->orders.size() == 2);
  CHECK(all->orders[0].id == b.id);  // newest first
  CHECK(all->orders[1].id == a.id);
  auto unfinished = p.client.kiosk_orders(true);
  CHECK_OK(unfinished);
  REQUIRE(unfinished->orders.size() == 1);
  CHECK(unfinished->orders[0].id == a.id);
  CHECK(unfinished->orders[0].status == OrderStatus::Paid);
  // Another kiosk sees none of them.
  auto k2_cert = p.dir.path / "k2.pem";
  auto k2_key = p.dir.path / "k2.key";
  reference::write_kiosk_certificate(p.dir.path, "DEV-KIOSK-02", k2_cert, k2_key);
  auto o2 = p.client_options();
  o2.client_cert = k2_cert;
  o2.client_key = k2_key;
  auto k2 = p.make_client(o2);
  REQUIRE(k2.has_value());
  auto theirs = k2->kiosk_orders();
  CHECK_OK(theirs);
  CHECK(theirs->orders.empty());
  CHECK_CODE(p.client.call("GET", "kiosk/orders?unfinished=maybe", nullptr), code::kBadRequest);
}
