#include "control.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace p11fault {

State& st() {
  static State s;
  return s;
}

namespace {

const std::map<std::string, CK_RV>& rv_names() {
  static const std::map<std::string, CK_RV> m = {
      {"CKR_OK", CKR_OK},
      {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR},
      {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
      {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
      {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
      {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
      {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
      {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
      {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},
      {"CKR_PIN_INCORRECT", CKR_PIN_INCORRECT},
      {"CKR_PIN_LOCKED", CKR_PIN_LOCKED},
      {"CKR_PIN_EXPIRED", CKR_PIN_EXPIRED},
      {"CKR_PIN_LEN_RANGE", CKR_PIN_LEN_RANGE},
      {"CKR_MECHANISM_INVALID", CKR_MECHANISM_INVALID},
      {"CKR_KEY_SIZE_RANGE", CKR_KEY_SIZE_RANGE},
      {"CKR_HOST_MEMORY", CKR_HOST_MEMORY},
      {"CKR_FUNCTION_CANCELED", CKR_FUNCTION_CANCELED},
      {"CKR_TOKEN_WRITE_PROTECTED", CKR_TOKEN_WRITE_PROTECTED},
      {"CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN},
  };
  return m;
}

CK_RV parse_rv(const std::string& s) {
  if (auto it = rv_names().find(s); it != rv_names().end()) return it->second;
  return std::strtoul(s.c_str(), nullptr, 0);
}

Config parse_config(const std::string& text) {
  Config c;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string key;
    if (!(words >> key)) continue;
    auto rest = [&] {
      std::string r;
      std::getline(words, r);
      r.erase(0, r.find_first_not_of(" \t"));
      r.erase(r.find_last_not_of(" \t\r") + 1);
      return r;
    };
    unsigned long n = 0;
    if (key == "removed") {
      words >> n;
      c.removed = n != 0;
    } else if (key == "fail" || key == "pull") {
      Rule r;
      std::string rv, when, extra;
      words >> r.fn >> r.nth;
      if (key == "fail") {
        words >> rv;
        r.rv = parse_rv(rv);
      } else {
        r.pull = true;
      }
      words >> when >> extra;
      r.after = when == "after";
      if (extra == "pull") r.pull = true;
      c.rules.push_back(r);
    } else if (key == "tear") {
      Tear t;
      std::string then;
      words >> t.fn >> t.nth >> t.writes >> then;
      if (then == "kill") {
        t.then = Tear::Then::Kill;
      } else if (then == "pull") {
        t.then = Tear::Then::Pull;
      } else {
        t.then = Tear::Then::Fail;
        t.rv = parse_rv(then);
      }
      c.tears.push_back(t);
    } else if (key == "tear_order") {
      std::string order;
      words >> order;
      c.private_first = order == "private-first";
    } else if (key == "keygen_sleep_ms") {
      words >> c.keygen_sleep_ms;
    } else if (key == "manufacturer") {
      c.manufacturer = rest();
    } else if (key == "model") {
      c.model = rest();
    } else if (key == "serial") {
      c.serial = rest();
    } else if (key == "label") {
      c.label = rest();
    } else if (key == "port") {
      c.port = rest();
    } else if (key == "pin_count_low_after") {
      words >> c.count_low_after;
    } else if (key == "pin_final_try_after") {
      words >> c.final_try_after;
    } else if (key == "pin_lock_after") {
      words >> c.lock_after;
    } else if (key == "pin_failures") {
      words >> n;
      c.pin_failures = n;
    } else if (key == "pin_to_be_changed") {
      words >> n;
      c.to_be_changed = n != 0;
    }
  }
  return c;
}

FileId file_id(const std::string& path) {
  FileId id;
  struct stat sb {};
  if (path.empty() || stat(path.c_str(), &sb) != 0) return id;
  id.exists = true;
  id.ino = sb.st_ino;
  id.size = sb.st_size;
  id.mtime_ns = static_cast<long long>(sb.st_mtim.tv_sec) * 1000000000LL + sb.st_mtim.tv_nsec;
  return id;
}

}  // namespace

void pull_token(State& s) {
  if (s.removed) return;
  s.removed = true;
  for (auto& [h, slot] : s.open) {
    s.dead.insert(h);
    s.real->C_CloseSession(h);
  }
  s.open.clear();
}

void insert_token(State& s) {
  s.removed = false;
}

bool hidden(CK_SLOT_ID slot) {
  std::optional<std::string> port;
  {
    std::lock_guard lock(st().mu);
    port = st().port;
  }
  if (!port) return false;
  CK_TOKEN_INFO info{};
  if (st().real->C_GetTokenInfo(slot, &info) != CKR_OK) return true;
  std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  label.erase(label.find_last_not_of(' ') + 1);
  return label != *port;
}

// Caller holds the lock.
void reload_if_changed(State& s) {
  FileId id = file_id(s.control_path);
  if (s.loaded_once && id == s.control_id) return;
  s.loaded_once = true;
  s.control_id = id;
  std::string text;
  if (id.exists) {
    std::ifstream f(s.control_path);
    std::ostringstream o;
    o << f.rdbuf();
    text = o.str();
  }
  s.cfg = parse_config(text);
  if (s.cfg.pin_failures) s.pin_failures = *s.cfg.pin_failures;
  if (s.cfg.port != s.port) {
    pull_token(s);  // the KEY in the port left; the other one comes in below unless removed
    s.port = s.cfg.port;
  }
  if (s.cfg.removed)
    pull_token(s);
  else
    insert_token(s);
}

// Rewritten in place after every call: fixed-width lines and a set of names that only grows, so the new
// content always covers the old one. No rename or truncate: on ext4 those force a flush per call.
void write_stats(State& s) {
  if (s.stats_path.empty()) return;
  if (s.stats_fd < 0) s.stats_fd = open(s.stats_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (s.stats_fd < 0) return;
  std::string out;
  char line[96];
  for (const auto& [name, count] : s.stats) {
    std::snprintf(line, sizeof line, "%-40s %16lu\n", name.c_str(), count);
    out += line;
  }
  std::snprintf(line, sizeof line, "%-40s %16lu\n", "total", s.seq);
  out += line;
  ssize_t n = pwrite(s.stats_fd, out.data(), out.size(), 0);
  (void)n;
}

Decision begin(const char* name, const CK_SESSION_HANDLE* session, bool token_call) {
  State& s = st();
  reload_if_changed(s);
  ++s.seq;
  ++s.stats[name];
  Decision d;
  for (Rule& r : s.cfg.rules) {
    if (r.fired || (r.fn != "*" && r.fn != name)) continue;
    if (++r.seen != r.nth) continue;
    r.fired = true;
    if (r.after) {
      d.after = &r;
    } else {
      if (r.pull) pull_token(s);
      d.forward = false;
      d.rv = r.rv;
    }
    break;
  }
  if (!d.forward) return d;
  if (session != nullptr) {
    if (s.dead.contains(*session))
      return {false, s.removed ? CKR_DEVICE_REMOVED : CKR_SESSION_HANDLE_INVALID, nullptr};
    if (s.removed) return {false, CKR_DEVICE_REMOVED, nullptr};
  } else if (token_call && s.removed) {
    return {false, CKR_TOKEN_NOT_PRESENT, nullptr};
  }
  return d;
}

CK_RV finish(const char* name, const Decision& d, CK_RV rv) {
  State& s = st();
  if (d.after != nullptr) {
    if (d.after->pull) pull_token(s);
    rv = d.after->rv;
  }
  if (s.trace) {
    std::fprintf(s.trace, "%lu %s 0x%lx\n", s.seq, name, rv);
    std::fflush(s.trace);
  }
  write_stats(s);
  return rv;
}

std::optional<Tear> take_tear(State& s, const char* fn) {
  for (Tear& t : s.cfg.tears) {
    if (t.fired || t.fn != fn) continue;
    if (++t.seen != t.nth) continue;
    t.fired = true;
    return t;
  }
  return std::nullopt;
}

CK_RV tear_outcome(const Tear& t, CK_RV rv) {
  State& s = st();
  switch (t.then) {
    case Tear::Then::Kill: {
      {
        std::lock_guard lock(s.mu);
        ++s.seq;
        ++s.stats["torn." + t.fn];
        if (s.trace) {
          std::fprintf(s.trace, "%lu %s killed after %lu writes\n", s.seq, t.fn.c_str(), t.writes);
          std::fflush(s.trace);
        }
        write_stats(s);
      }
      std::raise(SIGKILL);  // the process dies inside the call, as a crash or a power cut would leave it
      return CKR_GENERAL_ERROR;
    }
    case Tear::Then::Pull: {
      std::lock_guard lock(s.mu);
      ++s.stats["torn." + t.fn];
      pull_token(s);
      return CKR_DEVICE_REMOVED;
    }
    case Tear::Then::Fail: {
      std::lock_guard lock(s.mu);
      ++s.stats["torn." + t.fn];
      return rv == CKR_OK ? t.rv : rv;
    }
  }
  return rv;
}

void pad(unsigned char* field, std::size_t n, const std::string& v) {
  std::memset(field, ' ', n);
  std::memcpy(field, v.data(), std::min(n, v.size()));
}

}  // namespace p11fault
