// The outbox: messages the platform must receive once money has moved, kept until it acknowledges them.
// Written with the state change that needs them (the caller's transaction), each change of state audited.
#include <nlohmann/json.hpp>

#include "journal_impl.hpp"

namespace journal {

using detail::column_text;
using detail::sql_error;

namespace {

constexpr const char* kColumns =
    "id, business_id, order_id, kind, body, idempotency_key, state, created_at, attempts, last_attempt_at, "
    "next_attempt_at, last_error, done_at";

OutboxState state_from(std::string_view s) {
  if (s == "delivered") return OutboxState::Delivered;
  if (s == "refused") return OutboxState::Refused;
  return OutboxState::Pending;
}

OutboxMessage read_message(sqlite3_stmt* s) {
  OutboxMessage m;
  m.id = sqlite3_column_int64(s, 0);
  m.business_id = sqlite3_column_int64(s, 1);
  m.order_id = column_text(s, 2);
  m.kind = column_text(s, 3);
  m.body = column_text(s, 4);
  m.idempotency_key = column_text(s, 5);
  m.state = state_from(column_text(s, 6));
  m.created_at = sqlite3_column_int64(s, 7);
  m.attempts = sqlite3_column_int(s, 8);
  m.last_attempt_at = sqlite3_column_int64(s, 9);
  m.next_attempt_at = sqlite3_column_int64(s, 10);
  m.last_error = column_text(s, 11);
  m.done_at = sqlite3_column_int64(s, 12);
  return m;
}

template <typename... A>
Result<std::vector<OutboxMessage>> messages(detail::Impl& impl, const std::string& where, const A&... args) {
  const std::string sql = std::string("SELECT ") + kColumns + " FROM outbox o " + where;
  auto s = impl.statement(sql.c_str(), args...);
  if (!s) return std::unexpected(s.error());
  std::vector<OutboxMessage> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) out.push_back(read_message(s->get()));
  if (rc != SQLITE_DONE) return std::unexpected(sql_error(impl.db, rc));
  return out;
}

Result<std::optional<OutboxMessage>> first(Result<std::vector<OutboxMessage>> r) {
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return std::optional<OutboxMessage>{};
  return std::optional<OutboxMessage>(std::move(r->front()));
}

}  // namespace

std::string_view to_string(OutboxState s) {
  switch (s) {
    case OutboxState::Pending:
      return "pending";
    case OutboxState::Delivered:
      return "delivered";
    case OutboxState::Refused:
      return "refused";
  }
  return "pending";
}

Result<std::int64_t> Journal::enqueue(std::int64_t business, std::string_view order_id, std::string_view kind,
                                      std::string_view body, std::string_view idempotency_key) {
  return impl_->transaction([&]() -> Result<std::int64_t> {
    auto existing =
        first(messages(*impl_, "WHERE business_id=? AND order_id=? AND kind=? ORDER BY id LIMIT 1", business,
                       order_id, kind));
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return (*existing)->id;
    const std::int64_t at = impl_->now();
    if (auto r = impl_->run(
            "INSERT INTO outbox(business_id, order_id, kind, body, idempotency_key, state, created_at, "
            "next_attempt_at) VALUES(?,?,?,?,?,'pending',?,0)",
            business, order_id, kind, body, idempotency_key, at);
        !r)
      return std::unexpected(r.error());
    const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
    const std::string data = nlohmann::json{{"message", id}, {"order", order_id}, {"body", body}}.dump();
    if (auto a = impl_->append_audit(business, "outbox." + std::string(kind) + ".written", data); !a)
      return std::unexpected(a.error());
    return id;
  });
}

Result<std::vector<OutboxMessage>> Journal::outbox_due(std::int64_t now, bool ignore_backoff) {
  // A business's messages go in order: only its oldest pending one is a candidate.
  return messages(
      *impl_,
      "WHERE state='pending' AND id=(SELECT MIN(id) FROM outbox WHERE business_id=o.business_id AND "
      "state='pending') AND (? OR next_attempt_at<=?) ORDER BY id",
      ignore_backoff ? 1 : 0, now);
}

Result<std::vector<OutboxMessage>> Journal::outbox(bool all) {
  if (all)
    return messages(*impl_, "WHERE id IN (SELECT id FROM outbox ORDER BY id DESC LIMIT 200) ORDER BY id");
  return messages(*impl_, "WHERE state IN ('pending','refused') ORDER BY id");
}

Result<std::optional<OutboxMessage>> Journal::outbox_message(std::int64_t id) {
  return first(messages(*impl_, "WHERE id=?", id));
}

Result<std::optional<OutboxMessage>> Journal::outbox_of(std::int64_t business, std::string_view kind) {
  return first(messages(*impl_, "WHERE business_id=? AND kind=? ORDER BY id DESC LIMIT 1", business, kind));
}

Result<void> Journal::outbox_retry_later(std::int64_t id, std::string_view error, std::int64_t now,
                                         std::int64_t next_attempt_at) {
  return impl_->run(
      "UPDATE outbox SET attempts=attempts+1, last_attempt_at=?, next_attempt_at=?, last_error=? "
      "WHERE id=? AND state='pending'",
      now, next_attempt_at, error, id);
}

namespace {

Result<void> finish(detail::Impl& impl, std::int64_t id, OutboxState state, std::string_view error) {
  return impl.transaction([&]() -> Result<void> {
    auto m = first(messages(impl, "WHERE id=?", id));
    if (!m) return std::unexpected(m.error());
    if (!*m) return std::unexpected(Error{ErrorCode::NotFound, 0, "no outbox message " + std::to_string(id)});
    if ((*m)->state != OutboxState::Pending) return {};  // final already
    const std::int64_t at = impl.now();
    const bool refused = state == OutboxState::Refused;
    if (auto r = impl.run(
            "UPDATE outbox SET state=?, done_at=?, last_error=CASE WHEN ? THEN ? ELSE last_error END, "
            "attempts=attempts+? WHERE id=?",
            to_string(state), at, refused ? 1 : 0, error, refused ? 1 : 0, id);
        !r)
      return r;
    nlohmann::json data{{"message", id}, {"order", (*m)->order_id}};
    if (refused) data["error"] = error;
    return impl.append_audit((*m)->business_id, "outbox." + (*m)->kind + "." + std::string(to_string(state)),
                             data.dump());
  });
}

}  // namespace

Result<void> Journal::outbox_delivered(std::int64_t id) {
  return finish(*impl_, id, OutboxState::Delivered, {});
}

Result<void> Journal::outbox_refused(std::int64_t id, std::string_view error) {
  return finish(*impl_, id, OutboxState::Refused, error);
}

}  // namespace journal
