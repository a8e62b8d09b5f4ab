// How the headless driver and kioskctl write times and amounts for staff (one format in both).
#pragma once

#include <string>

#include "core/types.hpp"

namespace runtime {

// "2026-12-07 09:41 UTC".
std::string utc_minute(core::UnixSeconds t);
// "2026-12-07T09:41:05Z": the status page's and the diagnostics bundle's times (language-neutral).
std::string utc_iso(core::UnixSeconds t);
// "¥12.30" from fen.
std::string yuan(core::Fen fen);

}  // namespace runtime
