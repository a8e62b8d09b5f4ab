// ca-platform-ref: the reference platform as a program.
//   ca-platform-ref --init DIR [--kiosk-id ID] [--port N] [--catalog FILE] [--force]
//   ca-platform-ref --data DIR [--port N] [--host H] [--dev] [--sms-code-length 4..8] [--test-phone P]...
//   [--log] [--console DIR]
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "kiosk_version.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ca-platform-ref: the CA platform's reference implementation (HTTPS, mutual TLS, SQLite)"};
  app.set_version_flag("--version", std::string("ca-platform-ref ") + kiosk_version());
  std::string init_dir, data_dir, console_dir, kiosk_id = std::string(reference::kDefaultKioskId), catalog;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  bool dev = false, force = false, log = false;
  int code_length = 6;
  std::vector<std::string> test_phones;
  app.add_option("--init", init_dir,
                 "write a throwaway PKI, catalog.json and kiosk.json into DIR, then exit");
  app.add_option("--data", data_dir, "serve from DIR (made by --init)");
  app.add_option("--kiosk-id", kiosk_id, "--init: the kiosk certificate's CN");
  app.add_option("--catalog", catalog, "catalog JSON (default: DIR/catalog.json)");
  app.add_option("--host", host, "address to listen on (default 127.0.0.1)");
  app.add_option("--port", port, "port (default 8443; 0 = any free port)");
  app.add_flag("--dev", dev, "enable the dev endpoints (/v1/dev/...): clock, SMS outbox, pay, seed, faults");
  app.add_option("--sms-code-length", code_length, "SMS code digits (default 6)")->check(CLI::Range(4, 8));
  app.add_option("--test-phone", test_phones, "dev: a phone exempt from SMS limits (repeatable)");
  app.add_flag("--force", force, "--init: overwrite an existing PKI");
  app.add_flag("--log", log, "one line per request on stderr");
  app.add_option("--console", console_dir,
                 "the fleet console's files, served under /admin/ to admins (default: the installed ones)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!init_dir.empty()) {
      reference::InitOptions o;
      o.kiosk_id = kiosk_id;
      o.port = port;
      o.catalog = catalog;
      o.overwrite = force;
      auto paths = reference::write_dev_pki(init_dir, o);
      fmt::print("wrote {} (PKI), {}/catalog.json and {}/kiosk.json (kiosk id {})\n", paths.dir.string(),
                 init_dir, init_dir, kiosk_id);
      fmt::print("next: ca-platform-ref --data {} --port {} --dev\n", init_dir, port);
      return 0;
    }
    if (data_dir.empty()) {
      fmt::print(stderr, "ca-platform-ref: give --init DIR or --data DIR (see --help)\n");
      return 2;
    }
    // Block the stop signals in every thread; the main thread waits for them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    reference::ServerOptions o;
    o.data_dir = data_dir;
    o.host = host;
    o.port = port;
    o.dev = dev;
    o.catalog = catalog;
    o.sms_code_length = code_length;
    o.test_phones = test_phones;
    o.log_requests = log;
    o.console_dir = console_dir;
    reference::Server server(o);
    server.start();
    fmt::print("ca-platform-ref: serving {}{} (data {})\n", server.base_url(),
               dev ? " with dev endpoints" : "", data_dir);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fmt::print("ca-platform-ref: stopping\n");
    server.stop();
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ca-platform-ref: {}\n", e.what());
    return 1;
  }
}
