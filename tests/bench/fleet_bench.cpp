// Fleet scale benchmark (docs/benchmarks.md, "Fleet"): simulated kiosks against the reference platform
// (ca-platform-ref's code, in this process) over mutual TLS on loopback. Each kiosk has its own enrolled
// identity and platform client and does what the running kiosk does every round: POST kiosk/heartbeat (a
// fresh connection, TLS session resumed: the client's rule for every non-GET) and GET kiosk/config-bundle
// with If-None-Match (also closed after the answer, with TLS session resumption: polls are minutes apart;
// a 304 while the published bundle is the one it has). Threads share the
// kiosks; every loop is bounded. Prints sustained requests/s, p50/p99 latency and the 304 share.
//   build/tests/bench/fleet_bench [KIOSKS=64] [THREADS=8] [ROUNDS=40] [PUBLISH_EVERY=0]
// PUBLISH_EVERY=n: an admin publishes a new bundle every n rounds of the first thread (the 304 share drops).
#include <fmt/core.h>
#include <openssl/cms.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "foundation/base64.hpp"
#include "foundation/c_handle.hpp"
#include "platform/client.hpp"
#include "platform/kiosk_identity.hpp"
#include "reference/crypto.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <typename T>
T must(platform::Result<T> r, const char* what) {
  if (!r) {
    fmt::print(stderr, "fleet_bench: {}: {}\n", what, r.error().to_string());
    std::exit(1);
  }
  return std::move(*r);
}

// A CMS SignedData over a small document (the platform checks the form; kiosks check the trust).
std::string bundle(int version) {
  reference::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  auto name = reference::make_name({{"CN", "bench signer"}});
  reference::CertSpec spec;
  spec.subject = name.get();
  spec.public_key = key.get();
  spec.issuer_key = key.get();
  spec.serial = {1};
  spec.not_before = 0;
  spec.not_after = 4102444800;
  auto cert = reference::make_certificate(spec);
  const std::string doc = R"({"version":)" + std::to_string(version) + "}";
  foundation::CPtr<BIO, BIO_free> in(BIO_new_mem_buf(doc.data(), static_cast<int>(doc.size())));
  foundation::CPtr<CMS_ContentInfo, CMS_ContentInfo_free> cms(
      CMS_sign(cert.get(), key.get(), nullptr, in.get(), CMS_BINARY));
  unsigned char* out = nullptr;
  const int n = i2d_CMS_ContentInfo(cms.get(), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return der;
}

struct Kiosk {
  platform::Client client;
  std::string etag;
};

}  // namespace

int main(int argc, char** argv) {
  const int kiosks = argc > 1 ? std::atoi(argv[1]) : 64;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 40;
  const int publish_every = argc > 4 ? std::atoi(argv[4]) : 0;
  if (kiosks < 1 || threads < 1 || rounds < 1 || threads > kiosks) {
    fmt::print(stderr, "usage: fleet_bench [KIOSKS] [THREADS ≤ KIOSKS] [ROUNDS] [PUBLISH_EVERY]\n");
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("fleet-bench-" + std::to_string(getpid()));
  reference::write_dev_pki(dir);
  reference::ServerOptions so;
  so.data_dir = dir;
  so.dev = true;
  reference::Server server(so);
  server.start();
  platform::ClientOptions base;
  base.base_url = server.base_url();
  base.ca_file = server.pki().platform_ca;
  base.max_attempts = 1;
  platform::ClientOptions ao = base;
  ao.client_cert = server.pki().admin_cert;
  ao.client_key = server.pki().admin_key;
  auto admin = must(platform::Client::create(ao), "admin client");
  auto publish = [&](int version) {
    const std::string der = bundle(version);
    const contract::Json b = {
        {"bundle", foundation::base64_encode(
                       std::span(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()))}};
    must(admin.call("POST", "admin/bundles", &b, platform::new_idempotency_key()), "publish");
  };
  publish(1);

  // Each kiosk enrolled with its own code: its own identity, as a fleet has.
  std::vector<Kiosk> fleet;
  for (int i = 0; i < kiosks; ++i) {
    const std::string id = fmt::format("BENCH-K{:04}", i);
    const contract::Json req = {{"kiosk_id", id}, {"hall", fmt::format("H{:03}", i % 20)}, {"region", "NMG"}};
    auto code = must(admin.call("POST", "admin/enrollment-codes", &req, platform::new_idempotency_key()), "code");
    const auto state = dir / "kiosks" / id;
    auto e = must(platform::enroll_kiosk(base, code["code"].get<std::string>(), state), "enroll");
    platform::ClientOptions o = base;
    o.client_cert = e.files.cert;
    o.client_key = e.files.key;
    fleet.push_back({must(platform::Client::create(o), "kiosk client"), {}});
    // The first GET: a 200, its ETag kept.
    fleet.back().etag = must(fleet.back().client.kiosk_config_bundle(), "warm-up").etag;
  }

  std::mutex mu;
  std::vector<double> lat;  // ms, every request
  std::atomic<long> not_modified{0}, bundles{0}, heartbeats{0}, failures{0};
  std::atomic<int> version{1};
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<double> mine;
      contract::Heartbeat h;
      h.software_version = "bench";
      for (int r = 0; r < rounds; ++r) {
        if (t == 0 && publish_every > 0 && r > 0 && r % publish_every == 0) publish(++version);
        for (int k = t; k < kiosks; k += threads) {
          Kiosk& kiosk = fleet[static_cast<std::size_t>(k)];
          auto a = Clock::now();
          auto ack = kiosk.client.heartbeat(h, platform::new_idempotency_key());
          auto b = Clock::now();
          mine.push_back(std::chrono::duration<double, std::milli>(b - a).count());
          if (ack) ++heartbeats; else ++failures;
          auto got = kiosk.client.kiosk_config_bundle(kiosk.etag);
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - b).count());
          if (!got) {
            ++failures;
          } else if (got->not_modified) {
            ++not_modified;
          } else {
            ++bundles;
            kiosk.etag = got->etag;
          }
        }
      }
      std::lock_guard lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : pool) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  server.stop();
  std::filesystem::remove_all(dir);
  std::sort(lat.begin(), lat.end());
  auto at = [&](double q) { return lat[static_cast<std::size_t>(q * static_cast<double>(lat.size() - 1))]; };
  const long gets = not_modified + bundles;
  fmt::print(
      "fleet_bench: {} kiosks (each its own identity), {} threads, {} rounds of heartbeat + conditional GET\n"
      "  connection model: a TLS connection per request (session resumed), closed after the answer\n"
      "  requests {} in {:.2f} s: {:.0f} requests/s sustained\n"
      "  latency p50 {:.2f} ms, p90 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n"
      "  config GETs {}: 304 {} ({:.1f} %), 200 {}; heartbeats {}; failures {}\n",
      kiosks, threads, rounds, lat.size(), secs, static_cast<double>(lat.size()) / secs, at(0.5), at(0.9),
      at(0.99), lat.back(), gets, not_modified.load(),
      gets ? 100.0 * static_cast<double>(not_modified) / static_cast<double>(gets) : 0.0, bundles.load(),
      heartbeats.load(), failures.load());
  return failures == 0 ? 0 : 1;
}
