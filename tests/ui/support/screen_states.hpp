// Every screen in states a customer (or hall staff) meets it, as models the flow core itself produced: the
// layout tests draw each (home's in ui_shell_test, the renewal's in ui_renewal_screens_test, the personal
// centre's in ui_account_screens_test, staff's in ui_staff_screens_test), and ui_shell_test fails on a
// screen none of them shows.
#pragma once

#include <vector>

#include "renewal_states.hpp"

namespace ui_test {

std::vector<NamedModel>
home_states();  // home (each key badge, out of service for each reason), help, coming soon
std::vector<NamedModel> account_states();  // the personal centre, from the login to 修改密码
// Home's, renewal_states(), account_states() and staff_states().
std::vector<NamedModel> screen_states();

}  // namespace ui_test
