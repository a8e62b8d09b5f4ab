// Hot-plug by polling: C_GetSlotList(CK_TRUE) + C_GetTokenInfo, every 300–500 ms (most modules do not
// implement a blocking C_WaitForSlotEvent). Tokens are told apart by identity, never by slot id.
#pragma once

#include <vector>

#include "token/module.hpp"

namespace token {

struct TokenEvent {
  enum class Kind { Inserted, Removed, Changed };
  Kind kind = Kind::Inserted;
  TokenInfo token;            // Inserted/Changed: the token now; Removed: the token as last seen
  TokenIdentity previous;     // Changed: the identity that was in that slot before
};

class Watcher {
public:
  explicit Watcher(const Module& module);

  // One poll: C_GetSlotList(CK_TRUE), then C_GetTokenInfo for each slot. Returns what changed since the
  // previous poll (the first poll reports every present token as Inserted). A token whose C_GetTokenInfo
  // fails with CKR_TOKEN_NOT_PRESENT counts as removed. Errors: DeviceError when the slot list fails.
  [[nodiscard]] Result<std::vector<TokenEvent>> poll();
  // The tokens present after the last poll.
  [[nodiscard]] const std::vector<TokenInfo>& present() const noexcept { return present_; }

private:
  std::shared_ptr<detail::ModuleCore> core_;
  std::vector<TokenInfo> present_;
};

}  // namespace token
