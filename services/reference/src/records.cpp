// The records more than one route group reads: accounts, SMS codes and verifications, orders.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "state.hpp"

namespace reference {

// ---------------------------------------------------------------- accounts
Bytes State::pbkdf2(std::string_view password, const Bytes& salt, std::int64_t iterations) {
  Bytes out(32);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                    static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                    static_cast<int>(out.size()), out.data());
  return out;
}

bool State::password_matches(const Account& a, std::string_view pw) {
  Bytes h = pbkdf2(pw, a.pw_salt, a.pw_iterations);
  return h.size() == a.pw_hash.size() && CRYPTO_memcmp(h.data(), a.pw_hash.data(), h.size()) == 0;
}

std::optional<Account> State::account_by(const char* column, std::string_view value) {
  std::string sql = std::string(
                        "SELECT id, phone, username, real_name, email, registered_at, pw_hash, pw_salt, "
                        "pw_iterations, pw_is_default FROM accounts WHERE ") +
                    column + "=?";
  Stmt q(db, sql.c_str());
  q.bind(value);
  if (!q.row()) return std::nullopt;
  return Account{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4),
                 q.i64(5),  q.blob(6), q.blob(7), q.i64(8),  q.i64(9) != 0};
}

Account State::find_or_create_account(std::string_view phone, UnixTime now) {
  if (auto a = account_by("phone", phone)) return *a;
  Account a;
  a.id = "A" + foundation::hex_encode(id_bytes("account", 8));
  a.phone = std::string(phone);
  a.username = a.phone;
  a.registered_at = now;
  a.pw_salt = random_bytes(16);
  a.pw_iterations = opt.pbkdf2_iterations;
  a.pw_hash = pbkdf2(last6(phone), a.pw_salt, a.pw_iterations);
  a.pw_is_default = true;
  Stmt(db, "INSERT INTO accounts VALUES(?,?,?,?,?,?,?,?,?,?)")
      .bind(a.id, a.phone, a.username, a.real_name, a.email, a.registered_at, a.pw_hash, a.pw_salt,
            a.pw_iterations, 1)
      .run();
  return a;
}

// ---------------------------------------------------------------- SMS codes and verifications
std::optional<Reply> State::check_code(std::string_view phone, contract::SmsPurpose purpose,
                                       std::string_view code_text, UnixTime now) {
  std::string p(contract::to_string(purpose));
  Stmt q(db, "SELECT code_hash, expires_at, tries FROM sms_codes WHERE phone=? AND purpose=?");
  q.bind(phone, p);
  if (!q.row() || q.i64(1) <= now) return error_reply(code::kSmsCodeExpired);
  std::int64_t tries = q.i64(2);
  if (tries >= kSmsMaxTries) return error_reply(code::kSmsTriesExhausted);
  std::string want = q.text(0);
  std::string got = sms_hash(phone, p, code_text);
  if (want.size() == got.size() && CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0) {
    Stmt(db, "DELETE FROM sms_codes WHERE phone=? AND purpose=?").bind(phone, p).run();
    return std::nullopt;
  }
  ++tries;
  Stmt(db, "UPDATE sms_codes SET tries=? WHERE phone=? AND purpose=?").bind(tries, phone, p).run();
  if (tries >= kSmsMaxTries) return error_reply(code::kSmsTriesExhausted);
  return error_reply(code::kSmsCodeWrong, "tries_left=" + std::to_string(kSmsMaxTries - tries));
}

std::optional<std::string> State::verified_phone(std::string_view token, contract::SmsPurpose purpose,
                                                 UnixTime now) {
  Stmt q(db, "SELECT phone FROM verifications WHERE token_hash=? AND purpose=? AND expires_at>?");
  q.bind(foundation::sha256_hex(token), contract::to_string(purpose), now);
  if (!q.row()) return std::nullopt;
  return q.text(0);
}

// ---------------------------------------------------------------- orders
contract::BusinessList State::order_list(const char* select_ids, std::string_view key, UnixTime now) {
  std::vector<std::string> ids;
  {
    Stmt q(db, select_ids);
    q.bind(key);
    while (q.row()) ids.push_back(q.text(0));
  }
  contract::BusinessList list;
  for (const auto& id : ids)
    if (auto o = load_order(id, now)) list.orders.push_back(std::move(*o));
  return list;
}

std::optional<contract::Order> State::load_order(std::string_view id, UnixTime now, std::string* account_id) {
  Stmt q(db,
         "SELECT id, product_id, years, amount_fen, status, created_at, expires_at, paid_at, code_url, "
         "old_cert_sha256, tok_manufacturer, tok_model, tok_serial, needs_staff_reason, "
         "needs_staff_next_step, "
         "fapiao_title, fapiao_tax_number, account_id FROM orders WHERE id=?");
  q.bind(id);
  if (!q.row()) return std::nullopt;
  contract::Order o;
  o.id = q.text(0);
  o.product_id = q.text(1);
  o.years = static_cast<int>(q.i64(2));
  o.amount_fen = q.i64(3);
  contract::parse(q.text(4), o.status);
  o.created_at = q.i64(5);
  o.expires_at = q.i64(6);
  if (!q.null(7)) o.paid_at = q.i64(7);
  o.code_url = q.text(8);
  o.old_cert_sha256 = q.text(9);
  o.token = {q.text(10), q.text(11), q.text(12)};
  o.needs_staff_reason = q.opt_text(13);
  o.needs_staff_next_step = q.opt_text(14);
  o.fapiao_title = q.opt_text(15);
  o.fapiao_tax_number = q.opt_text(16);
  if (account_id) *account_id = q.text(17);
  if (o.status == OrderStatus::PendingPayment && now >= o.expires_at) {
    set_status(o.id, OrderStatus::Expired);
    o.status = OrderStatus::Expired;
  }
  Stmt c(db, "SELECT der FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
  c.bind(o.id);
  if (c.row()) o.certificate = c.blob(0);
  return o;
}

void State::set_status(std::string_view id, OrderStatus s) {
  Stmt(db, "UPDATE orders SET status=? WHERE id=?").bind(contract::to_string(s), id).run();
}

Reply State::order_reply(std::string_view id, UnixTime now, int status) {
  auto o = load_order(id, now);
  if (!o) return error_reply(code::kOrderNotFound);
  return {status, contract::encode(*o)};
}

}  // namespace reference
