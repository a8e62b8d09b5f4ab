// Scopes of the fleet (docs/fleet.md, "Scopes and targets"): the whole fleet, a region, a hall or one kiosk,
// written "fleet", "region:<id>", "hall:<id>", "kiosk:<id>". A bundle's targets, its layers and a signer's
// certificate (subjectAltName URIs "kiosk-scope:<scope>") all name scopes.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleet {

enum class ScopeKind { Fleet, Region, Hall, Kiosk };  // wider to narrower

struct Scope {
  ScopeKind kind = ScopeKind::Fleet;
  std::string id;  // empty for Fleet; otherwise 1–64 of [A-Za-z0-9_-]

  friend bool operator==(const Scope&, const Scope&) = default;
};

// Where this kiosk stands: its id (its client certificate's CN), hall and region, from its install-time
// configuration.
struct KioskPlace {
  std::string kiosk_id;
  std::string hall;
  std::string region;
};

// "fleet", "region:NMG", "hall:H001", "kiosk:NMG-HOHHOT-HALL1-K01"; nullopt for anything else.
std::optional<Scope> parse_scope(std::string_view text);
std::string to_string(const Scope& s);

// Whether the scope includes this kiosk.
bool contains(const Scope& s, const KioskPlace& here);

// Whether a signer allowed `signer` may sign for `target`, as far as this kiosk can tell: fleet covers
// everything; a scope covers itself; a narrower kind never covers a wider one, nor another id of its kind.
// A wider scope covers a narrower target on this kiosk's own path only when it is this kiosk's own
// region or hall (a region signer cannot sign for this kiosk's hall unless this kiosk is in that region).
// For a target off this kiosk's path (another hall) the kiosk cannot know which region that hall is in;
// it accepts the wider kind, and the kiosks that target names make the exact check for themselves.
bool covers(const Scope& signer, const Scope& target, const KioskPlace& here);

// The subjectAltName URI scheme that names a certificate's scopes (a signer's, a staff member's):
// "kiosk-scope:hall:H001".
inline constexpr std::string_view kScopeUriPrefix = "kiosk-scope:";

// The scopes named by the certificate's subjectAltName URIs "kiosk-scope:<scope>"; others are ignored.
std::vector<Scope> certificate_scopes(X509* cert);

// The cohort bucket 0–99 of a kiosk for a seed: the first 8 bytes of
// SHA-256("kiosk-cohort/v1\n" + seed + "\n" + kiosk_id), big-endian, modulo 100. A target with
// cohort_percent p includes the kiosks whose bucket is below p, so with one seed a rollout that grows from
// 10 to 50 percent keeps the first 10 percent inside.
int cohort_bucket(std::string_view kiosk_id, std::string_view seed);

}  // namespace fleet
