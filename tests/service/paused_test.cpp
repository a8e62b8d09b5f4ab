// ca-kiosk-paused, the fallback screen: 暂停服务 drawn with the start font (dark text on the kiosk's
// background, in the upper middle where the title sits), a plain background when its assets are gone
// (never black), and an exit with status 0 when the service manager stops it.
#include <SDL.h>
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "notify_listener.hpp"

namespace fs = std::filesystem;

namespace {

struct Counts {
  long dark = 0;        // text
  long background = 0;  // the kiosk's background colour
  long black = 0;
  long title_dark = 0;  // dark pixels in the title's band (upper middle)
};

Counts shot(const std::string& extra_args, const fs::path& file) {
  const std::string cmd =
      std::string(CA_KIOSK_PAUSED_BIN) + " " + extra_args + " --screenshot " + file.string() + " 1280x720";
  REQUIRE(std::system(cmd.c_str()) == 0);
  SDL_Surface* raw = SDL_LoadBMP(file.c_str());
  REQUIRE(raw);
  SDL_Surface* s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
  SDL_FreeSurface(raw);
  REQUIRE(s);
  Counts c;
  for (int y = 0; y < s->h; ++y)
    for (int x = 0; x < s->w; ++x) {
      const Uint32 p = static_cast<const Uint32*>(s->pixels)[y * (s->pitch / 4) + x];
      Uint8 r = 0, g = 0, b = 0;
      SDL_GetRGB(p, s->format, &r, &g, &b);
      if (r == 0xF3 && g == 0xF5 && b == 0xF8) ++c.background;
      if (r < 0x40 && g < 0x40 && b < 0x40) {
        ++c.dark;
        if (y > 150 && y < 280 && x > 400 && x < 880) ++c.title_dark;
      }
      if (r == 0 && g == 0 && b == 0) ++c.black;
    }
  SDL_FreeSurface(s);
  return c;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("kiosk-paused-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("the fallback draws 暂停服务 and its lines in the kiosk's colours") {
  TempDir tmp;
  const Counts c = shot("", tmp.path / "paused.bmp");
  CHECK(c.title_dark > 2000);                  // the big title's strokes
  CHECK(c.dark > c.title_dark);                // and the lines below it
  CHECK(c.background > 1280L * 720 * 8 / 10);  // the rest is the background
}

TEST_CASE("without its font and language files it still shows the background, not a black screen") {
  TempDir tmp;
  fs::create_directories(tmp.path / "empty");
  const Counts c = shot("--assets " + (tmp.path / "empty").string(), tmp.path / "plain.bmp");
  CHECK(c.background == 1280L * 720);
  CHECK(c.black == 0);
}

TEST_CASE("on screen until the service manager's SIGTERM, then exit 0") {
  servicetest::NotifyListener l;
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
    ::setenv("NOTIFY_SOCKET", l.path().c_str(), 1);
    ::execl(CA_KIOSK_PAUSED_BIN, CA_KIOSK_PAUSED_BIN, "--windowed", "800x600", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // READY once the screen is shown; it has nothing to finish: SIGTERM ends it (SDL's quit event).
  const auto ready = l.next();
  REQUIRE(ready.has_value());
  CHECK(ready->starts_with("READY=1"));
  int status = 0;
  CHECK(::waitpid(pid, &status, WNOHANG) == 0);  // still showing
  REQUIRE(::kill(pid, SIGTERM) == 0);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
