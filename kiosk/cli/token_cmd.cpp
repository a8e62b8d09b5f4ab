// kioskctl token list | show | modules: what the kiosk's token drivers see. Read-only: nothing here
// writes to a token. A PIN (show --pin-stdin) is read from stdin into a SecretBuffer, never from argv.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "foundation/hex.hpp"
#include "sentences.hpp"
#include "token/module.hpp"
#include "token/session.hpp"

namespace kioskctl {
namespace {

using nlohmann::json;

struct TokenOptions {
  std::string module;       // --module: bypass the configuration
  std::string serial;       // --serial
  std::string label;        // --label
  bool pin_stdin = false;   // --pin-stdin
  bool final_try = false;   // --final-try
};

// One PKCS#11 module to look at, and the brand it serves (empty with --module).
struct Target {
  std::string brand_id;
  std::string brand_name;
  std::filesystem::path module;
};

int exit_code(token::ErrorCode c) {
  using token::ErrorCode;
  switch (c) {
    case ErrorCode::ModuleMissing: return kModuleMissing;
    case ErrorCode::ModuleLoadFailed: return kModuleLoadFailed;
    case ErrorCode::TokenAbsent:
    case ErrorCode::WrongToken: return kTokenAbsent;
    case ErrorCode::TokenRemoved: return kTokenRemoved;
    case ErrorCode::PinIncorrect:
    case ErrorCode::PinFinalTry:
    case ErrorCode::PinLenRange: return kPinIncorrect;
    case ErrorCode::PinLocked: return kPinLocked;
    case ErrorCode::PinToBeChanged: return kPinToBeChanged;
    case ErrorCode::TokenFull: return kTokenFull;
    case ErrorCode::MechanismUnsupported: return kMechanismUnsupported;
    case ErrorCode::DeviceError: return kDeviceError;
    case ErrorCode::CertificateNotFound:
    case ErrorCode::CertificateInvalid:
    case ErrorCode::CertificateMismatch:
    case ErrorCode::CertificateNotYetValid:
    case ErrorCode::KeyNotFound: return kCertificateProblem;
    default: return kTokenOther;
  }
}

// The staff's one line: what happened and what to do next (English; the kiosk screens translate keys).
std::string explain(const token::Error& e) {
  using token::ErrorCode;
  switch (e.code) {
    case ErrorCode::ModuleMissing: return "the token driver is not installed (" + e.detail + "): install the vendor's PKCS#11 library or fix brands[].module";
    case ErrorCode::ModuleLoadFailed: return "the token driver does not load (" + e.detail + "): reinstall it or check its dependencies";
    case ErrorCode::TokenAbsent: return "no key inserted: insert the USB key and try again";
    case ErrorCode::WrongToken: return "no key matches (" + e.detail + "): check --serial/--label or insert the right key";
    case ErrorCode::TokenRemoved: return "the key was removed during the operation: insert it again and repeat";
    case ErrorCode::PinIncorrect: return "wrong PIN: check it before trying again (the key counts wrong PINs)";
    case ErrorCode::PinFinalTry: return "the next wrong PIN locks this key: repeat with --final-try only if you are sure of the PIN";
    case ErrorCode::PinLocked: return "the key's PIN is locked: the customer needs the CA counter to unlock it";
    case ErrorCode::PinToBeChanged: return "the key's PIN must be changed first: the customer needs the CA counter";
    case ErrorCode::PinLenRange: return "the PIN's length is outside what this key accepts (" + e.detail + ")";
    case ErrorCode::TokenFull: return "the key's memory is full";
    case ErrorCode::MechanismUnsupported: return "the key does not support the operation (" + e.detail + ")";
    case ErrorCode::DeviceError: return "the key or its driver reported an error (" + e.detail + "): remove and insert it, then repeat";
    default:
      return sentences().text(e.message_key()) + " (" + e.detail + ")";
  }
}

[[noreturn]] void report_token_error(const token::Error& e) {
  fmt::print(stderr, "kioskctl: {}\n", explain(e));
  throw CLI::RuntimeError(exit_code(e.code));
}

[[noreturn]] void fail_saying(int code, const std::string& line) {
  fmt::print(stderr, "kioskctl: {}\n", line);
  fail(code);
}

std::optional<runtime::KioskConfig> config_for(const Globals& g, const TokenOptions& o) {
  // With --module the configuration is optional (used for brand recognition when given).
  if (!o.module.empty() && g.config_path.empty() && std::getenv("KIOSK_CONFIG") == nullptr) return std::nullopt;
  auto c = load_config_or_report(g);
  if (!c) throw CLI::RuntimeError(kConfig);
  return c;
}

std::vector<Target> targets(const std::optional<runtime::KioskConfig>& cfg, const TokenOptions& o) {
  if (!o.module.empty()) return {Target{"", "", o.module}};
  std::vector<Target> out;
  for (const auto& b : cfg->brands) {
    bool seen = false;
    for (auto& t : out) seen = seen || t.module == b.module;
    if (!seen) out.push_back({b.id, b.display_name, b.module});
  }
  if (out.empty()) fail_saying(kConfig, "the configuration lists no brands: add one under \"brands\" or use --module");
  return out;
}

std::string brand_of(const std::optional<runtime::KioskConfig>& cfg, const token::TokenIdentity& id) {
  if (!cfg) return "";
  const runtime::BrandConfig* b = cfg->brand_for_token(id.manufacturer, id.model);
  return b ? fmt::format("{} ({})", b->id, b->display_name) : "";
}

std::string pin_state(const token::PinFlags& p) {
  if (p.locked) return "LOCKED";
  std::string s;
  if (p.final_try) s = "FINAL TRY (one more wrong PIN locks it)";
  else if (p.count_low) s = "wrong PIN entered since the last good one";
  else s = "ok";
  if (p.to_be_changed) s += ", must be changed";
  return s;
}

std::string utc(token::UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string colon_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out += (i ? ":" : "") + hex.substr(i, 2);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

json token_json(const token::TokenInfo& t, const std::string& brand) {
  return json{{"slot", t.slot},
              {"label", t.label},
              {"manufacturer", t.identity.manufacturer},
              {"model", t.identity.model},
              {"serial", t.identity.serial},
              {"brand", brand},
              {"pin", {{"count_low", t.pin.count_low}, {"final_try", t.pin.final_try}, {"locked", t.pin.locked},
                       {"to_be_changed", t.pin.to_be_changed}, {"min_len", t.min_pin_len}, {"max_len", t.max_pin_len}}}};
}

json name_json(const token::NameInfo& n) {
  return json{{"CN", n.common_name}, {"O", n.organization}, {"OU", n.organizational_unit}, {"C", n.country},
              {"ST", n.state},       {"L", n.locality},     {"text", n.one_line}};
}

void run_modules(const Globals& g) {
  auto mods = token::registered_modules();
  if (g.json_output) {
    json a = json::array();
    for (const auto& m : mods) a.push_back({{"name", m.name}, {"path", m.path.string()}, {"exists", m.exists}});
    fmt::print("{}\n", a.dump(2));
    return;
  }
  fmt::print("PKCS#11 modules registered with p11-kit:\n");
  for (const auto& m : mods) fmt::print("  {:<20} {}{}\n", m.name, m.path.string(), m.exists ? "" : "  (missing)");
  if (mods.empty()) fmt::print("  (none)\n");
}

void run_list(const Globals& g, const TokenOptions& o) {
  auto cfg = config_for(g, o);
  json out = json::array();
  std::size_t tokens_seen = 0, modules_loaded = 0;
  std::optional<token::Error> last_error;
  for (const Target& t : targets(cfg, o)) {
    std::string who = t.brand_id.empty() ? t.module.string() : fmt::format("{} ({})", t.brand_id, t.brand_name);
    auto m = token::Module::load(t.module);
    if (!m) {
      if (!g.json_output) fmt::print("{}: {}\n", who, explain(m.error()));
      out.push_back({{"module", t.module.string()}, {"brand", t.brand_id}, {"error", m.error().message_key()}});
      last_error = m.error();
      continue;
    }
    ++modules_loaded;
    auto tokens = m->tokens();
    if (!tokens) {
      if (!g.json_output) fmt::print("{}: {}\n", who, explain(tokens.error()));
      last_error = tokens.error();
      continue;
    }
    json mj{{"module", t.module.string()}, {"brand", t.brand_id}, {"tokens", json::array()}};
    if (!g.json_output) fmt::print("{}: {}\n", who, tokens->empty() ? "no key inserted" : fmt::format("{} key(s)", tokens->size()));
    for (const auto& tok : *tokens) {
      ++tokens_seen;
      std::string brand = brand_of(cfg, tok.identity);
      mj["tokens"].push_back(token_json(tok, brand));
      if (!g.json_output)
        fmt::print("  \"{}\"  {}  brand: {}  PIN: {}\n", tok.label, tok.identity.to_string(),
                   brand.empty() ? "not recognised" : brand, pin_state(tok.pin));
    }
    out.push_back(std::move(mj));
  }
  if (g.json_output) fmt::print("{}\n", out.dump(2));
  if (modules_loaded == 0 && last_error) throw CLI::RuntimeError(exit_code(last_error->code));
  if (tokens_seen == 0) throw CLI::RuntimeError(kTokenAbsent);
}

bool selected(const token::TokenInfo& t, const TokenOptions& o) {
  return (o.serial.empty() || t.identity.serial == o.serial) && (o.label.empty() || t.label == o.label);
}

foundation::SecretBuffer read_pin_from_stdin() {
  foundation::SecretBuffer pin;
  int c = 0;
  while (pin.size() < 4096 && (c = std::getchar()) != EOF && c != '\n' && c != '\r')
    pin.push_back(static_cast<char>(c));
  return pin;
}

void print_certificate(std::size_t i, const token::CertInfo& c) {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string validity = c.valid_at(now) ? "valid now" : (now < c.not_before ? "NOT YET VALID" : "EXPIRED");
  fmt::print("  [{}] {} — {}\n", i, c.subject.common_name.empty() ? "(no CN)" : c.subject.common_name,
             c.subject.organization.empty() ? "(no O)" : c.subject.organization);
  fmt::print("      Subject     : {}\n", c.subject.one_line);
  fmt::print("      Issuer      : {}\n", c.issuer.one_line);
  fmt::print("      Serial      : {}\n", c.serial_hex);
  fmt::print("      Valid       : {} → {}  ({})\n", utc(c.not_before), utc(c.not_after), validity);
  fmt::print("      Key         : {}{}\n", c.key_description.empty() ? "unknown" : c.key_description,
             c.key_usage ? ", key usage " + join(c.key_usage_names) : "");
  fmt::print("      SHA-256     : {}\n", colon_hex(c.sha256_hex));
  fmt::print("      CKA_ID      : {}   label: {}\n",
             c.key_id.empty() ? "(none)" : foundation::hex_encode(c.key_id), c.label);
  std::string priv = !c.private_key_found ? "not visible without login (--pin-stdin)"
                     : *c.private_key_found ? "on the token" : "MISSING (the certificate cannot sign)";
  fmt::print("      Private key : {}\n", priv);
}

void run_show(const Globals& g, const TokenOptions& o) {
  auto cfg = config_for(g, o);
  std::optional<token::Module> module;
  std::optional<token::TokenInfo> found;
  std::optional<token::Error> first_error;
  bool any_token = false;
  Target chosen;
  for (const Target& t : targets(cfg, o)) {
    auto m = token::Module::load(t.module);
    if (!m) {
      if (!first_error) first_error = m.error();
      continue;
    }
    auto tokens = m->tokens();
    if (!tokens) {
      if (!first_error) first_error = tokens.error();
      continue;
    }
    any_token = any_token || !tokens->empty();
    for (auto& tok : *tokens) {
      if (!selected(tok, o)) continue;
      found = tok;
      break;
    }
    if (found) {
      module = std::move(*m);
      chosen = t;
      break;
    }
  }
  if (!found) {
    if (any_token) fail_saying(kTokenAbsent, "no inserted key matches --serial/--label");
    if (first_error) report_token_error(*first_error);
    fail_saying(kTokenAbsent, "no key inserted: insert the USB key and try again");
  }

  auto session = token::Session::open(*module, found->slot);
  if (!session) report_token_error(session.error());
  if (o.pin_stdin) {
    foundation::SecretBuffer pin = read_pin_from_stdin();
    auto r = session->login(pin, {.final_try_acknowledged = o.final_try});
    if (!r) report_token_error(r.error());
  }
  auto info = session->token_info();
  if (!info) report_token_error(info.error());
  auto mech = module->mechanisms(found->slot);
  if (!mech) report_token_error(mech.error());
  auto certs = session->certificates();
  if (!certs) report_token_error(certs.error());
  auto minfo = module->info();
  const std::string brand = brand_of(cfg, info->identity);

  if (g.json_output) {
    json j = token_json(*info, brand);
    j["module"] = chosen.module.string();
    j["mechanisms"] = {{"rsa_2048", mech->supports(domain::KeyAlgorithm::Rsa2048)},
                       {"ec_p256", mech->supports(domain::KeyAlgorithm::EcP256)}};
    j["certificates"] = json::array();
    for (const auto& c : *certs) {
      json cj{{"subject", name_json(c.subject)},
              {"issuer", name_json(c.issuer)},
              {"serial", c.serial_hex},
              {"not_before", c.not_before.time_since_epoch().count()},
              {"not_after", c.not_after.time_since_epoch().count()},
              {"key", c.key_description},
              {"key_usage", c.key_usage_names},
              {"sha256", c.sha256_hex},
              {"key_id", foundation::hex_encode(c.key_id)},
              {"label", c.label}};
      cj["private_key_found"] = c.private_key_found ? json(*c.private_key_found) : json(nullptr);
      j["certificates"].push_back(std::move(cj));
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("Key \"{}\"\n", info->label);
  fmt::print("  Identity     : {}\n", info->identity.to_string());
  fmt::print("  Brand        : {}\n", brand.empty() ? (cfg ? "not recognised (no brand in the configuration matches)" : "(no configuration)") : brand);
  fmt::print("  Module       : {}{}\n", chosen.module.string(),
             minfo ? fmt::format(" ({} {}, Cryptoki {})", minfo->manufacturer, minfo->library_version, minfo->cryptoki_version) : "");
  fmt::print("  PIN          : {}; length {}–{}\n", pin_state(info->pin), info->min_pin_len, info->max_pin_len);
  auto mem = [](const std::optional<unsigned long>& v) { return v ? fmt::format("{} bytes", *v) : std::string("not reported"); };
  fmt::print("  Free memory  : public {}, private {}\n", mem(info->free_public_memory), mem(info->free_private_memory));
  std::vector<std::string> names;
  for (CK_MECHANISM_TYPE t : {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_SHA256_RSA_PKCS, CKM_RSA_PKCS, CKM_EC_KEY_PAIR_GEN, CKM_ECDSA, CKM_ECDSA_SHA256})
    if (mech->find(t)) names.push_back(token::mechanism_name(t));
  fmt::print("  Mechanisms   : RSA-2048 {}, EC P-256 {}  ({} in all; {})\n",
             mech->supports(domain::KeyAlgorithm::Rsa2048) ? "yes" : "NO", mech->supports(domain::KeyAlgorithm::EcP256) ? "yes" : "NO",
             mech->list.size(), join(names));
  fmt::print("  Certificates : {}\n", certs->size());
  for (std::size_t i = 0; i < certs->size(); ++i) print_certificate(i + 1, (*certs)[i]);
}

}  // namespace

void add_token_commands(CLI::App& app, Globals& g) {
  auto* token_cmd = app.add_subcommand("token", "the USB keys and their drivers (read-only)");
  token_cmd->require_subcommand(1);
  auto o = std::make_shared<TokenOptions>();

  auto* list = token_cmd->add_subcommand("list", "list the inserted keys of every configured brand's driver");
  list->add_option("--module", o->module, "a PKCS#11 library to use instead of the configured brands");
  list->callback([&g, o] { run_list(g, *o); });

  auto* show = token_cmd->add_subcommand("show", "show one key: identity, brand, PIN state, mechanisms, certificates");
  show->add_option("--module", o->module, "a PKCS#11 library to use instead of the configured brands");
  show->add_option("--serial", o->serial, "the key's serial number (default: the first key found)");
  show->add_option("--label", o->label, "the key's label");
  show->add_flag("--pin-stdin", o->pin_stdin, "log in with a PIN read from stdin, to see which keys pair with the certificates");
  show->add_flag("--final-try", o->final_try, "log in even when the key reports FINAL TRY");
  show->callback([&g, o] { run_show(g, *o); });

  auto* mods = token_cmd->add_subcommand("modules", "list the PKCS#11 modules registered with p11-kit (a fallback for finding drivers)");
  mods->callback([&g] { run_modules(g); });
}

}  // namespace kioskctl
