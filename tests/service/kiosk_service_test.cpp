// The real ca-kiosk (--demo, SDL's offscreen video driver) as the service manager would run it, with a
// NOTIFY_SOCKET this test listens on (docs/packaging.md, "The units"):
//   - READY=1 comes after the first frame was presented (its trace line is already written);
//   - WATCHDOG=1 comes from the loop: a test build blocks the loop once (KIOSK_TEST_BLOCK_LOOP_MS) and no
//     ping arrives between its "blocked" and "unblocked" notes, though the block lasts many periods;
//   - SIGTERM brings STOPPING=1 and an exit with status 0;
//   - the program file replaced while it runs (an upgrade) makes the kiosk, idle on home, stop the same
//     safe way so that the service manager starts the new version.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "notify_listener.hpp"

namespace fs = std::filesystem;
using servicetest::NotifyListener;

namespace {

struct Kiosk {
  pid_t pid = -1;
  int out = -1;  // stdout and stderr
  std::string output;

  // Reads what the kiosk has written so far, without waiting.
  void read_available() {
    char buf[4096];
    for (;;) {
      pollfd p{out, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || (p.revents & POLLIN) == 0) return;
      const ssize_t n = ::read(out, buf, sizeof buf);
      if (n <= 0) return;
      output.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Waits for the exit (the output read to its end); the exit status, or 128+signal.
  int wait() {
    char buf[4096];
    for (ssize_t n; (n = ::read(out, buf, sizeof buf)) > 0;) output.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~Kiosk() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait();
    }
  }
};

Kiosk start(const std::string& program, const std::map<std::string, std::string>& env, const fs::path& cwd) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
    ::setenv("LC_ALL", "C", 1);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<std::string> args{program, "--demo", "--trace-frames"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  Kiosk k;
  k.pid = pid;
  k.out = fds[0];
  return k;
}

// The next message; fails the test when none comes (the kiosk stopped talking).
std::string next(NotifyListener& l, Kiosk& k) {
  auto m = l.next();
  k.read_available();
  REQUIRE_MESSAGE(m.has_value(), "no notification; the kiosk said:\n" << k.output);
  return *m;
}

bool is_ping(const std::string& m) {
  return m == "WATCHDOG=1";
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("kiosk-service-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE(
    "READY after the first frame, WATCHDOG from the loop and none while it is blocked, STOPPING on SIGTERM") {
  TempDir tmp;
  NotifyListener l;
  Kiosk k = start(CA_KIOSK_BIN,
                  {{"NOTIFY_SOCKET", l.path()},
                   {"WATCHDOG_USEC", "100000"},  // a ping every 50 ms
                   {"KIOSK_TEST_BLOCK_LOOP_MS", "1000"},
                   {"KIOSK_DEMO_MODULE", KIOSK_DEMO_MODULE}},
                  tmp.path);
  // READY: the first frame's trace line is written before it.
  std::string m;
  int pings_before_ready = 0;
  while (!(m = next(l, k)).starts_with("READY=1")) pings_before_ready += is_ping(m) ? 1 : 0;
  CHECK(m.find("STATUS=in service") != std::string::npos);
  k.read_available();
  CHECK_MESSAGE(k.output.find("frame 1 at") != std::string::npos, k.output);

  // Pings until the test build blocks its loop (after the third); none while it is blocked.
  int pings = pings_before_ready;
  while ((m = next(l, k)) != "STATUS=test: loop blocked") pings += is_ping(m) ? 1 : 0;
  CHECK(pings == 3);
  int pings_while_blocked = 0;
  while ((m = next(l, k)) != "STATUS=test: loop unblocked") pings_while_blocked += is_ping(m) ? 1 : 0;
  CHECK(pings_while_blocked == 0);
  // The loop pings again.
  int after = 0;
  while (after < 3)
    if (is_ping(next(l, k))) ++after;

  REQUIRE(::kill(k.pid, SIGTERM) == 0);
  while (!(m = next(l, k)).starts_with("STOPPING=1")) CHECK_MESSAGE(is_ping(m), m);
  CHECK(k.wait() == 0);
  CHECK_MESSAGE(k.output.find("stopping: no new step starts") != std::string::npos, k.output);
}

TEST_CASE(
    "an upgrade installed while it runs: idle on home, the kiosk stops safely to start the new version") {
  TempDir tmp;
  // The installed layout in small: the program with its runtime module next to it.
  const fs::path program = tmp.path / "ca-kiosk";
  fs::copy_file(CA_KIOSK_BIN, program);
  fs::copy_file(KIOSK_RUNTIME_MODULE, tmp.path / fs::path(KIOSK_RUNTIME_MODULE).filename());
  NotifyListener l;
  Kiosk k = start(
      program.string(),
      {{"NOTIFY_SOCKET", l.path()}, {"WATCHDOG_USEC", "100000"}, {"KIOSK_DEMO_MODULE", KIOSK_DEMO_MODULE}},
      tmp.path);
  std::string m;
  while (!(m = next(l, k)).starts_with("READY=1")) {
  }
  // A few pings with the old file in place: no restart.
  for (int pings = 0; pings < 3;) {
    m = next(l, k);
    REQUIRE_MESSAGE(!m.starts_with("STOPPING"), k.output);
    if (is_ping(m)) ++pings;
  }
  // dpkg's way: the new file written beside, then renamed over the old one.
  fs::copy_file(CA_KIOSK_BIN, tmp.path / "ca-kiosk.dpkg-new");
  fs::rename(tmp.path / "ca-kiosk.dpkg-new", program);
  while ((m = next(l, k)) != "STATUS=restarting into the installed upgrade") CHECK_MESSAGE(is_ping(m), m);
  while (!(m = next(l, k)).starts_with("STOPPING=1")) CHECK_MESSAGE(is_ping(m), m);
  CHECK(k.wait() == 0);
}
