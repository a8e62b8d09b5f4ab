#include "runtime/dispatcher.hpp"

#include <utility>

namespace runtime {

core::Update Dispatcher::dispatch(core::Model m, const core::Event& e, Secrets secrets) {
  // Only the secrets the event names came for it; a stray one is not kept for another event.
  Secrets mine = std::exchange(held_, {});
  mine.merge(secrets.take(core::secrets_named(e)));
  secrets.clear();
  core::Update u = core::update(std::move(m), e);
  for (const auto& fx : u.effects) runtime_.run(fx, u.model.session, mine.take(core::secrets_used(fx)));
  held_ = mine.take(core::secrets_held(u.model));
  mine.clear();  // asked for by nobody: wiped now
  runtime_.set_safe_point(core::at_safe_point(u.model));
  return u;
}

void Dispatcher::run(const core::Model& m, const std::vector<core::Effect>& effects) {
  for (const auto& fx : effects) runtime_.run(fx, m.session, {});
  runtime_.set_safe_point(core::at_safe_point(m));
}

}  // namespace runtime
