// Internal to platform_client: an Error of `kind` with the message key its contract code or its kind maps to.
#pragma once

#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace platform {

Error make_error(ErrorKind kind, std::string detail, std::string code = {});

// An HTTP answer as it came: its status and body.
struct Raw {
  long status = 0;
  std::string body;
};

// An error answer without the contract's error body (a proxy's page, a redirect, a crashed server): what
// it was, for the one line staff read. Printable ASCII of the body's start only, so nothing the server
// sent can move the terminal.
std::string describe_foreign_answer(const Raw& raw);

// OpenSSL's words for a certificate outside its validity window (X509_verify_cert_error_string, and the
// TLS alert "certificate expired"): the clock's fault, not the network's.
bool names_certificate_time(std::string_view text);

}  // namespace platform
