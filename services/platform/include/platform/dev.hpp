// Helpers for the reference platform's dev-only endpoints (/v1/dev/..., served only with --dev): tests,
// benchmarks, the demo and staff tools. A production platform answers 404 (Http request.not_found).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/client.hpp"

namespace platform::dev {

// POST dev/clock: the platform's clock (orders, SMS, certificates use it).
Result<contract::UnixTime> set_clock(Client& c, contract::UnixTime now);
// The clock stands still at `now` (advance_clock moves it) until reset_clock.
Result<contract::UnixTime> freeze_clock(Client& c, contract::UnixTime now);
Result<contract::UnixTime> advance_clock(Client& c, std::int64_t seconds);
Result<contract::UnixTime> reset_clock(Client& c);
// POST dev/test-phones: exempt a phone from SMS limits.
Result<void> add_test_phone(Client& c, std::string_view phone);

struct SmsMessage {
  std::string phone, purpose, code;
  contract::UnixTime at = 0;
};
// GET dev/sms-outbox?phone=: the SMS sent, oldest first (last 100).
Result<std::vector<SmsMessage>> sms_outbox(Client& c, std::string_view phone = {});
// The newest code sent to `phone` for `purpose`; Http request.not_found-like Malformed error when none.
Result<std::string> last_code(Client& c, std::string_view phone, contract::SmsPurpose purpose);

// POST dev/orders/{id}/pay: "scan and pay". Http: order.already_paid, order.expired, order.closed.
Result<contract::Order> pay(Client& c, std::string_view order_id);
// POST dev/orders/{id}/refund: staff's refund request for a paid or needs_staff order → refund_requested.
Result<contract::Order> request_refund(Client& c, std::string_view order_id);

struct SeedRequest {
  contract::Bytes subject_der;  // or the fields below when empty
  std::string country = "CN", org, org_unit, common_name;
  std::string public_key;      // PEM text, or base64 DER SubjectPublicKeyInfo
  std::string project, brand;  // catalog ids
  contract::UnixTime not_before = 0, not_after = 0;
};
struct SeededCertificate {
  contract::Bytes certificate;  // DER, issued by the issuing CA
  std::string serial;           // hex
  std::string sha256;           // hex fingerprint
  contract::Bytes issuing_ca;   // DER
};
// POST dev/certificates: a customer certificate recorded with project and brand.
Result<SeededCertificate> seed_certificate(Client& c, const SeedRequest& r);
// POST dev/certificates/{serial}/revoke.
Result<void> revoke(Client& c, std::string_view serial);

// POST dev/staff-keys: a staff certificate from the platform's throwaway staff CA (its CRL written again).
struct StaffKeyRequest {
  std::string public_key;  // base64 DER SubjectPublicKeyInfo
  std::string common_name;
  std::string role_oid;
  std::vector<std::string> scopes;  // "hall:H1"
  contract::UnixTime not_before = 0, not_after = 0;
};
Result<SeededCertificate> staff_key(Client& c, const StaffKeyRequest& r);
// POST dev/staff-keys/{serial}/revoke.
Result<void> revoke_staff_key(Client& c, std::string_view serial);

// POST dev/faults: for `endpoint` (an operation name: "orders.create", "renewal.submit", ...), the next
// `count` calls: mode "fail" → 503 dev.fault_injected before committing; "drop" → commit, then the
// connection is closed without an answer; "delay" → wait delay_ms first; "throw" → the handler throws
// mid-transaction (500 server.internal, and the platform logs it).
Result<void> set_fault(Client& c, std::string_view endpoint, std::string_view mode, int count = 1,
                       int delay_ms = 0);
// DELETE dev/faults.
Result<void> clear_faults(Client& c);

struct OrderRecord {
  std::string id, status, old_cert_sha256, account_id, kiosk_id;
  std::int64_t amount_fen = 0;
  int issuances = 0, payments = 0;
  // How many times the order really became needs_staff / installed (a repeated message answered by the
  // order's state or by its idempotency key changes nothing and is not counted).
  int needs_staff_marks = 0, installed_marks = 0;
};
struct Records {
  std::vector<OrderRecord> orders;
  int issuances = 0;  // certificates issued (for the filter)
  int payments = 0;   // payments recorded (for the filter)
};
// GET dev/records[?old_cert_sha256=]: what the invariants need (orders per renewal, issuances, payments).
Result<Records> records(Client& c, std::string_view old_cert_sha256 = {});

struct KioskHeartbeat {
  std::string kiosk_id;
  contract::UnixTime at = 0;  // when the platform received it (its clock)
  contract::Heartbeat heartbeat;
};
// GET dev/heartbeats: the last heartbeat of every kiosk, newest first.
Result<std::vector<KioskHeartbeat>> heartbeats(Client& c);

}  // namespace platform::dev
