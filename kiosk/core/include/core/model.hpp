// The whole kiosk state as one value. update() takes it and an event and returns the next one plus the
// effects to run; nothing here does I/O. Credentials (PIN, SMS code, password, the platform's phone and
// session tokens) are never part of it: the UI's keypads hold what is typed, the runtime holds what the
// platform hands out, so no dump of the model can leak them.
//
// Where the customer is, is a type: Model::flow holds exactly one phase (one per screen), and each phase
// holds only what exists there: the key a renewal is bound to from the phone step on, its order from the
// payment on, the rollover's progress once paid, the personal centre's login once logged in. A screen's
// view cannot be asked about a phase the kiosk is not in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/secret_slot.hpp"
#include "core/service.hpp"
#include "core/staff.hpp"
#include "core/types.hpp"

namespace core {

// One per phase below, in the order Flow lists them (a static_assert keeps the two in step).
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
  // hall staff (docs/staff.md): never reached from a customer's screen without a staff KEY or code
  StaffSignIn,  // the staff KEY's PIN, or a maintenance code, and why either was refused
  Maintenance,  // status, business that needs someone, device tests, log, service
  Handover,     // staff handed a business to its customer: insert that business's KEY
};

// Settings the core needs, from the kiosk configuration.
struct Settings {
  Millis idle_ms = 60'000;           // no touch → the idle overlay
  Millis idle_warning_ms = 20'000;   // the overlay's countdown
  Millis token_retry_ms = 3'000;
  Millis session_max_ms = 600'000;   // personal centre: logged out after this in any case
  Language default_language = Language::ZhCN;
  // The platform check's hysteresis (core/service.hpp): this many failed checks in a row take the kiosk out
  // of service, this many passed ones in a row bring it back.
  int platform_out_after = 3;
  int platform_back_after = 2;
  // The fleet's (docs/fleet.md, "Settings and their ranges"): the products offered, in their display order
  // (empty: the catalog's, in its order), and an announcement home shows (empty: none).
  std::vector<std::string> products;
  std::string announcement_zh_cn;
  std::string announcement_en;
  // Staff KEYs are looked at when inserted (the configuration pins a staff CA); maintenance codes work
  // either way. Staff mode ends after this long untouched.
  bool staff_keys = false;
  Millis staff_idle_ms = 120'000;
  friend bool operator==(const Settings&, const Settings&) = default;
};

// What the fleet's configuration sets in the core (the runtime's effective settings, docs/fleet.md).
struct FleetSettings {
  Millis idle_ms = 60'000;
  Millis session_max_ms = 600'000;
  Language default_language = Language::ZhCN;
  std::vector<std::string> products;
  std::string announcement_zh_cn;
  std::string announcement_en;
  friend bool operator==(const FleetSettings&, const FleetSettings&) = default;
};

enum class SmsState { None, Sending, Sent, Verifying };

// 【获取验证码】 and its answer, wherever a form asks for an SMS code (the renewal's phone step, the login,
// a changed phone in 个人信息).
struct PhoneStep {
  std::string phone;  // digits, as typed (personal data: wiped with the session)
  SmsState sms = SmsState::None;
  Millis resend_at = 0;       // 【获取验证码】 is enabled again from here ("请在49秒后重新发送")
  int code_length = 6;        // from the platform
  bool code_sent_once = false;
  std::string error_key;      // the last problem, e.g. "phone.error.format"
  int wrong_codes = 0;
  friend bool operator==(const PhoneStep&, const PhoneStep&) = default;
};

enum class OrderStatus { PendingPayment, Paid, Issued, Installed, Closed, Expired, NeedsStaff, RefundRequested };

struct Order {
  std::string id;
  Fen amount = 0;
  std::string code_url;     // weixin://wxpay/bizpayurl?pr=…
  UnixSeconds expires_at = 0;
  OrderStatus status = OrderStatus::PendingPayment;
  int years = 1;
  friend bool operator==(const Order&, const Order&) = default;
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
inline constexpr std::size_t kRenewalStepCount = static_cast<std::size_t>(RenewalStep::Done) + 1;
// The row of the progress screen a step belongs to: the platform's nonce and the old key's proof are part of
// 提交 (Submit); every other step is its own row.
constexpr RenewalStep progress_step(RenewalStep s) {
  return s == RenewalStep::RequestNonce || s == RenewalStep::SignProof ? RenewalStep::Submit : s;
}
// How long each step usually takes on a key of one brand and key type, in milliseconds (0: nobody knows):
// what this kiosk measured, else the runtime's defaults (docs/kiosk.md, "The renewal on screen").
struct StepTimes {
  std::array<Millis, kRenewalStepCount> usual{};
  [[nodiscard]] Millis of(RenewalStep s) const { return usual[static_cast<std::size_t>(s)]; }
  friend bool operator==(const StepTimes&, const StepTimes&) = default;
};

// The dialog over the screen, as the UI draws it; each phase that can ask holds its own question.
enum class Dialog {
  None,
  ConfirmRenewal,  // 确定续费吗，本次购买只有一次续费机会！
  KeyReadFailed,   // 证书读取失败 (then the red text and 【读取证书】)
  FinalPinTry,     // the token says the next wrong PIN locks it
  CancelPayment,   // leave the payment screen? (closes the order)
  PaidNotice,      // 订单支付成功
  ConfirmPower,    // staff: restart the app, reboot or power off the terminal?
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
  friend bool operator==(const Failure&, const Failure&) = default;
};

struct Catalog {
  std::vector<Product> products;
  bool loading = false;
  bool failed = false;
  Millis loaded_at = -1;
  friend bool operator==(const Catalog&, const Catalog&) = default;
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
  friend bool operator==(const LoginForm&, const LoginForm&) = default;
};

struct Profile {
  std::string account_id;
  std::string username;
  std::string member_level;  // 普通用户
  std::string real_name;
  std::string phone;
  std::string email;
  UnixSeconds registered_at = 0;
  friend bool operator==(const Profile&, const Profile&) = default;
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
  friend bool operator==(const BusinessItem&, const BusinessItem&) = default;
};

struct ProfileForm {
  bool saving = false;
  bool saved = false;               // 修改成功
  std::vector<std::string> problem_keys;  // every rule the typed fields break, in words
  std::string error_key;                  // what the platform (or the SMS step) said
  PhoneStep new_phone;              // a changed phone is verified by its own SMS code
  friend bool operator==(const ProfileForm&, const ProfileForm&) = default;
};

struct PasswordForm {
  bool saving = false;
  bool saved = false;               // 修改成功
  std::vector<std::string> problem_keys;  // every rule broken, in words
  friend bool operator==(const PasswordForm&, const PasswordForm&) = default;
};

// Logged in to the platform: from LoggedIn until the session is wiped (logout, home, idle, the cap).
struct Account {
  bool must_change_password = false;  // logged in with the default: nothing else until it is changed
  Millis logged_in_at = 0;
  Profile profile;
  friend bool operator==(const Account&, const Account&) = default;
};

// What the personal centre keeps while the customer moves between its pages.
struct PersonalCentre {
  Account account;
  std::vector<BusinessItem> business;  // 我的业务, as last loaded (reloaded at each visit)
  bool business_loading = false;
  std::string business_error_key;
  std::string resume_order_id;  // 【继续操作】 in progress, or waiting for its key
  bool resuming = false;
  std::string resume_error_key;  // e.g. insert the key of that business
  friend bool operator==(const PersonalCentre&, const PersonalCentre&) = default;
};

// ---- the renewal ------------------------------------------------------------------------------------
// What the renewal carries through all its phases.
struct Renewal {
  std::string product_id;  // the product chosen, empty until one is
  int years = 1;
  PhoneStep phone;                 // kept when the customer steps back: the resend countdown holds
  int order_attempt = 1;           // a new order after an expired QR is attempt 2 (a new idempotency key)
  std::optional<Account> account;  // begun by 【继续操作】: still logged in (logged out at its end)
  friend bool operator==(const Renewal&, const Renewal&) = default;
};

// The key the renewal is bound to, from the key check on: the order and the rollover are bound to this
// certificate on this token.
struct BoundKey {
  CertSummary cert;
  TokenIdentity token;
  PinFlags pin;  // as last read, or as the last login left them
  friend bool operator==(const BoundKey&, const BoundKey&) = default;
};

// A paid renewal (or one found again by 继续操作): the order and the rollover, from phase to phase.
struct Paid {
  BoundKey key;
  Order order;
  bool resumed = false;  // continuing an earlier business: its one-chance confirmation was given then
  RenewalStep step = RenewalStep::Login;  // the step to run next (or running)
  std::optional<RenewalStep> resume_step;  // after the PIN, continue here instead of StageKey
  bool logged_in = false;                   // the token session of the typed PIN is open
  bool pin_failed = false;  // the last PIN was wrong: show 产生签名证书P10申请书失败
  bool final_try_acknowledged = false;
  bool staged_key_reused = false;
  UnixSeconds new_not_before = 0;  // the new certificate's validity, once issued
  UnixSeconds new_not_after = 0;
  friend bool operator==(const Paid&, const Paid&) = default;
};

// ---- hall staff (docs/staff.md) ----------------------------------------------------------------------
// What the inserted KEY is as a staff KEY, judged without a PIN (the runtime's read_staff_key).
struct StaffKeyInfo {
  TokenIdentity token;
  std::string name;         // the certificate's CN ("王芳"); empty when the KEY is not a staff KEY at all
  std::string refusal_key;  // "staff.refused.expired" ...; empty: it may sign in
  std::string detail;       // which certificate, which date (for staff; not secret)
  PinFlags pin;             // read fresh with it
  friend bool operator==(const StaffKeyInfo&, const StaffKeyInfo&) = default;
};

// Who is signed in, for the screens and every audit entry.
struct StaffMember {
  std::string actor;  // the certificate's subject and fingerprint, or "code:<staff>"
  std::string name;   // what the screens show: the CN, or the staff name the code was made for
  bool by_key = false;
  TokenIdentity key;  // by_key: pulling this KEY ends staff mode
  UnixSeconds since = 0;
  friend bool operator==(const StaffMember&, const StaffMember&) = default;
};

enum class MaintenancePage { Status, Business, Devices, Log, Service };
enum class DeviceTest { None, Touch, Screen, KeyReader, Qr, Network };
enum class PowerAction { RestartApp, Reboot, PowerOff };
// What staff can ask of the runtime from the maintenance screens; each is audited with the staff member.
enum class StaffActionKind { SendNow, HandToCounter, SyncNow, UploadDiagnostics, RestartApp, Reboot, PowerOff };

// ---- the phases: one per screen ---------------------------------------------------------------------
namespace phase {

struct Home {
  static constexpr Screen kScreen = Screen::Home;
  friend bool operator==(const Home&, const Home&) = default;
};
struct Help {
  static constexpr Screen kScreen = Screen::Help;
  friend bool operator==(const Help&, const Help&) = default;
};
struct ComingSoon {
  static constexpr Screen kScreen = Screen::ComingSoon;
  friend bool operator==(const ComingSoon&, const ComingSoon&) = default;
};

struct Products {
  static constexpr Screen kScreen = Screen::Products;
  Renewal renewal;
  friend bool operator==(const Products&, const Products&) = default;
};
struct KeyCheck {
  static constexpr Screen kScreen = Screen::KeyCheck;
  Renewal renewal;
  bool reading = false;
  std::string problem_key;  // why this key cannot be renewed (red text), empty when fine
  friend bool operator==(const KeyCheck&, const KeyCheck&) = default;
};
struct Phone {
  static constexpr Screen kScreen = Screen::Phone;
  Renewal renewal;
  BoundKey key;
  friend bool operator==(const Phone&, const Phone&) = default;
};
struct OrderList {
  static constexpr Screen kScreen = Screen::OrderList;
  Renewal renewal;
  BoundKey key;
  bool submitting = false;  // the order is being created
  friend bool operator==(const OrderList&, const OrderList&) = default;
};
struct Payment {
  static constexpr Screen kScreen = Screen::Payment;
  Renewal renewal;
  BoundKey key;
  Order order;
  bool qr_expired = false;           // past the order's expiry by our clock (the platform confirms)
  bool closing = false;              // the order is being closed
  bool reorder_after_close = false;  // 【重新下单】: a new order once the old one is closed
  bool asking_cancel = false;        // Dialog::CancelPayment
  friend bool operator==(const Payment&, const Payment&) = default;
};
struct KeyDetails {
  static constexpr Screen kScreen = Screen::KeyDetails;
  enum class Asking { Nothing, ConfirmRenewal, ReadFailed };
  Renewal renewal;
  Paid paid;
  bool reading = false;
  bool key_ok = false;          // the last read found the bound certificate, usable
  std::string problem_key;      // red text, empty when fine
  bool show_read_hint = false;  // after the read-failure dialog: the red hint + 【读取证书】
  Asking asking = Asking::Nothing;
  friend bool operator==(const KeyDetails&, const KeyDetails&) = default;
};
struct Pin {
  static constexpr Screen kScreen = Screen::Pin;
  Renewal renewal;
  Paid paid;
  bool verifying = false;  // the Login step runs with the typed PIN
  // Dialog::FinalPinTry is open: the PIN typed before it, for the Login step once the customer confirms.
  std::optional<SecretSlot> final_try_pin;
  friend bool operator==(const Pin&, const Pin&) = default;
};
struct Progress {
  static constexpr Screen kScreen = Screen::Progress;
  Renewal renewal;
  Paid paid;
  bool running = false;                 // paid.step runs
  std::optional<Millis> waiting_until;  // the step waits for the clock (new certificate not yet valid)
  // The row whose time is shown (the runtime said its step began: StepStarted), since when, and how long the
  // steps usually take on this key.
  std::optional<RenewalStep> timed;
  Millis timed_since = 0;
  StepTimes usual;
  friend bool operator==(const Progress&, const Progress&) = default;
};
struct KeyPulled {
  static constexpr Screen kScreen = Screen::KeyPulled;
  enum class From { KeyDetails, Pin, Progress };
  Renewal renewal;
  Paid paid;
  From from = From::KeyDetails;
  bool other_key = false;  // a key was inserted, not the one the renewal is bound to
  friend bool operator==(const KeyPulled&, const KeyPulled&) = default;
};
struct Success {
  static constexpr Screen kScreen = Screen::Success;
  Renewal renewal;
  Paid paid;
  friend bool operator==(const Success&, const Success&) = default;
};
struct Failure {
  static constexpr Screen kScreen = Screen::Failure;
  Renewal renewal;
  core::Failure failure;
  // What failed: the order, before any money (【重试】 orders again with this key), or the paid renewal
  // (【重试】 runs its step again).
  std::variant<BoundKey, Paid> at;
  friend bool operator==(const Failure&, const Failure&) = default;
};

struct Login {
  static constexpr Screen kScreen = Screen::Login;
  LoginForm form;
  friend bool operator==(const Login&, const Login&) = default;
};
struct AccountHome {
  static constexpr Screen kScreen = Screen::AccountHome;
  PersonalCentre centre;
  friend bool operator==(const AccountHome&, const AccountHome&) = default;
};
struct MyBusiness {
  static constexpr Screen kScreen = Screen::MyBusiness;
  PersonalCentre centre;
  friend bool operator==(const MyBusiness&, const MyBusiness&) = default;
};
struct Profile {
  static constexpr Screen kScreen = Screen::Profile;
  PersonalCentre centre;
  ProfileForm form;
  friend bool operator==(const Profile&, const Profile&) = default;
};
struct ChangePassword {
  static constexpr Screen kScreen = Screen::ChangePassword;
  PersonalCentre centre;
  PasswordForm form;
  friend bool operator==(const ChangePassword&, const ChangePassword&) = default;
};

struct StaffSignIn {
  static constexpr Screen kScreen = Screen::StaffSignIn;
  bool by_code = false;       // no KEY: the staff name and a maintenance code
  StaffKeyInfo key;           // by KEY: the one inserted (a refusal is shown, no PIN asked)
  bool verifying = false;     // the KEY's PIN and challenge, or the code, with the runtime
  std::string error_key;      // the last refusal or wrong PIN, in words
  std::string detail;
  Millis wait_until = 0;      // codes throttled: no attempt before this
  bool final_try_acknowledged = false;
  std::optional<SecretSlot> final_try_pin;  // Dialog::FinalPinTry is open over this PIN
  friend bool operator==(const StaffSignIn&, const StaffSignIn&) = default;
};
struct Maintenance {
  static constexpr Screen kScreen = Screen::Maintenance;
  StaffMember staff;
  MaintenancePage page = MaintenancePage::Status;
  std::vector<StatusItem> status;
  bool status_loading = false;
  std::vector<StaffBusiness> business;
  bool business_loading = false;
  std::vector<LogLine> log;
  bool log_loading = false;
  DeviceTest test = DeviceTest::None;
  std::optional<KeyReport> key_report;
  std::optional<NetworkReport> network;
  bool testing = false;
  std::string test_error_key;
  bool busy = false;  // a staff action runs
  std::optional<StaffActionKind> last_action;
  bool last_ok = false;
  std::string result_key;     // what the last action did, in words
  std::string result_detail;  // its id or error (not secret)
  std::optional<PowerAction> asking_power;  // Dialog::ConfirmPower
  friend bool operator==(const Maintenance&, const Maintenance&) = default;
};
// Staff handed a paid business to its customer (【继续办理】): the customer inserts that business's KEY and
// the renewal goes on in the customer's own flow, with the customer's PIN.
struct Handover {
  static constexpr Screen kScreen = Screen::Handover;
  std::string order_id;
  bool resuming = false;
  std::string error_key;  // resume.error.insert_key, resume.error.other_key ...
  friend bool operator==(const Handover&, const Handover&) = default;
};

}  // namespace phase

using Flow = std::variant<phase::Home, phase::Help, phase::ComingSoon, phase::Products, phase::KeyCheck,
                          phase::Phone, phase::OrderList, phase::Payment, phase::KeyDetails, phase::Pin,
                          phase::Progress, phase::KeyPulled, phase::Success, phase::Failure, phase::Login,
                          phase::AccountHome, phase::MyBusiness, phase::Profile, phase::ChangePassword,
                          phase::StaffSignIn, phase::Maintenance, phase::Handover>;

inline constexpr std::size_t kScreenCount = std::variant_size_v<Flow>;

namespace detail {
template <std::size_t... I>
constexpr bool phases_in_screen_order(std::index_sequence<I...>) {
  return ((std::variant_alternative_t<I, Flow>::kScreen == static_cast<Screen>(I)) && ...);
}
}  // namespace detail
static_assert(detail::phases_in_screen_order(std::make_index_sequence<kScreenCount>{}),
              "Flow holds one phase per Screen, in the enum's order");

struct Model {
  Settings settings;
  Millis now = 0;          // monotonic
  UnixSeconds wall = 0;    // wall clock
  Language language = Language::ZhCN;
  KeyStatus key;
  Catalog catalog;
  std::uint64_t session = 1;     // increases at every wipe; results of older sessions are dropped
  Millis last_activity = 0;
  bool idle_overlay = false;
  Millis idle_deadline = 0;      // when the overlay's countdown ends
  Flow flow;                     // where the customer is, and what exists there
  Service service;               // in service or not, and why (core/service.hpp)
  // The fleet's settings that came while a customer was being served: taken at the next wipe, so no
  // customer's business changes its rules half-way (docs/fleet.md, "Applying it").
  std::optional<FleetSettings> pending_settings;
  // The inserted KEY as a staff KEY, once the runtime looked (Settings::staff_keys); none: not looked at,
  // or no KEY.
  std::optional<StaffKeyInfo> staff_key;
  std::string staff_entry_refused_key;  // 【维护】 tapped while a step with side effects ran
  // A session ended with a KEY still in the reader: home reminds (请取走您的KEY) until it is taken.
  std::optional<UnixSeconds> key_left_since;
  friend bool operator==(const Model&, const Model&) = default;
};

Model initial_model(const Settings& settings, Millis now, UnixSeconds wall);

// No customer business here: home, help or the coming-soon page. The runtime applies a new fleet
// configuration only at such a moment (docs/fleet.md, "Applying it").
bool at_safe_point(const Model& m);

// The screen of the current phase.
inline Screen screen_of(const Model& m) {
  return static_cast<Screen>(m.flow.index());
}
// "Products", "KeyDetails": the enumerator's name (for logs and the harness's scripts).
std::string_view screen_name(Screen s);
// The dialog the current phase asks, if any.
Dialog dialog_of(const Model& m);
// The slots of the secrets the model keeps for a later effect (the PIN while the final-try question is
// open). A driver keeps those secrets until then; every other one it wipes.
std::vector<SecretSlot> secrets_held(const Model& m);
// Staff mode: the maintenance screens (signed in). The sign-in screen is not staff mode yet.
bool in_staff_mode(const Model& m);
// Whether 【维护】 may open now: no step with side effects is running (a PIN being checked, the rollover,
// an order being made or closed, a business being resumed).
bool staff_entry_allowed(const Model& m);
// The customer's platform login, in the personal centre or in a renewal begun there; null when none.
const Account* account_of(const Model& m);
// The renewal's order, from the payment on (a failed order has none); null when none.
const Order* order_of(const Model& m);

}  // namespace core
