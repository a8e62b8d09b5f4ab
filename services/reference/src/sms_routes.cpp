// SMS codes: send one (the gateway stand-in is the outbox table and a log file), and verify one for a
// verification token.
#include <openssl/crypto.h>

#include <fstream>

#include "domain/account.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr int kSmsValidS = 300;
constexpr int kSmsResendS = 60;
constexpr int kSmsPerHour = 5;
constexpr int kSmsPerDay = 10;
constexpr int kVerificationValidS = 600;

// `draw(n)` gives n random bytes (the system's, or an id stream: State::id_bytes).
template <typename Draw>
std::string random_digits(int n, Draw draw) {
  std::string out;
  while (static_cast<int>(out.size()) < n) {
    for (std::uint8_t b : draw(16)) {
      if (b >= 250) continue;  // rejection sampling: no bias toward low digits
      out += static_cast<char>('0' + b % 10);
      if (static_cast<int>(out.size()) == n) break;
    }
  }
  return out;
}

Reply h_sms_send(State& s, Ctx& c) {
  Db& db = s.db;
  auto req = body_as<contract::SmsSendRequest>(c);
  if (!req) return req.error();
  if (!domain::valid_phone(req->phone)) return error_reply(code::kPhoneInvalid);
  std::string purpose(contract::to_string(req->purpose));
  bool exempt = s.opt.dev && s.test_phones.contains(req->phone);
  if (!exempt) {
    Stmt last(db, "SELECT max(at) FROM sms_sends WHERE phone=? AND purpose=?");
    last.bind(req->phone, purpose);
    if (last.row() && !last.null(0) && c.now - last.i64(0) < kSmsResendS) {
      int wait = static_cast<int>(kSmsResendS - (c.now - last.i64(0)));
      return error_reply(code::kSmsResendTooSoon, {}, wait);
    }
    auto count_since = [&](UnixTime since, UnixTime& oldest) {
      Stmt q(db, "SELECT count(*), min(at) FROM sms_sends WHERE phone=? AND at>?");
      q.bind(req->phone, since);
      q.row();
      oldest = q.null(1) ? c.now : q.i64(1);
      return q.i64(0);
    };
    UnixTime oldest = 0;
    if (count_since(c.now - 86400, oldest) >= kSmsPerDay)
      return error_reply(code::kSmsDailyLimit, {}, static_cast<int>(oldest + 86400 - c.now));
    if (count_since(c.now - 3600, oldest) >= kSmsPerHour)
      return error_reply(code::kSmsHourlyLimit, {}, static_cast<int>(oldest + 3600 - c.now));
  }
  std::string code_text =
      random_digits(s.opt.sms_code_length, [&s](std::size_t k) { return s.id_bytes("sms-code", k); });
  Stmt(db, "INSERT OR REPLACE INTO sms_codes VALUES(?,?,?,?,?,0)")
      .bind(req->phone, purpose, s.sms_hash(req->phone, purpose, code_text), c.now, c.now + kSmsValidS)
      .run();
  Stmt(db, "INSERT INTO sms_sends VALUES(?,?,?)").bind(req->phone, purpose, c.now).run();
  Stmt(db, "DELETE FROM sms_sends WHERE at<?").bind(c.now - 2 * 86400).run();
  // The gateway stand-in: the outbox table (dev endpoint) and a file.
  Stmt(db, "DELETE FROM sms_outbox WHERE id<=(SELECT max(id) FROM sms_outbox)-10000").run();
  Stmt(db, "INSERT INTO sms_outbox(phone, purpose, code, at) VALUES(?,?,?,?)")
      .bind(req->phone, purpose, code_text, c.now)
      .run();
  {
    std::lock_guard l(s.outbox_mu);
    std::ofstream f(s.opt.data_dir / "sms-outbox.log", std::ios::app);
    f << date_of(c.now) << ' ' << req->phone << ' ' << purpose << ' ' << code_text << '\n';
  }
  OPENSSL_cleanse(code_text.data(), code_text.size());
  return {200, contract::encode(contract::SmsSent{kSmsResendS, s.opt.sms_code_length, kSmsValidS})};
}

Reply h_sms_verify(State& s, Ctx& c) {
  std::string phone;
  if (!c.body.is_object() || !c.body.contains("phone") || !c.body["phone"].is_string() ||
      !c.body.contains("purpose") || !c.body["purpose"].is_string() || !c.body.contains("code") ||
      !c.body["code"].is_string())
    return error_reply(code::kBadRequest, "phone, purpose and code are strings");
  phone = c.body["phone"].get<std::string>();
  contract::SmsPurpose purpose{};
  if (!contract::parse(c.body["purpose"].get<std::string>(), purpose))
    return error_reply(code::kBadRequest, "purpose: unknown value");
  auto& code_ref = c.body["code"].get_ref<std::string&>();
  if (!domain::valid_phone(phone)) return error_reply(code::kPhoneInvalid);
  auto bad = s.check_code(phone, purpose, code_ref, c.now);
  OPENSSL_cleanse(code_ref.data(), code_ref.size());
  if (bad) return *bad;
  std::string token = random_token(24);
  Stmt(s.db, "DELETE FROM verifications WHERE expires_at<?").bind(c.now).run();
  Stmt(s.db, "INSERT INTO verifications VALUES(?,?,?,?)")
      .bind(foundation::sha256_hex(token), phone, contract::to_string(purpose), c.now + kVerificationValidS)
      .run();
  return {200, contract::encode(contract::SmsVerified{token, c.now + kVerificationValidS})};
}

}  // namespace

void add_sms_routes(Routes& r) {
  r.post("/v1/sms/send", "sms.send", h_sms_send);
  r.post("/v1/sms/verify", "sms.verify", h_sms_verify);
}

}  // namespace reference
