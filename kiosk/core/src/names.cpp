#include <type_traits>

#include "core/effects.hpp"
#include "core/events.hpp"

namespace core {
namespace {

// The unqualified type name, from the compiler's own spelling of the template argument.
template <typename T>
constexpr std::string_view type_name() {
  std::string_view p = __PRETTY_FUNCTION__;  // "... [with T = core::Tick; ...]"
  auto start = p.find("T = ") + 4;
  auto end = p.find_first_of(";]", start);
  auto name = p.substr(start, end - start);
  if (auto colon = name.rfind("::"); colon != std::string_view::npos) name.remove_prefix(colon + 2);
  return name;
}

}  // namespace

std::string_view event_name(const Event& e) {
  return std::visit([](const auto& ev) { return type_name<std::decay_t<decltype(ev)>>(); }, e);
}

std::string_view effect_name(const Effect& e) {
  return std::visit([](const auto& ef) { return type_name<std::decay_t<decltype(ef)>>(); }, e);
}

}  // namespace core
