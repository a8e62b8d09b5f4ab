// The back ends of two device tests of the maintenance screens (docs/staff.md, "Device tests"): the key
// reader (any KEY inserted, read without a login) and the network (the interface addresses, the platform's
// name, TLS to the platform with the pinned CA and the kiosk's certificate, one round trip). The screens show
// what these return; the core keeps it in the maintenance phase.
//
// Threads: both block (token calls, name lookups, the network) and must run on a worker (the business lane,
// or kioskctl's thread), never the UI's. inspect_key takes as long as the KEY's driver (well under a second
// for SoftHSM and the usual USB keys; each C_* call holds the module's lock, so it waits behind a token
// operation of the business lane). network_test takes at most the resolver's timeout (resolv.conf, by
// default 5 s per server and try) plus platform.connect_timeout_ms plus platform.request_timeout_ms of the
// configuration (one attempt each, no retries: a test shows the first failure).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "core/staff.hpp"
#include "runtime/config.hpp"

namespace runtime {

// Why the key-reader test has no report: the token layer's message key and detail.
struct KeyTestError {
  std::string message_key;  // error.token.absent, error.token.module_missing, error.token.removed, ...
  std::string detail;       // English, for the event log
};

// The key-reader test on the first KEY present in the configured brands' modules (one load per distinct
// library, shared with the runtime's token hub; a KEY of a configured brand first when several are in):
// C_GetInfo (the library's version), C_GetTokenInfo (identity, PIN flags), C_GetMechanismList and
// C_GetMechanismInfo (every mechanism, by name), then a read-only session (C_OpenSession without
// CKF_RW_SESSION) for the certificates (C_FindObjects*, C_GetAttributeValue). Never C_Login, never a write:
// a customer's KEY is safe in it, and a staff KEY too. Errors (docs/token.md, "Errors"): error.token.absent
// (no KEY in any module), error.token.module_missing / module_load_failed (no configured module loaded: the
// first one's error), error.token.removed (pulled while being read), error.token.device_error.
std::expected<core::KeyReport, KeyTestError> inspect_key(const KioskConfig& config);

// The network test against the configuration's platform: items "network.address", "network.dns",
// "network.tls", "network.round_trip" in that order, labels staff.status.network.*, reasons
// staff.reason.network.*. A step whose predecessor failed is not tried and shows red with that reason
// ("not tried" in its detail). The TLS step is amber when the platform's certificate has fewer than
// kServerCertificateWarnDays left.
core::NetworkReport network_test(const KioskConfig& config);
inline constexpr int kServerCertificateWarnDays = 30;

// Every message key network_test may put in an item (the language files must hold them all).
std::vector<std::string_view> network_test_keys();

}  // namespace runtime
