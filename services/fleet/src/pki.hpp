// OpenSSL behind the fleet library: owned handles, DER in and out, CMS SignedData read and its signatures
// checked, the signer certificate's role and scopes. OpenSSL's error queue is emptied here and turned into
// typed refusals; nothing above this file sees it.
#pragma once

#include <openssl/cms.h>
#include <openssl/x509.h>

#include <chrono>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "fleet/refusal.hpp"
#include "fleet/scope.hpp"
#include "foundation/bytes.hpp"
#include "foundation/c_handle.hpp"

namespace fleet::detail {

using foundation::Bytes;
using X509Ptr = foundation::CPtr<X509, X509_free>;
using CrlPtr = foundation::CPtr<X509_CRL, X509_CRL_free>;
using CmsPtr = foundation::CPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
using StorePtr = foundation::CPtr<X509_STORE, X509_STORE_free>;
using StoreCtxPtr = foundation::CPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using AsnObjectPtr = foundation::CPtr<ASN1_OBJECT, ASN1_OBJECT_free>;

inline void free_x509_stack(STACK_OF(X509) * s) noexcept {
  sk_X509_pop_free(s, X509_free);
}
inline void free_crl_stack(STACK_OF(X509_CRL) * s) noexcept {
  sk_X509_CRL_pop_free(s, X509_CRL_free);
}
using X509StackPtr = foundation::CPtr<STACK_OF(X509), free_x509_stack>;
using CrlStackPtr = foundation::CPtr<STACK_OF(X509_CRL), free_crl_stack>;

// Empties OpenSSL's error queue (after a call whose failure is already a value here).
void clear_openssl_errors() noexcept;

X509Ptr x509_from_der(std::span<const std::uint8_t> der);  // null when not exactly one certificate
Bytes der_of(X509* cert);
Bytes der_of(X509_CRL* crl);
std::string fingerprint(X509* cert);    // SHA-256 hex of the DER
std::string subject_of(X509* cert);     // RFC 2253, for messages
std::string describe_cert(X509* cert);  // "CN=…, serial 1003"

// More SignerInfos than any bundle or rotation needs (a rotation: 8 current and 8 new roots) are refused
// before any signature is checked: each costs a verification.
inline constexpr int kMaxSignerInfos = 16;

// A CMS SignedData as the fleet carries it: DER with nothing after it, id-data content attached.
struct SignedData {
  CmsPtr cms;
  X509StackPtr certs;  // the certificates it carries (maybe none)
  CrlStackPtr crls;    // the CRLs it carries (maybe none)
  int signer_infos = 0;
};
std::expected<SignedData, Refused> read_signed_data(std::span<const std::uint8_t> der, std::size_t max_bytes);
// The attached content as it is, before any signature is checked (to find what to check it with).
std::string raw_content(const SignedData& sd);

// Checks every SignerInfo's signature and message digest (SHA-256/384/512 only) over the content with the
// signer's certificate found among `extra` and the certificates the CMS carries, without judging the
// certificates (verify.cpp and roots.cpp do). Returns the content and each SignerInfo's certificate (owned
// references, in SignerInfo order). Refusals: BadSignature, SignerUntrusted (a signer's certificate is not
// there).
struct CheckedSignatures {
  std::string content;
  std::vector<X509Ptr> signers;
};
std::expected<CheckedSignatures, Refused> check_signatures(SignedData& sd, STACK_OF(X509) * extra);

// The configuration-signing role: the extended key usage fleet::kConfigSigningEku, and digitalSignature
// where key usage is present.
bool has_signing_role(X509* cert);

// A self-signed CA certificate whose own signature verifies, able to sign certificates and CRLs.
bool is_root_ca(X509* cert);

bool same_identity(X509* a, X509* b);  // same subject or same public key

std::time_t to_time_t(std::chrono::sys_seconds t);

}  // namespace fleet::detail
