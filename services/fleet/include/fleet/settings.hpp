// The settings document a bundle carries (docs/fleet.md, "The settings document"): what the fleet sets on a
// kiosk, in layers by scope, with the targets the bundle is for. Parsing checks every type and range and
// refuses the whole document with the first field that is wrong; nothing here is trusted before the CMS
// signature around it is (fleet/trust.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/key.hpp"
#include "fleet/refusal.hpp"
#include "fleet/scope.hpp"

namespace fleet {

// The schema this software reads, and its own version (a bundle may ask for more: "needs software ≥ X").
inline constexpr int kSchemaVersion = 1;
std::string_view software_version() noexcept;

// Bounds checked before and while parsing.
inline constexpr std::size_t kMaxBundleBytes = 256 * 1024;    // the DER bundle
inline constexpr std::size_t kMaxDocumentBytes = 128 * 1024;  // the JSON inside it
inline constexpr int kMaxDocumentDepth = 8;

// Open from start to end, minutes of the day (0–1440, start < end).
struct Interval {
  std::uint16_t start_min = 0;
  std::uint16_t end_min = 1440;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Monday first. An empty day is closed.
struct ServiceHours {
  std::array<std::vector<Interval>, 7> days;
  friend bool operator==(const ServiceHours&, const ServiceHours&) = default;
  static ServiceHours always_open();
};

struct LocalizedText {
  std::string zh_cn;
  std::string en;
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

struct OutOfService {
  LocalizedText reason;
  std::optional<std::int64_t> from;   // UNIX seconds; absent: now
  std::optional<std::int64_t> until;  // UNIX seconds; absent: until a bundle says otherwise
  friend bool operator==(const OutOfService&, const OutOfService&) = default;
};

enum class LogLevel { Error, Warn, Info, Debug };
std::string_view to_string(LogLevel l) noexcept;

// The effective settings of one kiosk: the install-time values, overridden field by field by the layers of
// the applied bundle that include this kiosk, wider scope first (effective_settings below).
struct Settings {
  std::vector<std::string> products;  // product ids in display order; empty: the catalog's, in its order
  ServiceHours service_hours = ServiceHours::always_open();
  std::uint32_t idle_timeout_s = 60;
  std::uint32_t session_timeout_s = 600;
  std::vector<std::string> languages = {"zh-CN", "en"};  // the first is the default
  std::optional<LocalizedText> announcement;
  std::uint32_t config_poll_s = 300;
  std::uint32_t heartbeat_s = 300;
  std::map<std::string, std::string> brand_modules;  // brand id → p11-kit module NAME (never a path)
  std::map<std::string, domain::OldKeyPolicy> old_key_policy;  // product family → keep | delete
  std::optional<OutOfService> out_of_service;
  std::uint32_t journal_retention_days = 365;
  LogLevel log_level = LogLevel::Info;
  friend bool operator==(const Settings&, const Settings&) = default;
};

// One scope's settings: only the fields it sets. `announcement` and `out_of_service` may be set to none
// (JSON null), which overrides a wider layer's.
struct SettingsPatch {
  std::optional<std::vector<std::string>> products;
  std::optional<ServiceHours> service_hours;
  std::optional<std::uint32_t> idle_timeout_s;
  std::optional<std::uint32_t> session_timeout_s;
  std::optional<std::vector<std::string>> languages;
  std::optional<std::optional<LocalizedText>> announcement;
  std::optional<std::uint32_t> config_poll_s;
  std::optional<std::uint32_t> heartbeat_s;
  std::optional<std::map<std::string, std::string>> brand_modules;
  std::optional<std::map<std::string, domain::OldKeyPolicy>> old_key_policy;
  std::optional<std::optional<OutOfService>> out_of_service;
  std::optional<std::uint32_t> journal_retention_days;
  std::optional<LogLevel> log_level;
  friend bool operator==(const SettingsPatch&, const SettingsPatch&) = default;
};

struct Layer {
  Scope scope;
  std::int64_t version = 1;  // this scope's settings version, ≥ 1, never lowered on a kiosk
  SettingsPatch settings;
  std::string sha256_hex;  // of the layer's settings object, re-serialised (compact, keys sorted)
};

struct Target {
  Scope scope;
  std::optional<int> cohort_percent;  // 1–100; absent: every kiosk of the scope
  std::string cohort_seed;            // see cohort_bucket()
};

struct Document {
  int schema = kSchemaVersion;
  std::string min_software;     // "0.1.0"
  std::int64_t version = 0;     // 1 … 2^53-1, strictly increasing on each kiosk
  std::int64_t expires_at = 0;  // UNIX seconds
  std::vector<Target> targets;  // 1–64
  std::vector<Layer> layers;    // 1–256, one per scope

  [[nodiscard]] bool fleet_wide() const;  // a target is "fleet" (a cohort of it too)
  // The first target that includes this kiosk (scope and cohort), or nullptr.
  [[nodiscard]] const Target* target_for(const KioskPlace& here) const;
};

// Parses and checks a settings document: JSON syntax (one value, no duplicate keys, at most
// kMaxDocumentDepth deep, at most kMaxDocumentBytes), the schema (newer than kSchemaVersion or asking for a
// newer min_software → SchemaTooNew "needs software ≥ X"), every type (MalformedJson, unknown keys too) and
// every range (SettingOutOfRange), each naming its field.
std::expected<Document, Refused> parse_document(std::string_view json_text);

// This kiosk's settings: `install` overridden by the document's layers that include `here`, fleet, then
// its region, its hall, itself (docs/fleet.md, "Precedence").
Settings effective_settings(const Settings& install, const Document& d, const KioskPlace& here);

}  // namespace fleet
