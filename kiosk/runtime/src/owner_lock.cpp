#include "owner_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace runtime {

std::expected<OwnerLock, OwnerLock::Refused> OwnerLock::take(const std::filesystem::path& path,
                                                             std::string_view program) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(Refused{false, {}, errno});
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    Refused r{e == EWOULDBLOCK, {}, e};
    char buf[256];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) r.holder.assign(buf, static_cast<std::size_t>(n));
    while (!r.holder.empty() && (r.holder.back() == '\n' || r.holder.back() == '\0')) r.holder.pop_back();
    ::close(fd);
    return std::unexpected(std::move(r));
  }
  // Who holds it, for the next one refused; informational (a full disk may not take it, and need not).
  const std::string who = std::to_string(::getpid()) + " " + std::string(program) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, who.data(), who.size(), 0);
  return OwnerLock(fd);
}

OwnerLock& OwnerLock::operator=(OwnerLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

OwnerLock::~OwnerLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace runtime
