// OpenSSL handle types (token::CPtr) and small helpers used across the library. Not installed.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <span>
#include <string>

#include "token/c_handle.hpp"
#include "token/token_info.hpp"

namespace token::detail {

using X509Ptr = CPtr<X509, X509_free>;
using X509ReqPtr = CPtr<X509_REQ, X509_REQ_free>;
using X509NamePtr = CPtr<X509_NAME, X509_NAME_free>;
using EvpPkeyPtr = CPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = CPtr<BIO, BIO_free_all>;
using BnPtr = CPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = CPtr<ECDSA_SIG, ECDSA_SIG_free>;
using X509AlgorPtr = CPtr<X509_ALGOR, X509_ALGOR_free>;
using BitStringPtr = CPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;

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
