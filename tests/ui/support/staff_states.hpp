// Hall staff's screens in every state they can be in, as models the flow core itself produced (scripted
// events, a fake clock): a staff KEY on home, 【维护】 refused mid-step, the KEY left behind; the sign-in by
// KEY and by code; each maintenance page empty, loading, with data (long and hostile strings among it),
// busy and after its actions; the device tests; the handover. The layout tests draw each in both languages
// and orientations; the screenshot test renders them for a person to look at.
#pragma once

#include <variant>
#include <vector>

#include "core/events.hpp"
#include "core/update.hpp"

#include <string>
#include <vector>

#include "core/model.hpp"
#include "renewal_states.hpp"

namespace ui_test {

// The core's next model after `e` (the effects dropped): the staff tests' way of moving a state on.
inline core::Model step(core::Model m, const core::Event& e) {
  return core::update(std::move(m), e).model;
}

// The first event of type E among those a screen returned.
template <typename E>
const E* find(const std::vector<core::Event>& events) {
  for (const auto& e : events)
    if (const auto* p = std::get_if<E>(&e)) return p;
  return nullptr;
}

std::vector<NamedModel> staff_states();

// The pieces the staff tests build on.
namespace staff_fixture {
// A staff KEY as the token layer reports it, and as the runtime judged it (name "王芳", may sign in).
core::KeyStatus staff_key();
core::StaffKeyInfo staff_info(std::string name = "王芳");
// A customer's KEY (not a staff KEY: the runtime's judgement has no name).
core::KeyStatus customer_key();
// Home with the staff KEY in and judged; then signed in (by KEY or by code) on the Status page.
core::Model home_with_staff_key();
core::Model signed_in(bool by_key, std::string name = "王芳");
// The status items, business, log lines and KEY report the pages are shown with.
std::vector<core::StatusItem> status_items();
std::vector<core::StaffBusiness> business();
std::vector<core::LogLine> log_lines();
core::KeyReport key_report();
}  // namespace staff_fixture

}  // namespace ui_test
