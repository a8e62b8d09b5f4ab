// kioskctl: the staff and admin command line. `kioskctl --help` lists the commands; exit_codes.hpp lists
// what each exit code means.
#include <fmt/core.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "kiosk_version.hpp"
#include "sentences.hpp"

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

namespace {

std::map<std::string, foundation::SecretBuffer, std::less<>>& env_secrets() {
  static std::map<std::string, foundation::SecretBuffer, std::less<>> m;
  return m;
}

}  // namespace

void take_env_secrets(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string name;
    for (std::string_view flag : {"--pin-env", "--code-env"}) {
      if (a == flag && i + 1 < argc)
        name = argv[i + 1];
      else if (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=')
        name = std::string(a.substr(flag.size() + 1));
    }
    if (name.empty() || env_secrets().contains(name)) continue;
    char* value = std::getenv(name.c_str());
    if (!value) continue;
    env_secrets().emplace(name, foundation::SecretBuffer(value));
    // The environ block (what /proc/PID/environ shows) is the memory getenv points into: wipe it there.
    explicit_bzero(value, std::strlen(value));
    unsetenv(name.c_str());
  }
}

const foundation::SecretBuffer* env_secret(std::string_view name) {
  auto it = env_secrets().find(name);
  return it == env_secrets().end() ? nullptr : &it->second;
}

void refuse_secret_option(CLI::App& cmd, const std::string& name, const std::string& instead) {
  cmd.add_option_function<std::string>(
         name,
         [name, instead](const std::string&) {
           fmt::print(stderr,
                      "kioskctl: {} is not taken: a secret on the command line is visible in ps; {}\n", name,
                      instead);
           throw CLI::RuntimeError(kUsage);
         },
         "refused (visible in ps): " + instead)
      ->group("");
}

}  // namespace kioskctl

int main(int argc, char** argv) {
  // First, before any thread: secrets named by --pin-env / --code-env leave the environment.
  kioskctl::take_env_secrets(argc, argv);
  CLI::App app{"kioskctl: staff and admin tools of the CA renewal kiosk"};
  app.set_version_flag("--version", std::string("kioskctl ") + kiosk_version());
  app.require_subcommand(1);
  kioskctl::Globals g;
  app.add_option("-c,--config", g.config_path,
                 "kiosk configuration (default: $KIOSK_CONFIG, /etc/ca-kiosk/kiosk.json)");
  app.add_flag("--json", g.json_output, "machine-readable output where supported");
  app.add_option("--lang", kioskctl::requested_language(),
                 "language of the sentences printed for the kiosk's messages: zh-CN or en (default: from "
                 "the locale, LC_ALL/LC_MESSAGES/LANG; the files are $KIOSK_ASSETS/i18n)")
      ->check(CLI::IsMember({"zh-CN", "en"}));
  kioskctl::add_token_commands(app, g);
  kioskctl::add_platform_commands(app, g);
  kioskctl::add_engine_commands(app, g);
  kioskctl::add_status_command(app, g);
  kioskctl::add_enroll_commands(app, g);
  kioskctl::add_fleet_commands(app, g);
  kioskctl::add_sync_command(app, g);
  kioskctl::add_staff_commands(app, g);
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
