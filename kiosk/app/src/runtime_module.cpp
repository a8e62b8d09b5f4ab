// The real runtime as a module that ca-kiosk loads after its first frame (dlopen). Linked into the
// executable, libcurl, OpenSSL, SQLite and their ~30 dependencies (GnuTLS, Kerberos, LDAP ...) cost ~30 ms
// of dynamic linking before main(), and creating the runtime loads the vendors' PKCS#11 libraries; as a
// module, neither delays the home screen.
#include <string>

#include "runtime/kiosk_runtime.hpp"

// `log` receives staff log lines (never a secret). Returns null and sets `error` when the runtime cannot
// start (journal, client certificate files).
extern "C" __attribute__((visibility("default"))) runtime::Runtime* kiosk_runtime_create(
    const runtime::KioskConfig* config, void (*log)(const char* line), std::string* error) {
  runtime::RuntimeOptions options;
  options.config = *config;
  options.log = [log](std::string_view s) { log(std::string(s).c_str()); };
  auto created = runtime::KioskRuntime::create(std::move(options));
  if (!created) {
    *error = created.error();
    return nullptr;
  }
  return created->release();
}
