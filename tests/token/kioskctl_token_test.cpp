// kioskctl token list/show as staff use it: output with the Chinese names, JSON, and the documented exit
// code with one clear line for each failure.
#include <doctest/doctest.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "fault_control.hpp"
#include "token_fixture.hpp"

using namespace testsupport;

namespace {

struct Run {
  int rc;
  std::string out;
};

Run kioskctl(const std::string& args, const std::string& stdin_text = "") {
  Run r;
  r.rc = run_command(
      fmt::format("printf '%s\\n' {} | {} {}", shell_quote(stdin_text), shell_quote(KIOSKCTL_PATH), args),
      &r.out);
  return r;
}

int line_count(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("kioskctl token: driver missing, no key, a key with a Chinese organisation") {
  auto missing = kioskctl("token list --module /nonexistent/libvendor.so");
  CHECK(missing.rc == 10);
  CHECK(missing.out.find("not installed") != std::string::npos);

  auto missing_show = kioskctl("token show --module /nonexistent/libvendor.so");
  CHECK(missing_show.rc == 10);
  CHECK(line_count(missing_show.out) == 1);

  SoftHsmEnv env;  // no token at all
  auto none = kioskctl("token show --module " + shell_quote(softhsm_module().string()));
  CHECK(none.rc == 12);
  CHECK(line_count(none.out) == 1);
  CHECK(none.out.find("no key inserted") != std::string::npos);

  env.init_token("cli-key");
  TestCa ca;
  {
    RawP11 raw(softhsm_module());
    provision_customer(raw, raw.slot_of("cli-key"), ca, {});
  }
  const std::string mod = " --module " + shell_quote(softhsm_module().string());
  auto list = kioskctl("token list" + mod);
  CHECK(list.rc == 0);
  CHECK(list.out.find("\"cli-key\"") != std::string::npos);

  auto show = kioskctl("token show" + mod);
  CHECK_MESSAGE(show.rc == 0, show.out);
  CHECK(show.out.find("张三 — 内蒙古自治区政府采购中心") != std::string::npos);
  CHECK(show.out.find("not visible without login") != std::string::npos);

  auto logged = kioskctl("token show --pin-stdin" + mod, std::string(kUserPin));
  CHECK_MESSAGE(logged.rc == 0, logged.out);
  CHECK(logged.out.find("Private key : on the token") != std::string::npos);

  auto json = kioskctl("--json token show" + mod);
  REQUIRE(json.rc == 0);
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["label"] == "cli-key");
  CHECK(j["certificates"][0]["subject"]["O"] == "内蒙古自治区政府采购中心");
  CHECK(j["mechanisms"]["ec_p256"] == true);

  auto other = kioskctl("token show --serial nope" + mod);
  CHECK(other.rc == 12);

  auto bad_pin = kioskctl("token show --pin-stdin" + mod, "0000");  // SoftHSM never locks
  CHECK(bad_pin.rc == 14);
  CHECK(line_count(bad_pin.out) == 1);
}

TEST_CASE("kioskctl token: a locked PIN and a pulled key through the fault module") {
  FaultControl fault;
  SoftHsmEnv env;
  env.init_token("cli-fault");
  const std::string mod = " --module " + shell_quote(fault_module().string());
  fault.set("pin_lock_after 3\npin_failures 3\n");
  auto locked = kioskctl("token show --pin-stdin" + mod, std::string(kUserPin));
  CHECK(locked.rc == 15);
  CHECK(locked.out.find("locked") != std::string::npos);
  auto list = kioskctl("token list" + mod);
  CHECK(list.out.find("PIN: LOCKED") != std::string::npos);

  fault.set("removed 1\n");
  auto pulled = kioskctl("token list" + mod);
  CHECK(pulled.rc == 12);
  CHECK(pulled.out.find("no key inserted") != std::string::npos);
}

TEST_CASE("kioskctl token: configuration errors are exit code 3") {
  TempDir tmp("kiosk-cli");
  write_file(tmp.path() / "bad.json", "{ \"schema_version\": 1 }");
  auto bad = kioskctl("--config " + shell_quote((tmp.path() / "bad.json").string()) + " token list");
  CHECK(bad.rc == 3);
}
