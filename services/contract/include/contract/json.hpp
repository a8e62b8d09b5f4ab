// The JSON mapping of contract/types.hpp. `encode` never fails; `decode` never throws and never trusts
// its input (it is what the kiosk runs over whatever comes back from the network, and what the fuzz
// target exercises): every missing or mistyped field, out-of-range number, bad base64 or unknown enum
// name makes it return false with a one-line reason naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contract/types.hpp"

namespace contract {

using Json = nlohmann::json;

// Limits on what a decoder accepts; answers above them are malformed, not a reason to allocate.
inline constexpr std::size_t kMaxJsonDepth = 32;
inline constexpr std::size_t kMaxStringBytes = 64 * 1024;  // one string field (a DER in base64 fits)
inline constexpr std::size_t kMaxListItems = 1000;         // orders in a business list, products, ...

// Parses JSON text. Refuses (false) invalid JSON, nesting deeper than kMaxJsonDepth (checked before
// parsing, so a hostile "[[[[..." cannot recurse deeply), and an empty text.
bool parse_json_text(std::string_view text, Json& out, std::string& why);

Json encode(const Project& v);
Json encode(const Brand& v);
Json encode(const Product& v);
Json encode(const Catalog& v);
Json encode(const SmsSendRequest& v);
Json encode(const SmsSent& v);
Json encode(const SmsVerified& v);
Json encode(const TokenIdentity& v);
Json encode(const OrderCreateRequest& v);
Json encode(const Order& v);
Json encode(const NeedsStaffRequest& v);
Json encode(const RenewalNonce& v);
Json encode(const RenewalSubmitRequest& v);
Json encode(const IssuedCertificate& v);
Json encode(const Session& v);
Json encode(const Profile& v);
Json encode(const ProfileUpdate& v);
Json encode(const BusinessList& v);
Json encode(const HealthItem& v);
Json encode(const OutOfServiceItem& v);
Json encode(const Heartbeat& v);
Json encode(const HeartbeatAck& v);
Json encode(const SignedConfig& v);
Json encode(const StaffCrl& v);
Json encode(const DiagnosticsReceipt& v);
Json encode(const MaintenanceRedeemed& v);
Json encode(const KioskConfigPayload& v);
Json encode(const ApiError& v);

bool decode(const Json& j, Project& out, std::string& why);
bool decode(const Json& j, Brand& out, std::string& why);
bool decode(const Json& j, Product& out, std::string& why);
bool decode(const Json& j, Catalog& out, std::string& why);
bool decode(const Json& j, SmsSendRequest& out, std::string& why);
bool decode(const Json& j, SmsSent& out, std::string& why);
bool decode(const Json& j, SmsVerified& out, std::string& why);
bool decode(const Json& j, TokenIdentity& out, std::string& why);
bool decode(const Json& j, OrderCreateRequest& out, std::string& why);
bool decode(const Json& j, Order& out, std::string& why);
bool decode(const Json& j, NeedsStaffRequest& out, std::string& why);
bool decode(const Json& j, RenewalNonce& out, std::string& why);
bool decode(const Json& j, RenewalSubmitRequest& out, std::string& why);
bool decode(const Json& j, IssuedCertificate& out, std::string& why);
bool decode(const Json& j, Session& out, std::string& why);
bool decode(const Json& j, Profile& out, std::string& why);
bool decode(const Json& j, ProfileUpdate& out, std::string& why);
bool decode(const Json& j, BusinessList& out, std::string& why);
bool decode(const Json& j, HealthItem& out, std::string& why);
bool decode(const Json& j, OutOfServiceItem& out, std::string& why);
bool decode(const Json& j, AuditHead& out, std::string& why);
bool decode(const Json& j, Heartbeat& out, std::string& why);
bool decode(const Json& j, HeartbeatAck& out, std::string& why);
bool decode(const Json& j, SignedConfig& out, std::string& why);
bool decode(const Json& j, StaffCrl& out, std::string& why);
bool decode(const Json& j, DiagnosticsReceipt& out, std::string& why);
bool decode(const Json& j, MaintenanceRedeemed& out, std::string& why);
bool decode(const Json& j, KioskConfigPayload& out, std::string& why);
bool decode(const Json& j, ApiError& out, std::string& why);

// Text → type in one step (parse_json_text + decode).
template <typename T>
bool decode_text(std::string_view text, T& out, std::string& why) {
  Json j;
  if (!parse_json_text(text, j, why)) return false;
  return decode(j, out, why);
}

// An error answer (any non-2xx) → ApiError. Never fails: a body that is not the error schema (an HTML
// page from a proxy, garbage) gives an ApiError with an empty code. Codes and message keys that do not
// look like ours ([a-z0-9_.], at most 64) are dropped rather than passed to the UI; detail is cut to 512
// bytes.
ApiError decode_error_body(int http_status, std::string_view body);

// A well-formed code or message key: 1–64 of [a-z0-9_.].
bool is_code_shaped(std::string_view s);

}  // namespace contract
