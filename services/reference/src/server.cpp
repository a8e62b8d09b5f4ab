#include "reference/server.hpp"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <expected>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "contract/codes.hpp"
#include "contract/json.hpp"
#include "db.hpp"
#include "reference/crypto.hpp"

namespace reference {

using contract::Bytes;
using contract::Json;
using contract::OrderStatus;
using contract::UnixTime;
namespace code = contract::code;

namespace {

constexpr int kSmsValidS = 300;
constexpr int kSmsResendS = 60;
constexpr int kSmsMaxTries = 5;
constexpr int kSmsPerHour = 5;
constexpr int kSmsPerDay = 10;
constexpr int kVerificationValidS = 600;
constexpr int kOrderPayS = 600;
constexpr int kNonceValidS = 1800;
constexpr int kSessionS = 600;
constexpr int kThrottleAfter = 5;  // failures per phone and per kiosk session before waits start
constexpr int kKioskCeiling = 50;  // failures per kiosk before its waits start
constexpr int kThrottleFirstWaitS = 30;
constexpr int kThrottleMaxWaitS = 900;
constexpr int kThrottleForgetS = 3600;  // a counter with no failure for this long starts again
constexpr std::size_t kServerThreads = 32;
constexpr int kIdempotencyKeepS = 86400;
constexpr std::string_view kNextStepCounter = "order.next_step.go_to_counter";

struct Reply {
  int status = 200;
  Json body = Json::object();
};

template <typename T>
using Res = std::expected<T, Reply>;

Reply error_reply(std::string_view c, std::string detail = {},
                  std::optional<int> retry_after = std::nullopt) {
  const contract::CodeInfo* info = contract::find_code(c);
  contract::ApiError e;
  e.http_status = info ? info->http_status : 500;
  e.code = std::string(c);
  e.message_key = contract::message_key_for(c);
  e.detail = std::move(detail);
  e.retry_after_s = retry_after;
  return {e.http_status, contract::encode(e)};
}

std::string hex_sha256(std::string_view s) {
  return contract::hex_encode(sha256(s));
}

std::string random_token(std::size_t bytes) {
  std::string b = contract::base64_encode(random_bytes(bytes));
  // base64url without padding: safe in headers and URLs.
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string random_digits(int n) {
  std::string out;
  while (static_cast<int>(out.size()) < n) {
    for (std::uint8_t b : random_bytes(16)) {
      if (b >= 250) continue;  // rejection sampling: no bias toward low digits
      out += static_cast<char>('0' + b % 10);
      if (static_cast<int>(out.size()) == n) break;
    }
  }
  return out;
}

std::string random_alnum(int n) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (static_cast<int>(out.size()) < n)
    for (std::uint8_t b : random_bytes(16)) {
      if (b >= 248) continue;  // 248 = 4 × 62
      out += kChars[b % 62];
      if (static_cast<int>(out.size()) == n) break;
    }
  return out;
}

bool phone_valid(std::string_view p) {
  if (p.size() != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9') return false;
  return std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string date_of(UnixTime t) {
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Real name: 2–30 characters, CJK ideographs, Latin letters, '·' and spaces.
bool real_name_valid(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c >> 3) == 30) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    bool ok = (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == ' ' || cp == 0xb7 ||
              (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
    if (!ok) return false;
    i += len;
    ++count;
  }
  return count >= 2 && count <= 30;
}

bool email_valid(std::string_view s) {
  static const std::regex re(R"([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  return s.size() <= 254 && std::regex_match(s.begin(), s.end(), re);
}

std::string last6(std::string_view phone) {
  return std::string(phone.substr(phone.size() - 6));
}

bool password_from_phone(std::string_view pw, std::string_view phone) {
  std::string l6 = last6(phone);
  std::string rev(l6.rbegin(), l6.rend());
  std::string l4(phone.substr(phone.size() - 4));
  auto has = [&](std::string_view x) { return pw.find(x) != std::string_view::npos; };
  // The whole number, its last 6 digits (the default password) either way round, or a password that
  // is just digits of the number.
  bool only_phone_digits = std::all_of(pw.begin(), pw.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                           phone.find(pw) != std::string_view::npos;
  return has(phone) || has(l6) || has(rev) || (has(l4) && pw.size() <= 10) || only_phone_digits;
}

struct Account {
  std::string id, phone, username, real_name, email;
  UnixTime registered_at = 0;
  Bytes pw_hash, pw_salt;
  std::int64_t pw_iterations = 0;
  bool pw_is_default = true;
};

struct SessionRow {
  std::string token_hash, account_id;
  UnixTime expires_at = 0;
  bool must_change = false;
};

struct Fault {
  std::string mode;  // fail, drop, delay
  int remaining = 0;
  int delay_ms = 0;
};

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  DevPkiPaths pki;
  contract::Catalog catalog;
  X509Ptr issuing_ca;
  EvpPkeyPtr issuing_key;
  EvpPkeyPtr config_key;
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
  std::unique_ptr<httplib::SSLServer> http;
  std::thread thread;
  int bound_port = 0;
  std::mutex outbox_mu;

  // ---- request context
  struct Ctx {
    const httplib::Request& req;
    std::string kiosk_id;
    Json body;
    UnixTime now;
    std::unique_lock<std::mutex>& lock;
    std::string param(std::size_t i = 1) const {
      return req.matches.size() > i ? req.matches[i].str() : std::string();
    }
  };
  using Handler = Reply (Impl::*)(Ctx&);

  UnixTime now() const {
    std::int64_t frozen = clock_frozen.load();
    return frozen >= 0 ? frozen : static_cast<UnixTime>(std::time(nullptr)) + clock_offset.load();
  }

  // ---------------------------------------------------------------- set-up
  explicit Impl(ServerOptions o) : opt(std::move(o)) {
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
    load_catalog();
    load_secret();
    for (const auto& p : opt.test_phones) test_phones.insert(p);
    if (!db.open(opt.data_dir / "platform.db"))
      throw std::runtime_error("cannot open " + (opt.data_dir / "platform.db").string());
    migrate();
  }

  void load_catalog() {
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

  void load_secret() {
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

  void migrate() {
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
      CREATE TABLE IF NOT EXISTS kiosks(id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL, software_version TEXT NOT NULL,
        config_version INTEGER NOT NULL, health TEXT NOT NULL);
      INSERT OR IGNORE INTO meta VALUES('schema_version', '1');
      COMMIT;
    )SQL";
    if (!db.exec(schema)) throw std::runtime_error("database schema: " + db.error());
  }

  // ---------------------------------------------------------------- serving
  void start() {
    http = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      if (SSL_CTX_use_certificate_chain_file(&ctx, pki.server_cert.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(&ctx, pki.server_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_load_verify_locations(&ctx, pki.fleet_ca.c_str(), nullptr) != 1)
        return false;
      SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(pki.fleet_ca.c_str()));
      // A connection without a client certificate fails the handshake. One under another CA completes it,
      // and every request on it is answered 403 kiosk.certificate_untrusted (serve() reads the verify
      // result): a typed refusal with a code, where a TLS 1.3 alert after the handshake reaches the
      // client as a bare reset.
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         [](int, X509_STORE_CTX*) { return 1; });
      // Resumed sessions with client certificates need a session id context, or OpenSSL refuses them
      // with an internal-error alert.
      static constexpr unsigned char kSessionContext[] = "ca-platform-ref";
      SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
      return true;
    });
    if (!http->is_valid())
      throw std::runtime_error("reference: TLS set-up failed (server certificate/key, fleet CA)");
    // One thread per connection: kiosks' keep-alive connections and long polls each hold one.
    http->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    http->set_tcp_nodelay(true);  // headers and body go in separate writes: no Nagle wait (40 ms per answer)
    http->set_read_timeout(10, 0);
    http->set_write_timeout(10, 0);
    http->set_keep_alive_timeout(5);
    http->set_payload_max_length(1 << 20);
    register_routes();
    http->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (res.body.empty()) {
            Reply r = error_reply(res.status == 404 ? code::kNotFound : code::kBadRequest);
            res.set_content(r.body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
          }
          return httplib::Server::HandlerResponse::Handled;
        }));
    http->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      Reply r = error_reply(code::kInternal);
      res.status = r.status;
      res.set_content(r.body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
    });
    capture_responses();
    if (opt.port == 0) {
      bound_port = http->bind_to_any_port(opt.host);
      if (bound_port <= 0) throw std::runtime_error("reference: cannot bind " + opt.host);
    } else {
      if (!http->bind_to_port(opt.host, opt.port))
        throw std::runtime_error("reference: cannot bind " + opt.host + ":" + std::to_string(opt.port));
      bound_port = opt.port;
    }
    {
      std::lock_guard l(mu);
      stopping = false;
    }
    thread = std::thread([this] { http->listen_after_bind(); });
    // listen_after_bind returns at once if something is wrong; wait until the loop runs.
    for (int i = 0; i < 200 && !http->is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  // Tests only: with KIOSK_CONTRACT_CAPTURE_DIR set, every answer this server writes (error handler's
  // included) is appended to DIR/<pid>.jsonl as {method, path, status, content_type, body}, and
  // tests/contract/check_responses.py checks each against services/platform/openapi.yaml. Unset: nothing.
  // Compiled out of the package build (KIOSK_TEST_HOOKS=OFF): it writes wherever the variable says.
  void capture_responses() {
#if KIOSK_TEST_HOOKS
    const char* dir = std::getenv("KIOSK_CONTRACT_CAPTURE_DIR");
    if (!dir || !*dir) return;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // a failure shows as a missing capture
    std::filesystem::path file = std::filesystem::path(dir) / (std::to_string(::getpid()) + ".jsonl");
    http->set_logger([file](const httplib::Request& q, const httplib::Response& s) {
      Json line = {{"method", q.method},
                   {"path", q.path},
                   {"status", s.status},
                   {"content_type", s.get_header_value("Content-Type")},
                   {"body", s.body}};
      static std::mutex file_mu;  // every server in this process shares the file
      std::lock_guard l(file_mu);
      std::ofstream(file, std::ios::app) << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    });
#endif
  }

  void stop() {
    if (!http) return;
    {
      std::lock_guard l(mu);
      stopping = true;
    }
    order_changed.notify_all();
    http->stop();
    if (thread.joinable()) thread.join();
    http.reset();
  }

  std::string kiosk_of(const httplib::Request& req) {
    if (!req.ssl) return {};
    X509* peer = SSL_get0_peer_certificate(req.ssl);
    return peer ? subject_cn(peer) : std::string();
  }

  std::optional<Fault> take_fault(std::string_view name) {
    std::lock_guard l(faults_mu);
    auto it = faults.find(name);
    if (it == faults.end()) return std::nullopt;
    Fault f = it->second;
    if (--it->second.remaining <= 0) faults.erase(it);
    return f;
  }

  static void send(httplib::Response& res, const Reply& r) {
    res.status = r.status;
    res.set_content(r.body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
  }

  static bool key_valid(std::string_view k) {
    if (k.empty() || k.size() > 128) return false;
    return std::all_of(k.begin(), k.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
             c == '_';
    });
  }

  void serve(std::string_view name, bool keyed, Handler h, const httplib::Request& req,
             httplib::Response& res) {
    std::optional<Fault> fault = take_fault(name);
    if (fault && fault->mode == "delay")
      std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
    if (fault && fault->mode == "fail")
      return send(res, error_reply(code::kFaultInjected, std::string(name)));

    if (!req.ssl || SSL_get_verify_result(req.ssl) != X509_V_OK)
      return send(res,
                  error_reply(code::kKioskCertificateUntrusted,
                              req.ssl ? X509_verify_cert_error_string(SSL_get_verify_result(req.ssl)) : ""));
    std::string kiosk = kiosk_of(req);
    if (kiosk.empty()) return send(res, error_reply(code::kKioskUnknown));

    Json body = Json::object();
    if (!req.body.empty()) {
      std::string why;
      if (!contract::parse_json_text(req.body, body, why))
        return send(res, error_reply(code::kBadRequest, why));
    }

    std::unique_lock lock(mu);
    std::string key, hash;
    if (keyed) {
      key = req.get_header_value("Idempotency-Key");
      if (!key_valid(key)) return send(res, error_reply(code::kIdempotencyKeyMissing));
      hash = keyed_hash(req.method + " " + req.path + "\n" + req.get_header_value("Authorization") + "\n" +
                        req.body);
      Stmt q(db, "SELECT request_hash, status, body FROM idempotency WHERE kiosk_id=? AND key=?");
      q.bind(kiosk, key);
      if (q.row()) {
        if (q.text(0) != hash) return send(res, error_reply(code::kIdempotencyKeyReused));
        res.status = static_cast<int>(q.i64(1));
        res.set_header("Idempotent-Replay", "true");
        res.set_content(q.text(2), "application/json");
        lock.unlock();
        if (fault && fault->mode == "drop") drop(req);
        return;
      }
      db.exec("BEGIN IMMEDIATE");
    }
    Ctx ctx{req, kiosk, std::move(body), now(), lock};
    Reply r = (this->*h)(ctx);
    if (!lock.owns_lock()) lock.lock();
    if (db.failed()) {
      std::string why = db.error();
      db.reset_failure();
      if (keyed) db.exec("ROLLBACK");
      db.reset_failure();
      r = error_reply(code::kInternal, why);
    } else if (keyed) {
      if (r.status != 429 && r.status < 500) {
        Stmt ins(db, "INSERT INTO idempotency VALUES(?,?,?,?,?,?)");
        ins.bind(kiosk, key, hash, r.status, r.body.dump(-1, ' ', false, Json::error_handler_t::replace),
                 ctx.now)
            .run();
      }
      // Replays are for resuming after a crash or a lost answer: a day is plenty, and keeps the stored
      // answers (session and verification tokens among them) from piling up.
      Stmt(db, "DELETE FROM idempotency WHERE at<?").bind(ctx.now - kIdempotencyKeepS).run();
      db.exec("COMMIT");
      if (db.failed()) {
        db.reset_failure();
        db.exec("ROLLBACK");
        db.reset_failure();
        r = error_reply(code::kInternal, "commit failed");
      }
    }
    lock.unlock();
    if (keyed) order_changed.notify_all();
    if (opt.log_requests)
      std::fprintf(stderr, "%s %s %s -> %d\n", kiosk.c_str(), req.method.c_str(), req.path.c_str(), r.status);
    send(res, r);
    if (fault && fault->mode == "drop") drop(req);
  }

  // Commit, then close the connection without answering: the client sees a reset, as when a response
  // is lost on the way.
  static void drop(const httplib::Request& req) {
    if (req.ssl) ::shutdown(SSL_get_fd(req.ssl), SHUT_RDWR);
  }

  void get(const std::string& pattern, std::string name, Handler h) {
    http->Get(pattern, [this, name, h](const httplib::Request& q, httplib::Response& s) {
      serve(name, false, h, q, s);
    });
  }
  void post(const std::string& pattern, std::string name, Handler h, bool keyed = true) {
    http->Post(pattern, [this, name, h, keyed](const httplib::Request& q, httplib::Response& s) {
      serve(name, keyed, h, q, s);
    });
  }
  void put(const std::string& pattern, std::string name, Handler h) {
    http->Put(pattern, [this, name, h](const httplib::Request& q, httplib::Response& s) {
      serve(name, true, h, q, s);
    });
  }

  void register_routes() {
    const std::string id = "([A-Za-z0-9_-]{1,64})";
    get("/v1/catalog", "catalog", &Impl::h_catalog);
    post("/v1/sms/send", "sms.send", &Impl::h_sms_send);
    post("/v1/sms/verify", "sms.verify", &Impl::h_sms_verify);
    post("/v1/orders", "orders.create", &Impl::h_order_create);
    get("/v1/orders/" + id, "orders.get", &Impl::h_order_get);
    post("/v1/orders/" + id + "/close", "orders.close", &Impl::h_order_close);
    post("/v1/orders/" + id + "/needs-staff", "orders.needs_staff", &Impl::h_order_needs_staff);
    post("/v1/orders/" + id + "/renewal/nonce", "renewal.nonce", &Impl::h_nonce);
    post("/v1/orders/" + id + "/renewal/submit", "renewal.submit", &Impl::h_submit);
    get("/v1/orders/" + id + "/certificate", "renewal.certificate", &Impl::h_certificate);
    post("/v1/orders/" + id + "/installed", "orders.installed", &Impl::h_installed);
    post("/v1/account/login/password", "account.login_password", &Impl::h_login_password);
    post("/v1/account/login/sms", "account.login_sms", &Impl::h_login_sms);
    post("/v1/account/logout", "account.logout", &Impl::h_logout);
    get("/v1/account/profile", "account.profile", &Impl::h_profile_get);
    put("/v1/account/profile", "account.profile_update", &Impl::h_profile_put);
    post("/v1/account/password", "account.password", &Impl::h_password);
    get("/v1/account/business", "account.business", &Impl::h_business);
    get("/v1/orders", "orders.by_certificate", &Impl::h_orders_by_certificate);
    post("/v1/kiosk/heartbeat", "kiosk.heartbeat", &Impl::h_heartbeat);
    get("/v1/kiosk/config", "kiosk.config", &Impl::h_config);
    if (!opt.dev) return;
    get("/v1/dev/clock", "dev.clock", &Impl::h_dev_clock_get);
    post("/v1/dev/clock", "dev.clock", &Impl::h_dev_clock_set, false);
    post("/v1/dev/test-phones", "dev.test_phones", &Impl::h_dev_test_phone, false);
    get("/v1/dev/sms-outbox", "dev.sms_outbox", &Impl::h_dev_outbox);
    post("/v1/dev/orders/" + id + "/pay", "dev.pay", &Impl::h_dev_pay, false);
    post("/v1/dev/orders/" + id + "/refund", "dev.refund", &Impl::h_dev_refund, false);
    post("/v1/dev/certificates", "dev.seed_certificate", &Impl::h_dev_seed, false);
    post("/v1/dev/certificates/([0-9a-f]{1,64})/revoke", "dev.revoke", &Impl::h_dev_revoke, false);
    post("/v1/dev/faults", "dev.faults", &Impl::h_dev_fault_set, false);
    http->Delete("/v1/dev/faults", [this](const httplib::Request& q, httplib::Response& s) {
      serve("dev.faults", false, &Impl::h_dev_fault_clear, q, s);
    });
    get("/v1/dev/records", "dev.records", &Impl::h_dev_records);
  }

  // ---------------------------------------------------------------- helpers
  template <typename T>
  Res<T> body_as(const Ctx& c) {
    T v{};
    std::string why;
    if (!contract::decode(c.body, v, why)) return std::unexpected(error_reply(code::kBadRequest, why));
    return v;
  }

  // HMAC-SHA256 under the server's secret: SMS code hashes, and idempotency request hashes (a request
  // body may hold a password or a code; a plain SHA-256 of it in the database could be cracked).
  std::string keyed_hash(std::string msg) {
    unsigned char out[32];
    std::size_t len = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, sms_secret.data(), sms_secret.size(),
              reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, sizeof out, &len);
    OPENSSL_cleanse(msg.data(), msg.size());
    return contract::hex_encode(out, len);
  }
  std::string sms_hash(std::string_view phone, std::string_view purpose, std::string_view code) {
    return keyed_hash(std::string(phone) + "|" + std::string(purpose) + "|" + std::string(code));
  }

  Bytes pbkdf2(std::string_view password, const Bytes& salt, std::int64_t iterations) {
    Bytes out(32);
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                      static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                      static_cast<int>(out.size()), out.data());
    return out;
  }

  bool password_matches(const Account& a, std::string_view pw) {
    Bytes h = pbkdf2(pw, a.pw_salt, a.pw_iterations);
    return h.size() == a.pw_hash.size() && CRYPTO_memcmp(h.data(), a.pw_hash.data(), h.size()) == 0;
  }

  std::optional<Account> account_by(const char* column, std::string_view value) {
    std::string sql = std::string(
                          "SELECT id, phone, username, real_name, email, registered_at, pw_hash, pw_salt, "
                          "pw_iterations, pw_is_default FROM accounts WHERE ") +
                      column + "=?";
    Stmt q(db, sql.c_str());
    q.bind(value);
    if (!q.row()) return std::nullopt;
    return Account{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4),
                   q.i64(5),  q.blob(6), q.blob(7), q.i64(8),  q.i64(9) != 0};
  }

  Account find_or_create_account(std::string_view phone, UnixTime now) {
    if (auto a = account_by("phone", phone)) return *a;
    Account a;
    a.id = "A" + contract::hex_encode(random_bytes(8));
    a.phone = std::string(phone);
    a.username = a.phone;
    a.registered_at = now;
    a.pw_salt = random_bytes(16);
    a.pw_iterations = opt.pbkdf2_iterations;
    a.pw_hash = pbkdf2(last6(phone), a.pw_salt, a.pw_iterations);
    a.pw_is_default = true;
    Stmt(db, "INSERT INTO accounts VALUES(?,?,?,?,?,?,?,?,?,?)")
        .bind(a.id, a.phone, a.username, a.real_name, a.email, a.registered_at, a.pw_hash, a.pw_salt,
              a.pw_iterations, 1)
        .run();
    return a;
  }

  // ---- throttling (login)
  std::vector<std::pair<std::string, int>> throttle_keys(const Ctx& c, std::string_view phone,
                                                         std::string_view session) {
    std::vector<std::pair<std::string, int>> keys{{"phone:" + std::string(phone), kThrottleAfter},
                                                  {"kiosk:" + c.kiosk_id, kKioskCeiling}};
    if (!session.empty())
      keys.push_back({"session:" + c.kiosk_id + "/" + std::string(session), kThrottleAfter});
    return keys;
  }
  std::optional<Reply> throttled(const Ctx& c, const std::vector<std::pair<std::string, int>>& keys) {
    UnixTime wait = 0;
    for (const auto& [k, limit] : keys) {
      Stmt q(db, "SELECT locked_until FROM throttle WHERE key=?");
      q.bind(k);
      if (q.row()) wait = std::max(wait, q.i64(0) - c.now);
    }
    if (wait > 0)
      return error_reply(code::kThrottled, "wait " + std::to_string(wait) + " s", static_cast<int>(wait));
    return std::nullopt;
  }
  void record_failure(const Ctx& c, const std::vector<std::pair<std::string, int>>& keys) {
    for (const auto& [k, limit] : keys) {
      std::int64_t failures = 0;
      Stmt q(db, "SELECT failures, last_failure FROM throttle WHERE key=?");
      q.bind(k);
      if (q.row() && c.now - q.i64(1) < kThrottleForgetS) failures = q.i64(0);
      ++failures;
      UnixTime locked = 0;
      if (failures >= limit) {
        std::int64_t wait = kThrottleFirstWaitS;
        for (std::int64_t i = limit; i < failures && wait < kThrottleMaxWaitS; ++i) wait *= 2;
        locked = c.now + std::min<std::int64_t>(wait, kThrottleMaxWaitS);
      }
      Stmt(db, "INSERT OR REPLACE INTO throttle VALUES(?,?,?,?)").bind(k, failures, locked, c.now).run();
    }
  }
  void clear_failures(const Ctx& c, std::string_view phone, std::string_view session) {
    Stmt(db, "DELETE FROM throttle WHERE key=? OR key=?")
        .bind("phone:" + std::string(phone), "session:" + c.kiosk_id + "/" + std::string(session))
        .run();
  }

  // ---- SMS codes
  std::optional<Reply> check_code(std::string_view phone, contract::SmsPurpose purpose,
                                  std::string_view code_text, UnixTime now) {
    std::string p(contract::to_string(purpose));
    Stmt q(db, "SELECT code_hash, expires_at, tries FROM sms_codes WHERE phone=? AND purpose=?");
    q.bind(phone, p);
    if (!q.row() || q.i64(1) <= now) return error_reply(code::kSmsCodeExpired);
    std::int64_t tries = q.i64(2);
    if (tries >= kSmsMaxTries) return error_reply(code::kSmsTriesExhausted);
    std::string want = q.text(0);
    std::string got = sms_hash(phone, p, code_text);
    if (want.size() == got.size() && CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0) {
      Stmt(db, "DELETE FROM sms_codes WHERE phone=? AND purpose=?").bind(phone, p).run();
      return std::nullopt;
    }
    ++tries;
    Stmt(db, "UPDATE sms_codes SET tries=? WHERE phone=? AND purpose=?").bind(tries, phone, p).run();
    if (tries >= kSmsMaxTries) return error_reply(code::kSmsTriesExhausted);
    return error_reply(code::kSmsCodeWrong, "tries_left=" + std::to_string(kSmsMaxTries - tries));
  }

  // ---- orders
  std::optional<contract::Order> load_order(std::string_view id, UnixTime now,
                                            std::string* account_id = nullptr) {
    Stmt q(db,
           "SELECT id, product_id, years, amount_fen, status, created_at, expires_at, paid_at, code_url, "
           "old_cert_sha256, tok_manufacturer, tok_model, tok_serial, needs_staff_reason, "
           "needs_staff_next_step, "
           "fapiao_title, fapiao_tax_number, account_id FROM orders WHERE id=?");
    q.bind(id);
    if (!q.row()) return std::nullopt;
    contract::Order o;
    o.id = q.text(0);
    o.product_id = q.text(1);
    o.years = static_cast<int>(q.i64(2));
    o.amount_fen = q.i64(3);
    contract::parse(q.text(4), o.status);
    o.created_at = q.i64(5);
    o.expires_at = q.i64(6);
    if (!q.null(7)) o.paid_at = q.i64(7);
    o.code_url = q.text(8);
    o.old_cert_sha256 = q.text(9);
    o.token = {q.text(10), q.text(11), q.text(12)};
    o.needs_staff_reason = q.opt_text(13);
    o.needs_staff_next_step = q.opt_text(14);
    o.fapiao_title = q.opt_text(15);
    o.fapiao_tax_number = q.opt_text(16);
    if (account_id) *account_id = q.text(17);
    if (o.status == OrderStatus::PendingPayment && now >= o.expires_at) {
      set_status(o.id, OrderStatus::Expired);
      o.status = OrderStatus::Expired;
    }
    Stmt c(db, "SELECT der FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
    c.bind(o.id);
    if (c.row()) o.certificate = c.blob(0);
    return o;
  }

  void set_status(std::string_view id, OrderStatus s) {
    Stmt(db, "UPDATE orders SET status=? WHERE id=?").bind(contract::to_string(s), id).run();
  }

  Reply order_reply(std::string_view id, UnixTime now, int status = 200) {
    auto o = load_order(id, now);
    if (!o) return error_reply(code::kOrderNotFound);
    return {status, contract::encode(*o)};
  }

  // The refusal for an order that is not in one of the states an operation needs.
  static Reply state_error(OrderStatus s) {
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

  // ---------------------------------------------------------------- handlers: catalog, SMS
  Reply h_catalog(Ctx&) { return {200, contract::encode(catalog)}; }

  Reply h_sms_send(Ctx& c) {
    auto req = body_as<contract::SmsSendRequest>(c);
    if (!req) return req.error();
    if (!phone_valid(req->phone)) return error_reply(code::kPhoneInvalid);
    std::string purpose(contract::to_string(req->purpose));
    bool exempt = opt.dev && test_phones.contains(req->phone);
    if (!exempt) {
      Stmt last(db, "SELECT max(at) FROM sms_sends WHERE phone=? AND purpose=?");
      last.bind(req->phone, purpose);
      if (last.row() && !last.null(0) && c.now - last.i64(0) < kSmsResendS) {
        int wait = static_cast<int>(kSmsResendS - (c.now - last.i64(0)));
        return error_reply(code::kSmsResendTooSoon, {}, wait);
      }
      auto count_since = [&](UnixTime since, UnixTime& oldest) {
        Stmt q(db, "SELECT count(*), min(at) FROM sms_sends WHERE phone=? AND at>?");
        q.bind(req->phone, since);
        q.row();
        oldest = q.null(1) ? c.now : q.i64(1);
        return q.i64(0);
      };
      UnixTime oldest = 0;
      if (count_since(c.now - 86400, oldest) >= kSmsPerDay)
        return error_reply(code::kSmsDailyLimit, {}, static_cast<int>(oldest + 86400 - c.now));
      if (count_since(c.now - 3600, oldest) >= kSmsPerHour)
        return error_reply(code::kSmsHourlyLimit, {}, static_cast<int>(oldest + 3600 - c.now));
    }
    std::string code_text = random_digits(opt.sms_code_length);
    Stmt(db, "INSERT OR REPLACE INTO sms_codes VALUES(?,?,?,?,?,0)")
        .bind(req->phone, purpose, sms_hash(req->phone, purpose, code_text), c.now, c.now + kSmsValidS)
        .run();
    Stmt(db, "INSERT INTO sms_sends VALUES(?,?,?)").bind(req->phone, purpose, c.now).run();
    Stmt(db, "DELETE FROM sms_sends WHERE at<?").bind(c.now - 2 * 86400).run();
    // The gateway stand-in: the outbox table (dev endpoint) and a file.
    Stmt(db, "DELETE FROM sms_outbox WHERE id<=(SELECT max(id) FROM sms_outbox)-10000").run();
    Stmt(db, "INSERT INTO sms_outbox(phone, purpose, code, at) VALUES(?,?,?,?)")
        .bind(req->phone, purpose, code_text, c.now)
        .run();
    {
      std::lock_guard l(outbox_mu);
      std::ofstream f(opt.data_dir / "sms-outbox.log", std::ios::app);
      f << date_of(c.now) << ' ' << req->phone << ' ' << purpose << ' ' << code_text << '\n';
    }
    OPENSSL_cleanse(code_text.data(), code_text.size());
    return {200, contract::encode(contract::SmsSent{kSmsResendS, opt.sms_code_length, kSmsValidS})};
  }

  Reply h_sms_verify(Ctx& c) {
    std::string phone, purpose_s, code_text;
    if (!c.body.is_object() || !c.body.contains("phone") || !c.body["phone"].is_string() ||
        !c.body.contains("purpose") || !c.body["purpose"].is_string() || !c.body.contains("code") ||
        !c.body["code"].is_string())
      return error_reply(code::kBadRequest, "phone, purpose and code are strings");
    phone = c.body["phone"].get<std::string>();
    contract::SmsPurpose purpose{};
    if (!contract::parse(c.body["purpose"].get<std::string>(), purpose))
      return error_reply(code::kBadRequest, "purpose: unknown value");
    auto& code_ref = c.body["code"].get_ref<std::string&>();
    if (!phone_valid(phone)) return error_reply(code::kPhoneInvalid);
    auto bad = check_code(phone, purpose, code_ref, c.now);
    OPENSSL_cleanse(code_ref.data(), code_ref.size());
    if (bad) return *bad;
    std::string token = random_token(24);
    Stmt(db, "DELETE FROM verifications WHERE expires_at<?").bind(c.now).run();
    Stmt(db, "INSERT INTO verifications VALUES(?,?,?,?)")
        .bind(hex_sha256(token), phone, contract::to_string(purpose), c.now + kVerificationValidS)
        .run();
    return {200, contract::encode(contract::SmsVerified{token, c.now + kVerificationValidS})};
  }

  // The phone a verification token proves for `purpose`, if it is valid now.
  std::optional<std::string> verified_phone(std::string_view token, contract::SmsPurpose purpose,
                                            UnixTime now) {
    Stmt q(db, "SELECT phone FROM verifications WHERE token_hash=? AND purpose=? AND expires_at>?");
    q.bind(hex_sha256(token), contract::to_string(purpose), now);
    if (!q.row()) return std::nullopt;
    return q.text(0);
  }

  // ---------------------------------------------------------------- handlers: orders
  Reply h_order_create(Ctx& c) {
    auto req = body_as<contract::OrderCreateRequest>(c);
    if (!req) return req.error();
    auto phone = verified_phone(req->verification_token, contract::SmsPurpose::Renewal, c.now);
    if (!phone) return error_reply(code::kVerificationInvalid);
    const contract::Product* product = catalog.product(req->product_id);
    if (!product) return error_reply(code::kProductUnknown, req->product_id);
    if (std::find(product->allowed_years.begin(), product->allowed_years.end(), req->years) ==
        product->allowed_years.end())
      return error_reply(code::kYearsInvalid);
    const contract::Brand* brand = catalog.brand(product->brand);
    if (!brand || req->token.manufacturer != brand->manufacturer || req->token.model != brand->model)
      return error_reply(code::kTokenMismatch, req->token.manufacturer + " " + req->token.model);

    X509Ptr old = cert_from_der(req->old_certificate);
    if (!old) return error_reply(code::kCertificateMalformed);
    EVP_PKEY* ca_pub = X509_get0_pubkey(issuing_ca.get());
    bool ours = X509_verify(old.get(), ca_pub) == 1;
    ERR_clear_error();
    if (!ours) return error_reply(code::kCertificateUnknown);
    std::string fp = contract::hex_encode(sha256(req->old_certificate));
    Stmt q(
        db,
        "SELECT project, brand, not_after, key_type, revoked, renewed_by FROM customer_certs WHERE sha256=?");
    q.bind(fp);
    if (!q.row()) return error_reply(code::kCertificateUnknown);
    if (q.i64(4) != 0) return error_reply(code::kCertificateRevoked);
    if (q.text(0) != product->project) return error_reply(code::kCertificateWrongProject, q.text(0));
    if (q.text(1) != product->brand) return error_reply(code::kCertificateWrongBrand, q.text(1));
    if (q.text(3) != contract::to_string(product->key_algorithm))
      return error_reply(code::kCertificateKeyType, q.text(3));
    std::optional<std::string> renewed_by = q.opt_text(5);
    // An unfinished paid order for this certificate comes first: the customer resumes it (继续操作).
    Stmt busy(db,
              "SELECT id FROM orders WHERE old_cert_sha256=? AND status IN ('paid','issued','needs_staff') "
              "LIMIT 1");
    busy.bind(fp);
    if (busy.row()) return error_reply(code::kRenewalInProgress, busy.text(0));
    if (renewed_by) return error_reply(code::kCertificateAlreadyRenewed, *renewed_by);
    UnixTime not_after = q.i64(2);
    UnixTime opens = not_after - std::int64_t{product->renewal_days_before} * 86400;
    UnixTime closes = not_after + std::int64_t{product->renewal_days_after} * 86400;
    if (c.now < opens) return error_reply(code::kCertificateTooEarly, "opens_at=" + date_of(opens));
    if (c.now > closes) return error_reply(code::kCertificateTooLate, "closed_at=" + date_of(closes));

    Account account = find_or_create_account(*phone, c.now);
    time_t tt = static_cast<time_t>(c.now);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char day[16];
    std::strftime(day, sizeof day, "%Y%m%d", &tm);
    std::string id = "R" + std::string(day) + contract::hex_encode(random_bytes(6));
    std::int64_t amount = product->price_fen_per_year * req->years;
    bool free = amount == 0;
    std::string code_url = free ? std::string() : "weixin://wxpay/bizpayurl?pr=" + random_alnum(12);
    Stmt(db,
         "INSERT INTO orders(id, account_id, kiosk_id, product_id, years, amount_fen, status, created_at, "
         "expires_at, "
         "paid_at, code_url, old_cert_sha256, tok_manufacturer, tok_model, tok_serial, fapiao_title, "
         "fapiao_tax_number) "
         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(id, account.id, c.kiosk_id, product->id, req->years, amount,
              contract::to_string(free ? OrderStatus::Paid : OrderStatus::PendingPayment), c.now,
              c.now + kOrderPayS, free ? std::optional<std::int64_t>(c.now) : std::nullopt, code_url, fp,
              req->token.manufacturer, req->token.model, req->token.serial, req->fapiao_title,
              req->fapiao_tax_number)
        .run();
    if (free)
      Stmt(db, "INSERT INTO payments(order_id, amount_fen, method, at) VALUES(?,0,'free',?)")
          .bind(id, c.now)
          .run();
    return order_reply(id, c.now, 201);
  }

  Reply h_order_get(Ctx& c) {
    std::string id = c.param();
    int wait = 0;
    std::optional<OrderStatus> since;
    if (c.req.has_param("wait")) {
      std::string w = c.req.get_param_value("wait");
      if (w.empty() || w.size() > 2 || !std::all_of(w.begin(), w.end(), ::isdigit) || std::stoi(w) > 60)
        return error_reply(code::kBadRequest, "wait: 0-60");
      wait = std::stoi(w);
    }
    if (c.req.has_param("since")) {
      OrderStatus s{};
      if (!contract::parse(c.req.get_param_value("since"), s))
        return error_reply(code::kBadRequest, "since: a status");
      since = s;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
    for (;;) {
      auto o = load_order(id, now());
      if (!o) return error_reply(code::kOrderNotFound);
      if (!since || o->status != *since || stopping || std::chrono::steady_clock::now() >= deadline)
        return {200, contract::encode(*o)};
      // Wake on any committed change, and at least every second (expiry happens by the clock).
      order_changed.wait_until(
          c.lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    }
  }

  Reply h_order_close(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (o->status == OrderStatus::PendingPayment) {
      set_status(o->id, OrderStatus::Closed);
    } else if (contract::is_paid_or_later(o->status)) {
      return error_reply(code::kOrderAlreadyPaid, std::string(contract::to_string(o->status)));
    }
    return order_reply(o->id, c.now);
  }

  Reply h_order_needs_staff(Ctx& c) {
    auto req = body_as<contract::NeedsStaffRequest>(c);
    if (!req) return req.error();
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (o->status == OrderStatus::NeedsStaff) return order_reply(o->id, c.now);
    if (!contract::is_unfinished(o->status)) return state_error(o->status);
    Stmt(db,
         "UPDATE orders SET status='needs_staff', needs_staff_reason=?, needs_staff_next_step=?, "
         "needs_staff_detail=? WHERE id=?")
        .bind(req->reason, kNextStepCounter, req->detail, o->id)
        .run();
    return order_reply(o->id, c.now);
  }

  Reply h_dev_pay(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (contract::is_paid_or_later(o->status)) return error_reply(code::kOrderAlreadyPaid);
    if (o->status != OrderStatus::PendingPayment) return state_error(o->status);
    Stmt(db, "UPDATE orders SET status='paid', paid_at=? WHERE id=?").bind(c.now, o->id).run();
    Stmt(db, "INSERT INTO payments(order_id, amount_fen, method, at) VALUES(?,?,'wechat-dev',?)")
        .bind(o->id, o->amount_fen, c.now)
        .run();
    order_changed.notify_all();
    return order_reply(o->id, c.now);
  }

  // What counter staff do for a paid order that will not be finished: ask for the money back.
  Reply h_dev_refund(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (o->status == OrderStatus::RefundRequested) return order_reply(o->id, c.now);
    if (o->status != OrderStatus::Paid && o->status != OrderStatus::NeedsStaff) return state_error(o->status);
    set_status(o->id, OrderStatus::RefundRequested);
    order_changed.notify_all();
    return order_reply(o->id, c.now);
  }

  // ---------------------------------------------------------------- handlers: renewal
  Reply h_nonce(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (!contract::is_unfinished(o->status)) return state_error(o->status);
    Bytes nonce = random_bytes(32);
    Stmt(db, "UPDATE orders SET nonce=?, nonce_expires_at=? WHERE id=?")
        .bind(nonce, c.now + kNonceValidS, o->id)
        .run();
    return {200, contract::encode(contract::RenewalNonce{o->id, nonce, c.now + kNonceValidS})};
  }

  contract::IssuedCertificate issued_of(std::string_view order_id) {
    contract::IssuedCertificate out;
    Stmt q(db,
           "SELECT der, serial, not_before, not_after FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
    q.bind(order_id);
    if (q.row()) {
      out.order_id = std::string(order_id);
      out.certificate = q.blob(0);
      out.serial = q.text(1);
      out.not_before = q.i64(2);
      out.not_after = q.i64(3);
      out.chain.push_back(der_of(issuing_ca.get()));
    }
    return out;
  }

  Reply h_submit(Ctx& c) {
    auto req = body_as<contract::RenewalSubmitRequest>(c);
    if (!req) return req.error();
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (!contract::is_unfinished(o->status)) return state_error(o->status);
    const contract::Product* product = catalog.product(o->product_id);
    if (!product) return error_reply(code::kProductUnknown, o->product_id);

    Stmt n(db, "SELECT nonce, nonce_expires_at FROM orders WHERE id=?");
    n.bind(o->id);
    if (!n.row() || n.null(0) || n.i64(1) <= c.now) return error_reply(code::kNonceMissing);
    Bytes nonce = n.blob(0);

    const unsigned char* p = req->p10.data();
    X509ReqPtr p10(d2i_X509_REQ(nullptr, &p, static_cast<long>(req->p10.size())));
    ERR_clear_error();
    if (!p10 || p != req->p10.data() + req->p10.size()) return error_reply(code::kP10Malformed);
    EVP_PKEY* new_key = X509_REQ_get0_pubkey(p10.get());
    if (!new_key) return error_reply(code::kP10Malformed, "no public key");
    bool self_ok = X509_REQ_verify(p10.get(), new_key) == 1;
    ERR_clear_error();
    if (!self_ok) return error_reply(code::kP10SignatureInvalid);

    Stmt oc(db, "SELECT der, project, brand, not_after, revoked FROM customer_certs WHERE sha256=?");
    oc.bind(o->old_cert_sha256);
    if (!oc.row()) return error_reply(code::kInternal, "bound certificate missing");
    // Revoked after the order was paid (a reported loss, say): its key may no longer vouch for a new one.
    if (oc.i64(4) != 0) return error_reply(code::kCertificateRevoked);
    X509Ptr old = cert_from_der(oc.blob(0));
    std::string project = oc.text(1), brand = oc.text(2);
    UnixTime old_not_after = oc.i64(3);
    if (!old) return error_reply(code::kInternal, "bound certificate unreadable");
    if (der_of_name(X509_REQ_get_subject_name(p10.get())) != der_of_name(X509_get_subject_name(old.get())))
      return error_reply(code::kSubjectMismatch);
    if (key_type_of(new_key) != contract::to_string(product->key_algorithm))
      return error_reply(code::kP10KeyType, key_type_of(new_key));
    if (!verify_sha256(X509_get0_pubkey(old.get()), renewal_proof_der(o->id, req->p10, nonce), req->proof))
      return error_reply(code::kProofInvalid);

    Bytes spki = der_of_pubkey(new_key);
    Stmt prev(db, "SELECT spki FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
    prev.bind(o->id);
    if (prev.row()) {
      if (prev.blob(0) != spki) return error_reply(code::kOtherKey);
      return {200,
              contract::encode(issued_of(o->id))};  // the same key: the same certificate, no second issuance
    }

    Bytes serial = random_bytes(16);
    serial[0] &= 0x7f;
    if (serial[0] == 0) serial[0] = 1;
    CertSpec s;
    s.subject = X509_REQ_get_subject_name(p10.get());
    s.public_key = new_key;
    s.issuer = issuing_ca.get();
    s.issuer_key = issuing_key.get();
    s.serial = serial;
    s.not_before = c.now;
    s.not_after = add_years(std::max(c.now, old_not_after), o->years);
    X509Ptr cert = make_certificate(s);
    if (!cert) return error_reply(code::kInternal, "issuing failed");
    Bytes der = der_of(cert.get());
    std::string serial_hex = contract::hex_encode(serial);
    Stmt(
        db,
        "INSERT INTO issuances(order_id, der, spki, serial, not_before, not_after, at) VALUES(?,?,?,?,?,?,?)")
        .bind(o->id, der, spki, serial_hex, s.not_before, s.not_after, c.now)
        .run();
    Stmt(db,
         "INSERT INTO customer_certs(serial, sha256, der, project, brand, not_before, not_after, key_type) "
         "VALUES(?,?,?,?,?,?,?,?)")
        .bind(serial_hex, contract::hex_encode(sha256(der)), der, project, brand, s.not_before, s.not_after,
              key_type_of(new_key))
        .run();
    Stmt(db, "UPDATE customer_certs SET renewed_by=? WHERE sha256=?").bind(o->id, o->old_cert_sha256).run();
    Stmt(db, "UPDATE orders SET status='issued', issued_at=? WHERE id=?").bind(c.now, o->id).run();
    return {200, contract::encode(issued_of(o->id))};
  }

  Reply h_certificate(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    auto issued = issued_of(o->id);
    if (issued.certificate.empty()) return error_reply(code::kNotIssued);
    return {200, contract::encode(issued)};
  }

  Reply h_installed(Ctx& c) {
    auto o = load_order(c.param(), c.now);
    if (!o) return error_reply(code::kOrderNotFound);
    if (o->status == OrderStatus::Installed) return order_reply(o->id, c.now);
    if (o->status != OrderStatus::Issued) return state_error(o->status);
    Stmt(db, "UPDATE orders SET status='installed', installed_at=? WHERE id=?").bind(c.now, o->id).run();
    return order_reply(o->id, c.now);
  }

  // ---------------------------------------------------------------- handlers: accounts
  Reply new_session(const Ctx& c, const Account& a, bool must_change) {
    std::string token = random_token(32);
    Stmt(db, "INSERT INTO sessions VALUES(?,?,?,?,?,?)")
        .bind(hex_sha256(token), a.id, c.kiosk_id, c.now, c.now + kSessionS, must_change)
        .run();
    Stmt(db, "DELETE FROM sessions WHERE expires_at<?").bind(c.now).run();
    return {200, contract::encode(contract::Session{token, c.now + kSessionS, must_change, a.id})};
  }

  // Fields of a login body; the secret fields are wiped from the parsed body after use.
  struct LoginFields {
    std::string phone, session;
  };
  static std::optional<LoginFields> login_fields(Ctx& c, std::initializer_list<const char*> secrets) {
    if (!c.body.is_object() || !c.body.contains("phone") || !c.body["phone"].is_string()) return std::nullopt;
    for (const char* s : secrets)
      if (!c.body.contains(s) || !c.body[s].is_string()) return std::nullopt;
    LoginFields f{c.body["phone"].get<std::string>(), {}};
    if (c.body.contains("kiosk_session") && c.body["kiosk_session"].is_string())
      f.session = c.body["kiosk_session"].get<std::string>().substr(0, 128);
    return f;
  }
  static void wipe(Json& body, const char* field) {
    if (body.contains(field) && body[field].is_string()) {
      auto& s = body[field].get_ref<std::string&>();
      OPENSSL_cleanse(s.data(), s.size());
    }
  }

  Reply h_login_password(Ctx& c) {
    auto f = login_fields(c, {"password"});
    if (!f) return error_reply(code::kBadRequest, "phone and password are strings");
    Reply r = login_password(c, *f);
    wipe(c.body, "password");
    wipe(c.body, "sms_code");
    return r;
  }
  Reply login_password(Ctx& c, const LoginFields& f) {
    if (!phone_valid(f.phone)) return error_reply(code::kPhoneInvalid);
    auto keys = throttle_keys(c, f.phone, f.session);
    if (auto t = throttled(c, keys)) return *t;
    const std::string& password = c.body["password"].get_ref<const std::string&>();
    auto account = account_by("phone", f.phone);
    if (password == last6(f.phone)) {
      // The default password: never enough alone, whether or not the phone has an account.
      if (!c.body.contains("sms_code") || !c.body["sms_code"].is_string() ||
          c.body["sms_code"].get_ref<const std::string&>().empty())
        return error_reply(code::kSmsCodeRequired);
      if (auto bad = check_code(f.phone, contract::SmsPurpose::Login,
                                c.body["sms_code"].get_ref<const std::string&>(), c.now)) {
        record_failure(c, keys);
        return *bad;
      }
      if (account && !account->pw_is_default) {
        record_failure(c, keys);
        return error_reply(code::kLoginFailed);
      }
      Account a = account ? *account : find_or_create_account(f.phone, c.now);
      clear_failures(c, f.phone, f.session);
      return new_session(c, a, true);
    }
    // Unknown phones cost the same hashing as known ones.
    bool ok = account ? password_matches(*account, password)
                      : (pbkdf2(password, Bytes(16, 0), opt.pbkdf2_iterations), false);
    if (!ok) {
      record_failure(c, keys);
      return error_reply(code::kLoginFailed);
    }
    clear_failures(c, f.phone, f.session);
    return new_session(c, *account, false);
  }

  Reply h_login_sms(Ctx& c) {
    auto f = login_fields(c, {"code"});
    if (!f) return error_reply(code::kBadRequest, "phone and code are strings");
    Reply r = [&] {
      if (!phone_valid(f->phone)) return error_reply(code::kPhoneInvalid);
      auto keys = throttle_keys(c, f->phone, f->session);
      if (auto t = throttled(c, keys)) return *t;
      if (auto bad = check_code(f->phone, contract::SmsPurpose::Login,
                                c.body["code"].get_ref<const std::string&>(), c.now)) {
        record_failure(c, keys);
        return *bad;
      }
      clear_failures(c, f->phone, f->session);
      return new_session(c, find_or_create_account(f->phone, c.now), false);
    }();
    wipe(c.body, "code");
    return r;
  }

  Res<SessionRow> session_of(const Ctx& c, bool allow_must_change) {
    std::string auth = c.req.get_header_value("Authorization");
    if (!auth.starts_with("Bearer ")) return std::unexpected(error_reply(code::kSessionInvalid));
    Stmt q(db,
           "SELECT token_hash, account_id, expires_at, must_change FROM sessions WHERE token_hash=? AND "
           "expires_at>?");
    q.bind(hex_sha256(auth.substr(7)), c.now);
    if (!q.row()) return std::unexpected(error_reply(code::kSessionInvalid));
    SessionRow s{q.text(0), q.text(1), q.i64(2), q.i64(3) != 0};
    if (s.must_change && !allow_must_change) return std::unexpected(error_reply(code::kMustChangePassword));
    return s;
  }

  Reply h_logout(Ctx& c) {
    auto s = session_of(c, true);
    if (!s) return s.error();
    Stmt(db, "DELETE FROM sessions WHERE token_hash=?").bind(s->token_hash).run();
    return {200, Json::object()};
  }

  Reply profile_reply(std::string_view account_id) {
    auto a = account_by("id", account_id);
    if (!a) return error_reply(code::kSessionInvalid);
    return {200, contract::encode(contract::Profile{a->id, a->username, "普通用户", a->real_name, a->phone,
                                                    a->email, a->registered_at})};
  }

  Reply h_profile_get(Ctx& c) {
    auto s = session_of(c, false);
    if (!s) return s.error();
    return profile_reply(s->account_id);
  }

  Reply h_profile_put(Ctx& c) {
    auto s = session_of(c, false);
    if (!s) return s.error();
    auto req = body_as<contract::ProfileUpdate>(c);
    if (!req) return req.error();
    if (req->real_name && !real_name_valid(*req->real_name)) return error_reply(code::kRealNameInvalid);
    if (req->email && !req->email->empty() && !email_valid(*req->email))
      return error_reply(code::kEmailInvalid);
    if (req->new_phone) {
      if (!phone_valid(*req->new_phone)) return error_reply(code::kPhoneInvalid);
      auto proved = req->phone_verification_token ? verified_phone(*req->phone_verification_token,
                                                                   contract::SmsPurpose::ChangePhone, c.now)
                                                  : std::nullopt;
      if (!proved || *proved != *req->new_phone) return error_reply(code::kPhoneUnverified);
      auto other = account_by("phone", *req->new_phone);
      if (other && other->id != s->account_id) return error_reply(code::kPhoneInUse);
    }
    if (req->real_name)
      Stmt(db, "UPDATE accounts SET real_name=? WHERE id=?").bind(*req->real_name, s->account_id).run();
    if (req->email) Stmt(db, "UPDATE accounts SET email=? WHERE id=?").bind(*req->email, s->account_id).run();
    if (req->new_phone)
      Stmt(db, "UPDATE accounts SET phone=? WHERE id=?").bind(*req->new_phone, s->account_id).run();
    return profile_reply(s->account_id);
  }

  Reply h_password(Ctx& c) {
    auto s = session_of(c, true);
    if (!s) return s.error();
    if (!c.body.is_object() || !c.body.contains("current") || !c.body["current"].is_string() ||
        !c.body.contains("new") || !c.body["new"].is_string())
      return error_reply(code::kBadRequest, "current and new are strings");
    Reply r = [&] {
      const std::string& current = c.body["current"].get_ref<const std::string&>();
      const std::string& next = c.body["new"].get_ref<const std::string&>();
      auto a = account_by("id", s->account_id);
      if (!a) return error_reply(code::kSessionInvalid);
      auto keys = throttle_keys(c, a->phone, {});
      if (auto t = throttled(c, keys)) return *t;
      if (!password_matches(*a, current)) {
        record_failure(c, keys);
        return error_reply(code::kPasswordWrong);
      }
      if (next.size() < 8) return error_reply(code::kPasswordTooShort);
      if (password_from_phone(next, a->phone)) return error_reply(code::kPasswordFromPhone);
      if (next == current) return error_reply(code::kPasswordSame);
      Bytes salt = random_bytes(16);
      Stmt(db, "UPDATE accounts SET pw_hash=?, pw_salt=?, pw_iterations=?, pw_is_default=0 WHERE id=?")
          .bind(pbkdf2(next, salt, opt.pbkdf2_iterations), salt, opt.pbkdf2_iterations, a->id)
          .run();
      Stmt(db, "UPDATE sessions SET must_change=0 WHERE account_id=?").bind(a->id).run();
      return Reply{200, Json::object()};
    }();
    wipe(c.body, "current");
    wipe(c.body, "new");
    return r;
  }

  // GET /v1/orders?old_cert_sha256=: the orders bound to a certificate, newest first. A kiosk that
  // stopped after creating an order but before recording its id finds it again here.
  Reply h_orders_by_certificate(Ctx& c) {
    std::string fp = c.req.get_param_value("old_cert_sha256");
    if (fp.size() != 64 || !std::all_of(fp.begin(), fp.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) && !std::isupper(static_cast<unsigned char>(ch)); }))
      return error_reply(code::kBadRequest, "old_cert_sha256: 64 lower-case hex digits");
    std::vector<std::string> ids;
    {
      Stmt q(db, "SELECT id FROM orders WHERE old_cert_sha256=? ORDER BY created_at DESC, rowid DESC LIMIT 50");
      q.bind(fp);
      while (q.row()) ids.push_back(q.text(0));
    }
    contract::BusinessList list;
    for (const auto& id : ids)
      if (auto o = load_order(id, c.now)) list.orders.push_back(std::move(*o));
    return {200, contract::encode(list)};
  }

  Reply h_business(Ctx& c) {
    auto s = session_of(c, false);
    if (!s) return s.error();
    std::vector<std::string> ids;
    {
      Stmt q(db, "SELECT id FROM orders WHERE account_id=? ORDER BY created_at DESC, rowid DESC LIMIT 200");
      q.bind(s->account_id);
      while (q.row()) ids.push_back(q.text(0));
    }
    contract::BusinessList list;
    for (const auto& id : ids)
      if (auto o = load_order(id, c.now)) list.orders.push_back(std::move(*o));
    return {200, contract::encode(list)};
  }

  // ---------------------------------------------------------------- handlers: kiosk
  Reply h_heartbeat(Ctx& c) {
    auto req = body_as<contract::Heartbeat>(c);
    if (!req) return req.error();
    Json health = Json::array();
    for (const auto& h : req->health) health.push_back(contract::encode(h));
    Stmt(db, "INSERT OR REPLACE INTO kiosks VALUES(?,?,?,?,?)")
        .bind(c.kiosk_id, c.now, req->software_version, req->config_version,
              health.dump(-1, ' ', false, Json::error_handler_t::replace))
        .run();
    return {200, contract::encode(contract::HeartbeatAck{c.kiosk_id, c.now, opt.config_version})};
  }

  Reply h_config(Ctx& c) {
    contract::KioskConfigPayload payload;
    payload.version = opt.config_version;
    payload.expires_at = c.now + 7 * 86400;
    payload.endpoints["platform"] = "https://" + opt.host + ":" + std::to_string(bound_port) + "/v1/";
    contract::SignedConfig sc;
    sc.payload = contract::encode(payload).dump();
    sc.signature = sign_sha256(config_key.get(), Bytes(sc.payload.begin(), sc.payload.end()));
    if (sc.signature.empty()) return error_reply(code::kConfigUnavailable);
    return {200, contract::encode(sc)};
  }

  // ---------------------------------------------------------------- handlers: dev
  Reply clock_reply(const Ctx&) {
    return {200,
            Json{{"now", now()}, {"offset_s", clock_offset.load()}, {"frozen", clock_frozen.load() >= 0}}};
  }
  Reply h_dev_clock_get(Ctx& c) { return clock_reply(c); }
  // {now[, freeze: true]} | {advance_s} | {reset: true}. A frozen clock stands still until advanced.
  Reply h_dev_clock_set(Ctx& c) {
    const Json& b = c.body;
    auto real = static_cast<std::int64_t>(std::time(nullptr));
    if (b.contains("now") && b["now"].is_number_integer()) {
      std::int64_t t = b["now"].get<std::int64_t>();
      bool freeze = b.contains("freeze") && b["freeze"] == true;
      clock_offset = t - real;
      clock_frozen = freeze ? t : -1;
    } else if (b.contains("advance_s") && b["advance_s"].is_number_integer()) {
      std::int64_t d = b["advance_s"].get<std::int64_t>();
      clock_offset += d;
      if (clock_frozen.load() >= 0) clock_frozen += d;
    } else if (b.contains("reset") && b["reset"] == true) {
      clock_offset = 0;
      clock_frozen = -1;
    } else {
      return error_reply(code::kBadRequest, "{now[, freeze: true]} or {advance_s} or {reset: true}");
    }
    order_changed.notify_all();
    return clock_reply(c);
  }
  Reply h_dev_test_phone(Ctx& c) {
    if (!c.body.contains("phone") || !c.body["phone"].is_string())
      return error_reply(code::kBadRequest, "{phone}");
    test_phones.insert(c.body["phone"].get<std::string>());
    return {200, Json::object()};
  }
  Reply h_dev_outbox(Ctx& c) {
    std::string phone = c.req.has_param("phone") ? c.req.get_param_value("phone") : std::string();
    Stmt q(
        db,
        "SELECT phone, purpose, code, at FROM sms_outbox WHERE ?='' OR phone=? ORDER BY id DESC LIMIT 100");
    q.bind(phone, phone);
    Json list = Json::array();
    while (q.row())
      list.insert(list.begin(),
                  Json{{"phone", q.text(0)}, {"purpose", q.text(1)}, {"code", q.text(2)}, {"at", q.i64(3)}});
    return {200, Json{{"messages", list}}};
  }
  Reply h_dev_seed(Ctx& c) {
    const Json& b = c.body;
    auto str = [&](const char* k) {
      return b.contains(k) && b[k].is_string() ? b[k].get<std::string>() : std::string();
    };
    std::string project = str("project"), brand = str("brand");
    if (!catalog.project(project) || !catalog.brand(brand))
      return error_reply(code::kBadRequest, "project and brand from the catalog");
    if (!b.contains("not_before") || !b["not_before"].is_number_integer() || !b.contains("not_after") ||
        !b["not_after"].is_number_integer())
      return error_reply(code::kBadRequest, "not_before and not_after (UNIX seconds)");
    std::string pk = str("public_key");
    Bytes pk_bytes;
    if (pk.find("-----BEGIN") != std::string::npos) {
      pk_bytes.assign(pk.begin(), pk.end());
    } else if (auto d = contract::base64_decode(pk)) {
      pk_bytes = *d;
    }
    EvpPkeyPtr key = parse_public_key(pk_bytes);
    if (!key)
      return error_reply(code::kBadRequest, "public_key: PEM text or base64 DER SubjectPublicKeyInfo");
    X509NamePtr name;
    if (auto der = contract::base64_decode(str("subject_der")); der && !der->empty()) {
      const unsigned char* p = der->data();
      name.reset(d2i_X509_NAME(nullptr, &p, static_cast<long>(der->size())));
      ERR_clear_error();
    } else if (b.contains("subject") && b["subject"].is_object()) {
      std::vector<std::pair<std::string, std::string>> fields;
      for (const char* k : {"C", "ST", "L", "O", "OU", "CN"})
        if (b["subject"].contains(k) && b["subject"][k].is_string())
          fields.push_back({k, b["subject"][k].get<std::string>()});
      name = make_name(fields);
    }
    if (!name) return error_reply(code::kBadRequest, "subject_der (base64) or subject {C, ST, L, O, OU, CN}");
    Bytes serial = random_bytes(16);
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);
    CertSpec s;
    s.subject = name.get();
    s.public_key = key.get();
    s.issuer = issuing_ca.get();
    s.issuer_key = issuing_key.get();
    s.serial = serial;
    s.not_before = b["not_before"].get<std::int64_t>();
    s.not_after = b["not_after"].get<std::int64_t>();
    X509Ptr cert = make_certificate(s);
    if (!cert) return error_reply(code::kBadRequest, "cannot issue with these fields");
    Bytes der = der_of(cert.get());
    std::string serial_hex = contract::hex_encode(serial);
    std::string fp = contract::hex_encode(sha256(der));
    Stmt(db,
         "INSERT INTO customer_certs(serial, sha256, der, project, brand, not_before, not_after, key_type) "
         "VALUES(?,?,?,?,?,?,?,?)")
        .bind(serial_hex, fp, der, project, brand, s.not_before, s.not_after, key_type_of(key.get()))
        .run();
    return {200, Json{{"certificate", contract::base64_encode(der)},
                      {"serial", serial_hex},
                      {"sha256", fp},
                      {"chain", Json::array({contract::base64_encode(der_of(issuing_ca.get()))})}}};
  }
  Reply h_dev_revoke(Ctx& c) {
    Stmt(db, "UPDATE customer_certs SET revoked=1 WHERE serial=?").bind(c.param()).run();
    if (db.changes() == 0) return error_reply(code::kCertificateUnknown);
    return {200, Json::object()};
  }
  Reply h_dev_fault_set(Ctx& c) {
    const Json& b = c.body;
    if (!b.contains("endpoint") || !b["endpoint"].is_string() || !b.contains("mode") ||
        !b["mode"].is_string())
      return error_reply(code::kBadRequest, "{endpoint, mode: fail|drop|delay, count, delay_ms}");
    Fault f;
    f.mode = b["mode"].get<std::string>();
    if (f.mode != "fail" && f.mode != "drop" && f.mode != "delay")
      return error_reply(code::kBadRequest, "mode: fail|drop|delay");
    f.remaining = b.contains("count") && b["count"].is_number_integer() ? b["count"].get<int>() : 1;
    f.delay_ms = b.contains("delay_ms") && b["delay_ms"].is_number_integer() ? b["delay_ms"].get<int>() : 0;
    if (f.remaining < 1 || f.delay_ms < 0 || f.delay_ms > 120000)
      return error_reply(code::kBadRequest, "count ≥ 1, delay_ms 0-120000");
    std::lock_guard l(faults_mu);
    faults[b["endpoint"].get<std::string>()] = f;
    return {200, Json::object()};
  }
  Reply h_dev_fault_clear(Ctx&) {
    std::lock_guard l(faults_mu);
    faults.clear();
    return {200, Json::object()};
  }
  Reply h_dev_records(Ctx& c) {
    std::string fp =
        c.req.has_param("old_cert_sha256") ? c.req.get_param_value("old_cert_sha256") : std::string();
    Json orders = Json::array(), issuances = Json::array(), payments = Json::array();
    Stmt q(db,
           "SELECT o.id, o.status, o.old_cert_sha256, o.amount_fen, o.account_id, o.kiosk_id, "
           "(SELECT count(*) FROM issuances i WHERE i.order_id=o.id), "
           "(SELECT count(*) FROM payments p WHERE p.order_id=o.id) FROM orders o "
           "WHERE ?='' OR o.old_cert_sha256=? ORDER BY o.created_at, o.rowid");
    q.bind(fp, fp);
    std::set<std::string> ids;
    while (q.row()) {
      ids.insert(q.text(0));
      orders.push_back({{"id", q.text(0)},
                        {"status", q.text(1)},
                        {"old_cert_sha256", q.text(2)},
                        {"amount_fen", q.i64(3)},
                        {"account_id", q.text(4)},
                        {"kiosk_id", q.text(5)},
                        {"issuances", q.i64(6)},
                        {"payments", q.i64(7)}});
    }
    Stmt qi(db, "SELECT order_id, serial, not_before, not_after, at FROM issuances ORDER BY id");
    while (qi.row())
      if (fp.empty() || ids.contains(qi.text(0)))
        issuances.push_back({{"order_id", qi.text(0)},
                             {"serial", qi.text(1)},
                             {"not_before", qi.i64(2)},
                             {"not_after", qi.i64(3)},
                             {"at", qi.i64(4)}});
    Stmt qp(db, "SELECT order_id, amount_fen, method, at FROM payments ORDER BY id");
    while (qp.row())
      if (fp.empty() || ids.contains(qp.text(0)))
        payments.push_back(
            {{"order_id", qp.text(0)}, {"amount_fen", qp.i64(1)}, {"method", qp.text(2)}, {"at", qp.i64(3)}});
    return {200, Json{{"orders", orders}, {"issuances", issuances}, {"payments", payments}}};
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() {
  stop();
}
void Server::start() {
  impl_->start();
}
void Server::stop() {
  impl_->stop();
}
std::uint16_t Server::port() const {
  return static_cast<std::uint16_t>(impl_->bound_port);
}
std::string Server::base_url() const {
  return "https://" + impl_->opt.host + ":" + std::to_string(impl_->bound_port) + "/v1/";
}
const DevPkiPaths& Server::pki() const {
  return impl_->pki;
}

}  // namespace reference
