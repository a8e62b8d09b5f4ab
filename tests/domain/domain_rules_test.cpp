// The account rules' table (account_cases.hpp) against domain's functions.
#include <doctest/doctest.h>

#include "account_cases.hpp"
#include "domain/account.hpp"

using namespace account_cases;

namespace {

std::vector<Problem> problems_of(const Case& c) {
  switch (c.field) {
    case Field::Phone:
      return domain::phone_problems(c.input);
    case Field::RealName:
      return domain::real_name_problems(c.input);
    case Field::Email:
      return domain::email_problems(c.input);
    case Field::Password:
      return domain::password_problems(c.current, c.input, c.phone);
  }
  return {};
}

}  // namespace

TEST_CASE("every case of the account rules, by domain's functions") {
  int checked = 0;
  for (const Case& c : cases()) {
    CAPTURE(describe(c));
    CHECK(joined(problems_of(c)) == joined(c.expected));
    // The yes/no forms agree with the lists.
    switch (c.field) {
      case Field::Phone:
        CHECK(domain::valid_phone(c.input) == c.expected.empty());
        break;
      case Field::RealName:
        CHECK(domain::valid_real_name(c.input) == c.expected.empty());
        break;
      case Field::Email:
        if (!c.input.empty()) CHECK(domain::valid_email(c.input) == c.expected.empty());
        break;
      case Field::Password: {
        const bool from_phone =
            std::find(c.expected.begin(), c.expected.end(), Problem::PasswordFromPhone) != c.expected.end();
        CHECK(domain::password_from_phone(c.input, c.phone) == from_phone);
        break;
      }
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(cases().size()));
  CHECK(checked > 50);
}

TEST_CASE("every problem has a name and its words on both sides") {
  for (auto i = static_cast<int>(Problem::PhoneFormat); i <= static_cast<int>(Problem::PasswordSameAsCurrent);
       ++i) {
    const auto p = static_cast<Problem>(i);
    CAPTURE(i);
    CHECK(domain::to_string(p) != "unknown");
    CHECK(words(p).problem == p);
    CHECK_FALSE(words(p).core_key.empty());
    CHECK_FALSE(words(p).platform_code.empty());
  }
}

TEST_CASE("each field's cases cover acceptance and every one of its problems") {
  for (Field f : {Field::Phone, Field::RealName, Field::Email, Field::Password}) {
    CAPTURE(name(f));
    bool accepted = false;
    std::vector<Problem> seen;
    for (const Case& c : cases())
      if (c.field == f) {
        accepted = accepted || c.expected.empty();
        seen.insert(seen.end(), c.expected.begin(), c.expected.end());
      }
    CHECK(accepted);
    auto has = [&](Problem p) { return std::find(seen.begin(), seen.end(), p) != seen.end(); };
    switch (f) {
      case Field::Phone:
        CHECK(has(Problem::PhoneFormat));
        break;
      case Field::RealName:
        CHECK((has(Problem::NameBlank) && has(Problem::NameTooShort) && has(Problem::NameTooLong) &&
               has(Problem::NameBadChars)));
        break;
      case Field::Email:
        CHECK(has(Problem::EmailFormat));
        break;
      case Field::Password:
        CHECK((has(Problem::PasswordTooShort) && has(Problem::PasswordFromPhone) &&
               has(Problem::PasswordSameAsCurrent)));
        break;
    }
  }
}

TEST_CASE("phone numbers masked, alone and in free text") {
  CHECK(domain::mask_phone("13812345678") == "138****5678");
  CHECK(domain::mask_phone("123") == "***");
  CHECK(domain::mask_phones("sms to 13812345678, again 8613912345678; +86 15000000001.") ==
        "sms to 138****5678, again 86139****5678; +86 150****0001.");
  // Digits that are no phone stay: an order id, a time, a 12-digit run, a number starting 12.
  CHECK(domain::mask_phones("ORD-20240601-0007 at 1717236000 ref 138123456789 tel 12812345678") ==
        "ORD-20240601-0007 at 1717236000 ref 138123456789 tel 12812345678");
  CHECK(domain::mask_phones("") == "");
  CHECK(domain::mask_phones("13812345678") == "138****5678");
}
