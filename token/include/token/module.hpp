// A PKCS#11 module (a vendor's shared library), loaded by path.
//
// Module is move-only RAII: load() does dlopen + C_GetFunctionList + C_Initialize(CKF_OS_LOCKING_OK); the
// last owner calls C_Finalize (only if this process's load initialised it) and dlclose. Loading the same
// path twice shares one instance (PKCS#11 allows one C_Initialize per process). Every C_* call into one
// module goes through one lock inside it, so Module, Session and Watcher may be used from worker threads
// (a Session itself belongs to one thread at a time). Sessions keep the module alive.
#pragma once

#include <p11-kit/pkcs11.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "token/error.hpp"
#include "token/token_info.hpp"

namespace token {

namespace detail {
struct ModuleCore;
}

struct ModuleInfo {
  std::string manufacturer;         // CK_INFO.manufacturerID, trimmed
  std::string description;          // libraryDescription
  std::string library_version;      // "2.6"
  std::string cryptoki_version;     // "2.40"
};

class Module {
public:
  // dlopen(path), C_GetFunctionList, C_Initialize with CKF_OS_LOCKING_OK (CKR_CRYPTOKI_ALREADY_INITIALIZED
  // is fine), then ERR_clear_error() (SoftHSM leaves entries in OpenSSL's error queue).
  // Errors: ModuleMissing (no file there), ModuleLoadFailed (dlopen/dlsym/C_GetFunctionList/C_Initialize).
  static Result<Module> load(const std::filesystem::path& path);

  Module(Module&&) noexcept;
  Module& operator=(Module&&) noexcept;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  [[nodiscard]] const std::filesystem::path& path() const noexcept;

  // C_GetInfo.
  [[nodiscard]] Result<ModuleInfo> info() const;
  // C_GetSlotList(CK_TRUE): the slots that hold a token now.
  [[nodiscard]] Result<std::vector<CK_SLOT_ID>> slots_with_token() const;
  // C_GetTokenInfo. Errors: TokenRemoved (CKR_TOKEN_NOT_PRESENT, ...), DeviceError.
  [[nodiscard]] Result<TokenInfo> token_info(CK_SLOT_ID slot) const;
  // C_GetSlotList(CK_TRUE) + C_GetTokenInfo for each: the initialised tokens present now. A token pulled
  // between the two calls is left out.
  [[nodiscard]] Result<std::vector<TokenInfo>> tokens() const;
  // C_GetMechanismList + C_GetMechanismInfo for each.
  [[nodiscard]] Result<Mechanisms> mechanisms(CK_SLOT_ID slot) const;
  // The present token with this identity. Errors: TokenAbsent (none at all), WrongToken (others only).
  [[nodiscard]] Result<TokenInfo> find_token(const TokenIdentity& id) const;
  // The present token with this label (tests and tools; the product identifies tokens by identity).
  [[nodiscard]] Result<TokenInfo> find_token_by_label(std::string_view label) const;

  [[nodiscard]] const std::shared_ptr<detail::ModuleCore>& core() const noexcept { return core_; }

private:
  explicit Module(std::shared_ptr<detail::ModuleCore> core) noexcept;
  std::shared_ptr<detail::ModuleCore> core_;
};

// A module listed in p11-kit's registry (*.module files; the Linux discovery convention). A fallback list
// for staff tools; the kiosk itself loads the module its config names per brand.
struct RegisteredModule {
  std::string name;             // the file name without ".module"
  std::filesystem::path path;   // "module:" resolved against p11-kit's module directory
  bool exists = false;          // the library is on disk
};
// Reads /usr/share/p11-kit/modules and /etc/pkcs11/modules (or `dirs`); no module is loaded.
std::vector<RegisteredModule> registered_modules(const std::vector<std::filesystem::path>& dirs = {});

}  // namespace token
