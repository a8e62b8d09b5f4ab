// A bundle checked by hand with the openssl command line, as docs/fleet.md ("Checking a bundle by hand")
// tells an admin to: `openssl cms -verify` against the pinned roots, with the root's CRL from inside the
// bundle, gives back the signed document byte for byte, and refuses a revoked or foreign signer.
#include <sys/wait.h>

#include <openssl/pem.h>

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
  // Runs a shell command in the directory.
  int sh(const std::string& command) {
    const std::string cmd = "cd " + dir.path.string() + " && ( " + command + " ) >cli.out 2>&1";
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

using BioPtr = foundation::CPtr<BIO, BIO_free_all>;

template <typename T, auto Read, auto Free>
foundation::CPtr<T, Free> read_pem(const std::filesystem::path& p) {
  BioPtr bio(BIO_new_file(p.c_str(), "r"));
  REQUIRE(bio);
  foundation::CPtr<T, Free> out(Read(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(out);
  return out;
}

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

TEST_CASE(
    "a configuration PKI made with the openssl command line as docs/fleet.md shows works with the kiosk") {
  Cli cli;
  const std::string openssl = KIOSK_OPENSSL_CLI;
  fleetpki::write_file(cli.dir.path / "root.cnf",
                       "[req]\ndistinguished_name = dn\n[dn]\n[root]\nbasicConstraints = critical, CA:TRUE\n"
                       "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n");
  REQUIRE(cli.sh(openssl +
                 " req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root-a.key"
                 " -subj '/O=Example CA/CN=Kiosk Configuration Root A' -days 3650 -config root.cnf"
                 " -extensions root -out root-a.pem") == 0);
  fleetpki::write_file(cli.dir.path / "signer.ext",
                       "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
                       "extendedKeyUsage = " +
                           std::string(fleet::kConfigSigningEku) +
                           "\nsubjectAltName = URI:kiosk-scope:hall:H001\nsubjectKeyIdentifier = hash\n"
                           "authorityKeyIdentifier = keyid:always\n");
  REQUIRE(cli.sh(openssl + " genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out admin.key") == 0);
  REQUIRE(cli.sh(openssl +
                 " req -new -key admin.key -subj '/O=Example CA/CN=Hall H001 Admin' -out admin.csr") == 0);
  REQUIRE(cli.sh(openssl +
                 " x509 -req -in admin.csr -CA root-a.pem -CAkey root-a.key -CAcreateserial -days 365"
                 " -extfile signer.ext -out admin.pem") == 0);
  fleetpki::write_file(cli.dir.path / "ca.cnf",
                       "[ca]\ndefault_ca = root_a\n[root_a]\ndatabase = index.txt\ncrlnumber = crlnumber\n"
                       "certificate = root-a.pem\nprivate_key = root-a.key\ndefault_md = sha256\n"
                       "default_crl_days = 30\ncrl_extensions = crl_ext\n[crl_ext]\n"
                       "authorityKeyIdentifier = keyid:always\n");
  REQUIRE(cli.sh("touch index.txt && echo 01 > crlnumber") == 0);
  REQUIRE_MESSAGE(cli.sh(openssl + " ca -config ca.cnf -gencrl -out root-a.crl") == 0, cli.output);

  auto roots = fleet::load_root_set_pem(cli.dir.path / "root-a.pem", 1);
  REQUIRE_MESSAGE(roots, roots.error().sentence());
  auto admin = read_pem<X509, PEM_read_bio_X509, X509_free>(cli.dir.path / "admin.pem");
  auto key = read_pem<EVP_PKEY, PEM_read_bio_PrivateKey, EVP_PKEY_free>(cli.dir.path / "admin.key");
  auto sign = [&](std::int64_t version) {
    auto crl = read_pem<X509_CRL, PEM_read_bio_X509_CRL, X509_CRL_free>(cli.dir.path / "root-a.crl");
    fleet::SignerKey signer{admin.get(), key.get()};
    std::vector<X509_CRL*> crls{crl.get()};
    auto der = fleet::sign_bundle(hall_document(version, wall_now()).dump(), std::span(&signer, 1), crls);
    REQUIRE(der);
    return *der;
  };
  fleet::TrustState state = fleet::TrustState::initial(*roots);
  auto v = fleet::verify_bundle(sign(10), state, kK01, wall_now());
  REQUIRE_MESSAGE(v, v.error().sentence());
  CHECK(v->crl_numbers.begin()->second == 1);
  state = fleet::next_state(state, *v, kK01);

  REQUIRE(cli.sh(openssl + " ca -config ca.cnf -revoke admin.pem") == 0);
  REQUIRE(cli.sh(openssl + " ca -config ca.cnf -gencrl -out root-a.crl") == 0);
  auto revoked = fleet::verify_bundle(sign(11), state, kK01, wall_now());
  REQUIRE_FALSE(revoked);
  CHECK(revoked.error().reason == fleet::Refusal::SignerRevoked);
  CHECK(revoked.error().detail == "on CRL number 2");
}
