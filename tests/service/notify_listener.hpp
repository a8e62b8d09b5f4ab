// The service manager's side of sd_notify for tests: a datagram socket bound in a private folder; each
// received datagram is one message ("READY=1\nSTATUS=...").
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace servicetest {

class NotifyListener {
 public:
  NotifyListener();  // binds <temp>/kiosk-notify-<pid>-<n>/notify.sock
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  [[nodiscard]] std::string path() const { return (dir_ / "notify.sock").string(); }
  // The next datagram; waits up to `timeout_ms` (a guard against a hang, not a measured time).
  std::optional<std::string> next(int timeout_ms = 60'000);

 private:
  std::filesystem::path dir_;
  int fd_ = -1;
};

}  // namespace servicetest
