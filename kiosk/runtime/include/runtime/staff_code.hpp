// Staff sign-in without a staff KEY: a maintenance code (docs/staff.md, "Without a staff KEY: maintenance
// codes"), spent on-line with the platform for the staff member at this kiosk. The code is a secret: it
// goes only into the request body (platform::Client::maintenance_redeem), never into a log or error.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "foundation/secret.hpp"
#include "platform/client.hpp"

namespace runtime {

struct StaffCodeSignedIn {
  std::string staff;     // the staff member the code was made for (the audit chain's "code:<staff>")
  std::string kiosk_id;  // as the platform read it from this kiosk's certificate
};

struct StaffCodeError {
  // "staff.code.invalid" (wrong, spent, expired, another staff member or kiosk), "staff.code.throttled"
  // (retry_after_s), "staff.code.offline" (the platform cannot be asked: no staff mode by code then).
  std::string message_key;
  std::optional<int> retry_after_s;
  std::string detail;  // the platform error, for the event log; never the code
};

// POST kiosk/maintenance-codes/redeem with a fresh idempotency key (a spent code is never sent twice).
// `staff` is 1-128 characters as the admin named them; `code` as typed.
std::expected<StaffCodeSignedIn, StaffCodeError> sign_in_with_code(platform::Client& client,
                                                                   std::string_view staff,
                                                                   const foundation::SecretBuffer& code);

}  // namespace runtime
