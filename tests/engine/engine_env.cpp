#include "engine_env.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "foundation/base64.hpp"
#include "foundation/sha256.hpp"
#include "journal/journal.hpp"
#include "provision.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"
#include "token/session.hpp"

namespace enginetest {

struct ServerOptionsHolder {
  reference::ServerOptions options;
};

namespace fs = std::filesystem;
using testsupport::read_file;
using testsupport::run_command;
using testsupport::shell_quote;
using testsupport::write_file;

bool full_sweep() {
  const char* f = std::getenv("KIOSK_FULL_SWEEP");
  return f && std::string_view(f) == "1";
}

namespace {

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void must(int rc, const std::string& what, const std::string& out) {
  if (rc != 0) throw std::runtime_error(what + " failed: " + out);
}

}  // namespace

EngineEnv::EngineEnv() : tmp_("kiosk-engine") {
  hsm_ = std::make_unique<testsupport::SoftHsmEnv>();
  faults_ = std::make_unique<testsupport::FaultControl>();
  const fs::path data = tmp_.path() / "platform";
  reference::InitOptions init;
  reference::write_dev_pki(data, init);
  start_platform(data);
}

EngineEnv::EngineEnv(const fs::path& world, Brand brand) : tmp_("kiosk-engine") {
  hsm_ = std::make_unique<testsupport::SoftHsmEnv>();
  faults_ = std::make_unique<testsupport::FaultControl>();
  const auto copy = fs::copy_options::recursive | fs::copy_options::overwrite_existing;
  fs::copy(world / "tokens", hsm_->dir() / "tokens", copy);
  fs::copy(world / "platform", tmp_.path() / "platform", copy);
  fs::copy_file(world / "journal.db", journal_path());
  start_platform(tmp_.path() / "platform");
  brand_ = brand;
  set_faults("");
}

void EngineEnv::start_platform(const fs::path& data) {
  reference::ServerOptions so;
  so.data_dir = data;
  so.dev = true;
  so.test_phones = {kPhone};
  so.pbkdf2_iterations = 1000;
  so.log_requests = std::getenv("KIOSK_PLATFORM_LOG") != nullptr;
  server_ = std::make_unique<reference::Server>(so);
  server_->start();
  so.port = server_->port();
  server_options_ = std::make_unique<ServerOptionsHolder>(ServerOptionsHolder{so});
  const auto& pki = server_->pki();
  platform::ClientOptions co;
  co.base_url = server_->base_url();
  co.ca_file = pki.platform_ca;
  co.client_cert = pki.kiosk_cert;
  co.client_key = pki.kiosk_key;
  auto c = platform::Client::create(co);
  if (!c) throw std::runtime_error("client: " + c.error().to_string());
  client_ = std::move(*c);
  write_config();
}

platform::ClientOptions EngineEnv::admin_options() const {
  const auto& pki = server_->pki();
  platform::ClientOptions co;
  co.base_url = server_->base_url();
  co.ca_file = pki.platform_ca;
  co.client_cert = pki.admin_cert;
  co.client_key = pki.admin_key;
  co.max_attempts = 1;
  return co;
}

void EngineEnv::save_world(const fs::path& to) {
  server_->stop();
  server_.reset();
  {
    // Opening and closing the journal folds the WAL of a killed process into the file.
    auto j = journal::Journal::open(journal_path());
    if (!j) throw std::runtime_error("journal: " + j.error().detail);
  }
  if (fs::exists(journal_path().string() + "-wal")) throw std::runtime_error("the journal's WAL stayed");
  fs::create_directories(to);
  const auto copy = fs::copy_options::recursive | fs::copy_options::overwrite_existing;
  fs::copy(hsm_->dir() / "tokens", to / "tokens", copy);
  fs::copy(tmp_.path() / "platform", to / "platform", copy);
  fs::remove(to / "platform" / "sms-outbox.log");
  fs::copy_file(journal_path(), to / "journal.db", fs::copy_options::overwrite_existing);
  server_ = std::make_unique<reference::Server>(server_options_->options);
  server_->start();
}

EngineEnv::~EngineEnv() {
  if (server_) server_->stop();
}

void EngineEnv::restart_platform() {
  stop_platform();
  start_platform_again();
}

void EngineEnv::stop_platform() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

void EngineEnv::start_platform_again() {
  if (server_) return;
  server_ = std::make_unique<reference::Server>(server_options_->options);
  server_->start();
}

void EngineEnv::set_journal_path(const fs::path& p) {
  journal_override_ = p;
  write_config();
}

void EngineEnv::set_config_extra(std::string fields, std::string brands) {
  extra_fields_ = std::move(fields);
  extra_brands_ = std::move(brands);
  write_config();
}

void EngineEnv::write_config() {
  const auto& pki = server_->pki();
  config_ = tmp_.path() / "kiosk.json";
  const std::string module = testsupport::fault_module().string();
  write_file(config_,
             fmt::format(R"({{
  "schema_version": 1,
  "kiosk_id": "DEV-KIOSK-01",
  "platform": {{"base_url": "{}", "ca_file": "{}", "client_cert": "{}", "client_key": "{}",
               "connect_timeout_ms": 2000, "request_timeout_ms": 8000, "long_poll_s": 2}},
  "brands": [
    {{"id": "haitai", "display_name": "海泰KEY", "module": "{}", "manufacturer": "Haitai", "model": "HaiKey"}},
    {{"id": "feitian", "display_name": "飞天诚信KEY", "module": "{}", "manufacturer": "Feitian", "model": "ePass3003"}}{}
  ],
  "timeouts": {{"token_poll_ms": 200}},{}
  "journal_path": "{}"
}})",
                         server_->base_url(), pki.platform_ca.string(), pki.kiosk_cert.string(),
                         pki.kiosk_key.string(), module, module,
                         extra_brands_.empty() ? "" : ",\n    " + extra_brands_,
                         extra_fields_.empty() ? "" : "\n  " + extra_fields_ + ",", journal_path().string()));
}

void EngineEnv::set_faults(const std::string& rules) {
  rules_ = rules;
  std::string text = brand_ == Brand::Haitai ? "manufacturer Haitai\nmodel HaiKey\n" : "manufacturer Feitian\nmodel ePass3003\n";
  if (!serial_override_.empty()) text += "serial " + serial_override_ + "\n";
  faults_->set(text + rules);
}

void EngineEnv::set_token_serial(const std::string& serial) {
  serial_override_ = serial;
  set_faults(rules_);
}

Customer EngineEnv::new_customer(Brand brand, int days_to_expiry) {
  brand_ = brand;
  serial_override_.clear();
  // A fresh token: SoftHSM is not loaded in this process between checks, so the files can go.
  fs::remove_all(hsm_->dir() / "tokens");
  fs::create_directories(hsm_->dir() / "tokens");
  hsm_->init_token("cust");
  const std::string m = shell_quote(testsupport::softhsm_module().string());
  const fs::path pub = tmp_.path() / "pub.der", cert = tmp_.path() / "cert.der";
  std::string out;
  const char* type = brand == Brand::Haitai ? "EC:prime256v1" : "rsa:2048";
  must(run_command(fmt::format("pkcs11-tool --module {} --token-label cust --login --pin {} --keypairgen "
                               "--key-type {} --id 01 --label zhangsan-sign",
                               m, kPin, type),
                   &out),
       "keypairgen", out);
  must(run_command(fmt::format("pkcs11-tool --module {} --token-label cust --read-object --type pubkey --id 01 -o {}", m,
                               shell_quote(pub.string())),
                   &out),
       "read pubkey", out);
  std::string der = read_file(pub);
  platform::dev::SeedRequest sr;
  sr.org = "内蒙古自治区政府采购中心";
  sr.common_name = "张三";
  sr.public_key = foundation::base64_encode(reinterpret_cast<const std::uint8_t*>(der.data()), der.size());
  sr.project = brand == Brand::Haitai ? "gov-procurement" : "e-bidding";
  sr.brand = brand == Brand::Haitai ? "haitai" : "feitian";
  sr.not_before = now_s() - 345 * 86400 + days_to_expiry * 86400 - 20 * 86400;
  sr.not_after = now_s() + days_to_expiry * 86400;
  auto seeded = platform::dev::seed_certificate(*client_, sr);
  if (!seeded) throw std::runtime_error("seed: " + seeded.error().to_string());
  write_file(cert, std::string(seeded->certificate.begin(), seeded->certificate.end()));
  must(run_command(fmt::format("pkcs11-tool --module {} --token-label cust --login --pin {} --write-object {} "
                               "--type cert --id 01 --label zhangsan-sign",
                               m, kPin, shell_quote(cert.string())),
                   &out),
       "write cert", out);
  set_faults("");
  ++customers_;
  Customer c;
  c.brand = brand;
  c.fingerprint = seeded->sha256;
  c.serial = seeded->serial;
  return c;
}

Run EngineEnv::kioskctl(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                        const std::function<void()>& paused) {
  // The output goes to a file, so that waiting for the process can also see it stop (KIOSK_PAUSE_AT).
  const fs::path out = tmp_.path() / "kioskctl.out";
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("kioskctl output file");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    // KIOSKCTL_UNDER_TEST: another build's kioskctl (to see a test fail before a fix).
    const char* other = std::getenv("KIOSKCTL_UNDER_TEST");
    std::vector<std::string> argv_s{other && *other ? other : KIOSKCTL_PATH, "-c", config_.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fd);
  Run r;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WUNTRACED) < 0) throw std::runtime_error("waitpid");
    if (!WIFSTOPPED(status)) break;
    if (paused) paused();
    kill(pid, SIGCONT);
  }
  if (WIFSIGNALED(status)) {
    r.killed = true;
    r.rc = 128 + WTERMSIG(status);
  } else {
    r.rc = WEXITSTATUS(status);
  }
  r.output = read_file(out);
  return r;
}

Run EngineEnv::renew(const std::map<std::string, std::string>& env, const std::vector<std::string>& extra,
                     const std::function<void()>& paused) {
  std::vector<std::string> args{"renew", "--phone", kPhone, "--code-from-outbox", "--pin-env", "PIN", "--pay-dev", "-y",
                                "--wait-key", "3"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto e = env;
  e.emplace("PIN", kPin);
  return kioskctl(args, e, paused);
}

Run EngineEnv::resume(const std::map<std::string, std::string>& env, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"renew", "--resume", "--pin-env", "PIN", "--pay-dev", "-y", "--wait-key", "3"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto e = env;
  e.emplace("PIN", kPin);
  return kioskctl(args, e);
}

platform::dev::Records EngineEnv::records(const std::string& fingerprint) {
  auto r = platform::dev::records(*client_, fingerprint);
  if (!r) throw std::runtime_error("records: " + r.error().to_string());
  return *r;
}

int EngineEnv::usable_pairs() {
  testsupport::RawP11 p11(testsupport::softhsm_module());
  return testsupport::count_usable_pairs(p11, p11.slot_of("cust"), kPin);
}

namespace {

// The certificates on the token with whether their private key is there (logged in).
std::vector<token::CertInfo> token_certificates() {
  auto m = token::Module::load(testsupport::softhsm_module());
  if (!m) return {};
  auto t = m->find_token_by_label("cust");
  if (!t) return {};
  auto s = token::Session::open(*m, t->slot);
  if (!s) return {};
  foundation::SecretBuffer pin(kPin);
  if (!s->login(pin)) return {};
  auto list = s->certificates();
  return list ? *list : std::vector<token::CertInfo>{};
}

}  // namespace

bool EngineEnv::renewed_on_token(const Customer& c) {
  auto recs = records(c.fingerprint);
  for (const auto& o : recs.orders) {
    auto order = client_->order_get(o.id);
    if (!order || !order->certificate) continue;
    const std::string fp = foundation::sha256_hex(*order->certificate);
    for (const auto& cert : token_certificates())
      if (cert.sha256_hex == fp && cert.private_key_found.value_or(false)) return true;
  }
  return false;
}

bool EngineEnv::old_certificate_on_token(const Customer& c) {
  for (const auto& cert : token_certificates())
    if (cert.sha256_hex == c.fingerprint) return true;
  return false;
}

std::string EngineEnv::journal_status(const std::string& order_id) {
  auto j = journal::Journal::open(journal_path());
  if (!j) return "journal: " + j.error().detail;
  auto b = j->by_order(order_id);
  if (!b || !*b) return "none";
  return std::string(journal::to_string((*b)->status));
}

std::vector<std::string> EngineEnv::violations(const Customer& c, bool must_be_done) {
  std::vector<std::string> v;
  auto recs = records(c.fingerprint);
  if (recs.orders.size() > 1) v.push_back(fmt::format("{} orders for one renewal", recs.orders.size()));
  for (const auto& o : recs.orders) {
    if (o.issuances > 1) v.push_back(fmt::format("order {}: {} issuances", o.id, o.issuances));
    if (o.payments > 1) v.push_back(fmt::format("order {}: {} payments", o.id, o.payments));
    const bool paid = o.status == "paid" || o.status == "issued" || o.status == "installed" || o.status == "needs_staff";
    if (paid && must_be_done && o.status != "installed" && o.status != "needs_staff")
      v.push_back(fmt::format("order {}: paid but ended {}", o.id, o.status));
    // Each message the kiosk sends is applied once as the platform sees it.
    if (o.installed_marks > 1)
      v.push_back(fmt::format("order {}: installed {} times", o.id, o.installed_marks));
    if (o.needs_staff_marks > 1)
      v.push_back(fmt::format("order {}: needs_staff {} times", o.id, o.needs_staff_marks));
    if (o.status == "installed" && o.installed_marks != 1)
      v.push_back(fmt::format("order {}: installed, but marked so {} times", o.id, o.installed_marks));
    if (o.status == "installed" && !renewed_on_token(c))
      v.push_back(fmt::format("order {}: installed, but its certificate is not on the key", o.id));
  }
  if (usable_pairs() < 1) v.push_back("no valid certificate with its private key on the key");
  auto j = journal::Journal::open(journal_path());
  if (!j) {
    v.push_back("journal does not open: " + j.error().detail);
  } else {
    if (auto i = j->integrity_check(); !i) v.push_back("journal integrity: " + i.error().detail);
    if (auto ch = j->verify_chain(); !ch) v.push_back("journal chain: " + ch.error().detail);
  }
  return v;
}

}  // namespace enginetest
