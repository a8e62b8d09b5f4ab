// kioskctl's command groups. Each group lives in its own *_cmd.cpp and adds its subcommands here.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string_view>

#include "foundation/secret.hpp"
#include "platform/error.hpp"
#include "runtime/config.hpp"

namespace kioskctl {

struct Globals {
  std::filesystem::path config_path;  // --config; empty = $KIOSK_CONFIG or /etc/ca-kiosk/kiosk.json
  bool json_output = false;           // --json where a command supports it
};

// Loads the configuration named by --config (or its default); prints every bad field and returns nullopt.
std::optional<runtime::KioskConfig> load_config_or_report(const Globals& g);

// Secrets given by environment variable (--pin-env NAME, --code-env NAME). A variable's value stays in
// /proc/PID/environ for the life of the process even after unsetenv, so take_env_secrets (called in
// main before the command line is parsed and before any thread starts) copies each named variable into a
// zeroizing buffer, overwrites the value in place and unsets it. Commands read the copies with
// env_secret(NAME); nullptr when the variable was not set.
void take_env_secrets(int argc, char** argv);
const foundation::SecretBuffer* env_secret(std::string_view name);

// Refuses a secret typed on the command line (visible to every user in ps): an option that only says
// where the secret goes instead.
void refuse_secret_option(CLI::App& cmd, const std::string& name, const std::string& instead);

// A platform failure's exit code (exit_codes.hpp) and what staff do next, in one line.
int platform_exit_code(const platform::Error& e);
std::string platform_next_step(const platform::Error& e);

// Each adds its subcommands; a command's callback throws CLI::RuntimeError(exit code) on failure.
void add_token_commands(CLI::App& app, Globals& g);
void add_platform_commands(CLI::App& app, Globals& g);
void add_engine_commands(CLI::App& app, Globals& g);
void add_status_command(CLI::App& app, Globals& g);
void add_enroll_commands(CLI::App& app, Globals& g);  // enroll, enroll --renew (enroll_cmd.cpp)
void add_fleet_commands(CLI::App& app, Globals& g);   // fleet ... : the admin's side (fleet_cmd.cpp)
void add_sync_command(CLI::App& app, Globals& g);     // sync: the fleet configuration now (sync_cmd.cpp)
void add_staff_commands(CLI::App& app, Globals& g);  // staff …: the running kiosk's channel (staff_cmd.cpp)

// Ends the command with `code` (exit_codes.hpp): main() turns the exception into the exit status.
[[noreturn]] inline void fail(int code) { throw CLI::RuntimeError(code); }

// A platform error on stderr with its next step; throws CLI::RuntimeError with its exit code
// (platform_cmd.cpp).
[[noreturn]] void report_platform_error(const platform::Error& e);

}  // namespace kioskctl
