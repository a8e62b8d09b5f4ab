// The account rules' table (account_cases.hpp) against the reference platform, over its HTTPS API with
// mutual TLS on loopback: phones through POST sms/send, real names and e-mails through PUT
// account/profile, passwords through POST account/password. The platform answers the first broken rule.
#include <doctest/doctest.h>

#include <map>
#include <optional>

#include "account_cases.hpp"
#include "support.hpp"

using namespace account_cases;
using namespace platform_test;
using contract::SmsPurpose;
using platform::new_idempotency_key;

namespace {

template <typename R>
void check_answer(const R& r, std::optional<std::string_view> want) {
  if (!want) {
    CHECK_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
    return;
  }
  if (r.has_value()) {
    FAIL_CHECK("accepted, where the rules say " << *want);
    return;
  }
  CHECK_MESSAGE(r.error().is(*want), r.error().to_string());
}

struct LoggedIn {
  std::string token, password;
};

// Default password + SMS code, then a password of its own: a session free to change its profile.
LoggedIn log_in(Platform& p, const std::string& phone) {
  REQUIRE(platform::dev::add_test_phone(p.client, phone).has_value());
  std::string code_text = p.send_code(phone, SmsPurpose::Login);
  auto s = p.client.login_password(phone, phone.substr(5), code_text, "ks-1", new_idempotency_key());
  REQUIRE_MESSAGE(s.has_value(), (s ? std::string() : s.error().to_string()));
  LoggedIn out{s->token, "Kiosk-Init-1"};
  auto changed = p.client.password_change(s->token, phone.substr(5), out.password, new_idempotency_key());
  REQUIRE_MESSAGE(changed.has_value(), (changed ? std::string() : changed.error().to_string()));
  return out;
}

}  // namespace

TEST_CASE("every case of the account rules, by the reference platform over HTTPS") {
  Platform p;
  std::map<std::string, LoggedIn, std::less<>> accounts;
  auto account = [&](std::string_view phone) -> LoggedIn& {
    auto it = accounts.find(phone);
    if (it == accounts.end()) it = accounts.emplace(std::string(phone), log_in(p, std::string(phone))).first;
    return it->second;
  };

  int checked = 0;
  for (const Case& c : cases()) {
    CAPTURE(describe(c));
    CAPTURE(joined(c.expected));
    const std::optional<std::string_view> want =
        c.expected.empty() ? std::nullopt : std::optional(words(c.expected.front()).platform_code);
    switch (c.field) {
      case Field::Phone: {
        // A valid phone is sent a code: exempt it from the SMS limits first.
        if (c.expected.empty()) REQUIRE(platform::dev::add_test_phone(p.client, c.input).has_value());
        check_answer(p.client.sms_send({c.input, SmsPurpose::Login}, new_idempotency_key()), want);
        break;
      }
      case Field::RealName: {
        auto r = p.client.profile_update(account(kPhone).token, {c.input, {}, {}, {}}, new_idempotency_key());
        check_answer(r, want);
        if (r) CHECK(r->real_name == c.input);
        break;
      }
      case Field::Email: {
        auto r = p.client.profile_update(account(kPhone).token, {{}, c.input, {}, {}}, new_idempotency_key());
        check_answer(r, want);
        if (r) CHECK(r->email == c.input);
        break;
      }
      case Field::Password: {
        LoggedIn& a = account(c.phone);
        // "The current one" needs the account's current password to be the case's: set it first. (Where
        // another rule breaks too, that one comes first, whatever the current password.)
        if (!c.expected.empty() && c.expected.front() == Problem::PasswordSameAsCurrent &&
            a.password != c.current) {
          auto set = p.client.password_change(a.token, a.password, c.current, new_idempotency_key());
          REQUIRE_MESSAGE(set.has_value(), (set ? std::string() : set.error().to_string()));
          a.password = std::string(c.current);
        }
        auto r = p.client.password_change(a.token, a.password, c.input, new_idempotency_key());
        check_answer(r, want);
        if (r) a.password = c.input;
        break;
      }
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(cases().size()));
  // Every password the platform took is the one it now checks.
  for (const auto& [phone, a] : accounts) {
    CAPTURE(phone);
    auto s = p.client.login_password(phone, a.password, std::nullopt, "ks-2", new_idempotency_key());
    CHECK_MESSAGE(s.has_value(), (s ? std::string() : s.error().to_string()));
  }
}
