// Everything that can happen to the kiosk: the customer's intents (from the screens or kioskctl), the
// clock, and the results of effects (from the runtime). Plain data; a test builds them by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/model.hpp"
#include "core/secret_slot.hpp"
#include "core/types.hpp"

namespace core {

// ---- the clock and the world ------------------------------------------------------------------------
struct Tick {
  Millis now = 0;
  UnixSeconds wall = 0;
};
struct KeyStatusChanged {
  KeyStatus status;
};
// ---- in service or not (core/service.hpp) ----
// The runtime's service checks, every service.check_s. A check not listed, or Unknown, keeps its last state.
struct ServiceChecked {
  std::vector<CheckResult> results;
};
// Staff, the fleet or the service hours take the kiosk out of service (or change their reason) and put it
// back: each names its own source. The automatic source is the checks' alone: a set or clear naming it is
// ignored.
struct ServiceSourceSet {
  ServiceSource source = ServiceSource::Staff;
  OutOfServiceReason reason;
};
struct ServiceSourceCleared {
  ServiceSource source = ServiceSource::Staff;
};
// The fleet's configuration applied (or rolled back): taken at once at a safe point, else at the next wipe.
struct FleetSettingsChanged {
  FleetSettings settings;
};

// ---- the customer's intents -------------------------------------------------------------------------
struct Activity {};  // any touch: keeps the session alive
struct LanguageChosen {
  Language language = Language::ZhCN;
};
struct HomeTapped {};
struct BackTapped {};
struct HelpTapped {};
struct RenewTapped {};
struct PersonalCentreTapped {};
struct ProductChosen {
  std::string product_id;
};
struct YearsChosen {
  int years = 1;
};
struct StartRenewalTapped {};  // 【开始续费】
struct ReadKeyTapped {};       // 【读取证书】
struct GetCodeTapped {         // 【获取验证码】
  std::string phone;
};
struct CodeSubmitted {  // the code itself goes beside the event, to the runtime (core/secret_slot.hpp)
  SecretSlot code;
};
struct SubmitOrderTapped {};     // 【提交】
struct CancelTapped {};          // leave the current step (payment: closes the order first)
struct NewOrderTapped {};        // after the QR expired: a new order (the old one is closed)
struct ConfirmRenewalTapped {};  // 【确认续费】
struct DialogConfirmed {};       // 【确定】 in the open dialog
struct DialogDismissed {};       // 【取消】 / close in the open dialog
struct PinSubmitted {            // the PIN itself goes beside the event, to the runtime
  SecretSlot pin;
};
struct RetryTapped {};     // 【重试】 on a failure that allows it
struct ContinueTapped {};  // 【继续】 on the idle overlay
struct DoneTapped {};      // 【完成】 / 【返回首页】

// ---- results of effects (the runtime sends them; `session` is the model's session when the effect ran)
struct CatalogLoaded {
  std::uint64_t session = 0;
  std::vector<Product> products;
};
struct CatalogFailed {
  std::uint64_t session = 0;
  std::string error_key;
};

// The inserted key, read: every certificate with its private key, the PIN flags, what it can generate.
struct KeyRead {
  std::uint64_t session = 0;
  TokenIdentity token;
  std::string brand_id;  // the configured brand it matched, empty when none
  std::vector<CertSummary> certificates;
  PinFlags pin;
  std::vector<domain::KeyAlgorithm> can_generate;  // from C_GetMechanismList
};
struct KeyReadFailed {
  std::uint64_t session = 0;
  std::string error_key;  // error.token.*
  std::string detail;
};

struct SmsSent {
  std::uint64_t session = 0;
  int resend_after_s = 60;
  int code_length = 6;
};
struct SmsFailed {
  std::uint64_t session = 0;
  std::string error_key;
  int retry_after_s = 0;
};
struct SmsVerified {
  std::uint64_t session = 0;
};
struct SmsRejected {
  std::uint64_t session = 0;
  std::string error_key;  // wrong code, expired, too many tries
};

struct OrderCreated {
  std::uint64_t session = 0;
  Order order;
};
// Why an order could not be made, where the flow goes elsewhere than the failure screen.
enum class OrderFailure {
  Other,               // the failure screen (retry when retryable)
  VerificationLapsed,  // the phone's verification is no longer valid: back to the phone, a new code
};
struct OrderFailed {
  std::uint64_t session = 0;
  std::string error_key;  // e.g. error.platform.not_eligible, error.platform.offline
  std::string detail;
  bool retryable = false;
  OrderFailure reason = OrderFailure::Other;
};
struct OrderStatusChanged {
  std::uint64_t session = 0;
  std::string order_id;
  OrderStatus status = OrderStatus::PendingPayment;
};
struct OrderClosed {
  std::uint64_t session = 0;
  std::string order_id;
  bool already_paid = false;  // the customer paid just as it was closed: the renewal goes on
};

// How a step failed decides where the customer goes.
enum class StepErrorKind {
  PinIncorrect,  // Login: wrong PIN (flags say how many tries are left, roughly)
  PinLocked,     // the token refuses every login: counter
  TokenRemoved,  // the key left: reinsert the same key
  WrongToken,    // another key than the one the order is bound to
  TokenFull,     // no room for the new key pair: counter
  Unavailable,   // platform offline or slow: retry, nothing lost
  Refused,       // the platform refuses for good: counter
  NotYetValid,   // the new certificate starts in the future (clock skew): wait and retry
  DeviceError,   // anything else from the token: counter
  Journal,       // the kiosk could not record the step (disk full, read-only, damaged): stop, counter
};

// The runtime began a rollover step; with it, how long each step usually takes on this brand and type of
// key (progress screen: the running row's time so far, and what is usual).
struct StepStarted {
  std::uint64_t session = 0;
  RenewalStep step = RenewalStep::StageKey;
  StepTimes usual;
};
struct StepDone {
  std::uint64_t session = 0;
  RenewalStep step = RenewalStep::Login;
  bool reused = false;         // StageKey: an earlier staged key of this renewal was found again
  UnixSeconds not_before = 0;  // Submit: the new certificate's validity
  UnixSeconds not_after = 0;
};
struct StepFailed {
  std::uint64_t session = 0;
  RenewalStep step = RenewalStep::Login;
  StepErrorKind kind = StepErrorKind::DeviceError;
  std::string error_key;
  std::string detail;
  PinFlags pin;  // Login: the flags after the failure
};
// The answer to MarkNeedsStaff: told = the platform acknowledged it; false = not yet (it stays in the
// kiosk's outbox, which keeps trying), or the platform refused it for good (staff see why).
struct NeedsStaffRecorded {
  std::uint64_t session = 0;
  std::string order_id;
  bool told = false;
};

// An unfinished business found again (继续操作, or the same key reinserted after a restart): where it
// stands on the platform, the token and the journal, reconciled by the runtime.
struct BusinessRecovered {
  std::uint64_t session = 0;
  std::string product_id;
  Order order;
  CertSummary cert;
  TokenIdentity token;
  RenewalStep resume_at = RenewalStep::Login;
  UnixSeconds new_not_before = 0;
  UnixSeconds new_not_after = 0;
};

// ---- the personal centre ----
struct LoginMethodChosen {
  LoginMethod method = LoginMethod::Password;
};
struct LoginGetCodeTapped {
  std::string phone;
};
struct LoginSubmitted {  // the password and/or the code go beside the event, to the runtime
  std::string phone;
  std::optional<SecretSlot> password;
  std::optional<SecretSlot> code;
};
struct LoggedIn {
  std::uint64_t session = 0;
  bool must_change_password = false;
  Profile profile;
};
struct LoginFailed {
  std::uint64_t session = 0;
  std::string error_key;    // the same whether or not the phone is known
  int wait_s = 0;           // throttled for this long
  bool needs_code = false;  // the default password: send an SMS code and try again with it
};
struct LogoutTapped {};
struct MyBusinessTapped {};
struct ProfileTapped {};
struct ChangePasswordTapped {};
struct BusinessLoaded {
  std::uint64_t session = 0;
  std::vector<BusinessItem> items;
};
struct BusinessLoadFailed {
  std::uint64_t session = 0;
  std::string error_key;
};
struct ContinueBusinessTapped {  // 【继续操作】
  std::string order_id;
};
struct ResumeFailed {
  std::uint64_t session = 0;
  std::string error_key;  // e.g. resume.error.insert_key, resume.error.other_key
};
struct ProfileGetCodeTapped {
  std::string new_phone;
};
struct ProfileSubmitted {
  std::string real_name;
  std::string email;
  std::string phone;
  std::optional<SecretSlot> code;  // a changed phone's SMS code
};
struct ProfileSaved {
  std::uint64_t session = 0;
  Profile profile;
};
struct ProfileFailed {
  std::uint64_t session = 0;
  std::string error_key;
};
// The screen checked the typed passwords with password_problems(); only when they pass does it hand them
// over (the secrets never come here, their slots do).
struct PasswordSubmitted {
  std::vector<std::string> problem_keys;
  std::optional<SecretSlot> current;
  std::optional<SecretSlot> next;
};
struct PasswordChanged {
  std::uint64_t session = 0;
};
struct PasswordRejected {
  std::uint64_t session = 0;
  std::string error_key;
};

// ---- hall staff (docs/staff.md) ----
// The inserted KEY judged as a staff KEY without a PIN (the answer to CheckStaffKey). Bound to the KEY, not
// to a session: dropped when another KEY is in by then.
struct StaffKeyChecked {
  StaffKeyInfo info;
};
struct MaintenanceTapped {};   // 【维护】, offered only while a staff KEY is in
struct StaffCodeRequested {};  // no staff KEY: the maintenance code (a gesture only staff are told of)
struct StaffPinSubmitted {     // the PIN itself goes beside the event, to the runtime
  SecretSlot pin;
};
struct StaffCodeSubmitted {  // the code itself goes beside the event
  std::string staff;
  SecretSlot code;
};
struct StaffSignedIn {
  std::uint64_t session = 0;
  StaffMember staff;
};
struct StaffSignInFailed {
  std::uint64_t session = 0;
  std::string error_key;  // staff.refused.*, error.token.pin_*, staff.code.*
  std::string detail;
  PinFlags pin;           // a wrong PIN: the flags after it
  int retry_after_s = 0;  // codes throttled
};
struct StaffExitTapped {};  // 【退出维护】
struct StaffPageChosen {
  MaintenancePage page = MaintenancePage::Status;
};
struct StaffRefreshTapped {};  // the page's data loaded again
struct StaffStatusLoaded {
  std::uint64_t session = 0;
  std::vector<StatusItem> items;
};
struct StaffBusinessLoaded {
  std::uint64_t session = 0;
  std::vector<StaffBusiness> items;
};
struct StaffLogLoaded {
  std::uint64_t session = 0;
  std::vector<LogLine> lines;
};
struct StaffSendNowTapped {
  std::int64_t outbox_id = 0;
};
struct StaffCounterTapped {  // handed to the counter, with a note
  std::int64_t business_id = 0;
  std::string note;
};
struct StaffContinueTapped {  // 【继续办理】: to the customer's own flow
  std::string order_id;
};
struct StaffServiceOutTapped {
  std::string reason_key;  // service.reason.staff.*
};
struct StaffServiceInTapped {};
struct StaffSyncTapped {};
struct StaffDiagnosticsTapped {};  // 【导出诊断包】
struct StaffPowerTapped {         // asks first (Dialog::ConfirmPower)
  PowerAction action = PowerAction::RestartApp;
};
struct StaffActionDone {
  std::uint64_t session = 0;
  StaffActionKind kind = StaffActionKind::SendNow;
  bool ok = false;
  std::string message_key;
  std::string detail;  // the diagnostics bundle's id, the error
};
struct DeviceTestChosen {
  DeviceTest test = DeviceTest::None;
};
// The touch test's outcome (the screen records every target): how many, missed, how far off.
struct TouchTestDone {
  int targets = 0;
  int misses = 0;
  float mean_offset_px = 0;
  float max_offset_px = 0;
};
struct KeyInspected {
  std::uint64_t session = 0;
  std::optional<KeyReport> report;  // none: error_key says why
  std::string error_key;
};
struct NetworkTested {
  std::uint64_t session = 0;
  NetworkReport report;
};

using Event =
    std::variant<Tick, KeyStatusChanged, ServiceChecked, ServiceSourceSet, ServiceSourceCleared,
                 FleetSettingsChanged, Activity, LanguageChosen, HomeTapped, BackTapped, HelpTapped,
                 RenewTapped, PersonalCentreTapped, ProductChosen, YearsChosen, StartRenewalTapped,
                 ReadKeyTapped, GetCodeTapped, CodeSubmitted, SubmitOrderTapped, CancelTapped, NewOrderTapped,
                 ConfirmRenewalTapped, DialogConfirmed, DialogDismissed, PinSubmitted, RetryTapped,
                 ContinueTapped, DoneTapped, CatalogLoaded, CatalogFailed, KeyRead, KeyReadFailed, SmsSent,
                 SmsFailed, SmsVerified, SmsRejected, OrderCreated, OrderFailed, OrderStatusChanged,
                 OrderClosed, StepStarted, StepDone, StepFailed, NeedsStaffRecorded, BusinessRecovered,
                 LoginMethodChosen, LoginGetCodeTapped, LoginSubmitted, LoggedIn, LoginFailed, LogoutTapped,
                 MyBusinessTapped, ProfileTapped, ChangePasswordTapped, BusinessLoaded, BusinessLoadFailed,
                 ContinueBusinessTapped, ResumeFailed, ProfileGetCodeTapped, ProfileSubmitted, ProfileSaved,
                 ProfileFailed, PasswordSubmitted, PasswordChanged, PasswordRejected, StaffKeyChecked,
                 MaintenanceTapped, StaffCodeRequested, StaffPinSubmitted, StaffCodeSubmitted, StaffSignedIn,
                 StaffSignInFailed, StaffExitTapped, StaffPageChosen, StaffRefreshTapped, StaffStatusLoaded,
                 StaffBusinessLoaded, StaffLogLoaded, StaffSendNowTapped, StaffCounterTapped,
                 StaffContinueTapped, StaffServiceOutTapped, StaffServiceInTapped, StaffSyncTapped,
                 StaffDiagnosticsTapped, StaffPowerTapped, StaffActionDone, DeviceTestChosen, TouchTestDone,
                 KeyInspected, NetworkTested>;

// A short name for logs and test failures ("GetCodeTapped"). Never the event's data.
std::string_view event_name(const Event& e);

// The slots an event names: the secrets handed over with it.
std::vector<SecretSlot> secrets_named(const Event& e);

}  // namespace core
