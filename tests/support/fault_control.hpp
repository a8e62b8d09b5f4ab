// Drives libp11fault.so from a test: sets P11FAULT_MODULE/CONTROL/STATS (before the module is loaded:
// it reads them at C_Initialize), writes the control file atomically, reads the call counters.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "softhsm_env.hpp"

namespace testsupport {

class FaultControl {
public:
  FaultControl() : tmp_("kiosk-p11fault") {
    setenv("P11FAULT_MODULE", softhsm_module().c_str(), 1);
    setenv("P11FAULT_CONTROL", control_path().c_str(), 1);
    setenv("P11FAULT_STATS", stats_path().c_str(), 1);
    set("");
  }
  ~FaultControl() {
    unsetenv("P11FAULT_CONTROL");
    unsetenv("P11FAULT_STATS");
  }
  FaultControl(const FaultControl&) = delete;
  FaultControl& operator=(const FaultControl&) = delete;

  [[nodiscard]] std::filesystem::path control_path() const { return tmp_.path() / "control"; }
  [[nodiscard]] std::filesystem::path stats_path() const { return tmp_.path() / "stats"; }

  // Replaces the control file (temp + rename: the module sees a new inode and reloads, resetting rules).
  void set(const std::string& text) {
    auto tmp = tmp_.path() / "control.new";
    write_file(tmp, text);
    std::filesystem::rename(tmp, control_path());
  }

  // The module's counters ("C_Login.user", "C_GenerateKeyPair", "total", ...).
  [[nodiscard]] std::map<std::string, unsigned long> stats() const {
    std::map<std::string, unsigned long> m;
    std::istringstream in(read_file(stats_path()));
    std::string name;
    unsigned long n = 0;
    while (in >> name >> n) m[name] = n;
    return m;
  }
  [[nodiscard]] unsigned long count(const std::string& name) const {
    auto m = stats();
    auto it = m.find(name);
    return it == m.end() ? 0 : it->second;
  }

private:
  TempDir tmp_;
};

}  // namespace testsupport
