#include "service/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace service {
namespace {

std::optional<long long> number(const char* text) {
  if (!text || !*text) return std::nullopt;
  long long v = 0;
  const char* end = text + std::strlen(text);
  auto [p, ec] = std::from_chars(text, end, v);
  if (ec != std::errc() || p != end || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

Notifier Notifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::optional<std::chrono::microseconds> watchdog;
  if (auto usec = number(std::getenv("WATCHDOG_USEC"))) {
    // WATCHDOG_PID names the process the manager expects the pings from: us, or cage (our parent).
    const auto pid = number(std::getenv("WATCHDOG_PID"));
    if (!pid || *pid == ::getpid() || *pid == ::getppid()) watchdog = std::chrono::microseconds(*usec);
  }
  return Notifier(socket ? socket : "", watchdog);
}

Notifier::Notifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog)
    : socket_(std::move(socket_path)), watchdog_(watchdog) {
  // Only a path or an abstract name is a socket we can send to (sd_notify(3) also knows vsock: not here).
  if (!socket_.empty() && socket_[0] != '/' && socket_[0] != '@') socket_.clear();
}

bool Notifier::send(std::string_view message) const {
  if (socket_.empty()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  if (socket_[0] == '@')
    addr.sun_path[0] = '\0';  // abstract: no terminating NUL counted
  else
    ++len;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t n;
  do {
    n = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr),
                 len);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  return n == static_cast<ssize_t>(message.size());
}

bool Notifier::ready(std::string_view s) const {
  return send("READY=1\nSTATUS=" + std::string(s));
}
bool Notifier::watchdog() const {
  return send("WATCHDOG=1");
}
bool Notifier::stopping(std::string_view s) const {
  return send("STOPPING=1\nSTATUS=" + std::string(s));
}
bool Notifier::status(std::string_view s) const {
  return send("STATUS=" + std::string(s));
}

std::optional<std::chrono::milliseconds> Notifier::watchdog_interval() const {
  if (!watchdog_) return std::nullopt;
  const auto half = std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_ / 2);
  return std::max(half, std::chrono::milliseconds(1));
}

}  // namespace service
