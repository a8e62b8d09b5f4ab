// Staff KEYs for tests (docs/staff.md, "The staff PKI"): a staff CA and another CA made with the fleet's
// test PKI (fleet_pki.hpp), key pairs generated on SoftHSM tokens and certified with the staff role and
// halls as kiosk-scope: URIs, the staff CA's CRL.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "fleet_pki.hpp"
#include "token/session.hpp"

namespace stafftest {

using fleetpki::Credential;
using std::chrono::sys_seconds;

// The role OID the tests pin (an OID under the UUID arc 2.25 from 79793f6e-a56c-4e18-b7c9-471d35b17b00;
// docs/staff.md shows the same).
inline constexpr std::string_view kStaffRoleOid = "2.25.161466141967956400798317720578276031232";

struct StaffPki {
  explicit StaffPki(sys_seconds now);
  sys_seconds now;
  Credential ca;        // the staff CA the kiosk pins
  Credential other_ca;  // a CA the kiosk does not pin
  // A staff certificate's spec at `now`: valid from 30 days before for a year, the staff role by EKU,
  // the given scopes ("hall:H001").
  [[nodiscard]] fleetpki::SignerSpec spec(const std::string& cn, std::vector<std::string> scopes) const;
  // The staff CA's CRL revoking `revoked`, from an hour before `now` until `next_update`.
  [[nodiscard]] foundation::Bytes crl(std::int64_t number, std::initializer_list<const Credential*> revoked,
                                      sys_seconds next_update) const;
  void write_ca(const std::filesystem::path& pem) const;
};

// A CRL's DER.
foundation::Bytes der_of_crl(X509_CRL* crl);

// On a logged-in session: a P-256 pair generated on the token (CKA_ID `id`), certified by `issuer` as
// `spec` says, the certificate written next to it. Returns the certificate (its key: the public half).
Credential make_staff_key(token::Session& session, const Credential& issuer, fleetpki::SignerSpec spec,
                          const foundation::Bytes& id, const std::string& label);

// The certificate of `other` written onto the token behind `session` with the CKA_ID of a pair of this
// token's own (`id`): a staff certificate copied onto another key.
void copy_certificate(token::Session& session, const Credential& other, const foundation::Bytes& id);

}  // namespace stafftest
