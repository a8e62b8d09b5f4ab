#include "commands.hpp"

namespace kioskctl {
void add_engine_commands(CLI::App&, Globals&) {}
}  // namespace kioskctl
