// The fuzz target's seed corpus (tests/fleet/corpus) and the pinned roots it was signed under
// (tests/fleet/fuzz-roots.pem), at the corpus's fixed time KIOSK_FLEET_FUZZ_TIME: the checked-in seeds still
// meet the verifier as they were made to (accepted, or refused for their one reason), so the corpus keeps
// reaching the whole verifier. The writer is skipped unless asked for:
//   build/tests/fleet/fleet_test --no-skip -tc="corpus: write*"
#include "fleet/roots.hpp"
#include "fleet/sign.hpp"
#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

const sys_seconds kAt{std::chrono::seconds{KIOSK_FLEET_FUZZ_TIME}};
const std::filesystem::path kCorpus = KIOSK_FLEET_CORPUS;

// The seed bundles: name → what the kiosk K01 says at kAt (nullopt: accepted).
struct Seed {
  const char* name;
  std::optional<fleet::Refusal> refusal;
};
const Seed kBundles[] = {
    {"bundle-hall.der", std::nullopt},
    {"bundle-fleet-two-admins.der", std::nullopt},
    {"bundle-region.der", std::nullopt},
    {"bundle-every-layer.der", std::nullopt},
    {"bundle-cohort.der", std::nullopt},
    {"bundle-revoked.der", fleet::Refusal::SignerRevoked},
    {"bundle-no-role.der", fleet::Refusal::SignerNoRole},
    {"bundle-foreign.der", fleet::Refusal::SignerUntrusted},
    {"bundle-no-crl.der", fleet::Refusal::CrlMissing},
    {"bundle-fleet-one-admin.der", fleet::Refusal::NeedsTwoSigners},
    {"bundle-other-hall.der", fleet::Refusal::NotTargeted},
    {"bundle-out-of-range.der", fleet::Refusal::SettingOutOfRange},
};

Bytes read_bytes(const std::filesystem::path& p) {
  std::string s = read_text(p);
  return Bytes(s.begin(), s.end());
}

}  // namespace

TEST_CASE("corpus: write the fuzz target's seeds and pinned roots" * doctest::skip()) {
  fleetpki::FleetPki pki(kAt, /*years=*/20, /*crl_days=*/366 * 20);
  std::filesystem::create_directories(kCorpus);
  fleetpki::write_file(kCorpus.parent_path() / "fuzz-roots.pem",
                       pki.root_a.pem() + pki.root_b.pem() + pki.root_c.pem());
  const sys_seconds until = kAt + 24h * 300;
  auto put = [&](const char* name, const Bytes& der) { fleetpki::write_file(kCorpus / name, der); };
  json hall = hall_document(10, kAt);
  hall["expires_at"] = unix(until);
  json fleet_doc = document(11, {target("fleet")}, {layer("fleet", 1, full_settings())}, until);
  json region = document(12, {target("region:NMG")}, {layer("region:NMG", 1, {{"heartbeat_s", 60}})}, until);
  json every = document(
      13, {target("fleet")},
      {layer("fleet", 3, full_settings()), layer("region:NMG", 1, {{"languages", {"zh-CN"}}}),
       layer("hall:H001", 4, {{"idle_timeout_s", 45}}), layer("kiosk:K01", 1, {{"log_level", "debug"}})},
      until);
  json cohort = hall;
  cohort["targets"] = {{{"scope", "hall:H001"}, {"cohort_percent", 100}, {"cohort_seed", "spring"}}};
  json other = document(14, {target("hall:H002")}, {layer("hall:H002", 1, json::object())}, until);
  json range = hall;
  range["layers"][1]["settings"]["idle_timeout_s"] = 5;

  put("bundle-hall.der", pki.sign(hall.dump(), {&pki.hall_admin}));
  put("bundle-fleet-two-admins.der", pki.sign(fleet_doc.dump(), {&pki.fleet_admin_1, &pki.fleet_admin_2}));
  put("bundle-region.der", pki.sign(region.dump(), {&pki.region_admin}));
  put("bundle-every-layer.der", pki.sign(every.dump(), {&pki.fleet_admin_1, &pki.fleet_admin_2}));
  put("bundle-cohort.der", pki.sign(cohort.dump(), {&pki.hall_admin}));
  put("bundle-revoked.der", pki.sign(hall.dump(), {&pki.revoked}));
  put("bundle-no-role.der", pki.sign(hall.dump(), {&pki.no_role}));
  put("bundle-foreign.der", pki.sign(hall.dump(), {&pki.foreign}));
  put("bundle-no-crl.der", pki.sign(hall.dump(), {&pki.hall_admin}, nullptr, false));
  put("bundle-fleet-one-admin.der", pki.sign(fleet_doc.dump(), {&pki.fleet_admin_1}));
  put("bundle-other-hall.der", pki.sign(other.dump(), {&pki.other_hall_admin}));
  put("bundle-out-of-range.der", pki.sign(range.dump(), {&pki.hall_admin}));

  auto root_d = fleetpki::make_root("Config Root D", kAt - 24h, kAt + 24h * 366 * 20);
  std::vector<fleet::SignerKey> keys{pki.root_a.signer(), pki.root_b.signer(), root_d.signer()};
  auto rotation = fleet::sign_root_rotation({2, 2, {pki.root_a.der(), pki.root_b.der(), root_d.der()}}, keys);
  REQUIRE(rotation);
  put("rotation-2.der", *rotation);

  auto text = [&](const char* name, const json& j) { fleetpki::write_file(kCorpus / name, j.dump(1)); };
  text("document-hall.json", hall);
  text("document-every-layer.json", every);
  text("document-cohort.json", cohort);
  json schema2 = hall;
  schema2["schema"] = 2;
  schema2["min_software"] = "0.9.0";
  text("document-schema-2.json", schema2);
  text("document-out-of-range.json", range);
  json unknown = hall;
  unknown["layers"][0]["settings"]["idle_timout_s"] = 60;
  text("document-unknown-key.json", unknown);
}

TEST_CASE("corpus: the checked-in seeds still meet the verifier as they were made to") {
  auto roots = fleet::load_root_set_pem(kCorpus.parent_path() / "fuzz-roots.pem", 2);
  REQUIRE(roots);
  const fleet::TrustState state = fleet::TrustState::initial(*roots);
  for (const auto& seed : kBundles) {
    CAPTURE(seed.name);
    auto v = fleet::verify_bundle(read_bytes(kCorpus / seed.name), state, kK01, kAt);
    if (!seed.refusal) {
      CHECK_MESSAGE(v, (v ? std::string() : v.error().sentence()));
    } else {
      REQUIRE_FALSE(v);
      CHECK(v.error().reason == *seed.refusal);
    }
  }
  auto next = fleet::verify_rotation(state.roots.current, read_bytes(kCorpus / "rotation-2.der"));
  CHECK(next);
  CHECK(fleet::parse_document(read_text(kCorpus / "document-every-layer.json")));
  CHECK(fleet::parse_document(read_text(kCorpus / "document-schema-2.json")).error().reason ==
        fleet::Refusal::SchemaTooNew);
}
