// Shared between the renewal's and the personal centre's halves of update(). Not a public header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

namespace core::detail {

// Ends the customer's session: a still-unpaid order is closed, a platform login ended, every personal
// field dropped, the session number raised; the key's status, the catalog and the clock stay.
void wipe(Model& m, std::vector<Effect>& fx);

// ---- the renewal's rules (renewal_rules.cpp)
const Product* find_product(const Model& m, std::string_view id);
bool order_paid(const Model& m);
// The product of the inserted key's brand, when the customer has not chosen one.
void preselect_product(Model& m);
void read_key(Model& m, std::vector<Effect>& fx);
RunStep step_effect(const Model& m);
void run_step(Model& m, std::vector<Effect>& fx);
RenewalStep next_step(RenewalStep s);
// Does this step talk to the token (and so need a logged-in session)?
bool step_needs_token(RenewalStep s);
void fail(Model& m, Failure f);
// A paid renewal that cannot finish here: the platform and the journal record needs_staff, the key is
// left as it is, and the customer is sent to the counter with the business number. `title_key` says what
// happened (the renewal could not be finished; the kiosk could not record it).
void needs_staff(Model& m, std::vector<Effect>& fx, std::string reason_key, std::string detail,
                 std::string_view title_key = {});
// Checks the key read at 【开始续费】 against the chosen product, before any money. Returns the problem's
// message key, empty when the renewal may go on.
std::string check_key(const Model& m, const KeyRead& k, const CertSummary** picked);
void go_paid(Model& m, std::vector<Effect>& fx);
void create_order(Model& m, std::vector<Effect>& fx);
void start_rollover(Model& m, std::vector<Effect>& fx);

// ---- the rollover's results (rollover.cpp)
void on_rollover(Model& m, std::vector<Effect>& fx, const StepDone& e);
void on_rollover(Model& m, std::vector<Effect>& fx, const StepFailed& e);
void on_rollover(Model& m, std::vector<Effect>& fx, const NeedsStaffRecorded& e);
void on_rollover(Model& m, std::vector<Effect>& fx, const BusinessRecovered& e);

// The personal centre's events (account.cpp).
void on_account(Model& m, std::vector<Effect>& fx, const PersonalCentreTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const LoginMethodChosen& e);
void on_account(Model& m, std::vector<Effect>& fx, const LoginGetCodeTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const LoginSubmitted& e);
void on_account(Model& m, std::vector<Effect>& fx, const LoggedIn& e);
void on_account(Model& m, std::vector<Effect>& fx, const LoginFailed& e);
void on_account(Model& m, std::vector<Effect>& fx, const LogoutTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const MyBusinessTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const ProfileTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const ChangePasswordTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const BusinessLoaded& e);
void on_account(Model& m, std::vector<Effect>& fx, const BusinessLoadFailed& e);
void on_account(Model& m, std::vector<Effect>& fx, const ContinueBusinessTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const ResumeFailed& e);
void on_account(Model& m, std::vector<Effect>& fx, const ProfileGetCodeTapped& e);
void on_account(Model& m, std::vector<Effect>& fx, const ProfileSubmitted& e);
void on_account(Model& m, std::vector<Effect>& fx, const ProfileSaved& e);
void on_account(Model& m, std::vector<Effect>& fx, const ProfileFailed& e);
void on_account(Model& m, std::vector<Effect>& fx, const PasswordSubmitted& e);
void on_account(Model& m, std::vector<Effect>& fx, const PasswordChanged& e);
void on_account(Model& m, std::vector<Effect>& fx, const PasswordRejected& e);

// SMS results while a personal-centre form waits for them; false when no such form is open.
bool account_sms(Model& m, const SmsSent& e);
bool account_sms(Model& m, const SmsFailed& e);
// The clock: the 10-minute cap on a login. True when it logged the customer out.
bool account_tick(Model& m, std::vector<Effect>& fx);
// A key was inserted while a 【继续操作】 waits for it.
void account_key_changed(Model& m, std::vector<Effect>& fx);

}  // namespace core::detail
