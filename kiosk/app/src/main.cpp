// ca-kiosk: the self-service kiosk.
//
//   ca-kiosk [--config FILE]                 full screen at the display's resolution (production)
//   ca-kiosk --windowed 1080x1920 ...        a window for development (Escape closes it)
//   ca-kiosk --demo [--windowed WxH]         the whole product on this machine: the reference platform
//                                            in-process, a SoftHSM demo key, the real runtime, a 演示 panel
//   ca-kiosk --demo --headless [--script F] [--out DIR]
//                                            offscreen, driven by a script of synthetic touches (harness.hpp);
//                                            by default the walk-through assets/harness/demo.txt
//   ca-kiosk --demo --headless --demo-seed N ...
//                                            the same, reproducible: the platform's ids from the seed, the
//                                            clocks at a fixed start, moved only by the script (advance)
#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app.hpp"
#include "deferred_runtime.hpp"
#include "demo/controls.hpp"
#include "demo_panel.hpp"
#include "events/event_log.hpp"
#include "events/journald_sink.hpp"
#include "files.hpp"
#include "harness.hpp"
#include "in_service.hpp"
#include "kiosk_version.hpp"
#include "runtime/config.hpp"
#include "service/lockdown.hpp"
#include "staff_channel.hpp"

namespace {

const auto kProcessStart = std::chrono::steady_clock::now();

struct Options {
  std::string config;
  bool demo = false;
  std::string windowed;
  std::string size = "1920x1080";
  bool headless = false;
  std::string script;
  std::string out = "kiosk-shots";
  std::string assets;
  std::string renderer = "software";
  bool exit_after_first_frame = false;
  int bench_frames = 0;
  bool stats = false;
  bool trace_frames = false;
  std::string demo_world;
  std::optional<std::uint64_t> demo_seed;
};

// A module next to the executable, or the path in `env_name` (a test hook: not in the package build).
std::string module_path([[maybe_unused]] const char* env_name, const char* file) {
#if KIOSK_TEST_HOOKS
  if (const char* env = std::getenv(env_name); env && *env) return env;
#endif
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return file;
  return (std::filesystem::path(std::string(exe, static_cast<std::size_t>(n))).parent_path() / file).string();
}

// libkiosk_demo.so (kiosk/demo): the demo's platform, key and panel actions. Only --demo loads it; the
// handle is never closed (the platform's threads run its code until the Controls are deleted).
// Seeded: its kiosk_demo_create_seeded.
std::unique_ptr<demo::Controls> load_demo(events::EventLog& log, std::string& error,
                                          std::optional<std::uint64_t> seed) {
  const std::string path = module_path("KIOSK_DEMO_MODULE", "libkiosk_demo.so");
  if (constexpr std::string_view package = KIOSK_DEMO_PACKAGE; !package.empty() && !std::filesystem::exists(path)) {
    error = "the demo is not installed on this machine (" + path + "): install the package " +
            std::string(package) + " (apt install " + std::string(package) + ")";
    return nullptr;
  }
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    error = std::string("cannot load ") + path + ": " + dlerror() + " (build the target kiosk_demo)";
    return nullptr;
  }
  if (seed) {
    using CreateSeeded = demo::Controls* (*)(events::EventLog*, std::uint64_t, std::string*);
    auto create = reinterpret_cast<CreateSeeded>(dlsym(module, "kiosk_demo_create_seeded"));
    if (!create) {
      error = path + " has no kiosk_demo_create_seeded";
      return nullptr;
    }
    return std::unique_ptr<demo::Controls>(create(&log, *seed, &error));
  }
  using Create = demo::Controls* (*)(events::EventLog*, std::string*);
  auto create = reinterpret_cast<Create>(dlsym(module, "kiosk_demo_create"));
  if (!create) {
    error = path + " has no kiosk_demo_create";
    return nullptr;
  }
  return std::unique_ptr<demo::Controls>(create(&log, &error));
}

core::Settings settings_from(const runtime::KioskConfig& c) {
  core::Settings s;
  s.idle_ms = static_cast<core::Millis>(c.timeouts.idle_s) * 1000;
  s.idle_warning_ms = static_cast<core::Millis>(c.timeouts.idle_warning_s) * 1000;
  s.default_language = c.ui.language == "en" ? core::Language::En : core::Language::ZhCN;
  s.staff_keys = c.staff.has_value();
  return s;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void print_stats(const app::App& a) {
  const auto& t = a.times();
  fmt::print(
      "stats: frames {} | imgui CPU median {:.3f} ms p90 {:.3f} ms | whole frame CPU median {:.2f} ms "
      "p90 {:.2f} ms, wall median {:.2f} ms | atlas {}x{} ({} glyphs) | peak RSS {:.1f} MB\n",
      a.frames_drawn(), median(t.imgui_cpu_ms), percentile(t.imgui_cpu_ms, 0.9), median(t.frame_cpu_ms),
      percentile(t.frame_cpu_ms, 0.9), median(t.frame_ms), a.atlas().width, a.atlas().height,
      a.atlas().glyphs, static_cast<double>(peak_rss_kb()) / 1024.0);
  std::fflush(stdout);
}

// libkiosk_runtime.so next to the executable (or $KIOSK_RUNTIME_MODULE). The handle is never closed: the
// runtime's threads run its code until exit. With the seeded demo's `clock`, the runtime's wall clock is it.
bool attach_real_runtime(app::DeferredRuntime& deferred, const runtime::KioskConfig& config,
                         events::EventLog& log, const std::shared_ptr<app::SteppedClock>& clock,
                         std::string& error) {
  std::string path;
  const char* env = nullptr;
#if KIOSK_TEST_HOOKS
  env = std::getenv("KIOSK_RUNTIME_MODULE");  // a test hook: not in the package build
#endif
  if (env && *env) {
    path = env;
  } else {
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
      error = "cannot find the executable's folder";
      return false;
    }
    path = (std::filesystem::path(std::string(exe, static_cast<std::size_t>(n))).parent_path() /
            "libkiosk_runtime.so")
               .string();
  }
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    error = std::string("cannot load ") + path + ": " + dlerror() +
            " (install libkiosk_runtime.so next to ca-kiosk)";
    return false;
  }
  runtime::Runtime* real = nullptr;
  if (clock) {
    using CreateClocked = runtime::Runtime* (*)(const runtime::KioskConfig*, events::EventLog*,
                                                const std::function<std::int64_t()>*, std::string*);
    auto create = reinterpret_cast<CreateClocked>(dlsym(module, "kiosk_runtime_create_clocked"));
    if (!create) {
      error = path + " has no kiosk_runtime_create_clocked";
      return false;
    }
    const std::function<std::int64_t()> wall = [clock] { return clock->wall(); };
    real = create(&config, &log, &wall, &error);
  } else {
    using Create = runtime::Runtime* (*)(const runtime::KioskConfig*, events::EventLog*, std::string*);
    auto create = reinterpret_cast<Create>(dlsym(module, "kiosk_runtime_create"));
    if (!create) {
      error = path + " has no kiosk_runtime_create";
      return false;
    }
    real = create(&config, &log, &error);
  }
  if (!real) return false;
  deferred.attach(std::unique_ptr<runtime::Runtime>(real));
  return true;
}

// The newest code sent to `phone` in DIR/platform/sms-outbox.log ("<when> <phone> <purpose> <code>" lines).
std::expected<std::string, std::string> outbox_code(const std::string& dir, const std::string& phone) {
  auto bytes = app::read_file(std::filesystem::path(dir) / "platform" / "sms-outbox.log");
  if (!bytes) return std::unexpected(std::string("no SMS outbox in ") + dir);
  std::string text(bytes->begin(), bytes->end()), code;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<std::string> words;
    for (std::size_t i = 0; i < line.size();) {
      const std::size_t sp = std::min(line.find(' ', i), line.size());
      if (sp > i) words.push_back(line.substr(i, sp - i));
      i = sp + 1;
    }
    if (words.size() >= 3 && words[words.size() - 3] == phone) code = words.back();
  }
  if (code.empty()) return std::unexpected("no SMS to " + phone);
  return code;
}

bool attach(app::DeferredRuntime& deferred, const runtime::KioskConfig& config, events::EventLog& log,
            const std::shared_ptr<app::SteppedClock>& clock = nullptr) {
  std::string error;
  if (attach_real_runtime(deferred, config, log, clock, error)) return true;
  std::fprintf(stderr, "ca-kiosk: the runtime cannot start: %s\n", error.c_str());
  return false;
}

// --demo, after the first frame: the demo's world (platform, key) and the configuration that points at it.
bool start_demo(std::unique_ptr<demo::Controls>& world, app::DemoPanelState& panel,
                runtime::KioskConfig& config, events::EventLog& log,
                std::optional<std::uint64_t> seed = std::nullopt) {
  std::string error;
  std::printf("demo: starting the reference platform and making a demo key (SoftHSM) ...\n");
  std::fflush(stdout);
  world = load_demo(log, error, seed);
  if (!world) {
    std::fprintf(stderr, "ca-kiosk: the demo cannot start: %s\n", error.c_str());
    return false;
  }
  auto c = runtime::load_config(world->config_path());
  if (!c) {
    std::fprintf(stderr, "ca-kiosk: the demo's configuration has errors:\n");
    for (const auto& e : c.error()) std::fprintf(stderr, "  %s\n", e.to_string().c_str());
    return false;
  }
  config = std::move(*c);
  panel.controls = world.get();
  std::printf("demo: ready. The 演示 tab in the bottom bar opens the demo panel (SMS, payment, key).\n");
  std::fflush(stdout);
  return true;
}

int run(const Options& o) {
  if (o.headless && !o.demo) {
    std::fprintf(stderr,
                 "ca-kiosk: --headless runs a scripted customer and is only allowed with --demo "
                 "(a production kiosk must never be driven by a script)\n");
    return 2;
  }
  if (o.demo_seed && (!o.headless || !o.demo_world.empty())) {
    std::fprintf(stderr,
                 "ca-kiosk: --demo-seed is for the headless walk-through (--demo --headless, the demo's own "
                 "world): its clock moves only when the script advances it\n");
    return 2;
  }
  // PINs and SMS codes pass through this process: no core file, not dumpable (service/lockdown.hpp).
  if (const std::string failed = service::lock_down_process(); !failed.empty())
    std::fprintf(stderr, "ca-kiosk: cannot lock the process down: %s\n", failed.c_str());
  // The interactive kiosk is a service: READY, WATCHDOG, STOPPING and the safe stop on SIGTERM
  // (in_service.hpp). Made first, before any thread starts: it blocks SIGTERM and SIGINT for all of them.
  const bool interactive = !o.headless && !o.exit_after_first_frame && o.bench_frames == 0;
  std::optional<app::InService> in_service;
  if (interactive) in_service.emplace(service::Notifier::from_environment());
  // The one event log of this kiosk (kiosk/events): the app, the runtime and the demo's world record in
  // it; its ring is what the staff screen reads. Under the service manager each event goes to the system
  // journal with its fields; elsewhere a line on stderr.
  events::EventLog log;
  std::shared_ptr<events::Sink> journal_sink;
  if (events::stderr_is_journal()) journal_sink = events::JournaldSink::open("ca-kiosk");
  if (journal_sink)
    log.add_sink(journal_sink);
  else
    log.add_sink(std::make_shared<events::StreamSink>(stderr));
  runtime::KioskConfig config;
  std::unique_ptr<demo::Controls> world;  // --demo: outlives the app and the runtime (declared first)
  app::DemoPanelState panel;
  if (o.demo) {
    config.kiosk_id = "DEMO";  // the documented defaults until the demo's world is up (after the first frame)
  } else {
    std::filesystem::path p = o.config;
    if (p.empty()) {
      const char* env = std::getenv("KIOSK_CONFIG");
      p = env && *env ? env : "/etc/ca-kiosk/kiosk.json";
    }
    auto c = runtime::load_config(p);
    if (!c) {
      std::fprintf(stderr, "ca-kiosk: configuration %s has errors (the kiosk does not start):\n", p.c_str());
      for (const auto& e : c.error()) std::fprintf(stderr, "  %s\n", e.to_string().c_str());
      std::fprintf(stderr, "  (to try the kiosk without a configuration: ca-kiosk --demo)\n");
      return 3;
    }
    config = std::move(*c);
  }

  app::AppConfig ac;
  ac.started = kProcessStart;
  ac.events = &log;
  ac.settings = settings_from(config);
  ac.shuffle_pin_keypad = config.ui.shuffle_pin_keypad;
  ac.renderer = o.renderer == "opengl" ? app::RendererKind::OpenGl : app::RendererKind::Software;
  if (o.headless) {
    ac.mode = app::DisplayMode::Headless;
    ac.seed = [] { return 20240601u; };  // a script sees the same keypad every run
    if (o.demo_seed) ac.stepped_clock = std::make_shared<app::SteppedClock>(demo::kSeededStart);
    if (std::sscanf(o.size.c_str(), "%dx%d", &ac.width, &ac.height) != 2 || ac.width < 320 ||
        ac.height < 320) {
      std::fprintf(stderr, "ca-kiosk: --size wants WxH, e.g. 1920x1080 or 1080x1920\n");
      return 2;
    }
  } else if (!o.windowed.empty()) {
    ac.mode = app::DisplayMode::Windowed;
    if (std::sscanf(o.windowed.c_str(), "%dx%d", &ac.width, &ac.height) != 2 || ac.width < 320 ||
        ac.height < 320) {
      std::fprintf(stderr, "ca-kiosk: --windowed wants WxH, e.g. 1920x1080 or 1080x1920\n");
      return 2;
    }
  }
  ac.assets = app::load_assets(app::find_assets(o.assets));
#if KIOSK_TEST_HOOKS
  // Tests: every frame drawn in part is compared with the same frame drawn whole (app.hpp, check_damage); or
  // every frame drawn whole by ImGui's own backend, the reference (damage_tracking).
  if (const char* env = std::getenv("KIOSK_CHECK_DAMAGE"); env && std::string_view(env) == "1")
    ac.check_damage = true;
  if (const char* env = std::getenv("KIOSK_DAMAGE_TRACKING"); env && std::string_view(env) == "0")
    ac.damage_tracking = false;
#endif
  if (o.demo) ac.demo_panel = app::demo_panel(panel);
  if (in_service) in_service->configure(ac);

  // The real runtime (token modules and hot-plug, the platform, the journal), loaded after the first frame
  // (runtime_module.cpp says why); the demo's too, with the demo world's configuration.
  const std::shared_ptr<app::SteppedClock> clock = ac.stepped_clock;
  auto runtime = std::make_unique<app::DeferredRuntime>();
  app::DeferredRuntime* deferred = runtime.get();
  app::App a(std::move(ac), *runtime);
  if (o.trace_frames) {
    a.on_frame = [](std::uint64_t n) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - kProcessStart).count();
      fmt::print("frame {} at {:.1f} ms\n", n, ms);
      std::fflush(stdout);
    };
  }
  if (o.exit_after_first_frame) {
    a.on_first_frame = [&a] {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - kProcessStart).count();
      std::string phases;
      for (const auto& [what, at] : a.startup()) phases += fmt::format(" {} {:.0f}", what, at);
      fmt::print(
          "first frame presented {:.1f} ms after main() | atlas {}x{} | RSS {:.1f} MB | ms since main():{}\n",
          ms, a.atlas().width, a.atlas().height, static_cast<double>(peak_rss_kb()) / 1024.0, phases);
      std::fflush(stdout);
      a.quit();
    };
    a.settle(1);
    return 0;
  }
  if (o.bench_frames > 0) {
    a.settle();
    for (int i = 0; i < o.bench_frames; ++i) {
      a.redraw_all();
      a.want_frames(1);
      a.settle(1);
    }
    print_stats(a);
    return 0;
  }
  if (o.headless) {
    std::filesystem::path script = o.script;
    if (script.empty()) script = app::find_assets(o.assets) / "harness" / "demo.txt";
    // Checked whole now, then read a line at a time as it runs (the harness holds one step).
    if (const auto errors = app::check_script_file(script); !errors.empty()) {
      std::fprintf(stderr, "ca-kiosk: script %s has errors:\n", script.c_str());
      for (const auto& e : errors) std::fprintf(stderr, "  %s\n", e.c_str());
      return 2;
    }
    a.settle(1);
    app::HarnessHooks hooks;
    if (!o.demo_world.empty()) {
      // Benchmarks: the world (platform, key personalisation) lives in the benchmark's process; the SMS
      // codes come from the platform's outbox file, the payment from the benchmark.
      auto c = runtime::load_config(std::filesystem::path(o.demo_world) / "kiosk.json");
      if (!c) {
        std::fprintf(stderr, "ca-kiosk: %s/kiosk.json has errors\n", o.demo_world.c_str());
        return 3;
      }
      config = std::move(*c);
      hooks.sms_code = [dir = o.demo_world](const std::string& phone) { return outbox_code(dir, phone); };
    } else {
      if (!start_demo(world, panel, config, log, o.demo_seed)) return 3;
      hooks = app::demo_hooks(*world);
    }
    if (!attach(*deferred, config, log, clock)) return 3;
    std::printf("harness: %s → %s\n", script.c_str(), o.out.c_str());
    const auto r = app::run_script_file(a, script, o.out, stdout, hooks);
    if (o.stats) print_stats(a);
    const auto& d = a.damage_stats();
    if (d.checked > 0 || d.backend_checked > 0) {
      fmt::print(
          "damage check: {} frames drawn, {} whole, {} with nothing to draw, {} drawn in part and compared "
          "with the whole frame: {} differ\n",
          d.frames, d.whole, d.nothing, d.checked, d.mismatched);
      fmt::print("backend check: {} frames compared with ImGui's backend's whole frame: {} differ\n",
                 d.backend_checked, d.backend_mismatched);
      for (const auto& m : d.mismatches) fmt::print("  {}\n", m);
    }
    return r.failures == 0 && d.mismatched == 0 && d.backend_mismatched == 0 ? 0 : 1;
  }
  const app::InService::Attachment attached =
      in_service ? in_service->attach(a) : app::InService::Attachment();
  a.settle(1);  // the home screen first
  if (o.demo && !start_demo(world, panel, config, log)) return 3;
  if (!attach(*deferred, config, log)) return 3;
  // kioskctl staff … (staff_channel.hpp); the demo's kiosk offers none. Without it the kiosk runs as before.
  std::unique_ptr<app::StaffChannel> staff;
  if (!o.demo) {
    auto ch = app::StaffChannel::start(a, *runtime,
                                       {config.staff_channel.socket, config.staff_channel.group, &log});
    if (ch)
      staff = std::move(*ch);
    else
      events::Channel(&log, "staff").warning("no staff channel: " + ch.error(), {.step = "staff.channel"});
  }
  a.run();
  if (o.stats) print_stats(a);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"ca-kiosk: the CA's self-service certificate renewal kiosk"};
  cli.set_version_flag("--version", std::string("ca-kiosk ") + kiosk_version());
  Options o;
  cli.add_option("-c,--config", o.config,
                 "kiosk configuration (default: $KIOSK_CONFIG, /etc/ca-kiosk/kiosk.json)");
  cli.add_flag("--demo", o.demo, "run with the built-in demo configuration");
  cli.add_option("--windowed", o.windowed, "a WxH window instead of full screen (development)");
  cli.add_flag("--headless", o.headless, "offscreen, driven by --script (only with --demo)");
  cli.add_option("--size", o.size, "headless: the offscreen display's WxH to start with (default 1920x1080)");
  cli.add_option("--script", o.script, "harness script (default: assets/harness/shell.txt)");
  cli.add_option("--out", o.out, "folder for the harness's screenshots (default: kiosk-shots)");
  cli.add_option("--assets", o.assets, "assets folder (default: $KIOSK_ASSETS, then the build tree's)");
  cli.add_option("--renderer", o.renderer, "software (default) or opengl")
      ->check(CLI::IsMember({"software", "opengl"}));
  cli.add_flag("--exit-after-first-frame", o.exit_after_first_frame,
               "benchmark: print the time to the first frame");
  cli.add_option("--bench-frames", o.bench_frames,
                 "benchmark: draw N frames of the first screen, print timings");
  cli.add_flag("--stats", o.stats, "print frame timings, atlas size and peak RSS at exit");
  cli.add_flag("--trace-frames", o.trace_frames, "benchmark: print a line for every frame drawn");
  cli.add_option("--demo-world", o.demo_world,
                 "benchmark: with --demo, the demo world another process runs (DIR/kiosk.json, DIR/platform)");
  std::uint64_t seed = 0;
  auto* seed_option = cli.add_option(
      "--demo-seed", seed,
      "with --demo --headless: reproducible screenshots (the platform's ids from this seed, the clocks at a "
      "fixed start that only the script moves)");
  CLI11_PARSE(cli, argc, argv);
  if (seed_option->count() > 0) o.demo_seed = seed;
  try {
    return run(o);
  } catch (const app::StartupError& e) {
    std::fprintf(stderr, "ca-kiosk: %s\n", e.what());
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    // A file or folder the kiosk's user cannot read (or that vanished) outside the checks above: one line
    // that names it, not std::terminate.
    std::fprintf(stderr, "ca-kiosk: cannot use %s: %s\n", e.path1().c_str(), e.code().message().c_str());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ca-kiosk: stopped: %s\n", e.what());
    return 1;
  }
}
