// The runtime: runs the core's effects against the token layer and the platform on worker threads,
// and hands their results back as events through one queue. The owner (the kiosk app's frame loop, or
// kioskctl) drains the queue; workers never touch anything the UI reads.
//
// Secrets reach the runtime by move, never through the core, and only with the effect that uses them: the
// driver (runtime::Dispatcher, runtime/dispatcher.hpp) passes run() the secrets whose slots the effect names
// (core::secrets_used). The runtime uses each once and wipes it; WipeSession wipes at once any that an
// effect still waiting in a lane was given.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/secret_slot.hpp"
#include "foundation/secret.hpp"

namespace runtime {

class StaffDesk;  // runtime/staff_desk.hpp

// Typed secrets by slot. Moved, never copied; each buffer wipes itself when it is dropped.
class Secrets {
 public:
  Secrets() = default;
  Secrets(Secrets&&) noexcept = default;
  Secrets& operator=(Secrets&&) noexcept = default;

  // A secret under `slot` (one already there is wiped and replaced).
  void put(core::SecretSlot slot, foundation::SecretBuffer value) {
    for (auto& [s, v] : items_)
      if (s == slot) {
        v = std::move(value);
        return;
      }
    items_.emplace_back(slot, std::move(value));
  }
  // The secret under `slot`, gone from here; nullopt when there is none.
  std::optional<foundation::SecretBuffer> take(core::SecretSlot slot) {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (!(items_[i].first == slot)) continue;
      foundation::SecretBuffer v = std::move(items_[i].second);
      if (i + 1 != items_.size()) std::swap(items_[i], items_.back());  // the order means nothing here
      items_.pop_back();
      return v;
    }
    return std::nullopt;
  }
  // Those under `slots`, moved into a Secrets of their own.
  Secrets take(const std::vector<core::SecretSlot>& slots) {
    Secrets out;
    for (const auto& s : slots)
      if (auto v = take(s)) out.put(s, std::move(*v));
    return out;
  }
  // Everything of `other`, moved here.
  void merge(Secrets&& other) {
    for (auto& [slot, value] : other.items_) put(slot, std::move(value));
    other.items_.clear();
  }
  [[nodiscard]] bool contains(core::SecretSlot slot) const {
    return std::any_of(items_.begin(), items_.end(), [&](const auto& i) { return i.first == slot; });
  }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }

 private:
  std::vector<std::pair<core::SecretSlot, foundation::SecretBuffer>> items_;
};

// A login with no PIN handed over: no C_Login is made, so it is not a wrong PIN (the key counted nothing).
inline constexpr const char* kPinMissingKey = "error.token.pin_missing";

class Runtime {
public:
  virtual ~Runtime() = default;

  // Starts one effect; its result arrives later through drain(). `session` is the model's session at the
  // time, echoed in the result so the core can drop answers meant for a wiped customer. `secrets`: those
  // the effect names (core::secrets_used), moved in; the effect uses each once.
  virtual void run(const core::Effect& effect, std::uint64_t session, Secrets secrets) = 0;

  // Called from any thread whenever drain() has something new (the app pushes an SDL user event).
  virtual void set_waker(std::function<void()> wake) = 0;

  // Results and world events (key inserted/removed) since the last call, in order.
  virtual std::vector<core::Event> drain() = 0;

  // Blocks until drain() would return something or the timeout (ms) passes. For kioskctl and tests.
  virtual bool wait(int timeout_ms) = 0;

  // The safe stop (docs/packaging.md, "Stopping safely"). From the first call on no effect starts any more
  // (run() drops new ones, queued ones are dropped when their turn comes), so no new step of a renewal
  // begins; true once no effect is running on the business lane, i.e. the current step reached its end,
  // its outcome journaled and its result queued. The payment long poll only reads: it is cut short, not
  // waited for. The caller (the app's loop) asks again after every wake until it is true. Thread-safe: a
  // SIGTERM watcher calls it the moment the signal is read, so a result that arrives meanwhile cannot
  // start the next step.
  virtual bool stop_at_safe_point() { return true; }

  // Whether the core is at a safe point now (core::at_safe_point: no customer business), told by the driver
  // after every update; the fleet's configuration is applied only then (docs/fleet.md, "On the kiosk").
  virtual void set_safe_point(bool) {}

  // Staff's 【立即同步】: the fleet's configuration fetched now, applied at the next safe point
  // (KioskRuntime; docs/fleet.md, "On the kiosk"). Any thread. Nothing where no fleet agent runs.
  virtual void sync_fleet_now() {}

  // What staff see and do (runtime/staff_desk.hpp): the real runtime's; null where there is none (yet).
  virtual StaffDesk* staff_desk() { return nullptr; }
};

}  // namespace runtime
