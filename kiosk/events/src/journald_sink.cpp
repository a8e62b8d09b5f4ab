#include "events/journald_sink.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace events {
namespace {

int priority(Level l) {
  switch (l) {
    case Level::Debug:
      return 7;
    case Level::Info:
      return 6;
    case Level::Warning:
      return 4;
    case Level::Error:
      return 3;
  }
  return 6;
}

void append(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += name;
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
    out += value;
  } else {  // NAME\n, the value's length as 64-bit little endian, the value
    out += '\n';
    std::uint64_t n = value.size();
    for (int i = 0; i < 8; ++i, n >>= 8) out += static_cast<char>(n & 0xff);
    out += value;
  }
  out += '\n';
}

}  // namespace

std::string journal_entry(const Event& e, std::string_view identifier) {
  std::string out;
  append(out, "MESSAGE", e.message);
  append(out, "PRIORITY", std::to_string(priority(e.level)));
  append(out, "SYSLOG_IDENTIFIER", identifier);
  append(out, "KIOSK_COMPONENT", e.component);
  append(out, "KIOSK_BUSINESS", e.business);
  append(out, "KIOSK_STEP", e.step);
  append(out, "KIOSK_CODE", e.code);
  return out;
}

std::shared_ptr<JournaldSink> JournaldSink::open(std::string identifier, std::string socket_path) {
  if (socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) return nullptr;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  return std::shared_ptr<JournaldSink>(new JournaldSink(fd, std::move(identifier), std::move(socket_path)));
}

JournaldSink::JournaldSink(int fd, std::string identifier, std::string socket_path)
    : fd_(fd), identifier_(std::move(identifier)), socket_path_(std::move(socket_path)) {}

JournaldSink::~JournaldSink() {
  ::close(fd_);
}

void JournaldSink::write(const Event& e) {
  const std::string entry = journal_entry(e, identifier_);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  (void)::sendto(fd_, entry.data(), entry.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr),
                 sizeof addr);
}

bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js || !*js) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  const std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == js;
}

}  // namespace events
