// The journal's businesses and steps, its schema and its migrations (the audit chain is audit.cpp's, the
// outbox outbox.cpp's).
#include "journal/journal.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <vector>

#include "journal_impl.hpp"
#include "domain/account.hpp"
#include "foundation/c_handle.hpp"
#include "foundation/clock.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"

namespace journal {
namespace detail {

Error sql_error(sqlite3* db, int rc, ErrorCode code) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::Corrupt;
      break;
    case SQLITE_FULL:
      code = ErrorCode::Full;
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      code = ErrorCode::ReadOnly;
      break;
    default:
      break;
  }
  // SQLite reports a full disk met while growing its shared-memory index as an I/O error: the errno
  // behind it says what it was.
  if (db && code == ErrorCode::Io) {
    const int e = sqlite3_system_errno(db);
    if (e == ENOSPC || e == EDQUOT) code = ErrorCode::Full;
    if (e == EROFS || e == EACCES || e == EPERM) code = ErrorCode::ReadOnly;
  }
  return Error{code, rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string{};
}

}  // namespace detail

namespace {

using detail::column_text;
using detail::Impl;
using detail::sql_error;

// Schema migrations, applied in order; PRAGMA user_version is the number applied. Never edit one that
// has shipped: add the next.
constexpr std::array<const char*, 4> kMigrations{
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
    // 2: the outbox, messages the platform must receive (outbox.cpp).
    R"sql(
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      business_id INTEGER NOT NULL REFERENCES business(id),
      order_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      body TEXT NOT NULL,
      idempotency_key TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending','delivered','refused')),
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_attempt_at INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      last_error TEXT NOT NULL DEFAULT '',
      done_at INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX outbox_state ON outbox(state, business_id, id);
    )sql",
    // 3: retention (audit.cpp's prune): the audit's oldest entries may go once a checkpoint carries the hash
    // of the last of them; nothing else may delete an entry, and the checkpoint only moves forward.
    R"sql(
    CREATE TABLE audit_checkpoint (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      through_seq INTEGER NOT NULL,
      hash BLOB NOT NULL,
      at INTEGER NOT NULL);
    DROP TRIGGER audit_no_delete;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
      WHEN OLD.seq > COALESCE((SELECT through_seq FROM audit_checkpoint WHERE id = 1), 0)
      BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_checkpoint_forward BEFORE UPDATE ON audit_checkpoint
      WHEN NEW.through_seq <= OLD.through_seq
      BEGIN SELECT RAISE(ABORT, 'the audit checkpoint only moves forward'); END;
    CREATE TRIGGER audit_checkpoint_stays BEFORE DELETE ON audit_checkpoint
      BEGIN SELECT RAISE(ABORT, 'the audit checkpoint stays'); END;
    )sql",
    // 4: staff handed a business to the counter (hand_to_counter): when, and their note.
    R"sql(
    ALTER TABLE business ADD COLUMN counter_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE business ADD COLUMN counter_note TEXT NOT NULL DEFAULT '';
    )sql",
};

constexpr const char* kBusinessColumns =
    "id, kind, product_id, years, phone_masked, cert_fingerprint, token_manufacturer, token_model, "
    "token_serial, "
    "order_id, status, last_step, last_phase, needs_staff_reason, created_at, updated_at, counter_at, "
    "counter_note";

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
  b.counter_at = sqlite3_column_int64(s, 16);
  b.counter_note = column_text(s, 17);
  return b;
}

}  // namespace

namespace detail {

Result<std::vector<Business>> Impl::businesses(const std::string& where, std::string_view arg, bool has_arg) {
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

}  // namespace detail

std::string_view Error::message_key() const {
  switch (code) {
    case ErrorCode::Corrupt:
    case ErrorCode::Chain:
      return "error.journal.damaged";
    case ErrorCode::TooNew:
      return "error.journal.too_new";
    case ErrorCode::Full:
      return "error.journal.full";
    case ErrorCode::ReadOnly:
      return "error.journal.read_only";
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

Journal::Journal() : impl_(std::make_unique<Impl>()) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

void Journal::set_clock(std::int64_t (*now)()) { impl_->now = now ? now : foundation::unix_seconds_now; }

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
  Journal j;
  j.impl_->db = db;
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

Result<void> Journal::atomically(const std::function<Result<void>()>& f) {
  return impl_->transaction([&]() -> Result<void> { return f(); });
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
    if (auto a = impl_->append_audit(id, "business.begin", data); !a) return std::unexpected(a.error());
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
    return impl_->append_audit(business, type, data);
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
    return impl_->append_audit(business, "business.status", data);
  });
}

Result<void> Journal::hand_to_counter(std::int64_t business, std::string_view actor, std::string_view note) {
  const std::string masked = domain::mask_phones(note);
  return impl_->transaction([&]() -> Result<void> {
    if (auto r = impl_->run("UPDATE business SET counter_at=?, counter_note=?, updated_at=? WHERE id=?",
                            impl_->now(), masked, impl_->now(), business);
        !r)
      return r;
    if (sqlite3_changes(impl_->db) == 0)
      return std::unexpected(Error{ErrorCode::NotFound, 0, "no business " + std::to_string(business)});
    return staff_action(actor, "hand_to_counter", nlohmann::json{{"note", masked}}.dump(), business);
  });
}

Result<void> Journal::set_order(std::int64_t business, std::string_view order_id) {
  return impl_->transaction([&]() -> Result<void> {
    if (auto r = impl_->run("UPDATE business SET order_id=?, updated_at=? WHERE id=?", order_id, impl_->now(),
                            business);
        !r)
      return r;
    return impl_->append_audit(business, "business.order", nlohmann::json{{"order", order_id}}.dump());
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

}  // namespace journal
