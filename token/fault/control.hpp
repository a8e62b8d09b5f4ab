// libp11fault's state and control: the parsed control file, the pulled/inserted token, the stats and trace
// files, and the wrapper every forwarded call goes through (p11fault.cpp has the PKCS#11 entry points).
#pragma once

#include <p11-kit/pkcs11.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace p11fault {

struct Rule {
  std::string fn;  // "*" = any
  unsigned long nth = 1;
  CK_RV rv = CKR_DEVICE_REMOVED;
  bool after = false;
  bool pull = false;
  unsigned long seen = 0;
  bool fired = false;
};

// A call carried out as a token that writes objects non-atomically would (tear.hpp).
struct Tear {
  std::string fn;            // C_GenerateKeyPair, C_CreateObject or C_SetAttributeValue
  unsigned long nth = 1;     // the n-th such call that reaches the token
  unsigned long writes = 0;  // how many of its writes reach the token
  enum class Then { Kill, Pull, Fail } then = Then::Kill;
  CK_RV rv = CKR_DEVICE_ERROR;  // Then::Fail
  unsigned long seen = 0;
  bool fired = false;
};

struct Config {
  std::vector<Rule> rules;
  std::vector<Tear> tears;
  bool private_first = false;  // tear_order: a torn C_GenerateKeyPair writes the private half first
  bool removed = false;
  long keygen_sleep_ms = 0;
  std::optional<std::string> manufacturer, model, serial, label;
  // The reader's one port: only the token with this label (as the real module reports it) is in; the
  // others are hidden. Changing it is a pull of the KEY in the port and an insertion of the other.
  std::optional<std::string> port;
  unsigned long count_low_after = 0, final_try_after = 0, lock_after = 0;
  std::optional<unsigned long> pin_failures;
  bool to_be_changed = false;
};

struct FileId {
  ino_t ino = 0;
  off_t size = -1;
  long long mtime_ns = -1;
  bool exists = false;
  bool operator==(const FileId&) const = default;
};

struct State {
  std::mutex mu;
  void* dl = nullptr;
  CK_FUNCTION_LIST_PTR real = nullptr;
  std::string control_path, stats_path, trace_path;
  FileId control_id;
  bool loaded_once = false;
  Config cfg;
  bool removed = false;
  std::optional<std::string> port;  // Config::port as last loaded
  unsigned long pin_failures = 0;
  std::map<CK_SESSION_HANDLE, CK_SLOT_ID> open;  // live sessions and their slots
  std::set<CK_SESSION_HANDLE> dead;              // killed by a removal
  std::map<std::string, unsigned long> stats;
  unsigned long seq = 0;
  FILE* trace = nullptr;
  int stats_fd = -1;
};

State& st();

// Whether the token in `slot` is hidden by the port (Config::port): its real label differs. Caller does not
// hold the lock (it asks the real module).
bool hidden(CK_SLOT_ID slot);

// Caller holds the lock. Kills every open session: the real ones are closed (which logs out).
void pull_token(State& s);
void insert_token(State& s);

// Rewritten in place after every call (control.cpp says how); caller holds the lock.
void write_stats(State& s);

// Caller holds the lock. The tear due for this call of `fn`, if any (each call of `fn` is counted).
std::optional<Tear> take_tear(State& s, const char* fn);
// The outcome of a torn call whose writes are done (`rv`: how they went). Kill never returns. No lock held.
CK_RV tear_outcome(const Tear& t, CK_RV rv);

// What the wrapper does with one call.
struct Decision {
  bool forward = true;
  CK_RV rv = CKR_OK;      // when !forward
  Rule* after = nullptr;  // a rule to apply after forwarding
};

Decision begin(const char* name, const CK_SESSION_HANDLE* session, bool token_call);
CK_RV finish(const char* name, const Decision& d, CK_RV rv);

// Runs the real module's function and adds its thread CPU and wall time to the stats ("real_cpu_us",
// "real_wall_us"): how much of a renewal is the token's own work, for the engine benchmark.
template <typename F>
CK_RV timed_forward(F forward) {
  timespec c0{}, c1{}, w0{}, w1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  clock_gettime(CLOCK_MONOTONIC, &w0);
  CK_RV rv = forward();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &w1);
  auto us = [](const timespec& a, const timespec& b) {
    return static_cast<unsigned long>((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000L);
  };
  std::lock_guard lock(st().mu);
  st().stats["real_cpu_us"] += us(c0, c1);
  st().stats["real_wall_us"] += us(w0, w1);
  return rv;
}

// A call on a session: the common path of most functions.
template <typename F>
CK_RV session_call(const char* name, CK_SESSION_HANDLE h, F forward) {
  Decision d;
  {
    std::lock_guard lock(st().mu);
    if (st().real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
    d = begin(name, &h, true);
    if (!d.forward) return finish(name, d, d.rv);
  }
  CK_RV rv = timed_forward(forward);
  std::lock_guard lock(st().mu);
  return finish(name, d, rv);
}

// A call about a slot/token (no session).
template <typename F>
CK_RV token_call(const char* name, F forward) {
  Decision d;
  {
    std::lock_guard lock(st().mu);
    if (st().real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
    d = begin(name, nullptr, true);
    if (!d.forward) return finish(name, d, d.rv);
  }
  CK_RV rv = timed_forward(forward);
  std::lock_guard lock(st().mu);
  return finish(name, d, rv);
}

// Writes `v` into a fixed-width, blank-padded CK_TOKEN_INFO field.
void pad(unsigned char* field, std::size_t n, const std::string& v);

}  // namespace p11fault
