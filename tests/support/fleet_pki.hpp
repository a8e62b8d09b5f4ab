// A throwaway fleet PKI made in the test with OpenSSL (EC P-256): configuration roots, configuration-signing
// certificates with their role and scopes (subjectAltName URIs "kiosk-scope:<scope>"), the misfits a kiosk
// must refuse (no role, another root, expired, revoked), the roots' CRLs, and bundles signed with them
// through fleet::sign_bundle.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/roots.hpp"
#include "fleet/sign.hpp"
#include "foundation/bytes.hpp"
#include "foundation/c_handle.hpp"

namespace fleetpki {

using foundation::Bytes;
using X509Ptr = foundation::CPtr<X509, X509_free>;
using EvpPkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
using CrlPtr = foundation::CPtr<X509_CRL, X509_CRL_free>;
using std::chrono::sys_seconds;

struct Credential {
  X509Ptr cert;
  EvpPkeyPtr key;
  [[nodiscard]] fleet::SignerKey signer() const { return {cert.get(), key.get()}; }
  [[nodiscard]] Bytes der() const;
  [[nodiscard]] std::string pem() const;
};

EvpPkeyPtr make_key();
// A self-signed configuration root (CA, keyCertSign and cRLSign).
Credential make_root(const std::string& cn, sys_seconds not_before, sys_seconds not_after);

// A CA certificate under `issuer` (an intermediate, which kiosks do not accept between root and signer).
Credential issue_ca(const Credential& issuer, const std::string& cn, sys_seconds not_before,
                    sys_seconds not_after);

struct SignerSpec {
  std::string cn;
  std::vector<std::string> scopes;  // "fleet", "hall:H001", ... as kiosk-scope: URIs
  bool role = true;                 // the configuration-signing extended key usage
  sys_seconds not_before;
  sys_seconds not_after;
  const EVP_PKEY* reuse_key = nullptr;  // another certificate for an existing key
  bool ca = false;                      // a CA certificate with the role (which kiosks refuse as a signer)
  std::string eku;                      // the role's extended key usage; empty: configuration signing
  std::string policy;                   // a certificate policy OID to add (none when empty)
  std::string cn_o = "Kiosk Test CA";   // the subject's O
};
Credential issue_signer(const Credential& issuer, const SignerSpec& spec);

// A full CRL (v2, with a CRL number) signed by `issuer`, revoking `revoked`.
CrlPtr make_crl(const Credential& issuer, std::int64_t number,
                std::initializer_list<const Credential*> revoked, sys_seconds this_update,
                sys_seconds next_update);

void write_file(const std::filesystem::path& p, std::string_view text);
void write_file(const std::filesystem::path& p, const Bytes& der);
std::string crl_pem(X509_CRL* crl);

// The standard cast at a time `now`: roots A, B, C pinned with k = 2 (sequence 1); signers under root A,
// valid from 30 days before `now` for `years`; root A's CRL number 5 revoking `revoked`, valid for
// `crl_days` from an hour before `now`.
struct FleetPki {
  explicit FleetPki(sys_seconds now, int years = 2, int crl_days = 30);

  sys_seconds now;
  Credential root_a, root_b, root_c;
  Credential fleet_admin_1, fleet_admin_2;  // "fleet"
  Credential fleet_admin_1_again;           // fleet_admin_1's key in a second certificate
  Credential region_admin;                  // "region:NMG"
  Credential hall_admin;                    // "hall:H001"
  Credential other_hall_admin;              // "hall:H002"
  Credential no_role;                       // "fleet", "hall:H001", without the role
  Credential foreign_root, foreign;         // another root, and a fleet signer under it
  Credential expired;                       // "hall:H001", expired a day before `now`
  Credential revoked;                       // "hall:H001", on root A's CRL
  CrlPtr crl_a;                             // root A's CRL, number 5

  [[nodiscard]] fleet::RootSet root_set() const;  // A, B, C; k = 2; sequence 1
  // `content` signed by `signers`, with root A's CRL (or `crl`, or none when `with_crl` is false).
  [[nodiscard]] Bytes sign(std::string_view content, std::initializer_list<const Credential*> signers,
                           X509_CRL* crl = nullptr, bool with_crl = true) const;
};

}  // namespace fleetpki
