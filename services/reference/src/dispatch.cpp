// One request through a route: fault injection, the kiosk's certificate, the JSON body, the idempotency
// record, the handler under the database lock, the commit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "domain/account.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

// Replays are for resuming after a crash or a lost answer: a day is plenty, and keeps the stored answers
// (session and verification tokens among them) from piling up.
constexpr int kIdempotencyKeepS = 86400;

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

bool key_valid(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Response answer(const Reply& r) {
  Response out{r.status, r.raw ? *r.raw : json_text(r.body)};
  if (r.raw) out.content_type = r.content_type;
  out.headers = r.headers;
  return out;
}

// A handler that threw (a bug): what it wrote is rolled back, the operator gets a line, the kiosk a 500.
Response thrown(State& s, const Route& route, const Request& req, std::unique_lock<std::mutex>& lock,
                std::string_view what) {
  if (!lock.owns_lock()) lock.lock();
  if (route.keyed) s.db.exec("ROLLBACK");
  s.db.reset_failure();
  lock.unlock();
  report_internal_error(route.name, req.method, req.path, what);
  return answer(error_reply(code::kInternal));
}

}  // namespace

void report_internal_error(std::string_view operation, std::string_view method, std::string_view path,
                           std::string_view what) {
  // Never the request's body or headers (where codes, passwords and tokens travel); a phone in the
  // exception's text is masked.
  const std::string line = "reference: 500 server.internal in " + std::string(operation) + " (" +
                           std::string(method) + " " + std::string(path) + "): " + domain::mask_phones(what) +
                           "\n";
  std::fputs(line.c_str(), stderr);
}

std::string Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (same_name(k, name)) return v;
  return {};
}

bool Request::has_query(std::string_view key) const {
  return std::any_of(query.begin(), query.end(), [&](const auto& kv) { return kv.first == key; });
}

std::string Request::query_value(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return {};
}

Routes all_routes(bool dev) {
  Routes r;
  add_kiosk_routes(r);
  add_sms_routes(r);
  add_order_routes(r);
  add_renewal_routes(r);
  add_account_routes(r);
  add_enroll_routes(r);
  add_admin_routes(r);
  add_diagnostics_routes(r);
  add_console_routes(r);
  r.accepting(Accepts::Kiosk);
  if (dev) add_dev_routes(r);
  return r;
}

Response dispatch(State& s, const Route& route, const Request& req) {
  std::optional<Fault> fault = s.take_fault(route.name);
  if (fault && fault->mode == "delay")
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
  if (fault && fault->mode == "fail") return answer(error_reply(code::kFaultInjected, route.name));

  // Who may call: kiosk routes take fleet-CA certificates, admin routes admin-CA ones, POST /v1/enroll
  // anyone (docs/platform.md, "Fleet administration"). A connection without a certificate completes the
  // handshake only so that enrollment works; everything else refuses it here.
  std::string kiosk;  // the idempotency scope and the handler's kiosk_id (an admin's subject on admin routes)
  if (route.accepts != Accepts::Anyone) {
    if (!req.tls || !req.peer_trusted || req.peer == Peer::None)
      return answer(error_reply(code::kKioskCertificateUntrusted, req.tls ? req.peer_error : ""));
    if (route.accepts == Accepts::Admin && req.peer != Peer::Admin)
      return answer(error_reply(code::kAdminRequired));
    if (route.accepts == Accepts::Kiosk && req.peer != Peer::Kiosk)
      return answer(error_reply(code::kKioskRequired));
    if (req.peer_cn.empty()) return answer(error_reply(code::kKioskUnknown));
    kiosk = req.peer == Peer::Admin ? "admin:" + req.peer_subject : req.peer_cn;
    if (req.peer == Peer::Kiosk) {
      std::lock_guard l(s.mu);
      if (s.kiosk_decommissioned(req.peer_cn)) return answer(error_reply(code::kKioskDecommissioned));
    }
  }

  Json body = Json::object();
  if (!req.body.empty()) {
    std::string why;
    if (!contract::parse_json_text(req.body, body, why)) return answer(error_reply(code::kBadRequest, why));
  }

  Db& db = s.db;
  std::unique_lock lock(s.mu);
  std::string key, hash;
  if (route.keyed) {
    key = req.header("Idempotency-Key");
    if (!key_valid(key)) return answer(error_reply(code::kIdempotencyKeyMissing));
    hash = s.keyed_hash(req.method + " " + req.path + "\n" + req.header("Authorization") + "\n" + req.body);
    // A key older than the keep time is forgotten, whether or not a later request has purged it yet: the
    // request is then handled afresh (a kiosk's retry after days is safe by the order's state).
    Stmt q(db, "SELECT request_hash, status, body FROM idempotency WHERE kiosk_id=? AND key=? AND at>=?");
    q.bind(kiosk, key, s.now() - kIdempotencyKeepS);
    if (q.row()) {
      if (q.text(0) != hash) return answer(error_reply(code::kIdempotencyKeyReused));
      Response replay{static_cast<int>(q.i64(1)), q.text(2), true, fault && fault->mode == "drop"};
      return replay;
    }
    db.exec("BEGIN IMMEDIATE");
  }
  Ctx ctx{req, route.accepts == Accepts::Admin ? req.peer_subject : kiosk, std::move(body), s.now(), lock};
  Reply r;
  try {
    // The dev fault hook's "throw": the handler fails as a bug would, mid-transaction.
    if (fault && fault->mode == "throw") throw std::runtime_error("dev fault hook: " + route.name + " threw");
    r = route.handler(s, ctx);
  } catch (const std::exception& e) {
    return thrown(s, route, req, lock, e.what());
  } catch (...) {
    return thrown(s, route, req, lock, "an exception that is no std::exception");
  }
  if (!lock.owns_lock()) lock.lock();
  if (db.failed()) {
    std::string why = db.error();
    db.reset_failure();
    if (route.keyed) db.exec("ROLLBACK");
    db.reset_failure();
    r = error_reply(code::kInternal, why);
  } else if (route.keyed) {
    Stmt(db, "DELETE FROM idempotency WHERE at<?").bind(ctx.now - kIdempotencyKeepS).run();
    if (r.status != 429 && r.status < 500) {
      Stmt ins(db, "INSERT OR REPLACE INTO idempotency VALUES(?,?,?,?,?,?)");
      ins.bind(kiosk, key, hash, r.status, json_text(r.body), ctx.now).run();
    }
    db.exec("COMMIT");
    if (db.failed()) {
      db.reset_failure();
      db.exec("ROLLBACK");
      db.reset_failure();
      r = error_reply(code::kInternal, "commit failed");
    }
  }
  lock.unlock();
  if (route.keyed) s.order_changed.notify_all();
  if (s.opt.log_requests)
    std::fprintf(stderr, "%s %s %s -> %d\n", kiosk.c_str(), req.method.c_str(), req.path.c_str(), r.status);
  Response out = answer(r);
  out.drop = fault && fault->mode == "drop";
  return out;
}

}  // namespace reference
