// The rotation document's JSON (docs/fleet.md, "Roots and their rotation"), written by the signing side and
// read by the kiosk: {"type": "kiosk-config-roots", "sequence": n, "threshold": k, "roots": [base64 DER...]}.
#pragma once

#include <string>
#include <string_view>

#include "fleet/roots.hpp"

namespace fleet::detail {

inline constexpr std::string_view kRotationType = "kiosk-config-roots";

std::string rotation_json(const RootSet& next);
// Throws Stop (RootRotationInvalid) when the text is not a rotation document.
RootSet read_rotation_json(std::string_view text);

}  // namespace fleet::detail
