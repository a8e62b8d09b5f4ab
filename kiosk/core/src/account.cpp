// The personal centre (docs/kiosk.md, "The personal centre"): login, my business with 【继续操作】, profile,
// password.
#include <algorithm>
#include <cstdint>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "domain/account.hpp"
#include "internal.hpp"

namespace core::detail {
namespace {

constexpr int kFreeFailures = 5;        // then 30 s, doubling,
constexpr int kFirstWaitS = 30;
constexpr int kMaxWaitS = 15 * 60;      // up to 15 minutes

// Logged in with the default password: only 修改密码 (and 退出登录) until it is changed.
bool free_to_move(const PersonalCentre& pc) {
  return !pc.account.must_change_password;
}

void home(Ctx& c, PersonalCentre&& pc) {
  go(c, phase::AccountHome{std::move(pc)});
}

}  // namespace

// Home (and 返回 from the login) ends the personal session: the next customer must not find it open.
void on(Ctx& c, phase::Login&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Login&, const BackTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::AccountHome&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::MyBusiness&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::Profile&, const HomeTapped&) {
  wipe(c);
}
void on(Ctx& c, phase::ChangePassword&, const HomeTapped&) {
  wipe(c);
}

// ---- login ----
void on(Ctx& c, phase::Home&, const PersonalCentreTapped&) {
  go(c, phase::Login{});
}

void on(Ctx&, phase::Login& p, const LoginMethodChosen& e) {
  if (p.form.submitting) return;
  p.form.method = e.method;
  p.form.error_key.clear();
}

void on(Ctx& c, phase::Login& p, const LoginGetCodeTapped& e) {
  get_code(c, p.form.phone, e.phone, SmsPurpose::Login);
}
void on(Ctx& c, phase::Login& p, const SmsSent& e) {
  code_sent(c.m, p.form.phone, e);
}
void on(Ctx& c, phase::Login& p, const SmsFailed& e) {
  code_not_sent(c.m, p.form.phone, e);
}

void on(Ctx& c, phase::Login& p, const LoginSubmitted& e) {
  LoginForm& f = p.form;
  if (f.submitting) return;
  if (c.m.now < f.wait_until) {
    f.error_key = std::string(msg::kLoginErrorWait);
    return;
  }
  if (!valid_phone(e.phone)) {
    f.error_key = std::string(msg::kPhoneErrorFormat);
    return;
  }
  const bool with_code = f.method == LoginMethod::Sms || f.needs_code;
  if (with_code && (!f.phone.code_sent_once || f.phone.phone != e.phone)) {
    f.error_key = std::string(msg::kPhoneErrorGetCodeFirst);
    return;
  }
  f.phone.phone = e.phone;
  f.submitting = true;
  f.error_key.clear();
  // The secrets this login uses; any other one that came with the event is wiped by the driver.
  const bool by_password = f.method == LoginMethod::Password;
  c.fx.push_back(AccountLogin{e.phone, f.method, by_password && f.needs_code,
                              by_password ? e.password : std::nullopt, with_code ? e.code : std::nullopt});
}

void on(Ctx& c, phase::Login& p, const LoggedIn& e) {
  if (!p.form.submitting) return;
  PersonalCentre pc;
  pc.account.must_change_password = e.must_change_password;
  pc.account.logged_in_at = c.m.now;
  pc.account.profile = e.profile;
  if (e.must_change_password)
    go(c, phase::ChangePassword{std::move(pc)});
  else
    home(c, std::move(pc));
}

void on(Ctx& c, phase::Login& p, const LoginFailed& e) {
  LoginForm& f = p.form;
  if (!f.submitting) return;
  f.submitting = false;
  f.error_key = e.error_key;
  if (e.needs_code) {
    // Not a failure: the default password is right but needs the SMS code to that phone.
    f.needs_code = true;
    return;
  }
  ++f.failures;
  int wait_s = e.wait_s;
  if (f.failures >= kFreeFailures) {
    const int doublings = std::min(f.failures - kFreeFailures, 10);
    wait_s = std::max(wait_s, std::min(kFirstWaitS << doublings, kMaxWaitS));
  }
  if (wait_s > 0) f.wait_until = c.m.now + wait_s * kSecond;
}

// ---- the personal centre's home ----
void on(Ctx& c, phase::AccountHome& p, const MyBusinessTapped&) {
  if (!free_to_move(p.centre)) return;
  auto& next = go(c, phase::MyBusiness{std::move(p.centre)});
  next.centre.business_loading = true;
  next.centre.business_error_key.clear();
  next.centre.resume_error_key.clear();
  c.fx.push_back(LoadBusiness{});
}

void on(Ctx& c, phase::AccountHome& p, const ProfileTapped&) {
  if (free_to_move(p.centre)) go(c, phase::Profile{std::move(p.centre)});
}

void on(Ctx& c, phase::AccountHome& p, const ChangePasswordTapped&) {
  go(c, phase::ChangePassword{std::move(p.centre)});
}

// ---- my business ----
void on(Ctx& c, phase::MyBusiness& p, const BackTapped&) {
  home(c, std::move(p.centre));
}

void on(Ctx& c, phase::MyBusiness& p, const ContinueBusinessTapped& e) {
  PersonalCentre& pc = p.centre;
  if (!free_to_move(pc) || pc.resuming) return;
  const auto& items = pc.business;
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const BusinessItem& b) { return b.order_id == e.order_id; });
  if (it == items.end() || !it->can_continue) return;
  pc.resuming = true;
  pc.resume_order_id = e.order_id;
  pc.resume_error_key.clear();
  c.fx.push_back(ResumeBusiness{e.order_id});
}

// A key was inserted while a 【继续操作】 waits for it: try again.
void on(Ctx& c, phase::MyBusiness& p, const KeyStatusChanged&) {
  PersonalCentre& pc = p.centre;
  if (pc.resuming || pc.resume_error_key != msg::kResumeInsertKey || c.m.key.presence == KeyPresence::NoKey)
    return;
  pc.resuming = true;
  pc.resume_error_key.clear();
  c.fx.push_back(ResumeBusiness{pc.resume_order_id});
}

void on(Ctx&, PersonalCentre& pc, const BusinessLoaded& e) {
  pc.business = e.items;
  pc.business_loading = false;
  pc.business_error_key.clear();
}

void on(Ctx&, PersonalCentre& pc, const BusinessLoadFailed& e) {
  pc.business_loading = false;
  pc.business_error_key = e.error_key;
}

void on(Ctx&, PersonalCentre& pc, const ResumeFailed& e) {
  if (!pc.resuming) return;
  pc.resuming = false;
  pc.resume_error_key = e.error_key;
}

// ---- 个人信息 ----
void on(Ctx& c, phase::Profile& p, const BackTapped&) {
  home(c, std::move(p.centre));
}

void on(Ctx& c, phase::Profile& p, const ProfileGetCodeTapped& e) {
  if (free_to_move(p.centre)) get_code(c, p.form.new_phone, e.new_phone, SmsPurpose::ChangePhone);
}
void on(Ctx& c, phase::Profile& p, const SmsSent& e) {
  code_sent(c.m, p.form.new_phone, e);
}
void on(Ctx& c, phase::Profile& p, const SmsFailed& e) {
  code_not_sent(c.m, p.form.new_phone, e);
}

void on(Ctx& c, phase::Profile& p, const ProfileSubmitted& e) {
  ProfileForm& f = p.form;
  if (!free_to_move(p.centre) || f.saving) return;
  f.saved = false;
  f.error_key.clear();
  f.problem_keys = profile_problems(e.real_name, e.email, e.phone);
  const bool phone_changed = e.phone != p.centre.account.profile.phone;
  if (phone_changed && valid_phone(e.phone) && (!f.new_phone.code_sent_once || f.new_phone.phone != e.phone))
    f.problem_keys.emplace_back(msg::kProfileErrorPhoneCode);
  if (!f.problem_keys.empty()) return;
  f.saving = true;
  c.fx.push_back(
      SaveProfile{e.real_name, e.email, e.phone, phone_changed, phone_changed ? e.code : std::nullopt});
}

// Saved while the customer looked elsewhere: the profile is the platform's all the same.
void on(Ctx&, PersonalCentre& pc, const ProfileSaved& e) {
  pc.account.profile = e.profile;
}

void on(Ctx& c, phase::Profile& p, const ProfileSaved& e) {
  on(c, p.centre, e);
  p.form = ProfileForm{};
  p.form.saved = true;
}

void on(Ctx&, phase::Profile& p, const ProfileFailed& e) {
  p.form.saving = false;
  p.form.problem_keys.clear();
  p.form.error_key = e.error_key;
}

// ---- 修改密码 ----
void on(Ctx& c, phase::ChangePassword& p, const BackTapped&) {
  if (free_to_move(p.centre)) home(c, std::move(p.centre));
}

void on(Ctx& c, phase::ChangePassword& p, const PasswordSubmitted& e) {
  PasswordForm& f = p.form;
  if (f.saving) return;
  f.saved = false;
  f.problem_keys = e.problem_keys;
  if (!f.problem_keys.empty()) return;
  f.saving = true;
  c.fx.push_back(ChangePassword{e.current, e.next});
}

void on(Ctx&, PersonalCentre& pc, const PasswordChanged&) {
  pc.account.must_change_password = false;
}

void on(Ctx& c, phase::ChangePassword& p, const PasswordChanged& e) {
  on(c, p.centre, e);
  p.form = PasswordForm{};
  p.form.saved = true;
}

void on(Ctx&, phase::ChangePassword& p, const PasswordRejected& e) {
  p.form.saving = false;
  p.form.problem_keys = {e.error_key};
}

}  // namespace core::detail

namespace core {

namespace {

// The account rules are domain's (the platform checks the same ones); the words for them are the core's.
std::string_view key_of(domain::Problem p) {
  switch (p) {
    case domain::Problem::PhoneFormat:
      return msg::kPhoneErrorFormat;
    case domain::Problem::NameBlank:
      return msg::kProfileErrorName;
    case domain::Problem::NameTooShort:
      return msg::kProfileErrorNameShort;
    case domain::Problem::NameTooLong:
      return msg::kProfileErrorNameLong;
    case domain::Problem::NameBadChars:
      return msg::kProfileErrorNameChars;
    case domain::Problem::EmailFormat:
      return msg::kProfileErrorEmail;
    case domain::Problem::PasswordTooShort:
      return msg::kPasswordTooShort;
    case domain::Problem::PasswordFromPhone:
      return msg::kPasswordFromPhone;
    case domain::Problem::PasswordSameAsCurrent:
      return msg::kPasswordSameAsCurrent;
  }
  return msg::kProfileErrorName;
}

}  // namespace

std::vector<std::string> password_problems(std::string_view current, std::string_view next, std::string_view confirm,
                                           std::string_view phone) {
  std::vector<std::string> out;
  if (current.empty()) out.emplace_back(msg::kPasswordCurrentEmpty);
  for (domain::Problem p : domain::password_problems(current, next, phone)) out.emplace_back(key_of(p));
  if (next != confirm) out.emplace_back(msg::kPasswordMismatch);
  return out;
}

bool valid_phone(std::string_view d) {
  return domain::valid_phone(d);
}

bool valid_email(std::string_view e) {
  return domain::valid_email(e);
}

bool valid_real_name(std::string_view name) {
  return domain::valid_real_name(name);
}

std::vector<std::string> profile_problems(std::string_view real_name, std::string_view email,
                                          std::string_view phone) {
  std::vector<std::string> out;
  for (domain::Problem p : domain::real_name_problems(real_name)) out.emplace_back(key_of(p));
  for (domain::Problem p : domain::phone_problems(phone)) out.emplace_back(key_of(p));
  for (domain::Problem p : domain::email_problems(email)) out.emplace_back(key_of(p));
  return out;
}

}  // namespace core
