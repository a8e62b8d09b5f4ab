// Canary checks: a secret the test typed (a PIN, an SMS code, a password, a whole phone number) must not
// reach the event log (kiosk/events) — neither its ring nor the lines it writes to stderr.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "events/event_log.hpp"

namespace canary {

// The lines a StreamSink on stderr would write (format_line and a newline), kept in memory; any thread.
class Lines final : public events::Sink {
 public:
  void write(const events::Event& e) override {
    std::lock_guard lock(mutex_);
    text_ += events::format_line(e) + "\n";
  }
  [[nodiscard]] std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

// Which of `secrets` occur in `text`. A secret of digits only (a PIN, an SMS code, a phone number) counts
// where it stands alone — not inside a longer run of digits such as a time or an id, where it could appear
// by chance and fail the check for nothing; any other secret (a password) counts anywhere.
inline std::vector<std::string> found(std::string_view text, const std::vector<std::string>& secrets) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::vector<std::string> out;
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    const bool digits = std::all_of(s.begin(), s.end(), digit);
    for (auto at = text.find(s); at != std::string_view::npos; at = text.find(s, at + 1)) {
      const bool alone =
          (at == 0 || !digit(text[at - 1])) && (at + s.size() == text.size() || !digit(text[at + s.size()]));
      if (!digits || alone) {
        out.push_back(s);
        break;
      }
    }
  }
  return out;
}

inline std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace canary
