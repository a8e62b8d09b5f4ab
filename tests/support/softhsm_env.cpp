#include "softhsm_env.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace testsupport {

std::filesystem::path softhsm_module() {
  const char* env = std::getenv("KIOSK_SOFTHSM_MODULE");
  return env && *env ? env : "/usr/lib/softhsm/libsofthsm2.so";
}

std::filesystem::path fault_module() {
  const char* env = std::getenv("P11FAULT_LIBRARY");
  return env && *env ? env : KIOSK_P11FAULT_LIBRARY;
}

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  const char* keep = std::getenv("KIOSK_KEEP_TMP");
  if (keep && std::string_view(keep) == "1") return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

SoftHsmEnv::SoftHsmEnv() : tmp_("kiosk-softhsm") {
  std::filesystem::create_directories(tmp_.path() / "tokens");
  write_file(conf(), fmt::format("directories.tokendir = {}/tokens\n"
                                 "objectstore.backend = file\n"
                                 "log.level = ERROR\n"
                                 "slots.removable = false\n"
                                 "slots.mechanisms = ALL\n"
                                 "library.reset_on_fork = false\n",
                                 tmp_.path().string()));
  if (const char* prev = std::getenv("SOFTHSM2_CONF")) {
    previous_conf_ = prev;
    had_previous_ = true;
  }
  setenv("SOFTHSM2_CONF", conf().c_str(), 1);
}

SoftHsmEnv::~SoftHsmEnv() {
  if (had_previous_)
    setenv("SOFTHSM2_CONF", previous_conf_.c_str(), 1);
  else
    unsetenv("SOFTHSM2_CONF");
}

void SoftHsmEnv::init_token(std::string_view label, std::string_view user_pin, std::string_view so_pin) const {
  std::string out;
  std::string cmd = fmt::format("softhsm2-util --init-token --free --label {} --so-pin {} --pin {}", shell_quote(label),
                                shell_quote(so_pin), shell_quote(user_pin));
  if (run_command(cmd, &out) != 0) throw std::runtime_error("softhsm2-util failed: " + out);
}

std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

int run_command(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf{};
  std::string out;
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  if (output) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace testsupport
