#include "token_hub.hpp"

#include "mapping.hpp"

namespace runtime {

TokenHub::TokenHub(const KioskConfig& config) : config_(config) {
  for (const auto& brand : config.brands) {
    const std::string path = brand.module.string();
    bool have = false;
    for (const auto& m : modules_) have = have || m.path == path;
    if (have) continue;
    auto m = token::Module::load(brand.module);
    if (!m) {
      failures_.emplace(brand.id, m.error());
      continue;
    }
    token::Watcher w(*m);
    modules_.push_back(Loaded{path, std::move(*m), std::move(w)});
  }
}

core::KeyStatus TokenHub::compute(const std::vector<token::TokenInfo>& present) const {
  core::KeyStatus s;
  if (present.empty()) {
    // With no module loaded at all, the kiosk cannot see any key: say so instead of "no key".
    s.presence = modules_.empty() && !failures_.empty() ? core::KeyPresence::DriverMissing : core::KeyPresence::NoKey;
    return s;
  }
  const token::TokenInfo* pick = &present.front();
  for (const auto& t : present)
    if (config_.brand_for_token(t.identity.manufacturer, t.identity.model)) {
      pick = &t;
      break;
    }
  s.identity = pick->identity;
  if (const BrandConfig* b = config_.brand_for_token(pick->identity.manufacturer, pick->identity.model)) {
    s.presence = core::KeyPresence::Recognised;
    s.brand_id = b->id;
    s.brand_name = b->display_name;
  } else {
    s.presence = core::KeyPresence::NotRecognised;
  }
  return s;
}

std::optional<core::KeyStatus> TokenHub::poll() {
  std::lock_guard lock(mutex_);
  std::vector<token::TokenInfo> present;
  for (auto& m : modules_) {
    auto r = m.watcher.poll();
    if (!r) continue;  // a module that fails one poll keeps its last list
    present.insert(present.end(), m.watcher.present().begin(), m.watcher.present().end());
  }
  core::KeyStatus s = compute(present);
  if (polled_ && s == status_) return std::nullopt;
  polled_ = true;
  status_ = s;
  return s;
}

void TokenHub::report_next_poll() {
  std::lock_guard lock(mutex_);
  polled_ = false;
}

core::KeyStatus TokenHub::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

token::Result<TokenHub::Inserted> TokenHub::inserted() const {
  if (modules_.empty() && !failures_.empty()) return std::unexpected(failures_.begin()->second);
  std::optional<Inserted> first;
  for (const auto& m : modules_) {
    auto tokens = m.module.tokens();
    if (!tokens) continue;
    for (const auto& t : *tokens) {
      Inserted in{&m.module, t, config_.brand_for_token(t.identity.manufacturer, t.identity.model)};
      if (in.brand) return in;
      if (!first) first = in;
    }
  }
  if (first) return *first;
  return std::unexpected(token::make_error(token::ErrorCode::TokenAbsent, "no token in any slot"));
}

token::Result<TokenHub::Inserted> TokenHub::find(const token::TokenIdentity& id) const {
  bool any = false;
  for (const auto& m : modules_) {
    auto t = m.module.find_token(id);
    if (t) return Inserted{&m.module, *t, config_.brand_for_token(id.manufacturer, id.model)};
    any = any || t.error().code == token::ErrorCode::WrongToken;
  }
  if (modules_.empty() && !failures_.empty()) return std::unexpected(failures_.begin()->second);
  return std::unexpected(any ? token::make_error(token::ErrorCode::WrongToken, "another token is inserted")
                             : token::make_error(token::ErrorCode::TokenAbsent, "no token in any slot"));
}

std::vector<std::string> TokenHub::problems() const {
  std::vector<std::string> out;
  for (const auto& [brand, err] : failures_) out.push_back(brand + ": " + err.to_string());
  return out;
}

std::vector<TokenHub::Driver> TokenHub::drivers() const {
  std::vector<Driver> out;
  for (const auto& brand : config_.brands) {
    Driver d{brand.id, brand.module.string(), false, {}, {}, {}};
    if (auto f = failures_.find(brand.id); f != failures_.end()) {
      d.problem = f->second.to_string();
    } else {
      for (const auto& m : modules_) {
        if (m.path != d.module) continue;
        d.loaded = true;
        if (auto info = m.module.info()) {
          d.library_version = info->library_version;
          d.manufacturer = info->manufacturer;
        } else {
          d.problem = "C_GetInfo: " + info.error().to_string();
        }
      }
      // A brand sharing another brand's library that failed has its failure under that brand.
      if (!d.loaded && d.problem.empty()) d.problem = "its library did not load (see the other brands)";
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace runtime
