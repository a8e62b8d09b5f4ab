// Fuzz target over the response parsers: whatever bytes come back from the network go through
// parse_json_text, every contract decoder and decode_error_body. Properties: no crash, no hang, no
// sanitizer report; a decoded value re-encodes to JSON that decodes to the same encoding; an error
// body always yields a message key. Built two ways: with clang + libFuzzer (tests/platform/fuzz,
// KIOSK_FUZZ=ON), and into the normal corpus test (platform_fuzz_corpus), which calls this function.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "contract/json.hpp"

namespace {

template <typename T>
void round_trip(const contract::Json& j) {
  T v{};
  std::string why;
  if (!contract::decode(j, v, why)) {
    if (why.empty()) std::abort();  // a refusal always says why
    return;
  }
  contract::Json again = contract::encode(v);
  T w{};
  if (!contract::decode(again, w, why)) std::abort();
  if (contract::encode(w).dump() != again.dump()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  contract::Json j;
  std::string why;
  if (contract::parse_json_text(text, j, why)) {
    round_trip<contract::Catalog>(j);
    round_trip<contract::SmsSent>(j);
    round_trip<contract::SmsVerified>(j);
    round_trip<contract::Order>(j);
    round_trip<contract::RenewalNonce>(j);
    round_trip<contract::IssuedCertificate>(j);
    round_trip<contract::Session>(j);
    round_trip<contract::Profile>(j);
    round_trip<contract::BusinessList>(j);
    round_trip<contract::HeartbeatAck>(j);
    round_trip<contract::SignedConfig>(j);
    round_trip<contract::KioskConfigPayload>(j);
    round_trip<contract::ApiError>(j);
    // Requests too: the reference platform decodes them from the network.
    round_trip<contract::OrderCreateRequest>(j);
    round_trip<contract::SmsSendRequest>(j);
    round_trip<contract::RenewalSubmitRequest>(j);
    round_trip<contract::NeedsStaffRequest>(j);
    round_trip<contract::ProfileUpdate>(j);
    round_trip<contract::Heartbeat>(j);
  } else if (why.empty()) {
    std::abort();
  }
  for (int status : {400, 429, 500}) {
    contract::ApiError e = contract::decode_error_body(status, text);
    if (e.message_key.empty() || e.http_status != status || e.detail.size() > 512) std::abort();
    if (!e.code.empty() && !contract::is_code_shaped(e.code)) std::abort();
  }
  return 0;
}
