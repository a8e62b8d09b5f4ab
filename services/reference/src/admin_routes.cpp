// The fleet admins' API (docs/platform.md, "Fleet administration"): over mutual TLS with a certificate
// under the admin CA. Every change is recorded in admin_audit with the admin's certificate subject.
#include <openssl/cms.h>
#include <openssl/err.h>

#include "foundation/base64.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

// An enrollment or maintenance code: 20 base64url characters (120 bits), typed or pasted once.
constexpr std::size_t kCodeBytes = 15;
constexpr std::size_t kMaxListed = 10000;

std::string field(const Json& body, const char* name) {
  return body.is_object() && body.contains(name) && body[name].is_string() ? body[name].get<std::string>()
                                                                           : std::string();
}

bool id_ok(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  for (char ch : v)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '.'))
      return false;
  return true;
}

// POST /v1/admin/enrollment-codes {kiosk_id, hall, region?} → 201 a single-use code.
Reply h_enrollment_code(State& s, Ctx& c) {
  const std::string kiosk = field(c.body, "kiosk_id"), hall = field(c.body, "hall");
  const std::string region = field(c.body, "region");
  if (!id_ok(kiosk) || !id_ok(hall) || (!region.empty() && !id_ok(region)))
    return error_reply(code::kBadRequest, "kiosk_id, hall (and region): 1-64 of [A-Za-z0-9._-]");
  const std::string code_text = random_token(kCodeBytes);
  const UnixTime expires = c.now + s.opt.enrollment_code_validity_s;
  Stmt(s.db, "INSERT INTO enrollment_codes VALUES(?,?,?,?,?,?,NULL)")
      .bind(s.keyed_hash("enroll|" + code_text), kiosk, hall, region, c.kiosk_id, expires)
      .run();
  s.audit(c.kiosk_id, "enrollment_code.create", kiosk,
          {{"hall", hall}, {"region", region}, {"expires_at", expires}}, c.now);
  return {201,
          {{"code", code_text},
           {"kiosk_id", kiosk},
           {"hall", hall},
           {"region", region},
           {"expires_at", expires}}};
}

// POST /v1/admin/maintenance-codes {staff, kiosk_id} → 201 a single-use code for that staff member there.
Reply h_maintenance_code(State& s, Ctx& c) {
  const std::string staff = field(c.body, "staff"), kiosk = field(c.body, "kiosk_id");
  if (!id_ok(staff) || !id_ok(kiosk))
    return error_reply(code::kBadRequest, "staff, kiosk_id: 1-64 of [A-Za-z0-9._-]");
  const std::string code_text = random_token(kCodeBytes);
  const UnixTime expires = c.now + s.opt.maintenance_code_validity_s;
  Stmt(s.db, "INSERT INTO maintenance_codes VALUES(?,?,?,?,?,NULL)")
      .bind(s.keyed_hash("maintenance|" + code_text), staff, kiosk, c.kiosk_id, expires)
      .run();
  s.audit(c.kiosk_id, "maintenance_code.create", kiosk, {{"staff", staff}, {"expires_at", expires}}, c.now);
  return {201, {{"code", code_text}, {"staff", staff}, {"kiosk_id", kiosk}, {"expires_at", expires}}};
}

// The columns every kiosk listing selects, in this order (kiosk_json reads them).
constexpr const char* kKioskColumns =
    "k.id, f.hall, f.region, f.enrolled_at, f.decommissioned_at, h.at, h.body FROM "
    "(SELECT id FROM fleet_kiosks UNION SELECT kiosk_id FROM heartbeats) k "
    "LEFT JOIN fleet_kiosks f ON f.id = k.id LEFT JOIN heartbeats h ON h.kiosk_id = k.id";

Json kiosk_json(const Stmt& q, UnixTime now) {
  Json k = {{"kiosk_id", q.text(0)}, {"hall", q.text(1)}, {"region", q.text(2)}, {"state", "unenrolled"}};
  if (!q.null(3)) {
    k["enrolled_at"] = q.i64(3);
    k["state"] = q.null(4) ? "enrolled" : "decommissioned";
    if (!q.null(4)) k["decommissioned_at"] = q.i64(4);
  }
  if (!q.null(5)) {
    k["last_heartbeat_at"] = q.i64(5);
    k["silent_s"] = now - q.i64(5);
    Json body;
    std::string why;
    if (contract::parse_json_text(q.text(6), body, why)) k["last_heartbeat"] = std::move(body);
  }
  return k;
}

Json kiosk_row(State& s, const std::string& id, UnixTime now) {
  Stmt q(s.db, (std::string("SELECT ") + kKioskColumns + " WHERE k.id=?").c_str());
  q.bind(id);
  if (q.row()) return kiosk_json(q, now);
  return {{"kiosk_id", id}, {"hall", ""}, {"region", ""}, {"state", "unenrolled"}};
}

// GET /v1/admin/kiosks[?hall=|region=]: every kiosk the platform knows (enrolled, or heard from), in one
// query (the console loads ten thousand at once, docs/benchmarks.md).
Reply h_kiosks(State& s, Ctx& c) {
  const std::string hall = c.req.query_value("hall"), region = c.req.query_value("region");
  Stmt q(s.db, (std::string("SELECT ") + kKioskColumns +
                " WHERE (?1 = '' OR f.hall = ?1) AND (?2 = '' OR f.region = ?2) ORDER BY k.id LIMIT ?3")
                   .c_str());
  q.bind(hall, region, static_cast<std::int64_t>(kMaxListed));
  Json list = Json::array();
  while (q.row()) list.push_back(kiosk_json(q, c.now));
  return {200, {{"now", c.now}, {"kiosks", std::move(list)}}};
}

// GET /v1/admin/kiosks/{id}/history: its last heartbeats as sent and its configuration's events (version
// or state changed), newest first.
Reply h_kiosk_history(State& s, Ctx& c) {
  const std::string id = c.param();
  Json beats = Json::array(), config = Json::array();
  Stmt h(s.db, "SELECT at, body FROM heartbeat_log WHERE kiosk_id=? ORDER BY id DESC");
  h.bind(id);
  while (h.row()) {
    Json body;
    std::string why;
    if (!contract::parse_json_text(h.text(1), body, why)) body = Json::object();
    beats.push_back({{"at", h.i64(0)}, {"heartbeat", std::move(body)}});
  }
  Stmt e(s.db,
         "SELECT at, version, state, detail FROM config_events WHERE kiosk_id=? ORDER BY id DESC LIMIT 50");
  e.bind(id);
  while (e.row())
    config.push_back({{"at", e.i64(0)}, {"version", e.i64(1)}, {"state", e.text(2)}, {"detail", e.text(3)}});
  return {200, {{"kiosk_id", id}, {"heartbeats", std::move(beats)}, {"config", std::move(config)}}};
}

// GET /v1/admin/heartbeat-hours: heartbeats per hall in each of the last 24 hours, oldest first (the hour
// that holds `now` last).
Reply h_heartbeat_hours(State& s, Ctx& c) {
  constexpr int kHours = 24;
  const UnixTime last = c.now - c.now % 3600, first = last - (kHours - 1) * 3600;
  Json halls = Json::array();
  Stmt q(s.db, "SELECT hall, hour, n FROM heartbeat_hours WHERE hour >= ? ORDER BY hall, hour");
  q.bind(first);
  while (q.row()) {
    if (halls.empty() || halls.back()["hall"] != q.text(0))
      halls.push_back({{"hall", q.text(0)}, {"counts", Json(std::vector<std::int64_t>(kHours, 0))}});
    const auto slot = (q.i64(1) - first) / 3600;
    if (slot >= 0 && slot < kHours) halls.back()["counts"][static_cast<std::size_t>(slot)] = q.i64(2);
  }
  return {200, {{"now", c.now}, {"first_hour", first}, {"hour_s", 3600}, {"halls", std::move(halls)}}};
}

// POST /v1/admin/kiosks/{id}/decommission: its certificates revoked; the platform refuses it from now on.
Reply h_decommission(State& s, Ctx& c) {
  const std::string id = c.param();
  Stmt q(s.db, "SELECT decommissioned_at FROM fleet_kiosks WHERE id=?");
  q.bind(id);
  if (!q.row()) return error_reply(code::kAdminKioskUnknown, id);
  const UnixTime at = q.null(0) ? c.now : q.i64(0);
  Stmt(s.db, "UPDATE fleet_kiosks SET decommissioned_at=? WHERE id=?").bind(at, id).run();
  Stmt(s.db, "UPDATE kiosk_certs SET revoked_at=? WHERE kiosk_id=? AND revoked_at IS NULL")
      .bind(c.now, id)
      .run();
  const auto revoked = s.db.changes();
  s.audit(c.kiosk_id, "kiosk.decommission", id, {{"certificates_revoked", revoked}}, c.now);
  return {200, kiosk_row(s, id, c.now)};
}

// GET /v1/admin/kiosks/{id}/orders: a kiosk's business, decommissioned or not.
Reply h_admin_kiosk_orders(State& s, Ctx& c) {
  return {200, contract::encode(s.order_list("SELECT id FROM orders WHERE kiosk_id=?", c.param(), c.now))};
}

// POST /v1/admin/bundles {bundle: base64 CMS SignedData}: stored as given, served at GET kiosk/config-bundle.
Reply h_publish(State& s, Ctx& c) {
  auto der = foundation::base64_decode(field(c.body, "bundle"));
  if (!der || der->empty()) return error_reply(code::kBundleMalformed, "bundle: base64 of the signed bundle");
  // Only its form is checked here: the kiosk verifies the signature against its pinned root.
  const unsigned char* p = der->data();
  foundation::CPtr<CMS_ContentInfo, CMS_ContentInfo_free> cms(
      d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der->size())));
  const bool signed_data = cms && OBJ_obj2nid(CMS_get0_type(cms.get())) == NID_pkcs7_signed;
  ERR_clear_error();
  if (!signed_data) return error_reply(code::kBundleMalformed, "not CMS SignedData (DER)");
  const std::string sha = foundation::sha256_hex(std::span<const std::uint8_t>(*der));
  const std::string etag = "\"" + sha + "\"";
  Stmt(s.db, "INSERT INTO bundles(body, etag, published_by, at) VALUES(?,?,?,?)")
      .bind(*der, etag, c.kiosk_id, c.now)
      .run();
  s.audit(c.kiosk_id, "bundle.publish", sha, {{"size", der->size()}}, c.now);
  return {
      201,
      {{"sha256", sha}, {"etag", etag}, {"size", der->size()}, {"published_by", c.kiosk_id}, {"at", c.now}}};
}

// GET /v1/admin/audit: who did what, newest first (at most 500).
Reply h_audit(State& s, Ctx&) {
  Json list = Json::array();
  Stmt q(s.db, "SELECT at, admin, action, target, detail FROM admin_audit ORDER BY id DESC LIMIT 500");
  while (q.row()) {
    Json detail;
    std::string why;
    if (!contract::parse_json_text(q.text(4), detail, why)) detail = Json::object();
    list.push_back({{"at", q.i64(0)},
                    {"admin", q.text(1)},
                    {"action", q.text(2)},
                    {"target", q.text(3)},
                    {"detail", detail}});
  }
  return {200, {{"entries", std::move(list)}}};
}

// POST /v1/kiosk/maintenance-codes/redeem {code, staff}: the kiosk spends a code made for this staff
// member at this kiosk (the staff's sign-in checks it).
Reply h_redeem(State& s, Ctx& c) {
  const std::string code_text = field(c.body, "code"), staff = field(c.body, "staff");
  c.body["code"] = "";
  Stmt q(s.db, "SELECT staff, kiosk_id, expires_at, used_at FROM maintenance_codes WHERE code_hash=?");
  q.bind(s.keyed_hash("maintenance|" + code_text));
  if (code_text.empty() || !q.row() || q.text(0) != staff || q.text(1) != c.kiosk_id || q.i64(2) <= c.now ||
      !q.null(3))
    return error_reply(code::kMaintenanceCodeInvalid);
  Stmt(s.db, "UPDATE maintenance_codes SET used_at=? WHERE code_hash=?")
      .bind(c.now, s.keyed_hash("maintenance|" + code_text))
      .run();
  return {200, {{"staff", staff}, {"kiosk_id", c.kiosk_id}}};
}

}  // namespace

void add_admin_routes(Routes& r) {
  r.accepting(Accepts::Kiosk);
  r.post("/v1/kiosk/maintenance-codes/redeem", "kiosk.maintenance_redeem", h_redeem);
  r.accepting(Accepts::Admin);
  r.post("/v1/admin/enrollment-codes", "admin.enrollment_code", h_enrollment_code);
  r.post("/v1/admin/maintenance-codes", "admin.maintenance_code", h_maintenance_code);
  r.get("/v1/admin/kiosks", "admin.kiosks", h_kiosks);
  r.post("/v1/admin/kiosks/" + std::string(kIdPattern) + "/decommission", "admin.decommission",
         h_decommission);
  r.get("/v1/admin/kiosks/" + std::string(kIdPattern) + "/orders", "admin.kiosk_orders", h_admin_kiosk_orders);
  r.get("/v1/admin/kiosks/" + std::string(kIdPattern) + "/history", "admin.kiosk_history", h_kiosk_history);
  r.get("/v1/admin/heartbeat-hours", "admin.heartbeat_hours", h_heartbeat_hours);
  r.post("/v1/admin/bundles", "admin.publish", h_publish);
  r.get("/v1/admin/audit", "admin.audit", h_audit);
}

}  // namespace reference
