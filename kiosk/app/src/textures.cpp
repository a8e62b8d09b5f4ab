#include "textures.hpp"

#include "files.hpp"

namespace app {

TexturePtr make_texture(SDL_Renderer* r, const ui::Image& img) {
  if (img.empty()) return nullptr;
  TexturePtr t(SDL_CreateTexture(r, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC, img.width, img.height));
  if (!t) return nullptr;
  SDL_UpdateTexture(t.get(), nullptr, img.rgba.data(), img.width * 4);
  SDL_SetTextureBlendMode(t.get(), SDL_BLENDMODE_BLEND);
  // QR modules must stay crisp when the texture is drawn at its own size or an integer multiple.
  SDL_SetTextureScaleMode(t.get(), SDL_ScaleModeNearest);
  return t;
}

SdlTextures::SdlTextures(SDL_Renderer* renderer, std::filesystem::path pictures, events::Channel events)
    : renderer_(renderer), pictures_(std::move(pictures)), events_(std::move(events)) {}

ui::Texture SdlTextures::picture(std::string_view name) {
  if (auto it = pictures_cache_.find(name); it != pictures_cache_.end())
    return {it->second.tex.get(), it->second.w, it->second.h};
  Entry e;
  const auto path = pictures_ / (std::string(name) + ".png");
  if (auto bytes = read_file(path)) {
    if (auto img = decode_image(*bytes)) {
      e.tex = make_texture(renderer_, *img);
      e.w = img->width;
      e.h = img->height;
      if (!e.tex) events_.warning("picture " + path.string() + ": " + SDL_GetError(), {.step = "picture"});
    } else {
      events_.warning("picture " + path.string() + ": " + img.error(), {.step = "picture"});
    }
  } else {
    events_.warning("picture " + std::string(name) + " missing: " + bytes.error(), {.step = "picture"});
  }
  // A missing picture is remembered as missing: asked again every frame, it is reported once.
  auto& slot = pictures_cache_[std::string(name)] = std::move(e);
  return {slot.tex.get(), slot.w, slot.h};
}

ui::Texture SdlTextures::image(std::string_view cache_key, const std::function<ui::Image()>& make) {
  if (auto it = images_.find(cache_key); it != images_.end())
    return {it->second.tex.get(), it->second.w, it->second.h};
  const ui::Image img = make();
  Entry e;
  e.tex = make_texture(renderer_, img);
  e.w = img.width;
  e.h = img.height;
  if (!e.tex) events_.warning("image texture: " + std::string(SDL_GetError()), {.step = "image"});
  auto& slot = images_[std::string(cache_key)] = std::move(e);
  return {slot.tex.get(), slot.w, slot.h};
}

void SdlTextures::drop_all(SDL_Renderer* new_renderer) {
  images_.clear();
  pictures_cache_.clear();
  renderer_ = new_renderer;
}

}  // namespace app
