#include "sentences.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace kioskctl {
namespace {

namespace fs = std::filesystem;

// A language file is a few KiB: anything larger is not one (and is not read whole).
constexpr std::size_t kMaxFileBytes = 1024 * 1024;

fs::path i18n_dir() {
  if (const char* env = std::getenv("KIOSK_ASSETS"); env && *env) return fs::path(env) / "i18n";
  return KIOSKCTL_SOURCE_I18N;
}

// "<lang>.json" or "<part>.<lang>.json".
bool is_file_of(const std::string& name, std::string_view lang) {
  const std::string suffix = "." + std::string(lang) + ".json";
  return name == std::string(lang) + ".json" || (name.size() > suffix.size() && name.ends_with(suffix));
}

}  // namespace

std::string Sentences::locale_language() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) return std::string_view(v).starts_with("zh") ? "zh-CN" : "en";
  }
  return "en";
}

Sentences Sentences::load(std::string_view lang) {
  Sentences s;
  s.language_ = lang.empty() ? locale_language() : std::string(lang);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(i18n_dir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!is_file_of(name, s.language_)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes(kMaxFileBytes + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > kMaxFileBytes) continue;
    auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
    if (!j.is_object()) continue;
    for (const auto& [k, v] : j.items())
      if (v.is_string()) s.text_.emplace(k, v.get<std::string>());
  }
  return s;
}

std::string Sentences::text(std::string_view key) const {
  auto it = text_.find(key);
  return it == text_.end() ? std::string(key) : it->second;
}

std::string& requested_language() {
  static std::string lang;
  return lang;
}

const Sentences& sentences() {
  static const Sentences s = Sentences::load(requested_language());
  return s;
}

}  // namespace kioskctl
