// Shared between the renewal's and the personal centre's halves of update(). Not a public header.
#pragma once

#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

namespace core::detail {

// Ends the customer's session: a still-unpaid order is closed, a platform login ended, every personal
// field dropped, the session number raised; the key's status, the catalog and the clock stay.
void wipe(Model& m, std::vector<Effect>& fx);

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
