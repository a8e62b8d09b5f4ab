#include "runtime/kiosk_runtime.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "runtime/crash_point.hpp"
#include "runtime/platform_options.hpp"
#include "runtime_impl.hpp"
#include "foundation/clock.hpp"

namespace runtime {
namespace {

// One overload per effect and no catch-all: an effect added to core::Effect does not compile until it is
// handled here.
struct Dispatch {
  KioskRuntime::Impl& rt;
  std::uint64_t s;

  void operator()(const core::LoadCatalog&) const { rt.load_catalog(s); }
  void operator()(const core::ReadKey&) const { rt.read_key(s); }
  void operator()(const core::SendSms& e) const { rt.send_sms(e, s); }
  void operator()(const core::VerifySms& e) const { rt.verify_sms(e, s); }
  void operator()(const core::CreateOrder& e) const { rt.create_order(e, s); }
  void operator()(const core::WatchOrder&) const {}  // on the poll lane (KioskRuntime::run)
  void operator()(const core::CloseOrder& e) const { rt.close_order(e, s); }
  void operator()(const core::RunStep& e) const { rt.run_step(e, s); }
  void operator()(const core::MarkNeedsStaff& e) const { rt.mark_needs_staff(e, s); }
  void operator()(const core::WipeSession&) const { rt.wipe(); }
  void operator()(const core::ServiceChanged&) const {}  // at once, not in turn (KioskRuntime::run)
  void operator()(const core::AccountLogin& e) const { rt.account_login(e, s); }
  void operator()(const core::LoadBusiness&) const { rt.load_business(s); }
  void operator()(const core::ResumeBusiness& e) const { rt.resume_business(e, s); }
  void operator()(const core::SaveProfile& e) const { rt.save_profile(e, s); }
  void operator()(const core::ChangePassword& e) const { rt.change_password(e, s); }
  void operator()(const core::Logout&) const { rt.logout(); }
  void operator()(const core::CheckStaffKey& e) const { rt.check_staff_key(e); }
  void operator()(const core::StaffKeySignIn& e) const { rt.staff_key_sign_in(e, s); }
  void operator()(const core::StaffCodeSignIn& e) const { rt.staff_code_sign_in(e, s); }
  void operator()(const core::LoadStaffStatus&) const { rt.load_staff_status(s); }
  void operator()(const core::LoadStaffBusiness&) const { rt.load_staff_business(s); }
  void operator()(const core::LoadStaffLog&) const { rt.load_staff_log(s); }
  void operator()(const core::StaffAction& e) const { rt.staff_action(e, s); }
  void operator()(const core::RecordStaffAction& e) const { rt.record_staff_action(e); }
  void operator()(const core::InspectKey&) const { rt.inspect_key(s); }
  void operator()(const core::TestNetwork&) const { rt.test_network(s); }
  void operator()(const core::Chime&) const {}  // the app's (it has the sound device)
};

}  // namespace

void KioskRuntime::Impl::push(core::Event e) {
  {
    std::lock_guard lock(queue_mutex);
    queue.push_back(std::move(e));
  }
  wake_owner();
}

std::int64_t KioskRuntime::Impl::platform_now() {
  // The offset was taken against the system clock, so it is added to that one (wall() may be a test's).
  if (const auto offset = client->platform_clock_offset()) return foundation::unix_seconds_now() + *offset;
  return wall();
}

void KioskRuntime::Impl::wake_owner() {
  queue_cv.notify_all();
  std::function<void()> w;
  {
    std::lock_guard lock(queue_mutex);
    w = waker;
  }
  if (w) w();
}

std::optional<foundation::SecretBuffer> KioskRuntime::Impl::take(
    const std::optional<core::SecretSlot>& slot) {
  if (!slot) return std::nullopt;
  std::lock_guard lock(secret_mutex);
  return secrets.take(*slot);
}

void KioskRuntime::Impl::clear_secrets() {
  std::lock_guard lock(secret_mutex);
  secrets.clear();  // each SecretBuffer wipes itself
}

void KioskRuntime::Impl::drop_session() {
  session.reset();  // logs out (if logged in) and closes
  session_token = {};
}

token::Result<token::Session*> KioskRuntime::Impl::ensure_session(
    const std::optional<core::TokenIdentity>& want) {
  auto in = want ? hub->find(*want) : hub->inserted();
  if (!in) {
    drop_session();
    return std::unexpected(in.error());
  }
  core::TokenIdentity id = in->info.identity;
  if (session && session->alive() && session_token == id) return &*session;
  drop_session();
  auto s = token::Session::open(*in->module, in->info.slot);
  if (!s) return std::unexpected(s.error());
  session = std::move(*s);
  session_token = id;
  return &*session;
}

void KioskRuntime::Impl::recheck_key_now() {
  {
    std::lock_guard lock(watcher_mutex);
    recheck_key = true;
  }
  watcher_cv.notify_all();
}

void KioskRuntime::Impl::watch_tokens() {
  const auto period = std::chrono::milliseconds(opt.config.timeouts.token_poll_ms);
  bool report_anyway = false;
  while (!stopping) {
    if (report_anyway) hub->report_next_poll();
    if (auto changed = hub->poll()) push(core::KeyStatusChanged{*changed});
    std::unique_lock lock(watcher_mutex);
    watcher_cv.wait_for(lock, period, [&] { return stopping.load() || recheck_key; });
    report_anyway = std::exchange(recheck_key, false);
  }
}

void KioskRuntime::Impl::wipe() {
  drop_session();
  certs.clear();
  phone_token.clear();
  account_token.clear();
  business.reset();
}

void KioskRuntime::Impl::execute(const core::Effect& effect, std::uint64_t s) {
  std::visit(Dispatch{*this, s}, effect);
}

KioskRuntime::KioskRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->self = this;
}

KioskRuntime::~KioskRuntime() {
  stop();
}

std::string StartError::to_string() const {
  switch (part) {
    case Part::Journal:
      return "journal " + detail;
    case Part::PlatformClient:
      return "platform client: " + detail;
    case Part::Busy:
      return "this kiosk's journal and key are in use by another process (" + detail + ")";
  }
  return detail;
}

std::expected<std::unique_ptr<KioskRuntime>, StartError> KioskRuntime::create(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->wall = impl->opt.wall_now ? impl->opt.wall_now : foundation::unix_seconds_now;
  events::EventLog* log = impl->opt.events;
  if (!log) {
    impl->own_events = std::make_unique<events::EventLog>();
    impl->own_events->add_sink(std::make_shared<events::StreamSink>(stderr));
    log = impl->own_events.get();
  }
  impl->events = events::Channel(log, "runtime");
  auto j = journal::Journal::open(impl->opt.config.journal_path);
  if (!j)
    return std::unexpected(StartError{StartError::Part::Journal, std::string(j.error().message_key()),
                                      impl->opt.config.journal_path.string() + ": " + j.error().detail});
  // One owner at a time: the lock next to the journal, held for the runtime's life.
  const std::filesystem::path lock_path = impl->opt.config.journal_path.string() + ".owner";
  auto owner = OwnerLock::take(lock_path, impl->opt.program);
  if (!owner && owner.error().busy)
    return std::unexpected(StartError{StartError::Part::Busy, "", owner.error().holder});
  if (!owner) {
    const int e = owner.error().error;
    const std::string key = e == ENOSPC                               ? "error.journal.full"
                            : e == EROFS || e == EACCES || e == EPERM ? "error.journal.read_only"
                                                                      : "error.journal.io";
    return std::unexpected(
        StartError{StartError::Part::Journal, key, lock_path.string() + ": " + std::strerror(e)});
  }
  impl->owner.emplace(std::move(*owner));
  impl->step_times.emplace(impl->opt.config.journal_path.parent_path() / "step-times.json", impl->events);
  // Retention: what is over and owed to nobody goes after journal_retention_days (a failure is logged,
  // not fatal: nothing is lost by keeping more).
  const std::int64_t keep_s = std::int64_t{impl->opt.config.journal_retention_days} * 86400;
  if (auto pruned = j->prune(impl->wall() - keep_s); !pruned)
    impl->events.info("journal retention: " + pruned.error().detail);
  else if (pruned->businesses > 0 || pruned->audit_entries > 0)
    impl->events.info("journal retention: " + std::to_string(pruned->businesses) + " businesses and " +
              std::to_string(pruned->audit_entries) + " audit entries older than " +
              std::to_string(impl->opt.config.journal_retention_days) +
              " days removed; the chain starts at " + std::to_string(pruned->through_seq + 1));
  impl->journal.emplace(std::move(*j), events::Channel(log, "journal"));
  auto client_failed = [](const platform::Error& e) {
    return std::unexpected(StartError{StartError::Part::PlatformClient, e.message_key, e.to_string()});
  };
  auto c = platform::Client::create(client_options(impl->opt.config, false));
  if (!c) return client_failed(c.error());
  impl->client = std::move(*c);
  auto poll_options = client_options(impl->opt.config, true);
  poll_options.cancel = &impl->stop_requested;
  auto pc = platform::Client::create(std::move(poll_options));
  if (!pc) return client_failed(pc.error());
  impl->poll_client = std::move(*pc);
  auto oc = platform::Client::create(client_options(impl->opt.config, false));
  if (!oc) return client_failed(oc.error());
  impl->outbox =
      std::make_unique<OutboxSender>(*impl->journal, std::move(*oc), impl->wall, impl->opt.config.kiosk_id,
                                     events::Channel(log, "outbox"));
  impl->hub = std::make_unique<TokenHub>(impl->opt.config);
  if (auto trust = load_staff_trust(impl->opt.config); !trust) {
    impl->events.warning("staff KEYs cannot sign in: " + trust.error(), {.step = "staff"});
  } else if (*trust) {
    impl->staff_trust = std::move(**trust);
    impl->crl_store.emplace(impl->opt.config.staff->crl_file);
  }
  const events::Channel tokens(log, "tokens");
  for (const auto& p : impl->hub->problems()) tokens.warning("token module: " + p, {.step = "load"});

  if (impl->opt.fleet) {
    auto fc_options = client_options(impl->opt.config, false);
    fc_options.max_attempts = 1;          // it polls: the next poll is the retry
    fc_options.cancel = &impl->stopping;  // the runtime's stop does not wait out a slow platform
    auto fc = platform::Client::create(std::move(fc_options));
    if (!fc) return client_failed(fc.error());
    Impl* raw = impl.get();
    impl->fleet = std::make_unique<FleetAgent>(FleetAgent::Parts{
        &impl->opt.config, std::move(*fc), impl->wall, [raw](core::Event e) { raw->push(std::move(e)); },
        [raw] { return raw->hub->problems(); }, events::Channel(log, "fleet")});
  }

  if (impl->opt.service_monitor) {
    auto mc_options = client_options(impl->opt.config, false);
    mc_options.max_attempts = 1;  // one round, one observation: the core's hysteresis weighs them
    mc_options.cancel = &impl->stopping;  // the runtime's stop does not wait out a slow platform
    auto mc = platform::Client::create(std::move(mc_options));
    if (!mc) return client_failed(mc.error());
    Impl* raw = impl.get();
    ServiceMonitor::Parts parts{&impl->opt.config,
                                std::move(*mc),
                                &*impl->journal,
                                [raw] { return raw->hub->problems(); },
                                impl->wall,
                                [raw](core::Event e) { raw->push(std::move(e)); },
                                events::Channel(log, "service")};
    if (FleetAgent* fa = impl->fleet.get()) {
      parts.fill = [fa](contract::Heartbeat& h) { fa->fill(h); };
      parts.heartbeat_s = [fa] { return fa->settings().heartbeat_s; };
    }
    impl->monitor = std::make_unique<ServiceMonitor>(std::move(parts));
  }

  std::unique_ptr<KioskRuntime> rt(new KioskRuntime(std::move(impl)));
  Impl* i = rt->impl_.get();
  i->business_lane = std::make_unique<Lane>();
  i->poll_lane = std::make_unique<Lane>();
  i->outbox->start();  // what an earlier run could not deliver goes first
  if (i->opt.watch_tokens) {
    if (auto first = i->hub->poll()) i->push(core::KeyStatusChanged{*first});
    i->watcher = std::thread([i] { i->watch_tokens(); });
  }
  if (i->fleet) i->fleet->start();  // before the monitor: its first heartbeat carries the configuration
  if (i->monitor) i->monitor->start();
  return rt;
}

void KioskRuntime::run(const core::Effect& effect, std::uint64_t session, Secrets secrets) {
  if (std::holds_alternative<core::WipeSession>(effect)) impl_->clear_secrets();  // at once, not in turn
  if (!secrets.empty()) {
    std::lock_guard lock(impl_->secret_mutex);
    impl_->secrets.merge(std::move(secrets));  // the effect takes them by slot when its turn comes
  }
  Impl* i = impl_.get();
  if (const auto* changed = std::get_if<core::ServiceChanged>(&effect)) {
    if (i->monitor) i->monitor->report(changed->sources);
    return;
  }
  if (std::holds_alternative<core::WatchOrder>(effect)) {
    auto e = std::get<core::WatchOrder>(effect);
    i->poll_lane->post([i, e, session] { i->watch_order(e, session); });
    return;
  }
  if (i->stop_requested) return;  // the safe stop: nothing new starts
  i->business_lane->post([i, effect, session] {
    {
      std::lock_guard lock(i->stop_mutex);
      if (i->stop_requested) return;
      i->business_busy = true;
    }
    trace_effect_begins(core::effect_name(effect));
    i->execute(effect, session);
    bool stopping_now = false;
    {
      std::lock_guard lock(i->stop_mutex);
      i->business_busy = false;
      stopping_now = i->stop_requested;
    }
    // The owner waits for this moment to exit: wake it even when the effect pushed nothing.
    if (stopping_now) i->wake_owner();
  });
}

void KioskRuntime::set_safe_point(bool safe) {
  if (impl_->fleet) impl_->fleet->set_safe_point(safe);
}

void KioskRuntime::sync_fleet_now() {
  if (impl_->fleet) impl_->fleet->sync_now();
}

FleetStatus KioskRuntime::fleet_status() const {
  if (impl_->fleet) return impl_->fleet->status();
  FleetStatus s;
  s.detail = "this process does not apply the fleet's configuration";
  return s;
}

bool KioskRuntime::stop_at_safe_point() {
  std::lock_guard lock(impl_->stop_mutex);
  impl_->stop_requested = true;
  return !impl_->business_busy;
}

void KioskRuntime::set_waker(std::function<void()> wake) {
  std::lock_guard lock(impl_->queue_mutex);
  impl_->waker = std::move(wake);
}

std::vector<core::Event> KioskRuntime::drain() {
  std::lock_guard lock(impl_->queue_mutex);
  std::vector<core::Event> out;
  out.swap(impl_->queue);
  return out;
}

bool KioskRuntime::wait(int timeout_ms) {
  std::unique_lock lock(impl_->queue_mutex);
  return impl_->queue_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                  [&] { return !impl_->queue.empty(); });
}

core::KeyStatus KioskRuntime::key_status() const {
  return impl_->hub->status();
}

void KioskRuntime::with_journal(const std::function<void(journal::Journal&)>& f) {
  impl_->journal->with([&](journal::Journal& j) { f(j); });
}

std::expected<std::vector<std::pair<std::string, std::string>>, std::string>
KioskRuntime::orders_the_journal_lost() {
  auto c = platform::Client::create(client_options(impl_->opt.config, false));
  if (!c) return std::unexpected(c.error().to_string());
  auto list = c->kiosk_orders(true);
  if (!list) return std::unexpected(list.error().to_string());
  std::vector<std::pair<std::string, std::string>> lost;
  for (const auto& o : list->orders)
    if (!impl_->journal->by_order(o.id)) lost.emplace_back(o.id, std::string(contract::to_string(o.status)));
  return lost;
}

std::vector<journal::OutboxMessage> KioskRuntime::deliver_outbox_now() {
  return impl_->outbox->deliver_all();
}

void KioskRuntime::stop() {
  if (!impl_) return;
  impl_->stopping = true;  // the monitor's call in flight ends now (its client's cancel)
  if (impl_->monitor) impl_->monitor->stop();
  if (impl_->fleet) impl_->fleet->stop();
  if (impl_->outbox) impl_->outbox->stop();
  impl_->stopping = true;
  impl_->stop_requested = true;  // a long poll in flight ends now instead of at its timeout
  impl_->watcher_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  if (impl_->poll_lane) impl_->poll_lane->stop();
  if (impl_->business_lane) impl_->business_lane->stop();
}

}  // namespace runtime
