#include "settings_fields.hpp"

#include <array>
#include <set>
#include <string_view>

namespace fleet::detail {

namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::size_t kMaxIntervalsPerDay = 4;
constexpr std::size_t kMaxTextChars = 280;

// "HH:MM" → minutes; 24:00 only as an end.
int read_clock(std::string_view t, bool is_end) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (t[i] < '0' || t[i] > '9') return -1;
  int h = (t[0] - '0') * 10 + (t[1] - '0');
  int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59) return -1;
  if (h == 24 && m == 0 && is_end) return 1440;
  if (h > 23) return -1;
  return h * 60 + m;
}

ServiceHours read_service_hours(const json& v, const std::string& field) {
  ObjectReader r(v, field);
  ServiceHours hours;
  for (std::size_t d = 0; d < kWeekdays.size(); ++d) {
    const std::string day_field = r.path(kWeekdays[d]);
    const json& day = read_array(r.required(kWeekdays[d]), day_field, 0, kMaxIntervalsPerDay);
    int last_end = -1;
    for (std::size_t i = 0; i < day.size(); ++i) {
      const std::string f = index_path(day_field, i);
      std::string s = read_string(day[i], f);
      int start = s.size() == 11 && s[5] == '-' ? read_clock(std::string_view(s).substr(0, 5), false) : -1;
      int end = s.size() == 11 && s[5] == '-' ? read_clock(std::string_view(s).substr(6), true) : -1;
      if (start < 0 || end < 0) out_of_range(f, "\"" + s + "\" is not HH:MM-HH:MM (00:00–24:00)");
      if (start >= end)
        out_of_range(f, "\"" + s + "\" ends before it starts (split a night across two days)");
      if (start < last_end) out_of_range(f, "\"" + s + "\" overlaps or precedes the interval before it");
      last_end = end;
      hours.days[d].push_back({static_cast<std::uint16_t>(start), static_cast<std::uint16_t>(end)});
    }
  }
  r.finish();
  return hours;
}

std::vector<std::string> read_unique_ids(const json& v, const std::string& field, std::size_t min_items,
                                         std::size_t max_items) {
  const json& a = read_array(v, field, min_items, max_items);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string id = read_id(a[i], index_path(field, i));
    if (!seen.insert(id).second) out_of_range(index_path(field, i), "\"" + id + "\" is listed twice");
    out.push_back(std::move(id));
  }
  return out;
}

std::vector<std::string> read_languages(const json& v, const std::string& field) {
  const json& a = read_array(v, field, 1, 2);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string lang = read_string(a[i], index_path(field, i));
    if (lang != "zh-CN" && lang != "en")
      out_of_range(index_path(field, i), "\"" + lang + "\" is not zh-CN or en");
    for (const auto& l : out)
      if (l == lang) out_of_range(index_path(field, i), "\"" + lang + "\" is listed twice");
    out.push_back(std::move(lang));
  }
  bool has_zh = false;
  for (const auto& l : out) has_zh = has_zh || l == "zh-CN";
  if (!has_zh) out_of_range(field, "must include zh-CN");
  return out;
}

LocalizedText read_localized(const json& v, const std::string& field) {
  ObjectReader r(v, field);
  LocalizedText t;
  t.zh_cn = read_text(r.required("zh-CN"), r.path("zh-CN"), kMaxTextChars);
  t.en = read_text(r.required("en"), r.path("en"), kMaxTextChars);
  r.finish();
  return t;
}

std::optional<OutOfService> read_out_of_service(const json& v, const std::string& field) {
  if (v.is_null()) return std::nullopt;
  ObjectReader r(v, field);
  OutOfService o;
  o.reason = read_localized(r.required("reason"), r.path("reason"));
  if (const json* f = r.optional("from")) o.from = read_int(*f, r.path("from"), 0, kMaxUnixTime);
  if (const json* u = r.optional("until")) o.until = read_int(*u, r.path("until"), 0, kMaxUnixTime);
  if (o.from && o.until && *o.until <= *o.from) out_of_range(r.path("until"), "must be after from");
  r.finish();
  return o;
}

// A module as p11-kit registers it (the name of its file under /usr/share/p11-kit/modules without
// ".module"): the terminal resolves it to a library, so a signer never names what the kiosk loads.
std::string read_module_name(const json& v, const std::string& field) {
  std::string s = read_string(v, field);
  bool ok = !s.empty() && s.size() <= 64 && s[0] != '.' && s[0] != '-';
  for (char c : s)
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-' || c == '.');
  if (!ok || s.ends_with(".so") || s.find(".so.") != std::string::npos)
    out_of_range(field,
                 "\"" + s + "\" is not a p11-kit module name (a name, never a path or a library file)");
  return s;
}

std::map<std::string, std::string> read_brand_modules(const json& v, const std::string& field) {
  if (!v.is_object()) malformed(field, "must be a JSON object");
  if (v.size() > 16) out_of_range(field, std::to_string(v.size()) + " brands, at most 16");
  std::map<std::string, std::string> out;
  for (const auto& [brand, module] : v.items()) {
    const std::string f = field + "." + brand;
    read_id(json(brand), f);
    out[brand] = read_module_name(module, f);
  }
  return out;
}

std::map<std::string, domain::OldKeyPolicy> read_old_key_policy(const json& v, const std::string& field) {
  if (!v.is_object()) malformed(field, "must be a JSON object");
  if (v.size() > 32) out_of_range(field, std::to_string(v.size()) + " product families, at most 32");
  std::map<std::string, domain::OldKeyPolicy> out;
  for (const auto& [family, policy] : v.items()) {
    const std::string f = field + "." + family;
    read_id(json(family), f);
    domain::OldKeyPolicy p{};
    std::string s = read_string(policy, f);
    if (!domain::parse(s, p)) out_of_range(f, "\"" + s + "\" is not keep or delete");
    out[family] = p;
  }
  return out;
}

LogLevel read_log_level(const json& v, const std::string& field) {
  std::string s = read_string(v, field);
  for (LogLevel l : {LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug})
    if (s == to_string(l)) return l;
  out_of_range(field, "\"" + s + "\" is not error, warn, info or debug");
}

std::uint32_t read_u32(const json& v, const std::string& field, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::uint32_t>(read_int(v, field, lo, hi));
}

}  // namespace

SettingsPatch read_settings(const json& v, const std::string& path) {
  ObjectReader r(v, path);
  SettingsPatch p;
  if (const json* x = r.optional("products")) p.products = read_unique_ids(*x, r.path("products"), 1, 64);
  if (const json* x = r.optional("service_hours"))
    p.service_hours = read_service_hours(*x, r.path("service_hours"));
  if (const json* x = r.optional("idle_timeout_s"))
    p.idle_timeout_s = read_u32(*x, r.path("idle_timeout_s"), 30, 600);
  if (const json* x = r.optional("session_timeout_s"))
    p.session_timeout_s = read_u32(*x, r.path("session_timeout_s"), 60, 3600);
  if (const json* x = r.optional("languages")) p.languages = read_languages(*x, r.path("languages"));
  if (const json* x = r.optional("announcement"))
    p.announcement =
        x->is_null() ? std::optional<LocalizedText>{} : read_localized(*x, r.path("announcement"));
  if (const json* x = r.optional("config_poll_s"))
    p.config_poll_s = read_u32(*x, r.path("config_poll_s"), 60, 86400);
  if (const json* x = r.optional("heartbeat_s"))
    p.heartbeat_s = read_u32(*x, r.path("heartbeat_s"), 30, 3600);
  if (const json* x = r.optional("brand_modules"))
    p.brand_modules = read_brand_modules(*x, r.path("brand_modules"));
  if (const json* x = r.optional("old_key_policy"))
    p.old_key_policy = read_old_key_policy(*x, r.path("old_key_policy"));
  if (const json* x = r.optional("out_of_service"))
    p.out_of_service = read_out_of_service(*x, r.path("out_of_service"));
  if (const json* x = r.optional("journal_retention_days"))
    p.journal_retention_days = read_u32(*x, r.path("journal_retention_days"), 30, 3650);
  if (const json* x = r.optional("log_level")) p.log_level = read_log_level(*x, r.path("log_level"));
  r.finish();
  return p;
}

}  // namespace fleet::detail
