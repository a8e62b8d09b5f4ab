// The renewal screens (docs/benchmarks.md, "Renewal screens"): runs `ca-kiosk --demo --headless` with
// assets/harness/bench-renewal.txt — a whole paid renewal on the real app and runtime — while the demo's
// world (libkiosk_demo.so: the reference platform, the SoftHSM key's personalisation) runs in this process,
// so ca-kiosk holds what a production kiosk holds (app, runtime, the token module). This process pays the
// order when the script's 60 s on the payment screen are over. It prints:
//   1. CPU over 60 s untouched on the payment screen (its 1 Hz countdown; the runtime watching the order),
//      against 20 s untouched on the home screen in the same run (the key's hot-plug polling only);
//   2. each screen's whole frame (ImGui + the software rasteriser at 1080p, 60 frames), the busiest named;
//   3. the kiosk process's peak RSS over the whole renewal.
//   renewal_screens_bench --kiosk build/kiosk/app/ca-kiosk --script build/assets/harness/bench-renewal.txt [RUNS]
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <map>
#include <string>
#include <vector>
#include <algorithm>

#include "demo/controls.hpp"
#include "events/event_log.hpp"

namespace {

struct Run {
  double payment_cpu_pct = -1, home_cpu_pct = -1;
  long payment_frames = -1;
  std::map<std::string, double> frame_median_ms, frame_p90_ms;
  double peak_rss_mb = -1;
  bool ok = false;
  std::string failed;  // the failed steps, as printed
};

double number_after(const std::string& line, const std::string& tag) {
  const auto p = line.find(tag);
  if (p == std::string::npos) return -1;
  return std::atof(line.c_str() + p + tag.size());
}

Run run_once(demo::Controls& world, const std::string& kiosk, const std::string& script) {
  Run r;
  if (auto k = world.new_key(demo::KeyKind::Paid); !k) {
    std::printf("cannot make a demo key: %s\n", k.error().c_str());
    return r;
  }
  const std::string out = "/tmp/kiosk-renewal-bench-shots";
  const std::string cmd = "'" + kiosk + "' --demo --demo-world '" + world.config_path().parent_path().string() +
                          "' --headless --stats --script '" + script + "' --out " + out + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::string screen, idle;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    const std::string line(buf);
    if (line.find("FAILED") != std::string::npos) r.failed += line;
    if (std::getenv("KIOSK_BENCH_VERBOSE")) std::fputs(buf, stdout);
    if (line.find("echo screen ") != std::string::npos) {
      screen = line.substr(line.find("echo screen ") + 12);
      screen = screen.substr(0, screen.find_first_of(" \n"));
    } else if (line.find("echo idle ") != std::string::npos) {
      idle = line.substr(line.find("echo idle ") + 10);
      idle = idle.substr(0, idle.find_first_of(" \n"));
    } else if (line.find("] frames ") != std::string::npos) {
      r.frame_median_ms[screen] = number_after(line, "CPU median ");
      r.frame_p90_ms[screen] = number_after(line, " p90 ");
    } else if (line.find("] hold ") != std::string::npos) {
      const auto open = line.find("CPU-s in ");
      const double pct = number_after(line, "s (");
      if (open != std::string::npos) {
        if (idle == "Payment") {
          r.payment_cpu_pct = pct;
          r.payment_frames = static_cast<long>(number_after(line, "ok  "));
          if (auto paid = world.pay(); !paid) std::printf("cannot pay: %s\n", paid.error().c_str());
        } else {
          r.home_cpu_pct = pct;
        }
      }
    } else if (line.find("stats:") == 0) {
      r.peak_rss_mb = number_after(line, "peak RSS ");
    } else if (line.find(" steps, 0 failed") != std::string::npos) {
      r.ok = true;
    }
  }
  r.ok = pclose(p) == 0 && r.ok;
  if (!std::getenv("KIOSK_BENCH_KEEP")) std::system(("rm -rf " + out).c_str());
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string kiosk = "build/kiosk/app/ca-kiosk", script = "build/assets/harness/bench-renewal.txt";
  int runs = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kiosk" && i + 1 < argc) kiosk = argv[++i];
    else if (a == "--script" && i + 1 < argc) script = argv[++i];
    else runs = std::max(1, std::atoi(argv[i]));
  }
  void* module = dlopen(KIOSK_DEMO_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    std::printf("cannot load %s: %s\n", KIOSK_DEMO_MODULE, dlerror());
    return 1;
  }
  using Create = demo::Controls* (*)(events::EventLog*, std::string*);
  auto create = reinterpret_cast<Create>(dlsym(module, "kiosk_demo_create"));
  std::string error;
  events::EventLog quiet;  // no sink: the world's events are not this benchmark's output
  std::unique_ptr<demo::Controls> world(create ? create(&quiet, &error) : nullptr);
  if (!world) {
    std::printf("the demo world does not start: %s\n", error.c_str());
    return 1;
  }
  std::vector<Run> all;
  for (int i = 0; i < runs; ++i) {
    Run r = run_once(*world, kiosk, script);
    if (!r.ok) {
      std::printf("run %d: the scripted renewal failed:\n%s", i + 1, r.failed.c_str());
      return 1;
    }
    all.push_back(r);
  }
  std::vector<double> pay, home, rss;
  for (const auto& r : all) {
    pay.push_back(r.payment_cpu_pct);
    home.push_back(r.home_cpu_pct);
    rss.push_back(r.peak_rss_mb);
  }
  const double pay_m = median(pay), home_m = median(home);
  std::printf("renewal screens, %d run(s), 1920x1080, software renderer\n", runs);
  std::printf("1. payment screen untouched for 60 s (1 Hz countdown): %.2f %% of a core (aim <= 2.5 %%), %ld frames"
              "; home screen untouched (baseline): %.2f %%; payment / home %.1fx; spread over runs %.2f..%.2f %%\n",
              pay_m, all.back().payment_frames, home_m, home_m > 0 ? pay_m / home_m : 0.0,
              *std::min_element(pay.begin(), pay.end()), *std::max_element(pay.begin(), pay.end()));
  std::printf("2. whole frame CPU per screen (median / p90 of 60 frames, last run):\n");
  std::string busiest;
  double worst = -1;
  for (const auto& [screen, ms] : all.back().frame_median_ms) {
    std::printf("   %-12s %6.2f ms / %6.2f ms\n", screen.c_str(), ms, all.back().frame_p90_ms[screen]);
    if (ms > worst) {
      worst = ms;
      busiest = screen;
    }
  }
  const double home_frame = all.back().frame_median_ms.count("Home") ? all.back().frame_median_ms.at("Home") : 0;
  std::printf("   busiest: %s %.2f ms (%.2fx the home screen's)\n", busiest.c_str(), worst,
              home_frame > 0 ? worst / home_frame : 0.0);
  std::printf("3. peak RSS of ca-kiosk over the whole renewal (platform and demo world in the benchmark's process): %.1f MB (aim <= 48 MB)"
              "; spread %.1f..%.1f MB\n",
              median(rss), *std::min_element(rss.begin(), rss.end()), *std::max_element(rss.begin(), rss.end()));
  return 0;
}
