// The status page's items (staff_status.cpp), shared with the diagnostics bundle (diagnostics.cpp), which
// carries the journal's check as well as the items.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/staff.hpp"
#include "runtime/fleet.hpp"
#include "runtime_impl.hpp"

namespace runtime {

// The journal checked now: SQLite's integrity_check, then the audit chain walked (docs/staff.md, "Status").
struct JournalCheck {
  std::uint64_t bytes = 0;       // the file and its -wal
  std::string integrity;         // empty: "ok"; else SQLite's words
  std::string chain;             // empty: verified; else the first bad entry
  bool damaged = false;          // what failed is damage (not an unreadable file)
  std::int64_t entries = 0;      // the chain's entries verified
  std::int64_t chain_start = 0;  // its checkpoint (0: never pruned)
  std::int64_t head_seq = 0;     // its newest entry
  std::string head_sha256;
  std::int64_t ms = 0;  // how long the journal was held for it
};
JournalCheck check_journal_now(StepJournal& journal, const std::filesystem::path& path);

// Every item, in staff_status()'s order; `journal` gets the journal's check the journal item shows.
std::vector<core::StatusItem> gather_status(KioskRuntime::Impl& rt, const FleetStatus& fleet,
                                            JournalCheck& journal);

}  // namespace runtime
