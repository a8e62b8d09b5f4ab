#include "chime.hpp"

#include <SDL.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <vector>

namespace app {

namespace {

constexpr int kRate = 22050;

// 660 Hz then 880 Hz, 0.25 s each, with a short fade at both ends of each tone (no clicks).
std::vector<std::int16_t> tones() {
  std::vector<std::int16_t> out;
  for (double f : {660.0, 880.0}) {
    const int n = kRate / 4;
    for (int i = 0; i < n; ++i) {
      const double ramp = 0.02 * kRate;
      const double fade = std::min({1.0, i / ramp, (n - i) / ramp});
      const double v = 0.25 * fade * std::sin(2 * std::numbers::pi * f * i / double{kRate});
      out.push_back(static_cast<std::int16_t>(v * 32767));
    }
  }
  return out;
}

}  // namespace

Chime::~Chime() {
  if (device_ != 0) SDL_CloseAudioDevice(device_);
}

bool Chime::play() {
  if (!tried_) {
    tried_ = true;
    // No sound card and no driver asked for: do not let the audio libraries probe (and print) for one.
    const bool no_card = std::getenv("SDL_AUDIODRIVER") == nullptr && !std::filesystem::exists("/dev/snd");
    if (!no_card && SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
      SDL_AudioSpec want{};
      want.freq = kRate;
      want.format = AUDIO_S16SYS;
      want.channels = 1;
      want.samples = 1024;
      device_ = SDL_OpenAudioDevice(nullptr, 0, &want, nullptr, 0);
    }
    if (device_ == 0)
      log_.info(std::string("no sound device (") + (no_card ? "no /dev/snd" : SDL_GetError()) +
                    "): the KEY reminder is on the screen only",
                {.step = "chime"});
  }
  if (device_ == 0) return false;
  static const std::vector<std::int16_t> samples = tones();
  SDL_ClearQueuedAudio(device_);
  if (SDL_QueueAudio(device_, samples.data(), static_cast<Uint32>(samples.size() * sizeof(std::int16_t))) != 0)
    return false;
  SDL_PauseAudioDevice(device_, 0);
  ++played_;
  return true;
}

}  // namespace app
