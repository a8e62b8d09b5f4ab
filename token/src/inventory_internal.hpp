// inventory() with the object handles, for remove_leftovers() in the same session. Not installed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ossl.hpp"
#include "p11.hpp"
#include "token/inventory.hpp"

namespace token::detail {

struct Found {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  ObjectPrint print;
  Bytes cert_der;               // certificates: CKA_VALUE
  std::string cert_key_sha256;  // certificates: SHA-256 of their public key's value (as keys print it)
};

Result<std::vector<Found>> survey(Session& s);

// "rsa", "ec", or the CKK_ value in hex; empty for none.
std::string key_type_name(std::optional<CK_ULONG> t);

// SHA-256 hex of a public key's value as a key object shows it: the EC point's octets, the RSA modulus
// without leading zeros. Empty for other keys.
std::string public_value_sha256(const EVP_PKEY* key);

}  // namespace token::detail
