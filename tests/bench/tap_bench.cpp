// Tap to screen (docs/benchmarks.md, "Tap to screen"): the real app in a window on an X server, on the
// software renderer, drawing only what changed.
//
//   xvfb-run -a -s "-screen 0 1920x1920x24" build/tests/bench/tap_bench [--full]
//
// 1. From a synthetic finger-down (SDL_PushEvent from another thread while the loop waits, as X's input
//    arrives; CLOCK_MONOTONIC, since SDL's event timestamps are whole milliseconds) to the return of the
//    present that shows the pressed button; and from the finger-up to the return of the present that shows
//    the next screen. Home ⇄ 帮助, at 1920×1080 and 1080×1920, on a quiet machine and with one core kept busy
//    by a spinning process (a slower terminal). Median, p99 and max.
// 2. Each renewal screen's tap frame: CPU of the frame that shows a finger on its first button whose press
//    shows, and the share of the screen it drew, at both sizes. (A screen under the idle overlay answers a
//    touch by taking the overlay away: a whole frame.)
// 3. The payment screen untouched (its countdown ticks once a second), and the progress screen while a
//    step runs (its time so far, once a second): the process's CPU over 60 s.
// Quick by default (CI-length: 40 taps per case, 10 s untouched); --full or KIOSK_FULL_SWEEP=1: 300 taps, 60
// s. The figures are printed with the aims; nothing here asserts a time.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app.hpp"
#include "files.hpp"
#include "renewal_states.hpp"

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC

class QuietRuntime final : public runtime::Runtime {
 public:
  void run(const core::Effect&, std::uint64_t, runtime::Secrets) override {}
  void set_waker(std::function<void()>) override {}
  std::vector<core::Event> drain() override { return {}; }
  bool wait(int) override { return false; }
};

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Summary {
  double median = 0;
  double p99 = 0;
  double max = 0;
};
Summary summary(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const auto at = [&](double p) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  return {at(0.5), at(0.99), v.back()};
}

app::AppConfig windowed(int w, int h) {
  app::AppConfig c;
  c.mode = app::DisplayMode::Windowed;
  c.width = w;
  c.height = h;
  c.assets = app::load_assets(app::find_assets(""));
  c.seed = [] { return 7u; };
  static events::EventLog quiet;  // no sink
  c.events = &quiet;
  return c;
}

// A process that keeps one core busy until it is killed.
struct Spinner {
  pid_t pid = -1;
  void start() {
    pid = fork();
    if (pid == 0) {
      volatile unsigned long x = 0;
      for (;;) x = x + 1;
    }
  }
  ~Spinner() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// What the loop's thread reports after each frame it presented, every frame in order.
struct Frame {
  Clock::time_point at;
  core::Screen screen = core::Screen::Home;
  double cpu_ms = 0;
  bool drew = false;
};
struct Frames {
  std::mutex m;
  std::condition_variable cv;
  std::vector<Frame> all;
};

SDL_Event finger(Uint32 type, ImVec2 layout_point, const app::App& a) {
  const SDL_Rect out = a.output();
  const float scale = static_cast<float>(out.w) / a.display().x;
  SDL_Event ev{};
  ev.type = type;
  ev.tfinger.touchId = 1;
  ev.tfinger.fingerId = 1;
  ev.tfinger.x = layout_point.x * scale / static_cast<float>(out.w);
  ev.tfinger.y = layout_point.y * scale / static_cast<float>(out.h);
  ev.tfinger.pressure = 1.0f;
  return ev;
}

// Part 1 at one size: `taps` taps alternating 帮助 on home and 返回 on the help screen.
void tap_to_screen(int w, int h, int taps, bool busy) {
  Spinner spinner;
  if (busy) spinner.start();
  QuietRuntime rt;
  auto config = windowed(w, h);
  std::atomic<bool> done{false};
  config.heartbeat_every = std::chrono::milliseconds(50);
  app::App* self = nullptr;
  config.on_heartbeat = [&] {
    if (done && self) self->quit();
  };
  app::App a(std::move(config), rt);
  self = &a;
  a.settle();
  const auto help = a.widgets().tap_point("chrome.help");
  a.dispatch(core::HelpTapped{});
  a.settle();
  const auto back = a.widgets().tap_point("chrome.back");
  a.dispatch(core::HomeTapped{});
  a.settle();
  if (!help || !back) {
    std::printf("   no chrome.help / chrome.back on screen\n");
    return;
  }
  Frames f;
  a.on_frame = [&](std::uint64_t) {
    Frame fr;
    fr.at = Clock::now();
    fr.screen = core::screen_of(a.model());
    fr.cpu_ms = a.times().frame_cpu_ms.empty() ? 0.0 : a.times().frame_cpu_ms.back();
    fr.drew = !a.last_damage().empty();
    std::lock_guard lock(f.m);
    f.all.push_back(fr);
    f.cv.notify_all();
  };
  std::vector<double> pressed;
  std::vector<double> next;
  std::vector<double> tap_cpu;
  std::vector<double> next_cpu;
  int not_shown = 0;
  std::thread finger_thread([&] {
    for (int i = 0; i < taps; ++i) {
      const bool on_home = i % 2 == 0;
      const ImVec2 p = on_home ? *help : *back;
      const core::Screen expected = on_home ? core::Screen::Help : core::Screen::Home;
      std::this_thread::sleep_for(std::chrono::milliseconds(120));  // the loop waits again
      std::unique_lock lock(f.m);
      const std::size_t before = f.all.size();
      lock.unlock();
      SDL_Event down = finger(SDL_FINGERDOWN, p, a);
      const auto t0 = Clock::now();
      SDL_PushEvent(&down);
      lock.lock();
      f.cv.wait(lock, [&] { return f.all.size() > before; });
      const Frame first = f.all[before];  // the frame that took the finger-down
      pressed.push_back(ms(first.at - t0));
      tap_cpu.push_back(first.cpu_ms);
      if (!first.drew) ++not_shown;
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(60));  // a finger rests ~60 ms
      SDL_Event up = finger(SDL_FINGERUP, p, a);
      lock.lock();
      std::size_t shown = f.all.size();
      lock.unlock();
      const auto t1 = Clock::now();
      SDL_PushEvent(&up);
      lock.lock();
      f.cv.wait(lock, [&] {
        for (; shown < f.all.size(); ++shown)
          if (f.all[shown].screen == expected) return true;
        return false;
      });
      next.push_back(ms(f.all[shown].at - t1));
      next_cpu.push_back(f.all[shown].cpu_ms);
    }
    done = true;
  });
  a.run();
  finger_thread.join();
  const auto p = summary(pressed);
  const auto n = summary(next);
  const auto c = summary(tap_cpu);
  const auto nc = summary(next_cpu);
  std::printf(
      "   %dx%d %-9s finger-down → pressed shown: median %5.2f ms, p99 %6.2f, max %6.2f (aim p99 ≤ %d ms)\n",
      w, h, busy ? "core busy" : "quiet", p.median, p.p99, p.max, busy ? 33 : 16);
  std::printf(
      "   %dx%d %-9s finger-up → next screen shown: median %5.2f ms, p99 %6.2f, max %6.2f (its frame, "
      "whole: %.1f ms CPU)\n",
      w, h, busy ? "core busy" : "quiet", n.median, n.p99, n.max, nc.median);
  std::printf("   %dx%d %-9s tap frame CPU median %.2f ms, p99 %.2f (aim ≤ 5 ms); %zu taps%s\n", w, h,
              busy ? "core busy" : "quiet", c.median, c.p99, pressed.size(),
              not_shown ? (", " + std::to_string(not_shown) + " pressed frames drew nothing").c_str() : "");
}

// Part 2: the frame that shows a finger on each renewal screen's first button.
void renewal_tap_frames(int w, int h) {
  QuietRuntime rt;
  app::App a(windowed(w, h), rt);
  std::printf("   %dx%d: tap frame CPU ms (share of the screen drawn)\n", w, h);
  std::string line;
  int on_line = 0;
  std::vector<double> all;
  for (const auto& s : ui_test::renewal_states()) {
    a.replace_model(s.model);
    a.settle();
    // The screen's own buttons in order (the bar's are the same on every screen), then 帮助 on the bar: the
    // first whose press shows (a disabled one, or a list row that waits for a drag, shows nothing).
    std::vector<std::string> keys;
    for (const auto& widget : a.widgets().all())
      if (widget.interactive && !widget.key.starts_with("chrome.")) keys.push_back(widget.key);
    keys.emplace_back("chrome.help");
    double cpu = 0;
    double area = 0;
    for (const auto& key : keys) {
      const auto p = a.widgets().tap_point(key);
      if (!p) continue;
      const auto frames = a.frames_drawn();
      a.pointer({ui::PointerEvent::Kind::Down, *p});
      while (a.frames_drawn() == frames) a.pump(0);
      cpu = a.times().frame_cpu_ms.back();
      area = 0;
      for (const auto& r : a.last_damage()) area += static_cast<double>(r.w) * static_cast<double>(r.h);
      a.pointer({ui::PointerEvent::Kind::Move, ImVec2(2, 2)});
      a.pointer({ui::PointerEvent::Kind::Up, ImVec2(2, 2)});
      a.settle();
      if (area > 0) break;
    }
    char cell[96];
    if (area > 0) {
      all.push_back(cpu);
      std::snprintf(cell, sizeof cell, "%-28s %5.2f (%4.1f %%)", s.name.c_str(), cpu,
                    100.0 * area / (static_cast<double>(w) * static_cast<double>(h)));
    } else {
      std::snprintf(cell, sizeof cell, "%-28s  (no button)", s.name.c_str());
    }
    line += std::string(on_line ? "   " : "     ") + cell;
    if (++on_line == 3) {
      std::printf("%s\n", line.c_str());
      line.clear();
      on_line = 0;
    }
  }
  if (!line.empty()) std::printf("%s\n", line.c_str());
  const auto c = summary(all);
  std::printf("   %dx%d: %zu screens' tap frames: median %.2f ms, p99 %.2f, max %.2f (aim ≤ 5 ms)\n", w, h,
              all.size(), c.median, c.p99, c.max);
}

// Part 3: a screen that changes once a second by itself, nobody touching it: the payment screen's countdown,
// the progress screen's time so far.
void untouched(const char* what, const std::string& state, int seconds) {
  QuietRuntime rt;
  app::App a(windowed(1920, 1080), rt);
  for (const auto& s : ui_test::renewal_states())
    if (s.name == state) a.replace_model(s.model);
  a.settle();
  const auto frames = a.frames_drawn();
  const auto stats = a.damage_stats();
  const double cpu = cpu_seconds();
  a.hold(seconds * 1000);
  const double used = cpu_seconds() - cpu;
  const auto drawn = a.frames_drawn() - frames;
  const double share = drawn == 0 ? 0.0
                                  : 100.0 * (a.damage_stats().pixels - stats.pixels) /
                                        static_cast<double>(drawn) / (1920.0 * 1080.0);
  std::printf(
      "   %s untouched %d s, 1920x1080: %llu frames (%.2f %% of the screen each), %.3f CPU-s = "
      "%.3f %% of a core (aim ≤ 0.3 %%)\n",
      what, seconds, static_cast<unsigned long long>(drawn), share, used, 100.0 * used / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("KIOSK_FULL_SWEEP");
  const bool full =
      (env && std::string_view(env) == "1") || (argc > 1 && std::string_view(argv[1]) == "--full");
  if (!std::getenv("DISPLAY")) {
    std::fprintf(stderr, "tap_bench: no X server (run it under xvfb-run -a -s \"-screen 0 1920x1920x24\")\n");
    return 2;
  }
  const int taps = full ? 300 : 40;
  const int seconds = full ? 60 : 10;
  double load[3] = {};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  std::printf(
      "tap to screen (%s: %d taps per case, %d s untouched); %ld cores, load average %.2f at the start\n",
      full ? "full" : "quick", taps, seconds, sysconf(_SC_NPROCESSORS_ONLN), load[0]);
  std::printf("\n== 1. finger to screen (Home ⇄ 帮助, window on X, software renderer)\n");
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1080, 1920}})
    for (const bool busy : {false, true}) tap_to_screen(w, h, taps, busy);
  std::printf("\n== 2. each renewal screen's tap frame (a finger on its first button)\n");
  renewal_tap_frames(1920, 1080);
  renewal_tap_frames(1080, 1920);
  std::printf("\n== 3. screens that change once a second, untouched\n");
  untouched("payment screen (1 Hz countdown)", "payment-qr", seconds);
  untouched("progress screen (a step's time so far)", "progress-long-key-generation", seconds);
  if (getloadavg(load, 3) < 0) load[0] = -1;
  std::printf("\nload average %.2f at the end\n", load[0]);
  return 0;
}
