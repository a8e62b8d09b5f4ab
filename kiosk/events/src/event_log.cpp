#include "events/event_log.hpp"

#include <chrono>
#include <ctime>
#include <utility>

#include "domain/account.hpp"

namespace events {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// At most `max` bytes of `s`, cut before a UTF-8 continuation byte so no character is split.
std::string bounded(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

std::string kept(std::string s, std::size_t max) {
  return bounded(domain::mask_phones(s), max);
}

void append_time(std::string& out, std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  const auto frac = static_cast<int>(ms % 1000);
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
  out += 'Z';
}

// A word of the line: whitespace and control characters would split it, so they become '_'.
void append_word(std::string& out, std::string_view value) {
  for (char c : value) out += static_cast<unsigned char>(c) <= 0x20 || c == 0x7f ? '_' : c;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += ' ';
  out += name;
  out += '=';
  append_word(out, value);
}

void append_message(std::string& out, std::string_view message) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warning:
      return "warning";
    case Level::Error:
      return "error";
  }
  return "?";
}

std::string format_line(const Event& e) {
  std::string out;
  out.reserve(64 + e.message.size());
  append_time(out, e.time_ms);
  out += ' ';
  out += to_string(e.level);
  out += ' ';
  append_word(out, e.component.empty() ? "-" : e.component);
  append_field(out, "business", e.business);
  append_field(out, "step", e.step);
  append_field(out, "code", e.code);
  out += ": ";
  append_message(out, e.message);
  return out;
}

void StreamSink::write(const Event& e) {
  if (e.level < min_) return;
  const std::string line = format_line(e) + '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

EventLog::EventLog(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  ring_.reserve(capacity_);
}

void EventLog::add_sink(std::shared_ptr<Sink> sink) {
  std::lock_guard lock(mutex_);
  if (sink) sinks_.push_back(std::move(sink));
}

void EventLog::record(Event e) {
  if (e.time_ms == 0) e.time_ms = now_ms();
  e.component = kept(std::move(e.component), kMaxFieldBytes);
  e.business = kept(std::move(e.business), kMaxFieldBytes);
  e.step = kept(std::move(e.step), kMaxFieldBytes);
  e.code = kept(std::move(e.code), kMaxFieldBytes);
  e.message = kept(std::move(e.message), kMaxMessageBytes);
  std::lock_guard lock(mutex_);
  for (const auto& s : sinks_) s->write(e);
  if (ring_.size() < capacity_)
    ring_.push_back(std::move(e));
  else
    ring_[total_ % capacity_] = std::move(e);
  ++total_;
}

std::vector<Event> EventLog::last(std::size_t n) const {
  std::lock_guard lock(mutex_);
  const std::size_t have = ring_.size();
  if (n > have) n = have;
  std::vector<Event> out;
  out.reserve(n);
  // The oldest kept event is at total_ % capacity_ once the ring is full, else at 0.
  const std::size_t oldest = have < capacity_ ? 0 : static_cast<std::size_t>(total_ % capacity_);
  for (std::size_t i = have - n; i < have; ++i) out.push_back(ring_[(oldest + i) % have]);
  return out;
}

std::uint64_t EventLog::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

void Channel::record(Level level, std::string_view message, const Fields& fields) const {
  if (!log_) return;
  Event e;
  e.level = level;
  e.component = component_;
  e.business = std::string(fields.business);
  e.step = std::string(fields.step);
  e.code = std::string(fields.code);
  e.message = std::string(message);
  log_->record(std::move(e));
}

}  // namespace events
