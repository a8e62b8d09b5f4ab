// Internals shared by the token library's sources: the module core (the one lock), attribute templates,
// and the session operations the rollover is built from. Not installed.
#pragma once

#include <p11-kit/pkcs11.h>

#include <deque>
#include <expected>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "token/error.hpp"
#include "token/session.hpp"
#include "token/token_info.hpp"

namespace token::detail {

// A PKCS#11 string field (blank padded, not NUL terminated) as text: the padding and any leading blanks
// dropped.
std::string blank_padded_text(const unsigned char* p, std::size_t n);

// make_error() as the error of a Result<T> (the token's steps return early with it).
template <typename T>
std::unexpected<Error> fail_with(ErrorCode code, std::string detail) {
  return std::unexpected(make_error(code, std::move(detail)));
}

struct ModuleCore {
  std::filesystem::path path;
  std::string key;  // canonical path, the registry key
  void* dl = nullptr;
  CK_FUNCTION_LIST_PTR fl = nullptr;
  bool owns_init = false;  // this process's load initialised it: finalise at the end
  std::mutex mu;           // serialises every C_* call into this module

  // Calls one C_* function under the module's lock; CKR_FUNCTION_NOT_SUPPORTED when the module lacks it.
  template <typename M, typename... A>
  CK_RV call(M CK_FUNCTION_LIST::*member, A... args) {
    std::lock_guard lock(mu);
    auto fn = fl->*member;
    if (fn == nullptr) return CKR_FUNCTION_NOT_SUPPORTED;
    return fn(args...);
  }
};

// Shared by Module and Session.
Result<TokenInfo> read_token_info(ModuleCore& core, CK_SLOT_ID slot);
// C_GetMechanismList, then C_GetMechanismInfo for each (or only for those in `only`, when given).
Result<Mechanisms> read_mechanisms(ModuleCore& core, CK_SLOT_ID slot, std::span<const CK_MECHANISM_TYPE> only = {});

// An attribute template with storage for the values it points to (stable addresses: deques).
class Template {
public:
  Template() = default;
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;

  Template& boolean(CK_ATTRIBUTE_TYPE t, bool v);
  Template& ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v);
  Template& bytes(CK_ATTRIBUTE_TYPE t, std::span<const std::uint8_t> v);  // copied
  Template& text(CK_ATTRIBUTE_TYPE t, std::string_view v);                 // copied, no NUL
  CK_ATTRIBUTE* data() noexcept { return attrs_.data(); }
  CK_ULONG size() const noexcept { return attrs_.size(); }

private:
  std::vector<CK_ATTRIBUTE> attrs_;
  std::deque<CK_ULONG> ulongs_;
  std::deque<CK_BBOOL> bools_;
  std::deque<Bytes> blobs_;
};

// What a session learnt about the renewal in progress (rollover*.cpp), so that the steps after the first
// need not search the token again: within one session only this code changes the renewal's objects. Dropped
// when a step fails, on logout and when the token goes; a new session (every resume) reads the token.
struct RolloverCache {
  std::string order_id;
  std::string old_fp;
  Bytes id;  // the staged pair's CKA_ID
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_KEY_TYPE key_type = CKK_EC;
  bool always_auth = false;
  Bytes spki;                           // the staged public key
  std::vector<CK_OBJECT_HANDLE> certs;  // certificates with that id (still pending: none finalised)
  Bytes cert_der;                       // the certificate install_certificate wrote
  bool old_known = false;               // the old certificate's CKA_ID and label (from stage_key)
  Bytes old_id;
  std::string old_label;
};

// The session operations the rollover needs, each one C_* call or a short fixed sequence, with CK_RV
// mapped at once. A TokenRemoved result kills the session (handles dropped).
struct SessionAccess {
  static ModuleCore& core(Session& s) noexcept { return *s.core_; }
  static CK_SESSION_HANDLE handle(Session& s) noexcept { return s.handle_; }
  static Result<void> check_alive(Session& s);
  static Result<void> check_logged_in(Session& s);
  static Error fail(Session& s, CK_RV rv, std::string_view call);
  static Result<Mechanisms> mechanisms(Session& s) { return s.mechanisms(); }
  static std::unique_ptr<RolloverCache>& cache(Session& s) noexcept { return s.rollover_; }

  static Result<std::vector<CK_OBJECT_HANDLE>> find(Session& s, Template& t);
  // One C_GetAttributeValue for the lengths, one for the values. nullopt for an attribute the object
  // does not have or will not reveal.
  static Result<std::vector<std::optional<Bytes>>> attributes(Session& s, CK_OBJECT_HANDLE o,
                                                              std::initializer_list<CK_ATTRIBUTE_TYPE> types);
  static Result<std::optional<Bytes>> attribute(Session& s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type);
  static Result<CK_OBJECT_HANDLE> create(Session& s, Template& t);
  static Result<void> destroy(Session& s, CK_OBJECT_HANDLE o);
  static Result<void> set_label(Session& s, CK_OBJECT_HANDLE o, std::string_view label);
  static Result<void> generate_key_pair(Session& s, const CK_MECHANISM& mech, Template& pub, Template& priv,
                                        CK_OBJECT_HANDLE& pub_out, CK_OBJECT_HANDLE& priv_out);
  // C_SignInit, [C_Login(CKU_CONTEXT_SPECIFIC) when always_authenticate], C_Sign.
  static Result<Bytes> sign(Session& s, CK_OBJECT_HANDLE key, const CK_MECHANISM& mech,
                            std::span<const std::uint8_t> data, bool always_authenticate);
};

// Reads a CK_BBOOL/CK_ULONG attribute value out of bytes.
bool as_bool(const std::optional<Bytes>& v, bool fallback = false) noexcept;
std::optional<CK_ULONG> as_ulong(const std::optional<Bytes>& v) noexcept;
std::string as_string(const std::optional<Bytes>& v);

}  // namespace token::detail
