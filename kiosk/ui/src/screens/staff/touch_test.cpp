// The full-screen device tests, over everything (the chrome included):
//   - touch: targets over the whole screen — corners, edges, the middle — lit one at a time; each tap is
//     recorded as a hit (within the kiosk's smallest touch target of its centre) or a miss, with its offset;
//     after the last, the outcome goes to the core (core::TouchTestDone, audited) and the screen shows every
//     tap against its target;
//   - screen: colour bars, full white, full black; a tap goes on, the last one goes back.
//
// Widget keys: staff.touch.target.i (each target), staff.touch.intro, staff.touch.stop; after the last:
// staff.touch.result, staff.touch.summary, staff.touch.verdict, staff.touch.again, staff.touch.done; the
// screen test: staff.screen.hint, staff.screen.stop (on the colour bars only).
#include <algorithm>
#include <cmath>

#include "staff_common.hpp"

namespace ui {

std::vector<ImVec2> touch_targets(ImVec2 display) {
  const bool portrait = display.y > display.x;
  const float across[] = {0.05f, 0.35f, 0.65f, 0.95f};  // the long side: 4
  const float short_side[] = {0.08f, 0.5f, 0.92f};      // the short side: 3
  std::vector<ImVec2> out;
  for (float a : across)
    for (float b : short_side)
      out.push_back(portrait ? ImVec2(std::floor(display.x * b), std::floor(display.y * a))
                             : ImVec2(std::floor(display.x * a), std::floor(display.y * b)));
  // Row by row from the top left, as a finger reads.
  std::sort(out.begin(), out.end(), [](ImVec2 p, ImVec2 q) { return p.y != q.y ? p.y < q.y : p.x < q.x; });
  return out;
}

namespace staff {
namespace full_screen {

// Where the words and buttons go: between the first and second rows of targets, clear of every target.
ImRect panel(ImVec2 display) {
  const bool portrait = display.y > display.x;
  const float w = std::min(960.0f, display.x - 2 * metric::kPad);
  const float top = portrait ? display.y * 0.1f : display.y * 0.15f;
  const float bottom = portrait ? display.y * 0.3f : display.y * 0.42f;
  return {ImVec2(std::floor((display.x - w) * 0.5f), std::floor(top)),
          ImVec2(std::floor((display.x + w) * 0.5f), std::floor(bottom))};
}

// A tap released this frame (not a drag), where the finger came down.
std::optional<ImVec2> tapped() {
  const ImGuiIO& io = ImGui::GetIO();
  if (!ImGui::IsMouseReleased(ImGuiMouseButton_Left)) return std::nullopt;
  if (io.MouseDragMaxDistanceSqr[0] > metric::kTapSlop * metric::kTapSlop) return std::nullopt;
  return io.MouseClickedPos[0];
}

void target(ImVec2 p, Rgb col, float r, float t) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddCircle(p, r, to_u32(col), 40, t);
  dl->AddLine(ImVec2(p.x - r * 1.6f, p.y), ImVec2(p.x + r * 1.6f, p.y), to_u32(col), t * 0.6f);
  dl->AddLine(ImVec2(p.x, p.y - r * 1.6f), ImVec2(p.x, p.y + r * 1.6f), to_u32(col), t * 0.6f);
}

}  // namespace full_screen

std::optional<core::Event> touch_test(const MaintenanceView&, TouchTestScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  const ImVec2 display = c.layout.display;
  const auto targets = touch_targets(display);
  begin_overlay(c, "staff.touch", ImVec2(0, 0));
  fill(ImRect(ImVec2(0, 0), display), color::kSurface);
  const ImRect panel = full_screen::panel(display);
  const bool done = s.taps.size() >= targets.size();

  // Every target: the ones tapped with where the tap landed, the next one lit, the rest faint.
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const ImVec2 p = targets[i];
    const ImRect r(ImVec2(p.x - kTouchHitRadius, p.y - kTouchHitRadius),
                   ImVec2(p.x + kTouchHitRadius, p.y + kTouchHitRadius));
    record_widget(c, "staff.touch.target." + std::to_string(i), 0, r, WidgetKind::Badge);
    if (i < s.taps.size()) {
      const TouchTap& t = s.taps[i];
      const Rgb col = t.hit ? color::kOk : color::kDanger;
      full_screen::target(p, col, kTouchHitRadius, 3.0f);
      const ImVec2 at(p.x + t.offset.x, p.y + t.offset.y);
      ImGui::GetWindowDrawList()->AddLine(p, at, to_u32(col), 4.0f);
      ImGui::GetWindowDrawList()->AddCircleFilled(at, 9.0f, to_u32(col));
    } else if (i == s.taps.size()) {
      ImGui::GetWindowDrawList()->AddCircleFilled(p, kTouchHitRadius, to_u32(color::kSecondaryPressed));
      full_screen::target(p, color::kPrimary, kTouchHitRadius, 6.0f);
    } else {
      full_screen::target(p, color::kBorder, kTouchHitRadius * 0.6f, 2.0f);
    }
  }

  ImRect box = inset(panel, metric::kPad, metric::kGap);
  if (!done) {
    const std::string intro = format(c.tr("staff.touch.intro"), {{"n", std::to_string(s.taps.size() + 1)},
                                                                 {"total", std::to_string(targets.size())}});
    text_line(c, "staff.touch.intro", intro, cut_top(box, 64.0f, metric::kGap),
              {FontRole::Title, color::kText, Align::Center});
    const float w = std::max(320.0f, button_width(c, c.tr("staff.touch.stop"), FontRole::Body));
    const ImRect stop = centered(cut_top(box, metric::kButtonH), ImVec2(w, metric::kButtonH));
    if (button(c, "staff.touch.stop", stop)) out = core::DeviceTestChosen{core::DeviceTest::None};
    // A tap anywhere else is the next target's: a hit within the smallest touch target of its centre.
    if (const auto p = full_screen::tapped(); p && !panel.Contains(*p)) {
      const ImVec2 at = targets[s.taps.size()];
      const ImVec2 off(p->x - at.x, p->y - at.y);
      s.taps.push_back({off, std::hypot(off.x, off.y) <= kTouchHitRadius});
    }
  }
  if (s.taps.size() >= targets.size()) {
    float sum = 0;
    float most = 0;
    int misses = 0;
    for (const auto& t : s.taps) {
      const float d = std::hypot(t.offset.x, t.offset.y);
      sum += d;
      most = std::max(most, d);
      if (!t.hit) ++misses;
    }
    const int n = static_cast<int>(s.taps.size());
    const float mean = sum / static_cast<float>(n);
    if (!s.reported) {
      s.reported = true;
      out = core::TouchTestDone{n, misses, mean, most};
    }
    fill(panel, color::kBackground, metric::kRounding);
    outline(panel, color::kBorder, metric::kRounding, 2.0f);
    text_line(c, "staff.touch.result", c.tr("staff.touch.result"), cut_top(box, 56.0f, 8.0f),
              {FontRole::Title, color::kText, Align::Left});
    const ImRect buttons = cut_bottom(box, metric::kButtonH, 8.0f);
    const std::string summary =
        format(c.tr("staff.touch.summary"), {{"targets", std::to_string(n)},
                                             {"misses", std::to_string(misses)},
                                             {"mean", std::to_string(std::lround(mean))},
                                             {"max", std::to_string(std::lround(most))}});
    const float sh = paragraph_height(c, summary, box.GetWidth(), FontRole::Body);
    paragraph(c, "staff.touch.summary", summary, cut_top(box, sh, 8.0f),
              {FontRole::Body, color::kText, Align::Left});
    paragraph(c, "staff.touch.verdict", c.tr(misses == 0 ? "staff.touch.ok" : "staff.touch.bad"), box,
              {FontRole::Body, misses == 0 ? color::kOk : color::kDanger, Align::Left});
    const auto cells = split_h(buttons, 2, metric::kGap);
    if (button(c, "staff.touch.again", cells[0])) s = {};
    if (button(c, "staff.touch.done", cells[1], {ButtonKind::Primary, FontRole::Body, true, false}))
      out = core::DeviceTestChosen{core::DeviceTest::None};
  }
  end_overlay(c);
  return out;
}

std::optional<core::Event> screen_test(ScreenTestScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  const ImVec2 display = c.layout.display;
  begin_overlay(c, "staff.screen", ImVec2(0, 0));
  const ImRect all(ImVec2(0, 0), display);
  if (s.pattern == 0) {
    // Colour bars over three quarters, a grey ramp below: every primary and secondary at full strength,
    // black to white in eight steps (banding or a dead channel shows at once).
    constexpr Rgb kBars[] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
                             {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0}};
    ImRect top = all;
    const ImRect ramp = cut_bottom(top, std::floor(display.y * 0.25f));
    const auto bars = split_h(top, 8, 0.0f);
    const auto steps = split_h(ramp, 8, 0.0f);
    for (std::size_t i = 0; i < 8; ++i) {
      fill(ImRect(bars[i].Min, ImVec2(i == 7 ? display.x : bars[i + 1].Min.x, bars[i].Max.y)), kBars[i]);
      const auto g = static_cast<std::uint8_t>(i * 255 / 7);
      fill(ImRect(steps[i].Min, ImVec2(i == 7 ? display.x : steps[i + 1].Min.x, steps[i].Max.y)),
           Rgb{g, g, g});
    }
    const ImRect panel = full_screen::panel(display);
    fill(panel, color::kSurface, metric::kRounding);
    outline(panel, color::kBorder, metric::kRounding, 2.0f);
    ImRect box = inset(panel, metric::kPad, metric::kGap);
    const ImRect stop_row = cut_bottom(box, metric::kButtonH, metric::kGap);
    paragraph(c, "staff.screen.hint", c.tr("staff.screen.hint"), box,
              {FontRole::Body, color::kText, Align::Center});
    const float w = std::max(320.0f, button_width(c, c.tr("staff.touch.stop"), FontRole::Body));
    if (button_text(c, "staff.screen.stop", c.tr("staff.touch.stop"),
                    centered(stop_row, ImVec2(w, metric::kButtonH)))) {
      out = core::DeviceTestChosen{core::DeviceTest::None};
    } else if (const auto p = full_screen::tapped(); p && !panel.Contains(*p)) {
      s.pattern = 1;
    }
  } else {
    fill(all, s.pattern == 1 ? Rgb{255, 255, 255} : Rgb{0, 0, 0});
    // Nothing else on white or black: a tap anywhere goes on; after black, back to the tests.
    if (full_screen::tapped()) {
      if (s.pattern == 2) {
        out = core::DeviceTestChosen{core::DeviceTest::None};
        s.pattern = 0;
      } else {
        s.pattern = 2;
      }
    }
  }
  end_overlay(c);
  return out;
}

}  // namespace staff
}  // namespace ui
