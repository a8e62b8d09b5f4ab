// The personal centre's screens (docs/kiosk.md, "The personal centre"): 登录, 个人中心, 我的业务 with
// 【继续操作】, 个人信息, 修改密码. Each is a function of the core's const view-model and its scratch
// (UI-only state: the fields being typed, the keyboards), plus the frame's Ctx; it returns the customer's
// intent. Typed passwords and SMS codes stay in the scratch's zeroizing buffers and go beside the intent
// that uses them (Ctx::hand_over gives the slot the intent names); they never pass through the core.
//
// Widget keys the harness and the tests tap: see each screen's file header.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/view.hpp"
#include "foundation/secret.hpp"
#include "ui/ctx.hpp"
#include "ui/keyboard.hpp"
#include "ui/keypad.hpp"
#include "ui/widgets.hpp"

namespace ui {

struct LoginScratch {
  enum class Field { Phone, Password, Code };
  Field focus = Field::Phone;
  KeypadScratch phone;  // digits on the numeric keypad
  foundation::SecretBuffer password;
  KeypadScratch code;
  KeyboardScratch keyboard;  // the password's
};

struct AccountHomeScratch {};

struct MyBusinessScratch {
  ListScratch list;
};

struct ProfileScratch {
  enum class Field { None, RealName, Phone, Code, Email };
  Field focus = Field::None;
  core::Profile base;  // the profile the fields were filled from (refilled when the platform's changes)
  bool filled = false;
  std::string real_name;
  std::string email;
  KeypadScratch phone;
  KeypadScratch code;
  KeyboardScratch name_keyboard;   // Chinese: pinyin and handwriting
  KeyboardScratch email_keyboard;  // Latin
};

struct ChangePasswordScratch {
  enum class Field { Current, New, Confirm };
  Field focus = Field::Current;
  foundation::SecretBuffer current;
  foundation::SecretBuffer next;
  foundation::SecretBuffer confirm;
  KeyboardScratch keyboard;
};

std::optional<core::Event> draw_login(const core::LoginView& v, LoginScratch& s, Ctx& c);
std::optional<core::Event> draw_account_home(const core::AccountHomeView& v, AccountHomeScratch& s, Ctx& c);
std::optional<core::Event> draw_my_business(const core::MyBusinessView& v, MyBusinessScratch& s, Ctx& c);
std::optional<core::Event> draw_profile(const core::ProfileView& v, ProfileScratch& s, Ctx& c);
std::optional<core::Event> draw_change_password(const core::ChangePasswordView& v, ChangePasswordScratch& s,
                                                Ctx& c);

// Limits of what the forms take.
inline constexpr std::size_t kPasswordMax = 32;
inline constexpr std::size_t kRealNameMax = 30;
inline constexpr std::size_t kEmailMax = 100;

// "2021-03-26 14:52" in China Standard Time (UTC+8, no daylight saving): the customers' own time, whatever
// the kiosk's zone.
std::string format_cst(core::UnixSeconds t);
// "¥300.00"
std::string format_yuan(core::Fen fen);

}  // namespace ui
