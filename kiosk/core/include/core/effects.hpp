// What update() asks the world to do. The runtime runs each on a worker, journals it when it has a side
// effect (intent before, outcome after), and answers with a result event.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/model.hpp"
#include "core/secret_slot.hpp"
#include "core/types.hpp"

namespace core {

enum class SmsPurpose { Renewal, Login, ChangePhone };

struct LoadCatalog {};
// Read the inserted key: certificates, PIN flags, mechanisms. Answered by KeyRead or KeyReadFailed.
struct ReadKey {};
struct SendSms {
  std::string phone;
  SmsPurpose purpose = SmsPurpose::Renewal;
};
// With the code of that slot (it comes with this effect). → SmsVerified / SmsRejected
struct VerifySms {
  std::string phone;
  SmsPurpose purpose = SmsPurpose::Renewal;
  SecretSlot code;
};
// Bound to the certificate read from the key (the runtime has its DER). → OrderCreated / OrderFailed
struct CreateOrder {
  std::string product_id;
  int years = 1;
  std::string cert_fingerprint;
  TokenIdentity token;
  std::string phone;
  int attempt = 1;  // same attempt = same idempotency key (a retry); a new order after expiry is the next
};
// One long-poll of the order's status. → OrderStatusChanged (possibly unchanged)
struct WatchOrder {
  std::string order_id;
  OrderStatus known = OrderStatus::PendingPayment;
};
// → OrderClosed (already_paid when it was paid meanwhile)
struct CloseOrder {
  std::string order_id;
  // The session ends with it (the customer cancelled or walked away): nobody will go on if it turns out
  // paid, so the runtime makes sure the platform hears of it (closed, or paid and for the counter).
  bool leaving = false;
};
// One step of the rollover. The runtime keeps the step's working data (staged key, P10, nonce, issued
// certificate) in its journal. → StepDone / StepFailed
struct RunStep {
  RenewalStep step = RenewalStep::Login;
  std::string order_id;
  std::string product_id;
  std::string cert_fingerprint;
  TokenIdentity token;
  domain::KeyAlgorithm algorithm = domain::KeyAlgorithm::EcP256;
  bool final_try_acknowledged = false;  // Login: the customer saw "this is the last try" and went on
  std::optional<SecretSlot> pin;        // Login: the PIN typed for it
};
// A paid renewal that cannot be finished here. → NeedsStaffRecorded
struct MarkNeedsStaff {
  std::string order_id;
  std::string reason_key;
};
// The session ends: log the token session out, drop every secret and platform token (a secret given for an
// effect that has not run yet too), replace the UI's scratch buffers. No result.
struct WipeSession {};
// The kiosk went out of service or back, or a source's reason changed (core/service.hpp): the runtime logs it
// for staff and its heartbeat carries it. No result.
struct ServiceChanged {
  OutOfService sources;
};

// ---- the personal centre ----
// With the password and/or the code of those slots. → LoggedIn / LoginFailed
struct AccountLogin {
  std::string phone;
  LoginMethod method = LoginMethod::Password;
  bool with_code = false;  // password + SMS code (the default password)
  std::optional<SecretSlot> password;  // LoginMethod::Password
  std::optional<SecretSlot> code;      // LoginMethod::Sms, or with_code
};
struct LoadBusiness {};  // → BusinessLoaded / BusinessLoadFailed (the platform's list merged with the journal)
// 【继续操作】: the order from the platform, the same key checked against the certificate it is bound to,
// the token and the journal reconciled. → BusinessRecovered / ResumeFailed
struct ResumeBusiness {
  std::string order_id;
};
struct SaveProfile {  // a changed phone is verified with its SMS code → ProfileSaved / ProfileFailed
  std::string real_name;
  std::string email;
  std::string phone;
  bool phone_changed = false;
  std::optional<SecretSlot> code;  // phone_changed
};
struct ChangePassword {  // → PasswordChanged / PasswordRejected
  std::optional<SecretSlot> current;
  std::optional<SecretSlot> next;
};
struct Logout {};          // ends the platform session (then WipeSession)

// ---- hall staff (docs/staff.md) ----
// The inserted KEY read without a PIN and judged as a staff KEY. → StaffKeyChecked
struct CheckStaffKey {
  TokenIdentity token;
};
// The staff KEY's PIN (one C_Login), the challenge signed on it and checked. → StaffSignedIn / StaffSignInFailed
struct StaffKeySignIn {
  TokenIdentity token;
  bool final_try_acknowledged = false;
  SecretSlot pin;
};
// A maintenance code spent on-line. → StaffSignedIn / StaffSignInFailed
struct StaffCodeSignIn {
  std::string staff;
  SecretSlot code;
};
struct LoadStaffStatus {};    // → StaffStatusLoaded
struct LoadStaffBusiness {};  // → StaffBusinessLoaded
struct LoadStaffLog {};       // → StaffLogLoaded
// An action asked by staff: run and audited with `actor` by the runtime. → StaffActionDone
struct StaffAction {
  StaffActionKind kind = StaffActionKind::SendNow;
  std::string actor;
  std::int64_t id = 0;  // SendNow: the outbox message; HandToCounter: the business
  std::string note;     // HandToCounter
};
// An audit entry for what the core decided on staff's word (signed in and out, out of service and back,
// a business handed to its customer, a device test's outcome). No result.
struct RecordStaffAction {
  std::string actor;
  std::string action;  // "sign_in", "sign_out", "service.out", "service.in", "business.continue", ...
  std::string detail;  // a JSON object, non-secret
  std::string order_id;
};
struct InspectKey {};   // the key-reader test, no login → KeyInspected
struct TestNetwork {};  // → NetworkTested
// The session ended with a KEY still in the reader: the reminder's chime where the terminal has sound.
struct Chime {};

using Effect = std::variant<LoadCatalog, ReadKey, SendSms, VerifySms, CreateOrder, WatchOrder, CloseOrder,
                            RunStep, MarkNeedsStaff, WipeSession, ServiceChanged, AccountLogin, LoadBusiness,
                            ResumeBusiness, SaveProfile, ChangePassword, Logout, CheckStaffKey, StaffKeySignIn,
                            StaffCodeSignIn, LoadStaffStatus, LoadStaffBusiness, LoadStaffLog, StaffAction,
                            RecordStaffAction, InspectKey, TestNetwork, Chime>;

std::string_view effect_name(const Effect& e);

// The slots of the secrets an effect uses: the driver gives the runtime those secrets with it.
std::vector<SecretSlot> secrets_used(const Effect& e);

}  // namespace core
