// The audit table: an append-only SHA-256 hash chain over every write (triggers refuse UPDATE and DELETE),
// walked by verify_chain; integrity_check.
#include <cstring>

#include "foundation/hex.hpp"
#include "journal_impl.hpp"

namespace journal {
namespace detail {

Hash chain_hash(const Hash& prev, std::int64_t seq, std::int64_t at, std::int64_t business,
                std::string_view type, std::string_view data) {
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

Result<Hash> Impl::last_hash() {
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

Result<void> Impl::append_audit(std::int64_t business, std::string_view type, std::string_view data) {
  auto prev = last_hash();
  if (!prev) return std::unexpected(prev.error());
  auto seq = scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM audit");
  if (!seq) return std::unexpected(seq.error());
  const std::int64_t at = now();
  Hash h = chain_hash(*prev, *seq, at, business, type, data);
  return run("INSERT INTO audit(seq, at, business_id, type, data, prev_hash, hash) VALUES(?,?,?,?,?,?,?)",
             *seq, at, business, type, data, *prev, h);
}

}  // namespace detail

using detail::column_text;
using detail::Hash;
using detail::sql_error;

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
      return std::unexpected(
          Error{ErrorCode::Chain, 0, std::string(what) + " at audit entry " + std::to_string(seq)});
    };
    if (seq != expect_seq) return bad("a gap in the sequence");
    if (sqlite3_column_bytes(st, 5) != 32 || sqlite3_column_bytes(st, 6) != 32)
      return bad("a malformed hash");
    if (std::memcmp(sqlite3_column_blob(st, 5), prev.data(), 32) != 0) return bad("a broken link");
    Hash h = detail::chain_hash(prev, seq, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                                column_text(st, 3), column_text(st, 4));
    if (std::memcmp(sqlite3_column_blob(st, 6), h.data(), 32) != 0) return bad("altered content");
    prev = h;
    ++n;
    ++expect_seq;
  }
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl_->db, rc));
  return n;
}

Result<std::vector<AuditEntry>> Journal::audit_tail(int limit) {
  auto s = impl_->statement(
      "SELECT seq, at, business_id, type, data, hash FROM audit ORDER BY seq DESC LIMIT ?", limit);
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
