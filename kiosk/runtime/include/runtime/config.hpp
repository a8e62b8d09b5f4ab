// The kiosk's configuration: one JSON file with a schema version, loaded once at start.
//
// Every bad or missing field is reported as its own error naming the field ("platform.base_url: must
// start with https://"), all of them at once, so whoever edits the file fixes it in one pass. Relative
// paths are resolved against the file's folder. Unknown keys are errors too: a misspelt key that is
// silently ignored is how a fleet ends up running on defaults.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "domain/key.hpp"

namespace runtime {

struct BrandConfig {
  std::string id;            // "haitai"
  std::string display_name;  // "海泰KEY"
  std::filesystem::path module;  // the vendor's PKCS#11 library; may be absent on disk (= driver missing)
  std::string manufacturer;  // expected CK_TOKEN_INFO.manufacturerID (trimmed)
  std::string model;         // expected CK_TOKEN_INFO.model (trimmed)
};

struct ProductFamilyConfig {
  std::string id;  // the platform's project id, e.g. "gov-procurement"
  domain::KeyAlgorithm key_algorithm = domain::KeyAlgorithm::EcP256;
  domain::OldKeyPolicy old_key_policy = domain::OldKeyPolicy::Keep;
};

struct PlatformConfig {
  std::string base_url;               // "https://127.0.0.1:8443/v1/"
  std::filesystem::path ca_file;      // the pinned platform CA (PEM)
  std::filesystem::path client_cert;  // this kiosk's identity (PEM)
  std::filesystem::path client_key;   // its key (PEM)
  std::uint32_t connect_timeout_ms = 3000;
  std::uint32_t request_timeout_ms = 15000;
  std::uint32_t long_poll_s = 20;
};

struct TimeoutConfig {
  std::uint32_t idle_s = 60;           // no touch → the "are you still there" overlay
  std::uint32_t idle_warning_s = 20;   // the overlay's countdown (≥ 20)
  std::uint32_t session_max_s = 600;   // personal centre: logout after this in any case
  std::uint32_t token_poll_ms = 400;   // hot-plug polling (300–500)
};

// In service or not (docs/operations.md, "In service or not"): how often the runtime checks whether
// business can start and sends its heartbeat, and the platform check's hysteresis.
struct ServiceConfig {
  std::uint32_t check_s = 30;             // the service checks, every this many seconds (1–3600)
  std::uint32_t heartbeat_s = 300;        // the heartbeat to the platform (1–86400)
  std::uint32_t platform_out_after = 3;   // failed platform checks in a row before 暂停服务 (1–20)
  std::uint32_t platform_back_after = 2;  // passed ones in a row before it opens again (1–20)
};

// Who opens the maintenance screens with a staff KEY (docs/staff.md): pinned at install, never changed by
// the fleet channel. Without the section no staff KEY is accepted (maintenance codes still are).
struct StaffConfig {
  std::filesystem::path ca_file;   // the staff CA certificate(s), PEM
  std::string role_oid;            // the staff role: an extended key usage or certificate policy OID
  std::uint32_t crl_grace_h = 24;  // the staff CRL still counts this many hours past its nextUpdate (0-720)
  std::filesystem::path crl_file;  // where the CRL from the platform is kept; default: beside the journal
};

// The local staff channel (docs/staff.md, "The local staff channel"): where ca-kiosk listens for kioskctl,
// and the group whose members may use it besides root and the kiosk's own user.
struct StaffChannelConfig {
  std::filesystem::path socket = "/run/ca-kiosk/staff.sock";  // its folder: the unit's RuntimeDirectory
  std::string group = "ca-kiosk-staff";
};

struct UiConfig {
  std::string language = "zh-CN";  // "zh-CN" or "en"
  bool shuffle_pin_keypad = false;
};

// The fleet's configuration as the installer pins it (docs/fleet.md, "Precedence"; docs/operations.md,
// "The fleet's configuration"): where this kiosk stands, the configuration roots it trusts, where it keeps
// its trust state, and what it does when the applied bundle expires. Without roots_file the kiosk runs on
// its install-time values and fetches no bundle.
struct FleetConfig {
  std::string hall;                   // this kiosk's hall, as its enrollment said ("H001"); empty: none
  std::string region;                 // its region ("NMG"); empty: none
  std::filesystem::path roots_file;   // the pinned configuration roots (PEM, n certificates)
  std::uint32_t roots_threshold = 1;  // k of those n needed to sign a rotation (1-8)
  std::filesystem::path state_dir;    // trust-state.json and fleet-health.json; default: the journal's folder
  std::uint32_t config_poll_s = 300;  // the install-time poll interval (60-86400); the fleet may set it
  // The applied bundle expired and no newer one came (an outage, or a freeze attack): amber at once, out
  // of service this many days later (0-365; 0: at once).
  std::uint32_t expired_out_of_service_days = 7;
  // A newly applied bundle is trusted once the service checks pass with it within this window, otherwise
  // the kiosk goes back to the last known good (1-3600 s).
  std::uint32_t health_window_s = 300;
  // p11-kit's registry: a brand's module named by the fleet is <dir>/<name>.module's "module:" line.
  std::filesystem::path p11kit_modules_dir = "/usr/share/p11-kit/modules";
  // The kiosk's own identity (kiosk.key, kiosk.pem from kioskctl enroll): renewed by the runtime when due.
  // Empty: no automatic renewal (a developer's --init certificate).
  std::filesystem::path identity_dir;
  std::uint32_t renew_check_s = 3600;    // how often the certificate's validity is looked at (60-86400)
  std::uint32_t renew_before_days = 30;  // renewed when fewer days than this remain (1-400)
};

struct KioskConfig {
  int schema_version = 1;
  std::string kiosk_id;
  PlatformConfig platform;
  std::vector<BrandConfig> brands;
  std::vector<ProductFamilyConfig> product_families;
  TimeoutConfig timeouts;
  UiConfig ui;
  ServiceConfig service;
  FleetConfig fleet;
  std::optional<StaffConfig> staff;
  StaffChannelConfig staff_channel;
  std::filesystem::path journal_path = "journal.db";
  // The journal's filesystem must keep this much free (for an unprivileged user), or the kiosk takes no
  // new business: a renewal writes a few KiB, and a full disk mid-renewal stops it (0–1048576).
  std::uint32_t journal_min_free_mb = 64;
  // Businesses over and owed to nobody, and the audit entries behind them, are removed this long after
  // they last changed (docs/operations.md, "What a kiosk keeps").
  std::uint32_t journal_retention_days = 400;
  std::filesystem::path source;  // the file it came from

  [[nodiscard]] const BrandConfig* brand(std::string_view id) const;
  [[nodiscard]] const BrandConfig* brand_for_token(std::string_view manufacturer, std::string_view model) const;
  [[nodiscard]] const ProductFamilyConfig* family(std::string_view id) const;
};

struct ConfigError {
  std::string field;    // dotted path: "brands[1].module"
  std::string message;  // what is wrong and what is expected
  [[nodiscard]] std::string to_string() const { return field.empty() ? message : field + ": " + message; }
};

inline constexpr int kConfigSchemaVersion = 1;
// Bounds on the file, checked before anything is parsed: a real configuration is a few KiB and nests four
// deep, so a file past either is refused in one line instead of costing seconds and gigabytes.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConfigDepth = 16;

// Parses a configuration from JSON text. `base_dir` resolves relative paths.
std::expected<KioskConfig, std::vector<ConfigError>> parse_config(std::string_view json_text,
                                                                  const std::filesystem::path& base_dir);
// Reads and parses a file. A missing, unreadable, oversized file or a directory is one error with an empty
// field.
std::expected<KioskConfig, std::vector<ConfigError>> load_config(const std::filesystem::path& file);

}  // namespace runtime
