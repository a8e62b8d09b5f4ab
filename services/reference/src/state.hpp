// The reference platform's shared state: options, PKI access, the catalog, the database and the records
// every route group reads (accounts, SMS codes and verifications, orders), the clock, fault injection,
// and the reply helpers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "contract/codes.hpp"
#include "contract/json.hpp"
#include "contract/types.hpp"
#include "db.hpp"
#include "foundation/sha256.hpp"
#include "reference/crypto.hpp"
#include "reference/server.hpp"
#include "routes.hpp"

namespace reference {

using contract::Bytes;
using contract::Json;
using contract::OrderStatus;
using contract::UnixTime;
namespace code = contract::code;

inline constexpr int kSmsMaxTries = 5;
// Per kiosk, the platform keeps this many heartbeats (a kiosk's detail in the console) and counts them per
// hall and hour this far back (the console's 24-hour chart).
inline constexpr int kKeptHeartbeats = 24;
inline constexpr std::int64_t kHeartbeatHoursKeptS = 48 * 3600;

struct Account {
  std::string id, phone, username, real_name, email;
  UnixTime registered_at = 0;
  Bytes pw_hash, pw_salt;
  std::int64_t pw_iterations = 0;
  bool pw_is_default = true;
};

struct Fault {
  std::string mode;  // fail, drop, delay
  int remaining = 0;
  int delay_ms = 0;
};

struct State {
  // Loads the PKI, the catalog, the SMS secret and the database. Throws std::runtime_error naming what is
  // missing.
  explicit State(ServerOptions o);

  ServerOptions opt;
  DevPkiPaths pki;
  contract::Catalog catalog;
  X509Ptr issuing_ca;
  EvpPkeyPtr issuing_key;
  EvpPkeyPtr config_key;
  X509Ptr fleet_ca;  // the kiosk CA: enrollment and the kiosk's renewal issue under it
  EvpPkeyPtr fleet_key;
  X509Ptr admin_ca;  // null in a data directory made before admins existed (then no admin is trusted)
  // dev: the throwaway staff CA (staff_dev.cpp), made on first use, and the serials it revoked.
  struct DevStaffCa {
    std::mutex m;
    X509Ptr cert;
    EvpPkeyPtr key;
    std::set<std::string> revoked;
    long number = 0;
  } dev_staff_ca;
  Bytes sms_secret;
  Db db;
  std::mutex mu;  // one request at a time touches the database
  std::condition_variable order_changed;
  bool stopping = false;
  std::atomic<std::int64_t> clock_offset{0};
  std::atomic<std::int64_t> clock_frozen{-1};  // dev: a fixed time (≥ 0) instead of the real one + offset
  std::mutex faults_mu;
  std::map<std::string, Fault, std::less<>> faults;
  std::set<std::string, std::less<>> test_phones;
  int bound_port = 0;
  std::mutex outbox_mu;
  std::mutex id_mu;
  std::map<std::string, std::uint64_t, std::less<>> id_counters;  // ServerOptions::id_seed: per stream

  // Random bytes for an id that a customer or staff sees (ServerOptions::id_seed): the system's, or with a
  // seed block k of the stream `what` = SHA-256("<seed>/<what>/<k>"), k counting from 0 per stream. One
  // stream per kind of id, so the order in which different requests arrive does not change any id, and
  // ids of one kind never repeat within a run.
  Bytes id_bytes(std::string_view what, std::size_t n);

  [[nodiscard]] UnixTime now() const;
  // The fault set for this route name, if any (one fewer left).
  std::optional<Fault> take_fault(std::string_view name);

  // HMAC-SHA256 under the server's secret: SMS code hashes, and idempotency request hashes (a request
  // body may hold a password or a code; a plain SHA-256 of it in the database could be cracked).
  std::string keyed_hash(std::string msg);
  std::string sms_hash(std::string_view phone, std::string_view purpose, std::string_view code);

  // ---- accounts (records.cpp)
  Bytes pbkdf2(std::string_view password, const Bytes& salt, std::int64_t iterations);
  bool password_matches(const Account& a, std::string_view pw);
  std::optional<Account> account_by(const char* column, std::string_view value);
  Account find_or_create_account(std::string_view phone, UnixTime now);

  // ---- SMS codes and verifications (records.cpp)
  // nullopt when `code_text` is the code sent for (phone, purpose), which it uses up; else the refusal.
  std::optional<Reply> check_code(std::string_view phone, contract::SmsPurpose purpose,
                                  std::string_view code_text, UnixTime now);
  // The phone a verification token proves for `purpose`, if it is valid now.
  std::optional<std::string> verified_phone(std::string_view token, contract::SmsPurpose purpose,
                                            UnixTime now);

  // ---- the fleet (fleet_records.cpp)
  [[nodiscard]] bool kiosk_decommissioned(std::string_view kiosk_id);
  // A client certificate for `kiosk_id` under the kiosk CA with `req`'s public key (its subject ignored),
  // valid ServerOptions::kiosk_cert_days, recorded in kiosk_certs. nullptr when signing fails.
  X509Ptr issue_kiosk_certificate(X509_REQ* req, std::string_view kiosk_id, UnixTime now);
  // A kiosk's heartbeat at `at` (docs/platform.md, "Fleet administration"): its last body as sent, the
  // last kKeptHeartbeats bodies, the count per hall and hour, and a configuration event when its version or
  // state differs from the heartbeat before.
  void record_heartbeat(std::string_view kiosk_id, UnixTime at, const Json& body);
  // `n` more heartbeats from `hall` in the hour that holds `at` (record_heartbeat; the dev fleet's history).
  void count_heartbeats(std::string_view hall, UnixTime at, std::int64_t n);
  // One row of the admin audit: who (the certificate's subject) did what to which target.
  void audit(std::string_view admin, std::string_view action, std::string_view target, const Json& detail,
             UnixTime now);

  // ---- orders (records.cpp)
  // An order as the contract has it; a pending one past its time is marked expired on the way.
  std::optional<contract::Order> load_order(std::string_view id, UnixTime now,
                                            std::string* account_id = nullptr);
  // The orders `select_ids` (one "SELECT id FROM orders WHERE …=?" statement) finds for `key`, newest first.
  contract::BusinessList order_list(const char* select_ids, std::string_view key, UnixTime now);
  void set_status(std::string_view id, OrderStatus s);
  Reply order_reply(std::string_view id, UnixTime now, int status = 200);

 private:
  void load_catalog();
  void load_secret();
  void migrate();
};

Reply error_reply(std::string_view c, std::string detail = {}, std::optional<int> retry_after = std::nullopt);
// The refusal for an order that is not in one of the states an operation needs.
Reply state_error(OrderStatus s);
// A reply's JSON as sent (invalid UTF-8 replaced).
std::string json_text(const Json& j);

template <typename T>
Res<T> body_as(const Ctx& c) {
  T v{};
  std::string why;
  if (!contract::decode(c.body, v, why)) return std::unexpected(error_reply(code::kBadRequest, why));
  return v;
}

// A PKCS#10 from PEM text or base64 DER whose self-signature verifies; null otherwise.
X509ReqPtr parse_csr(std::string_view text);
bool is_ec_p256(EVP_PKEY* key);
std::string pem_of(X509* cert);

// Login-style throttling (account_routes.cpp): keys with their failure limits; a refusal while locked.
using ThrottleKeys = std::vector<std::pair<std::string, int>>;
std::optional<Reply> throttled(State& s, const Ctx& c, const ThrottleKeys& keys);
void record_failure(State& s, const Ctx& c, const ThrottleKeys& keys);

std::string random_token(std::size_t bytes);  // base64url without padding
std::string date_of(UnixTime t);              // 2026-01-02T03:04:05Z
std::string last6(std::string_view phone);    // the default password

}  // namespace reference
