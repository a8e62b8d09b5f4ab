// The kiosk's memory over a day's work (docs/benchmarks.md, "Renewal soak"): `ca-kiosk --demo --demo-world
// DIR
// --headless` renews fresh ¥0 keys (EC P-256) one after the other through the real app and runtime, while the
// demo's world — the reference platform, each new key's personalisation — runs in this process, so ca-kiosk
// holds only what a production kiosk holds (with SoftHSM as the key's PKCS#11 module). Every EVERY renewals
// the script's `memory` prints ca-kiosk's RSS (anonymous, file-backed), its C heap in use and SQLite's share
// of it; this program prints them, and the growth per renewal from the first sample on.
//
//   renewal_soak_bench --kiosk build/kiosk/app/ca-kiosk [RENEWALS=500] [EVERY=50]
//
// Each customer has a phone number of their own (the platform limits SMS per number and hour).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "demo/controls.hpp"
#include "events/event_log.hpp"

namespace {

struct Sample {
  int renewals = 0;
  double anon_kb = 0, file_kb = 0, heap_kb = 0, sqlite_kb = 0;
};

double number_after(const std::string& line, const std::string& tag) {
  const auto p = line.find(tag);
  if (p == std::string::npos) return -1;
  return std::atof(line.c_str() + p + tag.size());
}

std::string phone(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "139%08d", i);
  return buf;
}

std::string script(int renewals, int every) {
  std::string s = "size 1920x1080\nwait key recognised 10000\nmemory\n";
  for (int i = 1; i <= renewals; ++i) {
    const std::string p = phone(i);
    s += "tap home.renew\nwait enabled products.start 8000\ntap products.start\nwait screen Phone 15000\n";
    s += "type keypad " + p + "\ntap phone.get_code\ntype-code keypad " + p + "\ntap phone.next\n";
    s += "wait screen OrderList 8000\ntap order.submit\nwait screen KeyDetails 15000\n";
    s += "wait enabled keydetails.confirm 15000\ntap keydetails.confirm\nwait widget dialog.ok 3000\ntap "
         "dialog.ok\n";
    s += "type keypad 123456\ntap keypad.ok\nwait screen Success 90000\ntap success.done\nexpect screen "
         "Home\n";
    s += "echo renewed " + std::to_string(i) + "\n";
    if (i % every == 0) s += "memory\n";
    // Meanwhile this process makes the next customer's key: pulled, personalised, inserted again.
    if (i < renewals) s += "wait key none 20000\nwait key recognised 30000\n";
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kiosk = "build/kiosk/app/ca-kiosk";
  std::vector<int> numbers;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kiosk" && i + 1 < argc)
      kiosk = argv[++i];
    else
      numbers.push_back(std::atoi(argv[i]));
  }
  const int renewals = numbers.size() > 0 && numbers[0] > 0 ? numbers[0] : 500;
  const int every = numbers.size() > 1 && numbers[1] > 0 ? numbers[1] : 50;
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
  if (auto k = world->new_key(demo::KeyKind::Free); !k) {
    std::printf("cannot make a demo key: %s\n", k.error().c_str());
    return 1;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("kiosk-soak-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "soak.txt") << script(renewals, every);
  const std::string cmd = "'" + kiosk + "' --demo --demo-world '" +
                          world->config_path().parent_path().string() + "' --headless --stats --script '" +
                          (dir / "soak.txt").string() + "' --out '" + (dir / "shots").string() +
                          "' 2>/dev/null";
  std::printf(
      "renewal soak: %d fresh ¥0 keys (EC P-256) renewed one after the other in one ca-kiosk, the "
      "demo world in this process; memory every %d\n",
      renewals, every);
  std::printf("%9s %12s %12s %12s %12s %14s\n", "renewals", "RSS anon", "RSS file", "heap", "SQLite",
              "heap-SQLite");
  std::fflush(stdout);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return 1;
  std::vector<Sample> samples;
  int done = 0;
  bool ok = false;
  std::string failed;
  double peak_rss = -1;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    const std::string line(buf);
    if (std::getenv("KIOSK_BENCH_VERBOSE")) std::fputs(buf, stdout);
    if (line.find("FAILED") != std::string::npos) failed += line;
    if (line.find("echo renewed ") != std::string::npos) {
      done = static_cast<int>(number_after(line, "echo renewed "));
      if (done < renewals)
        if (auto k = world->new_key(demo::KeyKind::Free); !k)
          std::printf("cannot make a demo key: %s\n", k.error().c_str());
    } else if (line.find("memory: ") != std::string::npos) {
      Sample s{done, number_after(line, "rss_anon_kb "), number_after(line, "rss_file_kb "),
               number_after(line, "heap_kb "), number_after(line, "sqlite_kb ")};
      samples.push_back(s);
      std::printf("%9d %9.1f MB %9.1f MB %9.1f MB %9.2f MB %11.1f MB\n", s.renewals, s.anon_kb / 1024,
                  s.file_kb / 1024, s.heap_kb / 1024, s.sqlite_kb / 1024, (s.heap_kb - s.sqlite_kb) / 1024);
      std::fflush(stdout);
    } else if (line.find("stats:") == 0) {
      peak_rss = number_after(line, "peak RSS ");
    } else if (line.find(" steps, 0 failed") != std::string::npos) {
      ok = true;
    }
  }
  ok = pclose(p) == 0 && ok;
  std::filesystem::remove_all(dir);
  if (!ok) {
    std::printf("the soak failed after %d renewals:\n%s", done, failed.c_str());
    return 1;
  }
  // Growth per renewal: from the first sample after warm-up (the first renewals load the runtime's libraries,
  // fill caches and the journal's first pages) to the last.
  if (samples.size() >= 3) {
    const Sample& a = samples[1];
    const Sample& b = samples.back();
    const double n = b.renewals - a.renewals;
    std::printf(
        "per renewal from %d to %d: RSS anon %+.2f kB, heap %+.2f kB, SQLite %+.2f kB, heap-SQLite %+.2f "
        "kB\n",
        a.renewals, b.renewals, (b.anon_kb - a.anon_kb) / n, (b.heap_kb - a.heap_kb) / n,
        (b.sqlite_kb - a.sqlite_kb) / n, ((b.heap_kb - b.sqlite_kb) - (a.heap_kb - a.sqlite_kb)) / n);
  }
  std::printf("peak RSS of ca-kiosk: %.1f MB (aim <= 48 MB)\n", peak_rss);
  return 0;
}
