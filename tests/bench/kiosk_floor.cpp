// The floor for the kiosk's first frame: the least any kiosk of this stack does before its first frame —
// SDL's video, a borderless screen-sized window, the software renderer, ImGui with the same start font and
// atlas, one frame of Chinese text presented. `bench_kiosk_shell` runs it next to ca-kiosk.
#include <SDL.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include "ui/fonts.hpp"
#include "ui/glyphs.hpp"

int main() {
  const auto t0 = std::chrono::steady_clock::now();
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    std::fprintf(stderr, "floor: %s\n", SDL_GetError());
    return 1;
  }
  SDL_Rect b{};
  SDL_GetDisplayBounds(0, &b);
  SDL_Window* w = SDL_CreateWindow("floor", b.x, b.y, b.w, b.h, SDL_WINDOW_BORDERLESS | SDL_WINDOW_SHOWN);
  SDL_Renderer* r = SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE);
  if (!w || !r) {
    std::fprintf(stderr, "floor: %s\n", SDL_GetError());
    return 1;
  }
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  const std::string dir = KIOSK_BUILD_ASSETS_DIR "/fonts/";
  std::ifstream ff(dir + "kiosk-start.otf", std::ios::binary);
  const std::vector<unsigned char> font{std::istreambuf_iterator<char>(ff), std::istreambuf_iterator<char>()};
  std::ifstream cf(dir + "start-chars.txt", std::ios::binary);
  const std::string chars{std::istreambuf_iterator<char>(cf), std::istreambuf_iterator<char>()};
  ui::GlyphSet glyphs = ui::base_glyphs();
  glyphs.add_text(chars);
  ui::FontBook book(std::span<const unsigned char>(font.data(), font.size()), std::move(glyphs), {}, {});
  book.build(*ImGui::GetIO().Fonts);
  ImGui_ImplSDLRenderer_Init(r);
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  ImGui::GetIO().Fonts->ClearTexData();

  ImGui::GetIO().DisplaySize = ImVec2(static_cast<float>(b.w), static_cast<float>(b.h));
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
  ImGui::Begin("floor", nullptr, ImGuiWindowFlags_NoDecoration);
  ImGui::PushFont(book.font(ui::FontRole::Title));
  ImGui::TextUnformatted("数字证书自助服务");
  ImGui::PopFont();
  ImGui::TextUnformatted("证书续费 个人中心 Certificate Self-Service");
  ImGui::End();
  ImGui::Render();
  SDL_SetRenderDrawColor(r, 0xF3, 0xF5, 0xF8, 0xFF);
  SDL_RenderClear(r);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  SDL_RenderPresent(r);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("first frame presented %.1f ms after main() | atlas %dx%d\n", ms, book.stats().width,
              book.stats().height);
  std::fflush(stdout);
  ImGui_ImplSDLRenderer_Shutdown();
  ImGui::DestroyContext();
  SDL_DestroyRenderer(r);
  SDL_DestroyWindow(w);
  SDL_Quit();
  return 0;
}
