// Bundles a kiosk accepts: a hall's with one signer, the fleet's with two, a region's, the same again
// ("unchanged"), a newer CRL taken up; what the signing side warns about beforehand.
#include <openssl/cms.h>

#include "fleet/sign.hpp"
#include "fleet_fixture.hpp"

using namespace fleettest;

TEST_CASE("verify: a hall bundle signed by the hall's admin is accepted, applied and read back") {
  fleetpki::FleetPki pki(wall_now());
  Kiosk k(pki, kK01);
  Bytes der = pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin});
  auto v = fleet::verify_bundle(der, k.state, k.place, pki.now);
  REQUIRE_MESSAGE(v, v.error().sentence());
  CHECK(v->outcome == fleet::Outcome::New);
  CHECK(v->document.version == 10);
  REQUIRE(v->signers.size() == 1);
  CHECK(v->signers[0].subject.find("Hall H001 Admin") != std::string::npos);
  CHECK(v->signers[0].scopes == std::vector<fleet::Scope>{{fleet::ScopeKind::Hall, "H001"}});
  REQUIRE(v->crl_numbers.size() == 1);
  CHECK(v->crl_numbers.begin()->second == 5);

  REQUIRE(k.offer(der, pki.now) == fleet::Outcome::New);
  CHECK(k.state.applied->version == 10);
  CHECK(k.state.layers.at("fleet").version == 1);
  CHECK(k.state.layers.at("hall:H001").version == 1);
  CHECK(k.state.crl_numbers.begin()->second == 5);
  CHECK(k.reloaded() == k.state);
  fleet::Settings s = fleet::effective_settings({}, k.applied(), k.place);
  CHECK(s.idle_timeout_s == 45);
  CHECK(s.session_timeout_s == 900);

  // The same bundle again: unchanged, nothing new written.
  const std::string before = k.file();
  CHECK(k.offer(der, pki.now) == fleet::Outcome::Unchanged);
  CHECK(k.file() == before);
  // The same content signed again (another signature, the same document): unchanged too.
  CHECK(k.offer(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}), pki.now) ==
        fleet::Outcome::Unchanged);
}

TEST_CASE("verify: a fleet-wide bundle with two admins' signatures reaches every kiosk") {
  fleetpki::FleetPki pki(wall_now());
  json d = document(20, {target("fleet")}, {layer("fleet", 1, full_settings())}, pki.now + 24h * 7);
  Bytes der = pki.sign(d.dump(), {&pki.fleet_admin_1, &pki.fleet_admin_2});
  for (const auto& place : {kK01, kK10, kK20}) {
    CAPTURE(place.kiosk_id);
    Kiosk k(pki, place);
    auto r = k.offer(der, pki.now);
    REQUIRE_MESSAGE(r, r.error().sentence());
    CHECK(*r == fleet::Outcome::New);
    CHECK(fleet::effective_settings({}, k.applied(), place).heartbeat_s == 120);
  }
}

TEST_CASE("verify: a region admin signs for its region and its halls; a fleet signer signs anything") {
  fleetpki::FleetPki pki(wall_now());
  json region =
      document(5, {target("region:NMG")}, {layer("region:NMG", 1, {{"heartbeat_s", 60}})}, pki.now + 24h);
  Kiosk k01(pki, kK01);
  CHECK(k01.offer(pki.sign(region.dump(), {&pki.region_admin}), pki.now) == fleet::Outcome::New);
  json hall =
      document(6, {target("hall:H001")}, {layer("region:NMG", 1, {{"heartbeat_s", 60}})}, pki.now + 24h);
  CHECK(k01.offer(pki.sign(hall.dump(), {&pki.region_admin}), pki.now) == fleet::Outcome::New);
  json kiosk =
      document(7, {target("kiosk:K01")}, {layer("region:NMG", 1, {{"heartbeat_s", 60}})}, pki.now + 24h);
  CHECK(k01.offer(pki.sign(kiosk.dump(), {&pki.fleet_admin_1}), pki.now) == fleet::Outcome::New);
}

TEST_CASE("verify: a bundle carrying a newer CRL raises the number kept, even when unchanged") {
  fleetpki::FleetPki pki(wall_now());
  Kiosk k(pki, kK01);
  std::string text = hall_document(10, pki.now).dump();
  REQUIRE(k.offer(pki.sign(text, {&pki.hall_admin}), pki.now));
  auto crl9 = fleetpki::make_crl(pki.root_a, 9, {&pki.revoked}, pki.now - 1h, pki.now + 24h);
  CHECK(k.offer(pki.sign(text, {&pki.hall_admin}, crl9.get()), pki.now) == fleet::Outcome::Unchanged);
  CHECK(k.state.crl_numbers.begin()->second == 9);
  CHECK(k.reloaded().crl_numbers.begin()->second == 9);
}

TEST_CASE("verify: another pinned root's CRL is kept, a stranger's ignored, one in root A's name refused") {
  fleetpki::FleetPki pki(wall_now());
  Kiosk k(pki, kK01);
  auto stranger = fleetpki::make_root("Stranger Root", pki.now - 24h, pki.now + 24h);
  auto stranger_crl = fleetpki::make_crl(stranger, 1, {}, pki.now - 1h, pki.now + 24h);
  auto b_crl = fleetpki::make_crl(pki.root_b, 2, {}, pki.now - 1h, pki.now + 24h);
  std::vector<fleet::SignerKey> keys{pki.hall_admin.signer()};
  std::vector<X509_CRL*> crls{pki.crl_a.get(), b_crl.get(), stranger_crl.get()};
  auto der = fleet::sign_bundle(hall_document(10, pki.now).dump(), keys, crls);
  REQUIRE(der);
  CHECK(k.offer(*der, pki.now) == fleet::Outcome::New);
  CHECK(k.state.crl_numbers.size() == 2);  // roots A and B
  // foreign_root has root A's name and another key: its CRL claims to be root A's.
  auto foreign_crl = fleetpki::make_crl(pki.foreign_root, 7, {}, pki.now - 1h, pki.now + 24h);
  std::vector<X509_CRL*> with_foreign{pki.crl_a.get(), foreign_crl.get()};
  auto bad = fleet::sign_bundle(hall_document(11, pki.now).dump(), keys, with_foreign);
  REQUIRE(bad);
  auto r = k.offer(*bad, pki.now);
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == fleet::Refusal::CrlInvalid);
}

TEST_CASE("sign: check_for_signing names what kiosks would refuse before anything is published") {
  fleetpki::FleetPki pki(wall_now());
  std::string fleet_doc =
      document(1, {target("fleet")}, {layer("fleet", 1, json::object())}, pki.now + 24h).dump();
  std::vector<fleet::SignerKey> one{pki.fleet_admin_1.signer()};
  std::vector<fleet::SignerKey> two{pki.fleet_admin_1.signer(), pki.fleet_admin_2.signer()};
  std::vector<fleet::SignerKey> same_admin{pki.fleet_admin_1.signer(), pki.fleet_admin_1_again.signer()};
  CHECK(fleet::check_for_signing(fleet_doc, two, pki.now).empty());
  auto reasons = [&](std::string_view doc, const std::vector<fleet::SignerKey>& keys) {
    std::vector<fleet::Refusal> out;
    for (const auto& r : fleet::check_for_signing(doc, keys, pki.now)) out.push_back(r.reason);
    return out;
  };
  CHECK(reasons(fleet_doc, one) == std::vector{fleet::Refusal::NeedsTwoSigners});
  CHECK(reasons(fleet_doc, same_admin) == std::vector{fleet::Refusal::NeedsTwoSigners});
  std::string hall_doc = hall_document(3, pki.now).dump();
  CHECK(reasons(hall_doc, {pki.other_hall_admin.signer()}) == std::vector{fleet::Refusal::SignerOutOfScope});
  CHECK(reasons(hall_doc, {pki.no_role.signer()}) == std::vector{fleet::Refusal::SignerNoRole});
  CHECK(reasons(hall_doc, {pki.expired.signer()}) == std::vector{fleet::Refusal::SignerExpired});
  CHECK(reasons(hall_doc, {pki.region_admin.signer()}).empty());  // which region H001 is in: the kiosks know
  CHECK(reasons("{}", one) == std::vector{fleet::Refusal::MalformedJson});
  // A key that is not the certificate's is a signing error, not a bundle.
  fleet::SignerKey mismatched{pki.hall_admin.cert.get(), pki.fleet_admin_1.key.get()};
  auto der = fleet::sign_bundle(hall_doc, std::span(&mismatched, 1), {});
  REQUIRE_FALSE(der);
  CHECK(der.error().message.find("does not match") != std::string::npos);
}
