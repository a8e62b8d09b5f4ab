// kioskctl: the staff and admin command line. `kioskctl --help` lists the commands; exit_codes.hpp lists
// what each exit code means.
#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "kiosk_version.hpp"

namespace kioskctl {

std::optional<runtime::KioskConfig> load_config_or_report(const Globals& g) {
  std::filesystem::path p = g.config_path;
  if (p.empty()) {
    const char* env = std::getenv("KIOSK_CONFIG");
    p = env && *env ? env : "/etc/ca-kiosk/kiosk.json";
  }
  auto c = runtime::load_config(p);
  if (!c) {
    fmt::print(stderr, "kioskctl: configuration {} has errors:\n", p.string());
    for (const auto& e : c.error()) fmt::print(stderr, "  {}\n", e.to_string());
    return std::nullopt;
  }
  return std::move(*c);
}

}  // namespace kioskctl

int main(int argc, char** argv) {
  CLI::App app{"kioskctl: staff and admin tools of the CA renewal kiosk"};
  app.set_version_flag("--version", std::string("kioskctl ") + kiosk_version());
  app.require_subcommand(1);
  kioskctl::Globals g;
  app.add_option("-c,--config", g.config_path, "kiosk configuration (default: $KIOSK_CONFIG, /etc/ca-kiosk/kiosk.json)");
  app.add_flag("--json", g.json_output, "machine-readable output where supported");
  kioskctl::add_token_commands(app, g);
  kioskctl::add_platform_commands(app, g);
  kioskctl::add_engine_commands(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 uses its own codes for parse errors; ours is kUsage. A RuntimeError carries our exit code.
    if (dynamic_cast<const CLI::RuntimeError*>(&e) != nullptr) return e.get_exit_code();
    return rc == 0 ? 0 : kioskctl::kUsage;
  }
  return kioskctl::kOk;
}
