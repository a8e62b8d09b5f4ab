#include "ui/i18n.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "foundation/utf8.hpp"

namespace ui {

std::string_view language_code(core::Language l) {
  return l == core::Language::En ? "en" : "zh-CN";
}

std::optional<core::Language> language_of_file(std::string_view name) {
  constexpr std::string_view kExt = ".json";
  if (!name.ends_with(kExt)) return std::nullopt;
  name.remove_suffix(kExt.size());
  const auto dot = name.rfind('.');
  const std::string_view code = dot == std::string_view::npos ? name : name.substr(dot + 1);
  for (core::Language l : kLanguages)
    if (code == language_code(l)) return l;
  return std::nullopt;
}

std::string language_file_part(std::string_view name) {
  if (!language_of_file(name)) return {};
  name.remove_suffix(5);  // ".json"
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string{} : std::string(name.substr(0, dot));
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  bool dot = false;
  char prev = 0;
  for (char c : key) {
    if (c == '.') {
      if (prev == '.') return false;
      dot = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
    prev = c;
  }
  return dot;
}

std::vector<std::string> placeholders(std::string_view pattern) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = pattern.find('{', i)) != std::string_view::npos) {
    const auto end = pattern.find('}', i);
    if (end == std::string_view::npos) break;
    out.emplace_back(pattern.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string format(std::string_view pattern,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> args) {
  std::string out;
  out.reserve(pattern.size() + 16);
  std::size_t i = 0;
  while (i < pattern.size()) {
    const auto open = pattern.find('{', i);
    if (open == std::string_view::npos) break;
    const auto close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(pattern.substr(i, open - i));
    const auto name = pattern.substr(open + 1, close - open - 1);
    const auto* hit = std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == name; });
    if (hit != args.end())
      out.append(hit->second);
    else
      out.append(pattern.substr(open, close - open + 1));
    i = close + 1;
  }
  out.append(pattern.substr(std::min(i, pattern.size())));
  return out;
}

std::string label_id(std::string_view label, std::string_view key) {
  std::string s;
  s.reserve(label.size() + key.size() + 3);
  s.append(label).append("###").append(key);
  return s;
}

std::expected<Strings, std::vector<std::string>> Strings::parse(std::string_view json_text) {
  std::vector<std::string> errors;
  nlohmann::json j =
      nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (j.is_discarded()) return std::unexpected(std::vector<std::string>{"not valid JSON"});
  if (!j.is_object())
    return std::unexpected(std::vector<std::string>{"expected one object of \"key\": \"text\""});
  Strings s;
  for (const auto& [key, value] : j.items()) {
    if (!valid_key(key)) {
      errors.push_back(key + ": not a dotted lower-case key (e.g. \"home.renew\")");
      continue;
    }
    if (!value.is_string()) {
      errors.push_back(key + ": must be a string");
      continue;
    }
    auto text = value.get<std::string>();
    if (text.find("##") != std::string::npos)
      errors.push_back(key + ": \"##\" would cut the label (ImGui IDs)");
    if (std::count(text.begin(), text.end(), '{') != std::count(text.begin(), text.end(), '}'))
      errors.push_back(key + ": unbalanced { } placeholder");
    if (!foundation::utf8_valid(text)) errors.push_back(key + ": not valid UTF-8");
    s.map_.emplace(key, std::move(text));
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return s;
}

std::expected<Strings, std::vector<std::string>> Strings::parse_files(const std::vector<LanguageFile>& files) {
  std::vector<std::string> errors;
  Strings all;
  std::map<std::string, std::string, std::less<>> origin;  // key → the file that defined it
  for (const auto& f : files) {
    auto s = parse(f.text);
    if (!s) {
      for (const auto& e : s.error()) errors.push_back(f.name + ": " + e);
      continue;
    }
    for (auto& [key, text] : s->map_) {
      if (auto it = origin.find(key); it != origin.end()) {
        errors.push_back(f.name + ": " + key + " is also in " + it->second + " (each key lives in one file)");
        continue;
      }
      origin.emplace(key, f.name);
      all.map_.emplace(key, std::move(text));
    }
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return all;
}

const std::string* Strings::find(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

std::string_view Strings::text(std::string_view key) const {
  const std::string* s = find(key);
  return s ? std::string_view(*s) : key;
}

std::vector<std::string> Strings::keys() const {
  std::vector<std::string> out;
  out.reserve(map_.size());
  for (const auto& [k, v] : map_) out.push_back(k);
  return out;
}

GlyphSet Strings::glyphs() const {
  GlyphSet g;
  for (const auto& [k, v] : map_) g.add_text(v);
  return g;
}

GlyphSet I18n::glyphs() const {
  GlyphSet g = zh_.glyphs();
  g.add_all(en_.glyphs());
  return g;
}

}  // namespace ui
