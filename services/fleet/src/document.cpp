// The settings document's top level: schema, versions, expiry, targets, layers (docs/fleet.md).
#include <array>
#include <charconv>
#include <set>

#include "fleet/settings.hpp"
#include "foundation/sha256.hpp"
#include "json_reader.hpp"
#include "settings_fields.hpp"

#ifndef KIOSK_SOFTWARE_VERSION
#error "KIOSK_SOFTWARE_VERSION is set by services/fleet/CMakeLists.txt"
#endif

namespace fleet {

using detail::json;

std::string_view software_version() noexcept {
  return KIOSK_SOFTWARE_VERSION;
}

std::string_view to_string(LogLevel l) noexcept {
  switch (l) {
    case LogLevel::Error:
      return "error";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "info";
}

ServiceHours ServiceHours::always_open() {
  ServiceHours h;
  for (auto& d : h.days) d = {Interval{0, 1440}};
  return h;
}

bool Document::fleet_wide() const {
  for (const auto& t : targets)
    if (t.scope.kind == ScopeKind::Fleet) return true;
  return false;
}

const Target* Document::target_for(const KioskPlace& here) const {
  for (const auto& t : targets) {
    if (!contains(t.scope, here)) continue;
    if (t.cohort_percent && cohort_bucket(here.kiosk_id, t.cohort_seed) >= *t.cohort_percent) continue;
    return &t;
  }
  return nullptr;
}

namespace {

constexpr std::int64_t kMaxVersion = (std::int64_t{1} << 53) - 1;  // exact in every JSON reader

// "1.2.3" → {1, 2, 3}; nullopt for anything else.
std::optional<std::array<long, 3>> parse_semver(std::string_view s) {
  std::array<long, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out[i]);
    if (ec != std::errc{} || out[i] < 0 || p == s.data()) return std::nullopt;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    if (i < 2) {
      if (s.empty() || s[0] != '.') return std::nullopt;
      s.remove_prefix(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

Scope read_scope(const json& v, const std::string& field) {
  std::string s = detail::read_string(v, field);
  auto scope = parse_scope(s);
  if (!scope) detail::out_of_range(field, "\"" + s + "\" is not fleet, region:<id>, hall:<id> or kiosk:<id>");
  return *scope;
}

Target read_target(const json& v, const std::string& field) {
  detail::ObjectReader r(v, field);
  Target t;
  t.scope = read_scope(r.required("scope"), r.path("scope"));
  if (const json* p = r.optional("cohort_percent"))
    t.cohort_percent = static_cast<int>(detail::read_int(*p, r.path("cohort_percent"), 1, 100));
  if (const json* s = r.optional("cohort_seed")) {
    if (!t.cohort_percent) detail::malformed(r.path("cohort_seed"), "only with cohort_percent");
    t.cohort_seed = detail::read_string(*s, r.path("cohort_seed"));
    bool ok = t.cohort_seed.size() <= 64;
    for (char c : t.cohort_seed) ok = ok && c > 0x20 && c < 0x7F;
    if (!ok) detail::out_of_range(r.path("cohort_seed"), "at most 64 printable ASCII characters, no space");
  }
  r.finish();
  return t;
}

Layer read_layer(const json& v, const std::string& field) {
  detail::ObjectReader r(v, field);
  Layer l;
  l.scope = read_scope(r.required("scope"), r.path("scope"));
  l.version = detail::read_int(r.required("version"), r.path("version"), 1, kMaxVersion);
  const json& settings = r.required("settings");
  l.settings = detail::read_settings(settings, r.path("settings"));
  l.sha256_hex = foundation::sha256_hex(std::string_view(settings.dump()));
  r.finish();
  return l;
}

// A newer schema is refused before its fields are read (they may be fields this software does not know).
void check_schema(const json& doc) {
  if (!doc.is_object()) detail::malformed("", "must be a JSON object");
  auto schema_it = doc.find("schema");
  if (schema_it == doc.end()) detail::malformed("schema", "missing");
  int schema = static_cast<int>(detail::read_int(*schema_it, "schema", 1, 1'000'000));
  std::optional<std::array<long, 3>> theirs;
  std::string wanted = "a newer version";
  auto min_it = doc.find("min_software");
  if (min_it != doc.end() && min_it->is_string() && (theirs = parse_semver(min_it->get<std::string>())))
    wanted =
        min_it->get<std::string>();  // shown only when it is X.Y.Z: no other text from the bundle in the log
  auto ours = parse_semver(software_version());
  bool software_too_old = ours && theirs && *theirs > *ours;
  if (schema > kSchemaVersion || software_too_old)
    detail::fail(Refusal::SchemaTooNew, "schema",
                 "needs software ≥ " + wanted + " (document schema " + std::to_string(schema) + "; this is " +
                     std::string(software_version()) + ", reading schema " + std::to_string(kSchemaVersion) +
                     ")");
}

Document read_document(const json& doc) {
  check_schema(doc);
  detail::ObjectReader r(doc, "");
  Document d;
  d.schema = static_cast<int>(detail::read_int(r.required("schema"), "schema", 1, kSchemaVersion));
  d.min_software = detail::read_string(r.required("min_software"), "min_software");
  if (!parse_semver(d.min_software))
    detail::malformed("min_software", "\"" + d.min_software + "\" is not X.Y.Z");
  d.version = detail::read_int(r.required("version"), "version", 1, kMaxVersion);
  d.expires_at = detail::read_int(r.required("expires_at"), "expires_at", 1, detail::kMaxUnixTime);

  const json& targets = detail::read_array(r.required("targets"), "targets", 1, 64);
  std::set<std::string> target_scopes;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    d.targets.push_back(read_target(targets[i], detail::index_path("targets", i)));
    if (!target_scopes.insert(to_string(d.targets.back().scope)).second)
      detail::malformed(detail::index_path("targets", i),
                        "scope " + to_string(d.targets.back().scope) + " twice");
  }
  const json& layers = detail::read_array(r.required("layers"), "layers", 1, 256);
  std::set<std::string> layer_scopes;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    d.layers.push_back(read_layer(layers[i], detail::index_path("layers", i)));
    if (!layer_scopes.insert(to_string(d.layers.back().scope)).second)
      detail::malformed(detail::index_path("layers", i),
                        "scope " + to_string(d.layers.back().scope) + " twice");
  }
  r.finish();
  return d;
}

}  // namespace

std::expected<Document, Refused> parse_document(std::string_view json_text) {
  try {
    return read_document(detail::parse_strict(json_text, kMaxDocumentBytes, kMaxDocumentDepth));
  } catch (const detail::Stop& s) {
    return std::unexpected(s.refused);
  }
}

}  // namespace fleet
