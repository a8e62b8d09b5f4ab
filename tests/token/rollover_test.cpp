// The full rollover on SoftHSM (docs/token.md, "The rollover"): RSA-2048 and P-256, a test CA built here,
// independent tools agreeing (openssl req -verify, pkcs11-tool --list-objects, openssl verify), old objects
// kept or gone by policy, Chinese names byte for byte (UTF8String and BMPString).
#include <doctest/doctest.h>
#include <fmt/core.h>
#include <openssl/x509.h>

#include <algorithm>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "rollover_driver.hpp"
#include "token/rollover.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using domain::KeyAlgorithm;
using domain::OldKeyPolicy;

namespace {

Bytes request_subject_der(const Bytes& p10) {
  const unsigned char* p = p10.data();
  foundation::CPtr<X509_REQ, X509_REQ_free> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(p10.size())));
  REQUIRE(req);
  const unsigned char* der = nullptr;
  std::size_t len = 0;
  X509_NAME_get0_der(X509_REQ_get_subject_name(req.get()), &der, &len);
  return Bytes(der, der + len);
}

const token::CertInfo* by_fingerprint(const std::vector<token::CertInfo>& certs, const std::string& fp) {
  auto it =
      std::find_if(certs.begin(), certs.end(), [&](const token::CertInfo& c) { return c.sha256_hex == fp; });
  return it == certs.end() ? nullptr : &*it;
}

std::string pkcs11_tool_list(const TokenFixture& fx) {
  std::string out;
  int rc = run_command(fmt::format("pkcs11-tool --module {} --token-label {} --login --pin {} --list-objects",
                                   shell_quote(softhsm_module().string()), shell_quote(fx.label), kUserPin),
                       &out);
  REQUIRE_MESSAGE(rc == 0, out);
  return out;
}

// The block pkcs11-tool prints for the object of this kind with this ID ("" when there is none).
std::string tool_block(const std::string& listing, std::string_view kind, const Bytes& id) {
  std::string needle = "ID:         " + foundation::hex_encode(id);
  std::size_t pos = 0;
  while ((pos = listing.find(kind, pos)) != std::string::npos) {
    std::size_t end = listing.find("Object;", pos + kind.size());
    std::string block = listing.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (block.find(needle + "\n") != std::string::npos) return block;
    pos += kind.size();
  }
  return {};
}

struct Case {
  domain::KeyAlgorithm algorithm;
  CustomerKey old_key;
  bool bmp;
  domain::OldKeyPolicy policy;
};

void full_rollover(const Case& c) {
  TokenFixture fx;
  CustomerSpec spec;
  spec.key = c.old_key;
  spec.subject.bmp = c.bmp;
  spec.subject.organizational_unit = "采购处";
  Customer customer = provision_customer(*fx.raw, fx.slot, fx.ca, spec);

  token::Session s = fx.logged_in();
  auto certs = s.certificates();
  REQUIRE(certs);
  const token::CertInfo* old = by_fingerprint(*certs, customer.fingerprint);
  REQUIRE(old != nullptr);
  CHECK(old->subject.organization == "内蒙古自治区政府采购中心");
  CHECK(old->subject.common_name == "张三");
  CHECK(old->subject.organizational_unit == "采购处");
  CHECK(old->private_key_found == std::optional<bool>(true));
  const token::CertInfo old_cert = *old;

  auto ref = token::RenewalRef::make("ORD-2024-0001", old_cert.sha256_hex);
  REQUIRE(ref);
  auto staged = token::stage_key(s, *ref, old_cert, c.algorithm);
  REQUIRE_MESSAGE(staged, staged.error().to_string());
  CHECK_FALSE(staged->reused);
  CHECK(staged->key_id.size() == 20);
  CHECK(staged->key_id != old_cert.key_id);

  auto p10 = token::build_p10(s, *ref, old_cert);
  REQUIRE_MESSAGE(p10, p10.error().to_string());
  CHECK(request_subject_der(p10->der) == old_cert.subject.der);  // byte for byte, also BMPString

  TempDir tmp("kiosk-rollover");
  write_der(tmp.path() / "p10.der", p10->der);
  std::string out;
  CHECK_MESSAGE(run_command(fmt::format("openssl req -inform DER -in {} -verify -noout",
                                        shell_quote((tmp.path() / "p10.der").string())),
                            &out) == 0,
                out);
  CHECK(out.find("verify OK") != std::string::npos);

  StandInPlatform platform(fx.ca, Validity::from_now(std::chrono::seconds(-5), 365));
  Bytes nonce = platform.nonce(ref->order_id);
  auto proof = token::sign_renewal_proof(s, *ref, old_cert, p10->der, nonce);
  REQUIRE_MESSAGE(proof, proof.error().to_string());
  Bytes new_der =
      platform.submit(ref->order_id, p10->der, *proof, old_cert.der);  // throws if the proof is bad

  auto installed = token::install_certificate(s, *ref, new_der);
  REQUIRE_MESSAGE(installed, installed.error().to_string());
  CHECK(installed->key_id == staged->key_id);
  CHECK(installed->subject.der == old_cert.subject.der);
  auto state = token::find_renewal(s, *ref);
  REQUIRE(state);
  CHECK(state->stage == token::RenewalStage::CertificateInstalled);

  token::FinalizeOptions fo;
  fo.old_key_policy = c.policy;
  auto done = token::finalize(s, *ref, fo);
  REQUIRE_MESSAGE(done, done.error().to_string());
  CHECK(done->certificate.label == customer.label);  // the final label: the old certificate's
  CHECK(done->old_deleted == (c.policy == domain::OldKeyPolicy::Delete));
  state = token::find_renewal(s, *ref);
  REQUIRE(state);
  CHECK(state->stage == token::RenewalStage::Finalised);
  CHECK(state->finalisation_complete);

  // Our own reading of the token afterwards.
  certs = s.certificates();
  REQUIRE(certs);
  const token::CertInfo* now_new = by_fingerprint(*certs, foundation::sha256_hex(new_der));
  REQUIRE(now_new != nullptr);
  CHECK(now_new->key_id == staged->key_id);
  CHECK(now_new->private_key_found == std::optional<bool>(true));
  CHECK(now_new->subject.der == old_cert.subject.der);
  CHECK(now_new->subject.organization == "内蒙古自治区政府采购中心");
  CHECK((by_fingerprint(*certs, old_cert.sha256_hex) != nullptr) == (c.policy == domain::OldKeyPolicy::Keep));

  // Independent tools.
  std::string listing = pkcs11_tool_list(fx);
  std::string cert_block = tool_block(listing, "Certificate Object", staged->key_id);
  CHECK_MESSAGE(!cert_block.empty(), listing);
  std::string key_block = tool_block(listing, "Private Key Object", staged->key_id);
  REQUIRE_MESSAGE(!key_block.empty(), listing);
  // Exactly these access flags: sensitive and never extractable, generated on the token.
  CHECK(key_block.find("Access:     sensitive, always sensitive, never extractable, local\n") !=
        std::string::npos);
  bool old_key_listed = !tool_block(listing, "Private Key Object", old_cert.key_id).empty();
  bool old_cert_listed = !tool_block(listing, "Certificate Object", old_cert.key_id).empty();
  CHECK(old_key_listed == (c.policy == domain::OldKeyPolicy::Keep));
  CHECK(old_cert_listed == (c.policy == domain::OldKeyPolicy::Keep));

  fx.ca.write_pem(tmp.path() / "ca.pem");
  write_file(tmp.path() / "new.pem", cert_pem(new_der));
  CHECK_MESSAGE(
      run_command(fmt::format("openssl verify -CAfile {} {}", shell_quote((tmp.path() / "ca.pem").string()),
                              shell_quote((tmp.path() / "new.pem").string())),
                  &out) == 0,
      out);
  CHECK(out.find(": OK") != std::string::npos);
}

}  // namespace

TEST_CASE("rollover P-256, old key P-256, UTF8String names, keep the old key") {
  full_rollover({domain::KeyAlgorithm::EcP256, CustomerKey::EcP256, false, domain::OldKeyPolicy::Keep});
}
TEST_CASE("rollover P-256, old key RSA-2048, BMPString names, delete the old key") {
  full_rollover({domain::KeyAlgorithm::EcP256, CustomerKey::Rsa2048, true, domain::OldKeyPolicy::Delete});
}
TEST_CASE("rollover RSA-2048, old key RSA-2048, UTF8String names, delete the old key") {
  full_rollover({domain::KeyAlgorithm::Rsa2048, CustomerKey::Rsa2048, false, domain::OldKeyPolicy::Delete});
}
TEST_CASE("rollover RSA-2048, old key P-256, BMPString names, keep the old key") {
  full_rollover({domain::KeyAlgorithm::Rsa2048, CustomerKey::EcP256, true, domain::OldKeyPolicy::Keep});
}
