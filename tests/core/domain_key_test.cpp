// domain/key.hpp: the names the kiosk configuration and the platform API use for the one domain::KeyAlgorithm and
// the one OldKeyPolicy, both ways.
#include <doctest/doctest.h>

#include "domain/key.hpp"

TEST_CASE("key algorithms and old-key policies by name, both ways") {
  using domain::KeyAlgorithm;
  using domain::OldKeyPolicy;
  CHECK(domain::to_string(domain::KeyAlgorithm::Rsa2048) == "rsa-2048");
  CHECK(domain::to_string(domain::KeyAlgorithm::EcP256) == "ec-p256");
  CHECK(domain::to_string(OldKeyPolicy::Keep) == "keep");
  CHECK(domain::to_string(OldKeyPolicy::Delete) == "delete");

  auto a = domain::KeyAlgorithm::EcP256;
  CHECK(domain::parse("rsa-2048", a));
  CHECK(a == domain::KeyAlgorithm::Rsa2048);
  CHECK(domain::parse("ec-p256", a));
  CHECK(a == domain::KeyAlgorithm::EcP256);
  CHECK_FALSE(domain::parse("RSA-2048", a));  // names are exact
  CHECK_FALSE(domain::parse("", a));
  CHECK(a == domain::KeyAlgorithm::EcP256);  // left alone

  auto p = OldKeyPolicy::Keep;
  CHECK(domain::parse("delete", p));
  CHECK(p == OldKeyPolicy::Delete);
  CHECK_FALSE(domain::parse("shred", p));
  CHECK(p == OldKeyPolicy::Delete);
}
