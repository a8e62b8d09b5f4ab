#include "runtime/staff_code.hpp"

#include "contract/codes.hpp"

namespace runtime {

std::expected<staff::CrlInfo, std::string> refresh_staff_crl(platform::Client& client,
                                                             const staff::Trust& trust,
                                                             staff::CrlStore& store,
                                                             std::chrono::sys_seconds now) {
  auto r = client.kiosk_staff_crl();
  if (!r) return std::unexpected("GET kiosk/staff-crl: " + r.error().to_string());
  return store.offer(trust, r->crl, now);
}

std::expected<StaffCodeSignedIn, StaffCodeError> sign_in_with_code(platform::Client& client,
                                                                   std::string_view staff,
                                                                   const foundation::SecretBuffer& code) {
  // Nothing to ask the platform about: the same answer as a wrong code, and no try spent.
  if (staff.empty() || staff.size() > 128 || code.empty() || code.size() > 64)
    return std::unexpected(
        StaffCodeError{"staff.code.invalid", std::nullopt, "empty or overlong staff id or code"});
  auto r = client.maintenance_redeem(staff, code.reveal(), platform::new_idempotency_key());
  if (r) return StaffCodeSignedIn{std::move(r->staff), std::move(r->kiosk_id)};
  const platform::Error& e = r.error();
  if (e.is(contract::code::kMaintenanceThrottled))
    return std::unexpected(StaffCodeError{"staff.code.throttled", e.retry_after_s, e.to_string()});
  if (e.is(contract::code::kMaintenanceCodeInvalid))
    return std::unexpected(StaffCodeError{"staff.code.invalid", std::nullopt, e.to_string()});
  return std::unexpected(StaffCodeError{"staff.code.offline", std::nullopt, e.to_string()});
}

}  // namespace runtime
