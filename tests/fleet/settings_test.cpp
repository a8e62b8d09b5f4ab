// The settings document on its own: every field in range, each out of range naming its field, the schema
// check, precedence by scope, cohorts, and which signer scope covers which target.
#include <set>

#include "fleet/settings.hpp"
#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

const sys_seconds kNow = sys_seconds{std::chrono::seconds{1'800'000'000}};

json one_layer(json settings) {
  return document(7, {target("hall:H001")}, {layer("hall:H001", 1, std::move(settings))}, kNow + 24h);
}

fleet::Refused refusal_of(const json& doc) {
  auto d = fleet::parse_document(doc.dump());
  REQUIRE_FALSE(d);
  return d.error();
}

}  // namespace

TEST_CASE("settings: a document with every setting parses to the values written") {
  auto d = fleet::parse_document(
      document(7, {target("hall:H001")}, {layer("fleet", 3, full_settings())}, kNow).dump());
  REQUIRE(d);
  CHECK(d->version == 7);
  CHECK(d->expires_at == unix(kNow));
  REQUIRE(d->layers.size() == 1);
  const fleet::SettingsPatch& p = d->layers[0].settings;
  CHECK(*p.products == std::vector<std::string>{"gov-procurement-haitai-renew", "e-bidding-feitian-renew"});
  CHECK(p.service_hours->days[0] == std::vector<fleet::Interval>{{510, 720}, {810, 1050}});
  CHECK(p.service_hours->days[6].empty());
  CHECK(*p.idle_timeout_s == 90);
  CHECK((*p.announcement)->zh_cn == "本大厅周六上午营业。");
  CHECK(p.out_of_service.has_value());
  CHECK_FALSE(p.out_of_service->has_value());  // null: none, overriding a wider layer's
  CHECK(p.brand_modules->at("haitai") == "haitai-pkcs11");
  CHECK(p.old_key_policy->at("e-bidding") == domain::OldKeyPolicy::Delete);
  CHECK(*p.log_level == fleet::LogLevel::Info);
  CHECK(d->layers[0].sha256_hex.size() == 64);
}

TEST_CASE("settings: each value outside its range refuses the document, naming the field") {
  struct Case {
    const char* field;
    json value;
  };
  const Case cases[] = {
      {"idle_timeout_s", 29},
      {"idle_timeout_s", 601},
      {"session_timeout_s", 59},
      {"session_timeout_s", 3601},
      {"config_poll_s", 59},
      {"config_poll_s", 86401},
      {"heartbeat_s", 29},
      {"heartbeat_s", 3601},
      {"journal_retention_days", 29},
      {"journal_retention_days", 3651},
      {"products", json::array()},
      {"products", {"a", "a"}},
      {"products", {"has space"}},
      {"languages", {"fr"}},
      {"languages", {"en"}},  // zh-CN must be among them
      {"languages", {"zh-CN", "zh-CN"}},
      {"announcement", {{"zh-CN", ""}, {"en", "x"}}},
      {"announcement", {{"zh-CN", std::string(281, 'x')}, {"en", "x"}}},
      {"announcement", {{"zh-CN", "a\x01"}, {"en", "x"}}},
      {"brand_modules", {{"haitai", "/usr/lib/libhtpkcs11.so"}}},
      {"brand_modules", {{"haitai", "libhtpkcs11.so"}}},
      {"brand_modules", {{"haitai", "../evil"}}},
      {"old_key_policy", {{"gov-procurement", "shred"}}},
      {"log_level", "trace"},
      {"service_hours",
       {{"mon", {"17:00-08:00"}},
        {"tue", json::array()},
        {"wed", json::array()},
        {"thu", json::array()},
        {"fri", json::array()},
        {"sat", json::array()},
        {"sun", json::array()}}},
      {"service_hours",
       {{"mon", {"08:00-12:00", "11:00-13:00"}},
        {"tue", json::array()},
        {"wed", json::array()},
        {"thu", json::array()},
        {"fri", json::array()},
        {"sat", json::array()},
        {"sun", json::array()}}},
      {"service_hours",
       {{"mon", {"24:00-24:00"}},
        {"tue", json::array()},
        {"wed", json::array()},
        {"thu", json::array()},
        {"fri", json::array()},
        {"sat", json::array()},
        {"sun", json::array()}}},
      {"out_of_service",
       {{"reason", {{"zh-CN", "维护"}, {"en", "Maintenance"}}}, {"from", 100}, {"until", 50}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.field);
    CAPTURE(c.value.dump());
    auto r = refusal_of(one_layer({{c.field, c.value}}));
    CHECK(r.reason == fleet::Refusal::SettingOutOfRange);
    CHECK(r.field.starts_with(std::string("layers[0].settings.") + c.field));
    CHECK(r.sentence().find(c.field) != std::string::npos);
  }
}

TEST_CASE("settings: wrong types, unknown and duplicate keys, and bad JSON are malformed") {
  CHECK(refusal_of(one_layer({{"idle_timeout_s", 60.0}})).reason == fleet::Refusal::MalformedJson);
  CHECK(refusal_of(one_layer({{"idle_timeout_s", "60"}})).reason == fleet::Refusal::MalformedJson);
  auto unknown = refusal_of(one_layer({{"idle_timout_s", 60}}));
  CHECK(unknown.reason == fleet::Refusal::MalformedJson);
  CHECK(unknown.field == "layers[0].settings.idle_timout_s");
  json missing = one_layer(json::object());
  missing.erase("expires_at");
  CHECK(refusal_of(missing).field == "expires_at");

  auto parse = [](std::string_view text) { return fleet::parse_document(text); };
  std::string text = one_layer(json::object()).dump();
  std::string dup = text;
  dup.insert(1, "\"version\":99,");
  CHECK(parse(dup).error().reason == fleet::Refusal::MalformedJson);
  CHECK(parse(dup).error().detail.find("duplicate") != std::string::npos);
  CHECK(parse(text + "x").error().reason == fleet::Refusal::MalformedJson);
  CHECK(parse("[]").error().reason == fleet::Refusal::MalformedJson);
  const std::string deep = std::string(10, '[') + std::string(10, ']');
  CHECK(parse(deep).error().reason == fleet::Refusal::MalformedJson);
  CHECK(parse(deep).error().detail.find("deep") != std::string::npos);
  CHECK(parse(std::string(8, '[') + std::string(8, ']')).error().detail == "must be a JSON object");
  CHECK(parse(std::string(fleet::kMaxDocumentBytes + 1, ' ')).error().reason == fleet::Refusal::TooLarge);
  CHECK(parse("{\"schema\":1,\"min_software\":\"0.1.0\",\"version\":1,\"expires_at\":1,\"targets\":[{"
              "\"scope\":\"galaxy\"}],"
              "\"layers\":[{\"scope\":\"fleet\",\"version\":1,\"settings\":{}}]}")
            .error()
            .field == "targets[0].scope");
}

TEST_CASE("settings: a newer schema or a newer software asked for says which software is needed") {
  json newer = one_layer(json::object());
  newer["schema"] = 2;
  newer["min_software"] = "0.9.0";
  newer["a_field_of_schema_2"] = true;  // refused for the schema, not for the key it does not know
  auto r = refusal_of(newer);
  CHECK(r.reason == fleet::Refusal::SchemaTooNew);
  CHECK(r.sentence().find("needs software ≥ 0.9.0") != std::string::npos);

  json asks = one_layer(json::object());
  asks["min_software"] = "7.0.0";
  CHECK(refusal_of(asks).reason == fleet::Refusal::SchemaTooNew);
  CHECK(refusal_of(asks).sentence().find("needs software ≥ 7.0.0") != std::string::npos);
}

TEST_CASE("settings: narrower scope overrides wider, field by field; other halls' layers are ignored") {
  json d = document(3, {target("fleet")},
                    {layer("kiosk:K01", 1, {{"log_level", "debug"}}), layer("fleet", 4, full_settings()),
                     layer("hall:H001", 2, {{"idle_timeout_s", 45}, {"announcement", nullptr}}),
                     layer("region:NMG", 1, {{"idle_timeout_s", 120}, {"heartbeat_s", 60}}),
                     layer("hall:H002", 1, {{"idle_timeout_s", 300}})},
                    kNow);
  auto doc = fleet::parse_document(d.dump());
  REQUIRE(doc);
  const fleet::Settings install;
  fleet::Settings k01 = fleet::effective_settings(install, *doc, kK01);
  CHECK(k01.idle_timeout_s == 45);                 // hall over region over fleet
  CHECK(k01.heartbeat_s == 60);                    // region over fleet
  CHECK(k01.session_timeout_s == 900);             // fleet over install
  CHECK_FALSE(k01.announcement);                   // the hall cleared the fleet's announcement
  CHECK(k01.log_level == fleet::LogLevel::Debug);  // the kiosk's own layer
  fleet::Settings k02 = fleet::effective_settings(install, *doc, kK02);
  CHECK(k02.log_level == fleet::LogLevel::Info);
  CHECK(k02.idle_timeout_s == 45);
  fleet::Settings k10 = fleet::effective_settings(install, *doc, kK10);
  CHECK(k10.idle_timeout_s == 300);
  CHECK(k10.announcement);
  fleet::Settings k20 = fleet::effective_settings(install, *doc, kK20);
  CHECK(k20.idle_timeout_s == 90);  // the fleet's: neither NMG nor its halls
  CHECK(k20.heartbeat_s == 120);
  // What no layer sets stays the install-time value.
  fleet::Settings custom;
  custom.journal_retention_days = 999;
  auto partial = fleet::parse_document(
      document(1, {target("fleet")}, {layer("fleet", 1, {{"log_level", "warn"}})}, kNow).dump());
  REQUIRE(partial);
  CHECK(fleet::effective_settings(custom, *partial, kK01).journal_retention_days == 999);
}

TEST_CASE("settings: a cohort takes the kiosks whose hash bucket is below its share, nested as it grows") {
  CHECK(fleet::cohort_bucket("K01", "spring") == fleet::cohort_bucket("K01", "spring"));
  int in10 = 0, in50 = 0;
  std::set<int> buckets;
  for (int i = 0; i < 2000; ++i) {
    std::string id = "NMG-K" + std::to_string(i);
    int b = fleet::cohort_bucket(id, "spring");
    buckets.insert(b);
    CHECK((b >= 0 && b < 100));
    in10 += b < 10 ? 1 : 0;
    in50 += b < 50 ? 1 : 0;
  }
  CHECK(buckets.size() == 100);
  CHECK((in10 > 140 && in10 < 260));  // about 200 of 2000
  CHECK((in50 > 900 && in50 < 1100));
  // Another seed, another cohort.
  int moved = 0;
  for (int i = 0; i < 200; ++i) {
    std::string id = "NMG-K" + std::to_string(i);
    moved += (fleet::cohort_bucket(id, "spring") < 10) != (fleet::cohort_bucket(id, "autumn") < 10) ? 1 : 0;
  }
  CHECK(moved > 0);

  json d = document(1, {{{"scope", "region:NMG"}, {"cohort_percent", 10}, {"cohort_seed", "spring"}}},
                    {layer("fleet", 1, json::object())}, kNow);
  auto doc = fleet::parse_document(d.dump());
  REQUIRE(doc);
  int targeted = 0;
  for (int i = 0; i < 300; ++i) {
    fleet::KioskPlace k{"NMG-K" + std::to_string(i), "H001", "NMG"};
    bool in = doc->target_for(k) != nullptr;
    CHECK(in == (fleet::cohort_bucket(k.kiosk_id, "spring") < 10));
    targeted += in ? 1 : 0;
  }
  CHECK((targeted > 10 && targeted < 60));
  CHECK(doc->target_for(kK20) == nullptr);  // another region, whatever its bucket
}

TEST_CASE("scope: parsing, and which signer scope covers which target from a kiosk's place") {
  using fleet::parse_scope;
  CHECK(parse_scope("fleet"));
  CHECK(parse_scope("hall:H001")->id == "H001");
  CHECK_FALSE(parse_scope("hall:"));
  CHECK_FALSE(parse_scope("hall:H 1"));
  CHECK_FALSE(parse_scope("building:B1"));
  CHECK_FALSE(parse_scope("Fleet"));
  auto s = [](const char* t) { return *parse_scope(t); };
  CHECK(fleet::covers(s("fleet"), s("kiosk:K99"), kK01));
  CHECK(fleet::covers(s("hall:H001"), s("hall:H001"), kK01));
  CHECK(fleet::covers(s("hall:H001"), s("kiosk:K01"), kK01));
  CHECK_FALSE(fleet::covers(s("hall:H002"), s("kiosk:K01"), kK01));  // K01 is in H001
  CHECK(fleet::covers(s("region:NMG"), s("hall:H001"), kK01));
  CHECK_FALSE(fleet::covers(s("region:XJ"), s("hall:H001"), kK01));  // H001 is in NMG, as K01 knows
  CHECK(fleet::covers(s("region:XJ"), s("hall:H100"), kK01));        // off K01's path: H100's kiosks check
  CHECK_FALSE(fleet::covers(s("hall:H001"), s("hall:H002"), kK01));
  CHECK_FALSE(fleet::covers(s("hall:H001"), s("region:NMG"), kK01));
  CHECK_FALSE(fleet::covers(s("region:NMG"), s("fleet"), kK01));
}
