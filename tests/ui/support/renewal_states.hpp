// Every renewal screen in every state it can be in, as models the flow core itself produced (scripted
// event sequences with a fake clock, like tests/core): the UI tests draw each in both languages and
// orientations, and the screenshot tool renders them for a person to look at.
#pragma once

#include <string>
#include <vector>

#include "core/model.hpp"

namespace ui_test {

struct NamedModel {
  std::string name;  // "phone-countdown", "pin-final-try-dialog" ...
  core::Model model;
};

std::vector<NamedModel> renewal_states();

}  // namespace ui_test
