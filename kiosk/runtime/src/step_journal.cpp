#include "step_journal.hpp"

#include "platform/client.hpp"
#include "runtime/crash_point.hpp"

namespace runtime {

std::string_view StepJournal::key(Datum d) {
  switch (d) {
    case Datum::P10:
      return "p10";
    case Datum::Nonce:
      return "nonce";
    case Datum::Proof:
      return "proof";
    case Datum::SubmitBody:
      return "submit.body";
    case Datum::SubmitKey:
      return "submit.key";
    case Datum::Certificate:
      return "certificate";
  }
  return "?";
}

bool StepJournal::write(std::int64_t business, const std::function<journal::Result<void>(Business&)>& f) {
  auto r = update(business, f);
  if (!r)
    events_.error("write failed (journal business " + std::to_string(business) + "): " + r.error().detail,
                  {.code = "error.journal.io"});
  return r.has_value();
}

journal::Result<void> StepJournal::update(std::int64_t business,
                                          const std::function<journal::Result<void>(Business&)>& f) {
  std::lock_guard lock(mutex_);
  Business b(journal_, business);
  return f(b);
}

journal::Result<std::int64_t> StepJournal::begin(
    const journal::BusinessStart& start, const std::function<journal::Result<void>(Business&)>& then) {
  std::lock_guard lock(mutex_);
  auto id = journal_.begin(start);
  if (!id || !then) return id;
  Business b(journal_, *id);
  if (auto r = then(b); !r) return std::unexpected(r.error());
  return id;
}

std::optional<std::string> StepJournal::get(std::int64_t business, Datum d) {
  std::lock_guard lock(mutex_);
  auto r = journal_.get(business, key(d));
  if (!r) return std::nullopt;
  return *r;
}

std::string StepJournal::idempotency_key(std::int64_t business, const IdempotencySlot& slot) {
  {
    std::lock_guard lock(mutex_);
    if (auto k = journal_.get(business, slot.name()); k && *k && !(*k)->empty()) return **k;
  }
  std::string k = platform::new_idempotency_key();
  write(business, [&](Business&) { return journal_.put(business, slot.name(), k); });
  crash_point(slot.name() + ".after_key");
  return k;
}

std::optional<journal::Business> StepJournal::by_order(std::string_view order_id) {
  std::lock_guard lock(mutex_);
  auto r = journal_.by_order(order_id);
  if (!r) return std::nullopt;
  return *r;
}

std::optional<std::int64_t> StepJournal::business_for_order(std::string_view order_id) {
  if (auto b = by_order(order_id)) return b->id;
  return std::nullopt;
}

}  // namespace runtime
