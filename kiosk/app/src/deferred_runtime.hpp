// A runtime that arrives later: effects (with their secrets) and the waker given before attach() are kept,
// in order, and handed to the real runtime when it is attached; after that every call goes straight
// through. The app draws its first frame before the real runtime (and the libraries behind it) is loaded.
// A safe stop asked before it came drops what was kept: nothing starts.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/runtime.hpp"

namespace app {

class DeferredRuntime final : public runtime::Runtime {
 public:
  void attach(std::unique_ptr<runtime::Runtime> real) {
    std::lock_guard lock(m_);
    real_ = std::move(real);
    if (stopping_) real_->stop_at_safe_point();  // asked to stop before it came: it starts nothing
    if (waker_) real_->set_waker(waker_);
    for (auto& p : pending_) real_->run(p.effect, p.session, std::move(p.secrets));
    pending_.clear();
  }
  [[nodiscard]] bool attached() const {
    std::lock_guard lock(m_);
    return real_ != nullptr;
  }

  void run(const core::Effect& effect, std::uint64_t session, runtime::Secrets secrets) override {
    std::lock_guard lock(m_);
    if (real_)
      real_->run(effect, session, std::move(secrets));
    else if (stopping_)
      return;  // the secrets, if any, are wiped as they go out of scope
    else if (std::holds_alternative<core::WipeSession>(effect))
      wipe_then(effect, session);
    else
      pending_.push_back({effect, session, std::move(secrets)});
  }
  void set_waker(std::function<void()> wake) override {
    std::lock_guard lock(m_);
    waker_ = wake;
    if (real_) real_->set_waker(std::move(wake));
  }
  std::vector<core::Event> drain() override {
    std::lock_guard lock(m_);
    return real_ ? real_->drain() : std::vector<core::Event>{};
  }
  bool wait(int timeout_ms) override {
    runtime::Runtime* r = nullptr;
    {
      std::lock_guard lock(m_);
      r = real_.get();
    }
    return r ? r->wait(timeout_ms) : false;
  }
  bool stop_at_safe_point() override {
    runtime::Runtime* r = nullptr;
    {
      std::lock_guard lock(m_);
      stopping_ = true;
      pending_.clear();  // not started: they never will (their secrets are wiped with them)
      r = real_.get();
    }
    return r ? r->stop_at_safe_point() : true;
  }
  runtime::StaffDesk* staff_desk() override {
    std::lock_guard lock(m_);
    return real_ ? real_->staff_desk() : nullptr;
  }

 private:
  struct Pending {
    core::Effect effect;
    std::uint64_t session = 0;
    runtime::Secrets secrets;
  };
  // WipeSession before the real runtime: the secrets kept for earlier effects go now, as the real runtime
  // would drop them at once; the effects themselves still run in order.
  void wipe_then(const core::Effect& effect, std::uint64_t session) {
    for (auto& p : pending_) p.secrets.clear();
    pending_.push_back({effect, session, {}});
  }

  mutable std::mutex m_;
  std::unique_ptr<runtime::Runtime> real_;
  std::function<void()> waker_;
  bool stopping_ = false;
  std::vector<Pending> pending_;
};

}  // namespace app
