// The durable journal of every business and every step on this kiosk (SQLite, WAL, synchronous=FULL).
//
// The runtime writes a step's intent BEFORE it causes the step's side effect and its outcome after, so a
// crash anywhere leaves enough to resume without paying twice, issuing twice or losing the new key. Each
// write is one transaction and also appends to the audit table, a SHA-256 hash chain that triggers keep
// append-only. Nothing secret is ever written (the API takes no PIN, code or password); phone numbers are
// stored masked.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journal {
namespace detail {
struct Impl;
}

// Full: the disk has no room; ReadOnly: the file or its folder cannot be written (or made); Corrupt: a
// damaged file, or working data a step needs that is missing or unreadable; Chain: the audit chain broke.
enum class ErrorCode { CannotOpen, Corrupt, TooNew, Io, NotFound, Chain, Full, ReadOnly };

struct Error {
  ErrorCode code = ErrorCode::Io;
  int sqlite_rc = 0;
  std::string detail;  // SQLite's text: for the log, never for the customer
  // error.journal.io | .full | .read_only | .damaged | .too_new: the customer's sentence (assets/i18n).
  [[nodiscard]] std::string_view message_key() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Where a business stands. Open = begun, nothing paid; the others follow the platform's order states.
enum class Status { Open, Paid, Issued, Installed, Done, NeedsStaff, Closed, Abandoned };
std::string_view to_string(Status s);
std::optional<Status> status_from_string(std::string_view s);
// Unfinished = the customer is owed something: paid but not yet done, or needs staff.
bool unfinished(Status s);

struct BusinessStart {
  std::string kind = "renewal";
  std::string product_id;
  int years = 1;
  std::string phone;  // stored masked (138****5678)
  std::string cert_fingerprint;
  std::string token_manufacturer;
  std::string token_model;
  std::string token_serial;
};

struct Business {
  std::int64_t id = 0;
  std::string kind;
  std::string product_id;
  int years = 1;
  std::string phone_masked;
  std::string cert_fingerprint;
  std::string token_manufacturer;
  std::string token_model;
  std::string token_serial;
  std::string order_id;
  Status status = Status::Open;
  std::string last_step;        // the last step written
  std::string last_phase;       // intent | done | failed
  std::string needs_staff_reason;
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
  std::int64_t counter_at = 0;  // when staff handed it to the counter (0: not)
  std::string counter_note;     // their note, phone numbers masked
};

struct Step {
  std::int64_t id = 0;
  std::string name;
  std::string phase;  // intent | done | failed
  std::string data;   // JSON, non-secret
  std::int64_t at = 0;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::int64_t at = 0;
  std::int64_t business_id = 0;
  std::string type;
  std::string data;
  std::string hash_hex;
};

// A message the platform must receive (outbox.cpp): written in the same transaction as the state change
// that needs it, sent by the runtime's sender until the platform acknowledges it (delivered) or refuses
// it for good (refused, shown to staff, never retried).
enum class OutboxState { Pending, Delivered, Refused };
std::string_view to_string(OutboxState s);

struct OutboxMessage {
  std::int64_t id = 0;
  std::int64_t business_id = 0;
  std::string order_id;
  std::string kind;             // what it says: "needs_staff", "installed", "close"
  std::string body;             // JSON, non-secret: the request's fields
  std::string idempotency_key;  // the same on every attempt
  OutboxState state = OutboxState::Pending;
  std::int64_t created_at = 0;       // unix seconds: waiting since
  int attempts = 0;                  // sends tried and not acknowledged
  std::int64_t last_attempt_at = 0;  // 0: never tried
  std::int64_t next_attempt_at = 0;  // not sent again before this (the sender's backoff)
  std::string last_error;            // the last failure, for staff
  std::int64_t done_at = 0;          // delivered or refused at
};

class Journal {
public:
  // Opens (creating and migrating as needed) the journal at `path`. A file written by a newer schema
  // is refused (TooNew) rather than guessed at.
  static Result<Journal> open(const std::filesystem::path& path);

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  ~Journal();

  // The clock used for timestamps (unix seconds); tests and the dev clock set it.
  void set_clock(std::int64_t (*now)());

  // f's writes in one transaction: all of them are committed, or none (f's error, or the commit's).
  // Writes inside f may not call atomically() again on another thread; nesting on this one is fine.
  Result<void> atomically(const std::function<Result<void>()>& f);

  Result<std::int64_t> begin(const BusinessStart& b);
  // A step's intent (before its side effect) and its outcome (after). `data` is JSON without secrets.
  Result<void> intent(std::int64_t business, std::string_view step, std::string_view data = "{}");
  Result<void> done(std::int64_t business, std::string_view step, std::string_view data = "{}");
  Result<void> failed(std::int64_t business, std::string_view step, std::string_view data = "{}");

  Result<void> set_status(std::int64_t business, Status s, std::string_view reason = {});
  Result<void> set_order(std::int64_t business, std::string_view order_id);
  // Staff handed the business to the counter (docs/staff.md, "Business that needs someone"): the time and
  // `note` (its phone numbers masked) kept with it, and the audit entry staff.hand_to_counter naming
  // `actor`, in one transaction. Its status stays what it was; retention counts it as with the counter.
  // NotFound when there is no such business.
  Result<void> hand_to_counter(std::int64_t business, std::string_view actor, std::string_view note);
  // Working data of a business that a resume needs (idempotency keys, the P10, the issued certificate).
  Result<void> put(std::int64_t business, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> get(std::int64_t business, std::string_view key);

  Result<Business> business(std::int64_t id);
  Result<std::optional<Business>> by_order(std::string_view order_id);
  Result<std::vector<Business>> by_certificate(std::string_view fingerprint);
  Result<std::vector<Business>> unfinished_businesses();
  Result<std::vector<Business>> recent(int limit);
  Result<std::vector<Step>> steps(std::int64_t business);

  // ---- the outbox (outbox.cpp)
  // A message for the platform about `business` (call it inside atomically() with the state change that
  // needs it). One per business, order and kind: when there is one already, its id is returned and
  // nothing added.
  Result<std::int64_t> enqueue(std::int64_t business, std::string_view order_id, std::string_view kind,
                               std::string_view body, std::string_view idempotency_key);
  // Pending messages to send now, in order: each business's oldest pending message (a later one waits for
  // it), when due at `now` (or whatever its backoff says when `ignore_backoff`).
  Result<std::vector<OutboxMessage>> outbox_due(std::int64_t now, bool ignore_backoff = false);
  // Messages for staff: pending and refused ones (`all`: delivered too, the newest 200), oldest first.
  Result<std::vector<OutboxMessage>> outbox(bool all = false);
  Result<std::optional<OutboxMessage>> outbox_message(std::int64_t id);
  Result<std::optional<OutboxMessage>> outbox_of(std::int64_t business, std::string_view kind);
  // A send that failed for now: attempts + 1, the error, not again before `next_attempt_at`.
  Result<void> outbox_retry_later(std::int64_t id, std::string_view error, std::int64_t now,
                                  std::int64_t next_attempt_at);
  // The platform acknowledged it, or refused it for good (`error` says why). Both are final and audited.
  Result<void> outbox_delivered(std::int64_t id);
  Result<void> outbox_refused(std::int64_t id, std::string_view error);

  // ---- retention (audit.cpp)
  struct Pruned {
    std::int64_t businesses = 0;     // removed with their steps, working data and messages
    std::int64_t audit_entries = 0;  // removed from the head of the chain
    std::int64_t through_seq = 0;    // the checkpoint now stands there (0: none yet)
  };
  // Removes what is older than `before` (unix seconds) and owed to nobody: businesses last changed before
  // then that are over (done, closed, abandoned, never paid, or with the counter) and have no message
  // waiting for the platform, with their steps, working data and outbox messages; then the head of the
  // audit chain up to its first entry that is recent or belongs to a business still kept, replaced by a
  // checkpoint carrying the hash of the last entry removed (the chain verifies from there), and an audit
  // entry "journal.pruned" saying so. One transaction.
  Result<Pruned> prune(std::int64_t before);

  // Walks the audit chain from the start (from the checkpoint, once pruned); the number of entries, or
  // Chain naming the first bad one.
  Result<std::int64_t> verify_chain();
  // Where the chain starts: the checkpoint's sequence number (0 when nothing was ever pruned).
  Result<std::int64_t> chain_start();
  Result<std::vector<AuditEntry>> audit_tail(int limit);
  // A staff member's action on this kiosk (docs/staff.md, "The audit chain"): an audit entry of type
  // "staff.<action>" whose data is {"actor": …} and `detail`'s members (a JSON object, non-secret). `actor`
  // is who: a staff certificate's subject with its fingerprint, "code:<staff>" for a maintenance code, or
  // "unix:<user>" at a shell. `business`: the business it concerns (0: none).
  Result<void> staff_action(std::string_view actor, std::string_view action, std::string_view detail = "{}",
                            std::int64_t business = 0);
  // PRAGMA integrity_check == "ok".
  Result<void> integrity_check();

private:
 Journal();
 Result<void> step(std::int64_t business, std::string_view step, std::string_view phase,
                   std::string_view data);
 std::unique_ptr<detail::Impl> impl_;
};

}  // namespace journal
