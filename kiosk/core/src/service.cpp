#include "core/service.hpp"

#include <utility>

#include "core/messages.hpp"

namespace core {
namespace {

constexpr std::size_t index(ServiceSource s) {
  return static_cast<std::size_t>(s);
}

}  // namespace

std::string_view to_string(ServiceSource s) {
  switch (s) {
    case ServiceSource::Staff:
      return "staff";
    case ServiceSource::Fleet:
      return "fleet";
    case ServiceSource::Hours:
      return "hours";
    case ServiceSource::Automatic:
      return "automatic";
  }
  return "unknown";
}

void OutOfService::set(ServiceSource source, OutOfServiceReason reason) {
  by_source_[index(source)] = std::move(reason);
}

void OutOfService::clear(ServiceSource source) {
  by_source_[index(source)].reset();
}

bool OutOfService::out() const {
  return shown().has_value();
}

std::optional<ServiceSource> OutOfService::shown() const {
  for (ServiceSource s : kAllServiceSources)
    if (by_source_[index(s)]) return s;
  return std::nullopt;
}

const OutOfServiceReason* OutOfService::reason() const {
  const auto s = shown();
  return s ? &*by_source_[index(*s)] : nullptr;
}

const std::optional<OutOfServiceReason>& OutOfService::of(ServiceSource source) const {
  return by_source_[index(source)];
}

std::string_view to_string(Check c) {
  switch (c) {
    case Check::Platform:
      return "platform";
    case Check::Clock:
      return "clock";
    case Check::Journal:
      return "journal";
    case Check::Drivers:
      return "drivers";
  }
  return "unknown";
}

std::string_view reason_key(Check c) {
  switch (c) {
    case Check::Platform:
      return msg::kServiceReasonPlatform;
    case Check::Clock:
      return msg::kServiceReasonClock;
    case Check::Journal:
      return msg::kServiceReasonJournal;
    case Check::Drivers:
      return msg::kServiceReasonDrivers;
  }
  return msg::kServiceReasonPlatform;
}

std::string_view to_string(CheckState s) {
  switch (s) {
    case CheckState::Unknown:
      return "unknown";
    case CheckState::Ok:
      return "ok";
    case CheckState::Failing:
      return "failing";
  }
  return "unknown";
}

bool Hysteresis::observe(bool ok, int out_after, int back_after) {
  const bool was = down;
  if (ok) {
    failures = 0;
    ++successes;
    if (down && successes >= back_after) down = false;
  } else {
    successes = 0;
    ++failures;
    if (!down && failures >= out_after) down = true;
  }
  return down != was;
}

std::optional<OutOfServiceReason> automatic_reason(const Service& s) {
  auto failing = [&](Check c) {
    if (c == Check::Platform) return s.platform.down;
    return s.checks[static_cast<std::size_t>(c)].state == CheckState::Failing;
  };
  std::optional<OutOfServiceReason> r;
  for (Check c : {Check::Clock, Check::Journal, Check::Drivers, Check::Platform}) {
    if (!failing(c)) continue;
    if (!r) {
      r.emplace();
      r->reason_key = std::string(reason_key(c));
    } else {
      r->detail += ", ";
    }
    r->detail += to_string(c);
  }
  return r;
}

}  // namespace core
