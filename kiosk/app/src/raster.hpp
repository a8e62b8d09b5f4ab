// ImGui's draw data on SDL's software renderer, the whole frame or only within damaged rectangles, with the
// pixels ImGui's SDL_Renderer backend (imgui_impl_sdlrenderer) gives for the whole frame, byte for byte
// (docs/kiosk.md, "Drawing only what changed").
//
// How: SDL's software renderer (SDL 2.26, SDL_render.c's SDL_SW_RenderGeometryRaw) does not rasterise
// ImGui's triangles as such. It walks each command's triangles in pairs: two that share two vertices, form an
// axis-aligned rectangle and have one colour become a rectangle copy (textured; a glyph, a picture, the QR)
// or a rectangle fill; every other triangle is drawn alone. Opaque fills and one-colour triangles go without
// blending (SDL would blend them per pixel to the same bytes), which makes a whole frame several times cheaper. prepare() makes the same decisions once per frame
// and keeps each result as a Unit with the output pixels it may touch; draw() hands SDL exactly those
// primitives through its public calls, skipping the units outside the rectangle being drawn. Each primitive's
// pixels depend only on the primitive and its clip, except where a scaled copy is cut by the clip (SDL rounds
// the cut source rectangle): a damaged rectangle therefore always holds every copy it touches whole
// (DamageTracker grows it), and its clip is the command's own wherever the command's clip cuts.
#pragma once

#include <SDL.h>
#include <imgui.h>

#include <cstdint>
#include <span>
#include <vector>

#include "ui/style.hpp"

namespace app {

class SoftwareRaster {
 public:
  struct Command {
    SDL_Texture* texture = nullptr;
    int texture_w = 0;
    int texture_h = 0;
    SDL_Rect logical{};  // the clip the backend hands SDL_RenderSetClipRect (layout pixels)
    SDL_Rect clip{};     // the same in output pixels, as SDL's software renderer clips
    SDL_Rect visible{};  // that clip within the surface
    const ImDrawVert* vtx = nullptr;
    std::uint32_t first_unit = 0;
    std::uint32_t units = 0;
  };
  // Solid: a triangle of one opaque colour on the font atlas's white pixel (ImGui's filled shapes), drawn as an
  // untextured triangle without blending — the same pixels (every pixel samples opaque white, times the
  // colour, over whatever was there at full alpha) without SDL's per-pixel texture blit.
  enum class Kind : std::uint8_t { Triangle, Solid, Copy, Fill };
  struct Unit {
    Kind kind = Kind::Triangle;
    std::uint32_t command = 0;
    // Triangle: its vertices. Copy/Fill: the top-left corner, the bottom-right one, the vertex whose colour
    // SDL takes (v[3] unused).
    std::uint32_t v[4] = {};
    SDL_Rect box{};  // output pixels it may touch: within its command's clip and the surface
  };

  // Reads the frame. `scale` is the renderer's (SDL_RenderSetScale), `width`×`height` the output's. False
  // when the frame holds what this rasteriser does not draw (a user callback): draw it with the backend
  // instead.
  bool prepare(const ImDrawData& data, float scale, int width, int height);

  // Clears each rectangle (output pixels) to `background` and draws the frame within it. False, drawing
  // nothing, when some clip cannot be expressed within a rectangle at this scale (only possible above 1×):
  // draw the whole frame then.
  bool draw(SDL_Renderer* renderer, SDL_Surface* target, ui::Rgb background,
            std::span<const SDL_Rect> rects) const;
  // The whole output.
  void draw_all(SDL_Renderer* renderer, SDL_Surface* target, ui::Rgb background) const;

  // The smallest rectangle holding `r` that a clip can give at this scale (x, y, w and h each an output value
  // that some layout value scales to). `r` itself at scales up to 1; above 1 some values have none.
  static SDL_Rect reachable(const SDL_Rect& r, float scale);

  [[nodiscard]] std::span<const Command> commands() const { return commands_; }
  [[nodiscard]] std::span<const Unit> units() const { return units_; }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] float scale() const { return scale_; }

 private:
  void emit(SDL_Renderer* renderer, const Command& c, const Unit& u) const;

  std::vector<Command> commands_;
  std::vector<Unit> units_;
  float scale_ = 1.0f;
  int width_ = 0;
  int height_ = 0;
};

}  // namespace app
