// The one way a driver (the app's frame loop, the headless walk of kioskctl renew) puts an event into the
// core: the event and the secrets typed for it go in together, and each secret comes out with the effect
// that uses it or is wiped.
//
//   dispatch(model, PinSubmitted{slot}, secrets{slot: PIN})
//     → core::update → RunStep{Login, pin: slot} → runtime.run(RunStep, session, {slot: PIN})
//
// A secret the new model keeps for a later effect (core::secrets_held: the PIN while the final-try
// question is open) is held here until that effect or until the model lets go of it. Every other secret
// that came with the event — the event meant nothing where the customer is, or asked for no such effect —
// is wiped before dispatch() returns.
#pragma once

#include <cstddef>

#include "core/update.hpp"
#include "runtime/runtime.hpp"

namespace runtime {

class Dispatcher {
 public:
  explicit Dispatcher(Runtime& runtime) : runtime_(runtime) {}

  // core::update(m, e); its effects go to the runtime in order, each with its secrets. Returns the update
  // (the new model, and the effects for a log).
  core::Update dispatch(core::Model m, const core::Event& e, Secrets secrets = {});
  // Effects that come from no event (core::start's): to the runtime, without secrets.
  void run(const core::Model& m, const std::vector<core::Effect>& effects);

  // How many secrets are held for a later effect (tests).
  [[nodiscard]] std::size_t held() const { return held_.size(); }

 private:
  Runtime& runtime_;
  Secrets held_;
};

}  // namespace runtime
