#include <optional>

#include "contract/json.hpp"
#include "foundation/base64.hpp"

namespace contract {
namespace {

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
Json opt_b64(const std::optional<Bytes>& v) {
  return v ? Json(foundation::base64_encode(*v)) : Json(nullptr);
}

}  // namespace

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
Json encode(const OutOfServiceItem& v) {
  return {{"source", v.source}, {"reason_key", v.reason_key}, {"detail", v.detail}};
}
Json encode(const Heartbeat& v) {
  Json h = Json::array();
  for (const auto& i : v.health) h.push_back(encode(i));
  Json oos = Json::array();
  for (const auto& i : v.out_of_service) oos.push_back(encode(i));
  Json j = {{"software_version", v.software_version},
            {"config_version", v.config_version},
            {"health", h},
            {"outbox_pending", v.outbox_pending},
            {"out_of_service", oos}};
  if (v.clock_skew_s) j["clock_skew_s"] = *v.clock_skew_s;
  if (v.config) {
    // Beside config_version, flat (the fleet console reads config_state and config_state_detail).
    j["config_state"] = v.config->state;
    j["config_state_detail"] = v.config->detail;
    j["config_code"] = v.config->code;
    j["config_sha256"] = v.config->sha256;
    j["config_expires_at"] = v.config->expires_at;
    j["config_expired"] = v.config->expired;
    j["config_pending_version"] = v.config->pending_version;
  }
  if (v.pending_business) j["pending_business"] = *v.pending_business;
  if (v.audit_head) j["audit_head"] = {{"seq", v.audit_head->seq}, {"sha256", v.audit_head->sha256}};
  return j;
}
Json encode(const HeartbeatAck& v) {
  return {{"kiosk_id", v.kiosk_id}, {"server_time", v.server_time}, {"config_version", v.config_version}};
}
Json encode(const SignedConfig& v) {
  return {{"payload", v.payload},
          {"signature", foundation::base64_encode(v.signature)},
          {"algorithm", v.algorithm}};
}
Json encode(const MaintenanceRedeemed& v) {
  return {{"staff", v.staff}, {"kiosk_id", v.kiosk_id}};
}
Json encode(const StaffCrl& v) {
  return {{"crl", foundation::base64_encode(v.crl)}};
}
Json encode(const DiagnosticsReceipt& v) {
  return {{"id", v.id}, {"received_at", v.received_at}, {"bytes", v.bytes}};
}
Json encode(const KioskConfigPayload& v) {
  return {{"version", v.version}, {"expires_at", v.expires_at}, {"endpoints", v.endpoints}};
}
Json encode(const ApiError& v) {
  Json j = {{"code", v.code}, {"message_key", v.message_key}, {"detail", v.detail}};
  if (v.retry_after_s) j["retry_after_s"] = *v.retry_after_s;
  return j;
}

}  // namespace contract
