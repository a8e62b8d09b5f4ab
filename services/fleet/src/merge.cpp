// Precedence (docs/fleet.md, "Precedence"): the install-time values, then the layers that include this
// kiosk from the widest scope to the narrowest, each field set by a layer replacing the one before.
#include <algorithm>

#include "fleet/settings.hpp"

namespace fleet {

namespace {

template <typename T>
void take(T& into, const std::optional<T>& from) {
  if (from) into = *from;
}

void overlay(Settings& s, const SettingsPatch& p) {
  take(s.products, p.products);
  take(s.service_hours, p.service_hours);
  take(s.idle_timeout_s, p.idle_timeout_s);
  take(s.session_timeout_s, p.session_timeout_s);
  take(s.languages, p.languages);
  take(s.announcement, p.announcement);
  take(s.config_poll_s, p.config_poll_s);
  take(s.heartbeat_s, p.heartbeat_s);
  take(s.brand_modules, p.brand_modules);
  take(s.old_key_policy, p.old_key_policy);
  take(s.out_of_service, p.out_of_service);
  take(s.journal_retention_days, p.journal_retention_days);
  take(s.log_level, p.log_level);
}

}  // namespace

Settings effective_settings(const Settings& install, const Document& d, const KioskPlace& here) {
  std::vector<const Layer*> mine;
  for (const auto& l : d.layers)
    if (contains(l.scope, here)) mine.push_back(&l);
  // One layer per scope (parse_document refuses two), so one per kind on this kiosk's path.
  std::ranges::sort(mine, {}, [](const Layer* l) { return static_cast<int>(l->scope.kind); });
  Settings s = install;
  for (const Layer* l : mine) overlay(s, l->settings);
  return s;
}

}  // namespace fleet
