#include "token/watcher.hpp"

#include <algorithm>

#include "p11.hpp"

namespace token {

Watcher::Watcher(const Module& module) : core_(module.core()) {}

Result<std::vector<TokenEvent>> Watcher::poll() {
  std::vector<CK_SLOT_ID> slots;
  {
    CK_ULONG n = 0;
    CK_RV rv = core_->call(&CK_FUNCTION_LIST::C_GetSlotList, CK_BBOOL{CK_TRUE}, static_cast<CK_SLOT_ID_PTR>(nullptr), &n);
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetSlotList"));
    slots.resize(n + 4);  // room for a token arriving between the two calls
    n = slots.size();
    rv = core_->call(&CK_FUNCTION_LIST::C_GetSlotList, CK_BBOOL{CK_TRUE}, slots.data(), &n);
    if (rv == CKR_BUFFER_TOO_SMALL) return std::vector<TokenEvent>{};  // busy bus: look again next poll
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetSlotList"));
    slots.resize(n);
  }
  std::vector<TokenInfo> now;
  for (CK_SLOT_ID s : slots) {
    auto t = detail::read_token_info(*core_, s);
    if (!t) {
      if (t.error().code == ErrorCode::TokenRemoved) continue;
      return std::unexpected(t.error());
    }
    if (t->initialized) now.push_back(std::move(*t));
  }

  std::vector<TokenEvent> events;
  auto in = [](const std::vector<TokenInfo>& v, const TokenIdentity& id) {
    return std::find_if(v.begin(), v.end(), [&](const TokenInfo& t) { return t.identity == id; });
  };
  for (const TokenInfo& old : present_) {
    if (in(now, old.identity) != now.end()) continue;
    // Same slot, another token: a swap between two polls.
    auto same_slot = std::find_if(now.begin(), now.end(), [&](const TokenInfo& t) { return t.slot == old.slot; });
    if (same_slot != now.end() && in(present_, same_slot->identity) == present_.end())
      events.push_back({TokenEvent::Kind::Changed, *same_slot, old.identity});
    else
      events.push_back({TokenEvent::Kind::Removed, old, {}});
  }
  for (const TokenInfo& t : now) {
    if (in(present_, t.identity) != present_.end()) continue;
    bool reported = std::any_of(events.begin(), events.end(), [&](const TokenEvent& e) {
      return e.kind == TokenEvent::Kind::Changed && e.token.identity == t.identity;
    });
    if (!reported) events.push_back({TokenEvent::Kind::Inserted, t, {}});
  }
  present_ = std::move(now);
  return events;
}

}  // namespace token
