#include "token/error.hpp"

#include <fmt/core.h>

namespace token {

PinFlags PinFlags::from(CK_FLAGS f) noexcept {
  return PinFlags{
      .count_low = (f & CKF_USER_PIN_COUNT_LOW) != 0,
      .final_try = (f & CKF_USER_PIN_FINAL_TRY) != 0,
      .locked = (f & CKF_USER_PIN_LOCKED) != 0,
      .to_be_changed = (f & CKF_USER_PIN_TO_BE_CHANGED) != 0,
  };
}

std::string_view message_key(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ModuleMissing: return "error.token.module_missing";
    case ErrorCode::ModuleLoadFailed: return "error.token.module_load_failed";
    case ErrorCode::TokenAbsent: return "error.token.absent";
    case ErrorCode::WrongToken: return "error.token.wrong_token";
    case ErrorCode::TokenRemoved: return "error.token.removed";
    case ErrorCode::PinIncorrect: return "error.token.pin_incorrect";
    case ErrorCode::PinFinalTry: return "error.token.pin_final_try";
    case ErrorCode::PinLocked: return "error.token.pin_locked";
    case ErrorCode::PinToBeChanged: return "error.token.pin_to_be_changed";
    case ErrorCode::PinLenRange: return "error.token.pin_len_range";
    case ErrorCode::NotLoggedIn: return "error.token.not_logged_in";
    case ErrorCode::TokenFull: return "error.token.full";
    case ErrorCode::MechanismUnsupported: return "error.token.mechanism_unsupported";
    case ErrorCode::KeyNotProtected: return "error.token.key_not_protected";
    case ErrorCode::KeyNotFound: return "error.token.key_not_found";
    case ErrorCode::CertificateNotFound: return "error.token.certificate_not_found";
    case ErrorCode::CertificateInvalid: return "error.token.certificate_invalid";
    case ErrorCode::CertificateMismatch: return "error.token.certificate_mismatch";
    case ErrorCode::CertificateNotYetValid: return "error.token.certificate_not_yet_valid";
    case ErrorCode::RenewalOutOfOrder: return "error.token.renewal_out_of_order";
    case ErrorCode::InvalidArgument: return "error.token.invalid_argument";
    case ErrorCode::VerificationFailed: return "error.token.verification_failed";
    case ErrorCode::DeviceError: return "error.token.device_error";
  }
  return "error.token.device_error";
}

std::string_view Error::message_key() const noexcept { return token::message_key(code); }

std::string Error::to_string() const {
  std::string s(message_key());
  if (!detail.empty()) s += " (" + detail + ")";
  return s;
}

std::string rv_name(CK_RV rv) {
  switch (rv) {
#define TOKEN_RV(x) \
  case x: return #x;
    TOKEN_RV(CKR_OK)
    TOKEN_RV(CKR_CANCEL)
    TOKEN_RV(CKR_HOST_MEMORY)
    TOKEN_RV(CKR_SLOT_ID_INVALID)
    TOKEN_RV(CKR_GENERAL_ERROR)
    TOKEN_RV(CKR_FUNCTION_FAILED)
    TOKEN_RV(CKR_ARGUMENTS_BAD)
    TOKEN_RV(CKR_NO_EVENT)
    TOKEN_RV(CKR_NEED_TO_CREATE_THREADS)
    TOKEN_RV(CKR_CANT_LOCK)
    TOKEN_RV(CKR_ATTRIBUTE_READ_ONLY)
    TOKEN_RV(CKR_ATTRIBUTE_SENSITIVE)
    TOKEN_RV(CKR_ATTRIBUTE_TYPE_INVALID)
    TOKEN_RV(CKR_ATTRIBUTE_VALUE_INVALID)
    TOKEN_RV(CKR_ACTION_PROHIBITED)
    TOKEN_RV(CKR_DATA_INVALID)
    TOKEN_RV(CKR_DATA_LEN_RANGE)
    TOKEN_RV(CKR_DEVICE_ERROR)
    TOKEN_RV(CKR_DEVICE_MEMORY)
    TOKEN_RV(CKR_DEVICE_REMOVED)
    TOKEN_RV(CKR_ENCRYPTED_DATA_INVALID)
    TOKEN_RV(CKR_ENCRYPTED_DATA_LEN_RANGE)
    TOKEN_RV(CKR_FUNCTION_CANCELED)
    TOKEN_RV(CKR_FUNCTION_NOT_PARALLEL)
    TOKEN_RV(CKR_FUNCTION_NOT_SUPPORTED)
    TOKEN_RV(CKR_KEY_HANDLE_INVALID)
    TOKEN_RV(CKR_KEY_SIZE_RANGE)
    TOKEN_RV(CKR_KEY_TYPE_INCONSISTENT)
    TOKEN_RV(CKR_KEY_FUNCTION_NOT_PERMITTED)
    TOKEN_RV(CKR_MECHANISM_INVALID)
    TOKEN_RV(CKR_MECHANISM_PARAM_INVALID)
    TOKEN_RV(CKR_OBJECT_HANDLE_INVALID)
    TOKEN_RV(CKR_OPERATION_ACTIVE)
    TOKEN_RV(CKR_OPERATION_NOT_INITIALIZED)
    TOKEN_RV(CKR_PIN_INCORRECT)
    TOKEN_RV(CKR_PIN_INVALID)
    TOKEN_RV(CKR_PIN_LEN_RANGE)
    TOKEN_RV(CKR_PIN_EXPIRED)
    TOKEN_RV(CKR_PIN_LOCKED)
    TOKEN_RV(CKR_SESSION_CLOSED)
    TOKEN_RV(CKR_SESSION_COUNT)
    TOKEN_RV(CKR_SESSION_HANDLE_INVALID)
    TOKEN_RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED)
    TOKEN_RV(CKR_SESSION_READ_ONLY)
    TOKEN_RV(CKR_SESSION_EXISTS)
    TOKEN_RV(CKR_SESSION_READ_ONLY_EXISTS)
    TOKEN_RV(CKR_SESSION_READ_WRITE_SO_EXISTS)
    TOKEN_RV(CKR_SIGNATURE_INVALID)
    TOKEN_RV(CKR_SIGNATURE_LEN_RANGE)
    TOKEN_RV(CKR_TEMPLATE_INCOMPLETE)
    TOKEN_RV(CKR_TEMPLATE_INCONSISTENT)
    TOKEN_RV(CKR_TOKEN_NOT_PRESENT)
    TOKEN_RV(CKR_TOKEN_NOT_RECOGNIZED)
    TOKEN_RV(CKR_TOKEN_WRITE_PROTECTED)
    TOKEN_RV(CKR_USER_ALREADY_LOGGED_IN)
    TOKEN_RV(CKR_USER_NOT_LOGGED_IN)
    TOKEN_RV(CKR_USER_PIN_NOT_INITIALIZED)
    TOKEN_RV(CKR_USER_TYPE_INVALID)
    TOKEN_RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
    TOKEN_RV(CKR_USER_TOO_MANY_TYPES)
    TOKEN_RV(CKR_DOMAIN_PARAMS_INVALID)
    TOKEN_RV(CKR_CURVE_NOT_SUPPORTED)
    TOKEN_RV(CKR_BUFFER_TOO_SMALL)
    TOKEN_RV(CKR_RANDOM_NO_RNG)
    TOKEN_RV(CKR_CRYPTOKI_NOT_INITIALIZED)
    TOKEN_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED)
    TOKEN_RV(CKR_MUTEX_BAD)
    TOKEN_RV(CKR_MUTEX_NOT_LOCKED)
#undef TOKEN_RV
    default: return fmt::format("CKR_0x{:08X}", rv);
  }
}

Error make_error(ErrorCode code, std::string detail) {
  Error e;
  e.code = code;
  e.detail = std::move(detail);
  return e;
}

Error error_from_rv(CK_RV rv, std::string_view call) {
  Error e;
  e.rv = rv;
  e.detail = fmt::format("{}: {}", call, rv_name(rv));
  switch (rv) {
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
      e.code = ErrorCode::TokenRemoved;
      break;
    case CKR_PIN_INCORRECT: e.code = ErrorCode::PinIncorrect; break;
    case CKR_PIN_LOCKED: e.code = ErrorCode::PinLocked; break;
    case CKR_PIN_EXPIRED: e.code = ErrorCode::PinToBeChanged; break;
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_INVALID:
      e.code = ErrorCode::PinLenRange;
      break;
    case CKR_USER_NOT_LOGGED_IN: e.code = ErrorCode::NotLoggedIn; break;
    case CKR_DEVICE_MEMORY: e.code = ErrorCode::TokenFull; break;
    case CKR_MECHANISM_INVALID:
    case CKR_MECHANISM_PARAM_INVALID:
    case CKR_KEY_SIZE_RANGE:
    case CKR_DOMAIN_PARAMS_INVALID:
    case CKR_CURVE_NOT_SUPPORTED:
    case CKR_KEY_TYPE_INCONSISTENT:
      e.code = ErrorCode::MechanismUnsupported;
      break;
    default: e.code = ErrorCode::DeviceError; break;
  }
  return e;
}

}  // namespace token
