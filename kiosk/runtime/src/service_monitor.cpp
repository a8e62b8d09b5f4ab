#include "service_monitor.hpp"

#include <algorithm>
#include <utility>

#include "kiosk_version.hpp"
#include "runtime/service_checks.hpp"
#include "foundation/clock.hpp"

namespace runtime {
namespace {

// HealthItem's status words (services/platform/openapi.yaml).
std::string status_word(core::CheckState s) {
  switch (s) {
    case core::CheckState::Ok:
      return "ok";
    case core::CheckState::Failing:
      return "down";
    case core::CheckState::Unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace

ServiceMonitor::ServiceMonitor(Parts parts) : p_(std::move(parts)) {}

ServiceMonitor::~ServiceMonitor() {
  stop();
}

void ServiceMonitor::start() {
  thread_ = std::thread([this] { run(); });
}

void ServiceMonitor::stop() {
  {
    std::lock_guard lock(wait_mutex_);
    stopping_ = true;
  }
  wait_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceMonitor::run() {
  const auto period = std::chrono::seconds(p_.config->service.check_s);
  while (!stopping_) {
    round();
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait_for(lock, period, [&] { return stopping_.load(); });
  }
}

void ServiceMonitor::round() {
  std::vector<core::CheckResult> results;
  results.push_back(check_journal(p_.config->journal_path, p_.config->journal_min_free_mb));
  results.push_back(check_drivers(p_.driver_problems()));
  {
    // The heartbeat below reports this round's local checks with the platform's and the clock's last.
    std::lock_guard lock(mutex_);
    for (const auto& r : results) {
      auto it = std::find_if(last_.begin(), last_.end(), [&](const auto& l) { return l.check == r.check; });
      if (it != last_.end())
        *it = r;
      else
        last_.push_back(r);
    }
  }
  const auto now = std::chrono::steady_clock::now();
  const bool beat = !next_heartbeat_ || now >= *next_heartbeat_;
  const auto t0 = now;
  std::optional<platform::Error> failed;
  if (beat) {
    auto ack = p_.client.heartbeat(heartbeat(), platform::new_idempotency_key());
    if (ack)
      next_heartbeat_ =
          now + std::chrono::seconds(p_.heartbeat_s ? p_.heartbeat_s() : p_.config->service.heartbeat_s);
    else
      failed = ack.error();  // due again at the next round
  } else if (auto cat = p_.client.catalog(); !cat) {
    failed = cat.error();
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  // This kiosk's clock minus the platform's: the offset was taken against the system clock, and the
  // kiosk's own may be another (the seeded demo's).
  std::optional<std::int64_t> skew;
  if (const auto offset = p_.client.platform_clock_offset()) skew = p_.wall() - (foundation::unix_seconds_now() + *offset);
  auto verdict = judge_platform(failed ? &*failed : nullptr, skew);
  if (verdict.platform.state == core::CheckState::Ok)
    verdict.platform.detail =
        (beat ? "heartbeat acknowledged in " : "catalog in ") + std::to_string(ms) + " ms";
  results.insert(results.begin(), {verdict.platform, verdict.clock});
  log_changes(results);
  {
    std::lock_guard lock(mutex_);
    seen_.platform = verdict.platform;
    seen_.clock = verdict.clock;
    seen_.round_trip_ms = ms;
    seen_.checked_at = p_.wall();
    if (!failed) seen_.last_success_at = seen_.checked_at;
    if (verdict.clock.state != core::CheckState::Unknown) skew_s_ = skew;
    for (const auto& r : {verdict.platform, verdict.clock}) {
      auto it = std::find_if(last_.begin(), last_.end(), [&](const auto& l) { return l.check == r.check; });
      if (it == last_.end())
        last_.push_back(r);
      else if (r.state != core::CheckState::Unknown)
        *it = r;
    }
  }
  p_.push(core::ServiceChecked{std::move(results)});
}

void ServiceMonitor::log_changes(const std::vector<core::CheckResult>& now) {
  // Staff read when a check begins to fail and when it passes again, not every round.
  for (const auto& r : now) {
    core::CheckState& was = logged_[static_cast<std::size_t>(r.check)];
    if (r.state == core::CheckState::Unknown || r.state == was) continue;
    const std::string name(core::to_string(r.check));
    if (r.state == core::CheckState::Failing)
      p_.events.warning(name + " check failing: " + r.detail, {.step = "service." + name});
    else if (was == core::CheckState::Failing)
      p_.events.info(name + " check passes again: " + r.detail, {.step = "service." + name});
    was = r.state;
  }
}

void ServiceMonitor::report(const core::OutOfService& sources) {
  {
    std::lock_guard lock(mutex_);
    sources_ = sources;
  }
  if (const core::OutOfServiceReason* r = sources.reason()) {
    std::string all;
    for (core::ServiceSource s : core::kAllServiceSources)
      if (sources.of(s)) all += (all.empty() ? "" : ", ") + std::string(core::to_string(s));
    p_.events.warning(
        "out of service (" + all + "): " + r->reason_key + (r->detail.empty() ? "" : " [" + r->detail + "]"),
        {.step = "service", .code = r->reason_key});
  } else {
    p_.events.info("in service: business can start", {.step = "service"});
  }
}

ServiceMonitor::Seen ServiceMonitor::seen() const {
  std::lock_guard lock(mutex_);
  Seen s = seen_;
  s.skew_s = skew_s_;
  s.sources = sources_;
  return s;
}

contract::Heartbeat ServiceMonitor::heartbeat() {
  contract::Heartbeat h;
  h.software_version = kiosk_version();
  std::size_t pending = 0;
  if (auto messages = p_.journal->with([](journal::Journal& j) { return j.outbox(false); }))
    pending = static_cast<std::size_t>(std::count_if(messages->begin(), messages->end(), [](const auto& m) {
      return m.state == journal::OutboxState::Pending;
    }));
  h.outbox_pending = static_cast<std::int64_t>(pending);
  if (auto open = p_.journal->with([](journal::Journal& j) { return j.unfinished_businesses(); }))
    h.pending_business = static_cast<std::int64_t>(open->size());
  if (auto tail = p_.journal->with([](journal::Journal& j) { return j.audit_tail(1); });
      tail && !tail->empty())
    h.audit_head = contract::AuditHead{tail->front().seq, tail->front().hash_hex};  // newest first
  if (p_.fill) p_.fill(h);
  std::lock_guard lock(mutex_);
  h.clock_skew_s = skew_s_;
  for (core::Check c : core::kAllChecks) {
    auto it = std::find_if(last_.begin(), last_.end(), [&](const auto& l) { return l.check == c; });
    if (it == last_.end()) continue;
    h.health.push_back({std::string(core::to_string(c)), status_word(it->state), it->detail});
  }
  for (core::ServiceSource s : core::kAllServiceSources)
    if (const auto& r = sources_.of(s))
      h.out_of_service.push_back({std::string(core::to_string(s)), r->reason_key, r->detail});
  return h;
}

}  // namespace runtime
