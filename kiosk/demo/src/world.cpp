// libkiosk_demo.so: the demo's world (demo/controls.hpp). Everything lives in one temp dir, removed when
// the Controls are deleted: the platform's data (PKI, catalog, SQLite, SMS outbox), SoftHSM's
// configuration and token files, the fault module's control file, the kiosk's configuration and journal.
#include <dlfcn.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "demo/controls.hpp"
#include "events/event_log.hpp"
#include "foundation/base64.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "reference/pki.hpp"
#include "reference/server.hpp"
#include "token/module.hpp"
#include "token/personalise.hpp"
#include "token/session.hpp"
#include "foundation/clock.hpp"

namespace demo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUserPin = "123456";
constexpr const char* kSoPin = "12345678";
constexpr const char* kTokenLabel = "demo-key";
constexpr const char* kStaffTokenLabel = "staff-key";
constexpr const char* kDemoHall = "DEMO-HALL";
// The staff role the demo's configuration pins (docs/staff.md's example OID).
constexpr const char* kStaffRoleOid = "2.25.161466141967956400798317720578276031232";
constexpr const char* kDemoPhone = "13812345678";  // exempt from the SMS limits: the walk-through uses it
constexpr int kTokenPollMs = 250;

// A test hook: the package build (KIOSK_TEST_HOOKS=OFF) always takes the fallback.
std::string env_or([[maybe_unused]] const char* name, const char* fallback) {
#if KIOSK_TEST_HOOKS
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
#else
  return fallback;
#endif
}

void write_text(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".new";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, p);  // the fault module sees a new inode and reloads
}

// The few raw PKCS#11 calls the token layer does not offer (it never initialises a customer's token):
// C_InitToken and C_InitPIN on SoftHSM itself, past the fault module, so that they work while the key is
// "pulled" for the kiosk. Same dlopen handle as the fault module's own: one SoftHSM instance per process.
class RawSoftHsm {
 public:
  explicit RawSoftHsm(const std::string& path) {
    dl_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl_) throw std::runtime_error("cannot load SoftHSM (" + path + "): install softhsm2 (deploy/dev.sh)");
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(dl_, "C_GetFunctionList"));
    if (!get || get(&f_) != CKR_OK) throw std::runtime_error(path + " is not a PKCS#11 module");
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = f_->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) throw std::runtime_error(rv_text("C_Initialize", rv));
  }
  RawSoftHsm(const RawSoftHsm&) = delete;
  RawSoftHsm& operator=(const RawSoftHsm&) = delete;
  // Neither C_Finalize nor dlclose: the runtime's token layer shares this instance until the process ends.
  ~RawSoftHsm() = default;

  // (Re)initialises the token labelled `label`, or the free slot's when there is none, with the demo PINs.
  std::expected<void, std::string> init_token(const std::string& label) {
    // Again: a kiosk runtime that loaded the fault module first may have finalised SoftHSM when it stopped.
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    if (CK_RV rv = f_->C_Initialize(&args); rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
      return std::unexpected(rv_text("C_Initialize", rv));
    CK_ULONG n = 0;
    if (CK_RV rv = f_->C_GetSlotList(CK_FALSE, nullptr, &n); rv != CKR_OK)
      return std::unexpected(rv_text("C_GetSlotList", rv));
    std::vector<CK_SLOT_ID> slots(n);
    if (CK_RV rv = f_->C_GetSlotList(CK_FALSE, slots.data(), &n); rv != CKR_OK)
      return std::unexpected(rv_text("C_GetSlotList", rv));
    std::optional<CK_SLOT_ID> labelled, free;
    for (CK_ULONG i = 0; i < n; ++i) {
      CK_TOKEN_INFO ti{};
      if (f_->C_GetTokenInfo(slots[i], &ti) != CKR_OK) continue;
      if (!(ti.flags & CKF_TOKEN_INITIALIZED)) {
        if (!free) free = slots[i];
        continue;
      }
      std::string l(reinterpret_cast<const char*>(ti.label), sizeof ti.label);
      while (!l.empty() && l.back() == ' ') l.pop_back();
      if (l == label) labelled = slots[i];
    }
    const std::optional<CK_SLOT_ID> slot = labelled ? labelled : free;
    if (!slot) return std::unexpected(std::string("SoftHSM has no free slot"));
    CK_UTF8CHAR padded[32];
    std::fill(std::begin(padded), std::end(padded), static_cast<CK_UTF8CHAR>(' '));
    std::copy(label.begin(), label.end(), padded);
    std::string so(kSoPin), user(kUserPin);
    if (CK_RV rv = f_->C_InitToken(*slot, reinterpret_cast<CK_UTF8CHAR_PTR>(so.data()), so.size(), padded);
        rv != CKR_OK)
      return std::unexpected(rv_text("C_InitToken", rv));
    // SoftHSM may move the token to another slot id when it is initialised: find it by label again.
    auto t = token_slot(label);
    if (!t) return std::unexpected(t.error());
    CK_SESSION_HANDLE h = 0;
    if (CK_RV rv = f_->C_OpenSession(*t, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h); rv != CKR_OK)
      return std::unexpected(rv_text("C_OpenSession", rv));
    CK_RV rv = f_->C_Login(h, CKU_SO, reinterpret_cast<CK_UTF8CHAR_PTR>(so.data()), so.size());
    if (rv == CKR_OK) rv = f_->C_InitPIN(h, reinterpret_cast<CK_UTF8CHAR_PTR>(user.data()), user.size());
    f_->C_Logout(h);
    f_->C_CloseSession(h);
    if (rv != CKR_OK) return std::unexpected(rv_text("C_InitPIN", rv));
    return {};
  }

 private:
  std::expected<CK_SLOT_ID, std::string> token_slot(const std::string& label) {
    CK_ULONG n = 0;
    f_->C_GetSlotList(CK_TRUE, nullptr, &n);
    std::vector<CK_SLOT_ID> slots(n);
    f_->C_GetSlotList(CK_TRUE, slots.data(), &n);
    for (CK_ULONG i = 0; i < n; ++i) {
      CK_TOKEN_INFO ti{};
      if (f_->C_GetTokenInfo(slots[i], &ti) != CKR_OK) continue;
      std::string l(reinterpret_cast<const char*>(ti.label), sizeof ti.label);
      while (!l.empty() && l.back() == ' ') l.pop_back();
      if (l == label) return slots[i];
    }
    return std::unexpected("no token labelled " + label + " after C_InitToken");
  }
  static std::string rv_text(const char* fn, CK_RV rv) { return fmt::format("{} returned 0x{:x}", fn, rv); }

  void* dl_ = nullptr;
  CK_FUNCTION_LIST_PTR f_ = nullptr;
};

class World final : public Controls {
 public:
  World(events::EventLog* log, std::optional<std::uint64_t> seed) : events_(log, "demo"), seed_(seed) {
    char tmpl[] = "/tmp/kiosk-demo-XXXXXX";
    const std::string base = env_or("TMPDIR", "/tmp");
    std::string pattern = base + "/kiosk-demo-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const char* made = mkdtemp(buf.data());
    if (!made) made = mkdtemp(tmpl);
    if (!made) throw std::runtime_error("cannot make a temporary directory");
    dir_ = made;
    try {
      build();
    } catch (...) {
      teardown();
      throw;
    }
  }
  ~World() override { teardown(); }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  fs::path config_path() const override { return dir_ / "kiosk.json"; }

  std::string latest_sms() override {
    auto out = platform::dev::sms_outbox(*client_);
    if (!out || out->empty()) return {};
    return out->back().phone + " " + out->back().code;
  }

  std::expected<std::string, std::string> code_for(const std::string& phone) override {
    auto out = platform::dev::sms_outbox(*client_, phone);
    if (!out) return std::unexpected(out.error().to_string());
    if (out->empty()) return std::unexpected("no SMS to " + phone + " in the outbox");
    return out->back().code;
  }

  std::expected<void, std::string> pay() override {
    auto recs = platform::dev::records(*client_, fingerprint_);
    if (!recs) return std::unexpected(recs.error().to_string());
    for (auto it = recs->orders.rbegin(); it != recs->orders.rend(); ++it) {
      if (it->status != "pending_payment") continue;
      auto paid = platform::dev::pay(*client_, it->id);
      if (!paid) return std::unexpected(paid.error().to_string());
      say(fmt::format("order {} paid (¥{:.2f}) by the simulated scan", it->id,
                      static_cast<double>(it->amount_fen) / 100.0));
      return {};
    }
    return std::unexpected(std::string("no order waiting for payment"));
  }

  bool key_inserted() const override {
    std::lock_guard lock(m_);
    return inserted_;
  }
  bool staff_key_inserted() const override {
    std::lock_guard lock(m_);
    return inserted_ && staff_in_;
  }
  void set_staff_key_inserted(bool inserted) override {
    std::lock_guard lock(m_);
    inserted_ = inserted;
    staff_in_ = inserted;
    write_control();
    say(inserted ? "the staff KEY inserted (王芳)" : "the staff KEY pulled out");
  }
  void set_key_inserted(bool inserted) override {
    std::lock_guard lock(m_);
    inserted_ = inserted;
    if (inserted) staff_in_ = false;
    if (inserted) rules_.clear();  // a reinserted key is a healthy key
    write_control();
    say(inserted ? "key inserted" : "key pulled out");
  }
  void set_key_faults(const std::string& rules) override {
    std::lock_guard lock(m_);
    rules_ = rules;
    write_control();
  }

  std::expected<void, std::string> new_key(KeyKind kind) override {
    try {
      {
        std::lock_guard lock(m_);
        inserted_ = false;
        rules_.clear();
        write_control();
      }
      // Let the kiosk's hot-plug poll see the key gone before the token changes under it.
      std::this_thread::sleep_for(std::chrono::milliseconds(3 * kTokenPollMs));
      personalise(kind);
      {
        std::lock_guard lock(m_);
        kind_ = kind;
        inserted_ = true;
        ++serial_;
        write_control();
      }
      say(fmt::format("a new {} key with a certificate expiring in 20 days (SHA-256 {}…)",
                      kind == KeyKind::Paid ? "飞天诚信KEY (¥300/year)" : "海泰KEY (¥0)",
                      fingerprint_.substr(0, 12)));
      return {};
    } catch (const std::exception& e) {
      return std::unexpected(std::string(e.what()));
    }
  }
  std::vector<std::pair<std::string, std::string>> orders() override {
    std::vector<std::pair<std::string, std::string>> out;
    auto recs = platform::dev::records(*client_, fingerprint_);
    if (recs)
      for (const auto& o : recs->orders) out.emplace_back(o.id, o.status);
    return out;
  }
  std::expected<void, std::string> advance_platform_clock(long long seconds) override {
    auto r = seconds != 0 ? platform::dev::advance_clock(*client_, seconds)
             : seed_      ? platform::dev::freeze_clock(*client_, kSeededStart)
                          : platform::dev::reset_clock(*client_);
    if (!r) return std::unexpected(r.error().to_string());
    std::lock_guard lock(m_);
    platform_now_ = seed_ ? std::optional<std::int64_t>(*r) : std::nullopt;
    return {};
  }

  KeyKind key_kind() const override {
    std::lock_guard lock(m_);
    return kind_;
  }

 private:
  // The platform's clock as the demo set it (seeded: frozen), else the system's.
  std::int64_t platform_now() const {
    std::lock_guard lock(m_);
    return platform_now_ ? *platform_now_ : foundation::unix_seconds_now();
  }

  void say(const std::string& s) { events_.info(s); }

  void build() {
    // SoftHSM: a private configuration and token directory (SOFTHSM2_CONF is read at C_Initialize).
    fs::create_directories(dir_ / "tokens");
    write_text(dir_ / "softhsm2.conf", fmt::format("directories.tokendir = {}\nobjectstore.backend = file\n"
                                                   "log.level = ERROR\n",
                                                   (dir_ / "tokens").string()));
    setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
    const std::string softhsm = env_or("KIOSK_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so");
    fault_module_ = env_or("P11FAULT_LIBRARY", KIOSK_P11FAULT_LIBRARY);
    if (!fs::exists(fault_module_))
      throw std::runtime_error("the fault module " + fault_module_.string() +
                               " is missing: build it (cmake --build build --target p11fault)");
    setenv("P11FAULT_MODULE", softhsm.c_str(), 1);
    setenv("P11FAULT_CONTROL", (dir_ / "p11fault.control").c_str(), 1);
    write_control();
    softhsm_ = std::make_unique<RawSoftHsm>(softhsm);
    softhsm_path_ = softhsm;

    // The platform: a throwaway PKI, the repository's catalog (a paid and a ¥0 product), dev endpoints.
    const fs::path data = dir_ / "platform";
    reference::InitOptions init;
    // A test hook: the catalog from elsewhere than the build's source tree (a test running the demo as
    // another user, who may not enter the tree).
    init.catalog = env_or("KIOSK_DEMO_CATALOG", "");
    reference::write_dev_pki(data, init);
    reference::ServerOptions so;
    so.data_dir = data;
    so.dev = true;
    so.test_phones = {kDemoPhone};
    so.pbkdf2_iterations = 20000;
    so.log_requests = std::getenv("KIOSK_PLATFORM_LOG") != nullptr;
    so.id_seed = seed_;
    server_ = std::make_unique<reference::Server>(so);
    server_->start();
    base_url_ = server_->base_url();
    const auto pki = reference::dev_pki_paths(data);
    platform::ClientOptions co;
    co.base_url = base_url_;
    co.ca_file = pki.platform_ca;
    co.client_cert = pki.kiosk_cert;
    co.client_key = pki.kiosk_key;
    auto c = platform::Client::create(co);
    if (!c) throw std::runtime_error("the demo's platform client: " + c.error().to_string());
    client_ = std::make_unique<platform::Client>(std::move(*c));
    say("reference platform on " + base_url_ + " (data in " + data.string() + ")");
    if (seed_) {
      auto frozen = platform::dev::freeze_clock(*client_, kSeededStart);
      if (!frozen) throw std::runtime_error("the platform's clock: " + frozen.error().to_string());
      platform_now_ = *frozen;
      say(fmt::format("seeded with {}: the platform's ids come from the seed, its clock stands at {}", *seed_,
                      kSeededStart));
    }

    write_text(config_path(), fmt::format(R"({{
  "schema_version": 1,
  "kiosk_id": "{}",
  "platform": {{"base_url": "{}", "ca_file": "{}", "client_cert": "{}", "client_key": "{}",
               "connect_timeout_ms": 2000, "request_timeout_ms": 8000}},
  "brands": [
    {{"id": "haitai", "display_name": "海泰KEY", "module": "{}", "manufacturer": "Haitai", "model": "HaiKey"}},
    {{"id": "feitian", "display_name": "飞天诚信KEY", "module": "{}", "manufacturer": "Feitian", "model": "ePass3003"}}
  ],
  "timeouts": {{"token_poll_ms": {}}},
  "fleet": {{"hall": "{}", "region": "DEMO"}},
  "staff": {{"ca_file": "{}", "role_oid": "{}"}},
  "journal_path": "{}"
}}
)",
                                          reference::kDefaultKioskId, base_url_, pki.platform_ca.string(),
                                          pki.kiosk_cert.string(), pki.kiosk_key.string(), fault_module_.string(),
                                          fault_module_.string(), kTokenPollMs, kDemoHall,
                                          (pki.dir / "staff-ca.pem").string(), kStaffRoleOid,
                                          (dir_ / "journal.db").string()));
    personalise(KeyKind::Paid);
    personalise_staff(pki.dir);
    kind_ = KeyKind::Paid;
    inserted_ = true;
    write_control();
  }

  // The token re-initialised, a pair generated on it, its certificate seeded on the platform and written.
  void personalise(KeyKind kind) {
    if (auto r = softhsm_->init_token(kTokenLabel); !r) throw std::runtime_error("SoftHSM: " + r.error());
    auto m = token::Module::load(softhsm_path_);
    if (!m) throw std::runtime_error("SoftHSM: " + m.error().to_string());
    auto t = m->find_token_by_label(kTokenLabel);
    if (!t) throw std::runtime_error("SoftHSM: " + t.error().to_string());
    auto s = token::Session::open(*m, t->slot);
    if (!s) throw std::runtime_error("SoftHSM: " + s.error().to_string());
    if (auto l = s->login(foundation::SecretBuffer(kUserPin)); !l)
      throw std::runtime_error("login: " + l.error().to_string());
    const std::vector<std::uint8_t> id{0x01};
    const auto alg = kind == KeyKind::Paid ? domain::KeyAlgorithm::Rsa2048 : domain::KeyAlgorithm::EcP256;
    auto pair = token::generate_pair(*s, alg, id, "张三的签名证书");
    if (!pair) throw std::runtime_error("key pair: " + pair.error().to_string());
    platform::dev::SeedRequest sr;
    sr.org = "内蒙古自治区政府采购中心";
    sr.org_unit = "采购处";
    sr.common_name = "张三";
    sr.public_key = foundation::base64_encode(pair->spki_der.data(), pair->spki_der.size());
    sr.project = kind == KeyKind::Paid ? "e-bidding" : "gov-procurement";
    sr.brand = kind == KeyKind::Paid ? "feitian" : "haitai";
    sr.not_after = platform_now() + 20 * 86400;
    sr.not_before = sr.not_after - 365 * 86400;
    auto seeded = platform::dev::seed_certificate(*client_, sr);
    if (!seeded) throw std::runtime_error("the platform's issuing CA: " + seeded.error().to_string());
    if (auto w = token::write_certificate(*s, seeded->certificate, id, "张三的签名证书"); !w)
      throw std::runtime_error("certificate: " + w.error().to_string());
    fingerprint_ = seeded->sha256;
  }

  // The hall's staff KEY on a token of its own: a P-256 pair made on it, its certificate from the platform's
  // dev staff CA (the role, this kiosk's hall), the CA written where the configuration pins it.
  void personalise_staff(const fs::path& pki_dir) {
    if (auto r = softhsm_->init_token(kStaffTokenLabel); !r) throw std::runtime_error("SoftHSM: " + r.error());
    auto m = token::Module::load(softhsm_path_);
    if (!m) throw std::runtime_error("SoftHSM: " + m.error().to_string());
    auto t = m->find_token_by_label(kStaffTokenLabel);
    if (!t) throw std::runtime_error("SoftHSM: " + t.error().to_string());
    auto s = token::Session::open(*m, t->slot);
    if (!s) throw std::runtime_error("SoftHSM: " + s.error().to_string());
    if (auto l = s->login(foundation::SecretBuffer(kUserPin)); !l)
      throw std::runtime_error("login: " + l.error().to_string());
    const std::vector<std::uint8_t> id{0x01};
    auto pair = token::generate_pair(*s, domain::KeyAlgorithm::EcP256, id, "staff");
    if (!pair) throw std::runtime_error("staff key pair: " + pair.error().to_string());
    platform::dev::StaffKeyRequest r;
    r.public_key = foundation::base64_encode(pair->spki_der.data(), pair->spki_der.size());
    r.common_name = "王芳";
    r.role_oid = kStaffRoleOid;
    r.scopes = {std::string("hall:") + kDemoHall};
    r.not_before = platform_now() - 30 * 86400;
    r.not_after = platform_now() + 365 * 86400;
    auto issued = platform::dev::staff_key(*client_, r);
    if (!issued) throw std::runtime_error("the platform's staff CA: " + issued.error().to_string());
    if (auto w = token::write_certificate(*s, issued->certificate, id, "staff"); !w)
      throw std::runtime_error("staff certificate: " + w.error().to_string());
    if (!fs::exists(pki_dir / "staff-ca.pem")) throw std::runtime_error("no dev staff CA in " + pki_dir.string());
  }

  // What the fault module reports and does: the brand's identity, a serial per key, pulled or not, rules,
  // and which KEY is in the reader's one port.
  void write_control() {
    if (staff_in_) {
      std::string text = fmt::format("port {}\nmanufacturer Haitai\nmodel HaiKey\nserial HTSTAFF0001\n",
                                     kStaffTokenLabel);
      text += inserted_ ? "removed 0\n" : "removed 1\n";
      write_text(dir_ / "p11fault.control", text);
      return;
    }
    const bool paid = kind_ == KeyKind::Paid;
    std::string text = paid ? "manufacturer Feitian\nmodel ePass3003\n" : "manufacturer Haitai\nmodel HaiKey\n";
    text += fmt::format("serial {}{:04}\nport {}\n", paid ? "FT2026" : "HT2026", serial_, kTokenLabel);
    text += inserted_ ? "removed 0\n" : "removed 1\n";
    text += rules_;
    if (!rules_.empty() && rules_.back() != '\n') text += '\n';
    write_text(dir_ / "p11fault.control", text);
  }

  void teardown() {
    if (server_) server_->stop();
    client_.reset();
    server_.reset();
    if (std::getenv("KIOSK_KEEP_DEMO") == nullptr) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    } else {
      say("files kept in " + dir_.string());
    }
  }

  events::Channel events_;
  std::optional<std::uint64_t> seed_;
  std::optional<std::int64_t> platform_now_;  // seeded: the frozen platform clock (guarded by m_)
  fs::path dir_;
  fs::path fault_module_;
  std::string softhsm_path_;
  std::unique_ptr<RawSoftHsm> softhsm_;
  std::unique_ptr<reference::Server> server_;
  std::string base_url_;
  std::unique_ptr<platform::Client> client_;
  std::string fingerprint_;
  mutable std::mutex m_;
  KeyKind kind_ = KeyKind::Paid;
  bool inserted_ = false;
  bool staff_in_ = false;  // the staff KEY is the one in the port
  int serial_ = 1;
  std::string rules_;
};

}  // namespace
}  // namespace demo

extern "C" __attribute__((visibility("default"))) demo::Controls* kiosk_demo_create(events::EventLog* log,
                                                                                    std::string* error) {
  try {
    return new demo::World(log, std::nullopt);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}

extern "C" __attribute__((visibility("default"))) demo::Controls* kiosk_demo_create_seeded(
    events::EventLog* log, std::uint64_t seed, std::string* error) {
  try {
    return new demo::World(log, seed);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}
