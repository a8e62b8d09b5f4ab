// The reminder's chime (请取走您的KEY, docs/staff.md, "A KEY left behind"): two soft tones where the
// terminal has a sound device. Without one the reminder is on the screen only; that is said once in the
// event log, never an error.
#pragma once

#include <cstdint>

#include "events/event_log.hpp"

namespace app {

class Chime {
 public:
  explicit Chime(events::Channel log) : log_(std::move(log)) {}
  ~Chime();
  Chime(const Chime&) = delete;
  Chime& operator=(const Chime&) = delete;

  // Queues the chime (never blocks the frame loop). False when there is no sound device.
  bool play();
  [[nodiscard]] int played() const { return played_; }

 private:
  events::Channel log_;
  std::uint32_t device_ = 0;
  bool tried_ = false;
  int played_ = 0;
};

}  // namespace app
