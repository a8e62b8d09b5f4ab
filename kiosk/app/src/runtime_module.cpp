// The real runtime as a module that ca-kiosk loads after its first frame (dlopen). Linked into the
// executable, libcurl, OpenSSL, SQLite and their ~30 dependencies (GnuTLS, Kerberos, LDAP ...) cost ~30 ms
// of dynamic linking before main(), and creating the runtime loads the vendors' PKCS#11 libraries; as a
// module, neither delays the home screen.
#include <cstdint>
#include <functional>
#include <string>

#include "events/event_log.hpp"
#include "runtime/kiosk_runtime.hpp"

// `events`: the kiosk's event log (kiosk/events), which outlives the runtime. Returns null and sets
// `error` when the runtime cannot start (journal, client certificate files).
namespace {

runtime::Runtime* create(const runtime::KioskConfig* config, events::EventLog* events,
                         std::function<std::int64_t()> wall_now, std::string* error) {
  runtime::RuntimeOptions options;
  options.config = *config;
  options.events = events;
  options.wall_now = std::move(wall_now);
  options.service_monitor = true;  // the service checks and the heartbeat (docs/operations.md)
  options.fleet = true;  // the fleet's configuration and the kiosk's own certificate (docs/fleet.md)
  auto created = runtime::KioskRuntime::create(std::move(options));
  if (!created) {
    *error = created.error().to_string();
    return nullptr;
  }
  return created->release();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) runtime::Runtime* kiosk_runtime_create(
    const runtime::KioskConfig* config, events::EventLog* events, std::string* error) {
  return create(config, events, {}, error);
}

// The seeded demo (`ca-kiosk --demo --headless --demo-seed N`) only: the runtime's wall clock (unix
// seconds: order expiry, the finalize step's "now") is the demo's stepped clock, the one the screens use.
extern "C" __attribute__((visibility("default"))) runtime::Runtime* kiosk_runtime_create_clocked(
    const runtime::KioskConfig* config, events::EventLog* events,
    const std::function<std::int64_t()>* wall_now, std::string* error) {
  return create(config, events, *wall_now, error);
}
