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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace journal {

enum class ErrorCode { CannotOpen, Corrupt, TooNew, Io, NotFound, Chain };

struct Error {
  ErrorCode code = ErrorCode::Io;
  int sqlite_rc = 0;
  std::string detail;
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

  Result<std::int64_t> begin(const BusinessStart& b);
  // A step's intent (before its side effect) and its outcome (after). `data` is JSON without secrets.
  Result<void> intent(std::int64_t business, std::string_view step, std::string_view data = "{}");
  Result<void> done(std::int64_t business, std::string_view step, std::string_view data = "{}");
  Result<void> failed(std::int64_t business, std::string_view step, std::string_view data = "{}");

  Result<void> set_status(std::int64_t business, Status s, std::string_view reason = {});
  Result<void> set_order(std::int64_t business, std::string_view order_id);
  // Working data of a business that a resume needs (idempotency keys, the P10, the issued certificate).
  Result<void> put(std::int64_t business, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> get(std::int64_t business, std::string_view key);

  Result<Business> business(std::int64_t id);
  Result<std::optional<Business>> by_order(std::string_view order_id);
  Result<std::vector<Business>> by_certificate(std::string_view fingerprint);
  Result<std::vector<Business>> unfinished_businesses();
  Result<std::vector<Business>> recent(int limit);
  Result<std::vector<Step>> steps(std::int64_t business);

  // Walks the audit chain from the start; the number of entries, or Chain naming the first bad one.
  Result<std::int64_t> verify_chain();
  Result<std::vector<AuditEntry>> audit_tail(int limit);
  // PRAGMA integrity_check == "ok".
  Result<void> integrity_check();

private:
  explicit Journal(sqlite3* db);
  Result<void> step(std::int64_t business, std::string_view step, std::string_view phase, std::string_view data);
  Result<void> append_audit(std::int64_t business, std::string_view type, std::string_view data);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace journal
