// The flow core stays pure (docs/architecture.md, "Layers"): its sources include the standard library and
// core/ only.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

TEST_CASE("kiosk/core includes nothing but the standard library and itself") {
  const std::set<std::string> allowed{
      "algorithm", "array", "chrono", "compare", "cstddef", "cstdint", "expected", "functional", "map", "optional",
      "span", "string", "string_view", "type_traits", "utility", "variant", "vector", "set", "numeric", "limits",
      "cstring", "tuple", "iterator", "memory", "initializer_list"};
  const std::regex include_re(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(KIOSK_CORE_DIR)) {
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
      const std::filesystem::path core_dir(KIOSK_CORE_DIR);
      if (m[1] == "\"")  // our own headers: they must be the core's
        CHECK((std::filesystem::exists(core_dir / "include" / header) || std::filesystem::exists(core_dir / "src" / header)));
      else
        CHECK(allowed.contains(header));
    }
  }
  CHECK(files > 3);
}
