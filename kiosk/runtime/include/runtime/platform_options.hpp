// The platform client's options for this kiosk's configuration: its platform, pinned CA, client
// certificate and timeouts. One place for ca-kiosk's runtime and kioskctl's platform commands.
#pragma once

#include <chrono>

#include "platform/client.hpp"
#include "runtime/config.hpp"

namespace runtime {

// `long_poll`: one attempt per call (the payment's long poll repeats itself).
inline platform::ClientOptions client_options(const KioskConfig& c, bool long_poll = false) {
  platform::ClientOptions o;
  o.base_url = c.platform.base_url;
  o.ca_file = c.platform.ca_file;
  o.client_cert = c.platform.client_cert;
  o.client_key = c.platform.client_key;
  o.connect_timeout = std::chrono::milliseconds(c.platform.connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(c.platform.request_timeout_ms);
  if (long_poll) o.max_attempts = 1;
  return o;
}

}  // namespace runtime
