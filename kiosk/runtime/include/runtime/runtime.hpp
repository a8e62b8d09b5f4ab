// The runtime: runs the core's effects against the token layer and the platform on worker threads,
// and hands their results back as events through one queue. The owner (the kiosk app's frame loop, or
// kioskctl) drains the queue; workers never touch anything the UI reads.
//
// Secrets reach the runtime by move, never through the core: the keypad's owner hands over the typed PIN
// or SMS code just before dispatching PinSubmitted / CodeSubmitted. The runtime wipes them after use and
// at WipeSession.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/secret_kind.hpp"
#include "foundation/secret.hpp"

namespace runtime {

class Runtime {
public:
  virtual ~Runtime() = default;

  // Starts one effect; its result arrives later through drain(). `session` is the model's session at the
  // time, echoed in the result so the core can drop answers meant for a wiped customer.
  virtual void run(const core::Effect& effect, std::uint64_t session) = 0;

  // Called from any thread whenever drain() has something new (the app pushes an SDL user event).
  virtual void set_waker(std::function<void()> wake) = 0;

  // Results and world events (key inserted/removed) since the last call, in order.
  virtual std::vector<core::Event> drain() = 0;

  // Blocks until drain() would return something or the timeout (ms) passes. For kioskctl and tests.
  virtual bool wait(int timeout_ms) = 0;

  // Hands a typed secret to the runtime (moved; the caller's buffer is wiped). The next effect that needs
  // it uses it once; WipeSession drops them all.
  virtual void provide_secret(core::SecretKind kind, foundation::SecretBuffer value) = 0;

  // The safe stop (docs/packaging.md, "Stopping safely"). From the first call on no effect starts any more
  // (run() drops new ones, queued ones are dropped when their turn comes), so no new step of a renewal
  // begins; true once no effect is running on the business lane, i.e. the current step reached its end,
  // its outcome journaled and its result queued. The payment long poll only reads: it is cut short, not
  // waited for. The caller (the app's loop) asks again after every wake until it is true. Thread-safe: a
  // SIGTERM watcher calls it the moment the signal is read, so a result that arrives meanwhile cannot
  // start the next step.
  virtual bool stop_at_safe_point() { return true; }

  void provide_pin(foundation::SecretBuffer pin) { provide_secret(core::SecretKind::Pin, std::move(pin)); }
  void provide_sms_code(foundation::SecretBuffer code) {
    provide_secret(core::SecretKind::SmsCode, std::move(code));
  }
};

}  // namespace runtime
