// What the flows' handlers share (not a public header). update() (update.cpp) hands each event to the
// handler of the phase the customer is in: on(Ctx&, phase::X&, const Event&). A phase with no handler for
// an event gets the one for the part it carries (its Renewal, its Paid order, its PersonalCentre);
// failing that, the event is ignored — in one place, update.cpp's dispatch(). Every handler is declared
// here (the core builds with -Wmissing-declarations), so dispatch() sees them all.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

namespace core::detail {

inline constexpr Millis kSecond = 1000;
inline constexpr UnixSeconds kDay = 86'400;

// One event's work: the model it changes and the effects it asks for.
struct Ctx {
  Model& m;
  std::vector<Effect>& fx;
};

// The customer goes to `next`; the phase left is gone (build `next` from it before calling this).
template <typename P>
P& go(Ctx& c, P next) {
  c.m.flow = std::move(next);
  return std::get<P>(c.m.flow);
}

// Ends the customer's session: a still-unpaid order is closed, a platform login ended, every personal
// field dropped, the session number raised; the key's status, the catalog and the clock stay.
void wipe(Ctx& c);
// The fleet settings that waited for a safe point, taken now (a wipe, or a FleetSettingsChanged at home).
void take_pending_settings(Model& m);

// A Login step or a rollover step is running on the token (no idle timeout, no logout by the clock).
bool token_busy(const Model& m);

// ---- 【获取验证码】, the same on every form that asks for an SMS code (sms.cpp) ----
// Format, countdown, then SendSms for `purpose`; the problem, if any, in p.error_key.
void get_code(Ctx& c, PhoneStep& p, const std::string& phone, SmsPurpose purpose);
void code_sent(const Model& m, PhoneStep& p, const SmsSent& e);
void code_not_sent(const Model& m, PhoneStep& p, const SmsFailed& e);

// The product the renewal chose, if any.
const Product* chosen_product(const Model& m, const Renewal& r);
// Starts reading the inserted key (KeyCheck, KeyDetails).
template <typename P>
void read_key(Ctx& c, P& p) {
  p.reading = true;
  p.problem_key.clear();
  c.fx.push_back(ReadKey{});
}
// The order is paid: the key's details, read again before the rollover.
void go_paid(Ctx& c, Renewal renewal, BoundKey key, Order order);
// CreateOrder for the renewal on the order list (again after a retry or an expired QR).
void create_order(Ctx& c, phase::OrderList& p);
bool order_paid(const Order& o);

// ---- home and help (update.cpp) ----
void on(Ctx& c, phase::Home& p, const HelpTapped& e);
void on(Ctx& c, phase::Help& p, const HomeTapped& e);
void on(Ctx& c, phase::Help& p, const BackTapped& e);
void on(Ctx& c, phase::ComingSoon& p, const HomeTapped& e);
void on(Ctx& c, phase::ComingSoon& p, const BackTapped& e);

// ---- the renewal before any money (renewal.cpp) ----
void on(Ctx& c, phase::Home& p, const RenewTapped& e);
void on(Ctx& c, phase::Products& p, const HomeTapped& e);
void on(Ctx& c, phase::Products& p, const BackTapped& e);
void on(Ctx& c, phase::Products& p, const CancelTapped& e);
void on(Ctx& c, phase::Products& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Products& p, const CatalogLoaded& e);
void on(Ctx& c, phase::Products& p, const ProductChosen& e);
void on(Ctx& c, phase::Products& p, const YearsChosen& e);
void on(Ctx& c, phase::Products& p, const StartRenewalTapped& e);
void on(Ctx& c, phase::KeyCheck& p, const HomeTapped& e);
void on(Ctx& c, phase::KeyCheck& p, const BackTapped& e);
void on(Ctx& c, phase::KeyCheck& p, const CancelTapped& e);
void on(Ctx& c, phase::KeyCheck& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::KeyCheck& p, const ReadKeyTapped& e);
void on(Ctx& c, phase::KeyCheck& p, const KeyRead& e);
void on(Ctx& c, phase::KeyCheck& p, const KeyReadFailed& e);
void on(Ctx& c, phase::Phone& p, const HomeTapped& e);
void on(Ctx& c, phase::Phone& p, const BackTapped& e);
void on(Ctx& c, phase::Phone& p, const CancelTapped& e);
void on(Ctx& c, phase::Phone& p, const GetCodeTapped& e);
void on(Ctx& c, phase::Phone& p, const CodeSubmitted& e);
void on(Ctx& c, phase::Phone& p, const SmsVerified& e);
void on(Ctx& c, phase::OrderList& p, const HomeTapped& e);
void on(Ctx& c, phase::OrderList& p, const BackTapped& e);
void on(Ctx& c, phase::OrderList& p, const CancelTapped& e);
void on(Ctx& c, phase::OrderList& p, const YearsChosen& e);
void on(Ctx& c, phase::OrderList& p, const SubmitOrderTapped& e);
void on(Ctx& c, phase::OrderList& p, const OrderCreated& e);
void on(Ctx& c, phase::OrderList& p, const OrderFailed& e);
void on(Ctx& c, phase::OrderList& p, const ResumeFailed& e);
void on(Ctx& c, phase::Payment& p, const HomeTapped& e);
void on(Ctx& c, phase::Payment& p, const BackTapped& e);
void on(Ctx& c, phase::Payment& p, const CancelTapped& e);
void on(Ctx& c, phase::Payment& p, const NewOrderTapped& e);
void on(Ctx& c, phase::Payment& p, const DialogConfirmed& e);
void on(Ctx& c, phase::Payment& p, const DialogDismissed& e);
void on(Ctx& c, phase::Payment& p, const OrderStatusChanged& e);
void on(Ctx& c, phase::Payment& p, const OrderClosed& e);
// In any phase of the renewal: the SMS step's answers (the customer may have stepped back meanwhile).
void on(Ctx& c, Renewal& r, const SmsSent& e);
void on(Ctx& c, Renewal& r, const SmsFailed& e);
void on(Ctx& c, Renewal& r, const SmsRejected& e);

// ---- the paid renewal: the key's details, the PIN, the rollover and its end (rollover.cpp) ----
void on(Ctx& c, phase::KeyDetails& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::KeyDetails& p, const ReadKeyTapped& e);
void on(Ctx& c, phase::KeyDetails& p, const KeyRead& e);
void on(Ctx& c, phase::KeyDetails& p, const KeyReadFailed& e);
void on(Ctx& c, phase::KeyDetails& p, const ConfirmRenewalTapped& e);
void on(Ctx& c, phase::KeyDetails& p, const DialogConfirmed& e);
void on(Ctx& c, phase::KeyDetails& p, const DialogDismissed& e);
void on(Ctx& c, phase::Pin& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Pin& p, const PinSubmitted& e);
void on(Ctx& c, phase::Pin& p, const DialogConfirmed& e);
void on(Ctx& c, phase::Pin& p, const DialogDismissed& e);
void on(Ctx& c, phase::Pin& p, const StepDone& e);
void on(Ctx& c, phase::Pin& p, const StepFailed& e);
void on(Ctx& c, phase::Progress& p, const StepStarted& e);
void on(Ctx& c, phase::Progress& p, const StepDone& e);
void on(Ctx& c, phase::Progress& p, const StepFailed& e);
void on(Ctx& c, phase::KeyPulled& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::KeyPulled& p, const HomeTapped& e);
void on(Ctx& c, phase::Success& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Success& p, const HomeTapped& e);
void on(Ctx& c, phase::Success& p, const DoneTapped& e);
void on(Ctx& c, phase::Failure& p, const HomeTapped& e);
void on(Ctx& c, phase::Failure& p, const DoneTapped& e);
void on(Ctx& c, phase::Failure& p, const RetryTapped& e);
void on(Ctx& c, phase::Failure& p, const NeedsStaffRecorded& e);
void on(Ctx& c, phase::Failure& p, const OrderStatusChanged& e);
// In any phase after payment: the platform's word on the order.
void on(Ctx& c, Paid& r, const OrderStatusChanged& e);
// 继续操作 (or an order that turned out to continue an earlier paid renewal): from whatever phase.
void recover(Ctx& c, const BusinessRecovered& e);
// A step that waited for the clock runs again once its time has come.
void retry_waiting_step(Ctx& c);

// ---- the personal centre (account.cpp) ----
void on(Ctx& c, phase::Home& p, const PersonalCentreTapped& e);
void on(Ctx& c, phase::Login& p, const HomeTapped& e);
void on(Ctx& c, phase::Login& p, const BackTapped& e);
void on(Ctx& c, phase::Login& p, const LoginMethodChosen& e);
void on(Ctx& c, phase::Login& p, const LoginGetCodeTapped& e);
void on(Ctx& c, phase::Login& p, const SmsSent& e);
void on(Ctx& c, phase::Login& p, const SmsFailed& e);
void on(Ctx& c, phase::Login& p, const LoginSubmitted& e);
void on(Ctx& c, phase::Login& p, const LoggedIn& e);
void on(Ctx& c, phase::Login& p, const LoginFailed& e);
void on(Ctx& c, phase::AccountHome& p, const HomeTapped& e);
void on(Ctx& c, phase::AccountHome& p, const MyBusinessTapped& e);
void on(Ctx& c, phase::AccountHome& p, const ProfileTapped& e);
void on(Ctx& c, phase::AccountHome& p, const ChangePasswordTapped& e);
void on(Ctx& c, phase::MyBusiness& p, const HomeTapped& e);
void on(Ctx& c, phase::MyBusiness& p, const BackTapped& e);
void on(Ctx& c, phase::MyBusiness& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::MyBusiness& p, const ContinueBusinessTapped& e);
void on(Ctx& c, phase::Profile& p, const HomeTapped& e);
void on(Ctx& c, phase::Profile& p, const BackTapped& e);
void on(Ctx& c, phase::Profile& p, const ProfileGetCodeTapped& e);
void on(Ctx& c, phase::Profile& p, const SmsSent& e);
void on(Ctx& c, phase::Profile& p, const SmsFailed& e);
void on(Ctx& c, phase::Profile& p, const ProfileSubmitted& e);
void on(Ctx& c, phase::Profile& p, const ProfileSaved& e);
void on(Ctx& c, phase::Profile& p, const ProfileFailed& e);
void on(Ctx& c, phase::ChangePassword& p, const HomeTapped& e);
void on(Ctx& c, phase::ChangePassword& p, const BackTapped& e);
void on(Ctx& c, phase::ChangePassword& p, const PasswordSubmitted& e);
void on(Ctx& c, phase::ChangePassword& p, const PasswordChanged& e);
void on(Ctx& c, phase::ChangePassword& p, const PasswordRejected& e);
// On any page of the personal centre: the answers that outlive the page that asked.
void on(Ctx& c, PersonalCentre& pc, const BusinessLoaded& e);
void on(Ctx& c, PersonalCentre& pc, const BusinessLoadFailed& e);
void on(Ctx& c, PersonalCentre& pc, const ResumeFailed& e);
void on(Ctx& c, PersonalCentre& pc, const ProfileSaved& e);
void on(Ctx& c, PersonalCentre& pc, const PasswordChanged& e);

// ---- hall staff (staff_mode.cpp) ----
// A KEY inserted or pulled: what is known of it as a staff KEY is dropped or asked for (CheckStaffKey).
void staff_key_status(Ctx& c);
void on_staff_key_checked(Ctx& c, const StaffKeyChecked& e);
// 【维护】 (by_code false) or the maintenance code's gesture: to the sign-in screen, the customer's session
// wiped first; refused while a step with side effects runs.
void enter_staff(Ctx& c, bool by_code);
// Two minutes untouched in staff mode (or on its sign-in screen): out. True when it ended it.
bool staff_tick(Ctx& c);
void on(Ctx& c, phase::StaffSignIn& p, const StaffPinSubmitted& e);
void on(Ctx& c, phase::StaffSignIn& p, const DialogConfirmed& e);
void on(Ctx& c, phase::StaffSignIn& p, const DialogDismissed& e);
void on(Ctx& c, phase::StaffSignIn& p, const StaffCodeSubmitted& e);
void on(Ctx& c, phase::StaffSignIn& p, const StaffSignedIn& e);
void on(Ctx& c, phase::StaffSignIn& p, const StaffSignInFailed& e);
void on(Ctx& c, phase::StaffSignIn& p, const HomeTapped& e);
void on(Ctx& c, phase::StaffSignIn& p, const BackTapped& e);
void on(Ctx& c, phase::StaffSignIn& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Maintenance& p, const StaffExitTapped& e);
void on(Ctx& c, phase::Maintenance& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Maintenance& p, const StaffPageChosen& e);
void on(Ctx& c, phase::Maintenance& p, const StaffRefreshTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffStatusLoaded& e);
void on(Ctx& c, phase::Maintenance& p, const StaffBusinessLoaded& e);
void on(Ctx& c, phase::Maintenance& p, const StaffLogLoaded& e);
void on(Ctx& c, phase::Maintenance& p, const StaffSendNowTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffCounterTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffContinueTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffServiceOutTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffServiceInTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffSyncTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffDiagnosticsTapped& e);
void on(Ctx& c, phase::Maintenance& p, const StaffPowerTapped& e);
void on(Ctx& c, phase::Maintenance& p, const DialogConfirmed& e);
void on(Ctx& c, phase::Maintenance& p, const DialogDismissed& e);
void on(Ctx& c, phase::Maintenance& p, const StaffActionDone& e);
void on(Ctx& c, phase::Maintenance& p, const DeviceTestChosen& e);
void on(Ctx& c, phase::Maintenance& p, const TouchTestDone& e);
void on(Ctx& c, phase::Maintenance& p, const KeyInspected& e);
void on(Ctx& c, phase::Maintenance& p, const NetworkTested& e);
void on(Ctx& c, phase::Handover& p, const KeyStatusChanged& e);
void on(Ctx& c, phase::Handover& p, const ResumeFailed& e);
void on(Ctx& c, phase::Handover& p, const HomeTapped& e);

}  // namespace core::detail
