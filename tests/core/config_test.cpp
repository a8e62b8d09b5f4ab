#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "runtime/config.hpp"

namespace fs = std::filesystem;

namespace {

bool has_error(const std::vector<runtime::ConfigError>& errors, std::string_view field, std::string_view part = "") {
  for (const auto& e : errors)
    if (e.field == field && e.message.find(part) != std::string::npos) return true;
  return false;
}

struct Dir {
  fs::path path;
  Dir() {
    std::string t = (fs::temp_directory_path() / "config-test-XXXXXX").string();
    path = mkdtemp(t.data());
    for (auto f : {"ca.pem", "kiosk.pem", "kiosk.key"}) std::ofstream(path / f) << "x";
  }
  ~Dir() { fs::remove_all(path); }
};

const char* kGood = R"({
  // comments are allowed
  "schema_version": 1,
  "kiosk_id": "K-01",
  "platform": {"base_url": "https://127.0.0.1:8443/v1", "ca_file": "ca.pem", "client_cert": "kiosk.pem",
               "client_key": "kiosk.key"},
  "brands": [{"id": "haitai", "display_name": "海泰KEY", "module": "/nonexistent/lib.so",
              "manufacturer": "Haitai", "model": "HaiKey"}],
  "product_families": [{"id": "gov", "key_algorithm": "rsa-2048", "old_key_policy": "delete"}],
  "timeouts": {"idle_s": 90},
  "journal_path": "var/journal.db"
})";

}  // namespace

TEST_CASE("a good configuration loads with defaults and resolved paths") {
  Dir d;
  auto c = runtime::parse_config(kGood, d.path);
  REQUIRE(c);
  CHECK(c->kiosk_id == "K-01");
  CHECK(c->platform.base_url == "https://127.0.0.1:8443/v1/");
  CHECK(c->platform.ca_file == d.path / "ca.pem");
  CHECK(c->timeouts.idle_s == 90);
  CHECK(c->timeouts.idle_warning_s == 20);
  CHECK(c->journal_path == d.path / "var/journal.db");
  CHECK(c->journal_retention_days == 400);
  CHECK(c->journal_min_free_mb == 64);
  CHECK(c->service.check_s == 30);
  CHECK(c->service.heartbeat_s == 300);
  CHECK(c->service.platform_out_after == 3);
  CHECK(c->service.platform_back_after == 2);
  REQUIRE(c->brand_for_token("Haitai", "HaiKey"));
  CHECK(c->brand_for_token("Haitai", "HaiKey")->display_name == "海泰KEY");
  CHECK(c->family("gov")->key_algorithm == domain::KeyAlgorithm::Rsa2048);
  CHECK(c->family("gov")->old_key_policy == domain::OldKeyPolicy::Delete);
}

TEST_CASE("every bad field is reported by name, all at once") {
  Dir d;
  const char* bad = R"({
    "schema_version": 2,
    "kiosk_id": "K 01",
    "platform": {"base_url": "http://x/v1/", "ca_file": "missing.pem", "client_cert": "kiosk.pem"},
    "brands": [{"id": "a", "display_name": "A", "module": "m.so", "manufacturer": "M"}],
    "product_families": [{"id": "gov", "key_algorithm": "dsa", "old_key_policy": "shred"}],
    "timeouts": {"idle_warning_s": 5, "idel_s": 60},
    "ui": {"language": "fr"},
    "service": {"check_s": 0, "heartbeat_s": 300, "platform_out_after": 21, "platfrom_back_after": 2},
    "journal_retention_days": 7,
    "journal_min_free_mb": -1
  })";
  auto c = runtime::parse_config(bad, d.path);
  REQUIRE_FALSE(c);
  const auto& e = c.error();
  CHECK(has_error(e, "schema_version"));
  CHECK(has_error(e, "kiosk_id"));
  CHECK(has_error(e, "platform.base_url", "https://"));
  CHECK(has_error(e, "platform.ca_file", "not found"));
  CHECK(has_error(e, "platform.client_key", "missing"));
  CHECK(has_error(e, "brands[0].model", "missing"));
  CHECK(has_error(e, "product_families[0].key_algorithm"));
  CHECK(has_error(e, "product_families[0].old_key_policy"));
  CHECK(has_error(e, "timeouts.idle_warning_s", "20"));
  CHECK(has_error(e, "timeouts.idel_s", "unknown"));
  CHECK(has_error(e, "ui.language"));
  CHECK(has_error(e, "journal_retention_days", "30 to 3650"));
  CHECK(has_error(e, "service.check_s", "1 to 3600"));
  CHECK(has_error(e, "service.platform_out_after", "1 to 20"));
  CHECK(has_error(e, "service.platfrom_back_after", "unknown"));
  CHECK(has_error(e, "journal_min_free_mb"));
  CHECK(e.size() == 16);
}

TEST_CASE("not JSON, and a missing file, are one clear error each") {
  auto c = runtime::parse_config("{ nope", ".");
  REQUIRE_FALSE(c);
  CHECK(c.error().size() == 1);
  auto f = runtime::load_config("/nonexistent/kiosk.json");
  REQUIRE_FALSE(f);
  CHECK(f.error().front().message.find("cannot read") != std::string::npos);
}

TEST_CASE("the documented default in config/ parses apart from its absolute file paths") {
  auto c = runtime::load_config(fs::path(KIOSK_SOURCE_DIR) / "config/kiosk.json");
  REQUIRE_FALSE(c);  // the PKI files of a real kiosk are not on a build machine
  for (const auto& e : c.error()) {
    CAPTURE(e.to_string());
    CHECK((e.field.starts_with("platform.") || e.field == "fleet.roots_file" || e.field == "staff.ca_file"));
    CHECK(e.message.find("not found") != std::string::npos);
  }
}

TEST_CASE("a huge or deeply nested configuration is refused at once, a directory is said to be one") {
  Dir d;
  // 50 MB of '[' used to take seconds and gigabytes before "not valid JSON".
  {
    std::ofstream(d.path / "brackets.json") << std::string(50u << 20, '[');
    const auto t0 = std::chrono::steady_clock::now();
    auto c = runtime::load_config(d.path / "brackets.json");
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(c);
    REQUIRE(c.error().size() == 1);
    CHECK(c.error().front().message.find("larger than 1024 KiB") != std::string::npos);
    CHECK(took < std::chrono::seconds(2));
  }
  // Under the size cap but nested past the depth cap (comments do not count).
  {
    auto c =
        runtime::parse_config("// [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n" + std::string(100000, '['), d.path);
    REQUIRE_FALSE(c);
    REQUIRE(c.error().size() == 1);
    CHECK(c.error().front().message.find("nested more than 16 deep") != std::string::npos);
    auto shallow =
        runtime::parse_config("/* [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ */" + std::string(kGood), d.path);
    CHECK(shallow);
  }
  {
    auto c = runtime::parse_config(std::string(runtime::kMaxConfigBytes + 1, ' '), d.path);
    REQUIRE_FALSE(c);
    CHECK(c.error().front().message.find("larger than") != std::string::npos);
  }
  {
    auto c = runtime::load_config(d.path);
    REQUIRE_FALSE(c);
    REQUIRE(c.error().size() == 1);
    CHECK(c.error().front().message.find("is a directory") != std::string::npos);
  }
}

TEST_CASE("the staff section: pinned CA and role OID, the fleet section's hall; absent means no staff KEY opens maintenance") {
  Dir d;
  auto none = runtime::parse_config(kGood, d.path);
  REQUIRE(none);
  CHECK_FALSE(none->staff);
  std::string text = kGood;
  const std::string staff =
      R"("staff": {"ca_file": "ca.pem", "role_oid": "2.25.161466141967956400798317720578276031232"},
  "fleet": {"hall": "H001", "region": "NMG"},
  "journal_path")";
  text.replace(text.find("\"journal_path\""), std::string("\"journal_path\"").size(), staff);
  auto c = runtime::parse_config(text, d.path);
  REQUIRE(c);
  REQUIRE(c->staff);
  CHECK(c->staff->ca_file == d.path / "ca.pem");
  CHECK(c->fleet.hall == "H001");
  CHECK(c->fleet.region == "NMG");
  CHECK(c->staff->crl_grace_h == 24);
  CHECK(c->staff->crl_file == d.path / "var/staff-crl.der");  // beside the journal

  std::string bad = kGood;
  bad.replace(
      bad.find("\"journal_path\""), std::string("\"journal_path\"").size(),
      R"("staff": {"ca_file": "missing.pem", "role_oid": "staff-role", "crl_grace_h": 721, "extra": 1},
  "journal_path")");
  auto e = runtime::parse_config(bad, d.path);
  REQUIRE_FALSE(e);
  CHECK(has_error(e.error(), "staff.ca_file", "not found"));
  CHECK(has_error(e.error(), "staff.role_oid", "dotted OID"));
  CHECK(has_error(e.error(), "staff.ca_file", "fleet.hall"));  // no hall for staff certificates to name
  CHECK(has_error(e.error(), "staff.crl_grace_h"));
  CHECK(has_error(e.error(), "staff.extra"));
}

TEST_CASE(
    "the staff channel: its socket and group, with defaults; relative paths resolved, a too long path "
    "refused") {
  Dir d;
  auto c = runtime::parse_config(kGood, d.path);
  REQUIRE(c);
  CHECK(c->staff_channel.socket == "/run/ca-kiosk/staff.sock");
  CHECK(c->staff_channel.group == "ca-kiosk-staff");
  std::string text = kGood;
  text.insert(text.rfind('}'), R"(, "staff_channel": {"socket": "run/staff.sock", "group": "hall-staff"})");
  c = runtime::parse_config(text, d.path);
  REQUIRE(c);
  CHECK(c->staff_channel.socket == d.path / "run/staff.sock");
  CHECK(c->staff_channel.group == "hall-staff");
  text = kGood;
  text.insert(text.rfind('}'),
              R"(, "staff_channel": {"socket": "/)" + std::string(120, 'x') + R"(", "grup": "x"})");
  auto bad = runtime::parse_config(text, d.path);
  REQUIRE_FALSE(bad);
  CHECK(has_error(bad.error(), "staff_channel.socket", "107 bytes"));
  CHECK(has_error(bad.error(), "staff_channel.grup", "unknown key"));
}
