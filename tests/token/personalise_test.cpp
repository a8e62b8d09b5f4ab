// Personalisation (what an issuing station does; the demo's keys): a protected pair generated on the
// token and the CA's certificate written next to it, found again as a usable pair.
#include <doctest/doctest.h>

#include "test_ca.hpp"
#include "token/personalise.hpp"
#include "token_fixture.hpp"

using namespace testsupport;

TEST_CASE("a generated pair and its written certificate are a usable, protected pair") {
  for (auto alg : {domain::KeyAlgorithm::EcP256, domain::KeyAlgorithm::Rsa2048}) {
    CAPTURE(domain::to_string(alg));
    TokenFixture fx;
    auto s = fx.logged_in();
    const Bytes id{0x0a, 0x0b};
    auto pair = token::generate_pair(s, alg, id, "demo-key");
    REQUIRE_MESSAGE(pair, pair.error().to_string());
    SubjectSpec subject{"张三", "内蒙古自治区政府采购中心", "", "CN", false};
    auto der =
        fx.ca.issue(pair->spki_der, make_subject(subject), Validity::from_now(std::chrono::hours(-1), 30));
    REQUIRE(token::write_certificate(s, der, id, "demo-key"));
    auto certs = s.certificates();
    REQUIRE(certs);
    REQUIRE(certs->size() == 1);
    CHECK(certs->front().subject.common_name == "张三");
    CHECK(certs->front().key_id == id);
    CHECK(certs->front().private_key_found.value_or(false));
    CHECK(count_usable_pairs(*fx.raw, fx.slot) == 1);
    // Protected as the rollover's keys are: sensitive, never extractable.
    CK_SESSION_HANDLE h = fx.raw->open(fx.slot);
    fx.raw->login(h, kUserPin);
    auto priv = fx.raw->find(h, CKO_PRIVATE_KEY, "demo-key");
    REQUIRE(priv.size() == 1);
    CHECK(fx.raw->attribute_bool(h, priv[0], CKA_SENSITIVE));
    CHECK_FALSE(fx.raw->attribute_bool(h, priv[0], CKA_EXTRACTABLE));
    fx.raw->close(h);
  }
}

TEST_CASE("personalisation needs a login and refuses bytes that are not a certificate") {
  TokenFixture fx;
  auto s = fx.session();
  auto pair = token::generate_pair(s, domain::KeyAlgorithm::EcP256, Bytes{1}, "x");
  REQUIRE_FALSE(pair);
  CHECK(pair.error().code == token::ErrorCode::NotLoggedIn);
  login_checked(s);
  auto w = token::write_certificate(s, Bytes{1, 2, 3}, Bytes{1}, "x");
  REQUIRE_FALSE(w);
  CHECK(w.error().code == token::ErrorCode::CertificateInvalid);
}
