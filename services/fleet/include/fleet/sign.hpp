// The signing side (docs/fleet.md, "Signing"): what `kioskctl fleet sign` will call. The keys are EVP_PKEYs
// the caller loads — from a PKCS#11 token through an OpenSSL provider, or a file in development — so this
// library never sees where a key lives. Signing is mechanism only; check_for_signing() says beforehand what
// kiosks would refuse, so the command line can stop or warn.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/refusal.hpp"
#include "fleet/roots.hpp"
#include "foundation/bytes.hpp"

namespace fleet {

struct SignerKey {
  X509* cert = nullptr;     // a configuration-signing certificate (not owned)
  EVP_PKEY* key = nullptr;  // its private key (not owned)
};

struct SignError {
  std::string message;  // what OpenSSL refused, in a sentence
};

// CMS SignedData (DER) over `content` exactly as given, attached, one SignerInfo per signer (SHA-256, signed
// attributes), each signer's certificate, `extra_certs` and `crls` (each root's newest CRL: kiosks refuse a
// bundle without the CRL of its signers' root) embedded. Makes CMS_sign, CMS_add1_signer, CMS_add1_cert,
// CMS_add1_crl and CMS_final calls; errors: SignError (a key that does not match its certificate, a token
// that refuses to sign).
std::expected<foundation::Bytes, SignError> sign_bundle(std::string_view content,
                                                        std::span<const SignerKey> signers,
                                                        std::span<X509_CRL* const> crls,
                                                        std::span<X509* const> extra_certs = {});

// What kiosks would refuse in a bundle of `content` signed by `signers` at `now`, checkable on the signing
// side: the document (MalformedJson, SchemaTooNew, SettingOutOfRange), expiry (Expired), each signer's
// role (SignerNoRole), validity (SignerExpired) and scopes over every target as far as they can be known
// without a kiosk (SignerOutOfScope), two distinct signers for fleet-wide (NeedsTwoSigners). Empty: none.
std::vector<Refused> check_for_signing(std::string_view content, std::span<const SignerKey> signers,
                                       std::chrono::sys_seconds now);

// A rotation to `next` (its sequence = the current one + 1): CMS SignedData over the rotation document,
// signed by the given roots — at least k of the current set, and every root that `next` adds.
std::expected<foundation::Bytes, SignError> sign_root_rotation(const RootSet& next,
                                                               std::span<const SignerKey> roots);

}  // namespace fleet
