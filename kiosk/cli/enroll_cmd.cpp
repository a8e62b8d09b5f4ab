// kioskctl enroll: the installer (as root) gives the terminal its identity with a one-time code an admin
// made (kioskctl fleet enroll-code), and writes the terminal's configuration; kioskctl enroll --renew
// renews the certificate by hand (the runtime does it by itself, docs/operations.md).
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "platform/kiosk_identity.hpp"
#include "runtime/platform_options.hpp"

namespace kioskctl {
namespace {

struct EnrollArgs {
  std::string platform_url, code, code_env;
  std::filesystem::path platform_ca, state_dir = "/var/lib/ca-kiosk", config = "/etc/ca-kiosk/kiosk.json";
  std::filesystem::path template_file = "/usr/share/ca-kiosk/kiosk.json";
  bool renew = false;
};

// The configuration: the template's settings with the platform, the pinned CA and this kiosk's identity
// set (docs/operations.md, "Enrollment"); written to a temporary name and renamed.
void write_config(const EnrollArgs& a, const platform::Enrolled& e, const std::filesystem::path& pinned_ca) {
  std::ifstream in(a.template_file);
  if (!in) {
    fmt::print(stderr, "kioskctl: enroll: cannot read the template {}\n  next: pass --template FILE\n",
               a.template_file.string());
    fail(kConfig);
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json cfg = nlohmann::json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
  if (!cfg.is_object()) {
    fmt::print(stderr, "kioskctl: enroll: the template {} is not a JSON object\n", a.template_file.string());
    fail(kConfig);
  }
  cfg["kiosk_id"] = e.kiosk_id;
  nlohmann::json& p = cfg["platform"];
  if (!p.is_object()) p = nlohmann::json::object();
  p["base_url"] = a.platform_url;
  p["ca_file"] = std::filesystem::absolute(pinned_ca).string();
  p["client_cert"] = std::filesystem::absolute(e.files.cert).string();
  p["client_key"] = std::filesystem::absolute(e.files.key).string();
  // Where the kiosk stands, and its identity renewed by itself (docs/fleet.md, "The install-time fields").
  nlohmann::json& fl = cfg["fleet"];
  if (!fl.is_object()) fl = nlohmann::json::object();
  fl["hall"] = e.hall;
  if (!e.region.empty()) fl["region"] = e.region;
  fl["identity_dir"] = std::filesystem::absolute(a.state_dir).string();
  std::error_code ec;
  if (a.config.has_parent_path()) std::filesystem::create_directories(a.config.parent_path(), ec);
  const std::filesystem::path tmp = a.config.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "// Written by kioskctl enroll (kiosk " << e.kiosk_id << ", hall " << e.hall << ").\n"
        << cfg.dump(2) << '\n';
    if (!out.flush()) {
      fmt::print(stderr, "kioskctl: enroll: cannot write {}\n", tmp.string());
      fail(kFailure);
    }
  }
  std::filesystem::rename(tmp, a.config, ec);
  if (ec) {
    fmt::print(stderr, "kioskctl: enroll: cannot write {}: {}\n", a.config.string(), ec.message());
    fail(kFailure);
  }
}

void run_enroll(const EnrollArgs& a) {
  std::string code = a.code;
  if (!a.code_env.empty()) {
    const foundation::SecretBuffer* s = env_secret(a.code_env);
    if (!s) {
      fmt::print(stderr, "kioskctl: enroll: the variable {} is not set\n", a.code_env);
      fail(kUsage);
    }
    code = std::string(s->reveal());
  }
  if (a.platform_url.empty() || a.platform_ca.empty() || code.empty()) {
    fmt::print(stderr, "kioskctl: enroll: --platform, --platform-ca and --code (or --code-env) are needed\n");
    fail(kUsage);
  }
  platform::ClientOptions o;
  o.base_url = a.platform_url;
  o.ca_file = a.platform_ca;
  auto e = platform::enroll_kiosk(o, code, a.state_dir);
  if (!e) report_platform_error(e.error());
  // The platform CA pinned beside the identity, so the configuration does not depend on where the
  // installer's copy was.
  const std::filesystem::path pinned = a.state_dir / "platform-ca.pem";
  std::error_code ec;
  if (std::filesystem::absolute(a.platform_ca) != std::filesystem::absolute(pinned))
    std::filesystem::copy_file(a.platform_ca, pinned, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    fmt::print(stderr, "kioskctl: enroll: cannot copy the platform CA to {}: {}\n", pinned.string(),
               ec.message());
    fail(kFailure);
  }
  write_config(a, *e, pinned);
  fmt::print("enrolled: kiosk {} (hall {}, region {}); certificate {} valid until {}; configuration {}\n",
             e->kiosk_id, e->hall, e->region.empty() ? "-" : e->region, e->files.cert.string(), e->not_after,
             a.config.string());
}

void run_renew(const EnrollArgs& a) {
  Globals g;
  g.config_path = a.config;
  auto cfg = load_config_or_report(g);
  if (!cfg) fail(kConfig);
  auto e = platform::renew_kiosk_certificate(runtime::client_options(*cfg), a.state_dir);
  if (!e) report_platform_error(e.error());
  fmt::print("renewed: kiosk {}; certificate {} valid until {} (the old pair kept as *.old)\n", e->kiosk_id,
             e->files.cert.string(), e->not_after);
}

}  // namespace

void add_enroll_commands(CLI::App& app, Globals&) {
  auto a = std::make_shared<EnrollArgs>();
  CLI::App* c = app.add_subcommand("enroll",
                                   "give this terminal its identity with a one-time enrollment code "
                                   "(as root, by the installer); --renew renews its certificate");
  c->add_option("--platform", a->platform_url, "the platform's URL, https://…/v1/");
  c->add_option("--platform-ca", a->platform_ca, "the platform CA to pin (PEM)");
  c->add_option("--code", a->code, "the enrollment code (single use; --code-env keeps it out of ps)");
  c->add_option("--code-env", a->code_env, "the environment variable holding the enrollment code");
  c->add_option("--state-dir", a->state_dir, "where the key (0600) and certificate go")
      ->capture_default_str();
  c->add_option("--config", a->config, "the configuration written (read with --renew)")
      ->capture_default_str();
  c->add_option("--template", a->template_file, "the configuration's other settings")->capture_default_str();
  c->add_flag("--renew", a->renew,
              "renew this kiosk's certificate with a new key (mutual TLS, the current one)");
  c->callback([a] { a->renew ? run_renew(*a) : run_enroll(*a); });
}

}  // namespace kioskctl
