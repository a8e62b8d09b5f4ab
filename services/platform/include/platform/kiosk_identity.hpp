// The kiosk's own identity (docs/platform.md, "Fleet administration"): its EC P-256 key made on the
// terminal (mode 0600 in the state directory, never sent anywhere), enrollment with a one-time code
// (POST enroll, without a client certificate) and the renewal of its certificate by itself (POST
// kiosk/certificate over mutual TLS with the current certificate, a CSR of a new key).
//
// Files in the state directory: kiosk.key (the key), kiosk.pem (its certificate), kiosk-ca.pem (the kiosk
// CA that issued it). Each is written to a temporary name, fsynced and renamed; a renewal keeps the old
// pair until the new certificate has answered a call.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "platform/client.hpp"

namespace platform {

// A kiosk renews when fewer than this many days of its certificate remain (certificates are issued for a
// year): a month leaves room for a platform outage of weeks.
inline constexpr int kKioskRenewBeforeDays = 30;

struct KioskIdentityFiles {
  std::filesystem::path key, cert, ca;
};
KioskIdentityFiles identity_files(const std::filesystem::path& state_dir);

// Written under a temporary name (path + ".tmp") with `mode`, fsynced, renamed over `path`, the directory
// fsynced: a crash leaves the old file or the new one. The kiosk's other small state files use it too.
bool write_atomically(const std::filesystem::path& path, std::string_view text, mode_t mode);

struct Enrolled {
  std::string kiosk_id, hall, region;
  std::int64_t not_after = 0;
  KioskIdentityFiles files;
};

// Makes a new key, sends its CSR with `code` (a secret: only in the request body) to POST enroll and writes
// the key, the certificate and the kiosk CA into `state_dir` (created 0700 if missing). `options` needs
// base_url and ca_file; its client certificate is not used. Errors: Http enroll.code_invalid /
// enroll.code_expired / enroll.code_used / enroll.throttled, Config (files), and the transport's.
Result<Enrolled> enroll_kiosk(ClientOptions options, std::string_view code,
                              const std::filesystem::path& state_dir);

// Renews the certificate in `state_dir` with a new key: POST kiosk/certificate with the current pair, the
// new one tried with GET kiosk/orders, then put in place (the old pair is kept as kiosk.key.old and
// kiosk.pem.old). Errors: as the client's, Config for files.
Result<Enrolled> renew_kiosk_certificate(ClientOptions options, const std::filesystem::path& state_dir);

// Days of validity left in the certificate file at `now` (negative: expired); Config error if unreadable.
Result<std::int64_t> certificate_days_left(const std::filesystem::path& cert,
                                           std::chrono::system_clock::time_point now);

// What the runtime's periodic lane calls: renews when fewer than `before_days` remain; false when not due.
Result<bool> renew_kiosk_certificate_if_due(ClientOptions options, const std::filesystem::path& state_dir,
                                            std::chrono::system_clock::time_point now,
                                            int before_days = kKioskRenewBeforeDays);

}  // namespace platform
