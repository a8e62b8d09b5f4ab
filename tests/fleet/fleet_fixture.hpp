// Shared pieces of the fleet tests: kiosks in a small fleet, settings documents built as JSON, a temporary
// state directory, and a kiosk that verifies a bundle and applies it to its state directory when accepted.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "fleet/store.hpp"
#include "fleet/trust.hpp"
#include "fleet_pki.hpp"

namespace fleettest {

using json = nlohmann::json;
using namespace std::chrono_literals;
using fleetpki::Bytes;
using std::chrono::sys_seconds;

// The fleet: region NMG with halls H001 (K01, K02) and H002 (K10); region XJ with hall H100 (K20).
inline const fleet::KioskPlace kK01{"K01", "H001", "NMG"};
inline const fleet::KioskPlace kK02{"K02", "H001", "NMG"};
inline const fleet::KioskPlace kK10{"K10", "H002", "NMG"};
inline const fleet::KioskPlace kK20{"K20", "H100", "XJ"};

inline sys_seconds wall_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}
inline std::int64_t unix(sys_seconds t) {
  return t.time_since_epoch().count();
}

inline json target(const std::string& scope) {
  return {{"scope", scope}};
}
inline json layer(const std::string& scope, std::int64_t version, json settings) {
  return {{"scope", scope}, {"version", version}, {"settings", std::move(settings)}};
}

// Every setting, in range.
inline json full_settings() {
  return {{"products", {"gov-procurement-haitai-renew", "e-bidding-feitian-renew"}},
          {"service_hours",
           {{"mon", {"08:30-12:00", "13:30-17:30"}},
            {"tue", {"08:30-17:30"}},
            {"wed", {"08:30-17:30"}},
            {"thu", {"08:30-17:30"}},
            {"fri", {"08:30-17:30"}},
            {"sat", {"09:00-12:00"}},
            {"sun", json::array()}}},
          {"idle_timeout_s", 90},
          {"session_timeout_s", 900},
          {"languages", {"zh-CN", "en"}},
          {"announcement", {{"zh-CN", "本大厅周六上午营业。"}, {"en", "Open Saturday mornings."}}},
          {"config_poll_s", 300},
          {"heartbeat_s", 120},
          {"brand_modules", {{"haitai", "haitai-pkcs11"}, {"feitian", "feitian"}}},
          {"old_key_policy", {{"gov-procurement", "keep"}, {"e-bidding", "delete"}}},
          {"out_of_service", nullptr},
          {"journal_retention_days", 365},
          {"log_level", "info"}};
}

inline json document(std::int64_t version, json targets, json layers, sys_seconds expires) {
  return {{"schema", 1},
          {"min_software", "0.1.0"},
          {"version", version},
          {"expires_at", unix(expires)},
          {"targets", std::move(targets)},
          {"layers", std::move(layers)}};
}

// A hall H001 bundle: the fleet layer and the hall's, targeting hall:H001.
inline json hall_document(std::int64_t version, sys_seconds now,
                          json hall_settings = {{"idle_timeout_s", 45}}) {
  return document(version, {target("hall:H001")},
                  {layer("fleet", 1, full_settings()), layer("hall:H001", 1, std::move(hall_settings))},
                  now + 24h * 30);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("fleet-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A kiosk with its own state directory: offer() verifies a bundle at `now` and applies it when accepted.
struct Kiosk {
  TempDir dir;
  fleet::KioskPlace place;
  fleet::RootSet installed;
  fleet::TrustState state;

  Kiosk(const fleetpki::FleetPki& pki, fleet::KioskPlace where)
      : place(std::move(where)), installed(pki.root_set()) {
    state = fleet::TrustState::initial(installed);
    REQUIRE(fleet::save_state(dir.path, state));
  }
  std::expected<fleet::Outcome, fleet::Refused> offer(const Bytes& der, sys_seconds now) {
    auto v = fleet::verify_bundle(der, state, place, now);
    if (!v) return std::unexpected(v.error());
    auto next = fleet::apply(dir.path, state, *v, place);
    REQUIRE(next);
    state = std::move(*next);
    return v->outcome;
  }
  [[nodiscard]] std::string file() const { return read_text(dir.path / fleet::kStateFileName); }
  [[nodiscard]] fleet::TrustState reloaded() const {
    auto s = fleet::load_state(dir.path, installed);
    REQUIRE(s);
    return *s;
  }
  [[nodiscard]] fleet::Document applied() const {
    REQUIRE(state.applied);
    auto content = fleet::bundle_content(state.applied->bundle);
    REQUIRE(content);
    auto d = fleet::parse_document(*content);
    REQUIRE(d);
    return *d;
  }
};

}  // namespace fleettest
