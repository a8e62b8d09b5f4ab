// The kiosk's trust state on disk (docs/fleet.md, "The trust state on disk"): one file,
// DIR/trust-state.json, holding the root chain, the highest CRL numbers, the applied bundle (and the one
// before it) and the layer marks. It is replaced atomically — written to DIR/trust-state.json.tmp, fsynced,
// renamed over the old, and DIR fsynced — so a power cut or SIGKILL at any point leaves the old state or
// the new, never a mix, and the applied bundle always goes with the state that accepted it.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "fleet/roots.hpp"
#include "fleet/scope.hpp"
#include "fleet/trust.hpp"

namespace fleet {

inline constexpr std::string_view kStateFileName = "trust-state.json";
inline constexpr std::size_t kMaxStateBytes = 4 * 1024 * 1024;

struct StoreError {
  enum class Kind {
    Io,       // the directory or file cannot be read or written (errno's text in message)
    Corrupt,  // the file is not a trust state, or its rotations do not follow the pinned roots
  };
  Kind kind = Kind::Io;
  std::string message;
};

// Reads DIR/trust-state.json; without one, the initial state of the pinned set. The root chain is checked
// again from `installed` (the install-time set: a package that pins a newer set takes over from the
// rotations it already includes). A corrupt file is an error, never a fresh start: forgetting the applied
// version would let an older bundle back in.
std::expected<TrustState, StoreError> load_state(const std::filesystem::path& dir, const RootSet& installed);

// Replaces DIR/trust-state.json atomically (see above). DIR must exist.
std::expected<void, StoreError> save_state(const std::filesystem::path& dir, const TrustState& state);

// Applies what verify_bundle() accepted: next_state(), saved. Returns the new state; on an error the file
// on disk is the old state.
std::expected<TrustState, StoreError> apply(const std::filesystem::path& dir, const TrustState& state,
                                            const Verified& v, const KioskPlace& here);

// Root rotations are taken the same way: s.roots = advance(s.roots, documents), then save_state().

}  // namespace fleet
