// The shell's screens and the chrome around every screen. Each screen is a function of a const view-model
// and its scratch (docs/kiosk.md), plus the frame's Ctx; it returns the customer's intent, if any.
//
// Registration: draw_screen() (src/screens/dispatch.cpp) switches over core::Screen and calls the screen's
// function with the core's view for it; the compiler's -Wswitch makes a new core::Screen fail to build until
// it is drawn.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/model.hpp"
#include "core/view.hpp"
#include "ui/ctx.hpp"
#include "ui/scratch.hpp"

namespace ui {

// ---- views of the shell's own screens (the core has no view-model for them: they show no customer data)
struct HomeView {
  core::KeyPresence key = core::KeyPresence::NoKey;
};
struct HelpView {};
struct ComingSoonView {};
struct IdleOverlayView {
  int seconds_left = 0;
};

std::optional<core::Event> draw_home(const HomeView& v, HomeScratch& s, Ctx& c);
std::optional<core::Event> draw_help(const HelpView& v, HelpScratch& s, Ctx& c);
std::optional<core::Event> draw_coming_soon(const ComingSoonView& v, ComingSoonScratch& s, Ctx& c);
// Over any screen: "您还在吗？", the countdown and 【继续】.
std::optional<core::Event> draw_idle_overlay(const IdleOverlayView& v, Ctx& c);

// The top bar (title, key badge, language), the "请勿拔出KEY" banner and the bottom bar (back, home, help).
std::vector<core::Event> draw_chrome(const core::ChromeView& v, Ctx& c);

// The current screen, by core::Screen.
std::optional<core::Event> draw_screen(const core::Model& m, SessionScratch& s, Ctx& c);

// "screen.products.title" etc.
std::string_view screen_title_key(core::Screen s);
// Every core::Screen, in order (tests draw each; a new screen is added here and in draw_screen()).
std::span<const core::Screen> all_screens();
inline constexpr int kHelpQuestions = 8;  // help.q1..8 / help.a1..8
// A screen's title line at the top of the content area; returns the rest of the content area.
ImRect screen_title(Ctx& c, std::string_view key, ImRect content);

// Every message key the shell itself uses (for the i18n completeness test).
std::vector<std::string> shell_keys();

}  // namespace ui
