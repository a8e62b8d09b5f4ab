// Staff sign-in with a staff KEY (runtime/staff_sign_in.hpp, docs/staff.md): SoftHSM tokens personalised
// with the test staff PKI (tests/support/staff_keys.*); accepted, and refused with the reason for a
// customer's KEY, another CA, no role, another hall, expired, revoked, without or with an outdated CRL,
// and a staff certificate copied onto another key (the challenge fails); a wrong PIN makes one login, its
// flags are warned and nothing retries.
#include <doctest/doctest.h>

#include <map>
#include <optional>

#include "fault_control.hpp"
#include "provision.hpp"
#include "runtime/staff_sign_in.hpp"
#include "staff/crl_store.hpp"
#include "staff_keys.hpp"
#include "token/personalise.hpp"
#include "token_fixture.hpp"

using namespace testsupport;
using namespace std::chrono_literals;
using stafftest::Credential;

namespace {

const fleet::KioskPlace kHere{"NMG-HOHHOT-HALL1-K01", "H001", "NMG"};

std::chrono::sys_seconds now_s() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// One SoftHSM with a token per case, a staff CA pinned in a file, the CRL the kiosk keeps.
struct StaffWorld {
  explicit StaffWorld(const std::filesystem::path& module = softhsm_module()) {
    for (const char* label : {"staff", "region", "policy", "customer", "other-ca", "no-role", "other-hall",
                              "expired", "not-yet", "revoked", "copied", "renewed"})
      env.init_token(label);
    raw.emplace(module);
    auto make = [&](const std::string& label, const Credential& issuer, fleetpki::SignerSpec spec) {
      auto s = logged_in(label);
      return stafftest::make_staff_key(s, issuer, std::move(spec), {0x5a, 0x01}, label);
    };
    staff = make("staff", pki.ca, pki.spec("王芳", {"hall:H001"}));
    make("region", pki.ca, pki.spec("李强", {"region:NMG"}));
    auto by_policy = pki.spec("赵敏", {"hall:H001"});
    by_policy.role = false;
    by_policy.policy = std::string(stafftest::kStaffRoleOid);
    make("policy", pki.ca, by_policy);
    TestCa customer_ca;
    provision_customer(*raw, raw->slot_of("customer"), customer_ca, CustomerSpec{});
    make("other-ca", pki.other_ca, pki.spec("王芳", {"hall:H001"}));
    auto no_role = pki.spec("孙丽", {"hall:H001"});
    no_role.role = false;
    make("no-role", pki.ca, no_role);
    make("other-hall", pki.ca, pki.spec("周杰", {"hall:H002"}));
    auto expired = pki.spec("吴刚", {"hall:H001"});
    expired.not_before = now - 24h * 400;
    expired.not_after = now - 24h;
    make("expired", pki.ca, expired);
    auto not_yet = pki.spec("郑爽", {"hall:H001"});
    not_yet.not_before = now + 24h;
    make("not-yet", pki.ca, not_yet);
    revoked = make("revoked", pki.ca, pki.spec("钱多", {"hall:H001"}));
    {
      // A pair of this token's own, and the staff member's certificate written with its CKA_ID.
      auto s = logged_in("copied");
      auto pair = token::generate_pair(s, domain::KeyAlgorithm::EcP256, Bytes{0x5a, 0x02}, "own");
      REQUIRE(pair);
      stafftest::copy_certificate(s, staff, {0x5a, 0x02});
    }
    {
      // The expired certificate first, its successor (another pair) beside it.
      auto s = logged_in("renewed");
      stafftest::make_staff_key(s, pki.ca, expired, {0x5a, 0x01}, "old");
      stafftest::make_staff_key(s, pki.ca, pki.spec("吴刚", {"hall:H001"}), {0x5a, 0x03}, "new");
    }
    pki.write_ca(env.dir() / "staff-ca.pem");
    auto t =
        staff::Trust::load(env.dir() / "staff-ca.pem", std::string(stafftest::kStaffRoleOid), kHere, 24h);
    REQUIRE_MESSAGE(t, t.error());
    trust = std::move(*t);
    crl = pki.crl(7, {&revoked}, now + 24h * 7);
  }

  token::Session session(const std::string& label) {
    auto s = token::Session::open(raw->module(), raw->slot_of(label));
    if (!s) throw std::runtime_error("open session: " + s.error().to_string());
    return std::move(*s);
  }
  token::Session logged_in(const std::string& label) {
    auto s = session(label);
    login_checked(s);
    return s;
  }

  runtime::StaffResult<runtime::StaffKey> read(const std::string& label, std::optional<Bytes> with_crl = {},
                                               std::optional<std::chrono::sys_seconds> at = {}) {
    auto s = session(label);
    return runtime::read_staff_key(s, trust, with_crl ? *with_crl : crl, at.value_or(now));
  }

  std::chrono::sys_seconds now = now_s();
  SoftHsmEnv env;
  stafftest::StaffPki pki{now};
  std::optional<RawP11> raw;
  Credential staff, revoked;
  staff::Trust trust;
  Bytes crl;
};

std::optional<staff::Refusal> refusal_of(const runtime::StaffResult<runtime::StaffKey>& r) {
  return r ? std::nullopt : r.error().refusal();
}

}  // namespace

TEST_CASE(
    "a staff KEY of this hall signs in: the certificate read without a PIN, one login, the challenge "
    "verified") {
  StaffWorld w;
  auto s = w.session("staff");
  auto key = runtime::read_staff_key(s, w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(key, key.error().to_string());
  CHECK(key->identity.common_name == "王芳");
  CHECK(key->identity.subject.find("CN=王芳") != std::string::npos);
  CHECK_FALSE(key->pin.count_low);
  CHECK(s.login_counts().user == 0);  // nothing so far needed the PIN
  auto in = runtime::sign_in_staff(s, *key, foundation::SecretBuffer(kUserPin), {}, w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(in, in.error().to_string());
  CHECK(in->identity.fingerprint == key->identity.fingerprint);
  CHECK(in->challenge_sha256.size() == 64);
  CHECK(s.login_counts().user == 1);
  CHECK_FALSE(s.logged_in());  // staff mode keeps no logged-in session on the KEY
}

TEST_CASE("a region's staff, and the role as a certificate policy, are accepted here") {
  StaffWorld w;
  for (const char* label : {"region", "policy"}) {
    CAPTURE(label);
    auto r = w.read(label);
    CHECK_MESSAGE(r, (r ? "" : r.error().to_string()));
  }
}

TEST_CASE("refused with the reason before any PIN") {
  StaffWorld w;
  const std::map<std::string, staff::Refusal> cases{
      {"customer", staff::Refusal::NotStaffCa}, {"other-ca", staff::Refusal::NotStaffCa},
      {"no-role", staff::Refusal::NoRole},      {"other-hall", staff::Refusal::OtherHall},
      {"expired", staff::Refusal::Expired},     {"not-yet", staff::Refusal::NotYetValid},
      {"revoked", staff::Refusal::Revoked},
  };
  for (const auto& [label, reason] : cases) {
    CAPTURE(label);
    auto s = w.session(label);
    auto r = runtime::read_staff_key(s, w.trust, w.crl, w.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().refusal() == reason);
    CHECK(r.error().message_key() == staff::message_key(reason));
    CHECK(s.login_counts().user == 0);
  }
  auto other_hall = w.read("other-hall");
  REQUIRE_FALSE(other_hall);
  CHECK(std::get<staff::Refused>(other_hall.error().why).detail.find("hall:H002") != std::string::npos);
}

TEST_CASE(
    "revocation: no CRL kept, one past nextUpdate plus the grace, one within it, one not of the staff CA") {
  StaffWorld w;
  CHECK(refusal_of(w.read("staff", Bytes{})) == staff::Refusal::CrlMissing);
  // The CRL's nextUpdate is a week after `now`; the grace is a day.
  CHECK(refusal_of(w.read("staff", std::nullopt, w.now + 24h * 7 + 23h)) == std::nullopt);
  CHECK(refusal_of(w.read("staff", std::nullopt, w.now + 24h * 8 + 1h)) == staff::Refusal::CrlExpired);
  const Bytes foreign_der =
      stafftest::der_of_crl(fleetpki::make_crl(w.pki.other_ca, 9, {}, w.now - 1h, w.now + 24h * 7).get());
  CHECK(refusal_of(w.read("staff", foreign_der)) == staff::Refusal::CrlMissing);
}

TEST_CASE("a KEY with an expired staff certificate beside its successor signs in with the successor") {
  StaffWorld w;
  auto s = w.session("renewed");
  auto key = runtime::read_staff_key(s, w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(key, key.error().to_string());
  CHECK(key->cert.key_id == Bytes{0x5a, 0x03});
  auto in = runtime::sign_in_staff(s, *key, foundation::SecretBuffer(kUserPin), {}, w.trust, w.crl, w.now);
  CHECK_MESSAGE(in, (in ? "" : in.error().to_string()));
}

TEST_CASE("a staff certificate copied onto another key: the PIN is right, the challenge fails") {
  StaffWorld w;
  auto s = w.session("copied");
  auto key = runtime::read_staff_key(s, w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(key, key.error().to_string());  // the certificate alone is the staff member's
  auto in = runtime::sign_in_staff(s, *key, foundation::SecretBuffer(kUserPin), {}, w.trust, w.crl, w.now);
  REQUIRE_FALSE(in);
  CHECK(in.error().refusal() == staff::Refusal::ChallengeFailed);
  CHECK(in.error().message_key() == "staff.refused.challenge_failed");
  CHECK(s.login_counts().user == 1);
  CHECK_FALSE(s.logged_in());
}

TEST_CASE("the CRL store keeps the newest CRL of the staff CA and refuses an older or foreign one") {
  StaffWorld w;
  staff::CrlStore store(w.env.dir() / "staff-crl.der");
  CHECK(store.load().empty());
  auto seven = store.offer(w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(seven, seven.error());
  CHECK(seven->number == 7);
  CHECK(store.load() == w.crl);
  auto six = store.offer(w.trust, w.pki.crl(6, {}, w.now + 24h * 7), w.now);
  REQUIRE_FALSE(six);
  CHECK(six.error().find("older") != std::string::npos);
  CHECK(store.load() == w.crl);
  const Bytes eight = w.pki.crl(8, {}, w.now + 24h * 14);
  REQUIRE(store.offer(w.trust, eight, w.now));
  CHECK(store.load() == eight);
  auto garbage = store.offer(w.trust, Bytes{1, 2, 3}, w.now);
  REQUIRE_FALSE(garbage);
  CHECK(store.load() == eight);
}

TEST_CASE(
    "a wrong PIN: one login, the flags come back to warn, nothing retries; FINAL_TRY needs the warning "
    "first") {
  FaultControl fault;  // first: the module reads its environment at C_Initialize
  fault.set("pin_count_low_after 1\npin_final_try_after 2\npin_lock_after 3\n");
  StaffWorld w(fault_module());
  auto s = w.session("staff");
  auto key = runtime::read_staff_key(s, w.trust, w.crl, w.now);
  REQUIRE_MESSAGE(key, key.error().to_string());
  const unsigned long before = fault.count("C_Login.user");

  auto wrong = runtime::sign_in_staff(s, *key, foundation::SecretBuffer("000000"), {}, w.trust, w.crl, w.now);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message_key() == "error.token.pin_incorrect");
  REQUIRE(wrong.error().pin());
  CHECK(wrong.error().pin()->count_low);
  CHECK(fault.count("C_Login.user") == before + 1);  // one C_Login for one PIN typed: never retried
  CHECK(s.login_counts().user == 1);

  // The next reading warns (count_low); a second wrong PIN leaves FINAL_TRY.
  auto again = runtime::read_staff_key(s, w.trust, w.crl, w.now);
  REQUIRE(again);
  CHECK(again->pin.count_low);
  auto second =
      runtime::sign_in_staff(s, *again, foundation::SecretBuffer("000001"), {}, w.trust, w.crl, w.now);
  REQUIRE_FALSE(second);
  REQUIRE(second.error().pin());
  CHECK(second.error().pin()->final_try);
  CHECK(fault.count("C_Login.user") == before + 2);

  // With FINAL_TRY set, no login at all until the keypad has warned.
  auto unwarned =
      runtime::sign_in_staff(s, *again, foundation::SecretBuffer(kUserPin), {}, w.trust, w.crl, w.now);
  REQUIRE_FALSE(unwarned);
  CHECK(unwarned.error().message_key() == "error.token.pin_final_try");
  CHECK(fault.count("C_Login.user") == before + 2);
  auto warned = runtime::sign_in_staff(s, *again, foundation::SecretBuffer(kUserPin),
                                       {.final_try_acknowledged = true}, w.trust, w.crl, w.now);
  CHECK_MESSAGE(warned, (warned ? "" : warned.error().to_string()));
  CHECK(fault.count("C_Login.user") == before + 3);
}

TEST_CASE("the configuration's staff section pins the trust the sign-in uses") {
  StaffWorld w;
  runtime::KioskConfig c;
  c.kiosk_id = kHere.kiosk_id;
  auto none = runtime::load_staff_trust(c);
  REQUIRE(none);
  CHECK_FALSE(*none);
  c.fleet.hall = "H001";  // the kiosk's place is the fleet section's
  c.fleet.region = "NMG";
  c.staff = runtime::StaffConfig{w.env.dir() / "staff-ca.pem", std::string(stafftest::kStaffRoleOid), 24,
                                 w.env.dir() / "staff-crl.der"};
  auto t = runtime::load_staff_trust(c);
  REQUIRE_MESSAGE(t, (t ? "" : t.error()));
  REQUIRE(*t);
  auto s = w.session("staff");
  CHECK(runtime::read_staff_key(s, **t, w.crl, w.now));
  c.fleet.hall = "H002";  // the same KEY at a kiosk of another hall
  auto other = runtime::load_staff_trust(c);
  REQUIRE(other);
  auto r = runtime::read_staff_key(s, **other, w.crl, w.now);
  REQUIRE_FALSE(r);
  CHECK(r.error().refusal() == staff::Refusal::OtherHall);
  c.staff->ca_file = w.env.dir() / "nothing.pem";
  CHECK_FALSE(runtime::load_staff_trust(c));
}
