#include "domain/account.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

#include "foundation/utf8.hpp"

namespace domain {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || digit(c);
}

bool name_char(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == ' ' || cp == 0xb7 ||
         (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
}

}  // namespace

std::string_view to_string(Problem p) {
  switch (p) {
    case Problem::PhoneFormat:
      return "phone_format";
    case Problem::NameBlank:
      return "name_blank";
    case Problem::NameTooShort:
      return "name_too_short";
    case Problem::NameTooLong:
      return "name_too_long";
    case Problem::NameBadChars:
      return "name_bad_chars";
    case Problem::EmailFormat:
      return "email_format";
    case Problem::PasswordTooShort:
      return "password_too_short";
    case Problem::PasswordFromPhone:
      return "password_from_phone";
    case Problem::PasswordSameAsCurrent:
      return "password_same_as_current";
  }
  return "unknown";
}

bool valid_phone(std::string_view d) {
  if (d.size() != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9') return false;
  return std::all_of(d.begin(), d.end(), digit);
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  std::string m(phone);
  for (std::size_t i = 3; i + 4 < m.size(); ++i) m[i] = '*';
  return m;
}

std::string mask_phones(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size();) {
    if (!digit(out[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < out.size() && digit(out[end])) ++end;
    const std::string_view run(out.data() + i, end - i);
    std::size_t at = std::string_view::npos;
    if (valid_phone(run))
      at = i;
    else if (run.size() == 13 && run.starts_with("86") && valid_phone(run.substr(2)))
      at = i + 2;
    if (at != std::string_view::npos) out.replace(at, 11, mask_phone(std::string_view(out).substr(at, 11)));
    i = end;
  }
  return out;
}

std::vector<Problem> phone_problems(std::string_view digits) {
  if (valid_phone(digits)) return {};
  return {Problem::PhoneFormat};
}

std::vector<Problem> real_name_problems(std::string_view s) {
  std::size_t chars = 0;   // code points; a broken byte counts as one
  bool bad_chars = false;  // anything but the allowed characters, or broken UTF-8
  bool blank = true;       // nothing but spaces
  for (std::size_t i = 0; i < s.size();) {
    const foundation::Utf8Char c = foundation::utf8_decode_at(s, i);
    ++chars;
    if (!c.valid) {
      bad_chars = true;
      ++i;
      continue;
    }
    if (!name_char(c.code_point)) bad_chars = true;
    if (c.code_point != ' ') blank = false;
    i += c.size;
  }
  if (blank) return {Problem::NameBlank};
  std::vector<Problem> out;
  if (chars < 2) out.push_back(Problem::NameTooShort);
  if (chars > 30) out.push_back(Problem::NameTooLong);
  if (bad_chars) out.push_back(Problem::NameBadChars);
  return out;
}

bool valid_real_name(std::string_view name) {
  return real_name_problems(name).empty();
}

bool valid_email(std::string_view e) {
  if (e.size() > 254) return false;
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  for (char c : e.substr(0, at))
    if (!alnum(c) && c != '.' && c != '_' && c != '%' && c != '+' && c != '-') return false;
  const auto domain = e.substr(at + 1);
  std::size_t labels = 0;
  for (std::size_t start = 0; start <= domain.size();) {
    auto dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    const auto label = domain.substr(start, dot - start);
    if (label.empty()) return false;
    for (char c : label)
      if (!alnum(c) && c != '-') return false;
    ++labels;
    start = dot + 1;
  }
  return labels >= 2;
}

std::vector<Problem> email_problems(std::string_view email) {
  if (email.empty() || valid_email(email)) return {};
  return {Problem::EmailFormat};
}

bool password_from_phone(std::string_view pw, std::string_view phone) {
  if (phone.size() < 6 || pw.empty()) return false;
  auto has = [&](std::string_view x) { return pw.find(x) != std::string_view::npos; };
  for (std::size_t i = 0; i + 6 <= phone.size(); ++i)
    if (has(phone.substr(i, 6))) return true;
  const std::string last6_reversed(phone.rbegin(), phone.rbegin() + 6);
  if (has(last6_reversed)) return true;
  if (pw.size() <= 10 && has(phone.substr(phone.size() - 4))) return true;
  return std::all_of(pw.begin(), pw.end(), digit) && phone.find(pw) != std::string_view::npos;
}

std::vector<Problem> password_problems(std::string_view current, std::string_view next,
                                       std::string_view phone) {
  std::vector<Problem> out;
  if (next.size() < 8) out.push_back(Problem::PasswordTooShort);
  if (password_from_phone(next, phone)) out.push_back(Problem::PasswordFromPhone);
  if (!next.empty() && next == current) out.push_back(Problem::PasswordSameAsCurrent);
  return out;
}

}  // namespace domain
