// The on-screen keyboard's Chinese input (docs/benchmarks.md, "Personal centre"): what the first candidate
// costs (librime loaded with dlopen and set up, zinnia's model opened), what each later one costs, and the
// memory they add to the kiosk. Prints figures; asserts nothing. A cold start happens once per process
// (librime's set-up is process-wide), so the cold figures come from fresh child processes of this program.
//
//   build/tests/bench/ime_bench [runs] [cold-runs]
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ime.hpp"

namespace {

double rss_mb() {
  long pages = 0;
  long resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

template <typename F>
double ms(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Stats {
  double median = 0;
  double p10 = 0;
  double p90 = 0;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.5), at(0.1), at(0.9)};
}

// 三, 十, 口 and 王 as a finger writes them (fractions of the pad).
std::vector<ui::Ink> characters() {
  auto line = [](float x0, float y0, float x1, float y1) {
    ui::Stroke s;
    for (int i = 0; i <= 8; ++i) {
      const float f = static_cast<float>(i) / 8.0f;
      s.push_back({x0 + (x1 - x0) * f, y0 + (y1 - y0) * f});
    }
    return s;
  };
  return {
      ui::Ink{{line(0.2f, 0.25f, 0.8f, 0.25f), line(0.27f, 0.5f, 0.73f, 0.5f), line(0.13f, 0.8f, 0.87f, 0.8f)}},
      ui::Ink{{line(0.13f, 0.5f, 0.87f, 0.5f), line(0.5f, 0.13f, 0.5f, 0.9f)}},
      ui::Ink{{line(0.23f, 0.23f, 0.23f, 0.77f), line(0.23f, 0.23f, 0.77f, 0.23f), line(0.77f, 0.23f, 0.77f, 0.77f),
               line(0.23f, 0.77f, 0.77f, 0.77f)}},
      ui::Ink{{line(0.2f, 0.2f, 0.8f, 0.2f), line(0.5f, 0.2f, 0.5f, 0.8f), line(0.27f, 0.5f, 0.73f, 0.5f),
               line(0.13f, 0.8f, 0.87f, 0.8f)}},
  };
}

app::ImeOptions options() {
  app::ImeOptions o;
  o.rime_schema_dir = std::string(KIOSK_BUILD_ASSETS_DIR) + "/rime";
  static events::EventLog log;  // a missing engine said on stderr, once per process
  static std::once_flag sink;
  std::call_once(sink, [] { log.add_sink(std::make_shared<events::StreamSink>(stderr)); });
  o.events = events::Channel(&log, "ime");
  return o;
}

// The child: one cold pinyin call and one cold handwriting call, printed as "pinyin_ms hand_ms".
int cold_child() {
  app::ImeEngines ime(options());
  std::size_t n = 0;
  const double p = ms([&] { n += ime.pinyin("zhangsan", 60).size(); });
  const double h = ms([&] { n += ime.handwriting(characters()[0], 9).size(); });
  fmt::print("{:.3f} {:.3f} {}\n", p, h, n);
  return n > 0 ? 0 : 1;
}

// Runs this program with --cold-child `count` times; false when a child fails.
bool cold_runs(const char* self, int count, std::vector<double>& pinyin, std::vector<double>& hand) {
  for (int i = 0; i < count; ++i) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      char flag[] = "--cold-child";
      char* args[] = {const_cast<char*>(self), flag, nullptr};
      execv("/proc/self/exe", args);
      _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t got; (got = read(fds[0], buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(got));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    double p = 0;
    double h = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || std::sscanf(out.c_str(), "%lf %lf", &p, &h) != 2)
      return false;
    pinyin.push_back(p);
    hand.push_back(h);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--cold-child") == 0) return cold_child();
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  const int cold_count = argc > 2 ? std::max(1, std::atoi(argv[2])) : 11;
  app::ImeOptions o = options();
  const double rss0 = rss_mb();
  app::ImeEngines ime(o);
  if (!ime.has_pinyin() || !ime.has_handwriting()) {
    fmt::print(stderr, "ime_bench: the Chinese input data is not installed (deploy/dev.sh installs it)\n");
    return 1;
  }
  // Names as a customer spells them: the letters so far, one more each time (what each key tap asks).
  const std::vector<std::string> names = {"zhangsan", "lisi", "wangwu", "zhaoliu", "ouyangxiu", "lvxiaoming",
                                          "maimaiti", "sunwukong", "chenjinglun", "huangxiaoling"};
  std::vector<std::string> prefixes;
  for (const auto& n : names)
    for (std::size_t i = 1; i <= n.size(); ++i) prefixes.push_back(n.substr(0, i));

  std::size_t n = 0;
  const double cold_pinyin = ms([&] { n += ime.pinyin("zhangsan", 60).size(); });
  const double rss_pinyin = rss_mb();
  std::vector<double> lookup;
  std::vector<double> pick;
  for (int r = 0; r < runs; ++r) {
    const std::string& p = prefixes[static_cast<std::size_t>(r) % prefixes.size()];
    lookup.push_back(ms([&] { n += ime.pinyin(p, 60).size(); }));
    const std::string& name = names[static_cast<std::size_t>(r) % names.size()];
    pick.push_back(ms([&] { n += ime.pick(name, 1).text.size(); }));
  }
  const auto inks = characters();
  const double cold_hand = ms([&] { n += ime.handwriting(inks[0], 9).size(); });
  const double rss_hand = rss_mb();
  std::vector<double> classify;
  for (int r = 0; r < runs; ++r)
    classify.push_back(ms([&] { n += ime.handwriting(inks[static_cast<std::size_t>(r) % inks.size()], 9).size(); }));

  ime.release();  // what the kiosk does when the customer's session ends
  const double rss_released = rss_mb();
  const double again = ms([&] { n += ime.pinyin("lisi", 60).size(); });
  std::vector<double> cold_p;
  std::vector<double> cold_h;
  if (!cold_runs(argv[0], cold_count, cold_p, cold_h)) {
    fmt::print(stderr, "ime_bench: a cold-start child failed\n");
    return 1;
  }
  const Stats l = stats(lookup);
  const Stats p = stats(pick);
  const Stats c = stats(classify);
  const Stats cp = stats(cold_p);
  const Stats ch = stats(cold_h);
  fmt::print("ime_bench: {} warm runs each, {} cold starts (fresh processes); median [p10–p90] ms\n", runs,
             cold_count);
  fmt::print(
      "  pinyin: cold {:.1f} [{:.1f}–{:.1f}] | candidates for the letters so far {:.2f} [{:.2f}–{:.2f}] | "
      "take a candidate {:.2f} [{:.2f}–{:.2f}] | cold/warm {:.0f}x\n",
      cp.median, cp.p10, cp.p90, l.median, l.p10, l.p90, p.median, p.p10, p.p90, cp.median / l.median);
  fmt::print(
      "  handwriting: cold {:.1f} [{:.1f}–{:.1f}] | candidates for the ink {:.2f} [{:.2f}–{:.2f}] | "
      "cold/warm {:.0f}x\n",
      ch.median, ch.p10, ch.p90, c.median, c.p10, c.p90, ch.median / c.median);
  fmt::print("  this process's first calls: pinyin {:.1f} ms, handwriting {:.1f} ms\n", cold_pinyin,
             cold_hand);
  fmt::print("  RSS: {:.1f} MB before, +{:.1f} MB with pinyin, +{:.1f} MB more with handwriting, {:.1f} MB after "
             "release() at the session's end; pinyin again after it {:.1f} ms ({} results)\n",
             rss0, rss_pinyin - rss0, rss_hand - rss_pinyin, rss_released, again, n);
  return 0;
}
