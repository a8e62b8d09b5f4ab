#include "commands.hpp"

namespace kioskctl {
void add_token_commands(CLI::App&, Globals&) {}
}  // namespace kioskctl
