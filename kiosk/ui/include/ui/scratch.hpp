// UI-only state of one customer's session: list offsets, keypad buffers, anything a screen remembers
// between frames that is not in the model. One struct per session, replaced (never cleared) by the Shell
// when model.session changes, so nothing of one customer can reach the next; its SecretBuffers zero
// themselves on destruction. Screen code holds no other state (no statics).
//
// A new screen adds its scratch struct here, as a member named after the screen.
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.hpp"

#include "ui/account_screens.hpp"
#include "ui/keypad.hpp"
#include "ui/renewal_scratch.hpp"
#include "ui/staff_screens.hpp"
#include "ui/widgets.hpp"

namespace ui {

// The chrome's: when the top bar's title was tapped (the model's clock), for the maintenance code's
// gesture (docs/staff.md, "Without a staff KEY").
struct ChromeScratch {
  std::vector<core::Millis> title_taps;
};
struct HomeScratch {};
struct HelpScratch {
  ListScratch list;
};
struct ComingSoonScratch {};

struct SessionScratch {
  SessionScratch(std::uint64_t session_id, std::uint32_t random_seed)
      : session(session_id), seed(random_seed) {}
  SessionScratch(const SessionScratch&) = delete;
  SessionScratch& operator=(const SessionScratch&) = delete;

  std::uint64_t session;
  std::uint32_t seed;  // this session's randomness (keypad shuffle), from the app

  ChromeScratch chrome;
  HomeScratch home;
  HelpScratch help;
  ComingSoonScratch coming_soon;
  // The renewal (ui/renewal_scratch.hpp).
  ProductsScratch products;
  KeyCheckScratch key_check;
  PhoneScratch phone;
  OrderListScratch order_list;
  PaymentScratch payment;
  KeyDetailsScratch key_details;
  PinScratch pin;
  ProgressScratch progress;
  KeyPulledScratch key_pulled;
  SuccessScratch success;
  FailureScratch failure;
  // The personal centre (ui/account_screens.hpp).
  LoginScratch login;
  AccountHomeScratch account_home;
  MyBusinessScratch my_business;
  ProfileScratch profile;
  ChangePasswordScratch change_password;
  // Hall staff (ui/staff_screens.hpp).
  StaffSignInScratch staff_sign_in;
  MaintenanceScratch maintenance;
  HandoverScratch handover;
};

}  // namespace ui
