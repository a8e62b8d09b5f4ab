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

SdlTextures::SdlTextures(SDL_Renderer* renderer, std::filesystem::path pictures, events::Channel events,
                         TextureGenerations* generations)
    : renderer_(renderer),
      generations_(generations),
      pictures_(std::move(pictures)),
      events_(std::move(events)) {}

SdlTextures::~SdlTextures() {
  forget(images_);
  forget(pictures_cache_);
}

SdlTextures::Entry SdlTextures::make(const ui::Image& img) {
  Entry e;
  e.tex = make_texture(renderer_, img);
  e.w = img.width;
  e.h = img.height;
  if (e.tex && generations_) generations_->changed(e.tex.get());
  return e;
}

void SdlTextures::forget(std::map<std::string, Entry, std::less<>>& entries) {
  if (generations_)
    for (const auto& [key, e] : entries) generations_->forget(e.tex.get());
  entries.clear();
}

ui::Texture SdlTextures::picture(std::string_view name) {
  if (auto it = pictures_cache_.find(name); it != pictures_cache_.end())
    return {it->second.tex.get(), it->second.w, it->second.h};
  Entry e;
  const auto path = pictures_ / (std::string(name) + ".png");
  if (auto bytes = read_file(path)) {
    if (auto img = decode_image(*bytes)) {
      e = make(*img);
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

ui::Texture SdlTextures::image(std::string_view cache_key, const std::function<ui::Image()>& make_image) {
  if (auto it = images_.find(cache_key); it != images_.end()) {
    it->second.used = frame_;
    return {it->second.tex.get(), it->second.w, it->second.h};
  }
  const ui::Image img = make_image();
  // An image of the same size that this frame has not drawn gives up its texture.
  for (auto it = images_.begin(); it != images_.end(); ++it) {
    Entry& old = it->second;
    if (!old.tex || old.used == frame_ || old.w != img.width || old.h != img.height) continue;
    if (SDL_UpdateTexture(old.tex.get(), nullptr, img.rgba.data(), img.width * 4) != 0) break;
    if (generations_) generations_->changed(old.tex.get());
    auto node = images_.extract(it);
    node.key() = std::string(cache_key);
    node.mapped().used = frame_;
    const auto placed = images_.insert(std::move(node)).position;
    return {placed->second.tex.get(), placed->second.w, placed->second.h};
  }
  Entry e = make(img);
  e.used = frame_;
  if (!e.tex) events_.warning("image texture: " + std::string(SDL_GetError()), {.step = "image"});
  auto& slot = images_[std::string(cache_key)] = std::move(e);
  return {slot.tex.get(), slot.w, slot.h};
}

void SdlTextures::drop_images() {
  forget(images_);
}

void SdlTextures::drop_all(SDL_Renderer* new_renderer) {
  forget(images_);
  forget(pictures_cache_);
  renderer_ = new_renderer;
}

}  // namespace app
