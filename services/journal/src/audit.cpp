// The audit table: an append-only SHA-256 hash chain over every write (triggers refuse UPDATE and DELETE),
// walked by verify_chain; retention (prune), which may remove the chain's head only behind a checkpoint
// that carries the hash of its last removed entry; integrity_check.
#include <cstring>
#include <nlohmann/json.hpp>

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
  // The newest entry's, or the checkpoint's when every entry behind it was pruned.
  auto s = prepare(
      "SELECT hash FROM (SELECT seq, hash FROM audit UNION ALL SELECT through_seq, hash FROM "
      "audit_checkpoint) "
      "ORDER BY seq DESC LIMIT 1");
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
  auto seq = scalar(
      "SELECT MAX(COALESCE((SELECT MAX(seq) FROM audit), 0), "
      "COALESCE((SELECT through_seq FROM audit_checkpoint WHERE id=1), 0)) + 1");
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

Result<std::int64_t> Journal::chain_start() {
  return impl_->scalar("SELECT COALESCE((SELECT through_seq FROM audit_checkpoint WHERE id=1), 0)");
}

Result<std::int64_t> Journal::verify_chain() {
  // From the checkpoint, if the head was pruned: its hash is what the first entry kept links to.
  Hash prev{};
  std::int64_t expect_seq = 1;
  {
    auto cp = impl_->prepare("SELECT through_seq, hash FROM audit_checkpoint WHERE id=1");
    if (!cp) return std::unexpected(cp.error());
    int rc = sqlite3_step(cp->get());
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_bytes(cp->get(), 1) != 32)
        return std::unexpected(Error{ErrorCode::Chain, 0, "a malformed checkpoint hash"});
      expect_seq = sqlite3_column_int64(cp->get(), 0) + 1;
      std::memcpy(prev.data(), sqlite3_column_blob(cp->get(), 1), 32);
    } else if (rc != SQLITE_DONE) {
      return std::unexpected(sql_error(impl_->db, rc));
    }
  }
  auto s = impl_->prepare("SELECT seq, at, business_id, type, data, prev_hash, hash FROM audit ORDER BY seq");
  if (!s) return std::unexpected(s.error());
  std::int64_t n = 0;
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

Result<Journal::Pruned> Journal::prune(std::int64_t before) {
  return impl_->transaction([&]() -> Result<Pruned> {
    Pruned p;
    // Owed to nobody: over, or never paid, or with the counter, and nothing waiting for the platform.
    const char* doomed =
        "SELECT id FROM business WHERE updated_at < ? AND (status IN ('done','closed','abandoned','open',"
        "'needs_staff') OR counter_at > 0) AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
        "outbox.business_id = business.id AND outbox.state = 'pending')";
    const std::string in = std::string("IN (") + doomed + ")";
    auto n = impl_->scalar(("SELECT COUNT(*) FROM business WHERE id " + in).c_str(), before);
    if (!n) return std::unexpected(n.error());
    p.businesses = *n;
    for (const char* table : {"step", "business_data", "outbox"}) {
      const std::string sql = std::string("DELETE FROM ") + table + " WHERE business_id " + in;
      if (auto r = impl_->run(sql.c_str(), before); !r) return std::unexpected(r.error());
    }
    if (auto r = impl_->run(("DELETE FROM business WHERE id " + in).c_str(), before); !r)
      return std::unexpected(r.error());

    // The chain's head, up to the first entry that is recent or of a business still kept.
    auto start = chain_start();
    if (!start) return std::unexpected(start.error());
    auto through = impl_->scalar(
        "SELECT COALESCE((SELECT MIN(seq) - 1 FROM audit WHERE at >= ? OR business_id IN (SELECT id FROM "
        "business)), (SELECT MAX(seq) FROM audit), 0)",
        before);
    if (!through) return std::unexpected(through.error());
    p.through_seq = *start;
    if (*through <= *start) return p;
    auto h = impl_->prepare("SELECT hash FROM audit WHERE seq=?");
    if (!h) return std::unexpected(h.error());
    detail::Impl::bind(h->get(), 1, *through);
    if (int rc = sqlite3_step(h->get()); rc != SQLITE_ROW || sqlite3_column_bytes(h->get(), 0) != 32)
      return std::unexpected(Error{ErrorCode::Chain, 0, "no audit entry " + std::to_string(*through)});
    Hash last{};
    std::memcpy(last.data(), sqlite3_column_blob(h->get(), 0), 32);
    h->reset();
    const std::int64_t at = impl_->now();
    if (auto r = impl_->run("INSERT INTO audit_checkpoint(id, through_seq, hash, at) VALUES(1,?,?,?) "
                            "ON CONFLICT(id) DO UPDATE SET through_seq=excluded.through_seq, "
                            "hash=excluded.hash, at=excluded.at",
                            *through, last, at);
        !r)
      return std::unexpected(r.error());
    if (auto r = impl_->run("DELETE FROM audit WHERE seq <= ?", *through); !r)
      return std::unexpected(r.error());
    p.audit_entries = sqlite3_changes(impl_->db);
    p.through_seq = *through;
    const std::string data = nlohmann::json{
        {"through_seq", *through},
        {"hash", foundation::hex_encode(last.data(), last.size())},
        {"businesses", p.businesses},
        {"audit_entries", p.audit_entries},
        {"before", before}}.dump();
    if (auto r = impl_->append_audit(0, "journal.pruned", data); !r) return std::unexpected(r.error());
    return p;
  });
}

Result<void> Journal::staff_action(std::string_view actor, std::string_view action, std::string_view detail,
                                   std::int64_t business) {
  auto data = nlohmann::json::parse(detail, nullptr, false);
  if (!data.is_object()) data = nlohmann::json::object();
  data["actor"] = std::string(actor);
  const std::string type = "staff." + std::string(action);
  return impl_->transaction([&]() -> Result<void> { return impl_->append_audit(business, type, data.dump()); });
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
