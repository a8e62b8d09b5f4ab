// The journal's SQLite plumbing, shared by its parts: journal.cpp (businesses and steps), audit.cpp (the
// hash chain and its checkpoints), outbox.cpp (messages for the platform).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "foundation/clock.hpp"
#include "foundation/c_handle.hpp"
#include "foundation/sha256.hpp"
#include "journal/journal.hpp"

namespace journal::detail {

using StmtPtr = foundation::CPtr<sqlite3_stmt, sqlite3_finalize>;
using Hash = foundation::Sha256;

// A SQLite failure as the journal's error: a full disk, a read-only or missing folder and a damaged file
// each get their own code, so the kiosk can say which.
Error sql_error(sqlite3* db, int rc, ErrorCode code = ErrorCode::Io);

// hash = SHA-256(prev_hash ‖ seq ‖ at ‖ business ‖ type ‖ 0 ‖ data), integers as 8 big-endian bytes.
Hash chain_hash(const Hash& prev, std::int64_t seq, std::int64_t at, std::int64_t business,
                std::string_view type, std::string_view data);

std::string column_text(sqlite3_stmt* s, int i);

struct Impl {
  sqlite3* db = nullptr;
  std::int64_t (*now)() = foundation::unix_seconds_now;
  int depth = 0;  // open transactions: the outermost is BEGIN IMMEDIATE, inner ones are savepoints

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

  // One integer from a query (COUNT, MAX, ...).
  template <typename... A>
  Result<std::int64_t> scalar(const char* sql, const A&... args) {
    auto s = statement(sql, args...);
    if (!s) return std::unexpected(s.error());
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_ROW) return std::unexpected(sql_error(db, rc));
    return sqlite3_column_int64(s->get(), 0);
  }

  // f in a transaction, rolled back when f or the commit fails. The outermost is BEGIN IMMEDIATE … COMMIT;
  // one inside another is a savepoint, so several writes the runtime makes under one lock (a step's
  // outcome, its working data, the business's status, a message for the platform) commit together or not
  // at all.
  template <typename F>
  auto transaction(F&& f) -> decltype(f()) {
    const std::string sp = "j" + std::to_string(depth);
    const std::string open = depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT " + sp;
    if (auto r = exec(open.c_str()); !r) return std::unexpected(r.error());
    ++depth;
    auto result = f();
    --depth;
    if (!result) {
      if (depth == 0) {
        (void)exec("ROLLBACK");
      } else {
        (void)exec(("ROLLBACK TO " + sp).c_str());
        (void)exec(("RELEASE " + sp).c_str());
      }
      return result;
    }
    const std::string close = depth == 0 ? "COMMIT" : "RELEASE " + sp;
    if (auto r = exec(close.c_str()); !r) {
      if (depth == 0) (void)exec("ROLLBACK");
      return std::unexpected(r.error());
    }
    return result;
  }

  Result<Hash> last_hash();
  Result<void> append_audit(std::int64_t business, std::string_view type, std::string_view data);
  Result<std::vector<Business>> businesses(const std::string& where, std::string_view arg, bool has_arg);
};

}  // namespace journal::detail
