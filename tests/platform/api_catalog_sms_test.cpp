// The catalog and SMS codes through the client against the reference platform over real mutual TLS on
// loopback: the happy paths, then every rule broken once, each a typed error with its machine code.
#include <doctest/doctest.h>

#include "api_checks.hpp"

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
