// A runtime that arrives later: effects, secrets and the waker given before attach() are kept, in order,
// and handed to the real runtime when it is attached; after that every call goes straight through. The
// app draws its first frame before the real runtime (and the libraries behind it) is loaded.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
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
    for (auto& [kind, secret] : secrets_) real_->provide_secret(kind, std::move(secret));
    secrets_.clear();
    for (const auto& [effect, session] : effects_) real_->run(effect, session);
    effects_.clear();
  }
  [[nodiscard]] bool attached() const {
    std::lock_guard lock(m_);
    return real_ != nullptr;
  }

  void run(const core::Effect& effect, std::uint64_t session) override {
    std::lock_guard lock(m_);
    if (real_)
      real_->run(effect, session);
    else if (!stopping_)
      effects_.emplace_back(effect, session);
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
      effects_.clear();  // not started: they never will
      r = real_.get();
    }
    return r ? r->stop_at_safe_point() : true;
  }
  void provide_secret(core::SecretKind kind, foundation::SecretBuffer value) override {
    std::lock_guard lock(m_);
    if (real_)
      real_->provide_secret(kind, std::move(value));
    else
      secrets_.emplace_back(kind, std::move(value));
  }

 private:
  mutable std::mutex m_;
  std::unique_ptr<runtime::Runtime> real_;
  std::function<void()> waker_;
  bool stopping_ = false;
  std::vector<std::pair<core::Effect, std::uint64_t>> effects_;
  std::vector<std::pair<core::SecretKind, foundation::SecretBuffer>> secrets_;
};

}  // namespace app
