// The runtime's record of each business in the journal (services/journal), with typed names: a step is
// a StepName (a rollover step or an order step), a piece of working data a Datum, an idempotency key an
// IdempotencySlot. Their spellings on disk are fixed — a journal written by an earlier kiosk must resume
// (tests/engine/journal_resume_test) — and are written here and nowhere else.
//
// Writes are made on the business lane; kioskctl's read-only commands read through with(). Every call
// locks the journal for its duration.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "events/event_log.hpp"
#include "journal/journal.hpp"

namespace runtime {

// Every rollover step with its name in the journal, in the crash points ("<name>.after_intent") and in
// the message keys of 我的业务 ("business.stopped.<name>"), in order. The one list of these names.
inline constexpr std::array<std::pair<core::RenewalStep, std::string_view>, 10> kRolloverStepNames{{
    {core::RenewalStep::Login, "login"},
    {core::RenewalStep::StageKey, "stage_key"},
    {core::RenewalStep::BuildP10, "build_p10"},
    {core::RenewalStep::RequestNonce, "nonce"},
    {core::RenewalStep::SignProof, "sign_proof"},
    {core::RenewalStep::Submit, "submit"},
    {core::RenewalStep::Install, "install"},
    {core::RenewalStep::Finalize, "finalize"},
    {core::RenewalStep::Confirm, "confirm"},
    {core::RenewalStep::Done, "done"},
}};

// The rollover steps the journal records (intent, outcome): all but Login (no side effect to record; the
// PIN is never written) and Done (not a step).
constexpr bool journaled(core::RenewalStep s) {
  return s != core::RenewalStep::Login && s != core::RenewalStep::Done;
}

// The order's own steps.
enum class OrderStep { Create, Close, NeedsStaff };

// A step's name in the journal.
class StepName {
 public:
  constexpr StepName(core::RenewalStep s) : text_(name_of(s)) {}  // NOLINT: implicit by design
  constexpr StepName(OrderStep s) : text_(name_of(s)) {}           // NOLINT: implicit by design
  [[nodiscard]] constexpr std::string_view text() const { return text_; }

 private:
  static constexpr std::string_view name_of(core::RenewalStep s) {
    for (const auto& [step, name] : kRolloverStepNames)
      if (step == s) return name;
    return "?";
  }
  static constexpr std::string_view name_of(OrderStep s) {
    switch (s) {
      case OrderStep::Create:
        return "order.create";
      case OrderStep::Close:
        return "order.close";
      case OrderStep::NeedsStaff:
        return "needs_staff";
    }
    return "?";
  }
  std::string_view text_;
};

inline std::string_view step_name(core::RenewalStep s) {
  return StepName(s).text();
}

// Working data a business keeps (business_data), by what it is.
enum class Datum {
  P10,           // base64 of the PKCS#10 request (build_p10)
  Nonce,         // base64 of the platform's nonce (nonce)
  Proof,         // base64 of the old key's signature (sign_proof)
  SubmitBody,    // what submit sent, "<p10>.<proof>" in base64, and
  SubmitKey,     //   the idempotency key it was sent under
  Certificate,   // base64 of the issued certificate's DER (submit, or fetched again by install)
  KeyLeftovers,  // what remove_leftovers() removed from the key and left on it (key_leftovers.hpp), JSON
};

// What a message in the outbox tells the platform (services/journal's outbox; outbox.hpp sends them). Its
// name on disk, in the audit ("outbox.<kind>.written") and in the crash points ("outbox.<kind>.sent").
enum class OutboxKind {
  NeedsStaff,  // POST orders/{id}/needs-staff: a paid business the counter must finish
  Installed,   // POST orders/{id}/installed: the renewed certificate is on the key, in its final place
  Close,       // POST orders/{id}/close: an order whose customer left; paid meanwhile → NeedsStaff next
};
std::string_view outbox_kind_name(OutboxKind k);
std::optional<OutboxKind> outbox_kind(std::string_view name);

// Where an idempotency key of a platform call is kept: a call retried after a crash passes the same key
// and the platform replays its first answer.
class IdempotencySlot {
 public:
  // Creating the order, per attempt (a new order after an expired QR is the next attempt).
  static IdempotencySlot order_create(int attempt) {
    return IdempotencySlot("order.create." + std::to_string(attempt));
  }
  // Closing one order (a business that re-orders after an expired QR closes a second order).
  static IdempotencySlot order_close(std::string_view order_id) {
    return IdempotencySlot("order.close." + std::string(order_id));
  }
  static IdempotencySlot needs_staff() { return IdempotencySlot("order.needs_staff"); }
  static IdempotencySlot installed() { return IdempotencySlot("order.installed"); }
  // The key's name on disk (also the crash point "<name>.after_key").
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  explicit IdempotencySlot(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

class StepJournal {
 public:
  // `events`: where a failed write is recorded ("journal").
  StepJournal(journal::Journal journal, events::Channel events)
      : journal_(std::move(journal)), events_(std::move(events)) {}

  // One business's records, while the journal is locked (inside write() / update() / begin()).
  class Business {
   public:
    Business(journal::Journal& j, std::int64_t id) : j_(j), id_(id) {}
    [[nodiscard]] std::int64_t id() const { return id_; }
    // A step's intent (before its side effect), its outcome (after) or its failure; `data` is JSON
    // without secrets.
    journal::Result<void> intent(StepName s, std::string_view data = "{}") {
      return j_.intent(id_, s.text(), data);
    }
    journal::Result<void> done(StepName s, std::string_view data = "{}") {
      return j_.done(id_, s.text(), data);
    }
    journal::Result<void> failed(StepName s, std::string_view data = "{}") {
      return j_.failed(id_, s.text(), data);
    }
    journal::Result<void> set_status(journal::Status s, std::string_view reason = {}) {
      return j_.set_status(id_, s, reason);
    }
    journal::Result<void> set_order(std::string_view order_id) { return j_.set_order(id_, order_id); }
    journal::Result<void> put(Datum d, std::string_view value) { return j_.put(id_, key(d), value); }
    // A message for the platform, with the writes around it (one per business, order and kind: the
    // existing one's id when there is one).
    journal::Result<std::int64_t> enqueue(std::string_view order_id, OutboxKind k, std::string_view body,
                                          std::string_view idempotency_key) {
      return j_.enqueue(id_, order_id, outbox_kind_name(k), body, idempotency_key);
    }
    journal::Result<journal::Business> row() { return j_.business(id_); }

   private:
    journal::Journal& j_;
    std::int64_t id_;
  };

  // The key of a datum on disk.
  static std::string_view key(Datum d);

  // Writes of the business lane, `f` with the journal locked and in one transaction: everything f writes
  // is committed, or nothing. A write that fails is recorded in the event log (code error.journal.io) and
  // answered: the caller stops the business there (nothing proceeds without the record it needed).
  journal::Result<void> write(std::int64_t business,
                              const std::function<journal::Result<void>(Business&)>& f);
  // The same without the log line, for writes whose failure the caller handles or may ignore.
  journal::Result<void> update(std::int64_t business,
                               const std::function<journal::Result<void>(Business&)>& f);
  // A new business; `then` (if any) records more of it under the same lock.
  journal::Result<std::int64_t> begin(const journal::BusinessStart& start,
                                      const std::function<journal::Result<void>(Business&)>& then = {});

  // A datum's value; nullopt when there is none or the journal cannot be read.
  std::optional<std::string> get(std::int64_t business, Datum d);
  // A datum that holds base64 (the P10, the nonce, the proof, the certificate), decoded. A step that needs
  // it gets an error, never empty bytes, when it is missing (NotFound) or unreadable (Corrupt): the
  // journal lost what an earlier step recorded.
  journal::Result<std::vector<std::uint8_t>> bytes(std::int64_t business, Datum d);
  // The key kept in `slot`, made (and written, then crash point "<slot>.after_key") on first use. An error
  // when it cannot be read or written: the call it is for must not be made under a key nobody kept.
  journal::Result<std::string> idempotency_key(std::int64_t business, const IdempotencySlot& slot);

  // The business's steps in order; nullopt when the journal cannot be read.
  std::optional<std::vector<journal::Step>> steps(std::int64_t business);

  // The newest business of the order; nullopt when none or the journal cannot be read.
  std::optional<journal::Business> by_order(std::string_view order_id);
  std::optional<std::int64_t> business_for_order(std::string_view order_id);

  // Anything else, with the journal locked (kioskctl's read-only commands).
  template <typename F>
  auto with(F&& f) {
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(journal_);
  }

 private:
  std::mutex mutex_;
  journal::Journal journal_;
  events::Channel events_;
};

}  // namespace runtime
