// A small SQLite wrapper for the reference platform. Errors are values: a failed statement marks the
// Db as failed (with SQLite's message) and returns "no row"; the request wrapper checks Db::failed()
// once per request, rolls back and answers 500.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "contract/types.hpp"
#include "foundation/c_handle.hpp"

namespace reference {

class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { close(); }

  bool open(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &h_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK)
      return false;
    sqlite3_busy_timeout(h_, 5000);
    return true;
  }
  void close() {
    if (h_) sqlite3_close_v2(h_);
    h_ = nullptr;
  }
  bool exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(h_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      fail(err ? err : "exec failed");
      sqlite3_free(err);
      return false;
    }
    return true;
  }
  void fail(std::string_view why) {
    if (!failed_) error_ = std::string(why);
    failed_ = true;
  }
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  void reset_failure() {
    failed_ = false;
    error_.clear();
  }
  [[nodiscard]] sqlite3* handle() const { return h_; }
  [[nodiscard]] std::int64_t changes() const { return sqlite3_changes64(h_); }

 private:
  sqlite3* h_ = nullptr;
  bool failed_ = false;
  std::string error_;
};

class Stmt {
 public:
  Stmt(Db& db, const char* sql) : db_(db) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql, -1, &s, nullptr) != SQLITE_OK)
      db.fail(sqlite3_errmsg(db.handle()));
    s_.reset(s);
  }

  template <typename... A>
  Stmt& bind(const A&... args) {
    int i = 1;
    (bind_one(i++, args), ...);
    return *this;
  }

  // One step: true when a row is there.
  bool row() {
    if (!s_) return false;
    int rc = sqlite3_step(s_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.fail(sqlite3_errmsg(db_.handle()));
    return false;
  }
  void run() {
    while (row()) {
    }
  }

  std::int64_t i64(int c) const { return sqlite3_column_int64(s_.get(), c); }
  bool null(int c) const { return sqlite3_column_type(s_.get(), c) == SQLITE_NULL; }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(s_.get(), c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), c)))
             : std::string();
  }
  std::optional<std::string> opt_text(int c) const { return null(c) ? std::nullopt : std::optional(text(c)); }
  contract::Bytes blob(int c) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_.get(), c));
    auto n = static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), c));
    return p ? contract::Bytes(p, p + n) : contract::Bytes();
  }

 private:
  template <typename T>
  void bind_one(int i, const T& v) {
    if (!s_) return;
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      sqlite3_bind_null(s_.get(), i);
    } else if constexpr (std::is_same_v<T, bool>) {
      sqlite3_bind_int64(s_.get(), i, v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      sqlite3_bind_int64(s_.get(), i, static_cast<sqlite3_int64>(v));
    } else if constexpr (std::is_same_v<T, contract::Bytes>) {
      sqlite3_bind_blob64(s_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT);
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      if (v)
        bind_one(i, *v);
      else
        sqlite3_bind_null(s_.get(), i);
    } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
      if (v)
        bind_one(i, *v);
      else
        sqlite3_bind_null(s_.get(), i);
    } else {
      std::string_view s(v);
      sqlite3_bind_text64(s_.get(), i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }

  Db& db_;
  foundation::CPtr<sqlite3_stmt, sqlite3_finalize> s_;
};

}  // namespace reference
