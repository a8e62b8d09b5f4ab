// platform::Error in words, for logs and staff.
#include "platform/error.hpp"

namespace platform {

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Offline:
      return "offline";
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::Tls:
      return "tls";
    case ErrorKind::Http:
      return "http";
    case ErrorKind::Malformed:
      return "malformed";
    case ErrorKind::Config:
      return "config";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string s(platform::to_string(kind));
  if (kind == ErrorKind::Http) s += " " + std::to_string(http_status);
  if (!code.empty()) s += " " + code;
  if (!detail.empty())
    s += (code.empty() && kind != ErrorKind::Http ? ": " : " (") + detail +
         (code.empty() && kind != ErrorKind::Http ? "" : ")");
  if (retry_after_s) s += " retry after " + std::to_string(*retry_after_s) + " s";
  return s;
}

}  // namespace platform
