// Fuzz target over the kiosk configuration parser (runtime::parse_config): the file an installer edits by
// hand, so anything may be in it. Properties: no crash, no hang, no sanitizer report; a refusal names at
// least one error, each with a message; an accepted configuration has what the kiosk needs to start (an
// id, a brand, an https platform URL, a language it speaks).
// Built into the corpus test config_fuzz_corpus (tests/platform/CMakeLists.txt) over the seeds in
// tests/platform/config-corpus and their mutations. Unlike fuzz_responses.cpp it is not in the clang
// libFuzzer project beside it: the configuration library uses C++23's <expected>, which Debian's clang 14
// cannot compile against libstdc++ 12.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = runtime::parse_config(text, "/nonexistent-base");
  if (!c) {
    if (c.error().empty()) std::abort();
    for (const auto& e : c.error())
      if (e.message.empty()) std::abort();
    return 0;
  }
  if (c->kiosk_id.empty() || c->brands.empty() || !c->platform.base_url.starts_with("https://") ||
      !c->platform.base_url.ends_with("/") || (c->ui.language != "zh-CN" && c->ui.language != "en"))
    std::abort();
  return 0;
}
