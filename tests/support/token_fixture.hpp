// A doctest-free fixture for token tests: a private SoftHSM with one initialised token, a test CA, and
// logins that stop at the first unexpected wrong PIN (so a misconfigured run can never lock a token).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "provision.hpp"
#include "softhsm_env.hpp"
#include "test_ca.hpp"
#include "token/session.hpp"

namespace testsupport {

// Set after the first unexpected wrong PIN; every later checked login refuses without calling C_Login.
inline bool& wrong_pin_latch() {
  static bool latched = false;
  return latched;
}

// Logs in with the PIN the test believes is right. Throws (never retries) on any failure.
inline void login_checked(token::Session& s, std::string_view pin = kUserPin) {
  if (wrong_pin_latch()) throw std::runtime_error("a previous login met an unexpected wrong PIN: no more logins");
  auto r = s.login(foundation::SecretBuffer(pin));
  if (!r) {
    if (r.error().code == token::ErrorCode::PinIncorrect) wrong_pin_latch() = true;
    throw std::runtime_error("login failed: " + r.error().to_string());
  }
}

struct TokenFixture {
  explicit TokenFixture(std::string token_label = "customer-key",
                        const std::filesystem::path& module = softhsm_module())
      : label(std::move(token_label)) {
    env.init_token(label);
    raw.emplace(module);
    slot = raw->slot_of(label);
  }

  token::Session session() {
    auto s = token::Session::open(raw->module(), slot);
    if (!s) throw std::runtime_error("open session: " + s.error().to_string());
    return std::move(*s);
  }
  token::Session logged_in() {
    token::Session s = session();
    login_checked(s);
    return s;
  }

  std::string label;
  SoftHsmEnv env;
  TestCa ca;
  std::optional<RawP11> raw;
  CK_SLOT_ID slot = 0;
};

}  // namespace testsupport
