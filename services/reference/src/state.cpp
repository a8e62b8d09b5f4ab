#include "state.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"

namespace reference {

Reply error_reply(std::string_view c, std::string detail, std::optional<int> retry_after) {
  const contract::CodeInfo* info = contract::find_code(c);
  contract::ApiError e;
  e.http_status = info ? info->http_status : 500;
  e.code = std::string(c);
  e.message_key = contract::message_key_for(c);
  e.detail = std::move(detail);
  e.retry_after_s = retry_after;
  return {e.http_status, contract::encode(e)};
}

Reply state_error(OrderStatus s) {
  switch (s) {
    case OrderStatus::PendingPayment:
      return error_reply(code::kOrderNotPaid);
    case OrderStatus::Closed:
      return error_reply(code::kOrderClosed);
    case OrderStatus::Expired:
      return error_reply(code::kOrderExpired);
    case OrderStatus::NeedsStaff:
      return error_reply(code::kOrderNeedsStaff);
    default:
      return error_reply(code::kOrderStateInvalid, std::string(contract::to_string(s)));
  }
}

std::string json_text(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// base64url without padding: safe in headers and URLs.
std::string random_token(std::size_t bytes) {
  return foundation::base64url_encode(random_bytes(bytes));
}

std::string date_of(UnixTime t) {
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string last6(std::string_view phone) {
  return std::string(phone.substr(phone.size() - 6));
}

// ---------------------------------------------------------------- set-up
State::State(ServerOptions o) : opt(std::move(o)) {
  if (opt.data_dir.empty()) throw std::runtime_error("reference: no data directory");
  if (opt.sms_code_length < 4 || opt.sms_code_length > 8)
    throw std::runtime_error("sms code length must be 4-8");
  pki = dev_pki_paths(opt.data_dir);
  if (!std::filesystem::exists(pki.server_cert))
    throw std::runtime_error("no PKI in " + pki.dir.string() + ": run ca-platform-ref --init " +
                             opt.data_dir.string());
  issuing_ca = read_pem_cert(pki.issuing_ca);
  issuing_key = read_pem_key(pki.issuing_ca_key);
  config_key = read_pem_key(pki.config_signing_key);
  fleet_ca = read_pem_cert(pki.fleet_ca);
  if (std::filesystem::exists(pki.fleet_ca_key)) fleet_key = read_pem_key(pki.fleet_ca_key);
  if (std::filesystem::exists(pki.admin_ca)) admin_ca = read_pem_cert(pki.admin_ca);
  if (opt.maintenance_code_validity_s <= 0 || opt.maintenance_code_validity_s > 1800)
    throw std::runtime_error("maintenance code validity must be 1-1800 s");
  if (opt.enrollment_code_validity_s <= 0) throw std::runtime_error("enrollment code validity must be > 0");
  load_catalog();
  load_secret();
  for (const auto& p : opt.test_phones) test_phones.insert(p);
  if (!db.open(opt.data_dir / "platform.db"))
    throw std::runtime_error("cannot open " + (opt.data_dir / "platform.db").string());
  migrate();
  if (opt.id_seed) {
    // Seeded ids repeat from run to run: only for the dev platform, and only on a fresh database
    // (a second run on the same data would make the first run's order ids and serials again).
    if (!opt.dev) throw std::runtime_error("reference: a seed for ids is for a dev platform only");
    Stmt q(db, "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM customer_certs)");
    if (q.row() && q.i64(0) > 0)
      throw std::runtime_error("reference: a seed for ids needs an empty database, and " +
                               (opt.data_dir / "platform.db").string() + " has orders or certificates");
  }
}

Bytes State::id_bytes(std::string_view what, std::size_t n) {
  if (!opt.id_seed) return random_bytes(n);
  std::lock_guard l(id_mu);
  auto it = id_counters.find(what);
  if (it == id_counters.end()) it = id_counters.emplace(std::string(what), 0).first;
  Bytes out;
  while (out.size() < n) {
    const auto block = foundation::sha256(std::to_string(*opt.id_seed) + "/" + std::string(what) + "/" +
                                          std::to_string(it->second++));
    out.insert(out.end(), block.begin(), block.end());
  }
  out.resize(n);
  return out;
}

void State::load_catalog() {
  std::filesystem::path p = opt.catalog;
  if (p.empty())
    p = std::filesystem::exists(opt.data_dir / "catalog.json") ? opt.data_dir / "catalog.json"
                                                               : default_catalog_path();
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read catalog " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string why;
  if (!contract::decode_text(ss.str(), catalog, why))
    throw std::runtime_error("catalog " + p.string() + ": " + why);
  for (const auto& pr : catalog.products)
    if (!catalog.project(pr.project) || !catalog.brand(pr.brand))
      throw std::runtime_error("catalog " + p.string() + ": product " + pr.id +
                               " names an unknown project or brand");
}

void State::load_secret() {
  auto p = opt.data_dir / "secret.key";
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() == 32) {
    sms_secret.assign(s.begin(), s.end());
    return;
  }
  sms_secret = random_bytes(32);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(sms_secret.data()),
            static_cast<std::streamsize>(sms_secret.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

void State::migrate() {
  const char* schema = R"SQL(
    PRAGMA journal_mode=WAL;
    PRAGMA synchronous=NORMAL;
    PRAGMA foreign_keys=ON;
    BEGIN;
    CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE IF NOT EXISTS accounts(
      id TEXT PRIMARY KEY, phone TEXT UNIQUE NOT NULL, username TEXT NOT NULL, real_name TEXT NOT NULL DEFAULT '',
      email TEXT NOT NULL DEFAULT '', registered_at INTEGER NOT NULL, pw_hash BLOB NOT NULL, pw_salt BLOB NOT NULL,
      pw_iterations INTEGER NOT NULL, pw_is_default INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS sessions(
      token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL, must_change INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS throttle(key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER NOT NULL,
      last_failure INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS sms_codes(phone TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, tries INTEGER NOT NULL, PRIMARY KEY(phone, purpose));
    CREATE TABLE IF NOT EXISTS sms_sends(phone TEXT NOT NULL, purpose TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS sms_sends_phone ON sms_sends(phone, at);
    CREATE TABLE IF NOT EXISTS sms_outbox(id INTEGER PRIMARY KEY, phone TEXT NOT NULL, purpose TEXT NOT NULL,
      code TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS verifications(token_hash TEXT PRIMARY KEY, phone TEXT NOT NULL, purpose TEXT NOT NULL,
      expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS customer_certs(serial TEXT PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, der BLOB NOT NULL,
      project TEXT NOT NULL, brand TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
      key_type TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, renewed_by TEXT);
    CREATE TABLE IF NOT EXISTS orders(
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, product_id TEXT NOT NULL,
      years INTEGER NOT NULL, amount_fen INTEGER NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL, paid_at INTEGER, code_url TEXT NOT NULL, old_cert_sha256 TEXT NOT NULL,
      tok_manufacturer TEXT NOT NULL, tok_model TEXT NOT NULL, tok_serial TEXT NOT NULL,
      fapiao_title TEXT, fapiao_tax_number TEXT, needs_staff_reason TEXT, needs_staff_next_step TEXT,
      needs_staff_detail TEXT, nonce BLOB, nonce_expires_at INTEGER, issued_at INTEGER, installed_at INTEGER);
    CREATE INDEX IF NOT EXISTS orders_account ON orders(account_id, created_at);
    CREATE INDEX IF NOT EXISTS orders_cert ON orders(old_cert_sha256);
    CREATE TABLE IF NOT EXISTS issuances(id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, der BLOB NOT NULL,
      spki BLOB NOT NULL, serial TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
      at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS payments(id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, amount_fen INTEGER NOT NULL,
      method TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS idempotency(kiosk_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
      status INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(kiosk_id, key));
    CREATE TABLE IF NOT EXISTS order_events(id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, status TEXT NOT NULL,
      at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS kiosks(id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL, software_version TEXT NOT NULL,
      config_version INTEGER NOT NULL, health TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS heartbeats(kiosk_id TEXT PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS heartbeat_log(id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, at INTEGER NOT NULL,
      body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS heartbeat_log_kiosk ON heartbeat_log(kiosk_id, id);
    CREATE TABLE IF NOT EXISTS heartbeat_hours(hall TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
      PRIMARY KEY(hall, hour));
    CREATE TABLE IF NOT EXISTS config_events(id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, at INTEGER NOT NULL,
      version INTEGER NOT NULL, state TEXT NOT NULL, detail TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS config_events_kiosk ON config_events(kiosk_id, id);
    CREATE TABLE IF NOT EXISTS fleet_kiosks(id TEXT PRIMARY KEY, hall TEXT NOT NULL, region TEXT NOT NULL,
      enrolled_at INTEGER NOT NULL, decommissioned_at INTEGER);
    CREATE TABLE IF NOT EXISTS kiosk_certs(serial TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, not_after INTEGER NOT NULL,
      issued_at INTEGER NOT NULL, revoked_at INTEGER);
    CREATE TABLE IF NOT EXISTS enrollment_codes(code_hash TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, hall TEXT NOT NULL,
      region TEXT NOT NULL, created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
    CREATE TABLE IF NOT EXISTS maintenance_codes(code_hash TEXT PRIMARY KEY, staff TEXT NOT NULL, kiosk_id TEXT NOT NULL,
      created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
    CREATE TABLE IF NOT EXISTS bundles(id INTEGER PRIMARY KEY, body BLOB NOT NULL, etag TEXT NOT NULL,
      published_by TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS admin_audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, admin TEXT NOT NULL,
      action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS diagnostics(id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, received_at INTEGER NOT NULL,
      bytes INTEGER NOT NULL, sha256 TEXT NOT NULL);
    INSERT OR IGNORE INTO meta VALUES('schema_version', '1');
    COMMIT;
  )SQL";
  if (!db.exec(schema)) throw std::runtime_error("database schema: " + db.error());
}

// ---------------------------------------------------------------- clock, faults, keyed hashes
UnixTime State::now() const {
  std::int64_t frozen = clock_frozen.load();
  return frozen >= 0 ? frozen : static_cast<UnixTime>(std::time(nullptr)) + clock_offset.load();
}

std::optional<Fault> State::take_fault(std::string_view name) {
  std::lock_guard l(faults_mu);
  auto it = faults.find(name);
  if (it == faults.end()) return std::nullopt;
  Fault f = it->second;
  if (--it->second.remaining <= 0) faults.erase(it);
  return f;
}

std::string State::keyed_hash(std::string msg) {
  unsigned char out[32];
  std::size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, sms_secret.data(), sms_secret.size(),
            reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, sizeof out, &len);
  OPENSSL_cleanse(msg.data(), msg.size());
  return foundation::hex_encode(out, len);
}

std::string State::sms_hash(std::string_view phone, std::string_view purpose, std::string_view code) {
  return keyed_hash(std::string(phone) + "|" + std::string(purpose) + "|" + std::string(code));
}

}  // namespace reference
