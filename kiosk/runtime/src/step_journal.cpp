#include "step_journal.hpp"

#include "foundation/base64.hpp"
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
    case Datum::KeyLeftovers:
      return "key.leftovers";
  }
  return "?";
}

std::string_view outbox_kind_name(OutboxKind k) {
  switch (k) {
    case OutboxKind::NeedsStaff:
      return "needs_staff";
    case OutboxKind::Installed:
      return "installed";
    case OutboxKind::Close:
      return "close";
  }
  return "?";
}

std::optional<OutboxKind> outbox_kind(std::string_view name) {
  for (OutboxKind k : {OutboxKind::NeedsStaff, OutboxKind::Installed, OutboxKind::Close})
    if (outbox_kind_name(k) == name) return k;
  return std::nullopt;
}

journal::Result<void> StepJournal::write(std::int64_t business,
                                         const std::function<journal::Result<void>(Business&)>& f) {
  auto r = update(business, f);
  if (!r)
    events_.error("write failed (journal business " + std::to_string(business) + "): " + r.error().detail,
                  {.code = "error.journal.io"});
  return r;
}

journal::Result<void> StepJournal::update(std::int64_t business,
                                          const std::function<journal::Result<void>(Business&)>& f) {
  std::lock_guard lock(mutex_);
  Business b(journal_, business);
  return journal_.atomically([&] { return f(b); });
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

journal::Result<std::vector<std::uint8_t>> StepJournal::bytes(std::int64_t business, Datum d) {
  journal::Result<std::optional<std::string>> v;
  {
    std::lock_guard lock(mutex_);
    v = journal_.get(business, key(d));
  }
  if (!v) return std::unexpected(v.error());
  const std::string what = "business " + std::to_string(business) + ": " + std::string(key(d));
  if (!*v || (*v)->empty())
    return std::unexpected(journal::Error{journal::ErrorCode::Corrupt, 0, what + " is missing"});
  auto decoded = foundation::base64_decode(**v);
  if (!decoded)
    return std::unexpected(journal::Error{journal::ErrorCode::Corrupt, 0, what + " is not base64"});
  return std::move(*decoded);
}

journal::Result<std::string> StepJournal::idempotency_key(std::int64_t business,
                                                          const IdempotencySlot& slot) {
  {
    std::lock_guard lock(mutex_);
    auto k = journal_.get(business, slot.name());
    if (!k) {
      events_.error("read failed (journal business " + std::to_string(business) + "): " + k.error().detail,
                    {.code = "error.journal.io"});
      return std::unexpected(k.error());
    }
    if (*k && !(*k)->empty()) return **k;
  }
  std::string k = platform::new_idempotency_key();
  if (auto w = write(business, [&](Business&) { return journal_.put(business, slot.name(), k); }); !w)
    return std::unexpected(w.error());
  crash_point(slot.name() + ".after_key");
  return k;
}

std::optional<std::vector<journal::Step>> StepJournal::steps(std::int64_t business) {
  std::lock_guard lock(mutex_);
  auto r = journal_.steps(business);
  if (!r) return std::nullopt;
  return std::move(*r);
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
