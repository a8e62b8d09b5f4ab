// UI text by message key, from the language files (assets/i18n/<code>.json and <part>.<code>.json: each one
// flat object of dotted keys, {"home.renew": "证书续费"}). A language's files are merged into one Strings, so
// each area of the kiosk keeps its text in its own file (account.zh-CN.json, ...) and a key defined twice is
// an error naming both files. The app reads the files and hands the bytes over; nothing here touches disk.
//
// Widget IDs come from keys ("证书续费###home.renew"), so a language switch keeps every ID, and with it
// whatever ImGui remembers about the widget.
#pragma once

#include <expected>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "ui/glyphs.hpp"

namespace ui {

std::string_view language_code(core::Language l);  // "zh-CN", "en"
inline constexpr core::Language kLanguages[] = {core::Language::ZhCN, core::Language::En};

// The language a file in assets/i18n holds, by its name: "zh-CN.json" and "account.zh-CN.json" → ZhCN,
// "en.json" and "account.en.json" → En; anything else → nullopt (not a language file).
std::optional<core::Language> language_of_file(std::string_view filename);
// The part a language file belongs to: "account.zh-CN.json" → "account", "zh-CN.json" → "" (the base).
std::string language_file_part(std::string_view filename);

struct LanguageFile {
  std::string name;  // for messages, e.g. "account.zh-CN.json"
  std::string text;
};

// One language's strings.
class Strings {
 public:
  // Parses a language file. Errors name the key and say what is wrong (not a string, a bad key, a "##"
  // that would cut the label, an unclosed {placeholder}).
  static std::expected<Strings, std::vector<std::string>> parse(std::string_view json_text);
  // Parses each of one language's files and merges them; every error is prefixed with its file's name,
  // and a key in two files is an error naming both.
  static std::expected<Strings, std::vector<std::string>> parse_files(const std::vector<LanguageFile>& files);

  [[nodiscard]] const std::string* find(std::string_view key) const;
  // The text, or the key itself when missing (visible, so a forgotten key is seen, never blank).
  [[nodiscard]] std::string_view text(std::string_view key) const;
  [[nodiscard]] bool contains(std::string_view key) const { return find(key) != nullptr; }
  [[nodiscard]] std::vector<std::string> keys() const;
  [[nodiscard]] std::size_t size() const { return map_.size(); }
  // Every character of every value.
  [[nodiscard]] GlyphSet glyphs() const;

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

// Both languages.
class I18n {
 public:
  I18n() = default;
  I18n(Strings zh_cn, Strings en) : zh_(std::move(zh_cn)), en_(std::move(en)) {}
  [[nodiscard]] const Strings& of(core::Language l) const { return l == core::Language::En ? en_ : zh_; }
  [[nodiscard]] GlyphSet glyphs() const;

 private:
  Strings zh_;
  Strings en_;
};

// Named placeholders: format("{seconds} 秒", {{"seconds", "20"}}). An unknown name stays as written.
std::string format(std::string_view pattern,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> args);
// The placeholder names of a pattern, sorted ("{brand}" → "brand"), for the check that both languages
// use the same ones.
std::vector<std::string> placeholders(std::string_view pattern);

// A key is lower case, dotted: segments of [a-z0-9_], at least two.
bool valid_key(std::string_view key);

// "label###key": what ImGui shows before ###, the ID after it.
std::string label_id(std::string_view label, std::string_view key);

}  // namespace ui
