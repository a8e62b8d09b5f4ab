// kiosk/service against the real kernel interfaces: datagrams on a bound AF_UNIX socket, signals through
// signalfd, prctl and setrlimit in a child process.
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>

#include "notify_listener.hpp"
#include "service/lockdown.hpp"
#include "service/notify.hpp"
#include "service/stop_signals.hpp"

using servicetest::NotifyListener;

TEST_CASE("the notifier sends each message as one datagram to the socket") {
  NotifyListener l;
  service::Notifier n(l.path(), std::nullopt);
  CHECK(n.enabled());
  CHECK(n.ready("home presented"));
  CHECK(n.watchdog());
  CHECK(n.stopping("bye"));
  CHECK(l.next() == "READY=1\nSTATUS=home presented");
  CHECK(l.next() == "WATCHDOG=1");
  CHECK(l.next() == "STOPPING=1\nSTATUS=bye");
}

TEST_CASE("without NOTIFY_SOCKET nothing is sent and the watchdog is off") {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  const auto n = service::Notifier::from_environment();
  CHECK_FALSE(n.enabled());
  CHECK_FALSE(n.ready("x"));
  CHECK_FALSE(n.watchdog_interval());
  // A socket that is neither a path nor an abstract name is not used.
  CHECK_FALSE(service::Notifier("vsock:2:1234", std::nullopt).enabled());
}

TEST_CASE("the watchdog period is half of WATCHDOG_USEC, for us or for cage, our parent") {
  NotifyListener l;
  ::setenv("NOTIFY_SOCKET", l.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::unsetenv("WATCHDOG_PID");
  CHECK(service::Notifier::from_environment().watchdog_interval() == std::chrono::milliseconds(15'000));
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  CHECK(service::Notifier::from_environment().watchdog_interval() == std::chrono::milliseconds(15'000));
  ::setenv("WATCHDOG_PID", std::to_string(::getppid()).c_str(), 1);
  CHECK(service::Notifier::from_environment().watchdog_interval() == std::chrono::milliseconds(15'000));
  // Another process's watchdog is not ours.
  ::setenv("WATCHDOG_PID", "1", 1);
  CHECK_FALSE(service::Notifier::from_environment().watchdog_interval());
  ::setenv("WATCHDOG_USEC", "junk", 1);
  ::unsetenv("WATCHDOG_PID");
  CHECK_FALSE(service::Notifier::from_environment().watchdog_interval());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
}

TEST_CASE("an abstract socket name (@...) is reached too") {
  // Bound by a second notifier-side socket in the abstract namespace.
  const std::string name = "@kiosk-notify-test-" + std::to_string(::getpid());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data() + 1, name.size() - 1);
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0);
  CHECK(service::Notifier(name, std::nullopt).watchdog());
  char buf[64];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  CHECK(std::string(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0))) == "WATCHDOG=1");
  ::close(fd);
}

TEST_CASE("SIGTERM sent to the process reaches the watcher's callback, on the watcher's thread") {
  service::StopSignals::block();
  std::mutex m;
  std::condition_variable cv;
  int got = 0;
  std::thread::id on;
  {
    service::StopSignals s([&](int signo) {
      std::lock_guard lock(m);
      got = signo;
      on = std::this_thread::get_id();
      cv.notify_all();
    });
    REQUIRE(::kill(::getpid(), SIGTERM) == 0);
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return got != 0; });
  }
  CHECK(got == SIGTERM);
  CHECK(on != std::this_thread::get_id());
}

TEST_CASE("the locked-down process is not dumpable and makes no core file") {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!service::lock_down_process().empty()) ::_exit(2);
    rlimit r{};
    ::getrlimit(RLIMIT_CORE, &r);
    ::_exit(::prctl(PR_GET_DUMPABLE) == 0 && r.rlim_cur == 0 && r.rlim_max == 0 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
