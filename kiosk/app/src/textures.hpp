// ui::TextureSource on an SDL_Renderer: pictures from the assets folder (decoded once, on first use) and
// images that kiosk/ui produces (QR codes), kept per key until the session ends.
#pragma once

#include <SDL.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "events/event_log.hpp"
#include "foundation/c_handle.hpp"
#include "ui/image.hpp"

namespace app {

using TexturePtr = foundation::CPtr<SDL_Texture, SDL_DestroyTexture>;

// An SDL texture from RGBA pixels; null (and SDL_GetError says why) on failure.
TexturePtr make_texture(SDL_Renderer* r, const ui::Image& img);

class SdlTextures final : public ui::TextureSource {
 public:
  // `events`: a picture that is missing or does not decode, once each.
  SdlTextures(SDL_Renderer* renderer, std::filesystem::path pictures, events::Channel events);

  ui::Texture picture(std::string_view name) override;
  ui::Texture image(std::string_view cache_key, const std::function<ui::Image()>& make) override;

  // The customer's images (QR) go with the session.
  void drop_images() { images_.clear(); }
  // Everything goes: the renderer is about to be replaced (headless resize).
  void drop_all(SDL_Renderer* new_renderer);

 private:
  struct Entry {
    TexturePtr tex;
    int w = 0;
    int h = 0;
  };
  SDL_Renderer* renderer_;
  std::filesystem::path pictures_;
  events::Channel events_;
  std::map<std::string, Entry, std::less<>> pictures_cache_;
  std::map<std::string, Entry, std::less<>> images_;
};

}  // namespace app
