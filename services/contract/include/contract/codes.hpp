// The platform's stable machine codes. Each error answer carries one code, its HTTP status and the
// message key "error.platform.<code>" that the kiosk shows (assets hold the text in zh-CN and en).
// Codes are never renamed, only added. codes.cpp's table is the single list; openapi.yaml repeats it.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace contract {

namespace code {
// request shape
inline constexpr std::string_view kBadRequest = "request.malformed";       // 400 body not the schema
inline constexpr std::string_view kNotFound = "request.not_found";         // 404 no such endpoint
inline constexpr std::string_view kRequestTooLarge = "request.too_large";  // 413 body over 1 MiB
inline constexpr std::string_view kIdempotencyKeyMissing = "idempotency.key_missing";  // 400
inline constexpr std::string_view kIdempotencyKeyReused =
    "idempotency.key_reused";                                       // 409 same key, other body
inline constexpr std::string_view kInternal = "server.internal";    // 500
inline constexpr std::string_view kKioskUnknown = "kiosk.unknown";  // 403 no usable client cert CN
inline constexpr std::string_view kKioskCertificateUntrusted =
    "kiosk.certificate_untrusted";  // 403 not under the fleet CA
// fleet administration and enrollment (docs/platform.md, "Fleet administration")
inline constexpr std::string_view kAdminRequired = "auth.admin_required";  // 403 a kiosk's or no certificate
inline constexpr std::string_view kKioskRequired = "auth.kiosk_required";  // 403 an admin's certificate
inline constexpr std::string_view kKioskDecommissioned =
    "kiosk.decommissioned";                                                    // 403 its certificate revoked
inline constexpr std::string_view kEnrollCodeInvalid = "enroll.code_invalid";  // 401 no such code
inline constexpr std::string_view kEnrollCodeExpired = "enroll.code_expired";  // 401 past its time
inline constexpr std::string_view kEnrollCodeUsed = "enroll.code_used";        // 401 spent already
inline constexpr std::string_view kEnrollThrottled = "enroll.throttled";       // 429 retry_after_s
inline constexpr std::string_view kMaintenanceThrottled = "maintenance.throttled";  // 429 retry_after_s
inline constexpr std::string_view kCsrMalformed = "enroll.csr_malformed";      // 400 not a PKCS#10
inline constexpr std::string_view kCsrKeyType = "enroll.csr_key_type";         // 422 not EC P-256
inline constexpr std::string_view kAdminKioskUnknown = "admin.kiosk_unknown";  // 404 never enrolled
inline constexpr std::string_view kMaintenanceCodeInvalid =
    "maintenance.code_invalid";  // 401 wrong, used, expired, or for another staff member or kiosk
inline constexpr std::string_view kBundleMalformed = "bundle.malformed";  // 400 not a CMS bundle
inline constexpr std::string_view kBundleNone = "bundle.none";            // 404 nothing published
inline constexpr std::string_view kStaffCrlNone = "staff_crl.none";      // 404 no staff CRL published
inline constexpr std::string_view kDiagnosticsMalformed = "diagnostics.malformed";  // 400 not a bundle
inline constexpr std::string_view kDiagnosticsTooLarge = "diagnostics.too_large";   // 413 over the cap
inline constexpr std::string_view kDiagnosticsUnknown = "diagnostics.unknown";      // 404 no such bundle
// SMS
inline constexpr std::string_view kPhoneInvalid = "sms.phone_invalid";        // 400
inline constexpr std::string_view kSmsResendTooSoon = "sms.resend_too_soon";  // 429 retry_after_s
inline constexpr std::string_view kSmsHourlyLimit = "sms.hourly_limit";       // 429 retry_after_s
inline constexpr std::string_view kSmsDailyLimit = "sms.daily_limit";         // 429 retry_after_s
inline constexpr std::string_view kSmsCodeWrong = "sms.code_wrong";           // 400 detail: tries left
inline constexpr std::string_view kSmsCodeExpired = "sms.code_expired";  // 400 none outstanding or too old
inline constexpr std::string_view kSmsTriesExhausted =
    "sms.tries_exhausted";  // 400 5 wrong tries: send a new one
inline constexpr std::string_view kVerificationInvalid =
    "verification.invalid";  // 401 phone proof bad/expired
// catalog and order creation
inline constexpr std::string_view kProductUnknown = "catalog.product_unknown";      // 404
inline constexpr std::string_view kYearsInvalid = "order.years_invalid";            // 400
inline constexpr std::string_view kCertificateMalformed = "certificate.malformed";  // 400
inline constexpr std::string_view kCertificateUnknown = "certificate.unknown";  // 422 not issued by this CA
inline constexpr std::string_view kCertificateRevoked = "certificate.revoked";  // 422
inline constexpr std::string_view kCertificateWrongProject = "certificate.wrong_project";  // 422
inline constexpr std::string_view kCertificateWrongBrand = "certificate.wrong_brand";      // 422
inline constexpr std::string_view kCertificateKeyType = "certificate.key_type_mismatch";   // 422
inline constexpr std::string_view kCertificateTooEarly =
    "certificate.window_not_open";                                                    // 422 detail: opens at
inline constexpr std::string_view kCertificateTooLate = "certificate.window_closed";  // 422
inline constexpr std::string_view kCertificateAlreadyRenewed = "certificate.already_renewed";  // 409
inline constexpr std::string_view kTokenMismatch = "token.identity_mismatch";  // 422 not the product's brand
inline constexpr std::string_view kRenewalInProgress = "order.renewal_in_progress";  // 409 detail: order id
// order life
inline constexpr std::string_view kOrderNotFound = "order.not_found";        // 404
inline constexpr std::string_view kOrderAlreadyPaid = "order.already_paid";  // 409 close/pay of a paid order
inline constexpr std::string_view kOrderExpired = "order.expired";           // 409 not paid in time
inline constexpr std::string_view kOrderClosed = "order.closed";             // 409
inline constexpr std::string_view kOrderNotPaid = "order.not_paid";          // 409
inline constexpr std::string_view kOrderNeedsStaff = "order.needs_staff";    // 409 at the counter now
inline constexpr std::string_view kOrderStateInvalid = "order.state_invalid";  // 409 any other wrong state
// renewal
inline constexpr std::string_view kNonceMissing = "renewal.nonce_missing";  // 409 ask for a nonce
inline constexpr std::string_view kP10Malformed = "renewal.p10_malformed";  // 400
inline constexpr std::string_view kP10SignatureInvalid = "renewal.p10_signature_invalid";  // 422
inline constexpr std::string_view kSubjectMismatch = "renewal.subject_mismatch";           // 422
inline constexpr std::string_view kP10KeyType = "renewal.key_type_mismatch";               // 422
inline constexpr std::string_view kProofInvalid = "renewal.proof_invalid";                 // 422
inline constexpr std::string_view kOtherKey = "renewal.other_key";    // 409 one issuance per order
inline constexpr std::string_view kNotIssued = "renewal.not_issued";  // 404
// accounts
inline constexpr std::string_view kLoginFailed = "account.login_failed";  // 401 same for unknown phones
inline constexpr std::string_view kSmsCodeRequired =
    "account.sms_code_required";                                     // 401 default password: add a code
inline constexpr std::string_view kThrottled = "account.throttled";  // 429 retry_after_s
inline constexpr std::string_view kSessionInvalid = "account.session_invalid";           // 401 log in again
inline constexpr std::string_view kMustChangePassword = "account.must_change_password";  // 403
inline constexpr std::string_view kPasswordWrong = "account.password_wrong";         // 422 current one wrong
inline constexpr std::string_view kPasswordTooShort = "account.password_too_short";  // 422 < 8
inline constexpr std::string_view kPasswordFromPhone = "account.password_from_phone";  // 422
inline constexpr std::string_view kPasswordSame = "account.password_same";             // 422
inline constexpr std::string_view kRealNameInvalid = "account.real_name_invalid";      // 422
inline constexpr std::string_view kEmailInvalid = "account.email_invalid";             // 422
inline constexpr std::string_view kPhoneInUse = "account.phone_in_use";                // 409
inline constexpr std::string_view kPhoneUnverified = "account.phone_unverified";       // 422
// kiosk
inline constexpr std::string_view kConfigUnavailable = "kiosk.config_unavailable";  // 503
// dev
inline constexpr std::string_view kFaultInjected = "dev.fault_injected";  // 503
}  // namespace code

struct CodeInfo {
  std::string_view code;
  int http_status;
  std::string_view what;  // one line, as openapi.yaml lists it
};

// Every code the platform answers with.
std::span<const CodeInfo> all_codes();
const CodeInfo* find_code(std::string_view code);
// "error.platform." + code.
std::string message_key_for(std::string_view code);

// Message keys of the client's own errors (no HTTP answer to take a key from).
namespace key {
inline constexpr std::string_view kOffline = "error.platform.offline";
inline constexpr std::string_view kTimeout = "error.platform.timeout";
inline constexpr std::string_view kTls = "error.platform.tls";
inline constexpr std::string_view kMalformed = "error.platform.malformed";
inline constexpr std::string_view kServerError = "error.platform.server_error";  // 5xx without a code
inline constexpr std::string_view kHttp = "error.platform.http";                 // other status, no code
inline constexpr std::string_view kConfig = "error.platform.config";             // client set-up wrong
}  // namespace key

}  // namespace contract
