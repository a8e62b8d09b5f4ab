#include "runtime/staff_sign_in.hpp"

#include "foundation/sha256.hpp"
#include "token/possession.hpp"

namespace runtime {

namespace {

std::unexpected<StaffSignInError> fail(token::Error e) {
  return std::unexpected(StaffSignInError{std::move(e)});
}
std::unexpected<StaffSignInError> fail(staff::Refused r) {
  return std::unexpected(StaffSignInError{std::move(r)});
}

// Logs out whatever happens after the login: staff mode keeps no logged-in session on the KEY.
struct LogoutOnExit {
  explicit LogoutOnExit(token::Session& session) : s(session) {}
  token::Session& s;
  LogoutOnExit(const LogoutOnExit&) = delete;
  LogoutOnExit& operator=(const LogoutOnExit&) = delete;
  ~LogoutOnExit() { s.logout(); }
};

}  // namespace

std::string_view StaffSignInError::message_key() const {
  if (const auto* e = std::get_if<token::Error>(&why)) return e->message_key();
  return staff::message_key(std::get<staff::Refused>(why).reason);
}

std::optional<token::PinFlags> StaffSignInError::pin() const {
  if (const auto* e = std::get_if<token::Error>(&why)) return e->pin;
  return std::nullopt;
}

std::optional<staff::Refusal> StaffSignInError::refusal() const {
  if (const auto* r = std::get_if<staff::Refused>(&why)) return r->reason;
  return std::nullopt;
}

std::string StaffSignInError::to_string() const {
  if (const auto* e = std::get_if<token::Error>(&why)) return e->to_string();
  const auto& r = std::get<staff::Refused>(why);
  return std::string(staff::message_key(r.reason)) + " (" + r.detail + ")";
}

std::expected<std::optional<staff::Trust>, std::string> load_staff_trust(const KioskConfig& config) {
  if (!config.staff) return std::optional<staff::Trust>{};
  const StaffConfig& s = *config.staff;
  auto t = staff::Trust::load(s.ca_file, s.role_oid, fleet::KioskPlace{config.kiosk_id, config.fleet.hall, config.fleet.region},
                              std::chrono::hours(s.crl_grace_h));
  if (!t) return std::unexpected("staff: " + t.error());
  return std::optional<staff::Trust>(std::move(*t));
}

StaffResult<StaffKey> read_staff_key(token::Session& session, const staff::Trust& trust,
                                     std::span<const std::uint8_t> crl_der, std::chrono::sys_seconds now) {
  auto certs = session.certificates();
  if (!certs) return fail(certs.error());
  if (certs->empty())
    return fail(staff::Refused{staff::Refusal::NoCertificate, "the KEY holds no certificate"});
  // A KEY may hold an old staff certificate beside its successor: the first that passes is the one; when
  // none does, the first one's refusal is the reason.
  std::optional<staff::Refused> first_refusal;
  for (const auto& c : *certs) {
    if (!staff::issued_by_staff_ca(trust, c.der)) continue;
    auto id = staff::check_certificate(trust, c.der, crl_der, now);
    if (!id) {
      if (!first_refusal) first_refusal = id.error();
      continue;
    }
    auto flags = session.pin_status();
    if (!flags) return fail(flags.error());
    return StaffKey{c, std::move(*id), *flags};
  }
  if (first_refusal) return fail(std::move(*first_refusal));
  return fail(staff::Refused{
      staff::Refusal::NotStaffCa,
      "none of its " + std::to_string(certs->size()) +
          " certificates is issued by a pinned staff CA (first: " + certs->front().subject.one_line + ")"});
}

StaffResult<StaffSignedIn> sign_in_staff(token::Session& session, const StaffKey& key,
                                         const foundation::SecretBuffer& pin, token::LoginOptions options,
                                         const staff::Trust& trust, std::span<const std::uint8_t> crl_der,
                                         std::chrono::sys_seconds now) {
  // The CRL may have been refreshed since the KEY was read: judge the certificate again before the PIN.
  auto id = staff::check_certificate(trust, key.cert.der, crl_der, now);
  if (!id) return fail(id.error());
  LogoutOnExit out{session};
  if (auto l = session.login(pin, options); !l) return fail(l.error());
  auto proof = token::prove_possession(session, key.cert, "staff-sign-in:" + trust.place.kiosk_id);
  if (!proof) return fail(proof.error());
  if (auto ok = staff::check_possession(key.cert.der, proof->tbs, proof->signature); !ok)
    return fail(ok.error());
  return StaffSignedIn{std::move(*id), foundation::sha256_hex(proof->tbs)};
}

}  // namespace runtime
