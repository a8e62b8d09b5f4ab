#include "runtime/config.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace runtime {
namespace {

using nlohmann::json;

// Walks one JSON object, remembers which keys were read, and reports each bad field by its dotted path.
class Reader {
public:
  Reader(const json& obj, std::string path, std::vector<ConfigError>& errors)
      : obj_(obj), path_(std::move(path)), errors_(errors) {}

  [[nodiscard]] std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  void error(std::string_view key, std::string message) { errors_.push_back({field(key), std::move(message)}); }

  const json* get(std::string_view key, bool required) {
    seen_.insert(std::string(key));
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) error(key, "missing");
      return nullptr;
    }
    return &*it;
  }

  void string(std::string_view key, std::string& out, bool required) {
    if (const json* v = get(key, required)) {
      if (!v->is_string() || v->get_ref<const std::string&>().empty())
        error(key, "must be a non-empty string");
      else
        out = v->get<std::string>();
    }
  }

  void path(std::string_view key, std::filesystem::path& out, bool required, const std::filesystem::path& base,
            bool must_exist) {
    std::string s;
    string(key, s, required);
    if (s.empty()) return;
    std::filesystem::path p(s);
    if (p.is_relative()) p = base / p;
    out = p.lexically_normal();
    if (must_exist) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(out, ec)) error(key, "file not found: " + out.string());
    }
  }

  void uint(std::string_view key, std::uint32_t& out, std::uint32_t min, std::uint32_t max) {
    if (const json* v = get(key, false)) {
      if (!v->is_number_unsigned() || v->get<std::uint64_t>() < min || v->get<std::uint64_t>() > max)
        error(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      else
        out = v->get<std::uint32_t>();
    }
  }

  void boolean(std::string_view key, bool& out) {
    if (const json* v = get(key, false)) {
      if (!v->is_boolean())
        error(key, "must be true or false");
      else
        out = v->get<bool>();
    }
  }

  void reject_unknown() {
    for (const auto& [k, v] : obj_.items())
      if (!seen_.contains(k)) errors_.push_back({field(k), "unknown key (misspelt?)"});
  }

private:
  const json& obj_;
  std::string path_;
  std::vector<ConfigError>& errors_;
  std::set<std::string, std::less<>> seen_;
};

const json* object_at(Reader& r, std::string_view key, bool required) {
  const json* v = r.get(key, required);
  if (v && !v->is_object()) {
    r.error(key, "must be an object");
    return nullptr;
  }
  return v;
}

// Thrown out of the parser's callback when the text nests past kMaxConfigDepth: the parser stops there
// instead of building the rest.
struct TooDeep {};

}  // namespace

const BrandConfig* KioskConfig::brand(std::string_view id) const {
  for (const auto& b : brands)
    if (b.id == id) return &b;
  return nullptr;
}

const BrandConfig* KioskConfig::brand_for_token(std::string_view manufacturer, std::string_view model) const {
  for (const auto& b : brands)
    if (b.manufacturer == manufacturer && b.model == model) return &b;
  return nullptr;
}

const ProductFamilyConfig* KioskConfig::family(std::string_view id) const {
  for (const auto& f : product_families)
    if (f.id == id) return &f;
  return nullptr;
}

std::expected<KioskConfig, std::vector<ConfigError>> parse_config(std::string_view json_text,
                                                                  const std::filesystem::path& base_dir) {
  std::vector<ConfigError> errors;
  if (json_text.size() > kMaxConfigBytes)
    return std::unexpected(std::vector<ConfigError>{
        {"", "larger than " + std::to_string(kMaxConfigBytes / 1024) + " KiB: not a kiosk configuration"}});
  // The parser's callback sees every value with its depth (comments, which the file may have, are skipped
  // by the parser itself, so a bracket in a comment does not count).
  auto bounded = [](int depth, json::parse_event_t, json&) {
    if (depth > static_cast<int>(kMaxConfigDepth)) throw TooDeep{};
    return true;
  };
  json doc;
  try {
    doc = json::parse(json_text, bounded, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  } catch (const TooDeep&) {
    return std::unexpected(std::vector<ConfigError>{
        {"", "nested more than " + std::to_string(kMaxConfigDepth) + " deep: not a kiosk configuration"}});
  }
  if (doc.is_discarded()) return std::unexpected(std::vector<ConfigError>{{"", "not valid JSON"}});
  if (!doc.is_object()) return std::unexpected(std::vector<ConfigError>{{"", "must be a JSON object"}});

  KioskConfig c;
  Reader top(doc, "", errors);
  if (const json* v = top.get("schema_version", true)) {
    if (!v->is_number_integer() || v->get<int>() != kConfigSchemaVersion)
      top.error("schema_version", "must be " + std::to_string(kConfigSchemaVersion) +
                                      " (this kiosk's software reads version " +
                                      std::to_string(kConfigSchemaVersion) + ")");
  }
  top.get("$comment", false);
  top.string("kiosk_id", c.kiosk_id, true);
  if (!c.kiosk_id.empty() && !std::regex_match(c.kiosk_id, std::regex("[A-Za-z0-9_-]{1,64}")))
    top.error("kiosk_id", "letters, digits, '-' and '_' only, at most 64");

  if (const json* p = object_at(top, "platform", true)) {
    Reader r(*p, "platform", errors);
    r.string("base_url", c.platform.base_url, true);
    if (!c.platform.base_url.empty()) {
      if (!c.platform.base_url.starts_with("https://"))
        r.error("base_url", "must start with https://");
      else if (!c.platform.base_url.ends_with("/"))
        c.platform.base_url += '/';
    }
    r.path("ca_file", c.platform.ca_file, true, base_dir, true);
    r.path("client_cert", c.platform.client_cert, true, base_dir, true);
    r.path("client_key", c.platform.client_key, true, base_dir, true);
    r.uint("connect_timeout_ms", c.platform.connect_timeout_ms, 100, 60000);
    r.uint("request_timeout_ms", c.platform.request_timeout_ms, 500, 300000);
    r.uint("long_poll_s", c.platform.long_poll_s, 1, 60);
    r.reject_unknown();
  }

  if (const json* bs = top.get("brands", true)) {
    if (!bs->is_array() || bs->empty()) {
      top.error("brands", "must be a non-empty list");
    } else {
      for (std::size_t i = 0; i < bs->size(); ++i) {
        std::string path = "brands[" + std::to_string(i) + "]";
        if (!(*bs)[i].is_object()) {
          errors.push_back({path, "must be an object"});
          continue;
        }
        Reader r((*bs)[i], path, errors);
        BrandConfig b;
        r.string("id", b.id, true);
        r.string("display_name", b.display_name, true);
        r.path("module", b.module, true, base_dir, false);
        r.string("manufacturer", b.manufacturer, true);
        r.string("model", b.model, true);
        r.reject_unknown();
        if (!b.id.empty() && c.brand(b.id)) r.error("id", "duplicate brand id '" + b.id + "'");
        c.brands.push_back(std::move(b));
      }
    }
  }

  if (const json* fs = top.get("product_families", false)) {
    if (!fs->is_array()) {
      top.error("product_families", "must be a list");
    } else {
      for (std::size_t i = 0; i < fs->size(); ++i) {
        std::string path = "product_families[" + std::to_string(i) + "]";
        if (!(*fs)[i].is_object()) {
          errors.push_back({path, "must be an object"});
          continue;
        }
        Reader r((*fs)[i], path, errors);
        ProductFamilyConfig f;
        r.string("id", f.id, true);
        std::string alg, pol;
        r.string("key_algorithm", alg, true);
        if (!domain::parse(alg, f.key_algorithm) && !alg.empty())
          r.error("key_algorithm", "must be \"rsa-2048\" or \"ec-p256\"");
        r.string("old_key_policy", pol, true);
        if (!domain::parse(pol, f.old_key_policy) && !pol.empty())
          r.error("old_key_policy", "must be \"keep\" or \"delete\"");
        r.reject_unknown();
        c.product_families.push_back(std::move(f));
      }
    }
  }

  if (const json* t = object_at(top, "timeouts", false)) {
    Reader r(*t, "timeouts", errors);
    r.uint("idle_s", c.timeouts.idle_s, 15, 3600);
    r.uint("idle_warning_s", c.timeouts.idle_warning_s, 20, 300);
    r.uint("session_max_s", c.timeouts.session_max_s, 60, 3600);
    r.uint("token_poll_ms", c.timeouts.token_poll_ms, 100, 2000);
    r.reject_unknown();
  }

  if (const json* u = object_at(top, "ui", false)) {
    Reader r(*u, "ui", errors);
    r.string("language", c.ui.language, false);
    if (c.ui.language != "zh-CN" && c.ui.language != "en") r.error("language", "must be \"zh-CN\" or \"en\"");
    r.boolean("shuffle_pin_keypad", c.ui.shuffle_pin_keypad);
    r.reject_unknown();
  }

  if (const json* sv = object_at(top, "service", false)) {
    Reader r(*sv, "service", errors);
    r.uint("check_s", c.service.check_s, 1, 3600);
    r.uint("heartbeat_s", c.service.heartbeat_s, 1, 86400);
    r.uint("platform_out_after", c.service.platform_out_after, 1, 20);
    r.uint("platform_back_after", c.service.platform_back_after, 1, 20);
    r.reject_unknown();
  }

  if (const json* fl = object_at(top, "fleet", false)) {
    Reader r(*fl, "fleet", errors);
    r.string("hall", c.fleet.hall, false);
    r.string("region", c.fleet.region, false);
    for (const auto* v : {&c.fleet.hall, &c.fleet.region})
      if (!v->empty() && !std::regex_match(*v, std::regex("[A-Za-z0-9_-]{1,64}")))
        r.error(v == &c.fleet.hall ? "hall" : "region", "letters, digits, '-' and '_' only, at most 64");
    r.path("roots_file", c.fleet.roots_file, false, base_dir, true);
    r.uint("roots_threshold", c.fleet.roots_threshold, 1, 8);
    r.path("state_dir", c.fleet.state_dir, false, base_dir, false);
    r.uint("config_poll_s", c.fleet.config_poll_s, 60, 86400);
    r.uint("expired_out_of_service_days", c.fleet.expired_out_of_service_days, 0, 365);
    r.uint("health_window_s", c.fleet.health_window_s, 1, 3600);
    r.path("p11kit_modules_dir", c.fleet.p11kit_modules_dir, false, base_dir, false);
    r.path("identity_dir", c.fleet.identity_dir, false, base_dir, false);
    r.uint("renew_check_s", c.fleet.renew_check_s, 60, 86400);
    r.uint("renew_before_days", c.fleet.renew_before_days, 1, 400);
    r.reject_unknown();
  }

  top.path("journal_path", c.journal_path, false, base_dir, false);
  top.uint("journal_retention_days", c.journal_retention_days, 30, 3650);
  top.uint("journal_min_free_mb", c.journal_min_free_mb, 0, 1048576);
  if (c.journal_path.is_relative()) c.journal_path = (base_dir / c.journal_path).lexically_normal();
  if (c.fleet.state_dir.empty()) c.fleet.state_dir = c.journal_path.parent_path();

  if (const json* st = object_at(top, "staff", false)) {
    Reader r(*st, "staff", errors);
    StaffConfig s;
    r.path("ca_file", s.ca_file, true, base_dir, true);
    r.string("role_oid", s.role_oid, true);
    const std::regex oid(R"(^[0-2](\.(0|[1-9][0-9]{0,38}))+$)");
    if (!s.role_oid.empty() && !std::regex_match(s.role_oid, oid))
      r.error("role_oid", "must be a dotted OID such as 2.25.161466141967956400798317720578276031232");
    // Staff certificates name the kiosk's place as the fleet section gives it (its hall, its region).
    if (c.fleet.hall.empty()) r.error("ca_file", "staff KEYs need this kiosk's hall: set fleet.hall");
    r.uint("crl_grace_h", s.crl_grace_h, 0, 720);
    r.path("crl_file", s.crl_file, false, base_dir, false);
    if (s.crl_file.empty()) s.crl_file = c.journal_path.parent_path() / "staff-crl.der";
    r.reject_unknown();
    c.staff = std::move(s);
  }
  if (const json* sc = object_at(top, "staff_channel", false)) {
    Reader r(*sc, "staff_channel", errors);
    r.path("socket", c.staff_channel.socket, false, base_dir, false);
    r.string("group", c.staff_channel.group, false);
    if (c.staff_channel.socket.string().size() >= 108)  // sockaddr_un's sun_path
      r.error("socket", "at most 107 bytes (a Unix socket's path)");
    r.reject_unknown();
  }
  top.reject_unknown();

  if (!errors.empty()) return std::unexpected(std::move(errors));
  return c;
}

std::expected<KioskConfig, std::vector<ConfigError>> load_config(const std::filesystem::path& file) {
  auto one = [](std::string message) {
    return std::unexpected(std::vector<ConfigError>{{"", std::move(message)}});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return one(file.string() + " is a directory, not a configuration file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return one("cannot read configuration file " + file.string());
  // Read at most one byte past the cap: a huge file (or a device) is refused without reading it whole.
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return one("cannot read configuration file " + file.string());
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes)
    return one(file.string() + " is larger than " + std::to_string(kMaxConfigBytes / 1024) +
               " KiB: not a kiosk configuration");
  auto base = std::filesystem::absolute(file).parent_path();
  auto c = parse_config(text, base);
  if (c) c->source = std::filesystem::absolute(file);
  return c;
}

}  // namespace runtime
