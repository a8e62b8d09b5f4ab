// The message keys the flow core produces. The UI translates them (assets/i18n/*.json); a test fails when
// one is missing in a language. Keys from the token layer (error.token.*) and the platform
// (error.platform.*) pass through the core unchanged; their libraries list them.
#pragma once

#include <span>
#include <string_view>

namespace core::msg {

inline constexpr std::string_view kKeyCheckNoProduct = "keycheck.error.no_product";
inline constexpr std::string_view kKeyCheckBrandUnknown = "keycheck.error.brand_unknown";
inline constexpr std::string_view kKeyCheckBrandMismatch = "keycheck.error.brand_mismatch";
inline constexpr std::string_view kKeyCheckNoCertificate = "keycheck.error.no_certificate";
inline constexpr std::string_view kKeyCheckNoPrivateKey = "keycheck.error.no_private_key";
inline constexpr std::string_view kKeyCheckPinLocked = "keycheck.error.pin_locked";
inline constexpr std::string_view kKeyCheckPinToBeChanged = "keycheck.error.pin_to_be_changed";
inline constexpr std::string_view kKeyCheckMechanism = "keycheck.error.mechanism";
inline constexpr std::string_view kKeyCheckTooEarly = "keycheck.error.too_early";
inline constexpr std::string_view kKeyCheckTooLate = "keycheck.error.too_late";
inline constexpr std::string_view kKeyDetailsOtherKey = "keydetails.error.other_key";
inline constexpr std::string_view kPhoneErrorFormat = "phone.error.format";
inline constexpr std::string_view kPhoneErrorGetCodeFirst = "phone.error.get_code_first";
inline constexpr std::string_view kPhoneErrorVerificationLapsed = "phone.error.verification_lapsed";
inline constexpr std::string_view kFailureNeedsStaffTitle = "failure.needs_staff.title";
inline constexpr std::string_view kFailureNeedsStaffNext = "failure.needs_staff.next";
inline constexpr std::string_view kFailureJournalTitle = "failure.journal.title";
inline constexpr std::string_view kFailureRecorded = "failure.recorded";
inline constexpr std::string_view kFailureNotYetTold = "failure.not_yet_told";
inline constexpr std::string_view kFailurePinLocked = "failure.pin_locked";
inline constexpr std::string_view kFailureTokenFull = "failure.token_full";
inline constexpr std::string_view kFailurePlatformRefused = "failure.platform_refused";
inline constexpr std::string_view kFailureDevice = "failure.device";
inline constexpr std::string_view kFailureOrderTitle = "failure.order.title";
inline constexpr std::string_view kFailureRetryNext = "failure.retry.next";
inline constexpr std::string_view kFailureNotChargedNext = "failure.not_charged.next";
inline constexpr std::string_view kFailureUnavailableTitle = "failure.unavailable.title";
inline constexpr std::string_view kFailureUnavailableBody = "failure.unavailable.body";
inline constexpr std::string_view kLoginErrorWait = "login.error.wait";
inline constexpr std::string_view kProfileErrorName = "profile.error.name";
inline constexpr std::string_view kProfileErrorNameShort = "profile.error.name_short";
inline constexpr std::string_view kProfileErrorNameLong = "profile.error.name_long";
inline constexpr std::string_view kProfileErrorNameChars = "profile.error.name_chars";
inline constexpr std::string_view kProfileErrorEmail = "profile.error.email";
inline constexpr std::string_view kProfileErrorPhoneCode = "profile.error.phone_code_needed";
inline constexpr std::string_view kResumeInsertKey = "resume.error.insert_key";
inline constexpr std::string_view kResumeOtherKey = "resume.error.other_key";
inline constexpr std::string_view kResumeNothingToDo = "resume.error.nothing_to_do";
inline constexpr std::string_view kPasswordCurrentEmpty = "password.error.current_empty";
inline constexpr std::string_view kPasswordTooShort = "password.error.too_short";
inline constexpr std::string_view kPasswordFromPhone = "password.error.from_phone";
inline constexpr std::string_view kPasswordSameAsCurrent = "password.error.same_as_current";
inline constexpr std::string_view kPasswordMismatch = "password.error.mismatch";
inline constexpr std::string_view kOrderMethodWechat = "order.method.wechat";
// Out of service (core/service.hpp): each check's reason (core::reason_key), a reason with no words of
// its own, and where to go instead.
inline constexpr std::string_view kServiceReasonPlatform = "service.reason.platform";
inline constexpr std::string_view kServiceReasonClock = "service.reason.clock";
inline constexpr std::string_view kServiceReasonJournal = "service.reason.journal";
inline constexpr std::string_view kServiceReasonDrivers = "service.reason.drivers";
inline constexpr std::string_view kServiceReasonStaff = "service.reason.staff";
inline constexpr std::string_view kServiceReasonHours = "service.reason.hours";
inline constexpr std::string_view kServiceReasonOther = "service.reason.other";
inline constexpr std::string_view kServiceNext = "service.next";

// Every key above, for the i18n completeness test.
std::span<const std::string_view> all_keys();

}  // namespace core::msg
