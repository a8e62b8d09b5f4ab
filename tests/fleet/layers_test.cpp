// No mix and match: a kiosk applies one bundle at a time, whose layers were signed together, and never a
// bundle that would undo a layer it has applied. The case of an old hall bundle served beside a new fleet
// bundle, and the merged bundle that ends it.
#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

json fleet_settings(std::uint32_t heartbeat_s) {
  json s = full_settings();
  s["heartbeat_s"] = heartbeat_s;
  return s;
}

}  // namespace

TEST_CASE("layers: an old hall bundle beside a new fleet bundle is never combined") {
  fleetpki::FleetPki pki(wall_now());
  const sys_seconds until = pki.now + 24h * 7;
  Kiosk k01(pki, kK01);  // hall H001, which has a layer of its own
  Kiosk k10(pki, kK10);  // hall H002, which has none

  Bytes f1 = pki.sign(document(10, {target("fleet")}, {layer("fleet", 1, fleet_settings(120))}, until).dump(),
                      {&pki.fleet_admin_1, &pki.fleet_admin_2});
  REQUIRE(k01.offer(f1, pki.now));
  REQUIRE(k10.offer(f1, pki.now));

  // The hall's admin merges the fleet's layer 1 with the hall's own and signs it for the hall.
  Bytes h1 = pki.sign(
      document(11, {target("hall:H001")},
               {layer("fleet", 1, fleet_settings(120)), layer("hall:H001", 1, {{"idle_timeout_s", 45}})},
               until)
          .dump(),
      {&pki.hall_admin});
  REQUIRE(k01.offer(h1, pki.now) == fleet::Outcome::New);
  fleet::Settings before = fleet::effective_settings({}, k01.applied(), kK01);
  CHECK(before.idle_timeout_s == 45);
  CHECK(before.heartbeat_s == 120);

  // The fleet's admins publish fleet layer 2; the server still serves the hall's bundle 11 beside it.
  Bytes f2 = pki.sign(document(12, {target("fleet")}, {layer("fleet", 2, fleet_settings(60))}, until).dump(),
                      {&pki.fleet_admin_1, &pki.fleet_admin_2});
  const std::string k01_file = k01.file();
  auto r = k01.offer(f2, pki.now);
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == fleet::Refusal::LayerRegressed);
  CHECK(r.error().field == "hall:H001");
  CHECK(k01.offer(h1, pki.now) == fleet::Outcome::Unchanged);
  CHECK(k01.file() == k01_file);
  // Whatever was served, K01 runs what was signed together: fleet layer 1 with the hall's, not fleet
  // layer 2 with the hall's.
  fleet::Settings after = fleet::effective_settings({}, k01.applied(), kK01);
  CHECK(after == before);
  // A kiosk without a hall layer takes the fleet's bundle.
  REQUIRE(k10.offer(f2, pki.now) == fleet::Outcome::New);
  CHECK(fleet::effective_settings({}, k10.applied(), kK10).heartbeat_s == 60);

  // The hall's bundle merged again over fleet layer 2: now both changes reach K01, together.
  Bytes h2 = pki.sign(
      document(13, {target("hall:H001")},
               {layer("fleet", 2, fleet_settings(60)), layer("hall:H001", 1, {{"idle_timeout_s", 45}})},
               until)
          .dump(),
      {&pki.hall_admin});
  REQUIRE(k01.offer(h2, pki.now) == fleet::Outcome::New);
  fleet::Settings merged = fleet::effective_settings({}, k01.applied(), kK01);
  CHECK(merged.idle_timeout_s == 45);
  CHECK(merged.heartbeat_s == 60);

  // A newer hall bundle merged over the old fleet layer would take fleet layer 2 back: refused.
  Bytes stale = pki.sign(
      document(14, {target("hall:H001")},
               {layer("fleet", 1, fleet_settings(120)), layer("hall:H001", 2, {{"idle_timeout_s", 50}})},
               until)
          .dump(),
      {&pki.hall_admin});
  auto s = k01.offer(stale, pki.now);
  REQUIRE_FALSE(s);
  CHECK(s.error().reason == fleet::Refusal::LayerRegressed);
  CHECK(s.error().field == "fleet");
  // Fleet layer 2 with other settings than the fleet's admins signed: refused too.
  Bytes forged = pki.sign(
      document(14, {target("hall:H001")},
               {layer("fleet", 2, fleet_settings(30)), layer("hall:H001", 2, {{"idle_timeout_s", 50}})},
               until)
          .dump(),
      {&pki.hall_admin});
  auto f = k01.offer(forged, pki.now);
  REQUIRE_FALSE(f);
  CHECK(f.error().reason == fleet::Refusal::LayerRegressed);
  CHECK(f.error().detail.find("other settings") != std::string::npos);
  CHECK(fleet::effective_settings({}, k01.applied(), kK01) == merged);
}

TEST_CASE("layers: the fleet's admins end a hall's override with an empty layer of a higher version") {
  fleetpki::FleetPki pki(wall_now());
  const sys_seconds until = pki.now + 24h;
  Kiosk k01(pki, kK01);
  REQUIRE(k01.offer(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}), pki.now));
  CHECK(fleet::effective_settings({}, k01.applied(), kK01).idle_timeout_s == 45);
  Bytes f =
      pki.sign(document(11, {target("fleet")},
                        {layer("fleet", 2, full_settings()), layer("hall:H001", 2, json::object())}, until)
                   .dump(),
               {&pki.fleet_admin_1, &pki.fleet_admin_2});
  REQUIRE(k01.offer(f, pki.now) == fleet::Outcome::New);
  CHECK(fleet::effective_settings({}, k01.applied(), kK01).idle_timeout_s == 90);
  CHECK(k01.state.layers.at("hall:H001").version == 2);
  CHECK(k01.state.layers.at("fleet").version == 2);
}

TEST_CASE("layers: one fleet bundle carrying every hall's layer configures each kiosk by its place") {
  fleetpki::FleetPki pki(wall_now());
  json closed = {{"reason", {{"zh-CN", "大厅装修"}, {"en", "Hall closed for works"}}}};
  json d = document(
      30, {target("fleet")},
      {layer("fleet", 3, full_settings()), layer("region:NMG", 1, {{"languages", {"zh-CN"}}}),
       layer("hall:H001", 4, {{"idle_timeout_s", 45}}), layer("hall:H002", 2, {{"out_of_service", closed}}),
       layer("kiosk:K20", 1, {{"log_level", "debug"}})},
      pki.now + 24h);
  Bytes der = pki.sign(d.dump(), {&pki.fleet_admin_1, &pki.fleet_admin_2});
  Kiosk k01(pki, kK01), k10(pki, kK10), k20(pki, kK20);
  for (Kiosk* k : {&k01, &k10, &k20}) REQUIRE(k->offer(der, pki.now) == fleet::Outcome::New);
  fleet::Settings s01 = fleet::effective_settings({}, k01.applied(), kK01);
  fleet::Settings s10 = fleet::effective_settings({}, k10.applied(), kK10);
  fleet::Settings s20 = fleet::effective_settings({}, k20.applied(), kK20);
  CHECK(s01.idle_timeout_s == 45);
  CHECK(s01.languages == std::vector<std::string>{"zh-CN"});
  CHECK_FALSE(s01.out_of_service);
  CHECK(s10.idle_timeout_s == 90);
  REQUIRE(s10.out_of_service);
  CHECK(s10.out_of_service->reason.en == "Hall closed for works");
  CHECK(s20.languages == std::vector<std::string>{"zh-CN", "en"});
  CHECK(s20.log_level == fleet::LogLevel::Debug);
  // Each kiosk marks only the layers on its own path.
  CHECK(k01.state.layers.size() == 3);
  CHECK(k01.state.layers.contains("hall:H001"));
  CHECK_FALSE(k01.state.layers.contains("hall:H002"));
  CHECK(k20.state.layers.size() == 2);
}
