// Accounts (the personal centre's platform side) through the client over mutual TLS: login by password
// and by SMS, the default password's forced change, throttling, profile, password rules, business list.
#include "api_checks.hpp"

namespace {

// Default password + SMS code → a session that must change its password; then change it.
contract::Session first_login(Platform& p, const std::string& phone, const std::string& new_password) {
  REQUIRE(platform::dev::add_test_phone(p.client, phone).has_value());
  std::string code_text = p.send_code(phone, SmsPurpose::Login);
  auto s = p.client.login_password(phone, phone.substr(5), code_text, "ks-1", new_idempotency_key());
  CHECK_OK(s);
  REQUIRE(s->must_change_password);
  auto changed = p.client.password_change(s->token, phone.substr(5), new_password, new_idempotency_key());
  CHECK_OK(changed);
  return *s;
}

// Waits are counted on the platform's clock, which may tick between the failure and the next try.
bool near(int got, int want) {
  return got <= want && got >= want - 2;
}

}  // namespace

TEST_CASE("the default password alone never opens an account; with an SMS code it forces a change") {
  Platform p;
  const std::string phone = "13811112222";
  REQUIRE(platform::dev::add_test_phone(p.client, phone).has_value());
  SUBCASE("without a code: the same answer whether or not the phone has an account") {
    auto unknown = p.client.login_password(phone, "112222", std::nullopt, "ks-1", new_idempotency_key());
    CHECK_CODE(unknown, code::kSmsCodeRequired);
    Customer c = seed_gov(p);
    create_order(p, c, kGovProduct, phone);  // now the phone has an account
    auto known = p.client.login_password(phone, "112222", std::nullopt, "ks-1", new_idempotency_key());
    CHECK_CODE(known, code::kSmsCodeRequired);
    CHECK(known.error().http_status == unknown.error().http_status);
  }
  SUBCASE("with a wrong code") {
    std::string right = p.send_code(phone, SmsPurpose::Login);
    auto r = p.client.login_password(phone, "112222", right == "000000" ? "111111" : "000000", "ks-1",
                                     new_idempotency_key());
    CHECK_CODE(r, code::kSmsCodeWrong);
  }
  SUBCASE("with the code: a session flagged must_change_password; nothing else until it is changed") {
    std::string c = p.send_code(phone, SmsPurpose::Login);
    auto s = p.client.login_password(phone, "112222", c, "ks-1", new_idempotency_key());
    CHECK_OK(s);
    CHECK(s->must_change_password);
    CHECK(s->expires_at - platform_now(p) <= 600);
    CHECK(s->expires_at - platform_now(p) >= 590);
    CHECK_CODE(p.client.profile(s->token), code::kMustChangePassword);
    CHECK_CODE(p.client.business(s->token), code::kMustChangePassword);
    CHECK_CODE(p.client.profile_update(s->token, {std::string("张三"), {}, {}, {}}, new_idempotency_key()),
               code::kMustChangePassword);

    // Password rules, each broken once, each its own code.
    auto change = [&](std::string_view cur, std::string_view next) {
      return p.client.password_change(s->token, cur, next, new_idempotency_key());
    };
    CHECK_CODE(change("000000", "Str0ng-pass"), code::kPasswordWrong);
    CHECK_CODE(change("112222", "short1"), code::kPasswordTooShort);
    CHECK_CODE(change("112222", "ab112222cd"), code::kPasswordFromPhone);
    CHECK_CODE(change("112222", "x13811112222"), code::kPasswordFromPhone);
    CHECK_CODE(change("112222", "222211zzzz"), code::kPasswordFromPhone);  // the last six, reversed
    CHECK_CODE(change("112222", "1381111222"), code::kPasswordFromPhone);  // digits of the number
    CHECK_OK(change("112222", "Str0ng-pass"));

    auto profile = p.client.profile(s->token);
    CHECK_OK(profile);
    CHECK(profile->phone == phone);
    CHECK(profile->member_level == "普通用户");
    CHECK(profile->account_id == s->account_id);
    CHECK(profile->registered_at > 0);

    // The default no longer works, even with a code; the new one does, alone.
    std::string c2 = p.send_code(phone, SmsPurpose::Login);
    CHECK_CODE(p.client.login_password(phone, "112222", c2, "ks-2", new_idempotency_key()),
               code::kLoginFailed);
    auto s2 = p.client.login_password(phone, "Str0ng-pass", std::nullopt, "ks-2", new_idempotency_key());
    CHECK_OK(s2);
    CHECK_FALSE(s2->must_change_password);
    CHECK(s2->account_id == s->account_id);
    // Changing to the same password.
    CHECK_CODE(p.client.password_change(s2->token, "Str0ng-pass", "Str0ng-pass", new_idempotency_key()),
               code::kPasswordSame);
  }
}

TEST_CASE("login: wrong password and unknown phone look the same; SMS login; logout; session expiry") {
  Platform p;
  const std::string phone = "13822223333";
  REQUIRE(platform::dev::add_test_phone(p.client, phone).has_value());
  first_login(p, phone, "Good-pass-1");
  auto wrong = p.client.login_password(phone, "Bad-pass-1", std::nullopt, "ks-1", new_idempotency_key());
  CHECK_CODE(wrong, code::kLoginFailed);
  auto unknown =
      p.client.login_password("13899998888", "Bad-pass-1", std::nullopt, "ks-1", new_idempotency_key());
  CHECK_CODE(unknown, code::kLoginFailed);
  CHECK(wrong.error().http_status == unknown.error().http_status);
  CHECK(wrong.error().detail == unknown.error().detail);

  std::string c = p.send_code(phone, SmsPurpose::Login);
  auto s = p.client.login_sms(phone, c, "ks-1", new_idempotency_key());
  CHECK_OK(s);
  CHECK_FALSE(s->must_change_password);
  CHECK(p.client.profile(s->token).has_value());
  CHECK_OK(p.client.logout(s->token, new_idempotency_key()));
  CHECK_CODE(p.client.profile(s->token), code::kSessionInvalid);

  auto s2 = p.client.login_password(phone, "Good-pass-1", std::nullopt, "ks-1", new_idempotency_key());
  CHECK_OK(s2);
  REQUIRE(platform::dev::advance_clock(p.client, 601).has_value());
  CHECK_CODE(p.client.profile(s2->token), code::kSessionInvalid);
  CHECK_CODE(p.client.profile("garbage"), code::kSessionInvalid);

  // SMS login for a phone without an account makes one (the phone is proven).
  std::string c3 = p.send_code("13833334444", SmsPurpose::Login);
  auto fresh = p.client.login_sms("13833334444", c3, "ks-9", new_idempotency_key());
  CHECK_OK(fresh);
  auto prof = p.client.profile(fresh->token);
  CHECK_OK(prof);
  CHECK(prof->phone == "13833334444");
}

TEST_CASE(
    "throttling: 5 failures, then 30 s doubling to 15 min, per phone, per session, and a kiosk ceiling") {
  Platform p;
  const std::string phone = "13844445555";
  first_login(p, phone, "Good-pass-1");
  auto fail = [&](const std::string& ph, const std::string& session) {
    return p.client.login_password(ph, "Wrong-pass", std::nullopt, session, new_idempotency_key());
  };
  SUBCASE("per phone: the wait grows and the right password waits too; same for an unknown phone") {
    for (int i = 0; i < 5; ++i) CHECK_CODE(fail(phone, "s" + std::to_string(i)), code::kLoginFailed);
    auto locked = p.client.login_password(phone, "Good-pass-1", std::nullopt, "s9", new_idempotency_key());
    CHECK_CODE(locked, code::kThrottled);
    REQUIRE(locked.error().retry_after_s.has_value());
    CHECK(near(*locked.error().retry_after_s, 30));
    REQUIRE(platform::dev::advance_clock(p.client, 31).has_value());
    CHECK_CODE(fail(phone, "s10"), code::kLoginFailed);
    auto second = fail(phone, "s11");
    CHECK_CODE(second, code::kThrottled);
    CHECK(near(*second.error().retry_after_s, 60));
    int expected = 60;
    for (int round = 0; round < 6; ++round) {
      REQUIRE(platform::dev::advance_clock(p.client, expected + 1).has_value());
      CHECK_CODE(fail(phone, "s" + std::to_string(20 + round)), code::kLoginFailed);
      auto t = fail(phone, "s" + std::to_string(40 + round));
      CHECK_CODE(t, code::kThrottled);
      expected = std::min(expected * 2, 900);
      CHECK(near(*t.error().retry_after_s, expected));
    }
    REQUIRE(platform::dev::advance_clock(p.client, 901).has_value());
    CHECK_OK(p.client.login_password(phone, "Good-pass-1", std::nullopt, "s99", new_idempotency_key()));

    const std::string nobody = "13855556666";
    for (int i = 0; i < 5; ++i) CHECK_CODE(fail(nobody, "n" + std::to_string(i)), code::kLoginFailed);
    auto t = fail(nobody, "n9");
    CHECK_CODE(t, code::kThrottled);
    CHECK(near(*t.error().retry_after_s, 30));
  }
  SUBCASE("per kiosk session: one person trying many phones is stopped") {
    for (int i = 0; i < 5; ++i)
      CHECK_CODE(fail("1386666000" + std::to_string(i), "same-session"), code::kLoginFailed);
    CHECK_CODE(fail("13866660009", "same-session"), code::kThrottled);
    // ... without blocking the next customer at this kiosk.
    CHECK_OK(
        p.client.login_password(phone, "Good-pass-1", std::nullopt, "next-customer", new_idempotency_key()));
  }
  SUBCASE("per kiosk: a much higher ceiling (50) across sessions and phones") {
    for (int i = 0; i < 50; ++i)
      CHECK_CODE(fail("1387" + std::to_string(1000000 + i), "sess-" + std::to_string(i)), code::kLoginFailed);
    auto t = fail("13879999999", "sess-new");
    CHECK_CODE(t, code::kThrottled);
    CHECK(near(*t.error().retry_after_s, 30));
  }
  SUBCASE("wrong SMS codes count as failures too") {
    REQUIRE(platform::dev::advance_clock(p.client, 61).has_value());
    std::string right = p.send_code(phone, SmsPurpose::Login);
    std::string wrong = right == "000000" ? "111111" : "000000";
    for (int i = 0; i < 4; ++i)
      CHECK_CODE(p.client.login_sms(phone, wrong, "x", new_idempotency_key()), code::kSmsCodeWrong);
    CHECK_CODE(p.client.login_sms(phone, wrong, "x", new_idempotency_key()), code::kSmsTriesExhausted);
    CHECK_CODE(p.client.login_sms(phone, right, "x", new_idempotency_key()), code::kThrottled);
  }
}

TEST_CASE(
    "profile: real name, e-mail, a new phone verified by its own code; the account keeps its id and "
    "business") {
  Platform p;
  const std::string phone = "13866667777";
  Customer cust = seed_gov(p);
  contract::Order order = create_order(p, cust, kGovProduct, phone);
  first_login(p, phone, "Good-pass-1");
  auto s = p.client.login_password(phone, "Good-pass-1", std::nullopt, "ks", new_idempotency_key());
  CHECK_OK(s);
  auto update = [&](contract::ProfileUpdate u) {
    return p.client.profile_update(s->token, u, new_idempotency_key());
  };

  auto named = update({std::string("张三"), std::string("zhang.san@example.cn"), {}, {}});
  CHECK_OK(named);
  CHECK(named->real_name == "张三");
  CHECK(named->email == "zhang.san@example.cn");
  CHECK_CODE(update({std::string("张"), {}, {}, {}}), code::kRealNameInvalid);
  CHECK_CODE(update({std::string("张三<script>"), {}, {}, {}}), code::kRealNameInvalid);
  CHECK(update({std::string("欧阳·娜娜"), {}, {}, {}}).has_value());
  CHECK_CODE(update({{}, std::string("not-an-email"), {}, {}}), code::kEmailInvalid);
  CHECK_CODE(update({{}, {}, std::string("12345"), std::string("x")}), code::kPhoneInvalid);
  CHECK_CODE(update({{}, {}, std::string("13877778888"), std::string("x")}), code::kPhoneUnverified);
  // A verification of the new phone for another purpose, or of another phone, does not count.
  std::string wrong_purpose = p.verify_phone("13877778888", SmsPurpose::Renewal);
  CHECK_CODE(update({{}, {}, std::string("13877778888"), wrong_purpose}), code::kPhoneUnverified);
  std::string other_phone = p.verify_phone("13877779999", SmsPurpose::ChangePhone);
  CHECK_CODE(update({{}, {}, std::string("13877778888"), other_phone}), code::kPhoneUnverified);

  std::string proof = p.verify_phone("13877778888", SmsPurpose::ChangePhone);
  auto moved = update({{}, {}, std::string("13877778888"), proof});
  CHECK_OK(moved);
  CHECK(moved->phone == "13877778888");
  CHECK(moved->account_id == s->account_id);
  auto biz = p.client.business(s->token);
  CHECK_OK(biz);
  REQUIRE(biz->orders.size() == 1);
  CHECK(biz->orders[0].id == order.id);
  // Log in with the new phone: same account.
  auto s2 = p.client.login_password("13877778888", "Good-pass-1", std::nullopt, "ks", new_idempotency_key());
  CHECK_OK(s2);
  CHECK(s2->account_id == s->account_id);

  // A phone that belongs to another account.
  std::string other_code = p.send_code("13800001111", SmsPurpose::Login);
  REQUIRE(p.client.login_sms("13800001111", other_code, "ks", new_idempotency_key()).has_value());
  std::string taken = p.verify_phone("13800001111", SmsPurpose::ChangePhone);
  CHECK_CODE(update({{}, {}, std::string("13800001111"), taken}), code::kPhoneInUse);
}

TEST_CASE("business list: the account's orders with what resume needs, newest first") {
  Platform p;
  const std::string phone = "13888889999";
  Customer a = seed_gov(p);
  Customer b = seed_bid(p, 10);
  contract::Order first = create_order(p, a, kGovProduct, phone);
  REQUIRE(platform::dev::advance_clock(p.client, 5).has_value());
  contract::Order second = create_order(p, b, kBidProduct, phone, 3);
  REQUIRE(platform::dev::pay(p.client, second.id).has_value());
  EvpPkeyPtr k = new_ec_key();
  REQUIRE(renew(p, a, first.id, k.get()).has_value());
  // Someone else's order is not in the list.
  Customer other = seed_gov(p);
  create_order(p, other, kGovProduct, "13800002222");

  first_login(p, phone, "Good-pass-1");
  auto s = p.client.login_password(phone, "Good-pass-1", std::nullopt, "ks", new_idempotency_key());
  CHECK_OK(s);
  auto biz = p.client.business(s->token);
  CHECK_OK(biz);
  REQUIRE(biz->orders.size() == 2);
  CHECK(biz->orders[0].id == second.id);
  CHECK(biz->orders[0].status == OrderStatus::Paid);
  CHECK(biz->orders[0].amount_fen == 90000);
  CHECK(biz->orders[0].years == 3);
  CHECK(biz->orders[0].old_cert_sha256 == b.cert.sha256);
  CHECK(biz->orders[0].token.serial == b.token.serial);
  CHECK_FALSE(biz->orders[0].certificate.has_value());
  CHECK(biz->orders[1].id == first.id);
  CHECK(biz->orders[1].status == OrderStatus::Issued);
  CHECK(biz->orders[1].certificate.has_value());
  CHECK(contract::is_unfinished(biz->orders[1].status));
}
