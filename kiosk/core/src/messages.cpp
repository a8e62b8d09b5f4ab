#include "core/messages.hpp"

#include <array>

namespace core::msg {

std::span<const std::string_view> all_keys() {
  static constexpr std::array kAll{
      kKeyCheckNoProduct,      kKeyCheckBrandUnknown,
      kKeyCheckBrandMismatch,  kKeyCheckNoCertificate,
      kKeyCheckNoPrivateKey,   kKeyCheckPinLocked,
      kKeyCheckPinToBeChanged, kKeyCheckMechanism,
      kKeyCheckTooEarly,       kKeyCheckTooLate,
      kKeyDetailsOtherKey,     kPhoneErrorFormat,
      kPhoneErrorGetCodeFirst, kPhoneErrorVerificationLapsed,
      kFailureNeedsStaffTitle, kFailureNeedsStaffNext,
      kFailurePinLocked,       kFailureTokenFull,
      kFailurePlatformRefused, kFailureDevice,
      kFailureOrderTitle,      kFailureRetryNext,
      kFailureNotChargedNext,  kFailureUnavailableTitle,
      kFailureUnavailableBody, kLoginErrorWait,
      kProfileErrorName,       kProfileErrorEmail,
      kProfileErrorPhoneCode,  kResumeInsertKey,
      kResumeOtherKey,         kResumeNothingToDo,
      kPasswordCurrentEmpty,   kPasswordTooShort,
      kPasswordFromPhone,      kPasswordSameAsCurrent,
      kPasswordMismatch,       kOrderMethodWechat,
      kProfileErrorNameShort,  kProfileErrorNameLong,
      kProfileErrorNameChars,  kFailureJournalTitle,
      kFailureRecorded,        kFailureNotYetTold,
      kServiceReasonPlatform,  kServiceReasonClock,
      kServiceReasonJournal,   kServiceReasonDrivers,
      kServiceReasonStaff,     kServiceReasonHours,
      kServiceReasonOther,     kServiceNext,
  };
  return kAll;
}

}  // namespace core::msg
