// The local staff channel's protocol (docs/staff.md, "The local staff channel"): one JSON object per line
// each way over a Unix socket, a request from kioskctl and the running kiosk's answer.
//
//   {"op":"status"}                                  →
//   {"ok":true,"overall":"amber","items":[…],"out_of_service":[…]}
//   {"op":"service","state":"out","reason":"repair"} → {"ok":true,"out_of_service":[…]}
//   {"op":"service","state":"in"}                    → {"ok":true,"out_of_service":[…]}
//   {"op":"business"}                                → {"ok":true,"business":[…]}
//   {"op":"send","outbox_id":7}                      →
//   {"ok":true,"outbox_id":7,"state":"delivered","error":""}
//   {"op":"counter","business_id":3,"note":"…"}      → {"ok":true}
//   {"op":"diag"}                                    → {"ok":true,"bundle":{…}}
//   {"op":"diag","upload":true}                      → {"ok":true,"id":"D…"}
//   anything refused                                 → {"ok":false,"error":"<message key>","detail":"…"}
//
// Sizes are bounded both ways (kMaxRequestBytes, kMaxAnswerBytes); a request must arrive within
// kRequestTimeout. Nothing secret travels here: no PIN, code or password is ever asked for or answered,
// and phone numbers are masked as the journal keeps them.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/service.hpp"
#include "core/staff.hpp"

namespace staffchan {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxRequestBytes = 16 * 1024;       // a note is at most 200 characters
inline constexpr std::size_t kMaxAnswerBytes = 2 * 1024 * 1024;  // a diagnostics bundle is at most 512 KiB
inline constexpr std::chrono::seconds kRequestTimeout{10};  // from the connection to its request's newline
inline constexpr std::size_t kMaxConnections = 4;           // at once; more are refused (staff.channel.busy)

// The channel's own refusals (message keys in assets/i18n/staff_desk.*.json).
inline constexpr std::array<std::string_view, 6> kChannelKeys = {
    "staff.channel.refused", "staff.channel.bad_request",    "staff.channel.too_large",
    "staff.channel.timeout", "staff.channel.unknown_reason", "staff.channel.busy"};

// Who may use the channel (docs/staff.md, "The local staff channel"): root, the kiosk's own user, and
// members of the staff group (its primary group counts). Pure, so that the rule is tested on its own.
enum class PeerVerdict { Root, Owner, StaffGroup, Refused };
PeerVerdict judge_peer(uid_t peer_uid, std::span<const gid_t> peer_groups, uid_t own_uid,
                       std::optional<gid_t> staff_gid);
std::string_view to_string(PeerVerdict v);  // "root", "owner", "staff group", "refused"

// The error answer.
Json refusal(std::string_view key, std::string_view detail = {});

// The plain values as the channel carries them (and back, for kioskctl).
Json to_json(const core::StatusItem& i);
Json to_json(const core::StaffBusiness& b);
Json to_json(const core::OutOfService& s);  // [{source, reason_key, detail}], set sources only
core::StatusItem status_item_from(const Json& j);
core::StaffBusiness business_from(const Json& j);

}  // namespace staffchan
