// Pieces of the token layer checked against independent tools: the renewal proof's DER against
// `openssl asn1parse -genconf`, certificate parsing against `openssl x509`, module loading errors, the
// p11-kit registry, the message keys.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <set>

#include "foundation/hex.hpp"
#include "token/rollover.hpp"
#include "token/watcher.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using token::ErrorCode;

namespace {

Bytes openssl_genconf(const TempDir& tmp, const std::string& conf) {
  write_file(tmp.path() / "gen.conf", conf);
  std::string out;
  int rc = run_command(fmt::format("openssl asn1parse -genconf {} -noout -out {}",
                                   shell_quote((tmp.path() / "gen.conf").string()),
                                   shell_quote((tmp.path() / "gen.der").string())),
                       &out);
  REQUIRE_MESSAGE(rc == 0, out);
  return der_of_file(tmp.path() / "gen.der");
}

}  // namespace

TEST_CASE("the renewal proof's TBS is the contract's DER (cross-checked with openssl asn1parse -genconf)") {
  TempDir tmp("kiosk-proof");
  struct Vector {
    std::string order;
    std::uint8_t hash_byte;
    std::size_t nonce_len;
  };
  for (const Vector& v :
       {Vector{"ORD-1", 0x11, 16}, Vector{std::string(64, 'Z'), 0xfe, 64}, Vector{"a_b-9", 0x00, 33}}) {
    CAPTURE(v.order);
    std::array<std::uint8_t, 32> hash{};
    hash.fill(v.hash_byte);
    Bytes nonce(v.nonce_len);
    for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<std::uint8_t>(i * 7 + 1);
    Bytes ours = token::encode_renewal_proof_tbs(v.order, hash, nonce);
    Bytes theirs = openssl_genconf(
        tmp, fmt::format("asn1 = SEQUENCE:proof\n[proof]\n"
                         "tag = UTF8:CN-CA-KIOSK/renewal-proof/v1\n"
                         "order = UTF8:{}\n"
                         "hash = FORMAT:HEX,OCTETSTRING:{}\n"
                         "nonce = FORMAT:HEX,OCTETSTRING:{}\n",
                         v.order, foundation::hex_encode(hash), foundation::hex_encode(nonce)));
    CHECK(foundation::hex_encode(ours) == foundation::hex_encode(theirs));
  }
  // A fixed vector, so a platform implementation can compare without running anything.
  std::array<std::uint8_t, 32> h{};
  h.fill(0x11);
  Bytes n(16, 0x22);
  CHECK(foundation::hex_encode(token::encode_renewal_proof_tbs("ORD-1", h, n)) ==
        "3059"
        "0c1c434e2d43412d4b494f534b2f72656e6577616c2d70726f6f662f7631"
        "0c054f52442d31"
        "0420" +
            std::string(64, '1') + "0410" + std::string(32, '2'));
}

TEST_CASE("certificates are parsed like openssl x509 reads them, Chinese names in UTF-8") {
  TokenFixture fx;
  CustomerSpec spec;
  spec.subject.organizational_unit = "采购处";
  spec.subject.bmp = true;
  Customer customer = provision_customer(*fx.raw, fx.slot, fx.ca, spec);
  auto s = fx.session();  // not logged in: private keys unknown
  auto certs = s.certificates();
  REQUIRE(certs);
  REQUIRE(certs->size() == 1);
  const token::CertInfo& c = certs->front();
  CHECK(c.subject.organization == "内蒙古自治区政府采购中心");
  CHECK(c.subject.common_name == "张三");
  CHECK(c.subject.organizational_unit == "采购处");
  CHECK(c.subject.country == "CN");
  CHECK(c.issuer.common_name == "Kiosk Test CA");
  CHECK(c.issuer.organization == "内蒙古数字证书认证测试");
  CHECK(c.algorithm == domain::KeyAlgorithm::EcP256);
  CHECK(c.key_description == "EC P-256");
  CHECK(c.key_usage == std::optional<std::uint32_t>(token::kDigitalSignature | token::kNonRepudiation));
  CHECK(c.key_usage_names == std::vector<std::string>{"digitalSignature", "nonRepudiation"});
  CHECK(c.key_id == customer.key_id);
  CHECK(c.label == customer.label);
  CHECK(c.public_key_found);
  CHECK_FALSE(c.private_key_found.has_value());
  CHECK(c.not_before == spec.validity.not_before);
  CHECK(c.not_after == spec.validity.not_after);

  TempDir tmp("kiosk-x509");
  write_file(tmp.path() / "c.pem", cert_pem(c.der));
  std::string out;
  REQUIRE(
      run_command(
          fmt::format(
              "openssl x509 -in {} -noout -fingerprint -sha256 -serial -subject -nameopt RFC2253,-esc_msb",
              shell_quote((tmp.path() / "c.pem").string())),
          &out) == 0);
  std::string fp;
  for (char ch : c.sha256_hex) fp += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string colon_fp;
  for (std::size_t i = 0; i < fp.size(); i += 2) colon_fp += (i ? ":" : "") + fp.substr(i, 2);
  CHECK(out.find("sha256 Fingerprint=" + colon_fp) != std::string::npos);
  CHECK(out.find("serial=" + c.serial_hex) != std::string::npos);
  CHECK(out.find("subject=" + c.subject.one_line) != std::string::npos);
  CHECK(c.subject.one_line == "CN=张三,OU=采购处,O=内蒙古自治区政府采购中心,C=CN");

  auto logged = fx.logged_in();
  certs = logged.certificates();
  REQUIRE(certs);
  CHECK(certs->front().private_key_found == std::optional<bool>(true));
}

TEST_CASE("module loading: missing, not a PKCS#11 library, shared instance, token info") {
  auto missing = token::Module::load("/nonexistent/libvendor-pkcs11.so");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::ModuleMissing);
  CHECK(missing.error().message_key() == "error.token.module_missing");

  TempDir tmp("kiosk-module");
  write_file(tmp.path() / "libnot.so", "not an ELF file");
  auto bad = token::Module::load(tmp.path() / "libnot.so");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::ModuleLoadFailed);

  TokenFixture fx("basics");
  auto again = token::Module::load(softhsm_module());  // the same instance: no second C_Initialize
  REQUIRE(again);
  CHECK(again->core() == fx.raw->module().core());
  auto info = again->info();
  REQUIRE(info);
  CHECK(info->manufacturer == "SoftHSM");
  auto tokens = again->tokens();
  REQUIRE(tokens);
  REQUIRE(tokens->size() == 1);  // the free uninitialised slot is not a token
  CHECK(tokens->front().label == "basics");
  CHECK(tokens->front().identity.manufacturer == "SoftHSM project");
  CHECK(tokens->front().login_required);
  auto mech = again->mechanisms(tokens->front().slot);
  REQUIRE(mech);
  CHECK(mech->supports(domain::KeyAlgorithm::EcP256));
  CHECK(mech->supports(domain::KeyAlgorithm::Rsa2048));
  CHECK(token::mechanism_name(CKM_ECDSA) == "CKM_ECDSA");
  token::Mechanisms none;
  CHECK_FALSE(none.supports(domain::KeyAlgorithm::EcP256));

  token::Watcher w(*again);
  auto ev = w.poll();
  REQUIRE(ev);
  REQUIRE(ev->size() == 1);
  CHECK(ev->front().kind == token::TokenEvent::Kind::Inserted);
  CHECK(ev->front().token.label == "basics");
}

TEST_CASE("p11-kit's module registry is read as a fallback list") {
  TempDir tmp("kiosk-p11kit");
  write_file(tmp.path() / "softhsm2.module", "# comment\nmodule: " + softhsm_module().string() + "\n");
  write_file(tmp.path() / "vendor.module", "module: libvendor-missing.so\ncritical: no\n");
  write_file(tmp.path() / "notes.txt", "module: ignored\n");
  auto mods = token::registered_modules({tmp.path()});
  REQUIRE(mods.size() == 2);
  CHECK(mods[0].name == "softhsm2");
  CHECK(mods[0].path == softhsm_module());
  CHECK(mods[0].exists);
  CHECK(mods[1].name == "vendor");
  CHECK(mods[1].path.is_absolute());  // resolved against p11-kit's module directory
  CHECK_FALSE(mods[1].exists);
  CHECK_FALSE(token::registered_modules().empty());  // this machine's (opensc, softhsm2, ...)
}

TEST_CASE("every error code has its own message key") {
  std::set<std::string_view> keys;
  for (int i = 0; i <= static_cast<int>(ErrorCode::DeviceError); ++i) {
    auto k = token::message_key(static_cast<ErrorCode>(i));
    CHECK(k.starts_with("error.token."));
    keys.insert(k);
  }
  CHECK(keys.size() == static_cast<std::size_t>(ErrorCode::DeviceError) + 1);
  auto e = token::error_from_rv(CKR_SESSION_HANDLE_INVALID, "C_Sign");
  CHECK(e.code == ErrorCode::TokenRemoved);
  CHECK(e.drops_handles());
  CHECK(e.detail == "C_Sign: CKR_SESSION_HANDLE_INVALID");
  CHECK(token::error_from_rv(CKR_DEVICE_MEMORY, "C_CreateObject").code == ErrorCode::TokenFull);
  CHECK(token::error_from_rv(CKR_PIN_EXPIRED, "C_Login").code == ErrorCode::PinToBeChanged);
  CHECK(token::error_from_rv(CKR_TOKEN_NOT_PRESENT, "C_GetTokenInfo").code == ErrorCode::TokenRemoved);
  CHECK(token::rv_name(0x12345) == "CKR_0x00012345");
}

TEST_CASE("a PIN never reaches an error message") {
  TokenFixture fx("pin-leak");
  auto s = fx.session();
  const std::string secret = "98765432";
  auto r = s.login(foundation::SecretBuffer(secret));  // a wrong PIN, on purpose (SoftHSM has no lockout)
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::PinIncorrect);
  CHECK(r.error().to_string().find(secret) == std::string::npos);
}

TEST_CASE("every rollover step can be called again: staged key, P10, install and finalize are idempotent") {
  TokenFixture fx("idempotent");
  Customer customer = provision_customer(*fx.raw, fx.slot, fx.ca, {});
  auto s = fx.logged_in();
  auto old = s.certificate(customer.fingerprint);
  REQUIRE(old);
  auto ref = token::RenewalRef::make("ORD-IDEM", old->sha256_hex);
  REQUIRE(ref);
  // The pending label names the renewal (order and old certificate) in 30 bytes, whatever the order id's
  // length: some tokens refuse labels over 32.
  CHECK(ref->pending_label().starts_with("renew-pending:"));
  CHECK(ref->pending_label().size() == 30);
  CHECK(ref->pending_label() == token::RenewalRef::make("ORD-IDEM", old->sha256_hex)->pending_label());
  CHECK(ref->pending_label() != token::RenewalRef::make("ORD-IDEN", old->sha256_hex)->pending_label());
  CHECK(ref->pending_label() != token::RenewalRef::make("ORD-IDEM", std::string(64, 'a'))->pending_label());
  CHECK(token::RenewalRef::make(std::string(64, 'R'), old->sha256_hex)->pending_label().size() == 30);
  CHECK(token::fit_label("CN-CA-KIOSK 0123456789abcdef0123456789abcdef") ==
        "CN-CA-KIOSK 0123456789abcdef0123");
  CHECK(token::fit_label("内蒙古自治区政府采购中心") ==
        "内蒙古自治区政府采购");  // 30 bytes: not half a character
  CHECK(token::fit_label("短") == "短");
  CHECK_FALSE(token::RenewalRef::make("ORD:1", old->sha256_hex));
  CHECK_FALSE(token::RenewalRef::make("", old->sha256_hex));
  CHECK_FALSE(token::RenewalRef::make("ORD", "abc"));

  auto st = token::find_renewal(s, *ref);
  REQUIRE(st);
  CHECK(st->stage == token::RenewalStage::Nothing);
  CHECK_FALSE(token::build_p10(s, *ref, *old));  // out of order
  auto a = token::stage_key(s, *ref, *old, domain::KeyAlgorithm::EcP256);
  auto b = token::stage_key(s, *ref, *old, domain::KeyAlgorithm::EcP256);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(a->reused);
  CHECK(b->reused);
  CHECK(a->key_id == b->key_id);
  CHECK(a->spki_der == b->spki_der);
  auto p1 = token::build_p10(s, *ref, *old);
  auto p2 = token::build_p10(s, *ref, *old);
  REQUIRE(p1);
  REQUIRE(p2);
  Bytes cert = fx.ca.issue_from_p10(p2->der, Validity::from_now(std::chrono::seconds(-1), 30));
  auto i1 = token::install_certificate(s, *ref, cert);
  auto i2 = token::install_certificate(s, *ref, cert);
  REQUIRE(i1);
  REQUIRE(i2);
  token::FinalizeOptions fo;
  auto f1 = token::finalize(s, *ref, fo);
  auto f2 = token::finalize(s, *ref, fo);
  REQUIRE(f1);
  REQUIRE(f2);
  CHECK_FALSE(f1->already_complete);
  CHECK(f2->already_complete);
  auto c = token::stage_key(s, *ref, *old, domain::KeyAlgorithm::EcP256);  // after finalisation: the same key
  REQUIRE(c);
  CHECK(c->reused);
  CHECK(c->key_id == a->key_id);
  // Not logged in: refused before touching the token.
  auto anon = fx.session();
  auto nl = token::find_renewal(anon, *ref);
  REQUIRE_FALSE(nl);
  CHECK(nl.error().code == ErrorCode::NotLoggedIn);
}

TEST_CASE("a certificate read from a key is bounded: past 64 KiB, or nested without end, it is refused") {
  // A SEQUENCE of 1 MiB claimed and given: refused before OpenSSL sees it.
  token::Bytes big(1 << 20, 0);
  big[0] = 0x30;
  big[1] = 0x83;
  big[2] = 0x0f;
  big[3] = 0xff;
  big[4] = 0xfc;
  auto r = token::parse_certificate(big);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == token::ErrorCode::CertificateInvalid);
  CHECK(r.error().detail.find("larger than 64 KiB") != std::string::npos);
  // Under the cap, 10000 nested SEQUENCEs (indefinite length): OpenSSL's nesting limit refuses them.
  token::Bytes deep;
  for (int i = 0; i < 10000; ++i) deep.insert(deep.end(), {0x30, 0x80});
  for (int i = 0; i < 10000; ++i) deep.insert(deep.end(), {0x00, 0x00});
  REQUIRE(deep.size() < token::kMaxCertificateBytes);
  auto d = token::parse_certificate(deep);
  REQUIRE_FALSE(d);
  CHECK(d.error().code == token::ErrorCode::CertificateInvalid);
}
