#include "mapping.hpp"

#include "contract/types.hpp"

namespace runtime {


core::PinFlags to_core(const token::PinFlags& f) { return {f.count_low, f.final_try, f.locked, f.to_be_changed}; }

core::CertSummary to_core(const token::CertInfo& c) {
  core::CertSummary s;
  s.holder = c.subject.common_name;
  s.organisation = c.subject.organization;
  s.issuer = c.issuer.common_name.empty() ? c.issuer.organization : c.issuer.common_name;
  s.serial_hex = c.serial_hex;
  s.not_before = c.not_before.time_since_epoch().count();
  s.not_after = c.not_after.time_since_epoch().count();
  s.fingerprint_sha256 = c.sha256_hex;
  s.algorithm = c.algorithm;
  // Private keys are private objects, invisible before login: until then, a public key with the same
  // CKA_ID stands in (the rollover checks the private key itself).
  s.has_private_key = c.private_key_found.value_or(c.public_key_found);
  return s;
}

core::OrderStatus to_core(contract::OrderStatus s) {
  using C = contract::OrderStatus;
  using K = core::OrderStatus;
  switch (s) {
    case C::PendingPayment: return K::PendingPayment;
    case C::Paid: return K::Paid;
    case C::Issued: return K::Issued;
    case C::Installed: return K::Installed;
    case C::Closed: return K::Closed;
    case C::Expired: return K::Expired;
    case C::NeedsStaff: return K::NeedsStaff;
    case C::RefundRequested: return K::RefundRequested;
  }
  return K::PendingPayment;
}

core::Order to_core(const contract::Order& o) {
  core::Order c;
  c.id = o.id;
  c.amount = o.amount_fen;
  c.code_url = o.code_url;
  c.expires_at = o.expires_at;
  c.status = to_core(o.status);
  c.years = o.years;
  return c;
}

std::vector<core::Product> to_core(const contract::Catalog& cat) {
  std::vector<core::Product> out;
  for (const auto& p : cat.products) {
    if (p.business != "renew") continue;
    core::Product c;
    c.id = p.id;
    c.project_id = p.project;
    c.brand_id = p.brand;
    if (const auto* pr = cat.project(p.project)) c.project_name = pr->display_name;
    if (const auto* b = cat.brand(p.brand)) c.brand_name = b->display_name;
    c.title = p.display_name;
    c.picture = p.picture;
    c.price_per_year = p.price_fen_per_year;
    c.allowed_years = p.allowed_years.empty() ? std::vector<int>{1} : p.allowed_years;
    c.key_algorithm = p.key_algorithm;
    c.window_days_before = p.renewal_days_before;
    c.window_days_after = p.renewal_days_after;
    out.push_back(std::move(c));
  }
  return out;
}

core::Profile to_core(const contract::Profile& p) {
  return {p.account_id, p.username, p.member_level, p.real_name, p.phone, p.email, p.registered_at};
}

contract::SmsPurpose to_contract(core::SmsPurpose p) {
  switch (p) {
    case core::SmsPurpose::Login: return contract::SmsPurpose::Login;
    case core::SmsPurpose::ChangePhone: return contract::SmsPurpose::ChangePhone;
    default: return contract::SmsPurpose::Renewal;
  }
}

core::StepErrorKind step_error_kind(const token::Error& e) {
  using C = token::ErrorCode;
  using K = core::StepErrorKind;
  switch (e.code) {
    case C::PinIncorrect:
    case C::PinFinalTry:
    case C::PinLenRange:
      return K::PinIncorrect;
    case C::PinLocked: return K::PinLocked;
    case C::TokenRemoved:
    case C::TokenAbsent:
    case C::NotLoggedIn:  // the session lost its login (the key was pulled and put back): PIN again
      return K::TokenRemoved;
    case C::WrongToken: return K::WrongToken;
    case C::TokenFull: return K::TokenFull;
    case C::CertificateNotYetValid: return K::NotYetValid;
    default: return K::DeviceError;
  }
}

core::StepErrorKind step_error_kind(const platform::Error& e) {
  switch (e.kind) {
    case platform::ErrorKind::Http:
      return e.http_status >= 500 || e.http_status == 429 ? core::StepErrorKind::Unavailable
                                                           : core::StepErrorKind::Refused;
    default:
      return core::StepErrorKind::Unavailable;  // offline, timeout, TLS, malformed: nothing lost, retry
  }
}

}  // namespace runtime
