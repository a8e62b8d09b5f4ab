#include "platform/dev.hpp"

#include "contract/codes.hpp"
#include "foundation/base64.hpp"

namespace platform::dev {

using contract::Json;

namespace {

Error malformed(std::string why) {
  Error e;
  e.kind = ErrorKind::Malformed;
  e.message_key = contract::key::kMalformed;
  e.detail = std::move(why);
  return e;
}

Result<contract::UnixTime> clock_of(Result<Json> r) {
  if (!r) return std::unexpected(r.error());
  if (!r->contains("now") || !(*r)["now"].is_number_integer())
    return std::unexpected(malformed("dev/clock: no now"));
  return (*r)["now"].get<contract::UnixTime>();
}

Result<void> ok(Result<Json> r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

std::string str(const Json& j, const char* k) {
  return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
}
std::int64_t num(const Json& j, const char* k) {
  return j.contains(k) && j[k].is_number_integer() ? j[k].get<std::int64_t>() : 0;
}

}  // namespace

Result<contract::UnixTime> set_clock(Client& c, contract::UnixTime now) {
  Json b = {{"now", now}};
  return clock_of(c.call("POST", "dev/clock", &b));
}
Result<contract::UnixTime> freeze_clock(Client& c, contract::UnixTime now) {
  Json b = {{"now", now}, {"freeze", true}};
  return clock_of(c.call("POST", "dev/clock", &b));
}
Result<contract::UnixTime> advance_clock(Client& c, std::int64_t seconds) {
  Json b = {{"advance_s", seconds}};
  return clock_of(c.call("POST", "dev/clock", &b));
}
Result<contract::UnixTime> reset_clock(Client& c) {
  Json b = {{"reset", true}};
  return clock_of(c.call("POST", "dev/clock", &b));
}
Result<void> add_test_phone(Client& c, std::string_view phone) {
  Json b = {{"phone", phone}};
  return ok(c.call("POST", "dev/test-phones", &b));
}

Result<std::vector<SmsMessage>> sms_outbox(Client& c, std::string_view phone) {
  auto r = c.call(
      "GET", phone.empty() ? std::string("dev/sms-outbox") : "dev/sms-outbox?phone=" + std::string(phone),
      nullptr);
  if (!r) return std::unexpected(r.error());
  if (!r->contains("messages") || !(*r)["messages"].is_array())
    return std::unexpected(malformed("dev/sms-outbox"));
  std::vector<SmsMessage> out;
  for (const auto& m : (*r)["messages"])
    out.push_back({str(m, "phone"), str(m, "purpose"), str(m, "code"), num(m, "at")});
  return out;
}

Result<std::string> last_code(Client& c, std::string_view phone, contract::SmsPurpose purpose) {
  auto box = sms_outbox(c, phone);
  if (!box) return std::unexpected(box.error());
  for (auto it = box->rbegin(); it != box->rend(); ++it)
    if (it->purpose == contract::to_string(purpose)) return it->code;
  return std::unexpected(malformed("no SMS for this phone and purpose"));
}

namespace {
Result<contract::Order> order_call(Client& c, const std::string& path) {
  auto r = c.call("POST", path, nullptr);
  if (!r) return std::unexpected(r.error());
  contract::Order o;
  std::string why;
  if (!contract::decode(*r, o, why)) return std::unexpected(malformed(why));
  return o;
}
}  // namespace

Result<contract::Order> pay(Client& c, std::string_view order_id) {
  return order_call(c, "dev/orders/" + std::string(order_id) + "/pay");
}
Result<contract::Order> request_refund(Client& c, std::string_view order_id) {
  return order_call(c, "dev/orders/" + std::string(order_id) + "/refund");
}

Result<SeededCertificate> seed_certificate(Client& c, const SeedRequest& s) {
  Json b = {{"public_key", s.public_key},
            {"project", s.project},
            {"brand", s.brand},
            {"not_before", s.not_before},
            {"not_after", s.not_after}};
  if (!s.subject_der.empty()) {
    b["subject_der"] = foundation::base64_encode(s.subject_der);
  } else {
    Json subj = Json::object();
    if (!s.country.empty()) subj["C"] = s.country;
    if (!s.org.empty()) subj["O"] = s.org;
    if (!s.org_unit.empty()) subj["OU"] = s.org_unit;
    if (!s.common_name.empty()) subj["CN"] = s.common_name;
    b["subject"] = subj;
  }
  auto r = c.call("POST", "dev/certificates", &b);
  if (!r) return std::unexpected(r.error());
  SeededCertificate out;
  auto der = foundation::base64_decode(str(*r, "certificate"));
  if (!der || der->empty()) return std::unexpected(malformed("dev/certificates: no certificate"));
  out.certificate = std::move(*der);
  out.serial = str(*r, "serial");
  out.sha256 = str(*r, "sha256");
  if (r->contains("chain") && (*r)["chain"].is_array() && !(*r)["chain"].empty() &&
      (*r)["chain"][0].is_string())
    if (auto ca = foundation::base64_decode((*r)["chain"][0].get<std::string>()))
      out.issuing_ca = std::move(*ca);
  return out;
}

Result<void> revoke(Client& c, std::string_view serial) {
  return ok(c.call("POST", "dev/certificates/" + std::string(serial) + "/revoke", nullptr));
}

Result<SeededCertificate> staff_key(Client& c, const StaffKeyRequest& s) {
  Json b = {{"public_key", s.public_key}, {"common_name", s.common_name}, {"role_oid", s.role_oid},
            {"scopes", s.scopes},         {"not_before", s.not_before},   {"not_after", s.not_after}};
  auto r = c.call("POST", "dev/staff-keys", &b);
  if (!r) return std::unexpected(r.error());
  SeededCertificate out;
  auto der = foundation::base64_decode(str(*r, "certificate"));
  if (!der || der->empty()) return std::unexpected(malformed("dev/staff-keys: no certificate"));
  out.certificate = std::move(*der);
  out.serial = str(*r, "serial");
  out.sha256 = str(*r, "sha256");
  return out;
}

Result<void> revoke_staff_key(Client& c, std::string_view serial) {
  return ok(c.call("POST", "dev/staff-keys/" + std::string(serial) + "/revoke", nullptr));
}

Result<void> set_fault(Client& c, std::string_view endpoint, std::string_view mode, int count, int delay_ms) {
  Json b = {{"endpoint", endpoint}, {"mode", mode}, {"count", count}, {"delay_ms", delay_ms}};
  return ok(c.call("POST", "dev/faults", &b));
}
Result<void> clear_faults(Client& c) {
  return ok(c.call("DELETE", "dev/faults", nullptr));
}

Result<Records> records(Client& c, std::string_view fp) {
  auto r = c.call("GET",
                  fp.empty() ? std::string("dev/records") : "dev/records?old_cert_sha256=" + std::string(fp),
                  nullptr);
  if (!r) return std::unexpected(r.error());
  if (!r->contains("orders") || !(*r)["orders"].is_array()) return std::unexpected(malformed("dev/records"));
  Records out;
  for (const auto& o : (*r)["orders"])
    out.orders.push_back({str(o, "id"), str(o, "status"), str(o, "old_cert_sha256"), str(o, "account_id"),
                          str(o, "kiosk_id"), num(o, "amount_fen"), static_cast<int>(num(o, "issuances")),
                          static_cast<int>(num(o, "payments")), static_cast<int>(num(o, "needs_staff_marks")),
                          static_cast<int>(num(o, "installed_marks"))});
  if ((*r).contains("issuances") && (*r)["issuances"].is_array())
    out.issuances = static_cast<int>((*r)["issuances"].size());
  if ((*r).contains("payments") && (*r)["payments"].is_array())
    out.payments = static_cast<int>((*r)["payments"].size());
  return out;
}

Result<std::vector<KioskHeartbeat>> heartbeats(Client& c) {
  auto r = c.call("GET", "dev/heartbeats", nullptr);
  if (!r) return std::unexpected(r.error());
  if (!r->contains("heartbeats") || !(*r)["heartbeats"].is_array())
    return std::unexpected(malformed("dev/heartbeats"));
  std::vector<KioskHeartbeat> out;
  for (const auto& h : (*r)["heartbeats"]) {
    KioskHeartbeat k{str(h, "kiosk_id"), num(h, "at"), {}};
    std::string why;
    if (!h.contains("heartbeat") || !contract::decode(h["heartbeat"], k.heartbeat, why))
      return std::unexpected(malformed("dev/heartbeats: " + why));
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace platform::dev
