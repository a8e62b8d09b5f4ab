// The flow core: State × Event → State + Effects. Pure: no I/O, no clock, no randomness, no threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

namespace core {

struct Update {
  Model model;
  std::vector<Effect> effects;
};

// The first effects of a fresh kiosk (load the catalog).
Update start(Model m);

Update update(Model m, const Event& e);

// When the screen next changes or a timeout fires by the clock alone (a countdown's next second, the idle
// deadline, the QR's expiry). The loop sleeps until then; nullopt = only an event can change anything.
std::optional<Millis> next_wakeup(const Model& m);

// The idle rule in force on this screen: how long without a touch before the overlay, or nullopt when the
// idle timeout does not apply (home, a rollover in flight, the payment screen before the order expires).
std::optional<Millis> idle_limit(const Model& m);

// Is this phone number one the platform can text? (11 digits, 1[3-9]…)
bool valid_phone(std::string_view digits);

// The rules of 修改密码, checked where the typed passwords are (the screen's scratch): every rule broken,
// as message keys. The platform checks them again.
std::vector<std::string> password_problems(std::string_view current, std::string_view next, std::string_view confirm,
                                           std::string_view phone);
// The rules of 个人信息, checked by the core when 【提交】 is tapped: every rule broken, as message keys, in
// the form's order (real name, phone, e-mail). The same rules as the platform's: a real name is 2–30
// characters of Chinese (CJK ideographs), Latin letters, "·" and spaces; an e-mail (optional) is
// local@domain.tld.
std::vector<std::string> profile_problems(std::string_view real_name, std::string_view email,
                                          std::string_view phone);
bool valid_email(std::string_view email);
bool valid_real_name(std::string_view name);

}  // namespace core
