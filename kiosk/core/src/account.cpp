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

constexpr Millis kSecond = 1000;
constexpr int kFreeFailures = 5;        // then 30 s, doubling,
constexpr int kFirstWaitS = 30;
constexpr int kMaxWaitS = 15 * 60;      // up to 15 minutes

bool can_send(const Model& m, const PhoneStep& p) {
  return p.sms != SmsState::Sending && p.sms != SmsState::Verifying && m.now >= p.resend_at;
}

// One place for 【获取验证码】 on every form: format, countdown, then the effect.
void get_code(Model& m, std::vector<Effect>& fx, PhoneStep& p, const std::string& phone, SmsPurpose purpose) {
  if (!can_send(m, p)) return;
  if (!valid_phone(phone)) {
    p.error_key = std::string(msg::kPhoneErrorFormat);
    return;
  }
  if (p.phone != phone) p.code_sent_once = false;
  p.phone = phone;
  p.error_key.clear();
  p.sms = SmsState::Sending;
  fx.push_back(SendSms{phone, purpose});
}

void sms_sent(const Model& m, PhoneStep& p, const SmsSent& e) {
  p.sms = SmsState::Sent;
  p.code_sent_once = true;
  p.code_length = e.code_length;
  p.resend_at = m.now + e.resend_after_s * kSecond;
}

bool logged_in(const Model& m) { return m.account.has_value(); }
// Logged in with the default password: only 修改密码 (and 退出登录) until it is changed.
bool free_to_move(const Model& m) { return m.account && !m.account->must_change_password; }

}  // namespace

void on_account(Model& m, std::vector<Effect>&, const PersonalCentreTapped&) {
  if (m.screen != Screen::Home) return;
  if (logged_in(m)) {
    m.screen = m.account->must_change_password ? Screen::ChangePassword : Screen::AccountHome;
    return;
  }
  m.login = LoginForm{};
  m.screen = Screen::Login;
}

void on_account(Model& m, std::vector<Effect>&, const LoginMethodChosen& e) {
  if (m.screen != Screen::Login || !m.login || m.login->submitting) return;
  m.login->method = e.method;
  m.login->error_key.clear();
}

void on_account(Model& m, std::vector<Effect>& fx, const LoginGetCodeTapped& e) {
  if (m.screen != Screen::Login || !m.login) return;
  get_code(m, fx, m.login->phone, e.phone, SmsPurpose::Login);
}

void on_account(Model& m, std::vector<Effect>& fx, const LoginSubmitted& e) {
  if (m.screen != Screen::Login || !m.login || m.login->submitting) return;
  LoginForm& f = *m.login;
  if (m.now < f.wait_until) {
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
  fx.push_back(AccountLogin{e.phone, f.method, f.method == LoginMethod::Password && f.needs_code});
}

void on_account(Model& m, std::vector<Effect>&, const LoggedIn& e) {
  if (m.screen != Screen::Login || !m.login || !m.login->submitting) return;
  m.login.reset();
  Account a;
  a.must_change_password = e.must_change_password;
  a.logged_in_at = m.now;
  a.profile = e.profile;
  m.account = std::move(a);
  m.screen = e.must_change_password ? Screen::ChangePassword : Screen::AccountHome;
}

void on_account(Model& m, std::vector<Effect>&, const LoginFailed& e) {
  if (!m.login || !m.login->submitting) return;
  LoginForm& f = *m.login;
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
  if (wait_s > 0) f.wait_until = m.now + wait_s * kSecond;
}

void on_account(Model& m, std::vector<Effect>& fx, const LogoutTapped&) {
  if (logged_in(m)) wipe(m, fx);
}

void on_account(Model& m, std::vector<Effect>& fx, const MyBusinessTapped&) {
  if (!free_to_move(m) || m.screen != Screen::AccountHome) return;
  m.screen = Screen::MyBusiness;
  m.account->business_loading = true;
  m.account->business_error_key.clear();
  m.account->resume_error_key.clear();
  fx.push_back(LoadBusiness{});
}

void on_account(Model& m, std::vector<Effect>&, const ProfileTapped&) {
  if (!free_to_move(m) || m.screen != Screen::AccountHome) return;
  m.screen = Screen::Profile;
  m.account->profile_form = ProfileForm{};
}

void on_account(Model& m, std::vector<Effect>&, const ChangePasswordTapped&) {
  if (!logged_in(m) || m.screen != Screen::AccountHome) return;
  m.screen = Screen::ChangePassword;
  m.account->password_form = PasswordForm{};
}

void on_account(Model& m, std::vector<Effect>&, const BusinessLoaded& e) {
  if (!m.account) return;
  m.account->business = e.items;
  m.account->business_loading = false;
  m.account->business_error_key.clear();
}

void on_account(Model& m, std::vector<Effect>&, const BusinessLoadFailed& e) {
  if (!m.account) return;
  m.account->business_loading = false;
  m.account->business_error_key = e.error_key;
}

void on_account(Model& m, std::vector<Effect>& fx, const ContinueBusinessTapped& e) {
  if (!free_to_move(m) || m.screen != Screen::MyBusiness || m.account->resuming) return;
  const auto& items = m.account->business;
  auto it = std::find_if(items.begin(), items.end(), [&](const BusinessItem& b) { return b.order_id == e.order_id; });
  if (it == items.end() || !it->can_continue) return;
  m.account->resuming = true;
  m.account->resume_order_id = e.order_id;
  m.account->resume_error_key.clear();
  fx.push_back(ResumeBusiness{e.order_id});
}

void on_account(Model& m, std::vector<Effect>&, const ResumeFailed& e) {
  if (!m.account || !m.account->resuming) return;
  m.account->resuming = false;
  m.account->resume_error_key = e.error_key;
}

void on_account(Model& m, std::vector<Effect>& fx, const ProfileGetCodeTapped& e) {
  if (!free_to_move(m) || m.screen != Screen::Profile) return;
  get_code(m, fx, m.account->profile_form.new_phone, e.new_phone, SmsPurpose::ChangePhone);
}

void on_account(Model& m, std::vector<Effect>& fx, const ProfileSubmitted& e) {
  if (!free_to_move(m) || m.screen != Screen::Profile) return;
  ProfileForm& f = m.account->profile_form;
  if (f.saving) return;
  f.saved = false;
  f.error_key.clear();
  f.problem_keys = profile_problems(e.real_name, e.email, e.phone);
  const bool phone_changed = e.phone != m.account->profile.phone;
  if (phone_changed && valid_phone(e.phone) && (!f.new_phone.code_sent_once || f.new_phone.phone != e.phone))
    f.problem_keys.emplace_back(msg::kProfileErrorPhoneCode);
  if (!f.problem_keys.empty()) return;
  f.saving = true;
  fx.push_back(SaveProfile{e.real_name, e.email, e.phone, phone_changed});
}

void on_account(Model& m, std::vector<Effect>&, const ProfileSaved& e) {
  if (!m.account) return;
  m.account->profile = e.profile;
  m.account->profile_form = ProfileForm{};
  m.account->profile_form.saved = true;
}

void on_account(Model& m, std::vector<Effect>&, const ProfileFailed& e) {
  if (!m.account) return;
  m.account->profile_form.saving = false;
  m.account->profile_form.problem_keys.clear();
  m.account->profile_form.error_key = e.error_key;
}

void on_account(Model& m, std::vector<Effect>& fx, const PasswordSubmitted& e) {
  if (!logged_in(m) || m.screen != Screen::ChangePassword) return;
  PasswordForm& f = m.account->password_form;
  if (f.saving) return;
  f.saved = false;
  f.problem_keys = e.problem_keys;
  if (!f.problem_keys.empty()) return;
  f.saving = true;
  fx.push_back(ChangePassword{});
}

void on_account(Model& m, std::vector<Effect>&, const PasswordChanged&) {
  if (!m.account) return;
  m.account->must_change_password = false;
  m.account->password_form = PasswordForm{};
  m.account->password_form.saved = true;
}

void on_account(Model& m, std::vector<Effect>&, const PasswordRejected& e) {
  if (!m.account) return;
  m.account->password_form.saving = false;
  m.account->password_form.problem_keys = {e.error_key};
}

bool account_sms(Model& m, const SmsSent& e) {
  if (m.screen == Screen::Login && m.login) {
    sms_sent(m, m.login->phone, e);
    return true;
  }
  if (m.screen == Screen::Profile && m.account) {
    sms_sent(m, m.account->profile_form.new_phone, e);
    return true;
  }
  return false;
}

bool account_sms(Model& m, const SmsFailed& e) {
  PhoneStep* p = nullptr;
  if (m.screen == Screen::Login && m.login) p = &m.login->phone;
  if (m.screen == Screen::Profile && m.account) p = &m.account->profile_form.new_phone;
  if (!p) return false;
  p->sms = p->code_sent_once ? SmsState::Sent : SmsState::None;
  p->error_key = e.error_key;
  if (e.retry_after_s > 0) p->resend_at = m.now + e.retry_after_s * kSecond;
  return true;
}

bool account_tick(Model& m, std::vector<Effect>& fx) {
  // Logged out after the cap in any case, even mid-edit (not mid-rollover: a 继续操作 renewal in
  // flight ends by itself and wipes at its end).
  if (m.account && m.now - m.account->logged_in_at >= m.settings.session_max_ms &&
      !(m.renewal && m.renewal->step_running) && m.screen != Screen::Progress) {
    wipe(m, fx);
    return true;
  }
  return false;
}

void account_key_changed(Model& m, std::vector<Effect>& fx) {
  if (m.screen != Screen::MyBusiness || !m.account || m.account->resuming ||
      m.account->resume_error_key != msg::kResumeInsertKey || m.key.presence == KeyPresence::NoKey)
    return;
  m.account->resuming = true;
  m.account->resume_error_key.clear();
  fx.push_back(ResumeBusiness{m.account->resume_order_id});
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
