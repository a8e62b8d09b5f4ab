// The only translation unit that knows cpp-httplib: the TLS server, its settings, and the binding of our
// routes (routes.hpp) to it. Everything else of the reference platform sees Request and Response.
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "foundation/c_handle.hpp"
#include "reference/server.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr std::size_t kServerThreads = 32;
// The largest request body read; a larger one is answered 413 request.too_large unread (openapi.yaml).
constexpr std::size_t kMaxRequestBytes = 1 << 20;

std::string subject_text(X509* cert) {
  foundation::CPtr<BIO, BIO_free> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Whose certificate: the root of the verified chain is the fleet CA (a kiosk) or the admin CA (an admin).
// A resumed session has no verified chain in memory; its peer certificate is then judged by which of the
// two CAs issued and signed it (both issue directly in this platform's PKI).
Peer peer_kind(const SSL* ssl, X509* peer, const State& st) {
  auto from = [&](const X509Ptr& ca) {
    if (!ca) return false;
    if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl); chain && sk_X509_num(chain) > 0)
      return X509_cmp(sk_X509_value(chain, sk_X509_num(chain) - 1), ca.get()) == 0;
    const bool ok =
        X509_check_issued(ca.get(), peer) == X509_V_OK && X509_verify(peer, X509_get0_pubkey(ca.get())) == 1;
    ERR_clear_error();
    return ok;
  };
  if (from(st.fleet_ca)) return Peer::Kiosk;
  if (from(st.admin_ca)) return Peer::Admin;
  return Peer::None;
}

Request request_of(const httplib::Request& q, const State& st) {
  Request r;
  r.method = q.method;
  r.path = q.path;
  r.body = q.body;
  r.remote_addr = q.remote_addr;
  for (const auto& m : q.matches) r.matches.push_back(m.str());
  r.headers.assign(q.headers.begin(), q.headers.end());
  r.query.assign(q.params.begin(), q.params.end());
  if (q.ssl) {
    r.tls = true;
    X509* peer = SSL_get0_peer_certificate(q.ssl);
    long verify = SSL_get_verify_result(q.ssl);
    r.peer_trusted = peer && verify == X509_V_OK;
    if (!peer)
      r.peer_error = "no client certificate";
    else if (!r.peer_trusted)
      r.peer_error = X509_verify_cert_error_string(verify);
    if (peer) {
      r.peer_cn = subject_cn(peer);
      r.peer_subject = subject_text(peer);
      if (r.peer_trusted) r.peer = peer_kind(q.ssl, peer, st);
    }
  }
  return r;
}

// RFC 9110's IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t unix_s) {
  const auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

void send(httplib::Response& res, const Reply& r) {
  res.status = r.status;
  res.set_content(json_text(r.body), "application/json");
}

}  // namespace

struct Server::Impl {
  State state;
  Routes routes;
  std::unique_ptr<httplib::SSLServer> http;
  std::thread thread;

  explicit Impl(ServerOptions o) : state(std::move(o)), routes(all_routes(state.opt.dev)) {}

  void start() {
    const DevPkiPaths& pki = state.pki;
    http = std::make_unique<httplib::SSLServer>([&pki](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      if (SSL_CTX_use_certificate_chain_file(&ctx, pki.server_cert.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(&ctx, pki.server_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_load_verify_locations(&ctx, pki.fleet_ca.c_str(), nullptr) != 1)
        return false;
      STACK_OF(X509_NAME)* cas = SSL_load_client_CA_file(pki.fleet_ca.c_str());
      // The admin CA beside the fleet CA: fleet admins' certificates (docs/platform.md, "Fleet
      // administration"). A data directory made before admins existed has none.
      if (std::filesystem::exists(pki.admin_ca)) {
        if (SSL_CTX_load_verify_locations(&ctx, pki.admin_ca.c_str(), nullptr) != 1) return false;
        if (cas) SSL_add_file_cert_subjects_to_stack(cas, pki.admin_ca.c_str());
      }
      SSL_CTX_set_client_CA_list(&ctx, cas);
      // A connection without a client certificate completes the handshake, for POST /v1/enroll alone
      // (a kiosk that has no certificate yet); dispatch() answers every other route 403
      // kiosk.certificate_untrusted. One under another CA completes it too, and is answered the same
      // (dispatch() reads the verify result): a typed refusal with a code, where a TLS 1.3 alert after
      // the handshake reaches the client as a bare reset.
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
      // Resumed sessions with client certificates need a session id context, or OpenSSL refuses them
      // with an internal-error alert.
      static constexpr unsigned char kSessionContext[] = "ca-platform-ref";
      SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
      return true;
    });
    if (!http->is_valid())
      throw std::runtime_error("reference: TLS set-up failed (server certificate/key, fleet CA)");
    // One thread per connection: kiosks' keep-alive connections and long polls each hold one.
    http->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    http->set_tcp_nodelay(true);  // headers and body go in separate writes: no Nagle wait (40 ms per answer)
    http->set_read_timeout(10, 0);
    http->set_write_timeout(10, 0);
    http->set_keep_alive_timeout(5);
    http->set_payload_max_length(kMaxRequestBytes);
    // cpp-httplib as Debian builds it answers "Accept-Encoding: br" (every browser sends it) with brotli
    // at its highest quality: 4 s for the console's 4.6 MB fleet list (docs/benchmarks.md). Without "br"
    // in the request it takes gzip, 0.1 s. The request object is the server's own, not const: the handler
    // only sees it through a const reference.
    http->set_pre_routing_handler([](const httplib::Request& q, httplib::Response&) {
      auto& headers = const_cast<httplib::Request&>(q).headers;
      if (auto it = headers.find("Accept-Encoding");
          it != headers.end() && it->second.find("br") != std::string::npos)
        it->second = it->second.find("gzip") != std::string::npos ? "gzip" : "identity";
      return httplib::Server::HandlerResponse::Unhandled;
    });
    for (const Route& r : routes.all()) bind(r);
    // cpp-httplib's own refusals, as the contract states them: 404 no such path, 413 a body over the cap,
    // anything else about the request's form 400 request.malformed (the status from the code table).
    http->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (res.body.empty()) {
            const std::string_view c = res.status == 404   ? code::kNotFound
                                       : res.status == 413 ? code::kRequestTooLarge
                                       : res.status >= 500 ? code::kInternal
                                                           : code::kBadRequest;
            send(res, error_reply(c));
          }
          return httplib::Server::HandlerResponse::Handled;
        }));
    // An exception outside a route's handler (dispatch() catches those): a line on stderr too.
    http->set_exception_handler([](const httplib::Request& q, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "an exception that is no std::exception";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      report_internal_error("-", q.method, q.path, what);
      send(res, error_reply(code::kInternal));
    });
    capture_responses();
    const ServerOptions& opt = state.opt;
    if (opt.port == 0) {
      state.bound_port = http->bind_to_any_port(opt.host);
      if (state.bound_port <= 0) throw std::runtime_error("reference: cannot bind " + opt.host);
    } else {
      if (!http->bind_to_port(opt.host, opt.port))
        throw std::runtime_error("reference: cannot bind " + opt.host + ":" + std::to_string(opt.port));
      state.bound_port = opt.port;
    }
    {
      std::lock_guard l(state.mu);
      state.stopping = false;
    }
    thread = std::thread([this] { http->listen_after_bind(); });
    // listen_after_bind returns at once if something is wrong; wait until the loop runs.
    for (int i = 0; i < 200 && !http->is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  // Tests only: with KIOSK_CONTRACT_CAPTURE_DIR set, every answer this server writes (error handler's
  // included) is appended to DIR/<pid>.jsonl as {method, path, status, content_type, body}, and
  // tests/contract/check_responses.py checks each against services/platform/openapi.yaml. Unset: nothing.
  // Compiled out of the package build (KIOSK_TEST_HOOKS=OFF): it writes wherever the variable says.
  void capture_responses() {
#if KIOSK_TEST_HOOKS
    const char* dir = std::getenv("KIOSK_CONTRACT_CAPTURE_DIR");
    if (!dir || !*dir) return;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // a failure shows as a missing capture
    std::filesystem::path file = std::filesystem::path(dir) / (std::to_string(::getpid()) + ".jsonl");
    http->set_logger([file](const httplib::Request& q, const httplib::Response& s) {
      Json line = {{"method", q.method},
                   {"path", q.path},
                   {"status", s.status},
                   {"content_type", s.get_header_value("Content-Type")},
                   {"body", s.body}};
      static std::mutex file_mu;  // every server in this process shares the file
      std::lock_guard l(file_mu);
      std::ofstream(file, std::ios::app) << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    });
#endif
  }

  void stop() {
    if (!http) return;
    {
      std::lock_guard l(state.mu);
      state.stopping = true;
    }
    state.order_changed.notify_all();
    http->stop();
    if (thread.joinable()) thread.join();
    http.reset();
  }

  void bind(const Route& route) {
    auto handler = [this, &route](const httplib::Request& q, httplib::Response& res) {
      Response r = dispatch(state, route, request_of(q, state));
      res.status = r.status;
      for (const auto& [k, v] : r.headers) res.set_header(k, v);
      if (r.replay) res.set_header("Idempotent-Replay", "true");
      res.set_header("X-Content-Type-Options", "nosniff");
      // An admin's answers, the console's page and the admin API alike (docs/console.md): its policy, no
      // framing, nothing kept in a cache (fleet data and one-time codes), no referrer.
      if (route.accepts == Accepts::Admin) {
        res.set_header("Content-Security-Policy", std::string(kAdminCsp));
        res.set_header("Cache-Control", "no-store");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("X-Frame-Options", "DENY");
      }
      // The platform's time (its dev clock included), as every HTTP server sends it: the kiosk judges a
      // certificate's validity and its own clock's skew by it (docs/platform.md, "Time").
      res.set_header("Date", http_date(state.now()));
      if (r.status != 304) res.set_content(r.body, r.content_type);  // a 304 has no body
      // Close the connection without answering: the client sees a reset, as when a response is lost on
      // the way (the work is committed).
      if (r.drop && q.ssl) ::shutdown(SSL_get_fd(q.ssl), SHUT_RDWR);
    };
    switch (route.method) {
      case Method::Get:
        http->Get(route.pattern, handler);
        break;
      case Method::Post:
        http->Post(route.pattern, handler);
        break;
      case Method::Put:
        http->Put(route.pattern, handler);
        break;
      case Method::Delete:
        http->Delete(route.pattern, handler);
        break;
    }
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() {
  stop();
}
void Server::start() {
  impl_->start();
}
void Server::stop() {
  impl_->stop();
}
std::uint16_t Server::port() const {
  return static_cast<std::uint16_t>(impl_->state.bound_port);
}
std::string Server::base_url() const {
  return "https://" + impl_->state.opt.host + ":" + std::to_string(impl_->state.bound_port) + "/v1/";
}
const DevPkiPaths& Server::pki() const {
  return impl_->state.pki;
}

}  // namespace reference
