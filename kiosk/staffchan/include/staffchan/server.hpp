// The local staff channel's server (docs/staff.md, "The local staff channel"): a Unix stream socket at the
// configured path (mode 0660, group the staff group when this process may give it), each connection's peer
// judged by its SO_PEERCRED credentials (judge_peer) before anything is read, then one request line after
// another, each answered by the handler with one line.
//
// Threads: one thread accepts; each connection is served on a thread of its own (at most kMaxConnections at
// once), which reads the request and calls the handler there. The handler may block (it waits for the
// kiosk's loop, or for the platform) but never runs on the caller's (the app's) thread. stop() closes the
// socket, shuts every connection down and joins every thread; the handler must return within a bounded
// time for it to end.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <expected>
#include <filesystem>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "staffchan/protocol.hpp"

namespace staffchan {

struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  // the user's name ("#<uid>" when the user database has none)
  PeerVerdict verdict = PeerVerdict::Refused;
  // Who did it, as the audit chain names a staff member at a shell: "unix:<user>".
  [[nodiscard]] std::string actor() const { return "unix:" + user; }
};

struct ServerOptions {
  std::filesystem::path socket;          // its folder must exist (the unit's RuntimeDirectory)
  std::string group = "ca-kiosk-staff";  // members may connect; empty or unknown: root and owner only
  // The answer to one request line (already bounded and judged): a JSON object, written as one line.
  std::function<Json(const Peer&, const Json& request)> handler;
  // What the server says about itself (bound, refused peers, failures); may be empty.
  std::function<void(std::string_view message, bool warning)> log;
};

class Server {
 public:
  // Binds and listens: a stale socket file left by a crash is replaced, anything else at the path is an
  // error. Errors in words (the path and errno's text).
  static std::expected<std::unique_ptr<Server>, std::string> start(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void stop();
  [[nodiscard]] const std::filesystem::path& path() const { return o_.socket; }
  // The staff group's id as resolved at start (none: no such group).
  [[nodiscard]] std::optional<gid_t> staff_gid() const { return staff_gid_; }

 private:
  explicit Server(ServerOptions o) : o_(std::move(o)) {}
  void accept_loop();
  void serve(int fd);
  void say(std::string_view message, bool warning) const;

  ServerOptions o_;
  std::optional<gid_t> staff_gid_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: stop() ends the accept loop through it
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;  // guards the two below
  struct Connection {
    int fd = -1;
    std::thread thread;
    bool done = false;
  };
  std::list<Connection> connections_;
  std::size_t open_ = 0;
};

}  // namespace staffchan
