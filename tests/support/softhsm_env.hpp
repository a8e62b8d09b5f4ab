// A private SoftHSM for one test (or benchmark) run: its own SOFTHSM2_CONF and token directory in a temp
// dir, tokens initialised by label (softhsm2-util), slots found by label, never by number.
//
// SOFTHSM2_CONF is process-wide and SoftHSM reads it at C_Initialize: create the environment and its
// tokens before loading the module, and release every token::Module before the next environment.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace testsupport {

// SoftHSM's module: $KIOSK_SOFTHSM_MODULE or /usr/lib/softhsm/libsofthsm2.so.
std::filesystem::path softhsm_module();
// The fault module built next to the tests: $P11FAULT_LIBRARY or <build>/token/fault/libp11fault.so.
std::filesystem::path fault_module();

inline constexpr std::string_view kUserPin = "123456";
inline constexpr std::string_view kSoPin = "12345678";

class TempDir {
public:
  explicit TempDir(std::string_view prefix = "kiosk-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();  // removed unless KIOSK_KEEP_TMP=1
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

class SoftHsmEnv {
public:
  SoftHsmEnv();  // writes <tmp>/softhsm2.conf, <tmp>/tokens/, sets SOFTHSM2_CONF
  SoftHsmEnv(const SoftHsmEnv&) = delete;
  SoftHsmEnv& operator=(const SoftHsmEnv&) = delete;
  ~SoftHsmEnv();

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return tmp_.path(); }
  [[nodiscard]] std::filesystem::path conf() const { return tmp_.path() / "softhsm2.conf"; }
  // softhsm2-util --init-token --free --label <label> --so-pin … --pin …
  void init_token(std::string_view label, std::string_view user_pin = kUserPin, std::string_view so_pin = kSoPin) const;

private:
  TempDir tmp_;
  std::string previous_conf_;
  bool had_previous_ = false;
};

// Runs a shell command; returns its exit status and fills `output` with stdout+stderr.
int run_command(const std::string& command, std::string* output = nullptr);
std::string shell_quote(std::string_view s);

void write_file(const std::filesystem::path& p, std::string_view bytes);
std::string read_file(const std::filesystem::path& p);

}  // namespace testsupport
