#include "raster.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace app {
namespace {

// SDL_RenderSetClipRect(rect) at the renderer's scale, as SDL 2.26 turns it into the software renderer's clip
// (SDL_render.c: each of x, y, w, h multiplied in double precision, then floored on its own).
int scaled(int v, double s) {
  return static_cast<int>(std::floor(static_cast<double>(v) * s));
}

SDL_Rect scaled_clip(const SDL_Rect& r, double s) {
  return {scaled(r.x, s), scaled(r.y, s), scaled(r.w, s), scaled(r.h, s)};
}

// The layout coordinate whose scaled value is `target`. At a scale of 1 or less every output pixel has one;
// above 1 some have none.
std::optional<int> unscaled(int target, double s) {
  const int k0 = static_cast<int>(std::ceil(static_cast<double>(target) / s));
  for (int k = k0 - 2; k <= k0 + 2; ++k)
    if (scaled(k, s) == target) return k;
  return std::nullopt;
}

std::optional<SDL_Rect> clip_for(const SDL_Rect& out, double s) {
  const auto x = unscaled(out.x, s);
  const auto y = unscaled(out.y, s);
  const auto w = unscaled(out.w, s);
  const auto h = unscaled(out.h, s);
  if (!x || !y || !w || !h) return std::nullopt;
  return SDL_Rect{*x, *y, *w, *h};
}

// The largest reachable value up to `v`, and the smallest from `v` on.
int reachable_below(int v, double s) {
  for (int k = static_cast<int>(std::floor(static_cast<double>(v) / s)) + 1;; --k)
    if (scaled(k, s) <= v) return scaled(k, s);
}
int reachable_above(int v, double s) {
  for (int k = static_cast<int>(std::ceil(static_cast<double>(v) / s)) - 1;; ++k)
    if (scaled(k, s) >= v) return scaled(k, s);
}

bool same(const SDL_Rect& a, const SDL_Rect& b) {
  return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

std::uint32_t color_bits(const ImDrawVert& v) {
  return v.col;
}

SDL_Color sdl_color(const ImDrawVert& v) {
  SDL_Color c;
  std::memcpy(&c, &v.col, sizeof c);  // ImGui's IM_COL32 is R, G, B, A in memory, as SDL_Color
  return c;
}

// One opaque colour at the atlas's white pixel on all three corners: every pixel is that colour.
bool solid(const ImDrawVert& a, const ImDrawVert& b, const ImDrawVert& c, ImVec2 white) {
  const auto at_white = [&](const ImDrawVert& v) { return v.uv.x == white.x && v.uv.y == white.y; };
  return a.col == b.col && a.col == c.col && (a.col & IM_COL32_A_MASK) == IM_COL32_A_MASK && at_white(a) &&
         at_white(b) && at_white(c);
}

// The output pixels a primitive with these layout-pixel corners may touch (SDL truncates each scaled
// coordinate; a pixel of margin covers that and negative coordinates).
SDL_Rect box_of(float x0, float y0, float x1, float y1, double s) {
  const int left = static_cast<int>(std::floor(static_cast<double>(x0) * s)) - 1;
  const int top = static_cast<int>(std::floor(static_cast<double>(y0) * s)) - 1;
  const int right = static_cast<int>(std::ceil(static_cast<double>(x1) * s)) + 1;
  const int bottom = static_cast<int>(std::ceil(static_cast<double>(y1) * s)) + 1;
  return {left, top, right - left, bottom - top};
}

// SDL_SW_RenderGeometryRaw's pairing, made once: walks one command's triangles and calls `unit` for each
// primitive SDL's software renderer would draw, in its order.
template <typename Emit>
void decompose(const ImDrawVert* vtx, const ImDrawIdx* idx, unsigned count, const SDL_Texture* texture,
               int texw, int texh, Emit&& unit) {
  auto x = [&](int k) { return vtx[k].pos.x; };
  auto y = [&](int k) { return vtx[k].pos.y; };
  int prev[3] = {-1, -1, -1};
  for (unsigned i = 0; i + 2 < count; i += 3) {
    const int k0 = idx[i];
    const int k1 = idx[i + 1];
    const int k2 = idx[i + 2];
    if (prev[0] == -1) {
      prev[0] = k0;
      prev[1] = k1;
      prev[2] = k2;
      continue;
    }
    // Two triangles with exactly two vertices in common ...
    int shared = 0;
    for (int p : prev)
      if (p == k0 || p == k1 || p == k2) ++shared;
    bool quad = shared == 2;
    int a = -1;
    int b = -1;
    if (quad) {
      // ... the top-left and bottom-right corners of the current one, the third vertex of each ...
      if (x(k0) <= x(k1) && y(k0) <= y(k1))
        a = (x(k0) <= x(k2) && y(k0) <= y(k2)) ? k0 : k2;
      else
        a = (x(k1) <= x(k2) && y(k1) <= y(k2)) ? k1 : k2;
      if (x(k0) >= x(k1) && y(k0) >= y(k1))
        b = (x(k0) >= x(k2) && y(k0) >= y(k2)) ? k0 : k2;
      else
        b = (x(k1) >= x(k2) && y(k1) >= y(k2)) ? k1 : k2;
      const int c = (k0 != a && k0 != b) ? k0 : (k1 != a && k1 != b) ? k1 : k2;
      const int c2 = (prev[0] != a && prev[0] != b)   ? prev[0]
                     : (prev[1] != a && prev[1] != b) ? prev[1]
                                                      : prev[2];
      // ... forming an axis-aligned rectangle ...
      auto right_angle = [&](int third) {
        return (x(a) == x(third) && y(b) == y(third)) || (y(a) == y(third) && x(b) == x(third));
      };
      quad = right_angle(c) && right_angle(c2);
      // ... of one colour.
      if (quad) {
        const auto col = color_bits(vtx[a]);
        quad = col == color_bits(vtx[b]) && col == color_bits(vtx[c]) && col == color_bits(vtx[c2]);
      }
    }
    if (quad) {
      const ImDrawVert& va = vtx[a];
      const ImDrawVert& vb = vtx[b];
      bool copy = false;
      if (texture) {
        const int sx = static_cast<int>(va.uv.x * static_cast<float>(texw));
        const int sy = static_cast<int>(va.uv.y * static_cast<float>(texh));
        const int sw = static_cast<int>(vb.uv.x * static_cast<float>(texw) - static_cast<float>(sx));
        const int sh = static_cast<int>(vb.uv.y * static_cast<float>(texh) - static_cast<float>(sy));
        copy = sw != 0 && sh != 0;
      }
      const float dw = vb.pos.x - va.pos.x;
      const float dh = vb.pos.y - va.pos.y;
      if (copy)
        unit(SoftwareRaster::Kind::Copy, a, b, k0);
      else if (dw != 0.0f && dh != 0.0f)
        unit(SoftwareRaster::Kind::Fill, a, b, k0);
      prev[0] = -1;
    } else {
      unit(SoftwareRaster::Kind::Triangle, prev[0], prev[1], prev[2]);
      prev[0] = k0;
      prev[1] = k1;
      prev[2] = k2;
    }
  }
  if (prev[0] != -1) unit(SoftwareRaster::Kind::Triangle, prev[0], prev[1], prev[2]);
}

}  // namespace

SDL_Rect SoftwareRaster::reachable(const SDL_Rect& r, float scale) {
  const double s = static_cast<double>(scale);
  if (s <= 1.0) return r;
  SDL_Rect out;
  out.x = reachable_below(r.x, s);
  out.y = reachable_below(r.y, s);
  out.w = reachable_above(r.x + r.w - out.x, s);
  out.h = reachable_above(r.y + r.h - out.y, s);
  return out;
}

bool SoftwareRaster::prepare(const ImDrawData& data, float scale, int width, int height) {
  commands_.clear();
  units_.clear();
  scale_ = scale;
  width_ = width;
  height_ = height;
  const double s = static_cast<double>(scale);
  const SDL_Rect surface{0, 0, width, height};
  // imgui_impl_sdlrenderer's clip arithmetic, in the same float steps.
  const ImVec2 render_scale(scale == 1.0f ? data.FramebufferScale.x : 1.0f,
                            scale == 1.0f ? data.FramebufferScale.y : 1.0f);
  const int fb_width = static_cast<int>(data.DisplaySize.x * render_scale.x);
  const int fb_height = static_cast<int>(data.DisplaySize.y * render_scale.y);
  if (fb_width == 0 || fb_height == 0) return true;
  const ImVec2 clip_off = data.DisplayPos;
  const ImFontAtlas* atlas = ImGui::GetCurrentContext() ? ImGui::GetIO().Fonts : nullptr;
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    // SDL_RenderGeometryRaw draws nothing of a call whose vertices (from the command's first to the list's
    // last) include a texture coordinate outside 0..1.
    int last_bad_uv = -1;
    for (int v = 0; v < list->VtxBuffer.Size; ++v) {
      const ImVec2 uv = list->VtxBuffer[v].uv;
      if (uv.x < 0.0f || uv.y < 0.0f || uv.x > 1.0f || uv.y > 1.0f) last_bad_uv = v;
    }
    for (int ci = 0; ci < list->CmdBuffer.Size; ++ci) {
      const ImDrawCmd& cmd = list->CmdBuffer[ci];
      if (cmd.UserCallback) {
        if (cmd.UserCallback == ImDrawCallback_ResetRenderState) continue;
        return false;
      }
      ImVec2 clip_min((cmd.ClipRect.x - clip_off.x) * render_scale.x,
                      (cmd.ClipRect.y - clip_off.y) * render_scale.y);
      ImVec2 clip_max((cmd.ClipRect.z - clip_off.x) * render_scale.x,
                      (cmd.ClipRect.w - clip_off.y) * render_scale.y);
      clip_min.x = std::max(clip_min.x, 0.0f);
      clip_min.y = std::max(clip_min.y, 0.0f);
      clip_max.x = std::min(clip_max.x, static_cast<float>(fb_width));
      clip_max.y = std::min(clip_max.y, static_cast<float>(fb_height));
      if (clip_max.x <= clip_min.x || clip_max.y <= clip_min.y) continue;
      Command c;
      c.texture = static_cast<SDL_Texture*>(cmd.GetTexID());
      if (c.texture && last_bad_uv >= static_cast<int>(cmd.VtxOffset)) continue;
      if (c.texture && SDL_QueryTexture(c.texture, nullptr, nullptr, &c.texture_w, &c.texture_h) != 0)
        continue;
      c.logical = {static_cast<int>(clip_min.x), static_cast<int>(clip_min.y),
                   static_cast<int>(clip_max.x - clip_min.x), static_cast<int>(clip_max.y - clip_min.y)};
      c.clip = scaled_clip(c.logical, s);
      if (!SDL_IntersectRect(&c.clip, &surface, &c.visible)) continue;
      c.vtx = list->VtxBuffer.Data + cmd.VtxOffset;
      c.first_unit = static_cast<std::uint32_t>(units_.size());
      const bool on_atlas = atlas && c.texture == atlas->TexID && c.texture;
      const auto index = static_cast<std::uint32_t>(commands_.size());
      decompose(c.vtx, list->IdxBuffer.Data + cmd.IdxOffset, cmd.ElemCount, c.texture, c.texture_w,
                c.texture_h, [&](Kind kind, int v0, int v1, int v2) {
                  Unit u;
                  u.kind = kind;
                  u.command = index;
                  u.v[0] = static_cast<std::uint32_t>(v0);
                  u.v[1] = static_cast<std::uint32_t>(v1);
                  u.v[2] = static_cast<std::uint32_t>(v2);
                  const ImDrawVert& p0 = c.vtx[v0];
                  const ImDrawVert& p1 = c.vtx[v1];
                  SDL_Rect box;
                  if (kind == Kind::Triangle) {
                    const ImDrawVert& p2 = c.vtx[v2];
                    if (on_atlas && solid(p0, p1, p2, atlas->TexUvWhitePixel)) u.kind = Kind::Solid;
                    box = box_of(std::min({p0.pos.x, p1.pos.x, p2.pos.x}),
                                 std::min({p0.pos.y, p1.pos.y, p2.pos.y}),
                                 std::max({p0.pos.x, p1.pos.x, p2.pos.x}),
                                 std::max({p0.pos.y, p1.pos.y, p2.pos.y}), s);
                  } else {
                    box = box_of(std::min(p0.pos.x, p1.pos.x), std::min(p0.pos.y, p1.pos.y),
                                 std::max(p0.pos.x, p1.pos.x), std::max(p0.pos.y, p1.pos.y), s);
                  }
                  if (SDL_IntersectRect(&box, &c.visible, &u.box)) units_.push_back(u);
                });
      c.units = static_cast<std::uint32_t>(units_.size()) - c.first_unit;
      commands_.push_back(c);
    }
  }
  return true;
}

void SoftwareRaster::emit(SDL_Renderer* renderer, const Command& c, const Unit& u) const {
  if (u.kind == Kind::Triangle || u.kind == Kind::Solid) {
    // One triangle alone: SDL draws it as a triangle whatever surrounds it. Its own three vertices, so that
    // SDL's checks of the call's vertices stay three long.
    float xy[6];
    float uv[6];
    SDL_Color col[3];
    for (int j = 0; j < 3; ++j) {
      const ImDrawVert& v = c.vtx[u.v[j]];
      xy[2 * j] = v.pos.x;
      xy[2 * j + 1] = v.pos.y;
      uv[2 * j] = v.uv.x;
      uv[2 * j + 1] = v.uv.y;
      col[j] = sdl_color(v);
    }
    constexpr int kIndices[3] = {0, 1, 2};
    if (u.kind == Kind::Solid) {
      SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_NONE);
      SDL_RenderGeometryRaw(renderer, nullptr, xy, 2 * sizeof(float), col, sizeof(SDL_Color), nullptr, 0, 3, kIndices,
                            3, sizeof(int));
      return;
    }
    SDL_RenderGeometryRaw(renderer, c.texture, xy, 2 * sizeof(float), col, sizeof(SDL_Color), uv,
                          2 * sizeof(float), 3, kIndices, 3, sizeof(int));
    return;
  }
  const ImDrawVert& a = c.vtx[u.v[0]];
  const ImDrawVert& b = c.vtx[u.v[1]];
  const SDL_Color col = sdl_color(c.vtx[u.v[2]]);
  SDL_FRect d{a.pos.x, a.pos.y, b.pos.x - a.pos.x, b.pos.y - a.pos.y};
  if (u.kind == Kind::Fill) {
    SDL_SetRenderDrawBlendMode(renderer, col.a == 0xFF ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(renderer, col.r, col.g, col.b, col.a);
    SDL_RenderFillRectF(renderer, &d);
    return;
  }
  SDL_Rect src;
  src.x = static_cast<int>(a.uv.x * static_cast<float>(c.texture_w));
  src.y = static_cast<int>(a.uv.y * static_cast<float>(c.texture_h));
  src.w = static_cast<int>(b.uv.x * static_cast<float>(c.texture_w) - static_cast<float>(src.x));
  src.h = static_cast<int>(b.uv.y * static_cast<float>(c.texture_h) - static_cast<float>(src.y));
  SDL_SetTextureAlphaMod(c.texture, col.a);
  SDL_SetTextureColorMod(c.texture, col.r, col.g, col.b);
  if (src.w > 0 && src.h > 0) {
    SDL_RenderCopyF(renderer, c.texture, &src, &d);
    return;
  }
  int flip = SDL_FLIP_NONE;
  if (src.w < 0) {
    flip |= SDL_FLIP_HORIZONTAL;
    src.w = -src.w;
    src.x -= src.w;
  }
  if (src.h < 0) {
    flip |= SDL_FLIP_VERTICAL;
    src.h = -src.h;
    src.y -= src.h;
  }
  SDL_RenderCopyExF(renderer, c.texture, &src, &d, 0, nullptr, static_cast<SDL_RendererFlip>(flip));
}

bool SoftwareRaster::draw(SDL_Renderer* renderer, SDL_Surface* target, ui::Rgb background,
                          std::span<const SDL_Rect> rects) const {
  const double s = static_cast<double>(scale_);
  const SDL_Rect surface{0, 0, width_, height_};
  // Every clip first, so that a rectangle that cannot be drawn exactly leaves the surface untouched. A
  // command's clip within a rectangle is the part of its own clip there, in output pixels; where that is all
  // of it, the backend's own rectangle (so the whole frame never needs another).
  struct Pass {
    SDL_Rect area{};
    SDL_Rect clip{};
    bool visible = false;
  };
  std::vector<Pass> passes(rects.size() * commands_.size());
  std::vector<SDL_Rect> areas(rects.size());
  for (std::size_t r = 0; r < rects.size(); ++r) {
    if (!SDL_IntersectRect(&rects[r], &surface, &areas[r])) continue;
    for (std::size_t i = 0; i < commands_.size(); ++i) {
      const Command& c = commands_[i];
      Pass& p = passes[r * commands_.size() + i];
      if (!SDL_IntersectRect(&c.visible, &areas[r], &p.area)) continue;
      p.visible = true;
      if (same(p.area, c.visible)) {
        p.clip = c.logical;
        continue;
      }
      const auto clip = clip_for(p.area, s);
      if (!clip) return false;
      p.clip = *clip;
    }
  }
  SDL_RenderSetViewport(renderer, nullptr);
  const Uint32 bg = SDL_MapRGBA(target->format, background.r, background.g, background.b, 0xFF);
  for (std::size_t r = 0; r < rects.size(); ++r) {
    if (areas[r].w <= 0 || areas[r].h <= 0) continue;
    SDL_RenderFlush(renderer);
    SDL_SetClipRect(target, nullptr);  // the renderer leaves its last clip on the surface
    SDL_FillRect(target, &areas[r], bg);
    for (std::size_t i = 0; i < commands_.size(); ++i) {
      const Pass& p = passes[r * commands_.size() + i];
      if (!p.visible) continue;
      const Command& c = commands_[i];
      SDL_RenderSetClipRect(renderer, &p.clip);
      for (std::uint32_t k = c.first_unit; k < c.first_unit + c.units; ++k)
        if (SDL_HasIntersection(&units_[k].box, &p.area)) emit(renderer, c, units_[k]);
    }
  }
  SDL_RenderSetClipRect(renderer, nullptr);
  SDL_RenderFlush(renderer);
  return true;
}

void SoftwareRaster::draw_all(SDL_Renderer* renderer, SDL_Surface* target, ui::Rgb background) const {
  const SDL_Rect all{0, 0, width_, height_};
  draw(renderer, target, background, std::span<const SDL_Rect>(&all, 1));  // every clip is a command's own
}

}  // namespace app
