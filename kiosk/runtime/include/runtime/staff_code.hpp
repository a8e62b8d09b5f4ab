// What staff sign-in needs from the platform (docs/staff.md): the staff CA's CRL, and, without a staff KEY,
// a maintenance code ("Without a staff KEY: maintenance codes") spent on-line for the staff member at this
// kiosk. The code is a secret: it goes only into the request body (platform::Client::maintenance_redeem),
// never into a log or an error.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "foundation/secret.hpp"
#include "platform/client.hpp"
#include "staff/crl_store.hpp"

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

// GET kiosk/staff-crl, offered to `store` (staff::CrlStore::offer: signed by a pinned staff CA, not older
// than the kept one) at the platform's time `now`. Returns what is kept afterwards; errors say why nothing
// new was kept (the platform unreachable or without a CRL, the CRL refused). The kept CRL stays either way.
std::expected<staff::CrlInfo, std::string> refresh_staff_crl(platform::Client& client,
                                                             const staff::Trust& trust,
                                                             staff::CrlStore& store,
                                                             std::chrono::sys_seconds now);

// POST kiosk/maintenance-codes/redeem with a fresh idempotency key (a spent code is never sent twice).
// `staff` is 1-128 characters as the admin named them; `code` as typed.
std::expected<StaffCodeSignedIn, StaffCodeError> sign_in_with_code(platform::Client& client,
                                                                   std::string_view staff,
                                                                   const foundation::SecretBuffer& code);

}  // namespace runtime
