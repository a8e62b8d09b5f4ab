// ca-kiosk-paused: what the terminal shows when ca-kiosk cannot run (ca-kiosk-paused.service, started by
// ca-kiosk.service's OnFailure= once its start limit is hit; docs/packaging.md, "The units"): 暂停服务 and
// the way to the counter, in Chinese and English, full screen, until the service is started again.
//
// It needs nothing of what may be broken: no configuration, no runtime module, no token module, no ImGui,
// no journal; only SDL, the start font and its own language files (assets/i18n/service.<lang>.json). If
// even those are unreadable it shows a plain screen in the kiosk's colours, never a black one.
//
//   ca-kiosk-paused [--assets DIR] [--windowed WxH] [--screenshot FILE.bmp WxH]
//   (--screenshot: draws once offscreen, writes the picture and exits; for tests)
#include <SDL.h>
#include <stb_truetype.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "foundation/utf8.hpp"
#include "kiosk_version.hpp"
#include "service/notify.hpp"
#include "ui/style.hpp"

#ifndef KIOSK_BUILD_ASSETS_DIR
#define KIOSK_BUILD_ASSETS_DIR ""
#endif

namespace {

namespace fs = std::filesystem;

// The kiosk's palette (its header only: nothing of the ui library is linked).
constexpr ui::Rgb kBackground = ui::color::kBackground;
constexpr ui::Rgb kText = ui::color::kText;
constexpr ui::Rgb kMuted = ui::color::kTextMuted;

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string text_of(const fs::path& assets, const char* lang, const char* key) {
  std::ifstream in(assets / "i18n" / (std::string("service.") + lang + ".json"));
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

struct Line {
  std::string text;
  float px = 0;  // pixel height
  ui::Rgb color{};
};

// Draws `line` centred at row `y` into the ARGB surface: each glyph's coverage blended over what is there.
void draw_line(SDL_Surface* s, const stbtt_fontinfo& font, const Line& line, int y) {
  const float scale = stbtt_ScaleForPixelHeight(&font, line.px);
  const auto cps = foundation::decode_utf8(line.text);
  int width = 0;
  for (char32_t c : cps) {
    int adv = 0;
    int lsb = 0;
    stbtt_GetCodepointHMetrics(&font, static_cast<int>(c), &adv, &lsb);
    width += static_cast<int>(static_cast<float>(adv) * scale);
  }
  int ascent = 0;
  int descent = 0;
  int gap = 0;
  stbtt_GetFontVMetrics(&font, &ascent, &descent, &gap);
  const int baseline = y + static_cast<int>(static_cast<float>(ascent) * scale);
  int x = (s->w - width) / 2;
  auto* pixels = static_cast<std::uint32_t*>(s->pixels);
  const int pitch = s->pitch / 4;
  for (char32_t c : cps) {
    int w = 0;
    int h = 0;
    int xo = 0;
    int yo = 0;
    unsigned char* bmp = stbtt_GetCodepointBitmap(&font, scale, scale, static_cast<int>(c), &w, &h, &xo, &yo);
    for (int row = 0; row < h; ++row) {
      for (int col = 0; col < w; ++col) {
        const int px = x + xo + col;
        const int py = baseline + yo + row;
        if (px < 0 || py < 0 || px >= s->w || py >= s->h) continue;
        const unsigned a = bmp[row * w + col];
        auto mix = [a](unsigned fg, unsigned bg) { return (fg * a + bg * (255 - a)) / 255; };
        std::uint32_t& dst = pixels[py * pitch + px];
        Uint8 r = 0, g = 0, b = 0;
        SDL_GetRGB(dst, s->format, &r, &g, &b);
        dst = SDL_MapRGB(s->format, static_cast<Uint8>(mix(line.color.r, r)),
                         static_cast<Uint8>(mix(line.color.g, g)), static_cast<Uint8>(mix(line.color.b, b)));
      }
    }
    stbtt_FreeBitmap(bmp, nullptr);
    int adv = 0;
    int lsb = 0;
    stbtt_GetCodepointHMetrics(&font, static_cast<int>(c), &adv, &lsb);
    x += static_cast<int>(static_cast<float>(adv) * scale);
  }
}

// The whole picture at w x h: background, then the lines (when the font and texts could be read).
SDL_Surface* render(const fs::path& assets, int w, int h) {
  SDL_Surface* s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
  if (!s) return nullptr;
  SDL_FillRect(s, nullptr, SDL_MapRGB(s->format, kBackground.r, kBackground.g, kBackground.b));
  const auto font_bytes = read_bytes(assets / "fonts" / "kiosk-start.otf");
  stbtt_fontinfo font{};
  if (font_bytes.empty() ||
      !stbtt_InitFont(&font, font_bytes.data(), stbtt_GetFontOffsetForIndex(font_bytes.data(), 0)))
    return s;
  const float unit = static_cast<float>(std::min(w, h));
  const std::vector<Line> lines = {
      {text_of(assets, "zh-CN", "paused.title"), unit * 0.12f, kText},
      {text_of(assets, "en", "paused.title"), unit * 0.05f, kText},
      {text_of(assets, "zh-CN", "paused.body"), unit * 0.035f, kText},
      {text_of(assets, "en", "paused.body"), unit * 0.025f, kText},
      {text_of(assets, "zh-CN", "paused.staff"), unit * 0.02f, kMuted},
      {text_of(assets, "en", "paused.staff"), unit * 0.02f, kMuted},
  };
  float y = static_cast<float>(h) * 0.25f;
  SDL_LockSurface(s);
  for (const auto& l : lines) {
    if (!l.text.empty()) draw_line(s, font, l, static_cast<int>(y));
    y += l.px * 1.6f;
  }
  SDL_UnlockSurface(s);
  return s;
}

bool size_of(const char* text, int& w, int& h) {
  return std::sscanf(text, "%dx%d", &w, &h) == 2 && w >= 320 && h >= 320;
}

int show(const fs::path& assets, const char* windowed) {
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");  // as ca-kiosk: no GPU needed
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    std::fprintf(stderr, "ca-kiosk-paused: SDL_Init: %s\n", SDL_GetError());
    return 1;
  }
  int w = 0;
  int h = 0;
  SDL_Window* win = nullptr;
  if (windowed) {
    if (!size_of(windowed, w, h)) return 2;
    win = SDL_CreateWindow("ca-kiosk-paused", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                           SDL_WINDOW_SHOWN);
  } else {
    SDL_Rect b{};
    if (SDL_GetDisplayBounds(0, &b) != 0) b = {0, 0, 1920, 1080};
    w = b.w;
    h = b.h;
    win = SDL_CreateWindow("ca-kiosk-paused", b.x, b.y, w, h, SDL_WINDOW_BORDERLESS | SDL_WINDOW_SHOWN);
    SDL_ShowCursor(SDL_DISABLE);
  }
  if (!win) {
    std::fprintf(stderr, "ca-kiosk-paused: window: %s\n", SDL_GetError());
    return 1;
  }
  SDL_Surface* picture = render(assets, w, h);
  const auto notifier = service::Notifier::from_environment();
  // Drawn again whenever the window needs it; nothing else happens until the service manager stops it
  // (SIGTERM arrives as SDL_QUIT).
  for (bool dirty = true, ready = false;;) {
    if (dirty && picture) {
      if (SDL_Surface* screen = SDL_GetWindowSurface(win)) {
        SDL_BlitSurface(picture, nullptr, screen, nullptr);
        SDL_UpdateWindowSurface(win);
      }
      dirty = false;
    }
    if (!ready) {
      (void)notifier.ready("out of service: the fallback screen is shown");
      ready = true;
    }
    SDL_Event ev;
    if (!SDL_WaitEvent(&ev)) continue;
    if (ev.type == SDL_QUIT) break;
    if (ev.type == SDL_WINDOWEVENT) dirty = true;
  }
  SDL_FreeSurface(picture);
  SDL_DestroyWindow(win);
  SDL_Quit();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path assets = KIOSK_BUILD_ASSETS_DIR;
  if (const char* env = std::getenv("KIOSK_ASSETS"); env && *env) assets = env;
  const char* windowed = nullptr;
  const char* shot = nullptr;
  const char* shot_size = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--assets" && i + 1 < argc) {
      assets = argv[++i];
    } else if (a == "--windowed" && i + 1 < argc) {
      windowed = argv[++i];
    } else if (a == "--screenshot" && i + 2 < argc) {
      shot = argv[++i];
      shot_size = argv[++i];
    } else if (a == "--version") {
      std::printf("ca-kiosk-paused %s\n", kiosk_version());
      return 0;
    } else {
      std::fprintf(stderr,
                   "usage: ca-kiosk-paused [--assets DIR] [--windowed WxH] [--screenshot FILE.bmp WxH]\n");
      return 2;
    }
  }
  if (shot) {
    int w = 0;
    int h = 0;
    if (!size_of(shot_size, w, h)) return 2;
    SDL_Surface* s = render(assets, w, h);
    const bool ok = s && SDL_SaveBMP(s, shot) == 0;
    SDL_FreeSurface(s);
    return ok ? 0 : 1;
  }
  return show(assets, windowed);
}
