// The account rules as one table of cases, input → the rules it breaks, that every side runs: the domain
// functions (domain_rules_test.cpp), the kiosk's core through its forms (core_rules_test.cpp) and the
// reference platform over HTTPS (platform_rules_test.cpp). A case that one side decides differently fails
// there: the kiosk must never accept what the platform refuses.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"

namespace account_cases {

using domain::Problem;

// How each side words a broken rule: the core's message key, the platform's error code (the platform
// answers the first broken rule only).
struct Words {
  Problem problem;
  std::string_view core_key;
  std::string_view platform_code;
};
inline constexpr Words kWords[] = {
    {Problem::PhoneFormat, "phone.error.format", "sms.phone_invalid"},
    {Problem::NameBlank, "profile.error.name", "account.real_name_invalid"},
    {Problem::NameTooShort, "profile.error.name_short", "account.real_name_invalid"},
    {Problem::NameTooLong, "profile.error.name_long", "account.real_name_invalid"},
    {Problem::NameBadChars, "profile.error.name_chars", "account.real_name_invalid"},
    {Problem::EmailFormat, "profile.error.email", "account.email_invalid"},
    {Problem::PasswordTooShort, "password.error.too_short", "account.password_too_short"},
    {Problem::PasswordFromPhone, "password.error.from_phone", "account.password_from_phone"},
    {Problem::PasswordSameAsCurrent, "password.error.same_as_current", "account.password_same"},
};

inline const Words& words(Problem p) {
  for (const Words& w : kWords)
    if (w.problem == p) return w;
  return kWords[0];  // unreachable: every problem has its words (domain_rules_test checks)
}

enum class Field { Phone, RealName, Email, Password };

inline constexpr std::string_view kPhone = "13812345678";       // the account's phone in most cases
inline constexpr std::string_view kOtherPhone = "15900001111";  // a second account
inline constexpr std::string_view kCurrent = "Old-pass-1";      // a current password, none of the new ones

struct Case {
  Field field;
  std::string input;                    // the phone, the real name, the e-mail or the new password
  std::vector<Problem> expected;        // every rule broken, in the rule's order; empty: accepted
  std::string_view current = kCurrent;  // passwords: the current one
  std::string_view phone = kPhone;      // passwords: the account's phone
  std::string_view why = {};            // what the case is about, where the input does not say
};

inline const std::vector<Case>& cases() {
  // One case a line, as a table reads.
  // clang-format off
  static const std::vector<Case> all = {
      // ---- phone: 11 digits, 1[3-9]…
      {Field::Phone, "13812345678", {}},
      {Field::Phone, "19912345678", {}},
      {Field::Phone, "13012345678", {}},
      {Field::Phone, "12812345678", {Problem::PhoneFormat}, {}, {}, "second digit 2"},
      {Field::Phone, "23812345678", {Problem::PhoneFormat}},
      {Field::Phone, "1381234567", {Problem::PhoneFormat}, {}, {}, "10 digits"},
      {Field::Phone, "138123456789", {Problem::PhoneFormat}, {}, {}, "12 digits"},
      {Field::Phone, "1381234567a", {Problem::PhoneFormat}},
      {Field::Phone, "+8613812345678", {Problem::PhoneFormat}},
      {Field::Phone, "138 1234 5678", {Problem::PhoneFormat}},
      {Field::Phone, "", {Problem::PhoneFormat}},

      // ---- real name: 2–30 characters of CJK ideographs, Latin letters, "·" and spaces, not only spaces
      {Field::RealName, "李四", {}},
      {Field::RealName, "欧阳娜娜", {}},
      {Field::RealName, "买买提·艾力", {}},
      {Field::RealName, "Zhang San", {}},
      {Field::RealName, "㐀㐁", {}, {}, {}, "CJK extension A"},
      {Field::RealName, std::string(30, 'a'), {}, {}, {}, "30 characters"},
      {Field::RealName, "李", {Problem::NameTooShort}},
      {Field::RealName, std::string(31, 'a'), {Problem::NameTooLong}, {}, {}, "31 characters"},
      {Field::RealName, "  ", {Problem::NameBlank}, {}, {}, "only spaces (the platform used to take it)"},
      {Field::RealName, "", {Problem::NameBlank}},
      {Field::RealName, "张三<script>", {Problem::NameBadChars}},
      {Field::RealName, "张三😀", {Problem::NameBadChars}},
      {Field::RealName, "李4", {Problem::NameBadChars}},
      {Field::RealName, "\xe5\xbc\xa0\xe5\xbc", {Problem::NameBadChars}, {}, {}, "broken UTF-8 at the end"},
      {Field::RealName, std::string(31, 'a') + "#", {Problem::NameTooLong, Problem::NameBadChars}},
      {Field::RealName, "#", {Problem::NameTooShort, Problem::NameBadChars}},

      // ---- e-mail (optional): local@domain.tld
      {Field::Email, "", {}, {}, {}, "none"},
      {Field::Email, "li.si@example.com.cn", {}},
      {Field::Email, "li_si+kiosk@mail-1.example.cn", {}},
      {Field::Email, std::string(64, 'a') + "@example.com", {}, {}, {}, "a 64-character local part"},
      {Field::Email, std::string(65, 'a') + "@example.com", {Problem::EmailFormat}, {}, {}, "65 characters"},
      {Field::Email, "a@" + std::string(249, 'b') + ".cn", {}, {}, {}, "254 bytes"},
      {Field::Email, "a@" + std::string(250, 'b') + ".cn", {Problem::EmailFormat}, {}, {}, "255 bytes"},
      {Field::Email, "li si@example.com", {Problem::EmailFormat}},
      {Field::Email, "@example.com", {Problem::EmailFormat}},
      {Field::Email, "a@b", {Problem::EmailFormat}},
      {Field::Email, "a@@b.cn", {Problem::EmailFormat}},
      {Field::Email, "li!si@example.com", {Problem::EmailFormat}},
      {Field::Email, "lisi@exa_mple.com", {Problem::EmailFormat}},
      {Field::Email, "lisi@example..com", {Problem::EmailFormat}},
      {Field::Email, "lisi@example.com.", {Problem::EmailFormat}},
      {Field::Email, "lisi@.example.com", {Problem::EmailFormat}},
      {Field::Email, "李四@example.com", {Problem::EmailFormat}},

      // ---- password: at least 8 characters, not derived from the phone, not the current one
      {Field::Password, "Longer-pass1", {}},
      {Field::Password, "abcdefg5678", {}, kCurrent, kPhone, "the last four, in over 10 characters"},
      {Field::Password, "short1", {Problem::PasswordTooShort}},
      {Field::Password, "", {Problem::PasswordTooShort}},
      {Field::Password, "ab381234cd", {Problem::PasswordFromPhone}, kCurrent, kPhone,
       "six digits in a row from the middle of the number (the platform used to take it)"},
      {Field::Password, "xx123456xx-long", {Problem::PasswordFromPhone}, kCurrent, kPhone,
       "another run of six, in a long password (the platform used to take it)"},
      {Field::Password, "ab345678cd", {Problem::PasswordFromPhone}, kCurrent, kPhone, "the last six"},
      {Field::Password, "13812345678", {Problem::PasswordFromPhone}, kCurrent, kPhone, "the number"},
      {Field::Password, "87654321xx", {Problem::PasswordFromPhone}, kCurrent, kPhone, "last six reversed"},
      {Field::Password, "abcd5678", {Problem::PasswordFromPhone}, kCurrent, kPhone,
       "the last four in a password of at most 10 characters"},
      {Field::Password, "345678", {Problem::PasswordTooShort, Problem::PasswordFromPhone}},
      {Field::Password, "3812", {Problem::PasswordTooShort, Problem::PasswordFromPhone}, kCurrent, kPhone,
       "nothing but digits of the number (the platform's rule, kept)"},
      {Field::Password, "Same-pass-1", {Problem::PasswordSameAsCurrent}, "Same-pass-1"},
      {Field::Password, "345678",
       {Problem::PasswordTooShort, Problem::PasswordFromPhone, Problem::PasswordSameAsCurrent}, "345678"},
      {Field::Password, "Pass-0000-1111", {}, kCurrent, kOtherPhone},
      {Field::Password, "x9000011x", {Problem::PasswordFromPhone}, kCurrent, kOtherPhone},
      {Field::Password, "ab381234cd", {}, kCurrent, kOtherPhone, "another account's digits are fine"},
  };
  // clang-format on
  return all;
}

inline std::string_view name(Field f) {
  switch (f) {
    case Field::Phone:
      return "phone";
    case Field::RealName:
      return "real name";
    case Field::Email:
      return "e-mail";
    case Field::Password:
      return "password";
  }
  return "?";
}

// "password 'ab381234cd' (phone 13812345678): six digits in a row …", for failure messages.
inline std::string describe(const Case& c) {
  std::string s = std::string(name(c.field)) + " '" + c.input + "'";
  if (c.field == Field::Password)
    s += " (current '" + std::string(c.current) + "', phone " + std::string(c.phone) + ")";
  if (!c.why.empty()) s += ": " + std::string(c.why);
  return s;
}

// "password_too_short, password_from_phone": a list of problems, or of keys, for CHECKs that print.
inline std::string joined(const std::vector<Problem>& problems) {
  std::string s;
  for (Problem p : problems) s += (s.empty() ? "" : ", ") + std::string(domain::to_string(p));
  return s;
}
inline std::string joined(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// The core's message keys for a case's problems.
inline std::vector<std::string> core_keys(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (Problem p : problems) out.emplace_back(words(p).core_key);
  return out;
}

}  // namespace account_cases
