// Test support for the platform suites: a reference platform per test (in-process, real mutual TLS on
// loopback, its own data directory under a shared throwaway PKI), a client for it, and the customer-side
// crypto the token layer does for real (keys, P10, renewal proof), with OpenSSL.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "contract/types.hpp"
#include "foundation/c_handle.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "reference/crypto.hpp"
#include "reference/server.hpp"

namespace platform_test {

using contract::Bytes;
using reference::EvpPkeyPtr;

struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// One PKI per test process (made once; every Platform copies it).
const std::filesystem::path& shared_pki_root();

constexpr const char* kGovProduct = "gov-procurement-haitai-renew";  // ¥0, EC P-256, Haitai
constexpr const char* kBidProduct = "e-bidding-feitian-renew";       // ¥300/year, RSA-2048, Feitian

struct Platform {
  TempDir dir;
  std::unique_ptr<reference::Server> server;
  platform::Client client;

  // `id_seed`: ServerOptions::id_seed (the seeded demo's ids).
  explicit Platform(bool dev = true, int max_attempts = 1,
                    std::optional<std::uint64_t> id_seed = std::nullopt);
  // A client with other files / settings against this server.
  platform::Result<platform::Client> make_client(platform::ClientOptions o) const;
  [[nodiscard]] platform::ClientOptions client_options() const;

  // Send + read the outbox + verify: a verification token for `phone` (purpose renewal by default).
  // Makes `phone` a test phone (exempt from SMS limits): tests of the limits use send_code.
  std::string verify_phone(const std::string& phone,
                           contract::SmsPurpose purpose = contract::SmsPurpose::Renewal);
  // A code sent to `phone` for `purpose` (from the outbox).
  std::string send_code(const std::string& phone, contract::SmsPurpose purpose);
};

EvpPkeyPtr new_ec_key();
// RSA-2048 keys are slow to make: a few made once per process, by index.
EVP_PKEY* rsa_key(int index);
std::string public_key_pem(EVP_PKEY* key);

struct Customer {
  EVP_PKEY* key = nullptr;  // the old key (owned below or a shared RSA key)
  EvpPkeyPtr owned;
  platform::dev::SeededCertificate cert;
  contract::TokenIdentity token;
};

// Seeds a customer certificate for (project, brand), its notAfter `days_to_expiry` days from the
// platform's now. RSA keys for e-bidding/feitian, EC otherwise, unless `rsa` says.
Customer seed_customer(Platform& p, const std::string& project, const std::string& brand, int days_to_expiry,
                       std::optional<bool> rsa = std::nullopt, int rsa_index = 0);
Customer seed_gov(Platform& p, int days_to_expiry = 30);
Customer seed_bid(Platform& p, int days_to_expiry = 30);

Bytes subject_der_of(const Bytes& cert_der);
// A PKCS#10 for `key` with `subject_der`, self-signed (SHA-256).
Bytes make_p10(EVP_PKEY* key, const Bytes& subject_der);
// The old key's proof over the contract's DER.
Bytes sign_proof(EVP_PKEY* old_key, const std::string& order_id, const Bytes& p10, const Bytes& nonce);

contract::OrderCreateRequest order_request(const Customer& c, const std::string& product,
                                           const std::string& token, int years = 1);

// Creates an order for a freshly verified phone; CHECKs success.
contract::Order create_order(Platform& p, const Customer& c, const std::string& product,
                             const std::string& phone, int years = 1);

// Nonce + P10 + proof + submit with `new_key`.
platform::Result<contract::IssuedCertificate> renew(Platform& p, const Customer& c,
                                                    const std::string& order_id, EVP_PKEY* new_key);

contract::UnixTime platform_now(Platform& p);

}  // namespace platform_test
