#include "staffchan/server.hpp"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace staffchan {
namespace {

std::string channel_errno(int e) {
  return std::strerror(e);
}

bool channel_address(const std::filesystem::path& p, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  const std::string s = p.string();
  if (s.empty() || s.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, s.data(), s.size());
  return true;
}

// Whether something answers on the socket at `p` (another kiosk running).
bool someone_listens(const std::filesystem::path& p) {
  sockaddr_un addr{};
  if (!channel_address(p, addr)) return false;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The peer's name and groups from the user database: its primary group, the one SO_PEERCRED gave, and
// every group that lists it.
void describe_peer(Peer& p) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(p.uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
    p.user = found->pw_name;
  } else {
    p.user = "#" + std::to_string(p.uid);
  }
}

std::vector<gid_t> groups_of(const Peer& p) {
  std::vector<gid_t> groups{p.gid};
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(p.uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return groups;
  int n = 64;
  std::vector<gid_t> list(static_cast<std::size_t>(n));
  if (::getgrouplist(found->pw_name, found->pw_gid, list.data(), &n) < 0) {
    list.resize(static_cast<std::size_t>(n));
    if (::getgrouplist(found->pw_name, found->pw_gid, list.data(), &n) < 0) n = 0;
  }
  list.resize(static_cast<std::size_t>(n));
  groups.insert(groups.end(), list.begin(), list.end());
  return groups;
}

std::optional<gid_t> group_id(const std::string& name) {
  if (name.empty()) return std::nullopt;
  std::vector<char> buf(16384);
  group g{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return found->gr_gid;
}

// All of `text`, or false when the peer went away or the send timed out.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool reply_line(int fd, const Json& j) {
  return write_all(fd, j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

void set_timeout(int fd, int option, std::chrono::seconds s) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(s.count());
  (void)::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

}  // namespace

std::expected<std::unique_ptr<Server>, std::string> Server::start(ServerOptions options) {
  std::unique_ptr<Server> s(new Server(std::move(options)));
  const auto& path = s->o_.socket;
  sockaddr_un addr{};
  if (!channel_address(path, addr)) return std::unexpected(path.string() + ": not a usable socket path");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return std::unexpected(path.string() + ": exists and is not a socket");
    if (someone_listens(path)) return std::unexpected(path.string() + ": another kiosk is listening there");
    ::unlink(path.c_str());  // left by a kiosk that ended without removing it
  }
  s->listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return std::unexpected("socket: " + channel_errno(errno));
  if (::bind(s->listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return std::unexpected(path.string() + ": " + channel_errno(errno));
  // 0660 whatever the umask; the staff group's members reach it through the group (SO_PEERCRED is the rule,
  // the file's mode keeps everyone else from even connecting).
  if (::chmod(path.c_str(), 0660) != 0)
    return std::unexpected(path.string() + ": chmod: " + channel_errno(errno));
  s->staff_gid_ = group_id(s->o_.group);
  if (!s->o_.group.empty() && !s->staff_gid_)
    s->say("no group " + s->o_.group + ": only root and the kiosk's own user may use the staff channel",
           true);
  if (s->staff_gid_ && ::chown(path.c_str(), static_cast<uid_t>(-1), *s->staff_gid_) != 0)
    s->say(path.string() + ": cannot give it to group " + s->o_.group + " (" + channel_errno(errno) +
               "): its members cannot connect (the unit's SupplementaryGroups= names it)",
           true);
  if (::listen(s->listen_fd_, 8) != 0) return std::unexpected("listen: " + channel_errno(errno));
  s->wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (s->wake_fd_ < 0) return std::unexpected("eventfd: " + channel_errno(errno));
  Server* raw = s.get();
  s->acceptor_ = std::thread([raw] { raw->accept_loop(); });
  s->say("staff channel listening on " + path.string(), false);
  return s;
}

Server::~Server() {
  stop();
}

void Server::say(std::string_view message, bool warning) const {
  if (o_.log) o_.log(message, warning);
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof one);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::list<Connection> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& c : connections_)
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // a blocked read ends now
    all.splice(all.end(), connections_);
  }
  for (auto& c : all)
    if (c.thread.joinable()) c.thread.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(o_.socket.c_str());
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  listen_fd_ = wake_fd_ = -1;
}

void Server::accept_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      say("staff channel: poll: " + channel_errno(errno), true);
      return;
    }
    if (stopping_ || (fds[1].revents & POLLIN) != 0) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // Threads of connections that ended are joined here, outside the lock.
    std::list<Connection> ended;
    {
      std::lock_guard lock(mutex_);
      for (auto it = connections_.begin(); it != connections_.end();)
        if (it->done)
          ended.splice(ended.end(), connections_, it++);
        else
          ++it;
    }
    for (auto& c : ended) c.thread.join();
    std::lock_guard lock(mutex_);
    if (open_ >= kMaxConnections) {
      set_timeout(fd, SO_SNDTIMEO, std::chrono::seconds(1));
      (void)reply_line(fd, refusal("staff.channel.busy", "too many staff connections at once; try again"));
      ::close(fd);
      continue;
    }
    ++open_;
    connections_.push_back({fd, {}, false});
    Connection& c = connections_.back();
    c.thread = std::thread([this, fd] { serve(fd); });
  }
}

void Server::serve(int fd) {
  Peer peer;
  ucred cred{};
  socklen_t len = sizeof cred;
  const bool known = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
  set_timeout(fd, SO_SNDTIMEO, kRequestTimeout);
  set_timeout(fd, SO_RCVTIMEO, kRequestTimeout);
  if (known) {
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
    describe_peer(peer);
    peer.verdict = judge_peer(peer.uid, groups_of(peer), ::getuid(), staff_gid_);
  }
  if (peer.verdict == PeerVerdict::Refused) {
    const std::string who =
        known ? "uid " + std::to_string(peer.uid) + " (" + peer.user + ")" : "an unknown peer";
    say("staff channel: " + who + " refused: not root, the kiosk's user or in group " + o_.group, true);
    (void)reply_line(fd,
                     refusal("staff.channel.refused",
                             who + " is not root, the kiosk's own user or a member of group " + o_.group));
  } else {
    std::string pending;
    char buf[4096];
    bool alive = true;
    while (alive && !stopping_) {
      const auto nl = pending.find('\n');
      if (nl == std::string::npos) {
        if (pending.size() > kMaxRequestBytes) {
          (void)reply_line(fd,
                           refusal("staff.channel.too_large",
                                   "a request is at most " + std::to_string(kMaxRequestBytes) + " bytes"));
          break;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the peer is done, went away, or said nothing within kRequestTimeout
        pending.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.size() > kMaxRequestBytes) {
        alive = reply_line(fd, refusal("staff.channel.too_large"));
        continue;
      }
      const Json request = Json::parse(line, nullptr, false);
      Json reply;
      if (!request.is_object() || !request.contains("op") || !request["op"].is_string()) {
        reply = refusal("staff.channel.bad_request", "one JSON object per line, with \"op\"");
      } else {
        try {
          reply = o_.handler ? o_.handler(peer, request) : refusal("staff.channel.bad_request");
        } catch (const std::exception& e) {
          reply = refusal("staff.channel.bad_request", e.what());
        }
      }
      alive = reply_line(fd, reply);
    }
  }
  {
    // Marked ended before the descriptor is closed, so that stop() never shuts down a number reused since.
    std::lock_guard lock(mutex_);
    --open_;
    for (auto& c : connections_)
      if (c.fd == fd && !c.done) {
        c.done = true;
        c.fd = -1;
        break;
      }
  }
  ::close(fd);
}

}  // namespace staffchan
