// The network test (runtime/device_tests.hpp): addresses, the platform's name, TLS, one round trip.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "foundation/clock.hpp"
#include "platform/client.hpp"
#include "runtime/device_tests.hpp"
#include "runtime/platform_options.hpp"

namespace runtime {

namespace {

namespace netkey {
constexpr std::string_view kAddress = "staff.status.network.address";
constexpr std::string_view kDns = "staff.status.network.dns";
constexpr std::string_view kTls = "staff.status.network.tls";
constexpr std::string_view kRoundTrip = "staff.status.network.round_trip";
constexpr std::string_view kNoAddress = "staff.reason.network.no_address";
constexpr std::string_view kDnsFailed = "staff.reason.network.dns_failed";
constexpr std::string_view kUnreachable = "staff.reason.network.unreachable";
constexpr std::string_view kTimeout = "staff.reason.network.timeout";
constexpr std::string_view kCertificateTime = "staff.reason.network.certificate_time";
constexpr std::string_view kTlsFailed = "staff.reason.network.tls_failed";
constexpr std::string_view kServerCertificateExpiring = "staff.reason.network.server_certificate_expiring";
constexpr std::string_view kRefused = "staff.reason.network.refused";
constexpr std::string_view kAnswerInvalid = "staff.reason.network.answer_invalid";
constexpr std::string_view kConfig = "staff.reason.network.config";
}  // namespace netkey

core::StatusItem network_item(std::string id, std::string_view label) {
  core::StatusItem i;
  i.id = std::move(id);
  i.label_key = std::string(label);
  return i;
}

void set_red(core::StatusItem& i, std::string_view reason, std::string detail) {
  i.health = core::Health::Red;
  i.reason_key = std::string(reason);
  i.detail = std::move(detail);
}

// The step that follows a failed one is not tried: it fails for the same reason.
void not_tried(core::StatusItem& i, const core::StatusItem& failed) {
  set_red(i, failed.reason_key, "not tried: the " + failed.id + " step failed");
}

std::string numeric(const sockaddr* a, socklen_t len) {
  char host[NI_MAXHOST] = {};
  if (::getnameinfo(a, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
  return host;
}

socklen_t length_of(const sockaddr* a) {
  return a->sa_family == AF_INET6 ? socklen_t{sizeof(sockaddr_in6)} : socklen_t{sizeof(sockaddr_in)};
}

// IPv6 link-local addresses (fe80::/10) reach no platform: not counted.
bool link_local_v6(const sockaddr* a) {
  if (a->sa_family != AF_INET6) return false;
  const auto* b = reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr.s6_addr;
  return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

core::StatusItem address_item() {
  core::StatusItem i = network_item("network.address", netkey::kAddress);
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    set_red(i, netkey::kNoAddress, std::string("getifaddrs: ") + std::strerror(errno));
    return i;
  }
  std::map<std::string, std::string> by_interface;  // "eth0" → "192.0.2.2 fd00::2"
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0)
      continue;
    if (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6) continue;
    if (link_local_v6(a->ifa_addr)) continue;
    std::string& v = by_interface[a->ifa_name];
    v += (v.empty() ? "" : " ") + numeric(a->ifa_addr, length_of(a->ifa_addr));
  }
  ::freeifaddrs(list);
  for (const auto& [name, addresses] : by_interface)
    i.value += (i.value.empty() ? "" : ", ") + name + " " + addresses;
  if (by_interface.empty())
    set_red(i, netkey::kNoAddress, "no interface is up with an address other than loopback");
  return i;
}

std::string millis_text(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// The platform's name looked up the way libcurl will (getaddrinfo), timed.
core::StatusItem dns_item(const std::optional<std::string>& host) {
  core::StatusItem i = network_item("network.dns", netkey::kDns);
  if (!host) {
    set_red(i, netkey::kConfig, "platform.base_url has no host");
    return i;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  hints.ai_flags = AI_NUMERICHOST;
  const bool literal = ::getaddrinfo(host->c_str(), nullptr, &hints, &found) == 0;
  if (found) ::freeaddrinfo(found);
  found = nullptr;
  hints.ai_flags = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = ::getaddrinfo(host->c_str(), nullptr, &hints, &found);
  const auto took = std::chrono::steady_clock::now() - t0;
  if (rc != 0) {
    set_red(i, netkey::kDnsFailed, *host + ": " + ::gai_strerror(rc) + " (after " + millis_text(took) + ")");
    return i;
  }
  std::string addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const std::string one = numeric(a->ai_addr, a->ai_addrlen);
    if (addresses.find(one) == std::string::npos) addresses += (addresses.empty() ? "" : " ") + one;
  }
  ::freeaddrinfo(found);
  i.value = millis_text(took) + ", " + addresses;
  i.detail = literal ? *host + " is an address: nothing to look up" : *host + " resolved";
  return i;
}

std::string_view reason_of(const platform::Error& e) {
  switch (e.kind) {
    case platform::ErrorKind::Offline:
      return netkey::kUnreachable;
    case platform::ErrorKind::Timeout:
      return netkey::kTimeout;
    case platform::ErrorKind::Tls:
      return e.certificate_time ? netkey::kCertificateTime : netkey::kTlsFailed;
    case platform::ErrorKind::Http:
      return netkey::kRefused;
    case platform::ErrorKind::Malformed:
      return netkey::kAnswerInvalid;
    case platform::ErrorKind::Config:
      return netkey::kConfig;
  }
  return netkey::kUnreachable;
}

std::string iso_date(std::int64_t unix_s) {
  const auto day =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_s)));
  const std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

core::StatusItem tls_item(platform::Client& client) {
  core::StatusItem i = network_item("network.tls", netkey::kTls);
  auto p = client.probe_tls();
  if (!p) {
    set_red(i, reason_of(p.error()), p.error().to_string());
    return i;
  }
  const std::int64_t days_left = (p->server_not_after - foundation::unix_seconds_now()) / 86400;
  i.value = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(p->handshake).count()) +
            " ms, " + p->server_subject + ", " + std::to_string(days_left) + " d";
  i.detail = "connected in " +
             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(p->connect).count()) +
             " ms; the platform's certificate " + p->server_subject + ", issued by " + p->server_issuer +
             ", valid until " + iso_date(p->server_not_after);
  if (days_left < kServerCertificateWarnDays) {
    i.health = core::Health::Amber;
    i.reason_key = std::string(netkey::kServerCertificateExpiring);
  }
  return i;
}

core::StatusItem round_trip_item(platform::Client& client) {
  core::StatusItem i = network_item("network.round_trip", netkey::kRoundTrip);
  // GET catalog: read-only, small, answered only over the mutually authenticated link (the service checks
  // use it the same way).
  const auto t0 = std::chrono::steady_clock::now();
  auto c = client.catalog();
  const auto took = std::chrono::steady_clock::now() - t0;
  if (!c) {
    set_red(i, reason_of(c.error()), "GET catalog: " + c.error().to_string());
    return i;
  }
  i.value = millis_text(took);
  i.detail = "GET catalog: " + std::to_string(c->products.size()) + " products";
  return i;
}

}  // namespace

std::vector<std::string_view> network_test_keys() {
  return {netkey::kAddress,
          netkey::kDns,
          netkey::kTls,
          netkey::kRoundTrip,
          netkey::kNoAddress,
          netkey::kDnsFailed,
          netkey::kUnreachable,
          netkey::kTimeout,
          netkey::kCertificateTime,
          netkey::kTlsFailed,
          netkey::kServerCertificateExpiring,
          netkey::kRefused,
          netkey::kAnswerInvalid,
          netkey::kConfig};
}

core::NetworkReport network_test(const KioskConfig& config) {
  core::NetworkReport r;
  r.items.push_back(address_item());
  r.items.push_back(dns_item(platform::url_host(config.platform.base_url)));
  core::StatusItem tls = network_item("network.tls", netkey::kTls);
  core::StatusItem trip = network_item("network.round_trip", netkey::kRoundTrip);
  platform::ClientOptions options = client_options(config);
  options.max_attempts = 1;  // the first failure is what the test shows
  auto client = platform::Client::create(options);
  if (!client) {
    set_red(tls, netkey::kConfig, client.error().to_string());
    set_red(trip, netkey::kConfig, client.error().to_string());
  } else if (r.items.back().health == core::Health::Red) {
    not_tried(tls, r.items.back());
    not_tried(trip, r.items.back());
  } else {
    tls = tls_item(*client);
    if (tls.health == core::Health::Red)
      not_tried(trip, tls);
    else
      trip = round_trip_item(*client);
  }
  r.items.push_back(std::move(tls));
  r.items.push_back(std::move(trip));
  return r;
}

}  // namespace runtime
