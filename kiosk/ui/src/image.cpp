#include "ui/image.hpp"

#include <cstdint>

namespace ui {

Texture NullTextures::picture(std::string_view) {
  return {};
}

Texture NullTextures::image(std::string_view cache_key, const std::function<Image()>& make) {
  if (auto it = cache_.find(cache_key); it != cache_.end()) return it->second;
  const Image img = make();
  ++images_made;
  // A distinct non-null ID per image; nothing dereferences it (no renderer).
  const Texture t{reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(0x1000 + images_made)), img.width,
                  img.height};
  cache_.emplace(std::string(cache_key), t);
  return t;
}

}  // namespace ui
