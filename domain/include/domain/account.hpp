// The rules of a customer account: phone number, real name, e-mail, password. The kiosk checks them as the
// customer types (kiosk/core) and the platform checks them again (services/reference); both call these, so
// the kiosk never accepts what the platform refuses. Standard library only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace domain {

// Every way an account field can break a rule. Each side words them its own way: the core as message keys
// (password.error.too_short …), the platform as error codes (account.password_too_short …).
enum class Problem : std::uint8_t {
  PhoneFormat,            // not 11 digits 1[3-9]…
  NameBlank,              // nothing but spaces (or nothing)
  NameTooShort,           // under 2 characters
  NameTooLong,            // over 30 characters
  NameBadChars,           // not a CJK ideograph, Latin letter, "·" or space, or broken UTF-8
  EmailFormat,            // not local@domain.tld with the characters below
  PasswordTooShort,       // under 8 characters
  PasswordFromPhone,      // derived from the account's phone number (see password_from_phone)
  PasswordSameAsCurrent,  // the new password is the current one
};

// A stable name for logs and test output ("password_too_short").
std::string_view to_string(Problem p);

// A phone number the platform can text: 11 digits, 1[3-9]….
bool valid_phone(std::string_view digits);
std::vector<Problem> phone_problems(std::string_view digits);  // PhoneFormat or nothing

// A phone as staff and the screens may show it: the first three and the last four digits (138****5678);
// shorter than 7 characters, all stars.
std::string mask_phone(std::string_view phone);
// `text` with every phone number in it masked: each run of digits that is a phone (valid_phone), alone or
// after the country code 86. What the event log and the journal keep of free text.
std::string mask_phones(std::string_view text);

// The real name's problems, in this order: NameBlank alone, or any of NameTooShort, NameTooLong,
// NameBadChars. A real name is 2–30 characters (code points) of CJK ideographs (U+4E00–9FFF, U+3400–4DBF),
// Latin letters, "·" (U+00B7) and spaces, and not only spaces.
std::vector<Problem> real_name_problems(std::string_view name);
bool valid_real_name(std::string_view name);

// local@domain.tld: a local part of 1–64 of [A-Za-z0-9._%+-], then at least two dot-separated labels of
// [A-Za-z0-9-], at most 254 bytes in all.
bool valid_email(std::string_view email);
// An account's e-mail is optional: empty is none. EmailFormat or nothing.
std::vector<Problem> email_problems(std::string_view email);

// Derived from the phone number: any six digits in a row of the number (the default password is its last
// six; this covers the whole number too), its last six reversed, its last four in a password of at most 10
// characters ("abcd5678" is the number with a prefix), or nothing but a run of the number's digits.
bool password_from_phone(std::string_view password, std::string_view phone);

// A new password's problems, in this order: PasswordTooShort, PasswordFromPhone, PasswordSameAsCurrent.
// (The form's own rules, that the current password is typed and the confirmation matches, are the form's.)
std::vector<Problem> password_problems(std::string_view current, std::string_view next,
                                       std::string_view phone);

}  // namespace domain
