// `--demo` runs with this stand-in until the demo brings its own reference platform and SoftHSM key (issue
// 6): it takes every effect and answers none, so the key badge shows "no key" and the renewal waits on its
// first step. It keeps no secret: provided PINs and codes are dropped (SecretBuffer zeroes itself).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/runtime.hpp"

namespace app {

class StandInRuntime final : public runtime::Runtime {
 public:
  explicit StandInRuntime(std::function<void(const std::string&)> log) : log_(std::move(log)) {}

  void run(const core::Effect& effect, std::uint64_t) override {
    if (log_) log_("stand-in runtime: " + std::string(core::effect_name(effect)) + " is not answered yet");
  }
  void set_waker(std::function<void()> wake) override { wake_ = std::move(wake); }
  std::vector<core::Event> drain() override { return {}; }
  bool wait(int) override { return false; }
  void provide_secret(Secret, token::SecretBuffer) override {}

 private:
  std::function<void(const std::string&)> log_;
  std::function<void()> wake_;
};

}  // namespace app
