// kioskctl's side of the local staff channel (docs/staff.md, "The local staff channel"): one request, one
// answer, over a connection of its own.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <string>

#include "staffchan/protocol.hpp"

namespace staffchan {

struct ClientError {
  enum class Kind {
    NoKiosk,    // no socket at the path, or nothing listens on it: no kiosk is running
    Denied,     // the socket's mode keeps this user out (EACCES)
    Timeout,    // no answer within the time given
    Io,         // the connection broke
    Malformed,  // the answer is no JSON object, or longer than kMaxAnswerBytes
  };
  Kind kind = Kind::Io;
  std::string detail;
};

// Sends `request` as one line to the kiosk listening at `socket` and reads its one-line answer (the
// kiosk's refusals come back as answers: {"ok":false,"error":…}).
std::expected<Json, ClientError> call(const std::filesystem::path& socket, const Json& request,
                                      std::chrono::seconds timeout);

}  // namespace staffchan
