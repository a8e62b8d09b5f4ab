#include "outbox.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "runtime/crash_point.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;
using journal::OutboxMessage;
using journal::OutboxState;

constexpr std::int64_t kBackoffFirstS = 5;
constexpr std::int64_t kBackoffCapS = 600;
// The reason the counter reads for an order paid after its customer left the kiosk.
constexpr std::string_view kPaidAfterLeaving = "order.paid_after_leaving";

// A refusal for good: the platform understood and said no (the order is not in a state for it, it does
// not exist). Offline, timeouts, TLS, 5xx, 408 and 429 may pass.
bool refused_for_good(const platform::Error& e) {
  return e.kind == platform::ErrorKind::Http && e.http_status >= 400 && e.http_status < 500 &&
         e.http_status != 408 && e.http_status != 429;
}

// The journal step a message settles.
std::string_view step_of(OutboxKind k) {
  switch (k) {
    case OutboxKind::NeedsStaff:
      return StepName(OrderStep::NeedsStaff).text();
    case OutboxKind::Installed:
      return StepName(core::RenewalStep::Confirm).text();
    case OutboxKind::Close:
      return StepName(OrderStep::Close).text();
  }
  return "?";
}

}  // namespace

OutboxSender::OutboxSender(StepJournal& journal, platform::Client client, std::function<std::int64_t()> wall,
                           std::string kiosk_id, events::Channel events)
    : journal_(journal),
      client_(std::move(client)),
      wall_(std::move(wall)),
      kiosk_id_(std::move(kiosk_id)),
      events_(std::move(events)) {
  finished_.reserve(kMaxFinished);  // its room once: the same memory however long the kiosk runs
}

OutboxSender::~OutboxSender() {
  stop();
}

std::int64_t OutboxSender::backoff_s(int failed_attempts) {
  std::int64_t d = kBackoffFirstS;
  for (int i = 1; i < failed_attempts && d < kBackoffCapS; ++i) d *= 2;
  return std::min(d, kBackoffCapS);
}

void OutboxSender::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void OutboxSender::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::wake() {
  {
    std::lock_guard lock(wait_mutex_);
    woken_ = true;
  }
  wait_cv_.notify_all();
}

journal::Result<void> OutboxSender::acknowledge(const OutboxMessage& m, bool paid_meanwhile) {
  const auto kind = outbox_kind(m.kind);
  return journal_.with([&](journal::Journal& j) {
    return j.atomically([&]() -> journal::Result<void> {
      if (auto r = j.outbox_delivered(m.id); !r) return r;
      switch (*kind) {
        case OutboxKind::NeedsStaff:
          return j.done(m.business_id, step_of(*kind), R"({"told":true})");
        case OutboxKind::Installed:
          if (auto r = j.set_status(m.business_id, journal::Status::Done); !r) return r;
          return j.done(m.business_id, step_of(*kind), R"({"told":true})");
        case OutboxKind::Close: {
          // The business may have gone on with a new order meanwhile (its QR expired): its status is then
          // that order's, and only the old order's fate is recorded here.
          auto row = j.business(m.business_id);
          if (!row) return std::unexpected(row.error());
          const bool current = row->order_id == m.order_id;
          const std::string data = Json{{"order", m.order_id}, {"already_paid", paid_meanwhile}}.dump();
          if (!paid_meanwhile) {
            if (current)
              if (auto r = j.set_status(m.business_id, journal::Status::Closed); !r) return r;
            return j.done(m.business_id, step_of(*kind), data);
          }
          // Paid after its customer left (or went on with another order): nobody goes on with it here,
          // so the counter must.
          if (current)
            if (auto r = j.set_status(m.business_id, journal::Status::NeedsStaff, kPaidAfterLeaving); !r)
              return r;
          if (auto r = j.done(m.business_id, step_of(*kind), data); !r) return r;
          const Json body{{"reason", kPaidAfterLeaving}, {"detail", "kiosk " + kiosk_id_}};
          auto id = j.enqueue(m.business_id, m.order_id, outbox_kind_name(OutboxKind::NeedsStaff),
                              body.dump(), platform::new_idempotency_key());
          if (!id) return std::unexpected(id.error());
          return {};
        }
      }
      return {};
    });
  });
}

OutboxResult OutboxSender::send(const OutboxMessage& m) {
  const auto kind = outbox_kind(m.kind);
  if (!kind) {
    (void)journal_.with(
        [&](journal::Journal& j) { return j.outbox_refused(m.id, "unknown kind " + m.kind); });
    return {OutboxState::Refused, std::nullopt};
  }
  bool paid_meanwhile = false;
  std::optional<platform::Error> err;
  switch (*kind) {
    case OutboxKind::NeedsStaff: {
      const Json body = Json::parse(m.body, nullptr, false);
      contract::NeedsStaffRequest req;
      if (body.is_object()) {
        req.reason = body.value("reason", "");
        req.detail = body.value("detail", "");
      }
      auto o = client_.order_needs_staff(m.order_id, req, m.idempotency_key);
      if (!o) err = o.error();
      break;
    }
    case OutboxKind::Installed: {
      auto o = client_.order_installed(m.order_id, m.idempotency_key);
      if (!o && !o.error().is("order.already_installed")) err = o.error();
      break;
    }
    case OutboxKind::Close: {
      auto o = client_.order_close(m.order_id, m.idempotency_key);
      if (o)
        paid_meanwhile = contract::is_paid_or_later(o->status);
      else if (o.error().is("order.already_paid"))
        paid_meanwhile = true;
      else
        err = o.error();
      break;
    }
  }
  crash_point("outbox." + m.kind + ".sent");
  if (!err) {
    if (auto r = acknowledge(m, paid_meanwhile); !r) {
      // Told, but not recorded: it is sent again later, which the platform answers the same.
      events_.error(m.kind + " acknowledged, not recorded: " + r.error().detail,
                    {.business = m.order_id, .step = m.kind, .code = "error.journal.io"});
      return {OutboxState::Pending, std::nullopt};
    }
    crash_point("outbox." + m.kind + ".acknowledged");
    finished(m.id);
    events_.info(m.kind + ": the platform has it", {.business = m.order_id, .step = m.kind});
    return {OutboxState::Delivered, std::nullopt};
  }
  const std::string why = err->to_string();
  if (refused_for_good(*err)) {
    (void)journal_.with([&](journal::Journal& j) {
      return j.atomically([&]() -> journal::Result<void> {
        if (auto r = j.outbox_refused(m.id, why); !r) return r;
        return j.failed(m.business_id, step_of(*kind), Json{{"refused", why}}.dump());
      });
    });
    events_.error("the platform refused " + m.kind + " for good: " + why, {.business = m.order_id, .step = m.kind});
    finished(m.id);
    return {OutboxState::Refused, err};
  }
  const std::int64_t now = wall_();
  (void)journal_.with([&](journal::Journal& j) {
    return j.outbox_retry_later(m.id, why, now, now + backoff_s(m.attempts + 1));
  });
  events_.warning(m.kind + " not delivered yet: " + why, {.business = m.order_id, .step = m.kind});
  return {OutboxState::Pending, err};
}

OutboxResult OutboxSender::deliver_business(std::int64_t business, std::int64_t message) {
  std::lock_guard lock(send_mutex_);
  std::optional<platform::Error> last;
  for (int guard = 0; guard < 16; ++guard) {
    auto due = journal_.with([&](journal::Journal& j) { return j.outbox_due(wall_(), true); });
    if (!due) break;
    auto it = std::find_if(due->begin(), due->end(),
                           [&](const OutboxMessage& m) { return m.business_id == business; });
    if (it == due->end()) break;
    OutboxResult r = send(*it);
    if (it->id == message) return r;
    last = r.error;
    if (r.state == OutboxState::Pending) break;  // an earlier message waits: this one waits behind it
  }
  auto m = journal_.with([&](journal::Journal& j) { return j.outbox_message(message); });
  if (!m || !*m) return {OutboxState::Pending, last};
  return {(*m)->state, (*m)->state == OutboxState::Delivered ? std::nullopt : last};
}

void OutboxSender::finished(std::int64_t id) {
  // A kiosk runs for months and delivers a few messages per business: only what deliver_all() has not
  // reported yet is kept, and never more than the newest kMaxFinished.
  if (finished_.size() >= kMaxFinished) finished_.erase(finished_.begin());
  finished_.push_back(id);
}

std::vector<OutboxMessage> OutboxSender::deliver_all() {
  std::lock_guard lock(send_mutex_);
  std::set<std::int64_t> waiting;  // businesses whose next message could not be delivered now
  std::vector<std::int64_t> touched = finished_;
  for (int guard = 0; guard < 256; ++guard) {
    auto due = journal_.with([&](journal::Journal& j) { return j.outbox_due(wall_(), true); });
    if (!due) break;
    auto it = std::find_if(due->begin(), due->end(),
                           [&](const OutboxMessage& m) { return !waiting.contains(m.business_id); });
    if (it == due->end()) break;
    touched.push_back(it->id);
    if (send(*it).state == OutboxState::Pending) waiting.insert(it->business_id);
  }
  // Reported now, and not again: what this call finished itself is in `touched` too (send_mutex_ held).
  finished_.clear();
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<OutboxMessage> out;
  for (std::int64_t id : touched)
    if (auto m = journal_.with([&](journal::Journal& j) { return j.outbox_message(id); }); m && *m)
      out.push_back(**m);
  return out;
}

void OutboxSender::run() {
  bool first = true;  // a restart sends everything pending at once, whatever its backoff said
  while (!stopping_) {
    for (int delivered = 1; delivered > 0 && !stopping_;) {
      delivered = 0;
      std::lock_guard lock(send_mutex_);
      auto due = journal_.with([&](journal::Journal& j) { return j.outbox_due(wall_(), first); });
      if (!due) {
        events_.error("journal: " + due.error().detail, {.code = "error.journal.io"});
        break;
      }
      for (const auto& m : *due) {
        if (stopping_) break;
        if (send(m).state == OutboxState::Delivered) ++delivered;
      }
      first = false;
    }
    // Until the next message is due (or one is written).
    std::int64_t wait_s = kBackoffCapS;
    auto pending = journal_.with([&](journal::Journal& j) { return j.outbox_due(0, true); });
    if (pending)
      for (const auto& m : *pending)
        wait_s = std::min(wait_s, std::max<std::int64_t>(1, m.next_attempt_at - wall_()));
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait_for(lock, std::chrono::seconds(wait_s), [&] { return stopping_.load() || woken_; });
    woken_ = false;
  }
}

}  // namespace runtime
