// The reference platform's own small HTTP interface: what a handler sees of a request, what it answers,
// and the table of routes. Only http.cpp knows cpp-httplib; it turns each of its requests into a Request,
// runs the route through dispatch() (faults, the kiosk's certificate, idempotency, the database lock) and
// writes the Response back.
#pragma once

#include <cstddef>
#include <expected>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "contract/json.hpp"
#include "contract/types.hpp"

namespace reference {

struct State;

// Who is on the other end, by the root of the client certificate's verified chain (http.cpp).
enum class Peer { None, Kiosk, Admin };
// Which peers a route takes (dispatch() refuses the others with a typed 403): kiosks, fleet admins, or —
// POST /v1/enroll alone — anyone, with or without a certificate.
enum class Accepts { Kiosk, Admin, Anyone };

struct Request {
  std::string method, path, body;
  std::vector<std::string> matches;  // [0] the whole path, [1…] the pattern's groups
  std::vector<std::pair<std::string, std::string>> headers;  // as received; names compared case-insensitively
  std::vector<std::pair<std::string, std::string>> query;
  // The TLS peer: a request on a connection without TLS has none.
  bool tls = false;
  bool peer_trusted = false;  // its certificate chains to the fleet CA or the admin CA
  Peer peer = Peer::None;     // whose certificate: a kiosk's (fleet CA) or an admin's (admin CA)
  std::string peer_error;     // why not, in OpenSSL's words
  std::string peer_cn;        // the kiosk id (or the admin's name): its certificate's CN
  std::string peer_subject;   // the whole subject (RFC 2253): what the admin audit records
  std::string remote_addr;    // the client's address (throttling of enrollment codes)

  [[nodiscard]] std::string param(std::size_t i = 1) const {
    return i < matches.size() ? matches[i] : std::string();
  }
  [[nodiscard]] std::string header(std::string_view name) const;  // the first such header, or ""
  [[nodiscard]] bool has_query(std::string_view key) const;
  [[nodiscard]] std::string query_value(std::string_view key) const;  // the first such parameter, or ""
};

// A 500 leaves a trace: one line on stderr with the operation (or "-"), the method and path, and the
// exception's text — never the request's body or headers.
void report_internal_error(std::string_view operation, std::string_view method, std::string_view path,
                           std::string_view what);

struct Response {
  int status = 200;
  std::string body;     // JSON
  bool replay = false;  // an idempotent replay: the header Idempotent-Replay: true
  bool drop = false;    // a "drop" fault: close the connection instead of answering
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (ETag)
};

// A handler's answer before it is written out.
struct Reply {
  int status = 200;
  contract::Json body = contract::Json::object();
  // A body that is no JSON (a configuration bundle), sent as is with `content_type`; and more headers.
  std::optional<std::string> raw = std::nullopt;
  std::string content_type = "application/octet-stream";
  std::vector<std::pair<std::string, std::string>> headers = {};
};

template <typename T>
using Res = std::expected<T, Reply>;

// One request as a handler sees it: the parsed body (handlers wipe secrets in it), the platform's time
// when the request came in, and the held database lock (a long poll waits on it).
struct Ctx {
  const Request& req;
  std::string kiosk_id;  // the kiosk's id; for an admin route the admin's subject; "" for enroll
  contract::Json body;
  contract::UnixTime now;
  std::unique_lock<std::mutex>& lock;
  [[nodiscard]] std::string param(std::size_t i = 1) const { return req.param(i); }
};

using Handler = Reply (*)(State&, Ctx&);

enum class Method { Get, Post, Put, Delete };

struct Route {
  Method method = Method::Get;
  std::string pattern;  // a regular expression over the whole path
  std::string name;     // for fault injection (POST /v1/dev/faults) and logs
  bool keyed = false;   // needs an Idempotency-Key; its answer is stored and replayed
  Handler handler = nullptr;
  Accepts accepts = Accepts::Kiosk;
};

class Routes {
 public:
  void get(std::string pattern, std::string name, Handler h) {
    add(Method::Get, std::move(pattern), std::move(name), false, h);
  }
  void post(std::string pattern, std::string name, Handler h, bool keyed = true) {
    add(Method::Post, std::move(pattern), std::move(name), keyed, h);
  }
  void put(std::string pattern, std::string name, Handler h) {
    add(Method::Put, std::move(pattern), std::move(name), true, h);
  }
  void del(std::string pattern, std::string name, Handler h) {
    add(Method::Delete, std::move(pattern), std::move(name), false, h);
  }
  // The routes added from now on take this kind of peer (admin_routes.cpp sets Admin).
  void accepting(Accepts a) { accepts_ = a; }
  [[nodiscard]] const std::vector<Route>& all() const { return routes_; }

 private:
  void add(Method m, std::string pattern, std::string name, bool keyed, Handler h) {
    routes_.push_back({m, std::move(pattern), std::move(name), keyed, h, accepts_});
  }
  std::vector<Route> routes_;
  Accepts accepts_ = Accepts::Kiosk;
};

// The headers of every answer to an admin (the API and the console's page, docs/console.md): no script,
// style or image from anywhere but the platform itself, no inline script, no framing; nothing cached.
inline constexpr std::string_view kAdminCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// An id in a path: orders and the like.
inline constexpr std::string_view kIdPattern = "([A-Za-z0-9_-]{1,64})";

// The route groups, each in its own file.
void add_kiosk_routes(Routes& r);    // catalog, heartbeat, signed configuration
void add_sms_routes(Routes& r);      // send and verify codes
void add_order_routes(Routes& r);    // create, read, close, needs-staff, installed, by certificate
void add_renewal_routes(Routes& r);  // nonce, submit, certificate
void add_account_routes(Routes& r);  // login, logout, profile, password, my business
void add_enroll_routes(Routes& r);   // enroll (no certificate), the kiosk's renewal, the config bundle
void add_admin_routes(Routes& r);    // fleet admins: codes, kiosks, history, decommission, bundles, audit
void add_diagnostics_routes(Routes& r);  // kiosks send diagnostics bundles, admins read them
void add_console_routes(Routes& r);  // the fleet console's page under /admin/ (admins only)
void add_dev_routes(Routes& r);      // clock, test phones, outbox, pay, refund, seed, revoke, faults, records
Reply h_dev_fleet_seed(State& s, Ctx& c);  // dev: the simulated fleet (fleet_seed.cpp)
Reply h_dev_staff_key(State& s, Ctx& c);     // dev: a staff KEY's certificate (staff_dev.cpp)
Reply h_dev_staff_revoke(State& s, Ctx& c);

// Every route of a server (the dev ones only with `dev`), in the order they are matched.
Routes all_routes(bool dev);

// Runs one request through `route`: fault injection, the kiosk's certificate, the body's JSON, the
// idempotency record, the handler under the database lock.
Response dispatch(State& s, const Route& route, const Request& req);

}  // namespace reference
