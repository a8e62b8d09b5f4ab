#include "reference/pki.hpp"

#include <ctime>
#include <fstream>
#include <stdexcept>

#include "reference/crypto.hpp"

namespace reference {
namespace {

constexpr std::int64_t kTenYears = 10LL * 365 * 86400;

struct Issued {
  EvpPkeyPtr key;
  X509Ptr cert;
};

Issued make(const std::vector<std::pair<std::string, std::string>>& subject, const Issued* issuer, bool ca,
            std::vector<std::string> ips = {}, std::vector<std::string> dns = {}, bool client = false,
            bool server = false) {
  Issued out;
  out.key = generate_ec_p256();
  auto name = make_name(subject);
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  CertSpec s;
  s.subject = name.get();
  s.public_key = out.key.get();
  s.issuer = issuer ? issuer->cert.get() : nullptr;
  s.issuer_key = issuer ? issuer->key.get() : out.key.get();
  s.serial = random_bytes(16);
  s.serial[0] &= 0x7f;
  s.not_before = now - 3600;
  s.not_after = now + kTenYears;
  s.ca = ca;
  s.ip_sans = std::move(ips);
  s.dns_sans = std::move(dns);
  s.client_auth = client;
  s.server_auth = server;
  out.cert = make_certificate(s);
  if (!out.key || !out.cert) throw std::runtime_error("cannot create a certificate for the dev PKI");
  return out;
}

void save(const Issued& i, const std::filesystem::path& cert, const std::filesystem::path& key) {
  write_pem_cert(cert, i.cert.get());
  write_pem_key(key, i.key.get());
}

}  // namespace

std::filesystem::path default_catalog_path() {
  return KIOSK_DEFAULT_CATALOG;
}

DevPkiPaths dev_pki_paths(const std::filesystem::path& data_dir) {
  DevPkiPaths p;
  p.dir = data_dir / "pki";
  p.platform_ca = p.dir / "platform-ca.pem";
  p.platform_ca_key = p.dir / "platform-ca.key";
  p.server_cert = p.dir / "server.pem";
  p.server_key = p.dir / "server.key";
  p.fleet_ca = p.dir / "fleet-ca.pem";
  p.fleet_ca_key = p.dir / "fleet-ca.key";
  p.kiosk_cert = p.dir / "kiosk.pem";
  p.kiosk_key = p.dir / "kiosk.key";
  p.admin_ca = p.dir / "admin-ca.pem";
  p.admin_ca_key = p.dir / "admin-ca.key";
  p.admin_cert = p.dir / "admin.pem";
  p.admin_key = p.dir / "admin.key";
  p.issuing_ca = p.dir / "issuing-ca.pem";
  p.issuing_ca_key = p.dir / "issuing-ca.key";
  p.config_signing_key = p.dir / "config-signing.key";
  p.config_signing_pub = p.dir / "config-signing.pub.pem";
  return p;
}

DevPkiPaths write_dev_pki(const std::filesystem::path& data_dir, const InitOptions& o) {
  DevPkiPaths p = dev_pki_paths(data_dir);
  if (std::filesystem::exists(p.dir) && !o.overwrite)
    throw std::runtime_error(p.dir.string() + " exists already (remove it, or pass --force)");
  std::filesystem::create_directories(p.dir);

  Issued platform_ca =
      make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "CN-CA Dev Platform CA"}}, nullptr, true);
  Issued server = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "localhost"}}, &platform_ca, false,
                       {"127.0.0.1", "::1"}, {"localhost"}, false, true);
  Issued fleet_ca = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "CN-CA Dev Fleet CA"}}, nullptr, true);
  Issued kiosk = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", o.kiosk_id}}, &fleet_ca, false, {}, {}, true);
  Issued admin_ca = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "CN-CA Dev Admin CA"}}, nullptr, true);
  Issued admin = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "dev-admin"}}, &admin_ca, false, {}, {}, true);
  Issued issuing_ca = make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", "CN-CA Dev Issuing CA"}}, nullptr, true);
  EvpPkeyPtr config_key = generate_ec_p256();
  if (!config_key) throw std::runtime_error("cannot create the config-signing key");

  save(platform_ca, p.platform_ca, p.platform_ca_key);
  save(server, p.server_cert, p.server_key);
  save(fleet_ca, p.fleet_ca, p.fleet_ca_key);
  save(kiosk, p.kiosk_cert, p.kiosk_key);
  save(issuing_ca, p.issuing_ca, p.issuing_ca_key);
  save(admin_ca, p.admin_ca, p.admin_ca_key);
  save(admin, p.admin_cert, p.admin_key);
  write_pem_key(p.config_signing_key, config_key.get());
  write_pem_pubkey(p.config_signing_pub, config_key.get());

  std::filesystem::path catalog = o.catalog.empty() ? default_catalog_path() : o.catalog;
  std::filesystem::copy_file(catalog, data_dir / "catalog.json",
                             std::filesystem::copy_options::overwrite_existing);

  std::ofstream k(data_dir / "kiosk.json");
  k << "// Written by ca-platform-ref --init: a kiosk configuration for this dev platform.\n"
    << "{\n  \"schema_version\": 1,\n  \"kiosk_id\": \"" << o.kiosk_id << "\",\n"
    << "  \"platform\": {\n    \"base_url\": \"https://127.0.0.1:" << o.port << "/v1/\",\n"
    << "    \"ca_file\": \"pki/platform-ca.pem\",\n    \"client_cert\": \"pki/kiosk.pem\",\n"
    << "    \"client_key\": \"pki/kiosk.key\"\n  },\n"
    << "  \"brands\": [\n"
    << "    { \"id\": \"haitai\", \"display_name\": \"海泰KEY\", \"module\": "
       "\"/usr/lib/softhsm/libsofthsm2.so\",\n"
    << "      \"manufacturer\": \"Haitai\", \"model\": \"HaiKey\" },\n"
    << "    { \"id\": \"feitian\", \"display_name\": \"飞天诚信KEY\", \"module\": "
       "\"/usr/lib/softhsm/libsofthsm2.so\",\n"
    << "      \"manufacturer\": \"Feitian\", \"model\": \"ePass3003\" }\n  ],\n"
    << "  \"product_families\": [\n"
    << "    { \"id\": \"gov-procurement\", \"key_algorithm\": \"ec-p256\", \"old_key_policy\": \"keep\" },\n"
    << "    { \"id\": \"e-bidding\", \"key_algorithm\": \"rsa-2048\", \"old_key_policy\": \"delete\" }\n  "
       "],\n"
    << "  \"journal_path\": \"journal.db\"\n}\n";
  if (!k) throw std::runtime_error("cannot write " + (data_dir / "kiosk.json").string());
  return p;
}

void write_kiosk_certificate(const std::filesystem::path& data_dir, std::string_view kiosk_id,
                             const std::filesystem::path& cert_out, const std::filesystem::path& key_out) {
  DevPkiPaths p = dev_pki_paths(data_dir);
  Issued fleet{read_pem_key(p.fleet_ca_key), read_pem_cert(p.fleet_ca)};
  Issued kiosk =
      make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", std::string(kiosk_id)}}, &fleet, false, {}, {}, true);
  save(kiosk, cert_out, key_out);
}

void write_admin_certificate(const std::filesystem::path& data_dir, std::string_view admin_cn,
                             const std::filesystem::path& cert_out, const std::filesystem::path& key_out) {
  DevPkiPaths p = dev_pki_paths(data_dir);
  Issued ca{read_pem_key(p.admin_ca_key), read_pem_cert(p.admin_ca)};
  Issued admin =
      make({{"C", "CN"}, {"O", "CN-CA Dev"}, {"CN", std::string(admin_cn)}}, &ca, false, {}, {}, true);
  save(admin, cert_out, key_out);
}

}  // namespace reference
