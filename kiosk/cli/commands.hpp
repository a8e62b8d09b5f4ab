// kioskctl's command groups. Each group lives in its own *_cmd.cpp and adds its subcommands here.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>

#include "runtime/config.hpp"

namespace kioskctl {

struct Globals {
  std::filesystem::path config_path;  // --config; empty = $KIOSK_CONFIG or /etc/ca-kiosk/kiosk.json
  bool json_output = false;           // --json where a command supports it
};

// Loads the configuration named by --config (or its default); prints every bad field and returns nullopt.
std::optional<runtime::KioskConfig> load_config_or_report(const Globals& g);

// Each adds its subcommands; a command's callback throws CLI::RuntimeError(exit code) on failure.
void add_token_commands(CLI::App& app, Globals& g);
void add_platform_commands(CLI::App& app, Globals& g);
void add_engine_commands(CLI::App& app, Globals& g);

}  // namespace kioskctl
