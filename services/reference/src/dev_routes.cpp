// Development switches (ServerOptions::dev only): the clock, test phones, the SMS outbox, paying and
// refunding, seeding and revoking customer certificates, fault injection, and the records of the books.
#include <openssl/err.h>
#include <openssl/x509.h>

#include <ctime>
#include <set>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

Reply h_dev_pay(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (contract::is_paid_or_later(o->status)) return error_reply(code::kOrderAlreadyPaid);
  if (o->status != OrderStatus::PendingPayment) return state_error(o->status);
  Stmt(s.db, "UPDATE orders SET status='paid', paid_at=? WHERE id=?").bind(c.now, o->id).run();
  Stmt(s.db, "INSERT INTO payments(order_id, amount_fen, method, at) VALUES(?,?,'wechat-dev',?)")
      .bind(o->id, o->amount_fen, c.now)
      .run();
  s.order_changed.notify_all();
  return s.order_reply(o->id, c.now);
}

// What counter staff do for a paid order that will not be finished: ask for the money back.
Reply h_dev_refund(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (o->status == OrderStatus::RefundRequested) return s.order_reply(o->id, c.now);
  if (o->status != OrderStatus::Paid && o->status != OrderStatus::NeedsStaff) return state_error(o->status);
  s.set_status(o->id, OrderStatus::RefundRequested);
  s.order_changed.notify_all();
  return s.order_reply(o->id, c.now);
}

Reply clock_reply(State& s) {
  return {
      200,
      Json{{"now", s.now()}, {"offset_s", s.clock_offset.load()}, {"frozen", s.clock_frozen.load() >= 0}}};
}
Reply h_dev_clock_get(State& s, Ctx&) {
  return clock_reply(s);
}
// {now[, freeze: true]} | {advance_s} | {reset: true}. A frozen clock stands still until advanced.
Reply h_dev_clock_set(State& s, Ctx& c) {
  const Json& b = c.body;
  auto real = static_cast<std::int64_t>(std::time(nullptr));
  if (b.contains("now") && b["now"].is_number_integer()) {
    std::int64_t t = b["now"].get<std::int64_t>();
    bool freeze = b.contains("freeze") && b["freeze"] == true;
    s.clock_offset = t - real;
    s.clock_frozen = freeze ? t : -1;
  } else if (b.contains("advance_s") && b["advance_s"].is_number_integer()) {
    std::int64_t d = b["advance_s"].get<std::int64_t>();
    s.clock_offset += d;
    if (s.clock_frozen.load() >= 0) s.clock_frozen += d;
  } else if (b.contains("reset") && b["reset"] == true) {
    s.clock_offset = 0;
    s.clock_frozen = -1;
  } else {
    return error_reply(code::kBadRequest, "{now[, freeze: true]} or {advance_s} or {reset: true}");
  }
  s.order_changed.notify_all();
  return clock_reply(s);
}
Reply h_dev_test_phone(State& s, Ctx& c) {
  if (!c.body.contains("phone") || !c.body["phone"].is_string())
    return error_reply(code::kBadRequest, "{phone}");
  s.test_phones.insert(c.body["phone"].get<std::string>());
  return {200, Json::object()};
}
Reply h_dev_outbox(State& s, Ctx& c) {
  std::string phone = c.req.has_query("phone") ? c.req.query_value("phone") : std::string();
  Stmt q(s.db,
         "SELECT phone, purpose, code, at FROM sms_outbox WHERE ?='' OR phone=? ORDER BY id DESC LIMIT 100");
  q.bind(phone, phone);
  Json list = Json::array();
  while (q.row())
    list.insert(list.begin(),
                Json{{"phone", q.text(0)}, {"purpose", q.text(1)}, {"code", q.text(2)}, {"at", q.i64(3)}});
  return {200, Json{{"messages", list}}};
}
Reply h_dev_seed(State& s, Ctx& c) {
  const Json& b = c.body;
  auto str = [&](const char* k) {
    return b.contains(k) && b[k].is_string() ? b[k].get<std::string>() : std::string();
  };
  std::string project = str("project"), brand = str("brand");
  if (!s.catalog.project(project) || !s.catalog.brand(brand))
    return error_reply(code::kBadRequest, "project and brand from the catalog");
  if (!b.contains("not_before") || !b["not_before"].is_number_integer() || !b.contains("not_after") ||
      !b["not_after"].is_number_integer())
    return error_reply(code::kBadRequest, "not_before and not_after (UNIX seconds)");
  std::string pk = str("public_key");
  Bytes pk_bytes;
  if (pk.find("-----BEGIN") != std::string::npos) {
    pk_bytes.assign(pk.begin(), pk.end());
  } else if (auto d = foundation::base64_decode(pk)) {
    pk_bytes = *d;
  }
  EvpPkeyPtr key = parse_public_key(pk_bytes);
  if (!key) return error_reply(code::kBadRequest, "public_key: PEM text or base64 DER SubjectPublicKeyInfo");
  X509NamePtr name;
  if (auto der = foundation::base64_decode(str("subject_der")); der && !der->empty()) {
    const unsigned char* p = der->data();
    name.reset(d2i_X509_NAME(nullptr, &p, static_cast<long>(der->size())));
    ERR_clear_error();
  } else if (b.contains("subject") && b["subject"].is_object()) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const char* k : {"C", "ST", "L", "O", "OU", "CN"})
      if (b["subject"].contains(k) && b["subject"][k].is_string())
        fields.push_back({k, b["subject"][k].get<std::string>()});
    name = make_name(fields);
  }
  if (!name) return error_reply(code::kBadRequest, "subject_der (base64) or subject {C, ST, L, O, OU, CN}");
  Bytes serial = s.id_bytes("serial", 16);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);
  CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key.get();
  spec.issuer = s.issuing_ca.get();
  spec.issuer_key = s.issuing_key.get();
  spec.serial = serial;
  spec.not_before = b["not_before"].get<std::int64_t>();
  spec.not_after = b["not_after"].get<std::int64_t>();
  X509Ptr cert = make_certificate(spec);
  if (!cert) return error_reply(code::kBadRequest, "cannot issue with these fields");
  Bytes der = der_of(cert.get());
  std::string serial_hex = foundation::hex_encode(serial);
  std::string fp = foundation::sha256_hex(der);
  Stmt(s.db,
       "INSERT INTO customer_certs(serial, sha256, der, project, brand, not_before, not_after, key_type) "
       "VALUES(?,?,?,?,?,?,?,?)")
      .bind(serial_hex, fp, der, project, brand, spec.not_before, spec.not_after, key_type_of(key.get()))
      .run();
  return {200, Json{{"certificate", foundation::base64_encode(der)},
                    {"serial", serial_hex},
                    {"sha256", fp},
                    {"chain", Json::array({foundation::base64_encode(der_of(s.issuing_ca.get()))})}}};
}
Reply h_dev_revoke(State& s, Ctx& c) {
  Stmt(s.db, "UPDATE customer_certs SET revoked=1 WHERE serial=?").bind(c.param()).run();
  if (s.db.changes() == 0) return error_reply(code::kCertificateUnknown);
  return {200, Json::object()};
}
Reply h_dev_fault_set(State& s, Ctx& c) {
  const Json& b = c.body;
  if (!b.contains("endpoint") || !b["endpoint"].is_string() || !b.contains("mode") || !b["mode"].is_string())
    return error_reply(code::kBadRequest, "{endpoint, mode: fail|drop|delay|throw, count, delay_ms}");
  Fault f;
  f.mode = b["mode"].get<std::string>();
  if (f.mode != "fail" && f.mode != "drop" && f.mode != "delay" && f.mode != "throw")
    return error_reply(code::kBadRequest, "mode: fail|drop|delay|throw");
  f.remaining = b.contains("count") && b["count"].is_number_integer() ? b["count"].get<int>() : 1;
  f.delay_ms = b.contains("delay_ms") && b["delay_ms"].is_number_integer() ? b["delay_ms"].get<int>() : 0;
  if (f.remaining < 1 || f.delay_ms < 0 || f.delay_ms > 120000)
    return error_reply(code::kBadRequest, "count ≥ 1, delay_ms 0-120000");
  std::lock_guard l(s.faults_mu);
  s.faults[b["endpoint"].get<std::string>()] = f;
  return {200, Json::object()};
}
Reply h_dev_fault_clear(State& s, Ctx&) {
  std::lock_guard l(s.faults_mu);
  s.faults.clear();
  return {200, Json::object()};
}
Reply h_dev_records(State& s, Ctx& c) {
  std::string fp = c.req.has_query("old_cert_sha256") ? c.req.query_value("old_cert_sha256") : std::string();
  Json orders = Json::array(), issuances = Json::array(), payments = Json::array();
  Stmt q(s.db,
         "SELECT o.id, o.status, o.old_cert_sha256, o.amount_fen, o.account_id, o.kiosk_id, "
         "(SELECT count(*) FROM issuances i WHERE i.order_id=o.id), "
         "(SELECT count(*) FROM payments p WHERE p.order_id=o.id), "
         "(SELECT count(*) FROM order_events e WHERE e.order_id=o.id AND e.status='needs_staff'), "
         "(SELECT count(*) FROM order_events e WHERE e.order_id=o.id AND e.status='installed') FROM orders o "
         "WHERE ?='' OR o.old_cert_sha256=? ORDER BY o.created_at, o.rowid");
  q.bind(fp, fp);
  std::set<std::string> ids;
  while (q.row()) {
    ids.insert(q.text(0));
    orders.push_back({{"id", q.text(0)},
                      {"status", q.text(1)},
                      {"old_cert_sha256", q.text(2)},
                      {"amount_fen", q.i64(3)},
                      {"account_id", q.text(4)},
                      {"kiosk_id", q.text(5)},
                      {"issuances", q.i64(6)},
                      {"payments", q.i64(7)},
                      {"needs_staff_marks", q.i64(8)},
                      {"installed_marks", q.i64(9)}});
  }
  Stmt qi(s.db, "SELECT order_id, serial, not_before, not_after, at FROM issuances ORDER BY id");
  while (qi.row())
    if (fp.empty() || ids.contains(qi.text(0)))
      issuances.push_back({{"order_id", qi.text(0)},
                           {"serial", qi.text(1)},
                           {"not_before", qi.i64(2)},
                           {"not_after", qi.i64(3)},
                           {"at", qi.i64(4)}});
  Stmt qp(s.db, "SELECT order_id, amount_fen, method, at FROM payments ORDER BY id");
  while (qp.row())
    if (fp.empty() || ids.contains(qp.text(0)))
      payments.push_back(
          {{"order_id", qp.text(0)}, {"amount_fen", qp.i64(1)}, {"method", qp.text(2)}, {"at", qp.i64(3)}});
  return {200, Json{{"orders", orders}, {"issuances", issuances}, {"payments", payments}}};
}

// The last heartbeat of every kiosk, newest first.
Reply h_dev_heartbeats(State& s, Ctx&) {
  Json list = Json::array();
  Stmt q(s.db, "SELECT kiosk_id, at, body FROM heartbeats ORDER BY at DESC, kiosk_id");
  while (q.row()) {
    Json body = Json::parse(q.text(2), nullptr, false);
    if (body.is_discarded()) continue;  // written by this platform from a decoded heartbeat: never happens
    list.push_back({{"kiosk_id", q.text(0)}, {"at", q.i64(1)}, {"heartbeat", std::move(body)}});
  }
  return {200, Json{{"heartbeats", list}}};
}

}  // namespace

void add_dev_routes(Routes& r) {
  const std::string id(kIdPattern);
  r.get("/v1/dev/clock", "dev.clock", h_dev_clock_get);
  r.post("/v1/dev/clock", "dev.clock", h_dev_clock_set, false);
  r.post("/v1/dev/test-phones", "dev.test_phones", h_dev_test_phone, false);
  r.get("/v1/dev/sms-outbox", "dev.sms_outbox", h_dev_outbox);
  r.post("/v1/dev/orders/" + id + "/pay", "dev.pay", h_dev_pay, false);
  r.post("/v1/dev/orders/" + id + "/refund", "dev.refund", h_dev_refund, false);
  r.post("/v1/dev/certificates", "dev.seed_certificate", h_dev_seed, false);
  r.post("/v1/dev/certificates/([0-9a-f]{1,64})/revoke", "dev.revoke", h_dev_revoke, false);
  r.post("/v1/dev/faults", "dev.faults", h_dev_fault_set, false);
  r.del("/v1/dev/faults", "dev.faults", h_dev_fault_clear);
  r.get("/v1/dev/records", "dev.records", h_dev_records);
  r.get("/v1/dev/heartbeats", "dev.heartbeats", h_dev_heartbeats);
  r.post("/v1/dev/fleet/seed", "dev.fleet_seed", h_dev_fleet_seed, false);
  r.post("/v1/dev/staff-keys", "dev.staff_key", h_dev_staff_key, false);
  r.post("/v1/dev/staff-keys/([0-9a-f]{1,64})/revoke", "dev.staff_revoke", h_dev_staff_revoke, false);
}

}  // namespace reference
