#include "runtime/kiosk_runtime.hpp"

#include <chrono>
#include <utility>

#include "runtime/crash_point.hpp"
#include "runtime_impl.hpp"

namespace runtime {
namespace {

std::int64_t system_wall() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

platform::ClientOptions client_options(const KioskConfig& c, bool long_poll) {
  platform::ClientOptions o;
  o.base_url = c.platform.base_url;
  o.ca_file = c.platform.ca_file;
  o.client_cert = c.platform.client_cert;
  o.client_key = c.platform.client_key;
  o.connect_timeout = std::chrono::milliseconds(c.platform.connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(c.platform.request_timeout_ms);
  if (long_poll) o.max_attempts = 1;  // the poll itself repeats
  return o;
}

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
  void operator()(const core::AccountLogin& e) const { rt.account_login(e, s); }
  void operator()(const core::LoadBusiness&) const { rt.load_business(s); }
  void operator()(const core::ResumeBusiness& e) const { rt.resume_business(e, s); }
  void operator()(const core::SaveProfile& e) const { rt.save_profile(e, s); }
  void operator()(const core::ChangePassword&) const { rt.change_password(s); }
  void operator()(const core::Logout&) const { rt.logout(); }
};

}  // namespace

void KioskRuntime::Impl::log(std::string_view line) {
  if (opt.log) opt.log(line);
}

void KioskRuntime::Impl::push(core::Event e) {
  {
    std::lock_guard lock(queue_mutex);
    queue.push_back(std::move(e));
  }
  wake_owner();
}

std::int64_t KioskRuntime::Impl::platform_now() {
  // The offset was taken against the system clock, so it is added to that one (wall() may be a test's).
  if (const auto offset = client->platform_clock_offset()) return system_wall() + *offset;
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

std::optional<foundation::SecretBuffer> KioskRuntime::Impl::take(core::SecretKind kind) {
  std::lock_guard lock(secret_mutex);
  auto it = secrets.find(kind);
  if (it == secrets.end()) return std::nullopt;
  foundation::SecretBuffer s = std::move(it->second);
  secrets.erase(it);
  return s;
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
  auto in = want ? hub->find(to_token(*want)) : hub->inserted();
  if (!in) {
    drop_session();
    return std::unexpected(in.error());
  }
  core::TokenIdentity id = to_core(in->info.identity);
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

KioskRuntime::KioskRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KioskRuntime::~KioskRuntime() {
  stop();
}

std::expected<std::unique_ptr<KioskRuntime>, std::string> KioskRuntime::create(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->wall = impl->opt.wall_now ? impl->opt.wall_now : system_wall;
  auto j = journal::Journal::open(impl->opt.config.journal_path);
  if (!j)
    return std::unexpected("journal " + impl->opt.config.journal_path.string() + ": " + j.error().detail);
  impl->journal.emplace(std::move(*j), [i = impl.get()](std::string_view line) { i->log(line); });
  auto c = platform::Client::create(client_options(impl->opt.config, false));
  if (!c) return std::unexpected("platform client: " + c.error().to_string());
  impl->client = std::move(*c);
  auto poll_options = client_options(impl->opt.config, true);
  poll_options.cancel = &impl->stop_requested;
  auto pc = platform::Client::create(std::move(poll_options));
  if (!pc) return std::unexpected("platform client: " + pc.error().to_string());
  impl->poll_client = std::move(*pc);
  impl->hub = std::make_unique<TokenHub>(impl->opt.config);
  for (const auto& p : impl->hub->problems()) impl->log("token module: " + p);

  std::unique_ptr<KioskRuntime> rt(new KioskRuntime(std::move(impl)));
  Impl* i = rt->impl_.get();
  i->business_lane = std::make_unique<Lane>();
  i->poll_lane = std::make_unique<Lane>();
  if (i->opt.watch_tokens) {
    if (auto first = i->hub->poll()) i->push(core::KeyStatusChanged{*first});
    i->watcher = std::thread([i] { i->watch_tokens(); });
  }
  return rt;
}

void KioskRuntime::run(const core::Effect& effect, std::uint64_t session) {
  if (std::holds_alternative<core::WipeSession>(effect)) impl_->clear_secrets();  // at once, not in turn
  Impl* i = impl_.get();
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

void KioskRuntime::provide_secret(core::SecretKind kind, foundation::SecretBuffer value) {
  std::lock_guard lock(impl_->secret_mutex);
  impl_->secrets[kind] = std::move(value);
}

core::KeyStatus KioskRuntime::key_status() const {
  return impl_->hub->status();
}

void KioskRuntime::with_journal(const std::function<void(journal::Journal&)>& f) {
  impl_->journal->with([&](journal::Journal& j) { f(j); });
}

void KioskRuntime::stop() {
  if (!impl_) return;
  impl_->stopping = true;
  impl_->stop_requested = true;  // a long poll in flight ends now instead of at its timeout
  impl_->watcher_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  if (impl_->poll_lane) impl_->poll_lane->stop();
  if (impl_->business_lane) impl_->business_lane->stop();
}

}  // namespace runtime
