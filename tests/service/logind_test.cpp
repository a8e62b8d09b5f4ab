// kiosk/power against logind as python3-dbusmock's logind template plays it, on a private bus this test
// starts (dbus-daemon with its own configuration) and names in DBUS_SYSTEM_BUS_ADDRESS: the calls reach
// the mock (its call log, org.freedesktop.DBus.Mock.GetCalls), CanReboot's answers are read, every refusal
// becomes its error, and without a bus or without logind on it the error says so.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "power/logind.hpp"
#include "softhsm_env.hpp"

namespace {

using testsupport::TempDir;

// Debian's interpreter, which python3-dbusmock (and python3-gi, which it needs) are installed for; a
// python3 earlier on PATH (a virtual environment) may lack them.
constexpr const char* kPython = "/usr/bin/python3";

struct Bus {
  sd_bus* bus = nullptr;
  Bus() {
    if (sd_bus_open_system(&bus) < 0) throw std::runtime_error("the test's bus does not open");
  }
  ~Bus() { sd_bus_flush_close_unref(bus); }
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;
};

bool logind_on_bus() {
  Bus b;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int has = 0;
  if (sd_bus_call_method(b.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "NameHasOwner", &e, &reply, "s", "org.freedesktop.login1") >= 0)
    sd_bus_message_read(reply, "b", &has);
  sd_bus_message_unref(reply);
  sd_bus_error_free(&e);
  return has != 0;
}

// A bus of the test's own: dbus-daemon with a configuration that lets anyone own and call anything, its
// socket in the test's directory; the system bus for this process and its children.
class PrivateBus {
 public:
  PrivateBus() {
    const auto conf = dir_.path() / "bus.conf";
    testsupport::write_file(
        conf, R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=)" +
                  (dir_.path() / "bus").string() + R"(</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
)");
    std::string out;
    // --fork returns once the bus listens.
    if (testsupport::run_command(
            "dbus-daemon --fork --print-pid --config-file=" + testsupport::shell_quote(conf.string()),
            &out) != 0)
      throw std::runtime_error("dbus-daemon does not start: " + out);
    pid_ = static_cast<pid_t>(std::stol(out));
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", address().c_str(), 1);
  }
  ~PrivateBus() {
    stop_logind();
    ::kill(pid_, SIGTERM);
    ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  }
  PrivateBus(const PrivateBus&) = delete;
  PrivateBus& operator=(const PrivateBus&) = delete;

  [[nodiscard]] std::string address() const { return "unix:path=" + (dir_.path() / "bus").string(); }

  // python3 -m dbusmock --template logind [-p PARAMETERS], on this bus; returns once it owns
  // org.freedesktop.login1.
  void start_logind(const std::string& parameters = "{}") {
    const std::string log = (dir_.path() / "dbusmock.log").string();
    mock_ = ::fork();
    REQUIRE(mock_ >= 0);
    if (mock_ == 0) {
      ::execl(kPython, kPython, "-m", "dbusmock", "--template", "logind", "-p", parameters.c_str(), "-l",
              log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The mock claims its name after Python has started; it is there or it has died.
    for (;;) {
      if (logind_on_bus()) return;
      int status = 0;
      if (::waitpid(mock_, &status, WNOHANG) == mock_) {
        mock_ = -1;
        FAIL("python3-dbusmock's logind template did not start (deploy/dev.sh installs python3-dbusmock)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void stop_logind() {
    if (mock_ <= 0) return;
    ::kill(mock_, SIGTERM);
    ::waitpid(mock_, nullptr, 0);
    mock_ = -1;
  }

 private:
  TempDir dir_{"kiosk-logind"};
  pid_t pid_ = -1;
  pid_t mock_ = -1;
};

constexpr const char* kMock = "org.freedesktop.DBus.Mock";
constexpr const char* kManager = "org.freedesktop.login1.Manager";

// The mock's call log: "CanReboot()", "Reboot(false)", ... in order.
std::vector<std::string> calls() {
  Bus b;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* m = nullptr;
  REQUIRE(sd_bus_call_method(b.bus, "org.freedesktop.login1", "/org/freedesktop/login1", kMock, "GetCalls",
                             &e, &m, "") >= 0);
  std::vector<std::string> out;
  REQUIRE(sd_bus_message_enter_container(m, 'a', "(tsav)") >= 0);
  while (sd_bus_message_enter_container(m, 'r', "tsav") > 0) {
    std::uint64_t when = 0;
    const char* name = nullptr;
    REQUIRE(sd_bus_message_read(m, "ts", &when, &name) >= 0);
    std::string call = std::string(name) + "(";
    REQUIRE(sd_bus_message_enter_container(m, 'a', "v") >= 0);
    bool first = true;
    while (sd_bus_message_enter_container(m, 'v', nullptr) > 0) {
      char type = 0;
      const char* contents = nullptr;
      REQUIRE(sd_bus_message_peek_type(m, &type, &contents) >= 0);
      std::string arg = "?";
      if (type == 'b') {
        int v = 0;
        REQUIRE(sd_bus_message_read(m, "b", &v) >= 0);
        arg = v ? "true" : "false";
      } else {
        REQUIRE(sd_bus_message_skip(m, nullptr) >= 0);
      }
      call += (first ? "" : ", ") + arg;
      first = false;
      REQUIRE(sd_bus_message_exit_container(m) >= 0);
    }
    REQUIRE(sd_bus_message_exit_container(m) >= 0);  // av
    REQUIRE(sd_bus_message_exit_container(m) >= 0);  // the struct
    out.push_back(call + ")");
  }
  sd_bus_message_unref(m);
  sd_bus_error_free(&e);
  return out;
}

void mock_call(const char* method, const char* signature, auto... args) {
  Bus b;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  const int r = sd_bus_call_method(b.bus, "org.freedesktop.login1", "/org/freedesktop/login1", kMock, method,
                                   &e, nullptr, signature, args...);
  const std::string why = e.message ? e.message : "";
  sd_bus_error_free(&e);
  REQUIRE_MESSAGE(r >= 0, method << ": " << why);
}

void clear_calls() {
  mock_call("ClearCalls", "");
}

// Replaces a method of the manager with Python code run by the mock (dbusmock's AddMethod).
void replace(const char* method, const char* in, const char* out, const char* code) {
  mock_call("AddMethod", "sssss", kManager, method, in, out, code);
}

std::string raise(const std::string& error_name) {
  return "raise dbus.exceptions.DBusException('said no', name='" + error_name + "')";
}

}  // namespace

TEST_CASE("reboot and power off reach logind on the system bus, after CanReboot / CanPowerOff said yes") {
  PrivateBus bus;
  bus.start_logind();
  auto can_reboot = power::can(power::Action::Reboot);
  REQUIRE_MESSAGE(can_reboot, (can_reboot ? "" : can_reboot.error().to_string()));
  CHECK(*can_reboot == power::Allowed::Yes);
  CHECK(power::can(power::Action::PowerOff).value() == power::Allowed::Yes);
  CHECK(calls() == std::vector<std::string>{"CanReboot()", "CanPowerOff()"});

  clear_calls();
  auto rebooted = power::request(power::Action::Reboot);
  REQUIRE_MESSAGE(rebooted, (rebooted ? "" : rebooted.error().to_string()));
  // interactive = false: polkit never waits for a password nobody at the kiosk could type.
  CHECK(calls() == std::vector<std::string>{"CanReboot()", "Reboot(false)"});

  clear_calls();
  REQUIRE(power::request(power::Action::PowerOff));
  CHECK(calls() == std::vector<std::string>{"CanPowerOff()", "PowerOff(false)"});
}

TEST_CASE("CanReboot's other answers are read, and stop the request before any Reboot") {
  PrivateBus bus;
  bus.start_logind(R"({"CanReboot": "challenge", "CanPowerOff": "no"})");
  CHECK(power::can(power::Action::Reboot).value() == power::Allowed::Challenge);
  CHECK(power::can(power::Action::PowerOff).value() == power::Allowed::No);

  clear_calls();
  auto challenged = power::request(power::Action::Reboot);
  REQUIRE_FALSE(challenged);
  CHECK(challenged.error().code == power::ErrorCode::Refused);
  CHECK(challenged.error().message_key() == "staff.power.refused");
  CHECK(challenged.error().detail.find("CanReboot answered \"challenge\"") != std::string::npos);
  auto refused = power::request(power::Action::PowerOff);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == power::ErrorCode::NotAllowed);
  CHECK(refused.error().message_key() == "staff.power.not_allowed");
  CHECK(calls() == std::vector<std::string>{"CanReboot()", "CanPowerOff()"});

  replace("CanReboot", "", "s", "ret = 'na'");
  CHECK(power::can(power::Action::Reboot).value() == power::Allowed::NotApplicable);
  CHECK(power::request(power::Action::Reboot).error().code == power::ErrorCode::NotAllowed);
  replace("CanReboot", "", "s", "ret = 'perhaps'");
  auto odd = power::can(power::Action::Reboot);
  REQUIRE_FALSE(odd);
  CHECK(odd.error().code == power::ErrorCode::Failed);
  CHECK(odd.error().detail.find("perhaps") != std::string::npos);
  for (const auto& c : calls()) CHECK(c.rfind("Reboot", 0) != 0);
}

TEST_CASE("logind's or polkit's refusal of the call itself becomes the error with its name") {
  PrivateBus bus;
  bus.start_logind();
  replace("Reboot", "b", "", raise("org.freedesktop.DBus.Error.AccessDenied").c_str());
  auto denied = power::request(power::Action::Reboot);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == power::ErrorCode::Refused);
  CHECK(denied.error().detail.find("org.freedesktop.DBus.Error.AccessDenied") != std::string::npos);

  replace("PowerOff", "b", "", raise("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired").c_str());
  CHECK(power::request(power::Action::PowerOff).error().code == power::ErrorCode::Refused);

  replace("PowerOff", "b", "", raise("org.freedesktop.login1.OperationInProgress").c_str());
  CHECK(power::request(power::Action::PowerOff).error().code == power::ErrorCode::NotAllowed);

  replace("CanPowerOff", "", "s", raise("org.freedesktop.DBus.Error.AccessDenied").c_str());
  CHECK(power::can(power::Action::PowerOff).error().code == power::ErrorCode::Refused);
}

TEST_CASE("without a system bus, or without logind on it, the error says so") {
  TempDir dir("kiosk-nobus");
  ::setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + (dir.path() / "no-such-bus").string()).c_str(), 1);
  auto none = power::can(power::Action::Reboot);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == power::ErrorCode::NoBus);
  CHECK(none.error().message_key() == "staff.power.no_bus");
  CHECK(none.error().detail.find("no-such-bus") != std::string::npos);
  CHECK(power::request(power::Action::PowerOff).error().code == power::ErrorCode::NoBus);
  ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");

  PrivateBus bus;  // a bus, nobody called org.freedesktop.login1 on it
  auto nobody = power::request(power::Action::Reboot);
  REQUIRE_FALSE(nobody);
  CHECK(nobody.error().code == power::ErrorCode::NoBus);
  CHECK(nobody.error().detail.find("logind is not on the system bus") != std::string::npos);
}
