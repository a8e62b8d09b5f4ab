// The configured token modules, loaded once, and what is inserted in them now.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "runtime/config.hpp"
#include "token/module.hpp"
#include "token/watcher.hpp"

namespace runtime {

class TokenHub {
public:
  explicit TokenHub(const KioskConfig& config);

  struct Inserted {
    const token::Module* module = nullptr;
    token::TokenInfo info;
    const BrandConfig* brand = nullptr;  // nullptr: not a brand this kiosk serves
  };

  // One hot-plug poll of every loaded module (C_GetSlotList + C_GetTokenInfo). Returns the key status
  // when it changed since the last poll.
  std::optional<core::KeyStatus> poll();
  // The next poll returns the status even if it did not change (a key pulled and put back between two
  // polls looks unchanged; the renewal, told by the token that it left, needs to hear it is back).
  void report_next_poll();
  core::KeyStatus status() const;

  // The token inserted now (fresh C_GetSlotList), the first of a configured brand if several.
  // Errors: TokenAbsent; ModuleMissing / ModuleLoadFailed when no configured module loaded at all.
  token::Result<Inserted> inserted() const;
  // The inserted token with this identity. Errors: TokenAbsent, WrongToken.
  token::Result<Inserted> find(const token::TokenIdentity& id) const;

  // Module load problems, for the maintenance screen and kioskctl ("haitai: error.token.module_missing").
  std::vector<std::string> problems() const;

  // Each configured brand's driver, for the status page (docs/staff.md, "Status"): whether its library
  // loaded at start and, when it did, what C_GetInfo says of it now.
  struct Driver {
    std::string brand_id;
    std::string module;  // the library's path
    bool loaded = false;
    std::string problem;          // why it did not load (or why C_GetInfo failed)
    std::string library_version;  // CK_INFO.libraryVersion, "2.6"
    std::string manufacturer;     // CK_INFO.manufacturerID
  };
  std::vector<Driver> drivers() const;

 private:
  core::KeyStatus compute(const std::vector<token::TokenInfo>& present) const;

  const KioskConfig& config_;
  struct Loaded {
    std::string path;
    token::Module module;
    token::Watcher watcher;
  };
  std::vector<Loaded> modules_;                  // one per distinct module path
  std::map<std::string, token::Error> failures_;  // brand id → why its module did not load
  mutable std::mutex mutex_;
  core::KeyStatus status_;
  bool polled_ = false;
};

}  // namespace runtime
