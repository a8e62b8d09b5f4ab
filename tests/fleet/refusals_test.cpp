// Every refusal, one bundle each, offered to a kiosk that already runs an applied bundle (version 10 from
// its hall's admin): the reason comes back typed with a sentence, and the state on disk and in memory is
// the one it had.
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>

#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

using fleet::Refusal;

struct Running {
  fleetpki::FleetPki pki{wall_now()};
  Kiosk k{pki, kK01};
  Running() { REQUIRE(k.offer(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}), pki.now)); }

  fleet::Refused refused(const Bytes& der, Refusal want, sys_seconds at) {
    const std::string file_before = k.file();
    const fleet::TrustState state_before = k.state;
    auto r = k.offer(der, at);
    REQUIRE_FALSE(r);
    CHECK_MESSAGE(r.error().reason == want, r.error().sentence());
    CHECK(r.error().sentence().starts_with("configuration refused: "));
    CHECK(k.file() == file_before);
    CHECK(k.state == state_before);
    CHECK(k.reloaded() == state_before);
    return r.error();
  }
  fleet::Refused refused(const Bytes& der, Refusal want) { return refused(der, want, pki.now); }
  Bytes hall(std::int64_t version, const fleetpki::Credential& signer) {
    return pki.sign(hall_document(version, pki.now).dump(), {&signer});
  }
};

using CmsPtr = foundation::CPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free_all>;

Bytes encode(CMS_ContentInfo* cms) {
  unsigned char* out = nullptr;
  int n = i2d_CMS_ContentInfo(cms, &out);
  REQUIRE(n > 0);
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

// CMS made by hand for the shapes sign_bundle() never makes.
Bytes raw_cms(std::string_view content, const fleetpki::Credential* signer, unsigned flags, const EVP_MD* md,
              X509_CRL* crl) {
  BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, in.get(), flags | CMS_PARTIAL | CMS_BINARY));
  REQUIRE(cms);
  REQUIRE(CMS_add1_signer(cms.get(), signer->cert.get(), signer->key.get(), md, flags | CMS_BINARY));
  if (crl) REQUIRE(CMS_add1_crl(cms.get(), crl) == 1);
  REQUIRE(CMS_final(cms.get(), in.get(), nullptr, flags | CMS_BINARY) == 1);
  return encode(cms.get());
}

// SignedData without a SignerInfo (CMS_final refuses to make one; the PKCS#7 structures are the same DER).
Bytes unsigned_signed_data(std::string_view content, X509_CRL* crl) {
  foundation::CPtr<PKCS7, PKCS7_free> p7(PKCS7_new());
  REQUIRE(PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1);
  REQUIRE(PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1);
  REQUIRE(ASN1_OCTET_STRING_set(p7->d.sign->contents->d.data,
                                reinterpret_cast<const unsigned char*>(content.data()),
                                static_cast<int>(content.size())) == 1);
  REQUIRE(PKCS7_add_crl(p7.get(), crl) == 1);
  unsigned char* out = nullptr;
  int n = i2d_PKCS7(p7.get(), &out);
  REQUIRE(n > 0);
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

}  // namespace

TEST_CASE("refused: over the size cap, and malformed CMS of every shape") {
  Running r;
  std::string big(fleet::kMaxBundleBytes + 1, 'x');
  r.refused(r.pki.sign(big, {&r.pki.hall_admin}), Refusal::TooLarge);

  r.refused(Bytes{}, Refusal::MalformedCms);
  r.refused(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, Refusal::MalformedCms);
  Bytes good = r.hall(11, r.pki.hall_admin);
  r.refused(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)),
            Refusal::MalformedCms);
  Bytes trailing = good;
  trailing.push_back(0);
  CHECK(r.refused(trailing, Refusal::MalformedCms).detail.find("after") != std::string::npos);
  // Detached content: the bundle must carry what it signs.
  std::string text = hall_document(11, r.pki.now).dump();
  CHECK(r.refused(raw_cms(text, &r.pki.hall_admin, CMS_DETACHED, EVP_sha256(), r.pki.crl_a.get()),
                  Refusal::MalformedCms)
            .detail.find("detached") != std::string::npos);
  // More SignerInfos than any bundle needs.
  std::vector<fleetpki::Credential> many;
  for (int i = 0; i < 17; ++i)
    many.push_back(fleetpki::issue_signer(
        r.pki.root_a, {"Admin " + std::to_string(i), {"hall:H001"}, true, r.pki.now - 24h, r.pki.now + 24h}));
  std::vector<fleet::SignerKey> keys;
  for (const auto& c : many) keys.push_back(c.signer());
  std::vector<X509_CRL*> crls{r.pki.crl_a.get()};
  auto crowded = fleet::sign_bundle(text, keys, crls);
  REQUIRE(crowded);
  CHECK(r.refused(*crowded, Refusal::MalformedCms).detail.find("17 SignerInfos") != std::string::npos);
  // Not SignedData at all.
  BioPtr in(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  CmsPtr data(CMS_data_create(in.get(), CMS_BINARY));
  REQUIRE(data);
  r.refused(encode(data.get()), Refusal::MalformedCms);
}

TEST_CASE("refused: unsigned, a bad signature, a weak digest, a signer's certificate missing") {
  Running r;
  std::string text = hall_document(11, r.pki.now).dump();
  r.refused(unsigned_signed_data(text, r.pki.crl_a.get()), Refusal::Unsigned);

  Bytes tampered = r.hall(11, r.pki.hall_admin);
  const std::string needle = "\"version\":11";
  auto at = std::search(tampered.begin(), tampered.end(), needle.begin(), needle.end());
  REQUIRE(at != tampered.end());
  *(at + static_cast<std::ptrdiff_t>(needle.size()) - 1) = '9';  // version 19, the signature over 11
  r.refused(tampered, Refusal::BadSignature);

  r.refused(raw_cms(text, &r.pki.hall_admin, 0, EVP_sha1(), r.pki.crl_a.get()), Refusal::BadSignature);
  r.refused(raw_cms(text, &r.pki.hall_admin, CMS_NOCERTS, EVP_sha256(), r.pki.crl_a.get()),
            Refusal::SignerUntrusted);
}

TEST_CASE("refused: signers outside the root, without the role, outside their scopes") {
  Running r;
  // Under another root with our root's very name: the chain does not verify.
  r.refused(r.pki.sign(hall_document(11, r.pki.now).dump(), {&r.pki.foreign}), Refusal::SignerUntrusted);
  r.refused(r.hall(11, r.pki.no_role), Refusal::SignerNoRole);
  auto ca_signer = fleetpki::issue_signer(
      r.pki.root_a,
      {"CA With Role", {"fleet"}, true, r.pki.now - 24h, r.pki.now + 24h, nullptr, /*ca=*/true});
  r.refused(r.hall(11, ca_signer), Refusal::SignerNoRole);
  auto scope = r.refused(r.hall(11, r.pki.other_hall_admin), Refusal::SignerOutOfScope);
  CHECK(scope.detail.find("hall:H001") != std::string::npos);
  // A hall admin for its region, a region admin for a hall of another region (as this kiosk knows).
  json region = document(11, {target("region:NMG")}, {layer("fleet", 1, full_settings())}, r.pki.now + 24h);
  r.refused(r.pki.sign(region.dump(), {&r.pki.hall_admin}), Refusal::SignerOutOfScope);
  fleetpki::FleetPki& pki = r.pki;
  auto xj_admin = fleetpki::issue_signer(
      pki.root_a, {"Region XJ Admin", {"region:XJ"}, true, pki.now - 24h, pki.now + 24h});
  r.refused(pki.sign(hall_document(11, pki.now).dump(), {&xj_admin}), Refusal::SignerOutOfScope);
  // An intermediate CA between the root and the signer is not accepted, even when the bundle carries it.
  auto sub_ca = fleetpki::issue_ca(pki.root_a, "Sub CA", pki.now - 24h, pki.now + 24h);
  auto under_sub =
      fleetpki::issue_signer(sub_ca, {"Sub Admin", {"fleet"}, true, pki.now - 24h, pki.now + 24h});
  std::vector<fleet::SignerKey> keys{under_sub.signer()};
  std::vector<X509_CRL*> crls{pki.crl_a.get()};
  std::vector<X509*> chain{sub_ca.cert.get()};
  auto der = fleet::sign_bundle(hall_document(11, pki.now).dump(), keys, crls, chain);
  REQUIRE(der);
  r.refused(*der, Refusal::SignerUntrusted);
}

TEST_CASE("refused: an expired signer, one not yet valid at the platform's time, a revoked one") {
  Running r;
  r.refused(r.hall(11, r.pki.expired), Refusal::SignerExpired);
  // The hall admin's certificate judged at a time past its end (the roots still valid), with a CRL current
  // then: the caller's time decides, not the wall clock.
  const sys_seconds t = r.pki.now + 24h * 800;
  auto crl = fleetpki::make_crl(r.pki.root_a, 6, {&r.pki.revoked}, t - 1h, t + 24h);
  r.refused(r.pki.sign(hall_document(11, t).dump(), {&r.pki.hall_admin}, crl.get()), Refusal::SignerExpired,
            t);
  auto early = fleetpki::issue_signer(r.pki.root_a,
                                      {"Early Admin", {"hall:H001"}, true, r.pki.now + 24h, r.pki.now + 48h});
  r.refused(r.hall(11, early), Refusal::SignerExpired);
  auto revoked = r.refused(r.hall(11, r.pki.revoked), Refusal::SignerRevoked);
  CHECK(revoked.detail.find("CRL number 5") != std::string::npos);
  CHECK(revoked.field.find("Revoked Admin") != std::string::npos);
}

TEST_CASE("refused: the root's CRL missing, forged, older than seen, past its next update, from the future") {
  Running r;
  fleetpki::FleetPki& pki = r.pki;
  std::string text = hall_document(11, pki.now).dump();
  r.refused(pki.sign(text, {&pki.hall_admin}, nullptr, /*with_crl=*/false), Refusal::CrlMissing);
  auto b_only = fleetpki::make_crl(pki.root_b, 9, {}, pki.now - 1h, pki.now + 24h);
  r.refused(pki.sign(text, {&pki.hall_admin}, b_only.get()), Refusal::CrlMissing);
  auto forged = fleetpki::make_crl(pki.foreign_root, 99, {}, pki.now - 1h, pki.now + 24h);  // root A's name
  r.refused(pki.sign(text, {&pki.hall_admin}, forged.get()), Refusal::CrlInvalid);
  auto older = fleetpki::make_crl(pki.root_a, 4, {}, pki.now - 1h, pki.now + 24h);  // the kiosk has seen 5
  auto o = r.refused(pki.sign(text, {&pki.hall_admin}, older.get()), Refusal::CrlOlder);
  CHECK(o.detail.find("seen number 5") != std::string::npos);
  auto stale = fleetpki::make_crl(pki.root_a, 6, {}, pki.now - 48h, pki.now - 1h);
  r.refused(pki.sign(text, {&pki.hall_admin}, stale.get()), Refusal::CrlExpired);
  auto future = fleetpki::make_crl(pki.root_a, 6, {}, pki.now + 1h, pki.now + 48h);
  r.refused(pki.sign(text, {&pki.hall_admin}, future.get()), Refusal::CrlInvalid);
}

TEST_CASE("refused: a fleet-wide bundle without two distinct admins") {
  Running r;
  fleetpki::FleetPki& pki = r.pki;
  std::string text =
      document(11, {target("fleet")}, {layer("fleet", 1, full_settings())}, pki.now + 24h).dump();
  r.refused(pki.sign(text, {&pki.fleet_admin_1}), Refusal::NeedsTwoSigners);
  r.refused(pki.sign(text, {&pki.fleet_admin_1, &pki.fleet_admin_1_again}), Refusal::NeedsTwoSigners);
  // A cohort of the fleet is fleet-wide too.
  json cohort = document(11, {{{"scope", "fleet"}, {"cohort_percent", 100}}},
                         {layer("fleet", 1, full_settings())}, pki.now + 24h);
  r.refused(pki.sign(cohort.dump(), {&pki.fleet_admin_2}), Refusal::NeedsTwoSigners);
  // Two signers, one of them without the scope: each signer must cover every target.
  r.refused(pki.sign(text, {&pki.fleet_admin_1, &pki.hall_admin}), Refusal::SignerOutOfScope);
  // A hall bundle needs one, and a second good signature does no harm.
  CHECK(
      r.k.offer(pki.sign(hall_document(11, pki.now).dump(), {&pki.hall_admin, &pki.fleet_admin_1}), pki.now));
}

TEST_CASE("refused: malformed JSON, a newer schema, a setting out of range") {
  Running r;
  fleetpki::FleetPki& pki = r.pki;
  r.refused(pki.sign("not json", {&pki.hall_admin}), Refusal::MalformedJson);
  json unknown = hall_document(11, pki.now);
  unknown["layers"][1]["settings"]["idle_timout_s"] = 60;
  auto u = r.refused(pki.sign(unknown.dump(), {&pki.hall_admin}), Refusal::MalformedJson);
  CHECK(u.field == "layers[1].settings.idle_timout_s");
  json newer = hall_document(11, pki.now);
  newer["schema"] = 2;
  newer["min_software"] = "0.4.0";
  auto s = r.refused(pki.sign(newer.dump(), {&pki.hall_admin}), Refusal::SchemaTooNew);
  CHECK(s.sentence().find("needs software ≥ 0.4.0") != std::string::npos);
  json range = hall_document(11, pki.now, {{"session_timeout_s", 5}});
  auto o = r.refused(pki.sign(range.dump(), {&pki.hall_admin}), Refusal::SettingOutOfRange);
  CHECK(o.field == "layers[1].settings.session_timeout_s");
}

TEST_CASE(
    "refused: expired, too long-lived, not for this kiosk, older, the same version with other content") {
  Running r;
  fleetpki::FleetPki& pki = r.pki;
  json expired = document(
      11, {target("hall:H001")},
      {layer("fleet", 1, full_settings()), layer("hall:H001", 1, {{"idle_timeout_s", 45}})}, pki.now - 1s);
  r.refused(pki.sign(expired.dump(), {&pki.hall_admin}), Refusal::Expired);
  // The applied bundle itself, judged after it expired (with a CRL current then).
  const sys_seconds later = pki.now + 24h * 31;
  auto crl = fleetpki::make_crl(pki.root_a, 6, {&pki.revoked}, later - 1h, later + 24h);
  r.refused(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}, crl.get()), Refusal::Expired,
            later);
  json forever = hall_document(11, pki.now);
  forever["expires_at"] = unix(pki.now + 24h * 400);
  CHECK(r.refused(pki.sign(forever.dump(), {&pki.hall_admin}), Refusal::SettingOutOfRange).field ==
        "expires_at");

  json other_hall = document(11, {target("hall:H002")}, {layer("fleet", 1, full_settings())}, pki.now + 24h);
  r.refused(pki.sign(other_hall.dump(), {&pki.other_hall_admin}), Refusal::NotTargeted);
  // A cohort that leaves this kiosk out (a seed whose bucket for K01 is not below 1).
  std::string seed = "s0";
  for (int i = 0; fleet::cohort_bucket(kK01.kiosk_id, seed) < 1; ++i) seed = "s" + std::to_string(i);
  json cohort = hall_document(11, pki.now);
  cohort["targets"] = {{{"scope", "hall:H001"}, {"cohort_percent", 1}, {"cohort_seed", seed}}};
  r.refused(pki.sign(cohort.dump(), {&pki.hall_admin}), Refusal::NotTargeted);

  r.refused(r.hall(9, pki.hall_admin), Refusal::OlderVersion);
  auto reused =
      r.refused(pki.sign(hall_document(10, pki.now, {{"idle_timeout_s", 50}}).dump(), {&pki.hall_admin}),
                Refusal::VersionReused);
  CHECK(reused.field == "version");
}

TEST_CASE("refused: every reason has a code and a sentence") {
  for (int i = 0; i <= static_cast<int>(Refusal::RootThresholdNotMet); ++i) {
    auto reason = static_cast<Refusal>(i);
    CHECK(fleet::code(reason).starts_with("fleet."));
    CHECK(fleet::code(reason) != "fleet.unknown");
    CHECK(fleet::describe(reason) != "unknown reason");
  }
}
