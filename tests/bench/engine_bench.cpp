// The renewal engine's benchmark (docs/benchmarks.md, "Renewal engine"): whole headless renewals through the
// flow core and the real runtime against the reference platform on loopback (in its own process, so its CPU
// is not ours), RSA-2048 and P-256; the kiosk side's own CPU (the process's CPU minus the time inside the
// token's PKCS#11 calls, which the fault module measures, minus the scripted customer's dev calls); then a
// soak of sequential renewals, a fresh key each time, watching RSS and open file descriptors.
//
//   engine_bench [RUNS_PER_ALGORITHM=15] [SOAK=50]
#include <fmt/core.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "fault_control.hpp"
#include "foundation/base64.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "provision.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"
#include "runtime/headless.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "softhsm_env.hpp"
#include "token/module.hpp"
#include "token/personalise.hpp"
#include "token/session.hpp"

namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

constexpr const char* kPhone = "13812345678";
constexpr const char* kPin = "123456";

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return 0;
}

int open_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

struct Stats {
  double median, p10, p90;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)]; };
  return {at(0.5), at(0.1), at(0.9)};
}

// The reference platform in a child process: its CPU is the platform's, not the kiosk's.
struct PlatformProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
  PlatformProcess(const fs::path& data) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid = fork();
    if (pid == 0) {
      close(fds[0]);
      reference::ServerOptions o;
      o.data_dir = data;
      o.dev = true;
      o.test_phones = {kPhone};
      reference::Server s(o);
      s.start();
      std::uint16_t p = s.port();
      if (write(fds[1], &p, sizeof p) != sizeof p) _exit(1);
      close(fds[1]);
      pause();
      _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &port, sizeof port) != sizeof port) throw std::runtime_error("platform did not start");
    close(fds[0]);
  }
  ~PlatformProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

unsigned long real_cpu_us(const testsupport::FaultControl& f) { return f.count("real_cpu_us"); }

class ScriptedCustomer final : public runtime::HeadlessCustomer {
public:
  explicit ScriptedCustomer(platform::Client& dev) : dev_(dev) {}
  void say(std::string_view) override {}
  std::string phone() override { return kPhone; }
  std::optional<foundation::SecretBuffer> sms_code(const std::string& phone, int, bool again) override {
    if (again) return std::nullopt;
    const double t0 = thread_cpu_ms();
    auto c = platform::dev::last_code(dev_, phone, contract::SmsPurpose::Renewal);
    own_ms += thread_cpu_ms() - t0;
    if (!c) return std::nullopt;
    return foundation::SecretBuffer(*c);
  }
  std::optional<foundation::SecretBuffer> pin(const core::PinView& v) override {
    if (v.last_failed) return std::nullopt;
    return foundation::SecretBuffer(kPin);
  }
  bool confirm(std::string_view) override { return true; }
  void payment(const core::PaymentView& v) override {
    const double t0 = thread_cpu_ms();
    (void)platform::dev::pay(dev_, v.order_id);
    own_ms += thread_cpu_ms() - t0;
  }
  double own_ms = 0;  // the customer's phone (dev calls), not the kiosk

private:
  platform::Client& dev_;
};

struct Bench {
  testsupport::TempDir tmp{"kiosk-engine-bench"};
  std::unique_ptr<PlatformProcess> platform;
  std::unique_ptr<testsupport::SoftHsmEnv> hsm;
  std::unique_ptr<testsupport::FaultControl> faults;
  std::optional<platform::Client> dev;
  events::EventLog events;  // outlives the runtime (declared before it)
  std::unique_ptr<runtime::KioskRuntime> rt;
  int customer = 0;
  token::Bytes last_certificate;

  Bench() {
    const fs::path data = tmp.path() / "platform";
    reference::write_dev_pki(data);
    platform = std::make_unique<PlatformProcess>(data);  // before any thread of ours exists
    hsm = std::make_unique<testsupport::SoftHsmEnv>();
    hsm->init_token("cust");
    faults = std::make_unique<testsupport::FaultControl>();
    const auto pki = reference::dev_pki_paths(data);
    const std::string base = fmt::format("https://127.0.0.1:{}/v1/", platform->port);
    platform::ClientOptions co;
    co.base_url = base;
    co.ca_file = pki.platform_ca;
    co.client_cert = pki.kiosk_cert;
    co.client_key = pki.kiosk_key;
    dev = std::move(*platform::Client::create(co));
    const std::string module = testsupport::fault_module().string();
    std::string cfg = fmt::format(R"({{"schema_version": 1, "kiosk_id": "BENCH-K01",
      "platform": {{"base_url": "{}", "ca_file": "{}", "client_cert": "{}", "client_key": "{}", "long_poll_s": 2}},
      "brands": [
        {{"id": "haitai", "display_name": "海泰KEY", "module": "{}", "manufacturer": "Haitai", "model": "HaiKey"}},
        {{"id": "feitian", "display_name": "飞天诚信KEY", "module": "{}", "manufacturer": "Feitian", "model": "ePass3003"}}],
      "journal_path": "{}"}})",
                                  base, pki.platform_ca.string(), pki.kiosk_cert.string(), pki.kiosk_key.string(),
                                  module, module, (tmp.path() / "journal.db").string());
    auto c = runtime::parse_config(cfg, tmp.path());
    if (!c) throw std::runtime_error("config: " + c.error().front().to_string());
    brand(true);
    runtime::RuntimeOptions ro;
    ro.config = *c;
    ro.events = &events;  // kept, not written: the benchmark prints its own figures
    auto r = runtime::KioskRuntime::create(std::move(ro));
    if (!r) throw std::runtime_error(r.error().to_string());
    rt = std::move(*r);
  }

  void brand(bool ec) {
    faults->set(ec ? "manufacturer Haitai\nmodel HaiKey\n" : "manufacturer Feitian\nmodel ePass3003\n");
    // The key "changes" brand: wait until the hot-plug poll has seen it, as a customer would.
    const std::string want = ec ? "haitai" : "feitian";
    for (int i = 0; rt && i < 100 && rt->key_status().brand_id != want; ++i) std::this_thread::sleep_for(50ms);
  }

  // A fresh customer on the token: every object of the last one destroyed, a new pair, a platform-issued
  // certificate expiring in 20 days.
  void new_customer(bool ec) {
    testsupport::RawP11 p11(testsupport::fault_module());
    CK_SLOT_ID slot = p11.slot_of("cust");
    CK_SESSION_HANDLE h = p11.open(slot);
    p11.login(h, kPin);
    for (CK_OBJECT_CLASS cls : {CKO_CERTIFICATE, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_DATA})
      for (CK_OBJECT_HANDLE o : p11.find(h, cls)) p11.f()->C_DestroyObject(h, o);
    p11.close(h);
    auto s = token::Session::open(p11.module(), slot);
    if (!s) throw std::runtime_error("session: " + s.error().to_string());
    if (!s->login(foundation::SecretBuffer(kPin))) throw std::runtime_error("login");
    const token::Bytes id{0x01, static_cast<std::uint8_t>(++customer)};
    auto pair = token::generate_pair(*s, ec ? domain::KeyAlgorithm::EcP256 : domain::KeyAlgorithm::Rsa2048, id, "bench");
    if (!pair) throw std::runtime_error("keygen: " + pair.error().to_string());
    platform::dev::SeedRequest sr;
    sr.org = "内蒙古自治区政府采购中心";
    sr.common_name = "张三";
    sr.public_key = foundation::base64_encode(pair->spki_der);
    sr.project = ec ? "gov-procurement" : "e-bidding";
    sr.brand = ec ? "haitai" : "feitian";
    const auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    sr.not_before = now - 345 * 86400;
    sr.not_after = now + 20 * 86400;
    auto seeded = platform::dev::seed_certificate(*dev, sr);
    if (!seeded) throw std::runtime_error("seed: " + seeded.error().to_string());
    if (!token::write_certificate(*s, seeded->certificate, id, "bench")) throw std::runtime_error("write cert");
    last_certificate = seeded->certificate;
  }

  // What a renewal does to the token's object store, without the kiosk: a staged pair and its certificate.
  void token_objects_like_a_renewal() {
    testsupport::RawP11 p11(testsupport::fault_module());
    auto s = token::Session::open(p11.module(), p11.slot_of("cust"));
    if (!s) throw std::runtime_error("session: " + s.error().to_string());
    if (!s->login(foundation::SecretBuffer(kPin))) throw std::runtime_error("login");
    const token::Bytes id{0x02, static_cast<std::uint8_t>(customer)};
    auto pair = token::generate_pair(*s, domain::KeyAlgorithm::EcP256, id, "bench-staged");
    if (!pair) throw std::runtime_error("keygen: " + pair.error().to_string());
    if (!token::write_certificate(*s, last_certificate, id, "bench-staged")) throw std::runtime_error("write cert");
  }

  struct One {
    double wall_ms, process_ms, token_ms, customer_ms, kiosk_ms;
  };

  One renew() {
    ScriptedCustomer customer_(*dev);
    runtime::HeadlessOptions ho;
    const unsigned long token0 = real_cpu_us(*faults);
    const double cpu0 = process_cpu_ms();
    const auto t0 = steady_clock::now();
    auto r = runtime::run_headless(*rt, customer_, ho);
    const double wall = duration<double, std::milli>(steady_clock::now() - t0).count();
    const double cpu = process_cpu_ms() - cpu0;
    const double token = static_cast<double>(real_cpu_us(*faults) - token0) / 1e3;
    if (r.kind != runtime::HeadlessResult::Kind::Renewed) throw std::runtime_error("renewal failed: " + r.key);
    // The customer takes the key and leaves. The business lane runs effects in order: once the catalog
    // asked for after the wipe is back, the wipe (and its logout) is done.
    rt->run(core::WipeSession{}, 0, {});
    rt->run(core::LoadCatalog{}, 0, {});
    for (bool done = false; !done;) {
      rt->wait(1000);
      for (const auto& e : rt->drain())
        done = done || std::holds_alternative<core::CatalogLoaded>(e) || std::holds_alternative<core::CatalogFailed>(e);
    }
    return {wall, cpu, token, customer_.own_ms, cpu - token - customer_.own_ms};
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const int soak = argc > 2 ? std::max(0, std::atoi(argv[2])) : 50;
  Bench b;
  fmt::print("engine bench: whole headless renewals (core + runtime + SoftHSM behind the fault module) against "
             "ca-platform-ref in its own process over mutual TLS; {} runs per algorithm, 2 warm-up\n", runs);
  fmt::print("{:<10} {:>22} {:>22} {:>22} {:>22}\n", "", "wall ms", "process CPU ms", "token CPU ms",
             "kiosk side CPU ms");
  for (bool ec : {true, false}) {
    b.brand(ec);
    std::vector<double> wall, proc, tok, kiosk;
    for (int i = 0; i < runs + 2; ++i) {
      b.new_customer(ec);
      auto one = b.renew();
      if (i < 2) continue;
      wall.push_back(one.wall_ms);
      proc.push_back(one.process_ms);
      tok.push_back(one.token_ms);
      kiosk.push_back(one.kiosk_ms);
    }
    auto cell = [](const std::vector<double>& v) {
      auto s = stats(v);
      return fmt::format("{:7.1f} [{:6.1f}–{:6.1f}]", s.median, s.p10, s.p90);
    };
    fmt::print("{:<10} {:>22} {:>22} {:>22} {:>22}\n", ec ? "P-256" : "RSA-2048", cell(wall), cell(proc), cell(tok),
               cell(kiosk));
  }
  if (soak > 0) {
    b.brand(true);
    fmt::print("\nsoak: {} sequential P-256 renewals, a fresh key each time\n", soak);
    long rss0 = 0;
    int fd0 = 0;
    std::vector<double> kiosk;
    for (int i = 1; i <= soak; ++i) {
      b.new_customer(true);
      kiosk.push_back(b.renew().kiosk_ms);
      if (i == std::min(10, soak) && rss0 == 0) {
        rss0 = rss_kb();
        fd0 = open_fds();
        fmt::print("  after {:5}: RSS {:6} kB, {} open fds\n", i, rss0, fd0);
      } else if (i % std::max(1, soak / 5) == 0 || i == soak) {
        fmt::print("  after {:5}: RSS {:6} kB, {} open fds\n", i, rss_kb(), open_fds());
      }
    }
    auto s = stats(kiosk);
    fmt::print("  RSS growth after the first 10: {:+} kB; fd growth: {:+}; kiosk side CPU median {:.1f} ms "
               "[{:.1f}–{:.1f}]\n",
               rss_kb() - rss0, open_fds() - fd0, s.median, s.p10, s.p90);
    const long soak_growth = rss_kb() - rss0;
    const long sqlite_kb = static_cast<long>(sqlite3_memory_used() / 1024);
    // Baseline in the same process: the token side alone, as many times. SoftHSM keeps every object it
    // ever created in memory (OSToken's allObjects, by design, so that stale handles never dangle), and a
    // renewal creates objects on the token; this shows how much of the growth above is SoftHSM's.
    const long base0 = rss_kb();
    for (int i = 1; i <= soak; ++i) {
      b.new_customer(true);
      b.token_objects_like_a_renewal();
    }
    const long base_growth = rss_kb() - base0;
    const double per_soak = static_cast<double>(soak_growth) / std::max(1, soak - std::min(10, soak));
    const double per_base = static_cast<double>(base_growth) / soak;
    fmt::print("  baseline in the same process, {} token-side object lifecycles without the kiosk (a customer's pair "
               "and certificate, then a staged pair and a certificate, as a renewal makes): RSS {:+} kB\n"
               "  per renewal: {:.2f} kB in the soak, {:.2f} kB of it SoftHSM's (baseline) => kiosk side {:+.2f} kB\n"
               "  SQLite's heap at the end of the soak (the journal's page cache, capped at 2 MB): {} kB\n",
               soak, base_growth, per_soak, per_base, per_soak - per_base, sqlite_kb);
  }
  return 0;
}
