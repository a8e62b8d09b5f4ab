#include "commands.hpp"

namespace kioskctl {
void add_platform_commands(CLI::App&, Globals&) {}
}  // namespace kioskctl
