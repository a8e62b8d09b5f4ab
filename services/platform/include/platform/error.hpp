// The platform client's typed errors. Every failure of a call is one of these values; nothing throws.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace platform {

enum class ErrorKind {
  Offline,    // no connection (refused, unreachable, reset, closed without an answer)
  Timeout,    // connect, total or low-speed timeout
  Tls,        // handshake failed: wrong server certificate, our certificate refused, not TLS at all
  Http,       // the platform answered non-2xx: see http_status, code, message_key
  Malformed,  // an answer we cannot use: not JSON, wrong shape, truncated, larger than the cap, bad signature
  Config,     // the client is set up wrong (files missing, bad URL, bad idempotency key): a programmer/staff
              // error
};

std::string_view to_string(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::Offline;
  int http_status = 0;  // Http only
  std::string code;  // the platform's machine code (Http), or the client's own (e.g. "kiosk.config_expired")
  std::string message_key;  // always set: "error.platform.<code>" or error.platform.offline/timeout/tls/...
  std::string detail;       // for logs and staff; never a secret
  std::optional<int> retry_after_s;  // throttles, SMS resend waits
  int attempts = 1;                  // how many tries the call made
  // Tls only: the handshake failed on a certificate's validity window — the platform's certificate not yet
  // valid or expired by this kiosk's clock, or ours expired by the platform's. The clock is the suspect,
  // not the network (docs/platform.md, "Time").
  bool certificate_time = false;

  // True when the platform answered with this machine code.
  [[nodiscard]] bool is(std::string_view c) const { return kind == ErrorKind::Http && code == c; }
  // "http 409 order.already_paid (detail)" / "offline: Connection refused"
  [[nodiscard]] std::string to_string() const;
};

template <typename T>
using Result = std::expected<T, Error>;

}  // namespace platform
