// The reference platform: the contract of services/platform/openapi.yaml over HTTPS with mutual TLS
// (cpp-httplib + OpenSSL), SQLite persistence, a real issuing CA, SMS to an outbox, and dev-only
// switches. Startable inside a test or the demo process:
//
//   reference::write_dev_pki(dir);                       // once: the throwaway PKI
//   reference::Server s({.data_dir = dir, .dev = true}); // port 0 = any free port
//   s.start();  ... s.port() ...  s.stop();
//
// Everything in DIR: pki/ (see pki.hpp), catalog.json (or ServerOptions::catalog), platform.db (SQLite),
// sms-outbox.log (every SMS, one line each: the stand-in for the SMS gateway), secret.key (HMAC key for
// SMS code hashes, made on first start).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reference/pki.hpp"

namespace reference {

struct ServerOptions {
  std::filesystem::path data_dir;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;           // 0: any free port; Server::port() says which
  bool dev = false;                 // dev endpoints (/v1/dev/...); refused with 404 otherwise
  std::filesystem::path catalog;    // empty: DIR/catalog.json if present, else the repo's config/catalog.json
  int sms_code_length = 6;          // 4–8; the CA's real SMS gateway sends 4
  int pbkdf2_iterations = 100000;   // password hashing (PBKDF2-HMAC-SHA256, 16-byte salt)
  std::int64_t config_version = 1;  // version of the signed kiosk configuration it hands out
  std::vector<std::string> test_phones;  // dev: exempt from SMS limits
  bool log_requests = false;             // one line per request on stderr
  // The fleet console's files (index.html, console.js, console.css; docs/console.md), served under /admin/
  // to admins. Empty: the installed ones (share/ca-platform-ref/admin), or the repository's in a build tree.
  std::filesystem::path console_dir;
  // Fleet administration (docs/platform.md, "Fleet administration").
  std::int64_t enrollment_code_validity_s = 86400;  // an enrollment code lives this long (single use)
  std::int64_t maintenance_code_validity_s = 1800;  // a maintenance code: at most 30 minutes
  int kiosk_cert_days = 365;                        // a kiosk certificate's validity (enrollment, renewal)
  // Dev only, on an empty database (the constructor refuses otherwise): order ids, payment links
  // (code_url), certificate serials, SMS codes and account ids come from this seed instead of the system's
  // random source, the same in every run (the demo's reproducible screenshots). Secrets stay random:
  // tokens, renewal nonces, password salts, the SMS key. Unset, every id is random.
  std::optional<std::uint64_t> id_seed;
};

class Server {
 public:
  // Loads the PKI, the catalog and the database. Throws std::runtime_error naming what is missing.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves on a thread of its own. Throws std::runtime_error when the port cannot be bound.
  void start();
  // Stops serving (long polls return at once) and joins. Idempotent; the destructor calls it.
  void stop();

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string base_url() const;  // "https://127.0.0.1:PORT/v1/"
  [[nodiscard]] const DevPkiPaths& pki() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace reference
