#include "staffchan/client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace staffchan {

std::expected<Json, ClientError> call(const std::filesystem::path& socket, const Json& request,
                                      std::chrono::seconds timeout) {
  using Kind = ClientError::Kind;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = socket.string();
  if (p.empty() || p.size() >= sizeof addr.sun_path)
    return std::unexpected(ClientError{Kind::NoKiosk, p + ": not a usable socket path"});
  std::memcpy(addr.sun_path, p.data(), p.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(ClientError{Kind::Io, std::string("socket: ") + std::strerror(errno)});
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    const Kind k = e == EACCES || e == EPERM                          ? Kind::Denied
                   : e == ENOENT || e == ECONNREFUSED || e == ENOTDIR ? Kind::NoKiosk
                                                                      : Kind::Io;
    return std::unexpected(ClientError{k, p + ": " + std::strerror(e)});
  }
  std::string line = request.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  for (std::string_view rest = line; !rest.empty();) {
    const ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    // The kiosk may answer (a refusal) and close before it reads the request: its answer is still there.
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) break;
    if (n <= 0) return std::unexpected(ClientError{Kind::Io, std::string("send: ") + std::strerror(errno)});
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string reply;
  char buf[16384];
  while (reply.find('\n') == std::string::npos) {
    if (reply.size() > kMaxAnswerBytes)
      return std::unexpected(ClientError{Kind::Malformed, "the answer is longer than the channel allows"});
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return std::unexpected(
          ClientError{Kind::Timeout, "no answer within " + std::to_string(timeout.count()) + " s"});
    if (n < 0) return std::unexpected(ClientError{Kind::Io, std::string("recv: ") + std::strerror(errno)});
    if (n == 0)
      return std::unexpected(ClientError{Kind::Io, "the kiosk closed the connection without an answer"});
    reply.append(buf, static_cast<std::size_t>(n));
  }
  Json j = Json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
  if (!j.is_object()) return std::unexpected(ClientError{Kind::Malformed, "the answer is not a JSON object"});
  return j;
}

}  // namespace staffchan
