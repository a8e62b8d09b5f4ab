// Renewals end to end through the client against the reference platform over real mutual TLS on loopback:
// ¥0 and paid, expired certificates, the long poll, and every renewal rule broken once.
#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <thread>

#include "api_checks.hpp"
#include "reference/crypto.hpp"

TEST_CASE("¥0 renewal end to end: order paid at creation, certificate from now to old expiry + 1 year") {
  Platform p;
  Customer cust = seed_gov(p, 30);
  contract::Order o = create_order(p, cust, kGovProduct, "13800000010");
  CHECK(o.status == OrderStatus::Paid);
  CHECK(o.amount_fen == 0);
  CHECK(o.code_url.empty());
  CHECK(o.paid_at.has_value());
  CHECK(o.old_cert_sha256 == cust.cert.sha256);
  CHECK(o.token.serial == cust.token.serial);
  CHECK(o.product_id == kGovProduct);

  EvpPkeyPtr new_key = new_ec_key();
  contract::UnixTime now = platform_now(p);
  auto issued = renew(p, cust, o.id, new_key.get());
  CHECK_OK(issued);
  CHECK(issued->order_id == o.id);
  CHECK_FALSE(issued->encryption_certificate.has_value());
  CHECK_FALSE(issued->encryption_private_key.has_value());
  REQUIRE(issued->chain.size() == 1);
  CHECK(issued->chain[0] == cust.cert.issuing_ca);
  auto cert = reference::cert_from_der(issued->certificate);
  REQUIRE(cert);
  CHECK(reference::der_of_pubkey(X509_get0_pubkey(cert.get())) == reference::der_of_pubkey(new_key.get()));
  CHECK(reference::der_of_name(X509_get_subject_name(cert.get())) == subject_der_of(cust.cert.certificate));
  // A few minutes in the past, as public CAs issue: a kiosk a little behind holds a valid certificate.
  CHECK(std::abs(issued->not_before - (now - reference::kNotBeforeBackdateS)) <= 5);
  auto old = reference::cert_from_der(cust.cert.certificate);
  contract::UnixTime old_not_after = reference::asn1_time_to_unix(X509_get0_notAfter(old.get()));
  CHECK(issued->not_after == reference::add_years(old_not_after, 1));
  CHECK(reference::asn1_time_to_unix(X509_get0_notAfter(cert.get())) == issued->not_after);

  auto again = p.client.certificate_get(o.id);
  CHECK_OK(again);
  CHECK(again->certificate == issued->certificate);
  auto got = p.client.order_get(o.id);
  CHECK_OK(got);
  CHECK(got->status == OrderStatus::Issued);
  REQUIRE(got->certificate.has_value());
  CHECK(*got->certificate == issued->certificate);

  auto installed = p.client.order_installed(o.id, new_idempotency_key());
  CHECK_OK(installed);
  CHECK(installed->status == OrderStatus::Installed);
  auto twice = p.client.order_installed(o.id, new_idempotency_key());
  CHECK_OK(twice);
  CHECK(twice->status == OrderStatus::Installed);

  // The renewed certificate is the one that counts now: the old one cannot be renewed again.
  auto again_order = p.client.order_create(order_request(cust, kGovProduct, p.verify_phone("13800000010")),
                                           new_idempotency_key());
  CHECK_CODE(again_order, code::kCertificateAlreadyRenewed);
  auto rec = platform::dev::records(p.client, cust.cert.sha256);
  CHECK_OK(rec);
  CHECK(rec->orders.size() == 1);
  CHECK(rec->issuances == 1);
}

TEST_CASE("expired certificate: the new one runs from now until now + years") {
  Platform p;
  Customer cust = seed_gov(p, -100);  // expired 100 days ago: inside the 365-day window
  contract::Order o = create_order(p, cust, kGovProduct, "13800000011");
  EvpPkeyPtr k = new_ec_key();
  contract::UnixTime now = platform_now(p);
  auto issued = renew(p, cust, o.id, k.get());
  CHECK_OK(issued);
  CHECK(std::abs(issued->not_after - reference::add_years(now, 1)) <= 5);
}

TEST_CASE(
    "paid renewal: amount from the platform, WeChat code_url, long-poll sees the payment, close says already "
    "paid") {
  Platform p;
  Customer cust = seed_bid(p, 20);
  contract::Order o = create_order(p, cust, kBidProduct, "13800000020", 2);
  CHECK(o.status == OrderStatus::PendingPayment);
  CHECK(o.amount_fen == 60000);
  CHECK(o.code_url.starts_with("weixin://wxpay/bizpayurl?pr="));
  CHECK(o.code_url.size() > std::string("weixin://wxpay/bizpayurl?pr=").size() + 6);
  CHECK(o.expires_at - o.created_at == 600);

  // Another kiosk process pays (scan and pay) while this one long-polls.
  auto payer_client = p.make_client(p.client_options());
  REQUIRE(payer_client.has_value());
  std::thread payer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto paid = platform::dev::pay(*payer_client, o.id);
    CHECK(paid.has_value());
  });
  auto t0 = std::chrono::steady_clock::now();
  auto polled = p.client.order_wait(o.id, OrderStatus::PendingPayment, std::chrono::seconds(10));
  auto waited = std::chrono::steady_clock::now() - t0;
  payer.join();
  CHECK_OK(polled);
  CHECK(polled->status == OrderStatus::Paid);
  CHECK(waited < std::chrono::seconds(5));
  CHECK(waited >= std::chrono::milliseconds(200));

  auto pay_twice = platform::dev::pay(p.client, o.id);
  CHECK_CODE(pay_twice, code::kOrderAlreadyPaid);
  auto close = p.client.order_close(o.id, new_idempotency_key());
  CHECK_CODE(close, code::kOrderAlreadyPaid);

  auto issued = renew(p, cust, o.id, rsa_key(1));
  CHECK_OK(issued);
  auto rec = platform::dev::records(p.client, cust.cert.sha256);
  CHECK_OK(rec);
  REQUIRE(rec->orders.size() == 1);
  CHECK(rec->payments == 1);
  CHECK(rec->orders[0].issuances == 1);
}

TEST_CASE("long poll without a change returns after the wait with the same status") {
  Platform p;
  Customer cust = seed_bid(p, 20);
  contract::Order o = create_order(p, cust, kBidProduct, "13800000021");
  auto t0 = std::chrono::steady_clock::now();
  auto polled = p.client.order_wait(o.id, OrderStatus::PendingPayment, std::chrono::seconds(1));
  CHECK_OK(polled);
  CHECK(polled->status == OrderStatus::PendingPayment);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));
}

TEST_CASE("renewal rules: one issuance per order, proofs, P10 checks") {
  Platform p;
  Customer c = seed_gov(p);
  contract::Order o = create_order(p, c, kGovProduct, "13800000050");
  EvpPkeyPtr new_key = new_ec_key();
  Bytes subject = subject_der_of(c.cert.certificate);

  SUBCASE("submit without a nonce") {
    Bytes p10 = make_p10(new_key.get(), subject);
    auto r = p.client.renewal_submit(o.id, {p10, sign_proof(c.key, o.id, p10, Bytes(32, 1))},
                                     new_idempotency_key());
    CHECK_CODE(r, code::kNonceMissing);
  }
  SUBCASE("a wrong proof: signed by another key, over another nonce, for another order") {
    auto nonce = p.client.renewal_nonce(o.id, new_idempotency_key());
    CHECK_OK(nonce);
    CHECK(nonce->nonce.size() == 32);
    Bytes p10 = make_p10(new_key.get(), subject);
    EvpPkeyPtr stranger = new_ec_key();
    CHECK_CODE(p.client.renewal_submit(o.id, {p10, sign_proof(stranger.get(), o.id, p10, nonce->nonce)},
                                       new_idempotency_key()),
               code::kProofInvalid);
    CHECK_CODE(p.client.renewal_submit(o.id, {p10, sign_proof(c.key, o.id, p10, Bytes(32, 7))},
                                       new_idempotency_key()),
               code::kProofInvalid);
    CHECK_CODE(p.client.renewal_submit(o.id, {p10, sign_proof(c.key, "R-other", p10, nonce->nonce)},
                                       new_idempotency_key()),
               code::kProofInvalid);
    // A proof over another P10 than the one submitted.
    Bytes other_p10 = make_p10(stranger.get(), subject);
    CHECK_CODE(p.client.renewal_submit(o.id, {p10, sign_proof(c.key, o.id, other_p10, nonce->nonce)},
                                       new_idempotency_key()),
               code::kProofInvalid);
  }
  SUBCASE("P10 checks: malformed, bad self-signature, other subject, other key type") {
    auto nonce = p.client.renewal_nonce(o.id, new_idempotency_key());
    CHECK_OK(nonce);
    Bytes junk = {0x30, 0x01, 0x00};
    CHECK_CODE(p.client.renewal_submit(o.id, {junk, sign_proof(c.key, o.id, junk, nonce->nonce)},
                                       new_idempotency_key()),
               code::kP10Malformed);
    Bytes p10 = make_p10(new_key.get(), subject);
    Bytes broken = p10;
    broken[broken.size() - 5] ^= 0x55;  // inside the signature
    CHECK_CODE(p.client.renewal_submit(o.id, {broken, sign_proof(c.key, o.id, broken, nonce->nonce)},
                                       new_idempotency_key()),
               code::kP10SignatureInvalid);
    auto other_name = reference::make_name({{"C", "CN"}, {"O", "别的单位"}, {"CN", "别人"}});
    Bytes other = make_p10(new_key.get(), reference::der_of_name(other_name.get()));
    CHECK_CODE(p.client.renewal_submit(o.id, {other, sign_proof(c.key, o.id, other, nonce->nonce)},
                                       new_idempotency_key()),
               code::kSubjectMismatch);
    Bytes rsa = make_p10(rsa_key(0), subject);
    CHECK_CODE(p.client.renewal_submit(o.id, {rsa, sign_proof(c.key, o.id, rsa, nonce->nonce)},
                                       new_idempotency_key()),
               code::kP10KeyType);
  }
  SUBCASE("issued but not installed: a new order for the certificate points at the unfinished one") {
    REQUIRE(renew(p, c, o.id, new_key.get()).has_value());
    auto again = p.client.order_create(order_request(c, kGovProduct, p.verify_phone("13800000050")),
                                       new_idempotency_key());
    CHECK_CODE(again, code::kRenewalInProgress);
    CHECK(again.error().detail == o.id);
  }
  SUBCASE("the same key gets the same certificate; a second key is refused") {
    auto first = renew(p, c, o.id, new_key.get());
    CHECK_OK(first);
    auto same = renew(p, c, o.id, new_key.get());
    CHECK_OK(same);
    CHECK(same->certificate == first->certificate);
    CHECK(same->serial == first->serial);
    EvpPkeyPtr second_key = new_ec_key();
    auto other = renew(p, c, o.id, second_key.get());
    CHECK_CODE(other, code::kOtherKey);
    auto rec = platform::dev::records(p.client, c.cert.sha256);
    CHECK_OK(rec);
    CHECK(rec->issuances == 1);
  }
}
