// The kiosk's look: one palette of high-contrast colours, sizes for touch, and ImGui's style set from them.
// Every text/background pair the screens use is listed in contrast_pairs(); a test holds each to WCAG's
// 4.5:1 (customers are often older, halls are bright).
#pragma once

#include <cstdint>
#include <span>

#include <imgui.h>

namespace ui {

struct Rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
};

namespace color {
inline constexpr Rgb kBackground{0xF3, 0xF5, 0xF8};
inline constexpr Rgb kSurface{0xFF, 0xFF, 0xFF};
inline constexpr Rgb kText{0x17, 0x1C, 0x22};
inline constexpr Rgb kTextMuted{0x47, 0x52, 0x5E};
inline constexpr Rgb kPrimary{0x0A, 0x52, 0x9C};  // primary actions
inline constexpr Rgb kPrimaryPressed{0x06, 0x38, 0x6C};
inline constexpr Rgb kOnPrimary{0xFF, 0xFF, 0xFF};
inline constexpr Rgb kSecondaryPressed{0xDC, 0xE7, 0xF3};
inline constexpr Rgb kBar{0x0B, 0x2E, 0x55};  // top bar
inline constexpr Rgb kOnBar{0xFF, 0xFF, 0xFF};
inline constexpr Rgb kDisabled{0xD5, 0xDA, 0xE0};
inline constexpr Rgb kOnDisabled{0x4A, 0x51, 0x5A};
inline constexpr Rgb kDanger{0xB0, 0x1E, 0x14};  // red text, "请勿拔出KEY"
inline constexpr Rgb kOnDanger{0xFF, 0xFF, 0xFF};
inline constexpr Rgb kWarningSurface{0xFF, 0xF1, 0xC2};
inline constexpr Rgb kOnWarning{0x5C, 0x3D, 0x00};
inline constexpr Rgb kOk{0x17, 0x6A, 0x36};
inline constexpr Rgb kBorder{0x8A, 0x94, 0xA0};
inline constexpr Rgb kScrim{0x00, 0x00, 0x00};  // behind the idle overlay (with alpha)
}  // namespace color

ImU32 to_u32(Rgb c, std::uint8_t alpha = 0xFF);
ImVec4 to_vec4(Rgb c, float alpha = 1.0f);

// WCAG 2 contrast ratio, 1..21.
double contrast(Rgb a, Rgb b);

struct ContrastPair {
  const char* what;
  Rgb text;
  Rgb background;
};
std::span<const ContrastPair> contrast_pairs();

// Sizes in pixels at the layout's scale (1920×1080 landscape, 1080×1920 portrait).
namespace metric {
inline constexpr float kTouchMin = 60.0f;   // ≥ 15 mm on a 21.5" 1080p screen
inline constexpr float kButtonH = 88.0f;    // ordinary buttons
inline constexpr float kPrimaryH = 112.0f;  // primary actions
inline constexpr float kTopBarH = 104.0f;
inline constexpr float kBottomBarH = 128.0f;
inline constexpr float kPad = 40.0f;  // screen margin
inline constexpr float kGap = 24.0f;
inline constexpr float kRounding = 14.0f;
inline constexpr float kButtonPadX = 28.0f;  // room beside a label inside a button
inline constexpr float kTapSlop = 24.0f;     // movement beyond this makes a press a drag, not a tap
}  // namespace metric

void apply_style(ImGuiStyle& style);

}  // namespace ui
