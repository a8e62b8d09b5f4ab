// The whole engine's test bench, from real parts: the reference platform in this process over mutual TLS
// on loopback (dev mode, with a throwaway PKI), a private SoftHSM token behind the fault module (which
// also makes it report a brand's identity, e.g. Haitai/HaiKey), a customer key generated on the token
// with a certificate the platform's issuing CA made, and `kioskctl` run as a separate process so that it
// can be SIGKILLed anywhere and restarted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fault_control.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "softhsm_env.hpp"

namespace reference {
class Server;
}

namespace enginetest {

inline constexpr const char* kPhone = "13812345678";
inline constexpr const char* kPin = "123456";

enum class Brand { Haitai, Feitian };  // ¥0 EC P-256 (keep old) / ¥300 per year RSA-2048 (delete old)

struct Customer {
  Brand brand = Brand::Haitai;
  std::string fingerprint;  // SHA-256 of the certificate being renewed
  std::string serial;
  std::string token_serial;
};

struct Run {
  int rc = -1;        // exit code; 128+signal when killed
  bool killed = false;
  std::string output;
};

class EngineEnv {
public:
  EngineEnv();
  // The world save_world() wrote (tests/engine/data/…): the platform's data folder (its PKI, catalog and
  // database), the SoftHSM tokens and the kiosk's journal, copied to a fresh temp folder and started there.
  EngineEnv(const std::filesystem::path& world, Brand brand);
  ~EngineEnv();
  EngineEnv(const EngineEnv&) = delete;
  EngineEnv& operator=(const EngineEnv&) = delete;

  // A fresh token (the previous one is gone) holding a key of the brand's algorithm and a certificate the
  // platform issued for it (O=内蒙古自治区政府采购中心, CN=张三), expiring in `days_to_expiry` days.
  Customer new_customer(Brand brand, int days_to_expiry = 20);

  // The fault module's control: the brand identity is always written; `rules` are added below it.
  void set_faults(const std::string& rules);
  void set_token_serial(const std::string& serial);  // report another key (same SoftHSM token)

  // kioskctl with the bench's configuration; `env` adds variables (KIOSK_CRASH_AT, PIN, ...). When the
  // process stops itself (KIOSK_PAUSE_AT), `paused` runs, then it is let go on (SIGCONT).
  Run kioskctl(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
               const std::function<void()>& paused = {});
  // A whole renewal, automated: phone, the code from the outbox, the PIN from $PIN, paid by dev pay.
  Run renew(const std::map<std::string, std::string>& env = {}, const std::vector<std::string>& extra = {},
            const std::function<void()>& paused = {});
  Run resume(const std::map<std::string, std::string>& env = {}, const std::vector<std::string>& extra = {});

  platform::Client& client() { return *client_; }
  // An admin's client of the platform (the dev PKI's admin certificate): the admin API.
  platform::ClientOptions admin_options() const;
  // Stops the platform and starts it again on the same port with the same database.
  void restart_platform();
  // The platform away (nothing listens on its port) and back, with the same database.
  void stop_platform();
  void start_platform_again();
  platform::dev::Records records(const std::string& fingerprint);

  // The invariants after a renewal attempt (and its resumes) for this customer: at most one order; a paid
  // order ended installed (when `must_be_done`) or needs_staff; at most one issuance per order; the key
  // holds a valid certificate with its private key; the journal is sound. Returns the violations.
  std::vector<std::string> violations(const Customer& c, bool must_be_done);
  // Valid certificates on the token whose private key signs what the certificate verifies.
  int usable_pairs();
  // The new certificate (issued for this customer's order) is on the token with a private key.
  bool renewed_on_token(const Customer& c);
  bool old_certificate_on_token(const Customer& c);
  // C_Login(CKU_USER) calls the fault module saw since the last reset.
  unsigned long user_logins() { return faults_->count("C_Login.user"); }
  // Any counter of the fault module for the last kioskctl run ("writes.C_GenerateKeyPair", "torn.…").
  unsigned long fault_count(const std::string& name) { return faults_->count(name); }
  std::string journal_status(const std::string& order_id);
  std::filesystem::path journal_path() const {
    return journal_override_.empty() ? tmp_.path() / "journal.db" : journal_override_;
  }
  // The kiosk's journal elsewhere (a small or read-only filesystem): the configuration is rewritten.
  void set_journal_path(const std::filesystem::path& p);
  // More of the configuration, rewritten at once: `fields`, JSON members at the top level
  // ("\"service\": {\"check_s\": 1}, \"journal_min_free_mb\": 64"); `brands`, more entries of the brands
  // list.
  void set_config_extra(std::string fields, std::string brands = {});

  // Copies this world to `to` (created): the platform is stopped for it (its database closed) and started
  // again; the journal is copied as one file (a WAL left by a killed kioskctl folded in first).
  void save_world(const std::filesystem::path& to);

  const std::filesystem::path& dir() const { return tmp_.path(); }
  const std::filesystem::path& config_path() const { return config_; }

private:
  void start_platform(const std::filesystem::path& data);
  void write_config();
  testsupport::TempDir tmp_;
  std::unique_ptr<testsupport::SoftHsmEnv> hsm_;
  std::unique_ptr<testsupport::FaultControl> faults_;
  std::unique_ptr<reference::Server> server_;
  std::unique_ptr<struct ServerOptionsHolder> server_options_;
  std::optional<platform::Client> client_;
  std::filesystem::path config_;
  Brand brand_ = Brand::Haitai;
  std::string serial_override_;
  std::filesystem::path journal_override_;
  std::string extra_fields_, extra_brands_;
  std::string rules_;
  int customers_ = 0;
};

// KIOSK_FULL_SWEEP=1: the full sweeps; otherwise CI's quick ones.
bool full_sweep();

}  // namespace enginetest
