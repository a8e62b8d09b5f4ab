// What a kiosk fetches or reports for itself: the catalog, its heartbeat, its signed configuration, its
// own orders.
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

Reply h_catalog(State& s, Ctx&) {
  return {200, contract::encode(s.catalog)};
}

Reply h_heartbeat(State& s, Ctx& c) {
  auto req = body_as<contract::Heartbeat>(c);
  if (!req) return req.error();
  Json health = Json::array();
  for (const auto& h : req->health) health.push_back(contract::encode(h));
  Stmt(s.db, "INSERT OR REPLACE INTO kiosks VALUES(?,?,?,?,?)")
      .bind(c.kiosk_id, c.now, req->software_version, req->config_version, json_text(health))
      .run();
  // The whole body as the kiosk sent it (docs/platform.md, "Fleet administration"): GET /v1/admin/kiosks
  // shows the admin what the kiosk last said, fields this platform does not know yet included.
  s.record_heartbeat(c.kiosk_id, c.now, c.body);
  return {200, contract::encode(contract::HeartbeatAck{c.kiosk_id, c.now, s.opt.config_version})};
}

Reply h_config(State& s, Ctx& c) {
  contract::KioskConfigPayload payload;
  payload.version = s.opt.config_version;
  payload.expires_at = c.now + 7 * 86400;
  payload.endpoints["platform"] = "https://" + s.opt.host + ":" + std::to_string(s.bound_port) + "/v1/";
  contract::SignedConfig sc;
  sc.payload = contract::encode(payload).dump();
  sc.signature = sign_sha256(s.config_key.get(), Bytes(sc.payload.begin(), sc.payload.end()));
  if (sc.signature.empty()) return error_reply(code::kConfigUnavailable);
  return {200, contract::encode(sc)};
}

// GET /v1/kiosk/orders[?unfinished=true]: the orders this kiosk made, by its certificate's CN.
Reply h_kiosk_orders(State& s, Ctx& c) {
  bool unfinished = false;
  if (c.req.has_query("unfinished")) {
    const std::string v = c.req.query_value("unfinished");
    if (v != "true" && v != "false") return error_reply(code::kBadRequest, "unfinished: true or false");
    unfinished = v == "true";
  }
  std::vector<std::string> ids;
  {
    Stmt q(s.db,
           unfinished
               ? "SELECT id FROM orders WHERE kiosk_id=? AND status IN ('paid','issued','needs_staff') "
                 "ORDER BY created_at DESC, rowid DESC LIMIT 200"
               : "SELECT id FROM orders WHERE kiosk_id=? ORDER BY created_at DESC, rowid DESC LIMIT 200");
    q.bind(c.kiosk_id);
    while (q.row()) ids.push_back(q.text(0));
  }
  contract::BusinessList list;
  for (const auto& id : ids)
    if (auto o = s.load_order(id, c.now)) list.orders.push_back(std::move(*o));
  return {200, contract::encode(list)};
}

}  // namespace

void add_kiosk_routes(Routes& r) {
  r.get("/v1/catalog", "catalog", h_catalog);
  r.post("/v1/kiosk/heartbeat", "kiosk.heartbeat", h_heartbeat);
  r.get("/v1/kiosk/config", "kiosk.config", h_config);
  r.get("/v1/kiosk/orders", "kiosk.orders", h_kiosk_orders);
}

}  // namespace reference
