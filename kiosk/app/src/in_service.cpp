#include "in_service.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "events/event_log.hpp"

namespace app {
namespace {

// Without a watchdog the loop still wakes this often to notice an installed upgrade (no frame is drawn).
constexpr std::chrono::milliseconds kUpgradeCheck{30'000};

bool idle_on_home(const core::Model& m) {
  // Home holds no customer data at all: nobody's business is interrupted by a restart there.
  return std::holds_alternative<core::phase::Home>(m.flow) && core::dialog_of(m) == core::Dialog::None &&
         !m.idle_overlay;
}

}  // namespace

bool program_replaced() {
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return false;
  // The kernel marks a path whose file was unlinked (dpkg renames the new version over it).
  return std::string_view(exe, static_cast<std::size_t>(n)).ends_with(" (deleted)");
}

InService::InService(service::Notifier notifier) : notifier_(std::move(notifier)) {
  service::StopSignals::block();
#if KIOSK_TEST_HOOKS
  // A test build blocks its loop once, after the third ping, for this many ms: the watchdog must see no
  // ping meanwhile (tests/service). Compiled out of the package build.
  if (const char* ms = std::getenv("KIOSK_TEST_BLOCK_LOOP_MS"); ms && *ms)
    block_after_ping_ = std::chrono::milliseconds(std::atoll(ms));
#endif
}

void InService::configure(AppConfig& config) {
  config.heartbeat_every = notifier_.watchdog_interval().value_or(kUpgradeCheck);
  config.on_heartbeat = [this] { on_heartbeat(); };
  config.on_stop = [this] { notifier_.stopping("stopping: the current step finishes, no new one starts"); };
}

InService::Attachment InService::attach(App& app) {
  app_ = &app;
  auto then = std::move(app.on_frame);
  app.on_frame = [this, then = std::move(then)](std::uint64_t n) {
    if (then) then(n);
    if (n == 1) notifier_.ready("in service: the home screen is presented");
  };
  signals_ = std::make_unique<service::StopSignals>([this](int) { app_->request_stop(); });
  return Attachment(*this);
}

void InService::detach() {
  signals_.reset();  // joins the watcher: no call into the app after this
  app_ = nullptr;
}

void InService::on_heartbeat() {
  if (notifier_.watchdog_interval()) notifier_.watchdog();
  ++pings_;
  if (block_after_ping_ && pings_ == 3) {
    notifier_.status("test: loop blocked");
    std::this_thread::sleep_for(*block_after_ping_);
    notifier_.status("test: loop unblocked");
  }
  if (app_ && !app_->stopping() && idle_on_home(app_->model()) && program_replaced()) {
    events::Channel(&app_->events(), "app").info("a new version is installed: restarting into it while idle on home",
                                                  {.step = "upgrade"});
    notifier_.status("restarting into the installed upgrade");
    app_->request_stop();
  }
}

}  // namespace app
