// One process at a time drives this kiosk's business (docs/operations.md, "One owner"): the runtime that
// owns the journal and the customer's key holds an exclusive lock on a file next to the journal
// (flock: the kernel drops it when the process dies, SIGKILL included). A second ca-kiosk or a
// `kioskctl renew` while one runs is refused with who holds it, instead of both driving one business.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace runtime {

class OwnerLock {
 public:
  struct Refused {
    bool busy = false;   // another process holds it (holder says which); else the file could not be made
    std::string holder;  // "<pid> <program>" as the holder wrote it
    int error = 0;       // errno when the file could not be opened
  };
  // Takes the lock on `path` (made if missing, 0600) without waiting, and writes "<pid> <program>" in it.
  static std::expected<OwnerLock, Refused> take(const std::filesystem::path& path, std::string_view program);

  OwnerLock(OwnerLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  OwnerLock& operator=(OwnerLock&& o) noexcept;
  OwnerLock(const OwnerLock&) = delete;
  OwnerLock& operator=(const OwnerLock&) = delete;
  ~OwnerLock();

 private:
  explicit OwnerLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace runtime
