// Fleet administration over real mutual TLS on loopback (docs/platform.md, "Fleet administration"):
// admins and kiosks told apart by their certificates' CA, enrollment with a one-time code and no client
// certificate, the kiosk's own renewal, decommissioning, maintenance codes, bundles with ETags, and what the
// fleet console reads (a kiosk's history, the hall's hours).
#include <openssl/cms.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>

#include "api_checks.hpp"
#include "foundation/base64.hpp"
#include "platform/kiosk_identity.hpp"
#include "reference/crypto.hpp"
#include "reference/pki.hpp"

// The client reports its own certificate refused as a TLS error that carries the platform's code.
#define CHECK_UNTRUSTED(r)                                                                      \
  do {                                                                                          \
    const auto& u_ = (r);                                                                       \
    REQUIRE_FALSE(u_.has_value());                                                              \
    CHECK(u_.error().kind == ErrorKind::Tls);                                                   \
    CHECK_MESSAGE(u_.error().code == code::kKioskCertificateUntrusted, u_.error().to_string()); \
  } while (0)

namespace {

std::string csr_pem(EVP_PKEY* key, const std::string& cn) {
  auto name = reference::make_name({{"CN", cn}});
  Bytes der = make_p10(key, [&] {
    unsigned char* out = nullptr;
    int n = i2d_X509_NAME(name.get(), &out);
    Bytes b(out, out + n);
    OPENSSL_free(out);
    return b;
  }());
  return "-----BEGIN CERTIFICATE REQUEST-----\n" + foundation::base64_encode(der) +
         "\n-----END CERTIFICATE REQUEST-----\n";
}

// PEM text wraps at 64 columns; OpenSSL's reader wants that.
std::string wrap_pem(const std::string& pem) {
  const std::string head = "-----BEGIN CERTIFICATE REQUEST-----\n",
                    tail = "\n-----END CERTIFICATE REQUEST-----\n";
  std::string b64 = pem.substr(head.size(), pem.size() - head.size() - tail.size()), out = head;
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + tail.substr(1);
}

struct Fleet {
  Platform p;
  platform::Client admin = client(p.server->pki().admin_cert, p.server->pki().admin_key);
  platform::Client anon = client({}, {});

  platform::Client client(const std::filesystem::path& cert, const std::filesystem::path& key) {
    auto o = p.client_options();
    o.client_cert = cert;
    o.client_key = key;
    o.max_attempts = 1;
    auto c = p.make_client(o);
    const std::string why = c ? std::string() : c.error().to_string();
    REQUIRE_MESSAGE(c.has_value(), why);
    return std::move(*c);
  }
  platform::Result<contract::Json> post(platform::Client& c, const std::string& path,
                                        const contract::Json& body) {
    return c.call("POST", path, &body, new_idempotency_key());
  }
  std::string enrollment_code(const std::string& kiosk, const std::string& hall = "hall-1") {
    auto r =
        post(admin, "admin/enrollment-codes", {{"kiosk_id", kiosk}, {"hall", hall}, {"region", "north"}});
    CHECK_OK(r);
    return (*r)["code"].get<std::string>();
  }
  platform::Result<contract::Json> enroll(const std::string& code_text, EVP_PKEY* key) {
    return post(anon, "enroll", {{"code", code_text}, {"csr", wrap_pem(csr_pem(key, "ignored-subject"))}});
  }
  // A client with the certificate an enrollment or renewal answered and `key`.
  platform::Client kiosk(const contract::Json& issued, EVP_PKEY* key, const std::string& name) {
    const auto cert = p.dir.path / (name + ".pem"), keyfile = p.dir.path / (name + ".key");
    std::ofstream(cert) << issued["certificate_pem"].get<std::string>();
    reference::write_pem_key(keyfile, key);
    return client(cert, keyfile);
  }
};

std::string cn_of(const contract::Json& issued) {
  const std::string pem = issued["certificate_pem"].get<std::string>();
  foundation::CPtr<BIO, BIO_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  reference::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(cert);
  return reference::subject_cn(cert.get());
}

}  // namespace

TEST_CASE(
    "enrollment: a code makes a kiosk certificate that works on kiosk routes; used, wrong, expired refused") {
  Fleet f;
  const std::string code_text = f.enrollment_code("HALL1-K07");
  auto key = new_ec_key();
  auto issued = f.enroll(code_text, key.get());
  CHECK_OK(issued);
  CHECK(cn_of(*issued) == "HALL1-K07");  // the CSR said "ignored-subject"
  CHECK((*issued)["hall"] == "hall-1");
  CHECK((*issued)["region"] == "north");
  auto k = f.kiosk(*issued, key.get(), "k07");
  CHECK_OK(k.catalog());
  CHECK_OK(k.kiosk_orders());

  auto other = new_ec_key();
  CHECK_CODE(f.enroll(code_text, other.get()), code::kEnrollCodeUsed);
  CHECK_CODE(f.enroll("no-such-code-at-all", other.get()), code::kEnrollCodeInvalid);
  const std::string late = f.enrollment_code("HALL1-K08");
  REQUIRE(platform::dev::advance_clock(f.p.client, 86400 + 1).has_value());
  CHECK_CODE(f.enroll(late, other.get()), code::kEnrollCodeExpired);
  CHECK_CODE(f.post(f.anon, "enroll", {{"code", f.enrollment_code("HALL1-K09")}, {"csr", "not a csr"}}),
             code::kCsrMalformed);
}

TEST_CASE("enrollment: wrong codes are throttled") {
  Fleet f;
  auto key = new_ec_key();
  for (int i = 0; i < 5; ++i)
    CHECK_CODE(f.enroll("wrong-" + std::to_string(i), key.get()), code::kEnrollCodeInvalid);
  auto r = f.enroll(f.enrollment_code("K1"), key.get());
  CHECK_CODE(r, code::kEnrollThrottled);
  CHECK(r.error().retry_after_s > 0);
}

TEST_CASE("who may call: no certificate only on enroll; kiosks and admins each on their own routes") {
  Fleet f;
  CHECK_UNTRUSTED(f.anon.catalog());
  CHECK_UNTRUSTED(f.anon.call("GET", "admin/kiosks", nullptr));
  CHECK_UNTRUSTED(f.post(f.anon, "admin/enrollment-codes", {{"kiosk_id", "K"}, {"hall", "H"}}));
  CHECK_UNTRUSTED(f.post(f.anon, "kiosk/certificate", {{"csr", "x"}}));
  // The dev kiosk certificate (fleet CA) on admin routes, the admin's on kiosk routes.
  CHECK_CODE(f.p.client.call("GET", "admin/kiosks", nullptr), code::kAdminRequired);
  CHECK_CODE(f.post(f.p.client, "admin/enrollment-codes", {{"kiosk_id", "K"}, {"hall", "H"}}),
             code::kAdminRequired);
  CHECK_CODE(f.admin.catalog(), code::kKioskRequired);
  CHECK_CODE(f.admin.kiosk_orders(), code::kKioskRequired);
}

TEST_CASE("renewal: a new key, the same CN; the new certificate works") {
  Fleet f;
  auto key = new_ec_key();
  auto issued = f.enroll(f.enrollment_code("K-RENEW"), key.get());
  CHECK_OK(issued);
  auto k = f.kiosk(*issued, key.get(), "old");
  auto fresh = new_ec_key();
  auto renewed = f.post(k, "kiosk/certificate", {{"csr", csr_pem(fresh.get(), "someone-else")}});
  CHECK_OK(renewed);
  CHECK(cn_of(*renewed) == "K-RENEW");
  CHECK((*renewed)["certificate_pem"] != (*issued)["certificate_pem"]);
  auto k2 = f.kiosk(*renewed, fresh.get(), "new");
  CHECK_OK(k2.kiosk_orders());
  // Re-enrollment with a new code keeps the id.
  auto again = f.enroll(f.enrollment_code("K-RENEW"), new_ec_key().get());
  CHECK_OK(again);
  CHECK(cn_of(*again) == "K-RENEW");
}

TEST_CASE("decommission: the kiosk is refused, its orders readable by the admin, the action audited") {
  Fleet f;
  auto key = new_ec_key();
  auto issued = f.enroll(f.enrollment_code("K-GONE"), key.get());
  CHECK_OK(issued);
  auto k = f.kiosk(*issued, key.get(), "gone");
  contract::Heartbeat hb;
  hb.software_version = "9.9.9";
  CHECK_OK(k.heartbeat(hb, new_idempotency_key()));
  auto list = f.admin.call("GET", "admin/kiosks", nullptr);
  CHECK_OK(list);
  bool seen = false;
  for (const auto& row : (*list)["kiosks"])
    if (row["kiosk_id"] == "K-GONE") {
      seen = true;
      CHECK(row["state"] == "enrolled");
      CHECK(row["last_heartbeat"]["software_version"] == "9.9.9");
    }
  CHECK(seen);

  CHECK_OK(f.post(f.admin, "admin/kiosks/K-GONE/decommission", contract::Json::object()));
  CHECK_CODE(k.catalog(), code::kKioskDecommissioned);
  auto orders = f.admin.call("GET", "admin/kiosks/K-GONE/orders", nullptr);
  CHECK_OK(orders);
  CHECK((*orders)["orders"].is_array());
  CHECK_CODE(f.post(f.admin, "admin/kiosks/NEVER-SEEN/decommission", contract::Json::object()),
             code::kAdminKioskUnknown);
  auto audit = f.admin.call("GET", "admin/audit", nullptr);
  CHECK_OK(audit);
  REQUIRE_FALSE((*audit)["entries"].empty());
  CHECK((*audit)["entries"][0]["action"] == "kiosk.decommission");
  CHECK((*audit)["entries"][0]["admin"].get<std::string>().find("CN=dev-admin") != std::string::npos);
}

TEST_CASE("maintenance codes: single use, for that staff member at that kiosk") {
  Fleet f;
  const std::string kiosk = std::string(reference::kDefaultKioskId);
  auto made = f.post(f.admin, "admin/maintenance-codes", {{"staff", "zhang.wei"}, {"kiosk_id", kiosk}});
  CHECK_OK(made);
  CHECK((*made)["expires_at"].get<std::int64_t>() - platform_now(f.p) <= 1800);
  const std::string c = (*made)["code"].get<std::string>();
  CHECK_CODE(f.post(f.p.client, "kiosk/maintenance-codes/redeem", {{"code", c}, {"staff", "li.na"}}),
             code::kMaintenanceCodeInvalid);
  CHECK_OK(f.post(f.p.client, "kiosk/maintenance-codes/redeem", {{"code", c}, {"staff", "zhang.wei"}}));
  CHECK_CODE(f.post(f.p.client, "kiosk/maintenance-codes/redeem", {{"code", c}, {"staff", "zhang.wei"}}),
             code::kMaintenanceCodeInvalid);
}

TEST_CASE("bundles: published as given, served with an ETag, 304 for If-None-Match") {
  Fleet f;
  CHECK_CODE(f.p.client.kiosk_config_bundle(), code::kBundleNone);
  // A CMS SignedData over a small document, signed by a throwaway certificate (the kiosk checks trust).
  auto key = new_ec_key();
  auto name = reference::make_name({{"CN", "test signer"}});
  reference::CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key.get();
  spec.issuer_key = key.get();
  spec.serial = {1};
  spec.not_before = 0;
  spec.not_after = 4102444800;
  auto cert = reference::make_certificate(spec);
  REQUIRE(cert);
  const std::string doc = R"({"version":1})";
  foundation::CPtr<BIO, BIO_free> in(BIO_new_mem_buf(doc.data(), static_cast<int>(doc.size())));
  foundation::CPtr<CMS_ContentInfo, CMS_ContentInfo_free> cms(
      CMS_sign(cert.get(), key.get(), nullptr, in.get(), CMS_BINARY));
  REQUIRE(cms);
  unsigned char* out = nullptr;
  const int n = i2d_CMS_ContentInfo(cms.get(), &out);
  Bytes der(out, out + n);
  OPENSSL_free(out);

  CHECK_CODE(f.post(f.admin, "admin/bundles", {{"bundle", foundation::base64_encode(Bytes{1, 2, 3})}}),
             code::kBundleMalformed);
  auto pub = f.post(f.admin, "admin/bundles", {{"bundle", foundation::base64_encode(der)}});
  CHECK_OK(pub);
  auto got = f.p.client.kiosk_config_bundle();
  CHECK_OK(got);
  CHECK_FALSE(got->not_modified);
  CHECK(got->body == std::string(der.begin(), der.end()));
  CHECK(got->etag == (*pub)["etag"]);
  auto again = f.p.client.kiosk_config_bundle(got->etag);
  CHECK_OK(again);
  CHECK(again->not_modified);
  CHECK(again->body.empty());
  auto other = f.p.client.kiosk_config_bundle("\"something-else\"");
  CHECK_OK(other);
  CHECK_FALSE(other->not_modified);
}

TEST_CASE(
    "the kiosk's side: enroll_kiosk writes a 0600 key and its certificate; renewal when due keeps the CN") {
  Fleet f;
  TempDir state;
  const auto dir = state.path / "ca-kiosk";
  auto e = platform::enroll_kiosk(f.p.client_options(), f.enrollment_code("K-LIB"), dir);
  CHECK_OK(e);
  CHECK(e->kiosk_id == "K-LIB");
  const auto files = platform::identity_files(dir);
  CHECK((std::filesystem::status(files.key).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto o = f.p.client_options();
  o.client_cert = files.cert;
  o.client_key = files.key;
  auto k = platform::Client::create(o);
  CHECK_OK(k);
  CHECK_OK(k->kiosk_orders());

  const auto now = std::chrono::system_clock::now();
  auto not_due = platform::renew_kiosk_certificate_if_due(f.p.client_options(), dir, now);
  CHECK_OK(not_due);
  CHECK_FALSE(*not_due);
  std::ifstream old_key_file(files.key);
  const std::string old_key((std::istreambuf_iterator<char>(old_key_file)), {});
  auto due =
      platform::renew_kiosk_certificate_if_due(f.p.client_options(), dir, now + std::chrono::days(340));
  CHECK_OK(due);
  CHECK(*due);
  std::ifstream new_key_file(files.key);
  CHECK(std::string((std::istreambuf_iterator<char>(new_key_file)), {}) != old_key);
  CHECK(std::filesystem::exists(files.key.string() + ".old"));
  auto k2 = platform::Client::create(o);  // the same paths, now the new pair
  CHECK_OK(k2);
  CHECK_OK(k2->kiosk_orders());
  auto again = platform::renew_kiosk_certificate(f.p.client_options(), dir);
  CHECK_OK(again);
  CHECK(again->kiosk_id == "K-LIB");
  // A wrong code: nothing written over the identity.
  CHECK_CODE(platform::enroll_kiosk(f.p.client_options(), "wrong-code", state.path / "other"),
             code::kEnrollCodeInvalid);
}

TEST_CASE("a running client presents a renewed certificate at its next call, without a restart") {
  // The runtime renews the kiosk's certificate while its clients keep running (docs/fleet.md, "On the
  // kiosk"): the files are replaced by renaming, and each client reopens when it sees them change.
  Fleet f;
  TempDir state;
  auto a = platform::enroll_kiosk(f.p.client_options(), f.enrollment_code("K-BEFORE"), state.path / "a");
  auto b = platform::enroll_kiosk(f.p.client_options(), f.enrollment_code("K-AFTER"), state.path / "b");
  CHECK_OK(a);
  CHECK_OK(b);
  const auto live = platform::identity_files(state.path / "live");
  std::filesystem::create_directories(state.path / "live");
  auto put = [&](const platform::Enrolled& e) {
    auto read = [](const std::filesystem::path& p) {
      std::ifstream in(p);
      return std::string((std::istreambuf_iterator<char>(in)), {});
    };
    REQUIRE(platform::write_atomically(live.key, read(e.files.key), 0600));
    REQUIRE(platform::write_atomically(live.cert, read(e.files.cert), 0644));
  };
  put(*a);
  auto o = f.p.client_options();
  o.client_cert = live.cert;
  o.client_key = live.key;
  auto c = platform::Client::create(o);
  CHECK_OK(c);
  contract::Heartbeat h;
  h.software_version = "test";
  auto first = c->heartbeat(h, new_idempotency_key());
  CHECK_OK(first);
  CHECK(first->kiosk_id == "K-BEFORE");
  CHECK_OK(c->kiosk_orders());  // a kept-alive connection, made with the first certificate
  put(*b);
  auto second = c->heartbeat(h, new_idempotency_key());
  CHECK_OK(second);
  CHECK(second->kiosk_id == "K-AFTER");
}

TEST_CASE("history: a kiosk's last heartbeats newest first, its configuration's events, its hall's hours") {
  Fleet f;
  auto key = new_ec_key();
  auto issued = f.enroll(f.enrollment_code("K-HIST", "hall-7"), key.get());
  CHECK_OK(issued);
  auto k = f.kiosk(*issued, key.get(), "hist");
  constexpr int kKept = 24;  // the platform keeps a kiosk's last 24 (docs/platform.md)
  constexpr int kSent = kKept + 2;
  for (int i = 0; i < kSent; ++i) {
    contract::Heartbeat hb;
    hb.software_version = "1.0." + std::to_string(i);
    hb.config_version = i < kSent - 2 ? 1 : 2;  // the last two on version 2
    CHECK_OK(k.heartbeat(hb, new_idempotency_key()));
  }
  auto h = f.admin.call("GET", "admin/kiosks/K-HIST/history", nullptr);
  CHECK_OK(h);
  const auto& beats = (*h)["heartbeats"];
  REQUIRE(beats.size() == static_cast<std::size_t>(kKept));  // the oldest two dropped
  CHECK(beats[0]["heartbeat"]["software_version"] == "1.0." + std::to_string(kSent - 1));
  CHECK(beats.back()["heartbeat"]["software_version"] == "1.0.2");
  const auto& events = (*h)["config"];
  REQUIRE(events.size() == 2);  // version 1 first heard, then version 2; the repeats made none
  CHECK(events[0]["version"] == 2);
  CHECK(events[1]["version"] == 1);
  CHECK(events[0]["state"] == "applied");

  auto hours = f.admin.call("GET", "admin/heartbeat-hours", nullptr);
  CHECK_OK(hours);
  std::int64_t counted = -1;
  for (const auto& row : (*hours)["halls"]) {
    REQUIRE(row["counts"].size() == 24);
    if (row["hall"] == "hall-7") {
      counted = 0;
      for (const auto& n : row["counts"]) counted += n.get<std::int64_t>();
    }
  }
  CHECK(counted == kSent);
  CHECK_CODE(f.p.client.call("GET", "admin/kiosks/K-HIST/history", nullptr), code::kAdminRequired);
}

TEST_CASE(
    "the staff CRL: none until the staff CA's operator leaves one, then its bytes as left; kiosks only") {
  Fleet f;
  CHECK_CODE(f.p.client.kiosk_staff_crl(), code::kStaffCrlNone);
  Bytes der(48);
  for (std::size_t i = 0; i < der.size(); ++i) der[i] = static_cast<std::uint8_t>(i * 7);
  {
    std::ofstream out(f.p.server->pki().dir / "staff-crl.der", std::ios::binary);
    out.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  }
  auto crl = f.p.client.kiosk_staff_crl();
  CHECK_OK(crl);
  CHECK(crl->crl == der);  // the kiosk judges it against its pinned staff CA (tests/staff)
  CHECK_CODE(f.admin.kiosk_staff_crl(), code::kKioskRequired);
}

TEST_CASE(
    "maintenance codes by the typed client: expired, for another kiosk, used twice, throttled after five "
    "wrong") {
  Fleet f;
  const std::string kiosk = std::string(reference::kDefaultKioskId);
  auto make = [&](const std::string& staff, const std::string& at) {
    auto made = f.post(f.admin, "admin/maintenance-codes", {{"staff", staff}, {"kiosk_id", at}});
    CHECK_OK(made);
    return (*made)["code"].get<std::string>();
  };
  auto redeem = [&](const std::string& staff, const std::string& c) {
    return f.p.client.maintenance_redeem(staff, c, platform::new_idempotency_key());
  };
  // Another kiosk's code is no good here.
  CHECK_CODE(redeem("zhang.wei", make("zhang.wei", "OTHER-KIOSK-02")), code::kMaintenanceCodeInvalid);
  // Good once, then spent.
  const std::string good = make("zhang.wei", kiosk);
  auto ok = redeem("zhang.wei", good);
  CHECK_OK(ok);
  CHECK(ok->staff == "zhang.wei");
  CHECK(ok->kiosk_id == kiosk);
  CHECK_CODE(redeem("zhang.wei", good), code::kMaintenanceCodeInvalid);
  // Expired: 30 minutes at most.
  const std::string late = make("li.na", kiosk);
  REQUIRE(platform::dev::freeze_clock(f.p.client, platform_now(f.p)));
  REQUIRE(platform::dev::advance_clock(f.p.client, 1801));
  CHECK_CODE(redeem("li.na", late), code::kMaintenanceCodeInvalid);
  // Wrong codes (the spent and the expired one count): after five at this kiosk, waits (even for a good
  // code) with retry_after_s.
  const std::string fresh = make("li.na", kiosk);
  for (int i = 0; i < 3; ++i)
    CHECK_CODE(redeem("li.na", "AAAAAAAAAAAAAAAAAAAA"), code::kMaintenanceCodeInvalid);
  auto throttled = redeem("li.na", fresh);
  CHECK_CODE(throttled, code::kMaintenanceThrottled);
  CHECK(throttled.error().retry_after_s.value_or(0) > 0);
  REQUIRE(platform::dev::advance_clock(f.p.client, 3600));
  CHECK_OK(redeem("li.na", make("li.na", kiosk)));  // after the wait a good code works, and clears the count
  CHECK_CODE(redeem("li.na", "AAAAAAAAAAAAAAAAAAAA"), code::kMaintenanceCodeInvalid);
}

TEST_CASE(
    "diagnostics bundles: a kiosk's stored as sent, listed and read by admins; malformed, too large, "
    "unknown") {
  Fleet f;
  const contract::Json bundle{{"schema", 1},
                              {"kiosk_id", "claimed-by-the-body"},
                              {"software_version", "0.1.0"},
                              {"time", 1765000000},
                              {"events", contract::Json::array()},
                              {"a_field_of_a_newer_kiosk", {{"kept", true}}}};
  auto sent = f.p.client.upload_diagnostics(bundle, new_idempotency_key());
  CHECK_OK(sent);
  CHECK(sent->id.starts_with("D"));
  CHECK(sent->bytes == static_cast<std::int64_t>(bundle.dump().size()));
  CHECK_CODE(f.p.client.upload_diagnostics({{"kiosk_id", "x"}}, new_idempotency_key()),
             code::kDiagnosticsMalformed);
  contract::Json big = bundle;
  big["events"] = contract::Json::array();
  for (int i = 0; i < 600; ++i) big["events"].push_back(std::string(1000, 'e'));
  CHECK_CODE(f.p.client.upload_diagnostics(big, new_idempotency_key()), code::kDiagnosticsTooLarge);
  CHECK_CODE(f.admin.upload_diagnostics(bundle, new_idempotency_key()), code::kKioskRequired);
  // Stored under the certificate's kiosk id (not the body's), newest first, and returned as sent.
  const std::string kiosk = std::string(reference::kDefaultKioskId);
  auto list = f.admin.call("GET", "admin/kiosks/" + kiosk + "/diagnostics", nullptr);
  CHECK_OK(list);
  REQUIRE((*list)["diagnostics"].size() == 1);
  CHECK((*list)["diagnostics"][0]["id"] == sent->id);
  CHECK((*list)["diagnostics"][0]["bytes"] == sent->bytes);
  auto read = f.admin.call("GET", "admin/diagnostics/" + sent->id, nullptr);
  CHECK_OK(read);
  CHECK(*read == bundle);
  CHECK(std::filesystem::exists(f.p.dir.path / "diagnostics" / kiosk / (sent->id + ".json")));
  CHECK_CODE(f.admin.call("GET", "admin/diagnostics/D0000000000000000", nullptr), code::kDiagnosticsUnknown);
  CHECK_CODE(f.p.client.call("GET", "admin/kiosks/" + kiosk + "/diagnostics", nullptr), code::kAdminRequired);
}
