// The kiosk's one event log, for ca-kiosk (the app, its runtime, the demo's world) and kioskctl: what staff
// need to know of what happened, as structured events (docs/operations.md, "The event log").
//
// Every part gets a Channel (the log and the part's name) instead of a callback of its own. The log keeps
// the newest events in a bounded ring that the staff screen reads (last()), and hands each to its sinks:
// StreamSink writes one line per event to stderr; another sink (the system journal) plugs in with
// add_sink().
//
// Never a secret: nobody formats a PIN, SMS code or password into an event (they live in SecretBuffer
// only), and the log masks every phone number in an event's text (138****5678) before keeping or writing it.
// tests/events and the canary checks of tests/engine hold both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace events {

enum class Level : std::uint8_t { Debug, Info, Warning, Error };

// "debug", "info", "warning", "error": as the lines spell them.
std::string_view to_string(Level level);

struct Event {
  Level level = Level::Info;
  std::int64_t time_ms = 0;  // unix milliseconds (UTC), stamped by the log
  std::string component;     // the part: runtime, journal, tokens, app, fonts, textures, ime, demo, kioskctl
  std::string business;      // the business number (the platform's order id) when the event concerns one
  std::string step;          // the step or operation: login, install, order.create, catalog …
  std::string code;          // the error's message key or code: error.token.removed, error.platform.offline
  std::string message;       // for staff, in English; never a secret
};

// An event's fields besides its level, part and message; empty ones are left out of the line.
struct Fields {
  std::string_view business;
  std::string_view step;
  std::string_view code;
};

// The stable one-line form, without a newline:
//   2024-06-01T10:20:30.123Z warning runtime business=K1a2b step=install code=error.token.removed: the key …
// Time (UTC, milliseconds), level, part, then business=, step=, code= when set (whitespace and control
// characters in them become '_'), then ": " and the message (control characters escaped: \n, \t, \x1b).
std::string format_line(const Event& e);

class Sink {
 public:
  virtual ~Sink() = default;
  // Called with the log's lock held, once per event, in the order the events were recorded.
  virtual void write(const Event& e) = 0;
};

// format_line() and a newline to `out` (stderr; a test's memory stream), for events of `min` and above.
class StreamSink final : public Sink {
 public:
  explicit StreamSink(std::FILE* out, Level min = Level::Debug) : out_(out), min_(min) {}
  void write(const Event& e) override;

 private:
  std::FILE* out_;
  Level min_;
};

class EventLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 1000;
  // Text fields are cut to these many bytes (at a character boundary), so the ring's memory is bounded.
  static constexpr std::size_t kMaxMessageBytes = 1024;
  static constexpr std::size_t kMaxFieldBytes = 128;

  explicit EventLog(std::size_t capacity = kDefaultCapacity);
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void add_sink(std::shared_ptr<Sink> sink);

  // Stamps the time, masks every phone number in the text fields, bounds them, keeps the event (the oldest
  // goes when the ring is full) and hands it to every sink. Any thread.
  void record(Event e);

  // The newest `n` events (fewer if there are fewer), oldest first: what the staff screen shows. Any thread.
  [[nodiscard]] std::vector<Event> last(std::size_t n) const;
  // Events recorded since the log was made (when more than the capacity, the older ones are gone).
  [[nodiscard]] std::uint64_t total() const;
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<Event> ring_;  // ring_[total_ % capacity_] is the next slot
  std::uint64_t total_ = 0;
  std::vector<std::shared_ptr<Sink>> sinks_;
};

// A part's handle to the log: the log (not owned; it outlives the part) and the part's name. A default
// Channel records nothing (benchmarks, tests that do not look).
class Channel {
 public:
  Channel() = default;
  Channel(EventLog* log, std::string component) : log_(log), component_(std::move(component)) {}

  void record(Level level, std::string_view message, const Fields& fields = {}) const;
  void debug(std::string_view message, const Fields& fields = {}) const {
    record(Level::Debug, message, fields);
  }
  void info(std::string_view message, const Fields& fields = {}) const {
    record(Level::Info, message, fields);
  }
  void warning(std::string_view message, const Fields& fields = {}) const {
    record(Level::Warning, message, fields);
  }
  void error(std::string_view message, const Fields& fields = {}) const {
    record(Level::Error, message, fields);
  }

  [[nodiscard]] EventLog* log() const { return log_; }
  [[nodiscard]] const std::string& component() const { return component_; }

 private:
  EventLog* log_ = nullptr;
  std::string component_;
};

}  // namespace events
