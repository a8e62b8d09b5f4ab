// The real runtime: the core's effects run against the configured token modules (token/), the platform
// (services/platform) and the journal (services/journal).
//
// Threads: one business lane runs every effect in order (token work, platform calls, journal writes);
// a poll lane runs the payment long-poll so a cancel is never stuck behind it; a watcher polls the token
// modules for hot-plug and reports KeyStatusChanged. Each lane has its own platform client. Results come
// back through one queue (drain()); the waker is called after every push.
//
// Every step with a side effect is journaled: intent before, outcome after, so a crash anywhere resumes
// without a second order, a second issuance or a second key pair (ResumeBusiness reconciles the journal,
// the platform and the token). Named crash points (KIOSK_CRASH_AT, tests only) sit after every journal
// write and after every external effect.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.hpp"
#include "runtime/config.hpp"
#include "runtime/runtime.hpp"

namespace runtime {

struct RuntimeOptions {
  KioskConfig config;
  // Wall clock, unix seconds (the dev clock in tests); default: the system clock.
  std::function<std::int64_t()> wall_now;
  // Log lines for staff (kioskctl -v, the app's log). Never a secret: the runtime formats none.
  std::function<void(std::string_view)> log;
  bool watch_tokens = true;  // start the hot-plug watcher (kioskctl's one-shot commands do not need it)
};

class KioskRuntime final : public Runtime {
public:
  // Opens the journal and the platform clients and loads the configured token modules (a module that
  // fails to load is reported as "driver missing", not an error here). Errors: a message naming what
  // could not be set up (journal, client certificate files).
  static std::expected<std::unique_ptr<KioskRuntime>, std::string> create(RuntimeOptions options);
  ~KioskRuntime() override;

  void run(const core::Effect& effect, std::uint64_t session) override;
  void set_waker(std::function<void()> wake) override;
  std::vector<core::Event> drain() override;
  bool wait(int timeout_ms) override;
  void provide_secret(core::SecretKind kind, foundation::SecretBuffer value) override;
  bool stop_at_safe_point() override;

  // The current key status (also sent as KeyStatusChanged whenever it changes).
  core::KeyStatus key_status() const;
  // Runs `f` with the journal on the business lane's terms (locked); for kioskctl's read-only commands.
  void with_journal(const std::function<void(journal::Journal&)>& f);
  // Stops the lanes (pending effects are dropped; a running one finishes first). The destructor calls it.
  void stop();

  struct Impl;

private:
  explicit KioskRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runtime
