// The flow core stays pure: its sources include the standard library, core/ and domain/ only, and domain/
// (the account rules the core shares with the platform) the standard library and itself only.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

// Every #include in the .hpp/.cpp files under `dir`: <…> ones from `allowed`, "…" ones found under one of
// `own` (each a folder with include/ and src/). Returns the number of files read.
int check_includes(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& own) {
  const std::set<std::string> allowed{
      "algorithm", "array",    "chrono",      "compare",     "cstddef",
      "cstdint",   "expected", "functional",  "map",         "optional",
      "span",      "string",   "string_view", "type_traits", "utility",
      "variant",   "vector",   "set",         "numeric",     "limits",
      "cstring",   "tuple",    "iterator",    "memory",      "initializer_list"};
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
      if (m[1] == "\"") {  // our own headers: they must be from the allowed folders
        bool found = false;
        for (const auto& d : own)
          found = found || std::filesystem::exists(d / "include" / header) ||
                  std::filesystem::exists(d / "src" / header);
        CHECK(found);
      } else {
        CHECK(allowed.contains(header));
      }
    }
  }
  return files;
}

}  // namespace

TEST_CASE("kiosk/core includes nothing but the standard library, itself, domain/ and foundation/") {
  CHECK(check_includes(KIOSK_CORE_DIR, {KIOSK_CORE_DIR, KIOSK_DOMAIN_DIR, KIOSK_FOUNDATION_DIR}) > 3);
}

TEST_CASE("domain/ includes nothing but the standard library, itself and foundation/") {
  CHECK(check_includes(KIOSK_DOMAIN_DIR, {KIOSK_DOMAIN_DIR, KIOSK_FOUNDATION_DIR}) >= 2);
}
