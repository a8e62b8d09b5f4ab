// How long each rollover step takes on this kiosk, by the key's brand and key type (docs/kiosk.md, "The
// renewal on screen"): the progress screen shows it as what is usual beside the running step's time. The
// last durations measured here are kept in a small file next to the journal (the state folder), and what is
// usual is their median; before any measurement, defaults (a real token takes a minute or more for an
// RSA-2048 key pair, seconds for EC P-256). Business lane only.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "domain/key.hpp"
#include "domain/token_identity.hpp"
#include "events/event_log.hpp"

namespace runtime {

class StepTimes {
 public:
  static constexpr std::size_t kKept = 9;  // durations kept per step: the median of the last nine

  // Reads `path` if it is there; one that cannot be read is reported and starts again from the defaults.
  StepTimes(std::filesystem::path path, events::Channel events);

  [[nodiscard]] core::StepTimes usual(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm) const;
  // A step that finished in `ms`; written to the file at once (atomically: a new file renamed over it).
  void record(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm, core::RenewalStep step,
              core::Millis ms);

  // Before any measurement.
  static core::Millis default_ms(domain::KeyAlgorithm algorithm, core::RenewalStep step);

 private:
  using Durations = std::array<std::vector<core::Millis>, core::kRenewalStepCount>;
  static std::string kind_of(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm);
  void save() const;

  std::filesystem::path path_;
  events::Channel events_;
  std::map<std::string, Durations> measured_;  // by "manufacturer / model / algorithm"
};

}  // namespace runtime
