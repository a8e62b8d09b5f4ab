#include "journal/journal.hpp"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <vector>

#include "domain/account.hpp"
#include "foundation/c_handle.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"

namespace journal {
namespace {

using StmtPtr = foundation::CPtr<sqlite3_stmt, sqlite3_finalize>;

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Schema migrations, applied in order; PRAGMA user_version is the number applied. Never edit one that
// has shipped: add the next.
constexpr std::array<const char*, 1> kMigrations{
    R"sql(
    CREATE TABLE business (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      product_id TEXT NOT NULL,
      years INTEGER NOT NULL,
      phone_masked TEXT NOT NULL,
      cert_fingerprint TEXT NOT NULL,
      token_manufacturer TEXT NOT NULL,
      token_model TEXT NOT NULL,
      token_serial TEXT NOT NULL,
      order_id TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL,
      last_step TEXT NOT NULL DEFAULT '',
      last_phase TEXT NOT NULL DEFAULT '',
      needs_staff_reason TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL);
    CREATE INDEX business_order ON business(order_id);
    CREATE INDEX business_cert ON business(cert_fingerprint);
    CREATE INDEX business_status ON business(status);
    CREATE TABLE step (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      business_id INTEGER NOT NULL REFERENCES business(id),
      name TEXT NOT NULL,
      phase TEXT NOT NULL CHECK (phase IN ('intent','done','failed')),
      data TEXT NOT NULL,
      at INTEGER NOT NULL);
    CREATE INDEX step_business ON step(business_id);
    CREATE TABLE business_data (
      business_id INTEGER NOT NULL REFERENCES business(id),
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (business_id, key));
    CREATE TABLE audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      business_id INTEGER NOT NULL,
      type TEXT NOT NULL,
      data TEXT NOT NULL,
      prev_hash BLOB NOT NULL,
      hash BLOB NOT NULL);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    )sql",
};

Error sql_error(sqlite3* db, int rc, ErrorCode code = ErrorCode::Io) {
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) code = ErrorCode::Corrupt;
  return Error{code, rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

using Hash = foundation::Sha256;

// hash = SHA-256(prev_hash ‖ seq ‖ at ‖ business ‖ type ‖ 0 ‖ data), integers as 8 big-endian bytes.
Hash chain_hash(const Hash& prev, std::int64_t seq, std::int64_t at, std::int64_t business, std::string_view type,
                std::string_view data) {
  std::vector<std::uint8_t> m(prev.begin(), prev.end());
  m.reserve(prev.size() + 3 * 8 + type.size() + 1 + data.size());
  for (std::int64_t v : {seq, at, business}) {
    auto u = static_cast<std::uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) m.push_back(static_cast<std::uint8_t>((u >> shift) & 0xff));
  }
  m.insert(m.end(), type.begin(), type.end());
  m.push_back(0);
  m.insert(m.end(), data.begin(), data.end());
  return foundation::sha256(m);
}

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string{};
}

constexpr const char* kBusinessColumns =
    "id, kind, product_id, years, phone_masked, cert_fingerprint, token_manufacturer, token_model, token_serial, "
    "order_id, status, last_step, last_phase, needs_staff_reason, created_at, updated_at";

Business read_business(sqlite3_stmt* s) {
  Business b;
  b.id = sqlite3_column_int64(s, 0);
  b.kind = column_text(s, 1);
  b.product_id = column_text(s, 2);
  b.years = sqlite3_column_int(s, 3);
  b.phone_masked = column_text(s, 4);
  b.cert_fingerprint = column_text(s, 5);
  b.token_manufacturer = column_text(s, 6);
  b.token_model = column_text(s, 7);
  b.token_serial = column_text(s, 8);
  b.order_id = column_text(s, 9);
  b.status = status_from_string(column_text(s, 10)).value_or(Status::Open);
  b.last_step = column_text(s, 11);
  b.last_phase = column_text(s, 12);
  b.needs_staff_reason = column_text(s, 13);
  b.created_at = sqlite3_column_int64(s, 14);
  b.updated_at = sqlite3_column_int64(s, 15);
  return b;
}

}  // namespace

struct Journal::Impl {
  sqlite3* db = nullptr;
  std::int64_t (*now)() = system_now;

  ~Impl() {
    if (db) sqlite3_close_v2(db);
  }

  Result<StmtPtr> prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(sql_error(db, rc));
    return StmtPtr(s);
  }

  Result<void> exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = sql_error(db, rc);
      if (err) {
        e.detail = err;
        sqlite3_free(err);
      }
      return std::unexpected(e);
    }
    return {};
  }

  static void bind(sqlite3_stmt* s, int i, std::string_view v) {
    // An empty string_view may have a null data(): bind "" (SQLite would store NULL).
    sqlite3_bind_text(s, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  static void bind(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
  static void bind(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int(s, i, v); }
  static void bind(sqlite3_stmt* s, int i, const Hash& h) {
    sqlite3_bind_blob(s, i, h.data(), static_cast<int>(h.size()), SQLITE_TRANSIENT);
  }

  template <typename... A>
  Result<StmtPtr> statement(const char* sql, const A&... args) {
    auto s = prepare(sql);
    if (!s) return s;
    int i = 1;
    (bind(s->get(), i++, args), ...);
    return s;
  }

  // Runs a statement that returns no rows.
  template <typename... A>
  Result<void> run(const char* sql, const A&... args) {
    auto s = statement(sql, args...);
    if (!s) return std::unexpected(s.error());
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_DONE) return std::unexpected(sql_error(db, rc));
    return {};
  }

  // BEGIN IMMEDIATE … COMMIT around f; ROLLBACK when f or the commit fails.
  template <typename F>
  auto transaction(F&& f) -> decltype(f()) {
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
    auto result = f();
    if (!result) {
      (void)exec("ROLLBACK");
      return result;
    }
    if (auto r = exec("COMMIT"); !r) {
      (void)exec("ROLLBACK");
      return std::unexpected(r.error());
    }
    return result;
  }

  Result<Hash> last_hash() {
    auto s = prepare("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (!s) return std::unexpected(s.error());
    Hash h{};
    int rc = sqlite3_step(s->get());
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_bytes(s->get(), 0) != static_cast<int>(h.size()))
        return std::unexpected(Error{ErrorCode::Chain, 0, "audit hash has the wrong length"});
      std::memcpy(h.data(), sqlite3_column_blob(s->get(), 0), h.size());
    } else if (rc != SQLITE_DONE) {
      return std::unexpected(sql_error(db, rc));
    }
    return h;
  }

  Result<std::vector<Business>> businesses(const char* where, std::string_view arg, bool has_arg) {
    std::string sql = std::string("SELECT ") + kBusinessColumns + " FROM business " + where;
    auto s = prepare(sql.c_str());
    if (!s) return std::unexpected(s.error());
    if (has_arg) bind(s->get(), 1, arg);
    std::vector<Business> out;
    int rc;
    while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) out.push_back(read_business(s->get()));
    if (rc != SQLITE_DONE) return std::unexpected(sql_error(db, rc));
    return out;
  }
};

std::string_view Error::message_key() const {
  switch (code) {
    case ErrorCode::Corrupt:
    case ErrorCode::Chain:
      return "error.journal.damaged";
    case ErrorCode::TooNew:
      return "error.journal.too_new";
    default:
      return "error.journal.io";
  }
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Open: return "open";
    case Status::Paid: return "paid";
    case Status::Issued: return "issued";
    case Status::Installed: return "installed";
    case Status::Done: return "done";
    case Status::NeedsStaff: return "needs_staff";
    case Status::Closed: return "closed";
    case Status::Abandoned: return "abandoned";
  }
  return "open";
}

std::optional<Status> status_from_string(std::string_view s) {
  for (Status st : {Status::Open, Status::Paid, Status::Issued, Status::Installed, Status::Done, Status::NeedsStaff,
                    Status::Closed, Status::Abandoned})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

bool unfinished(Status s) {
  return s == Status::Paid || s == Status::Issued || s == Status::Installed || s == Status::NeedsStaff;
}

Journal::Journal(sqlite3* db) : impl_(std::make_unique<Impl>()) { impl_->db = db; }
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

void Journal::set_clock(std::int64_t (*now)()) { impl_->now = now ? now : system_now; }

Result<Journal> Journal::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    Error e = sql_error(db, rc, ErrorCode::CannotOpen);
    sqlite3_close_v2(db);
    return std::unexpected(e);
  }
  Journal j(db);
  sqlite3_busy_timeout(db, 5000);
  // WAL + FULL: a committed step survives a power cut; foreign keys keep steps tied to a business.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
    if (auto r = j.impl_->exec(pragma); !r) return std::unexpected(r.error());

  auto v = j.impl_->prepare("PRAGMA user_version");
  if (!v) return std::unexpected(v.error());
  if (int step_rc = sqlite3_step(v->get()); step_rc != SQLITE_ROW) return std::unexpected(sql_error(db, step_rc));
  const int version = sqlite3_column_int(v->get(), 0);
  v->reset();
  if (version > static_cast<int>(kMigrations.size()))
    return std::unexpected(Error{ErrorCode::TooNew, 0,
                                 "journal schema " + std::to_string(version) + " is newer than this software's " +
                                     std::to_string(kMigrations.size())});
  for (auto i = static_cast<std::size_t>(version); i < kMigrations.size(); ++i) {
    auto r = j.impl_->transaction([&]() -> Result<void> {
      if (auto e = j.impl_->exec(kMigrations[i]); !e) return e;
      std::string set = "PRAGMA user_version=" + std::to_string(i + 1);
      return j.impl_->exec(set.c_str());
    });
    if (!r) return std::unexpected(r.error());
  }
  return j;
}

Result<void> Journal::append_audit(std::int64_t business, std::string_view type, std::string_view data) {
  auto prev = impl_->last_hash();
  if (!prev) return std::unexpected(prev.error());
  auto seq_stmt = impl_->prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM audit");
  if (!seq_stmt) return std::unexpected(seq_stmt.error());
  if (int rc = sqlite3_step(seq_stmt->get()); rc != SQLITE_ROW) return std::unexpected(sql_error(impl_->db, rc));
  const std::int64_t seq = sqlite3_column_int64(seq_stmt->get(), 0);
  const std::int64_t at = impl_->now();
  Hash h = chain_hash(*prev, seq, at, business, type, data);
  return impl_->run("INSERT INTO audit(seq, at, business_id, type, data, prev_hash, hash) VALUES(?,?,?,?,?,?,?)",
                    seq, at, business, type, data, *prev, h);
}

Result<std::int64_t> Journal::begin(const BusinessStart& b) {
  return impl_->transaction([&]() -> Result<std::int64_t> {
    const std::int64_t at = impl_->now();
    auto r = impl_->run(
        "INSERT INTO business(kind, product_id, years, phone_masked, cert_fingerprint, token_manufacturer, "
        "token_model, token_serial, status, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        b.kind, b.product_id, b.years, domain::mask_phone(b.phone), b.cert_fingerprint, b.token_manufacturer,
        b.token_model, b.token_serial, to_string(Status::Open), at, at);
    if (!r) return std::unexpected(r.error());
    const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
    std::string data = nlohmann::json{{"product", b.product_id},
                                      {"years", b.years},
                                      {"phone", domain::mask_phone(b.phone)},
                                      {"cert", b.cert_fingerprint}}
                           .dump();
    if (auto a = append_audit(id, "business.begin", data); !a) return std::unexpected(a.error());
    return id;
  });
}

Result<void> Journal::step(std::int64_t business, std::string_view name, std::string_view phase,
                           std::string_view data) {
  return impl_->transaction([&]() -> Result<void> {
    const std::int64_t at = impl_->now();
    if (auto r = impl_->run("INSERT INTO step(business_id, name, phase, data, at) VALUES(?,?,?,?,?)", business, name,
                            phase, data, at);
        !r)
      return r;
    if (auto r = impl_->run("UPDATE business SET last_step=?, last_phase=?, updated_at=? WHERE id=?", name, phase,
                            at, business);
        !r)
      return r;
    std::string type = "step." + std::string(name) + "." + std::string(phase);
    return append_audit(business, type, data);
  });
}

Result<void> Journal::intent(std::int64_t b, std::string_view s, std::string_view d) { return step(b, s, "intent", d); }
Result<void> Journal::done(std::int64_t b, std::string_view s, std::string_view d) { return step(b, s, "done", d); }
Result<void> Journal::failed(std::int64_t b, std::string_view s, std::string_view d) { return step(b, s, "failed", d); }

Result<void> Journal::set_status(std::int64_t business, Status s, std::string_view reason) {
  return impl_->transaction([&]() -> Result<void> {
    if (auto r = impl_->run("UPDATE business SET status=?, needs_staff_reason=?, updated_at=? WHERE id=?",
                            to_string(s), reason, impl_->now(), business);
        !r)
      return r;
    if (sqlite3_changes(impl_->db) == 0)
      return std::unexpected(Error{ErrorCode::NotFound, 0, "no business " + std::to_string(business)});
    std::string data = nlohmann::json{{"status", to_string(s)}, {"reason", reason}}.dump();
    return append_audit(business, "business.status", data);
  });
}

Result<void> Journal::set_order(std::int64_t business, std::string_view order_id) {
  return impl_->transaction([&]() -> Result<void> {
    if (auto r = impl_->run("UPDATE business SET order_id=?, updated_at=? WHERE id=?", order_id, impl_->now(),
                            business);
        !r)
      return r;
    return append_audit(business, "business.order", nlohmann::json{{"order", order_id}}.dump());
  });
}

Result<void> Journal::put(std::int64_t business, std::string_view key, std::string_view value) {
  return impl_->run("INSERT INTO business_data(business_id, key, value) VALUES(?,?,?) "
                    "ON CONFLICT(business_id, key) DO UPDATE SET value=excluded.value",
                    business, key, value);
}

Result<std::optional<std::string>> Journal::get(std::int64_t business, std::string_view key) {
  auto s = impl_->statement("SELECT value FROM business_data WHERE business_id=? AND key=?", business, key);
  if (!s) return std::unexpected(s.error());
  int rc = sqlite3_step(s->get());
  if (rc == SQLITE_ROW) return std::optional<std::string>(column_text(s->get(), 0));
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl_->db, rc));
  return std::optional<std::string>{};
}

Result<Business> Journal::business(std::int64_t id) {
  auto all = impl_->businesses("WHERE id=?", std::to_string(id), true);
  if (!all) return std::unexpected(all.error());
  if (all->empty()) return std::unexpected(Error{ErrorCode::NotFound, 0, "no business " + std::to_string(id)});
  return std::move(all->front());
}

Result<std::optional<Business>> Journal::by_order(std::string_view order_id) {
  auto all = impl_->businesses("WHERE order_id=? ORDER BY id DESC LIMIT 1", order_id, true);
  if (!all) return std::unexpected(all.error());
  if (all->empty()) return std::optional<Business>{};
  return std::optional<Business>(std::move(all->front()));
}

Result<std::vector<Business>> Journal::by_certificate(std::string_view fp) {
  return impl_->businesses("WHERE cert_fingerprint=? ORDER BY id DESC", fp, true);
}

Result<std::vector<Business>> Journal::unfinished_businesses() {
  return impl_->businesses("WHERE status IN ('paid','issued','installed','needs_staff') ORDER BY id", {}, false);
}

Result<std::vector<Business>> Journal::recent(int limit) {
  std::string where = "ORDER BY id DESC LIMIT " + std::to_string(limit);
  return impl_->businesses(where.c_str(), {}, false);
}

Result<std::vector<Step>> Journal::steps(std::int64_t business) {
  auto s = impl_->statement("SELECT id, name, phase, data, at FROM step WHERE business_id=? ORDER BY id", business);
  if (!s) return std::unexpected(s.error());
  std::vector<Step> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(s->get(), 0), column_text(s->get(), 1), column_text(s->get(), 2),
                   column_text(s->get(), 3), sqlite3_column_int64(s->get(), 4)});
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl_->db, rc));
  return out;
}

Result<std::int64_t> Journal::verify_chain() {
  auto s = impl_->prepare("SELECT seq, at, business_id, type, data, prev_hash, hash FROM audit ORDER BY seq");
  if (!s) return std::unexpected(s.error());
  Hash prev{};
  std::int64_t n = 0, expect_seq = 1;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
    sqlite3_stmt* st = s->get();
    const std::int64_t seq = sqlite3_column_int64(st, 0);
    auto bad = [&](const char* what) {
      return std::unexpected(Error{ErrorCode::Chain, 0, std::string(what) + " at audit entry " + std::to_string(seq)});
    };
    if (seq != expect_seq) return bad("a gap in the sequence");
    if (sqlite3_column_bytes(st, 5) != 32 || sqlite3_column_bytes(st, 6) != 32) return bad("a malformed hash");
    if (std::memcmp(sqlite3_column_blob(st, 5), prev.data(), 32) != 0) return bad("a broken link");
    Hash h = chain_hash(prev, seq, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), column_text(st, 3),
                        column_text(st, 4));
    if (std::memcmp(sqlite3_column_blob(st, 6), h.data(), 32) != 0) return bad("altered content");
    prev = h;
    ++n;
    ++expect_seq;
  }
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl_->db, rc));
  return n;
}

Result<std::vector<AuditEntry>> Journal::audit_tail(int limit) {
  auto s = impl_->statement("SELECT seq, at, business_id, type, data, hash FROM audit ORDER BY seq DESC LIMIT ?",
                            limit);
  if (!s) return std::unexpected(s.error());
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
    sqlite3_stmt* st = s->get();
    out.push_back({sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                   column_text(st, 3), column_text(st, 4),
                   foundation::hex_encode(static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 5)),
                                          static_cast<std::size_t>(sqlite3_column_bytes(st, 5)))});
  }
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl_->db, rc));
  return out;
}

Result<void> Journal::integrity_check() {
  auto s = impl_->prepare("PRAGMA integrity_check");
  if (!s) return std::unexpected(s.error());
  int rc = sqlite3_step(s->get());
  if (rc != SQLITE_ROW) return std::unexpected(sql_error(impl_->db, rc));
  std::string r = column_text(s->get(), 0);
  if (r != "ok") return std::unexpected(Error{ErrorCode::Corrupt, 0, r});
  return {};
}

}  // namespace journal
