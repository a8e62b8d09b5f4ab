// SoftwareRaster and DamageTracker on their own (kiosk/app/src/raster.hpp, damage.hpp): ImGui frames with
// text, rounded shapes, pictures drawn at their size and scaled, on SDL's software renderer at 1×, at a
// 1366×768 display's 0.71× and at 1.33×. After every frame the surface drawn only where the tracker found
// damage must be the same bytes as the frame drawn whole; a texture whose pixels change under the same draw
// commands must be redrawn when its generation says so, and is not when nobody says so (the check fails).
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <SDL.h>
#include <imgui.h>

#include "damage.hpp"
#include "raster.hpp"

namespace {

constexpr ui::Rgb kBackground{0xF4, 0xF6, 0xF8};

// An ImGui context with ImGui's own font, drawn by SDL's software renderer on a surface of the output's size,
// laid out at `scale` as the app lays out a display that is not 1920×1080.
class Scene {
 public:
  Scene(int width, int height, float scale) : scale_(scale) {
    surface_ = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    REQUIRE(surface_);
    renderer_ = SDL_CreateSoftwareRenderer(surface_);
    REQUIRE(renderer_);
    SDL_RenderSetScale(renderer_, scale, scale);
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width) / scale, static_cast<float>(height) / scale);
    io.Fonts->AddFontDefault();
    unsigned char* px = nullptr;
    int w = 0;
    int h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    font_ = texture(w, h, px);
    io.Fonts->SetTexID(font_);
    generations.changed(font_);
    // A picture: a gradient with a hard diagonal, so that any misplaced or misscaled pixel shows.
    std::vector<unsigned char> pic(64 * 48 * 4);
    fill_picture(pic, 0);
    picture_ = texture(64, 48, pic.data());
    generations.changed(picture_);
  }
  ~Scene() {
    ImGui::DestroyContext(context_);
    SDL_DestroyTexture(picture_);
    SDL_DestroyTexture(font_);
    SDL_DestroyRenderer(renderer_);
    SDL_FreeSurface(surface_);
  }
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;

  static void fill_picture(std::vector<unsigned char>& pic, int seed) {
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x) {
        unsigned char* p = &pic[static_cast<std::size_t>((y * 64 + x) * 4)];
        p[0] = static_cast<unsigned char>(x * 4 + seed);
        p[1] = static_cast<unsigned char>(y * 5);
        p[2] = static_cast<unsigned char>(x > y ? 200 - seed : 20 + seed);
        p[3] = static_cast<unsigned char>(x + y < 10 ? 0 : 255);
      }
  }
  // New pixels in the picture's texture; its draw commands stay the same.
  void repaint_picture(int seed) {
    std::vector<unsigned char> pic(64 * 48 * 4);
    fill_picture(pic, seed);
    SDL_UpdateTexture(picture_, nullptr, pic.data(), 64 * 4);
  }

  // One frame of `draw`; then drawn where the tracker finds damage. Returns the rectangles drawn.
  std::vector<SDL_Rect> frame(const std::function<void(SDL_Texture* picture)>& draw, bool full = false) {
    ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("scene", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
    draw(picture_);
    ImGui::End();
    ImGui::Render();
    REQUIRE(raster_.prepare(*ImGui::GetDrawData(), scale_, surface_->w, surface_->h));
    auto rects = tracker_.damage(raster_, generations, full);
    if (!raster_.draw(renderer_, surface_, kBackground, rects)) {
      raster_.draw_all(renderer_, surface_, kBackground);
      rects.assign(1, SDL_Rect{0, 0, surface_->w, surface_->h});
    }
    return rects;
  }

  // The frame just drawn, drawn again whole: true when the surface did not change by a byte.
  bool same_as_whole() {
    const auto bytes = static_cast<std::size_t>(surface_->pitch) * static_cast<std::size_t>(surface_->h);
    std::vector<unsigned char> drawn(static_cast<unsigned char*>(surface_->pixels),
                                     static_cast<unsigned char*>(surface_->pixels) + bytes);
    raster_.draw_all(renderer_, surface_, kBackground);
    return std::memcmp(drawn.data(), surface_->pixels, bytes) == 0;
  }

  [[nodiscard]] double share(const std::vector<SDL_Rect>& rects) const {
    double a = 0;
    for (const auto& r : rects) a += static_cast<double>(r.w) * static_cast<double>(r.h);
    return a / (static_cast<double>(surface_->w) * static_cast<double>(surface_->h));
  }

  [[nodiscard]] SDL_Texture* picture() const { return picture_; }
  app::TextureGenerations generations;

 private:
  SDL_Texture* texture(int w, int h, const unsigned char* rgba) {
    SDL_Texture* t = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC, w, h);
    REQUIRE(t);
    SDL_UpdateTexture(t, nullptr, rgba, w * 4);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
    return t;
  }

  float scale_;
  SDL_Surface* surface_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  ImGuiContext* context_ = nullptr;
  SDL_Texture* font_ = nullptr;
  SDL_Texture* picture_ = nullptr;
  app::SoftwareRaster raster_;
  app::DamageTracker tracker_;
};

// Frame `i` of a scene that changes a little each frame: a counter, a pressed button, a box that moves by
// a pixel, a picture that moves across tile edges at its size and scaled, a rounded card, a circle.
void busy_frame(int i, SDL_Texture* picture) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::SetCursorPos(ImVec2(40, 40));
  ImGui::Text("Frame %d: the countdown says %02d seconds", i, 60 - i);
  ImGui::SetCursorPos(ImVec2(40, 90));
  if (i % 3 == 1) {
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::Button("pressed###b", ImVec2(180, 60));
    ImGui::PopStyleColor();
  } else {
    ImGui::Button("button###b", ImVec2(180, 60));
  }
  dl->AddRectFilled(ImVec2(300.0f + static_cast<float>(i), 200), ImVec2(380.0f + static_cast<float>(i), 260),
                    IM_COL32(200, 60, 60, 255), 12.0f);
  dl->AddCircleFilled(ImVec2(700, 300), 40.0f + static_cast<float>(i % 2), IM_COL32(20, 120, 200, 180));
  // At its size, starting off the tile grid and moving by a third of a pixel.
  const float px = 61.0f + static_cast<float>(i) / 3.0f;
  dl->AddImage(picture, ImVec2(px, 301), ImVec2(px + 64, 349));
  // Scaled up by 1.5 and straddling a tile edge, and a text line over a fixed card beside it.
  dl->AddImage(picture, ImVec2(500, 500), ImVec2(596, 572));
  dl->AddRectFilled(ImVec2(900, 480), ImVec2(1300, 620), IM_COL32(255, 255, 255, 255), 16.0f);
  ImGui::SetCursorPos(ImVec2(920, 500 + static_cast<float>(i % 2)));
  ImGui::Text("A line of text that moves by one pixel");
  ImGui::SetCursorPos(ImVec2(920, 560));
  ImGui::Text("%s", i % 4 < 2 ? "still" : "changed");
}

void play(int width, int height, float scale) {
  Scene s(width, height, scale);
  int partial = 0;
  for (int i = 0; i < 12; ++i) {
    const auto rects = s.frame([&](SDL_Texture* p) { busy_frame(i, p); });
    INFO("frame " << i << ", " << rects.size() << " rectangles");
    CHECK(s.same_as_whole());
    if (s.share(rects) < 0.5) ++partial;
  }
  CHECK(partial >= 9);  // the first frame is whole, the rest are drawn in part
}

}  // namespace

TEST_CASE("a frame drawn in part is the same bytes as drawn whole: 1920x1080, 1366x768, 2560x1440") {
  SUBCASE("1920x1080 at 1x") {
    play(1920, 1080, 1.0f);
  }
  SUBCASE("1366x768 at 0.71x") {
    play(1366, 768, 1366.0f / 1920.0f);
  }
  SUBCASE("2560x1440 at 1.33x") {
    play(2560, 1440, 2560.0f / 1920.0f);
  }
}

TEST_CASE("a small change damages a small part of the screen; no change, nothing") {
  Scene s(1920, 1080, 1.0f);
  auto text = [](int n) {
    return [n](SDL_Texture*) {
      ImGui::SetCursorPos(ImVec2(600, 500));
      ImGui::Text("Countdown %02d", n);
      ImGui::SetCursorPos(ImVec2(100, 100));
      ImGui::Button("a button", ImVec2(300, 80));
    };
  };
  CHECK(s.share(s.frame(text(10))) == doctest::Approx(1.0));
  const auto rects = s.frame(text(11));
  CHECK(s.same_as_whole());
  CHECK(!rects.empty());
  CHECK(s.share(rects) < 0.01);
  CHECK(s.frame(text(11)).empty());
  CHECK(s.share(s.frame(text(11), true)) == doctest::Approx(1.0));  // asked for whole
}

TEST_CASE(
    "a texture whose pixels change under the same commands: redrawn by its generation, else the check "
    "fails") {
  for (const float scale : {1.0f, 1366.0f / 1920.0f}) {
    CAPTURE(scale);
    const int w = scale == 1.0f ? 1920 : 1366;
    const int h = scale == 1.0f ? 1080 : 768;
    Scene s(w, h, scale);
    auto picture = [](SDL_Texture* p) {
      ImGui::GetWindowDrawList()->AddImage(p, ImVec2(400, 300), ImVec2(400 + 64 * 6, 300 + 48 * 6));
      ImGui::SetCursorPos(ImVec2(40, 40));
      ImGui::Text("The QR of the order");
    };
    s.frame(picture);
    s.repaint_picture(40);  // and nobody says so
    CHECK(s.frame(picture).empty());
    CHECK_FALSE(s.same_as_whole());  // the check sees the stale picture (and leaves the frame drawn whole)
    s.repaint_picture(120);
    s.generations.changed(s.picture());  // what SdlTextures does when it fills a texture
    const auto rects = s.frame(picture);
    REQUIRE(!rects.empty());
    CHECK(s.share(rects) < 0.5);
    CHECK(s.same_as_whole());
  }
}
