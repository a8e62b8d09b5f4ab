#include "core/staff.hpp"

#include <algorithm>

namespace core {

std::string_view to_string(Health h) {
  switch (h) {
    case Health::Green: return "green";
    case Health::Amber: return "amber";
    case Health::Red: return "red";
  }
  return "red";
}

Health overall(const std::vector<StatusItem>& items) {
  Health worst = Health::Green;
  for (const auto& i : items) worst = std::max(worst, i.health);
  return worst;
}

}  // namespace core
