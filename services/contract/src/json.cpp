#include "contract/json.hpp"

#include <cstdint>
#include <limits>

#include "contract/codes.hpp"
#include "foundation/base64.hpp"

namespace contract {
namespace {

// Reads one JSON object field by field; the first problem is kept in `why` as "path.field: what".
class Reader {
 public:
  Reader(const Json& j, std::string& why, std::string path = {}) : j_(j), why_(why), path_(std::move(path)) {
    if (!j_.is_object()) fail("", "must be an object");
  }

  [[nodiscard]] bool ok() const { return ok_; }

  void fail(std::string_view key, std::string_view what) {
    if (!ok_) return;
    ok_ = false;
    std::string name = path_;
    if (!key.empty()) name += name.empty() ? std::string(key) : "." + std::string(key);
    why_ = name.empty() ? std::string(what) : name + ": " + std::string(what);
  }

  // nullptr when absent or null (after recording the error if required).
  const Json* field(std::string_view key, bool required) {
    if (!ok_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }

  void str(std::string_view key, std::string& out, bool required = true, std::size_t max = kMaxStringBytes) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_string()) return fail(key, "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max) return fail(key, "too long");
    out = s;
  }
  void opt_str(std::string_view key, std::optional<std::string>& out, std::size_t max = kMaxStringBytes) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    std::string s;
    str(key, s, true, max);
    if (ok_) out = std::move(s);
  }

  template <typename T>
  void integer(std::string_view key, T& out, std::int64_t min, std::int64_t max, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    std::int64_t n = 0;
    if (v->is_number_unsigned()) {
      auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(key, "out of range");
      n = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      n = v->get<std::int64_t>();
    } else {
      return fail(key, "must be a whole number");
    }
    if (n < min || n > max) return fail(key, "out of range");
    out = static_cast<T>(n);
  }
  void opt_time(std::string_view key, std::optional<UnixTime>& out) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    UnixTime t = 0;
    integer(key, t, 0, kMaxTime);
    if (ok_) out = t;
  }
  void time(std::string_view key, UnixTime& out, bool required = true) {
    integer(key, out, 0, kMaxTime, required);
  }

  void boolean(std::string_view key, bool& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_boolean()) return fail(key, "must be true or false");
    out = v->get<bool>();
  }

  void bytes(std::string_view key, Bytes& out, std::size_t min = 0, std::size_t max = kMaxStringBytes) {
    std::string s;
    str(key, s, true, max * 4 / 3 + 4);
    if (!ok_) return;
    auto b = foundation::base64_decode(s);
    if (!b) return fail(key, "must be base64");
    if (b->size() < min || b->size() > max) return fail(key, "wrong length");
    out = std::move(*b);
  }
  void opt_bytes(std::string_view key, std::optional<Bytes>& out) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    Bytes b;
    bytes(key, b);
    if (ok_) out = std::move(b);
  }

  template <typename E>
  void enumeration(std::string_view key, E& out, bool required = true) {
    std::string s;
    str(key, s, required, 64);
    if (!ok_ || s.empty()) return;
    if (!parse(s, out)) fail(key, "unknown value");
  }

  template <typename T>
  void object(std::string_view key, T& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    std::string inner;
    if (!decode(*v, out, inner)) fail(key, inner);
  }

  template <typename T>
  void list(std::string_view key, std::vector<T>& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_array()) return fail(key, "must be a list");
    if (v->size() > kMaxListItems) return fail(key, "too many items");
    out.clear();
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      T item{};
      std::string inner;
      if (!decode_item((*v)[i], item, inner))
        return fail(std::string(key) + "[" + std::to_string(i) + "]", inner);
      out.push_back(std::move(item));
    }
  }

  static constexpr UnixTime kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

 private:
  template <typename T>
  static bool decode_item(const Json& j, T& out, std::string& why) {
    if constexpr (std::is_same_v<T, int>) {
      if (!j.is_number_integer() || j.get<std::int64_t>() < 0 || j.get<std::int64_t>() > 100) {
        why = "must be a small whole number";
        return false;
      }
      out = j.get<int>();
      return true;
    } else if constexpr (std::is_same_v<T, Bytes>) {
      if (!j.is_string() || j.get_ref<const std::string&>().size() > kMaxStringBytes) {
        why = "must be a base64 string";
        return false;
      }
      auto b = foundation::base64_decode(j.get_ref<const std::string&>());
      if (!b) {
        why = "must be base64";
        return false;
      }
      out = std::move(*b);
      return true;
    } else {
      return decode(j, out, why);
    }
  }

  const Json& j_;
  std::string& why_;
  std::string path_;
  bool ok_ = true;
};

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
Json opt_b64(const std::optional<Bytes>& v) {
  return v ? Json(foundation::base64_encode(*v)) : Json(nullptr);
}

// Nesting depth of JSON text, outside strings. Cheap, and keeps a hostile "[[[[" away from the parser.
bool depth_ok(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

}  // namespace

bool parse_json_text(std::string_view text, Json& out, std::string& why) {
  if (text.empty()) {
    why = "empty body";
    return false;
  }
  if (!depth_ok(text)) {
    why = "nested too deeply";
    return false;
  }
  out = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    why = "not valid JSON";
    return false;
  }
  return true;
}

bool is_code_shaped(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return true;
}

// ---- encode

Json encode(const Project& v) {
  return {{"id", v.id}, {"display_name", v.display_name}};
}
Json encode(const Brand& v) {
  return {{"id", v.id},
          {"display_name", v.display_name},
          {"manufacturer", v.manufacturer},
          {"model", v.model},
          {"module_hint", v.module_hint}};
}
Json encode(const Product& v) {
  return {{"id", v.id},
          {"display_name", v.display_name},
          {"project", v.project},
          {"brand", v.brand},
          {"business", v.business},
          {"price_fen_per_year", v.price_fen_per_year},
          {"allowed_years", v.allowed_years},
          {"key_algorithm", to_string(v.key_algorithm)},
          {"renewal_window", {{"days_before", v.renewal_days_before}, {"days_after", v.renewal_days_after}}},
          {"old_key_policy", to_string(v.old_key_policy)},
          {"picture", v.picture}};
}
Json encode(const Catalog& v) {
  Json j = {{"version", v.version},
            {"projects", Json::array()},
            {"brands", Json::array()},
            {"products", Json::array()}};
  for (const auto& p : v.projects) j["projects"].push_back(encode(p));
  for (const auto& b : v.brands) j["brands"].push_back(encode(b));
  for (const auto& p : v.products) j["products"].push_back(encode(p));
  return j;
}
Json encode(const SmsSendRequest& v) {
  return {{"phone", v.phone}, {"purpose", to_string(v.purpose)}};
}
Json encode(const SmsSent& v) {
  return {
      {"resend_after_s", v.resend_after_s}, {"code_length", v.code_length}, {"expires_in_s", v.expires_in_s}};
}
Json encode(const SmsVerified& v) {
  return {{"verification_token", v.verification_token}, {"expires_at", v.expires_at}};
}
Json encode(const TokenIdentity& v) {
  return {{"manufacturer", v.manufacturer}, {"model", v.model}, {"serial", v.serial}};
}
Json encode(const OrderCreateRequest& v) {
  return {{"product_id", v.product_id},
          {"years", v.years},
          {"verification_token", v.verification_token},
          {"old_certificate", foundation::base64_encode(v.old_certificate)},
          {"token", encode(v.token)},
          {"fapiao_title", opt(v.fapiao_title)},
          {"fapiao_tax_number", opt(v.fapiao_tax_number)}};
}
Json encode(const Order& v) {
  return {{"id", v.id},
          {"product_id", v.product_id},
          {"years", v.years},
          {"amount_fen", v.amount_fen},
          {"status", to_string(v.status)},
          {"created_at", v.created_at},
          {"expires_at", v.expires_at},
          {"paid_at", opt(v.paid_at)},
          {"code_url", v.code_url},
          {"old_cert_sha256", v.old_cert_sha256},
          {"token", encode(v.token)},
          {"needs_staff_reason", opt(v.needs_staff_reason)},
          {"needs_staff_next_step", opt(v.needs_staff_next_step)},
          {"certificate", opt_b64(v.certificate)},
          {"fapiao_title", opt(v.fapiao_title)},
          {"fapiao_tax_number", opt(v.fapiao_tax_number)}};
}
Json encode(const NeedsStaffRequest& v) {
  return {{"reason", v.reason}, {"detail", v.detail}};
}
Json encode(const RenewalNonce& v) {
  return {
      {"order_id", v.order_id}, {"nonce", foundation::base64_encode(v.nonce)}, {"expires_at", v.expires_at}};
}
Json encode(const RenewalSubmitRequest& v) {
  return {{"p10", foundation::base64_encode(v.p10)}, {"proof", foundation::base64_encode(v.proof)}};
}
Json encode(const IssuedCertificate& v) {
  Json chain = Json::array();
  for (const auto& c : v.chain) chain.push_back(foundation::base64_encode(c));
  return {{"order_id", v.order_id},
          {"certificate", foundation::base64_encode(v.certificate)},
          {"chain", chain},
          {"not_before", v.not_before},
          {"not_after", v.not_after},
          {"serial", v.serial},
          {"encryption_certificate", opt_b64(v.encryption_certificate)},
          {"encryption_private_key", opt_b64(v.encryption_private_key)}};
}
Json encode(const Session& v) {
  return {{"token", v.token},
          {"expires_at", v.expires_at},
          {"must_change_password", v.must_change_password},
          {"account_id", v.account_id}};
}
Json encode(const Profile& v) {
  return {{"account_id", v.account_id},      {"username", v.username}, {"member_level", v.member_level},
          {"real_name", v.real_name},        {"phone", v.phone},       {"email", v.email},
          {"registered_at", v.registered_at}};
}
Json encode(const ProfileUpdate& v) {
  Json j = Json::object();
  if (v.real_name) j["real_name"] = *v.real_name;
  if (v.email) j["email"] = *v.email;
  if (v.new_phone) j["new_phone"] = *v.new_phone;
  if (v.phone_verification_token) j["phone_verification_token"] = *v.phone_verification_token;
  return j;
}
Json encode(const BusinessList& v) {
  Json a = Json::array();
  for (const auto& o : v.orders) a.push_back(encode(o));
  return {{"orders", a}};
}
Json encode(const HealthItem& v) {
  return {{"part", v.part}, {"status", v.status}, {"detail", v.detail}};
}
Json encode(const Heartbeat& v) {
  Json h = Json::array();
  for (const auto& i : v.health) h.push_back(encode(i));
  return {{"software_version", v.software_version}, {"config_version", v.config_version}, {"health", h}};
}
Json encode(const HeartbeatAck& v) {
  return {{"kiosk_id", v.kiosk_id}, {"server_time", v.server_time}, {"config_version", v.config_version}};
}
Json encode(const SignedConfig& v) {
  return {{"payload", v.payload},
          {"signature", foundation::base64_encode(v.signature)},
          {"algorithm", v.algorithm}};
}
Json encode(const KioskConfigPayload& v) {
  return {{"version", v.version}, {"expires_at", v.expires_at}, {"endpoints", v.endpoints}};
}
Json encode(const ApiError& v) {
  Json j = {{"code", v.code}, {"message_key", v.message_key}, {"detail", v.detail}};
  if (v.retry_after_s) j["retry_after_s"] = *v.retry_after_s;
  return j;
}

// ---- decode

bool decode(const Json& j, Project& out, std::string& why) {
  Reader r(j, why);
  r.str("id", out.id);
  r.str("display_name", out.display_name);
  return r.ok();
}
bool decode(const Json& j, Brand& out, std::string& why) {
  Reader r(j, why);
  r.str("id", out.id);
  r.str("display_name", out.display_name);
  r.str("manufacturer", out.manufacturer);
  r.str("model", out.model);
  r.str("module_hint", out.module_hint, false);
  return r.ok();
}
bool decode(const Json& j, Product& out, std::string& why) {
  Reader r(j, why);
  r.str("id", out.id);
  r.str("display_name", out.display_name);
  r.str("project", out.project);
  r.str("brand", out.brand);
  r.str("business", out.business);
  r.integer("price_fen_per_year", out.price_fen_per_year, 0, 100'000'000);
  r.list("allowed_years", out.allowed_years);
  if (r.ok() && out.allowed_years.empty()) r.fail("allowed_years", "must not be empty");
  for (int y : out.allowed_years)
    if (r.ok() && (y < 1 || y > 10)) r.fail("allowed_years", "each from 1 to 10");
  r.enumeration("key_algorithm", out.key_algorithm);
  if (const Json* w = r.field("renewal_window", true)) {
    Reader rw(*w, why, "renewal_window");
    rw.integer("days_before", out.renewal_days_before, 0, 3650);
    rw.integer("days_after", out.renewal_days_after, 0, 3650);
    if (!rw.ok()) return false;
  }
  r.enumeration("old_key_policy", out.old_key_policy);
  r.str("picture", out.picture, false);
  return r.ok();
}
bool decode(const Json& j, Catalog& out, std::string& why) {
  Reader r(j, why);
  r.str("version", out.version);
  r.list("projects", out.projects);
  r.list("brands", out.brands);
  r.list("products", out.products);
  return r.ok();
}
bool decode(const Json& j, SmsSendRequest& out, std::string& why) {
  Reader r(j, why);
  r.str("phone", out.phone, true, 32);
  r.enumeration("purpose", out.purpose);
  return r.ok();
}
bool decode(const Json& j, SmsSent& out, std::string& why) {
  Reader r(j, why);
  r.integer("resend_after_s", out.resend_after_s, 0, 86400);
  r.integer("code_length", out.code_length, 4, 8);
  r.integer("expires_in_s", out.expires_in_s, 0, 86400);
  return r.ok();
}
bool decode(const Json& j, SmsVerified& out, std::string& why) {
  Reader r(j, why);
  r.str("verification_token", out.verification_token, true, 256);
  r.time("expires_at", out.expires_at);
  return r.ok();
}
bool decode(const Json& j, TokenIdentity& out, std::string& why) {
  Reader r(j, why);
  r.str("manufacturer", out.manufacturer, true, 64);
  r.str("model", out.model, true, 64);
  r.str("serial", out.serial, true, 64);
  return r.ok();
}
bool decode(const Json& j, OrderCreateRequest& out, std::string& why) {
  Reader r(j, why);
  r.str("product_id", out.product_id, true, 128);
  r.integer("years", out.years, 1, 10);
  r.str("verification_token", out.verification_token, true, 256);
  r.bytes("old_certificate", out.old_certificate, 1);
  r.object("token", out.token);
  r.opt_str("fapiao_title", out.fapiao_title, 200);
  r.opt_str("fapiao_tax_number", out.fapiao_tax_number, 64);
  return r.ok();
}
bool decode(const Json& j, Order& out, std::string& why) {
  Reader r(j, why);
  r.str("id", out.id, true, 128);
  r.str("product_id", out.product_id, true, 128);
  r.integer("years", out.years, 1, 10);
  r.integer("amount_fen", out.amount_fen, 0, 1'000'000'000);
  r.enumeration("status", out.status);
  r.time("created_at", out.created_at);
  r.time("expires_at", out.expires_at);
  r.opt_time("paid_at", out.paid_at);
  r.str("code_url", out.code_url, true, 512);
  r.str("old_cert_sha256", out.old_cert_sha256, true, 64);
  r.object("token", out.token);
  r.opt_str("needs_staff_reason", out.needs_staff_reason, 256);
  r.opt_str("needs_staff_next_step", out.needs_staff_next_step, 256);
  r.opt_bytes("certificate", out.certificate);
  r.opt_str("fapiao_title", out.fapiao_title, 200);
  r.opt_str("fapiao_tax_number", out.fapiao_tax_number, 64);
  return r.ok();
}
bool decode(const Json& j, NeedsStaffRequest& out, std::string& why) {
  Reader r(j, why);
  r.str("reason", out.reason, true, 64);
  r.str("detail", out.detail, false, 1024);
  if (r.ok() && !is_code_shaped(out.reason)) r.fail("reason", "1-64 of a-z 0-9 _ .");
  return r.ok();
}
bool decode(const Json& j, RenewalNonce& out, std::string& why) {
  Reader r(j, why);
  r.str("order_id", out.order_id, true, 128);
  r.bytes("nonce", out.nonce, 16, 64);
  r.time("expires_at", out.expires_at);
  return r.ok();
}
bool decode(const Json& j, RenewalSubmitRequest& out, std::string& why) {
  Reader r(j, why);
  r.bytes("p10", out.p10, 1);
  r.bytes("proof", out.proof, 1, 1024);
  return r.ok();
}
bool decode(const Json& j, IssuedCertificate& out, std::string& why) {
  Reader r(j, why);
  r.str("order_id", out.order_id, true, 128);
  r.bytes("certificate", out.certificate, 1);
  r.list("chain", out.chain);
  r.time("not_before", out.not_before);
  r.time("not_after", out.not_after);
  r.str("serial", out.serial, true, 128);
  r.opt_bytes("encryption_certificate", out.encryption_certificate);
  r.opt_bytes("encryption_private_key", out.encryption_private_key);
  return r.ok();
}
bool decode(const Json& j, Session& out, std::string& why) {
  Reader r(j, why);
  r.str("token", out.token, true, 256);
  r.time("expires_at", out.expires_at);
  r.boolean("must_change_password", out.must_change_password);
  r.str("account_id", out.account_id, true, 128);
  return r.ok();
}
bool decode(const Json& j, Profile& out, std::string& why) {
  Reader r(j, why);
  r.str("account_id", out.account_id, true, 128);
  r.str("username", out.username, true, 256);
  r.str("member_level", out.member_level, true, 64);
  r.str("real_name", out.real_name, true, 256);
  r.str("phone", out.phone, true, 32);
  r.str("email", out.email, true, 256);
  r.time("registered_at", out.registered_at);
  return r.ok();
}
bool decode(const Json& j, ProfileUpdate& out, std::string& why) {
  Reader r(j, why);
  r.opt_str("real_name", out.real_name, 256);
  r.opt_str("email", out.email, 256);
  r.opt_str("new_phone", out.new_phone, 32);
  r.opt_str("phone_verification_token", out.phone_verification_token, 256);
  return r.ok();
}
bool decode(const Json& j, BusinessList& out, std::string& why) {
  Reader r(j, why);
  r.list("orders", out.orders);
  return r.ok();
}
bool decode(const Json& j, HealthItem& out, std::string& why) {
  Reader r(j, why);
  r.str("part", out.part, true, 64);
  r.str("status", out.status, true, 32);
  r.str("detail", out.detail, false, 1024);
  return r.ok();
}
bool decode(const Json& j, Heartbeat& out, std::string& why) {
  Reader r(j, why);
  r.str("software_version", out.software_version, true, 64);
  r.integer("config_version", out.config_version, 0, std::numeric_limits<std::int64_t>::max());
  r.list("health", out.health, false);
  return r.ok();
}
bool decode(const Json& j, HeartbeatAck& out, std::string& why) {
  Reader r(j, why);
  r.str("kiosk_id", out.kiosk_id, true, 64);
  r.time("server_time", out.server_time);
  r.integer("config_version", out.config_version, 0, std::numeric_limits<std::int64_t>::max());
  return r.ok();
}
bool decode(const Json& j, SignedConfig& out, std::string& why) {
  Reader r(j, why);
  r.str("payload", out.payload, true, 16 * 1024);
  r.bytes("signature", out.signature, 8, 512);
  r.str("algorithm", out.algorithm, true, 64);
  return r.ok();
}
bool decode(const Json& j, KioskConfigPayload& out, std::string& why) {
  Reader r(j, why);
  r.integer("version", out.version, 0, std::numeric_limits<std::int64_t>::max());
  r.time("expires_at", out.expires_at);
  if (const Json* e = r.field("endpoints", true)) {
    if (!e->is_object() || e->size() > 64) {
      r.fail("endpoints", "must be an object of strings");
    } else {
      out.endpoints.clear();
      for (const auto& [k, v] : e->items()) {
        if (!v.is_string() || k.size() > 64 || v.get_ref<const std::string&>().size() > 1024) {
          r.fail("endpoints", "must be an object of strings");
          break;
        }
        out.endpoints[k] = v.get<std::string>();
      }
    }
  }
  return r.ok();
}
bool decode(const Json& j, ApiError& out, std::string& why) {
  Reader r(j, why);
  r.str("code", out.code, true, 64);
  r.str("message_key", out.message_key, true, 128);
  r.str("detail", out.detail, false, 4096);
  std::optional<UnixTime> retry;
  r.opt_time("retry_after_s", retry);
  if (r.ok() && retry) out.retry_after_s = static_cast<int>(std::min<UnixTime>(*retry, 86400 * 366));
  return r.ok();
}

ApiError decode_error_body(int http_status, std::string_view body) {
  ApiError e;
  e.http_status = http_status;
  ApiError parsed;
  std::string why;
  if (body.size() <= 64 * 1024 && decode_text(body, parsed, why)) {
    if (is_code_shaped(parsed.code)) e.code = parsed.code;
    if (parsed.message_key.starts_with("error.platform.") && is_code_shaped(parsed.message_key))
      e.message_key = parsed.message_key;
    e.detail = parsed.detail.substr(0, 512);
    e.retry_after_s = parsed.retry_after_s;
  }
  if (e.message_key.empty()) {
    if (!e.code.empty())
      e.message_key = message_key_for(e.code);
    else
      e.message_key = std::string(http_status >= 500 ? key::kServerError : key::kHttp);
  }
  return e;
}

}  // namespace contract
