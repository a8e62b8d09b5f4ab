// The whole kiosk state as one value. update() takes it and an event and returns the next one plus the
// effects to run; nothing here does I/O. Credentials (PIN, SMS code, password, the platform's phone and
// session tokens) are never part of it: the UI's keypads hold what is typed, the runtime holds what the
// platform hands out, so no dump of the model can leak them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace core {

enum class Screen {
  Home,
  Help,
  ComingSoon,
  // the renewal, the key checked before any money (docs/architecture.md, "The renewal engine")
  Products,    // choose project + brand, 【开始续费】
  KeyCheck,    // the key is read and checked before any money; problems + 【读取证书】
  Phone,       // phone number, 【获取验证码】, the code
  OrderList,   // payment method, the list, 【提交】
  Payment,     // the WeChat Pay QR, amount, countdown
  KeyDetails,  // the key's details again, 【确认续费】 (and the one-chance confirmation)
  Pin,         // PIN on the keypad, flag warnings
  Progress,    // the rollover, step by step, 请勿拔出KEY
  KeyPulled,   // the key left mid-renewal: reinsert the same key
  Success,     // 续费成功, the new validity, 请取走KEY
  Failure,     // what happened, what to do next (incl. needs_staff: go to the counter)
  // the personal centre (docs/kiosk.md)
  Login,           // phone + password (the default needs an SMS code too), or phone + SMS code
  AccountHome,     // 个人中心: 我的业务, 个人信息, 修改密码, 退出登录
  MyBusiness,      // the business list with 【继续操作】
  Profile,         // 个人信息: real name, phone, e-mail; 【提交】 → 修改成功
  ChangePassword,  // 修改密码: current, new, confirm (forced after a default-password login)
};

// Settings the core needs, from the kiosk configuration.
struct Settings {
  Millis idle_ms = 60'000;           // no touch → the idle overlay
  Millis idle_warning_ms = 20'000;   // the overlay's countdown
  Millis token_retry_ms = 3'000;
  Millis session_max_ms = 600'000;   // personal centre: logged out after this in any case
  Language default_language = Language::ZhCN;
};

enum class SmsState { None, Sending, Sent, Verifying };

struct PhoneStep {
  std::string phone;  // digits, as typed (personal data: wiped with the session)
  SmsState sms = SmsState::None;
  Millis resend_at = 0;       // 【获取验证码】 is enabled again from here ("请在49秒后重新发送")
  int code_length = 6;        // from the platform
  bool code_sent_once = false;
  std::string error_key;      // the last problem, e.g. "phone.error.format"
  int wrong_codes = 0;
};

enum class OrderStatus { PendingPayment, Paid, Issued, Installed, Closed, Expired, NeedsStaff, RefundRequested };

struct Order {
  std::string id;
  Fen amount = 0;
  std::string code_url;     // weixin://wxpay/bizpayurl?pr=…
  UnixSeconds expires_at = 0;
  OrderStatus status = OrderStatus::PendingPayment;
  int years = 1;
};

// The renewal's steps, in order, on the token and with the platform: the runtime runs and journals each
// (before and after), the progress screen shows where the renewal is.
enum class RenewalStep {
  Login,         // the typed PIN → exactly one C_Login
  StageKey,      // a new key pair on the token, labelled pending
  BuildP10,      // PKCS#10 signed on the token by the new key
  RequestNonce,  // the platform's nonce for the old-key proof
  SignProof,     // the old key signs the domain-tagged proof
  Submit,        // the platform issues the new certificate
  Install,       // written to the token, read back, test-signed
  Finalize,      // new key gets its final label; the old key retires per policy
  Confirm,       // the platform is told it is installed: the business is closed
  Done,
};

enum class Dialog {
  None,
  ConfirmRenewal,  // 确定续费吗，本次购买只有一次续费机会！
  KeyReadFailed,   // 证书读取失败 (then the red text and 【读取证书】)
  FinalPinTry,     // the token says the next wrong PIN locks it
  CancelPayment,   // leave the payment screen? (closes the order)
  PaidNotice,      // 订单支付成功
};

struct Failure {
  std::string title_key;   // what happened
  std::string body_key;    // why, in the customer's words
  std::string next_key;    // what to do next
  bool needs_staff = false;  // go to the counter with the business number
  bool can_retry = false;    // 【重试】 re-runs the failed step
  std::string detail;        // non-secret detail for staff (error code), shown small
  // needs_staff: whether the platform has it. Asking until the runtime answers; then Yes (the counter has
  // it) or NotYet (the kiosk keeps telling the platform by itself; the customer takes the KEY and the
  // business number to the counter meanwhile). Never Yes before the platform acknowledged it.
  enum class Told { Asking, Yes, NotYet };
  Told told = Told::Asking;
};

struct Renewal {
  // product choice
  std::string product_id;
  int years = 1;
  // the key, read at 【开始续费】 and again before the rollover
  bool reading_key = false;
  std::optional<CertSummary> cert;  // the certificate being renewed (the order is bound to it)
  TokenIdentity token;              // the key it sits on
  PinFlags pin;
  std::string key_problem_key;      // why this key cannot be renewed (red text), empty when fine
  bool key_ok = false;              // the last read found the bound certificate, usable
  bool show_read_hint = false;      // after the read-failure dialog: the red hint + 【读取证书】
  // phone
  PhoneStep phone;
  bool phone_verified = false;
  // order
  bool ordering = false;
  int order_attempt = 1;            // a new order after an expired QR is attempt 2 (a new idempotency key)
  std::optional<Order> order;
  bool qr_expired = false;          // past the order's expiry by our clock (the platform confirms)
  bool closing_order = false;
  bool reorder_after_close = false;
  bool failure_from_order = false;  // 【重试】 on the failure screen re-submits the order
  // rollover
  RenewalStep step = RenewalStep::Login;
  bool step_running = false;
  std::optional<RenewalStep> resume_step;   // after the PIN, continue here instead of StageKey
  std::optional<Millis> waiting_until;      // a step waits for the clock (new certificate not yet valid)
  bool logged_in = false;
  bool pin_failed = false;          // the last PIN was wrong: show 产生签名证书P10申请书失败
  bool final_try_acknowledged = false;
  Screen pulled_from = Screen::KeyDetails;  // where the key was pulled
  bool other_key_inserted = false;
  bool staged_key_reused = false;
  UnixSeconds new_not_before = 0;
  UnixSeconds new_not_after = 0;
  std::optional<Failure> failure;
  bool resumed = false;             // continuing an earlier business (继续操作 or a reinserted key)
};

struct Catalog {
  std::vector<Product> products;
  bool loading = false;
  bool failed = false;
  Millis loaded_at = -1;
};

// ---- the personal centre ----------------------------------------------------------------------------
enum class LoginMethod { Password, Sms };

struct LoginForm {
  LoginMethod method = LoginMethod::Password;
  PhoneStep phone;            // the number and its SMS state (login by code, or the default password's code)
  bool needs_code = false;    // the default password is accepted only with an SMS code to that phone
  bool submitting = false;
  std::string error_key;      // the same message whether or not the phone is known
  int failures = 0;           // this session's failed attempts
  Millis wait_until = 0;      // throttled: no attempt before this (countdown shown)
};

struct Profile {
  std::string account_id;
  std::string username;
  std::string member_level;  // 普通用户
  std::string real_name;
  std::string phone;
  std::string email;
  UnixSeconds registered_at = 0;
};

struct BusinessItem {
  std::string order_id;
  std::string product_id;
  std::string product_title;
  UnixSeconds created_at = 0;
  Fen amount = 0;
  int years = 1;
  OrderStatus status = OrderStatus::PendingPayment;
  bool can_continue = false;        // paid and not finished: 【继续操作】
  std::string needs_staff_reason;   // a message key when it waits for the counter
  // From this kiosk's journal (empty when the business began elsewhere): where it stopped here, as a
  // message key ("business.stopped.install").
  std::string stopped_at_key;
};

struct ProfileForm {
  bool saving = false;
  bool saved = false;               // 修改成功
  std::vector<std::string> problem_keys;  // every rule the typed fields break, in words
  std::string error_key;                  // what the platform (or the SMS step) said
  PhoneStep new_phone;              // a changed phone is verified by its own SMS code
};

struct PasswordForm {
  bool saving = false;
  bool saved = false;               // 修改成功
  std::vector<std::string> problem_keys;  // every rule broken, in words
};

struct Account {
  bool must_change_password = false;  // logged in with the default: nothing else until it is changed
  Millis logged_in_at = 0;
  Profile profile;
  std::vector<BusinessItem> business;
  bool business_loading = false;
  std::string business_error_key;
  std::string resume_order_id;        // 【继续操作】 in progress
  bool resuming = false;
  std::string resume_error_key;       // e.g. insert the key of that business
  ProfileForm profile_form;
  PasswordForm password_form;
};

struct Model {
  Settings settings;
  Millis now = 0;          // monotonic
  UnixSeconds wall = 0;    // wall clock
  Language language = Language::ZhCN;
  KeyStatus key;
  Catalog catalog;
  Screen screen = Screen::Home;
  Dialog dialog = Dialog::None;
  std::uint64_t session = 1;     // increases at every wipe; results of older sessions are dropped
  Millis last_activity = 0;
  bool idle_overlay = false;
  Millis idle_deadline = 0;      // when the overlay's countdown ends
  std::optional<Renewal> renewal;
  std::optional<LoginForm> login;
  std::optional<Account> account;
};

Model initial_model(const Settings& settings, Millis now, UnixSeconds wall);

}  // namespace core
