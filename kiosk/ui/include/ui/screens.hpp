// The shell's screens and the chrome around every screen. Each screen is a function of a const view-model
// and its scratch (docs/kiosk.md), plus the frame's Ctx; it returns the customer's intent, if any.
//
// Registration: one row per core::Screen in src/screens/screen_table.cpp (its title, the core's view for
// its phase, its draw function, its scratch in SessionScratch, the message keys it draws). The row's
// screen comes from the view's phase; a missing or misplaced row does not compile. A new screen is its
// core::Screen value and phase, its view and draw functions, its scratch, and that one row.
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
  // A session ended with a KEY still in the reader, at this time: 请取走您的KEY until it is taken.
  std::optional<core::UnixSeconds> key_left_since;
  core::ServiceView service;  // out of service: 暂停服务, why, and where to go instead
  std::string announcement;   // the fleet's announcement in the customer's language; empty: none
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

// What the chrome shows beyond the core's ChromeView: the model's clock (the maintenance code's gesture is
// timed by it) and, in staff mode, who is signed in.
struct ChromeExtras {
  core::Millis now = 0;
  std::string staff_name;
};
ChromeExtras chrome_extras(const core::Model& m);
// The top bar (title, key badge, language; 【维护】 for a staff KEY, 维护模式 and the staff member's name in
// staff mode), why 【维护】 cannot open now, the "请勿拔出KEY" banner and the bottom bar (back, home, help;
// 【退出维护】 in staff mode). Five taps on the title within 3 s ask for the maintenance code
// (core::StaffCodeRequested; docs/staff.md).
std::vector<core::Event> draw_chrome(const core::ChromeView& v, const ChromeExtras& x, ChromeScratch& s,
                                     Ctx& c);
inline constexpr int kStaffGestureTaps = 5;
inline constexpr core::Millis kStaffGestureWindowMs = 3'000;

// One screen's registration.
struct ScreenRow {
  core::Screen screen = core::Screen::Home;
  std::string_view title_key;  // "screen.products.title"
  // The core's view of the current phase, drawn by the screen's function with its scratch.
  std::optional<core::Event> (*draw)(const core::Model& m, SessionScratch& s, Ctx& c) = nullptr;
  std::span<const std::string_view> keys;  // every message key the screen draws itself
};
// Every row, indexed by core::Screen.
std::span<const ScreenRow> screen_rows();
const ScreenRow& screen_row(core::Screen s);

// The current screen (and the dialog its phase asks, over it).
std::optional<core::Event> draw_screen(const core::Model& m, SessionScratch& s, Ctx& c);

// "screen.products.title" etc.
std::string_view screen_title_key(core::Screen s);
inline constexpr int kHelpQuestions = 8;  // help.q1..8 / help.a1..8
// A screen's title line at the top of the content area; returns the rest of the content area.
ImRect screen_title(Ctx& c, std::string_view key, ImRect content);

// Every message key the pieces around and inside many screens draw (the chrome, the idle overlay, the
// keypad and the keyboards, the core's dialogs, the personal centre's title row), for the i18n test;
// each screen's own are in its row.
std::vector<std::string> shell_keys();

}  // namespace ui
