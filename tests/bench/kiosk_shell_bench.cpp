// The kiosk shell's figures (docs/benchmarks.md, "Kiosk shell"). Runs under an X server (xvfb-run in
// deploy/bench.sh) for the windowed parts; the offscreen and in-process parts run anywhere.
//
//   bench_kiosk_shell --kiosk build/kiosk/app/ca-kiosk --floor build/tests/bench/bench_kiosk_floor
//                     [--runs 10] [--idle-seconds 60]
//
// 1. process start → first frame presented, ca-kiosk vs the floor (same renderer, same font), alternating
// 2. CPU over an idle minute on home: full screen on X, and offscreen (headless `hold`)
// 3. per frame: ImGui's CPU (NewFrame → Render) and the whole frame's, on home
// 4. glyphs: the start atlas, and adding 200 new characters between frames
// Every figure is a median with its spread; the aim (docs/benchmarks.md, "Kiosk shell") is printed next to
// it.
#include <SDL.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <imgui.h>

#include "foundation/utf8.hpp"
#include "ui/fonts.hpp"
#include "ui/glyphs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Stats {
  double median = 0;
  double min = 0;
  double max = 0;
};
Stats stats(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

// ---- child processes ------------------------------------------------------------------------------------
struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string buffer;
};

Child spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(fds[1], 1);
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    close(fds[0]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  c.out = fds[0];
  return c;
}

// The next line of the child's output, or nullopt at EOF / after timeout_ms.
std::optional<std::string> read_line(Child& c, int timeout_ms) {
  const auto start = Clock::now();
  for (;;) {
    if (auto nl = c.buffer.find('\n'); nl != std::string::npos) {
      std::string line = c.buffer.substr(0, nl);
      c.buffer.erase(0, nl + 1);
      return line;
    }
    const int left = timeout_ms - static_cast<int>(ms_since(start));
    if (left <= 0) return std::nullopt;
    pollfd p{c.out, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(c.out, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    c.buffer.append(buf, static_cast<std::size_t>(n));
  }
}

struct Exit {
  int status = 0;
  double peak_rss_mb = 0;
  double cpu_ms = 0;  // user + system, the whole life of the process
};
Exit reap(Child& c) {
  int status = 0;
  rusage ru{};
  wait4(c.pid, &status, 0, &ru);
  close(c.out);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  return {status, static_cast<double>(ru.ru_maxrss) / 1024.0, cpu};
}

double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  const auto close_paren = s.rfind(')');
  std::vector<std::string> fields;
  std::string cur;
  for (char ch : s.substr(close_paren + 2)) {
    if (ch == ' ') {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(ch);
    }
  }
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

double parse_after(const std::string& line, const char* marker) {
  const auto at = line.find(marker);
  return at == std::string::npos ? -1.0 : std::atof(line.c_str() + at + std::strlen(marker));
}

// ---- 1. first frame -------------------------------------------------------------------------------------
struct FirstFrame {
  double external_ms = 0;  // fork → the "first frame" line read
  double internal_ms = 0;  // as the program measured from main()
  double rss_mb = 0;
  double cpu_ms = 0;   // the process's CPU time (it exits right after the first frame)
  std::string detail;  // the program's own line
};

std::optional<FirstFrame> first_frame(const std::vector<std::string>& args) {
  const auto t0 = Clock::now();
  Child c = spawn(args);
  FirstFrame f;
  bool seen = false;
  while (auto line = read_line(c, 10'000)) {
    if (line->starts_with("first frame presented")) {
      f.external_ms = ms_since(t0);
      f.internal_ms = parse_after(*line, "presented ");
      f.detail = *line;
      seen = true;
    }
  }
  const Exit e = reap(c);
  f.rss_mb = e.peak_rss_mb;
  f.cpu_ms = e.cpu_ms;
  if (!seen) return std::nullopt;
  return f;
}

void bench_first_frame(const std::string& kiosk, const std::string& floor, int runs) {
  std::printf(
      "\n== 1. process start → first frame presented (X, software renderer, %d runs each, alternating)\n",
      runs);
  std::vector<double> k_ext, k_int, k_rss, k_cpu, f_ext, f_int, f_rss, f_cpu;
  std::string phases;
  for (int i = 0; i < runs; ++i) {
    if (auto f = first_frame({floor})) {
      f_ext.push_back(f->external_ms);
      f_int.push_back(f->internal_ms);
      f_rss.push_back(f->rss_mb);
      f_cpu.push_back(f->cpu_ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (auto k = first_frame({kiosk, "--demo", "--exit-after-first-frame"})) {
      k_ext.push_back(k->external_ms);
      k_int.push_back(k->internal_ms);
      k_rss.push_back(k->rss_mb);
      k_cpu.push_back(k->cpu_ms);
      if (auto at = k->detail.find("ms since main():"); at != std::string::npos)
        phases = k->detail.substr(at);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  if (k_ext.empty() || f_ext.empty()) {
    std::printf("   no first frame (is an X server running? use xvfb-run)\n");
    return;
  }
  auto row = [](const char* what, const std::vector<double>& e, const std::vector<double>& in,
                const std::vector<double>& rss, const std::vector<double>& cpu) {
    const Stats s = stats(e);
    const Stats si = stats(in);
    std::printf(
        "   %-10s %6.1f ms (%.1f–%.1f) from exec; %6.1f ms from main(); CPU %5.1f ms; peak RSS %.1f MB\n",
        what, s.median, s.min, s.max, si.median, stats(cpu).median, stats(rss).median);
  };
  row("floor", f_ext, f_int, f_rss, f_cpu);
  row("ca-kiosk", k_ext, k_int, k_rss, k_cpu);
  std::printf("   ratio ca-kiosk / floor: %.2f wall, %.2f CPU (aim ≤ 1.2); ca-kiosk ≤ 300 ms: %s\n",
              stats(k_ext).median / stats(f_ext).median, stats(k_cpu).median / stats(f_cpu).median,
              stats(k_ext).median <= 300.0 ? "yes" : "NO");
  std::printf("   ca-kiosk's last run, %s\n", phases.c_str());
}

// ---- 2. idle --------------------------------------------------------------------------------------------
void bench_idle_x(const std::string& kiosk, int seconds) {
  std::printf("\n== 2a. idle on home, full screen on X (%d s)\n", seconds);
  Child c = spawn({kiosk, "--demo", "--trace-frames", "--stats"});
  bool up = false;
  while (auto line = read_line(c, 10'000))
    if (line->starts_with("frame 1 ")) {
      up = true;
      break;
    }
  if (!up) {
    std::printf("   the kiosk did not start (is an X server running?)\n");
    kill(c.pid, SIGKILL);
    reap(c);
    return;
  }
  // Let the start settle (expose events), then count.
  const auto settle_end = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < settle_end) read_line(c, 100);
  const double cpu0 = cpu_seconds(c.pid);
  int frames = 0;
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    const int left =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count());
    if (auto line = read_line(c, std::max(1, left)); line && line->starts_with("frame ")) ++frames;
  }
  const double cpu = cpu_seconds(c.pid) - cpu0;
  kill(c.pid, SIGTERM);
  std::string last;
  while (auto line = read_line(c, 5'000)) last = *line;
  const Exit e = reap(c);
  std::printf(
      "   %d frames drawn, %.3f CPU-s = %.3f %% of a core (aim: 0 frames, ≤ 0.2 %%); peak RSS %.1f MB\n",
      frames, cpu, 100.0 * cpu / seconds, e.peak_rss_mb);
}

void bench_idle_offscreen(const std::string& kiosk, int seconds) {
  std::printf("\n== 2b. idle on home, offscreen (headless `hold %d`)\n", seconds);
  const auto dir = std::filesystem::temp_directory_path() / ("kiosk-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream s(dir / "idle.txt");
    s << "hold " << seconds << "\n";
  }
  Child c =
      spawn({kiosk, "--demo", "--headless", "--script", (dir / "idle.txt").string(), "--out", dir.string()});
  std::string hold;
  while (auto line = read_line(c, (seconds + 30) * 1000))
    if (line->find("hold ") != std::string::npos) hold = *line;
  const Exit e = reap(c);
  const auto ok = hold.find(" ok  ");
  std::printf("   %s; peak RSS %.1f MB\n", ok == std::string::npos ? hold.c_str() : hold.c_str() + ok + 5,
              e.peak_rss_mb);
  std::filesystem::remove_all(dir);
}

// ---- 3. per frame ---------------------------------------------------------------------------------------
void bench_frames(const std::string& kiosk, bool x) {
  const std::vector<std::vector<std::string>> runs =
      x ? std::vector<std::vector<std::string>>{{kiosk, "--demo", "--bench-frames", "300"}}
        : std::vector<std::vector<std::string>>{
              {kiosk, "--demo", "--headless", "--script", "/dev/null", "--bench-frames", "300"},
              {kiosk, "--demo", "--headless", "--size", "1080x1920", "--script", "/dev/null",
               "--bench-frames", "300"}};
  const char* names[] = {x ? "X, 1920x1080" : "offscreen 1920x1080", "offscreen 1080x1920"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Child c = spawn(runs[i]);
    std::string line;
    while (auto l = read_line(c, 60'000))
      if (l->starts_with("stats:")) line = *l;
    reap(c);
    if (line.empty()) {
      std::printf("   %-20s no figures (is an X server running?)\n", names[i]);
      continue;
    }
    std::printf("   %-20s %s\n", names[i], line.c_str() + 7);
  }
}

// ---- 4. glyphs ------------------------------------------------------------------------------------------
std::vector<unsigned char> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void bench_glyphs(const std::string& assets) {
  std::printf("\n== 4. glyphs (in-process; ImGui atlas + SDL software texture upload)\n");
  const auto start_font = slurp(assets + "/fonts/kiosk-start.otf");
  const auto chars_file = slurp(assets + "/fonts/start-chars.txt");
  const std::string chars(chars_file.begin(), chars_file.end());
  std::vector<unsigned char> extended;
  ImGui::CreateContext();
  ui::GlyphSet start = ui::base_glyphs();
  start.add_text(chars);
  // 200 characters in no UI string: the first of the CJK block that the start set lacks.
  std::string names[2];
  int taken = 0;
  for (char32_t c = 0x4E00; taken < 400; ++c)
    if (!start.contains(c)) foundation::append_utf8(names[taken++ / 200], c);

  SDL_Surface* surface = SDL_CreateRGBSurfaceWithFormat(0, 16, 16, 32, SDL_PIXELFORMAT_ARGB8888);
  SDL_Renderer* r = SDL_CreateSoftwareRenderer(surface);
  auto upload_ms = [&](ImFontAtlas& atlas) {
    const auto t = Clock::now();
    unsigned char* px = nullptr;
    int w = 0;
    int h = 0;
    atlas.GetTexDataAsRGBA32(&px, &w, &h);
    SDL_Texture* tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC, w, h);
    SDL_UpdateTexture(tex, nullptr, px, w * 4);
    SDL_DestroyTexture(tex);
    atlas.ClearTexData();
    return ms_since(t);
  };

  std::vector<double> start_ms, start_up, first_add, first_up, next_add, next_up;
  ui::AtlasStats start_stats;
  ui::AtlasStats after;
  for (int run = 0; run < 7; ++run) {
    extended.clear();
    ui::FontBook book(std::span<const unsigned char>(start_font.data(), start_font.size()), start,
                      [&]() -> ui::FontBook::Bytes {
                        extended = slurp(assets + "/fonts/kiosk-extended.otf");
                        return {extended.data(), extended.size()};
                      },
                      {});
    ImFontAtlas atlas;
    start_stats = book.build(atlas);
    start_ms.push_back(start_stats.build_ms);
    start_up.push_back(upload_ms(atlas));
    auto t = Clock::now();
    book.want(names[0]);
    book.build(atlas);
    first_add.push_back(ms_since(t));  // includes reading the larger font (page cache)
    first_up.push_back(upload_ms(atlas));
    t = Clock::now();
    book.want(names[1]);
    after = book.build(atlas);
    next_add.push_back(ms_since(t));
    next_up.push_back(upload_ms(atlas));
  }
  SDL_DestroyRenderer(r);
  SDL_FreeSurface(surface);
  ImGui::DestroyContext();
  auto show = [](const char* what, const std::vector<double>& v) {
    const Stats s = stats(v);
    std::printf("   %-52s %7.1f ms (%.1f–%.1f)\n", what, s.median, s.min, s.max);
  };
  std::printf("   start atlas: %d glyphs at 2 sizes in %dx%d (aim ≤ 1024x1024)\n", start_stats.glyphs,
              start_stats.width, start_stats.height);
  show("start atlas build", start_ms);
  show("  + texture upload", start_up);
  show("add 200 new characters (first: + read the larger font)", first_add);
  show("add 200 more (larger font already read) (aim ≤ 50 ms)", next_add);
  show("  + texture upload", next_up);
  std::printf("   after 400 added: %d glyphs in %dx%d\n", after.glyphs, after.width, after.height);
}

}  // namespace

int main(int argc, char** argv) {
  std::string kiosk;
  std::string floor;
  std::string assets = KIOSK_BUILD_ASSETS_DIR;
  int runs = 10;
  int idle = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--kiosk") kiosk = argv[i + 1];
    if (k == "--floor") floor = argv[i + 1];
    if (k == "--assets") assets = argv[i + 1];
    if (k == "--runs") runs = std::atoi(argv[i + 1]);
    if (k == "--idle-seconds") idle = std::atoi(argv[i + 1]);
  }
  if (kiosk.empty() || floor.empty()) {
    std::fprintf(stderr,
                 "usage: bench_kiosk_shell --kiosk PATH --floor PATH [--runs N] [--idle-seconds S]\n");
    return 2;
  }
  std::printf("kiosk shell benchmark: %s vs %s; %ld cores; DISPLAY=%s\n", kiosk.c_str(), floor.c_str(),
              sysconf(_SC_NPROCESSORS_ONLN), std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "(none)");
  const bool x = std::getenv("DISPLAY") != nullptr;
  if (x) bench_first_frame(kiosk, floor, runs);
  if (x) bench_idle_x(kiosk, idle);
  bench_idle_offscreen(kiosk, idle);
  std::printf("\n== 3. per frame on home (300 frames forced; CPU of the UI thread)\n");
  if (x) bench_frames(kiosk, true);
  bench_frames(kiosk, false);
  bench_glyphs(assets);
  return 0;
}
