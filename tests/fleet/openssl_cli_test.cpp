// A bundle checked by hand with the openssl command line, as docs/fleet.md ("Checking a bundle by hand")
// tells an admin to: `openssl cms -verify` against the pinned roots, with the root's CRL from inside the
// bundle, gives back the signed document byte for byte, and refuses a revoked or foreign signer.
#include <sys/wait.h>

#include <cstdlib>

#include "fleet/sign.hpp"
#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

struct Cli {
  TempDir dir;
  std::string output;
  // Runs `openssl <args>` in the directory; its exit code, its output (stdout and stderr) in `output`.
  int run(const std::string& args) {
    const std::string cmd =
        "cd " + dir.path.string() + " && " + KIOSK_OPENSSL_CLI + " " + args + " >cli.out 2>&1";
    int status = std::system(cmd.c_str());
    output = read_text(dir.path / "cli.out");
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
  }
  std::string verify(const Bytes& bundle, const std::string& extra = "") {
    fleetpki::write_file(dir.path / "bundle.der", bundle);
    std::filesystem::remove(dir.path / "content.json");
    return run("cms -verify -inform DER -in bundle.der -CAfile roots.pem -purpose any -crl_check " + extra +
               " -out content.json") == 0
               ? read_text(dir.path / "content.json")
               : std::string();
  }
};

}  // namespace

TEST_CASE("openssl cms -verify checks a bundle by hand against the pinned roots and the carried CRL") {
  fleetpki::FleetPki pki(wall_now());
  Cli cli;
  fleetpki::write_file(cli.dir.path / "roots.pem", pki.root_a.pem() + pki.root_b.pem() + pki.root_c.pem());

  const std::string hall = hall_document(10, pki.now).dump();
  CHECK(cli.verify(pki.sign(hall, {&pki.hall_admin})) == hall);
  CHECK(cli.output.find("Verification successful") != std::string::npos);

  // Two admins: both SignerInfos verify, and -signer lists both certificates.
  const std::string fleet_doc =
      document(11, {target("fleet")}, {layer("fleet", 1, full_settings())}, pki.now + 24h).dump();
  CHECK(cli.verify(pki.sign(fleet_doc, {&pki.fleet_admin_1, &pki.fleet_admin_2}), "-signer signers.pem") ==
        fleet_doc);
  std::string signers = read_text(cli.dir.path / "signers.pem");
  std::size_t count = 0;
  for (std::size_t at = signers.find("BEGIN CERTIFICATE"); at != std::string::npos;
       at = signers.find("BEGIN CERTIFICATE", at + 1))
    ++count;
  CHECK(count == 2);

  // The role is an extended key usage of our own, so the S/MIME purpose must be lifted by hand.
  fleetpki::write_file(cli.dir.path / "bundle.der", pki.sign(hall, {&pki.hall_admin}));
  CHECK(cli.run("cms -verify -inform DER -in bundle.der -CAfile roots.pem -out /dev/null") != 0);
  CHECK_MESSAGE(cli.output.find("unsuitable certificate purpose") != std::string::npos, cli.output);

  // What the kiosk refuses, openssl refuses too: a revoked signer (the CRL in the bundle), another root.
  CHECK(cli.verify(pki.sign(hall, {&pki.revoked})).empty());
  CHECK(cli.output.find("certificate revoked") != std::string::npos);
  CHECK(cli.verify(pki.sign(hall, {&pki.foreign})).empty());
  CHECK(cli.verify(pki.sign(hall, {&pki.expired})).empty());
  CHECK(cli.output.find("expired") != std::string::npos);
}

TEST_CASE("openssl cms -verify checks a root rotation by hand, listing who signed it") {
  fleetpki::FleetPki pki(wall_now());
  auto root_d = fleetpki::make_root("Config Root D", pki.now - 24h, pki.now + 24h * 365);
  fleet::RootSet next{2, 2, {pki.root_a.der(), pki.root_b.der(), root_d.der()}};
  std::vector<fleet::SignerKey> keys{pki.root_a.signer(), pki.root_b.signer(), root_d.signer()};
  auto der = fleet::sign_root_rotation(next, keys);
  REQUIRE(der);
  Cli cli;
  fleetpki::write_file(cli.dir.path / "roots.pem",
                       pki.root_a.pem() + pki.root_b.pem() + pki.root_c.pem() + root_d.pem());
  fleetpki::write_file(cli.dir.path / "rotation.der", *der);
  REQUIRE(
      cli.run("cms -verify -inform DER -in rotation.der -CAfile roots.pem -purpose any -signer signers.pem "
              "-out rotation.json") == 0);
  json doc = json::parse(read_text(cli.dir.path / "rotation.json"));
  CHECK(doc["type"] == "kiosk-config-roots");
  CHECK(doc["sequence"] == 2);
  CHECK(doc["threshold"] == 2);
  CHECK(doc["roots"].size() == 3);
  REQUIRE(cli.run("x509 -in signers.pem -noout -subject") == 0);  // the first signer
  CHECK(cli.output.find("Config Root") != std::string::npos);
}
