// For staff (kioskctl business show): what a renewal removed from the customer's key after an interrupted
// key generation or certificate write, and what new objects it found there but left alone because they
// are not provably its own (docs/token.md, "What an interrupted renewal leaves").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "journal/journal.hpp"

namespace runtime {

// One heading line per part and one line per object; empty when the business has no such report.
std::vector<std::string> key_report_lines(journal::Journal& journal, std::int64_t business);

}  // namespace runtime
