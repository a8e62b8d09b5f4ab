#include "fleet_agent.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "foundation/base64.hpp"
#include "foundation/clock.hpp"
#include "platform/kiosk_identity.hpp"
#include "runtime/crash_point.hpp"
#include "runtime/platform_options.hpp"
#include "token/module.hpp"

namespace runtime {
namespace {

constexpr std::string_view kFleetHealthFile = "fleet-health.json";

// When a file was last written, unix seconds (0: unknown): the running configuration, found at start,
// was applied when its state file was written.
std::int64_t written_at(const std::filesystem::path& p) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(p, ec);
  if (ec) return 0;
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

}  // namespace

FleetAgent::FleetAgent(Parts parts) : p_(std::move(parts)) {
  const KioskConfig& c = *p_.config;
  place_ = {c.kiosk_id, c.fleet.hall, c.fleet.region};
  install_ = install_settings(c);
  settings_ = install_;
  dir_ = c.fleet.state_dir;
}

FleetAgent::~FleetAgent() {
  stop();
}

void FleetAgent::start() {
  load();
  watch_sources();
  thread_ = std::thread([this] { run(); });
}

void FleetAgent::stop() {
  {
    std::lock_guard lock(wait_mutex_);
    stopping_ = true;
  }
  wait_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FleetAgent::sync_now() {
  {
    std::lock_guard lock(wait_mutex_);
    sync_requested_ = true;
  }
  wait_cv_.notify_all();
}

void FleetAgent::set_safe_point(bool safe) {
  if (safe_.exchange(safe) == safe) return;
  if (safe) wait_cv_.notify_all();  // a bundle waiting for this moment is applied now
}

FleetStatus FleetAgent::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

fleet::Settings FleetAgent::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void FleetAgent::fill(contract::Heartbeat& h) const {
  const FleetStatus s = status();
  h.config_version = s.version;
  contract::HeartbeatConfig c;
  c.version = s.version;
  c.sha256 = s.sha256;
  c.state = std::string(to_string(s.state));
  c.code = s.code;
  c.detail = s.detail;
  c.expires_at = s.expires_at;
  c.expired = s.expired;
  c.pending_version = s.pending_version;
  h.config = std::move(c);
}

std::int64_t FleetAgent::platform_now() {
  // The offset was taken against the system clock; before any answer, this kiosk's own.
  if (const auto offset = p_.client.platform_clock_offset()) return foundation::unix_seconds_now() + *offset;
  return p_.wall();
}

std::chrono::seconds FleetAgent::jittered(std::uint32_t s) {
  std::uniform_real_distribution<double> j(0.9, 1.1);
  return std::chrono::seconds(static_cast<std::int64_t>(static_cast<double>(s) * j(rng_)));
}

void FleetAgent::run() {
  next_poll_ = std::chrono::steady_clock::now();  // the first fetch at start
  next_renew_ = std::chrono::steady_clock::now();
  while (!stopping_) {
    bool sync = false;
    {
      std::lock_guard lock(wait_mutex_);
      sync = std::exchange(sync_requested_, false);
    }
    const auto now = std::chrono::steady_clock::now();
    if (enabled_ && (sync || now >= next_poll_)) {
      fetch();
      next_poll_ = std::chrono::steady_clock::now() + jittered(settings().config_poll_s);
    }
    if (enabled_ && waiting_ && safe_) apply_waiting();
    if (trial_until_) judge_trial();
    watch_sources();
    if (!p_.config->fleet.identity_dir.empty() && std::chrono::steady_clock::now() >= next_renew_) {
      renew_identity();
      next_renew_ = std::chrono::steady_clock::now() + std::chrono::seconds(p_.config->fleet.renew_check_s);
    }
    // A second's granularity: the service hours, the trial's window and the safe point are looked at
    // again; a sync or a safe point wakes the loop at once.
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait_for(lock, std::chrono::seconds(1),
                      [&] { return stopping_.load() || sync_requested_ || (waiting_ && safe_.load()); });
  }
}

void FleetAgent::load() {
  const FleetConfig& f = p_.config->fleet;
  auto disabled = [&](std::string why, bool error) {
    std::lock_guard lock(mutex_);
    status_.state = FleetState::Disabled;
    status_.detail = why;
    if (error) p_.events.error("fleet configuration disabled: " + why, {.step = "fleet.load"});
  };
  if (f.roots_file.empty()) return disabled("no configuration roots at install (fleet.roots_file)", false);
  auto roots = fleet::load_root_set_pem(f.roots_file, static_cast<int>(f.roots_threshold));
  if (!roots) return disabled(roots.error().sentence(), true);
  auto state = fleet::load_state(dir_, *roots);
  if (!state) return disabled(dir_.string() + ": " + state.error().message, true);
  trust_ = std::move(*state);
  // The health record: the last known good and the bundle rolled back, if any.
  std::ifstream in(dir_ / kFleetHealthFile);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    const auto j = nlohmann::json::parse(text.str(), nullptr, false);
    try {
      if (j.contains("good") && j["good"].is_object()) {
        Good g{j["good"].at("version").get<std::int64_t>(), j["good"].at("sha256").get<std::string>(), {}};
        if (auto der = foundation::base64_decode(j["good"].at("bundle").get<std::string>())) g.bundle = *der;
        good_ = std::move(g);
      }
      if (j.contains("rolled_back") && j["rolled_back"].is_object())
        rolled_back_ = RolledBack{j["rolled_back"].at("version").get<std::int64_t>(),
                                  j["rolled_back"].at("sha256").get<std::string>(),
                                  j["rolled_back"].at("why").get<std::string>()};
    } catch (const std::exception& e) {
      // Losing it costs a health window at worst: the applied bundle is tried again.
      p_.events.warning("fleet health record unreadable, ignored: " + std::string(e.what()),
                        {.step = "fleet.load"});
      good_.reset();
      rolled_back_.reset();
    }
  }
  enabled_ = true;
  const auto& applied = trust_.applied;
  if (!applied) {
    std::lock_guard lock(mutex_);
    status_.state = FleetState::Install;
    return;
  }
  if (rolled_back_ && rolled_back_->sha256 == applied->content_sha256) {
    if (good_)
      run_bundle(good_->bundle, good_->version, good_->sha256);
    else
      run_bundle({}, 0, "");
    std::lock_guard lock(mutex_);
    status_.state = FleetState::RolledBack;
    status_.code = "fleet.rolled_back";
    status_.detail = rolled_back_->why;
    status_.applied_at = written_at(dir_ / kFleetHealthFile);
    return;
  }
  run_bundle(applied->bundle, applied->version, applied->content_sha256);
  std::lock_guard lock(mutex_);
  status_.applied_at = written_at(dir_ / fleet::kStateFileName);
  if (good_ && good_->sha256 == applied->content_sha256) {
    status_.state = FleetState::Applied;
  } else {
    // Applied but never trusted (the kiosk stopped inside the window): the window starts again.
    problems_before_ = p_.driver_problems();
    trial_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(p_.config->fleet.health_window_s);
    status_.state = FleetState::Trial;
    status_.pending_version = applied->version;
  }
}

void FleetAgent::run_bundle(const foundation::Bytes& der, std::int64_t version, const std::string& sha256) {
  fleet::Settings s = install_;
  std::optional<fleet::Document> doc;
  if (!der.empty()) {
    const auto content = fleet::bundle_content(der);
    std::expected<fleet::Document, fleet::Refused> parsed = std::unexpected(fleet::Refused{});
    if (content) parsed = fleet::parse_document(*content);
    if (parsed) {
      s = fleet::effective_settings(install_, *parsed, place_);
      doc = std::move(*parsed);
    } else {
      p_.events.error("fleet bundle " + std::to_string(version) +
                          " in the state cannot be read again; the install-time values run",
                      {.step = "fleet.load"});
      version = 0;
    }
  }
  running_doc_ = doc;
  {
    std::lock_guard lock(mutex_);
    settings_ = s;
    status_.version = doc ? version : 0;
    status_.sha256 = doc ? sha256 : std::string();
    status_.expires_at = doc ? doc->expires_at : 0;
    status_.applied_at = doc ? p_.wall() : 0;  // load() puts the state file's time instead
    status_.expired = status_.expired_out = false;
  }
  expired_logged_ = false;
  p_.push(core::FleetSettingsChanged{core_settings(s)});
}

void FleetAgent::fetch() {
  auto r = p_.client.kiosk_config_bundle(etag_);
  if (!r) {
    const std::string why = r.error().code == "bundle.none" ? "no bundle published" : r.error().to_string();
    if (why != last_fetch_error_) p_.events.info("config fetch: " + why, {.step = "fleet.fetch"});
    last_fetch_error_ = why;
    std::lock_guard lock(mutex_);
    status_.fetch_error = why;
    return;
  }
  last_fetch_error_.clear();
  {
    std::lock_guard lock(mutex_);
    status_.last_fetch = p_.wall();
    status_.fetch_error.clear();
  }
  if (r->not_modified) return;
  etag_ = r->etag;
  const foundation::Bytes der(r->body.begin(), r->body.end());
  auto v = fleet::verify_bundle(der, trust_, place_,
                                std::chrono::sys_seconds(std::chrono::seconds(platform_now())));
  if (!v) {
    const std::string code(fleet::code(v.error().reason));
    p_.events.warning("configuration bundle " + v.error().sentence() + "; the running configuration stays",
                      {.step = "fleet.refused", .code = code});
    std::lock_guard lock(mutex_);
    status_.state = FleetState::Refused;
    status_.code = code;
    status_.detail = v.error().sentence();
    return;
  }
  if (v->outcome == fleet::Outcome::Unchanged) {
    // The same bundle again: only its CRL numbers may have moved on, which the state keeps.
    if (v->crl_numbers != trust_.crl_numbers)
      if (auto s = fleet::apply(dir_, trust_, *v, place_)) trust_ = std::move(*s);
    return;
  }
  p_.events.info("configuration bundle " + std::to_string(v->document.version) + " verified" +
                     (safe_ ? "" : "; it waits for a safe point (a customer is being served)"),
                 {.step = "fleet.verified"});
  waiting_ = std::move(*v);
  std::lock_guard lock(mutex_);
  status_.state = FleetState::Waiting;
  status_.pending_version = waiting_->document.version;
  status_.code.clear();
  status_.detail.clear();
}

void FleetAgent::apply_waiting() {
  fleet::Verified v = std::move(*waiting_);
  waiting_.reset();
  crash_point("fleet.apply.before");
  auto s = fleet::apply(dir_, trust_, v, place_);
  if (!s) {
    p_.events.error(
        "configuration bundle " + std::to_string(v.document.version) + " not applied: " + s.error().message,
        {.step = "fleet.apply"});
    etag_.clear();  // fetched again at the next poll
    std::lock_guard lock(mutex_);
    status_.state = FleetState::Refused;
    status_.code = "fleet.apply_failed";
    status_.detail = s.error().message;
    return;
  }
  crash_point("fleet.apply.saved");
  trust_ = std::move(*s);
  run_bundle(v.bundle, v.document.version, v.content_sha256);
  problems_before_ = p_.driver_problems();
  trial_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(p_.config->fleet.health_window_s);
  p_.events.info("configuration bundle " + std::to_string(v.document.version) + " applied (sha256 " +
                     v.content_sha256.substr(0, 16) + "…); trusted once the health checks pass",
                 {.step = "fleet.applied"});
  std::lock_guard lock(mutex_);
  status_.state = FleetState::Trial;
  status_.pending_version = v.document.version;
  status_.code.clear();
  status_.detail.clear();
}

void FleetAgent::judge_trial() {
  std::vector<std::string> problems;
  const fleet::Settings s = settings();
  std::set<std::string> seen;
  for (const auto& [brand, name] : s.brand_modules) {
    auto path = resolve_p11kit_module(p_.config->fleet.p11kit_modules_dir, name);
    if (!path) {
      problems.push_back(brand + ": " + path.error());
      continue;
    }
    if (!seen.insert(path->string()).second) continue;
    if (auto m = token::Module::load(*path); !m) problems.push_back(brand + ": " + m.error().to_string());
  }
  // A driver that was already missing before this bundle is not a reason to roll it back.
  for (const auto& d : p_.driver_problems())
    if (std::find(problems_before_.begin(), problems_before_.end(), d) == problems_before_.end())
      problems.push_back(d);
  if (problems.empty()) {
    if (auto c = p_.client.catalog(); !c) problems.push_back("platform: " + c.error().to_string());
  }
  if (!problems.empty()) {
    if (std::chrono::steady_clock::now() < *trial_until_) return;
    std::string why;
    for (const auto& p : problems) why += (why.empty() ? "" : "; ") + p;
    rollback(why);
    return;
  }
  trial_until_.reset();
  const auto& a = *trust_.applied;
  good_ = Good{a.version, a.content_sha256, a.bundle};
  rolled_back_.reset();
  save_record();
  p_.events.info("configuration bundle " + std::to_string(a.version) + " trusted: its health checks pass",
                 {.step = "fleet.trusted"});
  std::lock_guard lock(mutex_);
  status_.state = FleetState::Applied;
  status_.pending_version = 0;
}

void FleetAgent::rollback(const std::string& why) {
  trial_until_.reset();
  const auto& a = *trust_.applied;
  rolled_back_ = RolledBack{a.version, a.content_sha256, why};
  save_record();
  if (good_)
    run_bundle(good_->bundle, good_->version, good_->sha256);
  else
    run_bundle({}, 0, "");
  p_.events.warning("configuration bundle " + std::to_string(a.version) + " rolled back to " +
                        (good_ ? "bundle " + std::to_string(good_->version) : "the install-time values") +
                        ": " + why,
                    {.step = "fleet.rolled_back", .code = "fleet.rolled_back"});
  std::lock_guard lock(mutex_);
  status_.state = FleetState::RolledBack;
  status_.code = "fleet.rolled_back";
  status_.detail = why;
  status_.pending_version = 0;
}

void FleetAgent::save_record() {
  nlohmann::json j = nlohmann::json::object();
  if (good_)
    j["good"] = {{"version", good_->version},
                 {"sha256", good_->sha256},
                 {"bundle", foundation::base64_encode(good_->bundle)}};
  if (rolled_back_)
    j["rolled_back"] = {
        {"version", rolled_back_->version}, {"sha256", rolled_back_->sha256}, {"why", rolled_back_->why}};
  if (!platform::write_atomically(dir_ / kFleetHealthFile, j.dump(), 0600))
    p_.events.error("cannot write " + (dir_ / kFleetHealthFile).string(), {.step = "fleet.record"});
}

void FleetAgent::watch_sources() {
  const fleet::Settings s = settings();
  const std::int64_t wall = p_.wall();
  bool expired = false, expired_out = false;
  if (running_doc_) {
    const std::int64_t now = platform_now();
    expired = now >= running_doc_->expires_at;
    expired_out = expired && now >= running_doc_->expires_at +
                                        std::int64_t{p_.config->fleet.expired_out_of_service_days} * 86400;
    if (expired && !expired_logged_)
      p_.events.warning("the applied configuration (bundle " + std::to_string(running_doc_->version) +
                            ") expired and no newer one came; out of service " +
                            std::to_string(p_.config->fleet.expired_out_of_service_days) + " days after",
                        {.step = "fleet.expired"});
    expired_logged_ = expired;
  }
  {
    std::lock_guard lock(mutex_);
    status_.expired = expired;
    status_.expired_out = expired_out;
  }
  auto tell = [&](core::ServiceSource source, std::optional<core::OutOfServiceReason> now,
                  std::optional<core::OutOfServiceReason>& shown) {
    if (now == shown) return;
    shown = now;
    if (now)
      p_.push(core::ServiceSourceSet{source, std::move(*now)});
    else
      p_.push(core::ServiceSourceCleared{source});
  };
  tell(core::ServiceSource::Hours, hours_reason(s.service_hours, wall), hours_shown_);
  tell(core::ServiceSource::Fleet, fleet_reason(s.out_of_service, expired_out, wall), fleet_shown_);
}

void FleetAgent::renew_identity() {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(platform_now()));
  auto r =
      platform::renew_kiosk_certificate_if_due(client_options(*p_.config), p_.config->fleet.identity_dir, now,
                                               static_cast<int>(p_.config->fleet.renew_before_days));
  if (!r)
    p_.events.warning("kiosk certificate renewal failed: " + r.error().to_string(),
                      {.step = "identity.renew"});
  else if (*r)
    p_.events.info(
        "kiosk certificate renewed (the kiosk id is unchanged); the platform clients use it from "
        "their next connection",
        {.step = "identity.renew"});
}

}  // namespace runtime
