#include "errors.hpp"

#include "contract/codes.hpp"

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

Error make_error(ErrorKind kind, std::string detail, std::string code) {
  Error e;
  e.kind = kind;
  e.code = std::move(code);
  e.detail = std::move(detail);
  if (!e.code.empty()) {
    e.message_key = contract::message_key_for(e.code);
  } else {
    switch (kind) {
      case ErrorKind::Offline:
        e.message_key = contract::key::kOffline;
        break;
      case ErrorKind::Timeout:
        e.message_key = contract::key::kTimeout;
        break;
      case ErrorKind::Tls:
        e.message_key = contract::key::kTls;
        break;
      case ErrorKind::Malformed:
        e.message_key = contract::key::kMalformed;
        break;
      case ErrorKind::Config:
        e.message_key = contract::key::kConfig;
        break;
      case ErrorKind::Http:
        e.message_key = contract::key::kHttp;
        break;
    }
  }
  return e;
}

std::string describe_foreign_answer(const Raw& raw) {
  if (raw.status >= 300 && raw.status < 400) return "a redirect, which the kiosk does not follow";
  std::string text;
  bool space = false;
  for (char ch : raw.body) {
    if (text.size() >= 80) break;
    const bool printable = ch > ' ' && ch < 127;
    if (!printable) {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += ch;
  }
  if (text.empty()) return "no error body";
  return "not the platform's error body: " + text + (raw.body.size() > 80 ? " ..." : "");
}

bool names_certificate_time(std::string_view text) {
  return text.find("certificate expired") != std::string_view::npos ||
         text.find("certificate is not yet valid") != std::string_view::npos ||
         text.find("certificate has expired") != std::string_view::npos;
}

}  // namespace platform
