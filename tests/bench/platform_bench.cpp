// Platform benchmark: the client against the reference platform in-process, over mutual TLS on loopback.
// Prints medians and spreads (p10–p90) and ratios against the baseline of the same run (a GET on a
// reused connection). No assertions: figures for docs/benchmarks.md ("Platform").
//   build/tests/bench/platform_bench [renewals]   (default 200)
#include <fmt/core.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "foundation/c_handle.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "reference/crypto.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using contract::Bytes;

struct Stats {
  double median, p10, p90;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {at(0.5), at(0.1), at(0.9)};
}
void print(const char* what, const Stats& s, double baseline) {
  fmt::print("  {:44} median {:8.2f} ms   p10–p90 {:7.2f}–{:7.2f} ms   × {:5.1f}\n", what, s.median, s.p10,
             s.p90, s.median / baseline);
}
template <typename F>
std::vector<double> time_n(int n, F f) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    f(i);
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return out;
}
double cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}
long rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
[[noreturn]] void die(const std::string& what) {
  fmt::print(stderr, "platform_bench: {}\n", what);
  std::exit(1);
}
template <typename T>
T must(platform::Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().to_string());
  return std::move(*r);
}
void must(platform::Result<void> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().to_string());
}

Bytes p10_for(EVP_PKEY* key, const Bytes& subject) {
  foundation::CPtr<X509_REQ, X509_REQ_free> req(X509_REQ_new());
  const unsigned char* p = subject.data();
  reference::X509NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(subject.size())));
  X509_REQ_set_subject_name(req.get(), name.get());
  X509_REQ_set_pubkey(req.get(), key);
  X509_REQ_sign(req.get(), key, EVP_sha256());
  unsigned char* out = nullptr;
  int n = i2d_X509_REQ(req.get(), &out);
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

}  // namespace

int main(int argc, char** argv) {
  int renewals = argc > 1 ? std::atoi(argv[1]) : 200;
  auto dir = std::filesystem::temp_directory_path() / ("platform-bench-" + std::to_string(getpid()));
  reference::write_dev_pki(dir);
  reference::ServerOptions so;
  so.data_dir = dir;
  so.dev = true;
  reference::Server server(so);
  server.start();
  platform::ClientOptions o;
  o.base_url = server.base_url();
  o.ca_file = server.pki().platform_ca;
  o.client_cert = server.pki().kiosk_cert;
  o.client_key = server.pki().kiosk_key;
  o.max_attempts = 1;
  auto client = must(platform::Client::create(o), "client");
  must(client.catalog(), "warm-up");

  fmt::print(
      "platform_bench: reference platform in-process, mutual TLS (EC P-256) on loopback, {} renewals\n\n",
      renewals);
  auto get = time_n(300, [&](int) { must(client.catalog(), "catalog"); });
  double base = stats(get).median;
  print("GET catalog, reused connection (baseline)", stats(get), base);
  auto cold = time_n(50, [&](int) {
    auto c = must(platform::Client::create(o), "client");
    must(c.catalog(), "catalog");
  });
  print("GET catalog, new client (full handshake)", stats(cold), base);
  auto hb = time_n(300, [&](int) {
    must(client.heartbeat({"bench", 1, {}}, platform::new_idempotency_key()), "heartbeat");
  });
  print("POST heartbeat (fresh conn., resumed TLS)", stats(hb), base);

  // Whole platform side of a ¥0 renewal (EC P-256), with a test phone: sms send, verify, order, nonce,
  // submit, installed. The customer keys and P10s are made before the clock starts.
  must(platform::dev::add_test_phone(client, "13900000000"), "test phone");
  struct Prepared {
    reference::EvpPkeyPtr old_key, new_key;
    Bytes cert, p10;
  };
  std::vector<Prepared> prep;
  auto now = static_cast<contract::UnixTime>(std::time(nullptr));
  for (int i = 0; i < renewals; ++i) {
    Prepared p{reference::generate_ec_p256(), reference::generate_ec_p256(), {}, {}};
    platform::dev::SeedRequest r;
    r.org = "基准测试单位";
    r.common_name = "bench-" + std::to_string(i);
    foundation::CPtr<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), p.old_key.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    r.public_key.assign(data, static_cast<std::size_t>(n));
    r.project = "gov-procurement";
    r.brand = "haitai";
    r.not_after = now + 30 * 86400;
    r.not_before = r.not_after - 365 * 86400;
    p.cert = must(platform::dev::seed_certificate(client, r), "seed").certificate;
    auto c = reference::cert_from_der(p.cert);
    p.p10 = p10_for(p.new_key.get(), reference::der_of_name(X509_get_subject_name(c.get())));
    prep.push_back(std::move(p));
  }
  long rss_before = rss_kb();
  std::vector<double> client_cpu;
  auto whole = time_n(renewals, [&](int i) {
    double c0 = cpu_ms();
    auto& p = prep[static_cast<std::size_t>(i)];
    must(client.sms_send({"13900000000", contract::SmsPurpose::Renewal}, platform::new_idempotency_key()),
         "sms");
    double c1 = cpu_ms();
    auto code =
        must(platform::dev::last_code(client, "13900000000", contract::SmsPurpose::Renewal), "outbox");
    double c2 = cpu_ms();
    auto v = must(client.sms_verify("13900000000", contract::SmsPurpose::Renewal, code,
                                    platform::new_idempotency_key()),
                  "verify");
    contract::OrderCreateRequest req{"gov-procurement-haitai-renew",
                                     1,
                                     v.verification_token,
                                     p.cert,
                                     {"Haitai", "HaiKey", "B" + std::to_string(i)},
                                     std::nullopt,
                                     std::nullopt};
    auto order = must(client.order_create(req, platform::new_idempotency_key()), "order");
    auto nonce = must(client.renewal_nonce(order.id, platform::new_idempotency_key()), "nonce");
    double c3 = cpu_ms();
    Bytes proof =
        reference::sign_sha256(p.old_key.get(), reference::renewal_proof_der(order.id, p.p10, nonce.nonce));
    double c4 = cpu_ms();
    must(client.renewal_submit(order.id, {p.p10, proof}, platform::new_idempotency_key()), "submit");
    must(client.order_installed(order.id, platform::new_idempotency_key()), "installed");
    double c5 = cpu_ms();
    // The client's own CPU (this thread: curl, TLS, JSON), without the dev outbox read and the proof signing.
    client_cpu.push_back((c1 - c0) + (c3 - c2) + (c5 - c4));
  });
  auto w = stats(whole);
  print("renewal, platform side (6 calls, ¥0, P-256)", w, base);
  auto cc = stats(client_cpu);
  fmt::print("  {:44} median {:8.2f} ms   p10–p90 {:7.2f}–{:7.2f} ms   ({:.0f}% of the wall time)\n",
             "  of which the client's own CPU", cc.median, cc.p10, cc.p90, 100.0 * cc.median / w.median);
  fmt::print("  max RSS {} MB before the renewals, {} MB after (process: client + server)\n",
             rss_before / 1024, rss_kb() / 1024);
  server.stop();
  std::filesystem::remove_all(dir);
  return 0;
}
