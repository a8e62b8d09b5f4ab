// Every endpoint through the client against the reference platform over real mutual TLS on loopback:
// the happy paths, then every rule broken once, each a typed error with its machine code.
#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <thread>

#include "contract/codes.hpp"
#include "reference/crypto.hpp"
#include "support.hpp"

using namespace platform_test;
namespace code = contract::code;
using contract::OrderStatus;
using contract::SmsPurpose;
using platform::ErrorKind;
using platform::new_idempotency_key;

#define CHECK_OK(r) REQUIRE_MESSAGE((r).has_value(), ((r) ? std::string() : (r).error().to_string()))
#define CHECK_CODE(r, c)                                           \
  do {                                                             \
    const auto& r_ = (r);                                          \
    REQUIRE_FALSE(r_.has_value());                                 \
    CHECK_MESSAGE(r_.error().is(c), r_.error().to_string());       \
    CHECK(r_.error().message_key == contract::message_key_for(c)); \
  } while (0)

TEST_CASE("catalog: projects, brands, the ¥0 government product and a paid one") {
  Platform p;
  auto cat = p.client.catalog();
  CHECK_OK(cat);
  const auto* gov = cat->product(kGovProduct);
  const auto* bid = cat->product(kBidProduct);
  REQUIRE(gov);
  REQUIRE(bid);
  CHECK(gov->display_name == "政府采购项目 - 海泰KEY - 续费");
  CHECK(gov->price_fen_per_year == 0);
  CHECK(gov->key_algorithm == domain::KeyAlgorithm::EcP256);
  CHECK(bid->price_fen_per_year == 30000);
  CHECK(bid->key_algorithm == domain::KeyAlgorithm::Rsa2048);
  CHECK(gov->renewal_days_before == 90);
  CHECK(gov->renewal_days_after == 365);
  REQUIRE(cat->brand("haitai"));
  CHECK(cat->brand("haitai")->manufacturer == "Haitai");
  CHECK(cat->brand("feitian")->model == "ePass3003");
  CHECK(cat->project(gov->project)->display_name == "政府采购项目");
}

TEST_CASE("SMS: send answers the code length and resend wait; verify gives a phone token") {
  Platform p;
  auto sent = p.client.sms_send({"13800000001", SmsPurpose::Renewal}, new_idempotency_key());
  CHECK_OK(sent);
  CHECK(sent->code_length == 6);
  CHECK(sent->resend_after_s == 60);
  CHECK(sent->expires_in_s == 300);
  auto code_text = platform::dev::last_code(p.client, "13800000001", SmsPurpose::Renewal);
  CHECK_OK(code_text);
  CHECK(code_text->size() == 6);
  auto v = p.client.sms_verify("13800000001", SmsPurpose::Renewal, *code_text, new_idempotency_key());
  CHECK_OK(v);
  CHECK(v->verification_token.size() >= 20);
  // A code works once.
  auto again = p.client.sms_verify("13800000001", SmsPurpose::Renewal, *code_text, new_idempotency_key());
  CHECK_CODE(again, code::kSmsCodeExpired);
  // The outbox file exists too (the gateway stand-in).
  CHECK(std::filesystem::file_size(p.dir.path / "sms-outbox.log") > 0);
}

TEST_CASE("SMS rules: wrong code ×6, expired code, too many sends, bad phone, test phones exempt") {
  Platform p;
  SUBCASE("wrong code six times: five tries, then the code is dead even when right") {
    std::string right = p.send_code("13800000002", SmsPurpose::Renewal);
    std::string wrong = right == "000000" ? "111111" : "000000";
    for (int i = 1; i <= 4; ++i) {
      auto r = p.client.sms_verify("13800000002", SmsPurpose::Renewal, wrong, new_idempotency_key());
      CHECK_CODE(r, code::kSmsCodeWrong);
      CHECK(r.error().detail == "tries_left=" + std::to_string(5 - i));
    }
    auto fifth = p.client.sms_verify("13800000002", SmsPurpose::Renewal, wrong, new_idempotency_key());
    CHECK_CODE(fifth, code::kSmsTriesExhausted);
    auto sixth = p.client.sms_verify("13800000002", SmsPurpose::Renewal, right, new_idempotency_key());
    CHECK_CODE(sixth, code::kSmsTriesExhausted);
  }
  SUBCASE("expired after 5 minutes") {
    std::string c = p.send_code("13800000003", SmsPurpose::Renewal);
    REQUIRE(platform::dev::advance_clock(p.client, 301).has_value());
    auto r = p.client.sms_verify("13800000003", SmsPurpose::Renewal, c, new_idempotency_key());
    CHECK_CODE(r, code::kSmsCodeExpired);
  }
  SUBCASE("a code for one purpose is not a code for another") {
    std::string c = p.send_code("13800000004", SmsPurpose::Login);
    auto r = p.client.sms_verify("13800000004", SmsPurpose::Renewal, c, new_idempotency_key());
    CHECK_CODE(r, code::kSmsCodeExpired);
  }
  SUBCASE("resend after 60 s replaces the code; 5 an hour; 10 a day") {
    const std::string phone = "13800000005";
    std::string first = p.send_code(phone, SmsPurpose::Renewal);
    auto soon = p.client.sms_send({phone, SmsPurpose::Renewal}, new_idempotency_key());
    CHECK_CODE(soon, code::kSmsResendTooSoon);
    REQUIRE(soon.error().retry_after_s.has_value());
    CHECK(*soon.error().retry_after_s > 0);
    CHECK(*soon.error().retry_after_s <= 60);
    REQUIRE(platform::dev::advance_clock(p.client, 61).has_value());
    std::string second = p.send_code(phone, SmsPurpose::Renewal);
    if (first != second) {
      auto old = p.client.sms_verify(phone, SmsPurpose::Renewal, first, new_idempotency_key());
      CHECK_CODE(old, code::kSmsCodeWrong);
    }
    for (int i = 3; i <= 5; ++i) {
      REQUIRE(platform::dev::advance_clock(p.client, 61).has_value());
      p.send_code(phone, SmsPurpose::Renewal);
    }
    REQUIRE(platform::dev::advance_clock(p.client, 61).has_value());
    auto sixth = p.client.sms_send({phone, SmsPurpose::Renewal}, new_idempotency_key());
    CHECK_CODE(sixth, code::kSmsHourlyLimit);
    REQUIRE(sixth.error().retry_after_s.has_value());
    REQUIRE(platform::dev::advance_clock(p.client, 3600).has_value());
    for (int i = 6; i <= 10; ++i) {
      REQUIRE(platform::dev::advance_clock(p.client, 61).has_value());
      p.send_code(phone, SmsPurpose::Renewal);
    }
    REQUIRE(platform::dev::advance_clock(p.client, 3600).has_value());
    auto eleventh = p.client.sms_send({phone, SmsPurpose::Renewal}, new_idempotency_key());
    CHECK_CODE(eleventh, code::kSmsDailyLimit);
  }
  SUBCASE("not a mainland mobile number") {
    auto r = p.client.sms_send({"12345", SmsPurpose::Renewal}, new_idempotency_key());
    CHECK_CODE(r, code::kPhoneInvalid);
  }
  SUBCASE("test phones are exempt from the limits (dev)") {
    REQUIRE(platform::dev::add_test_phone(p.client, "13900000000").has_value());
    for (int i = 0; i < 15; ++i) p.send_code("13900000000", SmsPurpose::Renewal);
  }
}

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
  CHECK(std::abs(issued->not_before - now) <= 5);
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

TEST_CASE("mutual TLS: a kiosk certificate from another CA and a wrong server certificate are TLS errors") {
  Platform p;
  TempDir other;
  reference::write_dev_pki(other.path);
  auto other_pki = reference::dev_pki_paths(other.path);
  SUBCASE("kiosk certificate from another fleet CA") {
    auto o = p.client_options();
    o.client_cert = other_pki.kiosk_cert;
    o.client_key = other_pki.kiosk_key;
    auto c = p.make_client(o);
    REQUIRE(c.has_value());
    auto r = c->catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
    CHECK(r.error().code == code::kKioskCertificateUntrusted);
  }
  SUBCASE("a server whose certificate is not under the pinned CA") {
    auto o = p.client_options();
    o.ca_file = other_pki.platform_ca;
    auto c = p.make_client(o);
    REQUIRE(c.has_value());
    auto r = c->catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
  }
  SUBCASE("a client without files is a Config error, before any network") {
    auto o = p.client_options();
    o.client_key = p.dir.path / "missing.key";
    auto c = p.make_client(o);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().kind == ErrorKind::Config);
    o = p.client_options();
    o.base_url = "http://127.0.0.1:1/v1/";
    CHECK(p.make_client(o).error().kind == ErrorKind::Config);
  }
}

TEST_CASE("kiosk: heartbeat and the signed configuration") {
  Platform p;
  contract::Heartbeat hb{"0.1.0", 1, {{"token", "ok", ""}, {"journal", "degraded", "disk 91%"}}};
  auto ack = p.client.heartbeat(hb, new_idempotency_key());
  CHECK_OK(ack);
  CHECK(ack->kiosk_id == reference::kDefaultKioskId);
  CHECK(ack->config_version == 1);
  CHECK(std::abs(ack->server_time - platform_now(p)) <= 5);

  auto signed_config = p.client.kiosk_config();
  CHECK_OK(signed_config);
  contract::UnixTime now = platform_now(p);
  auto payload = platform::verify_signed_config(*signed_config, p.server->pki().config_signing_pub, now);
  CHECK_OK(payload);
  CHECK(payload->version == 1);
  CHECK(payload->endpoints.at("platform") == p.server->base_url());
  auto expired =
      platform::verify_signed_config(*signed_config, p.server->pki().config_signing_pub, now + 8 * 86400);
  REQUIRE_FALSE(expired.has_value());
  CHECK(expired.error().code == "kiosk.config_expired");
  auto tampered = *signed_config;
  tampered.payload.replace(tampered.payload.find("\"version\":1"), 11, "\"version\":9");
  auto bad = platform::verify_signed_config(tampered, p.server->pki().config_signing_pub, now);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == "kiosk.config_signature_invalid");
  // Signed by another platform's key.
  TempDir other;
  reference::write_dev_pki(other.path);
  auto foreign = platform::verify_signed_config(*signed_config,
                                                reference::dev_pki_paths(other.path).config_signing_pub, now);
  REQUIRE_FALSE(foreign.has_value());
  CHECK(foreign.error().code == "kiosk.config_signature_invalid");
}

TEST_CASE("dev clock: set, frozen, advanced, reset") {
  Platform p;
  auto t = platform::dev::freeze_clock(p.client, 2000000000);
  REQUIRE(t.has_value());
  CHECK(*t == 2000000000);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(platform_now(p) == 2000000000);
  CHECK(platform::dev::advance_clock(p.client, 10).value() == 2000000010);
  auto real = platform::dev::reset_clock(p.client);
  REQUIRE(real.has_value());
  CHECK(std::abs(*real - static_cast<contract::UnixTime>(std::time(nullptr))) <= 2);
  auto moved = platform::dev::set_clock(p.client, 1900000000);
  REQUIRE(moved.has_value());
  CHECK(std::abs(*moved - 1900000000) <= 1);
}

TEST_CASE("dev endpoints are refused unless the server runs with --dev") {
  Platform p(/*dev=*/false);
  auto r = platform::dev::pay(p.client, "R1");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().http_status == 404);
  CHECK(r.error().is(code::kNotFound));
  CHECK_FALSE(platform::dev::set_clock(p.client, 0).has_value());
  CHECK_FALSE(platform::dev::sms_outbox(p.client, "13800000000").has_value());
  CHECK(p.client.catalog().has_value());
}

TEST_CASE("the data survives a restart (SQLite)") {
  TempDir keep;
  std::string order_id;
  std::filesystem::path data;
  {
    Platform p;
    Customer c = seed_gov(p);
    order_id = create_order(p, c, kGovProduct, "13800000080").id;
    { auto closing = std::move(p.client); }  // close its keep-alive connection: stop() need not wait for it
    p.server->stop();
    std::filesystem::copy(p.dir.path, keep.path / "data", std::filesystem::copy_options::recursive);
  }
  reference::ServerOptions o;
  o.data_dir = keep.path / "data";
  reference::Server s(o);
  s.start();
  platform::ClientOptions co;
  co.base_url = s.base_url();
  co.ca_file = s.pki().platform_ca;
  co.client_cert = s.pki().kiosk_cert;
  co.client_key = s.pki().kiosk_key;
  auto c = platform::Client::create(co);
  REQUIRE(c.has_value());
  auto got = c->order_get(order_id);
  CHECK_OK(got);
  CHECK(got->status == OrderStatus::Paid);
}

namespace {

// ServerOptions::id_seed (the seeded demo's reproducible screenshots): the ids a customer or staff sees of
// one day's renewals on a fresh platform with its clock frozen — the seeded certificates' serials, an SMS
// code, a ¥0 and a paid order's numbers, the paid one's payment link, the issued certificate's serial, the
// account's id.
std::vector<std::string> ids_seen(std::optional<std::uint64_t> seed) {
  Platform p(/*dev=*/true, /*max_attempts=*/1, seed);
  REQUIRE(platform::dev::freeze_clock(p.client, 1772415000).has_value());  // 2026-03-02 09:30 Beijing
  Customer gov = seed_gov(p), bid = seed_bid(p);
  std::vector<std::string> ids{gov.cert.serial, bid.cert.serial,
                               p.send_code("13800000090", SmsPurpose::Login)};
  contract::Order free = create_order(p, gov, kGovProduct, "13800000090");
  contract::Order paid = create_order(p, bid, kBidProduct, "13800000091");
  ids.insert(ids.end(), {free.id, paid.id, paid.code_url});
  EvpPkeyPtr new_key = new_ec_key();
  auto issued = renew(p, gov, free.id, new_key.get());
  CHECK_OK(issued);
  ids.push_back(issued->serial);
  auto rec = platform::dev::records(p.client);
  CHECK_OK(rec);
  REQUIRE(rec->orders.size() == 2);
  ids.push_back(rec->orders[0].account_id);
  return ids;
}

}  // namespace

TEST_CASE("seeded ids: the same seed gives the same ids, another seed or none gives others, never twice") {
  const auto a = ids_seen(7);
  const auto again = ids_seen(7);
  CHECK(again == a);
  CHECK(a[3].starts_with("R20260302"));  // the order's day is the platform's (frozen) clock's
  CHECK(a[5].starts_with("weixin://wxpay/bizpayurl?pr="));
  // Within a run, ids of one kind are all different: the serials, the two orders.
  CHECK(a[0] != a[1]);
  CHECK(a[0] != a[6]);
  CHECK(a[1] != a[6]);
  CHECK(a[3].substr(9) != a[4].substr(9));
  const auto other = ids_seen(8);
  const auto random1 = ids_seen(std::nullopt);
  const auto random2 = ids_seen(std::nullopt);
  REQUIRE(other.size() == a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(other[i] != a[i]);
    // Without a seed (every production platform) nothing is reused: not the seed's ids, not another run's.
    CHECK(random1[i] != a[i]);
    CHECK(random1[i] != random2[i]);
  }
}

TEST_CASE("seeded ids are refused on a platform without --dev, and on a database that has orders") {
  Platform used(/*dev=*/true, /*max_attempts=*/1, 7);
  Customer c = seed_gov(used);
  create_order(used, c, kGovProduct, "13800000092");
  { auto closing = std::move(used.client); }  // close its keep-alive connection: stop() need not wait for it
  used.server->stop();
  reference::ServerOptions o;
  o.data_dir = used.dir.path;
  o.dev = true;
  o.id_seed = 7;
  CHECK_THROWS_WITH_AS(reference::Server{o}, doctest::Contains("empty database"), std::runtime_error);
  TempDir fresh;
  std::filesystem::copy(shared_pki_root() / "pki", fresh.path / "pki");
  o.data_dir = fresh.path;
  o.dev = false;
  CHECK_THROWS_WITH_AS(reference::Server{o}, doctest::Contains("dev platform only"), std::runtime_error);
  o.dev = true;
  CHECK_NOTHROW(reference::Server{o});
}
