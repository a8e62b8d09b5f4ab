#include "ui/style.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ui {

ImU32 to_u32(Rgb c, std::uint8_t alpha) {
  return IM_COL32(c.r, c.g, c.b, alpha);
}

ImVec4 to_vec4(Rgb c, float alpha) {
  return {static_cast<float>(c.r) / 255.0f, static_cast<float>(c.g) / 255.0f,
          static_cast<float>(c.b) / 255.0f, alpha};
}

namespace {
double channel(std::uint8_t v) {
  const double c = v / 255.0;
  return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(Rgb c) {
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}
}  // namespace

double contrast(Rgb a, Rgb b) {
  const double la = luminance(a);
  const double lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::span<const ContrastPair> contrast_pairs() {
  using namespace color;
  static constexpr std::array kPairs{
      ContrastPair{"text on background", kText, kBackground},
      ContrastPair{"text on surface", kText, kSurface},
      ContrastPair{"muted text on background", kTextMuted, kBackground},
      ContrastPair{"muted text on surface", kTextMuted, kSurface},
      ContrastPair{"primary button label", kOnPrimary, kPrimary},
      ContrastPair{"primary button label, pressed", kOnPrimary, kPrimaryPressed},
      ContrastPair{"secondary button label", kPrimary, kSurface},
      ContrastPair{"secondary button label, pressed", kPrimary, kSecondaryPressed},
      ContrastPair{"top bar text", kOnBar, kBar},
      ContrastPair{"top bar toggle, selected", kBar, kSurface},
      ContrastPair{"disabled button label", kOnDisabled, kDisabled},
      ContrastPair{"red text on surface", kDanger, kSurface},
      ContrastPair{"red text on background", kDanger, kBackground},
      ContrastPair{"danger banner", kOnDanger, kDanger},
      ContrastPair{"warning banner", kOnWarning, kWarningSurface},
      ContrastPair{"success text on surface", kOk, kSurface},
      ContrastPair{"staff: a green health badge", kOnPrimary, kOk},
  };
  return kPairs;
}

void apply_style(ImGuiStyle& s) {
  s = ImGuiStyle{};
  s.WindowPadding = ImVec2(0, 0);
  s.WindowRounding = 0;
  s.WindowBorderSize = 0;
  s.ChildRounding = 0;
  s.ChildBorderSize = 0;
  s.FramePadding = ImVec2(metric::kButtonPadX, 16);
  s.FrameRounding = metric::kRounding;
  s.ItemSpacing = ImVec2(metric::kGap, metric::kGap);
  s.ScrollbarSize = 14;
  s.ScrollbarRounding = 7;
  s.TouchExtraPadding = ImVec2(0, 0);
  s.AntiAliasedFill = true;
  s.AntiAliasedLines = true;
  auto* c = s.Colors;
  using namespace color;
  c[ImGuiCol_Text] = to_vec4(kText);
  c[ImGuiCol_TextDisabled] = to_vec4(kOnDisabled);
  c[ImGuiCol_WindowBg] = to_vec4(kBackground);
  c[ImGuiCol_ChildBg] = to_vec4(kBackground, 0.0f);
  c[ImGuiCol_PopupBg] = to_vec4(kSurface);
  c[ImGuiCol_Border] = to_vec4(kBorder);
  c[ImGuiCol_ScrollbarBg] = to_vec4(kDisabled, 0.6f);
  c[ImGuiCol_ScrollbarGrab] = to_vec4(kTextMuted);
  c[ImGuiCol_ScrollbarGrabHovered] = to_vec4(kTextMuted);
  c[ImGuiCol_ScrollbarGrabActive] = to_vec4(kText);
  c[ImGuiCol_Button] = to_vec4(kPrimary);
  c[ImGuiCol_ButtonHovered] = to_vec4(kPrimary);  // no hover on a touch screen
  c[ImGuiCol_ButtonActive] = to_vec4(kPrimaryPressed);
  c[ImGuiCol_ModalWindowDimBg] = to_vec4(kScrim, 0.55f);
}

}  // namespace ui
