// ui::TextureSource on an SDL_Renderer: pictures from the assets folder (decoded once, on first use) and
// images that kiosk/ui produces (QR codes), kept per key until the session ends. A new image takes over the
// texture of one of the same size that the frame being drawn has not used (the QR of a new order replaces the
// old one's pixels): no texture per order piles up in a session, and the damage tracker sees the same texture
// with a new generation.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "damage.hpp"
#include "events/event_log.hpp"
#include "foundation/c_handle.hpp"
#include "ui/image.hpp"

namespace app {

using TexturePtr = foundation::CPtr<SDL_Texture, SDL_DestroyTexture>;

// An SDL texture from RGBA pixels; null (and SDL_GetError says why) on failure.
TexturePtr make_texture(SDL_Renderer* r, const ui::Image& img);

class SdlTextures final : public ui::TextureSource {
 public:
  // `events`: a picture that is missing or does not decode, once each. `generations` (may be null, outlives
  // this) hears of every texture made or dropped here.
  SdlTextures(SDL_Renderer* renderer, std::filesystem::path pictures, events::Channel events,
              TextureGenerations* generations = nullptr);
  ~SdlTextures() override;
  SdlTextures(const SdlTextures&) = delete;
  SdlTextures& operator=(const SdlTextures&) = delete;

  ui::Texture picture(std::string_view name) override;
  ui::Texture image(std::string_view cache_key, const std::function<ui::Image()>& make) override;
  // A frame begins: what it asks for is in use until the next one.
  void begin_frame() { ++frame_; }

  // The customer's images (QR) go with the session.
  void drop_images();
  // Everything goes: the renderer is about to be replaced (headless resize).
  void drop_all(SDL_Renderer* new_renderer);

 private:
  struct Entry {
    TexturePtr tex;
    int w = 0;
    int h = 0;
    std::uint64_t used = 0;  // the frame that last asked for it
  };
  Entry make(const ui::Image& img);
  void forget(std::map<std::string, Entry, std::less<>>& entries);

  SDL_Renderer* renderer_;
  TextureGenerations* generations_;
  std::filesystem::path pictures_;
  events::Channel events_;
  std::map<std::string, Entry, std::less<>> pictures_cache_;
  std::map<std::string, Entry, std::less<>> images_;
  std::uint64_t frame_ = 1;
};

}  // namespace app
