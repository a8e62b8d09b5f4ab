// Orders: create one for a verified phone and a certificate of ours, read it (with a long poll), close it,
// hand it to the counter, mark it installed, and find a certificate's orders again.
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr int kOrderPayS = 600;
constexpr std::string_view kNextStepCounter = "order.next_step.go_to_counter";

// `draw(n)` gives n random bytes (the system's, or an id stream: State::id_bytes).
template <typename Draw>
std::string random_alnum(int n, Draw draw) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (static_cast<int>(out.size()) < n)
    for (std::uint8_t b : draw(16)) {
      if (b >= 248) continue;  // 248 = 4 × 62
      out += kChars[b % 62];
      if (static_cast<int>(out.size()) == n) break;
    }
  return out;
}

Reply h_order_create(State& s, Ctx& c) {
  Db& db = s.db;
  auto req = body_as<contract::OrderCreateRequest>(c);
  if (!req) return req.error();
  auto phone = s.verified_phone(req->verification_token, contract::SmsPurpose::Renewal, c.now);
  if (!phone) return error_reply(code::kVerificationInvalid);
  const contract::Product* product = s.catalog.product(req->product_id);
  if (!product) return error_reply(code::kProductUnknown, req->product_id);
  if (std::find(product->allowed_years.begin(), product->allowed_years.end(), req->years) ==
      product->allowed_years.end())
    return error_reply(code::kYearsInvalid);
  const contract::Brand* brand = s.catalog.brand(product->brand);
  if (!brand || req->token.manufacturer != brand->manufacturer || req->token.model != brand->model)
    return error_reply(code::kTokenMismatch, req->token.manufacturer + " " + req->token.model);

  X509Ptr old = cert_from_der(req->old_certificate);
  if (!old) return error_reply(code::kCertificateMalformed);
  EVP_PKEY* ca_pub = X509_get0_pubkey(s.issuing_ca.get());
  bool ours = X509_verify(old.get(), ca_pub) == 1;
  ERR_clear_error();
  if (!ours) return error_reply(code::kCertificateUnknown);
  std::string fp = foundation::sha256_hex(req->old_certificate);
  Stmt q(
      db,
      "SELECT project, brand, not_after, key_type, revoked, renewed_by FROM customer_certs WHERE sha256=?");
  q.bind(fp);
  if (!q.row()) return error_reply(code::kCertificateUnknown);
  if (q.i64(4) != 0) return error_reply(code::kCertificateRevoked);
  if (q.text(0) != product->project) return error_reply(code::kCertificateWrongProject, q.text(0));
  if (q.text(1) != product->brand) return error_reply(code::kCertificateWrongBrand, q.text(1));
  if (q.text(3) != domain::to_string(product->key_algorithm))
    return error_reply(code::kCertificateKeyType, q.text(3));
  std::optional<std::string> renewed_by = q.opt_text(5);
  // An unfinished paid order for this certificate comes first: the customer resumes it (继续操作).
  Stmt busy(db,
            "SELECT id FROM orders WHERE old_cert_sha256=? AND status IN ('paid','issued','needs_staff') "
            "LIMIT 1");
  busy.bind(fp);
  if (busy.row()) return error_reply(code::kRenewalInProgress, busy.text(0));
  if (renewed_by) return error_reply(code::kCertificateAlreadyRenewed, *renewed_by);
  UnixTime not_after = q.i64(2);
  UnixTime opens = not_after - std::int64_t{product->renewal_days_before} * 86400;
  UnixTime closes = not_after + std::int64_t{product->renewal_days_after} * 86400;
  if (c.now < opens) return error_reply(code::kCertificateTooEarly, "opens_at=" + date_of(opens));
  if (c.now > closes) return error_reply(code::kCertificateTooLate, "closed_at=" + date_of(closes));

  Account account = s.find_or_create_account(*phone, c.now);
  time_t tt = static_cast<time_t>(c.now);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y%m%d", &tm);
  std::string id = "R" + std::string(day) + foundation::hex_encode(s.id_bytes("order", 6));
  std::int64_t amount = product->price_fen_per_year * req->years;
  bool free = amount == 0;
  auto link_bytes = [&s](std::size_t k) { return s.id_bytes("code-url", k); };
  std::string code_url = free ? std::string() : "weixin://wxpay/bizpayurl?pr=" + random_alnum(12, link_bytes);
  Stmt(db,
       "INSERT INTO orders(id, account_id, kiosk_id, product_id, years, amount_fen, status, created_at, "
       "expires_at, "
       "paid_at, code_url, old_cert_sha256, tok_manufacturer, tok_model, tok_serial, fapiao_title, "
       "fapiao_tax_number) "
       "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(id, account.id, c.kiosk_id, product->id, req->years, amount,
            contract::to_string(free ? OrderStatus::Paid : OrderStatus::PendingPayment), c.now,
            c.now + kOrderPayS, free ? std::optional<std::int64_t>(c.now) : std::nullopt, code_url, fp,
            req->token.manufacturer, req->token.model, req->token.serial, req->fapiao_title,
            req->fapiao_tax_number)
      .run();
  if (free)
    Stmt(db, "INSERT INTO payments(order_id, amount_fen, method, at) VALUES(?,0,'free',?)")
        .bind(id, c.now)
        .run();
  return s.order_reply(id, c.now, 201);
}

Reply h_order_get(State& s, Ctx& c) {
  std::string id = c.param();
  int wait = 0;
  std::optional<OrderStatus> since;
  if (c.req.has_query("wait")) {
    std::string w = c.req.query_value("wait");
    if (w.empty() || w.size() > 2 || !std::all_of(w.begin(), w.end(), ::isdigit) || std::stoi(w) > 60)
      return error_reply(code::kBadRequest, "wait: 0-60");
    wait = std::stoi(w);
  }
  if (c.req.has_query("since")) {
    OrderStatus st{};
    if (!contract::parse(c.req.query_value("since"), st))
      return error_reply(code::kBadRequest, "since: a status");
    since = st;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
  for (;;) {
    auto o = s.load_order(id, s.now());
    if (!o) return error_reply(code::kOrderNotFound);
    if (!since || o->status != *since || s.stopping || std::chrono::steady_clock::now() >= deadline)
      return {200, contract::encode(*o)};
    // Wake on any committed change, and at least every second (expiry happens by the clock).
    s.order_changed.wait_until(
        c.lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
  }
}

Reply h_order_close(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (o->status == OrderStatus::PendingPayment) {
    s.set_status(o->id, OrderStatus::Closed);
  } else if (contract::is_paid_or_later(o->status)) {
    return error_reply(code::kOrderAlreadyPaid, std::string(contract::to_string(o->status)));
  }
  return s.order_reply(o->id, c.now);
}

Reply h_order_needs_staff(State& s, Ctx& c) {
  auto req = body_as<contract::NeedsStaffRequest>(c);
  if (!req) return req.error();
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (o->status == OrderStatus::NeedsStaff) return s.order_reply(o->id, c.now);
  if (!contract::is_unfinished(o->status)) return state_error(o->status);
  Stmt(s.db,
       "UPDATE orders SET status='needs_staff', needs_staff_reason=?, needs_staff_next_step=?, "
       "needs_staff_detail=? WHERE id=?")
      .bind(req->reason, kNextStepCounter, req->detail, o->id)
      .run();
  Stmt(s.db, "INSERT INTO order_events(order_id, status, at) VALUES(?,'needs_staff',?)")
      .bind(o->id, c.now)
      .run();
  return s.order_reply(o->id, c.now);
}

Reply h_installed(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (o->status == OrderStatus::Installed) return s.order_reply(o->id, c.now);
  if (o->status != OrderStatus::Issued) return state_error(o->status);
  Stmt(s.db, "UPDATE orders SET status='installed', installed_at=? WHERE id=?").bind(c.now, o->id).run();
  Stmt(s.db, "INSERT INTO order_events(order_id, status, at) VALUES(?,'installed',?)")
      .bind(o->id, c.now)
      .run();
  return s.order_reply(o->id, c.now);
}

// GET /v1/orders?old_cert_sha256=: the orders bound to a certificate, newest first. A kiosk that
// stopped after creating an order but before recording its id finds it again here.
Reply h_orders_by_certificate(State& s, Ctx& c) {
  std::string fp = c.req.query_value("old_cert_sha256");
  if (fp.size() != 64 || !std::all_of(fp.begin(), fp.end(), [](char ch) {
        return std::isxdigit(static_cast<unsigned char>(ch)) && !std::isupper(static_cast<unsigned char>(ch));
      }))
    return error_reply(code::kBadRequest, "old_cert_sha256: 64 lower-case hex digits");
  return {200, contract::encode(s.order_list(
                   "SELECT id FROM orders WHERE old_cert_sha256=? ORDER BY created_at DESC, rowid DESC LIMIT 50", fp,
                   c.now))};
}

}  // namespace

void add_order_routes(Routes& r) {
  const std::string id(kIdPattern);
  r.post("/v1/orders", "orders.create", h_order_create);
  r.get("/v1/orders/" + id, "orders.get", h_order_get);
  r.post("/v1/orders/" + id + "/close", "orders.close", h_order_close);
  r.post("/v1/orders/" + id + "/needs-staff", "orders.needs_staff", h_order_needs_staff);
  r.post("/v1/orders/" + id + "/installed", "orders.installed", h_installed);
  r.get("/v1/orders", "orders.by_certificate", h_orders_by_certificate);
}

}  // namespace reference
