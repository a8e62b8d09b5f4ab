// A harness script read from its file one line at a time (harness.hpp): checked whole first, then run
// as it is read, so no more than one step is held.
#include <fstream>

#include "harness.hpp"

namespace app {

std::vector<std::string> check_script_file(const std::filesystem::path& script) {
  std::ifstream in(script);
  if (!in) return {"cannot read " + script.string()};
  std::vector<std::string> errors;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) (void)parse_line(++line_no, line, errors);
  if (in.bad()) errors.push_back("cannot read " + script.string() + " to its end");
  return errors;
}

HarnessResult run_script_file(App& app, const std::filesystem::path& script,
                              const std::filesystem::path& out_dir, std::FILE* log,
                              const HarnessHooks& hooks) {
  std::ifstream in(script);
  int line_no = 0;
  std::vector<std::string> errors;  // found by check_script_file already: such a line is skipped
  return run_steps(
      app,
      [&]() -> std::optional<Step> {
        for (std::string line; std::getline(in, line);)
          if (auto s = parse_line(++line_no, line, errors)) return s;
        return std::nullopt;
      },
      out_dir, log, hooks);
}

}  // namespace app
