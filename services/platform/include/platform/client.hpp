// The kiosk's typed client of the CA platform (services/platform/openapi.yaml, /v1/).
//
// Transport: libcurl over HTTPS (TLS 1.2+), the platform CA pinned (ca_file only, never the system
// store), the kiosk's client certificate for mutual TLS; connect, total and low-speed timeouts; a cap
// on the response size. Every call returns Result<T>: the typed answer, or a platform::Error (offline,
// timeout, TLS, HTTP status + machine code + message key, malformed). A garbage, truncated, oversized,
// slow or hostile answer is an Error, never a crash or a hang (bounded by the timeouts × attempts).
//
// Retries: idempotent calls only — GETs, and POST/PUTs, which all carry an Idempotency-Key (the platform
// replays the first answer for a repeated key) — on Offline, Timeout and HTTP 502/503/504, with capped
// exponential backoff and jitter, at most `max_attempts` tries. 4xx answers are never retried.
//
// Idempotency keys are parameters: the engine makes one (new_idempotency_key()), writes it to its
// journal, then calls; a call resumed after a crash passes the same key and gets the same answer. The
// same key with another request body → Http 409 "idempotency.key_reused".
//
// Threads: a Client owns one CURL handle. Use it from one thread at a time (a worker may own it; hand
// it over between threads freely, never share it concurrently). Move-only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/json.hpp"
#include "contract/types.hpp"
#include "platform/error.hpp"

namespace platform {

struct ClientOptions {
  std::string base_url;           // "https://127.0.0.1:8443/v1/" (https only, ends with '/')
  std::filesystem::path ca_file;  // the pinned platform CA (PEM)
  std::filesystem::path
      client_cert;  // the kiosk's certificate (PEM), CN = kiosk id; an admin's for admin calls
  std::filesystem::path client_key;  // its key (PEM). Both empty: no client certificate (POST enroll only)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{15000};  // one attempt, whole request (long polls add their wait)
  long low_speed_limit_bytes = 32;                   // abort an answer slower than this many bytes/s ...
  long low_speed_time_s = 8;                         // ... for this long
  std::size_t max_response_bytes = 1 << 20;
  int max_attempts = 3;  // 1 = no retries
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{2000};
  std::string user_agent = "ca-kiosk/0.1";
  // When set and true, a request in flight ends within about a second (libcurl's progress callback) with
  // ErrorKind::Offline, and no retry follows: the kiosk's stop does not wait out a payment long poll.
  // Must outlive the client.
  const std::atomic<bool>* cancel = nullptr;
};

// A fresh idempotency key: 32 hex characters from the CSPRNG.
std::string new_idempotency_key();

// The host of a URL as libcurl's parser reads it ("platform.example-ca.cn", "127.0.0.1", "::1" without the
// brackets); none when it does not parse or has no host.
std::optional<std::string> url_host(std::string_view url);

// Verifies a signed kiosk configuration (ECDSA P-256/SHA-256 over `payload` by the platform's
// config-signing key, `signing_key_pem` = its public key file) and that it has not expired at `now`.
// Errors: Malformed with code "kiosk.config_signature_invalid", "kiosk.config_expired" or
// "kiosk.config_payload_invalid"; Config when the key file cannot be read.
Result<contract::KioskConfigPayload> verify_signed_config(const contract::SignedConfig& config,
                                                          const std::filesystem::path& signing_key_pem,
                                                          contract::UnixTime now);

// GET kiosk/config-bundle's answer: the bundle's bytes as published, or "not modified" for the ETag sent.
struct ConfigBundle {
  bool not_modified = false;
  std::string etag;
  std::string body;
};

// What a TLS handshake with the platform showed (the network test of the maintenance screens).
struct TlsProbe {
  std::chrono::microseconds connect{0};    // from the start to TCP connected (the name's lookup included)
  std::chrono::microseconds handshake{0};  // from TCP connected to the TLS handshake done
  std::string server_subject;              // the platform's certificate, RFC 2253: "CN=localhost,O=…,C=CN"
  std::string server_issuer;
  std::int64_t server_not_after = 0;  // unix seconds
};

class Client {
 public:
  // Checks the options (https URL, the three files readable). Config error otherwise. No network.
  static Result<Client> create(ClientOptions options);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  [[nodiscard]] const ClientOptions& options() const;
  // The platform's clock minus this machine's, in seconds, from the Date header of the last answer (any
  // status; the answer came over the mutually authenticated TLS link). None before the first answer or
  // when the platform sends no Date. Certificates are judged by the platform's time (docs/platform.md,
  // "Time"). Thread-safe.
  [[nodiscard]] std::optional<std::int64_t> platform_clock_offset() const;

  // GET catalog.
  Result<contract::Catalog> catalog();

  // POST sms/send. Http: sms.phone_invalid, sms.resend_too_soon / sms.hourly_limit / sms.daily_limit
  // (retry_after_s).
  Result<contract::SmsSent> sms_send(const contract::SmsSendRequest& request,
                                     std::string_view idempotency_key);
  // POST sms/verify (purpose renewal or change_phone). `code` is a secret: only put in the request body,
  // which is wiped after the call. Http: sms.code_wrong (detail tries_left=N), sms.code_expired,
  // sms.tries_exhausted, sms.phone_invalid.
  Result<contract::SmsVerified> sms_verify(std::string_view phone, contract::SmsPurpose purpose,
                                           std::string_view code, std::string_view idempotency_key);

  // POST orders → 201. Http: verification.invalid, catalog.product_unknown, order.years_invalid,
  // token.identity_mismatch, certificate.* (malformed, unknown, revoked, wrong_project, wrong_brand,
  // key_type_mismatch, window_not_open, window_closed, already_renewed), order.renewal_in_progress.
  Result<contract::Order> order_create(const contract::OrderCreateRequest& request,
                                       std::string_view idempotency_key);
  // GET orders/{id}. Http: order.not_found.
  Result<contract::Order> order_get(std::string_view order_id);
  // GET orders/{id}?wait=&since=: returns when the status differs from `since` or after `wait` (≤ 60 s).
  Result<contract::Order> order_wait(std::string_view order_id, contract::OrderStatus since,
                                     std::chrono::seconds wait);
  // GET orders?old_cert_sha256=: the orders bound to a certificate, newest first (at most 50).
  Result<contract::BusinessList> orders_for_certificate(std::string_view old_cert_sha256);
  // POST orders/{id}/close. Http: order.already_paid (it was paid: go on with the renewal).
  Result<contract::Order> order_close(std::string_view order_id, std::string_view idempotency_key);
  // POST orders/{id}/needs-staff. Http: order.not_paid, order.closed, order.expired, order.state_invalid.
  Result<contract::Order> order_needs_staff(std::string_view order_id,
                                            const contract::NeedsStaffRequest& request,
                                            std::string_view idempotency_key);
  // POST orders/{id}/renewal/nonce. Http: order.not_paid, order.needs_staff, order.state_invalid, ...
  Result<contract::RenewalNonce> renewal_nonce(std::string_view order_id, std::string_view idempotency_key);
  // POST orders/{id}/renewal/submit. Http: renewal.nonce_missing, renewal.p10_malformed,
  // renewal.p10_signature_invalid, renewal.subject_mismatch, renewal.key_type_mismatch,
  // renewal.proof_invalid, renewal.other_key, order.* state codes.
  Result<contract::IssuedCertificate> renewal_submit(std::string_view order_id,
                                                     const contract::RenewalSubmitRequest& request,
                                                     std::string_view idempotency_key);
  // GET orders/{id}/certificate. Http: renewal.not_issued, order.not_found.
  Result<contract::IssuedCertificate> certificate_get(std::string_view order_id);
  // POST orders/{id}/installed. Http: order.state_invalid (not issued), order.needs_staff, ...
  Result<contract::Order> order_installed(std::string_view order_id, std::string_view idempotency_key);

  // POST account/login/password. `password` and `sms_code` are secrets (see sms_verify). `kiosk_session`
  // names this customer session on the kiosk (throttling per session). Http: account.login_failed,
  // account.sms_code_required (the default password: ask for an SMS code, send purpose login),
  // account.throttled (retry_after_s), sms.* code errors, sms.phone_invalid.
  Result<contract::Session> login_password(std::string_view phone, std::string_view password,
                                           std::optional<std::string_view> sms_code,
                                           std::string_view kiosk_session, std::string_view idempotency_key);
  // POST account/login/sms. Http: sms.code_wrong/expired/tries_exhausted, account.throttled.
  Result<contract::Session> login_sms(std::string_view phone, std::string_view code,
                                      std::string_view kiosk_session, std::string_view idempotency_key);
  // POST account/logout.
  Result<void> logout(std::string_view session_token, std::string_view idempotency_key);
  // GET account/profile. Http: account.session_invalid, account.must_change_password.
  Result<contract::Profile> profile(std::string_view session_token);
  // PUT account/profile. Http: account.real_name_invalid, account.email_invalid, sms.phone_invalid,
  // account.phone_unverified, account.phone_in_use, session errors.
  Result<contract::Profile> profile_update(std::string_view session_token,
                                           const contract::ProfileUpdate& update,
                                           std::string_view idempotency_key);
  // POST account/password (secrets). Http: account.password_wrong, account.password_too_short,
  // account.password_from_phone, account.password_same, account.throttled, session errors.
  Result<void> password_change(std::string_view session_token, std::string_view current,
                               std::string_view next, std::string_view idempotency_key);
  // GET account/business.
  Result<contract::BusinessList> business(std::string_view session_token);

  // POST kiosk/heartbeat.
  Result<contract::HeartbeatAck> heartbeat(const contract::Heartbeat& heartbeat,
                                           std::string_view idempotency_key);
  // GET kiosk/orders[?unfinished=true]: this kiosk's own orders (by its client certificate), newest
  // first, at most 200; `unfinished_only`: paid, issued and needs_staff ones. A kiosk whose journal lost
  // a business finds it again here.
  Result<contract::BusinessList> kiosk_orders(bool unfinished_only = false);

  // POST kiosk/maintenance-codes/redeem: spends a maintenance code made for `staff` at this kiosk. `code`
  // is a secret (see sms_verify). Http: maintenance.code_invalid (wrong, spent, expired, another staff
  // member or kiosk), maintenance.throttled (retry_after_s).
  Result<contract::MaintenanceRedeemed> maintenance_redeem(std::string_view staff, std::string_view code,
                                                           std::string_view idempotency_key);

  // GET kiosk/staff-crl: the staff CA's CRL, not verified (staff::CrlStore::offer judges it).
  // Http: staff_crl.none (404).
  Result<contract::StaffCrl> kiosk_staff_crl();

  // POST kiosk/diagnostics: the diagnostics bundle (a JSON object, at most contract::kMaxDiagnosticsBytes
  // as sent), kept by the platform for the fleet's admins. Http: diagnostics.malformed,
  // diagnostics.too_large (413).
  Result<contract::DiagnosticsReceipt> upload_diagnostics(const contract::Json& bundle,
                                                          std::string_view idempotency_key);

  // GET kiosk/config, not verified (see verify_signed_config).
  Result<contract::SignedConfig> kiosk_config();

  // GET kiosk/config-bundle with If-None-Match (when not empty): one attempt, no retries (the kiosk polls),
  // the connection closed after the answer (polls are minutes apart).
  // Http: bundle.none (404), kiosk.decommissioned.
  Result<ConfigBundle> kiosk_config_bundle(std::string_view if_none_match = {});

  // A TLS connection to the platform and nothing more (libcurl's CONNECT_ONLY on a new handle: no connection
  // or TLS session reused, so a full handshake), the pinned CA and the client certificate as every call has
  // them; one attempt; closed afterwards. With TLS 1.3 the platform's refusal of our certificate comes after
  // the handshake, so a call (the network test's round trip) shows it, not this. Errors: Offline (refused,
  // unreachable, the name not resolved), Timeout (connect_timeout), Tls (the platform's certificate not under
  // the pinned CA, not for its name, or outside its validity by this clock: certificate_time), Config.
  Result<TlsProbe> probe_tls();

  // Any JSON endpoint (dev tools, staff commands): `path` relative to base_url ("dev/clock"). A body
  // makes it a POST (or `method`); `idempotency_key` may be empty for dev endpoints.
  Result<contract::Json> call(std::string_view method, std::string_view path, const contract::Json* body,
                              std::string_view idempotency_key = {}, std::string_view bearer = {});

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
