#include "power/logind.hpp"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "foundation/c_handle.hpp"

namespace power {

namespace {

using BusPtr = foundation::CPtr<sd_bus, sd_bus_flush_close_unref>;
using MessagePtr = foundation::CPtr<sd_bus_message, sd_bus_message_unref>;

constexpr const char* kDestination = "org.freedesktop.login1";
constexpr const char* kPath = "/org/freedesktop/login1";
constexpr const char* kInterface = "org.freedesktop.login1.Manager";

// sd_bus_error holds two strings it may own: freed at the end of the scope whatever happens.
struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { sd_bus_error_free(&e); }
};

std::unexpected<Error> fail(ErrorCode code, std::string detail) {
  return std::unexpected(Error{code, std::move(detail)});
}

std::string errno_text(int negative_errno) {
  return std::strerror(-negative_errno);
}

Result<BusPtr> open_bus() {
  sd_bus* raw = nullptr;
  const int r = sd_bus_open_system(&raw);
  BusPtr bus(raw);
  if (r < 0) {
    const char* address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return fail(ErrorCode::NoBus,
                "the system bus (" +
                    std::string(address ? address : "unix:path=/run/dbus/system_bus_socket") +
                    "): " + errno_text(r));
  }
  return bus;
}

// What a failed call means for staff: the error's name decides, its message goes into the detail.
Error call_error(std::string_view method, int r, const sd_bus_error& e) {
  const std::string name = e.name ? e.name : "";
  std::string detail = std::string(method) + ": ";
  detail += name.empty() ? errno_text(r) : name + (e.message ? std::string(": ") + e.message : std::string());
  if (name == SD_BUS_ERROR_SERVICE_UNKNOWN || name == SD_BUS_ERROR_NAME_HAS_NO_OWNER ||
      name == SD_BUS_ERROR_UNKNOWN_OBJECT || name == SD_BUS_ERROR_UNKNOWN_INTERFACE)
    return {ErrorCode::NoBus, "logind is not on the system bus: " + detail};
  if (name == SD_BUS_ERROR_ACCESS_DENIED || name == SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED ||
      name == SD_BUS_ERROR_AUTH_FAILED)
    return {ErrorCode::Refused, std::move(detail)};
  // logind: a shutdown or sleep is already under way (systemd's BUS_ERROR_OPERATION_IN_PROGRESS).
  if (name == "org.freedesktop.login1.OperationInProgress") return {ErrorCode::NotAllowed, std::move(detail)};
  if (name.empty() && (r == -ECONNRESET || r == -ENOTCONN || r == -ECONNREFUSED))
    return {ErrorCode::NoBus, std::move(detail)};
  return {ErrorCode::Failed, std::move(detail)};
}

// One method call on logind's manager, with its timeout. `argument`: Reboot's and PowerOff's `interactive`.
Result<MessagePtr> call(sd_bus* bus, const char* method, const Options& options, const bool* argument) {
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus, &raw, kDestination, kPath, kInterface, method);
  MessagePtr m(raw);
  if (r < 0) return fail(ErrorCode::Failed, std::string(method) + ": " + errno_text(r));
  if (argument) {
    r = sd_bus_message_append(m.get(), "b", static_cast<int>(*argument));
    if (r < 0) return fail(ErrorCode::Failed, std::string(method) + ": " + errno_text(r));
  }
  BusError error;
  sd_bus_message* reply = nullptr;
  const auto usec = static_cast<std::uint64_t>(options.timeout.count()) * 1000U;
  r = sd_bus_call(bus, m.get(), usec, &error.e, &reply);
  MessagePtr answer(reply);
  if (r < 0) return std::unexpected(call_error(method, r, error.e));
  return answer;
}

const char* can_method(Action a) {
  return a == Action::Reboot ? "CanReboot" : "CanPowerOff";
}
const char* do_method(Action a) {
  return a == Action::Reboot ? "Reboot" : "PowerOff";
}

Result<Allowed> can_on(sd_bus* bus, Action action, const Options& options) {
  auto reply = call(bus, can_method(action), options, nullptr);
  if (!reply) return std::unexpected(reply.error());
  const char* answer = nullptr;
  const int r = sd_bus_message_read(reply->get(), "s", &answer);
  if (r < 0 || answer == nullptr)
    return fail(ErrorCode::Failed, std::string(can_method(action)) + ": the answer is not a string");
  const std::string_view a(answer);
  if (a == "yes") return Allowed::Yes;
  if (a == "challenge") return Allowed::Challenge;
  if (a == "no") return Allowed::No;
  if (a == "na") return Allowed::NotApplicable;
  return fail(ErrorCode::Failed,
              std::string(can_method(action)) + ": unknown answer \"" + std::string(a) + "\"");
}

}  // namespace

std::string_view to_string(Action a) {
  return a == Action::Reboot ? "reboot" : "power-off";
}

std::string_view to_string(Allowed a) {
  switch (a) {
    case Allowed::Yes:
      return "yes";
    case Allowed::Challenge:
      return "challenge";
    case Allowed::No:
      return "no";
    case Allowed::NotApplicable:
      return "na";
  }
  return "na";
}

std::string_view message_key(ErrorCode code) {
  switch (code) {
    case ErrorCode::NoBus:
      return "staff.power.no_bus";
    case ErrorCode::Refused:
      return "staff.power.refused";
    case ErrorCode::NotAllowed:
      return "staff.power.not_allowed";
    case ErrorCode::Failed:
      return "staff.power.failed";
  }
  return "staff.power.failed";
}

std::string_view Error::message_key() const {
  return power::message_key(code);
}

std::string Error::to_string() const {
  return std::string(message_key()) + ": " + detail;
}

Result<Allowed> can(Action action, Options options) {
  auto bus = open_bus();
  if (!bus) return std::unexpected(bus.error());
  return can_on(bus->get(), action, options);
}

Result<void> request(Action action, Options options) {
  auto bus = open_bus();
  if (!bus) return std::unexpected(bus.error());
  auto allowed = can_on(bus->get(), action, options);
  if (!allowed) return std::unexpected(allowed.error());
  const std::string asked =
      std::string(can_method(action)) + " answered \"" + std::string(to_string(*allowed)) + "\"";
  switch (*allowed) {
    case Allowed::Yes:
      break;
    case Allowed::Challenge:
      return fail(ErrorCode::Refused, asked +
                                          ": polkit would ask for a password (is the package's polkit rule "
                                          "loaded? someone else logged in? a shutdown inhibitor?)");
    case Allowed::No:
    case Allowed::NotApplicable:
      return fail(ErrorCode::NotAllowed, asked);
  }
  const bool interactive = false;
  auto done = call(bus->get(), do_method(action), options, &interactive);
  if (!done) return std::unexpected(done.error());
  return {};
}

}  // namespace power
