// The fleet-set settings, one reader per field with its range (the table in docs/fleet.md, "Settings and
// their ranges", lists the same).
#pragma once

#include <string>

#include "fleet/settings.hpp"
#include "json_reader.hpp"

namespace fleet::detail {

inline constexpr std::int64_t kMaxUnixTime = std::int64_t{1} << 40;

// The "settings" object of one layer at `path` ("layers[2].settings"). Throws Stop.
SettingsPatch read_settings(const json& v, const std::string& path);

}  // namespace fleet::detail
