// The sentences kioskctl prints for message keys (failure.pin_locked, keycheck.error.too_early, ...): the
// same language files as the kiosk's screens (assets/i18n/<lang>.json and <part>.<lang>.json), so staff
// read what a customer would. The language is --lang, else the locale (LC_ALL, LC_MESSAGES, LANG: zh* is
// zh-CN, anything else en); the folder is $KIOSK_ASSETS/i18n, else the source tree's assets/i18n. A key
// without a sentence (or no files at all) prints as the key itself.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kioskctl {

class Sentences {
 public:
  // `lang`: "zh-CN", "en", or empty for the locale's.
  static Sentences load(std::string_view lang);
  // "zh-CN" or "en" from the locale's environment variables.
  static std::string locale_language();

  // The sentence for `key`, its {placeholders} left as they are; the key itself when there is none.
  [[nodiscard]] std::string text(std::string_view key) const;
  [[nodiscard]] const std::string& language() const { return language_; }

 private:
  std::string language_;
  std::map<std::string, std::string, std::less<>> text_;
};

// The language --lang asked for (empty: the locale's); main sets it before any command runs.
std::string& requested_language();
// Loaded once, on first use.
const Sentences& sentences();

}  // namespace kioskctl
