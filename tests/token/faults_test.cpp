// The token layer against the fault module: PIN flags before and after a login, one C_Login
// per typed PIN, context-specific logins counted apart, a pulled and reinserted token, hot-plug events, and
// an old key that signs nothing but the renewal proof.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>

#include "fault_control.hpp"
#include "foundation/sha256.hpp"
#include "rollover_driver.hpp"
#include "token/rollover.hpp"
#include "token/watcher.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using foundation::SecretBuffer;
using token::ErrorCode;

namespace {

constexpr const char* kPinRules = "pin_count_low_after 1\npin_final_try_after 2\npin_lock_after 3\n";

struct FaultFixture {
  FaultControl fault;  // first: the environment must be set before the module loads
  TokenFixture fx{"customer-key", fault_module()};
};

token::CertInfo old_certificate(token::Session& s, const Customer& c) {
  auto cert = s.certificate(c.fingerprint);
  REQUIRE_MESSAGE(cert, cert.error().to_string());
  return *cert;
}

}  // namespace

TEST_CASE("a wrong PIN is reported with the flags read after it; FINAL_TRY needs acknowledging") {
  FaultFixture f;
  f.fault.set(kPinRules);
  auto s = f.fx.session();
  auto flags = s.pin_status();
  REQUIRE(flags);
  CHECK(*flags == token::PinFlags{});

  auto r = s.login(SecretBuffer("000000"));  // expected to be wrong
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinIncorrect);
  CHECK(r.error().message_key() == "error.token.pin_incorrect");
  REQUIRE(r.error().pin);
  CHECK(r.error().pin->count_low);
  CHECK_FALSE(r.error().pin->final_try);
  CHECK(f.fault.count("C_Login.user") == 1);

  r = s.login(SecretBuffer("000000"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinIncorrect);
  REQUIRE(r.error().pin);
  CHECK(r.error().pin->final_try);
  CHECK(f.fault.count("C_Login.user") == 2);

  // The final try is refused until the caller says the customer was warned; no C_Login is made.
  r = s.login(SecretBuffer(kUserPin));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinFinalTry);
  CHECK(r.error().message_key() == "error.token.pin_final_try");
  CHECK(f.fault.count("C_Login.user") == 2);

  r = s.login(SecretBuffer(kUserPin), {.final_try_acknowledged = true});
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(f.fault.count("C_Login.user") == 3);
  CHECK(s.login_counts().user == 3);
  flags = s.pin_status();
  REQUIRE(flags);
  CHECK(*flags == token::PinFlags{});  // a good login resets the counter
}

TEST_CASE("FINAL_TRY, LOCKED and TO_BE_CHANGED are reported before any login is attempted") {
  FaultFixture f;
  auto s = f.fx.session();

  f.fault.set(std::string(kPinRules) + "pin_failures 2\n");
  auto flags = s.pin_status();
  REQUIRE(flags);
  CHECK(flags->final_try);
  CHECK_FALSE(flags->locked);
  auto r = s.login(SecretBuffer(kUserPin));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinFinalTry);
  REQUIRE(r.error().pin);
  CHECK(r.error().pin->final_try);

  f.fault.set(std::string(kPinRules) + "pin_failures 3\n");
  flags = s.pin_status();
  REQUIRE(flags);
  CHECK(flags->locked);
  r = s.login(SecretBuffer(kUserPin), {.final_try_acknowledged = true});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinLocked);
  CHECK(r.error().message_key() == "error.token.pin_locked");

  f.fault.set("pin_to_be_changed 1\n");
  r = s.login(SecretBuffer(kUserPin));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinToBeChanged);

  f.fault.set("");
  r = s.login(SecretBuffer("12"));  // SoftHSM's minimum is 4: not worth a try
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinLenRange);

  CHECK(f.fault.count("C_Login.user") == 0);
  CHECK(s.login_counts().user == 0);
}

TEST_CASE("one typed PIN is one C_Login; an ALWAYS_AUTHENTICATE key adds one context login per signature") {
  FaultFixture f;
  CustomerSpec spec;
  spec.always_authenticate = true;
  Customer customer = provision_customer(*f.fx.raw, f.fx.slot, f.fx.ca, spec);
  const unsigned long user_before = f.fault.count("C_Login.user");
  const unsigned long ctx_before = f.fault.count("C_Login.context_specific");
  {
    auto s = f.fx.logged_in();
    token::CertInfo old = old_certificate(s, customer);
    auto ref = token::RenewalRef::make("ORD-AA-1", old.sha256_hex);
    REQUIRE(ref);
    StandInPlatform platform(f.fx.ca, Validity::from_now(std::chrono::seconds(-5), 365));
    auto out = drive_rollover(s, *ref, old, domain::KeyAlgorithm::EcP256, platform, domain::OldKeyPolicy::Keep);
    REQUIRE_MESSAGE(out, out.error().to_string());
    CHECK(s.login_counts().user == 1);
    CHECK(s.login_counts().context_specific == 1);  // the proof, signed with the old (always-auth) key
  }
  CHECK(f.fault.count("C_Login.user") - user_before == 1);  // PIN logins ≤ PINs typed
  CHECK(f.fault.count("C_Login.context_specific") - ctx_before == 1);
}

TEST_CASE("a pulled token: discovery, hot-plug events, dead sessions, reinsertion") {
  FaultFixture f;
  f.fault.set("manufacturer Haitai\nmodel HaiKey\nserial HT-0001\n");
  token::Watcher w(f.fx.raw->module());
  auto ev = w.poll();
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK(ev->front().kind == token::TokenEvent::Kind::Inserted);
  CHECK(ev->front().token.identity == token::TokenIdentity{"Haitai", "HaiKey", "HT-0001"});
  ev = w.poll();
  REQUIRE(ev);
  CHECK(ev->empty());

  auto s = f.fx.logged_in();
  f.fault.set("manufacturer Haitai\nmodel HaiKey\nserial HT-0001\nremoved 1\n");
  ev = w.poll();
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK(ev->front().kind == token::TokenEvent::Kind::Removed);
  auto tokens = f.fx.raw->module().tokens();
  REQUIRE(tokens);
  CHECK(tokens->empty());
  auto found = f.fx.raw->module().find_token({"Haitai", "HaiKey", "HT-0001"});
  REQUIRE_FALSE(found);
  CHECK(found.error().code == ErrorCode::TokenAbsent);
  auto certs = s.certificates();
  REQUIRE_FALSE(certs);
  CHECK(certs.error().code == ErrorCode::TokenRemoved);
  CHECK(certs.error().message_key() == "error.token.removed");
  CHECK_FALSE(s.alive());  // every handle dropped
  auto again = token::Session::open(f.fx.raw->module(), f.fx.slot);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::TokenRemoved);

  f.fault.set("manufacturer Haitai\nmodel HaiKey\nserial HT-0001\n");
  ev = w.poll();
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK(ev->front().kind == token::TokenEvent::Kind::Inserted);
  // A session from before the removal stays dead; a new one works.
  certs = s.certificates();
  CHECK_FALSE(certs);
  auto fresh = f.fx.logged_in();
  CHECK(fresh.certificates());

  // Another token in the same slot between two polls.
  f.fault.set("manufacturer Haitai\nmodel HaiKey\nserial HT-0002\n");
  ev = w.poll();
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK(ev->front().kind == token::TokenEvent::Kind::Changed);
  CHECK(ev->front().previous.serial == "HT-0001");
  CHECK(ev->front().token.identity.serial == "HT-0002");
  auto wrong = f.fx.raw->module().find_token({"Haitai", "HaiKey", "HT-0001"});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::WrongToken);
}

TEST_CASE("errors of the token map to typed errors: full token, mechanism, device error") {
  FaultFixture f;
  Customer customer = provision_customer(*f.fx.raw, f.fx.slot, f.fx.ca, {});
  auto s = f.fx.logged_in();
  token::CertInfo old = old_certificate(s, customer);
  auto ref = token::RenewalRef::make("ORD-ERR", old.sha256_hex);
  REQUIRE(ref);
  f.fault.set("fail C_GenerateKeyPair 1 CKR_DEVICE_MEMORY before\n");
  auto r = token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::TokenFull);
  CHECK(r.error().message_key() == "error.token.full");
  f.fault.set("fail C_GenerateKeyPair 1 CKR_MECHANISM_INVALID before\n");
  r = token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::MechanismUnsupported);
  f.fault.set("fail C_GenerateKeyPair 1 CKR_DEVICE_ERROR before\n");
  r = token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::DeviceError);
  CHECK(s.alive());  // only removal drops the session
  f.fault.set("");
  r = token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256);
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK_FALSE(r->reused);
}

TEST_CASE("the old key signs nothing but the renewal proof") {
  FaultFixture f;
  Customer customer = provision_customer(*f.fx.raw, f.fx.slot, f.fx.ca, {});
  auto s = f.fx.logged_in();
  token::CertInfo old = old_certificate(s, customer);
  auto ref = token::RenewalRef::make("ORD-ORACLE", old.sha256_hex);
  REQUIRE(ref);
  Bytes nonce(32, 0x5a);

  // No staged key yet: nothing to prove.
  Bytes junk(200, 0x30);
  const unsigned long signs0 = f.fault.count("C_Sign");
  auto p = token::sign_renewal_proof(s, *ref, old, junk, nonce);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::InvalidArgument);

  REQUIRE(token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256));
  auto p10 = token::build_p10(s, *ref, old);
  REQUIRE(p10);
  const unsigned long signs1 = f.fault.count("C_Sign");
  CHECK(signs1 == signs0 + 1);  // the P10, with the new key

  // Arbitrary bytes, a P10 of a software key with the right subject, bad nonces: refused, nothing signed.
  p = token::sign_renewal_proof(s, *ref, old, junk, nonce);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::InvalidArgument);
  {
    EvpPkeyPtr soft(EVP_EC_gen("P-256"));
    foundation::CPtr<X509_REQ, X509_REQ_free> req(X509_REQ_new());
    const unsigned char* sp = old.subject.der.data();
    foundation::CPtr<X509_NAME, X509_NAME_free> name(
        d2i_X509_NAME(nullptr, &sp, static_cast<long>(old.subject.der.size())));
    X509_REQ_set_subject_name(req.get(), name.get());
    X509_REQ_set_pubkey(req.get(), soft.get());
    REQUIRE(X509_REQ_sign(req.get(), soft.get(), EVP_sha256()) > 0);
    int n = i2d_X509_REQ(req.get(), nullptr);
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* dp = der.data();
    i2d_X509_REQ(req.get(), &dp);
    p = token::sign_renewal_proof(s, *ref, old, der, nonce);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == ErrorCode::InvalidArgument);
  }
  p = token::sign_renewal_proof(s, *ref, old, p10->der, Bytes(15, 1));
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::InvalidArgument);
  p = token::sign_renewal_proof(s, *ref, old, p10->der, Bytes(65, 1));
  REQUIRE_FALSE(p);
  CHECK(f.fault.count("C_Sign") == signs1);

  // The real thing: the fixed structure, verified with the old certificate.
  p = token::sign_renewal_proof(s, *ref, old, p10->der, nonce);
  REQUIRE_MESSAGE(p, p.error().to_string());
  CHECK(p->tbs == token::encode_renewal_proof_tbs(ref->order_id, foundation::sha256(p10->der), nonce));
  const std::string tag(token::kRenewalProofTag);
  CHECK(std::search(p->tbs.begin(), p->tbs.end(), tag.begin(), tag.end()) != p->tbs.end());
  CHECK(p->algorithm == "ecdsa-with-SHA256");
  const unsigned char* cp = old.der.data();
  X509Ptr x(d2i_X509(nullptr, &cp, static_cast<long>(old.der.size())));
  foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  CHECK(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(x.get())) == 1);
  CHECK(EVP_DigestVerify(ctx.get(), p->signature.data(), p->signature.size(), p->tbs.data(), p->tbs.size()) ==
        1);

  // A renewal for a certificate that is not this one's is refused before anything is signed.
  auto other = token::RenewalRef::make("ORD-ORACLE", std::string(64, 'a'));
  REQUIRE(other);
  p = token::sign_renewal_proof(s, *other, old, p10->der, nonce);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("the issued certificate must carry the staged key; a future notBefore keeps the old one in use") {
  FaultFixture f;
  Customer customer = provision_customer(*f.fx.raw, f.fx.slot, f.fx.ca, {});
  auto s = f.fx.logged_in();
  token::CertInfo old = old_certificate(s, customer);
  auto ref = token::RenewalRef::make("ORD-MISMATCH", old.sha256_hex);
  REQUIRE(ref);
  auto staged = token::stage_key(s, *ref, old, domain::KeyAlgorithm::EcP256);
  REQUIRE(staged);

  // Issued for another key (the old one): refused, nothing written.
  Bytes wrong =
      f.fx.ca.issue(old.spki_der, old.subject.der, Validity::from_now(std::chrono::seconds(-5), 365));
  auto inst = token::install_certificate(s, *ref, wrong);
  REQUIRE_FALSE(inst);
  CHECK(inst.error().code == ErrorCode::CertificateMismatch);
  CHECK(inst.error().message_key() == "error.token.certificate_mismatch");
  auto st = token::find_renewal(s, *ref);
  REQUIRE(st);
  CHECK(st->stage == token::RenewalStage::KeyStaged);

  // Valid from tomorrow: installed, but finalize refuses and leaves the old pair untouched.
  Bytes future =
      f.fx.ca.issue(staged->spki_der, old.subject.der, Validity::from_now(std::chrono::hours(24), 365));
  inst = token::install_certificate(s, *ref, future);
  REQUIRE_MESSAGE(inst, inst.error().to_string());
  token::FinalizeOptions fo;
  fo.old_key_policy = domain::OldKeyPolicy::Delete;
  auto fin = token::finalize(s, *ref, fo);
  REQUIRE_FALSE(fin);
  CHECK(fin.error().code == ErrorCode::CertificateNotYetValid);
  CHECK(s.certificate(old.sha256_hex));
  st = token::find_renewal(s, *ref);
  REQUIRE(st);
  CHECK(st->stage == token::RenewalStage::CertificateInstalled);

  // The day after, it goes through; installing again afterwards is a no-op.
  fo.now = std::chrono::system_clock::now() + std::chrono::hours(25);
  fin = token::finalize(s, *ref, fo);
  REQUIRE_MESSAGE(fin, fin.error().to_string());
  CHECK(fin->old_deleted);
  CHECK_FALSE(s.certificate(old.sha256_hex));
  auto again = token::install_certificate(s, *ref, future);
  REQUIRE(again);
  fin = token::finalize(s, *ref, fo);
  REQUIRE(fin);
  CHECK(fin->already_complete);
}
