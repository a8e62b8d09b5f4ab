// SIGTERM and SIGINT as a stop request instead of a sudden end (docs/packaging.md, "Stopping safely").
//
// block() must run first in main(), before any thread exists: every thread inherits the blocked mask, so
// the signals stay pending for the process until the watcher's signalfd reads them; no handler runs on a
// random thread in the middle of a token call. The watcher then calls `on_signal` on its own thread, once
// per signal received; the callback must be thread-safe (the app sets an atomic flag and wakes its loop).
#pragma once

#include <functional>
#include <thread>

namespace service {

class StopSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (and so in every thread it starts afterwards).
  static void block();

  explicit StopSignals(std::function<void(int signo)> on_signal);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  void watch();
  std::function<void(int)> on_signal_;
  int signal_fd_ = -1;
  int quit_fd_ = -1;  // an eventfd: the destructor ends the watcher through it
  std::thread thread_;
};

}  // namespace service
