// The personal centre's accounts: login by password or SMS code (throttled), logout, the profile, the
// password, and my business. The account rules (phone, real name, e-mail, password) are domain's, the
// same the kiosk checks.
#include <openssl/crypto.h>

#include <algorithm>
#include <initializer_list>

#include "domain/account.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr int kSessionS = 600;
constexpr int kThrottleAfter = 5;  // failures per phone and per kiosk session before waits start
constexpr int kKioskCeiling = 50;  // failures per kiosk before its waits start
constexpr int kThrottleFirstWaitS = 30;
constexpr int kThrottleMaxWaitS = 900;
constexpr int kThrottleForgetS = 3600;  // a counter with no failure for this long starts again

// The platform's words for a broken account rule.
std::string_view code_of(domain::Problem p) {
  switch (p) {
    case domain::Problem::PhoneFormat:
      return code::kPhoneInvalid;
    case domain::Problem::NameBlank:
    case domain::Problem::NameTooShort:
    case domain::Problem::NameTooLong:
    case domain::Problem::NameBadChars:
      return code::kRealNameInvalid;
    case domain::Problem::EmailFormat:
      return code::kEmailInvalid;
    case domain::Problem::PasswordTooShort:
      return code::kPasswordTooShort;
    case domain::Problem::PasswordFromPhone:
      return code::kPasswordFromPhone;
    case domain::Problem::PasswordSameAsCurrent:
      return code::kPasswordSame;
  }
  return code::kBadRequest;
}

using Problems = std::vector<domain::Problem>;

struct SessionRow {
  std::string token_hash, account_id;
  UnixTime expires_at = 0;
  bool must_change = false;
};

// ---- throttling (login)
ThrottleKeys throttle_keys(const Ctx& c, std::string_view phone, std::string_view session) {
  ThrottleKeys keys{{"phone:" + std::string(phone), kThrottleAfter}, {"kiosk:" + c.kiosk_id, kKioskCeiling}};
  if (!session.empty())
    keys.push_back({"session:" + c.kiosk_id + "/" + std::string(session), kThrottleAfter});
  return keys;
}

void clear_failures(State& s, const Ctx& c, std::string_view phone, std::string_view session) {
  Stmt(s.db, "DELETE FROM throttle WHERE key=? OR key=?")
      .bind("phone:" + std::string(phone), "session:" + c.kiosk_id + "/" + std::string(session))
      .run();
}

// ---- sessions
Reply new_session(State& s, const Ctx& c, const Account& a, bool must_change) {
  std::string token = random_token(32);
  Stmt(s.db, "INSERT INTO sessions VALUES(?,?,?,?,?,?)")
      .bind(foundation::sha256_hex(token), a.id, c.kiosk_id, c.now, c.now + kSessionS, must_change)
      .run();
  Stmt(s.db, "DELETE FROM sessions WHERE expires_at<?").bind(c.now).run();
  return {200, contract::encode(contract::Session{token, c.now + kSessionS, must_change, a.id})};
}

Res<SessionRow> session_of(State& s, const Ctx& c, bool allow_must_change) {
  std::string auth = c.req.header("Authorization");
  if (!auth.starts_with("Bearer ")) return std::unexpected(error_reply(code::kSessionInvalid));
  Stmt q(s.db,
         "SELECT token_hash, account_id, expires_at, must_change FROM sessions WHERE token_hash=? AND "
         "expires_at>?");
  q.bind(foundation::sha256_hex(auth.substr(7)), c.now);
  if (!q.row()) return std::unexpected(error_reply(code::kSessionInvalid));
  SessionRow row{q.text(0), q.text(1), q.i64(2), q.i64(3) != 0};
  if (row.must_change && !allow_must_change) return std::unexpected(error_reply(code::kMustChangePassword));
  return row;
}

// Fields of a login body; the secret fields are wiped from the parsed body after use.
struct LoginFields {
  std::string phone, session;
};

std::optional<LoginFields> login_fields(Ctx& c, std::initializer_list<const char*> secrets) {
  if (!c.body.is_object() || !c.body.contains("phone") || !c.body["phone"].is_string()) return std::nullopt;
  for (const char* s : secrets)
    if (!c.body.contains(s) || !c.body[s].is_string()) return std::nullopt;
  LoginFields f{c.body["phone"].get<std::string>(), {}};
  if (c.body.contains("kiosk_session") && c.body["kiosk_session"].is_string())
    f.session = c.body["kiosk_session"].get<std::string>().substr(0, 128);
  return f;
}

void wipe(Json& body, const char* field) {
  if (body.contains(field) && body[field].is_string()) {
    auto& text = body[field].get_ref<std::string&>();
    OPENSSL_cleanse(text.data(), text.size());
  }
}

// ---- handlers
Reply login_password(State& s, Ctx& c, const LoginFields& f) {
  if (!domain::valid_phone(f.phone)) return error_reply(code::kPhoneInvalid);
  auto keys = throttle_keys(c, f.phone, f.session);
  if (auto t = throttled(s, c, keys)) return *t;
  const std::string& password = c.body["password"].get_ref<const std::string&>();
  auto account = s.account_by("phone", f.phone);
  if (password == last6(f.phone)) {
    // The default password: never enough alone, whether or not the phone has an account.
    if (!c.body.contains("sms_code") || !c.body["sms_code"].is_string() ||
        c.body["sms_code"].get_ref<const std::string&>().empty())
      return error_reply(code::kSmsCodeRequired);
    if (auto bad = s.check_code(f.phone, contract::SmsPurpose::Login,
                                c.body["sms_code"].get_ref<const std::string&>(), c.now)) {
      record_failure(s, c, keys);
      return *bad;
    }
    if (account && !account->pw_is_default) {
      record_failure(s, c, keys);
      return error_reply(code::kLoginFailed);
    }
    Account a = account ? *account : s.find_or_create_account(f.phone, c.now);
    clear_failures(s, c, f.phone, f.session);
    return new_session(s, c, a, true);
  }
  // Unknown phones cost the same hashing as known ones.
  bool ok = account ? s.password_matches(*account, password)
                    : (s.pbkdf2(password, Bytes(16, 0), s.opt.pbkdf2_iterations), false);
  if (!ok) {
    record_failure(s, c, keys);
    return error_reply(code::kLoginFailed);
  }
  clear_failures(s, c, f.phone, f.session);
  return new_session(s, c, *account, false);
}

Reply h_login_password(State& s, Ctx& c) {
  auto f = login_fields(c, {"password"});
  if (!f) return error_reply(code::kBadRequest, "phone and password are strings");
  Reply r = login_password(s, c, *f);
  wipe(c.body, "password");
  wipe(c.body, "sms_code");
  return r;
}

Reply h_login_sms(State& s, Ctx& c) {
  auto f = login_fields(c, {"code"});
  if (!f) return error_reply(code::kBadRequest, "phone and code are strings");
  Reply r = [&] {
    if (!domain::valid_phone(f->phone)) return error_reply(code::kPhoneInvalid);
    auto keys = throttle_keys(c, f->phone, f->session);
    if (auto t = throttled(s, c, keys)) return *t;
    if (auto bad = s.check_code(f->phone, contract::SmsPurpose::Login,
                                c.body["code"].get_ref<const std::string&>(), c.now)) {
      record_failure(s, c, keys);
      return *bad;
    }
    clear_failures(s, c, f->phone, f->session);
    return new_session(s, c, s.find_or_create_account(f->phone, c.now), false);
  }();
  wipe(c.body, "code");
  return r;
}

Reply h_logout(State& s, Ctx& c) {
  auto row = session_of(s, c, true);
  if (!row) return row.error();
  Stmt(s.db, "DELETE FROM sessions WHERE token_hash=?").bind(row->token_hash).run();
  return {200, Json::object()};
}

Reply profile_reply(State& s, std::string_view account_id) {
  auto a = s.account_by("id", account_id);
  if (!a) return error_reply(code::kSessionInvalid);
  return {200, contract::encode(contract::Profile{a->id, a->username, "普通用户", a->real_name, a->phone,
                                                  a->email, a->registered_at})};
}

Reply h_profile_get(State& s, Ctx& c) {
  auto row = session_of(s, c, false);
  if (!row) return row.error();
  return profile_reply(s, row->account_id);
}

Reply h_profile_put(State& s, Ctx& c) {
  auto row = session_of(s, c, false);
  if (!row) return row.error();
  auto req = body_as<contract::ProfileUpdate>(c);
  if (!req) return req.error();
  // The fields in the form's order (real name, e-mail, phone); the first broken rule is the answer.
  for (const auto& problems : {req->real_name ? domain::real_name_problems(*req->real_name) : Problems{},
                               req->email ? domain::email_problems(*req->email) : Problems{},
                               req->new_phone ? domain::phone_problems(*req->new_phone) : Problems{}})
    if (!problems.empty()) return error_reply(code_of(problems.front()));
  if (req->new_phone) {
    auto proved = req->phone_verification_token ? s.verified_phone(*req->phone_verification_token,
                                                                   contract::SmsPurpose::ChangePhone, c.now)
                                                : std::nullopt;
    if (!proved || *proved != *req->new_phone) return error_reply(code::kPhoneUnverified);
    auto other = s.account_by("phone", *req->new_phone);
    if (other && other->id != row->account_id) return error_reply(code::kPhoneInUse);
  }
  if (req->real_name)
    Stmt(s.db, "UPDATE accounts SET real_name=? WHERE id=?").bind(*req->real_name, row->account_id).run();
  if (req->email)
    Stmt(s.db, "UPDATE accounts SET email=? WHERE id=?").bind(*req->email, row->account_id).run();
  if (req->new_phone)
    Stmt(s.db, "UPDATE accounts SET phone=? WHERE id=?").bind(*req->new_phone, row->account_id).run();
  return profile_reply(s, row->account_id);
}

Reply h_password(State& s, Ctx& c) {
  auto row = session_of(s, c, true);
  if (!row) return row.error();
  if (!c.body.is_object() || !c.body.contains("current") || !c.body["current"].is_string() ||
      !c.body.contains("new") || !c.body["new"].is_string())
    return error_reply(code::kBadRequest, "current and new are strings");
  Reply r = [&] {
    const std::string& current = c.body["current"].get_ref<const std::string&>();
    const std::string& next = c.body["new"].get_ref<const std::string&>();
    auto a = s.account_by("id", row->account_id);
    if (!a) return error_reply(code::kSessionInvalid);
    auto keys = throttle_keys(c, a->phone, {});
    if (auto t = throttled(s, c, keys)) return *t;
    if (!s.password_matches(*a, current)) {
      record_failure(s, c, keys);
      return error_reply(code::kPasswordWrong);
    }
    auto problems = domain::password_problems(current, next, a->phone);
    if (!problems.empty()) return error_reply(code_of(problems.front()));
    Bytes salt = random_bytes(16);
    Stmt(s.db, "UPDATE accounts SET pw_hash=?, pw_salt=?, pw_iterations=?, pw_is_default=0 WHERE id=?")
        .bind(s.pbkdf2(next, salt, s.opt.pbkdf2_iterations), salt, s.opt.pbkdf2_iterations, a->id)
        .run();
    Stmt(s.db, "UPDATE sessions SET must_change=0 WHERE account_id=?").bind(a->id).run();
    return Reply{200, Json::object()};
  }();
  wipe(c.body, "current");
  wipe(c.body, "new");
  return r;
}

Reply h_business(State& s, Ctx& c) {
  auto row = session_of(s, c, false);
  if (!row) return row.error();
  return {200, contract::encode(s.order_list(
                   "SELECT id FROM orders WHERE account_id=? ORDER BY created_at DESC, rowid DESC LIMIT 200",
                   row->account_id, c.now))};
}

}  // namespace

void add_account_routes(Routes& r) {
  r.post("/v1/account/login/password", "account.login_password", h_login_password);
  r.post("/v1/account/login/sms", "account.login_sms", h_login_sms);
  r.post("/v1/account/logout", "account.logout", h_logout);
  r.get("/v1/account/profile", "account.profile", h_profile_get);
  r.put("/v1/account/profile", "account.profile_update", h_profile_put);
  r.post("/v1/account/password", "account.password", h_password);
  r.get("/v1/account/business", "account.business", h_business);
}

// Shared with enrollment (enroll_routes.cpp): the same waits for wrong enrollment codes.
std::optional<Reply> throttled(State& s, const Ctx& c, const ThrottleKeys& keys) {
  UnixTime wait = 0;
  for (const auto& [k, limit] : keys) {
    Stmt q(s.db, "SELECT locked_until FROM throttle WHERE key=?");
    q.bind(k);
    if (q.row()) wait = std::max(wait, q.i64(0) - c.now);
  }
  if (wait > 0)
    return error_reply(code::kThrottled, "wait " + std::to_string(wait) + " s", static_cast<int>(wait));
  return std::nullopt;
}

void record_failure(State& s, const Ctx& c, const ThrottleKeys& keys) {
  for (const auto& [k, limit] : keys) {
    std::int64_t failures = 0;
    Stmt q(s.db, "SELECT failures, last_failure FROM throttle WHERE key=?");
    q.bind(k);
    if (q.row() && c.now - q.i64(1) < kThrottleForgetS) failures = q.i64(0);
    ++failures;
    UnixTime locked = 0;
    if (failures >= limit) {
      std::int64_t wait = kThrottleFirstWaitS;
      for (std::int64_t i = limit; i < failures && wait < kThrottleMaxWaitS; ++i) wait *= 2;
      locked = c.now + std::min<std::int64_t>(wait, kThrottleMaxWaitS);
    }
    Stmt(s.db, "INSERT OR REPLACE INTO throttle VALUES(?,?,?,?)").bind(k, failures, locked, c.now).run();
  }
}

}  // namespace reference
