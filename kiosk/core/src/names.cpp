#include <array>
#include <type_traits>
#include <utility>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

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

// The enumerator's name the same way ("... [with core::Screen S = core::Screen::Products]"); empty when the
// value names no enumerator (the compiler spells it "(core::Screen)19").
template <Screen S>
constexpr std::string_view enumerator_name() {
  std::string_view p = __PRETTY_FUNCTION__;
  auto start = p.find("S = ") + 4;
  auto end = p.find_first_of(";]", start);
  auto name = p.substr(start, end - start);
  if (name.starts_with('(')) return {};
  if (auto colon = name.rfind("::"); colon != std::string_view::npos) name.remove_prefix(colon + 2);
  return name;
}

template <std::size_t... I>
constexpr std::array<std::string_view, sizeof...(I)> screen_names(std::index_sequence<I...>) {
  return {enumerator_name<static_cast<Screen>(I)>()...};
}

constexpr auto kScreenNames = screen_names(std::make_index_sequence<kScreenCount>{});

// Flow has a phase for every Screen up to kScreenCount (core/model.hpp); here, no Screen past them.
template <std::size_t... I>
constexpr bool no_screen_past_the_phases(std::index_sequence<I...>) {
  return (enumerator_name<static_cast<Screen>(kScreenCount + I)>().empty() && ...);
}
static_assert(no_screen_past_the_phases(std::make_index_sequence<16>{}),
              "a core::Screen has no phase in core::Flow");
static_assert(kScreenNames[static_cast<std::size_t>(Screen::KeyDetails)] == "KeyDetails");

}  // namespace

std::string_view event_name(const Event& e) {
  return std::visit([](const auto& ev) { return type_name<std::decay_t<decltype(ev)>>(); }, e);
}

std::string_view effect_name(const Effect& e) {
  return std::visit([](const auto& ef) { return type_name<std::decay_t<decltype(ef)>>(); }, e);
}

std::string_view screen_name(Screen s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kScreenNames.size() ? kScreenNames[i] : std::string_view{};
}

}  // namespace core
