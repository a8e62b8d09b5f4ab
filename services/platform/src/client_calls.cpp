// One typed function per endpoint of the platform (services/platform/openapi.yaml, docs/platform.md).
#include "client_impl.hpp"

namespace platform {

namespace {
Result<std::string> order_path(std::string_view id, std::string_view tail = {}) {
  if (!segment_valid(id))
    return std::unexpected(make_error(ErrorKind::Config, "order id: 1-64 of A-Z a-z 0-9 - _"));
  return "orders/" + std::string(id) + std::string(tail);
}
}  // namespace

Result<contract::Catalog> Client::catalog() {
  return impl_->get<contract::Catalog>("catalog");
}

Result<contract::SmsSent> Client::sms_send(const contract::SmsSendRequest& r, std::string_view key) {
  return impl_->send<contract::SmsSent>("POST", "sms/send", contract::encode(r), key);
}

Result<contract::SmsVerified> Client::sms_verify(std::string_view phone, contract::SmsPurpose purpose,
                                                 std::string_view code, std::string_view key) {
  Json j = {{"phone", phone}, {"purpose", contract::to_string(purpose)}, {"code", code}};
  foundation::SecretBuffer body;
  dump_secret_body(j, {"code"}, body);
  return impl_->send_secret<contract::SmsVerified>("sms/verify", body, key);
}

Result<contract::Order> Client::order_create(const contract::OrderCreateRequest& r, std::string_view key) {
  return impl_->send<contract::Order>("POST", "orders", contract::encode(r), key);
}

Result<contract::Order> Client::order_get(std::string_view id) {
  auto p = order_path(id);
  if (!p) return std::unexpected(p.error());
  return impl_->get<contract::Order>(*p);
}

Result<contract::Order> Client::order_wait(std::string_view id, contract::OrderStatus since,
                                           std::chrono::seconds wait) {
  long w = std::clamp<long>(static_cast<long>(wait.count()), 0, 60);
  auto p = order_path(id, "?wait=" + std::to_string(w) + "&since=" + std::string(contract::to_string(since)));
  if (!p) return std::unexpected(p.error());
  return impl_->get<contract::Order>(*p, {}, w);
}

Result<contract::Order> Client::order_close(std::string_view id, std::string_view key) {
  auto p = order_path(id, "/close");
  if (!p) return std::unexpected(p.error());
  return impl_->send<contract::Order>("POST", *p, Json::object(), key);
}

Result<contract::Order> Client::order_needs_staff(std::string_view id, const contract::NeedsStaffRequest& r,
                                                  std::string_view key) {
  auto p = order_path(id, "/needs-staff");
  if (!p) return std::unexpected(p.error());
  return impl_->send<contract::Order>("POST", *p, contract::encode(r), key);
}

Result<contract::RenewalNonce> Client::renewal_nonce(std::string_view id, std::string_view key) {
  auto p = order_path(id, "/renewal/nonce");
  if (!p) return std::unexpected(p.error());
  return impl_->send<contract::RenewalNonce>("POST", *p, Json::object(), key);
}

Result<contract::IssuedCertificate> Client::renewal_submit(std::string_view id,
                                                           const contract::RenewalSubmitRequest& r,
                                                           std::string_view key) {
  auto p = order_path(id, "/renewal/submit");
  if (!p) return std::unexpected(p.error());
  return impl_->send<contract::IssuedCertificate>("POST", *p, contract::encode(r), key);
}

Result<contract::IssuedCertificate> Client::certificate_get(std::string_view id) {
  auto p = order_path(id, "/certificate");
  if (!p) return std::unexpected(p.error());
  return impl_->get<contract::IssuedCertificate>(*p);
}

Result<contract::Order> Client::order_installed(std::string_view id, std::string_view key) {
  auto p = order_path(id, "/installed");
  if (!p) return std::unexpected(p.error());
  return impl_->send<contract::Order>("POST", *p, Json::object(), key);
}

Result<contract::Session> Client::login_password(std::string_view phone, std::string_view password,
                                                 std::optional<std::string_view> sms_code,
                                                 std::string_view kiosk_session, std::string_view key) {
  Json j = {{"phone", phone}, {"password", password}, {"kiosk_session", kiosk_session}};
  if (sms_code) j["sms_code"] = *sms_code;
  foundation::SecretBuffer body;
  dump_secret_body(j, {"password", "sms_code"}, body);
  return impl_->send_secret<contract::Session>("account/login/password", body, key);
}

Result<contract::Session> Client::login_sms(std::string_view phone, std::string_view code,
                                            std::string_view kiosk_session, std::string_view key) {
  Json j = {{"phone", phone}, {"code", code}, {"kiosk_session", kiosk_session}};
  foundation::SecretBuffer body;
  dump_secret_body(j, {"code"}, body);
  return impl_->send_secret<contract::Session>("account/login/sms", body, key);
}

Result<void> Client::logout(std::string_view session, std::string_view key) {
  return impl_->send_void("account/logout", "{}", key, session);
}

Result<contract::Profile> Client::profile(std::string_view session) {
  return impl_->get<contract::Profile>("account/profile", session);
}

Result<contract::Profile> Client::profile_update(std::string_view session, const contract::ProfileUpdate& u,
                                                 std::string_view key) {
  return impl_->send<contract::Profile>("PUT", "account/profile", contract::encode(u), key, session);
}

Result<void> Client::password_change(std::string_view session, std::string_view current,
                                     std::string_view next, std::string_view key) {
  Json j = {{"current", current}, {"new", next}};
  foundation::SecretBuffer body;
  dump_secret_body(j, {"current", "new"}, body);
  return impl_->send_void("account/password", body.reveal(), key, session);
}

Result<contract::BusinessList> Client::business(std::string_view session) {
  return impl_->get<contract::BusinessList>("account/business", session);
}

Result<contract::BusinessList> Client::orders_for_certificate(std::string_view old_cert_sha256) {
  // Hex only (checked by the platform too), so it needs no escaping in the query.
  return impl_->get<contract::BusinessList>("orders?old_cert_sha256=" + std::string(old_cert_sha256));
}

Result<contract::DiagnosticsReceipt> Client::upload_diagnostics(const contract::Json& bundle,
                                                                std::string_view key) {
  return impl_->send<contract::DiagnosticsReceipt>("POST", "kiosk/diagnostics", bundle, key);
}

Result<contract::HeartbeatAck> Client::heartbeat(const contract::Heartbeat& h, std::string_view key) {
  return impl_->send<contract::HeartbeatAck>("POST", "kiosk/heartbeat", contract::encode(h), key);
}

Result<contract::BusinessList> Client::kiosk_orders(bool unfinished_only) {
  return impl_->get<contract::BusinessList>(unfinished_only ? "kiosk/orders?unfinished=true"
                                                            : "kiosk/orders");
}

Result<contract::MaintenanceRedeemed> Client::maintenance_redeem(std::string_view staff,
                                                                 std::string_view code,
                                                                 std::string_view key) {
  Json j = {{"code", code}, {"staff", staff}};
  foundation::SecretBuffer body;
  dump_secret_body(j, {"code"}, body);
  return impl_->send_secret<contract::MaintenanceRedeemed>("kiosk/maintenance-codes/redeem", body, key);
}

Result<contract::StaffCrl> Client::kiosk_staff_crl() {
  return impl_->get<contract::StaffCrl>("kiosk/staff-crl");
}

Result<contract::SignedConfig> Client::kiosk_config() {
  return impl_->get<contract::SignedConfig>("kiosk/config");
}

Result<ConfigBundle> Client::kiosk_config_bundle(std::string_view if_none_match) {
  impl_->if_none_match = std::string(if_none_match);
  // Polls are minutes apart: kept alive, it would hold a platform thread idle (docs/benchmarks.md, "Fleet").
  impl_->close_after = true;
  auto raw = impl_->perform_once("GET", impl_->opt.base_url + "kiosk/config-bundle", std::nullopt, {}, {}, 0);
  impl_->if_none_match.clear();
  impl_->close_after = false;
  if (!raw) return std::unexpected(raw.error());
  ConfigBundle out;
  out.etag = impl_->etag;
  if (raw->status == 304) {
    out.not_modified = true;
    return out;
  }
  if (raw->status == 200) {
    out.body = std::move(raw->body);
    return out;
  }
  contract::ApiError api = contract::decode_error_body(static_cast<int>(raw->status), raw->body);
  return std::unexpected(
      Error{ErrorKind::Http, api.http_status, api.code, api.message_key, api.detail, api.retry_after_s, 1});
}

Result<Json> Client::call(std::string_view method, std::string_view path, const Json* body,
                          std::string_view key, std::string_view bearer) {
  std::string text;
  if (body) text = body->dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string m(method.empty() ? (body ? "POST" : "GET") : method);
  auto r = impl_->request(m, path, body ? std::optional<std::string_view>(text) : std::nullopt, key, bearer);
  if (!r) return std::unexpected(r.error());
  Json j;
  std::string why;
  if (r->empty()) return Json::object();
  if (!contract::parse_json_text(*r, j, why)) return std::unexpected(make_error(ErrorKind::Malformed, why));
  return j;
}

}  // namespace platform
