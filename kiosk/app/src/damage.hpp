// Which pixels of a frame differ from the last one drawn (docs/kiosk.md, "Drawing only what changed").
//
// The screen is cut into square tiles of output pixels. Each tile gets a hash of everything SDL's software
// renderer would draw there (SoftwareRaster's units that may touch it, in order: their corners, texture
// coordinates, colours, clip, the texture and that texture's generation). A tile whose hash differs from the
// last frame's is damaged. Damaged tiles become rectangles, each grown until every texture copy it touches
// lies whole inside it (raster.hpp says why), then merged where they overlap. A texture whose pixels change
// under the same draw commands (a new QR in the same place, a rebuilt font atlas at the same address) has a
// new generation, so the tiles that use it are damaged too.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "raster.hpp"

namespace app {

// A number per texture that changes whenever its pixels do. Whoever creates or fills a texture says so.
class TextureGenerations {
 public:
  void changed(const void* texture) {
    if (texture) generation_[texture] = ++last_;
  }
  void forget(const void* texture) { generation_.erase(texture); }
  [[nodiscard]] std::uint64_t of(const void* texture) const {
    const auto it = generation_.find(texture);
    return it == generation_.end() ? 0 : it->second;
  }

 private:
  std::unordered_map<const void*, std::uint64_t> generation_;
  std::uint64_t last_ = 0;
};

class DamageTracker {
 public:
  static constexpr int kTile = 32;  // output pixels
  // More rectangles than this, or more than this share of the screen, and the whole frame is drawn.
  static constexpr std::size_t kMaxRects = 24;
  static constexpr double kMaxShare = 0.6;

  // The rectangles (output pixels) to redraw so that the surface shows `frame`, given that it shows the frame
  // passed last time. The whole surface when `full`, when the size or scale changed, or after reset().
  std::vector<SDL_Rect> damage(const SoftwareRaster& frame, const TextureGenerations& generations, bool full);
  // The surface no longer shows the last frame: the next one is drawn whole.
  void reset() { valid_ = false; }
  [[nodiscard]] bool last_was_whole() const { return last_whole_; }

 private:
  std::vector<SDL_Rect> rectangles() const;
  void grow(std::vector<SDL_Rect>& rects, const SoftwareRaster& frame) const;

  int width_ = 0;
  int height_ = 0;
  float scale_ = 0.0f;
  int cols_ = 0;
  int rows_ = 0;
  bool valid_ = false;
  bool last_whole_ = true;
  std::vector<std::uint64_t> tiles_;
  std::vector<std::uint64_t> previous_;
  std::vector<std::uint8_t> changed_;
};

}  // namespace app
