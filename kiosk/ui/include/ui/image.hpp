// Pixels that kiosk/ui produces (QR codes) and textures that the app makes of them. The UI never creates
// a texture or reads a file: it asks a TextureSource, which the app implements with SDL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace ui {

// 8-bit RGBA, rows top to bottom, no padding.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
  [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
};

struct Texture {
  ImTextureID id = nullptr;
  int width = 0;
  int height = 0;
  [[nodiscard]] bool valid() const { return id != nullptr; }
};

class TextureSource {
 public:
  virtual ~TextureSource() = default;
  // A picture from assets/pictures by name (file stem); invalid when there is none.
  virtual Texture picture(std::string_view name) = 0;
  // A texture made once from `make()` and kept under `cache_key` (e.g. a QR per URL) until the session
  // ends. `make` is only called when the key is new.
  virtual Texture image(std::string_view cache_key, const std::function<Image()>& make) = 0;
};

// For tests and tools that draw without a renderer: hands out distinct fake IDs and remembers sizes.
class NullTextures final : public TextureSource {
 public:
  Texture picture(std::string_view name) override;
  Texture image(std::string_view cache_key, const std::function<Image()>& make) override;
  int images_made = 0;

 private:
  std::map<std::string, Texture, std::less<>> cache_;
};

}  // namespace ui
