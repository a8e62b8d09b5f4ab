// The journal's side of "nothing left behind on the key" (docs/token.md, "What an interrupted renewal
// leaves"): the stage_key step's intent records what was on the key before the renewal's first key
// generation (token::inventory(), by attributes that survive a restart); before finalize, a renewal whose
// key generation or certificate write was interrupted compares the key with it (token::remove_leftovers())
// and keeps what it removed and what it left in the business's working data (Datum::KeyLeftovers), which
// `kioskctl business show` prints for staff.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.hpp"
#include "token/inventory.hpp"

namespace runtime {

// The stage_key intent's data: {"before":[<object>, ...]}. An object: {"kind", "key_type", "id" (hex),
// "label" (or "label_hex" when it is not UTF-8), "value", "local", "sensitive"}, empty ones left out.
std::string before_json(const std::vector<token::ObjectPrint>& before);

// The objects the first stage_key intent that recorded any says were on the key; nullopt when none did
// (a journal an earlier kiosk wrote: nothing can then be proved to be the renewal's).
std::optional<std::vector<token::ObjectPrint>> recorded_before(const std::vector<journal::Step>& steps);

// A step that creates objects on the key (stage_key, install) was begun more often than it finished: a
// crash, a pulled key or an error may have cut one of its writes short.
bool creation_interrupted(const std::vector<journal::Step>& steps);

// The report to keep: what earlier runs removed plus what this one did, and what is left now.
// {"removed":[<object>...], "left":[<object>...]}
std::string merge_report(std::string_view kept, const token::LeftoverReport& now);

// Staff lines from a kept report (kioskctl business show); empty when there is none or nothing in it.
std::vector<std::string> report_lines(std::string_view kept);

}  // namespace runtime
