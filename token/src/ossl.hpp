// OpenSSL handle types (foundation::CPtr) and small helpers used across the library. Not installed.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <span>
#include <string>

#include "foundation/c_handle.hpp"
#include "token/token_info.hpp"

namespace token::detail {

using X509Ptr = foundation::CPtr<X509, X509_free>;
using X509ReqPtr = foundation::CPtr<X509_REQ, X509_REQ_free>;
using X509NamePtr = foundation::CPtr<X509_NAME, X509_NAME_free>;
using EvpPkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = foundation::CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
using BnPtr = foundation::CPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = foundation::CPtr<ECDSA_SIG, ECDSA_SIG_free>;
using X509AlgorPtr = foundation::CPtr<X509_ALGOR, X509_ALGOR_free>;
using BitStringPtr = foundation::CPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;

// The OpenSSL error queue as one line (and cleared), for Error::detail.
std::string openssl_errors();

// i2d of anything into Bytes.
template <typename T, typename F>
Bytes to_der(const T* obj, F i2d) {
  int n = i2d(obj, nullptr);
  if (n <= 0) return {};
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d(obj, &p);
  return out;
}

// SubjectPublicKeyInfo DER of a key.
Bytes spki_of(const EVP_PKEY* key);
EvpPkeyPtr key_from_spki(std::span<const std::uint8_t> spki);

}  // namespace token::detail
