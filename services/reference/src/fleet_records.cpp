// The fleet's records of the reference platform: decommissioned kiosks, kiosk certificates issued under the
// kiosk CA, heartbeats and their history, and the admin audit (docs/platform.md, "Fleet administration").
#include <openssl/err.h>
#include <openssl/pem.h>

#include <type_traits>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "state.hpp"

namespace reference {

bool State::kiosk_decommissioned(std::string_view kiosk_id) {
  Stmt q(db, "SELECT 1 FROM fleet_kiosks WHERE id=? AND decommissioned_at IS NOT NULL");
  q.bind(kiosk_id);
  return q.row();
}

X509Ptr State::issue_kiosk_certificate(X509_REQ* req, std::string_view kiosk_id, UnixTime now) {
  if (!fleet_key) return nullptr;
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  if (!key) return nullptr;
  auto name = make_name({{"C", "CN"}, {"O", "CN-CA Kiosk Fleet"}, {"CN", std::string(kiosk_id)}});
  CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key;
  spec.issuer = fleet_ca.get();
  spec.issuer_key = fleet_key.get();
  spec.serial = random_bytes(16);
  spec.serial[0] &= 0x7f;
  spec.not_before = now - kNotBeforeBackdateS;
  spec.not_after = now + static_cast<std::int64_t>(opt.kiosk_cert_days) * 86400;
  spec.client_auth = true;
  X509Ptr cert = make_certificate(spec);
  if (!cert) return nullptr;
  Stmt(db, "INSERT INTO kiosk_certs VALUES(?,?,?,?,NULL)")
      .bind(foundation::hex_encode(spec.serial.data(), spec.serial.size()), kiosk_id, spec.not_after, now)
      .run();
  return cert;
}

void State::record_heartbeat(std::string_view kiosk_id, UnixTime at, const Json& body) {
  const std::string text = json_text(body);
  auto field = [&](const char* name, auto fallback) {
    using T = decltype(fallback);
    if (!body.is_object() || !body.contains(name)) return fallback;
    const Json& v = body[name];
    if constexpr (std::is_same_v<T, std::string>)
      return v.is_string() ? v.get<std::string>() : fallback;
    else
      return v.is_number_integer() ? v.get<T>() : fallback;
  };
  const auto version = field("config_version", std::int64_t{0});
  const std::string state = field("config_state", std::string("applied"));
  // A configuration event when the version or its state moved since the kiosk's heartbeat before (or it
  // is the first): the kiosk's configuration history without keeping every heartbeat.
  Stmt prev(db,
            "SELECT json_extract(body, '$.config_version'), "
            "coalesce(json_extract(body, '$.config_state'), 'applied') FROM heartbeats WHERE kiosk_id=?");
  prev.bind(kiosk_id);
  const bool had = prev.row();
  if (!had || prev.i64(0) != version || prev.text(1) != state)
    Stmt(db, "INSERT INTO config_events(kiosk_id, at, version, state, detail) VALUES(?,?,?,?,?)")
        .bind(kiosk_id, at, version, state, field("config_state_detail", std::string()))
        .run();
  Stmt(db, "INSERT OR REPLACE INTO heartbeats VALUES(?,?,?)").bind(kiosk_id, at, text).run();
  Stmt(db, "INSERT INTO heartbeat_log(kiosk_id, at, body) VALUES(?,?,?)").bind(kiosk_id, at, text).run();
  Stmt(
      db,
      "DELETE FROM heartbeat_log WHERE kiosk_id=?1 AND id <= (SELECT id FROM heartbeat_log WHERE kiosk_id=?1 "
      "ORDER BY id DESC LIMIT 1 OFFSET ?2)")
      .bind(kiosk_id, kKeptHeartbeats)
      .run();
  Stmt hall(db, "SELECT hall FROM fleet_kiosks WHERE id=?");
  hall.bind(kiosk_id);
  count_heartbeats(hall.row() ? hall.text(0) : std::string(), at, 1);
}

void State::count_heartbeats(std::string_view hall, UnixTime at, std::int64_t n) {
  Stmt(
      db,
      "INSERT INTO heartbeat_hours VALUES(?1,?2,?3) ON CONFLICT(hall, hour) DO UPDATE SET n = n + excluded.n")
      .bind(hall, at - at % 3600, n)
      .run();
  Stmt(db, "DELETE FROM heartbeat_hours WHERE hour < ?").bind(at - kHeartbeatHoursKeptS).run();
}

void State::audit(std::string_view admin, std::string_view action, std::string_view target,
                  const Json& detail, UnixTime now) {
  Stmt(db, "INSERT INTO admin_audit(at, admin, action, target, detail) VALUES(?,?,?,?,?)")
      .bind(now, admin, action, target, json_text(detail))
      .run();
}

X509ReqPtr parse_csr(std::string_view text) {
  X509ReqPtr req;
  if (text.starts_with("-----BEGIN")) {
    foundation::CPtr<BIO, BIO_free> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (bio) req.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  } else if (auto der = foundation::base64_decode(text)) {
    const unsigned char* p = der->data();
    req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(der->size())));
    if (req && p != der->data() + der->size()) req.reset();
  }
  EVP_PKEY* key = req ? X509_REQ_get0_pubkey(req.get()) : nullptr;
  if (!key || X509_REQ_verify(req.get(), key) != 1) req.reset();
  ERR_clear_error();
  return req;
}

bool is_ec_p256(EVP_PKEY* key) {
  return key_type_of(key) == "ec-p256";
}

std::string pem_of(X509* cert) {
  foundation::CPtr<BIO, BIO_free> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace reference
