// The throwaway development PKI of the reference platform (`ca-platform-ref --init DIR`).
//
// DIR/pki/ holds, all EC P-256 and valid ten years from now:
//   platform-ca.pem/.key     the platform CA: the kiosk pins it (platform.ca_file)
//   server.pem/.key          the HTTPS server certificate, for 127.0.0.1 and localhost
//   fleet-ca.pem/.key        the fleet CA: the platform trusts kiosk client certificates under it
//   kiosk.pem/.key           one kiosk's client certificate, CN = the kiosk id; the fleet CA is the kiosk CA
//                            that enrollment (POST /v1/enroll) issues under
//   admin-ca.pem/.key        the admin CA: the platform trusts fleet admins' client certificates under it
//   admin.pem/.key           one admin's client certificate (CN "dev-admin"), for tests and the demo
//   issuing-ca.pem/.key      the CA that issues customer certificates (seeded and renewed)
//   config-signing.key       signs the kiosk configuration; config-signing.pub.pem is its public key
// plus DIR/catalog.json (copied) and DIR/kiosk.json, a kiosk configuration pointing at all this, for
// kioskctl and the demo. Errors throw std::runtime_error (start-up).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace reference {

struct DevPkiPaths {
  std::filesystem::path dir;  // DIR/pki
  std::filesystem::path platform_ca, platform_ca_key;
  std::filesystem::path server_cert, server_key;
  std::filesystem::path fleet_ca, fleet_ca_key;
  std::filesystem::path kiosk_cert, kiosk_key;
  std::filesystem::path admin_ca, admin_ca_key;
  std::filesystem::path admin_cert, admin_key;
  std::filesystem::path issuing_ca, issuing_ca_key;
  std::filesystem::path config_signing_key, config_signing_pub;
};

inline constexpr std::string_view kDefaultKioskId = "DEV-KIOSK-01";

DevPkiPaths dev_pki_paths(const std::filesystem::path& data_dir);

struct InitOptions {
  std::string kiosk_id = std::string(kDefaultKioskId);
  std::uint16_t port = 8443;      // written into DIR/kiosk.json's base_url
  std::filesystem::path catalog;  // copied to DIR/catalog.json; empty = the repo's config/catalog.json
  bool overwrite = false;         // false: refuse when DIR/pki exists
};

// Writes the PKI, DIR/catalog.json and DIR/kiosk.json.
DevPkiPaths write_dev_pki(const std::filesystem::path& data_dir, const InitOptions& options = {});

// Another kiosk certificate under DIR's fleet CA (tests of a second kiosk).
void write_kiosk_certificate(const std::filesystem::path& data_dir, std::string_view kiosk_id,
                             const std::filesystem::path& cert_out, const std::filesystem::path& key_out);

// Another admin certificate under DIR's admin CA, CN = `admin_cn` (tests of a second admin).
void write_admin_certificate(const std::filesystem::path& data_dir, std::string_view admin_cn,
                             const std::filesystem::path& cert_out, const std::filesystem::path& key_out);

// The repo's config/catalog.json (compiled in).
std::filesystem::path default_catalog_path();

}  // namespace reference
