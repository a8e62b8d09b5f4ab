// The platform client's transport (libcurl, mutual TLS, retries, the platform's clock), shared by
// client.cpp (the client's life) and client_calls.cpp (one typed function per endpoint). Not installed.
#pragma once

#include "platform/client.hpp"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "contract/codes.hpp"
#include "errors.hpp"
#include "foundation/c_handle.hpp"
#include "foundation/hex.hpp"
#include "foundation/secret.hpp"

namespace platform {

using contract::Json;

namespace detail {

using CurlPtr = foundation::CPtr<CURL, curl_easy_cleanup>;
using SlistPtr = foundation::CPtr<curl_slist, curl_slist_free_all>;

// Dumps a body with secret fields into `out`, then wipes those fields in the Json and the dumped text, so
// only `out` holds them.
inline void dump_secret_body(Json& j, std::initializer_list<const char*> secrets,
                             foundation::SecretBuffer& out) {
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  out.assign(text);
  foundation::wipe(text.data(), text.size());
  for (const char* k : secrets)
    if (j.contains(k) && j[k].is_string()) {
      auto& v = j[k].get_ref<std::string&>();
      foundation::wipe(v.data(), v.size());
    }
}

inline bool key_valid(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Path segments we put in URLs (order ids) must not smuggle '/', '?', or '..'.
inline bool segment_valid(std::string_view s) {
  return key_valid(s) && s.size() <= 64;
}

inline std::once_flag g_curl_init;

}  // namespace detail

using detail::CurlPtr;
using detail::dump_secret_body;
using detail::g_curl_init;
using detail::key_valid;
using detail::segment_valid;
using detail::SlistPtr;

struct Client::Impl {
  ClientOptions opt;
  CurlPtr curl;
  std::mt19937_64 rng{std::random_device{}()};
  std::string body_buf;
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::atomic<std::int64_t> clock_offset{kNoOffset};         // platform_clock_offset()
  std::string if_none_match;                                 // sent when set (kiosk_config_bundle)
  bool close_after = false;                                  // the connection closed after this call
  std::string etag;                                          // the last answer's ETag
  std::optional<std::tuple<ino_t, time_t, long>> cert_seen;  // the certificate file last used: inode, mtime
  static constexpr std::int64_t kNoOffset = INT64_MIN;

  static size_t on_write(char* data, size_t size, size_t n, void* self) {
    auto* impl = static_cast<Impl*>(self);
    size_t len = size * n;
    if (impl->body_buf.size() + len > impl->opt.max_response_bytes) {
      impl->too_large = true;
      return 0;  // CURLE_WRITE_ERROR: stop reading at the cap
    }
    impl->body_buf.append(data, len);
    return len;
  }

  // "Date: <IMF-fixdate>": the platform's clock against ours, at the moment the answer arrives.
  static size_t on_header(char* data, size_t size, size_t n, void* self) {
    const std::string_view line(data, size * n);
    if (line.size() > 5 && curl_strnequal(line.data(), "date:", 5)) {
      const std::string value(line.substr(5));
      if (const time_t t = curl_getdate(value.c_str(), nullptr); t > 0)
        static_cast<Impl*>(self)->clock_offset = static_cast<std::int64_t>(t) - std::time(nullptr);
    }
    if (line.size() > 5 && curl_strnequal(line.data(), "etag:", 5)) {
      std::string_view v = line.substr(5);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      static_cast<Impl*>(self)->etag = std::string(v);
    }
    return size * n;
  }

  // Non-zero ends the transfer (CURLE_ABORTED_BY_CALLBACK): ClientOptions::cancel was set.
  static int on_progress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
  }

  Error map_curl(CURLcode rc) {
    std::string detail = (errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc))) + " [curl " +
                         std::to_string(static_cast<int>(rc)) + "]";
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return make_error(ErrorKind::Offline, detail);
      case CURLE_OPERATION_TIMEDOUT:
        return make_error(ErrorKind::Timeout, detail);
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_USE_SSL_FAILED:
        return make_error(ErrorKind::Tls, detail);
      case CURLE_WRITE_ERROR:
      case CURLE_FILESIZE_EXCEEDED:
        if (too_large || rc == CURLE_FILESIZE_EXCEEDED)
          return make_error(ErrorKind::Malformed,
                            "answer larger than " + std::to_string(opt.max_response_bytes) + " bytes");
        return make_error(ErrorKind::Malformed, detail);
      case CURLE_OUT_OF_MEMORY:
        // libcurl 7.88 reports a header line past its 100 KiB limit (a hostile or broken server) as out
        // of memory: the answer is what is wrong, not the network.
        return make_error(ErrorKind::Malformed, "the answer's headers are too large: " + detail);
      case CURLE_TOO_MANY_REDIRECTS:
        return make_error(ErrorKind::Malformed, "a redirect loop: " + detail);
      case CURLE_PARTIAL_FILE:
        return make_error(ErrorKind::Malformed, "truncated answer: " + detail);
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_BAD_CONTENT_ENCODING:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return make_error(ErrorKind::Malformed, detail);
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_GOT_NOTHING:
        // With TLS 1.3 a refused client certificate shows up as an alert on the first read.
        if (detail.find("alert") != std::string::npos) return make_error(ErrorKind::Tls, detail);
        return make_error(ErrorKind::Offline, detail);
      default:
        return make_error(ErrorKind::Offline, detail);
    }
  }

  // A TLS failure on a certificate's validity window: OpenSSL's verdict on the platform's certificate
  // (by this kiosk's clock), or the platform's alert about ours (by its clock).
  bool certificate_time(const std::string& detail) {
    long verify = X509_V_OK;
    if (curl_easy_getinfo(curl.get(), CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK &&
        (verify == X509_V_ERR_CERT_NOT_YET_VALID || verify == X509_V_ERR_CERT_HAS_EXPIRED))
      return true;
    return names_certificate_time(detail);
  }

  // A renewal renames a new pair into place (kiosk_identity.hpp): a new handle drops the connections and
  // TLS sessions of the old certificate, so the next call presents the new one without a restart.
  void reopen_if_certificate_changed() {
    struct stat st {};
    if (opt.client_cert.empty() || ::stat(opt.client_cert.c_str(), &st) != 0) return;
    const std::tuple now{st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    if (CURL* fresh = cert_seen && *cert_seen != now ? curl_easy_init() : nullptr) curl.reset(fresh);
    cert_seen = now;
  }

  // The transport every request and the TLS probe (tls_probe.cpp) share: https only, no redirects, TLS 1.2+
  // against the pinned CA, the client certificate, the connect timeout.
  void apply_transport(CURL* h) {
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CAINFO, opt.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // the pinned CA only, never the system store
    if (!opt.client_cert.empty()) {                // none: enrollment (ClientOptions)
      curl_easy_setopt(h, CURLOPT_SSLCERT, opt.client_cert.c_str());
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(h, CURLOPT_SSLKEY, opt.client_key.c_str());
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout.count()));
  }

  // One attempt.
  Result<Raw> perform_once(std::string_view method, const std::string& url,
                           std::optional<std::string_view> body, std::string_view key,
                           std::string_view bearer, long extra_s) {
    reopen_if_certificate_changed();
    CURL* h = curl.get();
    curl_easy_reset(h);
    body_buf.clear();
    etag.clear();
    too_large = false;
    errbuf[0] = '\0';
    SlistPtr headers;
    auto add = [&](const char* line) {
      curl_slist* n = curl_slist_append(headers.get(), line);
      if (n) {
        (void)headers.release();
        headers.reset(n);
      }
    };
    add("Accept: application/json");
    add("Expect:");
    if (body) add("Content-Type: application/json");
    if (!key.empty()) add(("Idempotency-Key: " + std::string(key)).c_str());
    if (!if_none_match.empty()) add(("If-None-Match: " + if_none_match).c_str());
    foundation::SecretBuffer auth;  // curl_slist_append copies it; libcurl's copy is its own
    if (!bearer.empty()) {
      auth.append("Authorization: Bearer ");
      auth.append(bearer);
      add(auth.c_str());
    }
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    // Mutating calls go on a fresh connection: libcurl silently re-sends a request whose reused
    // connection died before any answer, which would hide a lost answer from max_attempts and the
    // engine. (The TLS session is resumed, so the extra handshake is cheap.)
    // It is closed afterwards too, so connections do not pile up (idle) on the server.
    if (method != "GET") {
      curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
    if (close_after) curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    apply_transport(h);
    curl_easy_setopt(h, CURLOPT_USERAGENT, opt.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(opt.request_timeout.count() + extra_s * 1000));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, opt.low_speed_limit_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, opt.low_speed_time_s + extra_s);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(opt.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Impl::on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
    if (opt.cancel) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, opt.cancel);
    }
    if (body) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    if (method != "GET" && method != "POST") {
      std::string m(method);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str());
      if (!body) curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      CURLcode rc = curl_easy_perform(h);
      return finish(rc);
    }
    if (method == "POST" && !body) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
    }
    CURLcode rc = curl_easy_perform(h);
    return finish(rc);
  }

  Result<Raw> finish(CURLcode rc) {
    if (rc != CURLE_OK) {
      Error e = map_curl(rc);
      if (e.kind == ErrorKind::Tls) e.certificate_time = certificate_time(e.detail);
      body_buf.clear();
      return std::unexpected(e);
    }
    Raw r;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &r.status);
    r.body = std::move(body_buf);
    body_buf.clear();
    return r;
  }

  static bool retryable(const Error& e) {
    if (e.kind == ErrorKind::Offline || e.kind == ErrorKind::Timeout) return true;
    return e.kind == ErrorKind::Http &&
           (e.http_status == 502 || e.http_status == 503 || e.http_status == 504);
  }

  std::chrono::milliseconds backoff(int attempt) {
    auto d = opt.backoff_base.count();
    for (int i = 1; i < attempt && d < opt.backoff_max.count(); ++i) d *= 2;
    d = std::min<long long>(d, opt.backoff_max.count());
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(d) * jitter(rng)));
  }

  // A call with retries; a 2xx answer's body comes back, any other outcome is an Error.
  Result<std::string> request(std::string_view method, std::string_view path,
                              std::optional<std::string_view> body, std::string_view key,
                              std::string_view bearer = {}, long extra_s = 0) {
    if (method != "GET" && !key.empty() && !key_valid(key))
      return std::unexpected(make_error(ErrorKind::Config, "idempotency key: 1-128 of A-Z a-z 0-9 - _"));
    // Only idempotent calls are retried: GETs and keyed calls (the platform replays a repeated key).
    bool idempotent = method == "GET" || !key.empty();
    int attempts = idempotent ? std::max(1, opt.max_attempts) : 1;
    std::string url = opt.base_url + std::string(path);
    Error last;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      if (attempt > 1 && opt.cancel && opt.cancel->load()) break;
      if (attempt > 1) std::this_thread::sleep_for(backoff(attempt - 1));
      auto raw = perform_once(method, url, body, key, bearer, extra_s);
      if (raw && raw->status >= 200 && raw->status < 300) return std::move(raw->body);
      if (raw) {
        contract::ApiError api = contract::decode_error_body(static_cast<int>(raw->status), raw->body);
        last = Error{ErrorKind::Http, api.http_status,   api.code, api.message_key,
                     api.detail,      api.retry_after_s, attempt};
        // Our certificate refused: a TLS failure for the caller (staff fix certificates, not retries).
        // The platform's detail is OpenSSL's verdict on it: expired or not yet valid by its clock.
        if (api.code == contract::code::kKioskCertificateUntrusted) {
          last.kind = ErrorKind::Tls;
          last.certificate_time = names_certificate_time(api.detail);
        }
        if (api.code.empty() && api.detail.empty()) last.detail = describe_foreign_answer(*raw);
      } else {
        last = raw.error();
        last.attempts = attempt;
      }
      if (!retryable(last)) break;
    }
    return std::unexpected(last);
  }

  template <typename T>
  Result<T> decode(Result<std::string> body) {
    if (!body) return std::unexpected(body.error());
    T out{};
    std::string why;
    if (!contract::decode_text(*body, out, why))
      return std::unexpected(make_error(ErrorKind::Malformed, why));
    return out;
  }

  template <typename T>
  Result<T> get(std::string_view path, std::string_view bearer = {}, long extra_s = 0) {
    return decode<T>(request("GET", path, std::nullopt, {}, bearer, extra_s));
  }
  template <typename T>
  Result<T> send(std::string_view method, std::string_view path, const Json& body, std::string_view key,
                 std::string_view bearer = {}) {
    if (!key_valid(key))
      return std::unexpected(make_error(ErrorKind::Config, "idempotency key: 1-128 of A-Z a-z 0-9 - _"));
    std::string text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return decode<T>(request(method, path, text, key, bearer));
  }
  Result<void> send_void(std::string_view path, std::string_view body, std::string_view key,
                         std::string_view bearer) {
    if (!key_valid(key))
      return std::unexpected(make_error(ErrorKind::Config, "idempotency key: 1-128 of A-Z a-z 0-9 - _"));
    auto r = request("POST", path, body, key, bearer);
    if (!r) return std::unexpected(r.error());
    return {};
  }
  template <typename T>
  Result<T> send_secret(std::string_view path, const foundation::SecretBuffer& body, std::string_view key) {
    if (!key_valid(key))
      return std::unexpected(make_error(ErrorKind::Config, "idempotency key: 1-128 of A-Z a-z 0-9 - _"));
    return decode<T>(request("POST", path, body.reveal(), key));
  }
};

}  // namespace platform
