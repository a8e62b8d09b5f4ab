// The client against broken servers: a tiny raw TLS (or plain TCP) server in the test answers garbage,
// truncated, oversized, slow, hostile bodies, HTTP 500 with HTML, or nothing. Every case must end as a
// typed error within the client's timeouts — never a crash, never a hang.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

#include "contract/codes.hpp"
#include "support.hpp"

using namespace platform_test;
using platform::ErrorKind;
using Clock = std::chrono::steady_clock;

namespace {

// One connection at a time; `behaviour` gets the TLS stream (or nullptr and the fd for plain TCP) after
// the request has been read.
class RawServer {
 public:
  struct Conn {
    SSL* ssl = nullptr;
    int fd = -1;
    std::string request;
    const std::atomic<bool>* stop = nullptr;
    void write(std::string_view s) const {
      if (ssl)
        SSL_write(ssl, s.data(), static_cast<int>(s.size()));
      else
        (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    }
    // Sleeps in small steps until the server stops or the client hangs up.
    void hold(std::chrono::milliseconds at_most) const {
      auto end = Clock::now() + at_most;
      while (!*stop && Clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) > 0) {
          char b;
          if (::recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return;
        }
      }
    }
  };
  using Behaviour = std::function<void(Conn&)>;

  RawServer(Behaviour b, bool tls = true, bool speak = true)
      : behaviour_(std::move(b)), tls_(tls), speak_(speak) {
    ::signal(SIGPIPE, SIG_IGN);  // SSL_write to a client that hung up
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (tls_) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      auto pki = reference::dev_pki_paths(shared_pki_root());
      REQUIRE(SSL_CTX_use_certificate_chain_file(ctx_, pki.server_cert.c_str()) == 1);
      REQUIRE(SSL_CTX_use_PrivateKey_file(ctx_, pki.server_key.c_str(), SSL_FILETYPE_PEM) == 1);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    if (ctx_) SSL_CTX_free(ctx_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/v1/"; }
  [[nodiscard]] int requests() const { return requests_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{2, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      Conn conn;
      conn.fd = c;
      conn.stop = &stop_;
      if (!speak_) {  // accepts, never speaks TLS
        conn.hold(std::chrono::seconds(10));
        ::close(c);
        continue;
      }
      if (tls_) {
        conn.ssl = SSL_new(ctx_);
        SSL_set_fd(conn.ssl, c);
        if (SSL_accept(conn.ssl) != 1) {
          ERR_clear_error();
          SSL_free(conn.ssl);
          ::close(c);
          continue;
        }
      }
      // One request per connection (answers say Connection: close). A plain-TCP server answers at once:
      // the client's first bytes are a TLS ClientHello, not a request.
      if (!tls_ || read_request(conn)) {
        ++requests_;
        behaviour_(conn);
      }
      if (conn.ssl) {
        SSL_shutdown(conn.ssl);
        SSL_free(conn.ssl);
      }
      ::close(c);
    }
  }

  bool read_request(Conn& conn) {
    conn.request.clear();
    char buf[4096];
    std::size_t want = std::string::npos;
    while (!stop_) {
      int n = conn.ssl ? SSL_read(conn.ssl, buf, sizeof buf)
                       : static_cast<int>(::recv(conn.fd, buf, sizeof buf, 0));
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
      conn.request.append(buf, static_cast<std::size_t>(n));
      auto end = conn.request.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      if (want == std::string::npos) {
        want = end + 4;
        auto cl = conn.request.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) want += std::stoul(conn.request.substr(cl + 16));
      }
      if (conn.request.size() >= want) return true;
    }
    return false;
  }

  Behaviour behaviour_;
  bool tls_;
  bool speak_;
  int fd_ = -1;
  int port_ = 0;
  SSL_CTX* ctx_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
};

std::string response(int status, std::string_view body, std::string_view type = "application/json") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         std::string(body);
}

platform::Client client_for(const std::string& url, int attempts = 1) {
  auto pki = reference::dev_pki_paths(shared_pki_root());
  platform::ClientOptions o;
  o.base_url = url;
  o.ca_file = pki.platform_ca;
  o.client_cert = pki.kiosk_cert;
  o.client_key = pki.kiosk_key;
  o.connect_timeout = std::chrono::milliseconds(800);
  o.request_timeout = std::chrono::milliseconds(1500);
  o.low_speed_limit_bytes = 64;
  o.low_speed_time_s = 1;
  o.max_attempts = attempts;
  o.backoff_base = std::chrono::milliseconds(10);
  o.backoff_max = std::chrono::milliseconds(40);
  auto c = platform::Client::create(o);
  REQUIRE(c.has_value());
  return std::move(*c);
}

// Runs `call` against a server with `behaviour`; checks the error kind and that it came back in time.
template <typename Call>
platform::Error expect_error(RawServer::Behaviour behaviour, ErrorKind kind, Call call,
                             std::chrono::milliseconds within = std::chrono::milliseconds(4000)) {
  RawServer s(std::move(behaviour));
  platform::Client c = client_for(s.url());
  auto t0 = Clock::now();
  auto r = call(c);
  auto took = Clock::now() - t0;
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().kind == kind, r.error().to_string());
  CHECK(took < within);
  CHECK_FALSE(r.error().message_key.empty());
  return r.error();
}

auto catalog = [](platform::Client& c) { return c.catalog(); };
auto sms = [](platform::Client& c) {
  return c.sms_send({"13800000000", contract::SmsPurpose::Renewal}, platform::new_idempotency_key());
};

}  // namespace

TEST_CASE("garbage, wrong-shaped and hostile bodies are Malformed") {
  auto e1 =
      expect_error([](auto& c) { c.write(response(200, "not json at all")); }, ErrorKind::Malformed, catalog);
  CHECK(e1.message_key == contract::key::kMalformed);
  auto e2 = expect_error([](auto& c) { c.write(response(200, R"({"version": 5})")); }, ErrorKind::Malformed,
                         catalog);
  CHECK(e2.detail.find("version") != std::string::npos);
  expect_error([](auto& c) { c.write(response(200, "[1,2,3]")); }, ErrorKind::Malformed, catalog);
  expect_error([](auto& c) { c.write(response(200, "")); }, ErrorKind::Malformed, catalog);
  expect_error([](auto& c) { c.write(response(200, std::string(100000, '[') + std::string(100000, ']'))); },
               ErrorKind::Malformed, catalog);
  expect_error(
      [](auto& c) {
        c.write(response(200, R"({"resend_after_s":1e300,"code_length":6,"expires_in_s":300})"));
      },
      ErrorKind::Malformed, sms);
  expect_error(
      [](auto& c) { c.write(response(200, R"({"resend_after_s":-5,"code_length":6,"expires_in_s":300})")); },
      ErrorKind::Malformed, sms);
  expect_error(
      [](auto& c) {
        c.write(response(200, R"({"resend_after_s":60,"code_length":600,"expires_in_s":300})"));
      },
      ErrorKind::Malformed, sms);
  // Invalid UTF-8 inside a string.
  expect_error(
      [](auto& c) {
        c.write(response(200, "{\"version\":\"\xff\xfe\",\"projects\":[],\"brands\":[],\"products\":[]}"));
      },
      ErrorKind::Malformed, catalog);
  // A certificate field that is not base64.
  expect_error(
      [](auto& c) {
        c.write(response(
            200,
            R"({"order_id":"R1","certificate":"%%%","chain":[],"not_before":1,"not_after":2,"serial":"01"})"));
      },
      ErrorKind::Malformed, [](platform::Client& c) { return c.certificate_get("R1"); });
}

TEST_CASE("error answers: HTML 500, hostile codes and message keys are neutralised") {
  auto html = expect_error(
      [](auto& c) { c.write(response(500, "<html><body>Internal Server Error</body></html>", "text/html")); },
      ErrorKind::Http, catalog);
  CHECK(html.http_status == 500);
  CHECK(html.code.empty());
  CHECK(html.message_key == contract::key::kServerError);
  // No contract body: the detail says what came instead (printable text only), never nothing.
  CHECK(html.detail.find("Internal Server Error") != std::string::npos);
  auto bare = expect_error([](auto& c) { c.write(response(500, "")); }, ErrorKind::Http, catalog);
  CHECK(bare.detail == "no error body");
  auto moved = expect_error(
      [](auto& c) {
        c.write(
            "HTTP/1.1 302 Found\r\nLocation: /v1/catalog\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      },
      ErrorKind::Http, catalog);
  CHECK(moved.http_status == 302);
  CHECK(moved.detail.find("redirect") != std::string::npos);
  auto nf = expect_error([](auto& c) { c.write(response(404, "<html>nope</html>", "text/html")); },
                         ErrorKind::Http, catalog);
  CHECK(nf.message_key == contract::key::kHttp);
  auto hostile = expect_error(
      [](auto& c) {
        c.write(response(
            409, R"({"code":"<script>alert(1)</script>","message_key":"../../../etc/passwd","detail":")" +
                     std::string(20000, 'x') + "\"}"));
      },
      ErrorKind::Http, catalog);
  CHECK(hostile.code.empty());
  CHECK(hostile.message_key == contract::key::kHttp);
  CHECK(hostile.detail.size() <= 512);
  auto foreign_key = expect_error(
      [](auto& c) {
        c.write(response(422, R"({"code":"renewal.proof_invalid","message_key":"error.ui.something_else"})"));
      },
      ErrorKind::Http, catalog);
  CHECK(foreign_key.code == "renewal.proof_invalid");
  CHECK(foreign_key.message_key == "error.platform.renewal.proof_invalid");
  auto throttled = expect_error(
      [](auto& c) {
        c.write(response(
            429,
            R"({"code":"sms.resend_too_soon","message_key":"error.platform.sms.resend_too_soon","retry_after_s":42})"));
      },
      ErrorKind::Http, sms);
  CHECK(throttled.retry_after_s == 42);
}

TEST_CASE("truncated, oversized and slow answers; servers that never answer") {
  SUBCASE(
      "a header line past libcurl's 100 KiB limit is a malformed answer, not the network (out of memory)") {
    auto e = expect_error(
        [](auto& c) {
          c.write("HTTP/1.1 200 OK\r\nX-Junk: " + std::string(128 * 1024, 'a') +
                  "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        },
        ErrorKind::Malformed, catalog);
    CHECK_MESSAGE(e.detail.find("headers are too large") != std::string::npos, e.detail);
  }
  SUBCASE("truncated body") {
    auto e = expect_error(
        [](auto& c) {
          c.write("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"version\":\"1\",\"proj");
          if (c.ssl) SSL_shutdown(c.ssl);
          ::shutdown(c.fd, SHUT_RDWR);
        },
        ErrorKind::Malformed, catalog);
    CHECK(e.detail.find("truncated") != std::string::npos);
  }
  SUBCASE("oversized with a Content-Length") {
    expect_error(
        [](auto& c) {
          c.write("HTTP/1.1 200 OK\r\nContent-Length: 4194304\r\n\r\n");
          std::string chunk(65536, ' ');
          for (int i = 0; i < 64 && !*c.stop; ++i) c.write(chunk);
        },
        ErrorKind::Malformed, catalog);
  }
  SUBCASE("oversized, chunked (no length to check up front): stopped at the cap") {
    auto e = expect_error(
        [](auto& c) {
          c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
          std::string data(65536, ' ');
          char head[32];
          std::snprintf(head, sizeof head, "%zx\r\n", data.size());
          for (int i = 0; i < 64 && !*c.stop; ++i) c.write(std::string(head) + data + "\r\n");
        },
        ErrorKind::Malformed, catalog);
    CHECK(e.detail.find("larger than") != std::string::npos);
  }
  SUBCASE("a body that trickles in: the low-speed limit stops it") {
    expect_error(
        [](auto& c) {
          c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{");
          for (int i = 0; i < 100 && !*c.stop; ++i) {
            c.write(" ");
            c.hold(std::chrono::milliseconds(200));
          }
        },
        ErrorKind::Timeout, catalog);
  }
  SUBCASE("reads the request and never answers") {
    expect_error([](auto& c) { c.hold(std::chrono::seconds(10)); }, ErrorKind::Timeout, catalog);
  }
  SUBCASE("closes without a word") {
    expect_error(
        [](auto& c) {
          if (c.ssl) SSL_shutdown(c.ssl);
          ::shutdown(c.fd, SHUT_RDWR);
        },
        ErrorKind::Offline, sms);
  }
  SUBCASE("accepts the connection, never starts TLS: the connect timeout") {
    RawServer s([](auto&) {}, true, /*speak=*/false);
    platform::Client c = client_for(s.url());
    auto t0 = Clock::now();
    auto r = c.catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Timeout, r.error().to_string());
    CHECK(Clock::now() - t0 < std::chrono::seconds(3));
  }
}

TEST_CASE("not TLS at all; nobody listening") {
  {
    RawServer plain([](auto& c) { c.write(response(200, "{}")); }, /*tls=*/false);
    platform::Client c = client_for(plain.url());
    auto r = c.catalog();
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().kind == ErrorKind::Tls, r.error().to_string());
  }
  int port = 0;
  {
    RawServer gone([](auto&) {});
    port = std::stoi(gone.url().substr(18, 5));
  }
  platform::Client c = client_for("https://127.0.0.1:" + std::to_string(port) + "/v1/", 3);
  auto t0 = Clock::now();
  auto r = c.catalog();
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().kind == ErrorKind::Offline, r.error().to_string());
  CHECK(r.error().message_key == contract::key::kOffline);
  CHECK(r.error().attempts == 3);
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE("retries: idempotent calls on 503, with backoff; never on 4xx") {
  std::atomic<int> n{0};
  RawServer s([&](auto& c) {
    if (++n <= 2)
      c.write(response(503,
                       R"({"code":"dev.fault_injected","message_key":"error.platform.dev.fault_injected"})"));
    else
      c.write(response(200, R"({"resend_after_s":60,"code_length":6,"expires_in_s":300})"));
  });
  platform::Client c = client_for(s.url(), 3);
  auto ok = sms(c);
  REQUIRE_MESSAGE(ok.has_value(), ok.error().to_string());
  CHECK(s.requests() == 3);
  // Every retry carried the same idempotency key: one key per call, not per attempt.

  std::atomic<int> m{0};
  RawServer always([&](auto& cn) {
    ++m;
    cn.write(response(503, "busy", "text/plain"));
  });
  platform::Client c2 = client_for(always.url(), 3);
  auto r = c2.catalog();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().http_status == 503);
  CHECK(r.error().attempts == 3);
  CHECK(m == 3);

  std::atomic<int> k{0};
  RawServer refuses([&](auto& cn) {
    ++k;
    cn.write(
        response(400, R"({"code":"request.malformed","message_key":"error.platform.request.malformed"})"));
  });
  platform::Client c3 = client_for(refuses.url(), 3);
  auto bad = sms(c3);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().is(contract::code::kBadRequest));
  CHECK(k == 1);
}

TEST_CASE("the idempotency key is sent, and the same on every attempt") {
  std::vector<std::string> keys;
  std::mutex mu;
  std::atomic<int> n{0};
  RawServer s([&](auto& c) {
    auto at = c.request.find("Idempotency-Key: ");
    {
      std::lock_guard l(mu);
      keys.push_back(at == std::string::npos ? "" : c.request.substr(at + 17, 32));
    }
    if (++n == 1)
      c.write(response(502, "bad gateway", "text/plain"));
    else
      c.write(response(200, R"({"resend_after_s":60,"code_length":6,"expires_in_s":300})"));
  });
  platform::Client c = client_for(s.url(), 3);
  std::string key = platform::new_idempotency_key();
  REQUIRE(c.sms_send({"13800000000", contract::SmsPurpose::Login}, key).has_value());
  std::lock_guard l(mu);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0] == key);
  CHECK(keys[1] == key);
}
