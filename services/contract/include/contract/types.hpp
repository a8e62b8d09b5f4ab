// The platform API's types (contract version v1; services/platform/openapi.yaml is the written form).
// Both the kiosk's client and the reference platform use exactly these, through json.hpp's mapping.
//
// Conventions: times are UNIX seconds (UTC) as JSON integers; binary fields (DER, nonces, signatures)
// are base64 strings; fingerprints are lower-case hex SHA-256; money is an integer number of fen
// (¥1 = 100 fen). The kiosk never sends a price.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/key.hpp"
#include "domain/token_identity.hpp"
#include "foundation/bytes.hpp"

namespace contract {

using Bytes = foundation::Bytes;

using UnixTime = std::int64_t;

inline constexpr std::string_view kApiVersion = "v1";

enum class SmsPurpose { Renewal, Login, ChangePhone };
enum class OrderStatus {
  PendingPayment,   // created, waiting for the customer to pay (¥0 orders skip this)
  Paid,             // money received; renewal may start
  Issued,           // the new certificate exists; the kiosk still has to install it
  Installed,        // done: the certificate is on the key and verified
  Closed,           // closed before payment
  Expired,          // not paid in time (10 minutes)
  NeedsStaff,       // paid, cannot be finished at a kiosk: the customer goes to the counter
  RefundRequested,  // staff asked for the money back
};

std::string_view to_string(SmsPurpose v);
std::string_view to_string(OrderStatus v);
// Each returns false (and leaves `out` alone) for an unknown name.
bool parse(std::string_view s, SmsPurpose& out);
bool parse(std::string_view s, OrderStatus& out);

// True for the states a business can still move on from at a kiosk (继续操作): paid, issued.
bool is_unfinished(OrderStatus s);
// True for states after which the money is with the platform: paid, issued, installed, needs_staff,
// refund_requested.
bool is_paid_or_later(OrderStatus s);

// ---- catalog: GET /v1/catalog

struct Project {
  std::string id;            // "gov-procurement"
  std::string display_name;  // "政府采购项目"
};

struct Brand {
  std::string id;            // "haitai"
  std::string display_name;  // "海泰KEY"
  std::string manufacturer;  // CK_TOKEN_INFO.manufacturerID, trimmed ("Haitai")
  std::string model;         // CK_TOKEN_INFO.model, trimmed ("HaiKey")
  std::string module_hint;   // the vendor's PKCS#11 library file name, for staff
};

struct Product {
  std::string id;            // "gov-procurement-haitai-renew"
  std::string display_name;  // "政府采购项目 - 海泰KEY - 续费"
  std::string project;       // Project::id
  std::string brand;         // Brand::id
  std::string business = "renew";
  std::int64_t price_fen_per_year = 0;
  std::vector<int> allowed_years;  // e.g. {1, 2, 3}
  domain::KeyAlgorithm key_algorithm = domain::KeyAlgorithm::EcP256;
  int renewal_days_before = 90;  // the window opens this many days before the old notAfter
  int renewal_days_after = 365;  // and closes this many days after it
  domain::OldKeyPolicy old_key_policy = domain::OldKeyPolicy::Keep;
  std::string picture;  // asset name, e.g. "products/haitai-key.png"
};

struct Catalog {
  std::string version;
  std::vector<Project> projects;
  std::vector<Brand> brands;
  std::vector<Product> products;

  [[nodiscard]] const Project* project(std::string_view id) const;
  [[nodiscard]] const Brand* brand(std::string_view id) const;
  [[nodiscard]] const Product* product(std::string_view id) const;
};

// ---- SMS: POST /v1/sms/send, POST /v1/sms/verify

struct SmsSendRequest {
  std::string phone;  // 11 digits, mainland mobile (1[3-9]xxxxxxxxx)
  SmsPurpose purpose = SmsPurpose::Renewal;
};

// The same answer whether or not the phone belongs to an account.
struct SmsSent {
  int resend_after_s = 60;
  int code_length = 6;
  int expires_in_s = 300;
};

// The request body {phone, purpose, code} carries a secret; the client builds it itself.
struct SmsVerified {
  std::string verification_token;  // proves the phone for `purpose` until expires_at
  UnixTime expires_at = 0;
};

// ---- orders

using TokenIdentity = domain::TokenIdentity;

struct OrderCreateRequest {
  std::string product_id;
  int years = 1;
  std::string verification_token;  // from /v1/sms/verify with purpose "renewal"
  Bytes old_certificate;           // DER of the certificate being renewed
  TokenIdentity token;
  std::optional<std::string> fapiao_title;       // reserved: e-invoice title
  std::optional<std::string> fapiao_tax_number;  // reserved: e-invoice tax number
};

struct Order {
  std::string id;
  std::string product_id;
  int years = 1;
  std::int64_t amount_fen = 0;
  OrderStatus status = OrderStatus::PendingPayment;
  UnixTime created_at = 0;
  UnixTime expires_at = 0;  // payment deadline (pending_payment only)
  std::optional<UnixTime> paid_at;
  std::string code_url;                              // weixin://wxpay/bizpayurl?pr=... (empty for ¥0)
  std::string old_cert_sha256;                       // hex SHA-256 of the bound certificate's DER
  TokenIdentity token;                               // the key the order is bound to
  std::optional<std::string> needs_staff_reason;     // machine reason given by the kiosk
  std::optional<std::string> needs_staff_next_step;  // message key: what the customer does next
  std::optional<Bytes> certificate;                  // the issued certificate's DER, once issued
  std::optional<std::string> fapiao_title;
  std::optional<std::string> fapiao_tax_number;
};

struct NeedsStaffRequest {
  std::string reason;  // machine reason, e.g. "pin_locked", "token_full", "platform_refused"
  std::string detail;  // free text for staff (no secrets)
};

// ---- renewal

struct RenewalNonce {
  std::string order_id;
  Bytes nonce;  // 16–64 bytes; goes into the renewal proof
  UnixTime expires_at = 0;
};

struct RenewalSubmitRequest {
  Bytes p10;    // DER PKCS#10, signed by the new key
  Bytes proof;  // old key's signature over the renewal-proof DER (see openapi.yaml)
};

struct IssuedCertificate {
  std::string order_id;
  Bytes certificate;         // the new signing certificate (DER)
  std::vector<Bytes> chain;  // issuing CA first
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::string serial;                           // hex
  std::optional<Bytes> encryption_certificate;  // SM2 dual certificates: later; null now
  std::optional<Bytes> encryption_private_key;  // wrapped to the new signing key; null now
};

// ---- accounts

struct Session {
  std::string token;  // bearer token for Authorization: Bearer ...
  UnixTime expires_at = 0;
  bool must_change_password = false;  // every account call but password change and logout refused
  std::string account_id;
};

struct Profile {
  std::string account_id;
  std::string username;
  std::string member_level;  // "普通用户"
  std::string real_name;
  std::string phone;
  std::string email;
  UnixTime registered_at = 0;
};

struct ProfileUpdate {
  std::optional<std::string> real_name;
  std::optional<std::string> email;
  std::optional<std::string> new_phone;
  std::optional<std::string> phone_verification_token;  // /v1/sms/verify of new_phone, purpose change_phone
};

struct BusinessList {
  std::vector<Order> orders;  // newest first
};

// ---- kiosk

struct HealthItem {
  std::string part;    // "platform", "clock", "journal", "drivers" (the kiosk's service checks), ...
  std::string status;  // "ok", "degraded", "down", "unknown" (could not be judged this time)
  std::string detail;
};

// The kiosk is out of service by this source (docs/operations.md, "In service or not").
struct OutOfServiceItem {
  std::string source;      // "staff", "fleet", "hours", "automatic"
  std::string reason_key;  // what the customer reads (a message key), "" when the source has its own words
  std::string detail;      // for staff: the failing checks, a staff note
};

// The fleet's configuration as the kiosk runs it (docs/fleet.md, "On the kiosk"). In JSON its fields
// stand beside config_version, flat: config_state, config_state_detail, config_code, config_sha256, ...
struct HeartbeatConfig {
  std::int64_t version = 0;  // the running bundle's (0: the install-time values)
  std::string sha256;        // of its signed document
  // install | trial | applied | waiting | rolled_back | refused | disabled
  std::string state;
  std::string code;    // refused: the refusal's code; rolled_back: "fleet.rolled_back"
  std::string detail;  // refused: the refusal's sentence; rolled_back: why
  UnixTime expires_at = 0;
  bool expired = false;              // past expires_at and no newer one: amber
  std::int64_t pending_version = 0;  // waiting / trial: that bundle's version
};

// The head of the journal's audit chain (a chain kept only on the terminal could be rewritten there).
struct AuditHead {
  std::int64_t seq = 0;
  std::string sha256;  // hex
};

struct Heartbeat {
  std::string software_version;
  std::int64_t config_version = 0;
  std::vector<HealthItem> health;
  // This kiosk's clock minus the platform's, in seconds, by the Date header of the platform's last answer;
  // none before one.
  std::optional<std::int64_t> clock_skew_s;
  std::int64_t outbox_pending = 0;  // messages the platform must hear that it has not acknowledged yet
  std::vector<OutOfServiceItem> out_of_service;  // every source that holds it out; empty: in service
  std::optional<HeartbeatConfig> config;
  std::optional<std::int64_t> pending_business;  // businesses in the journal not over yet
  std::optional<AuditHead> audit_head;
};

struct HeartbeatAck {
  std::string kiosk_id;  // as the platform read it from the client certificate
  UnixTime server_time = 0;
  std::int64_t config_version = 0;  // the latest signed configuration's version
};

struct SignedConfig {
  std::string payload;  // JSON text of KioskConfigPayload, exactly the signed bytes
  Bytes signature;      // ECDSA P-256 SHA-256 (DER) over `payload`
  std::string algorithm = "ecdsa-p256-sha256";
};

// POST kiosk/maintenance-codes/redeem's answer: the code was good for this staff member here, and is spent.
struct MaintenanceRedeemed {
  std::string staff;
  std::string kiosk_id;
};

// GET kiosk/staff-crl: the staff CA's newest CRL as the staff CA's operator published it to the platform
// (docs/staff.md, "Revocation"). The kiosk judges it against the staff CA it pinned; the platform vouches
// for nothing in it.
struct StaffCrl {
  Bytes crl;  // DER
};

// POST kiosk/diagnostics: the body is the kiosk's diagnostics bundle itself (docs/staff.md, "The
// diagnostics bundle"), at most kMaxDiagnosticsBytes; the platform keeps it for the fleet's admins and
// answers with the id it gave it.
inline constexpr std::size_t kMaxDiagnosticsBytes = 512 * 1024;
struct DiagnosticsReceipt {
  std::string id;  // "D…": what staff quote to the CA's support
  UnixTime received_at = 0;
  std::int64_t bytes = 0;
};

struct KioskConfigPayload {
  std::int64_t version = 0;
  UnixTime expires_at = 0;
  std::map<std::string, std::string> endpoints;  // "platform" → base URL
};

// ---- errors: any non-2xx answer

struct ApiError {
  int http_status = 0;
  std::string code;                  // stable machine code, e.g. "sms.code_wrong"
  std::string message_key;           // "error.platform.sms.code_wrong"
  std::string detail;                // for staff and logs; never shown as the customer's text
  std::optional<int> retry_after_s;  // throttles and resend waits
};

}  // namespace contract
