#include "contract/codes.hpp"

#include <array>

namespace contract {
namespace {

constexpr std::array kCodes = {
    CodeInfo{code::kBadRequest, 400, "the request body or parameters do not follow the contract"},
    CodeInfo{code::kNotFound, 404,
             "no such endpoint (dev endpoints answer this unless the server runs --dev)"},
    CodeInfo{code::kRequestTooLarge, 413, "the request body is over 1 MiB (refused before it is read)"},
    CodeInfo{code::kIdempotencyKeyMissing, 400, "a mutating call without an Idempotency-Key header"},
    CodeInfo{code::kIdempotencyKeyReused, 409, "the Idempotency-Key was used before with another request"},
    CodeInfo{code::kInternal, 500, "the platform failed; retry later"},
    CodeInfo{code::kKioskUnknown, 403, "the client certificate names no usable kiosk id"},
    CodeInfo{code::kKioskCertificateUntrusted, 403,
             "the client certificate is not issued by the fleet CA (or expired)"},
    CodeInfo{code::kAdminRequired, 403, "this route takes an admin certificate (admin CA)"},
    CodeInfo{code::kKioskRequired, 403, "this route takes a kiosk certificate (fleet CA)"},
    CodeInfo{code::kKioskDecommissioned, 403, "this kiosk was decommissioned: its certificates are revoked"},
    CodeInfo{code::kEnrollCodeInvalid, 401, "no such enrollment code"},
    CodeInfo{code::kEnrollCodeExpired, 401, "the enrollment code expired: ask the admin for a new one"},
    CodeInfo{code::kEnrollCodeUsed, 401, "the enrollment code was used already: ask for a new one"},
    CodeInfo{code::kEnrollThrottled, 429, "too many wrong enrollment codes: wait retry_after_s"},
    CodeInfo{code::kMaintenanceThrottled, 429,
             "too many wrong maintenance codes at this kiosk: wait retry_after_s"},
    CodeInfo{code::kCsrMalformed, 400,
             "the CSR is not a PKCS#10 (PEM or base64 DER) with a valid self-signature"},
    CodeInfo{code::kCsrKeyType, 422, "the CSR's key is not EC P-256"},
    CodeInfo{code::kAdminKioskUnknown, 404, "no kiosk with this id was ever enrolled"},
    CodeInfo{code::kMaintenanceCodeInvalid, 401,
             "the maintenance code is wrong, used, expired, or for another staff member or kiosk"},
    CodeInfo{code::kBundleMalformed, 400, "the bundle is not CMS SignedData (DER or PEM)"},
    CodeInfo{code::kBundleNone, 404, "no configuration bundle has been published"},
    CodeInfo{code::kStaffCrlNone, 404, "no staff CRL has been published to the platform"},
    CodeInfo{code::kDiagnosticsMalformed, 400,
             "a diagnostics bundle is a JSON object with its schema, kiosk_id, software_version and time"},
    CodeInfo{code::kDiagnosticsTooLarge, 413, "a diagnostics bundle is at most 512 KiB"},
    CodeInfo{code::kDiagnosticsUnknown, 404, "no diagnostics bundle with this id"},
    CodeInfo{code::kPhoneInvalid, 400, "not a mainland mobile number (11 digits, 1[3-9]...)"},
    CodeInfo{code::kSmsResendTooSoon, 429, "a code was sent less than 60 s ago (retry_after_s)"},
    CodeInfo{code::kSmsHourlyLimit, 429, "5 codes in the last hour for this phone (retry_after_s)"},
    CodeInfo{code::kSmsDailyLimit, 429, "10 codes in the last day for this phone (retry_after_s)"},
    CodeInfo{code::kSmsCodeWrong, 400, "wrong code; detail says how many tries are left"},
    CodeInfo{code::kSmsCodeExpired, 400,
             "no valid code for this phone and purpose (expired, used or never sent)"},
    CodeInfo{code::kSmsTriesExhausted, 400, "5 wrong tries: this code is dead, send a new one"},
    CodeInfo{code::kVerificationInvalid, 401,
             "the phone verification token is unknown, expired or for another purpose"},
    CodeInfo{code::kProductUnknown, 404, "no such product in the catalog"},
    CodeInfo{code::kYearsInvalid, 400, "years not among the product's allowed years"},
    CodeInfo{code::kCertificateMalformed, 400, "the old certificate is not a DER X.509 certificate"},
    CodeInfo{code::kCertificateUnknown, 422, "the old certificate was not issued by this CA"},
    CodeInfo{code::kCertificateRevoked, 422, "the old certificate is revoked"},
    CodeInfo{code::kCertificateWrongProject, 422, "the old certificate belongs to another project"},
    CodeInfo{code::kCertificateWrongBrand, 422, "the old certificate was issued for another token brand"},
    CodeInfo{code::kCertificateKeyType, 422, "the old certificate's key type does not fit the product"},
    CodeInfo{code::kCertificateTooEarly, 422,
             "the renewal window (90 days before expiry) is not open yet; detail: when"},
    CodeInfo{code::kCertificateTooLate, 422, "the certificate expired more than 365 days ago"},
    CodeInfo{code::kCertificateAlreadyRenewed, 409, "this certificate was renewed already"},
    CodeInfo{code::kTokenMismatch, 422, "the key's manufacturer/model is not the product's brand"},
    CodeInfo{code::kRenewalInProgress, 409,
             "a paid order for this certificate is unfinished; detail: its id"},
    CodeInfo{code::kOrderNotFound, 404, "no such order"},
    CodeInfo{code::kOrderAlreadyPaid, 409, "the order is paid (close refused; paying again refused)"},
    CodeInfo{code::kOrderExpired, 409, "the order was not paid within 10 minutes"},
    CodeInfo{code::kOrderClosed, 409, "the order was closed"},
    CodeInfo{code::kOrderNotPaid, 409, "the order is not paid yet"},
    CodeInfo{code::kOrderNeedsStaff, 409, "the order is with the counter staff"},
    CodeInfo{code::kOrderStateInvalid, 409, "the order is not in a state that allows this"},
    CodeInfo{code::kNonceMissing, 409, "no renewal nonce issued for this order: ask for one"},
    CodeInfo{code::kP10Malformed, 400, "the P10 is not a DER PKCS#10 request"},
    CodeInfo{code::kP10SignatureInvalid, 422, "the P10's self-signature does not verify"},
    CodeInfo{code::kSubjectMismatch, 422, "the P10's subject differs from the old certificate's"},
    CodeInfo{code::kP10KeyType, 422, "the P10's key is not the product's key algorithm"},
    CodeInfo{code::kProofInvalid, 422, "the old key's renewal proof does not verify"},
    CodeInfo{code::kOtherKey, 409, "this order was issued for another key: one issuance per order"},
    CodeInfo{code::kNotIssued, 404, "no certificate issued for this order yet"},
    CodeInfo{code::kLoginFailed, 401, "wrong phone or password (the same for unknown phones)"},
    CodeInfo{code::kSmsCodeRequired, 401, "the default password needs an SMS code to the phone as well"},
    CodeInfo{code::kThrottled, 429, "too many failures: wait retry_after_s"},
    CodeInfo{code::kSessionInvalid, 401, "no session, expired (10 minutes) or logged out"},
    CodeInfo{code::kMustChangePassword, 403, "the default password must be changed first"},
    CodeInfo{code::kPasswordWrong, 422, "the current password is wrong"},
    CodeInfo{code::kPasswordTooShort, 422, "the new password has fewer than 8 characters"},
    CodeInfo{code::kPasswordFromPhone, 422, "the new password is derived from the phone number"},
    CodeInfo{code::kPasswordSame, 422, "the new password equals the current one"},
    CodeInfo{code::kRealNameInvalid, 422, "real name: 2-30 Chinese characters or letters"},
    CodeInfo{code::kEmailInvalid, 422, "not an e-mail address"},
    CodeInfo{code::kPhoneInUse, 409, "the new phone belongs to another account"},
    CodeInfo{code::kPhoneUnverified, 422, "the new phone's verification is missing or for another phone"},
    CodeInfo{code::kConfigUnavailable, 503, "no signed configuration can be made now"},
    CodeInfo{code::kFaultInjected, 503, "dev fault hook: failed before committing"},
};

}  // namespace

std::span<const CodeInfo> all_codes() {
  return kCodes;
}

const CodeInfo* find_code(std::string_view c) {
  for (const auto& i : kCodes)
    if (i.code == c) return &i;
  return nullptr;
}

std::string message_key_for(std::string_view c) {
  return "error.platform." + std::string(c);
}

}  // namespace contract
