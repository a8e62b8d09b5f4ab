// The flow core stays pure (STYLE.md rule 1): its sources include the standard library, core/ and domain/
// only; domain/ itself the standard library and domain/ only.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <set>
#include <string>

namespace {

const std::set<std::string> kAllowed{
      "algorithm", "array", "chrono", "compare", "cstddef", "cstdint", "expected", "functional", "map", "optional",
      "span", "string", "string_view", "type_traits", "utility", "variant", "vector", "set", "numeric", "limits",
      "cstring", "tuple", "iterator", "memory", "initializer_list"};

// Checks every #include of the sources under `dir`: <standard headers> from kAllowed, "own headers" found
// under one of `own` (each a directory with include/ and maybe src/). Returns the number of files read.
int check_includes(const std::filesystem::path& dir, std::initializer_list<std::filesystem::path> own) {
  const std::regex include_re(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension();
    if (ext != ".hpp" && ext != ".cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      std::string header = m[2];
      CAPTURE(entry.path().string());
      CAPTURE(header);
      if (m[1] == "\"") {  // our own headers: they must be the core's (or domain's)
        bool found = false;
        for (const auto& o : own)
          found = found || std::filesystem::exists(o / "include" / header) ||
                  std::filesystem::exists(o / "src" / header);
        CHECK(found);
      } else {
        CHECK(kAllowed.contains(header));
      }
    }
  }
  return files;
}

}  // namespace

TEST_CASE("kiosk/core includes nothing but the standard library, itself and domain/") {
  CHECK(check_includes(KIOSK_CORE_DIR, {KIOSK_CORE_DIR, KIOSK_DOMAIN_DIR}) > 3);
}

TEST_CASE("domain/ includes nothing but the standard library and itself") {
  CHECK(check_includes(KIOSK_DOMAIN_DIR, {KIOSK_DOMAIN_DIR}) >= 1);
}
