// The reference platform as a whole through the client over real mutual TLS on loopback: TLS trust, the
// kiosk endpoints, the dev switches, and the data across a restart.
#include <doctest/doctest.h>

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

TEST_CASE("kiosk: heartbeat and the signed configuration") {
  Platform p;
  contract::Heartbeat hb{"0.1.0", 1, {{"token", "ok", ""}, {"journal", "degraded", "disk 91%"}}};
  auto ack = p.client.heartbeat(hb, new_idempotency_key());
  CHECK_OK(ack);
  CHECK(ack->kiosk_id == reference::kDefaultKioskId);
  CHECK(ack->config_version == 1);
  CHECK(std::abs(ack->server_time - platform_now(p)) <= 5);

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
