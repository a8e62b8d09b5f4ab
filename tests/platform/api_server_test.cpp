// The reference platform as a whole through the client over real mutual TLS on loopback: TLS trust, the
// kiosk endpoints, the dev switches, and the data across a restart.
#include <doctest/doctest.h>

#include <ctime>
#include <thread>

#include "api_checks.hpp"
#include "reference/crypto.hpp"

TEST_CASE("mutual TLS: a kiosk certificate from another CA and a wrong server certificate are TLS errors") {
  Platform p;
  TempDir other;
  reference::write_dev_pki(other.path);
  auto other_pki = reference::dev_pki_paths(other.path);
  SUBCASE("kiosk certificate from another fleet CA") {
    auto o = p.client_options();
    o.client_cert = other_pki.kiosk_cert;
    o.client_key = other_pki.kiosk_key;
    auto c = p.make_client(o);
    REQUIRE(c.has_value());
    auto r = c->catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
    CHECK(r.error().code == code::kKioskCertificateUntrusted);
  }
  SUBCASE("a server whose certificate is not under the pinned CA") {
    auto o = p.client_options();
    o.ca_file = other_pki.platform_ca;
    auto c = p.make_client(o);
    REQUIRE(c.has_value());
    auto r = c->catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
    CHECK_FALSE(r.error().certificate_time);  // the trust is wrong, not the clock
  }
  SUBCASE("a client without files is a Config error, before any network") {
    auto o = p.client_options();
    o.client_key = p.dir.path / "missing.key";
    auto c = p.make_client(o);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().kind == ErrorKind::Config);
    o = p.client_options();
    o.base_url = "http://127.0.0.1:1/v1/";
    CHECK(p.make_client(o).error().kind == ErrorKind::Config);
  }
}

namespace {

// A certificate for the platform's server (127.0.0.1) or for a kiosk, under DIR's platform or fleet CA, valid
// from `not_before` to `not_after`; its key beside it.
void write_dated_certificate(const reference::DevPkiPaths& pki, bool server, std::int64_t not_before,
                             std::int64_t not_after) {
  auto ca = reference::read_pem_cert(server ? pki.platform_ca : pki.fleet_ca);
  auto ca_key = reference::read_pem_key(server ? pki.platform_ca_key : pki.fleet_ca_key);
  auto key = reference::generate_ec_p256();
  auto name = reference::make_name({{"CN", server ? "127.0.0.1" : std::string(reference::kDefaultKioskId)}});
  reference::CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key.get();
  spec.issuer = ca.get();
  spec.issuer_key = ca_key.get();
  spec.serial = reference::random_bytes(8);
  spec.serial[0] &= 0x7F;
  spec.not_before = not_before;
  spec.not_after = not_after;
  if (server) {
    spec.ip_sans = {"127.0.0.1"};
    spec.dns_sans = {"localhost"};
    spec.server_auth = true;
  } else {
    spec.client_auth = true;
  }
  auto cert = reference::make_certificate(spec);
  REQUIRE(cert);
  reference::write_pem_cert(server ? pki.server_cert : pki.kiosk_cert, cert.get());
  reference::write_pem_key(server ? pki.server_key : pki.kiosk_key, key.get());
}

}  // namespace

TEST_CASE("a certificate outside its validity window is a TLS failure of the clock, not of the network") {
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  struct Case {
    const char* what;
    bool server;
    std::int64_t not_before, not_after;
  };
  for (const Case& k :
       {Case{"the server's, not yet valid by this kiosk's clock", true, now + 86400, now + 400 * 86400},
        Case{"the server's, expired by this kiosk's clock", true, now - 400 * 86400, now - 86400},
        Case{"the kiosk's, expired by the platform's clock", false, now - 400 * 86400, now - 86400}}) {
    INFO(k.what);
    TempDir dir;
    std::filesystem::copy(shared_pki_root() / "pki", dir.path / "pki");
    const auto pki = reference::dev_pki_paths(dir.path);
    write_dated_certificate(pki, k.server, k.not_before, k.not_after);
    reference::ServerOptions so;
    so.data_dir = dir.path;
    reference::Server s(so);
    s.start();
    platform::ClientOptions co;
    co.base_url = s.base_url();
    co.ca_file = pki.platform_ca;
    co.client_cert = pki.kiosk_cert;
    co.client_key = pki.kiosk_key;
    co.max_attempts = 1;
    auto c = platform::Client::create(co);
    REQUIRE(c.has_value());
    auto r = c->catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
    CHECK_MESSAGE(r.error().certificate_time, r.error().to_string());
    { auto closing = std::move(*c); }
    s.stop();
  }
}

TEST_CASE("kiosk: heartbeat and the signed configuration") {
  Platform p;
  contract::Heartbeat hb{"0.1.0", 1, {{"token", "ok", ""}, {"journal", "degraded", "disk 91%"}}};
  auto ack = p.client.heartbeat(hb, new_idempotency_key());
  CHECK_OK(ack);
  CHECK(ack->kiosk_id == reference::kDefaultKioskId);
  CHECK(ack->config_version == 1);
  CHECK(std::abs(ack->server_time - platform_now(p)) <= 5);
  // The platform keeps the last heartbeat as it understood it, every field (dev: GET dev/heartbeats).
  hb.clock_skew_s = -42;
  hb.outbox_pending = 2;
  hb.out_of_service = {{"staff", "service.reason.staff", "cleaning the screen"},
                       {"automatic", "service.reason.platform", "platform"}};
  CHECK_OK(p.client.heartbeat(hb, new_idempotency_key()));
  auto seen = platform::dev::heartbeats(p.client);
  CHECK_OK(seen);
  REQUIRE(seen->size() == 1);
  CHECK(seen->front().kiosk_id == reference::kDefaultKioskId);
  const contract::Heartbeat& got = seen->front().heartbeat;
  CHECK(got.software_version == "0.1.0");
  CHECK(got.clock_skew_s == std::optional<std::int64_t>(-42));
  CHECK(got.outbox_pending == 2);
  REQUIRE(got.out_of_service.size() == 2);
  CHECK(got.out_of_service[0].source == "staff");
  CHECK(got.out_of_service[1].detail == "platform");
  REQUIRE(got.health.size() == 2);
  CHECK(got.health[1].detail == "disk 91%");
  // An older kiosk's heartbeat (no skew, no outbox, no sources) is still understood.
  const contract::Json older = {{"software_version", "0.0.9"}, {"config_version", 1}};
  CHECK_OK(p.client.call("POST", "kiosk/heartbeat", &older, new_idempotency_key()));
  seen = platform::dev::heartbeats(p.client);
  CHECK_OK(seen);
  CHECK_FALSE(seen->front().heartbeat.clock_skew_s.has_value());
  CHECK(seen->front().heartbeat.out_of_service.empty());

  auto signed_config = p.client.kiosk_config();
  CHECK_OK(signed_config);
  contract::UnixTime now = platform_now(p);
  auto payload = platform::verify_signed_config(*signed_config, p.server->pki().config_signing_pub, now);
  CHECK_OK(payload);
  CHECK(payload->version == 1);
  CHECK(payload->endpoints.at("platform") == p.server->base_url());
  auto expired =
      platform::verify_signed_config(*signed_config, p.server->pki().config_signing_pub, now + 8 * 86400);
  REQUIRE_FALSE(expired.has_value());
  CHECK(expired.error().code == "kiosk.config_expired");
  auto tampered = *signed_config;
  tampered.payload.replace(tampered.payload.find("\"version\":1"), 11, "\"version\":9");
  auto bad = platform::verify_signed_config(tampered, p.server->pki().config_signing_pub, now);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == "kiosk.config_signature_invalid");
  // Signed by another platform's key.
  TempDir other;
  reference::write_dev_pki(other.path);
  auto foreign = platform::verify_signed_config(*signed_config,
                                                reference::dev_pki_paths(other.path).config_signing_pub, now);
  REQUIRE_FALSE(foreign.has_value());
  CHECK(foreign.error().code == "kiosk.config_signature_invalid");
}

TEST_CASE("dev clock: set, frozen, advanced, reset") {
  Platform p;
  auto t = platform::dev::freeze_clock(p.client, 2000000000);
  REQUIRE(t.has_value());
  CHECK(*t == 2000000000);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(platform_now(p) == 2000000000);
  CHECK(platform::dev::advance_clock(p.client, 10).value() == 2000000010);
  auto real = platform::dev::reset_clock(p.client);
  REQUIRE(real.has_value());
  CHECK(std::abs(*real - static_cast<contract::UnixTime>(std::time(nullptr))) <= 2);
  auto moved = platform::dev::set_clock(p.client, 1900000000);
  REQUIRE(moved.has_value());
  CHECK(std::abs(*moved - 1900000000) <= 1);
}

TEST_CASE("dev endpoints are refused unless the server runs with --dev") {
  Platform p(/*dev=*/false);
  auto r = platform::dev::pay(p.client, "R1");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().http_status == 404);
  CHECK(r.error().is(code::kNotFound));
  CHECK_FALSE(platform::dev::set_clock(p.client, 0).has_value());
  CHECK_FALSE(platform::dev::sms_outbox(p.client, "13800000000").has_value());
  CHECK(p.client.catalog().has_value());
}

TEST_CASE("the data survives a restart (SQLite)") {
  TempDir keep;
  std::string order_id;
  std::filesystem::path data;
  {
    Platform p;
    Customer c = seed_gov(p);
    order_id = create_order(p, c, kGovProduct, "13800000080").id;
    { auto closing = std::move(p.client); }  // close its keep-alive connection: stop() need not wait for it
    p.server->stop();
    std::filesystem::copy(p.dir.path, keep.path / "data", std::filesystem::copy_options::recursive);
  }
  reference::ServerOptions o;
  o.data_dir = keep.path / "data";
  reference::Server s(o);
  s.start();
  platform::ClientOptions co;
  co.base_url = s.base_url();
  co.ca_file = s.pki().platform_ca;
  co.client_cert = s.pki().kiosk_cert;
  co.client_key = s.pki().kiosk_key;
  auto c = platform::Client::create(co);
  REQUIRE(c.has_value());
  auto got = c->order_get(order_id);
  CHECK_OK(got);
  CHECK(got->status == OrderStatus::Paid);
}

namespace {

// ServerOptions::id_seed (the seeded demo's reproducible screenshots): the ids a customer or staff sees of
// one day's renewals on a fresh platform with its clock frozen — the seeded certificates' serials, an SMS
// code, a ¥0 and a paid order's numbers, the paid one's payment link, the issued certificate's serial, the
// account's id.
std::vector<std::string> ids_seen(std::optional<std::uint64_t> seed) {
  Platform p(/*dev=*/true, /*max_attempts=*/1, seed);
  REQUIRE(platform::dev::freeze_clock(p.client, 1772415000).has_value());  // 2026-03-02 09:30 Beijing
  Customer gov = seed_gov(p), bid = seed_bid(p);
  std::vector<std::string> ids{gov.cert.serial, bid.cert.serial,
                               p.send_code("13800000090", SmsPurpose::Login)};
  contract::Order free = create_order(p, gov, kGovProduct, "13800000090");
  contract::Order paid = create_order(p, bid, kBidProduct, "13800000091");
  ids.insert(ids.end(), {free.id, paid.id, paid.code_url});
  EvpPkeyPtr new_key = new_ec_key();
  auto issued = renew(p, gov, free.id, new_key.get());
  CHECK_OK(issued);
  ids.push_back(issued->serial);
  auto rec = platform::dev::records(p.client);
  CHECK_OK(rec);
  REQUIRE(rec->orders.size() == 2);
  ids.push_back(rec->orders[0].account_id);
  return ids;
}

}  // namespace

TEST_CASE("seeded ids: the same seed gives the same ids, another seed or none gives others, never twice") {
  const auto a = ids_seen(7);
  const auto again = ids_seen(7);
  CHECK(again == a);
  CHECK(a[3].starts_with("R20260302"));  // the order's day is the platform's (frozen) clock's
  CHECK(a[5].starts_with("weixin://wxpay/bizpayurl?pr="));
  // Within a run, ids of one kind are all different: the serials, the two orders.
  CHECK(a[0] != a[1]);
  CHECK(a[0] != a[6]);
  CHECK(a[1] != a[6]);
  CHECK(a[3].substr(9) != a[4].substr(9));
  const auto other = ids_seen(8);
  const auto random1 = ids_seen(std::nullopt);
  const auto random2 = ids_seen(std::nullopt);
  REQUIRE(other.size() == a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(other[i] != a[i]);
    // Without a seed (every production platform) nothing is reused: not the seed's ids, not another run's.
    CHECK(random1[i] != a[i]);
    CHECK(random1[i] != random2[i]);
  }
}

TEST_CASE("seeded ids are refused on a platform without --dev, and on a database that has orders") {
  Platform used(/*dev=*/true, /*max_attempts=*/1, 7);
  Customer c = seed_gov(used);
  create_order(used, c, kGovProduct, "13800000092");
  { auto closing = std::move(used.client); }  // close its keep-alive connection: stop() need not wait for it
  used.server->stop();
  reference::ServerOptions o;
  o.data_dir = used.dir.path;
  o.dev = true;
  o.id_seed = 7;
  CHECK_THROWS_WITH_AS(reference::Server{o}, doctest::Contains("empty database"), std::runtime_error);
  TempDir fresh;
  std::filesystem::copy(shared_pki_root() / "pki", fresh.path / "pki");
  o.data_dir = fresh.path;
  o.dev = false;
  CHECK_THROWS_WITH_AS(reference::Server{o}, doctest::Contains("dev platform only"), std::runtime_error);
  o.dev = true;
  CHECK_NOTHROW(reference::Server{o});
}
