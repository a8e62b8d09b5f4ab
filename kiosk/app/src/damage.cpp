#include "damage.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace app {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 29);
}

std::uint64_t pair(float a, float b) {
  return std::uint64_t{std::bit_cast<std::uint32_t>(a)} |
         (std::uint64_t{std::bit_cast<std::uint32_t>(b)} << 32);
}

std::uint64_t rect_bits(const SDL_Rect& r) {
  return mix(
      mix(static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.x)) << 32 | static_cast<std::uint32_t>(r.y),
          static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.w)) << 32 |
              static_cast<std::uint32_t>(r.h)),
      0);
}

bool overlap(const SDL_Rect& a, const SDL_Rect& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

bool inside(const SDL_Rect& outer, const SDL_Rect& r) {
  return r.x >= outer.x && r.y >= outer.y && r.x + r.w <= outer.x + outer.w && r.y + r.h <= outer.y + outer.h;
}

SDL_Rect join(const SDL_Rect& a, const SDL_Rect& b) {
  const int x0 = std::min(a.x, b.x);
  const int y0 = std::min(a.y, b.y);
  const int x1 = std::max(a.x + a.w, b.x + b.w);
  const int y1 = std::max(a.y + a.h, b.y + b.h);
  return {x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

std::vector<SDL_Rect> DamageTracker::damage(const SoftwareRaster& frame,
                                            const TextureGenerations& generations, bool full) {
  if (frame.width() != width_ || frame.height() != height_ || frame.scale() != scale_) {
    width_ = frame.width();
    height_ = frame.height();
    scale_ = frame.scale();
    cols_ = (width_ + kTile - 1) / kTile;
    rows_ = (height_ + kTile - 1) / kTile;
    previous_.assign(static_cast<std::size_t>(cols_) * static_cast<std::size_t>(rows_), 0);
    valid_ = false;
  }
  tiles_.assign(previous_.size(), 0x243F6A8885A308D3ULL);
  const auto commands = frame.commands();
  for (const auto& c : commands) {
    std::uint64_t ch = mix(reinterpret_cast<std::uintptr_t>(c.texture), generations.of(c.texture));
    ch = mix(ch, rect_bits(c.visible));
    for (std::uint32_t k = c.first_unit; k < c.first_unit + c.units; ++k) {
      const SoftwareRaster::Unit& u = frame.units()[k];
      std::uint64_t h = mix(ch, static_cast<std::uint64_t>(u.kind));
      const int corners = u.kind == SoftwareRaster::Kind::Triangle ? 3 : 2;
      for (int j = 0; j < corners; ++j) {
        const ImDrawVert& v = c.vtx[u.v[j]];
        h = mix(mix(mix(h, pair(v.pos.x, v.pos.y)), pair(v.uv.x, v.uv.y)), v.col);
      }
      if (corners == 2) h = mix(h, c.vtx[u.v[2]].col);  // the rectangle's colour
      const int tx0 = u.box.x / kTile;
      const int ty0 = u.box.y / kTile;
      const int tx1 = (u.box.x + u.box.w - 1) / kTile;
      const int ty1 = (u.box.y + u.box.h - 1) / kTile;
      for (int ty = ty0; ty <= ty1; ++ty)
        for (int tx = tx0; tx <= tx1; ++tx) {
          auto& t = tiles_[static_cast<std::size_t>(ty) * static_cast<std::size_t>(cols_) +
                           static_cast<std::size_t>(tx)];
          t = mix(t, h);
        }
    }
  }
  bool whole = full || !valid_;
  std::vector<SDL_Rect> out;
  if (!whole) {
    changed_.resize(tiles_.size());
    for (std::size_t i = 0; i < tiles_.size(); ++i) changed_[i] = tiles_[i] != previous_[i] ? 1 : 0;
    out = rectangles();
    grow(out, frame);
    double area = 0;
    for (const auto& r : out) area += static_cast<double>(r.w) * static_cast<double>(r.h);
    whole = out.size() > kMaxRects ||
            area > kMaxShare * static_cast<double>(width_) * static_cast<double>(height_);
  }
  previous_.swap(tiles_);
  valid_ = true;
  last_whole_ = whole;
  if (whole) return {SDL_Rect{0, 0, width_, height_}};
  return out;
}

// Runs of damaged tiles in each row, stacked where the rows below have the same run.
std::vector<SDL_Rect> DamageTracker::rectangles() const {
  struct Run {
    int x0, x1, y0, y1;  // tiles, end exclusive
  };
  std::vector<Run> open;
  std::vector<Run> next;
  std::vector<SDL_Rect> out;
  auto close = [&](const Run& r) {
    const int x = r.x0 * kTile;
    const int y = r.y0 * kTile;
    out.push_back({x, y, std::min(r.x1 * kTile, width_) - x, std::min(r.y1 * kTile, height_) - y});
  };
  for (int y = 0; y <= rows_; ++y) {
    next.clear();
    for (int x = 0; y < rows_ && x < cols_;) {
      if (!changed_[static_cast<std::size_t>(y) * static_cast<std::size_t>(cols_) +
                    static_cast<std::size_t>(x)]) {
        ++x;
        continue;
      }
      int end = x;
      while (end < cols_ && changed_[static_cast<std::size_t>(y) * static_cast<std::size_t>(cols_) +
                                     static_cast<std::size_t>(end)])
        ++end;
      Run run{x, end, y, y + 1};
      for (auto& o : open)
        if (o.x0 == x && o.x1 == end) {
          run.y0 = o.y0;
          o.x1 = o.x0;  // taken
        }
      next.push_back(run);
      x = end;
    }
    for (const auto& o : open)
      if (o.x1 != o.x0) close(o);
    open.swap(next);
  }
  return out;
}

// A texture copy that a rectangle cuts would be rounded differently from the whole frame's (raster.hpp): each
// rectangle takes in every copy it touches, and rectangles that come to overlap become one.
void DamageTracker::grow(std::vector<SDL_Rect>& rects, const SoftwareRaster& frame) const {
  std::vector<SDL_Rect> copies;
  for (const auto& u : frame.units())
    if (u.kind == SoftwareRaster::Kind::Copy) copies.push_back(u.box);
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& r : rects) {
      // Above 1x not every output edge has a layout value; the rectangle's own edges must have one.
      const SDL_Rect snapped = SoftwareRaster::reachable(r, frame.scale());
      if (!inside(r, snapped)) {  // it grew
        r = snapped;
        changed = true;
      }
    }
    for (auto& r : rects)
      for (const auto& b : copies)
        if (overlap(r, b) && !inside(r, b)) {
          r = join(r, b);
          changed = true;
        }
    for (std::size_t i = 0; i < rects.size(); ++i)
      for (std::size_t j = i + 1; j < rects.size();) {
        if (overlap(rects[i], rects[j])) {
          rects[i] = join(rects[i], rects[j]);
          rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(j));
          changed = true;
          j = i + 1;
        } else {
          ++j;
        }
      }
  }
}

}  // namespace app
