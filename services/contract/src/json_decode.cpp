#include <algorithm>

#include "contract/codes.hpp"
#include "contract/json.hpp"
#include "json_reader.hpp"

namespace contract {

using detail::Reader;

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
bool decode(const Json& j, OutOfServiceItem& out, std::string& why) {
  Reader r(j, why);
  r.str("source", out.source, true, 32);
  r.str("reason_key", out.reason_key, false, 128);
  r.str("detail", out.detail, false, 1024);
  return r.ok();
}
bool decode(const Json& j, AuditHead& out, std::string& why) {
  Reader r(j, why);
  r.integer("seq", out.seq, 0, std::numeric_limits<std::int64_t>::max());
  r.str("sha256", out.sha256, true, 64);
  return r.ok();
}
bool decode(const Json& j, Heartbeat& out, std::string& why) {
  Reader r(j, why);
  r.str("software_version", out.software_version, true, 64);
  r.integer("config_version", out.config_version, 0, std::numeric_limits<std::int64_t>::max());
  r.list("health", out.health, false);
  if (r.field("clock_skew_s", false)) {
    std::int64_t skew = 0;
    r.integer("clock_skew_s", skew, -Reader::kMaxTime, Reader::kMaxTime);
    out.clock_skew_s = skew;
  }
  r.integer("outbox_pending", out.outbox_pending, 0, 1'000'000'000, false);
  r.list("out_of_service", out.out_of_service, false);
  if (r.field("config_state", false)) {
    HeartbeatConfig& c = out.config.emplace();
    c.version = out.config_version;
    r.str("config_state", c.state, true, 32);
    r.str("config_state_detail", c.detail, false, 1024);
    r.str("config_code", c.code, false, 64);
    r.str("config_sha256", c.sha256, false, 64);
    r.integer("config_expires_at", c.expires_at, 0, Reader::kMaxTime, false);
    r.boolean("config_expired", c.expired, false);
    r.integer("config_pending_version", c.pending_version, 0, std::numeric_limits<std::int64_t>::max(), false);
  }
  if (r.field("pending_business", false))
    r.integer("pending_business", out.pending_business.emplace(), 0, 1'000'000'000);
  if (r.field("audit_head", false)) r.object("audit_head", out.audit_head.emplace(), false);
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
bool decode(const Json& j, MaintenanceRedeemed& out, std::string& why) {
  Reader r(j, why);
  r.str("staff", out.staff, true, 128);
  r.str("kiosk_id", out.kiosk_id, true, 64);
  return r.ok();
}
bool decode(const Json& j, StaffCrl& out, std::string& why) {
  Reader r(j, why);
  r.bytes("crl", out.crl, 16, 4 << 20);
  return r.ok();
}
bool decode(const Json& j, DiagnosticsReceipt& out, std::string& why) {
  Reader r(j, why);
  r.str("id", out.id, true, 64);
  r.time("received_at", out.received_at);
  r.integer("bytes", out.bytes, 0, static_cast<std::int64_t>(kMaxDiagnosticsBytes));
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
