// kioskctl fleet ...: the fleet admin's side (docs/operations.md, "Fleet commands"). Every command but
// `sign` talks to the platform's admin API over mutual TLS with an admin certificate (under the admin CA),
// given by flags or an admin file: {"base_url", "ca_file", "cert", "key"} ($KIOSK_ADMIN_CONFIG or
// --admin-config).
#include <fmt/core.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "fleet/sign.hpp"
#include "foundation/base64.hpp"
#include "foundation/c_handle.hpp"
#include "platform/client.hpp"

namespace kioskctl {
namespace {

struct FleetArgs {
  std::filesystem::path admin_config, admin_cert, admin_key, platform_ca;
  std::string platform_url;
  std::string kiosk_id, hall, region, staff, scope;
  bool yes = false, dev = false, json = false;
  long long silent_after_s = 900;
  std::filesystem::path file, out, document;
  std::vector<std::filesystem::path> signer_certs, signer_keys, crls;
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "kioskctl: fleet: cannot read {}\n", p.string());
    fail(kConfig);
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

platform::Client admin_client(FleetArgs a) {
  if (a.admin_config.empty())
    if (const char* env = std::getenv("KIOSK_ADMIN_CONFIG"); env && *env) a.admin_config = env;
  if (!a.admin_config.empty()) {
    auto j = contract::Json::parse(read_file(a.admin_config), nullptr, false, true);
    auto str = [&](const char* k) {
      return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
    };
    const auto base = a.admin_config.parent_path();
    auto path = [&](const char* k) {
      std::filesystem::path p = str(k);
      return p.empty() || p.is_absolute() ? p : base / p;
    };
    if (a.platform_url.empty()) a.platform_url = str("base_url");
    if (a.platform_ca.empty()) a.platform_ca = path("ca_file");
    if (a.admin_cert.empty()) a.admin_cert = path("cert");
    if (a.admin_key.empty()) a.admin_key = path("key");
  }
  if (a.platform_url.empty() || a.platform_ca.empty() || a.admin_cert.empty() || a.admin_key.empty()) {
    fmt::print(
        stderr,
        "kioskctl: fleet: the platform and an admin certificate are needed: --platform, --platform-ca, "
        "--admin-cert, --admin-key, or --admin-config FILE ($KIOSK_ADMIN_CONFIG)\n");
    fail(kUsage);
  }
  platform::ClientOptions o;
  o.base_url = a.platform_url;
  o.ca_file = a.platform_ca;
  o.client_cert = a.admin_cert;
  o.client_key = a.admin_key;
  auto c = platform::Client::create(o);
  if (!c) report_platform_error(c.error());
  return std::move(*c);
}

contract::Json call(FleetArgs& a, std::string_view method, const std::string& path,
                    const contract::Json* body) {
  auto c = admin_client(a);
  auto r = c.call(method, path, body, method == "GET" ? "" : platform::new_idempotency_key());
  if (!r) report_platform_error(r.error());
  return *r;
}

void enroll_code(FleetArgs& a) {
  contract::Json body = {{"kiosk_id", a.kiosk_id}, {"hall", a.hall}};
  if (!a.region.empty()) body["region"] = a.region;
  auto r = call(a, "POST", "admin/enrollment-codes", &body);
  if (a.json) return fmt::print("{}\n", r.dump(2));
  fmt::print(
      "enrollment code for kiosk {} (hall {}): {}\n  single use, valid until {} (UNIX time)\n"
      "  on the terminal: kioskctl enroll --platform URL --platform-ca FILE --code-env NAME\n",
      a.kiosk_id, a.hall, r["code"].get<std::string>(), r["expires_at"].get<long long>());
}

void maintenance_code(FleetArgs& a) {
  contract::Json body = {{"staff", a.staff}, {"kiosk_id", a.kiosk_id}};
  auto r = call(a, "POST", "admin/maintenance-codes", &body);
  if (a.json) return fmt::print("{}\n", r.dump(2));
  fmt::print("maintenance code for {} at kiosk {}: {}\n  single use, valid until {} (UNIX time)\n", a.staff,
             a.kiosk_id, r["code"].get<std::string>(), r["expires_at"].get<long long>());
}

void decommission(FleetArgs& a) {
  if (!a.yes) {
    fmt::print(
        "Decommission kiosk {}? Its certificates are revoked and the platform refuses it from now on.\n"
        "Type the kiosk id to confirm: ",
        a.kiosk_id);
    std::fflush(stdout);
    std::string typed;
    std::getline(std::cin, typed);
    if (typed != a.kiosk_id) {
      fmt::print(stderr, "kioskctl: fleet decommission: not confirmed; nothing done\n");
      fail(kFailure);
    }
  }
  const contract::Json empty = contract::Json::object();
  auto r = call(a, "POST", "admin/kiosks/" + a.kiosk_id + "/decommission", &empty);
  if (a.json) return fmt::print("{}\n", r.dump(2));
  fmt::print("kiosk {} decommissioned; its orders stay readable (GET admin/kiosks/{}/orders)\n", a.kiosk_id,
             a.kiosk_id);
}

void status(FleetArgs& a) {
  std::string path = "admin/kiosks";
  if (!a.scope.empty()) {
    const auto eq = a.scope.find('=');
    const std::string kind = a.scope.substr(0, eq);
    if (eq == std::string::npos || (kind != "hall" && kind != "region")) {
      fmt::print(stderr, "kioskctl: fleet status: --scope hall=ID or region=ID\n");
      fail(kUsage);
    }
    path += "?" + a.scope;
  }
  auto r = call(a, "GET", path, nullptr);
  contract::Json silent = contract::Json::array();
  for (const auto& k : r["kiosks"])
    if (k.value("state", "") != "decommissioned" &&
        (!k.contains("silent_s") || k["silent_s"].get<long long>() > a.silent_after_s))
      silent.push_back(k["kiosk_id"]);
  if (a.json) {
    r["not_heard_from"] = silent;
    r["silent_after_s"] = a.silent_after_s;
    return fmt::print("{}\n", r.dump(2));
  }
  // The configuration's columns come from each kiosk's last heartbeat (docs/fleet.md, "On the kiosk"):
  // the running version, its state (with the refusal's code or "fleet.rolled_back"), amber when expired.
  fmt::print("{:<24} {:<16} {:<10} {:<15} {:>10}  {:<12} {:>7} {:<36} {:>7}\n", "KIOSK", "HALL", "REGION",
             "STATE", "SILENT_S", "SOFTWARE", "CONFIG", "CONFIG_STATE", "PENDING");
  for (const auto& k : r["kiosks"]) {
    const auto hb = k.value("last_heartbeat", contract::Json::object());
    const auto& cfg = hb.is_object() ? hb : contract::Json::object();
    std::string state = cfg.value("config_state", "");
    if (!cfg.value("config_code", "").empty()) state += " " + cfg.value("config_code", "");
    if (cfg.value("config_expired", false)) state += " (expired)";
    const auto pending = hb.is_object() ? hb.value("pending_business", contract::Json()) : contract::Json();
    fmt::print("{:<24} {:<16} {:<10} {:<15} {:>10}  {:<12} {:>7} {:<36} {:>7}\n", k.value("kiosk_id", ""),
               k.value("hall", ""), k.value("region", ""), k.value("state", ""),
               k.contains("silent_s") ? std::to_string(k["silent_s"].get<long long>()) : "never",
               hb.is_object() ? hb.value("software_version", "") : "",
               hb.is_object() && hb.contains("config_version") ? hb["config_version"].dump() : "-",
               state.empty() ? "-" : state, pending.is_number() ? pending.dump() : "-");
  }
  fmt::print("not heard from for more than {} s: {}\n", a.silent_after_s,
             silent.empty() ? "none" : silent.dump());
}

void publish(FleetArgs& a) {
  const std::string bundle = read_file(a.file);
  contract::Json body = {
      {"bundle", foundation::base64_encode(
                     std::span(reinterpret_cast<const std::uint8_t*>(bundle.data()), bundle.size()))}};
  auto r = call(a, "POST", "admin/bundles", &body);
  if (a.json) return fmt::print("{}\n", r.dump(2));
  fmt::print("published {} ({} bytes), ETag {}\n", r["sha256"].get<std::string>(), r["size"].get<long long>(),
             r["etag"].get<std::string>());
}

void sign(FleetArgs& a) {
  if (!a.dev) {
    fmt::print(
        stderr,
        "kioskctl: fleet sign: signer keys on a PKCS#11 token are not supported yet; a key in a file is "
        "for development only: pass --dev\n");
    fail(kUsage);
  }
  if (a.signer_certs.empty() || a.signer_certs.size() != a.signer_keys.size()) {
    fmt::print(stderr, "kioskctl: fleet sign: one --signer-key per --signer-cert\n");
    fail(kUsage);
  }
  using X509Ptr = foundation::CPtr<X509, X509_free>;
  using KeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
  using CrlPtr = foundation::CPtr<X509_CRL, X509_CRL_free>;
  std::vector<X509Ptr> certs;
  std::vector<KeyPtr> keys;
  std::vector<CrlPtr> crls;
  std::vector<fleet::SignerKey> signers;
  auto pem = [&](const std::filesystem::path& p) {
    const std::string t = read_file(p);
    return foundation::CPtr<BIO, BIO_free>(BIO_new_mem_buf(t.data(), static_cast<int>(t.size())));
  };
  for (std::size_t i = 0; i < a.signer_certs.size(); ++i) {
    auto cb = pem(a.signer_certs[i]);
    auto kb = pem(a.signer_keys[i]);
    certs.emplace_back(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    keys.emplace_back(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!certs.back() || !keys.back()) {
      fmt::print(stderr, "kioskctl: fleet sign: cannot read {} / {}\n", a.signer_certs[i].string(),
                 a.signer_keys[i].string());
      fail(kConfig);
    }
    signers.push_back({certs.back().get(), keys.back().get()});
  }
  std::vector<X509_CRL*> crl_ptrs;
  for (const auto& p : a.crls) {
    auto b = pem(p);
    crls.emplace_back(PEM_read_bio_X509_CRL(b.get(), nullptr, nullptr, nullptr));
    if (!crls.back()) {
      fmt::print(stderr, "kioskctl: fleet sign: cannot read the CRL {}\n", p.string());
      fail(kConfig);
    }
    crl_ptrs.push_back(crls.back().get());
  }
  const std::string doc = read_file(a.document);
  const auto refusals = fleet::check_for_signing(
      doc, signers, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  for (const auto& r : refusals)
    fmt::print(stderr, "kioskctl: fleet sign: kiosks would refuse this: {}\n", r.sentence());
  if (!refusals.empty()) fail(kFailure);
  auto der = fleet::sign_bundle(doc, signers, crl_ptrs);
  if (!der) {
    fmt::print(stderr, "kioskctl: fleet sign: {}\n", der.error().message);
    fail(kFailure);
  }
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(der->data()), static_cast<std::streamsize>(der->size()));
  if (!out.flush()) {
    fmt::print(stderr, "kioskctl: fleet sign: cannot write {}\n", a.out.string());
    fail(kFailure);
  }
  fmt::print("signed {} by {} signer(s) → {} ({} bytes)\n", a.document.string(), signers.size(),
             a.out.string(), der->size());
}

}  // namespace

void add_fleet_commands(CLI::App& app, Globals& g) {
  auto a = std::make_shared<FleetArgs>();
  CLI::App* f = app.add_subcommand("fleet",
                                   "the fleet admin's commands: enrollment and maintenance codes, "
                                   "decommissioning, status, signing and publishing bundles");
  f->require_subcommand(1);
  auto conn = [a](CLI::App* c) {
    c->add_option("--admin-config", a->admin_config,
                  "admin file {base_url, ca_file, cert, key} ($KIOSK_ADMIN_CONFIG)");
    c->add_option("--platform", a->platform_url, "the platform's URL, https://…/v1/");
    c->add_option("--platform-ca", a->platform_ca, "the platform CA (PEM)");
    c->add_option("--admin-cert", a->admin_cert, "your admin certificate (PEM, under the admin CA)");
    c->add_option("--admin-key", a->admin_key, "its key (PEM)");
    c->add_flag("--json", a->json, "print the platform's answer as JSON");
  };
  auto run = [a, &g](void (*fn)(FleetArgs&)) {
    return [a, &g, fn] {
      a->json = a->json || g.json_output;
      fn(*a);
    };
  };
  CLI::App* c = f->add_subcommand("enroll-code", "a single-use enrollment code for a kiosk id");
  conn(c);
  c->add_option("--kiosk-id", a->kiosk_id, "the kiosk's id (its certificate's CN)")->required();
  c->add_option("--hall", a->hall, "its hall")->required();
  c->add_option("--region", a->region, "its region");
  c->callback(run(enroll_code));
  c = f->add_subcommand("maintenance-code",
                        "a single-use maintenance code (≤ 30 minutes) for a staff member at a kiosk");
  conn(c);
  c->add_option("--staff", a->staff, "the staff member")->required();
  c->add_option("--kiosk", a->kiosk_id, "the kiosk's id")->required();
  c->callback(run(maintenance_code));
  c = f->add_subcommand("decommission", "revoke a kiosk's certificates; the platform refuses it from now on");
  conn(c);
  c->add_option("--kiosk-id", a->kiosk_id, "the kiosk's id")->required();
  c->add_flag("--yes", a->yes, "no confirmation prompt");
  c->callback(run(decommission));
  c = f->add_subcommand("status", "every kiosk with its last heartbeat, and those not heard from");
  conn(c);
  c->add_option("--scope", a->scope, "hall=ID or region=ID");
  c->add_option("--silent-after", a->silent_after_s,
                "seconds without a heartbeat that count as not heard from")
      ->capture_default_str();
  c->callback(run(status));
  c = f->add_subcommand("publish", "publish a signed bundle (served to kiosks at GET kiosk/config-bundle)");
  conn(c);
  c->add_option("FILE", a->file, "the signed bundle (CMS SignedData, DER)")->required();
  c->callback(run(publish));
  c = f->add_subcommand("sign", "sign a bundle document (docs/fleet.md); keys in files only with --dev");
  c->add_option("DOCUMENT", a->document, "the bundle's JSON document")->required();
  c->add_option("-o,--out", a->out, "the signed bundle (DER)")->required();
  c->add_option("--signer-cert", a->signer_certs,
                "a configuration-signing certificate (PEM); repeat for two signers");
  c->add_option("--signer-key", a->signer_keys, "its key (PEM), in the same order");
  c->add_option("--crl", a->crls, "a root's CRL (PEM) carried with the bundle");
  c->add_flag("--dev", a->dev, "development: the signer keys are files");
  c->callback(run(sign));
}

}  // namespace kioskctl
