// App's display: the window or offscreen surface, the renderer, the fonts' texture, and each frame's pixels —
// drawn by SoftwareRaster where the damage tracker found them changed (docs/kiosk.md, "Drawing only what
// changed") and presented as those rectangles; the OpenGL renderer draws and presents whole frames.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include "app.hpp"
#include "core/model.hpp"
#include "core/view.hpp"
#include "ui/style.hpp"

namespace app {
namespace {

constexpr float kDesignLong = 1920.0f;
constexpr float kDesignShort = 1080.0f;

}  // namespace

std::string App::sdl_error(const char* what) {
  return std::string(what) + ": " + SDL_GetError();
}

// ---- display --------------------------------------------------------------------------------------------
void App::init_display() {
  const bool software = config_.renderer == RendererKind::Software;
  if (config_.mode == DisplayMode::Headless) {
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // as below
    if (SDL_Init(SDL_INIT_EVENTS) != 0) throw StartupError(sdl_error("SDL_Init"));
    surface_ = SDL_CreateRGBSurfaceWithFormat(0, config_.width, config_.height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surface_) throw StartupError(sdl_error("offscreen surface"));
    renderer_ = SDL_CreateSoftwareRenderer(surface_);
    if (!renderer_) throw StartupError(sdl_error("offscreen software renderer"));
    update_scale();
    return;
  }
  // Measured on this machine class (docs/benchmarks.md, "Kiosk shell"): without this hint SDL's "software"
  // renderer still presents through Mesa's llvmpipe, doubling start-up and frame cost and adding ~100 MB.
  if (software) SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  // SIGTERM and SIGINT are the safe stop's (main() watches them), not SDL_QUIT's.
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_RENDER_DRIVER, software ? "software" : "opengl");
  // The app turns fingers into the pointer itself; SDL's synthetic mouse events would double every touch.
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  if (SDL_Init(SDL_INIT_VIDEO) != 0)
    throw StartupError(sdl_error("SDL_Init(video)") +
                       " (no display? run under X, or headless with --demo --headless)");
  if (config_.mode == DisplayMode::Fullscreen) {
    // A borderless window the size of the screen, not SDL_WINDOW_FULLSCREEN: without a window manager the
    // fullscreen flag waits ~110 ms for one (measured on this machine class).
    SDL_Rect b{};
    if (SDL_GetDisplayBounds(0, &b) != 0) throw StartupError(sdl_error("display bounds"));
    window_ = SDL_CreateWindow("ca-kiosk", b.x, b.y, b.w, b.h, SDL_WINDOW_BORDERLESS | SDL_WINDOW_SHOWN);
    SDL_ShowCursor(SDL_DISABLE);
  } else {
    window_ = SDL_CreateWindow("ca-kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, config_.width,
                               config_.height, SDL_WINDOW_SHOWN);
  }
  if (!window_) throw StartupError(sdl_error("window"));
  renderer_ = SDL_CreateRenderer(window_, -1, software ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED);
  if (!renderer_) throw StartupError(sdl_error(software ? "software renderer" : "OpenGL renderer"));
  update_scale();
}

void App::destroy_display() {
  if (renderer_) SDL_DestroyRenderer(renderer_);
  renderer_ = nullptr;
  if (window_) SDL_DestroyWindow(window_);
  window_ = nullptr;
  if (surface_) SDL_FreeSurface(surface_);
  surface_ = nullptr;
}

// The layout is made for 1920×1080 / 1080×1920. Another screen (or a small development window) gets the
// layout scaled to fit; at the design size the scale is exactly 1.
void App::update_scale() {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  const bool portrait = h > w;
  const float dw = portrait ? kDesignShort : kDesignLong;
  const float dh = portrait ? kDesignLong : kDesignShort;
  float s = std::min(static_cast<float>(w) / dw, static_cast<float>(h) / dh);
  if (std::fabs(s - 1.0f) < 0.02f || s <= 0.0f) s = 1.0f;
  scale_ = s;
  logical_ = ImVec2(std::floor(static_cast<float>(w) / s), std::floor(static_cast<float>(h) / s));
  SDL_RenderSetScale(renderer_, s, s);
}

void App::resize(int width, int height) {
  if (config_.mode == DisplayMode::Fullscreen) return;
  config_.width = width;
  config_.height = height;
  if (config_.mode == DisplayMode::Windowed) {
    SDL_SetWindowSize(window_, width, height);
    SDL_PumpEvents();
  } else {
    destroy_font_texture();
    ImGui_ImplSDLRenderer_Shutdown();
    textures_->drop_all(nullptr);
    destroy_display();
    surface_ = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surface_) throw StartupError(sdl_error("offscreen surface"));
    renderer_ = SDL_CreateSoftwareRenderer(surface_);
    if (!renderer_) throw StartupError(sdl_error("offscreen software renderer"));
    ImGui_ImplSDLRenderer_Init(renderer_);
    textures_->drop_all(renderer_);
    upload_fonts();
  }
  update_scale();
  pointer_.reset();
  redraw_all_ = true;
  want_frames(kSettleFrames);
}

// ---- fonts ----------------------------------------------------------------------------------------------
// The font texture is ours, not the backend's: ImGui_ImplSDLRenderer_CreateFontsTexture() asks the atlas for
// an RGBA copy (4 bytes a pixel, 2.6 MB at 1024x629) only to upload it; here the alpha pixels go straight
// into the locked texture. So ImGui_ImplSDLRenderer_NewFrame(), which would make its own, is not called.
void App::upload_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  destroy_font_texture();
  fonts_->build(*io.Fonts);
  extended_font_.release_pages();  // the glyphs are in the atlas now
  io.FontDefault = fonts_->font(ui::FontRole::Body);
  unsigned char* alpha = nullptr;
  int w = 0;
  int h = 0;
  io.Fonts->GetTexDataAsAlpha8(&alpha, &w, &h);
  font_texture_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, w, h);
  if (!font_texture_) throw StartupError(sdl_error("font texture"));
  void* pixels = nullptr;
  int pitch = 0;
  if (SDL_LockTexture(font_texture_, nullptr, &pixels, &pitch) != 0)
    throw StartupError(sdl_error("font texture"));
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(static_cast<unsigned char*>(pixels) +
                                                 static_cast<std::ptrdiff_t>(y) * pitch);
    const unsigned char* src = alpha + static_cast<std::ptrdiff_t>(y) * w;
    for (int x = 0; x < w; ++x) row[x] = (std::uint32_t{src[x]} << 24) | 0x00FFFFFFu;
  }
  SDL_UnlockTexture(font_texture_);
  SDL_SetTextureBlendMode(font_texture_, SDL_BLENDMODE_BLEND);
  io.Fonts->SetTexID(static_cast<ImTextureID>(font_texture_));
  generations_.changed(font_texture_);  // a new atlas, perhaps at the old one's address
  redraw_all_ = true;
  // The texture has the pixels now; the atlas's alpha copy can go.
  io.Fonts->ClearTexData();
}

void App::destroy_font_texture() {
  if (!font_texture_) return;
  ImGui::GetIO().Fonts->SetTexID(nullptr);
  generations_.forget(font_texture_);
  SDL_DestroyTexture(font_texture_);
  font_texture_ = nullptr;
}

SDL_Rect App::output() const {
  SDL_Rect r{0, 0, 0, 0};
  SDL_GetRendererOutputSize(renderer_, &r.w, &r.h);
  return r;
}

// ---- a frame's pixels -----------------------------------------------------------------------------------
// The software path draws the frame's changed rectangles on the surface SDL's renderer draws on (the
// window's, or the offscreen one); a screen or language change, a resize, a new font atlas and an expose draw
// all of it.
void App::rasterise() {
  const ui::Rgb bg = ui::color::kBackground;
  ImDrawData* data = ImGui::GetDrawData();
  const core::Screen screen = core::screen_of(model_);
  if (drawn_screen_ != screen || drawn_language_ != model_.language) redraw_all_ = true;
  drawn_screen_ = screen;
  drawn_language_ = model_.language;
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  SDL_Surface* target = nullptr;
  if (config_.renderer == RendererKind::Software && config_.damage_tracking)
    target = surface_ ? surface_ : SDL_GetWindowSurface(window_);
  if (!target || !raster_.prepare(*data, scale_, w, h)) {
    SDL_SetRenderDrawColor(renderer_, bg.r, bg.g, bg.b, 0xFF);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(data);
    damage_.reset();
    damage_rects_.assign(1, SDL_Rect{0, 0, w, h});
    redraw_all_ = false;
    return;
  }
  damage_rects_ = damage_.damage(raster_, generations_, redraw_all_);
  redraw_all_ = false;
  bool whole = damage_.last_was_whole();
  if (!raster_.draw(renderer_, target, bg, damage_rects_)) {
    damage_rects_.assign(1, SDL_Rect{0, 0, w, h});
    raster_.draw_all(renderer_, target, bg);
    whole = true;
  }
  ++damage_stats_.frames;
  if (whole) ++damage_stats_.whole;
  if (damage_rects_.empty()) ++damage_stats_.nothing;
  for (const auto& r : damage_rects_)
    damage_stats_.pixels += static_cast<double>(r.w) * static_cast<double>(r.h);
  if (config_.check_damage && !whole) check_frame(target);
  if (config_.check_damage) check_against_backend(target);
}

namespace {

// The first pixel where two frames of `target`'s size differ, as "pixel x,y"; empty when none does.
std::string first_difference(const unsigned char* a, const unsigned char* b, const SDL_Surface& target) {
  const auto pitch = static_cast<std::size_t>(target.pitch);
  const auto row_bytes = static_cast<std::size_t>(target.w) * 4;
  for (std::size_t y = 0; y < static_cast<std::size_t>(target.h); ++y) {
    const unsigned char* ra = a + y * pitch;
    const unsigned char* rb = b + y * pitch;
    if (std::memcmp(ra, rb, row_bytes) == 0) continue;
    std::size_t x = 0;
    while (std::memcmp(ra + x * 4, rb + x * 4, 4) == 0) ++x;
    return "pixel " + std::to_string(x) + "," + std::to_string(y);
  }
  return {};
}

}  // namespace

// The frame as ImGui's own SDL_Renderer backend draws it whole (what KIOSK_DAMAGE_TRACKING=0 presents), over
// the same surface: SoftwareRaster's unblended fills must give the same bytes. Ours are put back after.
void App::check_against_backend(SDL_Surface* target) {
  const std::size_t bytes = static_cast<std::size_t>(target->h) * static_cast<std::size_t>(target->pitch);
  auto* pixels = static_cast<unsigned char*>(target->pixels);
  std::vector<unsigned char> ours(pixels, pixels + bytes);
  const ui::Rgb bg = ui::color::kBackground;
  SDL_SetRenderDrawColor(renderer_, bg.r, bg.g, bg.b, 0xFF);
  SDL_RenderClear(renderer_);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  SDL_RenderFlush(renderer_);
  ++damage_stats_.backend_checked;
  const std::string where = first_difference(ours.data(), pixels, *target);
  std::memcpy(pixels, ours.data(), bytes);
  if (where.empty()) return;
  ++damage_stats_.backend_mismatched;
  if (damage_stats_.mismatches.size() < 8)
    damage_stats_.mismatches.push_back("frame " + std::to_string(frames_ + 1) + " (" +
                                       std::string(core::screen_name(core::screen_of(model_))) + "): " + where +
                                       " differs from ImGui's backend's");
}

// The frame again, whole, over what the damaged rectangles made of the last one: the two must be the same
// bytes.
void App::check_frame(SDL_Surface* target) {
  const std::size_t bytes = static_cast<std::size_t>(target->h) * static_cast<std::size_t>(target->pitch);
  const auto* pixels = static_cast<const unsigned char*>(target->pixels);
  std::vector<unsigned char> drawn(pixels, pixels + bytes);
  raster_.draw_all(renderer_, target, ui::color::kBackground);
  ++damage_stats_.checked;
  const std::string where = first_difference(drawn.data(), pixels, *target);
  if (where.empty()) return;
  ++damage_stats_.mismatched;
  if (damage_stats_.mismatches.size() < 8) {
    std::string rects;
    for (const auto& r : damage_rects_)
      rects += " " + std::to_string(r.w) + "x" + std::to_string(r.h) + "+" + std::to_string(r.x) + "+" +
               std::to_string(r.y);
    damage_stats_.mismatches.push_back("frame " + std::to_string(frames_ + 1) + " (" +
                                       std::string(core::screen_name(core::screen_of(model_))) + "): " + where +
                                       " differs; drawn:" + rects);
  }
}

// Only what was drawn goes to the screen: the window surface's rectangles (an X11 shared-memory put each), or
// nothing when nothing changed. The OpenGL renderer presents whole frames.
void App::present() {
  if (config_.mode == DisplayMode::Headless || config_.renderer != RendererKind::Software) {
    SDL_RenderPresent(renderer_);
    return;
  }
  if (!rasterised_ || damage_rects_.empty()) return;
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  const SDL_Rect& first = damage_rects_.front();
  if (damage_rects_.size() == 1 && first.x == 0 && first.y == 0 && first.w == w && first.h == h)
    SDL_UpdateWindowSurface(window_);
  else
    SDL_UpdateWindowSurfaceRects(window_, damage_rects_.data(), static_cast<int>(damage_rects_.size()));
}

}  // namespace app
