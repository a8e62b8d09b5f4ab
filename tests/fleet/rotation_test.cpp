// Root rotation: k of n current roots and every added root sign the next set; a kiosk that missed several
// rotations walks them in order; a skipped one is refused and nothing of the walk is kept; bundles follow
// the new roots.
#include "fleet/roots.hpp"
#include "fleet/sign.hpp"
#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

struct Rotations {
  fleetpki::FleetPki pki{wall_now()};
  fleetpki::Credential root_d = fleetpki::make_root("Config Root D", pki.now - 24h, pki.now + 24h * 3650);
  fleetpki::Credential root_e = fleetpki::make_root("Config Root E", pki.now - 24h, pki.now + 24h * 3650);
  fleetpki::Credential root_f = fleetpki::make_root("Config Root F", pki.now - 24h, pki.now + 24h * 3650);

  // Set 2: A, B, D (k 2), set 3: B, D, E (k 2), set 4: D, E, F (k 2).
  fleet::RootSet set2{2, 2, {pki.root_a.der(), pki.root_b.der(), root_d.der()}};
  fleet::RootSet set3{3, 2, {pki.root_b.der(), root_d.der(), root_e.der()}};
  fleet::RootSet set4{4, 2, {root_d.der(), root_e.der(), root_f.der()}};

  Bytes sign(const fleet::RootSet& next, std::initializer_list<const fleetpki::Credential*> roots) const {
    std::vector<fleet::SignerKey> keys;
    for (const auto* r : roots) keys.push_back(r->signer());
    auto der = fleet::sign_root_rotation(next, keys);
    REQUIRE(der);
    return *der;
  }
  Bytes r2() const { return sign(set2, {&pki.root_a, &pki.root_c, &root_d}); }
  Bytes r3() const { return sign(set3, {&pki.root_b, &root_d, &root_e}); }
  Bytes r4() const { return sign(set4, {&root_d, &root_e, &root_f}); }
};

fleet::Refusal refusal(const fleet::RootSet& current, const Bytes& der) {
  auto r = fleet::verify_rotation(current, der);
  REQUIRE_FALSE(r);
  CHECK(r.error().sentence().starts_with("configuration refused: "));
  return r.error().reason;
}

}  // namespace

TEST_CASE("rotation: k of the current roots and the new root sign the next set") {
  Rotations t;
  const fleet::RootSet set1 = t.pki.root_set();
  auto next = fleet::verify_rotation(set1, t.r2());
  REQUIRE_MESSAGE(next, next.error().sentence());
  CHECK(*next == t.set2);
  CHECK(fleet::rotation_sequence(t.r2()) == 2u);

  // One current root is not k = 2.
  CHECK(refusal(set1, t.sign(t.set2, {&t.pki.root_a, &t.root_d})) == fleet::Refusal::RootThresholdNotMet);
  // The new root must sign its own rotation.
  CHECK(refusal(set1, t.sign(t.set2, {&t.pki.root_a, &t.pki.root_b})) == fleet::Refusal::RootRotationInvalid);
  // Nobody else may sign it.
  CHECK(refusal(set1, t.sign(t.set2, {&t.pki.root_a, &t.pki.root_b, &t.root_d, &t.pki.hall_admin})) ==
        fleet::Refusal::RootRotationInvalid);
  // The new root alone.
  CHECK(refusal(set1, t.sign(t.set2, {&t.root_d})) == fleet::Refusal::RootThresholdNotMet);
  // A set whose sequence is not the current one + 1, whoever signed it.
  CHECK(refusal(set1, t.sign(t.set3, {&t.pki.root_a, &t.pki.root_b, &t.root_d, &t.root_e})) ==
        fleet::Refusal::RootRotationSkipped);
  // A set that is not one: threshold above n, a signer certificate as a root, the same root twice.
  fleet::RootSet bad_k{2, 4, t.set2.roots};
  CHECK(refusal(set1, t.sign(bad_k, {&t.pki.root_a, &t.pki.root_b, &t.root_d})) ==
        fleet::Refusal::RootRotationInvalid);
  fleet::RootSet not_ca{2, 1, {t.pki.root_a.der(), t.pki.hall_admin.der()}};
  CHECK(refusal(set1, t.sign(not_ca, {&t.pki.root_a, &t.pki.root_b, &t.pki.hall_admin})) ==
        fleet::Refusal::RootRotationInvalid);
  fleet::RootSet twice{2, 1, {t.root_d.der(), t.root_d.der()}};
  CHECK(refusal(set1, t.sign(twice, {&t.pki.root_a, &t.pki.root_b, &t.root_d})) ==
        fleet::Refusal::RootRotationInvalid);
  // Not a rotation at all: a settings bundle, garbage.
  CHECK(refusal(set1, t.pki.sign(hall_document(1, t.pki.now).dump(), {&t.pki.hall_admin})) ==
        fleet::Refusal::RootRotationInvalid);
  CHECK(refusal(set1, Bytes{1, 2, 3}) == fleet::Refusal::MalformedCms);
}

TEST_CASE(
    "rotation: a kiosk that missed rotations walks each in order; one skipped is refused, nothing kept") {
  Rotations t;
  Kiosk k(t.pki, kK01);
  const std::vector<Bytes> all{t.r2(), t.r3(), t.r4()};

  const std::string file_before = k.file();
  for (const std::vector<Bytes>& skipping : {std::vector<Bytes>{t.r2(), t.r4()}, std::vector<Bytes>{t.r3()},
                                             std::vector<Bytes>{t.r4(), t.r3(), t.r2()}}) {
    auto chain = fleet::advance(k.state.roots, skipping);
    REQUIRE_FALSE(chain);
    CHECK(chain.error().reason == fleet::Refusal::RootRotationSkipped);
    CHECK(k.file() == file_before);
  }
  // A rotation document whose every signature is right but that claims a sequence past the next one.
  fleet::RootSet jump{3, 2, t.set2.roots};
  auto jumped = fleet::advance(k.state.roots,
                               std::vector<Bytes>{t.sign(jump, {&t.pki.root_a, &t.pki.root_b, &t.root_d})});
  REQUIRE_FALSE(jumped);
  CHECK(jumped.error().reason == fleet::Refusal::RootRotationSkipped);

  auto chain = fleet::advance(k.state.roots, all);
  REQUIRE_MESSAGE(chain, chain.error().sentence());
  CHECK(chain->current == t.set4);
  CHECK(chain->rotations.size() == 3);
  CHECK(chain->installed == t.pki.root_set());
  // Served again with the ones already taken: those are skipped.
  auto again = fleet::advance(*chain, std::vector<Bytes>{t.r2(), t.r3(), t.r4()});
  REQUIRE(again);
  CHECK(*again == *chain);

  fleet::TrustState next = k.state;
  next.roots = *chain;
  REQUIRE(fleet::save_state(k.dir.path, next));
  auto loaded = fleet::load_state(k.dir.path, k.installed);
  REQUIRE(loaded);
  CHECK(loaded->roots == *chain);  // checked again from the pinned set on load
}

TEST_CASE("rotation: after it, signers under a retired root are outside, signers under a new one inside") {
  Rotations t;
  Kiosk k(t.pki, kK01);
  REQUIRE(k.offer(t.pki.sign(hall_document(10, t.pki.now).dump(), {&t.pki.hall_admin}), t.pki.now));
  auto chain = fleet::advance(k.state.roots, std::vector<Bytes>{t.r2(), t.r3(), t.r4()});
  REQUIRE(chain);
  k.state.roots = *chain;
  REQUIRE(fleet::save_state(k.dir.path, k.state));

  // Root A is gone: its signers are outside, whatever CRL they bring.
  auto r = k.offer(t.pki.sign(hall_document(11, t.pki.now).dump(), {&t.pki.hall_admin}), t.pki.now);
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == fleet::Refusal::SignerUntrusted);

  auto d_admin = fleetpki::issue_signer(
      t.root_d, {"Hall H001 Admin (root D)", {"hall:H001"}, true, t.pki.now - 24h, t.pki.now + 24h * 30});
  auto d_crl = fleetpki::make_crl(t.root_d, 1, {}, t.pki.now - 1h, t.pki.now + 24h);
  Bytes under_d = t.pki.sign(hall_document(11, t.pki.now).dump(), {&d_admin}, d_crl.get());
  REQUIRE(k.offer(under_d, t.pki.now) == fleet::Outcome::New);
  // Root A's CRL number is kept under A's fingerprint; D's starts its own.
  CHECK(k.state.crl_numbers.size() == 2);
  // Root D's CRL without D's own number kept: an older one of D's is refused, A's old numbers do not matter.
  auto d_old = fleetpki::make_crl(t.root_d, 0, {}, t.pki.now - 1h, t.pki.now + 24h);
  auto o = k.offer(t.pki.sign(hall_document(12, t.pki.now).dump(), {&d_admin}, d_old.get()), t.pki.now);
  REQUIRE_FALSE(o);
  CHECK(o.error().reason == fleet::Refusal::CrlOlder);
}

TEST_CASE("rotation: a stored rotation that does not follow the pinned roots makes the state corrupt") {
  Rotations t;
  Kiosk k(t.pki, kK01);
  fleet::TrustState forged = k.state;
  // A chain that did not come through advance(): rotation 3 stored without rotation 2.
  forged.roots.rotations = {t.r3()};
  forged.roots.current = t.set3;
  REQUIRE(fleet::save_state(k.dir.path, forged));
  auto loaded = fleet::load_state(k.dir.path, k.installed);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().kind == fleet::StoreError::Kind::Corrupt);

  // A package that pins set 2 itself takes over from rotation 2 and keeps rotation 3.
  fleet::TrustState ok = k.state;
  ok.roots = *fleet::advance(k.state.roots, std::vector<Bytes>{t.r2(), t.r3()});
  REQUIRE(fleet::save_state(k.dir.path, ok));
  auto repinned = fleet::load_state(k.dir.path, t.set2);
  REQUIRE(repinned);
  CHECK(repinned->roots.current == t.set3);
  CHECK(repinned->roots.rotations.size() == 1);
}

TEST_CASE("rotation: the install-time set is read from a PEM file and checked") {
  Rotations t;
  TempDir dir;
  fleetpki::write_file(dir.path / "roots.pem", t.pki.root_a.pem() + t.pki.root_b.pem() + t.pki.root_c.pem());
  auto set = fleet::load_root_set_pem(dir.path / "roots.pem", 2);
  REQUIRE(set);
  CHECK(*set == t.pki.root_set());
  CHECK_FALSE(fleet::load_root_set_pem(dir.path / "roots.pem", 4));
  CHECK_FALSE(fleet::load_root_set_pem(dir.path / "missing.pem", 1));
  fleetpki::write_file(dir.path / "signer.pem", t.pki.hall_admin.pem());
  CHECK_FALSE(fleet::load_root_set_pem(dir.path / "signer.pem", 1));
}
